/* Action scaling: scale and offset of Box bounds, apply/unapply, the space
 * checks with their exact messages, degenerate and overflowing bounds. */
#include <athlete/scaling.h>

#include <math.h>

#include "test-util.h"

START_TEST(scale_and_offset)
{
    size_t shape[1] = {3};
    const float low[3] = {-2.0f, 0.0f, 1.5f}, high[3] = {2.0f, 10.0f, 1.5f};
    athlete_space box = athlete_space_box(1, shape, low, high);
    athlete_action_scaling *s = NULL;
    athlete_error err;
    ck_assert_ok(athlete_action_scaling_create(&box, "test", &s, &err), &err);
    ck_assert_uint_eq(athlete_action_scaling_size(s), 3);
    const float *scale = athlete_action_scaling_scale(s), *offset = athlete_action_scaling_offset(s);
    ck_assert_float_eq(scale[0], 2.0f);
    ck_assert_float_eq(offset[0], 0.0f);
    ck_assert_float_eq(scale[1], 5.0f);
    ck_assert_float_eq(offset[1], 5.0f);
    ck_assert_float_eq(scale[2], 0.0f); /* low == high: every action is 1.5 */
    ck_assert_float_eq(offset[2], 1.5f);
    /* -1 -> low, +1 -> high, 0 -> the middle */
    float u[3] = {-1, -1, -1}, a[3], back[3];
    athlete_action_scaling_apply(s, u, a);
    ck_assert_mem_eq(a, low, sizeof a);
    for (int i = 0; i < 3; i++)
        u[i] = 1;
    athlete_action_scaling_apply(s, u, a);
    ck_assert_mem_eq(a, high, sizeof a);
    float mid[3] = {0.25f, -0.5f, 0.7f};
    athlete_action_scaling_apply(s, mid, a);
    ck_assert_float_eq(a[0], 0.5f);
    ck_assert_float_eq(a[1], 2.5f);
    ck_assert_float_eq(a[2], 1.5f);
    athlete_action_scaling_unapply(s, a, back);
    ck_assert_float_eq(back[0], 0.25f);
    ck_assert_float_eq(back[1], -0.5f);
    ck_assert_float_eq(back[2], 0.0f); /* no information in a degenerate bound */
    /* in place */
    athlete_action_scaling_apply(s, mid, mid);
    ck_assert_float_eq(mid[1], 2.5f);
    athlete_action_scaling_destroy(s);
    athlete_action_scaling_destroy(NULL);
}
END_TEST

START_TEST(space_checks_name_the_problem)
{
    size_t shape[1] = {1}, shape3[1] = {3};
    const float low[1] = {-INFINITY}, high[1] = {INFINITY}, fin_lo[3] = {-1, -1, -8}, fin_hi[3] = {1, 1, 8};
    const float half_lo[3] = {-1, -1, -1}, half_hi[3] = {1, INFINITY, 1};
    athlete_space obs = athlete_space_box(1, shape3, fin_lo, fin_hi);
    athlete_space unbounded = athlete_space_box(1, shape, low, high);
    athlete_space partly = athlete_space_box(1, shape3, half_lo, half_hi);
    athlete_space discrete = athlete_space_discrete(2);
    athlete_error err;
    ck_assert_ok(athlete_action_scaling_check(&obs, &obs, "ddpg", &err), &err);
    ck_assert_fails(athlete_action_scaling_check(&discrete, &obs, "ddpg", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "ddpg needs a Box observation space, got Discrete(2)");
    ck_assert_fails(athlete_action_scaling_check(&obs, &discrete, "td3", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "td3 needs a Box action space, got Discrete(2)");
    ck_assert_fails(athlete_action_scaling_check(&obs, &unbounded, "sac", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "sac needs finite action bounds (its [-1, 1] actions are scaled to them), got "
                    "Box(shape=(1,), low=[-inf], high=[inf]): low[0] is -inf");
    ck_assert_fails(athlete_action_scaling_check(&obs, &partly, "sac", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    ": high[1] is inf");
    athlete_action_scaling *s = NULL;
    ck_assert_fails(athlete_action_scaling_create(&unbounded, "ddpg", &s, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "ddpg needs finite action bounds");
    /* finite but too far apart for float: (high - low) / 2 overflows */
    const float huge_lo[1] = {-3e38f}, huge_hi[1] = {3e38f};
    athlete_space huge = athlete_space_box(1, shape, huge_lo, huge_hi);
    ck_assert_fails(athlete_action_scaling_create(&huge, "ddpg", &s, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "are too far apart to scale to (element 0 overflows float)");
    ck_assert_ptr_null(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scaling");
    TCase *tc = tcase_create("scaling");
    tcase_add_test(tc, scale_and_offset);
    tcase_add_test(tc, space_checks_name_the_problem);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

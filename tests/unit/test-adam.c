/* Adam against torch.optim.Adam's formula, parameter groups, state, clip_grad_norm_. */
#include <athlete/adam.h>
#include <athlete/rng.h>

#include <math.h>

#include "test-util.h"

/* torch.optim.Adam's single-tensor step for one element, written out in float32 in the
 * order of torch's calls (hyper-parameters and bias corrections as Python doubles). */
static void torch_adam(float *p, float g, float *m, float *v, int t, double lr, double b1, double b2,
                       double eps)
{
    *m = *m * (float)b1 + (float)(1.0 - b1) * g;          /* exp_avg.mul_(b1).add_(g, alpha=1-b1) */
    *v = *v * (float)b2 + (float)(1.0 - b2) * g * g;      /* exp_avg_sq.mul_(b2).addcmul_(g, g, 1-b2) */
    double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
    double step_size = lr / bc1;
    float denom = sqrtf(*v) / (float)sqrt(bc2) + (float)eps; /* (v.sqrt() / bc2_sqrt).add_(eps) */
    *p = *p + (float)(-step_size) * *m / denom;           /* p.addcdiv_(m, denom, value=-step_size) */
}

START_TEST(three_steps_by_hand)
{
    float p[3] = {1.0f, -2.0f, 0.5f}, g[3];
    const float grads[3][3] = {{0.1f, -0.2f, 0.3f}, {0.05f, 0.4f, -0.3f}, {-0.1f, 0.0f, 0.2f}};
    athlete_adam *adam;
    athlete_error err;
    athlete_adam_group grp = athlete_adam_group_default(p, g, 3, 0.01);
    ck_assert_double_eq(grp.beta1, 0.9);
    ck_assert_double_eq(grp.beta2, 0.999);
    ck_assert_double_eq(grp.eps, 1e-8);
    ck_assert_ok(athlete_adam_create(&grp, 1, &adam, &err), &err);
    float rp[3] = {1.0f, -2.0f, 0.5f}, rm[3] = {0}, rv[3] = {0};
    for (int t = 1; t <= 3; t++) {
        memcpy(g, grads[t - 1], sizeof g);
        athlete_adam_step(adam);
        for (int i = 0; i < 3; i++) {
            torch_adam(&rp[i], grads[t - 1][i], &rm[i], &rv[i], t, 0.01, 0.9, 0.999, 1e-8);
            ck_assert_msg(p[i] == rp[i], "step %d, p[%d] = %.9g, torch formula %.9g", t, i, p[i], rp[i]);
            ck_assert(athlete_adam_exp_avg(adam)[i] == rm[i]);
            ck_assert(athlete_adam_exp_avg_sq(adam)[i] == rv[i]);
        }
        if (t == 1) {
            /* the first step moves every parameter by lr against its gradient's sign:
             * m^ / sqrt(v^) = g / |g| */
            ck_assert_float_eq_tol(p[0], 0.99f, 1e-6f);
            ck_assert_float_eq_tol(p[1], -1.99f, 1e-6f);
            ck_assert_float_eq_tol(p[2], 0.49f, 1e-6f);
            ck_assert_float_eq_tol(athlete_adam_exp_avg(adam)[2], 0.03f, 1e-8f);
            ck_assert_float_eq_tol(athlete_adam_exp_avg_sq(adam)[2], 0.001f * 0.09f, 1e-10f);
        }
        /* p[0] worked out in double (Python): m2 = 0.014, v2 = 1.249e-5, bc1 = 0.19,
         * bc2 = 0.001999 -> 0.980678205791187; step 3 (g = -0.1) -> 0.9795703752058872 */
        if (t == 2)
            ck_assert_double_eq_tol(p[0], 0.980678205791187, 2e-7);
        if (t == 3)
            ck_assert_double_eq_tol(p[0], 0.9795703752058872, 2e-7);
    }
    ck_assert_uint_eq(athlete_adam_step_count(adam, 0), 3);
    athlete_adam_destroy(adam);
}
END_TEST

START_TEST(vector_path_matches_formula)
{
    /* 1000 elements (not a multiple of any vector width) over 5 steps, bit for bit */
    enum { N = 1000 };
    static float p[N], g[N], rp[N], rm[N], rv[N];
    athlete_rng rng;
    athlete_rng_seed(&rng, 12, 0);
    for (int i = 0; i < N; i++)
        rp[i] = p[i] = (float)athlete_rng_uniform_range(&rng, -1, 1);
    athlete_adam_group grp = {p, g, N, 3e-4, 0.8, 0.99, 1e-5};
    athlete_adam *adam;
    athlete_error err;
    ck_assert_ok(athlete_adam_create(&grp, 1, &adam, &err), &err);
    for (int t = 1; t <= 5; t++) {
        for (int i = 0; i < N; i++)
            g[i] = (float)athlete_rng_uniform_range(&rng, -1e-3, 1e-3) * (i % 7 == 0 ? 1000 : 1);
        athlete_adam_step(adam);
        for (int i = 0; i < N; i++)
            torch_adam(&rp[i], g[i], &rm[i], &rv[i], t, 3e-4, 0.8, 0.99, 1e-5);
        for (int i = 0; i < N; i++)
            ck_assert_msg(p[i] == rp[i], "step %d element %d: %.9g vs %.9g", t, i, p[i], rp[i]);
    }
    ck_assert_mem_eq(athlete_adam_exp_avg(adam), rm, sizeof rm);
    ck_assert_mem_eq(athlete_adam_exp_avg_sq(adam), rv, sizeof rv);
    athlete_adam_destroy(adam);
}
END_TEST

START_TEST(groups_have_their_own_settings_and_steps)
{
    float a[20], ga[20], b[3], gb[3];
    for (int i = 0; i < 20; i++)
        a[i] = 0, ga[i] = 1.0f;
    for (int i = 0; i < 3; i++)
        b[i] = 0, gb[i] = -1.0f;
    athlete_adam_group groups[2] = {athlete_adam_group_default(a, ga, 20, 0.1),
                                    athlete_adam_group_default(b, gb, 3, 0.01)};
    groups[1].beta1 = 0.5;
    athlete_adam *adam;
    athlete_error err;
    ck_assert_ok(athlete_adam_create(groups, 2, &adam, &err), &err);
    ck_assert_uint_eq(athlete_adam_group_count(adam), 2);
    ck_assert_uint_eq(athlete_adam_state_count(adam), 23);
    ck_assert_uint_eq(athlete_adam_group_offset(adam, 0), 0);
    ck_assert_uint_eq(athlete_adam_group_offset(adam, 1), 20);
    athlete_adam_step(adam);
    for (int i = 0; i < 20; i++)
        ck_assert_float_eq_tol(a[i], -0.1f, 1e-6f);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq_tol(b[i], 0.01f, 1e-7f);
    /* group 1's moments sit after group 0's, with its own beta1 */
    ck_assert_float_eq_tol(athlete_adam_exp_avg(adam)[0], 0.1f, 1e-7f);
    ck_assert_float_eq_tol(athlete_adam_exp_avg(adam)[20], -0.5f, 1e-7f);
    ck_assert_float_eq_tol(athlete_adam_exp_avg_sq(adam)[22], 0.001f, 1e-9f);
    /* step counts per group, restorable (checkpoints); lr settable */
    ck_assert_uint_eq(athlete_adam_step_count(adam, 1), 1);
    athlete_adam_set_step_count(adam, 1, 41);
    athlete_adam_set_lr(adam, 1, 0.5);
    ck_assert_double_eq(athlete_adam_get_group(adam, 1).lr, 0.5);
    ck_assert_double_eq(athlete_adam_get_group(adam, 1).beta1, 0.5);
    athlete_adam_step(adam);
    ck_assert_uint_eq(athlete_adam_step_count(adam, 0), 2);
    ck_assert_uint_eq(athlete_adam_step_count(adam, 1), 42);
    /* zero_grad clears every group */
    athlete_adam_zero_grad(adam);
    for (int i = 0; i < 20; i++)
        ck_assert_float_eq(ga[i], 0.0f);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq(gb[i], 0.0f);
    athlete_adam_destroy(adam);
}
END_TEST

START_TEST(clip_grad_norm_semantics)
{
    /* two groups, gradients (3) and (4, 0): total norm 5 */
    float p1[1] = {0}, g1[1] = {3.0f}, p2[2] = {0, 0}, g2[2] = {4.0f, 0.0f};
    athlete_adam_group groups[2] = {athlete_adam_group_default(p1, g1, 1, 1e-3),
                                    athlete_adam_group_default(p2, g2, 2, 1e-3)};
    athlete_adam *adam;
    athlete_error err;
    ck_assert_ok(athlete_adam_create(groups, 2, &adam, &err), &err);
    /* below the limit: untouched, bit for bit */
    ck_assert_float_eq(athlete_adam_clip_grad_norm(adam, 10.0f), 5.0f);
    ck_assert_float_eq(g1[0], 3.0f);
    ck_assert_float_eq(g2[0], 4.0f);
    /* max_norm == norm: coef = 5 / (5 + 1e-6) < 1, so torch scales by a hair */
    ck_assert_float_eq(athlete_adam_clip_grad_norm(adam, 5.0f), 5.0f);
    ck_assert_float_eq(g1[0], 3.0f * (5.0f / (5.0f + 1e-6f)));
    /* above: scaled by max_norm / (norm + 1e-6), returning the norm before clipping */
    g1[0] = 3.0f, g2[0] = 4.0f;
    ck_assert_float_eq(athlete_adam_clip_grad_norm(adam, 0.5f), 5.0f);
    float coef = 0.5f / (5.0f + 1e-6f);
    ck_assert_float_eq(g1[0], 3.0f * coef);
    ck_assert_float_eq(g2[0], 4.0f * coef);
    ck_assert_float_eq(g2[1], 0.0f);
    ck_assert_float_eq_tol(sqrtf(g1[0] * g1[0] + g2[0] * g2[0]), 0.5f, 1e-6f);
    athlete_adam_destroy(adam);

    /* a long array: the norm is exact to float rounding */
    enum { N = 10007 };
    static float p[N], g[N];
    double sq = 0;
    for (int i = 0; i < N; i++) {
        g[i] = (float)((i % 13) - 6) * 0.01f;
        sq += (double)g[i] * g[i];
    }
    athlete_adam_group one = athlete_adam_group_default(p, g, N, 1e-3);
    ck_assert_ok(athlete_adam_create(&one, 1, &adam, &err), &err);
    ck_assert_float_eq(athlete_adam_clip_grad_norm(adam, 1e9f), (float)sqrt(sq));
    athlete_adam_destroy(adam);
}
END_TEST

START_TEST(create_errors)
{
    float p[2], g[2];
    athlete_adam *adam = NULL;
    athlete_error err;
    athlete_adam_group grp = athlete_adam_group_default(p, g, 2, -1.0);
    ck_assert_fails(athlete_adam_create(&grp, 1, &adam, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "group 0: invalid learning rate -1");
    grp = athlete_adam_group_default(p, g, 2, 1e-3);
    grp.beta2 = 1.0;
    ck_assert_fails(athlete_adam_create(&grp, 1, &adam, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "invalid betas (0.9, 1)");
    grp = athlete_adam_group_default(p, NULL, 2, 1e-3);
    ck_assert_fails(athlete_adam_create(&grp, 1, &adam, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "group 0 has no parameters");
    ck_assert_fails(athlete_adam_create(&grp, 0, &adam, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "at least one parameter group");
    ck_assert_ptr_null(adam);
    athlete_adam_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("adam");
    TCase *tc = tcase_create("adam");
    tcase_add_test(tc, three_steps_by_hand);
    tcase_add_test(tc, vector_path_matches_formula);
    tcase_add_test(tc, groups_have_their_own_settings_and_steps);
    tcase_add_test(tc, clip_grad_norm_semantics);
    tcase_add_test(tc, create_errors);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

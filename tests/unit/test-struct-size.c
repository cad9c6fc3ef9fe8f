/* Option structs of an older layout are accepted: each is passed with ABI 1.0's size at
 * the very end of a readable page, so reading a member the caller's struct_size does not
 * cover would crash; smaller sizes are refused with a message naming both sizes. */
#include <athlete/component.h>
#include <athlete/noise.h>
#include <athlete/policies.h>
#include <athlete/updates.h>
#include <athlete/actors.h>

#include <stdalign.h>

#include "guard-page.h"
#include "test-util.h"

/* The ABI 1.0 size of a struct as a 1.0 compiler laid it out: through its last 1.0 member,
 * rounded up to the struct's alignment. */
#define SIZE_1_0(type, last)                                                                                 \
  ((ATHLETE_SIZE_THROUGH(type, last) + alignof(type) - 1) / alignof(type) * alignof(type))

START_TEST(noise_options)
{
    athlete_noise_options o = {.struct_size = SIZE_1_0(athlete_noise_options, stream),
                               .kind = ATHLETE_NOISE_GAUSSIAN,
                               .size = 2,
                               .noise_std = 0.1,
                               .seed = 1};
    athlete_noise_options *old = guard_page_copy(&o, o.struct_size);
    athlete_noise *noise = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(old, &noise, &err), &err);
    ck_assert_uint_eq(athlete_noise_size(noise), 2);
    athlete_noise_destroy(noise);
    old->struct_size = offsetof(athlete_noise_options, stream);
    ck_assert_fails(athlete_noise_create(old, &noise, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "noise create: options.struct_size is 80, smaller than ABI 1.0's 88");
    guard_page_free(old);
}
END_TEST

static athlete_status q_values(void *context, const float *observation, double *q, athlete_error *err)
{
    (void)context, (void)observation, (void)err;
    q[0] = 0;
    q[1] = 1;
    return ATHLETE_OK;
}

START_TEST(discrete_policy_options)
{
    athlete_discrete_policy_options o = {
        .struct_size = SIZE_1_0(athlete_discrete_policy_options, epsilon_decay_steps),
        .q_values = q_values,
        .action_count = 2,
        .start_epsilon = 1,
        .end_epsilon = 0.1,
        .epsilon_decay_steps = 10};
    athlete_discrete_policy_options *old = guard_page_copy(&o, o.struct_size);
    athlete_policy policy;
    athlete_error err;
    ck_assert_ok(athlete_epsilon_greedy_policy_create(old, &policy, &err), &err);
    policy.ops->destroy(policy.self);
    ck_assert_ok(athlete_greedy_policy_create(old, &policy, &err), &err);
    float obs[1] = {0}, action[1];
    athlete_info info;
    athlete_clock clock = {0};
    athlete_info_clear(&info);
    ck_assert_ok(policy.ops->act(policy.self, obs, &clock, action, &info, &err), &err);
    ck_assert_float_eq(action[0], 1);
    policy.ops->destroy(policy.self);
    old->struct_size = 8;
    ck_assert_fails(athlete_greedy_policy_create(old, &policy, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "discrete policy: options.struct_size is 8, smaller than ABI 1.0's 88");
    guard_page_free(old);
}
END_TEST

static athlete_status one_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    (void)context, (void)rng, (void)err;
    *loss = 1;
    return ATHLETE_OK;
}

START_TEST(gradient_update_options)
{
    athlete_parts parts;
    memset(&parts, 0, sizeof parts);
    parts.struct_size = sizeof parts;
    athlete_gradient_update_options o = {.struct_size = SIZE_1_0(athlete_gradient_update_options, stream),
                                         .name = "critic",
                                         .log_key = "critic_loss",
                                         .step = one_step,
                                         .frequency = 1,
                                         .number_of_updates = 1};
    athlete_gradient_update_options *old = guard_page_copy(&o, o.struct_size);
    athlete_error err;
    ck_assert_ok(athlete_gradient_update_add(&parts, old, &err), &err);
    ck_assert_uint_eq(parts.updatable_count, 1);
    old->struct_size = offsetof(athlete_gradient_update_options, seed);
    ck_assert_fails(athlete_gradient_update_add(&parts, old, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "gradient update: needs struct_size >= 96 (ABI 1.0's size), got 80");
    ck_assert_uint_eq(parts.updatable_count, 1);
    athlete_parts_destroy(&parts);
    guard_page_free(old);
}
END_TEST

START_TEST(actor_policy_options)
{
    athlete_actor_policy_options o = {.struct_size = offsetof(athlete_actor_policy_options, stream)};
    athlete_policy policy;
    athlete_parts parts;
    athlete_error err;
    ck_assert_fails(athlete_actor_policy_create(&o, &policy, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "actor policy: options.struct_size is 72, smaller than ABI 1.0's 80");
    ck_assert_fails(athlete_actor_policies_create(&o, &parts, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "actor policies: options.struct_size is 72, smaller than ABI 1.0's 80");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("struct-size");
    TCase *tc = tcase_create("struct-size");
    tcase_add_test(tc, noise_options);
    tcase_add_test(tc, discrete_policy_options);
    tcase_add_test(tc, gradient_update_options);
    tcase_add_test(tc, actor_policy_options);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Target-network updates: hard copy, Polyak averaging, the tau rule for networks. */
#include <athlete/mlp.h>
#include <athlete/rng.h>
#include <athlete/target.h>

#include <math.h>

#include "test-util.h"

START_TEST(hard_copy)
{
    float src[5] = {1, 2, 3, 4, 5}, dst[5] = {0};
    athlete_target_hard_copy(dst, src, 5);
    ck_assert_mem_eq(dst, src, sizeof src);
    athlete_target_hard_copy(dst, dst, 5); /* same array: no-op */
    ck_assert_mem_eq(dst, src, sizeof src);
}
END_TEST

START_TEST(polyak_average)
{
    /* 37 elements: vector blocks and a scalar tail, each element exactly the float formula */
    enum { N = 37 };
    float s[N], t[N], want[N];
    athlete_rng rng;
    athlete_rng_seed(&rng, 2, 0);
    for (int i = 0; i < N; i++) {
        s[i] = (float)athlete_rng_uniform_range(&rng, -1, 1);
        t[i] = (float)athlete_rng_uniform_range(&rng, -1, 1);
    }
    const double tau = 0.005;
    for (int i = 0; i < N; i++)
        want[i] = (float)tau * s[i] + (float)(1.0 - tau) * t[i];
    float before[N];
    memcpy(before, t, sizeof t);
    athlete_target_polyak(t, s, N, tau);
    for (int i = 0; i < N; i++) {
        ck_assert(t[i] == want[i]);
        ck_assert_double_eq_tol(t[i], tau * s[i] + (1 - tau) * before[i], 1e-7);
    }
    /* tau 0.5 is the mean; repeated updates converge to the source */
    float a[2] = {0, 10}, b[2] = {4, 2};
    athlete_target_polyak(a, b, 2, 0.5);
    ck_assert_float_eq(a[0], 2.0f);
    ck_assert_float_eq(a[1], 6.0f);
    for (int k = 0; k < 200; k++)
        athlete_target_polyak(a, b, 2, 0.1);
    ck_assert_float_eq_tol(a[0], 4.0f, 1e-5f);
    ck_assert_float_eq_tol(a[1], 2.0f, 1e-5f);
}
END_TEST

START_TEST(update_mlp_follows_tau_rule)
{
    const size_t w[] = {3, 16, 2}, v[] = {3, 8, 2};
    athlete_error err;
    athlete_mlp *online, *target, *other;
    ck_assert_ok(athlete_mlp_create(w, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &online, &err), &err);
    ck_assert_ok(athlete_mlp_create(w, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &target, &err), &err);
    ck_assert_ok(athlete_mlp_create(v, 3, ATHLETE_ACTIVATION_RELU, ATHLETE_ACTIVATION_IDENTITY, &other, &err), &err);
    athlete_rng rng;
    athlete_rng_seed(&rng, 6, 0);
    athlete_mlp_init_default(online, &rng);
    athlete_mlp_init_default(target, &rng);
    size_t n = athlete_mlp_param_count(online);
    float *p = athlete_mlp_params(online), *q = athlete_mlp_params(target);
    float *want = malloc(n * sizeof *want);
    for (size_t i = 0; i < n; i++)
        want[i] = 0.25f * p[i] + 0.75f * q[i];
    ck_assert_ok(athlete_target_update_mlp(target, online, 0.25, &err), &err);
    ck_assert_mem_eq(q, want, n * sizeof *want);
    ck_assert_ok(athlete_target_update_mlp(target, online, 1.0, &err), &err); /* tau None / 1 */
    ck_assert_mem_eq(q, p, n * sizeof *p);
    ck_assert_fails(athlete_target_update_mlp(target, online, 0.0, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "tau is 0 (expected 0 < tau <= 1)");
    ck_assert_fails(athlete_target_update_mlp(target, online, 1.5, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "tau is 1.5");
    ck_assert_fails(athlete_target_update_mlp(target, online, NAN, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "tau is nan");
    ck_assert_fails(athlete_target_update_mlp(other, online, 0.5, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "differ in shape");
    free(want);
    athlete_mlp_destroy(online);
    athlete_mlp_destroy(target);
    athlete_mlp_destroy(other);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("target");
    TCase *tc = tcase_create("target");
    tcase_add_test(tc, hard_copy);
    tcase_add_test(tc, polyak_average);
    tcase_add_test(tc, update_mlp_follows_tau_rule);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* The explicit RNG: determinism, independence of streams, distributions. */
#include <athlete/rng.h>

#include <math.h>

#include "test-util.h"

START_TEST(same_seed_same_sequence)
{
    athlete_rng a, b, c;
    athlete_rng_seed(&a, 42, 0);
    athlete_rng_seed(&b, 42, 0);
    athlete_rng_seed(&c, 42, 1);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = athlete_rng_next_u64(&a);
        ck_assert_uint_eq(x, athlete_rng_next_u64(&b));
        differ += x != athlete_rng_next_u64(&c);
    }
    ck_assert_int_gt(differ, 990);
    /* Seed 0 is a real seed, distinct from seed 1. */
    athlete_rng z, o;
    athlete_rng_seed(&z, 0, 0);
    athlete_rng_seed(&o, 1, 0);
    ck_assert_uint_ne(athlete_rng_next_u64(&z), athlete_rng_next_u64(&o));
}
END_TEST

START_TEST(uniform_and_below)
{
    athlete_rng r;
    athlete_rng_seed(&r, 7, 3);
    double sum = 0;
    int counts[5] = {0};
    for (int i = 0; i < 100000; i++) {
        double u = athlete_rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        float f = athlete_rng_uniform_float(&r);
        ck_assert(f >= 0.0f && f < 1.0f);
        sum += u;
        counts[athlete_rng_below(&r, 5)]++;
    }
    ck_assert_double_eq_tol(sum / 100000, 0.5, 0.01);
    for (int k = 0; k < 5; k++)
        ck_assert_int_gt(counts[k], 19000);
}
END_TEST

START_TEST(normal_moments)
{
    athlete_rng r;
    athlete_rng_seed(&r, 11, 0);
    double sum = 0, sq = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double x = athlete_rng_normal(&r);
        sum += x;
        sq += x * x;
    }
    ck_assert_double_eq_tol(sum / n, 0.0, 0.01);
    ck_assert_double_eq_tol(sq / n, 1.0, 0.02);
}
END_TEST

START_TEST(sampling_without_replacement)
{
    athlete_rng r;
    athlete_rng_seed(&r, 5, 0);
    enum { N = 50, K = 20 };
    size_t pool[N], out[K];
    for (size_t i = 0; i < N; i++)
        pool[i] = i;
    int hits[N] = {0};
    for (int trial = 0; trial < 5000; trial++) {
        athlete_rng_sample_without_replacement(&r, N, K, out, pool);
        bool seen[N] = {false};
        for (size_t i = 0; i < K; i++) {
            ck_assert_uint_lt(out[i], N);
            ck_assert(!seen[out[i]]);
            seen[out[i]] = true;
            hits[out[i]]++;
        }
        for (size_t i = 0; i < N; i++) /* the pool is the identity again */
            ck_assert_uint_eq(pool[i], i);
    }
    for (size_t i = 0; i < N; i++) /* each index picked with probability K/N = 0.4 */
        ck_assert_int_gt(hits[i], 1800);
    size_t perm[N];
    athlete_rng_permutation(&r, perm, N);
    bool seen[N] = {false};
    for (size_t i = 0; i < N; i++) {
        ck_assert(!seen[perm[i]]);
        seen[perm[i]] = true;
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, same_seed_same_sequence);
    tcase_add_test(tc, uniform_and_below);
    tcase_add_test(tc, normal_moments);
    tcase_add_test(tc, sampling_without_replacement);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

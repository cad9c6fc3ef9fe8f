/* The running observation normaliser: batch merges equal the statistics of all rows at
 * once (the parallel-variance formula, from SB3's initial count 1e-4), clipping, records
 * round trip, a corrupt record is refused and leaves the initial statistics. */
#include <athlete/normalizer.h>

#include <math.h>

#include "test-util.h"

START_TEST(batches_merge_to_the_whole)
{
    athlete_error err;
    athlete_normalizer *n;
    ck_assert_ok(athlete_normalizer_create(2, 10.0, &n, &err), &err);
    const float rows[] = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50};
    athlete_normalizer_update(n, rows, 2);
    athlete_normalizer_update(n, rows + 4, 3);
    /* With a prior of mean 0, var 1 at count 1e-4: total count 5 + 1e-4. */
    double c0 = 1e-4, total = 5 + c0;
    double mean0 = 3.0 * 5 / total; /* the prior pulls the mean toward 0 by c0/total */
    ck_assert_double_eq_tol(athlete_normalizer_mean(n)[0], mean0, 1e-9);
    ck_assert_double_eq_tol(athlete_normalizer_mean(n)[1], 10 * mean0, 1e-8);
    /* population variance of 1..5 is 2, merged with the prior's (c0 * (1 + mean^2 shifts)) */
    double m2 = 0;
    for (int i = 1; i <= 5; i++)
        m2 += (i - mean0) * (i - mean0);
    double var0 = (c0 * 1.0 + c0 * mean0 * mean0 + m2) / total;
    ck_assert_double_eq_tol(athlete_normalizer_var(n)[0], var0, 1e-7);
    ck_assert_double_eq_tol(athlete_normalizer_count(n), total, 1e-12);
    float out[2];
    const float x[2] = {3, 1000};
    athlete_normalizer_apply(n, x, out, 1);
    ck_assert_float_eq_tol(out[0], (float)((3 - mean0) / sqrt(var0 + 1e-8)), 1e-5f);
    ck_assert_float_eq(out[1], 10.0f); /* clipped */
    athlete_normalizer_destroy(n);
}
END_TEST

START_TEST(records_round_trip_and_bad_ones_are_refused)
{
    athlete_error err;
    athlete_normalizer *a, *b;
    ck_assert_ok(athlete_normalizer_create(3, 5.0, &a, &err), &err);
    ck_assert_ok(athlete_normalizer_create(3, 5.0, &b, &err), &err);
    const float rows[] = {1, 2, 3, 4, 5, 6};
    athlete_normalizer_update(a, rows, 2);
    athlete_writer *w;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    ck_assert_ok(athlete_normalizer_save(a, "obs", w, &err), &err);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    ck_assert_ok(athlete_normalizer_load(b, "obs", r, &err), &err);
    for (int j = 0; j < 3; j++) {
        ck_assert(athlete_normalizer_mean(a)[j] == athlete_normalizer_mean(b)[j]);
        ck_assert(athlete_normalizer_var(a)[j] == athlete_normalizer_var(b)[j]);
    }
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    /* A negative variance is refused and the statistics start over. */
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    const double mean[3] = {0, 0, 0}, var[3] = {1, -1, 1}, count = 3;
    ck_assert_ok(athlete_writer_put(w, "obs.mean", ATHLETE_RECORD_F64, mean, 3, &err), &err);
    ck_assert_ok(athlete_writer_put(w, "obs.var", ATHLETE_RECORD_F64, var, 3, &err), &err);
    ck_assert_ok(athlete_writer_put(w, "obs.count", ATHLETE_RECORD_F64, &count, 1, &err), &err);
    data = athlete_writer_data(w, &size);
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    ck_assert_fails(athlete_normalizer_load(b, "obs", r, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "normalizer: dimension 1 has mean 0 and variance -1");
    ck_assert(athlete_normalizer_var(b)[1] == 1.0 && athlete_normalizer_count(b) == 1e-4);
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    ck_assert_fails(athlete_normalizer_create(0, 5.0, &b, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "normalizer: needs size >= 1 and clip > 0 (got 0, 5)");
    athlete_normalizer_destroy(a);
    athlete_normalizer_destroy(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("normalizer");
    TCase *tc = tcase_create("normalizer");
    tcase_add_test(tc, batches_merge_to_the_whole);
    tcase_add_test(tc, records_round_trip_and_bad_ones_are_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

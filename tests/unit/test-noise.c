/* Noise processes: names, option checks, statistics (Gaussian moments; OU's stationary
 * variance, autocorrelation and reset; coloured noise's unit variance, spectrum ordering,
 * regeneration after a reset or a horizon), the plain DFT's exact spectrum,
 * set_std, save/load continuing bit-identically, and no allocation per sample. */
#include <athlete/alloc.h>
#include <athlete/config.h>
#include <athlete/noise.h>

#include <math.h>
#include <stdio.h>

#include "alloc-count.h"
#include "test-util.h"

static athlete_noise *make(athlete_noise_kind kind, size_t size, double std, size_t horizon, double beta)
{
    athlete_noise_options o = {.struct_size = sizeof o, .kind = kind, .size = size, .noise_std = std,
                               .theta = 0.15, .dt = 0.01, .mu = 0.0, .horizon = horizon, .beta = beta,
                               .seed = 42, .stream = 3};
    athlete_noise *n = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(&o, &n, &err), &err);
    return n;
}

/* mean, variance and lag-1 autocorrelation of element j over `count` samples */
typedef struct moments {
    double mean, var, lag1;
} moments;

static moments measure(athlete_noise *n, size_t j, size_t count, size_t reset_every)
{
    size_t size = athlete_noise_size(n);
    float *x = calloc(size, sizeof *x);
    double s = 0, ss = 0, cross = 0, prev = 0;
    size_t pairs = 0;
    for (size_t t = 0; t < count; t++) {
        if (reset_every && t % reset_every == 0)
            athlete_noise_reset(n);
        athlete_noise_sample(n, x);
        s += x[j];
        ss += (double)x[j] * x[j];
        if (t && !(reset_every && t % reset_every == 0)) {
            cross += prev * x[j];
            pairs++;
        }
        prev = x[j];
    }
    free(x);
    moments m;
    m.mean = s / count;
    m.var = ss / count - m.mean * m.mean;
    m.lag1 = (cross / pairs - m.mean * m.mean) / m.var;
    return m;
}

START_TEST(names_and_option_checks)
{
    athlete_noise_kind k;
    athlete_error err;
    ck_assert_ok(athlete_noise_kind_parse("ornstein_uhlenbeck", &k, &err), &err);
    ck_assert_int_eq(k, ATHLETE_NOISE_ORNSTEIN_UHLENBECK);
    ck_assert_str_eq(athlete_noise_kind_name(ATHLETE_NOISE_COLORED), "colored");
    ck_assert_ptr_null(athlete_noise_kind_name((athlete_noise_kind)0));
    ck_assert_fails(athlete_noise_kind_parse("GaussianNoise", &k, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "unknown noise process 'GaussianNoise' (expected \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\")");
    athlete_noise_options o = {.struct_size = sizeof o, .kind = ATHLETE_NOISE_COLORED, .size = 1, .noise_std = 1,
                               .horizon = 1, .beta = 1};
    athlete_noise *n = NULL;
    ck_assert_fails(athlete_noise_create(&o, &n, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "colored noise: 'horizon' must be in [2, 10000] (the sequence is made by a plain DFT), got 1");
    o.horizon = 10001;
    ck_assert_fails(athlete_noise_create(&o, &n, &err), &err, ATHLETE_E_CONFIG_VALUE, "got 10001");
    o.kind = ATHLETE_NOISE_ORNSTEIN_UHLENBECK;
    o.dt = 0;
    ck_assert_fails(athlete_noise_create(&o, &n, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "ornstein_uhlenbeck noise: 'dt' must be > 0, got 0");
    o.kind = ATHLETE_NOISE_GAUSSIAN;
    o.noise_std = -0.5;
    ck_assert_fails(athlete_noise_create(&o, &n, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "gaussian noise: 'noise_std' must be >= 0, got -0.5");
    o.noise_std = 0.1;
    o.size = 0;
    ck_assert_fails(athlete_noise_create(&o, &n, &err), &err, ATHLETE_E_INVALID_ARGUMENT, "size must be >= 1");
    ck_assert_ptr_null(n);
    athlete_noise_destroy(NULL);
}
END_TEST

START_TEST(gaussian_moments)
{
    athlete_noise *n = make(ATHLETE_NOISE_GAUSSIAN, 2, 0.1, 0, 0);
    for (size_t j = 0; j < 2; j++) {
        moments m = measure(n, j, 200000, 1000); /* resets change nothing */
        ck_assert_double_lt(fabs(m.mean), 0.002);
        ck_assert_double_lt(fabs(sqrt(m.var) - 0.1), 0.002);
        ck_assert_double_lt(fabs(m.lag1), 0.01);
    }
    athlete_noise_set_std(n, 0.5);
    ck_assert_double_eq(athlete_noise_std(n), 0.5);
    athlete_noise_set_std(n, -1); /* ignored */
    athlete_noise_set_std(n, NAN);
    ck_assert_double_eq(athlete_noise_std(n), 0.5);
    moments m = measure(n, 0, 100000, 0);
    ck_assert_double_lt(fabs(sqrt(m.var) - 0.5), 0.01);
    athlete_noise_destroy(n);
}
END_TEST

START_TEST(ornstein_uhlenbeck_statistics_and_reset)
{
    /* x' = x + theta (mu - x) dt + sigma sqrt(dt) N: an AR(1) with coefficient 1 - theta dt and
     * stationary variance sigma^2 dt / (1 - (1 - theta dt)^2) around mu */
    athlete_noise_options o = {.struct_size = sizeof o, .kind = ATHLETE_NOISE_ORNSTEIN_UHLENBECK, .size = 1,
                               .noise_std = 0.3, .theta = 5.0, .dt = 0.1, .mu = 0.25, .seed = 7, .stream = 1};
    athlete_noise *n = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(&o, &n, &err), &err);
    float x;
    for (int t = 0; t < 50; t++) /* burn in */
        athlete_noise_sample(n, &x);
    moments m = measure(n, 0, 400000, 0);
    double phi = 1 - 5.0 * 0.1, var = 0.09 * 0.1 / (1 - phi * phi);
    ck_assert_msg(fabs(m.mean - 0.25) < 0.005, "mean %g", m.mean);
    ck_assert_msg(fabs(m.var / var - 1) < 0.03, "variance %g, expected %g", m.var, var);
    ck_assert_msg(fabs(m.lag1 - phi) < 0.01, "lag-1 autocorrelation %g, expected %g", m.lag1, phi);
    /* reset: x = 0, so the next sample is theta mu dt + sigma sqrt(dt) N(0, 1) */
    double s = 0, ss = 0;
    const int k = 20000;
    for (int t = 0; t < k; t++) {
        athlete_noise_reset(n);
        athlete_noise_sample(n, &x);
        s += x;
        ss += (double)x * x;
    }
    double mean = s / k, sd = sqrt(ss / k - mean * mean);
    ck_assert_msg(fabs(mean - 0.125) < 0.003 && fabs(sd - 0.3 * sqrt(0.1)) < 0.003, "after reset: mean %g sd %g", mean,
                  sd);
    athlete_noise_destroy(n);
    /* the defaults of the original (theta 0.15, dt 0.01): strongly correlated steps */
    n = make(ATHLETE_NOISE_ORNSTEIN_UHLENBECK, 1, 0.2, 0, 0);
    m = measure(n, 0, 20000, 0);
    ck_assert_double_gt(m.lag1, 0.99);
    athlete_noise_destroy(n);
}
END_TEST

/* The plain inverse DFT: a generated sequence x_t = norm sum_k A_k cos(2 pi k t / n + phi_k)
 * has, whatever the random phases, DFT magnitudes |X_k| = (n / 2) norm A_k for 0 < k < n/2,
 * with A_k = (k / n)^(-beta / 2) and norm = sqrt(2 / sum A_k^2), and X_0 = 0. Checked with a
 * direct float64 DFT of the emitted samples. */
START_TEST(colored_sequence_has_the_power_law_spectrum)
{
    const size_t n = 50;
    const double betas[3] = {0.0, 1.0, 2.3};
    for (int b = 0; b < 3; b++) {
        athlete_noise *noise = make(ATHLETE_NOISE_COLORED, 1, 1.0, n, betas[b]);
        double power = 0;
        for (size_t k = 1; k <= n / 2; k++)
            power += pow((double)k / n, -betas[b]);
        double norm = sqrt(2 / power);
        for (int seq = 0; seq < 3; seq++) {
            float x[50];
            for (size_t t = 0; t < n; t++)
                athlete_noise_sample(noise, &x[t]);
            for (size_t k = 0; k < n / 2; k++) {
                double re = 0, im = 0;
                for (size_t t = 0; t < n; t++) {
                    re += x[t] * cos(2 * M_PI * (double)(k * t) / n);
                    im -= x[t] * sin(2 * M_PI * (double)(k * t) / n);
                }
                double mag = sqrt(re * re + im * im);
                double want = k == 0 ? 0.0 : n / 2.0 * norm * pow((double)k / n, -betas[b] / 2);
                ck_assert_msg(fabs(mag - want) < 1e-4 * (1 + want), "beta %g, sequence %d: |X_%zu| = %g, expected %g",
                              betas[b], seq, k, mag, want);
            }
        }
        athlete_noise_destroy(noise);
    }
}
END_TEST

/* Statistics over many sequences: unit variance in expectation (times noise_std), zero
 * mean, and autocorrelation growing with beta (white 0, pink, red). */
START_TEST(colored_statistics)
{
    const double betas[3] = {0.0, 1.0, 2.0};
    double lag1[3];
    for (int b = 0; b < 3; b++) {
        athlete_noise *n = make(ATHLETE_NOISE_COLORED, 2, 0.5, 64, betas[b]);
        for (size_t j = 0; j < 2; j++) {
            moments m = measure(n, j, 64 * 4000, 0); /* 4000 sequences */
            ck_assert_msg(fabs(m.mean) < (b == 2 ? 0.03 : 0.01), "beta %g: mean %g", betas[b], m.mean);
            ck_assert_msg(fabs(m.var / 0.25 - 1) < 0.05, "beta %g: variance %g, expected 0.25", betas[b], m.var);
            if (j == 0)
                lag1[b] = m.lag1;
        }
        athlete_noise_destroy(n);
    }
    /* white: every frequency but f = 0 equally strong; without the mean, lag 1 correlates
     * by -1/(n/2) (the Nyquist term), -0.031 for n = 64 */
    ck_assert_msg(fabs(lag1[0] + 1.0 / 32) < 0.01, "white noise lag-1 autocorrelation %g", lag1[0]);
    ck_assert_msg(lag1[1] > 0.2 && lag1[2] > lag1[1] + 0.2, "lag-1 autocorrelations %g %g %g", lag1[0], lag1[1],
                  lag1[2]);
    /* an odd horizon works too */
    athlete_noise *n = make(ATHLETE_NOISE_COLORED, 1, 1.0, 33, 1.0);
    moments m = measure(n, 0, 33 * 4000, 0);
    ck_assert_msg(fabs(m.var - 1) < 0.05, "odd horizon: variance %g", m.var);
    athlete_noise_destroy(n);
}
END_TEST

START_TEST(colored_sequences_restart_on_reset_and_after_the_horizon)
{
    /* beta 2 with horizon 8: a smooth sequence; two generators with the same seed agree
     * until one is reset, after which it emits a new sequence */
    athlete_noise *a = make(ATHLETE_NOISE_COLORED, 1, 1.0, 8, 2.0), *b = make(ATHLETE_NOISE_COLORED, 1, 1.0, 8, 2.0);
    float xa[8], xb[8];
    for (int t = 0; t < 3; t++) {
        athlete_noise_sample(a, &xa[t]);
        athlete_noise_sample(b, &xb[t]);
        ck_assert_float_eq(xa[t], xb[t]);
    }
    athlete_noise_reset(b);
    athlete_noise_sample(a, &xa[3]);
    athlete_noise_sample(b, &xb[3]);
    ck_assert_float_ne(xa[3], xb[3]);
    /* periodicity: the whole horizon is one cosine sum, so sample 8 starts a fresh sequence:
     * after a reset, 8 samples, then a's 9th differs from a repeat of the first */
    athlete_noise_reset(a);
    float first[8], next;
    for (int t = 0; t < 8; t++)
        athlete_noise_sample(a, &first[t]);
    athlete_noise_sample(a, &next);
    ck_assert_float_ne(next, first[0]);
    /* a horizon-8 sequence of one element sums to 0 (no f = 0 component) */
    double sum = 0;
    for (int t = 0; t < 8; t++)
        sum += first[t];
    ck_assert_double_lt(fabs(sum), 1e-5);
    athlete_noise_destroy(a);
    athlete_noise_destroy(b);
}
END_TEST

static void check_save_load(athlete_noise_kind kind)
{
    athlete_noise *n = make(kind, 3, 0.4, 16, 1.0), *m = make(kind, 3, 0.1, 16, 1.0);
    float x[3], y[3];
    for (int t = 0; t < 21; t++)
        athlete_noise_sample(n, x);
    athlete_noise_set_std(n, 0.7);
    athlete_error err;
    athlete_writer *w = NULL;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    ck_assert_ok(athlete_noise_save(n, w, "noise", &err), &err);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r = NULL;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    ck_assert_ok(athlete_noise_load(m, r, "noise", &err), &err);
    ck_assert_uint_eq(athlete_reader_unread_count(r, NULL), 0);
    ck_assert_double_eq(athlete_noise_std(m), 0.7);
    for (int t = 0; t < 40; t++) {
        if (t == 25) {
            athlete_noise_reset(n);
            athlete_noise_reset(m);
        }
        athlete_noise_sample(n, x);
        athlete_noise_sample(m, y);
        ck_assert_mem_eq(x, y, sizeof x);
    }
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    athlete_noise_destroy(n);
    athlete_noise_destroy(m);
}

START_TEST(save_and_load_continue_identically)
{
    check_save_load(ATHLETE_NOISE_GAUSSIAN);
    check_save_load(ATHLETE_NOISE_ORNSTEIN_UHLENBECK);
    check_save_load(ATHLETE_NOISE_COLORED);
}
END_TEST

START_TEST(sampling_allocates_nothing)
{
    count_allocations_begin();
    athlete_noise *n[3] = {make(ATHLETE_NOISE_GAUSSIAN, 2, 0.1, 0, 0), make(ATHLETE_NOISE_ORNSTEIN_UHLENBECK, 2, 0.1, 0, 0),
                           make(ATHLETE_NOISE_COLORED, 2, 0.1, 50, 1.0)};
    float x[2];
    size_t before = allocation_count;
    for (int t = 0; t < 500; t++)
        for (int k = 0; k < 3; k++) {
            if (t % 70 == 0)
                athlete_noise_reset(n[k]);
            athlete_noise_sample(n[k], x);
        }
    ck_assert_uint_eq(allocation_count, before);
    for (int k = 0; k < 3; k++)
        athlete_noise_destroy(n[k]);
    count_allocations_end();
}
END_TEST

/* athlete_noise_options_read: the algorithm's keys, checked with their names. */
START_TEST(options_read_from_configuration)
{
    static const char defaults[] =
        "{\"noise_process_class\": \"gaussian\", \"noise_process_arguments\": {\"noise_std\": 0.1, \"theta\": 0.15,"
        " \"dt\": 0.01, \"mu\": 0.0, \"horizon\": 1000, \"beta\": 1.0}}";
    static const struct {
        const char *overrides;
        athlete_status status;
        const char *message;
    } bad[] = {
        {"{\"noise_process_class\": \"pink\"}", ATHLETE_E_CONFIG_VALUE,
         "ddpg config: 'noise_process_class' must be \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\", got \"pink\""},
        {"{\"noise_process_arguments\": {\"noise_std\": -0.1}}", ATHLETE_E_CONFIG_VALUE,
         "ddpg config: 'noise_process_arguments.noise_std' must be a finite number >= 0, got -0.1"},
        {"{\"noise_process_class\": \"ornstein_uhlenbeck\", \"noise_process_arguments\": {\"dt\": 0}}",
         ATHLETE_E_CONFIG_VALUE, "ddpg config: 'noise_process_arguments.dt' must be a finite number > 0, got 0"},
        {"{\"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 1}}",
         ATHLETE_E_CONFIG_VALUE, "ddpg config: 'noise_process_arguments.horizon' must be in [2, 10000], got 1"},
    };
    athlete_error err;
    athlete_config *c;
    ck_assert_ok(athlete_config_create("ddpg", defaults, NULL,
                                       "{\"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 64, \"beta\": 2}}",
                                       &c, &err),
                 &err);
    athlete_noise_options o;
    ck_assert_ok(athlete_noise_options_read(c, "noise_process_class", "noise_process_arguments", &o, &err), &err);
    ck_assert_uint_eq(o.struct_size, sizeof o);
    ck_assert_int_eq(o.kind, ATHLETE_NOISE_COLORED);
    ck_assert_double_eq(o.noise_std, 0.1);
    ck_assert_uint_eq(o.horizon, 64);
    ck_assert_double_eq(o.beta, 2.0);
    athlete_config_destroy(c);
    /* the options read (plus size, seed, stream) make a process */
    ck_assert_ok(athlete_config_create("ddpg", defaults, NULL, "{\"noise_process_class\": \"ornstein_uhlenbeck\"}",
                                       &c, &err),
                 &err);
    ck_assert_ok(athlete_noise_options_read(c, "noise_process_class", "noise_process_arguments", &o, &err), &err);
    ck_assert_int_eq(o.kind, ATHLETE_NOISE_ORNSTEIN_UHLENBECK);
    ck_assert_double_eq(o.theta, 0.15);
    ck_assert_double_eq(o.dt, 0.01);
    o.size = 2;
    o.seed = 1;
    o.stream = 3;
    athlete_noise *n;
    ck_assert_ok(athlete_noise_create(&o, &n, &err), &err);
    athlete_noise_destroy(n);
    athlete_config_destroy(c);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_ok(athlete_config_create("ddpg", defaults, NULL, bad[i].overrides, &c, &err), &err);
        ck_assert_fails(athlete_noise_options_read(c, "noise_process_class", "noise_process_arguments", &o, &err),
                        &err, bad[i].status, bad[i].message);
        athlete_config_destroy(c);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("noise");
    TCase *tc = tcase_create("noise");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, names_and_option_checks);
    tcase_add_test(tc, gaussian_moments);
    tcase_add_test(tc, ornstein_uhlenbeck_statistics_and_reset);
    tcase_add_test(tc, colored_sequence_has_the_power_law_spectrum);
    tcase_add_test(tc, colored_statistics);
    tcase_add_test(tc, colored_sequences_restart_on_reset_and_after_the_horizon);
    tcase_add_test(tc, save_and_load_continue_identically);
    tcase_add_test(tc, sampling_allocates_nothing);
    tcase_add_test(tc, options_read_from_configuration);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

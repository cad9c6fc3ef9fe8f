/* State-dependent exploration (gSDE): option checks, the noise and the log-density
 * against the direct formulas (full and shared scales), the resampling rule, the
 * gradient of log_std against central finite differences, save/load continuing
 * bit-identically, hostile records refused, same seed same draws, no allocation per act. */
#include <athlete/alloc.h>
#include <athlete/gsde.h>

#include <math.h>
#include <stdio.h>

#include "alloc-count.h"
#include "test-util.h"

#define LATENT 5
#define ACTIONS 3
#define ROWS 4

static athlete_gsde *make(bool full_std, int64_t sample_freq, uint64_t seed)
{
    athlete_gsde_options o = {.struct_size = sizeof o,
                              .latent_size = LATENT,
                              .action_size = ACTIONS,
                              .full_std = full_std,
                              .log_std_init = -0.5,
                              .sample_freq = sample_freq,
                              .seed = seed,
                              .stream = 8};
    athlete_gsde *g = NULL;
    athlete_error err;
    ck_assert_ok(athlete_gsde_create(&o, &g, &err), &err);
    /* distinct scales, so a wrong index shows */
    float *log_std = athlete_gsde_log_std(g);
    for (size_t k = 0; k < athlete_gsde_param_count(g); k++)
        log_std[k] = (float)(-0.6 + 0.13 * (double)k - 0.02 * (double)(k * k % 7));
    return g;
}

static void fill(float *x, size_t n, double a, double b)
{
    for (size_t k = 0; k < n; k++)
        x[k] = (float)(a * sin(b * (double)k + 0.4) + 0.1);
}

static double sigma_of(const athlete_gsde *g, size_t j, size_t i)
{
    bool full = athlete_gsde_param_count(g) == LATENT * ACTIONS;
    return exp((double)athlete_gsde_log_std(g)[full ? j * ACTIONS + i : j]);
}

/* log N(deviation; 0, v) summed over the action elements, v_i = sum_j z_j^2 sigma_ji^2 + 1e-6 */
static double direct_log_prob(const athlete_gsde *g, const float *z, const float *deviation)
{
    double lp = 0;
    for (size_t i = 0; i < ACTIONS; i++) {
        double v = 1e-6;
        for (size_t j = 0; j < LATENT; j++)
            v += (double)z[j] * z[j] * sigma_of(g, j, i) * sigma_of(g, j, i);
        lp += -(double)deviation[i] * deviation[i] / (2 * v) - 0.5 * log(2 * M_PI * v);
    }
    return lp;
}

START_TEST(option_checks)
{
    athlete_gsde_options o = {.struct_size = sizeof o, .latent_size = 0, .action_size = 2, .sample_freq = -1};
    athlete_gsde *g = NULL;
    athlete_error err;
    ck_assert_fails(athlete_gsde_create(&o, &g, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "gsde create: latent size 0 and action size 2 must be >= 1 with a product <= 2^24");
    o.latent_size = 4;
    o.sample_freq = 0;
    ck_assert_fails(athlete_gsde_create(&o, &g, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "gsde create: sample_freq must be -1 or >= 1, got 0");
    o.sample_freq = 1;
    o.log_std_init = 51;
    ck_assert_fails(athlete_gsde_create(&o, &g, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "gsde create: log_std_init 51 is not in [-50, 50]");
    o.log_std_init = NAN;
    ck_assert_fails(athlete_gsde_create(&o, &g, &err), &err, ATHLETE_E_INVALID_ARGUMENT, "log_std_init nan");
    o.struct_size = 8;
    ck_assert_fails(athlete_gsde_create(&o, &g, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "gsde create: NULL argument or short options");
    ck_assert_ptr_null(g);
}
END_TEST

/* _i: 0 full scales, 1 one per latent feature */
START_TEST(noise_and_log_prob_match_the_formulas)
{
    athlete_gsde *g = make(_i == 0, -1, 1);
    ck_assert_uint_eq(athlete_gsde_param_count(g), _i == 0 ? LATENT * ACTIONS : LATENT);
    float z[ROWS * LATENT], draws[LATENT * ACTIONS], noise[ROWS * ACTIONS], lp[ROWS], lp2[ROWS];
    fill(z, ROWS * LATENT, 1.3, 0.7);
    z[2] = 0; /* a zero feature is fine */
    athlete_rng rng;
    athlete_rng_seed(&rng, 3, 0);
    athlete_gsde_draw(g, &rng, draws);
    athlete_gsde_forward(g, z, draws, ROWS, noise, lp);
    athlete_gsde_log_prob(g, z, noise, ROWS, lp2);
    for (size_t r = 0; r < ROWS; r++) {
        for (size_t i = 0; i < ACTIONS; i++) {
            double n = 0;
            for (size_t j = 0; j < LATENT; j++)
                n += (double)z[r * LATENT + j] * sigma_of(g, j, i) * draws[j * ACTIONS + i];
            ck_assert_double_eq_tol(noise[r * ACTIONS + i], n, 1e-6 * (1 + fabs(n)));
        }
        double expected = direct_log_prob(g, z + r * LATENT, noise + r * ACTIONS);
        ck_assert_double_eq_tol(lp[r], expected, 1e-5 * (1 + fabs(expected)));
        ck_assert_float_eq_tol(lp[r], lp2[r], 1e-5f * (1 + fabsf(lp[r]))); /* the noise rounded to float */
    }
    /* an all-zero latent row: no noise, the density of the 1e-6 floor */
    float zero[LATENT] = {0}, dev[ACTIONS] = {0};
    athlete_gsde_forward(g, zero, draws, 1, noise, lp);
    ck_assert_float_eq(noise[0], 0.0f);
    ck_assert_double_eq_tol(lp[0], ACTIONS * (-0.5 * log(2 * M_PI * 1e-6)), 1e-4);
    athlete_gsde_log_prob(g, zero, dev, 1, lp2);
    ck_assert_float_eq(lp[0], lp2[0]);
    athlete_gsde_destroy(g);
}
END_TEST

START_TEST(resampling_rule)
{
    float z[LATENT], noise[ACTIONS], before[LATENT * ACTIONS];
    fill(z, LATENT, 1.0, 1.1);
    /* every 3 acting steps a new matrix */
    athlete_gsde *g = make(true, 3, 2);
    for (int round = 0; round < 4; round++) {
        memcpy(before, athlete_gsde_acting_draws(g), sizeof before);
        for (int t = 0; t < 3; t++) {
            athlete_gsde_act(g, z, noise);
            ck_assert_mem_eq(athlete_gsde_acting_draws(g), before, sizeof before);
        }
        athlete_gsde_act(g, z, noise); /* the 4th step draws a new one */
        ck_assert(memcmp(athlete_gsde_acting_draws(g), before, sizeof before) != 0);
        athlete_gsde_resample(g); /* restarts the count */
    }
    athlete_gsde_destroy(g);
    /* -1: the same matrix until a resample is asked for; the noise is then the same too */
    g = make(true, -1, 2);
    float first[ACTIONS];
    athlete_gsde_act(g, z, first);
    memcpy(before, athlete_gsde_acting_draws(g), sizeof before);
    for (int t = 0; t < 1000; t++)
        athlete_gsde_act(g, z, noise);
    ck_assert_mem_eq(athlete_gsde_acting_draws(g), before, sizeof before);
    ck_assert_mem_eq(noise, first, sizeof noise);
    athlete_gsde_resample(g);
    ck_assert(memcmp(athlete_gsde_acting_draws(g), before, sizeof before) != 0);
    athlete_gsde_destroy(g);
}
END_TEST

/* L = sum_r [ sum_i c_ri noise_ri + w_r log_prob_r ] */
static double loss(athlete_gsde *g, const float *z, const float *draws, const float *c, const float *w)
{
    float noise[ROWS * ACTIONS], lp[ROWS];
    athlete_gsde_forward(g, z, draws, ROWS, noise, lp);
    double l = 0;
    for (size_t r = 0; r < ROWS; r++) {
        for (size_t i = 0; i < ACTIONS; i++)
            l += (double)c[r * ACTIONS + i] * noise[r * ACTIONS + i];
        l += (double)w[r] * lp[r];
    }
    return l;
}

START_TEST(gradient_matches_finite_differences)
{
    athlete_gsde *g = make(_i == 0, -1, 4);
    float z[ROWS * LATENT], draws[LATENT * ACTIONS], c[ROWS * ACTIONS], w[ROWS];
    fill(z, ROWS * LATENT, 0.9, 0.45);
    fill(draws, LATENT * ACTIONS, 1.2, 1.7);
    fill(c, ROWS * ACTIONS, 0.8, 2.3);
    fill(w, ROWS, 0.5, 0.9);
    athlete_gsde_zero_grad(g);
    athlete_gsde_backward(g, z, draws, ROWS, c, w);
    /* backward accumulates: a second call doubles the gradient */
    float once[LATENT * ACTIONS];
    size_t count = athlete_gsde_param_count(g);
    memcpy(once, athlete_gsde_grads(g), count * sizeof *once);
    athlete_gsde_backward(g, z, draws, ROWS, c, w);
    float *log_std = athlete_gsde_log_std(g);
    for (size_t k = 0; k < count; k++) {
        ck_assert_float_eq_tol(athlete_gsde_grads(g)[k], 2 * once[k], 1e-6f * (1 + fabsf(once[k])));
        float saved = log_std[k], up = saved + 1e-2f, down = saved - 1e-2f;
        log_std[k] = up;
        double l_up = loss(g, z, draws, c, w);
        log_std[k] = down;
        double l_down = loss(g, z, draws, c, w);
        log_std[k] = saved;
        double numeric = (l_up - l_down) / ((double)up - (double)down);
        ck_assert_msg(fabs(numeric - once[k]) <= 2e-3 * (1 + fabs(numeric)),
                      "log_std[%zu]: analytic %g, numeric %g", k, (double)once[k], numeric);
    }
    /* NULL d_noise and d_log_prob are zeros */
    athlete_gsde_zero_grad(g);
    athlete_gsde_backward(g, z, draws, ROWS, NULL, NULL);
    for (size_t k = 0; k < count; k++)
        ck_assert_float_eq(athlete_gsde_grads(g)[k], 0.0f);
    athlete_gsde_destroy(g);
}
END_TEST

static athlete_reader *saved(const athlete_gsde *g, athlete_writer **w)
{
    athlete_error err;
    ck_assert_ok(athlete_writer_create(w, &err), &err);
    ck_assert_ok(athlete_gsde_save(g, *w, "gsde", &err), &err);
    size_t size;
    const unsigned char *data = athlete_writer_data(*w, &size);
    athlete_reader *r = NULL;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    return r;
}

START_TEST(save_load_continues_bit_identically)
{
    float z[LATENT], a[ACTIONS], b[ACTIONS];
    fill(z, LATENT, 1.0, 0.3);
    athlete_gsde *g = make(true, 5, 7), *h = make(true, 5, 99); /* h: another stream and scales */
    for (int t = 0; t < 13; t++)
        athlete_gsde_act(g, z, a);
    athlete_writer *w;
    athlete_reader *r = saved(g, &w);
    athlete_error err;
    ck_assert_ok(athlete_gsde_load(h, r, "gsde", &err), &err);
    ck_assert_uint_eq(athlete_reader_unread_count(r, NULL), 0);
    ck_assert_mem_eq(athlete_gsde_log_std(h), athlete_gsde_log_std(g), LATENT * ACTIONS * sizeof(float));
    for (int t = 0; t < 40; t++) {
        if (t == 20) {
            athlete_gsde_resample(g);
            athlete_gsde_resample(h);
        }
        athlete_gsde_act(g, z, a);
        athlete_gsde_act(h, z, b);
        ck_assert_mem_eq(a, b, sizeof a);
    }
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    /* same seed, same draws: two fresh gSDEs act identically */
    athlete_gsde *p = make(false, -1, 11), *q = make(false, -1, 11);
    athlete_gsde_act(p, z, a);
    athlete_gsde_act(q, z, b);
    ck_assert_mem_eq(a, b, sizeof a);
    athlete_gsde_destroy(p);
    athlete_gsde_destroy(q);
    athlete_gsde_destroy(g);
    athlete_gsde_destroy(h);
}
END_TEST

/* A record edited by a stranger: every value is checked before anything changes. */
START_TEST(hostile_records_are_refused)
{
    static const char *const expected[] = {
        "test: record 'gsde.draws' holds NaN at 2",
        "gsde: record 'gsde.draws' holds 100 at 2, outside [-64, 64]",
        "gsde: record 'gsde.draws' holds -100 at 2, outside [-64, 64]",
        "gsde: record 'gsde.steps' holds 6, beyond the sampling frequency's 5",
    };
    athlete_gsde *g = make(true, 5, 7), *h = make(true, 5, 8);
    float before[LATENT * ACTIONS];
    memcpy(before, athlete_gsde_log_std(h), sizeof before);
    for (int c = 0; c < 4; c++) {
        float *log_std = athlete_gsde_log_std(g), saved_std = log_std[2];
        float *draws = (float *)athlete_gsde_acting_draws(g), saved_draw = draws[2];
        if (c == 0) /* log_std is trained and loads whatever it holds; the draws never are */
            draws[2] = NAN;
        if (c == 1)
            draws[2] = 100;
        if (c == 2)
            draws[2] = -100;
        float z[LATENT] = {1, 1, 1, 1, 1}, noise[ACTIONS];
        if (c == 3) /* 5 steps are allowed: the 6th would have resampled first */
            for (int t = 0; t < 5; t++)
                athlete_gsde_act(g, z, noise);
        athlete_writer *w;
        athlete_reader *r = saved(g, &w);
        if (c == 3) {
            /* rewrite the counter as 6 */
            athlete_writer_destroy(w);
            athlete_reader_destroy(r);
            athlete_error e;
            uint64_t six = 6;
            size_t size;
            ck_assert_ok(athlete_writer_create(&w, &e), &e);
            ck_assert_ok(
                athlete_writer_put(w, "gsde.log_std", ATHLETE_RECORD_F32, log_std, LATENT * ACTIONS, &e), &e);
            ck_assert_ok(athlete_writer_put(w, "gsde.draws", ATHLETE_RECORD_F32, draws, LATENT * ACTIONS, &e),
                         &e);
            ck_assert_ok(athlete_writer_put(w, "gsde.steps", ATHLETE_RECORD_U64, &six, 1, &e), &e);
            const unsigned char *data = athlete_writer_data(w, &size);
            ck_assert_ok(athlete_reader_create(data, size, "test", &r, &e), &e);
        }
        athlete_error err;
        ck_assert_fails(athlete_gsde_load(h, r, "gsde", &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                        expected[c]);
        ck_assert_mem_eq(athlete_gsde_log_std(h), before, sizeof before);
        athlete_reader_destroy(r);
        athlete_writer_destroy(w);
        log_std[2] = saved_std;
        draws[2] = saved_draw;
    }
    athlete_gsde_destroy(g);
    athlete_gsde_destroy(h);
}
END_TEST

START_TEST(acting_allocates_nothing)
{
    count_allocations_begin();
    athlete_gsde *g = make(true, 2, 1);
    float z[LATENT], noise[ACTIONS];
    fill(z, LATENT, 1.0, 0.5);
    size_t before = allocation_count;
    for (int t = 0; t < 100; t++)
        athlete_gsde_act(g, z, noise);
    athlete_gsde_resample(g);
    ck_assert_uint_eq(allocation_count, before);
    athlete_gsde_destroy(g);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gsde");
    TCase *tc = tcase_create("gsde");
    tcase_add_test(tc, option_checks);
    tcase_add_loop_test(tc, noise_and_log_prob_match_the_formulas, 0, 2);
    tcase_add_test(tc, resampling_rule);
    tcase_add_loop_test(tc, gradient_matches_finite_differences, 0, 2);
    tcase_add_test(tc, save_load_continues_bit_identically);
    tcase_add_test(tc, hostile_records_are_refused);
    tcase_add_test(tc, acting_allocates_nothing);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Action distributions: closed forms, gradients against central finite differences in
 * float64, sampling frequencies, the greedy mode. */
#include <athlete/distributions.h>

#include <math.h>

#include "test-util.h"

#define LOG_2PI 1.8378770664093454836

/* Central difference of f along one float input; the actual (rounded) step is used as
 * the denominator, so the only error left is the O(h^2) truncation. */
typedef double (*eval_fn)(void *context);
static double central_difference(float *slot, eval_fn f, void *context)
{
    const double h = 1e-3;
    float saved = *slot;
    *slot = (float)(saved + h);
    float up = *slot;
    double f_up = f(context);
    *slot = (float)(saved - h);
    float down = *slot;
    double f_down = f(context);
    *slot = saved;
    return (f_up - f_down) / ((double)up - (double)down);
}

static void assert_close(double analytic, double numeric, const char *what, size_t i)
{
    double tol = 2e-5 * (1.0 + fabs(numeric));
    ck_assert_msg(fabs(analytic - numeric) <= tol, "%s[%zu]: analytic %.9g, finite difference %.9g", what, i,
                  analytic, numeric);
}

enum { DIM = 3, N = 5 };

typedef struct gaussian_case {
    float x[DIM], mean[DIM], log_std[DIM];
} gaussian_case;

static double gaussian_lp(void *c)
{
    gaussian_case *g = c;
    return athlete_gaussian_log_prob(g->x, g->mean, g->log_std, DIM);
}

static double gaussian_h(void *c)
{
    gaussian_case *g = c;
    return athlete_gaussian_entropy(g->log_std, DIM);
}

START_TEST(gaussian_closed_forms)
{
    float zero[2] = {0, 0}, x[2] = {1.0f, -2.0f}, mean[2] = {0.5f, 0.0f}, log_std[2] = {0.0f, logf(2.0f)};
    /* At the mean with σ = 1: −½ log 2π per dimension. */
    ck_assert_double_eq_tol(athlete_gaussian_log_prob(zero, zero, zero, 2), -LOG_2PI, 1e-12);
    double expected = (-0.5 * 0.25 - 0.5 * LOG_2PI) + (-0.5 * 1.0 - log(2.0) - 0.5 * LOG_2PI);
    ck_assert_double_eq_tol(athlete_gaussian_log_prob(x, mean, log_std, 2), expected, 1e-6);
    ck_assert_double_eq_tol(athlete_gaussian_entropy(zero, 2), 1.0 + LOG_2PI, 1e-12);
    ck_assert_double_eq_tol(athlete_gaussian_entropy(log_std, 2), 1.0 + LOG_2PI + log(2.0), 1e-6);
}
END_TEST

START_TEST(gaussian_gradients_match_finite_differences)
{
    gaussian_case g = {{0.3f, -1.2f, 2.5f}, {0.1f, -0.4f, 1.0f}, {-0.5f, 0.2f, 0.7f}};
    float d_mean[DIM] = {0}, d_log_std[DIM] = {0};
    athlete_gaussian_log_prob_grad(g.x, g.mean, g.log_std, DIM, 1.0, d_mean, d_log_std);
    for (size_t i = 0; i < DIM; i++) {
        assert_close(d_mean[i], central_difference(&g.mean[i], gaussian_lp, &g), "d log_prob / d mean", i);
        assert_close(d_log_std[i], central_difference(&g.log_std[i], gaussian_lp, &g), "d log_prob / d log_std", i);
    }
    /* Accumulation and scale: a second call with scale -2 leaves -1 × the gradient. */
    athlete_gaussian_log_prob_grad(g.x, g.mean, g.log_std, DIM, -2.0, d_mean, d_log_std);
    for (size_t i = 0; i < DIM; i++) {
        float m[DIM] = {0}, l[DIM] = {0};
        athlete_gaussian_log_prob_grad(g.x, g.mean, g.log_std, DIM, 1.0, m, l);
        ck_assert_float_eq_tol(d_mean[i], -m[i], 1e-6f);
        ck_assert_float_eq_tol(d_log_std[i], -l[i], 1e-6f);
    }
    /* NULL outputs are skipped. */
    athlete_gaussian_log_prob_grad(g.x, g.mean, g.log_std, DIM, 1.0, NULL, d_log_std);
    float d_h[DIM] = {0};
    athlete_gaussian_entropy_grad(DIM, 0.5, d_h);
    for (size_t i = 0; i < DIM; i++)
        assert_close(d_h[i], 0.5 * central_difference(&g.log_std[i], gaussian_h, &g), "d entropy / d log_std", i);
}
END_TEST

START_TEST(gaussian_samples_have_the_right_moments)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 42, 1);
    float mean[2] = {1.5f, -3.0f}, log_std[2] = {logf(0.5f), logf(2.0f)}, x[2];
    double sum[2] = {0}, sq[2] = {0};
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        athlete_gaussian_sample(&rng, mean, log_std, 2, x);
        for (int i = 0; i < 2; i++) {
            sum[i] += x[i];
            sq[i] += x[i] * (double)x[i];
        }
    }
    for (int i = 0; i < 2; i++) {
        double m = sum[i] / n, sd = sqrt(sq[i] / n - m * m);
        ck_assert_double_eq_tol(m, mean[i], 0.02);
        ck_assert_double_eq_tol(sd, exp(log_std[i]), 0.02);
    }
    /* Same seed, same samples. */
    athlete_rng a, b;
    athlete_rng_seed(&a, 7, 3);
    athlete_rng_seed(&b, 7, 3);
    float xa[2], xb[2];
    athlete_gaussian_sample(&a, mean, log_std, 2, xa);
    athlete_gaussian_sample(&b, mean, log_std, 2, xb);
    ck_assert_mem_eq(xa, xb, sizeof xa);
}
END_TEST

typedef struct categorical_case {
    float logits[N];
    size_t action;
} categorical_case;

static double categorical_lp(void *c)
{
    categorical_case *k = c;
    return athlete_categorical_log_prob(k->logits, N, k->action);
}

static double categorical_h(void *c)
{
    categorical_case *k = c;
    return athlete_categorical_entropy(k->logits, N);
}

START_TEST(categorical_closed_forms)
{
    float uniform[4] = {0.3f, 0.3f, 0.3f, 0.3f};
    ck_assert_double_eq_tol(athlete_categorical_log_prob(uniform, 4, 2), -log(4.0), 1e-12);
    ck_assert_double_eq_tol(athlete_categorical_entropy(uniform, 4), log(4.0), 1e-12);
    /* Probabilities sum to one; a shift of every logit changes nothing. */
    float z[3] = {1.0f, -0.5f, 2.0f}, shifted[3] = {101.0f, 99.5f, 102.0f};
    double total = 0.0;
    for (size_t j = 0; j < 3; j++) {
        total += exp(athlete_categorical_log_prob(z, 3, j));
        ck_assert_double_eq_tol(athlete_categorical_log_prob(z, 3, j), athlete_categorical_log_prob(shifted, 3, j),
                                1e-9);
    }
    ck_assert_double_eq_tol(total, 1.0, 1e-12);
    /* Huge logits do not overflow. */
    float huge[2] = {1000.0f, 0.0f};
    ck_assert_double_eq_tol(athlete_categorical_log_prob(huge, 2, 0), 0.0, 1e-12);
    ck_assert_double_eq_tol(athlete_categorical_log_prob(huge, 2, 1), -1000.0, 1e-9);
    ck_assert_double_eq_tol(athlete_categorical_entropy(huge, 2), 0.0, 1e-12);
    /* An impossible action (logit −inf) has log π = −inf and adds nothing to the entropy. */
    float masked[3] = {0.0f, -INFINITY, 0.0f};
    ck_assert(isinf(athlete_categorical_log_prob(masked, 3, 1)));
    ck_assert_double_eq_tol(athlete_categorical_entropy(masked, 3), log(2.0), 1e-12);
}
END_TEST

START_TEST(categorical_gradients_match_finite_differences)
{
    categorical_case k = {{0.4f, -1.1f, 2.2f, 0.0f, -0.3f}, 2};
    for (size_t action = 0; action < N; action += 2) {
        k.action = action;
        float d[N] = {0};
        athlete_categorical_log_prob_grad(k.logits, N, action, 1.0, d);
        double sum = 0.0;
        for (size_t j = 0; j < N; j++) {
            assert_close(d[j], central_difference(&k.logits[j], categorical_lp, &k), "d log_prob / d logit", j);
            sum += d[j];
        }
        ck_assert_double_eq_tol(sum, 0.0, 1e-6); /* softmax is shift invariant */
    }
    float d_h[N] = {0};
    athlete_categorical_entropy_grad(k.logits, N, -3.0, d_h);
    for (size_t j = 0; j < N; j++)
        assert_close(d_h[j], -3.0 * central_difference(&k.logits[j], categorical_h, &k), "d entropy / d logit", j);
}
END_TEST

START_TEST(categorical_sampling_and_mode)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 5, 2);
    float z[4] = {logf(0.1f), logf(0.2f), logf(0.7f), -INFINITY};
    size_t counts[4] = {0};
    const int n = 200000;
    for (int k = 0; k < n; k++) {
        size_t j = athlete_categorical_sample(&rng, z, 4);
        ck_assert_uint_lt(j, 4);
        counts[j]++;
    }
    ck_assert_uint_eq(counts[3], 0); /* probability 0 is never drawn */
    ck_assert_double_eq_tol(counts[0] / (double)n, 0.1, 0.005);
    ck_assert_double_eq_tol(counts[1] / (double)n, 0.2, 0.005);
    ck_assert_double_eq_tol(counts[2] / (double)n, 0.7, 0.005);
    /* The mode is the first maximal logit (torch.argmax). */
    float tie[4] = {0.5f, 2.0f, 2.0f, -1.0f};
    ck_assert_uint_eq(athlete_categorical_mode(tie, 4), 1);
    ck_assert_uint_eq(athlete_categorical_mode(z, 4), 2);
    float one[1] = {3.0f};
    ck_assert_uint_eq(athlete_categorical_mode(one, 1), 0);
    ck_assert_uint_eq(athlete_categorical_sample(&rng, one, 1), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("distributions");
    TCase *tc = tcase_create("distributions");
    tcase_add_test(tc, gaussian_closed_forms);
    tcase_add_test(tc, gaussian_gradients_match_finite_differences);
    tcase_add_test(tc, gaussian_samples_have_the_right_moments);
    tcase_add_test(tc, categorical_closed_forms);
    tcase_add_test(tc, categorical_gradients_match_finite_differences);
    tcase_add_test(tc, categorical_sampling_and_mode);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

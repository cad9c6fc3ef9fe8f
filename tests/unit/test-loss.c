/* Losses: values as torch's MSELoss / HuberLoss / SmoothL1Loss compute them, and their
 * gradients against central differences in float64. */
#include <athlete/loss.h>
#include <athlete/rng.h>

#include <math.h>

#include "test-util.h"

static double mse64(const double *p, const float *t, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (p[i] - t[i]) * (p[i] - t[i]);
    return s / (double)n;
}

static double huber64(const double *p, const float *t, size_t n, double delta)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double z = fabs(p[i] - t[i]);
        s += z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    }
    return s / (double)n;
}

START_TEST(mse_values)
{
    /* torch.nn.MSELoss()(tensor([1., 2., 4.]), tensor([0., 2., 1.])) = (1 + 0 + 9) / 3 */
    const float p[3] = {1, 2, 4}, t[3] = {0, 2, 1};
    float d[3];
    ck_assert_float_eq_tol(athlete_loss_mse(p, t, 3, d), 10.0f / 3.0f, 1e-6f);
    ck_assert_float_eq_tol(d[0], 2.0f / 3.0f, 1e-7f);
    ck_assert_float_eq(d[1], 0.0f);
    ck_assert_float_eq_tol(d[2], 2.0f, 1e-6f);
    ck_assert_float_eq(athlete_loss_mse(p, p, 3, NULL), 0.0f);
}
END_TEST

START_TEST(huber_values)
{
    /* x = pred - target = {0.5, -2, 1, -1, 3}; delta 1:
     * 0.125 + 1.5 + 0.5 + 0.5 + 2.5 = 5.125, mean 1.025; d = clamp(x, -1, 1) / 5 */
    const float p[5] = {0.5f, 0, 3, -1, 3}, t[5] = {0, 2, 2, 0, 0};
    float d[5];
    ck_assert_float_eq_tol(athlete_loss_huber(p, t, 5, 1.0f, d), 1.025f, 1e-6f);
    const float want[5] = {0.1f, -0.2f, 0.2f, -0.2f, 0.2f};
    for (int i = 0; i < 5; i++)
        ck_assert_float_eq_tol(d[i], want[i], 1e-7f);
    /* delta 2: 0.125 + 2 + 0.5 + 0.5 + 2*(3 - 1) = 7.125 -> 1.425; d = clamp(x, -2, 2) / 5 */
    ck_assert_float_eq_tol(athlete_loss_huber(p, t, 5, 2.0f, d), 1.425f, 1e-6f);
    const float want2[5] = {0.1f, -0.4f, 0.2f, -0.2f, 0.4f};
    for (int i = 0; i < 5; i++)
        ck_assert_float_eq_tol(d[i], want2[i], 1e-7f);
}
END_TEST

START_TEST(huber_delta_one_is_smooth_l1)
{
    /* SmoothL1(beta=1): 0.5 x^2 if |x| < 1 else |x| - 0.5 */
    athlete_rng rng;
    athlete_rng_seed(&rng, 4, 0);
    float p[50], t[50];
    double s = 0;
    for (int i = 0; i < 50; i++) {
        p[i] = (float)athlete_rng_uniform_range(&rng, -3, 3);
        t[i] = (float)athlete_rng_uniform_range(&rng, -3, 3);
        double x = fabs((double)p[i] - t[i]);
        s += x < 1 ? 0.5 * x * x : x - 0.5;
    }
    ck_assert_double_eq_tol(athlete_loss_huber(p, t, 50, 1.0f, NULL), s / 50, 1e-6);
}
END_TEST

START_TEST(gradients_match_finite_differences)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 8, 0);
    enum { N = 37 };
    float p[N], t[N], dm[N], dh[N], dh2[N];
    double pd[N];
    for (int i = 0; i < N; i++) {
        t[i] = (float)athlete_rng_uniform_range(&rng, -2, 2);
        do /* away from Huber's switch points |x| = delta */
            p[i] = (float)athlete_rng_uniform_range(&rng, -4, 4);
        while (fabs(fabs((double)p[i] - t[i]) - 1.0) < 1e-3 || fabs(fabs((double)p[i] - t[i]) - 0.5) < 1e-3);
        pd[i] = p[i];
    }
    float lm = athlete_loss_mse(p, t, N, dm);
    float lh = athlete_loss_huber(p, t, N, 1.0f, dh);
    athlete_loss_huber(p, t, N, 0.5f, dh2);
    ck_assert_double_eq_tol(lm, mse64(pd, t, N), 1e-6 * mse64(pd, t, N));
    ck_assert_double_eq_tol(lh, huber64(pd, t, N, 1.0), 1e-6 * huber64(pd, t, N, 1.0));
    const double h = 1e-6;
    for (int i = 0; i < N; i++) {
        double keep = pd[i];
        pd[i] = keep + h;
        double um = mse64(pd, t, N), uh = huber64(pd, t, N, 1.0), uh2 = huber64(pd, t, N, 0.5);
        pd[i] = keep - h;
        double lo_m = mse64(pd, t, N), lo_h = huber64(pd, t, N, 1.0), lo_h2 = huber64(pd, t, N, 0.5);
        pd[i] = keep;
        ck_assert_double_eq_tol(dm[i], (um - lo_m) / (2 * h), 1e-6);
        ck_assert_double_eq_tol(dh[i], (uh - lo_h) / (2 * h), 1e-6);
        ck_assert_double_eq_tol(dh2[i], (uh2 - lo_h2) / (2 * h), 1e-6);
    }
    /* d_pred may be the prediction array itself */
    float q[N];
    memcpy(q, p, sizeof q);
    athlete_loss_mse(q, t, N, q);
    ck_assert_mem_eq(q, dm, sizeof q);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, mse_values);
    tcase_add_test(tc, huber_values);
    tcase_add_test(tc, huber_delta_one_is_smooth_l1);
    tcase_add_test(tc, gradients_match_finite_differences);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

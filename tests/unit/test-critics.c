/* Q(s, a) critics: forward against a float64 reference of concat(obs, action) through the
 * documented parameter layout, the fit's parameter gradients and dQ/da against central
 * finite differences of that reference (MSE and Huber), targets, TD targets, criteria,
 * errors, and no allocation per update. */
#include <athlete/alloc.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/rng.h>

#include <math.h>
#include <stdio.h>

#include "alloc-count.h"
#include "test-util.h"

enum { OBS = 3, ACT = 2, BATCH = 5 };
static const size_t hidden[2] = {7, 6};

/* ---- float64 reference: y = act(x W + b) per layer, W[in][out] (see mlp.h) ---- */

static double ref_q(const athlete_mlp *m, const double *p, const double *input)
{
    size_t n_widths;
    const size_t *w = athlete_mlp_widths(m, &n_widths);
    double a[64], b[64];
    for (size_t i = 0; i < w[0]; i++)
        a[i] = input[i];
    for (size_t l = 0; l + 1 < n_widths; l++) {
        const double *W = p + athlete_mlp_weight_offset(m, l), *bias = p + athlete_mlp_bias_offset(m, l);
        bool last = l + 2 == n_widths;
        for (size_t o = 0; o < w[l + 1]; o++) {
            double z = bias[o];
            for (size_t i = 0; i < w[l]; i++)
                z += a[i] * W[i * w[l + 1] + o];
            b[o] = last ? z : (z > 0 ? z : 0.0); /* ReLU hidden, identity output */
        }
        for (size_t o = 0; o < w[l + 1]; o++)
            a[o] = b[o];
    }
    return a[0];
}

static void to_double(const float *f, double *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        d[i] = f[i];
}

static void concat_row(const float *obs, const float *act, size_t r, double *input)
{
    for (size_t i = 0; i < OBS; i++)
        input[i] = obs[r * OBS + i];
    for (size_t j = 0; j < ACT; j++)
        input[OBS + j] = act[r * ACT + j];
}

/* mean loss of the reference over the batch */
static double ref_loss(const athlete_mlp *m, const double *p, const float *obs, const float *act, const float *y,
                       athlete_critic_criterion criterion)
{
    double sum = 0.0, input[OBS + ACT];
    for (size_t r = 0; r < BATCH; r++) {
        concat_row(obs, act, r, input);
        double e = ref_q(m, p, input) - y[r];
        if (criterion == ATHLETE_CRITERION_MSE)
            sum += e * e;
        else
            sum += fabs(e) < 1.0 ? 0.5 * e * e : fabs(e) - 0.5;
    }
    return sum / BATCH;
}

static void random_batch(athlete_rng *rng, float *obs, float *act, float *y)
{
    for (size_t i = 0; i < BATCH * OBS; i++)
        obs[i] = (float)athlete_rng_uniform_range(rng, -2, 2);
    for (size_t i = 0; i < BATCH * ACT; i++)
        act[i] = (float)athlete_rng_uniform_range(rng, -1, 1);
    for (size_t i = 0; y && i < BATCH; i++)
        y[i] = (float)athlete_rng_uniform_range(rng, -3, 3);
}

static athlete_critic *make_critic(uint64_t seed)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 1);
    athlete_critic *c = NULL;
    athlete_error err;
    ck_assert_ok(athlete_critic_create(OBS, ACT, hidden, 2, BATCH, &rng, &c, &err), &err);
    return c;
}

START_TEST(shape_and_target_start_identical)
{
    athlete_critic *c = make_critic(1);
    size_t n;
    const size_t *w = athlete_mlp_widths(athlete_critic_network(c), &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(w[0], OBS + ACT);
    ck_assert_uint_eq(w[1], 7);
    ck_assert_uint_eq(w[2], 6);
    ck_assert_uint_eq(w[3], 1);
    ck_assert_int_eq(athlete_mlp_hidden_activation(athlete_critic_network(c)), ATHLETE_ACTIVATION_RELU);
    ck_assert_int_eq(athlete_mlp_output_activation(athlete_critic_network(c)), ATHLETE_ACTIVATION_IDENTITY);
    athlete_mlp *net = athlete_critic_network(c), *target = athlete_critic_target(c);
    ck_assert_ptr_ne(net, target);
    ck_assert_mem_eq(athlete_mlp_params(net), athlete_mlp_params(target),
                     athlete_mlp_param_count(net) * sizeof(float));
    ck_assert_uint_eq(athlete_critic_max_batch(c), BATCH);
    /* nn.Linear's default init: within +-1/sqrt(fan_in) of the first layer */
    float bound = 1.0f / sqrtf((float)(OBS + ACT));
    for (size_t i = 0; i < (OBS + ACT) * 7; i++)
        ck_assert(fabsf(athlete_mlp_params(net)[i]) <= bound);
    /* no hidden layer: a linear Q */
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    athlete_critic *linear = NULL;
    athlete_error err;
    ck_assert_ok(athlete_critic_create(OBS, ACT, NULL, 0, 1, &rng, &linear, &err), &err);
    ck_assert_uint_eq(athlete_mlp_param_count(athlete_critic_network(linear)), OBS + ACT + 1);
    athlete_critic_destroy(linear);
    athlete_critic_destroy(c);
}
END_TEST

START_TEST(forward_matches_reference_and_target_is_separate)
{
    athlete_critic *c = make_critic(2);
    athlete_mlp *net = athlete_critic_network(c), *target = athlete_critic_target(c);
    size_t np = athlete_mlp_param_count(net);
    double *p = calloc(np, sizeof *p);
    athlete_rng rng;
    athlete_rng_seed(&rng, 9, 9);
    float obs[BATCH * OBS], act[BATCH * ACT];
    random_batch(&rng, obs, act, NULL);
    /* change the target so the two differ */
    for (size_t i = 0; i < np; i++)
        athlete_mlp_params(target)[i] *= 0.5f;
    const float *q = athlete_critic_forward(c, obs, act, BATCH);
    ck_assert_ptr_nonnull(q);
    float q_copy[BATCH];
    memcpy(q_copy, q, sizeof q_copy);
    const float *qt = athlete_critic_target_forward(c, obs, act, BATCH);
    ck_assert_ptr_nonnull(qt);
    double input[OBS + ACT];
    for (size_t r = 0; r < BATCH; r++) {
        concat_row(obs, act, r, input);
        to_double(athlete_mlp_params(net), p, np);
        double ref = ref_q(net, p, input);
        ck_assert_msg(fabs(q_copy[r] - ref) <= 1e-5 * (1 + fabs(ref)), "row %zu: %g vs %g", r, q_copy[r], ref);
        to_double(athlete_mlp_params(target), p, np);
        double ref_t = ref_q(target, p, input);
        ck_assert_msg(fabs(qt[r] - ref_t) <= 1e-5 * (1 + fabs(ref_t)), "target row %zu: %g vs %g", r, qt[r], ref_t);
    }
    /* batch limits */
    ck_assert_ptr_null(athlete_critic_forward(c, obs, act, 0));
    ck_assert_ptr_null(athlete_critic_forward(c, obs, act, BATCH + 1));
    ck_assert_ptr_null(athlete_critic_target_forward(c, obs, act, BATCH + 1));
    free(p);
    athlete_critic_destroy(c);
}
END_TEST

/* dLoss/dparams of fit against central differences of the float64 reference. */
static void check_fit_gradient(athlete_critic_criterion criterion)
{
    athlete_critic *c = make_critic(3);
    athlete_mlp *net = athlete_critic_network(c);
    size_t np = athlete_mlp_param_count(net);
    double *p = calloc(np, sizeof *p);
    athlete_rng rng;
    athlete_rng_seed(&rng, 4, 4);
    float obs[BATCH * OBS], act[BATCH * ACT], y[BATCH];
    random_batch(&rng, obs, act, y);
    athlete_error err;
    athlete_mlp_zero_grad(net);
    float loss;
    ck_assert_ok(athlete_critic_fit(c, obs, act, y, BATCH, criterion, &loss, &err), &err);
    to_double(athlete_mlp_params(net), p, np);
    double ref = ref_loss(net, p, obs, act, y, criterion);
    ck_assert_msg(fabs(loss - ref) <= 1e-5 * (1 + ref), "loss %g vs %g", loss, ref);
    const double h = 1e-6;
    for (size_t i = 0; i < np; i++) {
        double keep = p[i];
        p[i] = keep + h;
        double up = ref_loss(net, p, obs, act, y, criterion);
        p[i] = keep - h;
        double down = ref_loss(net, p, obs, act, y, criterion);
        p[i] = keep;
        double fd = (up - down) / (2 * h), g = athlete_mlp_grads(net)[i];
        ck_assert_msg(fabs(g - fd) <= 1e-4 + 1e-3 * fabs(fd), "%s: dL/dp[%zu] = %g, finite differences %g",
                      criterion == ATHLETE_CRITERION_MSE ? "mse" : "huber", i, g, fd);
    }
    /* fit accumulates (PyTorch semantics): a second fit doubles the gradient */
    float *first = malloc(np * sizeof *first);
    memcpy(first, athlete_mlp_grads(net), np * sizeof *first);
    ck_assert_ok(athlete_critic_fit(c, obs, act, y, BATCH, criterion, NULL, &err), &err);
    for (size_t i = 0; i < np; i++)
        ck_assert(fabsf(athlete_mlp_grads(net)[i] - 2 * first[i]) <= 1e-6f + 1e-5f * fabsf(first[i]));
    free(first);
    free(p);
    athlete_critic_destroy(c);
}

START_TEST(fit_gradient_mse) { check_fit_gradient(ATHLETE_CRITERION_MSE); }
END_TEST

START_TEST(fit_gradient_huber) { check_fit_gradient(ATHLETE_CRITERION_HUBER); }
END_TEST

/* dQ/da (the actor's path through a frozen critic) against finite differences in the
 * actions; the critic's gradients stay untouched. */
START_TEST(action_gradient_matches_finite_differences)
{
    athlete_critic *c = make_critic(5);
    athlete_mlp *net = athlete_critic_network(c);
    size_t np = athlete_mlp_param_count(net);
    double *p = calloc(np, sizeof *p);
    to_double(athlete_mlp_params(net), p, np);
    athlete_rng rng;
    athlete_rng_seed(&rng, 6, 6);
    float obs[BATCH * OBS], act[BATCH * ACT], w[BATCH], d_act[BATCH * ACT];
    random_batch(&rng, obs, act, w); /* w: dLoss/dQ weights */
    athlete_error err;
    athlete_mlp_zero_grad(net);
    ck_assert_ptr_nonnull(athlete_critic_forward(c, obs, act, BATCH));
    ck_assert_ok(athlete_critic_action_gradient(c, w, d_act, &err), &err);
    for (size_t i = 0; i < np; i++)
        ck_assert_float_eq(athlete_mlp_grads(net)[i], 0.0f);
    const double h = 1e-6;
    double input[OBS + ACT];
    for (size_t r = 0; r < BATCH; r++)
        for (size_t j = 0; j < ACT; j++) {
            concat_row(obs, act, r, input);
            input[OBS + j] += h;
            double up = ref_q(net, p, input);
            input[OBS + j] -= 2 * h;
            double down = ref_q(net, p, input);
            double fd = w[r] * (up - down) / (2 * h);
            ck_assert_msg(fabs(d_act[r * ACT + j] - fd) <= 1e-5 + 1e-4 * fabs(fd), "dL/da[%zu][%zu] = %g vs %g", r, j,
                          d_act[r * ACT + j], fd);
        }
    free(p);
    athlete_critic_destroy(c);
}
END_TEST

START_TEST(td_target_and_criteria)
{
    float r[3] = {1, -2, 0.5f}, d[3] = {0, 1, 0}, q[3] = {10, 10, -4}, y[3];
    athlete_critic_td_target(r, d, q, 3, 0.9, y);
    ck_assert_float_eq_tol(y[0], 1 + 0.9f * 10, 1e-6f);
    ck_assert_float_eq(y[1], -2.0f); /* terminated: no bootstrap */
    ck_assert_float_eq_tol(y[2], 0.5f - 0.9f * 4, 1e-6f);
    athlete_critic_criterion c;
    athlete_error err;
    ck_assert_ok(athlete_critic_criterion_parse("mse", &c, &err), &err);
    ck_assert_int_eq(c, ATHLETE_CRITERION_MSE);
    ck_assert_ok(athlete_critic_criterion_parse("huber", &c, &err), &err);
    ck_assert_int_eq(c, ATHLETE_CRITERION_HUBER);
    ck_assert_fails(athlete_critic_criterion_parse("MSELoss", &c, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "unknown critic criterion 'MSELoss' (expected \"mse\" or \"huber\")");
    float pred[2] = {0, 3}, target[2] = {0.5f, 0}, dp[2];
    ck_assert_float_eq_tol(athlete_critic_loss(ATHLETE_CRITERION_MSE, pred, target, 2, dp), (0.25f + 9) / 2, 1e-6f);
    ck_assert_float_eq_tol(dp[1], 3.0f, 1e-6f);
    ck_assert_float_eq_tol(athlete_critic_loss(ATHLETE_CRITERION_HUBER, pred, target, 2, dp), (0.125f + 2.5f) / 2,
                           1e-6f);
    ck_assert_float_eq_tol(dp[1], 0.5f, 1e-6f);
}
END_TEST

START_TEST(errors)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    athlete_critic *c = NULL;
    athlete_error err;
    ck_assert_fails(athlete_critic_create(OBS, 0, hidden, 2, 4, &rng, &c, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "critic create: observation size 3, action size 0, max batch 4 (each >= 1)");
    ck_assert_fails(athlete_critic_create(OBS, ACT, hidden, 2, 0, &rng, &c, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "max batch 0");
    ck_assert_ptr_null(c);
    c = make_critic(1);
    float d_q[BATCH] = {0}, d_act[BATCH * ACT];
    /* no forward yet */
    ck_assert_fails(athlete_critic_backward(c, d_q, &err), &err, ATHLETE_E_CALL_ORDER, "holds no forward pass");
    ck_assert_fails(athlete_critic_action_gradient(c, d_q, d_act, &err), &err, ATHLETE_E_CALL_ORDER,
                    "holds no forward pass");
    float obs[BATCH * OBS] = {0}, act[BATCH * ACT] = {0}, y[BATCH] = {0};
    ck_assert_fails(athlete_critic_fit(c, obs, act, y, BATCH + 1, ATHLETE_CRITERION_MSE, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "critic fit: batch 6 (expected 1 to 5)");
    athlete_critic_destroy(c);
    athlete_critic_destroy(NULL);
}
END_TEST

START_TEST(updates_allocate_nothing)
{
    count_allocations_begin();
    athlete_critic *c = make_critic(7);
    athlete_rng rng;
    athlete_rng_seed(&rng, 8, 8);
    float obs[BATCH * OBS], act[BATCH * ACT], y[BATCH], d_act[BATCH * ACT];
    random_batch(&rng, obs, act, y);
    athlete_error err;
    size_t before = allocation_count;
    for (int i = 0; i < 10; i++) {
        ck_assert_ptr_nonnull(athlete_critic_target_forward(c, obs, act, BATCH));
        ck_assert_ok(athlete_critic_fit(c, obs, act, y, BATCH, ATHLETE_CRITERION_HUBER, NULL, &err), &err);
        ck_assert_ok(athlete_critic_action_gradient(c, y, d_act, &err), &err);
    }
    ck_assert_uint_eq(allocation_count, before);
    athlete_critic_destroy(c);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("critics");
    TCase *tc = tcase_create("critics");
    tcase_add_test(tc, shape_and_target_start_identical);
    tcase_add_test(tc, forward_matches_reference_and_target_is_separate);
    tcase_add_test(tc, fit_gradient_mse);
    tcase_add_test(tc, fit_gradient_huber);
    tcase_add_test(tc, action_gradient_matches_finite_differences);
    tcase_add_test(tc, td_target_and_criteria);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, updates_allocate_nothing);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Actors: the squashed Gaussian map (forward against a float64 reference, backward against
 * its central finite differences, the density integrating to one), the actor gradient
 * paths of ddpg/td3 (-mean Q(s, mu(s))) and sac (mean(alpha log pi - min(Q1, Q2))) through
 * frozen critics against finite differences of a float64 reference, and the policies:
 * warmup actions (stored as 2u - 1, not u), noise and clipping, sampling, evaluation,
 * noise reset, scaling, save/load, no allocation per action. */
#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/alloc.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/noise.h>
#include <athlete/scaling.h>

#include <math.h>
#include <stdio.h>

#include "alloc-count.h"
#include "test-util.h"

enum { OBS = 3, ACT = 2, BATCH = 4 };
#define LOG_MIN (-20.0)
#define LOG_MAX 2.0

/* ---- float64 references ---- */

/* One row through an MLP with the layout of mlp.h (W[in][out], y = x W + b), ReLU hidden. */
static void ref_mlp(const athlete_mlp *m, const double *p, const double *x, double *y)
{
    size_t n_widths;
    const size_t *w = athlete_mlp_widths(m, &n_widths);
    double a[64], b[64];
    for (size_t i = 0; i < w[0]; i++)
        a[i] = x[i];
    for (size_t l = 0; l + 1 < n_widths; l++) {
        const double *W = p + athlete_mlp_weight_offset(m, l), *bias = p + athlete_mlp_bias_offset(m, l);
        bool last = l + 2 == n_widths;
        for (size_t o = 0; o < w[l + 1]; o++) {
            double z = bias[o];
            for (size_t i = 0; i < w[l]; i++)
                z += a[i] * W[i * w[l + 1] + o];
            if (!last)
                b[o] = z > 0 ? z : 0.0;
            else
                b[o] = athlete_mlp_output_activation(m) == ATHLETE_ACTIVATION_TANH ? tanh(z) : z;
        }
        for (size_t o = 0; o < w[l + 1]; o++)
            a[o] = b[o];
    }
    for (size_t o = 0; o < w[n_widths - 1]; o++)
        y[o] = a[o];
}

/* The squashed Gaussian of one row in double, written from the formula of actors.h. */
static double ref_sample(const double *out, const float *xi, size_t n, double lo, double hi, double *action)
{
    double lp = 0.0;
    for (size_t j = 0; j < n; j++) {
        double log_std = tanh(out[n + j]) * (hi - lo) / 2 + (hi + lo) / 2;
        double u = out[j] + exp(log_std) * xi[j];
        double a = tanh(u);
        action[j] = a;
        lp += -0.5 * (double)xi[j] * xi[j] - log_std - 0.5 * log(2 * M_PI) - log(1 - a * a + 1e-6);
    }
    return lp;
}

static double *params64(const athlete_mlp *m)
{
    size_t n = athlete_mlp_param_count(m);
    double *p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = athlete_mlp_params(m)[i];
    return p;
}

static void fill(athlete_rng *rng, float *x, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)athlete_rng_uniform_range(rng, lo, hi);
}

/* ---- the squashed Gaussian map ---- */

START_TEST(squashed_gaussian_forward_and_backward)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    float out[BATCH * 2 * ACT], xi[BATCH * ACT], action[BATCH * ACT], lp[BATCH];
    fill(&rng, out, BATCH * 2 * ACT, -2, 2);
    for (size_t i = 0; i < BATCH * ACT; i++)
        xi[i] = (float)athlete_rng_normal(&rng);
    /* the tails: a saturated tanh (u about 8) and a log-std at its lower end */
    out[0] = 8.0f;
    out[ACT] = -3.0f;
    out[2 * ACT + ACT + 1] = -9.0f;
    athlete_squashed_gaussian_forward(out, xi, BATCH, ACT, LOG_MIN, LOG_MAX, action, lp);
    double w_a[BATCH * ACT], w_lp[BATCH]; /* L = sum w_a a + sum w_lp log pi */
    float d_action[BATCH * ACT], d_lp[BATCH], d_out[BATCH * 2 * ACT];
    for (size_t i = 0; i < BATCH * ACT; i++)
        d_action[i] = (float)(w_a[i] = athlete_rng_uniform_range(&rng, -1, 1));
    for (size_t i = 0; i < BATCH; i++)
        d_lp[i] = (float)(w_lp[i] = athlete_rng_uniform_range(&rng, -1, 1));
    athlete_squashed_gaussian_backward(out, xi, BATCH, ACT, LOG_MIN, LOG_MAX, d_action, d_lp, d_out);
    for (size_t r = 0; r < BATCH; r++) {
        double o[2 * ACT], a[ACT];
        for (size_t j = 0; j < 2 * ACT; j++)
            o[j] = out[r * 2 * ACT + j];
        double ref_lp = ref_sample(o, xi + r * ACT, ACT, LOG_MIN, LOG_MAX, a);
        ck_assert_msg(fabs(lp[r] - ref_lp) <= 1e-5 * (1 + fabs(ref_lp)), "log pi row %zu: %g vs %g", r, lp[r], ref_lp);
        for (size_t j = 0; j < ACT; j++)
            ck_assert_msg(fabs(action[r * ACT + j] - a[j]) <= 1e-6, "action %zu %zu", r, j);
        const double h = 1e-6;
        for (size_t k = 0; k < 2 * ACT; k++) {
            double keep = o[k], up, down, au[ACT], ad[ACT];
            o[k] = keep + h;
            up = w_lp[r] * ref_sample(o, xi + r * ACT, ACT, LOG_MIN, LOG_MAX, au);
            o[k] = keep - h;
            down = w_lp[r] * ref_sample(o, xi + r * ACT, ACT, LOG_MIN, LOG_MAX, ad);
            o[k] = keep;
            for (size_t j = 0; j < ACT; j++) {
                up += w_a[r * ACT + j] * au[j];
                down += w_a[r * ACT + j] * ad[j];
            }
            double fd = (up - down) / (2 * h), g = d_out[r * 2 * ACT + k];
            ck_assert_msg(fabs(g - fd) <= 1e-5 + 1e-4 * fabs(fd), "dL/dout[%zu][%zu] = %g, finite differences %g", r,
                          k, g, fd);
        }
    }
    /* NULL upstream gradients are zeros */
    athlete_squashed_gaussian_backward(out, xi, BATCH, ACT, LOG_MIN, LOG_MAX, NULL, NULL, d_out);
    for (size_t i = 0; i < BATCH * 2 * ACT; i++)
        ck_assert_float_eq(d_out[i], 0.0f);
    /* the mode: tanh(mu) */
    athlete_squashed_gaussian_mode(out, BATCH, ACT, action);
    for (size_t r = 0; r < BATCH; r++)
        for (size_t j = 0; j < ACT; j++)
            ck_assert_float_eq_tol(action[r * ACT + j], tanhf(out[r * 2 * ACT + j]), 1e-6f);
}
END_TEST

/* pi(a|s) is a density on (-1, 1): integrating exp(log pi) da over a fine grid of u gives 1
 * (up to the 1e-6 inside the log, negligible for this sigma). */
START_TEST(squashed_gaussian_density_integrates_to_one)
{
    const double mus[3] = {0.0, 0.7, -1.5}, raws[3] = {0.92, 0.8, 1.0}; /* sigma 0.37, 0.18, 0.54 */
    for (int c = 0; c < 3; c++) {
        float out[2] = {(float)mus[c], (float)raws[c]};
        double log_std = tanh((double)out[1]) * 11.0 - 9.0, sigma = exp(log_std);
        double total = 0.0, du = 1e-4 * sigma;
        for (double u = out[0] - 9 * sigma; u < out[0] + 9 * sigma; u += du) {
            float xi = (float)((u - out[0]) / sigma), a, lp;
            athlete_squashed_gaussian_forward(out, &xi, 1, 1, LOG_MIN, LOG_MAX, &a, &lp);
            double t = tanh(u);
            total += exp((double)lp) * (1 - t * t) * du; /* da = (1 - a^2) du */
        }
        ck_assert_msg(fabs(total - 1.0) < 2e-3, "case %d (sigma %g): integral %g", c, sigma, total);
    }
}
END_TEST

/* ---- actor gradient paths through frozen critics ---- */

static athlete_mlp *actor_of(athlete_actor_kind kind, uint64_t seed)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 1);
    const size_t hidden[1] = {6};
    athlete_mlp *m = NULL;
    athlete_error err;
    ck_assert_ok(athlete_actor_network_create(kind, OBS, ACT, hidden, 1, true, &rng, &m, &err), &err);
    return m;
}

static athlete_critic *critic_of(uint64_t seed)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, seed, 2);
    const size_t hidden[1] = {7};
    athlete_critic *c = NULL;
    athlete_error err;
    ck_assert_ok(athlete_critic_create(OBS, ACT, hidden, 1, BATCH, &rng, &c, &err), &err);
    return c;
}

static double ref_critic(const athlete_critic *c, const double *p, const float *obs, const double *a)
{
    double x[OBS + ACT], q;
    for (size_t i = 0; i < OBS; i++)
        x[i] = obs[i];
    for (size_t j = 0; j < ACT; j++)
        x[OBS + j] = a[j];
    ref_mlp(athlete_critic_network(c), p, x, &q);
    return q;
}

/* ddpg/td3: L = -mean Q(s, mu(s)); mu with a final tanh */
static double ref_deterministic_loss(const athlete_mlp *actor, const double *pa, const athlete_critic *c,
                                     const double *pc, const float *obs)
{
    double sum = 0.0;
    for (size_t r = 0; r < BATCH; r++) {
        double x[OBS], a[ACT];
        for (size_t i = 0; i < OBS; i++)
            x[i] = obs[r * OBS + i];
        ref_mlp(actor, pa, x, a);
        sum += ref_critic(c, pc, obs + r * OBS, a);
    }
    return -sum / BATCH;
}

START_TEST(deterministic_actor_gradient_path)
{
    athlete_mlp *actor = actor_of(ATHLETE_ACTOR_DETERMINISTIC, 3);
    ck_assert_int_eq(athlete_mlp_output_activation(actor), ATHLETE_ACTIVATION_TANH);
    athlete_critic *c = critic_of(4);
    athlete_rng rng;
    athlete_rng_seed(&rng, 5, 5);
    float obs[BATCH * OBS], d_q[BATCH], d_a[BATCH * ACT];
    fill(&rng, obs, BATCH * OBS, -2, 2);
    athlete_mlp_workspace *ws = NULL;
    athlete_error err;
    ck_assert_ok(athlete_mlp_workspace_create(actor, BATCH, &ws, &err), &err);
    /* what ddpg_actor_step does */
    const float *a = athlete_mlp_forward(actor, ws, obs, BATCH);
    ck_assert_ptr_nonnull(athlete_critic_forward(c, obs, a, BATCH));
    for (size_t i = 0; i < BATCH; i++)
        d_q[i] = -1.0f / BATCH;
    ck_assert_ok(athlete_critic_action_gradient(c, d_q, d_a, &err), &err);
    athlete_mlp_zero_grad(actor);
    ck_assert_ok(athlete_mlp_backward(actor, ws, d_a, NULL, &err), &err);

    double *pa = params64(actor), *pc = params64(athlete_critic_network(c));
    const double h = 1e-6;
    for (size_t i = 0; i < athlete_mlp_param_count(actor); i++) {
        double keep = pa[i];
        pa[i] = keep + h;
        double up = ref_deterministic_loss(actor, pa, c, pc, obs);
        pa[i] = keep - h;
        double down = ref_deterministic_loss(actor, pa, c, pc, obs);
        pa[i] = keep;
        double fd = (up - down) / (2 * h), g = athlete_mlp_grads(actor)[i];
        ck_assert_msg(fabs(g - fd) <= 1e-5 + 1e-3 * fabs(fd), "dL/dtheta[%zu] = %g, finite differences %g", i, g, fd);
    }
    free(pa);
    free(pc);
    athlete_mlp_workspace_destroy(ws);
    athlete_critic_destroy(c);
    athlete_mlp_destroy(actor);
}
END_TEST

/* sac: L = mean(alpha log pi(a|s) - min(Q1, Q2)(s, a)), a = tanh(mu + sigma xi) */
/* The step ddpg and td3 call, athlete_deterministic_actor_update itself: with a zero
 * learning rate the parameters stay and the gradient it leaves in the actor is
 * -mean dQ(s, mu(s))/dtheta. */
START_TEST(deterministic_actor_update_gradient)
{
    athlete_mlp *actor = actor_of(ATHLETE_ACTOR_DETERMINISTIC, 13);
    athlete_critic *c = critic_of(14);
    athlete_rng rng;
    athlete_rng_seed(&rng, 15, 5);
    float obs[BATCH * OBS], d_q[BATCH], d_a[BATCH * ACT], loss;
    fill(&rng, obs, BATCH * OBS, -2, 2);
    athlete_mlp_workspace *ws = NULL;
    athlete_adam *adam = NULL;
    athlete_error err;
    ck_assert_ok(athlete_mlp_workspace_create(actor, BATCH, &ws, &err), &err);
    athlete_adam_group group = athlete_adam_group_default(athlete_mlp_params(actor), athlete_mlp_grads(actor),
                                                          athlete_mlp_param_count(actor), 0.0);
    ck_assert_ok(athlete_adam_create(&group, 1, &adam, &err), &err);
    double *pa = params64(actor), *pc = params64(athlete_critic_network(c));
    ck_assert_ok(athlete_deterministic_actor_update(actor, ws, adam, 0, c, obs, BATCH, d_q, d_a, &loss, &err), &err);
    ck_assert_msg(fabs(loss - ref_deterministic_loss(actor, pa, c, pc, obs)) < 1e-5, "loss %g", (double)loss);
    const double h = 1e-6;
    for (size_t i = 0; i < athlete_mlp_param_count(actor); i++) {
        ck_assert_float_eq(athlete_mlp_params(actor)[i], (float)pa[i]);
        double keep = pa[i];
        pa[i] = keep + h;
        double up = ref_deterministic_loss(actor, pa, c, pc, obs);
        pa[i] = keep - h;
        double down = ref_deterministic_loss(actor, pa, c, pc, obs);
        pa[i] = keep;
        double fd = (up - down) / (2 * h), g = athlete_mlp_grads(actor)[i];
        ck_assert_msg(fabs(g - fd) <= 1e-5 + 1e-3 * fabs(fd), "dL/dtheta[%zu] = %g, finite differences %g", i, g, fd);
    }
    free(pa);
    free(pc);
    athlete_adam_destroy(adam);
    athlete_mlp_workspace_destroy(ws);
    athlete_critic_destroy(c);
    athlete_mlp_destroy(actor);
}
END_TEST

static double ref_sac_loss(const athlete_mlp *actor, const double *pa, const athlete_critic *c1, const double *p1,
                           const athlete_critic *c2, const double *p2, const float *obs, const float *xi,
                           double alpha)
{
    double sum = 0.0;
    for (size_t r = 0; r < BATCH; r++) {
        double x[OBS], out[2 * ACT], a[ACT];
        for (size_t i = 0; i < OBS; i++)
            x[i] = obs[r * OBS + i];
        ref_mlp(actor, pa, x, out);
        double lp = ref_sample(out, xi + r * ACT, ACT, LOG_MIN, LOG_MAX, a);
        double q1 = ref_critic(c1, p1, obs + r * OBS, a), q2 = ref_critic(c2, p2, obs + r * OBS, a);
        sum += alpha * lp - (q1 < q2 ? q1 : q2);
    }
    return sum / BATCH;
}

START_TEST(squashed_gaussian_actor_gradient_path)
{
    athlete_mlp *actor = actor_of(ATHLETE_ACTOR_SQUASHED_GAUSSIAN, 6);
    ck_assert_uint_eq(athlete_mlp_output_size(actor), 2 * ACT);
    ck_assert_int_eq(athlete_mlp_output_activation(actor), ATHLETE_ACTIVATION_IDENTITY);
    athlete_critic *c1 = critic_of(7), *c2 = critic_of(8);
    athlete_rng rng;
    athlete_rng_seed(&rng, 9, 9);
    float obs[BATCH * OBS], xi[BATCH * ACT], action[BATCH * ACT], lp[BATCH];
    fill(&rng, obs, BATCH * OBS, -2, 2);
    for (size_t i = 0; i < BATCH * ACT; i++)
        xi[i] = (float)athlete_rng_normal(&rng);
    const float alpha = 0.3f;
    athlete_mlp_workspace *ws = NULL;
    athlete_error err;
    ck_assert_ok(athlete_mlp_workspace_create(actor, BATCH, &ws, &err), &err);
    /* what sac_actor_step does */
    const float *out = athlete_mlp_forward(actor, ws, obs, BATCH);
    athlete_squashed_gaussian_forward(out, xi, BATCH, ACT, LOG_MIN, LOG_MAX, action, lp);
    float q1[BATCH], q2[BATCH];
    memcpy(q1, athlete_critic_forward(c1, obs, action, BATCH), sizeof q1);
    memcpy(q2, athlete_critic_forward(c2, obs, action, BATCH), sizeof q2);
    float d_q1[BATCH], d_q2[BATCH], d_lp[BATCH], d_a[BATCH * ACT], d_a2[BATCH * ACT], d_out[BATCH * 2 * ACT];
    int chose_2 = 0;
    for (size_t i = 0; i < BATCH; i++) {
        bool first = q1[i] <= q2[i];
        chose_2 += !first;
        d_q1[i] = first ? -1.0f / BATCH : 0.0f;
        d_q2[i] = first ? 0.0f : -1.0f / BATCH;
        d_lp[i] = alpha / BATCH;
    }
    ck_assert_ok(athlete_critic_action_gradient(c1, d_q1, d_a, &err), &err);
    ck_assert_ok(athlete_critic_action_gradient(c2, d_q2, d_a2, &err), &err);
    for (size_t i = 0; i < BATCH * ACT; i++)
        d_a[i] += d_a2[i];
    athlete_squashed_gaussian_backward(out, xi, BATCH, ACT, LOG_MIN, LOG_MAX, d_a, d_lp, d_out);
    athlete_mlp_zero_grad(actor);
    ck_assert_ok(athlete_mlp_backward(actor, ws, d_out, NULL, &err), &err);

    double *pa = params64(actor), *p1 = params64(athlete_critic_network(c1)), *p2 = params64(athlete_critic_network(c2));
    const double h = 1e-6;
    for (size_t i = 0; i < athlete_mlp_param_count(actor); i++) {
        double keep = pa[i];
        pa[i] = keep + h;
        double up = ref_sac_loss(actor, pa, c1, p1, c2, p2, obs, xi, alpha);
        pa[i] = keep - h;
        double down = ref_sac_loss(actor, pa, c1, p1, c2, p2, obs, xi, alpha);
        pa[i] = keep;
        double fd = (up - down) / (2 * h), g = athlete_mlp_grads(actor)[i];
        ck_assert_msg(fabs(g - fd) <= 1e-5 + 1e-3 * fabs(fd), "dL/dtheta[%zu] = %g, finite differences %g", i, g, fd);
    }
    printf("sac actor path: %d of %d rows through critic 2\n", chose_2, BATCH);
    free(pa);
    free(p1);
    free(p2);
    athlete_mlp_workspace_destroy(ws);
    athlete_critic_destroy(c1);
    athlete_critic_destroy(c2);
    athlete_mlp_destroy(actor);
}
END_TEST

START_TEST(actor_network_shapes)
{
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    const size_t hidden[2] = {8, 4};
    athlete_mlp *m = NULL;
    athlete_error err;
    ck_assert_ok(athlete_actor_network_create(ATHLETE_ACTOR_DETERMINISTIC, 5, 3, hidden, 2, false, &rng, &m, &err), &err);
    size_t n;
    const size_t *w = athlete_mlp_widths(m, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(w[0], 5);
    ck_assert_uint_eq(w[3], 3);
    ck_assert_int_eq(athlete_mlp_output_activation(m), ATHLETE_ACTIVATION_IDENTITY); /* squash_action false */
    athlete_mlp_destroy(m);
    ck_assert_fails(athlete_actor_network_create((athlete_actor_kind)7, 5, 3, hidden, 2, false, &rng, &m, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "actor create: unknown kind 7");
}
END_TEST

/* ---- policies ---- */

typedef struct policy_fixture {
    athlete_mlp *actor;
    athlete_action_scaling *scaling;
    athlete_noise *noise;
    athlete_policy train, eval;
} policy_fixture;

static const float low[ACT] = {-2.0f, 0.0f}, high[ACT] = {2.0f, 4.0f};

static void fixture_make(policy_fixture *f, athlete_actor_kind kind, athlete_noise *noise)
{
    athlete_error err;
    memset(f, 0, sizeof *f);
    f->actor = actor_of(kind, 11);
    size_t shape[1] = {ACT};
    athlete_space box = athlete_space_box(1, shape, low, high);
    ck_assert_ok(athlete_action_scaling_create(&box, "test", &f->scaling, &err), &err);
    f->noise = noise;
    athlete_actor_policy_options o = {
        .struct_size = sizeof o,
        .kind = kind,
        .actor = f->actor,
        .scaling = f->scaling,
        .training = true,
        .noise = noise,
        .log_std_min = LOG_MIN,
        .log_std_max = LOG_MAX,
        .seed = 5,
        .stream = 2,
    };
    ck_assert_ok(athlete_actor_policy_create(&o, &f->train, &err), &err);
    o.training = false;
    o.noise = NULL;
    ck_assert_ok(athlete_actor_policy_create(&o, &f->eval, &err), &err);
}

static void fixture_free(policy_fixture *f)
{
    f->train.ops->destroy(f->train.self);
    f->eval.ops->destroy(f->eval.self);
    athlete_action_scaling_destroy(f->scaling);
    athlete_noise_destroy(f->noise);
    athlete_mlp_destroy(f->actor);
}

static const float *act(const athlete_policy *p, const float *obs, const athlete_clock *clock, float *action,
                        bool reset)
{
    athlete_info info;
    athlete_info_clear(&info);
    athlete_error err;
    athlete_status (*fn)(void *, const float *, const athlete_clock *, float *, athlete_info *, athlete_error *) =
        reset && p->ops->reset_act ? p->ops->reset_act : p->ops->act;
    ck_assert_ok(fn(p->self, obs, clock, action, &info, &err), &err);
    const athlete_info_item *item = athlete_info_find(&info, "unscaled_action");
    ck_assert_ptr_nonnull(item);
    ck_assert_int_eq(item->type, ATHLETE_VALUE_REALS);
    ck_assert_uint_eq(item->count, ACT);
    ck_assert_uint_eq(info.count, 1);
    /* the environment gets the scaled action */
    for (size_t j = 0; j < ACT; j++) {
        if (isnan(item->reals[j]))
            ck_assert(isnan(action[j]));
        else
            ck_assert_float_eq_tol(action[j], item->reals[j] * (high[j] - low[j]) / 2 + (high[j] + low[j]) / 2,
                                   1e-6f);
    }
    return item->reals;
}

START_TEST(warmup_actions_are_uniform_and_stored_unscaled)
{
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_DETERMINISTIC, NULL);
    athlete_clock clock = {.interactions = 0, .warmup_steps = 10};
    float obs[OBS] = {0.1f, 0.2f, 0.3f}, action[ACT];
    double sum[ACT] = {0}, lo[ACT] = {1, 1}, hi[ACT] = {-1, -1};
    const int n = 20000;
    for (int t = 0; t < n; t++) {
        const float *u = act(&f.train, obs, &clock, action, t == 0);
        for (size_t j = 0; j < ACT; j++) {
            ck_assert(u[j] >= -1.0f && u[j] < 1.0f); /* 2 U[0,1) - 1, not U[0,1) as the original stored */
            sum[j] += u[j];
            lo[j] = u[j] < lo[j] ? u[j] : lo[j];
            hi[j] = u[j] > hi[j] ? u[j] : hi[j];
        }
    }
    for (size_t j = 0; j < ACT; j++) {
        ck_assert_double_lt(fabs(sum[j] / n), 0.02);
        ck_assert_double_lt(lo[j], -0.99);
        ck_assert_double_gt(hi[j], 0.99);
    }
    fixture_free(&f);
}
END_TEST

START_TEST(deterministic_policy_noise_clip_and_reset)
{
    /* OU noise without randomness: x1 = theta mu dt = 0.4, x2 = 0.6, x3 = 0.7, ... */
    athlete_noise_options no = {.struct_size = sizeof no, .kind = ATHLETE_NOISE_ORNSTEIN_UHLENBECK, .size = ACT,
                                .noise_std = 0.0, .theta = 0.5, .dt = 1.0, .mu = 0.8, .seed = 1, .stream = 3};
    athlete_noise *noise = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(&no, &noise, &err), &err);
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_DETERMINISTIC, noise);
    athlete_clock clock = {.interactions = 5, .warmup_steps = 5};
    float obs[OBS] = {0.5f, -1.0f, 2.0f}, action[ACT], mu[ACT];
    memcpy(mu, act(&f.eval, obs, &clock, action, false), sizeof mu); /* the actor's output */
    const float expected[4] = {0.4f, 0.6f, 0.7f, 0.4f};
    for (int t = 0; t < 4; t++) {
        const float *u = act(&f.train, obs, &clock, action, t == 0 || t == 3); /* reset_act resets the noise */
        for (size_t j = 0; j < ACT; j++) {
            float want = mu[j] + expected[t];
            want = want > 1.0f ? 1.0f : want;
            ck_assert_float_eq_tol(u[j], want, 1e-6f);
        }
    }
    /* tanh(50) = 1 plus positive noise: clipped to 1 in training */
    for (size_t i = 0; i < athlete_mlp_param_count(f.actor); i++)
        athlete_mlp_params(f.actor)[i] = 0.0f;
    athlete_mlp_params(f.actor)[athlete_mlp_bias_offset(f.actor, 1)] = 50.0f; /* tanh(50) = 1 */
    const float *u = act(&f.train, obs, &clock, action, false);
    ck_assert_float_eq(u[0], 1.0f);
    /* NaN from a diverged actor is passed on, not clipped away: the core reports it */
    athlete_mlp_params(f.actor)[athlete_mlp_bias_offset(f.actor, 1)] = NAN;
    u = act(&f.train, obs, &clock, action, false);
    ck_assert(isnan(u[0]) && isnan(action[0]));
    u = act(&f.eval, obs, &clock, action, false);
    ck_assert(isnan(u[0]));
    fixture_free(&f);
}
END_TEST

START_TEST(gaussian_policy_samples_and_evaluates_the_mode)
{
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_SQUASHED_GAUSSIAN, NULL);
    athlete_clock clock = {.interactions = 3, .warmup_steps = 0};
    float obs[OBS] = {0.3f, 0.1f, -0.4f}, action[ACT];
    athlete_mlp_workspace *ws = NULL;
    athlete_error err;
    ck_assert_ok(athlete_mlp_workspace_create(f.actor, 1, &ws, &err), &err);
    float out[2 * ACT], mode[ACT];
    memcpy(out, athlete_mlp_forward(f.actor, ws, obs, 1), sizeof out);
    athlete_squashed_gaussian_mode(out, 1, ACT, mode);
    const float *u = act(&f.eval, obs, &clock, action, true);
    for (size_t j = 0; j < ACT; j++)
        ck_assert_float_eq_tol(u[j], mode[j], 1e-6f);
    /* samples: inside (-1, 1), mean of u = mu + sigma xi near mu (sigma from the network) */
    double sum[ACT] = {0};
    const int n = 4000;
    for (int t = 0; t < n; t++) {
        u = act(&f.train, obs, &clock, action, false);
        for (size_t j = 0; j < ACT; j++) {
            ck_assert(u[j] > -1.0f && u[j] < 1.0f);
            sum[j] += atanh((double)u[j]);
        }
    }
    for (size_t j = 0; j < ACT; j++) {
        double sigma = exp(tanh((double)out[ACT + j]) * 11.0 - 9.0);
        ck_assert_msg(fabs(sum[j] / n - out[j]) < 5 * sigma / sqrt(n) + 1e-4, "mean of u %g, mu %g, sigma %g",
                      sum[j] / n, out[j], sigma);
    }
    athlete_mlp_workspace_destroy(ws);
    fixture_free(&f);
}
END_TEST

/* With gSDE: a = tanh(mu + latent theta) from the actor's last hidden layer, the same
 * matrix until reset_act draws another; the evaluation policy and mismatched sizes are
 * refused. */
START_TEST(gsde_policy_acts_with_the_state_dependent_noise)
{
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_SQUASHED_GAUSSIAN, NULL);
    size_t n_widths;
    const size_t *widths = athlete_mlp_widths(f.actor, &n_widths);
    size_t latent = widths[n_widths - 2];
    athlete_gsde_options o = {.struct_size = sizeof o, .latent_size = latent + 1, .action_size = ACT,
                              .full_std = true, .log_std_init = -1.0, .sample_freq = -1, .seed = 3, .stream = 8};
    athlete_gsde *wrong = NULL, *gsde = NULL;
    athlete_error err;
    ck_assert_ok(athlete_gsde_create(&o, &wrong, &err), &err);
    o.latent_size = latent;
    ck_assert_ok(athlete_gsde_create(&o, &gsde, &err), &err);
    ck_assert_fails(athlete_actor_policy_set_gsde(&f.eval, gsde, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "actor policy gsde: not an actor's training policy");
    char expected[200];
    snprintf(expected, sizeof expected,
             "actor policy gsde: %zu latent features and 2 actions need a squashed Gaussian actor with as many (it has %zu and 2)",
             latent + 1, latent);
    ck_assert_fails(athlete_actor_policy_set_gsde(&f.train, wrong, &err), &err, ATHLETE_E_INVALID_ARGUMENT, expected);
    ck_assert_ok(athlete_actor_policy_set_gsde(&f.train, gsde, &err), &err);
    athlete_clock clock = {.interactions = 3, .warmup_steps = 0};
    float obs[OBS] = {0.3f, 0.1f, -0.4f}, action[ACT], first[ACT];
    athlete_mlp_workspace *ws = NULL;
    ck_assert_ok(athlete_mlp_workspace_create(f.actor, 1, &ws, &err), &err);
    const float *out = athlete_mlp_forward(f.actor, ws, obs, 1);
    const float *z = athlete_mlp_workspace_layer_input(ws, athlete_mlp_layer_count(f.actor) - 1);
    ck_assert_ptr_nonnull(z);
    memcpy(first, act(&f.train, obs, &clock, action, true), sizeof first);
    const float *draws = athlete_gsde_acting_draws(gsde);
    for (size_t j = 0; j < ACT; j++) {
        double noise = 0;
        for (size_t k = 0; k < latent; k++)
            noise += (double)z[k] * exp(-1.0) * draws[k * ACT + j];
        ck_assert_float_eq_tol(first[j], tanh((double)out[j] + noise), 1e-5f);
    }
    /* the same matrix for every step until the next episode */
    for (int t = 0; t < 5; t++)
        ck_assert_mem_eq(act(&f.train, obs, &clock, action, false), first, sizeof first);
    ck_assert(memcmp(act(&f.train, obs, &clock, action, true), first, sizeof first) != 0);
    athlete_mlp_workspace_destroy(ws);
    athlete_gsde_destroy(wrong);
    athlete_gsde_destroy(gsde);
    fixture_free(&f);
}
END_TEST

START_TEST(training_policy_saves_its_stream)
{
    athlete_noise_options no = {.struct_size = sizeof no, .kind = ATHLETE_NOISE_ORNSTEIN_UHLENBECK, .size = ACT,
                                .noise_std = 0.3, .theta = 0.15, .dt = 0.01, .seed = 1, .stream = 3};
    athlete_noise *noise = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(&no, &noise, &err), &err);
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_DETERMINISTIC, noise);
    athlete_clock clock = {.interactions = 0, .warmup_steps = 3};
    float obs[OBS] = {0.3f, 0.1f, -0.4f}, action[ACT];
    for (int t = 0; t < 6; t++, clock.interactions++)
        act(&f.train, obs, &clock, action, t == 0);
    athlete_writer *w = NULL;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    ck_assert_ok(f.train.ops->save(f.train.self, w, &err), &err);
    float expected[5][ACT];
    for (int t = 0; t < 5; t++)
        memcpy(expected[t], act(&f.train, obs, &clock, action, false), sizeof expected[t]);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r = NULL;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    ck_assert_ok(f.train.ops->load(f.train.self, r, &err), &err);
    ck_assert_uint_eq(athlete_reader_unread_count(r, NULL), 0);
    for (int t = 0; t < 5; t++)
        ck_assert_mem_eq(act(&f.train, obs, &clock, action, false), expected[t], sizeof expected[t]);
    ck_assert_ptr_null(f.eval.ops->save); /* evaluation policies are deterministic */
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    fixture_free(&f);
}
END_TEST

START_TEST(policy_errors)
{
    policy_fixture f;
    fixture_make(&f, ATHLETE_ACTOR_DETERMINISTIC, NULL);
    athlete_actor_policy_options o = {.struct_size = sizeof o, .kind = ATHLETE_ACTOR_SQUASHED_GAUSSIAN,
                                      .actor = f.actor, .scaling = f.scaling, .training = true};
    athlete_policy p;
    athlete_error err;
    ck_assert_fails(athlete_actor_policy_create(&o, &p, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "actor policy: the actor has 2 outputs, expected 4 for 2 action elements");
    o.scaling = NULL;
    ck_assert_fails(athlete_actor_policy_create(&o, &p, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "actor policy: NULL or short options");
    fixture_free(&f);
}
END_TEST

START_TEST(acting_allocates_nothing)
{
    count_allocations_begin();
    athlete_noise_options no = {.struct_size = sizeof no, .kind = ATHLETE_NOISE_COLORED, .size = ACT,
                                .noise_std = 0.3, .horizon = 16, .beta = 1.0, .seed = 1, .stream = 3};
    athlete_noise *noise = NULL;
    athlete_error err;
    ck_assert_ok(athlete_noise_create(&no, &noise, &err), &err);
    policy_fixture f, g;
    fixture_make(&f, ATHLETE_ACTOR_DETERMINISTIC, noise);
    fixture_make(&g, ATHLETE_ACTOR_SQUASHED_GAUSSIAN, NULL);
    athlete_clock clock = {.interactions = 0, .warmup_steps = 5};
    float obs[OBS] = {0.3f, 0.1f, -0.4f}, action[ACT];
    size_t before = allocation_count;
    for (int t = 0; t < 100; t++, clock.interactions++) {
        act(&f.train, obs, &clock, action, t % 20 == 0);
        act(&f.eval, obs, &clock, action, false);
        act(&g.train, obs, &clock, action, t % 20 == 0);
        act(&g.eval, obs, &clock, action, false);
    }
    ck_assert_uint_eq(allocation_count, before);
    fixture_free(&f);
    fixture_free(&g);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("actors");
    TCase *tc = tcase_create("actors");
    tcase_add_test(tc, squashed_gaussian_forward_and_backward);
    tcase_add_test(tc, squashed_gaussian_density_integrates_to_one);
    tcase_add_test(tc, deterministic_actor_gradient_path);
    tcase_add_test(tc, deterministic_actor_update_gradient);
    tcase_add_test(tc, squashed_gaussian_actor_gradient_path);
    tcase_add_test(tc, actor_network_shapes);
    tcase_add_test(tc, warmup_actions_are_uniform_and_stored_unscaled);
    tcase_add_test(tc, deterministic_policy_noise_clip_and_reset);
    tcase_add_test(tc, gaussian_policy_samples_and_evaluates_the_mode);
    tcase_add_test(tc, gsde_policy_acts_with_the_state_dependent_noise);
    tcase_add_test(tc, training_policy_saves_its_stream);
    tcase_add_test(tc, policy_errors);
    tcase_add_test(tc, acting_allocates_nothing);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

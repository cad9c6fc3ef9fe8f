/* Continuous-control actors and their policies (see <athlete/actors.h>). */
#include <athlete/actors.h>

#include <athlete/alloc.h>
#include <athlete/policy-program.h>

#include <math.h>
#include <string.h>

/* log(2 pi) / 2 */
#define HALF_LOG_2PI 0.91893853320467274178
/* The original's epsilon inside log(1 - tanh(u)^2 + eps). */
#define TANH_LOG_EPS 1e-6

athlete_status athlete_actor_network_create(athlete_actor_kind kind, size_t observation_size, size_t action_size,
                                            const size_t *hidden, size_t n_hidden, bool squash, athlete_rng *rng,
                                            athlete_mlp **out, athlete_error *err)
{
    if (kind != ATHLETE_ACTOR_DETERMINISTIC && kind != ATHLETE_ACTOR_SQUASHED_GAUSSIAN)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor create: unknown kind %d", (int)kind);
    if (!out || !rng || (n_hidden && !hidden))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor create: NULL argument");
    size_t *widths = athlete_malloc((n_hidden + 2) * sizeof *widths);
    if (!widths)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "actor create: out of memory");
    widths[0] = observation_size;
    for (size_t i = 0; i < n_hidden; i++)
        widths[i + 1] = hidden[i];
    widths[n_hidden + 1] = kind == ATHLETE_ACTOR_SQUASHED_GAUSSIAN ? 2 * action_size : action_size;
    athlete_activation output =
        kind == ATHLETE_ACTOR_DETERMINISTIC && squash ? ATHLETE_ACTIVATION_TANH : ATHLETE_ACTIVATION_IDENTITY;
    athlete_status st = athlete_mlp_create(widths, n_hidden + 2, ATHLETE_ACTIVATION_RELU, output, out, err);
    athlete_free(widths);
    if (st == ATHLETE_OK)
        athlete_mlp_init_default(*out, rng);
    return st;
}

/* ---- the squashed Gaussian map, in double precision per element ---- */

typedef struct sg_element {
    double t, t_slope;    /* tanh(r) and 1 - tanh(r)^2 */
    double log_std;       /* in [min, max] */
    double std;
    double a, a_slope;    /* tanh(u) and 1 - tanh(u)^2 */
} sg_element;

/* tanh(x) and its derivative 1 - tanh(x)^2 from one exp: with z = e^{-2|x|},
 * tanh|x| = (1 - z) / (1 + z) and 1 - tanh^2 = 4 z / (1 + z)^2, exact in the tails where
 * 1 - tanh^2 computed from a rounded tanh would lose every digit (and 2-3x cheaper than
 * libm's tanh, which dominated SAC's non-GEMM time). NaN propagates. */
static inline void tanh_slope(double x, double *t, double *slope)
{
    double z = exp(-2.0 * fabs(x));
    double th = (1.0 - z) / (1.0 + z);
    *t = x < 0 ? -th : th;
    *slope = 4.0 * z / ((1.0 + z) * (1.0 + z));
}

static inline sg_element sg_eval(double mu, double r, double xi, double half_range, double mid)
{
    sg_element e;
    tanh_slope(r, &e.t, &e.t_slope);
    e.log_std = e.t * half_range + mid;
    e.std = exp(e.log_std);
    tanh_slope(mu + e.std * xi, &e.a, &e.a_slope);
    return e;
}

void athlete_squashed_gaussian_forward(const float *net_out, const float *xi, size_t batch, size_t action_size,
                                       double log_std_min, double log_std_max, float *action, float *log_prob)
{
    double half_range = (log_std_max - log_std_min) / 2.0, mid = (log_std_max + log_std_min) / 2.0;
    for (size_t i = 0; i < batch; i++) {
        const float *mu = net_out + i * 2 * action_size, *r = mu + action_size;
        const float *x = xi + i * action_size;
        double lp = 0.0;
        for (size_t j = 0; j < action_size; j++) {
            sg_element e = sg_eval(mu[j], r[j], x[j], half_range, mid);
            action[i * action_size + j] = (float)e.a;
            lp += -0.5 * (double)x[j] * (double)x[j] - e.log_std - HALF_LOG_2PI - log(e.a_slope + TANH_LOG_EPS);
        }
        if (log_prob)
            log_prob[i] = (float)lp;
    }
}

void athlete_squashed_gaussian_backward(const float *net_out, const float *xi, size_t batch, size_t action_size,
                                        double log_std_min, double log_std_max, const float *d_action,
                                        const float *d_log_prob, float *d_net_out)
{
    double half_range = (log_std_max - log_std_min) / 2.0, mid = (log_std_max + log_std_min) / 2.0;
    for (size_t i = 0; i < batch; i++) {
        const float *mu = net_out + i * 2 * action_size, *r = mu + action_size;
        const float *x = xi + i * action_size;
        float *d_mu = d_net_out + i * 2 * action_size, *d_r = d_mu + action_size;
        double g_lp = d_log_prob ? d_log_prob[i] : 0.0;
        for (size_t j = 0; j < action_size; j++) {
            sg_element e = sg_eval(mu[j], r[j], x[j], half_range, mid);
            double g_a = d_action ? d_action[i * action_size + j] : 0.0;
            double one_minus = e.a_slope; /* d tanh(u) / du = 1 - a^2 */
            /* d log pi / du = -d/du log(1 - a^2 + eps) = 2 a (1 - a^2) / (1 - a^2 + eps); the
             * Gaussian term -xi^2/2 does not depend on mu or sigma once u = mu + sigma xi */
            double du = g_a * one_minus + g_lp * 2.0 * e.a * one_minus / (one_minus + TANH_LOG_EPS);
            double d_log_std = du * e.std * (double)x[j] - g_lp; /* du/dlog_std = sigma xi; log pi has -log_std */
            d_mu[j] = (float)du;
            d_r[j] = (float)(d_log_std * half_range * e.t_slope);
        }
    }
}

void athlete_squashed_gaussian_mode(const float *net_out, size_t batch, size_t action_size, float *action)
{
    for (size_t i = 0; i < batch; i++)
        for (size_t j = 0; j < action_size; j++)
            action[i * action_size + j] = tanhf(net_out[i * 2 * action_size + j]);
}

/* ---- policies ---- */

typedef struct actor_policy {
    athlete_actor_kind kind;
    const athlete_mlp *actor;
    athlete_mlp_workspace *ws; /* `rows` rows: acting */
    const athlete_action_scaling *scaling;
    bool training;
    athlete_noise *noise;
    athlete_gsde *gsde;
    double log_std_min, log_std_max;
    athlete_rng rng;
    size_t action_size, rows;
    float *unscaled, *xi;  /* rows x action_size each */
    float *noise_sample;   /* action_size; one allocation for the three */
} actor_policy;

/* clamp that keeps NaN (as torch.clamp), so a diverged actor is caught by the core */
static inline float clip_unit(float v) { return v < -1.0f ? -1.0f : (v > 1.0f ? 1.0f : v); }

/* Row i's action from the actor's output row `out` (NULL during warmup), drawing what
 * act draws; first: reset_act (the noise process restarts). */
static void act_row(actor_policy *p, const float *out, bool first, size_t i)
{
    size_t n = p->action_size;
    float *unscaled = p->unscaled + i * n, *xi = p->xi + i * n;
    if (first && p->noise)
        athlete_noise_reset(p->noise);
    if (first && p->gsde) /* one exploration matrix for every row: any episode start redraws it */
        athlete_gsde_resample(p->gsde);
    if (!out) { /* warmup: stored as the unscaled value the environment got */
        for (size_t j = 0; j < n; j++)
            unscaled[j] = (float)(2.0 * athlete_rng_uniform(&p->rng) - 1.0);
    } else if (p->kind == ATHLETE_ACTOR_DETERMINISTIC) {
        memcpy(unscaled, out, n * sizeof *unscaled);
        if (p->training) {
            if (p->noise) {
                athlete_noise_sample(p->noise, p->noise_sample);
                for (size_t j = 0; j < n; j++)
                    unscaled[j] += p->noise_sample[j];
            }
            for (size_t j = 0; j < n; j++)
                unscaled[j] = clip_unit(unscaled[j]);
        }
    } else if (p->training && p->gsde) {
        const float *latent = athlete_mlp_workspace_layer_input(p->ws, athlete_mlp_layer_count(p->actor) - 1) +
                              i * athlete_gsde_latent_size(p->gsde);
        athlete_gsde_act(p->gsde, latent, p->noise_sample);
        for (size_t j = 0; j < n; j++)
            unscaled[j] = (float)tanh((double)out[j] + (double)p->noise_sample[j]);
    } else if (p->training) {
        if (p->noise) /* temporally correlated draws (e.g. pink noise) in place of i.i.d. ones */
            athlete_noise_sample(p->noise, xi);
        else
            for (size_t j = 0; j < n; j++)
                xi[j] = (float)athlete_rng_normal(&p->rng);
        athlete_squashed_gaussian_forward(out, xi, 1, n, p->log_std_min, p->log_std_max, unscaled, NULL);
    } else {
        athlete_squashed_gaussian_mode(out, 1, n, unscaled);
    }
}

static athlete_status policy_act_batch(void *self, const float *observations, size_t rows, const bool *first,
                                       const athlete_clock *clock, float *actions, athlete_info *infos,
                                       athlete_error *err)
{
    actor_policy *p = self;
    if (rows == 0 || rows > p->rows)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy: %zu rows, built for 1 to %zu", rows,
                                 p->rows);
    size_t n = p->action_size, width = athlete_mlp_output_size(p->actor);
    const float *out = NULL;
    if (!p->training || athlete_clock_warmup_done(clock)) {
        out = athlete_mlp_forward(p->actor, p->ws, observations, rows);
        if (!out)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy: the actor rejected the observations");
    }
    for (size_t i = 0; i < rows; i++) {
        act_row(p, out ? out + i * width : NULL, first[i] && p->training, i);
        athlete_action_scaling_apply(p->scaling, p->unscaled + i * n, actions + i * n);
        athlete_info_set_reals(&infos[i], "unscaled_action", p->unscaled + i * n, n);
    }
    return ATHLETE_OK;
}

/* One environment: the batch of one row (the same draws). */
static athlete_status policy_act(void *self, const float *observation, const athlete_clock *clock, float *action,
                                 athlete_info *info, athlete_error *err)
{
    const bool first = false;
    return policy_act_batch(self, observation, 1, &first, clock, action, info, err);
}

static athlete_status policy_reset_act(void *self, const float *observation, const athlete_clock *clock,
                                       float *action, athlete_info *info, athlete_error *err)
{
    const bool first = true;
    return policy_act_batch(self, observation, 1, &first, clock, action, info, err);
}

static athlete_status policy_save(void *self, athlete_writer *w, athlete_error *err)
{
    actor_policy *p = self;
    athlete_status st = athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &p->rng, sizeof p->rng, err);
    if (st == ATHLETE_OK && p->noise)
        st = athlete_noise_save(p->noise, w, "noise", err);
    return st;
}

static athlete_status policy_load(void *self, athlete_reader *r, athlete_error *err)
{
    actor_policy *p = self;
    athlete_status st = athlete_reader_get_rng(r, "rng", &p->rng, err);
    if (st == ATHLETE_OK && p->noise)
        st = athlete_noise_load(p->noise, r, "noise", err);
    return st;
}

static void policy_destroy(void *self)
{
    actor_policy *p = self;
    if (!p)
        return;
    athlete_mlp_workspace_destroy(p->ws);
    athlete_free(p->unscaled);
    athlete_free(p);
}

static const athlete_policy_ops training_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = policy_act,
    .reset_act = policy_reset_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
    .act_batch = policy_act_batch,
};

/* Deterministic: nothing to save. */
static const athlete_policy_ops evaluation_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = policy_act,
    .reset_act = NULL,
    .save = NULL,
    .load = NULL,
    .destroy = policy_destroy,
    .act_batch = policy_act_batch,
};

#define ACTOR_POLICY_OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_actor_policy_options, stream)

athlete_status athlete_actor_policy_create(const athlete_actor_policy_options *o, athlete_policy *out,
                                           athlete_error *err)
{
    if (o && o->struct_size < ACTOR_POLICY_OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "actor policy: options.struct_size is %zu, smaller than ABI 1.0's %zu",
                                 o->struct_size, (size_t)ACTOR_POLICY_OPTIONS_SIZE_1_0);
    if (!o || !out || !o->actor || !o->scaling)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy: NULL or short options");
    if (o->kind != ATHLETE_ACTOR_DETERMINISTIC && o->kind != ATHLETE_ACTOR_SQUASHED_GAUSSIAN)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy: unknown kind %d", (int)o->kind);
    size_t n = athlete_action_scaling_size(o->scaling);
    size_t expected = o->kind == ATHLETE_ACTOR_SQUASHED_GAUSSIAN ? 2 * n : n;
    if (athlete_mlp_output_size(o->actor) != expected)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "actor policy: the actor has %zu outputs, expected %zu for %zu action elements",
                                 athlete_mlp_output_size(o->actor), expected, n);
    if (o->noise && athlete_noise_size(o->noise) != n)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "actor policy: the noise process has %zu elements, the action %zu",
                                 athlete_noise_size(o->noise), n);
    actor_policy *p = athlete_calloc(1, sizeof *p);
    if (!p)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "actor policy: out of memory");
    p->kind = o->kind;
    p->actor = o->actor;
    p->scaling = o->scaling;
    p->training = o->training;
    p->noise = o->training ? o->noise : NULL;
    p->log_std_min = o->log_std_min;
    p->log_std_max = o->log_std_max;
    p->action_size = n;
    size_t num_envs = o->struct_size >= ATHLETE_SIZE_THROUGH(athlete_actor_policy_options, num_envs) ? o->num_envs : 0;
    p->rows = num_envs ? num_envs : 1;
    athlete_rng_seed(&p->rng, o->seed, o->stream);
    p->unscaled = athlete_calloc((2 * p->rows + 1) * n, sizeof *p->unscaled);
    athlete_status st = ATHLETE_OK;
    if (!p->unscaled) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "actor policy: out of memory");
    } else {
        p->xi = p->unscaled + p->rows * n;
        p->noise_sample = p->xi + p->rows * n;
        st = athlete_mlp_workspace_create(o->actor, p->rows, &p->ws, err);
    }
    if (st != ATHLETE_OK) {
        policy_destroy(p);
        return st;
    }
    out->ops = o->training ? &training_ops : &evaluation_ops;
    out->self = p;
    return ATHLETE_OK;
}

athlete_status athlete_actor_policies_create(const athlete_actor_policy_options *training, athlete_parts *parts,
                                             athlete_error *err)
{
    if (training && training->struct_size < ACTOR_POLICY_OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "actor policies: options.struct_size is %zu, smaller than ABI 1.0's %zu",
                                 training->struct_size, (size_t)ACTOR_POLICY_OPTIONS_SIZE_1_0);
    if (!training || !parts)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policies: NULL or short options");
    /* An older caller's shorter struct: the members it lacks stay zero. */
    athlete_actor_policy_options o = {0};
    memcpy(&o, training, training->struct_size < sizeof o ? training->struct_size : sizeof o);
    o.struct_size = sizeof o;
    o.training = true;
    athlete_status st = athlete_actor_policy_create(&o, &parts->training_policy, err);
    if (st != ATHLETE_OK)
        return st;
    o.training = false;
    o.noise = NULL;
    return athlete_actor_policy_create(&o, &parts->evaluation_policy, err);
}

athlete_status athlete_actor_policy_set_gsde(athlete_policy *training_policy, athlete_gsde *gsde, athlete_error *err)
{
    if (!training_policy || !gsde || training_policy->ops != &training_ops)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy gsde: not an actor's training policy");
    actor_policy *p = training_policy->self;
    size_t n_widths;
    const size_t *widths = athlete_mlp_widths(p->actor, &n_widths);
    if (p->kind != ATHLETE_ACTOR_SQUASHED_GAUSSIAN || athlete_gsde_action_size(gsde) != p->action_size ||
        athlete_gsde_latent_size(gsde) != widths[n_widths - 2])
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "actor policy gsde: %zu latent features and %zu actions need a squashed Gaussian actor with as many (it has %zu and %zu)",
                                 athlete_gsde_latent_size(gsde), athlete_gsde_action_size(gsde), widths[n_widths - 2],
                                 p->action_size);
    p->gsde = gsde;
    return ATHLETE_OK;
}

athlete_status athlete_actor_policy_program(athlete_actor_kind kind, const athlete_mlp *actor,
                                            const athlete_action_scaling *scaling,
                                            athlete_policy_program *program, athlete_error *err)
{
    if (!actor || !scaling || !program)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "actor policy program: NULL argument");
    athlete_status st = athlete_policy_program_add_mlp(program, actor, err);
    if (st != ATHLETE_OK)
        return st;
    program->head = ATHLETE_PROGRAM_HEAD_VALUES;
    program->output_tanh = kind == ATHLETE_ACTOR_SQUASHED_GAUSSIAN;
    program->action_scale = athlete_action_scaling_scale(scaling);
    program->action_offset = athlete_action_scaling_offset(scaling);
    program->summary = kind == ATHLETE_ACTOR_SQUASHED_GAUSSIAN
                           ? "the squashed Gaussian actor's mode tanh(mean), scaled to the action bounds"
                           : "the deterministic actor, scaled to the action bounds";
    return ATHLETE_OK;
}

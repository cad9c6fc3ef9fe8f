/* Proximal Policy Optimisation: the defaults, the checks, the policies, the
 * checkpoint records and the wiring. The learning step is in ppo-update.c; the rollout
 * collector, GAE and the distributions come from the SDK.
 *
 * Beyond the original (continuous only): a Discrete action space gets a categorical
 * policy (the actor outputs logits) under the same id; its evaluation policy is the
 * first maximal logit. Kept from the original, documented: truncation counts
 * as termination in GAE (no bootstrap at time limits), and Gaussian actions are neither
 * squashed nor clipped (the runner and the CLI clip Box actions to the bounds before the
 * environment steps; the rollout stores the unclipped sample, whose log π it knows). */
#include "ppo-private.h"

#include <athlete/alloc.h>
#include <athlete/distributions.h>
#include <athlete/noise.h>
#include <athlete/plugin.h>
#include <athlete/policy-program.h>

#include <math.h>

#include "noise-keys.h"
#include <stdio.h>
#include <string.h>

/* RNG streams of the agent's seed, one per random component. */
enum { STREAM_INIT = 1, STREAM_TRAINING_POLICY = 2, STREAM_MINIBATCHES = 3, STREAM_NOISE = 4 };
/* Environment i > 0's noise process draws from stream STREAM_ENV_NOISE + i (environment 0
 * keeps STREAM_NOISE: one environment is the single-environment agent). */
#define STREAM_ENV_NOISE UINT64_C(0x4e6f697365000000)

#define MAX_WIDTH 65536

/* ---- configuration ----
 * The original's keys and defaults. Dropped because they have no C meaning: the
 * *_class keys (one network type, one optimiser), "device", the networks'
 * "init_state_dict_path" and the space placeholders (the spaces come from the agent).
 * null switches value clipping / gradient clipping off; a number switches it on. */

typedef struct ppo_settings {
    double discount, lambda, lr, adam_eps, clip, value_clip, value_coefficient, entropy_coefficient, max_grad_norm;
    int64_t steps, batch, epochs, max_parameters;
    bool normalize_advantage, normalize_observations;
    athlete_config_sizes value_hidden, actor_hidden;
    actor_critic_noise noise; /* kind -1: i.i.d. Gaussian draws */
} ppo_settings;

static const athlete_config_key ppo_keys[] = {
    {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, discount),
     .default_value = 0.99, .min = 0, .max = 1, .description = "discount factor of future rewards (gamma)"},
    {.name = "value_network_arguments.hidden_dims", .type = ATHLETE_CONFIG_SIZES,
     ATHLETE_CONFIG_FIELD(ppo_settings, value_hidden), .default_sizes = (const size_t[]){64, 64}, .default_count = 2, .max_count = 8,
     .min = 1, .max = MAX_WIDTH, .description = "widths of the value network's hidden layers (tanh)"},
    {.name = "actor_network_arguments.hidden_dims", .type = ATHLETE_CONFIG_SIZES,
     ATHLETE_CONFIG_FIELD(ppo_settings, actor_hidden), .default_sizes = (const size_t[]){64, 64}, .default_count = 2, .max_count = 8,
     .min = 1, .max = MAX_WIDTH, .description = "widths of the actor's hidden layers (tanh)"},
    {.name = "steps_per_update", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(ppo_settings, steps),
     .default_value = 1024, .min = 1, .max = INFINITY, .limit = 1e7, .rule = ">= 1 (the rollout length)",
     .description = "interactions collected per rollout, then one update"},
    {.name = "mini_batch_size", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(ppo_settings, batch),
     .default_value = 256, .min = 1, .max = INFINITY, .limit = 1e7,
     .description = "rollout steps per gradient step (at most steps_per_update are used)"},
    {.name = "optimizer_arguments.lr", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, lr),
     .default_value = 3e-4, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1e30,
     .description = "Adam learning rate"},
    {.name = "optimizer_arguments.eps", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, adam_eps),
     .default_value = 1e-5, .min = 0, .max = INFINITY, .limit = 1, .description = "Adam's epsilon"},
    {.name = "generalized_advantage_estimation_lambda", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(ppo_settings, lambda), .default_value = 0.95, .min = 0, .max = 1,
     .description = "GAE lambda: bias (0) against variance (1) of the advantages"},
    {.name = "epochs_per_update", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(ppo_settings, epochs),
     .default_value = 10, .min = 1, .max = INFINITY, .limit = 10000,
     .description = "passes over the rollout per update"},
    {.name = "policy_ratio_clip_value", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, clip),
     .default_value = 0.2, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 10,
     .rule = "> 0 (the ratio is clipped to [1 - clip, 1 + clip])",
     .description = "the surrogate's clip range epsilon"},
    {.name = "value_loss_clip_value", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, value_clip),
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 0,
     .min = 0, .max = INFINITY, .limit = 1e6, .rule = "> 0 or null (no value clipping)",
     .description = "clip range of the value prediction around the rollout's (null: none)"},
    {.name = "value_loss_coefficient", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(ppo_settings, value_coefficient), .default_value = 0.5, .min = 0, .max = INFINITY,
     .limit = 1e6, .description = "weight of the value loss"},
    {.name = "entropy_loss_coefficient", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(ppo_settings, entropy_coefficient), .default_value = 0.0, .min = 0, .max = INFINITY,
     .limit = 1e6, .description = "weight of the entropy bonus"},
    {.name = "batch_normalize_advantage", .type = ATHLETE_CONFIG_BOOL,
     ATHLETE_CONFIG_FIELD(ppo_settings, normalize_advantage), .default_value = 1,
     .description = "normalise the advantages of each minibatch"},
    {.name = "gradient_max_norm", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(ppo_settings, max_grad_norm),
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_MIN_OPEN, .default_value = 0.5, .absent = 0, .min = 0,
     .max = INFINITY, .limit = 1e6, .rule = "> 0 or null (no clipping)",
     .description = "clip the gradient's global norm to this (null: no clipping)"},
    {.name = "normalize_observations", .type = ATHLETE_CONFIG_BOOL,
     ATHLETE_CONFIG_FIELD(ppo_settings, normalize_observations), .default_value = 0,
     .description = "normalise observations by running mean and variance (saved with the policy)"},
    ACTOR_CRITIC_OPTIONAL_NOISE_KEYS(ppo_settings, noise),
    ATHLETE_CONFIG_MAX_PARAMETERS_KEY(ppo_settings, max_parameters),
};
ATHLETE_CONFIG_TABLE_DEFINE(ppo_config, ppo_settings, ppo_keys);

/* ---- policies ---- */

typedef struct ppo_policy {
    ppo_state *state;
    athlete_rng rng;  /* training policy only */
    float *log_probs; /* num_envs: each row's info "log_prob" array (one float, the sum over dimensions) */
    athlete_noise **noise; /* training policy, Box actions, "noise_process_class" set: one process
                            * per environment (each its own stream, restarted with its episodes); owned */
    float *xi;             /* output_size standard-normal draws from a noise process */
} ppo_policy;

/* The actor's outputs for n observation rows (normalised first when configured). */
static const float *actor_rows(ppo_state *s, const float *observations, size_t n)
{
    if (s->obs_norm) {
        athlete_normalizer_apply(s->obs_norm, observations, s->act_obs, n);
        observations = s->act_obs;
    }
    return athlete_mlp_forward(s->actor, s->act_ws, observations, n);
}

static const float *actor_row(ppo_state *s, const float *observation) { return actor_rows(s, observation, 1); }

/* One row's action from the actor's output row; the training policy samples (rows in
 * order from one stream, so one row draws what a single-environment agent draws). */
static void sample_row(ppo_policy *p, size_t row, const float *out, float *action, float *log_prob_out)
{
    ppo_state *s = p->state;
    double log_prob;
    if (s->discrete) {
        size_t index = athlete_categorical_sample(&p->rng, out, s->output_size);
        log_prob = athlete_categorical_log_prob(out, s->output_size, index);
        /* A diverged network must not hide behind a valid index: NaN is reported by the core. */
        action[0] = isfinite(log_prob) ? (float)(s->action_start + (int64_t)index) : NAN;
    } else {
        if (p->noise) { /* N(mu, sigma^2) still, but successive draws correlated in time */
            athlete_noise_sample(p->noise[row], p->xi);
            for (size_t j = 0; j < s->output_size; j++)
                action[j] = (float)((double)out[j] + exp((double)s->log_std[j]) * (double)p->xi[j]);
        } else {
            athlete_gaussian_sample(&p->rng, out, s->log_std, s->output_size, action);
        }
        log_prob = athlete_gaussian_log_prob(action, out, s->log_std, s->output_size);
        /* A collapsed or exploded standard deviation gives a finite action whose log
         * probability is NaN or infinite: the rollout could not learn from it. */
        if (!isfinite(log_prob))
            action[0] = NAN;
    }
    *log_prob_out = (float)log_prob;
}

static void mode_row(const ppo_state *s, const float *out, float *action)
{
    if (s->discrete) {
        bool finite = true;
        for (size_t j = 0; j < s->output_size; j++)
            finite = finite && isfinite(out[j]);
        action[0] = finite ? (float)(s->action_start + (int64_t)athlete_categorical_mode(out, s->output_size)) : NAN;
    } else {
        memcpy(action, out, s->output_size * sizeof(float)); /* the mean, unsquashed, as the original */
    }
}

static athlete_status training_act(void *self, const float *observation, const athlete_clock *clock,
                                   float *action, athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)err;
    ppo_policy *p = self;
    sample_row(p, 0, actor_row(p->state, observation), action, &p->log_probs[0]);
    athlete_info_set_reals(info, "log_prob", &p->log_probs[0], 1);
    return ATHLETE_OK;
}

static athlete_status training_act_batch(void *self, const float *observations, size_t n, const bool *first,
                                         const athlete_clock *clock, float *actions, athlete_info *infos,
                                         athlete_error *err)
{
    (void)clock;
    ppo_policy *p = self;
    ppo_state *s = p->state;
    if (n > s->num_envs)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "ppo: %zu rows for a policy of %zu", n, s->num_envs);
    const float *out = actor_rows(s, observations, n);
    for (size_t i = 0; i < n; i++) {
        if (p->noise && first[i]) /* environment i's episode starts: its process restarts */
            athlete_noise_reset(p->noise[i]);
        sample_row(p, i, out + i * s->output_size, actions + i * s->action_size, &p->log_probs[i]);
        athlete_info_set_reals(&infos[i], "log_prob", &p->log_probs[i], 1);
    }
    return ATHLETE_OK;
}

static athlete_status evaluation_act(void *self, const float *observation, const athlete_clock *clock,
                                     float *action, athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)info;
    (void)err;
    ppo_policy *p = self;
    mode_row(p->state, actor_row(p->state, observation), action);
    return ATHLETE_OK;
}

static athlete_status evaluation_act_batch(void *self, const float *observations, size_t n, const bool *first,
                                           const athlete_clock *clock, float *actions, athlete_info *infos,
                                           athlete_error *err)
{
    (void)first;
    (void)clock;
    (void)infos;
    ppo_policy *p = self;
    ppo_state *s = p->state;
    if (n > s->num_envs)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "ppo: %zu rows for a policy of %zu", n, s->num_envs);
    const float *out = actor_rows(s, observations, n);
    for (size_t i = 0; i < n; i++)
        mode_row(s, out + i * s->output_size, actions + i * s->action_size);
    return ATHLETE_OK;
}

/* The noise process restarts with every episode. */
static athlete_status training_reset_act(void *self, const float *observation, const athlete_clock *clock,
                                         float *action, athlete_info *info, athlete_error *err)
{
    ppo_policy *p = self;
    if (p->noise)
        athlete_noise_reset(p->noise[0]);
    return training_act(self, observation, clock, action, info, err);
}

/* Environment i's noise records: "noise" for environment 0 (as a single-environment
 * agent's), "noise_i" for the others. */
static void noise_name(size_t i, char *name, size_t size)
{
    if (i == 0)
        snprintf(name, size, "noise");
    else
        snprintf(name, size, "noise_%zu", i);
}

static athlete_status policy_save(void *self, athlete_writer *w, athlete_error *err)
{
    ppo_policy *p = self;
    athlete_status st = athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &p->rng, sizeof p->rng, err);
    for (size_t i = 0; st == ATHLETE_OK && p->noise && i < p->state->num_envs; i++) {
        char name[32];
        noise_name(i, name, sizeof name);
        st = athlete_noise_save(p->noise[i], w, name, err);
    }
    return st;
}

static athlete_status policy_load(void *self, athlete_reader *r, athlete_error *err)
{
    ppo_policy *p = self;
    athlete_status st = athlete_reader_get_rng(r, "rng", &p->rng, err);
    for (size_t i = 0; st == ATHLETE_OK && p->noise && i < p->state->num_envs; i++) {
        char name[32];
        noise_name(i, name, sizeof name);
        st = athlete_noise_load(p->noise[i], r, name, err);
    }
    return st;
}

static void policy_destroy(void *self)
{
    ppo_policy *p = self;
    if (!p)
        return;
    for (size_t i = 0; p->noise && i < p->state->num_envs; i++)
        athlete_noise_destroy(p->noise[i]);
    athlete_free(p->noise);
    athlete_free(p->xi);
    athlete_free(p->log_probs);
    athlete_free(p);
}

static const athlete_policy_ops training_policy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = training_act,
    .reset_act = training_reset_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
    .act_batch = training_act_batch,
};

static const athlete_policy_ops evaluation_policy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = evaluation_act,
    .destroy = policy_destroy, /* deterministic: nothing to save */
    .act_batch = evaluation_act_batch,
};

/* ---- updatables: buffer preparation (GAE), then the gradient update, in that order ---- */

typedef struct ppo_rollout_update {
    ppo_state *state;
    uint64_t last_data_points; /* the original's ppo_buffer_last_datapoint_updated_on */
} ppo_rollout_update;

static bool rollout_ready(void *self, const athlete_clock *clock)
{
    const ppo_rollout_update *u = self;
    return clock->data_points > u->last_data_points;
}

static athlete_status rollout_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    (void)log;
    ppo_rollout_update *u = self;
    u->last_data_points = clock->data_points;
    const athlete_rollout *rollout = athlete_rollout_collector_latest(&u->state->collector);
    if (!rollout)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "no complete rollout to prepare");
    ppo_prepare_rollout(u->state, rollout);
    return ATHLETE_OK;
}

typedef struct ppo_gradient_update {
    ppo_state *state;
    uint64_t last_data_points; /* the original's ppo_update_last_datapoint_updated_on */
    athlete_rng rng;           /* the minibatch permutations */
} ppo_gradient_update;

static bool gradient_ready(void *self, const athlete_clock *clock)
{
    const ppo_gradient_update *u = self;
    return athlete_clock_warmup_done(clock) && clock->data_points > u->last_data_points;
}

static athlete_status gradient_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    ppo_gradient_update *u = self;
    ppo_state *s = u->state;
    u->last_data_points = clock->data_points;
    const athlete_rollout *rollout = athlete_rollout_collector_latest(&s->collector);
    if (!rollout)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "no complete rollout to learn from");
    ppo_losses losses;
    athlete_status st = ppo_optimize(s, rollout, &u->rng, &losses, err);
    if (st != ATHLETE_OK)
        return st;
    if (s->obs_norm) /* the next rollout acts on statistics that include this one */
        athlete_normalizer_update(s->obs_norm, rollout->observations, s->num_envs * (s->steps + 1));
    athlete_info_set_real(log, "policy_loss", losses.policy_loss);
    athlete_info_set_real(log, "value_loss", losses.value_loss);
    athlete_info_set_real(log, "entropy_loss", losses.entropy_loss);
    athlete_info_set_real(log, "loss", losses.loss);
    athlete_info_set_real(log, "approx_kl", losses.approx_kl);
    athlete_info_set_real(log, "clip_fraction", losses.clip_fraction);
    return ATHLETE_OK;
}

static athlete_status rollout_save(void *self, athlete_writer *w, athlete_error *err)
{
    ppo_rollout_update *u = self;
    return athlete_writer_put(w, "last_data_points", ATHLETE_RECORD_U64, &u->last_data_points, 1, err);
}

static athlete_status rollout_load(void *self, athlete_reader *r, athlete_error *err)
{
    ppo_rollout_update *u = self;
    athlete_status st = athlete_reader_get(r, "last_data_points", ATHLETE_RECORD_U64, &u->last_data_points, 1, err);
    const athlete_clock *clock = athlete_reader_clock(r);
    if (st == ATHLETE_OK && clock && u->last_data_points != clock->data_points)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the rollout update has taken %llu rollouts, the clock counts %llu",
                                 (unsigned long long)u->last_data_points, (unsigned long long)clock->data_points);
    return st;
}

static athlete_status gradient_save(void *self, athlete_writer *w, athlete_error *err)
{
    ppo_gradient_update *u = self;
    athlete_status st = athlete_writer_put(w, "last_data_points", ATHLETE_RECORD_U64, &u->last_data_points, 1, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &u->rng, sizeof u->rng, err);
    return st;
}

static athlete_status gradient_load(void *self, athlete_reader *r, athlete_error *err)
{
    ppo_gradient_update *u = self;
    athlete_status st = athlete_reader_get(r, "last_data_points", ATHLETE_RECORD_U64, &u->last_data_points, 1, err);
    const athlete_clock *clock = athlete_reader_clock(r);
    if (st == ATHLETE_OK && clock && u->last_data_points > clock->data_points)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the PPO update has seen %llu rollouts, the clock counts %llu",
                                 (unsigned long long)u->last_data_points, (unsigned long long)clock->data_points);
    if (st == ATHLETE_OK)
        st = athlete_reader_get_rng(r, "rng", &u->rng, err);
    return st;
}

static void update_destroy(void *self) { athlete_free(self); }

static const athlete_updatable_ops rollout_update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "rollout_buffer",
    .ready = rollout_ready,
    .update = rollout_run,
    .save = rollout_save,
    .load = rollout_load,
    .destroy = update_destroy,
};

static const athlete_updatable_ops gradient_update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "gradient",
    .ready = gradient_ready,
    .update = gradient_run,
    .save = gradient_save,
    .load = gradient_load,
    .destroy = update_destroy,
};

/* ---- shared state: networks, log σ, Adam ---- */

static athlete_status save_actor(const ppo_state *s, athlete_writer *w, athlete_error *err)
{
    athlete_status st = athlete_writer_put(w, "actor", ATHLETE_RECORD_F32, athlete_mlp_params(s->actor),
                                           athlete_mlp_param_count(s->actor), err);
    if (st == ATHLETE_OK && !s->discrete)
        st = athlete_writer_put(w, "log_std", ATHLETE_RECORD_F32, s->log_std, s->output_size, err);
    if (st == ATHLETE_OK && s->obs_norm)
        st = athlete_normalizer_save(s->obs_norm, "observation_normalizer", w, err);
    return st;
}

static athlete_status load_actor(ppo_state *s, athlete_reader *r, athlete_error *err)
{
    athlete_status st = athlete_reader_get(r, "actor", ATHLETE_RECORD_F32, athlete_mlp_params(s->actor),
                                           athlete_mlp_param_count(s->actor), err);
    if (st == ATHLETE_OK && !s->discrete)
        st = athlete_reader_get(r, "log_std", ATHLETE_RECORD_F32, s->log_std, s->output_size, err);
    if (st == ATHLETE_OK && s->obs_norm)
        st = athlete_normalizer_load(s->obs_norm, "observation_normalizer", r, err);
    return st;
}

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    ppo_state *s = state;
    if (s->inference_only)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "ppo: an inference-only agent has no training state");
    size_t groups = athlete_adam_group_count(s->adam);
    uint64_t steps[3];
    for (size_t g = 0; g < groups; g++)
        steps[g] = athlete_adam_step_count(s->adam, g);
    size_t n = athlete_adam_state_count(s->adam);
    athlete_status st;
    if ((st = save_actor(s, w, err)) ||
        (st = athlete_writer_put(w, "value", ATHLETE_RECORD_F32, athlete_mlp_params(s->value),
                                 athlete_mlp_param_count(s->value), err)) ||
        (st = athlete_writer_put(w, "adam.m", ATHLETE_RECORD_F32, athlete_adam_exp_avg(s->adam), n, err)) ||
        (st = athlete_writer_put(w, "adam.v", ATHLETE_RECORD_F32, athlete_adam_exp_avg_sq(s->adam), n, err)))
        return st;
    return athlete_writer_put(w, "adam.steps", ATHLETE_RECORD_U64, steps, groups, err);
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    ppo_state *s = state;
    if (s->inference_only)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "ppo: an inference-only agent has no training state");
    size_t groups = athlete_adam_group_count(s->adam);
    uint64_t steps[3];
    size_t n = athlete_adam_state_count(s->adam);
    athlete_status st;
    if ((st = load_actor(s, r, err)) ||
        (st = athlete_reader_get(r, "value", ATHLETE_RECORD_F32, athlete_mlp_params(s->value),
                                 athlete_mlp_param_count(s->value), err)) ||
        (st = athlete_reader_get(r, "adam.m", ATHLETE_RECORD_F32, athlete_adam_exp_avg(s->adam), n, err)) ||
        (st = athlete_reader_get(r, "adam.v", ATHLETE_RECORD_F32, athlete_adam_exp_avg_sq(s->adam), n, err)) ||
        (st = athlete_reader_get(r, "adam.steps", ATHLETE_RECORD_U64, steps, groups, err)))
        return st;
    for (size_t g = 0; g < groups; g++)
        athlete_adam_set_step_count(s->adam, g, steps[g]);
    return ATHLETE_OK;
}

/* Policy files: the actor and log σ (the evaluation policy needs only the actor; log σ
 * is a handful of floats and keeps the file a complete description of the policy). */
static athlete_status state_save_policy(void *state, athlete_writer *w, athlete_error *err)
{
    return save_actor(state, w, err);
}

static athlete_status state_load_policy(void *state, athlete_reader *r, athlete_error *err)
{
    return load_actor(state, r, err);
}

/* For export: the evaluation policy is the actor's mode, the categorical's first maximal
 * logit or the Gaussian's mean (unsquashed, unclipped, as evaluation_act). */
static athlete_status state_describe_policy(void *state, athlete_policy_program *program, athlete_error *err)
{
    ppo_state *s = state;
    program->summary = s->discrete ? "the categorical policy's mode: the first maximal logit of the actor"
                                   : "the Gaussian policy's mean: the actor's output, unsquashed and unclipped";
    program->head = s->discrete ? ATHLETE_PROGRAM_HEAD_ARGMAX : ATHLETE_PROGRAM_HEAD_VALUES;
    return athlete_policy_program_add_mlp(program, s->actor, err);
}

static void state_destroy(void *state)
{
    ppo_state *s = state;
    if (!s)
        return;
    athlete_adam_destroy(s->adam);
    athlete_mlp_workspace_destroy(s->act_ws);
    athlete_mlp_workspace_destroy(s->actor_ws);
    athlete_mlp_workspace_destroy(s->value_ws);
    athlete_mlp_destroy(s->actor);
    athlete_mlp_destroy(s->value);
    athlete_free(s->log_std);
    athlete_free(s->log_std_grad);
    athlete_free(s->values);
    athlete_free(s->advantages);
    athlete_free(s->returns);
    athlete_free(s->perm);
    athlete_free(s->mb_obs);
    athlete_free(s->mb_adv);
    athlete_free(s->d_actor);
    athlete_free(s->d_value);
    athlete_normalizer_destroy(s->obs_norm);
    athlete_free(s->act_obs);
    athlete_free(s->value_obs);
    athlete_free(s);
}

static const athlete_state_ops ppo_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save_policy,
    .load_policy = state_load_policy,
    .describe_policy = state_describe_policy,
};

/* ---- extension methods ---- */

static double method_clip_range(void *state)
{
    const ppo_state *s = state;
    return s->clip;
}

static double method_log_std(void *state, int64_t dimension)
{
    const ppo_state *s = state;
    if (s->discrete || dimension < 0 || (size_t)dimension >= s->output_size)
        return NAN; /* reported as null */
    return s->log_std[dimension];
}

static int64_t method_rollout_steps(void *state)
{
    const ppo_state *s = state;
    return (int64_t)athlete_rollout_collector_count(&s->collector);
}

static const athlete_method ppo_methods[] = {
    {"clip_range", "d()", (athlete_method_fn)method_clip_range, "the policy ratio clip value epsilon"},
    {"log_std", "d(i)", (athlete_method_fn)method_log_std,
     "log sigma of one action dimension (continuous actions; null otherwise)"},
    {"rollout_steps", "i()", (athlete_method_fn)method_rollout_steps,
     "transitions collected in the current rollout (an update runs when it reaches steps_per_update)"},
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

static athlete_status no_memory(athlete_error *err, const char *what)
{
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "ppo: out of memory for %s", what);
}

/* obs → hidden… → outputs, tanh between layers, orthogonal init (as the original). */
static size_t widths_of(const athlete_config_sizes *hidden, size_t inputs, size_t outputs, size_t *widths)
{
    widths[0] = inputs;
    memcpy(widths + 1, hidden->values, hidden->count * sizeof *widths);
    widths[hidden->count + 1] = outputs;
    return hidden->count + 2;
}

/* The value network, the actor and log σ, against max_parameters. */
static athlete_status check_parameters(const athlete_config *config, const ppo_settings *cfg, size_t inputs,
                                       size_t outputs, athlete_error *err)
{
    size_t widths[ATHLETE_CONFIG_MAX_SIZES + 2];
    uint64_t value = athlete_config_mlp_parameters(widths, widths_of(&cfg->value_hidden, inputs, 1, widths));
    uint64_t actor = athlete_config_mlp_parameters(widths, widths_of(&cfg->actor_hidden, inputs, outputs, widths));
    uint64_t total = value > UINT64_MAX - actor - outputs ? UINT64_MAX : value + actor + outputs;
    return athlete_config_check_parameters(config, total, cfg->max_parameters, err);
}

/* rng NULL: the weights are loaded from a file next, so the initialisation is skipped. */
static athlete_status make_network(const athlete_config_sizes *hidden, size_t inputs, size_t outputs,
                                   athlete_rng *rng, double output_gain, athlete_mlp **out, athlete_error *err)
{
    size_t widths[ATHLETE_CONFIG_MAX_SIZES + 2];
    athlete_status st =
        athlete_mlp_create(widths, widths_of(hidden, inputs, outputs, widths), ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, out, err);
    if (st == ATHLETE_OK && rng)
        st = athlete_mlp_init_orthogonal(*out, rng, sqrt(2.0), output_gain, err);
    return st;
}

static athlete_status apply_settings(ppo_state *s, const ppo_settings *cfg, athlete_error *err)
{
    s->discount = cfg->discount;
    s->lambda = cfg->lambda;
    s->lr = cfg->lr;
    s->adam_eps = cfg->adam_eps;
    s->clip = cfg->clip;
    s->value_coefficient = cfg->value_coefficient;
    s->entropy_coefficient = cfg->entropy_coefficient;
    s->normalize_advantage = cfg->normalize_advantage;
    s->normalize_observations = cfg->normalize_observations;
    s->steps = (size_t)cfg->steps;
    if (s->steps > SIZE_MAX / 2 / s->num_envs)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "ppo config: 'steps_per_update' %zu x %zu environments is too large", s->steps,
                                 s->num_envs);
    s->transitions = s->steps * s->num_envs; /* a rollout: steps_per_update per environment */
    s->mini_batch = (size_t)cfg->batch < s->transitions ? (size_t)cfg->batch : s->transitions;
    s->epochs = (size_t)cfg->epochs;
    s->value_clipping = cfg->value_clip > 0; /* null reads as 0 */
    s->value_clip = cfg->value_clip;
    s->grad_clipping = cfg->max_grad_norm > 0;
    s->max_grad_norm = cfg->max_grad_norm;
    return ATHLETE_OK;
}

/* The training-only half: value network, Adam, update buffers, updatables. */
static athlete_status build_training(ppo_state *s, const athlete_build_args *args, athlete_parts *parts,
                                     athlete_error *err)
{
    athlete_status st;
    size_t b = s->mini_batch;
    s->values = athlete_calloc(s->num_envs * (s->steps + 1), sizeof(float));
    s->advantages = athlete_calloc(s->transitions, sizeof(float));
    s->returns = athlete_calloc(s->transitions, sizeof(float));
    s->perm = athlete_calloc(s->transitions, sizeof(size_t));
    s->mb_obs = athlete_calloc(b * s->observation_size, sizeof(float));
    s->mb_adv = athlete_calloc(b, sizeof(float));
    s->d_actor = athlete_calloc(b * s->output_size, sizeof(float));
    s->d_value = athlete_calloc(b, sizeof(float));
    if (!s->values || !s->advantages || !s->returns || !s->perm || !s->mb_obs || !s->mb_adv || !s->d_actor ||
        !s->d_value)
        return no_memory(err, "the minibatch buffer");
    if ((st = athlete_mlp_workspace_create(s->actor, b, &s->actor_ws, err)) ||
        (st = athlete_mlp_workspace_create(s->value, b, &s->value_ws, err)))
        return st;
    /* One optimiser, groups actor (with log σ, a parameter of the original's actor), then value. */
    athlete_adam_group groups[3];
    size_t n = 0;
    groups[n++] = athlete_adam_group_default(athlete_mlp_params(s->actor), athlete_mlp_grads(s->actor),
                                             athlete_mlp_param_count(s->actor), s->lr);
    if (!s->discrete)
        groups[n++] = athlete_adam_group_default(s->log_std, s->log_std_grad, s->output_size, s->lr);
    groups[n++] = athlete_adam_group_default(athlete_mlp_params(s->value), athlete_mlp_grads(s->value),
                                             athlete_mlp_param_count(s->value), s->lr);
    for (size_t g = 0; g < n; g++)
        groups[g].eps = s->adam_eps;
    if ((st = athlete_adam_create(groups, n, &s->adam, err)))
        return st;
    ppo_rollout_update *prepare = athlete_calloc(1, sizeof *prepare);
    if (!prepare)
        return no_memory(err, "the rollout update");
    prepare->state = s;
    athlete_parts_add_updatable(parts, &rollout_update_ops, prepare);
    ppo_gradient_update *gradient = athlete_calloc(1, sizeof *gradient);
    if (!gradient)
        return no_memory(err, "the gradient update");
    gradient->state = s;
    athlete_rng_seed(&gradient->rng, args->seed, STREAM_MINIBATCHES);
    athlete_parts_add_updatable(parts, &gradient_update_ops, gradient);
    return ATHLETE_OK;
}

/* Both policies share the actor; only the training policy draws from its stream (and
 * from its noise process when one is configured). */
static athlete_status make_policy(ppo_state *s, const athlete_policy_ops *ops, const actor_critic_noise *noise,
                                  uint64_t seed, athlete_policy *out, athlete_error *err)
{
    ppo_policy *p = athlete_calloc(1, sizeof *p);
    if (!p)
        return no_memory(err, "a policy");
    p->log_probs = athlete_calloc(s->num_envs, sizeof *p->log_probs);
    if (!p->log_probs) {
        policy_destroy(p);
        return no_memory(err, "a policy");
    }
    p->state = s;
    athlete_rng_seed(&p->rng, seed, STREAM_TRAINING_POLICY);
    out->ops = ops;
    out->self = p;
    if (ops != &training_policy_ops || noise->kind < 0)
        return ATHLETE_OK;
    if (s->discrete)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "ppo config: 'noise_process_class' needs a Box action space (a categorical policy "
                                 "draws no Gaussian noise); set it to null");
    if (!(p->xi = athlete_calloc(s->output_size, sizeof *p->xi)) ||
        !(p->noise = athlete_calloc(s->num_envs, sizeof *p->noise)))
        return no_memory(err, "the noise draws");
    athlete_status st = ATHLETE_OK;
    for (size_t i = 0; i < s->num_envs && st == ATHLETE_OK; i++) {
        athlete_noise_options options =
            actor_critic_noise_options(noise, s->output_size, seed, i == 0 ? STREAM_NOISE : STREAM_ENV_NOISE + i);
        st = athlete_noise_create(&options, &p->noise[i], err);
    }
    return st;
}

/* Fills parts; on failure the caller destroys whatever was attached (no goto). */
static athlete_status build_parts(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    ppo_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return no_memory(err, "its state");
    parts->state = s;
    parts->state_ops = &ppo_state_ops;
    const athlete_space *os = args->observation_space, *as = args->action_space;
    s->observation_size = athlete_space_flat_size(os);
    s->discrete = as->kind == ATHLETE_SPACE_DISCRETE;
    s->action_size = athlete_space_flat_size(as);
    s->output_size = s->discrete ? (size_t)as->n : s->action_size;
    s->action_start = s->discrete ? as->start : 0;
    s->inference_only = args->inference_only;
    s->num_envs = athlete_build_num_envs(args);
    ppo_settings cfg;
    athlete_status st = athlete_config_table_read(&ppo_config, args->config, &cfg, err);
    if (st == ATHLETE_OK)
        st = check_parameters(args->config, &cfg, s->observation_size, s->output_size, err);
    if (st == ATHLETE_OK)
        st = apply_settings(s, &cfg, err);
    if (st != ATHLETE_OK)
        return st;
    if (s->normalize_observations) {
        if ((st = athlete_normalizer_create(s->observation_size, 10.0, &s->obs_norm, err)))
            return st;
        s->act_obs = athlete_calloc(s->num_envs * s->observation_size, sizeof(float));
        s->value_obs = athlete_calloc(s->mini_batch * s->observation_size, sizeof(float));
        if (!s->act_obs || !s->value_obs)
            return no_memory(err, "the observation normaliser");
    }
    if (!s->discrete) {
        s->log_std = athlete_calloc(s->output_size, sizeof(float)); /* log σ = 0 */
        s->log_std_grad = athlete_calloc(s->output_size, sizeof(float));
        if (!s->log_std || !s->log_std_grad)
            return no_memory(err, "log sigma");
    }
    /* Construction order of the original: value network, then actor (one init stream). */
    athlete_rng init_stream, *init = athlete_build_loading(args) ? NULL : &init_stream;
    athlete_rng_seed(&init_stream, args->seed, STREAM_INIT);
    if (!s->inference_only &&
        (st = make_network(&cfg.value_hidden, s->observation_size, 1, init, 1.0, &s->value, err)))
        return st;
    if ((st = make_network(&cfg.actor_hidden, s->observation_size, s->output_size, init, 0.01, &s->actor, err)) ||
        (st = athlete_mlp_workspace_create(s->actor, s->num_envs, &s->act_ws, err)))
        return st;
    /* A policy-only agent never trains: a one-step rollout keeps the required collector small. */
    if ((st = athlete_rollout_collector_create_vector(s->observation_size, s->action_size,
                                                      s->inference_only ? 1 : s->steps, s->num_envs, "log_prob",
                                                      &parts->collector, err)))
        return st;
    s->collector = parts->collector;
    if (!s->inference_only && (st = build_training(s, args, parts, err)))
        return st;
    if ((st = make_policy(s, &training_policy_ops, &cfg.noise, args->seed, &parts->training_policy, err)) ||
        (st = make_policy(s, &evaluation_policy_ops, &cfg.noise, args->seed, &parts->evaluation_policy, err)))
        return st;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    char described[128];
    const athlete_space *os = args->observation_space, *as = args->action_space;
    if (os->kind != ATHLETE_SPACE_BOX)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "ppo needs a Box observation space, got %s",
                                 athlete_space_describe(os, described, sizeof described));
    if (as->kind != ATHLETE_SPACE_BOX && as->kind != ATHLETE_SPACE_DISCRETE)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "ppo needs a Box or Discrete action space, got %s",
                                 athlete_space_describe(as, described, sizeof described));
    if (as->kind == ATHLETE_SPACE_DISCRETE && as->n > MAX_WIDTH)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "ppo supports at most %d discrete actions, got %s", MAX_WIDTH,
                                 athlete_space_describe(as, described, sizeof described));
    athlete_status st = build_parts(args, parts, err);
    if (st != ATHLETE_OK)
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm ppo_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "ppo",
    .summary = "Proximal Policy Optimisation: clipped surrogate, GAE; Gaussian (Box) or categorical (Discrete) policy",
    .build = build,
    .methods = ppo_methods,
    .config_table = &ppo_config,
};

ATHLETE_PLUGIN_DEFINE(ppo, "1.0.0", "Proximal Policy Optimisation", &ppo_algorithm)

/* Proximal Policy Optimisation (spec §7.6): the defaults, the checks, the policies, the
 * checkpoint records and the wiring. The learning step is in ppo-update.c; the rollout
 * collector, GAE and the distributions come from the SDK.
 *
 * Beyond the original (continuous only): a Discrete action space gets a categorical
 * policy (the actor outputs logits) under the same id; its evaluation policy is the
 * first maximal logit. Kept from the original, documented (spec Q7): truncation counts
 * as termination in GAE (no bootstrap at time limits), and Gaussian actions are neither
 * squashed nor clipped (the runner and the CLI clip Box actions to the bounds before the
 * environment steps; the rollout stores the unclipped sample, whose log π it knows). */
#include "ppo-private.h"

#include <athlete/alloc.h>
#include <athlete/distributions.h>
#include <athlete/plugin.h>

#include <math.h>
#include <string.h>

/* The original's keys and defaults. Dropped because they have no C meaning: the
 * *_class keys (one network type, one optimiser), "device", the networks'
 * "init_state_dict_path" and the space placeholders (the spaces come from the agent). */
static const char ppo_defaults[] =
    "{\"discount\": 0.99,"
    " \"value_network_arguments\": {\"hidden_dims\": [64, 64]},"
    " \"actor_network_arguments\": {\"hidden_dims\": [64, 64]},"
    " \"steps_per_update\": 1024,"
    " \"mini_batch_size\": 256,"
    " \"optimizer_arguments\": {\"lr\": 3e-4, \"eps\": 1e-5},"
    " \"generalized_advantage_estimation_lambda\": 0.95,"
    " \"epochs_per_update\": 10,"
    " \"policy_ratio_clip_value\": 0.2,"
    " \"value_loss_clip_value\": null,"
    " \"value_loss_coefficient\": 0.5,"
    " \"entropy_loss_coefficient\": 0.0,"
    " \"batch_normalize_advantage\": true,"
    " \"gradient_max_norm\": 0.5,"
    " \"normalize_observations\": false}";

/* null switches value clipping / gradient clipping off; a number switches it on. */
static const char ppo_types[] =
    "{\"value_loss_clip_value\": [\"null\", \"number\"], \"gradient_max_norm\": [\"null\", \"number\"]}";

/* RNG streams of the agent's seed, one per random component. */
enum { STREAM_INIT = 1, STREAM_TRAINING_POLICY = 2, STREAM_MINIBATCHES = 3 };

enum { MAX_HIDDEN = 8 };
#define MAX_WIDTH 65536

/* ---- configuration ---- */

static athlete_status config_error(athlete_error *err, const char *key, const char *rule, double got)
{
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "ppo config: '%s' must be %s, got %g", key, rule, got);
}

static athlete_status check_hidden(const athlete_config *config, const char *key, int64_t *dims,
                                   size_t *count, athlete_error *err)
{
    athlete_status st = athlete_config_get_int_array(config, key, dims, MAX_HIDDEN, count, err);
    if (st != ATHLETE_OK)
        return st;
    for (size_t i = 0; i < *count; i++)
        if (dims[i] < 1 || dims[i] > MAX_WIDTH)
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                     "ppo config: '%s'[%zu] must be in [1, %d], got %lld", key, i, MAX_WIDTH,
                                     (long long)dims[i]);
    return ATHLETE_OK;
}

static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    double discount, lambda, lr, eps, clip, vcoef, ecoef;
    int64_t steps, batch, epochs, dims[MAX_HIDDEN];
    size_t count;
    bool normalize;
    athlete_status st;
    if ((st = athlete_config_get_real(config, "discount", &discount, err)) ||
        (st = athlete_config_get_real(config, "generalized_advantage_estimation_lambda", &lambda, err)) ||
        (st = athlete_config_get_real(config, "optimizer_arguments.lr", &lr, err)) ||
        (st = athlete_config_get_real(config, "optimizer_arguments.eps", &eps, err)) ||
        (st = athlete_config_get_real(config, "policy_ratio_clip_value", &clip, err)) ||
        (st = athlete_config_get_real(config, "value_loss_coefficient", &vcoef, err)) ||
        (st = athlete_config_get_real(config, "entropy_loss_coefficient", &ecoef, err)) ||
        (st = athlete_config_get_int(config, "steps_per_update", &steps, err)) ||
        (st = athlete_config_get_int(config, "mini_batch_size", &batch, err)) ||
        (st = athlete_config_get_int(config, "epochs_per_update", &epochs, err)) ||
        (st = athlete_config_get_bool(config, "batch_normalize_advantage", &normalize, err)) ||
        (st = check_hidden(config, "value_network_arguments.hidden_dims", dims, &count, err)) ||
        (st = check_hidden(config, "actor_network_arguments.hidden_dims", dims, &count, err)))
        return st;
    if (!(discount >= 0 && discount <= 1))
        return config_error(err, "discount", "in [0, 1]", discount);
    if (!(lambda >= 0 && lambda <= 1))
        return config_error(err, "generalized_advantage_estimation_lambda", "in [0, 1]", lambda);
    if (!(lr > 0 && isfinite(lr)))
        return config_error(err, "optimizer_arguments.lr", "> 0", lr);
    if (!(eps >= 0 && isfinite(eps)))
        return config_error(err, "optimizer_arguments.eps", ">= 0", eps);
    if (!(clip > 0 && isfinite(clip)))
        return config_error(err, "policy_ratio_clip_value", "> 0 (the ratio is clipped to [1 - clip, 1 + clip])", clip);
    if (!(vcoef >= 0 && isfinite(vcoef)))
        return config_error(err, "value_loss_coefficient", ">= 0", vcoef);
    if (!(ecoef >= 0 && isfinite(ecoef)))
        return config_error(err, "entropy_loss_coefficient", ">= 0", ecoef);
    if (steps < 1)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "ppo config: 'steps_per_update' must be >= 1 (the rollout length), got %lld",
                                 (long long)steps);
    if (batch < 1)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "ppo config: 'mini_batch_size' must be >= 1, got %lld",
                                 (long long)batch);
    if (epochs < 1)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "ppo config: 'epochs_per_update' must be >= 1, got %lld",
                                 (long long)epochs);
    if (!athlete_config_is_null(config, "value_loss_clip_value")) {
        double c;
        if ((st = athlete_config_get_real(config, "value_loss_clip_value", &c, err)))
            return st;
        if (!(c > 0 && isfinite(c)))
            return config_error(err, "value_loss_clip_value", "> 0 or null (no value clipping)", c);
    }
    if (!athlete_config_is_null(config, "gradient_max_norm")) {
        double g;
        if ((st = athlete_config_get_real(config, "gradient_max_norm", &g, err)))
            return st;
        if (!(g > 0 && isfinite(g)))
            return config_error(err, "gradient_max_norm", "> 0 or null (no clipping)", g);
    }
    return ATHLETE_OK;
}

/* ---- policies ---- */

typedef struct ppo_policy {
    ppo_state *state;
    athlete_rng rng;  /* training policy only */
    float *log_probs; /* num_envs: each row's info "log_prob" array (one float, the sum over dimensions) */
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
static void sample_row(ppo_policy *p, const float *out, float *action, float *log_prob_out)
{
    ppo_state *s = p->state;
    double log_prob;
    if (s->discrete) {
        size_t index = athlete_categorical_sample(&p->rng, out, s->output_size);
        log_prob = athlete_categorical_log_prob(out, s->output_size, index);
        /* A diverged network must not hide behind a valid index: NaN is reported by the core. */
        action[0] = isfinite(log_prob) ? (float)(s->action_start + (int64_t)index) : NAN;
    } else {
        athlete_gaussian_sample(&p->rng, out, s->log_std, s->output_size, action);
        log_prob = athlete_gaussian_log_prob(action, out, s->log_std, s->output_size);
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
        memcpy(action, out, s->output_size * sizeof(float)); /* the mean, unsquashed (spec §7.6) */
    }
}

static athlete_status training_act(void *self, const float *observation, const athlete_clock *clock,
                                   float *action, athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)err;
    ppo_policy *p = self;
    sample_row(p, actor_row(p->state, observation), action, &p->log_probs[0]);
    athlete_info_set_reals(info, "log_prob", &p->log_probs[0], 1);
    return ATHLETE_OK;
}

static athlete_status training_act_batch(void *self, const float *observations, size_t n, const bool *first,
                                         const athlete_clock *clock, float *actions, athlete_info *infos,
                                         athlete_error *err)
{
    (void)first; /* no per-episode state */
    (void)clock;
    ppo_policy *p = self;
    ppo_state *s = p->state;
    if (n > s->num_envs)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "ppo: %zu rows for a policy of %zu", n, s->num_envs);
    const float *out = actor_rows(s, observations, n);
    for (size_t i = 0; i < n; i++) {
        sample_row(p, out + i * s->output_size, actions + i * s->action_size, &p->log_probs[i]);
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

static athlete_status policy_save(void *self, athlete_writer *w, athlete_error *err)
{
    ppo_policy *p = self;
    return athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &p->rng, sizeof p->rng, err);
}

static athlete_status policy_load(void *self, athlete_reader *r, athlete_error *err)
{
    ppo_policy *p = self;
    return athlete_reader_get(r, "rng", ATHLETE_RECORD_BYTES, &p->rng, sizeof p->rng, err);
}

static void policy_destroy(void *self)
{
    ppo_policy *p = self;
    if (p)
        athlete_free(p->log_probs);
    athlete_free(p);
}

static const athlete_policy_ops training_policy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = training_act,
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

/* ---- updatables: buffer preparation (GAE), then the gradient update (spec §3.2) ---- */

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
    return athlete_reader_get(r, "last_data_points", ATHLETE_RECORD_U64, &u->last_data_points, 1, err);
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
    if (st == ATHLETE_OK)
        st = athlete_reader_get(r, "rng", ATHLETE_RECORD_BYTES, &u->rng, sizeof u->rng, err);
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

/* obs → hidden… → outputs, tanh between layers, orthogonal init (spec §2.8). */
static athlete_status make_network(const athlete_config *config, const char *key, size_t inputs, size_t outputs,
                                   athlete_rng *rng, double output_gain, athlete_mlp **out, athlete_error *err)
{
    int64_t dims[MAX_HIDDEN];
    size_t count, widths[MAX_HIDDEN + 2];
    athlete_status st = athlete_config_get_int_array(config, key, dims, MAX_HIDDEN, &count, err);
    if (st != ATHLETE_OK)
        return st;
    widths[0] = inputs;
    for (size_t i = 0; i < count; i++)
        widths[i + 1] = (size_t)dims[i];
    widths[count + 1] = outputs;
    st = athlete_mlp_create(widths, count + 2, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, out, err);
    if (st == ATHLETE_OK)
        st = athlete_mlp_init_orthogonal(*out, rng, sqrt(2.0), output_gain, err);
    return st;
}

static athlete_status read_config(ppo_state *s, const athlete_config *config, athlete_error *err)
{
    int64_t steps, batch, epochs;
    athlete_status st;
    if ((st = athlete_config_get_real(config, "discount", &s->discount, err)) ||
        (st = athlete_config_get_real(config, "generalized_advantage_estimation_lambda", &s->lambda, err)) ||
        (st = athlete_config_get_real(config, "optimizer_arguments.lr", &s->lr, err)) ||
        (st = athlete_config_get_real(config, "optimizer_arguments.eps", &s->adam_eps, err)) ||
        (st = athlete_config_get_real(config, "policy_ratio_clip_value", &s->clip, err)) ||
        (st = athlete_config_get_real(config, "value_loss_coefficient", &s->value_coefficient, err)) ||
        (st = athlete_config_get_real(config, "entropy_loss_coefficient", &s->entropy_coefficient, err)) ||
        (st = athlete_config_get_bool(config, "batch_normalize_advantage", &s->normalize_advantage, err)) ||
        (st = athlete_config_get_bool(config, "normalize_observations", &s->normalize_observations, err)) ||
        (st = athlete_config_get_int(config, "steps_per_update", &steps, err)) ||
        (st = athlete_config_get_int(config, "mini_batch_size", &batch, err)) ||
        (st = athlete_config_get_int(config, "epochs_per_update", &epochs, err)))
        return st;
    s->steps = (size_t)steps;
    if (s->steps > SIZE_MAX / 2 / s->num_envs)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "ppo config: 'steps_per_update' %zu x %zu environments is too large",
                                 s->steps, s->num_envs);
    s->transitions = s->steps * s->num_envs;
    s->mini_batch = (size_t)batch < s->transitions ? (size_t)batch : s->transitions;
    s->epochs = (size_t)epochs;
    s->value_clipping = !athlete_config_is_null(config, "value_loss_clip_value");
    if (s->value_clipping &&
        (st = athlete_config_get_real(config, "value_loss_clip_value", &s->value_clip, err)))
        return st;
    s->grad_clipping = !athlete_config_is_null(config, "gradient_max_norm");
    if (s->grad_clipping && (st = athlete_config_get_real(config, "gradient_max_norm", &s->max_grad_norm, err)))
        return st;
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

/* Both policies share the actor; only the training policy draws from its stream. */
static athlete_status make_policy(ppo_state *s, const athlete_policy_ops *ops, uint64_t seed, athlete_policy *out,
                                  athlete_error *err)
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
    return ATHLETE_OK;
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
    athlete_status st = read_config(s, args->config, err);
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
    athlete_rng init;
    athlete_rng_seed(&init, args->seed, STREAM_INIT);
    if (!s->inference_only &&
        (st = make_network(args->config, "value_network_arguments.hidden_dims", s->observation_size, 1, &init, 1.0,
                           &s->value, err)))
        return st;
    if ((st = make_network(args->config, "actor_network_arguments.hidden_dims", s->observation_size, s->output_size,
                           &init, 0.01, &s->actor, err)) ||
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
    if ((st = make_policy(s, &training_policy_ops, args->seed, &parts->training_policy, err)) ||
        (st = make_policy(s, &evaluation_policy_ops, args->seed, &parts->evaluation_policy, err)))
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
    .default_config = ppo_defaults,
    .config_types = ppo_types,
    .check_config = check_config,
    .build = build,
    .methods = ppo_methods,
};

ATHLETE_PLUGIN_DEFINE(ppo, "1.0.0", "Proximal Policy Optimisation", &ppo_algorithm)

/* Soft Actor-Critic with automatic entropy tuning: defaults, configuration
 * checks, the gradient updatables and the wiring. Collector, replay and target updates,
 * the squashed Gaussian policy, critics and scaling come from the SDK; the losses are in
 * sac-update.c.
 *
 * "temperature": "auto" learns alpha = exp(log alpha) from "initial_temperature" towards
 * "target_entropy" ("auto" = -dim(A)); a number is a fixed alpha. The key of critic 1's
 * arguments is "critic_network_arguments", critic 2's "critic_2_network_arguments" (the
 * original's names, kept although they are not symmetric). The temperature is trained on the critic's schedule and
 * with the critic's optimizer settings, as in the original.
 *
 * Deviations from the original, each fixing one of its bugs:
 *   - warmup actions are stored as the unscaled value the environment got (2u - 1);
 *   - no gradient update runs while the replay buffer is empty (warmup_steps 0);
 *   - a fixed "temperature" is used as alpha (the original used log(temperature));
 *   - one update per interaction: reset_step never repeats the update of the step that
 *       ended the episode (athlete_update_schedule's once-per-count guard).
 * Keys dropped from the original's configuration (no meaning in C): the *_class keys
 * naming torch classes (the critic loss is the string "critic_criteria"), "device",
 * "init_state_dict_path", the "PLACEHOLDER" spaces, "additional_replay_buffer_arguments"
 * (cpprb options) and "post_replay_buffer_data_preprocessing" (unusable in the original). */
#include <athlete/alloc.h>
#include <athlete/nn-records.h>
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/policy-program.h>
#include <athlete/schedule.h>
#include <athlete/updates.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sac-private.h"

/* RNG streams of the agent's seed, one per random component. */
enum {
    STREAM_INIT = 1, /* network initialisation: critic 1, critic 2, actor (the original's order) */
    STREAM_TRAINING_POLICY = 2,
    STREAM_CRITIC_UPDATE = 4,
    STREAM_ACTOR_UPDATE = 5,
    STREAM_TEMPERATURE_UPDATE = 6,
    STREAM_NOISE = 7, /* the policy's draws when "noise_process_class" is set */
    STREAM_GSDE = 8,  /* the acting exploration matrices when "use_sde" is set */
};

typedef struct sac_settings {
    double discount;
    athlete_config_sizes critic_hidden, critic_2_hidden, actor_hidden;
    double log_std_min, log_std_max;
    double temperature;    /* "auto": 0 */
    double target_entropy; /* "auto": NaN */
    double initial_temperature;
    actor_critic_noise noise; /* kind -1: i.i.d. draws */
    bool use_sde, sde_full_std;
    int64_t sde_sample_freq;
    double log_std_init;
    actor_critic_settings common; /* optimisation, replay, schedules, target */
} sac_settings;

/* The configuration: every key once, with its default, range and meaning. */
static const athlete_config_key sac_keys[] = {
    ACTOR_CRITIC_DISCOUNT_KEY(sac_settings),
    ACTOR_CRITIC_LAYERS_KEY(sac_settings, "critic_network_arguments", critic_hidden, "critic 1's"),
    ACTOR_CRITIC_LAYERS_KEY(sac_settings, "critic_2_network_arguments", critic_2_hidden, "critic 2's"),
    ACTOR_CRITIC_LAYERS_KEY(sac_settings, "actor_network_arguments", actor_hidden, "the actor's"),
    {.name = "actor_network_arguments.log_std_min", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(sac_settings, log_std_min), .default_value = -20.0, .min = -100, .max = 100,
     .description = "lower clamp of the actor's log standard deviation"},
    {.name = "actor_network_arguments.log_std_max", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(sac_settings, log_std_max), .default_value = 2.0, .min = -100, .max = 100,
     .description = "upper clamp of the actor's log standard deviation"},
    {.name = "temperature", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sac_settings, temperature),
     .flags = ATHLETE_CONFIG_AUTO | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 0, .min = 0,
     .max = INFINITY, .limit = 1e6, .rule = "\"auto\" or a finite number > 0",
     .description = "entropy temperature alpha: \"auto\" tunes it towards target_entropy, a number fixes it"},
    {.name = "target_entropy", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sac_settings, target_entropy),
     .flags = ATHLETE_CONFIG_AUTO | ATHLETE_CONFIG_DEFAULT_ABSENT, .absent = NAN, .min = -1e6, .max = 1e6,
     .description = "the entropy the temperature is tuned towards (\"auto\": minus the action dimension)"},
    {.name = "initial_temperature", .type = ATHLETE_CONFIG_REAL,
     ATHLETE_CONFIG_FIELD(sac_settings, initial_temperature), .default_value = 1.0, .min = 0, .max = INFINITY,
     .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1e6, .rule = "a finite number > 0",
     .description = "alpha at the start when the temperature is tuned"},
    ACTOR_CRITIC_OPTIONAL_NOISE_KEYS(sac_settings, noise),
    {.name = "use_sde", .type = ATHLETE_CONFIG_BOOL, ATHLETE_CONFIG_FIELD(sac_settings, use_sde), .default_value = 0,
     .description = "state-dependent exploration (gSDE): the noise is the actor's last hidden layer times a "
                    "random matrix with a learned scale, in place of per-step draws"},
    {.name = "sde_sample_freq", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(sac_settings, sde_sample_freq),
     .default_value = -1, .min = -1, .max = INFINITY, .limit = 1e9, .rule = "-1 or an integer >= 1",
     .description = "gSDE: interactions between new exploration matrices (-1: only at each episode's start and "
                    "after each round of gradient updates)"},
    {.name = "log_std_init", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sac_settings, log_std_init),
     .default_value = -3.0, .min = -20, .max = 2, .description = "gSDE: initial log standard deviation of the exploration matrix"},
    {.name = "sde_full_std", .type = ATHLETE_CONFIG_BOOL, ATHLETE_CONFIG_FIELD(sac_settings, sde_full_std),
     .default_value = 1,
     .description = "gSDE: one learned scale per (latent feature, action element); false: one per latent feature"},
    ACTOR_CRITIC_SCHEDULE_KEYS(sac_settings, 3e-4, 1, 1),
    ACTOR_CRITIC_LOSS_KEYS(sac_settings),
};
ATHLETE_CONFIG_TABLE_DEFINE(sac_config, sac_settings, sac_keys);

/* The clamps must leave room between them (a check across two keys). */
static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    sac_settings s;
    athlete_status st = athlete_config_table_read(&sac_config, config, &s, err);
    if (st == ATHLETE_OK && s.sde_sample_freq == 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "sac config: 'sde_sample_freq' must be -1 or >= 1, got 0");
    if (st == ATHLETE_OK && s.use_sde && s.noise.kind >= 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "sac config: 'use_sde' and 'noise_process_class' both replace the policy's draws: set one of them");
    if (st == ATHLETE_OK && !(s.log_std_min < s.log_std_max))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "sac config: 'actor_network_arguments.log_std_min' (%g) must be below 'actor_network_arguments.log_std_max' (%g), both finite",
                                 s.log_std_min, s.log_std_max);
    return st;
}

/* ---- the gradient updatables: critic, actor, temperature, on the gradient-update schedule ---- */

/* After a temperature step the log also holds the new α. */
static void log_temperature(void *context, athlete_info *log)
{
    const sac_state *s = context;
    athlete_info_set_real(log, "temperature", s->alpha);
}

/* ---- shared state: networks, optimizers, the temperature (targets are saved by their syncs) ---- */

/* gSDE's scales, acting matrix and stream ("gsde") and their optimizer ("gsde_optimizer"). */
static athlete_status gsde_save(const sac_state *s, athlete_writer *w, athlete_error *err)
{
    if (!s->gsde)
        return ATHLETE_OK;
    athlete_status st = athlete_gsde_save(s->gsde, w, "gsde", err);
    return st ? st : athlete_adam_save(s->gsde_adam, w, "gsde_optimizer", err);
}

static athlete_status gsde_load(sac_state *s, athlete_reader *r, athlete_error *err)
{
    if (!s->gsde)
        return ATHLETE_OK;
    athlete_status st = athlete_gsde_load(s->gsde, r, "gsde", err);
    return st ? st : athlete_adam_load(s->gsde_adam, r, "gsde_optimizer", err);
}

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    sac_state *s = state;
    athlete_status st = actor_critic_state_save(s, w, err);
    if (st != ATHLETE_OK)
        return st;
    if (!s->automatic)
        return gsde_save(s, w, err);
    float temperature[2] = {s->alpha, s->log_alpha};
    if ((st = athlete_writer_put(w, "temperature", ATHLETE_RECORD_F32, temperature, 2, err)) ||
        (st = athlete_adam_save(s->temperature_adam, w, "temperature_optimizer", err)))
        return st;
    return gsde_save(s, w, err);
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    sac_state *s = state;
    athlete_status st = actor_critic_state_load(s, r, err);
    if (st != ATHLETE_OK)
        return st;
    if (!s->automatic)
        return gsde_load(s, r, err);
    float temperature[2];
    if ((st = athlete_reader_get(r, "temperature", ATHLETE_RECORD_F32, temperature, 2, err)) ||
        (st = athlete_adam_load(s->temperature_adam, r, "temperature_optimizer", err)) ||
        (st = gsde_load(s, r, err)))
        return st;
    s->alpha = temperature[0];
    s->log_alpha = temperature[1];
    return ATHLETE_OK;
}

static void state_destroy(void *state)
{
    sac_state *s = state;
    if (!s)
        return;
    actor_critic_state_release(&s->ac);
    athlete_adam_destroy(s->temperature_adam);
    athlete_adam_destroy(s->gsde_adam);
    athlete_gsde_destroy(s->gsde);
    athlete_free(s->gsde_draws);
    athlete_free(s->y);
    athlete_free(s);
}

static const athlete_state_ops sac_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = actor_critic_state_save_policy,
    .load_policy = actor_critic_state_load_policy,
    .describe_policy = actor_critic_state_describe_squashed,
};

/* ---- extension methods ---- */

static double method_alpha(void *state)
{
    const sac_state *s = state;
    return s->alpha;
}

static double method_target_entropy(void *state)
{
    const sac_state *s = state;
    return s->automatic ? s->target_entropy : NAN;
}

static const athlete_method sac_methods[] = {
    {"alpha", "d()", (athlete_method_fn)method_alpha, "the entropy temperature alpha (auto-tuned or fixed)"},
    {"target_entropy", "d()", (athlete_method_fn)method_target_entropy,
     "the entropy the temperature is tuned towards (null for a fixed temperature)"},
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

/* The steps' buffers: batch each for y, log_prob, d_q1, d_q2, d_log_prob; batch × action
 * for xi, actions, d_actions, d_actions_2; batch × 2 action for d_out. */
static athlete_status scratch_create(sac_state *s, athlete_error *err)
{
    size_t batch = s->ac.batch, act = s->ac.action_size;
    s->y = athlete_calloc(5 * batch + 4 * batch * act + 2 * batch * act, sizeof *s->y);
    if (!s->y)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sac: out of memory");
    s->log_prob = s->y + batch;
    s->d_q1 = s->log_prob + batch;
    s->d_q2 = s->d_q1 + batch;
    s->d_log_prob = s->d_q2 + batch;
    s->xi = s->d_log_prob + batch;
    s->actions = s->xi + batch * act;
    s->d_actions = s->actions + batch * act;
    s->d_actions_2 = s->d_actions + batch * act;
    s->d_out = s->d_actions_2 + batch * act;
    if (s->gsde) {
        size_t latent = athlete_gsde_latent_size(s->gsde);
        s->gsde_draws = athlete_calloc(latent * act + batch * act, sizeof *s->gsde_draws);
        if (!s->gsde_draws)
            return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sac: out of memory");
        s->gsde_slope = s->gsde_draws + latent * act;
        /* gSDE's scales are the actor's parameters: the actor's learning rate */
        athlete_adam_group gg = athlete_adam_group_default(athlete_gsde_log_std(s->gsde), athlete_gsde_grads(s->gsde),
                                                           athlete_gsde_param_count(s->gsde), s->actor_lr);
        athlete_status st = athlete_adam_create(&gg, 1, &s->gsde_adam, err);
        if (st != ATHLETE_OK)
            return st;
    }
    /* log alpha: one parameter, trained with the critic's optimizer settings */
    athlete_adam_group tg = athlete_adam_group_default(&s->log_alpha, &s->log_alpha_grad, 1, s->critic_lr);
    return s->automatic ? athlete_adam_create(&tg, 1, &s->temperature_adam, err) : ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    athlete_status st = athlete_action_scaling_check(args->observation_space, args->action_space, "sac", err);
    if (st != ATHLETE_OK)
        return st;
    sac_settings cfg;
    if ((st = athlete_config_table_read(&sac_config, args->config, &cfg, err)))
        return st;
    sac_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sac: out of memory");
    parts->state = s;
    parts->state_ops = &sac_state_ops;
    actor_critic_state_init(&s->ac, args, &cfg.common, cfg.discount);
    s->log_std_min = cfg.log_std_min;
    s->log_std_max = cfg.log_std_max;
    s->critic_lr = cfg.common.critic_lr;
    s->actor_lr = cfg.common.actor_lr;
    /* gSDE on the actor's last hidden layer (the observation without hidden layers); not
     * needed by an inference-only agent, whose evaluation policy is the mean */
    if (cfg.use_sde && !args->inference_only) {
        athlete_gsde_options gsde = {
            .struct_size = sizeof gsde, .action_size = s->ac.action_size, .full_std = cfg.sde_full_std,
            .latent_size = cfg.actor_hidden.count ? cfg.actor_hidden.values[cfg.actor_hidden.count - 1]
                                                  : s->ac.observation_size,
            .log_std_init = cfg.log_std_init, .sample_freq = cfg.sde_sample_freq, .seed = args->seed,
            .stream = STREAM_GSDE,
        };
        if ((st = athlete_gsde_create(&gsde, &s->gsde, err))) {
            athlete_parts_destroy(parts);
            return st;
        }
    }
    s->automatic = cfg.temperature == 0; /* "auto" */
    /* "auto": -dim(A), the original's -prod(action shape) */
    s->target_entropy = isnan(cfg.target_entropy) ? -(double)s->ac.action_size : cfg.target_entropy;
    if (s->automatic) {
        s->log_alpha = (float)log(cfg.initial_temperature);
        s->alpha = (float)cfg.initial_temperature;
    } else {
        s->alpha = (float)cfg.temperature; /* the value is alpha itself */
    }
    /* the temperature: on the critic's schedule; the log also holds the new alpha */
    athlete_gradient_update_options temperature = {
        .struct_size = sizeof temperature, .name = "temperature", .log_key = "temperature_loss",
        .step = sac_temperature_step, .context = s, .after = log_temperature,
        .frequency = cfg.common.critic_frequency, .number_of_updates = (uint64_t)cfg.common.critic_updates,
        .multiply_by_environment_steps = cfg.common.multiply, .seed = args->seed,
        .stream = STREAM_TEMPERATURE_UPDATE,
    };
    actor_critic_spec spec = {
        .owner = "sac", .observation_size = s->ac.observation_size, .action_size = s->ac.action_size,
        .common = &cfg.common, .critic_hidden = {&cfg.critic_hidden, &cfg.critic_2_hidden}, .critic_count = 2,
        .actor_hidden = &cfg.actor_hidden, .actor_kind = ATHLETE_ACTOR_SQUASHED_GAUSSIAN,
        .critic_step = sac_critic_step, .actor_step = sac_actor_step, .context = s, .seed = args->seed,
        .init_stream = STREAM_INIT, .critic_stream = STREAM_CRITIC_UPDATE, .actor_stream = STREAM_ACTOR_UPDATE,
        .policy_stream = STREAM_TRAINING_POLICY, .log_std_min = s->log_std_min, .log_std_max = s->log_std_max,
        .extra_update = s->automatic ? &temperature : NULL,
        .noise = cfg.noise.kind >= 0 ? &cfg.noise : NULL, .noise_stream = STREAM_NOISE, .gsde = s->gsde,
    };
    if ((st = actor_critic_build_parts(args, &spec, &s->ac, parts, err)) ||
        (!args->inference_only && (st = scratch_create(s, err))))
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm sac_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "sac",
    .summary = "Soft Actor-Critic for Box actions, with automatic entropy tuning",
    .check_config = check_config,
    .build = build,
    .methods = sac_methods,
    .config_table = &sac_config,
};

ATHLETE_PLUGIN_DEFINE(sac, "1.0.0", "Soft Actor-Critic", &sac_algorithm)

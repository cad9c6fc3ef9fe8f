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
};

typedef struct sac_settings {
    double discount;
    athlete_config_sizes critic_hidden, critic_2_hidden, actor_hidden;
    double log_std_min, log_std_max;
    double temperature;    /* "auto": 0 */
    double target_entropy; /* "auto": NaN */
    double initial_temperature;
    actor_critic_noise noise; /* kind -1: i.i.d. draws */
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
    ACTOR_CRITIC_SCHEDULE_KEYS(sac_settings, 3e-4, 1, 1),
    ACTOR_CRITIC_LOSS_KEYS(sac_settings),
};
ATHLETE_CONFIG_TABLE_DEFINE(sac_config, sac_settings, sac_keys);

/* The clamps must leave room between them (a check across two keys). */
static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    sac_settings s;
    athlete_status st = athlete_config_table_read(&sac_config, config, &s, err);
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

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    sac_state *s = state;
    athlete_status st = actor_critic_state_save(s, w, err);
    if (st != ATHLETE_OK || !s->automatic)
        return st;
    float temperature[2] = {s->alpha, s->log_alpha};
    if ((st = athlete_writer_put(w, "temperature", ATHLETE_RECORD_F32, temperature, 2, err)))
        return st;
    return athlete_adam_save(s->temperature_adam, w, "temperature_optimizer", err);
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    sac_state *s = state;
    athlete_status st = actor_critic_state_load(s, r, err);
    if (st != ATHLETE_OK || !s->automatic)
        return st;
    float temperature[2];
    if ((st = athlete_reader_get(r, "temperature", ATHLETE_RECORD_F32, temperature, 2, err)) ||
        (st = athlete_adam_load(s->temperature_adam, r, "temperature_optimizer", err)))
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
        .noise = cfg.noise.kind >= 0 ? &cfg.noise : NULL, .noise_stream = STREAM_NOISE,
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

/* Soft Actor-Critic with automatic entropy tuning (spec §7.5): defaults, configuration
 * checks, the gradient updatables and the wiring. Collector, replay and target updates,
 * the squashed Gaussian policy, critics and scaling come from the SDK; the losses are in
 * sac-update.c.
 *
 * "temperature": "auto" learns alpha = exp(log alpha) from "initial_temperature" towards
 * "target_entropy" ("auto" = -dim(A)); a number is a fixed alpha. The key of critic 1's
 * arguments is "critic_network_arguments", critic 2's "critic_2_network_arguments" (the
 * original's names, its quirk Q6). The temperature is trained on the critic's schedule and
 * with the critic's optimizer settings, as in the original.
 *
 * "noise_process_class" (not in the original): null samples the policy's Gaussian with
 * i.i.d. N(0, 1) draws; a noise process ("colored" with beta 1: pink noise) supplies those
 * draws instead, correlated in time, which finds sparse rewards that i.i.d. draws miss
 * (MountainCarContinuous). Its "noise_std" scales the draws (1: the Gaussian as is).
 *
 * Deviations from the original, each a fix its spec §9 recommends:
 *   B1  warmup actions are stored as the unscaled value the environment got (2u - 1);
 *   B3  no gradient update runs while the replay buffer is empty (warmup_steps 0);
 *   B4  a fixed "temperature" is used as alpha (the original used log(temperature));
 *   Q1  one update per interaction: reset_step never repeats the update of the step that
 *       ended the episode (athlete_update_schedule's once-per-count guard).
 * Keys dropped from the original's configuration (no meaning in C): the *_class keys
 * naming torch classes (the critic loss is the string "critic_criteria"), "device",
 * "init_state_dict_path", the "PLACEHOLDER" spaces, "additional_replay_buffer_arguments"
 * (cpprb options) and "post_replay_buffer_data_preprocessing" (unusable, bug B5). */
#include <athlete/alloc.h>
#include <athlete/nn-records.h>
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/schedule.h>
#include <athlete/updates.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sac-private.h"

static const char sac_defaults[] =
    "{\"discount\": 0.99,"
    " \"critic_network_arguments\": {\"hidden_dims\": [400, 300]},"
    " \"critic_2_network_arguments\": {\"hidden_dims\": [400, 300]},"
    " \"actor_network_arguments\": {\"hidden_dims\": [400, 300], \"log_std_min\": -20.0, \"log_std_max\": 2.0},"
    " \"temperature\": \"auto\", \"target_entropy\": \"auto\", \"initial_temperature\": 1.0,"
    " \"noise_process_class\": null,"
    " \"noise_process_arguments\": {\"noise_std\": 1.0, \"theta\": 0.15, \"dt\": 0.01, \"mu\": 0.0,"
    " \"horizon\": 1000, \"beta\": 1.0},"
    " \"critic_optimizer_arguments\": {\"lr\": 3e-4},"
    " \"actor_optimizer_arguments\": {\"lr\": 3e-4},"
    " \"replay_buffer_capacity\": 1000000, \"replay_buffer_mini_batch_size\": 256,"
    " \"warmup_steps\": 1000,"
    " \"critic_update_frequency\": 1, \"critic_number_of_updates\": 1,"
    " \"actor_update_frequency\": 1, \"actor_number_of_updates\": 1,"
    " \"multiply_number_of_updates_by_environment_steps\": false,"
    " \"target_critic_update_frequency\": 1, \"target_critic_tau\": 0.005,"
    " \"critic_criteria\": \"mse\","
    " \"critic_gradient_max_norm\": null, \"actor_gradient_max_norm\": null}";

/* "temperature" and "target_entropy": "auto" or a number; a null max norm: no clipping. */
static const char sac_types[] =
    "{\"temperature\": [\"string\", \"number\"], \"target_entropy\": [\"string\", \"number\"],"
    " \"noise_process_class\": [\"null\", \"string\"],"
    " \"critic_gradient_max_norm\": [\"null\", \"number\"], \"actor_gradient_max_norm\": [\"null\", \"number\"]}";

/* RNG streams of the agent's seed, one per random component. */
enum {
    STREAM_INIT = 1, /* network initialisation: critic 1, critic 2, actor (spec §2.8 order) */
    STREAM_TRAINING_POLICY = 2,
    STREAM_CRITIC_UPDATE = 4,
    STREAM_ACTOR_UPDATE = 5,
    STREAM_TEMPERATURE_UPDATE = 6,
    STREAM_NOISE = 7,
};

#define MAX_HIDDEN 16
#define MAX_WIDTH 65536

typedef struct sac_settings {
    double discount;
    size_t critic_hidden[MAX_HIDDEN], n_critic_hidden;
    size_t critic_2_hidden[MAX_HIDDEN], n_critic_2_hidden;
    size_t actor_hidden[MAX_HIDDEN], n_actor_hidden;
    double log_std_min, log_std_max;
    bool automatic;
    double temperature;         /* fixed alpha (automatic: unused) */
    bool auto_target_entropy;
    double target_entropy;      /* when not "auto" */
    double initial_temperature;
    bool has_noise;               /* "noise_process_class" is not null */
    athlete_noise_options noise;  /* size, seed and stream set at build */
    athlete_actor_critic_settings common; /* optimisation, replay, schedules, target */
} sac_settings;

/* "auto" or a number; *is_auto tells which. */
static athlete_status get_auto_or_number(const athlete_config *c, const char *key, bool *is_auto, double *out,
                                         athlete_error *err)
{
    *is_auto = false;
    *out = 0.0;
    if (athlete_config_is_string(c, key)) {
        const char *text;
        athlete_status st = athlete_config_get_string(c, key, &text, err);
        if (st != ATHLETE_OK)
            return st;
        if (strcmp(text, "auto") != 0)
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                     "sac config: '%s' must be \"auto\" or a number, got \"%s\"", key, text);
        *is_auto = true;
        return ATHLETE_OK;
    }
    return athlete_config_get_real(c, key, out, err);
}

static athlete_status read_settings(const athlete_config *c, sac_settings *s, athlete_error *err)
{
    memset(s, 0, sizeof *s);
    athlete_status st;
    if ((st = athlete_config_get_real_in(c, "discount", 0, 1, false, "in [0, 1]", &s->discount, err)) ||
        (st = athlete_config_get_sizes(c, "critic_network_arguments.hidden_dims", 1, MAX_WIDTH, s->critic_hidden, MAX_HIDDEN, &s->n_critic_hidden, err)) ||
        (st = athlete_config_get_sizes(c, "critic_2_network_arguments.hidden_dims", 1, MAX_WIDTH, s->critic_2_hidden, MAX_HIDDEN, &s->n_critic_2_hidden, err)) ||
        (st = athlete_config_get_sizes(c, "actor_network_arguments.hidden_dims", 1, MAX_WIDTH, s->actor_hidden, MAX_HIDDEN, &s->n_actor_hidden, err)) ||
        (st = athlete_config_get_real(c, "actor_network_arguments.log_std_min", &s->log_std_min, err)) ||
        (st = athlete_config_get_real(c, "actor_network_arguments.log_std_max", &s->log_std_max, err)) ||
        (st = get_auto_or_number(c, "temperature", &s->automatic, &s->temperature, err)) ||
        (st = get_auto_or_number(c, "target_entropy", &s->auto_target_entropy, &s->target_entropy, err)) ||
        (st = athlete_config_get_real(c, "initial_temperature", &s->initial_temperature, err)))
        return st;
    s->has_noise = !athlete_config_is_null(c, "noise_process_class");
    if (s->has_noise &&
        (st = athlete_noise_options_read(c, "noise_process_class", "noise_process_arguments", &s->noise, err)))
        return st;
    if (!(isfinite(s->log_std_min) && isfinite(s->log_std_max) && s->log_std_min < s->log_std_max))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "sac config: 'actor_network_arguments.log_std_min' (%g) must be below 'actor_network_arguments.log_std_max' (%g), both finite",
                                 s->log_std_min, s->log_std_max);
    if (!s->automatic && !(s->temperature > 0 && isfinite(s->temperature)))
        return athlete_config_value_error(c, "temperature", "\"auto\" or a finite number > 0", s->temperature, err);
    if (!s->auto_target_entropy && !isfinite(s->target_entropy))
        return athlete_config_value_error(c, "target_entropy", "\"auto\" or a finite number", s->target_entropy, err);
    if (!(s->initial_temperature > 0 && isfinite(s->initial_temperature)))
        return athlete_config_value_error(c, "initial_temperature", "a finite number > 0", s->initial_temperature, err);
    return athlete_actor_critic_settings_read(c, false, &s->common, err);
}

static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    sac_settings s;
    return read_settings(config, &s, err);
}

/* ---- the gradient updatables: critic, actor, temperature, on the schedule of spec §2.2 ---- */

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
    athlete_status st = athlete_actor_critic_save(&s->nets, w, err);
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
    athlete_status st = athlete_actor_critic_load(&s->nets, r, err);
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

/* Policy-only files: the actor is all the evaluation policy needs. */
static athlete_status state_save_policy(void *state, athlete_writer *w, athlete_error *err)
{
    sac_state *s = state;
    return athlete_mlp_save(s->actor, w, "actor", err);
}

static athlete_status state_load_policy(void *state, athlete_reader *r, athlete_error *err)
{
    sac_state *s = state;
    return athlete_mlp_load(s->actor, r, "actor", err);
}

static void state_destroy(void *state)
{
    sac_state *s = state;
    if (!s)
        return;
    athlete_adam_destroy(s->critic_adam);
    athlete_adam_destroy(s->actor_adam);
    athlete_adam_destroy(s->temperature_adam);
    athlete_critic_destroy(s->critic_1);
    athlete_critic_destroy(s->critic_2);
    athlete_mlp_workspace_destroy(s->actor_ws);
    athlete_mlp_destroy(s->actor);
    athlete_replay_destroy(s->replay);
    athlete_noise_destroy(s->noise);
    athlete_action_scaling_destroy(s->scaling);
    athlete_free(s->y);
    athlete_free(s);
}

static const athlete_state_ops sac_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save_policy,
    .load_policy = state_load_policy,
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

static athlete_status build_training(const athlete_build_args *args, const sac_settings *cfg, sac_state *s,
                                     athlete_rng *init, athlete_parts *parts, athlete_error *err)
{
    const athlete_actor_critic_settings *common = &cfg->common;
    size_t obs = s->observation_size, act = s->action_size, batch = s->batch;
    athlete_status st;
    /* construction order of the original: critic 1, critic 2, actor */
    if ((st = athlete_critic_create(obs, act, cfg->critic_hidden, cfg->n_critic_hidden, batch, init, &s->critic_1,
                                    err)) ||
        (st = athlete_critic_create(obs, act, cfg->critic_2_hidden, cfg->n_critic_2_hidden, batch, init,
                                    &s->critic_2, err)) ||
        (st = athlete_actor_network_create(ATHLETE_ACTOR_SQUASHED_GAUSSIAN, obs, act, cfg->actor_hidden,
                                           cfg->n_actor_hidden, false, init, &s->actor, err)) ||
        (st = athlete_mlp_workspace_create(s->actor, batch, &s->actor_ws, err)) ||
        (st = athlete_replay_create((size_t)common->capacity, obs, act, batch, &s->replay, err)))
        return st;
    /* the twin critics: two parameter groups of one optimizer (as the original) */
    athlete_mlp *c1 = athlete_critic_network(s->critic_1), *c2 = athlete_critic_network(s->critic_2);
    athlete_adam_group cg[2] = {
        athlete_adam_group_default(athlete_mlp_params(c1), athlete_mlp_grads(c1), athlete_mlp_param_count(c1),
                                   common->critic_lr),
        athlete_adam_group_default(athlete_mlp_params(c2), athlete_mlp_grads(c2), athlete_mlp_param_count(c2),
                                   common->critic_lr),
    };
    athlete_adam_group ag = athlete_adam_group_default(athlete_mlp_params(s->actor), athlete_mlp_grads(s->actor),
                                                       athlete_mlp_param_count(s->actor), common->actor_lr);
    /* log alpha: one parameter, trained with the critic's optimizer settings */
    athlete_adam_group tg = athlete_adam_group_default(&s->log_alpha, &s->log_alpha_grad, 1, common->critic_lr);
    if ((st = athlete_adam_create(cg, 2, &s->critic_adam, err)) || (st = athlete_adam_create(&ag, 1, &s->actor_adam, err)) ||
        (s->automatic && (st = athlete_adam_create(&tg, 1, &s->temperature_adam, err))))
        return st;
    size_t scalars = 5 * batch, vectors = 4 * batch * act;
    s->y = athlete_calloc(scalars + vectors + 2 * batch * act, sizeof *s->y);
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

    s->nets = (athlete_actor_critic_nets){"sac", {s->critic_1, s->critic_2}, 2, s->actor, s->critic_adam, s->actor_adam};
    athlete_actor_critic_steps steps = {sac_critic_step, sac_actor_step, s, s->replay, args->seed,
                                        STREAM_CRITIC_UPDATE, STREAM_ACTOR_UPDATE};
    /* the temperature: on the critic's schedule; the log also holds the new alpha */
    athlete_gradient_update_options temperature = {
        .struct_size = sizeof temperature, .name = "temperature", .log_key = "temperature_loss",
        .step = sac_temperature_step, .context = s, .after = log_temperature,
        .frequency = common->critic_frequency, .number_of_updates = (uint64_t)common->critic_updates,
        .multiply_by_environment_steps = common->multiply, .replay = s->replay, .seed = args->seed,
        .stream = STREAM_TEMPERATURE_UPDATE,
    };
    /* update order (spec §3.2): replay -> critic pair -> actor -> temperature (automatic
     * only) -> target critic 1 -> target critic 2 */
    if ((st = athlete_replay_update_add(parts, s->replay, err)) ||
        (st = athlete_actor_critic_updates_add(parts, common, &steps, err)) ||
        (s->automatic && (st = athlete_gradient_update_add(parts, &temperature, err))) ||
        (st = athlete_target_sync_add(parts, "target_critic_1", athlete_critic_target(s->critic_1), c1,
                                      common->target_critic_tau, (uint64_t)common->target_critic_frequency, err)) ||
        (st = athlete_target_sync_add(parts, "target_critic_2", athlete_critic_target(s->critic_2), c2,
                                      common->target_critic_tau, (uint64_t)common->target_critic_frequency, err)))
        return st;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    athlete_status st = athlete_action_scaling_check(args->observation_space, args->action_space, "sac", err);
    if (st != ATHLETE_OK)
        return st;
    sac_settings cfg;
    if ((st = read_settings(args->config, &cfg, err)))
        return st;
    sac_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sac: out of memory");
    parts->state = s;
    parts->state_ops = &sac_state_ops;
    s->observation_size = athlete_space_flat_size(args->observation_space);
    s->action_size = athlete_space_flat_size(args->action_space);
    s->batch = (size_t)cfg.common.batch;
    s->discount = cfg.discount;
    s->log_std_min = cfg.log_std_min;
    s->log_std_max = cfg.log_std_max;
    s->criterion = cfg.common.criterion;
    s->critic_max_norm = cfg.common.critic_max_norm;
    s->actor_max_norm = cfg.common.actor_max_norm;
    s->nets.owner = "sac";
    s->automatic = cfg.automatic;
    /* "auto": -dim(A), the original's -prod(action shape) */
    s->target_entropy = cfg.auto_target_entropy ? -(double)s->action_size : cfg.target_entropy;
    if (s->automatic) {
        s->log_alpha = (float)log(cfg.initial_temperature);
        s->alpha = (float)cfg.initial_temperature;
    } else {
        s->alpha = (float)cfg.temperature; /* bug B4 fixed: the value is alpha itself */
    }
    athlete_rng init;
    athlete_rng_seed(&init, args->seed, STREAM_INIT);
    if ((st = athlete_action_scaling_create(args->action_space, "sac", &s->scaling, err)) ||
        (st = athlete_transition_collector_create(s->observation_size, s->action_size, "unscaled_action",
                                                  &parts->collector, err)))
        goto fail;
    if (args->inference_only)
        st = athlete_actor_network_create(ATHLETE_ACTOR_SQUASHED_GAUSSIAN, s->observation_size, s->action_size,
                                          cfg.actor_hidden, cfg.n_actor_hidden, false, &init, &s->actor, err);
    else
        st = build_training(args, &cfg, s, &init, parts, err);
    if (st != ATHLETE_OK)
        goto fail;
    if (cfg.has_noise && !args->inference_only) {
        athlete_noise_options noise = cfg.noise;
        noise.size = s->action_size;
        noise.seed = args->seed;
        noise.stream = STREAM_NOISE;
        if ((st = athlete_noise_create(&noise, &s->noise, err)))
            goto fail;
    }
    athlete_actor_policy_options policy = {
        .struct_size = sizeof policy,
        .kind = ATHLETE_ACTOR_SQUASHED_GAUSSIAN,
        .actor = s->actor,
        .scaling = s->scaling,
        .training = true,
        .log_std_min = s->log_std_min,
        .log_std_max = s->log_std_max,
        .noise = s->noise,
        .seed = args->seed,
        .stream = STREAM_TRAINING_POLICY,
    };
    if ((st = athlete_actor_policies_create(&policy, parts, err)))
        goto fail;
    return ATHLETE_OK;
fail:
    athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm sac_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "sac",
    .summary = "Soft Actor-Critic for Box actions, with automatic entropy tuning",
    .default_config = sac_defaults,
    .config_types = sac_types,
    .check_config = check_config,
    .build = build,
    .methods = sac_methods,
};

ATHLETE_PLUGIN_DEFINE(sac, "1.0.0", "Soft Actor-Critic", &sac_algorithm)

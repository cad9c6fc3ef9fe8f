/* Deep Deterministic Policy Gradient (spec §7.3): defaults, configuration checks, the
 * gradient updatables and the wiring. Collector, replay and target updates, policies,
 * critic, noise and scaling come from the SDK; the losses are in ddpg-update.c.
 *
 * Deviations from the original, each a fix its spec §9 recommends:
 *   B1  warmup actions are stored as the unscaled value the environment got (2u - 1);
 *   B3  no gradient update runs while the replay buffer is empty (warmup_steps 0);
 *   Q1  one update per interaction: reset_step never repeats the update of the step that
 *       ended the episode (athlete_update_schedule's once-per-count guard);
 *   Q8  the noise process's state is saved in checkpoints.
 * Keys dropped from the original's configuration (no meaning in C): the *_class keys
 * naming torch classes (the noise class is the string "noise_process_class"; the critic
 * loss the string "critic_criteria"), "device", "init_state_dict_path", the "PLACEHOLDER"
 * spaces, "additional_replay_buffer_arguments" (cpprb options) and
 * "post_replay_buffer_data_preprocessing" (unusable in the original, bug B5).
 * "noise_process_arguments" lists every noise process's argument so each can be
 * overridden key by key; a process reads only its own (noise_std for all; theta, dt, mu
 * for "ornstein_uhlenbeck"; horizon, beta for "colored"). noise_std is 0.1 for every
 * process, as the original's default dictionary passed it to whichever class was chosen;
 * the horizon of coloured noise (which had no default) is 1000 steps. */
#include <athlete/alloc.h>
#include <athlete/nn-records.h>
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/schedule.h>
#include <athlete/updates.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ddpg-private.h"

static const char ddpg_defaults[] =
    "{\"discount\": 0.99,"
    " \"critic_network_arguments\": {\"hidden_dims\": [400, 300]},"
    " \"actor_network_arguments\": {\"hidden_dims\": [400, 300], \"squash_action\": true},"
    " \"noise_process_class\": \"gaussian\","
    " \"noise_process_arguments\": {\"noise_std\": 0.1, \"theta\": 0.15, \"dt\": 0.01, \"mu\": 0.0,"
    " \"horizon\": 1000, \"beta\": 1.0},"
    " \"critic_optimizer_arguments\": {\"lr\": 1e-3},"
    " \"actor_optimizer_arguments\": {\"lr\": 1e-3},"
    " \"replay_buffer_capacity\": 1000000, \"replay_buffer_mini_batch_size\": 256,"
    " \"warmup_steps\": 1000,"
    " \"critic_update_frequency\": 1, \"critic_number_of_updates\": 1,"
    " \"actor_update_frequency\": 1, \"actor_number_of_updates\": 1,"
    " \"multiply_number_of_updates_by_environment_steps\": false,"
    " \"target_critic_update_frequency\": 1, \"target_critic_tau\": 0.005,"
    " \"target_actor_update_frequency\": 1, \"target_actor_tau\": 0.005,"
    " \"critic_criteria\": \"mse\","
    " \"critic_gradient_max_norm\": null, \"actor_gradient_max_norm\": null}";

/* A null max norm means no clipping; a number must be > 0. */
static const char ddpg_types[] =
    "{\"critic_gradient_max_norm\": [\"null\", \"number\"], \"actor_gradient_max_norm\": [\"null\", \"number\"]}";

/* RNG streams of the agent's seed, one per random component. */
enum {
    STREAM_INIT = 1, /* network initialisation: critic, then actor (spec §2.8 order) */
    STREAM_TRAINING_POLICY = 2,
    STREAM_NOISE = 3,
    STREAM_CRITIC_UPDATE = 4,
    STREAM_ACTOR_UPDATE = 5,
};

#define MAX_HIDDEN 16
#define MAX_WIDTH 65536
#define MAX_BATCH 65536

typedef struct ddpg_settings {
    double discount;
    size_t critic_hidden[MAX_HIDDEN], n_critic_hidden;
    size_t actor_hidden[MAX_HIDDEN], n_actor_hidden;
    bool squash;
    athlete_noise_options noise; /* size, seed and stream set at build */
    double critic_lr, actor_lr;
    int64_t capacity, batch, warmup;
    int64_t critic_frequency, critic_updates, actor_frequency, actor_updates;
    bool multiply;
    int64_t target_critic_frequency, target_actor_frequency;
    double target_critic_tau, target_actor_tau;
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: none */
} ddpg_settings;

static athlete_status read_settings(const athlete_config *c, ddpg_settings *s, athlete_error *err)
{
    memset(s, 0, sizeof *s);
    athlete_status st;
    const char *criteria;
    if ((st = athlete_config_get_real(c, "discount", &s->discount, err)))
        return st;
    if (!(s->discount >= 0 && s->discount <= 1))
        return athlete_config_value_error(c, "discount", "in [0, 1]", s->discount, err);
    if ((st = athlete_config_get_sizes(c, "critic_network_arguments.hidden_dims", 1, MAX_WIDTH, s->critic_hidden, MAX_HIDDEN, &s->n_critic_hidden, err)) ||
        (st = athlete_config_get_sizes(c, "actor_network_arguments.hidden_dims", 1, MAX_WIDTH, s->actor_hidden, MAX_HIDDEN, &s->n_actor_hidden, err)) ||
        (st = athlete_config_get_bool(c, "actor_network_arguments.squash_action", &s->squash, err)) ||
        (st = athlete_noise_options_read(c, "noise_process_class", "noise_process_arguments", &s->noise, err)))
        return st;
    if ((st = athlete_config_get_real_in(c, "critic_optimizer_arguments.lr", 0, INFINITY, true, "> 0", &s->critic_lr, err)) ||
        (st = athlete_config_get_real_in(c, "actor_optimizer_arguments.lr", 0, INFINITY, true, "> 0", &s->actor_lr, err)) ||
        (st = athlete_config_get_int_min(c, "replay_buffer_capacity", 1, &s->capacity, err)) ||
        (st = athlete_config_get_int(c, "replay_buffer_mini_batch_size", &s->batch, err)) ||
        (st = athlete_config_get_int_min(c, "warmup_steps", 0, &s->warmup, err)) ||
        (st = athlete_config_get_int(c, "critic_update_frequency", &s->critic_frequency, err)) ||
        (st = athlete_config_get_int_min(c, "critic_number_of_updates", 1, &s->critic_updates, err)) ||
        (st = athlete_config_get_int(c, "actor_update_frequency", &s->actor_frequency, err)) ||
        (st = athlete_config_get_int_min(c, "actor_number_of_updates", 1, &s->actor_updates, err)) ||
        (st = athlete_config_get_bool(c, "multiply_number_of_updates_by_environment_steps", &s->multiply, err)) ||
        (st = athlete_config_get_int_min(c, "target_critic_update_frequency", 1, &s->target_critic_frequency, err)) ||
        (st = athlete_config_get_real_in(c, "target_critic_tau", 0, 1, true, "in (0, 1] (1 is a hard copy)", &s->target_critic_tau, err)) ||
        (st = athlete_config_get_int_min(c, "target_actor_update_frequency", 1, &s->target_actor_frequency, err)) ||
        (st = athlete_config_get_real_in(c, "target_actor_tau", 0, 1, true, "in (0, 1] (1 is a hard copy)", &s->target_actor_tau, err)) ||
        (st = athlete_config_get_string(c, "critic_criteria", &criteria, err)) ||
        (st = athlete_config_get_optional_real_in(c, "critic_gradient_max_norm", 0, INFINITY, true, "null or a number > 0", &s->critic_max_norm, err)) ||
        (st = athlete_config_get_optional_real_in(c, "actor_gradient_max_norm", 0, INFINITY, true, "null or a number > 0", &s->actor_max_norm, err)))
        return st;
    if (s->batch < 1 || s->batch > MAX_BATCH)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "ddpg config: 'replay_buffer_mini_batch_size' must be in [1, %d], got %lld", MAX_BATCH,
                                 (long long)s->batch);
    if (athlete_critic_criterion_parse(criteria, &s->criterion, NULL) != ATHLETE_OK)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "ddpg config: 'critic_criteria' must be \"mse\" or \"huber\", got \"%s\"", criteria);
    return ATHLETE_OK;
}

static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    ddpg_settings s;
    return read_settings(config, &s, err);
}

/* ---- the gradient updatables: critic and actor, on the schedule of spec §2.2 ---- */

/* A gradient updatable of the SDK, on the schedule of spec §2.2 (skipped while the replay
 * buffer is empty: bug B3). */
static athlete_status add_update(athlete_parts *parts, const char *name, ddpg_state *s, athlete_gradient_step_fn step,
                                 const char *log_key, int64_t frequency, int64_t updates, bool multiply,
                                 uint64_t seed, uint64_t stream, athlete_error *err)
{
    athlete_gradient_update_options options = {
        .struct_size = sizeof options, .name = name, .log_key = log_key, .step = step, .context = s,
        .frequency = frequency, .number_of_updates = (uint64_t)updates, .multiply_by_environment_steps = multiply,
        .replay = s->replay, .seed = seed, .stream = stream,
    };
    return athlete_gradient_update_add(parts, &options, err);
}

/* ---- shared state: networks and optimizers (targets are saved by their syncs) ---- */

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    ddpg_state *s = state;
    if (!s->critic)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "ddpg: an inference-only agent has no training state");
    athlete_status st;
    if ((st = athlete_mlp_save(athlete_critic_network(s->critic), w, "critic", err)) ||
        (st = athlete_mlp_save(s->actor, w, "actor", err)) || (st = athlete_adam_save(s->critic_adam, w, "critic_optimizer", err)) ||
        (st = athlete_adam_save(s->actor_adam, w, "actor_optimizer", err)))
        return st;
    return ATHLETE_OK;
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    ddpg_state *s = state;
    if (!s->critic)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "ddpg: an inference-only agent has no training state");
    athlete_status st;
    if ((st = athlete_mlp_load(athlete_critic_network(s->critic), r, "critic", err)) ||
        (st = athlete_mlp_load(s->actor, r, "actor", err)) || (st = athlete_adam_load(s->critic_adam, r, "critic_optimizer", err)) ||
        (st = athlete_adam_load(s->actor_adam, r, "actor_optimizer", err)))
        return st;
    return ATHLETE_OK;
}

/* Policy-only files: the actor is all the evaluation policy needs. */
static athlete_status state_save_policy(void *state, athlete_writer *w, athlete_error *err)
{
    ddpg_state *s = state;
    return athlete_mlp_save(s->actor, w, "actor", err);
}

static athlete_status state_load_policy(void *state, athlete_reader *r, athlete_error *err)
{
    ddpg_state *s = state;
    return athlete_mlp_load(s->actor, r, "actor", err);
}

static void state_destroy(void *state)
{
    ddpg_state *s = state;
    if (!s)
        return;
    athlete_adam_destroy(s->critic_adam);
    athlete_adam_destroy(s->actor_adam);
    athlete_critic_destroy(s->critic);
    athlete_mlp_workspace_destroy(s->actor_ws);
    athlete_mlp_workspace_destroy(s->target_actor_ws);
    athlete_mlp_destroy(s->target_actor);
    athlete_mlp_destroy(s->actor);
    athlete_replay_destroy(s->replay);
    athlete_noise_destroy(s->noise);
    athlete_action_scaling_destroy(s->scaling);
    athlete_free(s->y);
    athlete_free(s);
}

static const athlete_state_ops ddpg_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save_policy,
    .load_policy = state_load_policy,
};

/* ---- extension methods ---- */

static double method_exploration_noise(void *state)
{
    const ddpg_state *s = state;
    return athlete_noise_std(s->noise);
}

static void method_set_exploration_noise(void *state, double noise_std)
{
    ddpg_state *s = state;
    athlete_noise_set_std(s->noise, noise_std);
}

static const athlete_method ddpg_methods[] = {
    {"exploration_noise", "d()", (athlete_method_fn)method_exploration_noise,
     "the exploration noise's scale (noise_std)"},
    {"set_exploration_noise", "v(d)", (athlete_method_fn)method_set_exploration_noise,
     "sets the exploration noise's scale (values < 0 are ignored); saved in checkpoints"},
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

static athlete_status build_training(const athlete_build_args *args, const ddpg_settings *cfg, ddpg_state *s,
                                     athlete_rng *init, athlete_parts *parts, athlete_error *err)
{
    size_t obs = s->observation_size, act = s->action_size, batch = s->batch;
    athlete_status st;
    /* construction order of the original: critic, then actor */
    if ((st = athlete_critic_create(obs, act, cfg->critic_hidden, cfg->n_critic_hidden, batch, init, &s->critic, err)) ||
        (st = athlete_actor_network_create(ATHLETE_ACTOR_DETERMINISTIC, obs, act, cfg->actor_hidden,
                                           cfg->n_actor_hidden, cfg->squash, init, &s->actor, err)) ||
        (st = athlete_mlp_clone(s->actor, &s->target_actor, err)) ||
        (st = athlete_mlp_workspace_create(s->actor, batch, &s->actor_ws, err)) ||
        (st = athlete_mlp_workspace_create(s->actor, batch, &s->target_actor_ws, err)) ||
        (st = athlete_replay_create((size_t)cfg->capacity, obs, act, batch, &s->replay, err)))
        return st;
    athlete_mlp *critic = athlete_critic_network(s->critic);
    athlete_adam_group cg = athlete_adam_group_default(athlete_mlp_params(critic), athlete_mlp_grads(critic),
                                                       athlete_mlp_param_count(critic), cfg->critic_lr);
    athlete_adam_group ag = athlete_adam_group_default(athlete_mlp_params(s->actor), athlete_mlp_grads(s->actor),
                                                       athlete_mlp_param_count(s->actor), cfg->actor_lr);
    if ((st = athlete_adam_create(&cg, 1, &s->critic_adam, err)) || (st = athlete_adam_create(&ag, 1, &s->actor_adam, err)))
        return st;
    s->y = athlete_calloc(2 * batch + batch * act, sizeof *s->y);
    if (!s->y)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "ddpg: out of memory");
    s->d_q = s->y + batch;
    s->d_actions = s->d_q + batch;

    /* update order (spec §3.2): replay -> critic -> actor -> target critic -> target actor */
    if ((st = athlete_replay_update_add(parts, s->replay, err)) ||
        (st = add_update(parts, "critic", s, ddpg_critic_step, "critic_loss", cfg->critic_frequency,
                         cfg->critic_updates, cfg->multiply, args->seed, STREAM_CRITIC_UPDATE, err)) ||
        (st = add_update(parts, "actor", s, ddpg_actor_step, "actor_loss", cfg->actor_frequency,
                         cfg->actor_updates, cfg->multiply, args->seed, STREAM_ACTOR_UPDATE, err)) ||
        (st = athlete_target_sync_add(parts, "target_critic", athlete_critic_target(s->critic), critic,
                                      cfg->target_critic_tau, (uint64_t)cfg->target_critic_frequency, err)) ||
        (st = athlete_target_sync_add(parts, "target_actor", s->target_actor, s->actor, cfg->target_actor_tau,
                                      (uint64_t)cfg->target_actor_frequency, err)))
        return st;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    athlete_status st = athlete_action_scaling_check(args->observation_space, args->action_space, "ddpg", err);
    if (st != ATHLETE_OK)
        return st;
    ddpg_settings cfg;
    if ((st = read_settings(args->config, &cfg, err)))
        return st;
    ddpg_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "ddpg: out of memory");
    parts->state = s;
    parts->state_ops = &ddpg_state_ops;
    s->observation_size = athlete_space_flat_size(args->observation_space);
    s->action_size = athlete_space_flat_size(args->action_space);
    s->batch = (size_t)cfg.batch;
    s->discount = cfg.discount;
    s->criterion = cfg.criterion;
    s->critic_max_norm = cfg.critic_max_norm;
    s->actor_max_norm = cfg.actor_max_norm;
    athlete_noise_options noise = cfg.noise;
    noise.size = s->action_size;
    noise.seed = args->seed;
    noise.stream = STREAM_NOISE;
    athlete_rng init;
    athlete_rng_seed(&init, args->seed, STREAM_INIT);
    if ((st = athlete_action_scaling_create(args->action_space, "ddpg", &s->scaling, err)) ||
        (st = athlete_noise_create(&noise, &s->noise, err)) ||
        (st = athlete_transition_collector_create(s->observation_size, s->action_size, "unscaled_action",
                                                  &parts->collector, err)))
        goto fail;
    if (args->inference_only)
        st = athlete_actor_network_create(ATHLETE_ACTOR_DETERMINISTIC, s->observation_size, s->action_size,
                                          cfg.actor_hidden, cfg.n_actor_hidden, cfg.squash, &init, &s->actor, err);
    else
        st = build_training(args, &cfg, s, &init, parts, err);
    if (st != ATHLETE_OK)
        goto fail;
    athlete_actor_policy_options policy = {
        .struct_size = sizeof policy,
        .kind = ATHLETE_ACTOR_DETERMINISTIC,
        .actor = s->actor,
        .scaling = s->scaling,
        .training = true,
        .noise = s->noise,
        .seed = args->seed,
        .stream = STREAM_TRAINING_POLICY,
    };
    if ((st = athlete_actor_policy_create(&policy, &parts->training_policy, err)))
        goto fail;
    policy.training = false;
    policy.noise = NULL;
    if ((st = athlete_actor_policy_create(&policy, &parts->evaluation_policy, err)))
        goto fail;
    return ATHLETE_OK;
fail:
    athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm ddpg_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "ddpg",
    .summary = "Deep Deterministic Policy Gradient for Box actions (Gaussian, Ornstein-Uhlenbeck or coloured exploration noise)",
    .default_config = ddpg_defaults,
    .config_types = ddpg_types,
    .check_config = check_config,
    .build = build,
    .methods = ddpg_methods,
};

ATHLETE_PLUGIN_DEFINE(ddpg, "1.0.0", "Deep Deterministic Policy Gradient", &ddpg_algorithm)

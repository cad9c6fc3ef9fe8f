/* Deep Deterministic Policy Gradient: defaults, configuration checks, the
 * gradient updatables and the wiring. Collector, replay and target updates, policies,
 * critic, noise and scaling come from the SDK; the losses are in ddpg-update.c.
 *
 * Deviations from the original, each fixing a flaw of it:
 *   warmup actions are stored as the unscaled value the environment got (2u - 1), not
 *   the uniform draw u (the original mislabelled its warmup data);
 *   no gradient update runs while the replay buffer is empty (warmup_steps 0; the
 *   original sampled the empty buffer and crashed);
 *   one update per interaction: reset_step never repeats the update of the step that
 *   ended the episode (athlete_update_schedule's once-per-count guard);
 *   the noise process's state is saved in checkpoints (the original lost it).
 * Keys dropped from the original's configuration (no meaning in C): the *_class keys
 * naming torch classes (the noise class is the string "noise_process_class"; the critic
 * loss the string "critic_criteria"), "device", "init_state_dict_path", the "PLACEHOLDER"
 * spaces, "additional_replay_buffer_arguments" (cpprb options) and
 * "post_replay_buffer_data_preprocessing" (unusable in the original: the policies called
 * its dictionary of function lists as a function).
 * "noise_process_arguments" lists every noise process's argument so each can be
 * overridden key by key; a process reads only its own (noise_std for all; theta, dt, mu
 * for "ornstein_uhlenbeck"; horizon, beta for "colored"). noise_std is 0.1 for every
 * process, as the original's default dictionary passed it to whichever class was chosen;
 * the horizon of coloured noise (which had no default) is 1000 steps. */
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

#include "ddpg-private.h"

/* RNG streams of the agent's seed, one per random component. */
enum {
    STREAM_INIT = 1, /* network initialisation: critic, then actor (the original's order) */
    STREAM_TRAINING_POLICY = 2,
    STREAM_NOISE = 3,
    STREAM_CRITIC_UPDATE = 4,
    STREAM_ACTOR_UPDATE = 5,
};

typedef struct ddpg_settings {
    double discount;
    athlete_config_sizes critic_hidden, actor_hidden;
    bool squash;
    actor_critic_noise noise;
    actor_critic_settings common; /* optimisation, replay, schedules, targets */
} ddpg_settings;

/* The configuration: every key once, with its default, range and meaning. */
static const athlete_config_key ddpg_keys[] = {
    ACTOR_CRITIC_DISCOUNT_KEY(ddpg_settings),
    ACTOR_CRITIC_LAYERS_KEY(ddpg_settings, "critic_network_arguments", critic_hidden, "the critic's"),
    ACTOR_CRITIC_LAYERS_KEY(ddpg_settings, "actor_network_arguments", actor_hidden, "the actor's"),
    ACTOR_CRITIC_SQUASH_KEY(ddpg_settings, squash),
    ACTOR_CRITIC_NOISE_KEYS(ddpg_settings, noise),
    ACTOR_CRITIC_SCHEDULE_KEYS(ddpg_settings, 1e-3, 1, 1),
    ACTOR_CRITIC_TARGET_ACTOR_KEYS(ddpg_settings, 1),
    ACTOR_CRITIC_LOSS_KEYS(ddpg_settings),
};
ATHLETE_CONFIG_TABLE_DEFINE(ddpg_config, ddpg_settings, ddpg_keys);

/* ---- shared state: networks and optimizers (targets are saved by their syncs) ---- */

static void state_destroy(void *state)
{
    ddpg_state *s = state;
    if (!s)
        return;
    actor_critic_state_release(&s->ac);
    athlete_free(s->y);
    athlete_free(s);
}

static const athlete_state_ops ddpg_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = actor_critic_state_save,
    .load = actor_critic_state_load,
    .destroy = state_destroy,
    .save_policy = actor_critic_state_save_policy,
    .load_policy = actor_critic_state_load_policy,
    .describe_policy = actor_critic_state_describe_deterministic,
};

static const athlete_method ddpg_methods[] = {
    ACTOR_CRITIC_NOISE_METHODS,
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

/* The critic and actor steps' buffers: y and d_q (batch each), d_actions (batch × action). */
static athlete_status scratch_create(ddpg_state *s, athlete_error *err)
{
    size_t batch = s->ac.batch, act = s->ac.action_size;
    s->y = athlete_calloc(2 * batch + batch * act, sizeof *s->y);
    if (!s->y)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "ddpg: out of memory");
    s->d_q = s->y + batch;
    s->d_actions = s->d_q + batch;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    athlete_status st = athlete_action_scaling_check(args->observation_space, args->action_space, "ddpg", err);
    if (st != ATHLETE_OK)
        return st;
    ddpg_settings cfg;
    if ((st = athlete_config_table_read(&ddpg_config, args->config, &cfg, err)))
        return st;
    ddpg_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "ddpg: out of memory");
    parts->state = s;
    parts->state_ops = &ddpg_state_ops;
    actor_critic_state_init(&s->ac, args, &cfg.common, cfg.discount);
    actor_critic_spec spec = {
        .owner = "ddpg", .observation_size = s->ac.observation_size, .action_size = s->ac.action_size,
        .common = &cfg.common, .critic_hidden = {&cfg.critic_hidden}, .critic_count = 1,
        .actor_hidden = &cfg.actor_hidden, .actor_kind = ATHLETE_ACTOR_DETERMINISTIC, .squash = cfg.squash,
        .target_actor = true, .critic_step = ddpg_critic_step, .actor_step = ddpg_actor_step, .context = s,
        .seed = args->seed, .init_stream = STREAM_INIT, .critic_stream = STREAM_CRITIC_UPDATE,
        .actor_stream = STREAM_ACTOR_UPDATE, .policy_stream = STREAM_TRAINING_POLICY, .noise_stream = STREAM_NOISE,
        .noise = &cfg.noise,
    };
    if ((st = actor_critic_build_parts(args, &spec, &s->ac, parts, err)) ||
        (!args->inference_only && (st = scratch_create(s, err))))
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm ddpg_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "ddpg",
    .summary = "Deep Deterministic Policy Gradient for Box actions (Gaussian, Ornstein-Uhlenbeck or coloured exploration noise)",
    .build = build,
    .methods = ddpg_methods,
    .config_table = &ddpg_config,
};

ATHLETE_PLUGIN_DEFINE(ddpg, "1.0.0", "Deep Deterministic Policy Gradient", &ddpg_algorithm)

/* Twin Delayed DDPG: defaults, configuration checks, the gradient updatables
 * and the wiring. Collector, replay and target updates, policies (DDPG's), critics, noise
 * and scaling come from the SDK; the losses are in td3-update.c. The key of critic 1's
 * arguments is "critic_network_arguments", critic 2's "critic_2_network_arguments" (the
 * original's names, kept for configuration compatibility).
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

#include "td3-private.h"

/* RNG streams of the agent's seed, one per random component. */
enum {
    STREAM_INIT = 1, /* network initialisation: critic 1, critic 2, actor (the original's order) */
    STREAM_TRAINING_POLICY = 2,
    STREAM_NOISE = 3,
    STREAM_CRITIC_UPDATE = 4,
    STREAM_ACTOR_UPDATE = 5,
};

typedef struct td3_settings {
    double discount;
    athlete_config_sizes critic_hidden, critic_2_hidden, actor_hidden;
    double target_noise_std, target_noise_clip;
    bool squash;
    actor_critic_noise noise;
    actor_critic_settings common; /* optimisation, replay, schedules, targets */
} td3_settings;

/* The configuration: every key once, with its default, range and meaning. */
static const athlete_config_key td3_keys[] = {
    ACTOR_CRITIC_DISCOUNT_KEY(td3_settings),
    ACTOR_CRITIC_LAYERS_KEY(td3_settings, "critic_network_arguments", critic_hidden, "critic 1's"),
    ACTOR_CRITIC_LAYERS_KEY(td3_settings, "critic_2_network_arguments", critic_2_hidden, "critic 2's"),
    {.name = "target_noise_std", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(td3_settings, target_noise_std),
     .default_value = 0.2, .min = 0, .max = INFINITY, .limit = 1000, .rule = "a finite number >= 0",
     .description = "scale of the Gaussian noise on the target actions (target policy smoothing)"},
    {.name = "target_noise_clip", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(td3_settings, target_noise_clip),
     .default_value = 0.5, .min = 0, .max = INFINITY, .limit = 1000, .rule = "a finite number >= 0",
     .description = "the target noise is clipped to [-clip, clip]"},
    ACTOR_CRITIC_LAYERS_KEY(td3_settings, "actor_network_arguments", actor_hidden, "the actor's"),
    ACTOR_CRITIC_SQUASH_KEY(td3_settings, squash),
    ACTOR_CRITIC_NOISE_KEYS(td3_settings, noise),
    ACTOR_CRITIC_SCHEDULE_KEYS(td3_settings, 1e-3, 2, 2),
    ACTOR_CRITIC_TARGET_ACTOR_KEYS(td3_settings, 2),
    ACTOR_CRITIC_LOSS_KEYS(td3_settings),
};
ATHLETE_CONFIG_TABLE_DEFINE(td3_config, td3_settings, td3_keys);

/* ---- shared state: networks and optimizers (targets are saved by their syncs) ---- */

static void state_destroy(void *state)
{
    td3_state *s = state;
    if (!s)
        return;
    actor_critic_state_release(&s->ac);
    athlete_free(s->y);
    athlete_free(s);
}

static const athlete_state_ops td3_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = actor_critic_state_save,
    .load = actor_critic_state_load,
    .destroy = state_destroy,
    .save_policy = actor_critic_state_save_policy,
    .load_policy = actor_critic_state_load_policy,
    .describe_policy = actor_critic_state_describe_deterministic,
};

static const athlete_method td3_methods[] = {
    ACTOR_CRITIC_NOISE_METHODS,
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

/* The steps' buffers: y and d_q (batch each), next_actions and d_actions (batch × action each). */
static athlete_status scratch_create(td3_state *s, athlete_error *err)
{
    size_t batch = s->ac.batch, act = s->ac.action_size;
    s->y = athlete_calloc(2 * batch + 2 * batch * act, sizeof *s->y);
    if (!s->y)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "td3: out of memory");
    s->d_q = s->y + batch;
    s->next_actions = s->d_q + batch;
    s->d_actions = s->next_actions + batch * act;
    return ATHLETE_OK;
}

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    athlete_status st = athlete_action_scaling_check(args->observation_space, args->action_space, "td3", err);
    if (st != ATHLETE_OK)
        return st;
    td3_settings cfg;
    if ((st = athlete_config_table_read(&td3_config, args->config, &cfg, err)))
        return st;
    td3_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "td3: out of memory");
    parts->state = s;
    parts->state_ops = &td3_state_ops;
    actor_critic_state_init(&s->ac, args, &cfg.common, cfg.discount);
    s->target_noise_std = cfg.target_noise_std;
    s->target_noise_clip = cfg.target_noise_clip;
    actor_critic_spec spec = {
        .owner = "td3", .observation_size = s->ac.observation_size, .action_size = s->ac.action_size,
        .common = &cfg.common, .critic_hidden = {&cfg.critic_hidden, &cfg.critic_2_hidden}, .critic_count = 2,
        .actor_hidden = &cfg.actor_hidden, .actor_kind = ATHLETE_ACTOR_DETERMINISTIC, .squash = cfg.squash,
        .target_actor = true, .critic_step = td3_critic_step, .actor_step = td3_actor_step, .context = s,
        .seed = args->seed, .init_stream = STREAM_INIT, .critic_stream = STREAM_CRITIC_UPDATE,
        .actor_stream = STREAM_ACTOR_UPDATE, .policy_stream = STREAM_TRAINING_POLICY, .noise_stream = STREAM_NOISE,
        .noise = &cfg.noise,
    };
    if ((st = actor_critic_build_parts(args, &spec, &s->ac, parts, err)) ||
        (!args->inference_only && (st = scratch_create(s, err))))
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm td3_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "td3",
    .summary = "Twin Delayed DDPG for Box actions: twin critics, target policy smoothing, delayed actor updates",
    .build = build,
    .methods = td3_methods,
    .config_table = &td3_config,
};

ATHLETE_PLUGIN_DEFINE(td3, "1.0.0", "Twin Delayed DDPG", &td3_algorithm)

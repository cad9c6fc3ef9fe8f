/* What the off-policy actor-critics (ddpg, td3, sac) share, linked into each of them as a
 * static, non-installed library (not part of the SDK's ABI): the configuration keys of
 * optimisation, replay, schedules and targets (declared once, as config-table entries),
 * the exploration-noise keys, and the wiring of the networks, optimisers, replay buffer,
 * gradient updates and target syncs. */
#ifndef ACTOR_CRITIC_H
#define ACTOR_CRITIC_H

#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/checkpoint.h>
#include <athlete/collectors.h>
#include <athlete/component.h>
#include <athlete/config-table.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/noise.h>
#include <athlete/replay.h>
#include <athlete/scaling.h>

#include "noise-keys.h"
#include <athlete/updates.h>

#include <athlete/plugin.h>

#include <math.h>

#define ACTOR_CRITIC_MAX_BATCH 65536
#define ACTOR_CRITIC_MAX_WIDTH 65536

/* The shared keys' values; a plugin's settings struct holds one as `common`. */
typedef struct actor_critic_settings {
    double critic_lr, actor_lr;
    int64_t capacity, batch, warmup;
    int64_t critic_frequency, critic_updates, actor_frequency, actor_updates;
    bool multiply;
    int64_t target_critic_frequency, target_actor_frequency; /* target actor: ddpg, td3 */
    double target_critic_tau, target_actor_tau;
    int criterion; /* index in actor_critic_criteria */
    double critic_max_norm, actor_max_norm; /* 0: no clipping */
    int64_t max_parameters;
} actor_critic_settings;

extern const char *const actor_critic_criteria[]; /* "mse", "huber": athlete_critic_criterion - 1 */

/* The table entries of the shared keys, in the defaults' order, for a settings struct
 * `type` with the member `common`: optimisation and replay, the critic and actor
 * schedules (the actor's frequency differs: 1 in ddpg and sac, 2 in td3), the target
 * critic, then (ACTOR_CRITIC_TARGET_ACTOR_KEYS, ddpg and td3) the target actor, then the
 * loss and the clipping (ACTOR_CRITIC_LOSS_KEYS). */
#define ACTOR_CRITIC_FIELD_(settings_, f_) ATHLETE_CONFIG_FIELD(settings_, common.f_)
#define ACTOR_CRITIC_SCHEDULE_KEYS(settings_, lr_, actor_frequency_, target_frequency_)                                  \
    {.name = "critic_optimizer_arguments.lr", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, critic_lr),    \
     .default_value = lr_, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1e30,             \
     .description = "the critics' Adam learning rate"},                                                          \
    {.name = "actor_optimizer_arguments.lr", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, actor_lr),      \
     .default_value = lr_, .min = 0, .max = INFINITY, .flags = ATHLETE_CONFIG_MIN_OPEN, .limit = 1e30,             \
     .description = "the actor's Adam learning rate"},                                                           \
    {.name = "replay_buffer_capacity", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, capacity),            \
     .default_value = 1000000, .min = 1, .max = INFINITY, .limit = 1e8,                                           \
     .description = "transitions the replay buffer keeps (the oldest are overwritten)"},                          \
    {.name = "replay_buffer_mini_batch_size", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, batch),        \
     .default_value = 256, .min = 1, .max = ACTOR_CRITIC_MAX_BATCH, .description = "transitions per gradient step"}, \
    {.name = "warmup_steps", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, warmup), .default_value = 1000, \
     .min = 0, .max = INFINITY, .limit = 1e12,                                                                    \
     .description = "interactions with uniformly random actions before the first update"},                       \
    {.name = "critic_update_frequency", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, critic_frequency),   \
     .default_value = 1, .min = -INFINITY, .max = INFINITY, .limit = 1e9,                                         \
     .description = "interactions between critic updates (<= 0: at the end of each episode)"},                   \
    {.name = "critic_number_of_updates", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, critic_updates),    \
     .default_value = 1, .min = 1, .max = INFINITY, .limit = 10000, .description = "gradient steps per critic update"}, \
    {.name = "actor_update_frequency", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, actor_frequency),     \
     .default_value = actor_frequency_, .min = -INFINITY, .max = INFINITY, .limit = 1e9,                           \
     .description = "interactions between actor updates (<= 0: at the end of each episode)"},                    \
    {.name = "actor_number_of_updates", .type = ATHLETE_CONFIG_INT, ACTOR_CRITIC_FIELD_(settings_, actor_updates),       \
     .default_value = 1, .min = 1, .max = INFINITY, .limit = 10000, .description = "gradient steps per actor update"}, \
    {.name = "multiply_number_of_updates_by_environment_steps", .type = ATHLETE_CONFIG_BOOL,                      \
     ACTOR_CRITIC_FIELD_(settings_, multiply), .default_value = 0,                                                     \
     .description = "multiply the gradient steps by the interactions since the last update"},                    \
    {.name = "target_critic_update_frequency", .type = ATHLETE_CONFIG_INT,                                        \
     ACTOR_CRITIC_FIELD_(settings_, target_critic_frequency), .default_value = target_frequency_, .min = 1,             \
     .max = INFINITY, .limit = 1e9, .description = "interactions between target critic syncs"},                  \
    {.name = "target_critic_tau", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, target_critic_tau),       \
     .default_value = 0.005, .min = 0, .max = 1, .flags = ATHLETE_CONFIG_MIN_OPEN,                                \
     .rule = "in (0, 1] (1 is a hard copy)", .description = "Polyak factor of a target critic sync"}

#define ACTOR_CRITIC_TARGET_ACTOR_KEYS(settings_, target_frequency_)                                                   \
    {.name = "target_actor_update_frequency", .type = ATHLETE_CONFIG_INT,                                         \
     ACTOR_CRITIC_FIELD_(settings_, target_actor_frequency), .default_value = target_frequency_, .min = 1,              \
     .max = INFINITY, .limit = 1e9, .description = "interactions between target actor syncs"},                   \
    {.name = "target_actor_tau", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, target_actor_tau),         \
     .default_value = 0.005, .min = 0, .max = 1, .flags = ATHLETE_CONFIG_MIN_OPEN,                                \
     .rule = "in (0, 1] (1 is a hard copy)", .description = "Polyak factor of a target actor sync"}

#define ACTOR_CRITIC_LOSS_KEYS(settings_)                                                                             \
    {.name = "critic_criteria", .type = ATHLETE_CONFIG_ENUM, ACTOR_CRITIC_FIELD_(settings_, criterion),                 \
     .choices = actor_critic_criteria, .default_choice = "mse",                                                   \
     .description = "the critics' loss: mean squared error or Huber (delta 1)"},                                 \
    {.name = "critic_gradient_max_norm", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, critic_max_norm),  \
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 0,      \
     .min = 0, .max = INFINITY, .limit = 1e6, .rule = "null or a number > 0",                                     \
     .description = "clip the critics' gradient norm to this (null: no clipping)"},                              \
    {.name = "actor_gradient_max_norm", .type = ATHLETE_CONFIG_REAL, ACTOR_CRITIC_FIELD_(settings_, actor_max_norm),    \
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 0,      \
     .min = 0, .max = INFINITY, .limit = 1e6, .rule = "null or a number > 0",                                     \
     .description = "clip the actor's gradient norm to this (null: no clipping)"},                               \
    ATHLETE_CONFIG_MAX_PARAMETERS_KEY(settings_, common.max_parameters)

/* The layers of a network (`key` its arguments' name: "critic_network_arguments", ...) and
 * a deterministic actor's squashing (ddpg, td3). The discount opens every table. */
#define ACTOR_CRITIC_DISCOUNT_KEY(settings_)                                                                     \
    {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings_, discount),                  \
     .default_value = 0.99, .min = 0, .max = 1, .description = "discount factor of future rewards (gamma)"}
#define ACTOR_CRITIC_LAYERS_KEY(settings_, key_, field_, what_)                                                  \
    {.name = key_ ".hidden_dims", .type = ATHLETE_CONFIG_SIZES, ATHLETE_CONFIG_FIELD(settings_, field_),           \
     .default_sizes = (const size_t[]){400, 300}, .default_count = 2, .min = 1, .max = ACTOR_CRITIC_MAX_WIDTH,    \
     .description = "widths of " what_ " hidden layers (ReLU)"}
#define ACTOR_CRITIC_SQUASH_KEY(settings_, field_)                                                               \
    {.name = "actor_network_arguments.squash_action", .type = ATHLETE_CONFIG_BOOL,                                \
     ATHLETE_CONFIG_FIELD(settings_, field_), .default_value = 1,                                                 \
     .description = "tanh on the actor's output (actions in [-1, 1] before scaling)"}

/* The networks, optimisers and replay buffer of an actor-critic. */
typedef struct actor_critic_nets {
    const char *owner;
    athlete_critic *critics[2];
    size_t critic_count;
    athlete_mlp *actor;
    /* training only (NULL in an inference-only build) */
    athlete_mlp_workspace *actor_ws;
    athlete_mlp *target_actor;                /* ddpg, td3 */
    athlete_mlp_workspace *target_actor_ws;
    athlete_adam *critic_adam;                /* one parameter group per critic */
    athlete_adam *actor_adam;
    athlete_replay *replay;
} actor_critic_nets;

/* What every actor-critic's state starts with: the first member (`ac`) of the plugin's
 * state, so the shared state operations and methods below take the plugin's state. */
typedef struct actor_critic_state {
    size_t observation_size, action_size, batch;
    double discount;
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: no clipping */
    athlete_action_scaling *scaling;
    athlete_noise *noise; /* the training policy's exploration noise (ddpg, td3) */
    actor_critic_nets nets;
} actor_critic_state;

/* Sizes from the spaces, and the settings every step reads. */
void actor_critic_state_init(actor_critic_state *ac, const athlete_build_args *args,
                             const actor_critic_settings *common, double discount);
/* Destroys what the state owns (not the state itself). */
void actor_critic_state_release(actor_critic_state *ac);

/* athlete_state_ops members for a plugin state whose first member is an actor_critic_state:
 * the trained state as actor_critic_save/load, the policy file as the actor alone. */
athlete_status actor_critic_state_save(void *state, athlete_writer *writer, athlete_error *err);
athlete_status actor_critic_state_load(void *state, athlete_reader *reader, athlete_error *err);
athlete_status actor_critic_state_save_policy(void *state, athlete_writer *writer, athlete_error *err);
athlete_status actor_critic_state_load_policy(void *state, athlete_reader *reader, athlete_error *err);
/* For export: the evaluation policy as a program, the actor with the action scaling, its
 * output used as it is (ddpg, td3) or as the squashed Gaussian's mean (sac). */
athlete_status actor_critic_state_describe_deterministic(void *state, struct athlete_policy_program *program,
                                                         athlete_error *err);
athlete_status actor_critic_state_describe_squashed(void *state, struct athlete_policy_program *program,
                                                    athlete_error *err);

/* The extension methods of an exploration noise (ddpg, td3). */
#define ACTOR_CRITIC_NOISE_METHODS                                                                               \
    {"exploration_noise", "d()", (athlete_method_fn)actor_critic_exploration_noise,                               \
     "the exploration noise's scale (noise_std)"},                                                                \
    {"set_exploration_noise", "v(d)", (athlete_method_fn)actor_critic_set_exploration_noise,                      \
     "sets the exploration noise's scale (values < 0 are ignored); saved in checkpoints"}
double actor_critic_exploration_noise(void *state);
void actor_critic_set_exploration_noise(void *state, double noise_std);

/* What to build: the spaces' sizes, the layers, the actor's kind, and the plugin's
 * gradient steps (context: its state) with their RNG streams. */
typedef struct actor_critic_spec {
    const char *owner;
    size_t observation_size, action_size;
    const actor_critic_settings *common;
    const athlete_config_sizes *critic_hidden[2];
    size_t critic_count;
    const athlete_config_sizes *actor_hidden;
    athlete_actor_kind actor_kind;
    bool squash, target_actor;
    athlete_gradient_step_fn critic_step, actor_step;
    void *context;
    uint64_t seed, init_stream, critic_stream, actor_stream, policy_stream, noise_stream;
    const actor_critic_noise *noise; /* the training policy's exploration noise (NULL: none) */
    double log_std_min, log_std_max; /* a squashed Gaussian actor's */
    /* optional: one more gradient update between the actor's and the target syncs (sac's temperature) */
    const athlete_gradient_update_options *extra_update;
    athlete_gsde *gsde; /* optional: the training policy's state-dependent exploration (sac) */
} actor_critic_spec;

/* The parameters of every network the spec builds (critics and their targets, the actor
 * and its target), checked against common->max_parameters before anything is allocated. */
athlete_status actor_critic_check_parameters(const actor_critic_spec *spec, const athlete_config *config,
                                             athlete_error *err);

/* A whole agent but the plugin's own scratch: checks the parameter budget, then makes the
 * action scaling, the exploration noise (spec->noise), the transition collector (which
 * stores the unscaled action), the networks (the actor alone when args->inference_only,
 * else actor_critic_build_training) and the training and evaluation policies. */
athlete_status actor_critic_build_parts(const athlete_build_args *args, const actor_critic_spec *spec,
                                        actor_critic_state *ac, athlete_parts *parts, athlete_error *err);

/* Everything for training, in the original's construction order (critics, then the
 * actor, drawn from `init`), and the updatables in its update order: replay, critic,
 * actor, the extra update, the target critics, the target actor. */
athlete_status actor_critic_build_training(actor_critic_nets *nets, const actor_critic_spec *spec, athlete_rng *init,
                                           athlete_parts *parts, athlete_error *err);
/* The actor alone (an inference-only agent). */
athlete_status actor_critic_build_actor(actor_critic_nets *nets, const actor_critic_spec *spec, athlete_rng *init,
                                        athlete_error *err);
void actor_critic_nets_destroy(actor_critic_nets *nets);

/* The two gradient updates "critic" (log key "critic_loss") and "actor" ("actor_loss") on
 * the settings' schedules, in that order, each with its own RNG stream, skipped while the
 * replay buffer is empty. */
athlete_status actor_critic_updates_add(athlete_parts *parts, const actor_critic_settings *settings,
                                        const actor_critic_spec *spec, const athlete_replay *replay,
                                        athlete_error *err);

/* The trained state, saved and loaded as the records "critic" (one critic) or "critic_1"
 * and "critic_2" (twins), "actor", "critic_optimizer" and "actor_optimizer". Targets are
 * saved by their syncs. Without critics (an inference-only agent) both fail with
 * ATHLETE_E_UNSUPPORTED naming the owner. */
athlete_status actor_critic_save(const actor_critic_nets *nets, athlete_writer *writer, athlete_error *err);
athlete_status actor_critic_load(const actor_critic_nets *nets, athlete_reader *reader, athlete_error *err);

#endif

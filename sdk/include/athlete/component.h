/* The component ABI: what an algorithm is made of.
 *
 * An algorithm's factory builds four components (data collector, an ordered list of
 * updatables forming the update rule, training policy, evaluation policy) plus shared
 * state (networks, replay buffer) they borrow. The core drives the loop:
 *
 *   step(obs, r, term, trunc):  collector.collect → clock.interactions++ (and data_points,
 *                               episodes) → each updatable whose ready() holds, in order →
 *                               training_policy.act (unless the episode ended)
 *   reset_step(obs):            collector.reset → updatables → training_policy.reset_act
 *
 * A vector agent (num_envs N) does the same per environment, in order 0..N-1, within one
 * call: collect env i → clock → updatables, and when env i's episode ended (the host's
 * vector environment resets it in the same step) collector.reset_env(i) → updatables;
 * then ONE training_policy.act_batch over the N rows. So the clock counts environment
 * interactions (N per call) and every schedule keeps its single-environment meaning: an
 * update "every k interactions" runs at the same interaction counts as with one
 * environment (k/N calls apart, several in one call when k < N), and N = 1 is exactly the
 * single-environment agent.
 *
 * so an algorithm contains decisions, never a scheduler. Every vtable starts with
 * struct_size (append-only evolution: the core reads a trailing member only when
 * struct_size covers it) and ends its 1.0 layout with save, load and destroy. save/load
 * may be NULL for stateless components. */
#ifndef ATHLETE_COMPONENT_H
#define ATHLETE_COMPONENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/checkpoint.h>
#include <athlete/config.h>
#include <athlete/export.h>
#include <athlete/info.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* The agent's step tracker. Owned by the core; components receive a pointer that stays
 * valid for the agent's life and never write to it. */
typedef struct athlete_clock {
    uint64_t interactions; /* environment interactions (step calls in training mode) */
    uint64_t episodes;     /* episodes ended (terminated or truncated) */
    uint64_t data_points;  /* data points the collector published */
    uint64_t warmup_steps; /* from the configuration key "warmup_steps" (0 when absent) */
} athlete_clock;

/* interactions >= warmup_steps (so true before the first step when warmup is 0). */
ATHLETE_API bool athlete_clock_warmup_done(const athlete_clock *clock);
/* max(0, interactions - warmup_steps). */
ATHLETE_API uint64_t athlete_clock_after_warmup(const athlete_clock *clock);

/* What a training step hands the collector. */
typedef struct athlete_step_data {
    const float *action;             /* the action the agent returned for the previous observation */
    const athlete_info *policy_info; /* the training policy's info for that action */
    const float *observation;        /* the observation the action led to */
    double reward;
    bool terminated;
    bool truncated;
} athlete_step_data;

typedef struct athlete_collector_ops {
    size_t struct_size;
    /* A new episode starts at `observation`. *new_data: a data point was published. */
    athlete_status (*reset)(void *self, const float *observation, bool *new_data, athlete_error *err);
    athlete_status (*collect)(void *self, const athlete_step_data *step, bool *new_data,
                              athlete_error *err);
    /* Collector state is environment state: saved only when the caller asks for it. */
    athlete_status (*save)(void *self, athlete_writer *writer, athlete_error *err);
    athlete_status (*load)(void *self, athlete_reader *reader, athlete_error *err);
    void (*destroy)(void *self);
    /* ABI 1.1, vector agents (NULL or absent: the collector keeps one stream). The same as
     * reset and collect for the stream of environment `env` (0 <= env < num_envs of the
     * build arguments). A vector agent calls them for env 0, 1, ..., N-1 in every call. */
    athlete_status (*reset_env)(void *self, size_t env, const float *observation, bool *new_data,
                                athlete_error *err);
    athlete_status (*collect_env)(void *self, size_t env, const athlete_step_data *step, bool *new_data,
                                  athlete_error *err);
} athlete_collector_ops;

typedef struct athlete_updatable_ops {
    size_t struct_size;
    const char *name; /* short, unique within the algorithm: scopes its checkpoint records */
    /* The update condition, evaluated just before the update would run (earlier
     * updatables of the same call may have changed what it reads). */
    bool (*ready)(void *self, const athlete_clock *clock);
    /* Does the update and adds what it wants logged ("loss", …) to `log`. */
    athlete_status (*update)(void *self, const athlete_clock *clock, athlete_info *log,
                             athlete_error *err);
    athlete_status (*save)(void *self, athlete_writer *writer, athlete_error *err);
    athlete_status (*load)(void *self, athlete_reader *reader, athlete_error *err);
    void (*destroy)(void *self);
} athlete_updatable_ops;

typedef struct athlete_policy_ops {
    size_t struct_size;
    /* Writes action_space-flat-size floats to `action` and fills `info`. The info's array
     * values may point into the policy and must stay valid until its next call. */
    athlete_status (*act)(void *self, const float *observation, const athlete_clock *clock,
                          float *action, athlete_info *info, athlete_error *err);
    /* First action of an episode (resets exploration noise); NULL means act. */
    athlete_status (*reset_act)(void *self, const float *observation, const athlete_clock *clock,
                                float *action, athlete_info *info, athlete_error *err);
    athlete_status (*save)(void *self, athlete_writer *writer, athlete_error *err);
    athlete_status (*load)(void *self, athlete_reader *reader, athlete_error *err);
    void (*destroy)(void *self);
    /* ABI 1.1, vector agents (NULL or absent: the core calls act/reset_act row by row).
     * Actions for n observation rows at once ([n x observation] -> [n x action]), in one
     * batched forward pass. first[i]: row i is an episode's first observation (reset_act's
     * meaning for that row). infos: n lists, one per row (cleared by the caller); their
     * array values may point into the policy until its next call. Random draws are made
     * row 0 first, so n = 1 draws exactly what act/reset_act draw. */
    athlete_status (*act_batch)(void *self, const float *observations, size_t n, const bool *first,
                                const athlete_clock *clock, float *actions, athlete_info *infos,
                                athlete_error *err);
} athlete_policy_ops;

struct athlete_policy_program;

/* Shared state: networks, optimisers, buffers. Destroyed after every component.
 * save_policy/load_policy (may be NULL: no policy-only saving) write and read only what
 * the evaluation policy needs to act (e.g. the Q network), never the replay buffer or the
 * optimiser: the "policy-only" files of athlete_agent_save_policy.
 * describe_policy (appended; read only when struct_size covers it; may be NULL: the
 * policy cannot be exported) fills an initialised program (<athlete/policy-program.h>)
 * with what the evaluation policy computes from the current state, borrowing the state's
 * arrays. Describing beats generating code in each plugin: one code generator serves
 * every algorithm, and a new algorithm only states its layers and output head. */
typedef struct athlete_state_ops {
    size_t struct_size;
    athlete_status (*save)(void *state, athlete_writer *writer, athlete_error *err);
    athlete_status (*load)(void *state, athlete_reader *reader, athlete_error *err);
    void (*destroy)(void *state);
    athlete_status (*save_policy)(void *state, athlete_writer *writer, athlete_error *err);
    athlete_status (*load_policy)(void *state, athlete_reader *reader, athlete_error *err);
    athlete_status (*describe_policy)(void *state, struct athlete_policy_program *program,
                                      athlete_error *err);
} athlete_state_ops;

/* Fat pointers (operations + instance). */
typedef struct athlete_collector {
    const athlete_collector_ops *ops;
    void *self;
} athlete_collector;
typedef struct athlete_updatable {
    const athlete_updatable_ops *ops;
    void *self;
} athlete_updatable;
typedef struct athlete_policy {
    const athlete_policy_ops *ops;
    void *self;
} athlete_policy;

#define ATHLETE_MAX_UPDATABLES 8

/* Filled by an algorithm's build(). The core zeroes it and sets struct_size first; on
 * failure build() must leave nothing allocated (or the core would have to guess). */
typedef struct athlete_parts {
    size_t struct_size;
    athlete_collector collector;
    athlete_updatable updatables[ATHLETE_MAX_UPDATABLES];
    size_t updatable_count;
    athlete_policy training_policy;
    athlete_policy evaluation_policy;
    void *state;                      /* first argument of extension methods */
    const athlete_state_ops *state_ops;
} athlete_parts;

/* Adds one updatable at the end of the update order; false when the list is full. */
ATHLETE_API bool athlete_parts_add_updatable(athlete_parts *parts, const athlete_updatable_ops *ops,
                                             void *self);
/* Destroys everything a (possibly partly) filled parts holds: components in reverse order,
 * then the state. Leaves parts zeroed. For build() functions cleaning up after a failure. */
ATHLETE_API void athlete_parts_destroy(athlete_parts *parts);

/* What the factory receives. Everything is borrowed and valid for the agent's life. */
typedef struct athlete_build_args {
    size_t struct_size;
    const char *algorithm_id;
    const athlete_space *observation_space;
    const athlete_space *action_space;
    const athlete_config *config;
    uint64_t seed; /* the agent's seed; components derive their own streams from it */
    const athlete_clock *clock;
    /* true when only the evaluation policy will be used (athlete_policy_file_load): the
     * factory may skip training-only allocations such as the replay buffer. */
    bool inference_only;
    /* ABI 1.1: environments the agent drives (>= 1); read it with athlete_build_num_envs. */
    size_t num_envs;
    /* ABI 1.1: true when every parameter, statistic and random stream is read from a
     * checkpoint or policy file right after building. Costly initialisations may then be
     * skipped (an orthogonal one does rows x cols x min(rows, cols) work: a file's header
     * could otherwise demand minutes of it before its records are compared). Read it with
     * athlete_build_loading. */
    bool loading;
} athlete_build_args;

/* args->num_envs, or 1 when the arguments predate it. */
ATHLETE_API size_t athlete_build_num_envs(const athlete_build_args *args);
/* args->loading, or false when the arguments predate it. */
ATHLETE_API bool athlete_build_loading(const athlete_build_args *args);

/* The trailing-member test of append-only structs: true when a struct of `struct_size`
 * bytes holds the member ending at `member_end` (offsetof + sizeof of the member). */
#define ATHLETE_STRUCT_HAS(struct_size, type, member)                                       \
    ((struct_size) >= offsetof(type, member) + sizeof(((type *)0)->member))

ATHLETE_END_DECLS

#endif

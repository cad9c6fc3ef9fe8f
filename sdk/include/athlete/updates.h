/* Reusable updatables of off-policy algorithms: replay update, target sync, gradient update.
 *
 * The replay update moves each new transition from the transition collector into the
 * replay buffer (condition: a new data point); it comes first in the update order, so a
 * step's own transition can be sampled by that step's gradient updates. It also saves
 * and loads the buffer's contents and ring position in checkpoints.
 *
 * The target sync copies (tau = 1) or Polyak-averages (0 < tau < 1) a source network into
 * its target on the target schedule of schedule.h, and saves the target's parameters.
 *
 * The gradient update is the base of every deep gradient component: on its
 * update schedule it runs the algorithm's gradient step n times (each drawing its own
 * minibatch from the update's RNG stream) and logs the mean loss. It never runs while its
 * replay buffer is empty (the original sampled it and crashed). */
#ifndef ATHLETE_UPDATES_H
#define ATHLETE_UPDATES_H

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/info.h>
#include <athlete/mlp.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* Adds the replay update to parts (after the collector has been created in
 * parts->collector with athlete_transition_collector_create). rb stays owned by the
 * caller's state. */
ATHLETE_API athlete_status athlete_replay_update_add(athlete_parts *parts, athlete_replay *rb,
                                                     athlete_error *err);

/* Adds a target sync named `name` (unique in the algorithm, e.g. "target_critic_1"). */
ATHLETE_API athlete_status athlete_target_sync_add(athlete_parts *parts, const char *name,
                                                   athlete_mlp *target, const athlete_mlp *source,
                                                   double tau, uint64_t frequency, athlete_error *err);

/* One gradient step on a fresh minibatch: writes its loss. Runs on the step path: must not
 * allocate. */
typedef athlete_status (*athlete_gradient_step_fn)(void *context, athlete_rng *rng, float *loss,
                                                   athlete_error *err);

typedef struct athlete_gradient_update_options {
    size_t struct_size;
    const char *name;     /* unique in the algorithm: the checkpoint scope ("critic") */
    const char *log_key;  /* the mean loss of this call's steps ("critic_loss") */
    athlete_gradient_step_fn step;
    void *context;        /* the algorithm's state, given to step and after */
    /* Optional: adds more to the log after the steps (SAC's new "temperature"). */
    void (*after)(void *context, athlete_info *log);
    int64_t frequency;    /* > 0: every `frequency` interactions; <= 0: at episode ends */
    uint64_t number_of_updates;
    bool multiply_by_environment_steps;
    const athlete_replay *replay; /* skip while it is empty; NULL: no guard */
    uint64_t seed, stream; /* the update's own RNG stream (minibatches, noise) */
} athlete_gradient_update_options;

/* Adds a gradient update at the end of the update order. */
ATHLETE_API athlete_status athlete_gradient_update_add(athlete_parts *parts,
                                                       const athlete_gradient_update_options *options,
                                                       athlete_error *err);

/* The replay buffer's records ("size", "next_index", the five arrays up to size) under the
 * writer's current scope; used by the replay update, available to other owners. */
ATHLETE_API athlete_status athlete_replay_save(const athlete_replay *rb, athlete_writer *writer,
                                               athlete_error *err);
ATHLETE_API athlete_status athlete_replay_load(athlete_replay *rb, athlete_reader *reader,
                                               athlete_error *err);

ATHLETE_END_DECLS

#endif

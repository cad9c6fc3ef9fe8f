/* Training a vector agent on a vector environment (same-step autoreset), for the CLI, the
 * tests and the benchmarks. Part of the static runner helper. */
#ifndef ATHLETE_VECTOR_RUNNER_H
#define ATHLETE_VECTOR_RUNNER_H

#include <athlete/vector-env.h>

#include "runner.h"

ATHLETE_BEGIN_DECLS

/* Where a vector training run stands (see athlete_training_state). With same-step
 * autoreset every environment is always in an episode once the run has started. */
typedef struct athlete_vector_training_state {
    uint64_t step;             /* environment steps done (N per call) */
    uint64_t episode;          /* episodes ended, over every environment */
    double *episode_returns;   /* N: the return of each environment's episode in progress */
    uint64_t *episode_lengths; /* N */
    bool started;              /* the environments run and the agent holds N pending actions */
} athlete_vector_training_state;

/* The state's arrays for N environments, zeroed (NULL arrays after destroy). */
athlete_status athlete_vector_training_state_create(size_t num_envs, athlete_vector_training_state *state,
                                                    athlete_error *err);
void athlete_vector_training_state_destroy(athlete_vector_training_state *state);

/* Trains for at least `steps` environment steps (whole calls of N steps; N = the
 * environment's num_envs, which must be the agent's), resetting every instance with
 * `seed` first (instance i gets seed + i; NULL: their own streams continue). Box actions
 * are clipped to the bounds. Callbacks as athlete_run_training: report.step counts
 * environment steps, on_step runs once per call, on_progress fires each time another 256
 * steps are done. */
athlete_status athlete_run_vector_training(athlete_agent *agent, athlete_vector_env *venv, uint64_t steps,
                                           const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                           athlete_error *err);

/* Trains from *state until state->step reaches `until_step` (whole calls: it may pass it by
 * up to N - 1) or the run is stopped; *state then says where it stands. When the state has
 * not started, every instance is reset with `seed` (NULL: their streams continue);
 * otherwise the environments continue and the agent's pending actions are applied. */
athlete_status athlete_run_vector_training_from(athlete_agent *agent, athlete_vector_env *venv,
                                                athlete_vector_training_state *state, uint64_t until_step,
                                                const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                                athlete_error *err);

ATHLETE_END_DECLS

#endif

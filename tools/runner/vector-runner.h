/* Training a vector agent on a vector environment (same-step autoreset), for the CLI, the
 * tests and the benchmarks. Part of the static runner helper. */
#ifndef ATHLETE_VECTOR_RUNNER_H
#define ATHLETE_VECTOR_RUNNER_H

#include <athlete/vector-env.h>

#include "runner.h"

ATHLETE_BEGIN_DECLS

/* Trains for at least `steps` environment steps (whole calls of N steps; N = the
 * environment's num_envs, which must be the agent's), resetting every instance with
 * `seed` first (instance i gets seed + i; NULL: their own streams continue). Box actions
 * are clipped to the bounds. Callbacks as athlete_run_training: report.step counts
 * environment steps, on_progress fires each time another 256 steps are done. */
athlete_status athlete_run_vector_training(athlete_agent *agent, athlete_vector_env *venv, uint64_t steps,
                                           const uint64_t *seed, const athlete_training_callbacks *callbacks,
                                           athlete_error *err);

ATHLETE_END_DECLS

#endif

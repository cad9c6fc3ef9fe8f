/* Vector environments: N instances of one built-in environment stepped together on flat
 * row-major arrays ([N x observation], [N x action]), as Gymnasium 1.x's SyncVectorEnv.
 *
 * Seeding: reset with seed s seeds instance i with s + i (Gymnasium's rule), so instance i
 * of a vector environment replays exactly what a single environment reset with s + i does;
 * reset with NULL continues every instance's own random stream.
 *
 * Autoreset (Gymnasium's AutoresetMode.SAME_STEP): when instance i's episode ends in a
 * step, the instance is reset in that same step (continuing its own random stream); the
 * step reports the finished episode's reward and flags, `observations` row i holds the
 * first observation of the new episode (what the agent acts on next), and
 * `final_observations` row i holds the last observation of the finished one (what a
 * learner bootstraps from). For instances that go on, both rows are equal. So every row of
 * `observations` is always a running episode and a host never calls reset between steps.
 *
 * Errors change nothing: a step is refused as a whole (the message names the instance)
 * before any instance moves. step never allocates. Not thread-safe; instances own their
 * random streams, so two vector environments are independent. */
#ifndef ATHLETE_VECTOR_ENV_H
#define ATHLETE_VECTOR_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/env.h>
#include <athlete/export.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* Upper bound on num_envs (a safety limit on allocation, far above practical use). */
#define ATHLETE_VECTOR_ENV_MAX 65536

typedef struct athlete_vector_env athlete_vector_env;

/* id and options_json as athlete_env_create (every instance gets the same options);
 * 1 <= num_envs <= ATHLETE_VECTOR_ENV_MAX (E_INVALID_ARGUMENT otherwise). */
ATHLETE_API athlete_status athlete_vector_env_create(const char *id, const char *options_json,
                                                     size_t num_envs, athlete_vector_env **out,
                                                     athlete_error *err);
/* NULL is ignored. */
ATHLETE_API void athlete_vector_env_destroy(athlete_vector_env *venv);

ATHLETE_API size_t athlete_vector_env_num_envs(const athlete_vector_env *venv);
ATHLETE_API const char *athlete_vector_env_id(const athlete_vector_env *venv);
/* The spaces of ONE instance (borrowed); a row of the flat arrays is one value of them. */
ATHLETE_API const athlete_space *athlete_vector_env_observation_space(const athlete_vector_env *venv);
ATHLETE_API const athlete_space *athlete_vector_env_action_space(const athlete_vector_env *venv);
/* Instance i, read-only (its elapsed steps, its spaces); NULL when i is out of range. */
ATHLETE_API const athlete_env *athlete_vector_env_instance(const athlete_vector_env *venv, size_t i);

/* Resets every instance (seed rule above) and writes N observation rows. */
ATHLETE_API athlete_status athlete_vector_env_reset(athlete_vector_env *venv, const uint64_t *seed,
                                                    float *observations, athlete_error *err);

/* One step of every instance. `actions` holds actions_size = N x action flat size floats.
 * Writes N observation rows, N rewards, N terminated and N truncated flags; and, unless
 * final_observations is NULL, N rows of the observations the step produced (see above).
 * Errors: before the first reset (E_CALL_ORDER), wrong length (E_SPACE_MISMATCH), an
 * invalid action of some instance (its single-environment error, prefixed with
 * "instance i: "). */
ATHLETE_API athlete_status athlete_vector_env_step(athlete_vector_env *venv, const float *actions,
                                                   size_t actions_size, float *observations,
                                                   double *rewards, bool *terminated,
                                                   bool *truncated, float *final_observations,
                                                   athlete_error *err);

/* The complete state of every instance as one opaque blob (see athlete_env_get_state);
 * set_state validates every instance's part before installing any. */
ATHLETE_API size_t athlete_vector_env_state_size(const athlete_vector_env *venv);
ATHLETE_API athlete_status athlete_vector_env_get_state(const athlete_vector_env *venv, void *buffer,
                                                        size_t size, athlete_error *err);
ATHLETE_API athlete_status athlete_vector_env_set_state(athlete_vector_env *venv, const void *buffer,
                                                        size_t size, athlete_error *err);

ATHLETE_END_DECLS

#endif

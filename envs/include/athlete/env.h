/* Built-in environments (libathlete-envs): C ports of Gymnasium 1.4.0's classic-control and
 * toy-text environments, step for step identical to the Python originals (float64 physics,
 * float32 observations, same clipping, termination rules, rewards and registered time limits).
 *
 * Python Gymnasium                     C
 * gym.make(id, **kwargs)               athlete_env_create(id, "{...kwargs as JSON...}")
 * env.reset(seed=s)                    athlete_env_reset(env, &s, obs)
 * env.reset()                          athlete_env_reset(env, NULL, obs)
 * env.step(a)                          athlete_env_step(env, a, n, obs, &r, &te, &tr)
 * env.unwrapped.state = s              athlete_env_reset_to_state(env, s, n, obs)
 *
 * Ids and options (options_json is NULL or a JSON object; every key is optional):
 *   CartPole-v1               {"sutton_barto_reward": false}                       limit 500
 *   Pendulum-v1               {"g": 10.0}                                          limit 200
 *   MountainCar-v0            {"goal_velocity": 0}                                 limit 200
 *   MountainCarContinuous-v0  {"goal_velocity": 0}                                 limit 999
 *   Acrobot-v1                (none)                                               limit 500
 *   FrozenLake-v1             {"map_name": "4x4"|"8x8", "is_slippery": true,
 *                              "success_rate": 1/3, "reward_schedule": [1, 0, 0]}  limit 100 (both maps)
 *   CliffWalking-v1           {"is_slippery": false}                               no limit
 *   Taxi-v4                   {"is_rainy": false, "fickle_passenger": false}       limit 200
 * Every id also takes {"max_episode_steps": n} (gym.make's argument; 0 = no limit).
 *
 * Values travel as flat float arrays in the convention of <athlete/space.h>: a Discrete
 * observation or action is one float holding the integer. Out-of-range continuous actions
 * are clipped like Gymnasium does; NaN/inf and out-of-range or non-integer discrete actions
 * are errors. step and reset never allocate. An environment is not thread-safe; separate
 * instances are independent (each owns its random stream). A failed call changes nothing.
 *
 * Exactness: from the same state with the same actions, every observation and reward is
 * bit-identical to Gymnasium 1.4.0 as recorded with NumPy on an x86-64 CPU with AVX-512
 * and glibc (tests/data/gymnasium): np.sin/np.cos follow NumPy's SVML kernels and x ** 2
 * the C library's pow. Random draws come from athlete_rng, not NumPy's generator, so
 * seeded episodes are reproducible here but differ from Gymnasium's for the same seed. */
#ifndef ATHLETE_ENV_H
#define ATHLETE_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_env athlete_env;

/* Errors: unknown id (E_ENV, the message lists the known ids), text that is not a JSON
 * object (E_INVALID_ARGUMENT), unknown option (E_CONFIG_UNKNOWN_KEY), option of the wrong
 * JSON type (E_CONFIG_TYPE), option value out of range (E_CONFIG_VALUE). The new
 * environment's random stream is seeded from the operating system's entropy until the
 * first reset with a seed. */
ATHLETE_API athlete_status athlete_env_create(const char *id, const char *options_json,
                                              athlete_env **out, athlete_error *err);
/* NULL is ignored. */
ATHLETE_API void athlete_env_destroy(athlete_env *env);

/* The known ids (a borrowed static array); returns their number. */
ATHLETE_API size_t athlete_env_list(const char *const **ids);

ATHLETE_API const char *athlete_env_id(const athlete_env *env);
/* Borrowed; they live as long as the environment. */
ATHLETE_API const athlete_space *athlete_env_observation_space(const athlete_env *env);
ATHLETE_API const athlete_space *athlete_env_action_space(const athlete_env *env);
/* The time limit (TimeLimit wrapper) in steps; 0 means none. */
ATHLETE_API uint64_t athlete_env_max_episode_steps(const athlete_env *env);
/* Steps taken in the current episode. */
ATHLETE_API uint64_t athlete_env_elapsed_steps(const athlete_env *env);

/* Starts an episode and writes its first observation (flat size of the observation space).
 * seed NULL continues this instance's random stream (Gymnasium's reset() without a seed);
 * otherwise the stream is reseeded, so the same seed gives the same initial state. */
ATHLETE_API athlete_status athlete_env_reset(athlete_env *env, const uint64_t *seed,
                                             float *observation, athlete_error *err);
/* Places the environment in a given internal state, as after a reset (step counter 0),
 * and writes its observation. The state is Gymnasium's env.unwrapped.state:
 *   CartPole-v1 (x, x_dot, theta, theta_dot); Pendulum-v1 (theta, theta_dot);
 *   MountainCar-v0 and MountainCarContinuous-v0 (position, velocity);
 *   Acrobot-v1 (theta1, theta2, dtheta1, dtheta2); FrozenLake-v1, CliffWalking-v1 and
 *   Taxi-v4: one value, the discrete state s.
 * The random stream is left as it is. */
ATHLETE_API athlete_status athlete_env_reset_to_state(athlete_env *env, const double *state,
                                                      size_t state_size, float *observation,
                                                      athlete_error *err);
/* Number of values athlete_env_reset_to_state expects. */
ATHLETE_API size_t athlete_env_reset_state_size(const athlete_env *env);

/* One step. `action` holds action_size floats (the action space's flat size). *truncated
 * is true when the time limit is reached (also on a terminating step, as Gymnasium's
 * TimeLimit). Errors: step before the first reset or after the episode ended without a
 * new reset (E_CALL_ORDER); wrong action length (E_SPACE_MISMATCH); NaN or infinite
 * action (E_NON_FINITE); discrete action out of range or not an integer
 * (E_SPACE_MISMATCH). */
ATHLETE_API athlete_status athlete_env_step(athlete_env *env, const float *action,
                                            size_t action_size, float *observation,
                                            double *reward, bool *terminated, bool *truncated,
                                            athlete_error *err);

/* ---- Checkpoints ----
 * The complete state (physics, step counter, episode flags, random stream, options) as an
 * opaque blob of athlete_env_state_size bytes, valid for the same build of the library.
 * set_state checks the size, the id, the options and the content (E_CHECKPOINT_MISMATCH
 * or E_CHECKPOINT_CORRUPT) and changes nothing on error. */
ATHLETE_API size_t athlete_env_state_size(const athlete_env *env);
ATHLETE_API athlete_status athlete_env_get_state(const athlete_env *env, void *buffer,
                                                 size_t size, athlete_error *err);
ATHLETE_API athlete_status athlete_env_set_state(athlete_env *env, const void *buffer,
                                                 size_t size, athlete_error *err);

ATHLETE_END_DECLS

#endif

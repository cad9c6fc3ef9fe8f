/* On-policy data: the rollout collector and generalised advantage estimation.
 *
 * The rollout collector fills a fixed-length rollout across episode boundaries: slot t
 * gets the observation the pending action was taken in, that action, its log-probability
 * (read from the training policy's info), the reward and done = terminated OR truncated
 * (the original treats a time limit as a termination). When the rollout holds
 * `steps` transitions, the observation the last action led to is stored as slot `steps`
 * (the bootstrap observation), the rollout is published as one data point and the next
 * step starts a new one. Everything is allocated at creation: collecting never allocates.
 * Its checkpoint records (environment state) are the partial rollout and the pending
 * observation, so training resumes bit-identically mid-rollout.
 *
 * A2C, PPO and friends then need: V over the steps + 1 observations, athlete_gae_compute,
 * and their loss (see <athlete/distributions.h> for the log-probabilities). */
#ifndef ATHLETE_ROLLOUT_H
#define ATHLETE_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* A complete rollout of `length` transitions (borrowed from the collector; valid until
 * the collector's next collect, i.e. for the update rule of the step that completed it). */
typedef struct athlete_rollout {
    size_t length;           /* steps per rollout */
    size_t observation_size; /* floats per observation */
    size_t action_size;      /* floats per action */
    const float *observations; /* (length + 1) × observation_size; the last row bootstraps */
    const float *actions;      /* length × action_size, as the agent returned them */
    const float *log_probs;    /* length: log π(a|s) when acting (0 without a log_prob_key) */
    const float *rewards;      /* length */
    const float *dones;        /* length: 1 where the episode ended (terminated or truncated), else 0 */
    /* ABI 1.1: streams (environments of a vector agent). Every array above holds
     * num_envs blocks, environment-major: observations num_envs x (length + 1) rows
     * (each block ends with its bootstrap row), the others num_envs x length. With one
     * stream this is the layout above. */
    size_t num_envs;
} athlete_rollout;

/* steps >= 1. log_prob_key: the policy info key holding one float, log π of the action
 * (PPO's "log_prob"), or NULL when the algorithm does not need it. The key is borrowed
 * (a string literal). Writes the component into *out. */
ATHLETE_API athlete_status athlete_rollout_collector_create(size_t observation_size, size_t action_size,
                                                            size_t steps, const char *log_prob_key,
                                                            athlete_collector *out, athlete_error *err);
/* The same with num_envs >= 1 streams (a vector agent's environments): each stream fills
 * `steps` transitions of its own; the rollout (steps x num_envs transitions) is published
 * when every stream is full. num_envs = 1 is athlete_rollout_collector_create. */
ATHLETE_API athlete_status athlete_rollout_collector_create_vector(size_t observation_size, size_t action_size,
                                                                   size_t steps, size_t num_envs,
                                                                   const char *log_prob_key,
                                                                   athlete_collector *out, athlete_error *err);
/* The last complete rollout, or NULL before the first one (borrowed, see above). */
ATHLETE_API const athlete_rollout *athlete_rollout_collector_latest(const athlete_collector *collector);
/* Transitions per stream in the rollout being filled (0 right after one was published). */
ATHLETE_API size_t athlete_rollout_collector_count(const athlete_collector *collector);

/* Generalised advantage estimation, GAE(λ), over one rollout of n transitions:
 *     δ_t = r_t + γ V_{t+1} (1 − done_t) − V_t
 *     A_{n-1} = δ_{n-1},  A_t = δ_t + γλ (1 − done_t) A_{t+1}
 *     R_t = A_t + V_t                                  (the value targets)
 * values holds n + 1 entries: V of every observation of the rollout and of the bootstrap
 * observation (so a rollout that stops mid-episode bootstraps from it, and a done cuts
 * both the bootstrap and the recursion). Computed in double, stored as float.
 * returns may be NULL. Never allocates. */
ATHLETE_API void athlete_gae_compute(const float *rewards, const float *values, const float *dones,
                                     size_t n, double gamma, double lambda, float *advantages,
                                     float *returns);

ATHLETE_END_DECLS

#endif

/* Reusable policies for discrete actions: ε-greedy (training) and greedy (evaluation)
 * over any action-value function.
 *
 * ε-greedy (dqn, q_learning): during warmup a uniformly random action (info greedy=false,
 * epsilon=start); after warmup ε = max(end, start − (start − end) / decay_steps × a) with
 * a the after-warmup count, one uniform draw u, u < ε → random action, else the greedy
 * one. Greedy ties: the first maximal action (torch.argmax, DQN) or, with
 * random_tie_break, uniformly among the maximal ones (q_learning). Actions are written as
 * one float holding start + index. Every policy has its own RNG stream of the agent's
 * seed and saves it in checkpoints. */
#ifndef ATHLETE_POLICIES_H
#define ATHLETE_POLICIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* Writes the n action values of `observation` to q. Called on the step path: must not
 * allocate. */
typedef athlete_status (*athlete_q_values_fn)(void *context, const float *observation, double *q,
                                              athlete_error *err);

/* The action values of n observation rows (n x observation) into q (n x action count).
 * Called on the step path: must not allocate. */
typedef athlete_status (*athlete_q_values_batch_fn)(void *context, const float *observations, size_t n, double *q,
                                                    athlete_error *err);

typedef struct athlete_discrete_policy_options {
    size_t struct_size;
    athlete_q_values_fn q_values;
    void *context;
    size_t action_count;
    int64_t action_start;   /* Discrete.start */
    bool random_tie_break;
    uint64_t seed, stream;  /* the policy's RNG stream */
    /* ε-greedy only: */
    double start_epsilon, end_epsilon;
    uint64_t epsilon_decay_steps; /* > 0 */
    /* ABI 1.1, optional: the action values of n observation rows at once (n <= num_envs;
     * q: n rows of action_count). act_batch then makes one call for all its rows (one
     * batched forward pass) instead of one q_values call per row; either way each row
     * draws, in turn, exactly what act draws. */
    athlete_q_values_batch_fn q_values_batch;
    size_t num_envs;         /* rows q_values_batch takes (0 means 1) */
    size_t observation_size; /* floats per observation row; 0: no act_batch (the core acts row by row) */
} athlete_discrete_policy_options;

ATHLETE_API athlete_status athlete_epsilon_greedy_policy_create(const athlete_discrete_policy_options *options,
                                                                athlete_policy *out, athlete_error *err);
ATHLETE_API athlete_status athlete_greedy_policy_create(const athlete_discrete_policy_options *options,
                                                        athlete_policy *out, athlete_error *err);
/* The ε the schedule gives at this clock (start during warmup). */
ATHLETE_API double athlete_epsilon_at(double start_epsilon, double end_epsilon,
                                      uint64_t decay_steps, const athlete_clock *clock);

ATHLETE_END_DECLS

#endif

/* Running an agent on a built-in environment: the training loop of the original README
 * and a greedy evaluation, written once for the CLI, the tests and the benchmarks. A
 * static helper that is not installed: it is the one place that needs both libathlete and
 * libathlete-envs, which stay independent of each other. A host writes its own loop (it
 * is twenty lines: examples/host/train.c). */
#ifndef ATHLETE_RUNNER_H
#define ATHLETE_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/agent.h>
#include <athlete/env.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_episode_report {
    uint64_t episode;     /* 1, 2, ... */
    uint64_t step;        /* training steps done so far */
    double episode_return;
    uint64_t length;
    bool terminated;
    const athlete_info *info; /* the agent's info for the last step (update log) */
} athlete_episode_report;

typedef struct athlete_training_callbacks {
    /* Each may be NULL. Returning false stops the run early (not an error). */
    bool (*on_episode)(void *context, const athlete_episode_report *report);
    bool (*on_progress)(void *context, uint64_t steps_done); /* every 256 steps */
    void *context;
    /* After every step (after on_episode when the step ended one), with the step's agent_info (borrowed for the call). It may use the
     * agent (an evaluation, a checkpoint): the loop keeps its own copy of the pending action. */
    bool (*on_step)(void *context, uint64_t steps_done, const athlete_info *info);
    /* When not NULL and non-zero, the run stops at the next step boundary (set it from a
     * signal handler). */
    volatile sig_atomic_t *stop;
} athlete_training_callbacks;

/* Where a training run stands, so that it can stop at any step boundary and continue
 * later exactly as if it had not stopped (with the agent's and the environment's state). */
typedef struct athlete_training_state {
    uint64_t step;           /* training steps done */
    uint64_t episode;        /* episodes ended */
    double episode_return;   /* of the episode in progress */
    uint64_t episode_length;
    bool in_episode;         /* an episode is in progress: the environment and the agent's
                              * pending action (athlete_agent_last_action) continue it */
} athlete_training_state;

/* Trains for `steps` environment steps, starting a new episode: the environment is reset
 * with `seed` (NULL: its own stream continues). */
athlete_status athlete_run_training(athlete_agent *agent, athlete_env *env, uint64_t steps,
                                                const uint64_t *seed,
                                                const athlete_training_callbacks *callbacks,
                                                athlete_error *err);

/* Trains from *state until state->step reaches `until_step` or the run is stopped (a
 * callback returned false, or *callbacks->stop was set); *state then says where it
 * stands. A new episode starts with a reset seeded with `seed` (NULL: the environment's
 * stream continues), so pass a seed only at a run's very start. */
athlete_status athlete_run_training_from(athlete_agent *agent, athlete_env *env,
                                         athlete_training_state *state, uint64_t until_step,
                                         const uint64_t *seed,
                                         const athlete_training_callbacks *callbacks,
                                         athlete_error *err);

typedef struct athlete_evaluation {
    uint64_t episodes;
    double mean_return, std_return, min_return, max_return;
    double mean_length;
} athlete_evaluation;

/* Runs the agent's evaluation policy for `episodes` episodes (episode e reset with seed
 * + e) and restores the agent's mode afterwards. */
athlete_status athlete_run_evaluation(athlete_agent *agent, athlete_env *env, uint64_t episodes,
                                                  uint64_t seed, athlete_evaluation *out, athlete_error *err);

/* The same evaluation with a policy-only file's policy: it acts exactly as the evaluation
 * policy it was saved from, so both give the same score. */
athlete_status athlete_run_policy_evaluation(athlete_policy_file *policy, athlete_env *env,
                                             uint64_t episodes, uint64_t seed,
                                             athlete_evaluation *out, athlete_error *err);

ATHLETE_END_DECLS

#endif

/* Running an agent on a built-in environment: the training loop of the original README
 * and a greedy evaluation, written once for the CLI, the tests and the benchmarks. A
 * static helper that is not installed: it is the one place that needs both libathlete and
 * libathlete-envs, which stay independent of each other. A host writes its own loop (it
 * is twenty lines: examples/host/train.c). */
#ifndef ATHLETE_RUNNER_H
#define ATHLETE_RUNNER_H

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
} athlete_training_callbacks;

/* Trains for `steps` environment steps, starting a new episode: the environment is reset
 * with `seed` (NULL: its own stream continues). */
athlete_status athlete_run_training(athlete_agent *agent, athlete_env *env, uint64_t steps,
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

ATHLETE_END_DECLS

#endif

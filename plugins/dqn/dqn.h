/* DQN's state shared by its files (plugin-private). */
#ifndef ATHLETE_DQN_H
#define ATHLETE_DQN_H

#include <athlete/adam.h>
#include <athlete/mlp.h>
#include <athlete/plugin.h>
#include <athlete/replay.h>
#include <athlete/rng.h>

typedef enum dqn_criteria { DQN_MSE = 0, DQN_HUBER = 1 } dqn_criteria;

typedef struct dqn_state {
    size_t observation_size, action_count;
    int64_t action_start;
    const athlete_clock *clock;
    /* configuration */
    double discount;
    size_t batch_size;
    bool double_q;
    dqn_criteria criteria;
    double gradient_max_norm; /* <= 0: no clipping */
    double start_epsilon, end_epsilon;
    uint64_t epsilon_decay_steps;
    /* networks: the online Q network, and its target (owned by the state, synced by the SDK's target sync) */
    athlete_mlp *q, *target;
    athlete_mlp_workspace *act_ws;  /* num_envs rows, for acting */
    athlete_mlp_workspace *batch_ws; /* Q(s) of a minibatch, kept for backward */
    athlete_mlp_workspace *next_ws;  /* Q_target(s') */
    athlete_mlp_workspace *online_next_ws; /* Q(s') for double Q */
    athlete_adam *adam;
    athlete_replay *replay;
    /* minibatch scratch, sized at build time */
    float *targets, *predictions, *d_predictions, *d_output;
} dqn_state;

/* When the TD update runs (the gradient schedule of schedule.h) and the RNG stream its
 * minibatches come from. */
typedef struct dqn_schedule {
    int64_t frequency;
    uint64_t number_of_updates;
    bool multiply;
    uint64_t seed, stream;
} dqn_schedule;

/* The TD update (dqn-update.c): adds it to parts, after the replay update. */
athlete_status dqn_update_add(athlete_parts *parts, dqn_state *state, const dqn_schedule *schedule,
                              athlete_error *err);

#endif

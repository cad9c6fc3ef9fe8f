/* DDPG's shared state and its two gradient updates (ddpg-update.c); ddpg.c holds the
 * defaults, the configuration checks and the wiring. Never installed. */
#ifndef ATHLETE_DDPG_PRIVATE_H
#define ATHLETE_DDPG_PRIVATE_H

#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/noise.h>
#include <athlete/replay.h>
#include <athlete/scaling.h>

typedef struct ddpg_state {
    size_t observation_size, action_size, batch;
    double discount;
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: no clipping */

    athlete_action_scaling *scaling;
    athlete_noise *noise;       /* the training policy's exploration noise */
    athlete_mlp *actor;
    /* training only (NULL in an inference-only build) */
    athlete_mlp *target_actor;
    athlete_mlp_workspace *actor_ws, *target_actor_ws;
    athlete_critic *critic;
    athlete_adam *critic_adam, *actor_adam;
    athlete_replay *replay;
    float *y, *d_q, *d_actions; /* batch, batch, batch × action_size */
    athlete_actor_critic_nets nets; /* the saved training state (no critic: inference only) */
} ddpg_state;

/* One gradient step each, on a fresh minibatch drawn with rng; *loss receives its loss. */
athlete_status ddpg_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status ddpg_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

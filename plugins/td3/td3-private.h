/* TD3's shared state and its two gradient updates (td3-update.c); td3.c holds the
 * defaults, the configuration checks and the wiring. Never installed. */
#ifndef ATHLETE_TD3_PRIVATE_H
#define ATHLETE_TD3_PRIVATE_H

#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/noise.h>
#include <athlete/replay.h>
#include <athlete/scaling.h>

typedef struct td3_state {
    size_t observation_size, action_size, batch;
    double discount;
    double target_noise_std, target_noise_clip;
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: no clipping */

    athlete_action_scaling *scaling;
    athlete_noise *noise;       /* the training policy's exploration noise */
    athlete_mlp *actor;
    /* training only (NULL in an inference-only build) */
    athlete_mlp *target_actor;
    athlete_mlp_workspace *actor_ws, *target_actor_ws;
    athlete_critic *critic_1, *critic_2;
    athlete_adam *critic_adam; /* two parameter groups: critic 1, critic 2 */
    athlete_adam *actor_adam;
    athlete_replay *replay;
    float *y, *d_q, *next_actions, *d_actions; /* batch, batch, batch × action_size twice */
    athlete_actor_critic_nets nets; /* the saved training state (no critic: inference only) */
} td3_state;

/* One gradient step each, on a fresh minibatch drawn with rng; *loss receives its loss. */
athlete_status td3_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status td3_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

/* DDPG's shared state and its two gradient updates (ddpg-update.c); ddpg.c holds the
 * defaults, the configuration checks and the wiring. Never installed. */
#ifndef DDPG_PRIVATE_H
#define DDPG_PRIVATE_H

#include "actor-critic.h"

typedef struct ddpg_state {
    size_t observation_size, action_size, batch;
    double discount;
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: no clipping */

    athlete_action_scaling *scaling;
    athlete_noise *noise;       /* the training policy's exploration noise */
    actor_critic_nets nets;     /* one critic, the actor and their targets; no critic: inference only */
    float *y, *d_q, *d_actions; /* batch, batch, batch × action_size */
} ddpg_state;

/* One gradient step each, on a fresh minibatch drawn with rng; *loss receives its loss. */
athlete_status ddpg_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status ddpg_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

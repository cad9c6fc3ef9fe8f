/* DDPG's shared state and its two gradient updates (ddpg-update.c); ddpg.c holds the
 * defaults, the configuration checks and the wiring. Never installed. */
#ifndef ATHLETE_DDPG_PRIVATE_H
#define ATHLETE_DDPG_PRIVATE_H

#include "actor-critic.h"

typedef struct ddpg_state {
    actor_critic_state ac; /* first: sizes, shared settings, scaling, noise, networks (no critic: inference only) */
    float *y, *d_q, *d_actions; /* batch, batch, batch × action_size */
} ddpg_state;

/* One gradient step each, on a fresh minibatch drawn with rng; *loss receives its loss. */
athlete_status ddpg_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status ddpg_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

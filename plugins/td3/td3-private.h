/* TD3's shared state and its two gradient updates (td3-update.c); td3.c holds the
 * defaults, the configuration checks and the wiring. Never installed. */
#ifndef ATHLETE_TD3_PRIVATE_H
#define ATHLETE_TD3_PRIVATE_H

#include "actor-critic.h"

typedef struct td3_state {
    actor_critic_state ac; /* first: sizes, shared settings, scaling, noise, networks (no critic: inference only) */
    double target_noise_std, target_noise_clip;
    float *y, *d_q, *next_actions, *d_actions; /* batch, batch, batch × action_size twice */
} td3_state;

/* One gradient step each, on a fresh minibatch drawn with rng; *loss receives its loss. */
athlete_status td3_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status td3_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

/* SAC's shared state and its gradient updates (sac-update.c); sac.c holds the defaults,
 * the configuration checks and the wiring. Never installed. */
#ifndef SAC_PRIVATE_H
#define SAC_PRIVATE_H

#include <athlete/actors.h>
#include <athlete/adam.h>
#include <athlete/critics.h>
#include <athlete/mlp.h>
#include <athlete/replay.h>
#include <athlete/scaling.h>

typedef struct sac_state {
    size_t observation_size, action_size, batch;
    double discount;
    double log_std_min, log_std_max;
    bool automatic;        /* "temperature": "auto" */
    double target_entropy; /* automatic mode */
    athlete_critic_criterion criterion;
    double critic_max_norm, actor_max_norm; /* 0: no clipping */

    /* alpha: a fixed temperature (bug B4 fixed: the configured value is alpha itself) or,
     * in automatic mode, exp(log_alpha) after the latest temperature step (float32, as the
     * original's tensors); log_alpha is trained by its own Adam (critic settings). */
    float alpha, log_alpha, log_alpha_grad;

    athlete_action_scaling *scaling;
    athlete_mlp *actor; /* obs -> [mu, raw log-std] */
    /* training only (NULL in an inference-only build) */
    athlete_mlp_workspace *actor_ws;
    athlete_critic *critic_1, *critic_2;
    athlete_adam *critic_adam; /* two parameter groups: critic 1, critic 2 */
    athlete_adam *actor_adam, *temperature_adam;
    athlete_replay *replay;
    athlete_noise *noise; /* NULL: i.i.d. N(0, 1) draws for the policy's samples */
    /* minibatch scratch: batch each for y, log_prob, d_q1, d_q2, d_log_prob; batch × action
     * for xi, actions, d_actions and its second half; batch × 2 action for d_out */
    float *y, *log_prob, *d_q1, *d_q2, *d_log_prob;
    float *xi, *actions, *d_actions, *d_actions_2, *d_out;
    athlete_actor_critic_nets nets; /* the saved training state (no critic: inference only) */
} sac_state;

/* One gradient step each, on a fresh minibatch drawn with rng (which also draws the
 * reparameterisation noise); *loss receives its loss. */
athlete_status sac_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status sac_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status sac_temperature_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

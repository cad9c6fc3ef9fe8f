/* SAC's shared state and its gradient updates (sac-update.c); sac.c holds the defaults,
 * the configuration checks and the wiring. Never installed. */
#ifndef ATHLETE_SAC_PRIVATE_H
#define ATHLETE_SAC_PRIVATE_H

#include "actor-critic.h"

#include <athlete/gsde.h>

typedef struct sac_state {
    actor_critic_state ac; /* first: sizes, shared settings, scaling, noise, networks (no critic: inference only) */
    double log_std_min, log_std_max;
    bool automatic;        /* "temperature": "auto" */
    double target_entropy; /* automatic mode */
    /* alpha: a fixed temperature (the configured value is alpha itself; the original took its logarithm) or,
     * in automatic mode, exp(log_alpha) after the latest temperature step (float32, as the
     * original's tensors); log_alpha is trained by its own Adam (critic settings). */
    float alpha, log_alpha, log_alpha_grad;

    double critic_lr;       /* the temperature's optimizer uses the critics' settings */
    double actor_lr;        /* and gSDE's the actor's */
    athlete_adam *temperature_adam; /* training only */
    /* minibatch scratch: batch each for y, log_prob, d_q1, d_q2, d_log_prob; batch × action
     * for xi, actions, d_actions and its second half; batch × 2 action for d_out */
    float *y, *log_prob, *d_q1, *d_q2, *d_log_prob;
    float *xi, *actions, *d_actions, *d_actions_2, *d_out;
    /* "use_sde": the state-dependent exploration (NULL without it or in an inference-only
     * agent), its optimizer (the actor's settings), a training step's draws (latent ×
     * action) and 1 - a^2 of the sampled actions (batch × action) */
    athlete_gsde *gsde;
    athlete_adam *gsde_adam;
    float *gsde_draws, *gsde_slope;
} sac_state;

/* The loss heads. The actor's, from both critics' Q of the sampled actions and s->log_prob
 * (n rows): returns mean(alpha log pi - min(Q1, Q2)) and writes its gradients to d_q1,
 * d_q2 and d_log_prob; *any_k tells whether critic k is the smaller one of some row. The
 * temperature's, from s->log_prob: returns -exp(log alpha) mean(log pi + target entropy)
 * and writes its derivative in log alpha to log_alpha_grad. */
double sac_actor_head(sac_state *s, const float *q1, const float *q2, size_t n, bool *any_1, bool *any_2);
double sac_temperature_head(sac_state *s, size_t n);

/* With gSDE, the squashed sample of n rows from the actor's output (n × 2 action; the mean
 * half is used) and its latent features (n × latent), with the matrix s->gsde_draws:
 * u = mu + latent theta, a = tanh(u) into s->actions, log pi = log N(u; mu, v(latent)) -
 * sum log(1 - a^2 + 1e-6) into s->log_prob, 1 - a^2 into s->gsde_slope. Its backward,
 * from s->d_actions and s->d_log_prob: dL/du into the mean half of s->d_out (the unused
 * log-std half gets 0) and gSDE's gradients (zeroed first), s->d_actions_2 as scratch. */
void sac_gsde_sample(sac_state *s, const float *out, const float *latent, size_t n);
void sac_gsde_backward(sac_state *s, const float *latent, size_t n);

/* One gradient step each, on a fresh minibatch drawn with rng (which also draws the
 * reparameterisation noise); *loss receives its loss. */
athlete_status sac_critic_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status sac_actor_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);
athlete_status sac_temperature_step(void *context, athlete_rng *rng, float *loss, athlete_error *err);

#endif

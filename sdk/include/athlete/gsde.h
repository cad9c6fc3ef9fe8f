/* Generalised state-dependent exploration (gSDE, Raffin et al., CoRL 2021) for Gaussian
 * policies.
 *
 * The exploration noise of a policy whose network ends with a linear layer on a latent
 * vector z (the last hidden layer's output, latent_size features) is
 *     noise = z theta,   theta = sigma * E   (latent_size × action_size, element-wise),
 * with E a matrix of standard normal draws held fixed between resamplings, and sigma =
 * exp(log_std) learned. With full_std, log_std has one entry per (latent feature, action
 * element); otherwise one per latent feature, shared by every action element. Given z,
 * the noise is Gaussian with the state-dependent variance
 *     v_i(z) = sum_j z_j^2 sigma_ji^2 + 1e-6
 * (the constant keeps a zero latent finite, as Stable-Baselines3), so the action u =
 * mean + noise has the log-density
 *     log p(u | s) = sum_i [ -noise_i^2 / (2 v_i) - log(v_i) / 2 - log(2 pi) / 2 ].
 * z is treated as a constant (detached): gradients reach log_std, not the network that
 * computed z; the mean's gradient is the caller's (u = mean + noise, so dL/dmean =
 * dL/dnoise).
 *
 * Acting holds one E for `sample_freq` steps (> 0), or (-1) until athlete_gsde_resample is
 * called (at an episode's start, and by an algorithm at the start of each collection
 * phase). Training draws its own E per gradient step (athlete_gsde_draw), shared by the
 * minibatch's rows. The acting E, the step counter and the RNG stream are saved with
 * athlete_gsde_save (log_std and its gradients belong to the caller's optimizer, which
 * saves them too; athlete_gsde_save also stores log_std, so a checkpoint is whole). Load
 * refuses a non-finite E or one beyond ATHLETE_GSDE_MAX_ABS_DRAW and a step counter beyond
 * sample_freq; log_std is a trained parameter and loads whatever it holds (a diverged one
 * makes the policy's actions non-finite, which the core refuses). Nothing here allocates
 * after create. forward, log_prob and backward keep sigma in the gSDE's scratch, so one
 * gSDE serves one caller at a time. */
#ifndef ATHLETE_GSDE_H
#define ATHLETE_GSDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/checkpoint.h>
#include <athlete/export.h>
#include <athlete/rng.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* log_std_init's bound (exp(±50) is far outside any policy's scale) and the bound on a
 * checkpoint's acting matrix (a normal draw beyond 64 standard deviations never happens). */
#define ATHLETE_GSDE_MAX_ABS_LOG_STD 50.0
#define ATHLETE_GSDE_MAX_ABS_DRAW 64.0

typedef struct athlete_gsde athlete_gsde;

typedef struct athlete_gsde_options {
    size_t struct_size;
    size_t latent_size, action_size; /* >= 1 each */
    bool full_std;                   /* one sigma per (feature, action element), else per feature */
    double log_std_init;   /* every log_std entry at the start; |.| <= ATHLETE_GSDE_MAX_ABS_LOG_STD */
    int64_t sample_freq;   /* > 0: acting resamples E every that many steps; -1: only on request */
    uint64_t seed, stream; /* the acting matrix's RNG stream */
} athlete_gsde_options;

/* Draws the first acting matrix. ATHLETE_E_INVALID_ARGUMENT naming a bad option. */
ATHLETE_API athlete_status athlete_gsde_create(const athlete_gsde_options *options, athlete_gsde **out,
                                               athlete_error *err);
ATHLETE_API void athlete_gsde_destroy(athlete_gsde *gsde);

/* log_std and its gradients (athlete_gsde_param_count floats each: latent_size ×
 * action_size with full_std, latent_size otherwise), for an optimizer's parameter group. */
ATHLETE_API size_t athlete_gsde_param_count(const athlete_gsde *gsde);
ATHLETE_API float *athlete_gsde_log_std(const athlete_gsde *gsde);
ATHLETE_API float *athlete_gsde_grads(const athlete_gsde *gsde);
/* The matrix sizes and the acting matrix E (latent_size × action_size, row-major). */
ATHLETE_API size_t athlete_gsde_latent_size(const athlete_gsde *gsde);
ATHLETE_API size_t athlete_gsde_action_size(const athlete_gsde *gsde);
ATHLETE_API const float *athlete_gsde_acting_draws(const athlete_gsde *gsde);

/* A new acting E from the gSDE's own stream; the step counter restarts. */
ATHLETE_API void athlete_gsde_resample(athlete_gsde *gsde);
/* latent_size × action_size standard normal draws from rng into draws (a training E). */
ATHLETE_API void athlete_gsde_draw(const athlete_gsde *gsde, athlete_rng *rng, float *draws);

/* One acting step: resamples E first when sample_freq steps have used it, then noise =
 * latent theta (action_size floats) for one latent row. */
ATHLETE_API void athlete_gsde_act(athlete_gsde *gsde, const float *latent, float *noise);

/* For `batch` rows of latent (batch × latent_size) and one E (draws): noise (batch ×
 * action_size) = latent theta and, when log_prob is not NULL, the Gaussian log-density
 * of that noise (batch). */
ATHLETE_API void athlete_gsde_forward(athlete_gsde *gsde, const float *latent, const float *draws,
                                      size_t batch, float *noise, float *log_prob);
/* log_prob (batch) = the Gaussian log-density of any deviation u - mean (batch ×
 * action_size) under the variance the latent rows give. */
ATHLETE_API void athlete_gsde_log_prob(athlete_gsde *gsde, const float *latent, const float *deviation,
                                       size_t batch, float *log_prob);
/* Backward of athlete_gsde_forward for the same latent and draws: ACCUMULATES into the
 * gradients of log_std the loss's dependence through d_noise (batch × action_size,
 * dLoss/dnoise; NULL = 0) and through d_log_prob (batch, dLoss/dlog_prob of the forward's
 * log_prob; NULL = 0). */
ATHLETE_API void athlete_gsde_backward(athlete_gsde *gsde, const float *latent, const float *draws,
                                       size_t batch, const float *d_noise, const float *d_log_prob);
ATHLETE_API void athlete_gsde_zero_grad(athlete_gsde *gsde);

/* Records name.log_std, name.draws, name.steps and name.rng. */
ATHLETE_API athlete_status athlete_gsde_save(const athlete_gsde *gsde, athlete_writer *writer,
                                             const char *name, athlete_error *err);
/* Reads them back, all validated before anything changes (E_CHECKPOINT_CORRUPT naming the
 * record). */
ATHLETE_API athlete_status athlete_gsde_load(athlete_gsde *gsde, athlete_reader *reader, const char *name,
                                             athlete_error *err);

ATHLETE_END_DECLS

#endif

/* Action distributions of stochastic policies: a diagonal Gaussian (continuous actions)
 * and a categorical over logits (discrete actions), with PyTorch's formulas
 * (torch.distributions.Normal summed over dimensions, Categorical(logits=...)).
 *
 * Everything works on one row (one observation): the network output row and, for the
 * Gaussian, the log standard deviations (a state-independent parameter vector, or a row
 * of the network output). Values are computed in double (so finite-difference checks are
 * meaningful) and returned as double. The *_grad functions ADD scale × the gradient to
 * their outputs (as network backward passes accumulate), so a loss
 * L = Σ_rows c_row · log π(a_row) is differentiated by calling them with scale = c_row.
 * Nothing allocates; nothing keeps state. */
#ifndef ATHLETE_DISTRIBUTIONS_H
#define ATHLETE_DISTRIBUTIONS_H

#include <stddef.h>

#include <athlete/export.h>
#include <athlete/rng.h>

ATHLETE_BEGIN_DECLS

/* ---- Diagonal Gaussian N(mean, exp(log_std)^2), dim dimensions ---- */

/* log π(x) = Σ_i [ −(x_i − μ_i)² / (2σ_i²) − log σ_i − ½ log 2π ]. */
ATHLETE_API double athlete_gaussian_log_prob(const float *x, const float *mean, const float *log_std,
                                             size_t dim);
/* H = Σ_i [ ½ + ½ log 2π + log σ_i ] (independent of the mean). */
ATHLETE_API double athlete_gaussian_entropy(const float *log_std, size_t dim);
/* d log π / dμ_i = (x_i − μ_i) / σ_i²;  d log π / d log σ_i = (x_i − μ_i)² / σ_i² − 1.
 * Adds scale × those to d_mean and d_log_std (either may be NULL). */
ATHLETE_API void athlete_gaussian_log_prob_grad(const float *x, const float *mean, const float *log_std,
                                                size_t dim, double scale, float *d_mean,
                                                float *d_log_std);
/* dH / d log σ_i = 1: adds scale to each d_log_std[i]. */
ATHLETE_API void athlete_gaussian_entropy_grad(size_t dim, double scale, float *d_log_std);
/* x_i = μ_i + σ_i ξ_i with ξ_i ~ N(0, 1) from rng, drawn in dimension order. */
ATHLETE_API void athlete_gaussian_sample(athlete_rng *rng, const float *mean, const float *log_std,
                                         size_t dim, float *x);

/* ---- Categorical over n logits z (π = softmax(z)); actions are indices 0..n-1 ---- */

/* log π(action) = z_a − logsumexp(z) (max-shifted, so large logits are safe). */
ATHLETE_API double athlete_categorical_log_prob(const float *logits, size_t n, size_t action);
/* H = −Σ_j π_j log π_j (terms with π_j = 0 count 0, as torch). */
ATHLETE_API double athlete_categorical_entropy(const float *logits, size_t n);
/* d log π(a) / dz_j = [j = a] − π_j: adds scale × that to d_logits. */
ATHLETE_API void athlete_categorical_log_prob_grad(const float *logits, size_t n, size_t action,
                                                   double scale, float *d_logits);
/* dH / dz_j = −π_j (log π_j + H): adds scale × that to d_logits. */
ATHLETE_API void athlete_categorical_entropy_grad(const float *logits, size_t n, double scale,
                                                  float *d_logits);
/* One draw: the first j whose cumulative probability exceeds u ~ U[0, 1) from rng (one
 * uniform per call); never an index of probability 0. */
ATHLETE_API size_t athlete_categorical_sample(athlete_rng *rng, const float *logits, size_t n);
/* The first maximal logit (torch.argmax): the greedy action. */
ATHLETE_API size_t athlete_categorical_mode(const float *logits, size_t n);

ATHLETE_END_DECLS

#endif

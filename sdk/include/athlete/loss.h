/* Regression losses with PyTorch's default reduction (mean over all elements).
 *
 * Each returns the loss and, when d_pred is not NULL, writes dLoss/dPrediction (n floats)
 * for the network's backward. The sums are accumulated in double; nothing allocates.
 * n must be > 0 (like torch, n == 0 gives NaN). pred, target and d_pred may not overlap,
 * except that d_pred may equal pred. */
#ifndef ATHLETE_LOSS_H
#define ATHLETE_LOSS_H

#include <stddef.h>

#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

/* torch.nn.MSELoss(): mean((pred - target)^2); d = 2 (pred - target) / n. */
ATHLETE_API float athlete_loss_mse(const float *pred, const float *target, size_t n, float *d_pred);

/* torch.nn.HuberLoss(delta): with x = pred - target, mean of 0.5 x^2 where |x| < delta and
 * delta (|x| - 0.5 delta) elsewhere; d = clamp(x, -delta, delta) / n. delta = 1 is also
 * torch.nn.SmoothL1Loss() (beta = 1). delta must be > 0. */
ATHLETE_API float athlete_loss_huber(const float *pred, const float *target, size_t n, float delta,
                                     float *d_pred);

ATHLETE_END_DECLS

#endif

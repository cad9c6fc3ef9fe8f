/* Target-network updates over flat parameter arrays (athlete_mlp_params of two networks of
 * the same shape, or any other pair of equally long float arrays). The "when" lives in
 * <athlete/schedule.h>; this is the arithmetic. Nothing allocates. */
#ifndef ATHLETE_TARGET_H
#define ATHLETE_TARGET_H

#include <stddef.h>

#include <athlete/export.h>
#include <athlete/mlp.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* target = source (n floats). */
ATHLETE_API void athlete_target_hard_copy(float *target, const float *source, size_t n);
/* Polyak averaging: target = tau * source + (1 - tau) * target, element by element in
 * float32 with tau and 1 - tau (formed in double) rounded to float, as torch's
 * `tau * p + (1 - tau) * tp` does. One pass, bit-identical on every CPU. */
ATHLETE_API void athlete_target_polyak(float *target, const float *source, size_t n, double tau);
/* The original's rule for two networks: tau exactly 1 means a hard copy,
 * 0 < tau < 1 Polyak. Pass tau = 1 for "tau None". ATHLETE_E_INVALID_ARGUMENT if the
 * shapes differ or tau is outside (0, 1]. */
ATHLETE_API athlete_status athlete_target_update_mlp(athlete_mlp *target, const athlete_mlp *source,
                                                    double tau, athlete_error *err);

ATHLETE_END_DECLS

#endif

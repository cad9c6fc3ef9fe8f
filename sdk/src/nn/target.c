/* Target-network updates (see <athlete/target.h>). */
#include <athlete/target.h>

#include <athlete/mlp.h>

#include <string.h>

#include "nn-private.h"

void athlete_target_hard_copy(float *target, const float *source, size_t n)
{
    if (target != source)
        memcpy(target, source, n * sizeof *target);
}

/* A plain fused loop beats cblas_sscal + cblas_saxpy (two passes over the target, and an
 * axpy whose FMA use depends on the OpenBLAS kernel); bench/bench-nn.c measures both. */
ATHLETE_NN_CLONES
static void polyak(float *restrict t, const float *restrict s, size_t n, float tau, float keep)
{
    size_t i = 0;
    for (; i + ATHLETE_NN_BLOCK <= n; i += ATHLETE_NN_BLOCK)
        for (size_t u = 0; u < ATHLETE_NN_BLOCK; u++)
            t[i + u] = tau * s[i + u] + keep * t[i + u];
    for (; i < n; i++)
        t[i] = tau * s[i] + keep * t[i];
}

void athlete_target_polyak(float *target, const float *source, size_t n, double tau)
{
    if (target != source)
        polyak(target, source, n, (float)tau, (float)(1.0 - tau));
}

athlete_status athlete_target_update_mlp(athlete_mlp *target, const athlete_mlp *source, double tau,
                                         athlete_error *err)
{
    if (!(tau > 0.0 && tau <= 1.0))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "target update: tau is %g (expected 0 < tau <= 1)", tau);
    if (!athlete_mlp_same_shape(target, source))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "target update: the target and source networks differ in shape");
    size_t n = athlete_mlp_param_count(source);
    if (tau == 1.0)
        athlete_target_hard_copy(athlete_mlp_params(target), athlete_mlp_params(source), n);
    else
        athlete_target_polyak(athlete_mlp_params(target), athlete_mlp_params(source), n, tau);
    return ATHLETE_OK;
}

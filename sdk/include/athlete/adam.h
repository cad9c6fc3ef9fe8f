/* Adam, exactly as torch.optim.Adam (no weight decay, no amsgrad), over parameter groups.
 *
 * Each group names a flat parameter array and its gradient array (e.g. athlete_mlp_params
 * and athlete_mlp_grads, or a plugin's own log-std vector) with its own lr, betas and eps.
 * The optimizer borrows those arrays (they must outlive it) and owns the moments: m
 * (exp_avg) and v (exp_avg_sq) are each ONE contiguous array of athlete_adam_state_count()
 * floats, group g occupying [athlete_adam_group_offset(g), + group count). Step counts are
 * per group. Per step, for each element (float32, torch's order of operations):
 *     m = m*b1 + (1-b1)*g;   v = v*b2 + (1-b2)*g*g
 *     p = p + (-lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)
 * with bc1 = 1 - b1^t and bc2 = 1 - b2^t computed in double, like torch's Python scalars.
 * Every multiply and add is rounded separately (no FMA), so results are bit-identical on
 * every CPU; torch's own vectorised CPU kernels fuse some of them, so torch itself agrees
 * with this to an ulp per step, not bit for bit. step, zero_grad and clip_grad_norm never
 * allocate. */
#ifndef ATHLETE_ADAM_H
#define ATHLETE_ADAM_H

#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* One parameter group. Hyper-parameters are doubles because torch keeps them as Python
 * floats (lr/bc1 is formed in double before it meets the float32 tensors). */
typedef struct athlete_adam_group {
    float *params;
    float *grads;
    size_t count;
    double lr;
    double beta1; /* torch default 0.9 */
    double beta2; /* 0.999 */
    double eps;   /* 1e-8 */
} athlete_adam_group;

/* A group with torch's defaults for betas and eps. */
ATHLETE_API athlete_adam_group athlete_adam_group_default(float *params, float *grads, size_t count,
                                                         double lr);

typedef struct athlete_adam athlete_adam;

/* Copies the n_groups descriptions; moments start at zero, step counts at 0. Checks: count
 * > 0 with non-NULL arrays, lr >= 0, 0 <= beta < 1, eps >= 0 (torch's checks). */
ATHLETE_API athlete_status athlete_adam_create(const athlete_adam_group *groups, size_t n_groups,
                                              athlete_adam **out, athlete_error *err);
ATHLETE_API void athlete_adam_destroy(athlete_adam *adam);

/* One optimisation step of every group (optimizer.step()). */
ATHLETE_API void athlete_adam_step(athlete_adam *adam);
/* Every group's gradients = 0 (optimizer.zero_grad(set_to_none=False)). */
ATHLETE_API void athlete_adam_zero_grad(athlete_adam *adam);
/* torch.nn.utils.clip_grad_norm_ over every group's gradients (L2): the total norm is
 * computed (accumulated in double, rounded to float); if max_norm / (norm + 1e-6) < 1 every
 * gradient is multiplied by that factor. Returns the norm before clipping (may be inf or
 * NaN, like torch with error_if_nonfinite=False). */
ATHLETE_API float athlete_adam_clip_grad_norm(athlete_adam *adam, float max_norm);

/* Introspection and state, for logs and checkpoints. */
ATHLETE_API size_t athlete_adam_group_count(const athlete_adam *adam);
/* A copy of a group's description (all zero for group >= group_count). */
ATHLETE_API athlete_adam_group athlete_adam_get_group(const athlete_adam *adam, size_t group);
/* Learning-rate schedules; lr >= 0 (other values and out-of-range groups are ignored). */
ATHLETE_API void athlete_adam_set_lr(athlete_adam *adam, size_t group, double lr);
/* Total parameter count over groups = length of the m and v arrays. */
ATHLETE_API size_t athlete_adam_state_count(const athlete_adam *adam);
ATHLETE_API size_t athlete_adam_group_offset(const athlete_adam *adam, size_t group);
/* exp_avg (m) and exp_avg_sq (v); writable so a checkpoint can be loaded into them. */
ATHLETE_API float *athlete_adam_exp_avg(athlete_adam *adam);
ATHLETE_API float *athlete_adam_exp_avg_sq(athlete_adam *adam);
ATHLETE_API uint64_t athlete_adam_step_count(const athlete_adam *adam, size_t group);
ATHLETE_API void athlete_adam_set_step_count(athlete_adam *adam, size_t group, uint64_t steps);

ATHLETE_END_DECLS

#endif

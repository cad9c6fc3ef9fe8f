/* Continuous action scaling: networks, replay buffers and losses of ddpg, td3
 * and sac work in the unscaled box [-1, 1]^n; the environment gets
 *     action = unscaled * scale + offset,  scale = (high - low) / 2,  offset = (high + low) / 2
 * per element (float32, as the original's numpy arrays). That needs a Box action space with
 * finite bounds, which the check below reports precisely. Nothing here allocates after
 * create. */
#ifndef ATHLETE_SCALING_H
#define ATHLETE_SCALING_H

#include <stddef.h>

#include <athlete/export.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* The spaces a continuous-control algorithm named `owner` ("ddpg") accepts: a Box
 * observation space and a Box action space with finite bounds. ATHLETE_E_SPACE_MISMATCH
 * with a message naming the space, e.g.
 *   "ddpg needs a Box action space, got Discrete(2)"
 *   "ddpg needs finite action bounds (its [-1, 1] actions are scaled to them), got
 *    Box(shape=(1,), low=[-inf], high=[inf]): low[0] is -inf" */
ATHLETE_API athlete_status athlete_action_scaling_check(const athlete_space *observation_space,
                                                        const athlete_space *action_space,
                                                        const char *owner, athlete_error *err);

typedef struct athlete_action_scaling athlete_action_scaling;

/* Scale and offset of a Box action space (checked as above, observation space excluded). */
ATHLETE_API athlete_status athlete_action_scaling_create(const athlete_space *action_space,
                                                         const char *owner,
                                                         athlete_action_scaling **out,
                                                         athlete_error *err);
ATHLETE_API void athlete_action_scaling_destroy(athlete_action_scaling *scaling);
/* Number of action elements (the flat size of the space). */
ATHLETE_API size_t athlete_action_scaling_size(const athlete_action_scaling *scaling);
ATHLETE_API const float *athlete_action_scaling_scale(const athlete_action_scaling *scaling);
ATHLETE_API const float *athlete_action_scaling_offset(const athlete_action_scaling *scaling);
/* action = unscaled * scale + offset (size floats; may be the same array). */
ATHLETE_API void athlete_action_scaling_apply(const athlete_action_scaling *scaling,
                                              const float *unscaled, float *action);
/* The inverse, unscaled = (action - offset) / scale (0 where the bounds coincide). */
ATHLETE_API void athlete_action_scaling_unapply(const athlete_action_scaling *scaling,
                                                const float *action, float *unscaled);

ATHLETE_END_DECLS

#endif

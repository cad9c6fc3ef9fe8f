/* Reusable data collectors.
 *
 * The transition collector (dqn, q_learning, and with action replacement ddpg, td3, sac)
 * turns each training step into one transition (observation, action, reward, next
 * observation, terminated) and publishes it as one data point in a mailbox the update
 * rule reads in the same step (the replay update, or q_learning's table update).
 * Truncation is not part of the transition: targets bootstrap through time limits. */
#ifndef ATHLETE_COLLECTORS_H
#define ATHLETE_COLLECTORS_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/component.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* The latest transition; valid until the next step. */
typedef struct athlete_transition {
    const float *observation;
    const float *action;
    float reward;
    const float *next_observation;
    bool terminated;
    bool truncated;
} athlete_transition;

typedef struct athlete_transition_collector athlete_transition_collector;

/* replace_action_key: NULL stores the action the agent returned; otherwise the policy
 * info's array under this key (ddpg/td3/sac store "unscaled_action", the [-1, 1] action
 * their networks work in). Writes the component into *out. */
ATHLETE_API athlete_status athlete_transition_collector_create(size_t observation_size,
                                                               size_t action_size,
                                                               const char *replace_action_key,
                                                               athlete_collector *out,
                                                               athlete_error *err);
/* The collector's latest transition (borrowed from the component in `collector`). */
ATHLETE_API const athlete_transition *athlete_transition_collector_latest(const athlete_collector *collector);

ATHLETE_END_DECLS

#endif

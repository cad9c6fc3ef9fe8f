/* Replay buffer: a FIFO ring of `capacity` transitions.
 *
 * Each transition is (observation[obs_size], action[action_size], reward,
 * next_observation[obs_size], terminated), stored in five contiguous float arrays indexed
 * by physical slot: observations[capacity × obs_size], actions[capacity × action_size],
 * rewards[capacity], next_observations[capacity × obs_size], terminateds[capacity] (1.0f
 * or 0.0f, ready for r + gamma (1 - d) Q'). Discrete actions are stored as their index in
 * a float (exact below 2^24). Truncation is not stored: a truncated last step is added
 * with terminated = false so targets bootstrap through time limits.
 *
 * Sampling gathers into batch buffers owned by the buffer and sized at create time for
 * max_batch rows; add and sample never allocate. Not thread-safe. */
#ifndef ATHLETE_REPLAY_H
#define ATHLETE_REPLAY_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/export.h>
#include <athlete/rng.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_replay athlete_replay;

/* A sampled minibatch, row i taken from physical slot indices[i]. Borrowed: the arrays
 * belong to the buffer and are overwritten by the next sample (an MLP forward borrows its
 * input until backward, so finish one update before sampling the next batch). */
typedef struct athlete_replay_batch {
    size_t size;                    /* rows */
    const float *observations;      /* size × obs_size */
    const float *actions;           /* size × action_size */
    const float *rewards;           /* size */
    const float *next_observations; /* size × obs_size */
    const float *terminateds;       /* size, 1.0f or 0.0f */
    const size_t *indices;          /* size physical slots, each < athlete_replay_size() */
} athlete_replay_batch;

/* All sizes >= 1. Allocates every array (zeroed) and an index pool of capacity entries. */
ATHLETE_API athlete_status athlete_replay_create(size_t capacity, size_t obs_size, size_t action_size,
                                                size_t max_batch, athlete_replay **out,
                                                athlete_error *err);
ATHLETE_API void athlete_replay_destroy(athlete_replay *rb);

/* Appends one transition at slot next_index (copied), overwriting the oldest when full. */
ATHLETE_API void athlete_replay_add(athlete_replay *rb, const float *observation, const float *action,
                                    float reward, const float *next_observation, bool terminated);

/* batch_size rows: with s = size(), s < batch_size draws slots uniformly WITH replacement,
 * otherwise WITHOUT replacement (numpy's Generator.choice(s, B, replace=s < B)).
 * ATHLETE_E_CALL_ORDER if the buffer is empty (callers skip the update instead),
 * ATHLETE_E_INVALID_ARGUMENT if batch_size is 0 or above max_batch. */
ATHLETE_API athlete_status athlete_replay_sample(athlete_replay *rb, athlete_rng *rng,
                                                size_t batch_size, athlete_replay_batch *out,
                                                athlete_error *err);

ATHLETE_API size_t athlete_replay_size(const athlete_replay *rb);       /* stored, <= capacity */
ATHLETE_API size_t athlete_replay_capacity(const athlete_replay *rb);
ATHLETE_API size_t athlete_replay_next_index(const athlete_replay *rb); /* slot of the next add */
ATHLETE_API size_t athlete_replay_obs_size(const athlete_replay *rb);
ATHLETE_API size_t athlete_replay_action_size(const athlete_replay *rb);
ATHLETE_API size_t athlete_replay_max_batch(const athlete_replay *rb);

/* The raw storage (layout above), writable so a checkpoint can be loaded into it; then
 * call set_state. Slots >= size() hold zeros or stale data. */
ATHLETE_API float *athlete_replay_observations(athlete_replay *rb);
ATHLETE_API float *athlete_replay_actions(athlete_replay *rb);
ATHLETE_API float *athlete_replay_rewards(athlete_replay *rb);
ATHLETE_API float *athlete_replay_next_observations(athlete_replay *rb);
ATHLETE_API float *athlete_replay_terminateds(athlete_replay *rb);
/* Restores size and next index (checkpoints): size <= capacity, next_index < capacity, and
 * next_index == size while the ring has not wrapped (size < capacity). */
ATHLETE_API athlete_status athlete_replay_set_state(athlete_replay *rb, size_t size, size_t next_index,
                                                   athlete_error *err);
/* Forgets every transition (size 0, next index 0). */
ATHLETE_API void athlete_replay_clear(athlete_replay *rb);

ATHLETE_END_DECLS

#endif

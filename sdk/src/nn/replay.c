/* Replay buffer (see <athlete/replay.h>). */
#include <athlete/replay.h>

#include <athlete/alloc.h>

#include <stdint.h>
#include <string.h>

struct athlete_replay {
    size_t capacity, obs_size, action_size, max_batch;
    size_t size, next;
    float *obs, *actions, *rewards, *next_obs, *terminateds;
    size_t *pool; /* identity 0..capacity-1: scratch for sampling without replacement */
    /* the batch buffers */
    float *b_obs, *b_actions, *b_rewards, *b_next_obs, *b_terminateds;
    size_t *b_indices;
};

static bool mul_ok(size_t a, size_t b) { return b == 0 || a <= SIZE_MAX / sizeof(float) / b; }

athlete_status athlete_replay_create(size_t capacity, size_t obs_size, size_t action_size,
                                     size_t max_batch, athlete_replay **out, athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "replay create: out is NULL");
    if (capacity == 0 || obs_size == 0 || action_size == 0 || max_batch == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay create: capacity %zu, obs_size %zu, action_size %zu, "
                                 "max_batch %zu (each must be at least 1)",
                                 capacity, obs_size, action_size, max_batch);
    if (!mul_ok(capacity, obs_size) || !mul_ok(capacity, action_size) ||
        !mul_ok(max_batch, obs_size) || !mul_ok(max_batch, action_size) ||
        capacity > SIZE_MAX / sizeof(size_t) || max_batch > SIZE_MAX / sizeof(size_t))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay create: capacity %zu x obs_size %zu is too large",
                                 capacity, obs_size);
    athlete_replay *rb = athlete_calloc(1, sizeof *rb);
    if (!rb)
        goto no_memory;
    rb->capacity = capacity;
    rb->obs_size = obs_size;
    rb->action_size = action_size;
    rb->max_batch = max_batch;
    rb->obs = athlete_calloc(capacity * obs_size, sizeof(float));
    rb->actions = athlete_calloc(capacity * action_size, sizeof(float));
    rb->rewards = athlete_calloc(capacity, sizeof(float));
    rb->next_obs = athlete_calloc(capacity * obs_size, sizeof(float));
    rb->terminateds = athlete_calloc(capacity, sizeof(float));
    rb->pool = athlete_malloc(capacity * sizeof *rb->pool);
    rb->b_obs = athlete_calloc(max_batch * obs_size, sizeof(float));
    rb->b_actions = athlete_calloc(max_batch * action_size, sizeof(float));
    rb->b_rewards = athlete_calloc(max_batch, sizeof(float));
    rb->b_next_obs = athlete_calloc(max_batch * obs_size, sizeof(float));
    rb->b_terminateds = athlete_calloc(max_batch, sizeof(float));
    rb->b_indices = athlete_calloc(max_batch, sizeof *rb->b_indices);
    if (!rb->obs || !rb->actions || !rb->rewards || !rb->next_obs || !rb->terminateds || !rb->pool ||
        !rb->b_obs || !rb->b_actions || !rb->b_rewards || !rb->b_next_obs || !rb->b_terminateds ||
        !rb->b_indices)
        goto no_memory;
    for (size_t i = 0; i < capacity; i++)
        rb->pool[i] = i;
    *out = rb;
    return ATHLETE_OK;

no_memory:
    athlete_replay_destroy(rb);
    return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                             "replay create: out of memory (capacity %zu, obs_size %zu, action_size %zu)",
                             capacity, obs_size, action_size);
}

void athlete_replay_destroy(athlete_replay *rb)
{
    if (!rb)
        return;
    athlete_free(rb->obs);
    athlete_free(rb->actions);
    athlete_free(rb->rewards);
    athlete_free(rb->next_obs);
    athlete_free(rb->terminateds);
    athlete_free(rb->pool);
    athlete_free(rb->b_obs);
    athlete_free(rb->b_actions);
    athlete_free(rb->b_rewards);
    athlete_free(rb->b_next_obs);
    athlete_free(rb->b_terminateds);
    athlete_free(rb->b_indices);
    athlete_free(rb);
}

void athlete_replay_add(athlete_replay *rb, const float *observation, const float *action, float reward,
                        const float *next_observation, bool terminated)
{
    size_t i = rb->next;
    memcpy(rb->obs + i * rb->obs_size, observation, rb->obs_size * sizeof(float));
    memcpy(rb->actions + i * rb->action_size, action, rb->action_size * sizeof(float));
    rb->rewards[i] = reward;
    memcpy(rb->next_obs + i * rb->obs_size, next_observation, rb->obs_size * sizeof(float));
    rb->terminateds[i] = terminated ? 1.0f : 0.0f;
    rb->next = i + 1 == rb->capacity ? 0 : i + 1;
    if (rb->size < rb->capacity)
        rb->size++;
}

athlete_status athlete_replay_sample(athlete_replay *rb, athlete_rng *rng, size_t batch_size,
                                     athlete_replay_batch *out, athlete_error *err)
{
    if (!rb || !rng || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay sample: buffer, rng and out must not be NULL");
    if (rb->size == 0)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "replay sample: the buffer is empty (add a transition first, or "
                                 "skip the update while it is empty)");
    if (batch_size == 0 || batch_size > rb->max_batch)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay sample: batch_size is %zu (expected 1 to max_batch %zu)",
                                 batch_size, rb->max_batch);
    size_t *idx = rb->b_indices;
    if (rb->size < batch_size)
        for (size_t r = 0; r < batch_size; r++)
            idx[r] = (size_t)athlete_rng_below(rng, rb->size);
    else
        athlete_rng_sample_without_replacement(rng, rb->size, batch_size, idx, rb->pool);

    size_t os = rb->obs_size, as = rb->action_size;
    /* The rows are scattered over a buffer far larger than the caches: ask for all of them
     * before copying any, so the misses overlap instead of queueing. */
    for (size_t r = 0; r < batch_size; r++) {
        size_t i = idx[r];
        __builtin_prefetch(rb->obs + i * os);
        __builtin_prefetch(rb->next_obs + i * os);
        __builtin_prefetch(rb->actions + i * as);
        __builtin_prefetch(rb->rewards + i);
        __builtin_prefetch(rb->terminateds + i);
    }
    for (size_t r = 0; r < batch_size; r++) {
        size_t i = idx[r];
        memcpy(rb->b_obs + r * os, rb->obs + i * os, os * sizeof(float));
        memcpy(rb->b_actions + r * as, rb->actions + i * as, as * sizeof(float));
        rb->b_rewards[r] = rb->rewards[i];
        memcpy(rb->b_next_obs + r * os, rb->next_obs + i * os, os * sizeof(float));
        rb->b_terminateds[r] = rb->terminateds[i];
    }
    *out = (athlete_replay_batch){.size = batch_size, .observations = rb->b_obs,
                                  .actions = rb->b_actions, .rewards = rb->b_rewards,
                                  .next_observations = rb->b_next_obs,
                                  .terminateds = rb->b_terminateds, .indices = idx};
    return ATHLETE_OK;
}

size_t athlete_replay_size(const athlete_replay *rb) { return rb->size; }
size_t athlete_replay_capacity(const athlete_replay *rb) { return rb->capacity; }
size_t athlete_replay_next_index(const athlete_replay *rb) { return rb->next; }
size_t athlete_replay_obs_size(const athlete_replay *rb) { return rb->obs_size; }
size_t athlete_replay_action_size(const athlete_replay *rb) { return rb->action_size; }
size_t athlete_replay_max_batch(const athlete_replay *rb) { return rb->max_batch; }

float *athlete_replay_observations(athlete_replay *rb) { return rb->obs; }
float *athlete_replay_actions(athlete_replay *rb) { return rb->actions; }
float *athlete_replay_rewards(athlete_replay *rb) { return rb->rewards; }
float *athlete_replay_next_observations(athlete_replay *rb) { return rb->next_obs; }
float *athlete_replay_terminateds(athlete_replay *rb) { return rb->terminateds; }

athlete_status athlete_replay_set_state(athlete_replay *rb, size_t size, size_t next_index,
                                        athlete_error *err)
{
    if (size > rb->capacity || next_index >= rb->capacity)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay set_state: size %zu and next index %zu do not fit capacity %zu",
                                 size, next_index, rb->capacity);
    if (size < rb->capacity && next_index != size)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "replay set_state: a buffer holding %zu of %zu transitions has not "
                                 "wrapped, so its next index must be %zu, not %zu",
                                 size, rb->capacity, size, next_index);
    rb->size = size;
    rb->next = next_index;
    return ATHLETE_OK;
}

void athlete_replay_clear(athlete_replay *rb)
{
    rb->size = 0;
    rb->next = 0;
}

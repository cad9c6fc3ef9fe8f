/* The rollout collector and GAE (see rollout.h). */
#include <athlete/rollout.h>

#include <athlete/alloc.h>
#include <athlete/info.h>

#include <inttypes.h>
#include <string.h>

typedef struct rollout_collector {
    athlete_rollout published; /* the view handed to the update rule */
    bool has_published;
    size_t steps, num_envs, observation_size, action_size;
    const char *log_prob_key;
    size_t count;        /* transitions per stream in the rollout being filled */
    size_t filled;       /* streams holding `steps` transitions of the rollout being filled */
    size_t *counts;      /* per stream */
    float *observations; /* num_envs x (steps + 1) x observation_size */
    float *actions;      /* num_envs x steps x action_size */
    float *log_probs, *rewards, *dones; /* num_envs x steps each */
    float *previous;     /* num_envs rows: the observation each stream's pending action was taken in */
} rollout_collector;

static athlete_status collector_reset_env(void *self, size_t env, const float *observation, bool *new_data,
                                          athlete_error *err)
{
    rollout_collector *c = self;
    if (env >= c->num_envs)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "rollout collector: stream %zu of %zu", env,
                                 c->num_envs);
    memcpy(c->previous + env * c->observation_size, observation, c->observation_size * sizeof(float));
    *new_data = false;
    return ATHLETE_OK;
}

static athlete_status collector_reset(void *self, const float *observation, bool *new_data,
                                      athlete_error *err)
{
    return collector_reset_env(self, 0, observation, new_data, err);
}

static athlete_status collector_collect_env(void *self, size_t env, const athlete_step_data *step, bool *new_data,
                                            athlete_error *err)
{
    rollout_collector *c = self;
    if (env >= c->num_envs || c->counts[env] == c->steps)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "rollout collector: stream %zu of %zu has no room (streams fill in turn)", env,
                                 c->num_envs);
    float log_prob = 0.0f;
    if (c->log_prob_key) { /* checked before anything changes */
        const athlete_info_item *item = athlete_info_find(step->policy_info, c->log_prob_key);
        if (!item || item->type != ATHLETE_VALUE_REALS || item->count != 1)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "the training policy did not report '%s' as one float", c->log_prob_key);
        log_prob = item->reals[0];
    }
    size_t os = c->observation_size, t = c->counts[env];
    size_t row = env * (c->steps + 1) + t, slot = env * c->steps + t;
    float *previous = c->previous + env * os;
    memcpy(c->observations + row * os, previous, os * sizeof(float));
    memcpy(c->actions + slot * c->action_size, step->action, c->action_size * sizeof(float));
    c->log_probs[slot] = log_prob;
    c->rewards[slot] = (float)step->reward;
    c->dones[slot] = step->terminated || step->truncated ? 1.0f : 0.0f;
    memcpy(previous, step->observation, os * sizeof(float));
    *new_data = false;
    if (++c->counts[env] == c->steps) {
        /* The bootstrap row; the arrays stay intact until the next collect overwrites
         * slot 0, which is after this step's update has read them. */
        memcpy(c->observations + (row + 1) * os, step->observation, os * sizeof(float));
        if (++c->filled == c->num_envs) {
            c->has_published = true;
            c->filled = 0;
            memset(c->counts, 0, c->num_envs * sizeof *c->counts);
            *new_data = true;
        }
    }
    c->count = c->counts[c->num_envs - 1];
    return ATHLETE_OK;
}

static athlete_status collector_collect(void *self, const athlete_step_data *step, bool *new_data,
                                        athlete_error *err)
{
    return collector_collect_env(self, 0, step, new_data, err);
}

/* Copies each stream's first `rows` rows (of `width` floats; a stream's block is `block`
 * rows) into `packed`, one stream after another. */
static void pack_streams(float *packed, const float *data, size_t num_envs, size_t block, size_t rows, size_t width)
{
    for (size_t e = 0; e < num_envs; e++)
        memcpy(packed + e * rows * width, data + e * block * width, rows * width * sizeof(float));
}

/* The inverse, in place: the packed rows at the front of `data` move to their streams'
 * blocks, last stream first so that nothing is overwritten before it has moved. */
static void unpack_streams(float *data, size_t num_envs, size_t block, size_t rows, size_t width)
{
    for (size_t e = num_envs; e-- > 1;)
        memmove(data + e * block * width, data + e * rows * width, rows * width * sizeof(float));
}

/* Between calls every stream holds the same number of transitions n (a vector agent feeds
 * every stream once per call), so one count describes the partial rollout, and just those
 * n transitions of each stream are saved, stream after stream: slots the next rollout
 * overwrites are never written, so never checked, and one stream's layout is the single
 * agent's. */
static athlete_status collector_save(void *self, athlete_writer *w, athlete_error *err)
{
    rollout_collector *c = self;
    for (size_t e = 0; e < c->num_envs; e++)
        if (c->counts[e] != c->counts[0])
            return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                     "rollout collector: streams hold %zu and %zu transitions (save between calls)",
                                     c->counts[0], c->counts[e]);
    uint64_t count = c->counts[0];
    size_t n = c->counts[0], envs = c->num_envs, os = c->observation_size, as = c->action_size;
    athlete_status st = athlete_writer_put(w, "count", ATHLETE_RECORD_U64, &count, 1, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "previous_observation", ATHLETE_RECORD_F32, c->previous, envs * os, err);
    if (n == 0 || st != ATHLETE_OK)
        return st; /* only the partial rollout matters: earlier slots are rewritten first */
    size_t widest = os > as ? os : as;
    float *packed = athlete_malloc(envs * n * widest * sizeof(float));
    if (!packed)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "rollout collector: out of memory saving the rollout");
    const struct {
        const char *name;
        const float *data;
        size_t block, width;
    } arrays[] = {{"observations", c->observations, c->steps + 1, os},
                  {"actions", c->actions, c->steps, as},
                  {"log_probs", c->log_probs, c->steps, 1},
                  {"rewards", c->rewards, c->steps, 1},
                  {"dones", c->dones, c->steps, 1}};
    for (size_t i = 0; st == ATHLETE_OK && i < sizeof arrays / sizeof arrays[0]; i++) {
        pack_streams(packed, arrays[i].data, envs, arrays[i].block, n, arrays[i].width);
        st = athlete_writer_put(w, arrays[i].name, ATHLETE_RECORD_F32, packed, envs * n * arrays[i].width, err);
    }
    athlete_free(packed);
    return st;
}

static athlete_status collector_load(void *self, athlete_reader *r, athlete_error *err)
{
    rollout_collector *c = self;
    uint64_t count;
    athlete_status st = athlete_reader_get(r, "count", ATHLETE_RECORD_U64, &count, 1, err);
    if (st != ATHLETE_OK)
        return st;
    if (count >= c->steps)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "rollout collector: the saved rollout holds %" PRIu64
                                 " transitions; this agent's rollouts are %zu long",
                                 count, c->steps);
    size_t n = (size_t)count, envs = c->num_envs, os = c->observation_size, as = c->action_size;
    size_t rows = envs * n;
    if (athlete_reader_clock(r)) {
        /* Stored actions are indices for a categorical policy: each is checked. The
         * pending observations only need to be finite: they are network inputs, never
         * indices, and a stream that has not started holds zeros, which need not lie in
         * the observation space. */
        if ((st = athlete_reader_get_finite(r, "previous_observation", c->previous, envs * os, err)))
            return st;
        if (n > 0 && ((st = athlete_reader_get_observations(r, "observations", c->observations, rows, err)) ||
                      (st = athlete_reader_get_actions(r, "actions", c->actions, rows, err)) ||
                      (st = athlete_reader_get_finite(r, "log_probs", c->log_probs, rows, err)) ||
                      (st = athlete_reader_get_finite(r, "rewards", c->rewards, rows, err)) ||
                      (st = athlete_reader_get_flags(r, "dones", c->dones, rows, err))))
            return st;
    } else {
        if ((st = athlete_reader_get(r, "previous_observation", ATHLETE_RECORD_F32, c->previous, envs * os, err)))
            return st;
        if (n > 0 &&
            ((st = athlete_reader_get(r, "observations", ATHLETE_RECORD_F32, c->observations, rows * os, err)) ||
             (st = athlete_reader_get(r, "actions", ATHLETE_RECORD_F32, c->actions, rows * as, err)) ||
             (st = athlete_reader_get(r, "log_probs", ATHLETE_RECORD_F32, c->log_probs, rows, err)) ||
             (st = athlete_reader_get(r, "rewards", ATHLETE_RECORD_F32, c->rewards, rows, err)) ||
             (st = athlete_reader_get(r, "dones", ATHLETE_RECORD_F32, c->dones, rows, err))))
            return st;
    }
    if (n > 0) {
        unpack_streams(c->observations, envs, c->steps + 1, n, os);
        unpack_streams(c->actions, envs, c->steps, n, as);
        unpack_streams(c->log_probs, envs, c->steps, n, 1);
        unpack_streams(c->rewards, envs, c->steps, n, 1);
        unpack_streams(c->dones, envs, c->steps, n, 1);
    }
    for (size_t e = 0; e < envs; e++)
        c->counts[e] = n;
    c->count = n;
    c->filled = 0;
    c->has_published = false; /* a loaded agent has no rollout waiting for an update */
    return ATHLETE_OK;
}

static void collector_destroy(void *self)
{
    rollout_collector *c = self;
    if (!c)
        return;
    athlete_free(c->counts);
    athlete_free(c->observations);
    athlete_free(c->actions);
    athlete_free(c->log_probs);
    athlete_free(c->rewards);
    athlete_free(c->dones);
    athlete_free(c->previous);
    athlete_free(c);
}

static const athlete_collector_ops rollout_collector_ops = {
    .struct_size = sizeof(athlete_collector_ops),
    .reset = collector_reset,
    .collect = collector_collect,
    .save = collector_save,
    .load = collector_load,
    .destroy = collector_destroy,
    .reset_env = collector_reset_env,
    .collect_env = collector_collect_env,
};

/* calloc of rows × cols floats (both > 0), overflow-checked. */
static float *alloc_floats(size_t rows, size_t cols)
{
    if (rows > SIZE_MAX / sizeof(float) / cols)
        return NULL;
    return athlete_calloc(rows * cols, sizeof(float));
}

athlete_status athlete_rollout_collector_create_vector(size_t observation_size, size_t action_size, size_t steps,
                                                       size_t num_envs, const char *log_prob_key,
                                                       athlete_collector *out, athlete_error *err)
{
    if (!out || observation_size == 0 || action_size == 0 || steps == 0 || steps == SIZE_MAX || num_envs == 0 ||
        num_envs > SIZE_MAX / (steps + 1))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "rollout collector: sizes must be positive (observation %zu, action %zu, steps %zu, "
                                 "streams %zu)",
                                 observation_size, action_size, steps, num_envs);
    rollout_collector *c = athlete_calloc(1, sizeof *c);
    if (c) {
        c->steps = steps;
        c->num_envs = num_envs;
        c->observation_size = observation_size;
        c->action_size = action_size;
        c->log_prob_key = log_prob_key;
        c->counts = athlete_calloc(num_envs, sizeof *c->counts);
        c->observations = alloc_floats(num_envs * (steps + 1), observation_size);
        c->actions = alloc_floats(num_envs * steps, action_size);
        c->log_probs = alloc_floats(num_envs * steps, 1);
        c->rewards = alloc_floats(num_envs * steps, 1);
        c->dones = alloc_floats(num_envs * steps, 1);
        c->previous = alloc_floats(num_envs, observation_size);
    }
    if (!c || !c->counts || !c->observations || !c->actions || !c->log_probs || !c->rewards || !c->dones ||
        !c->previous) {
        collector_destroy(c);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                                 "rollout collector: out of memory for %zu steps x %zu streams", steps, num_envs);
    }
    c->published = (athlete_rollout){
        .length = steps,
        .observation_size = observation_size,
        .action_size = action_size,
        .observations = c->observations,
        .actions = c->actions,
        .log_probs = c->log_probs,
        .rewards = c->rewards,
        .dones = c->dones,
        .num_envs = num_envs,
    };
    out->ops = &rollout_collector_ops;
    out->self = c;
    return ATHLETE_OK;
}

athlete_status athlete_rollout_collector_create(size_t observation_size, size_t action_size,
                                                size_t steps, const char *log_prob_key,
                                                athlete_collector *out, athlete_error *err)
{
    return athlete_rollout_collector_create_vector(observation_size, action_size, steps, 1, log_prob_key, out, err);
}

const athlete_rollout *athlete_rollout_collector_latest(const athlete_collector *collector)
{
    const rollout_collector *c = collector->self;
    return c->has_published ? &c->published : NULL;
}

size_t athlete_rollout_collector_count(const athlete_collector *collector)
{
    const rollout_collector *c = collector->self;
    return c->count;
}

void athlete_gae_compute(const float *rewards, const float *values, const float *dones, size_t n,
                         double gamma, double lambda, float *advantages, float *returns)
{
    double next_advantage = 0.0; /* A_n = 0 */
    for (size_t t = n; t-- > 0;) {
        double live = 1.0 - (double)dones[t];
        double delta = (double)rewards[t] + gamma * (double)values[t + 1] * live - (double)values[t];
        next_advantage = delta + gamma * lambda * live * next_advantage;
        advantages[t] = (float)next_advantage;
        if (returns)
            returns[t] = (float)(next_advantage + (double)values[t]);
    }
}

/* The rollout collector and GAE (see rollout.h). */
#include <athlete/rollout.h>

#include <athlete/alloc.h>
#include <athlete/info.h>

#include <inttypes.h>
#include <string.h>

typedef struct rollout_collector {
    athlete_rollout published; /* the view handed to the update rule */
    bool has_published;
    size_t steps, observation_size, action_size;
    const char *log_prob_key;
    size_t count;        /* transitions in the rollout being filled */
    float *observations; /* (steps + 1) × observation_size */
    float *actions;      /* steps × action_size */
    float *log_probs, *rewards, *dones; /* steps each */
    float *previous;     /* the observation the pending action was taken in */
} rollout_collector;

static athlete_status collector_reset(void *self, const float *observation, bool *new_data,
                                      athlete_error *err)
{
    (void)err;
    rollout_collector *c = self;
    memcpy(c->previous, observation, c->observation_size * sizeof(float));
    *new_data = false;
    return ATHLETE_OK;
}

static athlete_status collector_collect(void *self, const athlete_step_data *step, bool *new_data,
                                        athlete_error *err)
{
    rollout_collector *c = self;
    float log_prob = 0.0f;
    if (c->log_prob_key) { /* checked before anything changes */
        const athlete_info_item *item = athlete_info_find(step->policy_info, c->log_prob_key);
        if (!item || item->type != ATHLETE_VALUE_REALS || item->count != 1)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "the training policy did not report '%s' as one float", c->log_prob_key);
        log_prob = item->reals[0];
    }
    size_t t = c->count;
    memcpy(c->observations + t * c->observation_size, c->previous, c->observation_size * sizeof(float));
    memcpy(c->actions + t * c->action_size, step->action, c->action_size * sizeof(float));
    c->log_probs[t] = log_prob;
    c->rewards[t] = (float)step->reward;
    c->dones[t] = step->terminated || step->truncated ? 1.0f : 0.0f;
    memcpy(c->previous, step->observation, c->observation_size * sizeof(float));
    *new_data = ++c->count == c->steps;
    if (*new_data) {
        /* The bootstrap row; the arrays stay intact until the next collect overwrites
         * slot 0, which is after this step's update has read them. */
        memcpy(c->observations + c->steps * c->observation_size, step->observation,
               c->observation_size * sizeof(float));
        c->has_published = true;
        c->count = 0;
    }
    return ATHLETE_OK;
}

static athlete_status collector_save(void *self, athlete_writer *w, athlete_error *err)
{
    rollout_collector *c = self;
    uint64_t count = c->count;
    size_t n = c->count;
    athlete_status st = athlete_writer_put(w, "count", ATHLETE_RECORD_U64, &count, 1, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "previous_observation", ATHLETE_RECORD_F32, c->previous,
                                c->observation_size, err);
    if (n == 0 || st != ATHLETE_OK)
        return st; /* only the partial rollout matters: earlier slots are rewritten first */
    if ((st = athlete_writer_put(w, "observations", ATHLETE_RECORD_F32, c->observations,
                                 n * c->observation_size, err)) ||
        (st = athlete_writer_put(w, "actions", ATHLETE_RECORD_F32, c->actions, n * c->action_size, err)) ||
        (st = athlete_writer_put(w, "log_probs", ATHLETE_RECORD_F32, c->log_probs, n, err)) ||
        (st = athlete_writer_put(w, "rewards", ATHLETE_RECORD_F32, c->rewards, n, err)))
        return st;
    return athlete_writer_put(w, "dones", ATHLETE_RECORD_F32, c->dones, n, err);
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
    size_t n = (size_t)count;
    if (n > 0 && athlete_reader_clock(r)) {
        /* Stored actions are indices for a categorical policy: each is checked. */
        if ((st = athlete_reader_get_observations(r, "previous_observation", c->previous, 1, err)) ||
            (st = athlete_reader_get_observations(r, "observations", c->observations, n, err)) ||
            (st = athlete_reader_get_actions(r, "actions", c->actions, n, err)) ||
            (st = athlete_reader_get_finite(r, "log_probs", c->log_probs, n, err)) ||
            (st = athlete_reader_get_finite(r, "rewards", c->rewards, n, err)) ||
            (st = athlete_reader_get_flags(r, "dones", c->dones, n, err)))
            return st;
        c->count = n;
        c->has_published = false;
        return ATHLETE_OK;
    }
    if ((st = athlete_reader_get(r, "previous_observation", ATHLETE_RECORD_F32, c->previous,
                                 c->observation_size, err)))
        return st;
    if (n > 0 &&
        ((st = athlete_reader_get(r, "observations", ATHLETE_RECORD_F32, c->observations,
                                  n * c->observation_size, err)) ||
         (st = athlete_reader_get(r, "actions", ATHLETE_RECORD_F32, c->actions, n * c->action_size, err)) ||
         (st = athlete_reader_get(r, "log_probs", ATHLETE_RECORD_F32, c->log_probs, n, err)) ||
         (st = athlete_reader_get(r, "rewards", ATHLETE_RECORD_F32, c->rewards, n, err)) ||
         (st = athlete_reader_get(r, "dones", ATHLETE_RECORD_F32, c->dones, n, err))))
        return st;
    c->count = n;
    c->has_published = false; /* a loaded agent has no rollout waiting for an update */
    return ATHLETE_OK;
}

static void collector_destroy(void *self)
{
    rollout_collector *c = self;
    if (!c)
        return;
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
};

/* calloc of rows × cols floats (both > 0), overflow-checked. */
static float *alloc_floats(size_t rows, size_t cols)
{
    if (rows > SIZE_MAX / sizeof(float) / cols)
        return NULL;
    return athlete_calloc(rows * cols, sizeof(float));
}

athlete_status athlete_rollout_collector_create(size_t observation_size, size_t action_size,
                                                size_t steps, const char *log_prob_key,
                                                athlete_collector *out, athlete_error *err)
{
    if (!out || observation_size == 0 || action_size == 0 || steps == 0 || steps == SIZE_MAX)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "rollout collector: sizes must be positive (observation %zu, action %zu, steps %zu)",
                                 observation_size, action_size, steps);
    rollout_collector *c = athlete_calloc(1, sizeof *c);
    if (c) {
        c->steps = steps;
        c->observation_size = observation_size;
        c->action_size = action_size;
        c->log_prob_key = log_prob_key;
        c->observations = alloc_floats(steps + 1, observation_size);
        c->actions = alloc_floats(steps, action_size);
        c->log_probs = alloc_floats(steps, 1);
        c->rewards = alloc_floats(steps, 1);
        c->dones = alloc_floats(steps, 1);
        c->previous = alloc_floats(observation_size, 1);
    }
    if (!c || !c->observations || !c->actions || !c->log_probs || !c->rewards || !c->dones || !c->previous) {
        collector_destroy(c);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                                 "rollout collector: out of memory for %zu steps", steps);
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
    };
    out->ops = &rollout_collector_ops;
    out->self = c;
    return ATHLETE_OK;
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

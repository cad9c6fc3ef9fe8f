/* The transition collector (see collectors.h). */
#include <athlete/collectors.h>

#include <athlete/alloc.h>

#include <string.h>

struct athlete_transition_collector {
    size_t observation_size, action_size;
    const char *replace_action_key;
    float *previous;   /* observation the last action was taken in */
    float *current;    /* observation it led to */
    float *action;
    bool has_previous;
    athlete_transition latest;
};

static athlete_status collector_reset(void *self, const float *observation, bool *new_data,
                                      athlete_error *err)
{
    (void)err;
    athlete_transition_collector *c = self;
    memcpy(c->previous, observation, c->observation_size * sizeof(float));
    c->has_previous = true;
    *new_data = false;
    return ATHLETE_OK;
}

static athlete_status collector_collect(void *self, const athlete_step_data *step, bool *new_data,
                                        athlete_error *err)
{
    athlete_transition_collector *c = self;
    if (!c->has_previous)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "the previous episode has ended; call reset_step before step");
    const float *action = step->action;
    if (c->replace_action_key) {
        const athlete_info_item *item = athlete_info_find(step->policy_info, c->replace_action_key);
        if (!item || item->type != ATHLETE_VALUE_REALS || item->count != c->action_size)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "the training policy did not report '%s' with %zu values",
                                     c->replace_action_key, c->action_size);
        action = item->reals;
    }
    /* Double-buffer the observations: the transition's next observation becomes the
     * previous one of the following step without a copy. */
    float *next = c->current;
    memcpy(next, step->observation, c->observation_size * sizeof(float));
    memcpy(c->action, action, c->action_size * sizeof(float));
    c->latest.observation = c->previous;
    c->latest.action = c->action;
    c->latest.reward = (float)step->reward;
    c->latest.next_observation = next;
    c->latest.terminated = step->terminated;
    c->latest.truncated = step->truncated;
    c->current = c->previous;
    c->previous = next;
    c->has_previous = !(step->terminated || step->truncated);
    *new_data = true;
    return ATHLETE_OK;
}

static athlete_status collector_save(void *self, athlete_writer *w, athlete_error *err)
{
    athlete_transition_collector *c = self;
    uint64_t has = c->has_previous;
    athlete_status st = athlete_writer_put(w, "has_previous", ATHLETE_RECORD_U64, &has, 1, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "previous_observation", ATHLETE_RECORD_F32, c->previous,
                                c->observation_size, err);
    return st;
}

static athlete_status collector_load(void *self, athlete_reader *r, athlete_error *err)
{
    athlete_transition_collector *c = self;
    uint64_t has;
    athlete_status st = athlete_reader_get(r, "has_previous", ATHLETE_RECORD_U64, &has, 1, err);
    if (st == ATHLETE_OK && has > 1)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the collector's record 'has_previous' holds %llu (0 or 1 expected)",
                                 (unsigned long long)has);
    /* A pending observation becomes the next transition's (an index for tabular agents). */
    if (st == ATHLETE_OK && has && athlete_reader_clock(r))
        st = athlete_reader_get_observations(r, "previous_observation", c->previous, 1, err);
    else if (st == ATHLETE_OK)
        st = athlete_reader_get(r, "previous_observation", ATHLETE_RECORD_F32, c->previous,
                                c->observation_size, err);
    if (st == ATHLETE_OK)
        c->has_previous = has != 0;
    return st;
}

static void collector_destroy(void *self)
{
    athlete_transition_collector *c = self;
    if (!c)
        return;
    athlete_free(c->previous);
    athlete_free(c->current);
    athlete_free(c->action);
    athlete_free(c);
}

static const athlete_collector_ops transition_collector_ops = {
    .struct_size = sizeof(athlete_collector_ops),
    .reset = collector_reset,
    .collect = collector_collect,
    .save = collector_save,
    .load = collector_load,
    .destroy = collector_destroy,
};

athlete_status athlete_transition_collector_create(size_t observation_size, size_t action_size,
                                                   const char *replace_action_key,
                                                   athlete_collector *out, athlete_error *err)
{
    athlete_transition_collector *c = athlete_calloc(1, sizeof *c);
    if (c) {
        c->observation_size = observation_size;
        c->action_size = action_size;
        c->replace_action_key = replace_action_key;
        c->previous = athlete_calloc(observation_size, sizeof(float));
        c->current = athlete_calloc(observation_size, sizeof(float));
        c->action = athlete_calloc(action_size, sizeof(float));
    }
    if (!c || !c->previous || !c->current || !c->action) {
        collector_destroy(c);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "transition collector: out of memory");
    }
    out->ops = &transition_collector_ops;
    out->self = c;
    return ATHLETE_OK;
}

const athlete_transition *athlete_transition_collector_latest(const athlete_collector *collector)
{
    const athlete_transition_collector *c = collector->self;
    return &c->latest;
}

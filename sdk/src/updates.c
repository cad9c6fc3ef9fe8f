/* The replay update and the target sync (see updates.h). */
#include <athlete/updates.h>

#include <athlete/alloc.h>
#include <athlete/collectors.h>
#include <athlete/schedule.h>
#include <athlete/target.h>

#include <stdio.h>
#include <string.h>

/* ---- replay buffer records ---- */

athlete_status athlete_replay_save(const athlete_replay *rb, athlete_writer *w, athlete_error *err)
{
    athlete_replay *r = (athlete_replay *)rb; /* the accessors hand out writable arrays */
    uint64_t size = athlete_replay_size(rb), next = athlete_replay_next_index(rb);
    size_t obs = athlete_replay_obs_size(rb), act = athlete_replay_action_size(rb);
    athlete_status st;
    if ((st = athlete_writer_put(w, "size", ATHLETE_RECORD_U64, &size, 1, err)) ||
        (st = athlete_writer_put(w, "next_index", ATHLETE_RECORD_U64, &next, 1, err)) ||
        (st = athlete_writer_put(w, "observations", ATHLETE_RECORD_F32, athlete_replay_observations(r), size * obs, err)) ||
        (st = athlete_writer_put(w, "actions", ATHLETE_RECORD_F32, athlete_replay_actions(r), size * act, err)) ||
        (st = athlete_writer_put(w, "rewards", ATHLETE_RECORD_F32, athlete_replay_rewards(r), size, err)) ||
        (st = athlete_writer_put(w, "next_observations", ATHLETE_RECORD_F32, athlete_replay_next_observations(r),
                                 size * obs, err)) ||
        (st = athlete_writer_put(w, "terminateds", ATHLETE_RECORD_F32, athlete_replay_terminateds(r), size, err)))
        return st;
    return ATHLETE_OK;
}

athlete_status athlete_replay_load(athlete_replay *rb, athlete_reader *r, athlete_error *err)
{
    uint64_t size, next;
    athlete_status st;
    if ((st = athlete_reader_get(r, "size", ATHLETE_RECORD_U64, &size, 1, err)) ||
        (st = athlete_reader_get(r, "next_index", ATHLETE_RECORD_U64, &next, 1, err)))
        return st;
    if (size > athlete_replay_capacity(rb))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "replay buffer: the checkpoint holds %llu transitions, the capacity is %zu",
                                 (unsigned long long)size, athlete_replay_capacity(rb));
    size_t obs = athlete_replay_obs_size(rb), act = athlete_replay_action_size(rb);
    /* Stored actions become indices and stored values feed every later update: each is
     * checked against the agent's spaces when the reader knows them. */
    bool checked = athlete_reader_clock(r) != NULL;
    if (checked) {
        if ((st = athlete_reader_get_observations(r, "observations", athlete_replay_observations(rb), size, err)) ||
            (st = athlete_reader_get_actions(r, "actions", athlete_replay_actions(rb), size, err)) ||
            (st = athlete_reader_get_finite(r, "rewards", athlete_replay_rewards(rb), size, err)) ||
            (st = athlete_reader_get_observations(r, "next_observations", athlete_replay_next_observations(rb), size,
                                                  err)) ||
            (st = athlete_reader_get_flags(r, "terminateds", athlete_replay_terminateds(rb), size, err)))
            return st;
    } else if ((st = athlete_reader_get(r, "observations", ATHLETE_RECORD_F32, athlete_replay_observations(rb), size * obs, err)) ||
        (st = athlete_reader_get(r, "actions", ATHLETE_RECORD_F32, athlete_replay_actions(rb), size * act, err)) ||
        (st = athlete_reader_get(r, "rewards", ATHLETE_RECORD_F32, athlete_replay_rewards(rb), size, err)) ||
        (st = athlete_reader_get(r, "next_observations", ATHLETE_RECORD_F32, athlete_replay_next_observations(rb),
                                 size * obs, err)) ||
        (st = athlete_reader_get(r, "terminateds", ATHLETE_RECORD_F32, athlete_replay_terminateds(rb), size, err)))
        return st;
    st = athlete_replay_set_state(rb, (size_t)size, (size_t)next, err);
    if (st != ATHLETE_OK) {
        if (err)
            err->status = ATHLETE_E_CHECKPOINT_CORRUPT;
        st = ATHLETE_E_CHECKPOINT_CORRUPT;
    }
    return st;
}

/* ---- the replay update ---- */

typedef struct replay_update {
    athlete_replay *rb;
    athlete_collector collector;
    uint64_t last_data_point;
} replay_update;

static bool replay_ready(void *self, const athlete_clock *clock)
{
    const replay_update *u = self;
    return clock->data_points > u->last_data_point;
}

static athlete_status replay_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    (void)log;
    replay_update *u = self;
    const athlete_transition *t = athlete_transition_collector_latest(&u->collector);
    if (!t->observation)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "replay update: the collector has no transition to add");
    u->last_data_point = clock->data_points;
    athlete_replay_add(u->rb, t->observation, t->action, t->reward, t->next_observation, t->terminated);
    return ATHLETE_OK;
}

static athlete_status replay_save(void *self, athlete_writer *w, athlete_error *err)
{
    replay_update *u = self;
    athlete_status st = athlete_writer_put(w, "last_data_point", ATHLETE_RECORD_U64, &u->last_data_point, 1, err);
    return st ? st : athlete_replay_save(u->rb, w, err);
}

static athlete_status replay_load(void *self, athlete_reader *r, athlete_error *err)
{
    replay_update *u = self;
    athlete_status st = athlete_reader_get(r, "last_data_point", ATHLETE_RECORD_U64, &u->last_data_point, 1, err);
    /* The update runs each time the clock publishes a data point: a counter behind the
     * clock would add a transition the collector never produced. */
    const athlete_clock *clock = athlete_reader_clock(r);
    if (st == ATHLETE_OK && clock && u->last_data_point != clock->data_points)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the replay update has added %llu data points, the clock counts %llu",
                                 (unsigned long long)u->last_data_point, (unsigned long long)clock->data_points);
    return st ? st : athlete_replay_load(u->rb, r, err);
}

static void free_self(void *self) { athlete_free(self); }

static const athlete_updatable_ops replay_update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "replay_buffer",
    .ready = replay_ready,
    .update = replay_run,
    .save = replay_save,
    .load = replay_load,
    .destroy = free_self,
};

athlete_status athlete_replay_update_add(athlete_parts *parts, athlete_replay *rb, athlete_error *err)
{
    if (!parts->collector.ops)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "replay update: create the collector first");
    replay_update *u = athlete_calloc(1, sizeof *u);
    if (!u)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "replay update: out of memory");
    u->rb = rb;
    u->collector = parts->collector;
    if (!athlete_parts_add_updatable(parts, &replay_update_ops, u)) {
        athlete_free(u);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "replay update: too many updatables");
    }
    return ATHLETE_OK;
}

/* ---- the target sync ---- */

/* Each sync has its own ops so its name (the checkpoint scope) can differ. */
typedef struct target_sync {
    athlete_updatable_ops ops;
    char name[48];
    athlete_mlp *target;
    const athlete_mlp *source;
    double tau;
    athlete_target_schedule schedule;
} target_sync;

static bool sync_ready(void *self, const athlete_clock *clock)
{
    const target_sync *s = self;
    return athlete_target_schedule_ready(&s->schedule, clock);
}

static athlete_status sync_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    (void)log;
    target_sync *s = self;
    athlete_target_schedule_take(&s->schedule, clock);
    return athlete_target_update_mlp(s->target, s->source, s->tau, err);
}

static athlete_status sync_save(void *self, athlete_writer *w, athlete_error *err)
{
    target_sync *s = self;
    athlete_status st = athlete_target_schedule_save(&s->schedule, w, NULL, err);
    return st ? st
              : athlete_writer_put(w, "params", ATHLETE_RECORD_F32, athlete_mlp_params(s->target),
                                   athlete_mlp_param_count(s->target), err);
}

static athlete_status sync_load(void *self, athlete_reader *r, athlete_error *err)
{
    target_sync *s = self;
    athlete_status st = athlete_target_schedule_load(&s->schedule, r, NULL, err);
    return st ? st
              : athlete_reader_get(r, "params", ATHLETE_RECORD_F32, athlete_mlp_params(s->target),
                                   athlete_mlp_param_count(s->target), err);
}

athlete_status athlete_target_sync_add(athlete_parts *parts, const char *name, athlete_mlp *target,
                                       const athlete_mlp *source, double tau, uint64_t frequency, athlete_error *err)
{
    if (!(tau > 0 && tau <= 1) || frequency == 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s: tau must be in (0, 1] and the frequency >= 1, got tau %g and frequency %llu", name,
                                 tau, (unsigned long long)frequency);
    if (!athlete_mlp_same_shape(target, source))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s: target and source networks differ in shape", name);
    target_sync *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", name);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->ops = (athlete_updatable_ops){
        .struct_size = sizeof(athlete_updatable_ops),
        .name = s->name,
        .ready = sync_ready,
        .update = sync_run,
        .save = sync_save,
        .load = sync_load,
        .destroy = free_self,
    };
    s->target = target;
    s->source = source;
    s->tau = tau;
    s->schedule.frequency = frequency;
    if (!athlete_parts_add_updatable(parts, &s->ops, s)) {
        athlete_free(s);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s: too many updatables", name);
    }
    return ATHLETE_OK;
}

/* ---- the gradient update ---- */

typedef struct gradient_update {
    athlete_updatable_ops ops; /* per instance: its name is the checkpoint scope */
    char name[48];
    athlete_gradient_update_options options;
    athlete_update_schedule schedule;
    athlete_rng rng;
} gradient_update;

static bool gradient_ready(void *self, const athlete_clock *clock)
{
    const gradient_update *u = self;
    if (u->options.replay && athlete_replay_size(u->options.replay) == 0)
        return false; /* never sample an empty buffer (the original crashed there) */
    return athlete_update_schedule_ready(&u->schedule, clock);
}

static athlete_status gradient_run(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    gradient_update *u = self;
    uint64_t n = athlete_update_schedule_take(&u->schedule, clock);
    if (n == 0)
        return ATHLETE_OK;
    double sum = 0.0;
    for (uint64_t i = 0; i < n; i++) {
        float loss;
        athlete_status st = u->options.step(u->options.context, &u->rng, &loss, err);
        if (st != ATHLETE_OK)
            return st;
        sum += loss;
    }
    athlete_info_set_real(log, u->options.log_key, sum / (double)n);
    if (u->options.after)
        u->options.after(u->options.context, log);
    return ATHLETE_OK;
}

static athlete_status gradient_save(void *self, athlete_writer *w, athlete_error *err)
{
    gradient_update *u = self;
    athlete_status st = athlete_update_schedule_save(&u->schedule, w, NULL, err);
    return st ? st : athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &u->rng, sizeof u->rng, err);
}

static athlete_status gradient_load(void *self, athlete_reader *r, athlete_error *err)
{
    gradient_update *u = self;
    athlete_status st = athlete_update_schedule_load(&u->schedule, r, NULL, err);
    return st ? st : athlete_reader_get_rng(r, "rng", &u->rng, err);
}

#define GRADIENT_OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_gradient_update_options, stream)

athlete_status athlete_gradient_update_add(athlete_parts *parts, const athlete_gradient_update_options *options,
                                           athlete_error *err)
{
    if (options && options->struct_size < GRADIENT_OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "gradient update: needs struct_size >= %zu (ABI 1.0's size), got %zu",
                                 (size_t)GRADIENT_OPTIONS_SIZE_1_0, options->struct_size);
    if (!options || !options->step || !options->name || !options->log_key)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "gradient update: needs struct_size, a name, a log key and a step function");
    if (options->number_of_updates == 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s: the number of updates must be >= 1", options->name);
    gradient_update *u = athlete_calloc(1, sizeof *u);
    if (!u)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", options->name);
    snprintf(u->name, sizeof u->name, "%s", options->name);
    u->ops = (athlete_updatable_ops){
        .struct_size = sizeof(athlete_updatable_ops),
        .name = u->name,
        .ready = gradient_ready,
        .update = gradient_run,
        .save = gradient_save,
        .load = gradient_load,
        .destroy = free_self,
    };
    /* An older caller's shorter struct: the members it lacks stay zero. */
    memcpy(&u->options, options, options->struct_size < sizeof *options ? options->struct_size : sizeof *options);
    u->options.struct_size = sizeof u->options;
    u->schedule = athlete_update_schedule_make(options->frequency, options->number_of_updates,
                                               options->multiply_by_environment_steps);
    athlete_rng_seed(&u->rng, options->seed, options->stream);
    if (!athlete_parts_add_updatable(parts, &u->ops, u)) {
        athlete_free(u);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s: too many updatables", options->name);
    }
    return ATHLETE_OK;
}

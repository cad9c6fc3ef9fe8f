/* Update conditions (see schedule.h). */
#include <athlete/schedule.h>

#include <stdio.h>

athlete_update_schedule athlete_update_schedule_make(int64_t frequency, uint64_t number_of_updates,
                                                     bool multiply_by_environment_steps)
{
    athlete_update_schedule s = {0};
    s.frequency = frequency;
    s.number_of_updates = number_of_updates;
    s.multiply_by_environment_steps = multiply_by_environment_steps;
    return s;
}

bool athlete_update_schedule_ready(const athlete_update_schedule *s, const athlete_clock *clock)
{
    if (!athlete_clock_warmup_done(clock))
        return false;
    if (s->has_updated && s->last_interactions == clock->interactions)
        return false; /* once per interaction count: reset_step never repeats this step's update */
    uint64_t a = athlete_clock_after_warmup(clock);
    if (s->frequency > 0)
        return a % (uint64_t)s->frequency == 0 &&
               (!s->multiply_by_environment_steps || a > s->last_after_warmup);
    return clock->episodes > s->last_episodes && a > s->last_after_warmup;
}

uint64_t athlete_update_schedule_take(athlete_update_schedule *s, const athlete_clock *clock)
{
    uint64_t a = athlete_clock_after_warmup(clock);
    uint64_t n = s->number_of_updates;
    if (s->multiply_by_environment_steps)
        n *= a - s->last_after_warmup;
    s->last_after_warmup = a;
    s->last_episodes = clock->episodes;
    s->last_interactions = clock->interactions;
    s->has_updated = true;
    return n;
}

bool athlete_target_schedule_ready(const athlete_target_schedule *s, const athlete_clock *clock)
{
    if (!athlete_clock_warmup_done(clock) || s->frequency == 0)
        return false;
    uint64_t a = athlete_clock_after_warmup(clock);
    return a % s->frequency == 0 && a > s->last_after_warmup;
}

void athlete_target_schedule_take(athlete_target_schedule *s, const athlete_clock *clock)
{
    s->last_after_warmup = athlete_clock_after_warmup(clock);
}

static void record_name(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s%sschedule", name ? name : "", name && *name ? "." : "");
}

athlete_status athlete_update_schedule_save(const athlete_update_schedule *s, athlete_writer *w,
                                            const char *name, athlete_error *err)
{
    char rec[96];
    record_name(rec, sizeof rec, name);
    uint64_t v[4] = {s->last_after_warmup, s->last_episodes, s->last_interactions, s->has_updated};
    return athlete_writer_put(w, rec, ATHLETE_RECORD_U64, v, 4, err);
}

athlete_status athlete_update_schedule_load(athlete_update_schedule *s, athlete_reader *r,
                                            const char *name, athlete_error *err)
{
    char rec[96];
    record_name(rec, sizeof rec, name);
    uint64_t v[4];
    athlete_status st = athlete_reader_get(r, rec, ATHLETE_RECORD_U64, v, 4, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_clock *clock = athlete_reader_clock(r);
    if (v[3] > 1 || (clock && (v[0] > athlete_clock_after_warmup(clock) || v[1] > clock->episodes ||
                               v[2] > clock->interactions)))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: record '%s' holds a schedule ahead of the clock or a flag other than 0/1", rec);
    s->last_after_warmup = v[0];
    s->last_episodes = v[1];
    s->last_interactions = v[2];
    s->has_updated = v[3] != 0;
    return ATHLETE_OK;
}

athlete_status athlete_target_schedule_save(const athlete_target_schedule *s, athlete_writer *w,
                                            const char *name, athlete_error *err)
{
    char rec[96];
    record_name(rec, sizeof rec, name);
    return athlete_writer_put(w, rec, ATHLETE_RECORD_U64, &s->last_after_warmup, 1, err);
}

athlete_status athlete_target_schedule_load(athlete_target_schedule *s, athlete_reader *r,
                                            const char *name, athlete_error *err)
{
    char rec[96];
    record_name(rec, sizeof rec, name);
    uint64_t last;
    athlete_status st = athlete_reader_get(r, rec, ATHLETE_RECORD_U64, &last, 1, err);
    const athlete_clock *clock = athlete_reader_clock(r);
    if (st == ATHLETE_OK && clock && last > athlete_clock_after_warmup(clock))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: record '%s' holds a schedule ahead of the clock", rec);
    if (st == ATHLETE_OK)
        s->last_after_warmup = last;
    return st;
}

/* When updates run: the update conditions of the original Athlete.
 *
 * Gradient schedule, frequency mode (frequency > 0): warmup done, after-warmup count a
 * divisible by the frequency and, when the number of updates is multiplied by the
 * environment steps, a greater than at the last update. Episode mode (frequency <= 0):
 * warmup done, a new episode ended and a grew. Updates per trigger: number_of_updates, or
 * number_of_updates × (a − a at the last update) when multiplied.
 * Deviation from the original: a schedule fires at most once per interaction count, so
 * reset_step never repeats the update of the step that ended the episode ("one update
 * per interaction"; the original ran it a second time there).
 *
 * Target schedule: warmup done, a divisible by the frequency (> 0) and a greater than at
 * the last sync (so never at a = 0). */
#ifndef ATHLETE_SCHEDULE_H
#define ATHLETE_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include <athlete/checkpoint.h>
#include <athlete/component.h>
#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_update_schedule {
    int64_t frequency;
    uint64_t number_of_updates;
    bool multiply_by_environment_steps;
    uint64_t last_after_warmup;  /* a at the last update */
    uint64_t last_episodes;      /* episodes at the last update */
    uint64_t last_interactions;  /* interactions at the last update (once-per-count guard) */
    bool has_updated;
} athlete_update_schedule;

ATHLETE_API athlete_update_schedule athlete_update_schedule_make(int64_t frequency, uint64_t number_of_updates,
                                                                 bool multiply_by_environment_steps);
ATHLETE_API bool athlete_update_schedule_ready(const athlete_update_schedule *schedule,
                                               const athlete_clock *clock);
/* Marks an update as done now and returns how many gradient steps it should make. */
ATHLETE_API uint64_t athlete_update_schedule_take(athlete_update_schedule *schedule,
                                                  const athlete_clock *clock);

typedef struct athlete_target_schedule {
    uint64_t frequency;
    uint64_t last_after_warmup;
} athlete_target_schedule;

ATHLETE_API bool athlete_target_schedule_ready(const athlete_target_schedule *schedule,
                                               const athlete_clock *clock);
ATHLETE_API void athlete_target_schedule_take(athlete_target_schedule *schedule, const athlete_clock *clock);

/* Records "<name>.schedule" (u64 values). */
ATHLETE_API athlete_status athlete_update_schedule_save(const athlete_update_schedule *schedule,
                                                        athlete_writer *writer, const char *name,
                                                        athlete_error *err);
ATHLETE_API athlete_status athlete_update_schedule_load(athlete_update_schedule *schedule,
                                                        athlete_reader *reader, const char *name,
                                                        athlete_error *err);
ATHLETE_API athlete_status athlete_target_schedule_save(const athlete_target_schedule *schedule,
                                                        athlete_writer *writer, const char *name,
                                                        athlete_error *err);
ATHLETE_API athlete_status athlete_target_schedule_load(athlete_target_schedule *schedule,
                                                        athlete_reader *reader, const char *name,
                                                        athlete_error *err);

ATHLETE_END_DECLS

#endif

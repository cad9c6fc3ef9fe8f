/* Update schedules, step by step: dqn's multiplied schedule, sac/ddpg's once per
 * interaction, episode mode, and target syncs. */
#include <athlete/schedule.h>

#include "test-util.h"

static athlete_clock at(uint64_t interactions, uint64_t episodes, uint64_t warmup)
{
    return (athlete_clock){interactions, episodes, interactions, warmup};
}

START_TEST(dqn_multiplied_schedule)
{
    /* warmup 1000, frequency 4, multiplied: first trigger at a = 4 with 4 updates. */
    athlete_update_schedule s = athlete_update_schedule_make(4, 1, true);
    athlete_clock c = at(999, 0, 1000);
    ck_assert(!athlete_update_schedule_ready(&s, &c));
    c = at(1000, 0, 1000);
    ck_assert(!athlete_update_schedule_ready(&s, &c)); /* a = 0: needs a > last */
    c = at(1004, 0, 1000);
    ck_assert(athlete_update_schedule_ready(&s, &c));
    ck_assert_uint_eq(athlete_update_schedule_take(&s, &c), 4);
    ck_assert(!athlete_update_schedule_ready(&s, &c)); /* not twice at one count */
    c = at(1006, 0, 1000);
    ck_assert(!athlete_update_schedule_ready(&s, &c));
    c = at(1008, 0, 1000);
    ck_assert_uint_eq(athlete_update_schedule_take(&s, &c), 4);
}
END_TEST

START_TEST(frequency_schedule_once_per_interaction)
{
    /* sac/ddpg: frequency 1, not multiplied: fires at a = 0 and every interaction, but a
     * reset_step at the same count does not repeat it (the original did). */
    athlete_update_schedule s = athlete_update_schedule_make(1, 1, false);
    athlete_clock c = at(1000, 5, 1000);
    ck_assert(athlete_update_schedule_ready(&s, &c));
    ck_assert_uint_eq(athlete_update_schedule_take(&s, &c), 1);
    ck_assert(!athlete_update_schedule_ready(&s, &c));
    c = at(1001, 5, 1000);
    ck_assert(athlete_update_schedule_ready(&s, &c));
}
END_TEST

START_TEST(episode_schedule_and_targets)
{
    athlete_update_schedule s = athlete_update_schedule_make(0, 2, false);
    athlete_clock c = at(10, 0, 0);
    ck_assert(!athlete_update_schedule_ready(&s, &c));
    c = at(12, 1, 0);
    ck_assert(athlete_update_schedule_ready(&s, &c));
    ck_assert_uint_eq(athlete_update_schedule_take(&s, &c), 2);
    athlete_target_schedule t = {250, 0};
    c = at(1000, 0, 1000);
    ck_assert(!athlete_target_schedule_ready(&t, &c)); /* never at a = 0 */
    c = at(1250, 0, 1000);
    ck_assert(athlete_target_schedule_ready(&t, &c));
    athlete_target_schedule_take(&t, &c);
    ck_assert(!athlete_target_schedule_ready(&t, &c));
    c = at(1500, 0, 1000);
    ck_assert(athlete_target_schedule_ready(&t, &c));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("schedule");
    tcase_add_test(tc, dqn_multiplied_schedule);
    tcase_add_test(tc, frequency_schedule_once_per_interaction);
    tcase_add_test(tc, episode_schedule_and_targets);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

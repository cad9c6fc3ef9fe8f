/* ppo learns with its presets on seeds 0, 1 and 2: CartPole-v1 (categorical policy, seed
 * defaults, 200 000 steps: greedy mean >= 475 over 20 episodes) and Pendulum-v1 (Gaussian
 * policy, RL Zoo's single-environment settings, 1 000 000 steps: >= -250 over 10) and
 * MountainCarContinuous-v0 (the Gaussian's draws from pink noise, 300 000 steps: >= 90). */
#include "learning.h"

static const char *const environments[] = {"CartPole-v1", "Pendulum-v1", "MountainCarContinuous-v0"};
enum { SEEDS = 3 };

START_TEST(preset)
{
    assert_preset_learns("ppo", environments[_i / SEEDS], (uint64_t)(_i % SEEDS));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ppo");
    TCase *tc = tcase_create("ppo");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, preset, 0, SEEDS * (int)(sizeof environments / sizeof environments[0]));
    suite_add_tcase(s, tc);
    return run_suite(s);
}

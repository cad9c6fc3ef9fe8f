/* ddpg, td3 and sac learn with their presets: Pendulum-v1 (64-64 networks, minibatch 100,
 * 20 000 steps: greedy mean >= -200 over 10 episodes) and MountainCarContinuous-v0, whose
 * only reward is a flag that i.i.d. exploration rarely reaches (td3 adds pink noise to its
 * actions, sac draws its Gaussian samples from pink noise: greedy mean >= 90 after 50 000
 * steps). Each preset must reach its threshold on seeds 0, 1 and 2. */
#include "learning.h"

static const struct {
    const char *algorithm, *environment;
} presets[] = {
    {"ddpg", "Pendulum-v1"},
    {"td3", "Pendulum-v1"},
    {"sac", "Pendulum-v1"},
    {"td3", "MountainCarContinuous-v0"},
    {"sac", "MountainCarContinuous-v0"},
};
enum { SEEDS = 3 };

START_TEST(preset)
{
    assert_preset_learns(presets[_i / SEEDS].algorithm, presets[_i / SEEDS].environment, (uint64_t)(_i % SEEDS));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("offpolicy");
    TCase *tc = tcase_create("offpolicy");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, preset, 0, SEEDS * (int)(sizeof presets / sizeof presets[0]));
    suite_add_tcase(s, tc);
    return run_suite(s);
}

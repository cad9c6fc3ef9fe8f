/* q_learning learns the toy-text environments: each preset reaches its threshold on seeds
 * 0, 1 and 2 (FrozenLake-v1 slippery: success rate >= 0.70 over 1000 greedy episodes;
 * CliffWalking-v1: -13, the optimal path; Taxi-v4: >= 7.5 over 1000 episodes). */
#include "learning.h"

static const char *const environments[] = {"FrozenLake-v1", "CliffWalking-v1", "Taxi-v4"};
enum { SEEDS = 3 };

START_TEST(preset)
{
    assert_preset_learns("q_learning", environments[_i / SEEDS], (uint64_t)(_i % SEEDS));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("q_learning");
    TCase *tc = tcase_create("q_learning");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, preset, 0, SEEDS * (int)(sizeof environments / sizeof environments[0]));
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* dqn learns CartPole-v1 with its preset (64-64 networks, double Q-learning, lr 5e-4,
 * 100 000 steps): greedy mean >= 475 over 20 episodes on at least 2 of seeds 0, 1 and 2,
 * and every seed above half of that. DQN's final greedy policy on CartPole is not stable
 * on every seed (9 of 10 seeds reach 475 under the Haswell kernel, 8 of 10 under
 * Cooperlake; the others end near 270-310), so one miss is tolerated; a broken update
 * misses on all three. This replaces the earlier fast configuration (lr 1e-3, 50 000
 * steps), whose asserted 500 on seed 0 held only under one BLAS kernel (232 under Haswell).
 * The seed defaults (256-256, batch 128) keep their assertion: 500 on seed 0 after 50 000
 * steps, under the Haswell and the Cooperlake kernel alike. */
#include "learning.h"

enum { SEEDS = 3, REQUIRED = 2 };

START_TEST(cartpole_preset)
{
    int reached = 0;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        double threshold;
        athlete_evaluation ev = train_preset("dqn", "CartPole-v1", seed, &threshold);
        ck_assert_msg(ev.mean_return >= threshold / 2, "dqn on CartPole-v1, seed %llu: mean return %.2f < %g",
                      (unsigned long long)seed, ev.mean_return, threshold / 2);
        reached += ev.mean_return >= threshold;
    }
    ck_assert_msg(reached >= REQUIRED, "dqn on CartPole-v1: %d of %d seeds reached the preset's threshold, expected %d",
                  reached, SEEDS, REQUIRED);
}
END_TEST

START_TEST(cartpole_seed_defaults)
{
    learning_case c = {"dqn", "CartPole-v1", NULL, NULL, 0, 50000, 20};
    athlete_evaluation ev = train_and_evaluate(&c);
    ck_assert_double_ge(ev.mean_return, 475.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dqn");
    TCase *tc = tcase_create("dqn");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, cartpole_preset);
    tcase_add_test(tc, cartpole_seed_defaults);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

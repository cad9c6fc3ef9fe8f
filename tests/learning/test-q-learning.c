/* q_learning learns the toy-text environments (fixed seeds; the README quotes these). */
#include "learning.h"

START_TEST(frozen_lake_slippery)
{
    /* Slippery 4x4 FrozenLake: the success rate of the greedy policy over 1000 episodes
     * (Gymnasium's threshold 0.70; the optimum is about 0.74). */
    learning_case c = {"q_learning", "FrozenLake-v1", NULL,
                       "{\"discount\": 0.99, \"learning_rate\": 0.02, \"epsilon_decay_steps\": 100000}", 0, 1000000, 1000};
    athlete_evaluation ev = train_and_evaluate(&c);
    ck_assert_double_ge(ev.mean_return, 0.70);
}
END_TEST

START_TEST(cliff_walking)
{
    /* The optimal path along the cliff: 13 steps of -1. */
    learning_case c = {"q_learning", "CliffWalking-v1", NULL, NULL, 0, 50000, 1};
    athlete_evaluation ev = train_and_evaluate(&c);
    ck_assert_double_eq(ev.mean_return, -13.0);
}
END_TEST

START_TEST(taxi)
{
    learning_case c = {"q_learning", "Taxi-v4", NULL, NULL, 0, 300000, 1000};
    athlete_evaluation ev = train_and_evaluate(&c);
    ck_assert_double_ge(ev.mean_return, 7.5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("q_learning");
    TCase *tc = tcase_create("q_learning");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, frozen_lake_slippery);
    tcase_add_test(tc, cliff_walking);
    tcase_add_test(tc, taxi);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

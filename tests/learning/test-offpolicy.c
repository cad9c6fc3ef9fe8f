/* ddpg, td3 and sac learn Pendulum-v1: a greedy evaluation mean >= -200 over 10 episodes
 * after 20 000 environment steps, fixed seed. To keep CI quick the networks are 64-64 and
 * the minibatch 100 (the configuration RLtools uses); every other key keeps the seed's
 * default (warmup 1000 etc.). The README quotes these overrides and results. */
#include "learning.h"

#define NETS_64 "\"critic_network_arguments\": {\"hidden_dims\": [64, 64]}, \"actor_network_arguments\": {\"hidden_dims\": [64, 64]}"
#define CRITIC_2_64 "\"critic_2_network_arguments\": {\"hidden_dims\": [64, 64]}"

static const learning_case cases[] = {
    {"ddpg", "Pendulum-v1", NULL, "{" NETS_64 ", \"replay_buffer_mini_batch_size\": 100}", 0, 20000, 10},
    {"td3", "Pendulum-v1", NULL, "{" NETS_64 ", " CRITIC_2_64 ", \"replay_buffer_mini_batch_size\": 100}", 0, 20000, 10},
    {"sac", "Pendulum-v1", NULL, "{" NETS_64 ", " CRITIC_2_64 ", \"replay_buffer_mini_batch_size\": 100}", 0, 20000, 10},
};

START_TEST(pendulum)
{
    athlete_evaluation ev = train_and_evaluate(&cases[_i]);
    ck_assert_msg(ev.mean_return >= -200.0, "%s: mean return %.2f < -200", cases[_i].algorithm, ev.mean_return);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("offpolicy");
    TCase *tc = tcase_create("offpolicy");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, pendulum, 0, sizeof cases / sizeof cases[0]);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

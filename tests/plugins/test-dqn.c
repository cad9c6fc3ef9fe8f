/* dqn through the plugin: space and configuration errors, agent_info keys across the
 * warmup boundary, extension methods, zero allocations per step. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <stdlib.h>

#include "alloc-count.h"
#include "test-registry.h"
#include "test-util.h"

static const char small[] = "{\"value_network_arguments\": {\"hidden_dims\": [32, 32]}, \"replay_buffer_mini_batch_size\": 16,"
                            " \"warmup_steps\": 100, \"replay_buffer_capacity\": 1000}";

START_TEST(bad_spaces_and_config)
{
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *cartpole, *pendulum;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &cartpole, &err), &err);
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &pendulum, &err), &err);
    const athlete_space *box_obs = athlete_env_observation_space(cartpole);
    const athlete_space *discrete = athlete_env_action_space(cartpole);
    athlete_space lake = athlete_space_discrete(16);
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_create(reg, "dqn", box_obs, athlete_env_action_space(pendulum), NULL, NULL, &agent, &err),
                    &err, ATHLETE_E_SPACE_MISMATCH,
                    "dqn: dqn needs a Discrete action space, got Box(shape=(1,), low=[-2], high=[2])");
    ck_assert_fails(athlete_agent_create(reg, "dqn", &lake, discrete, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "dqn: dqn needs a Box observation space, got Discrete(16)");
    static const struct {
        const char *overrides;
        athlete_status status;
        const char *message;
    } cases[] = {
        {"{\"replay_buffer_capacity\": 0}", ATHLETE_E_CONFIG_VALUE, "dqn config: 'replay_buffer_capacity' must be >= 1, got 0"},
        {"{\"replay_buffer_mini_batch_size\": 0}", ATHLETE_E_CONFIG_VALUE,
         "dqn config: 'replay_buffer_mini_batch_size' must be in [1, 65536], got 0"},
        {"{\"optimizer_arguments\": {\"lr\": -0.001}}", ATHLETE_E_CONFIG_VALUE,
         "dqn config: 'optimizer_arguments.lr' must be > 0, got -0.001"},
        {"{\"epsilon_decay_steps\": 0}", ATHLETE_E_CONFIG_VALUE,
         "dqn config: 'epsilon_decay_steps' must be >= 1 (it divides the epsilon decay), got 0"},
        {"{\"target_net_update_frequency\": 0}", ATHLETE_E_CONFIG_VALUE,
         "dqn config: 'target_net_update_frequency' must be >= 1 (it is a modulus), got 0"},
        {"{\"target_net_tau\": 1.5}", ATHLETE_E_CONFIG_VALUE, "dqn config: 'target_net_tau' must be null or in (0, 1], got 1.5"},
        {"{\"criteria\": \"l1\"}", ATHLETE_E_CONFIG_VALUE, "dqn config: 'criteria' must be \"mse\" or \"huber\", got \"l1\""},
        {"{\"replay_buffer_mini_batch_size\": 32.5}", ATHLETE_E_CONFIG_TYPE,
         "dqn config: 'replay_buffer_mini_batch_size' expects an integer, got 32.5"},
        {"{\"value_network_arguments\": {\"hidden_dims\": [64, 0]}}", ATHLETE_E_CONFIG_VALUE,
         "dqn config: 'value_network_arguments.hidden_dims'[1] must be in [1, 65536], got 0"},
        {"{\"learning_rate\": 0.001}", ATHLETE_E_CONFIG_UNKNOWN_KEY, "dqn config: unknown key 'learning_rate'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_fails(athlete_agent_create(reg, "dqn", box_obs, discrete, NULL, cases[i].overrides, &agent, &err), &err,
                        cases[i].status, cases[i].message);
    ck_assert_ptr_null(agent);
    athlete_env_destroy(cartpole);
    athlete_env_destroy(pendulum);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(agent_info_through_warmup)
{
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *env;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &env, &err), &err);
    athlete_agent *agent;
    uint64_t seed = 1;
    ck_assert_ok(athlete_agent_create(reg, "dqn", athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                                      small, &agent, &err),
                 &err);
    float obs[4];
    const float *action;
    const athlete_info *info;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(agent, obs, &action, &info, &err), &err);
    for (uint64_t k = 1; k <= 110; k++) {
        double reward;
        bool terminated, truncated;
        ck_assert_ok(athlete_env_step(env, action, 1, obs, &reward, &terminated, &truncated, &err), &err);
        ck_assert_ok(athlete_agent_step(agent, obs, reward, terminated, truncated, &action, &info, &err), &err);
        const athlete_info_item *loss = athlete_info_find(info, "loss");
        /* Multiplied schedule: the first gradient steps at after-warmup 4 (k = 104), then
         * every 4 interactions; never during warmup. */
        bool expect_loss = k >= 104 && (k - 100) % 4 == 0;
        ck_assert_msg((loss != NULL) == expect_loss, "k=%llu: loss %s", (unsigned long long)k, loss ? "present" : "absent");
        if (!terminated && !truncated) {
            const athlete_info_item *eps = athlete_info_find(info, "epsilon");
            ck_assert_ptr_nonnull(eps);
            ck_assert_ptr_nonnull(athlete_info_find(info, "greedy"));
            double expected = k < 100 ? 1.0 : 1.0 - 0.9 / 12000.0 * (double)(k - 100);
            ck_assert_double_eq_tol(eps->real, expected, 1e-12);
        } else {
            ck_assert_ptr_null(athlete_info_find(info, "epsilon")); /* episode end: the update log only */
            ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
            ck_assert_ok(athlete_agent_reset_step(agent, obs, &action, &info, &err), &err);
        }
    }
    char *result;
    ck_assert_ok(athlete_agent_call(agent, "replay_size", NULL, &result, &err), &err);
    ck_assert_str_eq(result, "110");
    athlete_free(result);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(steps_allocate_nothing)
{
    athlete_error err;
    count_allocations_begin();
    athlete_registry *reg = registry();
    athlete_env *env;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &env, &err), &err);
    athlete_agent *agent;
    uint64_t seed = 2;
    ck_assert_ok(athlete_agent_create(reg, "dqn", athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                                      "{\"value_network_arguments\": {\"hidden_dims\": [32, 32]},"
                                      " \"replay_buffer_mini_batch_size\": 16, \"warmup_steps\": 100,"
                                      " \"replay_buffer_capacity\": 300, \"enable_double_q_learning\": true,"
                                      " \"gradient_max_norm\": 1.0, \"target_net_update_frequency\": 50}",
                                      &agent, &err),
                 &err);
    ck_assert_ok(athlete_run_training(agent, env, 500, &seed, NULL, &err), &err); /* ring full, updates running */
    /* The runner allocates its two buffers per call: count only what happens inside. */
    float obs[4];
    const float *action;
    ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(agent, obs, &action, NULL, &err), &err);
    size_t before = allocation_count;
    for (int t = 0; t < 2000; t++) {
        double reward;
        bool terminated, truncated;
        ck_assert_ok(athlete_env_step(env, action, 1, obs, &reward, &terminated, &truncated, &err), &err);
        ck_assert_ok(athlete_agent_step(agent, obs, reward, terminated, truncated, &action, NULL, &err), &err);
        if (terminated || truncated) {
            ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
            ck_assert_ok(athlete_agent_reset_step(agent, obs, &action, NULL, &err), &err);
        }
    }
    ck_assert_uint_eq(allocation_count, before);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_registry_destroy(reg);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("dqn");
    TCase *tc = tcase_create("dqn");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bad_spaces_and_config);
    tcase_add_test(tc, agent_info_through_warmup);
    tcase_add_test(tc, steps_allocate_nothing);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Time limits (Gymnasium's TimeLimit wrapper with the registered max_episode_steps): every
 * environment with a limit is truncated exactly at it, not one step earlier; after that
 * step() refuses until reset; CliffWalking-v1 has none. */
#include <math.h>

#include "env-test-util.h"

/* A policy that never ends the episode early. */
typedef size_t (*policy_fn)(const float *obs, float *action);

static size_t cartpole_balance(const float *obs, float *action)
{
    /* Push toward where the pole falls, corrected for the cart's drift. */
    float s = obs[2] + 0.5f * obs[3] + 0.01f * obs[0] + 0.1f * obs[1];
    action[0] = s > 0 ? 1.0f : 0.0f;
    return 1;
}
static size_t zero_torque(const float *obs, float *action) { (void)obs; action[0] = 0; return 1; }
static size_t no_push(const float *obs, float *action) { (void)obs; action[0] = 1; return 1; }
static size_t left(const float *obs, float *action) { (void)obs; action[0] = 0; return 1; }
static size_t north(const float *obs, float *action) { (void)obs; action[0] = 1; return 1; }

static void check_limit(const char *id, const char *options, uint64_t limit, policy_fn policy)
{
    athlete_error err;
    athlete_env *env = make_env(id, options);
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), limit);
    for (int episode = 0; episode < 2; episode++) {
        uint64_t seed = 100 + (uint64_t)episode;
        float obs[TEST_MAX_OBS], action[TEST_MAX_ACT];
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        for (uint64_t t = 1; t <= limit; t++) {
            size_t n = policy(obs, action);
            double r;
            bool te, tr;
            ck_assert_ok(athlete_env_step(env, action, n, obs, &r, &te, &tr, &err), &err);
            ck_assert_msg(!te, "%s terminated at step %llu", id, (unsigned long long)t);
            ck_assert_msg(tr == (t == limit), "%s: truncated = %d at step %llu", id, tr,
                          (unsigned long long)t);
            ck_assert_uint_eq(athlete_env_elapsed_steps(env), t);
        }
        size_t n = policy(obs, action);
        double r;
        bool te, tr;
        ck_assert_fails(athlete_env_step(env, action, n, obs, &r, &te, &tr, &err), &err,
                        ATHLETE_E_CALL_ORDER, "truncated at the time limit");
    }
    athlete_env_destroy(env);
}

START_TEST(cartpole) { check_limit("CartPole-v1", NULL, 500, cartpole_balance); }
END_TEST
START_TEST(pendulum) { check_limit("Pendulum-v1", NULL, 200, zero_torque); }
END_TEST
START_TEST(mountain_car) { check_limit("MountainCar-v0", NULL, 200, no_push); }
END_TEST
START_TEST(mountain_car_continuous) { check_limit("MountainCarContinuous-v0", NULL, 999, zero_torque); }
END_TEST
START_TEST(acrobot) { check_limit("Acrobot-v1", NULL, 500, no_push); }
END_TEST
/* Moving left from the start cell keeps the player there. */
START_TEST(frozen_lake_4x4)
{
    check_limit("FrozenLake-v1", "{\"is_slippery\": false}", 100, left);
}
END_TEST
START_TEST(frozen_lake_8x8)
{
    check_limit("FrozenLake-v1", "{\"map_name\": \"8x8\", \"is_slippery\": false}", 100, left);
    check_limit("FrozenLake-v1", "{\"map_name\": \"8x8\", \"is_slippery\": false, \"max_episode_steps\": 200}", 200, left);
}
END_TEST
START_TEST(taxi) { check_limit("Taxi-v4", NULL, 200, north); }
END_TEST
START_TEST(custom_limit) { check_limit("Acrobot-v1", "{\"max_episode_steps\": 7}", 7, no_push); }
END_TEST

/* CliffWalking-v1 registers no limit; neither does max_episode_steps = 0. */
START_TEST(no_limit)
{
    const char *cases[2][2] = {{"CliffWalking-v1", NULL}, {"Pendulum-v1", "{\"max_episode_steps\": 0}"}};
    for (int c = 0; c < 2; c++) {
        athlete_error err;
        athlete_env *env = make_env(cases[c][0], cases[c][1]);
        ck_assert_uint_eq(athlete_env_max_episode_steps(env), 0);
        uint64_t seed = 1;
        float obs[TEST_MAX_OBS], a = 0;
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        for (int t = 0; t < 5000; t++) {
            double r;
            bool te, tr;
            ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
            ck_assert(!te && !tr);
        }
        ck_assert_uint_eq(athlete_env_elapsed_steps(env), 5000);
        athlete_env_destroy(env);
    }
}
END_TEST

/* Termination on the last allowed step reports both flags, as TimeLimit does. */
START_TEST(terminated_and_truncated_together)
{
    athlete_error err;
    athlete_env *env = make_env("CartPole-v1", "{\"max_episode_steps\": 1}");
    const double edge[4] = {2.39, 1.0, 0.0, 0.0};
    float obs[4], a = 1;
    double r;
    bool te, tr;
    ck_assert_ok(athlete_env_reset_to_state(env, edge, 4, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(te && tr);
    athlete_env_destroy(env);
}
END_TEST

/* reset_to_state restarts the step counter. */
START_TEST(reset_to_state_restarts_the_counter)
{
    athlete_error err;
    athlete_env *env = make_env("Pendulum-v1", "{\"max_episode_steps\": 5}");
    const double s[2] = {1.0, 0.0};
    float obs[3], u = 0;
    double r;
    bool te, tr;
    ck_assert_ok(athlete_env_reset_to_state(env, s, 2, obs, &err), &err);
    for (int t = 0; t < 4; t++)
        ck_assert_ok(athlete_env_step(env, &u, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(!tr);
    ck_assert_ok(athlete_env_reset_to_state(env, s, 2, obs, &err), &err);
    ck_assert_uint_eq(athlete_env_elapsed_steps(env), 0);
    for (int t = 1; t <= 5; t++) {
        ck_assert_ok(athlete_env_step(env, &u, 1, obs, &r, &te, &tr, &err), &err);
        ck_assert(tr == (t == 5));
    }
    athlete_env_destroy(env);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-timelimit");
    TCase *tc = tcase_create("timelimit");
    tcase_add_test(tc, cartpole);
    tcase_add_test(tc, pendulum);
    tcase_add_test(tc, mountain_car);
    tcase_add_test(tc, mountain_car_continuous);
    tcase_add_test(tc, acrobot);
    tcase_add_test(tc, frozen_lake_4x4);
    tcase_add_test(tc, frozen_lake_8x8);
    tcase_add_test(tc, taxi);
    tcase_add_test(tc, custom_limit);
    tcase_add_test(tc, no_limit);
    tcase_add_test(tc, terminated_and_truncated_together);
    tcase_add_test(tc, reset_to_state_restarts_the_counter);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

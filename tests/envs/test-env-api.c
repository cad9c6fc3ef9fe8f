/* The API surface: ids, spaces, limits, options, and every bad input with its exact status
 * and message. A failed call must leave the environment usable and unchanged. */
#include <math.h>

#include "env-test-util.h"

START_TEST(list_and_spaces)
{
    const char *const *ids = NULL;
    size_t n = athlete_env_list(&ids);
    ck_assert_uint_eq(n, 8);
    const char *expected[8] = {"CartPole-v1",  "Pendulum-v1",   "MountainCar-v0",
                               "MountainCarContinuous-v0", "Acrobot-v1", "FrozenLake-v1",
                               "CliffWalking-v1", "Taxi-v4"};
    const char *obs_desc[8] = {
        "Box(shape=(4,), low=[-4.8, -3.40282e+38, -0.418879, -3.40282e+38], high=[4.8, 3.40282e+38, "
        "0.418879, 3.40282e+38])",
        "Box(shape=(3,), low=[-1, -1, -8], high=[1, 1, 8])",
        "Box(shape=(2,), low=[-1.2, -0.07], high=[0.6, 0.07])",
        "Box(shape=(2,), low=[-1.2, -0.07], high=[0.6, 0.07])",
        "Box(shape=(6,), low=[-1, -1, -1, -1, -12.5664, -28.2743], high=[1, 1, 1, 1, 12.5664, 28.2743])",
        "Discrete(16)",
        "Discrete(48)",
        "Discrete(500)",
    };
    const char *act_desc[8] = {"Discrete(2)", "Box(shape=(1,), low=[-2], high=[2])", "Discrete(3)",
                               "Box(shape=(1,), low=[-1], high=[1])", "Discrete(3)", "Discrete(4)",
                               "Discrete(4)", "Discrete(6)"};
    const uint64_t limits[8] = {500, 200, 200, 999, 500, 100, 0, 200};
    const size_t state_sizes[8] = {4, 2, 2, 2, 4, 1, 1, 1};
    athlete_error err;
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(ids[i], expected[i]);
        athlete_env *env = make_env(ids[i], NULL);
        ck_assert_str_eq(athlete_env_id(env), ids[i]);
        char buf[256];
        athlete_space_describe(athlete_env_observation_space(env), buf, sizeof buf);
        ck_assert_str_eq(buf, obs_desc[i]);
        athlete_space_describe(athlete_env_action_space(env), buf, sizeof buf);
        ck_assert_str_eq(buf, act_desc[i]);
        ck_assert_ok(athlete_space_validate(athlete_env_observation_space(env), "obs", &err), &err);
        ck_assert_ok(athlete_space_validate(athlete_env_action_space(env), "act", &err), &err);
        ck_assert_uint_eq(athlete_env_max_episode_steps(env), limits[i]);
        ck_assert_uint_eq(athlete_env_reset_state_size(env), state_sizes[i]);
        ck_assert_uint_gt(athlete_env_state_size(env), 0);
        /* Initial observations lie in the observation space. */
        float obs[TEST_MAX_OBS];
        uint64_t seed = 5;
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        ck_assert_ok(athlete_space_check_value(athlete_env_observation_space(env), obs, "obs", &err),
                     &err);
        ck_assert_uint_eq(athlete_env_elapsed_steps(env), 0);
        athlete_env_destroy(env);
    }
    athlete_env_destroy(NULL); /* ignored */
    ck_assert_uint_eq(athlete_env_list(NULL), 8);
}
END_TEST

START_TEST(options_accepted)
{
    athlete_env *env = make_env("FrozenLake-v1", "{\"map_name\": \"8x8\", \"is_slippery\": false}");
    char buf[64];
    athlete_space_describe(athlete_env_observation_space(env), buf, sizeof buf);
    ck_assert_str_eq(buf, "Discrete(64)");
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), 100); /* FrozenLake-v1's registered limit */
    athlete_env_destroy(env);
    env = make_env("FrozenLake-v1", "{\"map_name\": \"8x8\", \"max_episode_steps\": 50}");
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), 50);
    athlete_env_destroy(env);
    env = make_env("CliffWalking-v1", "{\"max_episode_steps\": 30}");
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), 30);
    athlete_env_destroy(env);
    env = make_env("CartPole-v1", "{\"max_episode_steps\": 0}");
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), 0);
    athlete_env_destroy(env);
    env = make_env("CartPole-v1", "{\"max_episode_steps\": null}"); /* the registered limit */
    ck_assert_uint_eq(athlete_env_max_episode_steps(env), 500);
    athlete_env_destroy(env);
    /* Empty text and whitespace mean no options. */
    env = make_env("Pendulum-v1", "");
    athlete_env_destroy(env);
    env = make_env("Pendulum-v1", "  \n");
    athlete_env_destroy(env);
    const char *all[][2] = {
        {"CartPole-v1", "{\"sutton_barto_reward\": true}"},
        {"Pendulum-v1", "{\"g\": 9.81}"},
        {"MountainCar-v0", "{\"goal_velocity\": 0.01}"},
        {"MountainCarContinuous-v0", "{\"goal_velocity\": 0}"},
        {"Acrobot-v1", "{}"},
        {"FrozenLake-v1", "{\"success_rate\": 0.5, \"reward_schedule\": [2, -1, 0]}"},
        {"CliffWalking-v1", "{\"is_slippery\": true}"},
        {"Taxi-v4", "{\"is_rainy\": true, \"fickle_passenger\": true}"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        athlete_env_destroy(make_env(all[i][0], all[i][1]));
}
END_TEST

START_TEST(create_errors)
{
    athlete_error err;
    athlete_env *env = (athlete_env *)0x1;
    ck_assert_fails(athlete_env_create("CartPole-v0", NULL, &env, &err), &err, ATHLETE_E_ENV,
                    "unknown environment id 'CartPole-v0' (known: CartPole-v1, Pendulum-v1, "
                    "MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1, FrozenLake-v1, "
                    "CliffWalking-v1, Taxi-v4)");
    ck_assert_ptr_null(env);
    ck_assert_fails(athlete_env_create(NULL, NULL, &env, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "athlete_env_create: id is NULL");
    ck_assert_fails(athlete_env_create("CartPole-v1", NULL, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "athlete_env_create: out is NULL");
    ck_assert_fails(athlete_env_create("Pendulum-v1", "{\"g\": ", &env, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "Pendulum-v1 options: not valid JSON (error at byte");
    ck_assert_fails(athlete_env_create("Pendulum-v1", "[1, 2]", &env, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT,
                    "Pendulum-v1 options: expected a JSON object, got an array");
    ck_assert_fails(athlete_env_create("Pendulum-v1", "{\"gravity\": 9.8}", &env, &err), &err,
                    ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "Pendulum-v1 options: unknown option 'gravity' (known: g, max_episode_steps)");
    ck_assert_fails(athlete_env_create("Acrobot-v1", "{\"book_or_nips\": \"nips\"}", &env, &err),
                    &err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "Acrobot-v1 options: unknown option 'book_or_nips' (known: max_episode_steps)");
    ck_assert_fails(athlete_env_create("CartPole-v1", "{\"render_mode\": \"human\"}", &env, &err),
                    &err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "CartPole-v1 options: unknown option 'render_mode' (known: sutton_barto_reward, "
                    "max_episode_steps)");
    ck_assert_fails(athlete_env_create("Pendulum-v1", "{\"g\": \"9.8\"}", &env, &err), &err,
                    ATHLETE_E_CONFIG_TYPE, "Pendulum-v1 options: 'g' expects a number, got a string");
    ck_assert_fails(athlete_env_create("Pendulum-v1", "{\"g\": 1, \"g\": 2}", &env, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "Pendulum-v1 options: 'g' is given twice");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"map_name\": \"9x9\"}", &env, &err), &err,
                    ATHLETE_E_CONFIG_VALUE,
                    "FrozenLake-v1 options: 'map_name' must be \"4x4\" or \"8x8\", got \"9x9\"");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"map_name\": 8}", &env, &err), &err,
                    ATHLETE_E_CONFIG_TYPE,
                    "FrozenLake-v1 options: 'map_name' expects a string, got a number");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"is_slippery\": 1}", &env, &err), &err,
                    ATHLETE_E_CONFIG_TYPE,
                    "FrozenLake-v1 options: 'is_slippery' expects a boolean, got a number");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"success_rate\": 1.5}", &env, &err), &err,
                    ATHLETE_E_CONFIG_VALUE,
                    "FrozenLake-v1 options: 'success_rate' must be in [0, 1], got 1.5");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"reward_schedule\": [1, 0]}", &env, &err),
                    &err, ATHLETE_E_CONFIG_VALUE,
                    "FrozenLake-v1 options: 'reward_schedule' expects 3 numbers, got 2");
    ck_assert_fails(
        athlete_env_create("FrozenLake-v1", "{\"reward_schedule\": [1, \"0\", 0]}", &env, &err),
        &err, ATHLETE_E_CONFIG_TYPE,
        "FrozenLake-v1 options: 'reward_schedule'[1] expects a number, got a string");
    ck_assert_fails(athlete_env_create("FrozenLake-v1", "{\"reward_schedule\": 1}", &env, &err),
                    &err, ATHLETE_E_CONFIG_TYPE,
                    "FrozenLake-v1 options: 'reward_schedule' expects an array of 3 numbers, got a "
                    "number");
    ck_assert_fails(athlete_env_create("Taxi-v4", "{\"is_rainy\": \"true\"}", &env, &err), &err,
                    ATHLETE_E_CONFIG_TYPE, "Taxi-v4 options: 'is_rainy' expects a boolean, got a string");
    ck_assert_fails(athlete_env_create("Taxi-v4", "{\"max_episode_steps\": -1}", &env, &err), &err,
                    ATHLETE_E_CONFIG_VALUE,
                    "Taxi-v4 options: 'max_episode_steps' must be an integer >= 0 (0 = no limit), got -1");
    ck_assert_fails(athlete_env_create("Taxi-v4", "{\"max_episode_steps\": 2.5}", &env, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "got 2.5");
    ck_assert_fails(athlete_env_create("Taxi-v4", "{\"max_episode_steps\": \"10\"}", &env, &err),
                    &err, ATHLETE_E_CONFIG_TYPE,
                    "Taxi-v4 options: 'max_episode_steps' expects an integer, got a string");
    ck_assert_fails(athlete_env_create("MountainCar-v0", "{\"goal_velocity\": true}", &env, &err),
                    &err, ATHLETE_E_CONFIG_TYPE,
                    "MountainCar-v0 options: 'goal_velocity' expects a number, got a boolean");
    ck_assert_ptr_null(env);
}
END_TEST

START_TEST(call_order)
{
    athlete_error err;
    athlete_env *env = make_env("CartPole-v1", NULL);
    float obs[4], a = 1;
    double r;
    bool te, tr;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "CartPole-v1 step: called before reset");
    /* A state about to leave the track terminates at once. */
    const double edge[4] = {2.39, 1.0, 0.0, 0.0};
    ck_assert_ok(athlete_env_reset_to_state(env, edge, 4, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(te);
    ck_assert(!tr);
    ck_assert(r == 1.0); /* the terminating step is rewarded too */
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "CartPole-v1 step: the episode has terminated; call reset first");
    uint64_t seed = 1;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    athlete_env_destroy(env);

    env = make_env("Pendulum-v1", "{\"max_episode_steps\": 3}");
    float u = 0;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    for (int i = 0; i < 3; i++)
        ck_assert_ok(athlete_env_step(env, &u, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(tr);
    ck_assert_fails(athlete_env_step(env, &u, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "Pendulum-v1 step: the episode was truncated at the time limit (3 steps); call "
                    "reset first");
    athlete_env_destroy(env);
}
END_TEST

START_TEST(bad_actions)
{
    athlete_error err;
    athlete_env *env = make_env("CartPole-v1", NULL);
    float obs[4], before[4], after[4];
    double r;
    bool te = true, tr = true;
    uint64_t seed = 3;
    ck_assert_ok(athlete_env_reset(env, &seed, before, &err), &err);
    float a = 2;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "CartPole-v1 step: action = 2 is not in Discrete(2)");
    a = -1;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "CartPole-v1 step: action = -1 is not in Discrete(2)");
    a = 0.5f;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "CartPole-v1 step: action = 0.5 is not in Discrete(2) (not an integer)");
    a = NAN;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_NON_FINITE,
                    "CartPole-v1 step: action is NaN");
    a = INFINITY;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_NON_FINITE,
                    "CartPole-v1 step: action is inf");
    float two[2] = {0, 1};
    ck_assert_fails(athlete_env_step(env, two, 2, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "CartPole-v1 step: action has 2 values, expected 1 (Discrete(2))");
    ck_assert_fails(athlete_env_step(env, two, 0, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "CartPole-v1 step: action has 0 values, expected 1 (Discrete(2))");
    a = 1;
    ck_assert_fails(athlete_env_step(env, NULL, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 step: action is NULL");
    ck_assert_fails(athlete_env_step(env, &a, 1, NULL, &r, &te, &tr, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 step: observation is NULL");
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, NULL, &te, &tr, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 step: reward is NULL");
    ck_assert_fails(athlete_env_step(NULL, &a, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "athlete_env_step: env is NULL");
    /* Nothing changed: the step counter is 0 and the next step is the one a fresh reset
     * would give. */
    ck_assert_uint_eq(athlete_env_elapsed_steps(env), 0);
    ck_assert_ok(athlete_env_step(env, &a, 1, after, &r, &te, &tr, &err), &err);
    athlete_env *ref = make_env("CartPole-v1", NULL);
    float ref_obs[4];
    ck_assert_ok(athlete_env_reset(ref, &seed, ref_obs, &err), &err);
    ck_assert(memcmp(ref_obs, before, sizeof before) == 0);
    ck_assert_ok(athlete_env_step(ref, &a, 1, ref_obs, &r, &te, &tr, &err), &err);
    ck_assert(memcmp(ref_obs, after, sizeof after) == 0);
    athlete_env_destroy(ref);
    athlete_env_destroy(env);

    env = make_env("Pendulum-v1", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    float u[2] = {0, 0};
    ck_assert_fails(athlete_env_step(env, u, 2, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "Pendulum-v1 step: action has 2 values, expected 1 (Box(shape=(1,), low=[-2], "
                    "high=[2]))");
    u[0] = NAN;
    ck_assert_fails(athlete_env_step(env, u, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_NON_FINITE,
                    "Pendulum-v1 step: action[0] is NaN");
    u[0] = -INFINITY;
    ck_assert_fails(athlete_env_step(env, u, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_NON_FINITE,
                    "Pendulum-v1 step: action[0] is -inf");
    athlete_env_destroy(env);

    env = make_env("Taxi-v4", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    a = 6;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "Taxi-v4 step: action = 6 is not in Discrete(6)");
    athlete_env_destroy(env);
}
END_TEST

/* Out-of-range continuous actions are clipped like Gymnasium (not errors). */
START_TEST(continuous_actions_are_clipped)
{
    athlete_error err;
    const double state[2] = {0.3, -0.2};
    float obs_a[3], obs_b[3];
    double ra, rb;
    bool te, tr;
    athlete_env *a = make_env("Pendulum-v1", NULL);
    athlete_env *b = make_env("Pendulum-v1", NULL);
    ck_assert_ok(athlete_env_reset_to_state(a, state, 2, obs_a, &err), &err);
    ck_assert_ok(athlete_env_reset_to_state(b, state, 2, obs_b, &err), &err);
    float big = 100.0f, two = 2.0f;
    ck_assert_ok(athlete_env_step(a, &big, 1, obs_a, &ra, &te, &tr, &err), &err);
    ck_assert_ok(athlete_env_step(b, &two, 1, obs_b, &rb, &te, &tr, &err), &err);
    ck_assert(memcmp(obs_a, obs_b, sizeof obs_a) == 0);
    ck_assert(ra == rb); /* the cost uses the clipped torque */
    athlete_env_destroy(a);
    athlete_env_destroy(b);

    /* MountainCarContinuous clips the force but charges the raw action in the reward. */
    const double mc[2] = {-0.5, 0.0};
    float o1[2], o2[2];
    a = make_env("MountainCarContinuous-v0", NULL);
    b = make_env("MountainCarContinuous-v0", NULL);
    ck_assert_ok(athlete_env_reset_to_state(a, mc, 2, o1, &err), &err);
    ck_assert_ok(athlete_env_reset_to_state(b, mc, 2, o2, &err), &err);
    float f_big = -3.0f, f_one = -1.0f;
    ck_assert_ok(athlete_env_step(a, &f_big, 1, o1, &ra, &te, &tr, &err), &err);
    ck_assert_ok(athlete_env_step(b, &f_one, 1, o2, &rb, &te, &tr, &err), &err);
    ck_assert(memcmp(o1, o2, sizeof o1) == 0);
    ck_assert(ra == -(9.0 * 0.1));
    ck_assert(rb == -(1.0 * 0.1));
    athlete_env_destroy(a);
    athlete_env_destroy(b);
}
END_TEST

START_TEST(reset_to_state_errors)
{
    athlete_error err;
    float obs[8];
    athlete_env *env = make_env("CartPole-v1", NULL);
    double s3[3] = {0, 0, 0};
    ck_assert_fails(athlete_env_reset_to_state(env, s3, 3, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 reset_to_state: state has 3 values, expected 4");
    double s4[4] = {0, NAN, 0, 0};
    ck_assert_fails(athlete_env_reset_to_state(env, s4, 4, obs, &err), &err, ATHLETE_E_NON_FINITE,
                    "CartPole-v1 reset_to_state: state[1] is NaN");
    s4[1] = -INFINITY;
    ck_assert_fails(athlete_env_reset_to_state(env, s4, 4, obs, &err), &err, ATHLETE_E_NON_FINITE,
                    "CartPole-v1 reset_to_state: state[1] is -inf");
    ck_assert_fails(athlete_env_reset_to_state(env, NULL, 4, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 reset_to_state: state is NULL");
    /* Still never reset: a failed reset_to_state does not start an episode. */
    float a = 0;
    double r;
    bool te, tr;
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "called before reset");
    athlete_env_destroy(env);

    env = make_env("FrozenLake-v1", NULL);
    double s = 16;
    ck_assert_fails(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT,
                    "FrozenLake-v1 reset_to_state: state = 16 is not a state in Discrete(16)");
    s = 1.5;
    ck_assert_fails(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT,
                    "FrozenLake-v1 reset_to_state: state = 1.5 is not a state in Discrete(16)");
    s = -1;
    ck_assert_fails(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "state = -1 is not a state in Discrete(16)");
    s = 14;
    ck_assert_ok(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err);
    ck_assert(obs[0] == 14.0f);
    athlete_env_destroy(env);

    env = make_env("Taxi-v4", NULL);
    s = 500;
    ck_assert_fails(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "Taxi-v4 reset_to_state: state = 500 is not a state in Discrete(500)");
    athlete_env_destroy(env);
    env = make_env("CliffWalking-v1", NULL);
    s = 48;
    ck_assert_fails(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "Discrete(48)");
    athlete_env_destroy(env);
    ck_assert_fails(athlete_env_reset(NULL, NULL, obs, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "athlete_env_reset: env is NULL");
}
END_TEST

/* CartPole's Sutton-Barto reward: 0 per step, -1 on termination. */
START_TEST(cartpole_sutton_barto)
{
    athlete_error err;
    athlete_env *env = make_env("CartPole-v1", "{\"sutton_barto_reward\": true}");
    float obs[4], a = 1;
    double r;
    bool te, tr;
    const double calm[4] = {0, 0, 0, 0};
    ck_assert_ok(athlete_env_reset_to_state(env, calm, 4, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(!te && r == 0.0);
    const double edge[4] = {2.39, 1.0, 0.0, 0.0};
    ck_assert_ok(athlete_env_reset_to_state(env, edge, 4, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(te && r == -1.0);
    athlete_env_destroy(env);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-api");
    TCase *tc = tcase_create("api");
    tcase_add_test(tc, list_and_spaces);
    tcase_add_test(tc, options_accepted);
    tcase_add_test(tc, create_errors);
    tcase_add_test(tc, call_order);
    tcase_add_test(tc, bad_actions);
    tcase_add_test(tc, continuous_actions_are_clipped);
    tcase_add_test(tc, reset_to_state_errors);
    tcase_add_test(tc, cartpole_sutton_barto);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* An agent's life cycle through a real, dlopen'ed plugin (q_learning) on a small chain
 * world written here: the step sequence, call-order and input errors, configuration
 * errors, agent_info, determinism, extension methods, zero allocation per step. */
#include <athlete/athlete.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-count.h"
#include "test-registry.h"
#include "test-util.h"

/* Chain of 6 cells: action 1 moves right, 0 left; reaching cell 5 ends with reward 1. */
enum { CELLS = 6 };
typedef struct chain {
    int cell;
} chain;
static float chain_reset(chain *c)
{
    c->cell = 0;
    return 0.0f;
}
static float chain_step(chain *c, float action, double *reward, bool *terminated)
{
    c->cell += action > 0.5f ? 1 : -1;
    if (c->cell < 0)
        c->cell = 0;
    *terminated = c->cell == CELLS - 1;
    *reward = *terminated ? 1.0 : 0.0;
    return (float)c->cell;
}

static athlete_agent *make_agent(athlete_registry *reg, uint64_t seed, const char *overrides)
{
    athlete_space obs = athlete_space_discrete(CELLS), act = athlete_space_discrete(2);
    athlete_agent *agent = NULL;
    athlete_error err;
    ck_assert_ok(athlete_agent_create(reg, "q_learning", &obs, &act, &seed, overrides, &agent, &err), &err);
    return agent;
}

/* Runs `steps` training interactions; returns the actions' checksum. */
static uint64_t run(athlete_agent *agent, chain *world, int steps)
{
    athlete_error err;
    const float *action;
    const athlete_info *info;
    uint64_t checksum = 0;
    float obs = chain_reset(world);
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    for (int i = 0; i < steps; i++) {
        double reward;
        bool terminated;
        checksum = checksum * 31 + (uint64_t)action[0];
        obs = chain_step(world, action[0], &reward, &terminated);
        bool truncated = !terminated && i % 50 == 49;
        ck_assert_ok(athlete_agent_step(agent, &obs, reward, terminated, truncated, &action, &info, &err), &err);
        if (terminated || truncated) {
            ck_assert_ptr_null(action);
            obs = chain_reset(world);
            ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
        }
    }
    return checksum;
}

START_TEST(call_order_and_bad_input)
{
    athlete_registry *reg = registry();
    athlete_agent *agent = make_agent(reg, 1, NULL);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    float obs = 0;
    ck_assert_fails(athlete_agent_step(agent, &obs, 0, false, false, &action, &info, &err), &err,
                    ATHLETE_E_CALL_ORDER, "step: no episode in progress; call reset_step first");
    float nan_obs = NAN, far = 7, half = 1.5f;
    ck_assert_fails(athlete_agent_reset_step(agent, &nan_obs, &action, &info, &err), &err, ATHLETE_E_NON_FINITE,
                    "reset_step: observation is NaN");
    ck_assert_fails(athlete_agent_reset_step(agent, &far, &action, &info, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "reset_step: observation = 7 is not an integer in [0, 6)");
    ck_assert_fails(athlete_agent_reset_step(agent, &half, &action, &info, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "reset_step: observation = 1.5 is not an integer in [0, 6)");
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    athlete_clock before = *athlete_agent_clock(agent);
    ck_assert_fails(athlete_agent_step(agent, &obs, NAN, false, false, &action, &info, &err), &err,
                    ATHLETE_E_NON_FINITE, "step: reward is NaN");
    ck_assert_fails(athlete_agent_step(agent, &obs, INFINITY, false, false, &action, &info, &err), &err,
                    ATHLETE_E_NON_FINITE, "step: reward is infinite");
    ck_assert_fails(athlete_agent_step(agent, &nan_obs, 0, false, false, &action, &info, &err), &err,
                    ATHLETE_E_NON_FINITE, "step: observation is NaN");
    /* Nothing changed: the clock is where it was and a valid step still works. */
    ck_assert_mem_eq(&before, athlete_agent_clock(agent), sizeof before);
    ck_assert_ok(athlete_agent_step(agent, &obs, 0, true, false, &action, &info, &err), &err);
    ck_assert_ptr_null(action);
    ck_assert_fails(athlete_agent_step(agent, &obs, 0, false, false, &action, &info, &err), &err, ATHLETE_E_CALL_ORDER,
                    "step: the previous episode has ended");
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(wrong_spaces_and_config)
{
    athlete_registry *reg = registry();
    athlete_error err;
    size_t shape[1] = {4};
    float lo[4] = {-1, -1, -1, -1}, hi[4] = {1, 1, 1, 1};
    athlete_space box = athlete_space_box(1, shape, lo, hi);
    athlete_space d = athlete_space_discrete(4);
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &box, &d, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "q_learning: q_learning needs a Discrete observation space, got Box(shape=(4,), low=[-1, -1, -1, -1], high=[1, 1, 1, 1])");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &box, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "q_learning needs a Discrete action space, got Box(shape=(4,)");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"learning_rte\": 0.5}", &agent, &err),
                    &err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "q_learning config: unknown key 'learning_rte'; did you mean 'learning_rate'?");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"discount\": \"high\"}", &agent, &err),
                    &err, ATHLETE_E_CONFIG_TYPE, "q_learning config: 'discount' expects a number, got the string \"high\"");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"epsilon_decay_steps\": 32.5}", &agent, &err),
                    &err, ATHLETE_E_CONFIG_TYPE, "q_learning config: 'epsilon_decay_steps' expects an integer, got 32.5");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"epsilon_decay_steps\": 0}", &agent, &err),
                    &err, ATHLETE_E_CONFIG_VALUE,
                    "q_learning config: 'epsilon_decay_steps' must be >= 1 (it divides the epsilon decay), got 0");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"learning_rate\": -0.1}", &agent, &err),
                    &err, ATHLETE_E_CONFIG_VALUE, "'learning_rate' must be in (0, 1], got -0.1");
    ck_assert_fails(athlete_agent_create(reg, "q_learning", &d, &d, NULL, "{\"discount\": ", &agent, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "q_learning config: the overrides is not valid JSON");
    ck_assert_fails(athlete_agent_create(reg, "sarsa", &d, &d, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_UNKNOWN_ALGORITHM, "algorithm 'sarsa' not found in the registry");
    ck_assert_ptr_null(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(agent_info_keys_follow_the_spec)
{
    athlete_registry *reg = registry();
    athlete_agent *agent = make_agent(reg, 3, NULL);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    chain world;
    float obs = chain_reset(&world);
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    ck_assert_uint_eq(info->count, 0); /* reset_step: the update log only, empty here */
    double reward;
    bool terminated;
    obs = chain_step(&world, action[0], &reward, &terminated);
    ck_assert_ok(athlete_agent_step(agent, &obs, reward, terminated, false, &action, &info, &err), &err);
    const athlete_info_item *greedy = athlete_info_find(info, "greedy");
    const athlete_info_item *epsilon = athlete_info_find(info, "epsilon");
    const athlete_info_item *loss = athlete_info_find(info, "loss");
    ck_assert_ptr_nonnull(greedy);
    ck_assert_ptr_nonnull(epsilon);
    ck_assert_ptr_nonnull(loss);
    ck_assert_int_eq(greedy->type, ATHLETE_VALUE_BOOL);
    ck_assert_double_eq_tol(epsilon->real, 1.0 - 0.009 * 1, 1e-12); /* ε = max(0.1, 1 − 0.009·k) */
    ck_assert_double_eq(loss->real, 0.0);                           /* |δ| with a zero table, reward 0 */
    /* The extension method agrees, through libffi. */
    char *result = NULL;
    ck_assert_ok(athlete_agent_call(agent, "epsilon", NULL, &result, &err), &err);
    ck_assert_double_eq_tol(strtod(result, NULL), 0.991, 1e-12);
    athlete_free(result);
    ck_assert_ok(athlete_agent_call(agent, "q_value", "[0, 1]", &result, &err), &err);
    ck_assert_str_eq(result, "0");
    athlete_free(result);
    ck_assert_ok(athlete_agent_call(agent, "q_value", "[99, 1]", &result, &err), &err);
    ck_assert_str_eq(result, "null");
    athlete_free(result);
    ck_assert_fails(athlete_agent_call(agent, "q_value", "[0]", &result, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "method 'q_value' (d(ii)) takes 2 arguments, got 1");
    ck_assert_fails(athlete_agent_call(agent, "q_value", "[0, 0.5]", &result, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "method 'q_value': argument 2 expects an integer, got a number");
    ck_assert_fails(athlete_agent_call(agent, "q_value", "[\"a\", 0]", &result, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "argument 1 expects an integer, got a string");
    ck_assert_fails(athlete_agent_call(agent, "alpha", NULL, &result, &err), &err, ATHLETE_E_UNKNOWN_METHOD,
                    "q_learning has no method 'alpha' (methods: epsilon, q_value)");
    /* Evaluation mode changes nothing. */
    athlete_clock before = *athlete_agent_clock(agent);
    athlete_agent_eval(agent);
    for (int i = 0; i < 10; i++)
        ck_assert_ok(athlete_agent_step(agent, &obs, 0, false, false, &action, &info, &err), &err);
    ck_assert_mem_eq(&before, athlete_agent_clock(agent), sizeof before);
    athlete_agent_train(agent);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(same_seed_same_run_and_agents_are_independent)
{
    athlete_registry *reg = registry();
    athlete_agent *a = make_agent(reg, 0, NULL); /* 0 is a real seed */
    athlete_agent *b = make_agent(reg, 0, NULL);
    athlete_agent *c = make_agent(reg, 1, NULL);
    chain wa, wb, wc;
    uint64_t ra = run(a, &wa, 2000);
    /* b interleaved with c must equal a alone. */
    uint64_t rb = 0, rc = 0;
    rc = run(c, &wc, 1000);
    rb = run(b, &wb, 2000);
    ck_assert_uint_eq(ra, rb);
    ck_assert_uint_ne(ra, rc);
    athlete_agent_destroy(a);
    athlete_agent_destroy(b);
    athlete_agent_destroy(c);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(q_learning_learns_the_chain)
{
    athlete_registry *reg = registry();
    athlete_agent *agent = make_agent(reg, 7, "{\"discount\": 0.9, \"learning_rate\": 0.5}");
    chain world;
    run(agent, &world, 3000);
    /* The greedy policy walks straight to the end. */
    athlete_agent_eval(agent);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    float obs = chain_reset(&world);
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    int steps = 0;
    bool terminated = false;
    while (!terminated && steps < 20) {
        double reward;
        obs = chain_step(&world, action[0], &reward, &terminated);
        steps++;
        ck_assert_ok(athlete_agent_step(agent, &obs, reward, terminated, false, &action, &info, &err), &err);
    }
    ck_assert_int_eq(steps, CELLS - 1);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(steps_allocate_nothing)
{
    count_allocations_begin();
    athlete_registry *reg = registry();
    athlete_agent *agent = make_agent(reg, 5, NULL);
    chain world;
    run(agent, &world, 500); /* reach steady state */
    size_t before = allocation_count;
    run(agent, &world, 5000);
    ck_assert_uint_eq(allocation_count, before);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    count_allocations_end();
}
END_TEST

START_TEST(agents_outlive_their_registry)
{
    /* The plugin stays loaded (reference-counted handle) while an agent uses it. */
    athlete_registry *reg = registry();
    athlete_agent *agent = make_agent(reg, 9, NULL);
    athlete_registry_destroy(reg);
    chain world;
    run(agent, &world, 200);
    char *result = NULL;
    athlete_error err;
    ck_assert_ok(athlete_agent_call(agent, "epsilon", "[]", &result, &err), &err);
    ck_assert_str_eq(result, "0.1");
    athlete_free(result);
    athlete_agent_destroy(agent);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent");
    TCase *tc = tcase_create("agent");
    tcase_add_test(tc, call_order_and_bad_input);
    tcase_add_test(tc, wrong_spaces_and_config);
    tcase_add_test(tc, agent_info_keys_follow_the_spec);
    tcase_add_test(tc, same_seed_same_run_and_agents_are_independent);
    tcase_add_test(tc, q_learning_learns_the_chain);
    tcase_add_test(tc, steps_allocate_nothing);
    tcase_add_test(tc, agents_outlive_their_registry);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

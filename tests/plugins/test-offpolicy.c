/* ddpg, td3 and sac through their plugins: space and configuration errors with exact
 * messages, agent_info keys through the warmup boundary (with the once-per-interaction
 * rule), no update on an empty buffer, the fixed SAC temperature used as alpha itself,
 * extension methods, a diverging network reported as
 * E_NON_FINITE instead of reaching the environment, zero allocations per step. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "alloc-count.h"
#include "test-registry.h"
#include "test-util.h"

static const char *const algorithms[3] = {"ddpg", "td3", "sac"};

/* Small networks and batches, the given warmup and capacity, plus `extra` (JSON members,
 * "" for none). critic_2 exists in td3 and sac only. */
static const char *config(const char *algorithm, int warmup, int capacity, const char *extra)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"critic_network_arguments\": {\"hidden_dims\": [16, 16]}, %s"
             " \"actor_network_arguments\": {\"hidden_dims\": [16]},"
             " \"replay_buffer_mini_batch_size\": 8, \"replay_buffer_capacity\": %d, \"warmup_steps\": %d%s%s}",
             strcmp(algorithm, "ddpg") == 0 ? "" : "\"critic_2_network_arguments\": {\"hidden_dims\": [16]},", capacity,
             warmup, *extra ? ", " : "", extra);
    return buf;
}

static athlete_agent *make(athlete_registry *reg, const athlete_env *env, const char *algorithm, uint64_t seed,
                           const char *overrides)
{
    athlete_agent *agent = NULL;
    athlete_error err;
    ck_assert_ok(athlete_agent_create(reg, algorithm, athlete_env_observation_space(env), athlete_env_action_space(env),
                                      &seed, overrides, &agent, &err),
                 &err);
    return agent;
}

START_TEST(bad_spaces)
{
    const char *algorithm = algorithms[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *cartpole, *pendulum, *lake;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &cartpole, &err), &err);
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &pendulum, &err), &err);
    ck_assert_ok(athlete_env_create("FrozenLake-v1", NULL, &lake, &err), &err);
    const athlete_space *box_obs = athlete_env_observation_space(pendulum), *box_act = athlete_env_action_space(pendulum);
    char expected[256];
    athlete_agent *agent = NULL;
    /* Discrete actions */
    snprintf(expected, sizeof expected, "%s: %s needs a Box action space, got Discrete(2)", algorithm, algorithm);
    ck_assert_fails(athlete_agent_create(reg, algorithm, box_obs, athlete_env_action_space(cartpole), NULL, NULL, &agent, &err),
                    &err, ATHLETE_E_SPACE_MISMATCH, expected);
    /* Discrete observations */
    snprintf(expected, sizeof expected, "%s: %s needs a Box observation space, got Discrete(16)", algorithm, algorithm);
    ck_assert_fails(athlete_agent_create(reg, algorithm, athlete_env_observation_space(lake), box_act, NULL, NULL, &agent, &err),
                    &err, ATHLETE_E_SPACE_MISMATCH, expected);
    /* unbounded actions cannot be scaled */
    size_t shape[1] = {2};
    const float low[2] = {-1.0f, -INFINITY}, high[2] = {1.0f, INFINITY};
    athlete_space unbounded = athlete_space_box(1, shape, low, high);
    snprintf(expected, sizeof expected,
             "%s: %s needs finite action bounds (its [-1, 1] actions are scaled to them), got "
             "Box(shape=(2,), low=[-1, -inf], high=[1, inf]): low[1] is -inf",
             algorithm, algorithm);
    ck_assert_fails(athlete_agent_create(reg, algorithm, box_obs, &unbounded, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, expected);
    ck_assert_ptr_null(agent);
    athlete_env_destroy(cartpole);
    athlete_env_destroy(pendulum);
    athlete_env_destroy(lake);
    athlete_registry_destroy(reg);
}
END_TEST

typedef struct config_case {
    const char *algorithms; /* which of "ddpg td3 sac" the case applies to */
    const char *overrides;
    athlete_status status;
    const char *message; /* after "<id> config: " */
} config_case;

static const config_case config_cases[] = {
    {"ddpg td3 sac", "{\"discount\": 1.5}", ATHLETE_E_CONFIG_VALUE, "'discount' must be in [0, 1], got 1.5"},
    {"ddpg td3 sac", "{\"critic_network_arguments\": {\"hidden_dims\": [64, 0]}}", ATHLETE_E_CONFIG_VALUE,
     "'critic_network_arguments.hidden_dims'[1] must be in [1, 65536], got 0"},
    {"ddpg td3 sac", "{\"actor_optimizer_arguments\": {\"lr\": -0.001}}", ATHLETE_E_CONFIG_VALUE,
     "'actor_optimizer_arguments.lr' must be > 0, got -0.001"},
    {"ddpg td3 sac", "{\"replay_buffer_mini_batch_size\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'replay_buffer_mini_batch_size' must be in [1, 65536], got 0"},
    {"ddpg td3 sac", "{\"replay_buffer_capacity\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'replay_buffer_capacity' must be >= 1, got 0"},
    {"ddpg td3 sac", "{\"warmup_steps\": -1}", ATHLETE_E_CONFIG_VALUE, "'warmup_steps' must be >= 0, got -1"},
    {"ddpg td3 sac", "{\"critic_number_of_updates\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'critic_number_of_updates' must be >= 1, got 0"},
    {"ddpg td3 sac", "{\"target_critic_update_frequency\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'target_critic_update_frequency' must be >= 1, got 0"},
    {"ddpg td3 sac", "{\"target_critic_tau\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'target_critic_tau' must be in (0, 1] (1 is a hard copy), got 0"},
    {"ddpg td3 sac", "{\"critic_criteria\": \"l1\"}", ATHLETE_E_CONFIG_VALUE,
     "'critic_criteria' must be \"mse\" or \"huber\", got \"l1\""},
    {"ddpg td3 sac", "{\"critic_gradient_max_norm\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'critic_gradient_max_norm' must be null or a number > 0, got 0"},
    {"ddpg td3 sac", "{\"critic_gradient_max_norm\": \"big\"}", ATHLETE_E_CONFIG_TYPE,
     "'critic_gradient_max_norm' expects a number or null, got the string \"big\""},
    {"ddpg td3 sac", "{\"replay_buffer_mini_batch_size\": 32.5}", ATHLETE_E_CONFIG_TYPE,
     "'replay_buffer_mini_batch_size' expects an integer, got 32.5"},
    {"ddpg td3 sac", "{\"device\": \"cpu\"}", ATHLETE_E_CONFIG_UNKNOWN_KEY, "unknown key 'device'"},
    {"ddpg td3 sac", "{\"noise_process_class\": \"GaussianNoise\"}", ATHLETE_E_CONFIG_VALUE,
     "'noise_process_class' must be \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\", got \"GaussianNoise\""},
    {"ddpg td3", "{\"noise_process_arguments\": {\"noise_std\": -0.1}}", ATHLETE_E_CONFIG_VALUE,
     "'noise_process_arguments.noise_std' must be a finite number >= 0, got -0.1"},
    {"ddpg td3 sac", "{\"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 1}}",
     ATHLETE_E_CONFIG_VALUE, "'noise_process_arguments.horizon' must be in [2, 10000], got 1"},
    {"ddpg td3", "{\"noise_process_class\": \"ornstein_uhlenbeck\", \"noise_process_arguments\": {\"dt\": 0}}",
     ATHLETE_E_CONFIG_VALUE, "'noise_process_arguments.dt' must be a finite number > 0, got 0"},
    {"ddpg td3", "{\"target_actor_tau\": 2}", ATHLETE_E_CONFIG_VALUE,
     "'target_actor_tau' must be in (0, 1] (1 is a hard copy), got 2"},
    {"td3", "{\"target_noise_std\": -0.2}", ATHLETE_E_CONFIG_VALUE,
     "'target_noise_std' must be a finite number >= 0, got -0.2"},
    {"td3 sac", "{\"critic_2_network_arguments\": {\"hidden_dims\": [70000]}}", ATHLETE_E_CONFIG_VALUE,
     "'critic_2_network_arguments.hidden_dims'[0] must be in [1, 65536], got 70000"},
    {"sac", "{\"temperature\": \"manual\"}", ATHLETE_E_CONFIG_VALUE,
     "'temperature' must be \"auto\" or a number, got \"manual\""},
    {"sac", "{\"temperature\": -0.2}", ATHLETE_E_CONFIG_VALUE,
     "'temperature' must be \"auto\" or a finite number > 0, got -0.2"},
    {"sac", "{\"temperature\": true}", ATHLETE_E_CONFIG_TYPE, "'temperature' expects"},
    {"sac", "{\"target_entropy\": \"max\"}", ATHLETE_E_CONFIG_VALUE,
     "'target_entropy' must be \"auto\" or a number, got \"max\""},
    {"sac", "{\"initial_temperature\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'initial_temperature' must be a finite number > 0, got 0"},
    {"sac", "{\"actor_network_arguments\": {\"log_std_min\": 3}}", ATHLETE_E_CONFIG_VALUE,
     "'actor_network_arguments.log_std_min' (3) must be below 'actor_network_arguments.log_std_max' (2), both finite"},
    {"sac", "{\"noise_process_class\": 1}", ATHLETE_E_CONFIG_TYPE, "'noise_process_class' expects"},
    {"sac", "{\"use_sde\": true, \"sde_sample_freq\": 0}", ATHLETE_E_CONFIG_VALUE,
     "'sde_sample_freq' must be -1 or >= 1, got 0"},
    {"sac", "{\"sde_sample_freq\": -2}", ATHLETE_E_CONFIG_VALUE, "'sde_sample_freq' must be -1 or an integer >= 1, got -2"},
    {"sac", "{\"use_sde\": true, \"noise_process_class\": \"colored\"}", ATHLETE_E_CONFIG_VALUE,
     "'use_sde' and 'noise_process_class' both replace the policy's draws: set one of them"},
    {"sac", "{\"log_std_init\": 3}", ATHLETE_E_CONFIG_VALUE, "'log_std_init' must be"},
    {"ddpg", "{\"critic_2_network_arguments\": {\"hidden_dims\": [8]}}", ATHLETE_E_CONFIG_UNKNOWN_KEY,
     "unknown key 'critic_2_network_arguments'"},
};

START_TEST(config_errors)
{
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *pendulum;
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &pendulum, &err), &err);
    athlete_agent *agent = NULL;
    for (size_t i = 0; i < sizeof config_cases / sizeof config_cases[0]; i++)
        for (int a = 0; a < 3; a++) {
            if (!strstr(config_cases[i].algorithms, algorithms[a]))
                continue;
            char expected[300];
            snprintf(expected, sizeof expected, "%s config: %s", algorithms[a], config_cases[i].message);
            ck_assert_fails(athlete_agent_create(reg, algorithms[a], athlete_env_observation_space(pendulum),
                                                 athlete_env_action_space(pendulum), NULL, config_cases[i].overrides,
                                                 &agent, &err),
                            &err, config_cases[i].status, expected);
        }
    ck_assert_ptr_null(agent);
    athlete_env_destroy(pendulum);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(defaults_are_the_seeds)
{
    athlete_registry *reg = registry();
    athlete_error err;
    static const struct {
        const char *algorithm, *needle;
    } keys[] = {
        {"ddpg", "\"critic_network_arguments\":{\"hidden_dims\":[400,300]}"},
        {"ddpg", "\"actor_network_arguments\":{\"hidden_dims\":[400,300],\"squash_action\":true}"},
        {"ddpg", "\"noise_process_class\":\"gaussian\""},
        {"ddpg", "\"noise_std\":0.1"},
        {"ddpg", "\"critic_optimizer_arguments\":{\"lr\":0.001}"},
        {"ddpg", "\"replay_buffer_capacity\":1000000"},
        {"ddpg", "\"replay_buffer_mini_batch_size\":256"},
        {"ddpg", "\"warmup_steps\":1000"},
        {"ddpg", "\"target_actor_tau\":0.005"},
        {"ddpg", "\"critic_gradient_max_norm\":null"},
        {"td3", "\"critic_2_network_arguments\":{\"hidden_dims\":[400,300]}"},
        {"td3", "\"target_noise_std\":0.2,\"target_noise_clip\":0.5"},
        {"td3", "\"actor_update_frequency\":2"},
        {"td3", "\"target_critic_update_frequency\":2"},
        {"td3", "\"target_actor_update_frequency\":2"},
        {"sac", "\"temperature\":\"auto\",\"target_entropy\":\"auto\",\"initial_temperature\":1"},
        {"sac", "\"log_std_min\":-20,\"log_std_max\":2"},
        {"sac", "\"critic_optimizer_arguments\":{\"lr\":0.0003}"},
        {"sac", "\"multiply_number_of_updates_by_environment_steps\":false"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char *json = NULL;
        ck_assert_ok(athlete_registry_default_config(reg, keys[i].algorithm, false, &json, &err), &err);
        /* compact form: remove the blanks */
        char *w = json;
        for (const char *r = json; *r; r++)
            if (*r != ' ' && *r != '\n' && *r != '\t')
                *w++ = *r;
        *w = '\0';
        ck_assert_msg(strstr(json, keys[i].needle), "%s defaults lack %s: %s", keys[i].algorithm, keys[i].needle, json);
        athlete_free(json);
    }
    athlete_registry_destroy(reg);
}
END_TEST

/* ---- the step sequence ---- */

typedef struct episode {
    athlete_env *env;
    athlete_agent *agent;
    float obs[8];
    const float *action;
    const athlete_info *info;
} episode;

static void begin(episode *e)
{
    athlete_error err;
    ck_assert_ok(athlete_env_reset(e->env, NULL, e->obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(e->agent, e->obs, &e->action, &e->info, &err), &err);
}

/* One environment step with the pending action; truncates when asked. */
static void advance(episode *e, bool truncate)
{
    athlete_error err;
    float clipped[4];
    athlete_space_clip(athlete_env_action_space(e->env), e->action, clipped);
    double reward;
    bool terminated, truncated;
    ck_assert_ok(athlete_env_step(e->env, clipped, 1, e->obs, &reward, &terminated, &truncated, &err), &err);
    ck_assert_ok(athlete_agent_step(e->agent, e->obs, reward, terminated, truncated || truncate, &e->action, &e->info,
                                    &err),
                 &err);
}

static bool has(const athlete_info *info, const char *key) { return athlete_info_find(info, key) != NULL; }

/* Exactly these keys (a space-separated list). */
static void expect_keys(const athlete_info *info, const char *keys, const char *algorithm, int k)
{
    size_t n = 0;
    char buf[200];
    snprintf(buf, sizeof buf, "%s", keys);
    for (char *key = strtok(buf, " "); key; key = strtok(NULL, " "), n++)
        ck_assert_msg(has(info, key), "%s, k=%d: agent_info lacks '%s'", algorithm, k, key);
    ck_assert_msg(info->count == n, "%s, k=%d: agent_info has %zu keys, expected %zu (%s)", algorithm, k, info->count, n,
                  keys);
}

START_TEST(agent_info_through_warmup)
{
    /* warmup 6, episodes truncated every 3 steps: warmup actions for k = 0..5, the first
     * updates in the step that makes k = 6 (after-warmup 0), which also ends an episode;
     * the following reset_step repeats nothing (one update per interaction; the original
     * ran that step's update again). */
    const char *algorithm = algorithms[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    episode e = {0};
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &e.env, &err), &err);
    uint64_t seed = 3;
    ck_assert_ok(athlete_env_reset(e.env, &seed, e.obs, &err), &err);
    e.agent = make(reg, e.env, algorithm, 3, config(algorithm, 6, 1000, ""));
    begin(&e);
    expect_keys(e.info, "", algorithm, 0); /* reset_step: the update log only */
    bool sac = strcmp(algorithm, "sac") == 0, td3 = strcmp(algorithm, "td3") == 0;
    const char *updates = sac ? "critic_loss actor_loss temperature_loss temperature" : "critic_loss actor_loss";
    char with_action[160];
    for (int k = 1; k <= 9; k++) {
        advance(&e, k % 3 == 0);
        bool ended = k % 3 == 0;
        if (k < 6) {
            expect_keys(e.info, ended ? "" : "unscaled_action", algorithm, k);
            if (!ended) { /* a warmup action: uniform in [-1, 1), scaled by 2 for Pendulum */
                const athlete_info_item *u = athlete_info_find(e.info, "unscaled_action");
                ck_assert(u->reals[0] >= -1.0f && u->reals[0] < 1.0f);
                ck_assert_float_eq(e.action[0], 2.0f * u->reals[0]);
            }
        } else if (k == 6) {
            expect_keys(e.info, updates, algorithm, k); /* the episode ended: the log alone */
            ck_assert_ptr_null(e.action);
        } else {
            /* td3's actor at even after-warmup counts only */
            const char *keys = td3 && (k - 6) % 2 ? "critic_loss" : updates;
            snprintf(with_action, sizeof with_action, "unscaled_action %s", ended ? "" : keys);
            expect_keys(e.info, ended ? keys : with_action, algorithm, k);
        }
        if (ended) {
            begin(&e);
            expect_keys(e.info, "", algorithm, k); /* nothing fires twice */
        }
        for (size_t i = 0; i < e.info->count; i++)
            if (e.info->items[i].type == ATHLETE_VALUE_REAL)
                ck_assert_msg(isfinite(e.info->items[i].real), "%s k=%d: %s = %g", algorithm, k, e.info->items[i].key,
                              e.info->items[i].real);
    }
    if (sac) { /* alpha = exp(log alpha) after a few Adam steps of size ~3e-4 from log 1 = 0 */
        char *result = NULL;
        ck_assert_ok(athlete_agent_call(e.agent, "alpha", NULL, &result, &err), &err);
        double alpha = strtod(result, NULL);
        athlete_free(result);
        ck_assert_double_lt(fabs(alpha - 1.0), 0.005);
        ck_assert_double_ne(alpha, 1.0);
        ck_assert_ok(athlete_agent_call(e.agent, "target_entropy", NULL, &result, &err), &err);
        ck_assert_str_eq(result, "-1"); /* "auto": -dim(A) */
        athlete_free(result);
    } else {
        char *result = NULL;
        ck_assert_ok(athlete_agent_call(e.agent, "exploration_noise", NULL, &result, &err), &err);
        ck_assert_double_eq_tol(strtod(result, NULL), 0.1, 1e-12);
        athlete_free(result);
        ck_assert_ok(athlete_agent_call(e.agent, "set_exploration_noise", "[0.3]", &result, &err), &err);
        athlete_free(result);
        ck_assert_ok(athlete_agent_call(e.agent, "exploration_noise", NULL, &result, &err), &err);
        ck_assert_double_eq_tol(strtod(result, NULL), 0.3, 1e-12);
        athlete_free(result);
    }
    athlete_agent_destroy(e.agent);
    athlete_env_destroy(e.env);
    athlete_registry_destroy(reg);
}
END_TEST

/* With warmup 0 the first reset_step finds the schedule ready and the buffer
 * empty; it must skip the update, not fail. The first step then learns. */
START_TEST(no_update_on_an_empty_buffer)
{
    const char *algorithm = algorithms[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    episode e = {0};
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &e.env, &err), &err);
    e.agent = make(reg, e.env, algorithm, 4, config(algorithm, 0, 1000, ""));
    begin(&e);
    expect_keys(e.info, "", algorithm, 0);
    advance(&e, false);
    ck_assert(has(e.info, "critic_loss"));
    if (strcmp(algorithm, "td3") == 0) { /* its actor at even after-warmup counts: not 1 */
        ck_assert(!has(e.info, "actor_loss"));
        advance(&e, false);
    }
    ck_assert(has(e.info, "actor_loss"));
    athlete_agent_destroy(e.agent);
    athlete_env_destroy(e.env);
    athlete_registry_destroy(reg);
}
END_TEST

/* A fixed temperature is alpha itself, and no temperature is learned or logged. */
START_TEST(sac_fixed_temperature_is_alpha)
{
    athlete_registry *reg = registry();
    athlete_error err;
    episode e = {0};
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &e.env, &err), &err);
    e.agent = make(reg, e.env, "sac", 5,
                   "{\"temperature\": 0.2, \"warmup_steps\": 3, \"replay_buffer_mini_batch_size\": 4,"
                   " \"critic_network_arguments\": {\"hidden_dims\": [8]}, \"critic_2_network_arguments\": {\"hidden_dims\": [8]},"
                   " \"actor_network_arguments\": {\"hidden_dims\": [8]}}");
    begin(&e);
    for (int k = 1; k <= 10; k++)
        advance(&e, false);
    expect_keys(e.info, "unscaled_action critic_loss actor_loss", "sac", 10);
    char *result = NULL;
    ck_assert_ok(athlete_agent_call(e.agent, "alpha", NULL, &result, &err), &err);
    ck_assert_double_eq_tol(strtod(result, NULL), 0.2, 1e-7);
    athlete_free(result);
    ck_assert_ok(athlete_agent_call(e.agent, "target_entropy", NULL, &result, &err), &err);
    ck_assert_str_eq(result, "null");
    athlete_free(result);
    athlete_agent_destroy(e.agent);
    athlete_env_destroy(e.env);
    athlete_registry_destroy(reg);
}
END_TEST

/* An absurd learning rate makes the networks diverge; the NaN (or inf) action is caught
 * by the core's action check and reported, never handed to the environment. */
START_TEST(divergence_is_reported_not_acted_on)
{
    const char *algorithm = algorithms[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    episode e = {0};
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &e.env, &err), &err);
    e.agent = make(reg, e.env, algorithm, 6,
                   config(algorithm, 6, 1000,
                          "\"critic_optimizer_arguments\": {\"lr\": 1e30}, \"actor_optimizer_arguments\": {\"lr\": 1e30}"));
    begin(&e);
    athlete_status st = ATHLETE_OK;
    int k = 0;
    for (; k < 2000 && st == ATHLETE_OK; k++) {
        float clipped[4];
        athlete_space_clip(athlete_env_action_space(e.env), e.action, clipped);
        ck_assert(isfinite(clipped[0])); /* nothing non-finite ever reached the environment */
        double reward;
        bool terminated, truncated;
        ck_assert_ok(athlete_env_step(e.env, clipped, 1, e.obs, &reward, &terminated, &truncated, &err), &err);
        st = athlete_agent_step(e.agent, e.obs, reward, terminated, truncated, &e.action, &e.info, &err);
        if (st == ATHLETE_OK && (terminated || truncated))
            begin(&e);
    }
    ck_assert_msg(st == ATHLETE_E_NON_FINITE, "%s: no divergence reported after %d steps (%s)", algorithm, k,
                  athlete_status_name(st));
    char expected[120];
    snprintf(expected, sizeof expected, "%s: training policy produced action[0] = ", algorithm);
    ck_assert_msg(strstr(err.message, expected) && strstr(err.message, "(did training diverge?)"),
                  "message: %s", err.message);
    printf("%s diverged after %d steps: %s\n", algorithm, k, err.message);
    /* the evaluation policy reports it as well */
    athlete_agent_eval(e.agent);
    snprintf(expected, sizeof expected, "%s: evaluation policy produced action[0] = ", algorithm);
    ck_assert_fails(athlete_agent_step(e.agent, e.obs, 0, false, false, &e.action, &e.info, &err), &err,
                    ATHLETE_E_NON_FINITE, expected);
    athlete_agent_destroy(e.agent);
    athlete_env_destroy(e.env);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(steps_allocate_nothing)
{
    const char *algorithm = algorithms[_i];
    count_allocations_begin();
    athlete_registry *reg = registry();
    athlete_error err;
    episode e = {0};
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &e.env, &err), &err);
    /* ddpg with coloured noise, td3 with OU noise: the noise paths too; a 300-transition
     * ring that wraps */
    const char *noise = strcmp(algorithm, "ddpg") == 0
                            ? "\"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 150}"
                        : strcmp(algorithm, "td3") == 0 ? "\"noise_process_class\": \"ornstein_uhlenbeck\""
                                                        : "";
    e.agent = make(reg, e.env, algorithm, 7, config(algorithm, 50, 300, noise));
    begin(&e);
    for (int k = 0; k < 400; k++) { /* past warmup, every buffer touched once */
        advance(&e, false);
        if (!e.action)
            begin(&e);
    }
    size_t before = allocation_count;
    for (int k = 0; k < 1000; k++) {
        advance(&e, false);
        if (!e.action)
            begin(&e);
    }
    ck_assert_msg(allocation_count == before, "%s: %zu allocations in 1000 steps", algorithm, allocation_count - before);
    /* evaluation steps too */
    athlete_agent_eval(e.agent);
    for (int k = 0; k < 100; k++)
        ck_assert_ok(athlete_agent_step(e.agent, e.obs, 0, false, false, &e.action, &e.info, &err), &err);
    ck_assert_uint_eq(allocation_count, before);
    athlete_agent_destroy(e.agent);
    athlete_env_destroy(e.env);
    athlete_registry_destroy(reg);
    count_allocations_end();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("offpolicy");
    TCase *tc = tcase_create("offpolicy");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, bad_spaces, 0, 3);
    tcase_add_test(tc, config_errors);
    tcase_add_test(tc, defaults_are_the_seeds);
    tcase_add_loop_test(tc, agent_info_through_warmup, 0, 3);
    tcase_add_loop_test(tc, no_update_on_an_empty_buffer, 0, 3);
    tcase_add_test(tc, sac_fixed_temperature_is_alpha);
    tcase_add_loop_test(tc, divergence_is_reported_not_acted_on, 0, 3);
    tcase_add_loop_test(tc, steps_allocate_nothing, 0, 3);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

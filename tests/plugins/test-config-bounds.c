/* Every key is bounded, through the real plugins: repetition counts, real-valued keys and
 * the total parameters of an agent's networks (max_parameters) are refused with the key and the bound
 * named, before anything of that size is allocated; the keys are described from the same
 * tables (athlete_registry_describe_config). */
#include <athlete/athlete.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <time.h>

#include "test-registry.h"
#include "test-util.h"

/* Observation Box(4) and Discrete(2) actions (dqn), Box(3) and Box(1) (the others). */
typedef struct spaces {
    size_t obs_shape[1], act_shape[1];
    float lo[4], hi[4];
    athlete_space box4, box3, box1, two;
} spaces;

static void make_spaces(spaces *s)
{
    s->obs_shape[0] = 4;
    s->act_shape[0] = 1;
    for (int i = 0; i < 4; i++) {
        s->lo[i] = -1.0f;
        s->hi[i] = 1.0f;
    }
    s->box4 = athlete_space_box(1, s->obs_shape, s->lo, s->hi);
    static const size_t three[1] = {3};
    s->box3 = athlete_space_box(1, three, s->lo, s->hi);
    s->box1 = athlete_space_box(1, s->act_shape, s->lo, s->hi);
    s->two = athlete_space_discrete(2);
}

static void expect_refused(athlete_registry *reg, const char *id, const athlete_space *obs, const athlete_space *act,
                           const char *overrides, const char *message)
{
    athlete_agent *agent = NULL;
    athlete_error err;
    ck_assert_fails(athlete_agent_create(reg, id, obs, act, NULL, overrides, &agent, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, message);
    ck_assert_str_eq(err.message, message);
    ck_assert_ptr_null(agent);
}

/* The weights and biases of an MLP, counted as the test's own arithmetic. */
static unsigned long long mlp(const unsigned long long *widths, int n)
{
    unsigned long long total = 0;
    for (int i = 0; i + 1 < n; i++)
        total += widths[i] * widths[i + 1] + widths[i + 1];
    return total;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

/* [65536, 65536] layers would take tens of gigabytes: refused at once with the total. */
START_TEST(total_parameters_refused_before_allocation)
{
    athlete_registry *reg = registry();
    spaces s;
    make_spaces(&s);
    char message[256];
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);

    unsigned long long q[] = {4, 65536, 65536, 2};
    snprintf(message, sizeof message,
             "dqn: dqn config: the agent would have %llu parameters, more than 'max_parameters' (50000000)",
             2 * mlp(q, 4)); /* the Q network and its target */
    expect_refused(reg, "dqn", &s.box4, &s.two, "{\"value_network_arguments\": {\"hidden_dims\": [65536, 65536]}}",
                   message);

    unsigned long long value[] = {3, 65536, 65536, 1}, actor[] = {3, 64, 64, 1};
    snprintf(message, sizeof message,
             "ppo: ppo config: the agent would have %llu parameters, more than 'max_parameters' (50000000)",
             mlp(value, 4) + mlp(actor, 4) + 1); /* value network, actor, log sigma */
    expect_refused(reg, "ppo", &s.box3, &s.box1, "{\"value_network_arguments\": {\"hidden_dims\": [65536, 65536]}}",
                   message);

    const char *const actor_critics[] = {"ddpg", "td3", "sac"};
    for (int a = 0; a < 3; a++) {
        const char *id = actor_critics[a];
        unsigned long long critic[] = {4, 65536, 65536, 1}, critic_2[] = {4, 400, 300, 1};
        bool sac = a == 2, twin = a > 0;
        unsigned long long policy[] = {3, 400, 300, sac ? 2 : 1};
        /* critics and their targets; the actor, and its target but in sac */
        unsigned long long total = 2 * mlp(critic, 4) + (twin ? 2 * mlp(critic_2, 4) : 0) + (sac ? 1 : 2) * mlp(policy, 4);
        snprintf(message, sizeof message,
                 "%s: %s config: the agent would have %llu parameters, more than 'max_parameters' (50000000)", id, id,
                 total);
        expect_refused(reg, id, &s.box3, &s.box1, "{\"critic_network_arguments\": {\"hidden_dims\": [65536, 65536]}}",
                       message);
    }

    ck_assert_msg(seconds_since(&start) < 2.0, "refusing took %.2f s", seconds_since(&start));
    athlete_registry_destroy(reg);
}
END_TEST

/* The ceiling is a key: lowered it refuses the defaults, raised it lets a large agent in. */
START_TEST(max_parameters_is_configurable)
{
    athlete_registry *reg = registry();
    spaces s;
    make_spaces(&s);
    unsigned long long q[] = {4, 256, 256, 2};
    char message[256];
    snprintf(message, sizeof message,
             "dqn: dqn config: the agent would have %llu parameters, more than 'max_parameters' (1000)", 2 * mlp(q, 4));
    expect_refused(reg, "dqn", &s.box4, &s.two, "{\"max_parameters\": 1000}", message);
    expect_refused(reg, "dqn", &s.box4, &s.two, "{\"max_parameters\": 0}",
                   "dqn: dqn config: 'max_parameters' must be >= 1, got 0");
    athlete_agent *agent = NULL;
    athlete_error err;
    const char big[] = "{\"value_network_arguments\": {\"hidden_dims\": [1024, 1024]}, \"replay_buffer_capacity\": 10,"
                       " \"replay_buffer_mini_batch_size\": 1, \"max_parameters\": %s}";
    char overrides[256];
    snprintf(overrides, sizeof overrides, big, "2000000");
    unsigned long long wide[] = {4, 1024, 1024, 2};
    snprintf(message, sizeof message,
             "dqn: dqn config: the agent would have %llu parameters, more than 'max_parameters' (2000000)",
             2 * mlp(wide, 4));
    expect_refused(reg, "dqn", &s.box4, &s.two, overrides, message);
    snprintf(overrides, sizeof overrides, big, "3000000");
    ck_assert_ok(athlete_agent_create(reg, "dqn", &s.box4, &s.two, NULL, overrides, &agent, &err), &err);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

/* Repetition counts and real-valued keys have upper bounds, named in the message. */
START_TEST(counts_and_reals_are_bounded)
{
    athlete_registry *reg = registry();
    spaces s;
    make_spaces(&s);
    static const struct {
        const char *id, *overrides, *message;
    } cases[] = {
        {"ppo", "{\"epochs_per_update\": 1e15}", "'epochs_per_update' must be <= 10000, got 1000000000000000"},
        {"ppo", "{\"optimizer_arguments\": {\"lr\": 1e308}}", "'optimizer_arguments.lr' must be <= 1e+30, got 1e+308"},
        {"ppo", "{\"steps_per_update\": 1e9}", "'steps_per_update' must be <= 10000000, got 1000000000"},
        {"ppo", "{\"policy_ratio_clip_value\": 100}", "'policy_ratio_clip_value' must be <= 10, got 100"},
        {"ppo", "{\"gradient_max_norm\": 1e300}", "'gradient_max_norm' must be <= 1e+06, got 1e+300"},
        {"ppo", "{\"entropy_loss_coefficient\": 1e9}", "'entropy_loss_coefficient' must be <= 1e+06, got 1e+09"},
        {"dqn", "{\"value_net_number_of_updates\": 1e15}",
         "'value_net_number_of_updates' must be <= 10000, got 1000000000000000"},
        {"dqn", "{\"optimizer_arguments.lr\": 1e308}", "'optimizer_arguments.lr' must be <= 1e+30, got 1e+308"},
        {"dqn", "{\"replay_buffer_capacity\": 9e8}", "'replay_buffer_capacity' must be <= 100000000, got 900000000"},
        {"dqn", "{\"epsilon_decay_steps\": 1e15}", "'epsilon_decay_steps' must be <= 1000000000000, got 1000000000000000"},
        {"ddpg", "{\"critic_number_of_updates\": 1e15}",
         "'critic_number_of_updates' must be <= 10000, got 1000000000000000"},
        {"td3", "{\"actor_number_of_updates\": 20000}", "'actor_number_of_updates' must be <= 10000, got 20000"},
        {"sac", "{\"actor_optimizer_arguments\": {\"lr\": 1e308}}",
         "'actor_optimizer_arguments.lr' must be <= 1e+30, got 1e+308"},
        {"ddpg", "{\"noise_process_arguments\": {\"noise_std\": 1e6}}",
         "'noise_process_arguments.noise_std' must be <= 1000, got 1e+06"},
        {"td3", "{\"target_noise_std\": 1e9}", "'target_noise_std' must be <= 1000, got 1e+09"},
        {"sac", "{\"temperature\": 1e9}", "'temperature' must be <= 1e+06, got 1e+09"},
        {"sac", "{\"target_entropy\": -1e9}", "'target_entropy' must be \"auto\" or in [-1e+06, 1e+06], got -1e+09"},
        {"q_learning", "{\"epsilon_decay_steps\": 1e15}",
         "'epsilon_decay_steps' must be <= 1000000000000, got 1000000000000000"},
    };
    athlete_space states = athlete_space_discrete(16), actions = athlete_space_discrete(4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *id = cases[i].id;
        const athlete_space *obs = &s.box3, *act = &s.box1;
        if (strcmp(id, "dqn") == 0) {
            obs = &s.box4;
            act = &s.two;
        } else if (strcmp(id, "q_learning") == 0) {
            obs = &states;
            act = &actions;
        }
        char message[256];
        snprintf(message, sizeof message, "%s: %s config: %s", id, id, cases[i].message);
        expect_refused(reg, id, obs, act, cases[i].overrides, message);
    }
    athlete_registry_destroy(reg);
}
END_TEST

/* The description of every key comes from the same table as the checks. */
START_TEST(keys_are_described)
{
    athlete_registry *reg = registry();
    athlete_error err;
    char *json = NULL;
    ck_assert_ok(athlete_registry_describe_config(reg, "dqn", &json, &err), &err);
    cJSON *keys = cJSON_Parse(json);
    ck_assert(cJSON_IsArray(keys));
    char *first = cJSON_PrintUnformatted(cJSON_GetArrayItem(keys, 0));
    ck_assert_str_eq(first, "{\"key\":\"discount\",\"type\":\"number\",\"default\":0.99,\"min\":0,\"max\":1,"
                            "\"min_exclusive\":false,\"max_exclusive\":false,"
                            "\"description\":\"discount factor of future rewards (gamma)\"}");
    /* every key of the defaults is described, in the defaults' order */
    char *defaults = NULL;
    ck_assert_ok(athlete_registry_default_config(reg, "dqn", false, &defaults, &err), &err);
    const cJSON *key;
    const char *previous = defaults;
    int n = 0;
    cJSON_ArrayForEach(key, keys)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key, "key"));
        const char *leaf = strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
        char quoted[96];
        snprintf(quoted, sizeof quoted, "\"%s\":", leaf);
        const char *at = strstr(previous, quoted);
        ck_assert_msg(at != NULL, "%s is not in the defaults after the previous key: %s", name, defaults);
        previous = at;
        ck_assert(*cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key, "description")) != '\0');
        n++;
    }
    ck_assert_int_eq(n, 18);
    athlete_free(defaults);
    athlete_free(first);
    cJSON_Delete(keys);
    athlete_free(json);
    ck_assert_fails(athlete_registry_describe_config(reg, "dqm", &json, &err), &err, ATHLETE_E_UNKNOWN_ALGORITHM,
                    "algorithm 'dqm' not found in the registry");
    athlete_registry_destroy(reg);
}
END_TEST

static athlete_status no_build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    (void)args;
    (void)parts;
    return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "not built in this test");
}

/* An algorithm without a table (ABI 1.0's defaults text) is described by its keys and types. */
START_TEST(defaults_without_a_table_are_described)
{
    athlete_registry *reg = registry();
    athlete_error err;
    static const athlete_algorithm plain = {
        .struct_size = sizeof(athlete_algorithm), .id = "plain", .summary = "x",
        .default_config = "{\"a\": 1, \"nested\": {\"b\": \"x\"}}", .build = no_build,
    };
    ck_assert_ok(athlete_registry_register(reg, &plain, &err), &err);
    char *json = NULL;
    ck_assert_ok(athlete_registry_describe_config(reg, "plain", &json, &err), &err);
    ck_assert_str_eq(json, "[{\"key\":\"a\",\"type\":\"number\",\"default\":1,\"min\":null,\"max\":null,\"description\":\"\"},"
                           "{\"key\":\"nested.b\",\"type\":\"string\",\"default\":\"x\",\"min\":null,\"max\":null,"
                           "\"description\":\"\"}]");
    athlete_free(json);
    athlete_registry_destroy(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config-bounds");
    TCase *tc = tcase_create("bounds");
    tcase_add_test(tc, total_parameters_refused_before_allocation);
    tcase_add_test(tc, max_parameters_is_configurable);
    tcase_add_test(tc, counts_and_reals_are_bounded);
    tcase_add_test(tc, keys_are_described);
    tcase_add_test(tc, defaults_without_a_table_are_described);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

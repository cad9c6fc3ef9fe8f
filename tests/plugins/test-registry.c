/* The registry and loader: scanning, ABI acceptance rules, diagnostics, in-process
 * registration, default configurations. */
#include <athlete/athlete.h>

#include <stdio.h>
#include <stdlib.h>

#include "test-util.h"

static athlete_registry *hermetic_registry(void)
{
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    return reg;
}

static const char *fixture(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/fixture-%s.so", getenv("ATHLETE_FIXTURES_DIR"), name);
    return path;
}

START_TEST(scan_finds_q_learning)
{
    athlete_registry *reg = hermetic_registry();
    const char *const *ids;
    size_t n = athlete_registry_list(reg, &ids);
    bool found = false;
    for (size_t i = 0; i < n; i++)
        found |= strcmp(ids[i], "q_learning") == 0;
    ck_assert(found);
    const athlete_plugin_diagnostic *diag;
    size_t nd = athlete_registry_diagnostics(reg, &diag);
    ck_assert_uint_ge(nd, 1);
    bool loaded = false;
    for (size_t i = 0; i < nd; i++)
        if (strstr(diag[i].path, "athlete-q_learning.so")) {
            ck_assert_int_eq(diag[i].status, ATHLETE_OK);
            ck_assert_str_eq(diag[i].message, "loaded plugin 'q_learning' 1.0.0: q_learning");
            loaded = true;
        }
    ck_assert(loaded);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(default_config_is_a_copy)
{
    athlete_registry *reg = hermetic_registry();
    athlete_error err;
    char *json = NULL;
    ck_assert_ok(athlete_registry_default_config(reg, "q_learning", false, &json, &err), &err);
    ck_assert_str_eq(json, "{\"discount\":0.9,\"learning_rate\":0.1,\"start_epsilon\":1,\"end_epsilon\":0.1,"
                           "\"warmup_steps\":0,\"epsilon_decay_steps\":100}");
    athlete_free(json);
    ck_assert_fails(athlete_registry_default_config(reg, "dqm", false, &json, &err), &err,
                    ATHLETE_E_UNKNOWN_ALGORITHM, "algorithm 'dqm' not found in the registry");
    athlete_registry_destroy(reg);
}
END_TEST

typedef struct {
    const char *fixture;
    athlete_status status;
    const char *message; /* after the path */
} broken_case;

START_TEST(broken_plugins_are_rejected_with_their_reason)
{
    static const broken_case cases[] = {
        {"wrong-abi-major", ATHLETE_E_PLUGIN_ABI, "' was built for ABI 2.x; this runtime provides 1.1"},
        {"minor-too-new", ATHLETE_E_PLUGIN_ABI, "' was built for ABI 1.6, newer than the runtime (1.1)"},
        {"fingerprint-mismatch", ATHLETE_E_PLUGIN_ABI,
         "' has ABI fingerprint 0x88 (real size 8, pointer size 8); this runtime has 0x48 (4, 8)"},
        {"no-entry-symbol", ATHLETE_E_PLUGIN_INVALID, "' is not an Athlete plugin (no symbol athlete_plugin_entry)"},
        {"null-build", ATHLETE_E_PLUGIN_INVALID, ": algorithm 'fixture_null_build' has no build function"},
        {"invalid-defaults", ATHLETE_E_PLUGIN_INVALID,
         ": invalid default configuration: fixture_bad_json config: the defaults is not valid JSON (error at byte 25)"},
        {"duplicate-id", ATHLETE_E_DUPLICATE_ID, ": algorithm id 'q_learning' is already registered by "},
        {"unresolved-symbol", ATHLETE_E_PLUGIN_LOAD, "undefined symbol: athlete_fixture_function_that_does_not_exist"},
        {"invalid-id", ATHLETE_E_PLUGIN_INVALID, ": algorithm id 'Bad-Id' is invalid (1-63 characters of [a-z0-9_])"},
        {"bad-method-signature", ATHLETE_E_PLUGIN_INVALID,
         ": algorithm 'fixture_method': method 'value' has an invalid signature 'q(x)'"},
        {"descriptor-too-small", ATHLETE_E_PLUGIN_ABI, "' has a descriptor of 48 bytes, smaller than ABI 1.0's 56"},
    };
    athlete_registry *reg = hermetic_registry();
    const char *const *ids;
    size_t before = athlete_registry_list(reg, &ids);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        athlete_error err;
        athlete_error_clear(&err);
        const char *path = fixture(cases[i].fixture);
        athlete_status st = athlete_registry_load_plugin(reg, path, &err);
        ck_assert_msg(st == cases[i].status, "%s: got %s (%s)", cases[i].fixture, athlete_status_name(st), err.message);
        /* The whole path when it fits; from a deep directory, at least the file's name. */
        const char *named = strlen(path) < 120 ? path : strrchr(path, '/') + 1;
        ck_assert_msg(strstr(err.message, named) != NULL, "%s: message lacks the path: %s", cases[i].fixture, err.message);
        ck_assert_msg(strstr(err.message, cases[i].message) != NULL, "%s: message '%s' lacks '%s'", cases[i].fixture,
                      err.message, cases[i].message);
    }
    /* Nothing of any broken plugin was registered. */
    ck_assert_uint_eq(athlete_registry_list(reg, &ids), before);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(a_bad_file_never_aborts_the_scan)
{
    /* Fixtures first, then the real plugins: every file gets a diagnostic and the good
     * plugins still load; the fixture claiming 'q_learning' does not win because... it
     * comes first on the path, so it wins and the real one is the duplicate. */
    char path[2048];
    snprintf(path, sizeof path, "%s::%s", getenv("ATHLETE_FIXTURES_DIR"), getenv("ATHLETE_PLUGIN_PATH"));
    athlete_registry_options options = {sizeof options, path, true, false};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    const athlete_plugin_diagnostic *diag;
    size_t nd = athlete_registry_diagnostics(reg, &diag);
    ck_assert_uint_ge(nd, 11);
    /* Sorted bytewise within a directory. */
    for (size_t i = 1; i < 10; i++)
        ck_assert_int_lt(strcmp(diag[i - 1].path, diag[i].path), 0);
    bool real_rejected = false;
    for (size_t i = 0; i < nd; i++)
        if (strstr(diag[i].path, "athlete-q_learning.so")) {
            ck_assert_int_eq(diag[i].status, ATHLETE_E_DUPLICATE_ID);
            ck_assert(strstr(diag[i].message, "fixture-duplicate-id.so") != NULL); /* names both files */
            real_rejected = true;
        }
    ck_assert(real_rejected);
    const athlete_plugin *plugin;
    const char *origin;
    ck_assert_ok(athlete_registry_find(reg, "q_learning", NULL, &plugin, &origin, &err), &err);
    ck_assert_str_eq(plugin->name, "fixture");
    athlete_registry_destroy(reg);
}
END_TEST

static athlete_status inprocess_build(const athlete_build_args *args, athlete_parts *out, athlete_error *err)
{
    (void)args;
    (void)out;
    return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "not buildable");
}

START_TEST(register_in_process_validates_like_a_plugin)
{
    athlete_registry_options options = {sizeof options, NULL, true, true};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    static const athlete_algorithm good = {sizeof(athlete_algorithm), "my_algo", "x", "{\"a\": 1}", NULL, NULL,
                                           inprocess_build, NULL, NULL};
    static const athlete_algorithm no_build = {sizeof(athlete_algorithm), "other", "x", "{}", NULL, NULL, NULL, NULL, NULL};
    static const athlete_algorithm bad_json = {sizeof(athlete_algorithm), "other", "x", "[1]", NULL, NULL,
                                               inprocess_build, NULL, NULL};
    ck_assert_ok(athlete_registry_register(reg, &good, &err), &err);
    ck_assert_fails(athlete_registry_register(reg, &good, &err), &err, ATHLETE_E_DUPLICATE_ID,
                    "register: algorithm id 'my_algo' is already registered by the host program");
    ck_assert_fails(athlete_registry_register(reg, &no_build, &err), &err, ATHLETE_E_PLUGIN_INVALID,
                    "register: algorithm 'other' has no build function");
    ck_assert_fails(athlete_registry_register(reg, &bad_json, &err), &err, ATHLETE_E_PLUGIN_INVALID,
                    "register: invalid default configuration: other config: the defaults must be a JSON object");
    const char *const *ids;
    ck_assert_uint_eq(athlete_registry_list(reg, &ids), 1);
    ck_assert_str_eq(ids[0], "my_algo");
    /* The factory's failure reaches the caller with the algorithm named. */
    size_t shape[1] = {1};
    float lo[1] = {0}, hi[1] = {1};
    athlete_space box = athlete_space_box(1, shape, lo, hi);
    athlete_agent *agent = NULL;
    uint64_t seed = 0;
    ck_assert_fails(athlete_agent_create(reg, "my_algo", &box, &box, &seed, NULL, &agent, &err), &err,
                    ATHLETE_E_UNSUPPORTED, "my_algo: not buildable");
    ck_assert_ptr_null(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(a_plugin_built_against_abi_1_0_loads)
{
    athlete_registry *reg = hermetic_registry();
    athlete_error err;
    ck_assert_ok(athlete_registry_load_plugin(reg, fixture("abi-1-0"), &err), &err);
    const athlete_plugin *plugin;
    ck_assert_ok(athlete_registry_find(reg, "fixture_abi_1_0", NULL, &plugin, NULL, &err), &err);
    ck_assert_str_eq(plugin->name, "fixture_1_0");
    char *json = NULL;
    ck_assert_ok(athlete_registry_default_config(reg, "fixture_abi_1_0", false, &json, &err), &err);
    ck_assert_str_eq(json, "{\"discount\":0.5}");
    athlete_free(json);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(structs_older_than_abi_1_0_are_refused)
{
    athlete_registry_options options = {sizeof options, NULL, true, true};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    athlete_algorithm small = {offsetof(athlete_algorithm, methods), "small", "x", "{}", NULL, NULL,
                               inprocess_build, NULL, NULL};
    ck_assert_fails(athlete_registry_register(reg, &small, &err), &err, ATHLETE_E_PLUGIN_ABI,
                    "register: algorithm descriptor of 56 bytes, smaller than ABI 1.0's 64");
    athlete_registry_destroy(reg);
    athlete_registry *none = NULL;
    options.struct_size = offsetof(athlete_registry_options, skip_scan);
    ck_assert_fails(athlete_registry_create(&options, &none, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "registry_create: options.struct_size is 17, smaller than ABI 1.0's 18");
    ck_assert_ptr_null(none);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("registry");
    tcase_add_test(tc, scan_finds_q_learning);
    tcase_add_test(tc, default_config_is_a_copy);
    tcase_add_test(tc, broken_plugins_are_rejected_with_their_reason);
    tcase_add_test(tc, a_bad_file_never_aborts_the_scan);
    tcase_add_test(tc, register_in_process_validates_like_a_plugin);
    tcase_add_test(tc, a_plugin_built_against_abi_1_0_loads);
    tcase_add_test(tc, structs_older_than_abi_1_0_are_refused);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Configuration: defaults as the schema, typed overrides, nested keys, messages. */
#include <athlete/alloc.h>
#include <athlete/config.h>

#include <math.h>

#include "test-util.h"

static const char defaults[] =
    "{\"discount\": 0.99, \"batch\": 128, \"double_q\": false, \"criteria\": \"mse\", \"tau\": null,"
    " \"optimizer_arguments\": {\"lr\": 6.3e-4, \"eps\": 1e-8}, \"hidden_dims\": [256, 256], \"temperature\": \"auto\","
    " \"initial_temperature\": 1.0}";
static const char types[] = "{\"temperature\": [\"string\", \"number\"]}";

static athlete_config *make(const char *overrides, athlete_error *err, athlete_status *st)
{
    athlete_config *c = NULL;
    *st = athlete_config_create("dqn", defaults, types, overrides, &c, err);
    return c;
}

START_TEST(defaults_and_getters)
{
    athlete_error err;
    athlete_status st;
    athlete_config *c = make(NULL, &err, &st);
    ck_assert_ok(st, &err);
    double d;
    int64_t i;
    bool b;
    const char *s;
    ck_assert_ok(athlete_config_get_real(c, "discount", &d, &err), &err);
    ck_assert_double_eq(d, 0.99);
    ck_assert_ok(athlete_config_get_int(c, "batch", &i, &err), &err);
    ck_assert_int_eq(i, 128);
    ck_assert_ok(athlete_config_get_bool(c, "double_q", &b, &err), &err);
    ck_assert(!b);
    ck_assert_ok(athlete_config_get_string(c, "criteria", &s, &err), &err);
    ck_assert_str_eq(s, "mse");
    ck_assert_ok(athlete_config_get_real(c, "optimizer_arguments.lr", &d, &err), &err);
    ck_assert_double_eq(d, 6.3e-4);
    int64_t dims[4];
    size_t n;
    ck_assert_ok(athlete_config_get_int_array(c, "hidden_dims", dims, 4, &n, &err), &err);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(dims[1], 256);
    ck_assert(athlete_config_is_null(c, "tau"));
    ck_assert_fails(athlete_config_get_int(c, "discount", &i, &err), &err, ATHLETE_E_CONFIG_TYPE,
                    "dqn config: 'discount' expects an integer, got 0.98999999999999999");
    ck_assert_fails(athlete_config_get_real(c, "nope", &d, &err), &err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "dqn config: no key 'nope'");
    athlete_config_destroy(c);
}
END_TEST

START_TEST(overrides)
{
    athlete_error err;
    athlete_status st;
    athlete_config *c = make("{\"batch\": 64, \"tau\": 0.005, \"optimizer_arguments\": {\"lr\": 0.001},"
                             " \"hidden_dims\": [64, 64, 32], \"temperature\": 0.2, \"initial_temperature\": 2,"
                             " \"optimizer_arguments.eps\": 1e-5}",
                             &err, &st);
    ck_assert_ok(st, &err);
    double d;
    int64_t i;
    ck_assert_ok(athlete_config_get_int(c, "batch", &i, &err), &err);
    ck_assert_int_eq(i, 64);
    ck_assert_ok(athlete_config_get_real(c, "tau", &d, &err), &err);
    ck_assert_double_eq(d, 0.005);
    /* Nested objects merge key by key: eps survives an override of lr alone. */
    ck_assert_ok(athlete_config_get_real(c, "optimizer_arguments.lr", &d, &err), &err);
    ck_assert_double_eq(d, 0.001);
    ck_assert_ok(athlete_config_get_real(c, "optimizer_arguments.eps", &d, &err), &err);
    ck_assert_double_eq(d, 1e-5);
    ck_assert(!athlete_config_is_string(c, "temperature"));
    ck_assert_ok(athlete_config_get_real(c, "initial_temperature", &d, &err), &err);
    ck_assert_double_eq(d, 2.0);
    char *json;
    ck_assert_ok(athlete_config_to_json(c, false, &json, &err), &err);
    ck_assert(strstr(json, "\"hidden_dims\":[64,64,32]") != NULL);
    athlete_free(json);
    athlete_config_destroy(c);
}
END_TEST

START_TEST(errors_name_the_problem)
{
    athlete_error err;
    athlete_status st;
    ck_assert_ptr_null(make("{\"batch_size\": 64}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_UNKNOWN_KEY, "dqn config: unknown key 'batch_size'; did you mean 'batch'?");
    ck_assert_ptr_null(make("{\"lr\": 0.1}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_UNKNOWN_KEY, "unknown key 'lr'; did you mean 'optimizer_arguments.lr'?");
    ck_assert_ptr_null(make("{\"learning_rate\": 0.1}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_UNKNOWN_KEY, "unknown key 'learning_rate'; did you mean 'optimizer_arguments.lr'?");
    ck_assert_ptr_null(make("{\"zzzzzzzzzz\": 1}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_UNKNOWN_KEY, "unknown key 'zzzzzzzzzz' (see the default configuration)");
    ck_assert_ptr_null(make("{\"batch\": 32.5}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "dqn config: 'batch' expects an integer, got 32.5");
    ck_assert_ptr_null(make("{\"double_q\": 1}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'double_q' expects a boolean, got 1");
    ck_assert_ptr_null(make("{\"criteria\": 3}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'criteria' expects a string, got 3");
    ck_assert_ptr_null(make("{\"tau\": \"x\"}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'tau' expects a number or null, got the string \"x\"");
    ck_assert_ptr_null(make("{\"hidden_dims\": [64, 6.5]}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'hidden_dims'[1] expects an integer, got 6.5");
    ck_assert_ptr_null(make("{\"optimizer_arguments\": 3}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'optimizer_arguments' expects an object, got 3");
    ck_assert_ptr_null(make("{\"temperature\": true}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_CONFIG_TYPE, "'temperature' expects a number or a string, got true");
    ck_assert_ptr_null(make("[1, 2]", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_INVALID_ARGUMENT, "dqn config: the overrides must be a JSON object");
    ck_assert_ptr_null(make("{\"batch\": 1,}", &err, &st));
    ck_assert_fails(st, &err, ATHLETE_E_INVALID_ARGUMENT, "dqn config: the overrides is not valid JSON (error at byte 13)");
}
END_TEST

START_TEST(apply_is_atomic)
{
    athlete_error err;
    athlete_status st;
    athlete_config *c = make(NULL, &err, &st);
    ck_assert_ok(st, &err);
    ck_assert_fails(athlete_config_apply(c, "{\"batch\": 32, \"oops\": 1}", &err), &err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                    "'oops'");
    int64_t i;
    ck_assert_ok(athlete_config_get_int(c, "batch", &i, &err), &err);
    ck_assert_int_eq(i, 128); /* the valid part of the failed override was not applied */
    athlete_config_destroy(c);
}
END_TEST

/* The range-checked getters: one message shape "<owner> config: '<key>' must be ..., got ...". */
START_TEST(range_checked_getters)
{
    athlete_error err;
    athlete_status st;
    athlete_config *c = make("{\"batch\": 0, \"discount\": 1.5, \"hidden_dims\": [64, 0]}", &err, &st);
    ck_assert_ok(st, &err);
    int64_t i;
    double d;
    ck_assert_ok(athlete_config_get_int_min(c, "batch", 0, &i, &err), &err);
    ck_assert_int_eq(i, 0);
    ck_assert_fails(athlete_config_get_int_min(c, "batch", 1, &i, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "dqn config: 'batch' must be >= 1, got 0");
    ck_assert_fails(athlete_config_get_int_min(c, "discount", 1, &i, &err), &err, ATHLETE_E_CONFIG_TYPE,
                    "'discount' expects an integer");
    ck_assert_fails(athlete_config_get_real_in(c, "discount", 0, 1, false, "in [0, 1]", &d, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "dqn config: 'discount' must be in [0, 1], got 1.5");
    ck_assert_ok(athlete_config_get_real_in(c, "discount", 0, 2, false, "in [0, 2]", &d, &err), &err);
    ck_assert_double_eq(d, 1.5);
    /* low_open: the low end itself fails */
    ck_assert_ok(athlete_config_get_real_in(c, "initial_temperature", 0, 1, true, "in (0, 1]", &d, &err), &err);
    ck_assert_ok(athlete_config_apply(c, "{\"initial_temperature\": 0}", &err), &err);
    ck_assert_ok(athlete_config_get_real_in(c, "initial_temperature", 0, 1, false, "in [0, 1]", &d, &err), &err);
    ck_assert_fails(athlete_config_get_real_in(c, "initial_temperature", 0, 1, true, "in (0, 1]", &d, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "dqn config: 'initial_temperature' must be in (0, 1], got 0");
    ck_assert_ok(athlete_config_get_real_in(c, "discount", 0, INFINITY, true, "> 0", &d, &err), &err);
    /* null or a number */
    d = 7;
    ck_assert_ok(athlete_config_get_optional_real_in(c, "tau", 0, 1, true, "null or in (0, 1]", &d, &err), &err);
    ck_assert_double_eq(d, 0.0);
    ck_assert_ok(athlete_config_apply(c, "{\"tau\": 0.5}", &err), &err);
    ck_assert_ok(athlete_config_get_optional_real_in(c, "tau", 0, 1, true, "null or in (0, 1]", &d, &err), &err);
    ck_assert_double_eq(d, 0.5);
    ck_assert_ok(athlete_config_apply(c, "{\"tau\": 2}", &err), &err);
    ck_assert_fails(athlete_config_get_optional_real_in(c, "tau", 0, 1, true, "null or in (0, 1]", &d, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "dqn config: 'tau' must be null or in (0, 1], got 2");
    /* sizes */
    size_t sizes[4], n;
    ck_assert_fails(athlete_config_get_sizes(c, "hidden_dims", 1, 65536, sizes, 4, &n, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "dqn config: 'hidden_dims'[1] must be in [1, 65536], got 0");
    ck_assert_ok(athlete_config_apply(c, "{\"hidden_dims\": [64, 32, 16]}", &err), &err);
    ck_assert_ok(athlete_config_get_sizes(c, "hidden_dims", 1, 65536, sizes, 4, &n, &err), &err);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(sizes[0], 64);
    ck_assert_uint_eq(sizes[2], 16);
    ck_assert_fails(athlete_config_get_sizes(c, "hidden_dims", 1, 65536, sizes, 2, &n, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "hidden_dims");
    ck_assert_fails(athlete_config_value_error(c, "criteria", "\"mse\" or \"huber\"", 3, &err), &err,
                    ATHLETE_E_CONFIG_VALUE, "dqn config: 'criteria' must be \"mse\" or \"huber\", got 3");
    athlete_config_destroy(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, defaults_and_getters);
    tcase_add_test(tc, overrides);
    tcase_add_test(tc, errors_name_the_problem);
    tcase_add_test(tc, apply_is_atomic);
    tcase_add_test(tc, range_checked_getters);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

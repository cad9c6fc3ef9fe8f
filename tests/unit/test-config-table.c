/* Configuration tables: the defaults written from the table, the range rules and their
 * messages, the limit, null and "auto", enums and size lists, the settings filled, the
 * table's own validation, the parameter budget and the description. */
#include <athlete/alloc.h>
#include <athlete/config-table.h>

#include <stdio.h>

#include "test-util.h"

typedef struct settings {
    double rate, tau, temperature;
    int64_t steps, count;
    bool flag;
    int loss;
    athlete_config_sizes hidden;
} settings;

static const char *const losses[] = {"mse", "huber", "l1", NULL};

static const athlete_config_key keys[] = {
    {.name = "rate", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings, rate), .default_value = 0.5, .min = 0,
     .max = 1, .description = "a rate"},
    {.name = "nested.steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(settings, steps), .default_value = 10,
     .min = 1, .max = INFINITY, .limit = 1000, .description = "steps"},
    {.name = "flag", .type = ATHLETE_CONFIG_BOOL, ATHLETE_CONFIG_FIELD(settings, flag), .default_value = 1,
     .description = "a flag"},
    {.name = "nested.hidden", .type = ATHLETE_CONFIG_SIZES, ATHLETE_CONFIG_FIELD(settings, hidden),
     .default_sizes = (const size_t[]){8, 4}, .default_count = 2, .max_count = 3, .min = 1, .max = 64,
     .flags = ATHLETE_CONFIG_NONEMPTY, .description = "widths"},
    {.name = "tau", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings, tau),
     .flags = ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = 1, .min = 0,
     .max = 1, .description = "null: a hard copy"},
    {.name = "temperature", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(settings, temperature),
     .flags = ATHLETE_CONFIG_AUTO | ATHLETE_CONFIG_DEFAULT_ABSENT | ATHLETE_CONFIG_MIN_OPEN, .absent = -1, .min = 0,
     .max = INFINITY, .rule = "\"auto\" or a finite number > 0", .description = "alpha"},
    {.name = "loss", .type = ATHLETE_CONFIG_ENUM, ATHLETE_CONFIG_FIELD(settings, loss), .choices = losses,
     .default_choice = "huber", .description = "the loss"},
    {.name = "count", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(settings, count), .default_value = 3,
     .min = -INFINITY, .max = INFINITY, .description = "any integer"},
};
ATHLETE_CONFIG_TABLE_DEFINE(table, settings, keys);

START_TEST(defaults_are_written_from_the_table)
{
    athlete_error err;
    char *json = NULL;
    ck_assert_ok(athlete_config_table_validate(&table, "t", &err), &err);
    ck_assert_ok(athlete_config_table_defaults(&table, &json, &err), &err);
    /* reals keep a decimal point, so an override of 0.25 for "rate" is a number, not an integer */
    ck_assert_str_eq(json, "{\"rate\":0.5,\"nested\":{\"steps\":10,\"hidden\":[8,4]},\"flag\":true,\"tau\":null,"
                           "\"temperature\":\"auto\",\"loss\":\"huber\",\"count\":3}");
    athlete_free(json);
    athlete_config *c = NULL;
    ck_assert_ok(athlete_config_table_create(&table, "t", "{\"rate\": 1, \"nested.steps\": 20, \"tau\": 0.5,"
                                                          " \"temperature\": 0.2, \"loss\": \"l1\"}", &c, &err),
                 &err);
    settings s;
    ck_assert_ok(athlete_config_table_read(&table, c, &s, &err), &err);
    ck_assert(s.rate == 1.0 && s.steps == 20 && s.flag && s.tau == 0.5 && s.temperature == 0.2 && s.loss == 2 &&
              s.count == 3);
    ck_assert_uint_eq(s.hidden.count, 2);
    ck_assert_uint_eq(s.hidden.values[0], 8);
    ck_assert_uint_eq(s.hidden.values[1], 4);
    athlete_config_destroy(c);
    /* null and "auto" give the key's stand-in */
    ck_assert_ok(athlete_config_table_create(&table, "t", NULL, &c, &err), &err);
    ck_assert_ok(athlete_config_table_read(&table, c, &s, &err), &err);
    ck_assert(s.tau == 1.0 && s.temperature == -1.0);
    athlete_config_destroy(c);
    /* types are checked by the configuration built from the table */
    ck_assert_fails(athlete_config_table_create(&table, "t", "{\"nested.steps\": 2.5}", &c, &err), &err,
                    ATHLETE_E_CONFIG_TYPE, "t config: 'nested.steps' expects an integer, got 2.5");
    ck_assert_fails(athlete_config_table_create(&table, "t", "{\"tau\": \"x\"}", &c, &err), &err, ATHLETE_E_CONFIG_TYPE,
                    "t config: 'tau' expects a number or null, got the string \"x\"");
    ck_assert_fails(athlete_config_table_create(&table, "t", "{\"temperature\": true}", &c, &err), &err,
                    ATHLETE_E_CONFIG_TYPE, "t config: 'temperature' expects a number or a string, got true");
    ck_assert_fails(athlete_config_table_create(&table, "t", "{\"nested\": {\"hidden\": [1, 2.5]}}", &c, &err), &err,
                    ATHLETE_E_CONFIG_TYPE, "t config: 'nested.hidden'[1] expects an integer, got 2.5");
    ck_assert_fails(athlete_config_table_create(&table, "t", "{\"rat\": 1}", &c, &err), &err,
                    ATHLETE_E_CONFIG_UNKNOWN_KEY, "t config: unknown key 'rat'; did you mean 'rate'?");
}
END_TEST

START_TEST(ranges_have_one_message_shape)
{
    static const struct {
        const char *overrides, *message;
    } cases[] = {
        {"{\"rate\": 1.5}", "t config: 'rate' must be in [0, 1], got 1.5"},
        {"{\"nested.steps\": 0}", "t config: 'nested.steps' must be >= 1, got 0"},
        {"{\"nested.steps\": 1e15}", "t config: 'nested.steps' must be <= 1000, got 1000000000000000"},
        {"{\"tau\": 0}", "t config: 'tau' must be null or in (0, 1], got 0"},
        {"{\"temperature\": -0.5}", "t config: 'temperature' must be \"auto\" or a finite number > 0, got -0.5"},
        {"{\"temperature\": \"manual\"}", "t config: 'temperature' must be \"auto\" or a number, got \"manual\""},
        {"{\"loss\": \"hinge\"}", "t config: 'loss' must be \"mse\", \"huber\" or \"l1\", got \"hinge\""},
        {"{\"nested.hidden\": [8, 0]}", "t config: 'nested.hidden'[1] must be in [1, 64], got 0"},
        {"{\"nested.hidden\": []}", "t config: 'nested.hidden' needs at least one element"},
        {"{\"nested.hidden\": [1, 2, 3, 4]}", "t config: 'nested.hidden' has 4 elements, at most 3 are supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        athlete_error err;
        athlete_config *c = NULL;
        ck_assert_ok(athlete_config_table_create(&table, "t", cases[i].overrides, &c, &err), &err);
        settings s = {.rate = 42};
        ck_assert_fails(athlete_config_table_read(&table, c, &s, &err), &err, ATHLETE_E_CONFIG_VALUE, cases[i].message);
        ck_assert_str_eq(err.message, cases[i].message);
        ck_assert_fails(athlete_config_table_read(&table, c, NULL, &err), &err, ATHLETE_E_CONFIG_VALUE,
                        cases[i].message); /* checking only */
        athlete_config_destroy(c);
    }
}
END_TEST

typedef struct small_settings {
    double x;
    int32_t narrow;
} small_settings;

START_TEST(tables_are_validated)
{
    athlete_error err;
    static const athlete_config_key wrong_field[] = {
        {.name = "narrow", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(small_settings, narrow), .min = 0,
         .max = 1, .description = "an int64_t key on an int32_t field"},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(wrong_field_table, small_settings, wrong_field);
    ck_assert_fails(athlete_config_table_validate(&wrong_field_table, "t", &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "t config table: 'narrow' needs a settings field of 8 bytes inside the 16-byte settings");
    static const athlete_config_key outside[] = {
        {.name = "x", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(small_settings, x), .default_value = 2,
         .min = 0, .max = 1, .description = "a default outside its range"},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(outside_table, small_settings, outside);
    ck_assert_fails(athlete_config_table_validate(&outside_table, "t", &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "defaults: t config: 'x' must be in [0, 1], got 2");
    static const athlete_config_key twice[] = {
        {.name = "x", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(small_settings, x), .min = 0, .max = 1,
         .description = "x"},
        {.name = "x.y", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(small_settings, x), .min = 0, .max = 1,
         .description = "inside x"},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(twice_table, small_settings, twice);
    ck_assert_fails(athlete_config_table_validate(&twice_table, "t", &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "config table: key 'x.y' is declared twice or inside another key");
    static const athlete_config_key bad_name[] = {
        {.name = "Rate", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(small_settings, x), .min = 0, .max = 1,
         .description = "upper case"},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(bad_name_table, small_settings, bad_name);
    ck_assert_fails(athlete_config_table_validate(&bad_name_table, "t", &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "t config table: key name 'Rate' is invalid");
    static const athlete_config_key undescribed[] = {
        {.name = "x", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(small_settings, x), .min = 0, .max = 1},
    };
    ATHLETE_CONFIG_TABLE_DEFINE(undescribed_table, small_settings, undescribed);
    ck_assert_fails(athlete_config_table_validate(&undescribed_table, "t", &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "t config table: 'x' has no description");
}
END_TEST

START_TEST(parameter_budget)
{
    size_t widths[] = {4, 64, 64, 2};
    ck_assert_uint_eq(athlete_config_mlp_parameters(widths, 4), 4 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
    size_t huge[] = {SIZE_MAX, SIZE_MAX, 2};
    ck_assert_uint_eq(athlete_config_mlp_parameters(huge, 3), UINT64_MAX); /* saturates */
    athlete_error err;
    athlete_config *c = NULL;
    ck_assert_ok(athlete_config_table_create(&table, "t", NULL, &c, &err), &err);
    ck_assert_ok(athlete_config_check_parameters(c, 100, 100, &err), &err);
    ck_assert_fails(athlete_config_check_parameters(c, 101, 100, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "t config: the agent would have 101 parameters, more than 'max_parameters' (100)");
    athlete_config_destroy(c);
}
END_TEST

START_TEST(keys_are_described)
{
    athlete_error err;
    char *json = NULL;
    ck_assert_ok(athlete_config_table_describe(&table, &json, &err), &err);
    ck_assert_str_eq(json,
                     "[{\"key\":\"rate\",\"type\":\"number\",\"default\":0.5,\"min\":0,\"max\":1,\"min_exclusive\":false,"
                     "\"max_exclusive\":false,\"description\":\"a rate\"},"
                     "{\"key\":\"nested.steps\",\"type\":\"integer\",\"default\":10,\"min\":1,\"max\":1000,"
                     "\"min_exclusive\":false,\"max_exclusive\":false,\"description\":\"steps\"},"
                     "{\"key\":\"flag\",\"type\":\"boolean\",\"default\":true,\"min\":null,\"max\":null,"
                     "\"description\":\"a flag\"},"
                     "{\"key\":\"nested.hidden\",\"type\":\"list of integers\",\"default\":[8,4],\"min\":1,\"max\":64,"
                     "\"min_exclusive\":false,\"max_exclusive\":false,\"description\":\"widths\"},"
                     "{\"key\":\"tau\",\"type\":\"number or null\",\"default\":null,\"min\":0,\"max\":1,"
                     "\"min_exclusive\":true,\"max_exclusive\":false,\"description\":\"null: a hard copy\"},"
                     "{\"key\":\"temperature\",\"type\":\"number or \\\"auto\\\"\",\"default\":\"auto\",\"min\":0,"
                     "\"max\":null,\"min_exclusive\":true,\"max_exclusive\":false,\"description\":\"alpha\"},"
                     "{\"key\":\"loss\",\"type\":\"string\",\"default\":\"huber\",\"min\":null,\"max\":null,"
                     "\"choices\":[\"mse\",\"huber\",\"l1\"],\"description\":\"the loss\"},"
                     "{\"key\":\"count\",\"type\":\"integer\",\"default\":3,\"min\":null,\"max\":null,"
                     "\"min_exclusive\":false,\"max_exclusive\":false,\"description\":\"any integer\"}]");
    athlete_free(json);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config-table");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, defaults_are_written_from_the_table);
    tcase_add_test(tc, ranges_have_one_message_shape);
    tcase_add_test(tc, tables_are_validated);
    tcase_add_test(tc, parameter_budget);
    tcase_add_test(tc, keys_are_described);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

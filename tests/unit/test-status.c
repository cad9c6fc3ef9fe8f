/* Status names, messages and the error record. */
#include <athlete/status.h>

#include "test-util.h"

START_TEST(names_and_messages)
{
    ck_assert_str_eq(athlete_status_name(ATHLETE_OK), "OK");
    ck_assert_str_eq(athlete_status_name(ATHLETE_E_CONFIG_TYPE), "E_CONFIG_TYPE");
    ck_assert_str_eq(athlete_status_str(ATHLETE_E_CALL_ORDER), "call out of order");
    ck_assert_str_eq(athlete_status_name((athlete_status)999), "?");
}
END_TEST

START_TEST(set_prefix_clear)
{
    athlete_error err;
    athlete_error_clear(&err);
    ck_assert_int_eq(err.status, ATHLETE_OK);
    ck_assert_int_eq(athlete_error_set(&err, ATHLETE_E_NON_FINITE, "observation[%d] is NaN", 3),
                     ATHLETE_E_NON_FINITE);
    ck_assert_str_eq(err.message, "observation[3] is NaN");
    athlete_error_prefix(&err, "plugin '%s': ", "sac");
    ck_assert_str_eq(err.message, "plugin 'sac': observation[3] is NaN");
    /* A NULL error record is allowed everywhere. */
    ck_assert_int_eq(athlete_error_set(NULL, ATHLETE_E_IO, "x"), ATHLETE_E_IO);
    /* Long messages are truncated, never overflow. */
    char long_text[600];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    athlete_error_set(&err, ATHLETE_E_IO, "%s", long_text);
    ck_assert_uint_eq(strlen(err.message), ATHLETE_ERROR_MESSAGE_SIZE - 1);
}
END_TEST

START_TEST(long_paths_never_cut_the_reason)
{
    /* A prefix naming a long file gives way to the reason: its middle is elided. */
    char path[400] = "/home/user";
    while (strlen(path) < 300)
        strcat(path, "/a-long-directory");
    strcat(path, "/athlete-x.so");
    athlete_error err;
    athlete_error_set(&err, ATHLETE_E_PLUGIN_LOAD, "undefined symbol: athlete_fixture_function_that_does_not_exist");
    athlete_error_prefix(&err, "cannot load plugin '%s': ", path);
    ck_assert_uint_le(strlen(err.message), ATHLETE_ERROR_MESSAGE_SIZE - 1);
    ck_assert_msg(strncmp(err.message, "cannot load plugin '/home/user", 30) == 0, "%s", err.message);
    ck_assert_msg(strstr(err.message, "\xe2\x80\xa6") != NULL, "no ellipsis: %s", err.message);
    const char *end = "/athlete-x.so': undefined symbol: athlete_fixture_function_that_does_not_exist";
    ck_assert_str_eq(err.message + strlen(err.message) - strlen(end), end);
    /* A message too long by itself keeps its start and says it was cut. */
    char long_text[600];
    memset(long_text, 'b', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    athlete_error_set(&err, ATHLETE_E_IO, "%s", long_text);
    ck_assert_str_eq(err.message + strlen(err.message) - 3, "\xe2\x80\xa6");
    athlete_error_prefix(&err, "%s: ", path);
    ck_assert_uint_eq(strlen(err.message), ATHLETE_ERROR_MESSAGE_SIZE - 1);
    ck_assert_msg(strstr(err.message, "athlete-x.so: bbbb") != NULL, "%s", err.message);
    ck_assert_str_eq(err.message + strlen(err.message) - 3, "\xe2\x80\xa6");
    /* Short prefixes and messages are untouched. */
    athlete_error_set(&err, ATHLETE_E_IO, "reason");
    athlete_error_prefix(&err, "%s: ", "file");
    ck_assert_str_eq(err.message, "file: reason");
    athlete_error_prefix(NULL, "%s: ", "file");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("status");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, names_and_messages);
    tcase_add_test(tc, set_prefix_clear);
    tcase_add_test(tc, long_paths_never_cut_the_reason);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Small helpers shared by the Check test programs. */
#ifndef ATHLETE_TEST_UTIL_H
#define ATHLETE_TEST_UTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <athlete/status.h>

/* Asserts a call succeeded, printing the error message otherwise. */
#define ck_assert_ok(call, err)                                                            \
    do {                                                                                   \
        athlete_status st_ = (call);                                                       \
        ck_assert_msg(st_ == ATHLETE_OK, "%s failed: %s (%s)", #call, (err)->message,      \
                      athlete_status_name(st_));                                           \
    } while (0)

/* Asserts a call failed with `status` and a message containing `needle`. */
#define ck_assert_fails(call, err, status, needle)                                         \
    do {                                                                                   \
        athlete_status st_ = (call);                                                       \
        ck_assert_msg(st_ == (status), "%s returned %s, expected %s (message: %s)", #call, \
                      athlete_status_name(st_), athlete_status_name(status), (err)->message); \
        ck_assert_msg(strstr((err)->message, (needle)) != NULL,                            \
                      "message '%s' lacks '%s'", (err)->message, (needle));                \
    } while (0)

/* Runs one suite and returns the process exit code. */
static inline int run_suite(Suite *suite)
{
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif

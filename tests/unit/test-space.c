/* Spaces: validation, value checks, descriptions, JSON round trips. */
#include <athlete/alloc.h>
#include <athlete/space.h>

#include <math.h>

#include "test-util.h"

static const float low3[3] = {-1, -1, -8};
static const float high3[3] = {1, 1, 8};

START_TEST(validate)
{
    athlete_error err;
    size_t shape[1] = {3};
    athlete_space box = athlete_space_box(1, shape, low3, high3);
    ck_assert_ok(athlete_space_validate(&box, "observation space", &err), &err);
    athlete_space d = athlete_space_discrete(0);
    ck_assert_fails(athlete_space_validate(&d, "action space", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "action space: Discrete n must be > 0, got 0");
    float bad_low[3] = {2, -1, -8};
    athlete_space inverted = athlete_space_box(1, shape, bad_low, high3);
    ck_assert_fails(athlete_space_validate(&inverted, "observation space", &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "observation space: Box low[0] = 2 is above high[0] = 1");
    float nan_low[3] = {NAN, -1, -8};
    athlete_space nan_box = athlete_space_box(1, shape, nan_low, high3);
    ck_assert_fails(athlete_space_validate(&nan_box, "observation space", &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "Box bound 0 is NaN");
}
END_TEST

START_TEST(check_value)
{
    athlete_error err;
    size_t shape[1] = {3};
    athlete_space box = athlete_space_box(1, shape, low3, high3);
    float ok[3] = {0, 0.5f, -8};
    ck_assert_ok(athlete_space_check_value(&box, ok, "observation", &err), &err);
    float nan[3] = {0, 0, NAN};
    ck_assert_fails(athlete_space_check_value(&box, nan, "observation", &err), &err,
                    ATHLETE_E_NON_FINITE, "observation[2] is NaN");
    float out[3] = {0, 1.5f, 0};
    ck_assert_fails(athlete_space_check_value(&box, out, "observation", &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "observation[1] = 1.5 is outside [-1, 1]");
    athlete_space d = athlete_space_discrete(4);
    float a = 3, b = 4, c = 1.5f;
    ck_assert_ok(athlete_space_check_value(&d, &a, "action", &err), &err);
    ck_assert_fails(athlete_space_check_value(&d, &b, "action", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "action = 4 is not an integer in [0, 4)");
    ck_assert_fails(athlete_space_check_value(&d, &c, "action", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "action = 1.5 is not an integer");
}
END_TEST

START_TEST(describe_and_json)
{
    athlete_error err;
    char buf[256];
    size_t shape[1] = {3};
    float low[3] = {-1, -1, -INFINITY};
    athlete_space box = athlete_space_box(1, shape, low, high3);
    ck_assert_str_eq(athlete_space_describe(&box, buf, sizeof buf),
                     "Box(shape=(3,), low=[-1, -1, -inf], high=[1, 1, 8])");
    athlete_space d = athlete_space_discrete(2);
    ck_assert_str_eq(athlete_space_describe(&d, buf, sizeof buf), "Discrete(2)");
    ck_assert(!athlete_space_is_bounded(&box));

    char *json = NULL;
    ck_assert_ok(athlete_space_to_json(&box, &json, &err), &err);
    athlete_space *back = NULL;
    ck_assert_ok(athlete_space_from_json(json, &back, &err), &err);
    ck_assert(athlete_space_equal(&box, back));
    athlete_free(json);
    athlete_space_free(back);

    ck_assert_ok(athlete_space_to_json(&d, &json, &err), &err);
    ck_assert_str_eq(json, "{\"type\":\"Discrete\",\"n\":2,\"start\":0}");
    ck_assert_ok(athlete_space_from_json(json, &back, &err), &err);
    ck_assert(athlete_space_equal(&d, back));
    athlete_free(json);
    athlete_space_free(back);

    ck_assert_fails(athlete_space_from_json("{\"type\":\"Tuple\"}", &back, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "unknown type 'Tuple'");
    ck_assert_fails(athlete_space_from_json("{\"type\":\"Box\",\"shape\":[2],\"low\":[0],\"high\":[1,1]}",
                                            &back, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "must each hold 2 numbers");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("space");
    TCase *tc = tcase_create("space");
    tcase_add_test(tc, validate);
    tcase_add_test(tc, check_value);
    tcase_add_test(tc, describe_and_json);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

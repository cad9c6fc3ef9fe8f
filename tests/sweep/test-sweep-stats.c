/* The sweep's statistics (IQM and its stratified bootstrap interval) against values
 * computed by hand, and the plan's order of configurations. */
#include "sweep.h"
#include "test-util.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

START_TEST(iqm_drops_a_quarter_at_each_end)
{
    /* n = 8: drop 2 at each end, mean of 3, 4, 5, 6. */
    const double eight[] = {8, 1, 7, 2, 6, 3, 5, 4};
    ck_assert_double_eq(athlete_sweep_iqm(eight, 8), 4.5);
    ck_assert_double_eq(eight[0], 8); /* the input is not sorted in place */
    /* n = 5: drop 1 at each end of 1 2 3 10 100: (2 + 3 + 10) / 3. */
    const double five[] = {10, 1, 3, 2, 100};
    ck_assert_double_eq(athlete_sweep_iqm(five, 5), 5);
    /* n = 3: nothing dropped (floor(3/4) = 0): the mean. */
    const double three[] = {1, 2, 6};
    ck_assert_double_eq(athlete_sweep_iqm(three, 3), 3);
    const double one[] = {-7.25};
    ck_assert_double_eq(athlete_sweep_iqm(one, 1), -7.25);
    /* n = 10: drop 2 at each end of 0..9: (2 + ... + 7) / 6 = 4.5. */
    const double ten[] = {9, 0, 8, 1, 7, 2, 6, 3, 5, 4};
    ck_assert_double_eq(athlete_sweep_iqm(ten, 10), 4.5);
}
END_TEST

START_TEST(bootstrap_intervals)
{
    double lo, hi;
    /* Equal values: every resample's IQM is the value. */
    const double same[] = {0.74, 0.74, 0.74, 0.74};
    ck_assert(athlete_sweep_iqm_bootstrap(same, NULL, 4, 2000, 1, &lo, &hi));
    ck_assert_double_eq(lo, 0.74);
    ck_assert_double_eq(hi, 0.74);
    /* {0, 1}: a resample's IQM (n = 2, nothing dropped) is 0, 0.5 or 1 with probabilities
     * 1/4, 1/2, 1/4: the 2.5 % quantile is 0 and the 97.5 % one is 1. */
    const double two[] = {0, 1};
    ck_assert(athlete_sweep_iqm_bootstrap(two, NULL, 2, 2000, 7, &lo, &hi));
    ck_assert_double_eq(lo, 0);
    ck_assert_double_eq(hi, 1);
    /* Two strata of four equal values each: every stratified resample is the data itself,
     * so the interval is the point IQM, (0 + 0 + 10 + 10) / 4 = 5; resampling across
     * strata gives a wider interval. */
    const double values[] = {0, 10, 0, 10, 0, 10, 0, 10};
    const size_t strata[] = {0, 1, 0, 1, 0, 1, 0, 1};
    ck_assert_double_eq(athlete_sweep_iqm(values, 8), 5);
    ck_assert(athlete_sweep_iqm_bootstrap(values, strata, 8, 2000, 3, &lo, &hi));
    ck_assert_double_eq(lo, 5);
    ck_assert_double_eq(hi, 5);
    ck_assert(athlete_sweep_iqm_bootstrap(values, NULL, 8, 2000, 3, &lo, &hi));
    ck_assert(lo < 5 && hi > 5);
    ck_assert(lo >= 0 && hi <= 10);
    /* The same seed gives the same interval; it brackets the point estimate. */
    const double seeds[] = {0.70, 0.74, 0.73, 0.60, 0.75, 0.74, 0.72, 0.74, 0.71, 0.73};
    double lo2, hi2;
    ck_assert(athlete_sweep_iqm_bootstrap(seeds, NULL, 10, 2000, 12345, &lo, &hi));
    ck_assert(athlete_sweep_iqm_bootstrap(seeds, NULL, 10, 2000, 12345, &lo2, &hi2));
    ck_assert_double_eq(lo, lo2);
    ck_assert_double_eq(hi, hi2);
    double point = athlete_sweep_iqm(seeds, 10);
    ck_assert(lo <= point && point <= hi);
    ck_assert(lo >= 0.60 && hi <= 0.75);
    ck_assert(!athlete_sweep_iqm_bootstrap(seeds, NULL, 0, 2000, 1, &lo, &hi));
}
END_TEST

START_TEST(plan_order)
{
    athlete_sweep_spec spec;
    athlete_error err;
    const char *text =
        "{\"name\": \"p\", \"algorithm\": \"q_learning\", \"environment\": \"FrozenLake-v1\", "
        "\"steps\": 10, \"seeds\": [5, 6], \"overrides\": {\"discount\": 0.9},"
        "\"grid\": {\"a\": [1, 2], \"n\": {\"b\": [3, 4, 5]}},"
        "\"random\": {\"r\": {\"choice\": [\"x\"]}, \"u\": {\"uniform\": [2, 3]}}, \"samples\": 2}";
    ck_assert_int_eq(athlete_sweep_spec_parse(text, "inline", &spec, &err), ATHLETE_OK);
    athlete_sweep_plan plan;
    ck_assert_int_eq(athlete_sweep_plan_create(&spec, &plan, &err), ATHLETE_OK);
    ck_assert_uint_eq(plan.config_count, 12); /* 2 x 3 grid points x 2 samples */
    /* The first grid key varies slowest, the samples fastest; nested keys become dotted. */
    char *c0 = cJSON_PrintUnformatted(plan.varied[0]);
    char *c3 = cJSON_PrintUnformatted(plan.varied[3]);
    char *c6 = cJSON_PrintUnformatted(plan.varied[6]);
    ck_assert(strncmp(c0, "{\"a\":1,\"n.b\":3,\"r\":\"x\",\"u\":", 25) == 0);
    ck_assert(strncmp(c3, "{\"a\":1,\"n.b\":4,\"r\":\"x\",\"u\":", 25) == 0);
    ck_assert(strncmp(c6, "{\"a\":2,\"n.b\":3,\"r\":\"x\",\"u\":", 25) == 0);
    /* Every grid point gets the same draws; the draws are in range and differ. */
    double u0 = cJSON_GetObjectItem(plan.varied[0], "u")->valuedouble;
    double u1 = cJSON_GetObjectItem(plan.varied[1], "u")->valuedouble;
    ck_assert_double_eq(cJSON_GetObjectItem(plan.varied[10], "u")->valuedouble, u0);
    ck_assert(u0 >= 2 && u0 < 3 && u1 >= 2 && u1 < 3 && u0 != u1);
    /* The overrides: the base first, then the varied keys. */
    ck_assert(strncmp(plan.overrides[0], "{\"discount\":0.9,\"a\":1,\"n.b\":3,", 30) == 0);
    athlete_sweep_run run = {11, 1};
    char *dir = athlete_sweep_run_dir("sweeps/p", &spec, &run);
    ck_assert_str_eq(dir, "sweeps/p/runs/11-seed6");
    free(dir);
    cJSON_free(c0);
    cJSON_free(c3);
    cJSON_free(c6);
    athlete_sweep_plan_clear(&plan);
    athlete_sweep_spec_clear(&spec);
}
END_TEST

START_TEST(results_lines_round_trip)
{
    athlete_sweep_plan plan = {0};
    athlete_sweep_result r = {.config = 0,
                              .seed = 3,
                              .final_eval = 0.1 + 0.2,
                              .best_eval = -170.25,
                              .best_step = 5000,
                              .env_steps = 20000,
                              .episodes = 812,
                              .wall_time = 1.5,
                              .host = "node7",
                              .rank = 2,
                              .worker = 1,
                              .attempts = 2};
    char *line = athlete_sweep_result_line(&plan, &r);
    ck_assert_str_eq(line, "{\"config\":0,\"configuration\":{},\"seed\":3,\"final_eval\":0.30000000000000004,"
                           "\"best_eval\":-170.25,\"best_step\":5000,\"env_steps\":20000,\"episodes\":812,"
                           "\"wall_time\":1.5,\"host\":\"node7\",\"rank\":2,\"worker\":1,\"attempts\":2}");
    athlete_sweep_result back;
    ck_assert(athlete_sweep_result_parse(line, &back));
    ck_assert_double_eq(back.final_eval, r.final_eval); /* bit for bit */
    ck_assert_str_eq(back.host, "node7");
    ck_assert_int_eq(back.attempts, 2);
    ck_assert(!athlete_sweep_result_parse("{\"config\": 1}", &back));
    free(line);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sweep-stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, iqm_drops_a_quarter_at_each_end);
    tcase_add_test(tc, bootstrap_intervals);
    tcase_add_test(tc, plan_order);
    tcase_add_test(tc, results_lines_round_trip);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

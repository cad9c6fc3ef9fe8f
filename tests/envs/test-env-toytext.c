/* The grid worlds: FrozenLake's slippery transition probabilities (statistically) and its
 * reward/termination rules (exactly), CliffWalking's cliff, Taxi's table, and the
 * stochastic options (slippery cliff, rainy taxi, fickle passenger). */
#include <math.h>

#include "env-test-util.h"

typedef struct outcome {
    float obs;
    double reward;
    bool terminated;
} outcome;

/* Places env in `state`, takes `action` once. */
static outcome step_from(athlete_env *env, double state, float action)
{
    athlete_error err;
    float obs[1];
    ck_assert_ok(athlete_env_reset_to_state(env, &state, 1, obs, &err), &err);
    outcome o;
    bool tr;
    ck_assert_ok(athlete_env_step(env, &action, 1, obs, &o.reward, &o.terminated, &tr, &err), &err);
    o.obs = obs[0];
    return o;
}

static void expect(athlete_env *env, double state, float action, float next, double reward,
                   bool terminated)
{
    outcome o = step_from(env, state, action);
    ck_assert_msg(o.obs == next && o.reward == reward && o.terminated == terminated,
                  "%s: state %g action %g -> (%g, %g, %d), expected (%g, %g, %d)",
                  athlete_env_id(env), state, (double)action, (double)o.obs, o.reward, o.terminated,
                  (double)next, reward, terminated);
}

/* Frequencies of the next state over `trials` steps from one state, against expected
 * probabilities, within 5 standard errors. */
static void check_frequencies(athlete_env *env, double state, float action, int trials,
                              const float *next, const double *prob, int n_outcomes)
{
    athlete_error err;
    uint64_t seed = 31337;
    float obs[1];
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    int counts[8] = {0};
    for (int t = 0; t < trials; t++) {
        outcome o = step_from(env, state, action);
        int k = 0;
        while (k < n_outcomes && next[k] != o.obs)
            k++;
        ck_assert_msg(k < n_outcomes, "%s: unexpected next state %g", athlete_env_id(env),
                      (double)o.obs);
        counts[k]++;
    }
    for (int k = 0; k < n_outcomes; k++) {
        double freq = (double)counts[k] / trials;
        double se = sqrt(prob[k] * (1 - prob[k]) / trials);
        ck_assert_msg(fabs(freq - prob[k]) <= 5 * se,
                      "%s: P(next = %g) = %.4f, expected %.4f +- %.4f", athlete_env_id(env),
                      (double)next[k], freq, prob[k], 5 * se);
    }
}

enum { LEFT = 0, DOWN = 1, RIGHT = 2, UP = 3 };

/* 4x4:  SFFF / FHFH / FFFH / HFFG */
START_TEST(frozen_lake_slippery_probabilities)
{
    athlete_env *env = make_env("FrozenLake-v1", NULL); /* slippery by default */
    /* From cell 9 (row 2, col 1), RIGHT: intended -> 10, (a - 1) = DOWN -> 13,
     * (a + 1) = UP -> 5 (a hole). */
    const float next[3] = {10, 13, 5};
    const double third[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    check_frequencies(env, 9, RIGHT, 30000, next, third, 3);
    /* From cell 6 (row 1, col 2), LEFT: intended -> 5 (hole), UP -> 2, DOWN -> 10. */
    const float next_left[3] = {5, 2, 10};
    check_frequencies(env, 6, LEFT, 30000, next_left, third, 3);
    /* At the border the clamped move stays: from 0, UP -> 0, LEFT -> 0, RIGHT -> 1. */
    const float next_up[2] = {0, 1};
    const double p_up[2] = {2.0 / 3, 1.0 / 3};
    check_frequencies(env, 0, UP, 30000, next_up, p_up, 2);
    athlete_env_destroy(env);

    /* success_rate moves probability to the intended direction. */
    env = make_env("FrozenLake-v1", "{\"success_rate\": 0.8}");
    const double p80[3] = {0.8, 0.1, 0.1};
    check_frequencies(env, 9, RIGHT, 30000, next, p80, 3);
    athlete_env_destroy(env);
}
END_TEST

START_TEST(frozen_lake_rules)
{
    athlete_env *env = make_env("FrozenLake-v1", "{\"is_slippery\": false}");
    expect(env, 0, RIGHT, 1, 0.0, false);   /* frozen: reward 0 */
    expect(env, 0, LEFT, 0, 0.0, false);    /* the border */
    expect(env, 4, RIGHT, 5, 0.0, true);    /* hole: terminated, reward 0 */
    expect(env, 14, RIGHT, 15, 1.0, true);  /* goal: terminated, reward 1 */
    expect(env, 13, RIGHT, 14, 0.0, false);
    expect(env, 11, DOWN, 11, 0.0, true);   /* 11 is a hole too */
    expect(env, 5, RIGHT, 5, 0.0, true);    /* a step from a hole stays there */
    expect(env, 15, LEFT, 15, 0.0, true);   /* and from the goal */
    athlete_env_destroy(env);

    /* Slippery steps obey the same rules: from 14 RIGHT the goal is hit only by the
     * intended move (DOWN stays at 14, UP goes to 10). */
    env = make_env("FrozenLake-v1", NULL);
    athlete_error err;
    uint64_t seed = 5;
    float obs[1];
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    for (int t = 0; t < 300; t++) {
        outcome o = step_from(env, 14, RIGHT);
        if (o.obs == 15)
            ck_assert(o.reward == 1.0 && o.terminated);
        else
            ck_assert(o.reward == 0.0 && !o.terminated && (o.obs == 14 || o.obs == 10));
    }
    athlete_env_destroy(env);

    env = make_env("FrozenLake-v1", "{\"is_slippery\": false, \"reward_schedule\": [10, -5, -0.5]}");
    expect(env, 0, RIGHT, 1, -0.5, false);
    expect(env, 4, RIGHT, 5, -5.0, true);
    expect(env, 14, RIGHT, 15, 10.0, true);
    athlete_env_destroy(env);

    /* 8x8: the goal is 63, holes e.g. at 19 (row 2, col 3). */
    env = make_env("FrozenLake-v1", "{\"map_name\": \"8x8\", \"is_slippery\": false}");
    expect(env, 62, RIGHT, 63, 1.0, true);
    expect(env, 55, DOWN, 63, 1.0, true);
    expect(env, 18, RIGHT, 19, 0.0, true);
    expect(env, 0, DOWN, 8, 0.0, false);
    athlete_env_destroy(env);
}
END_TEST

/* CliffWalking-v1: 4x12, start 36, goal 47, cliff 37..46. Actions 0 up, 1 right, 2 down,
 * 3 left. */
START_TEST(cliff_walking_rules)
{
    athlete_env *env = make_env("CliffWalking-v1", NULL);
    expect(env, 36, 1, 36, -100.0, false); /* into the cliff: back to start, not terminated */
    expect(env, 25, 2, 36, -100.0, false); /* from above the cliff (row 2, col 1) */
    expect(env, 36, 0, 24, -1.0, false);
    expect(env, 36, 3, 36, -1.0, false);   /* the border */
    expect(env, 35, 2, 47, -1.0, true);    /* the goal: -1 and terminated */
    expect(env, 0, 0, 0, -1.0, false);
    expect(env, 11, 1, 11, -1.0, false);
    athlete_env_destroy(env);

    env = make_env("CliffWalking-v1", "{\"is_slippery\": true}");
    /* From 13 (row 1, col 1) RIGHT: intended -> 14, UP -> 1, DOWN -> 25. */
    const float next[3] = {14, 1, 25};
    const double third[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    check_frequencies(env, 13, 1, 30000, next, third, 3);
    athlete_env_destroy(env);
}
END_TEST

static int taxi_encode(int row, int col, int pass, int dest) { return ((row * 5 + col) * 5 + pass) * 4 + dest; }

/* Taxi-v4: locations R(0,0) G(0,4) Y(4,0) B(4,3); actions 0 south, 1 north, 2 east,
 * 3 west, 4 pickup, 5 dropoff. */
START_TEST(taxi_rules)
{
    athlete_env *env = make_env("Taxi-v4", NULL);
    /* Moves, walls and borders. */
    expect(env, taxi_encode(2, 2, 0, 1), 0, (float)taxi_encode(3, 2, 0, 1), -1, false);
    expect(env, taxi_encode(0, 2, 0, 1), 1, (float)taxi_encode(0, 2, 0, 1), -1, false);
    expect(env, taxi_encode(0, 1, 0, 1), 2, (float)taxi_encode(0, 1, 0, 1), -1, false); /* wall */
    expect(env, taxi_encode(0, 0, 0, 1), 2, (float)taxi_encode(0, 1, 0, 1), -1, false);
    expect(env, taxi_encode(4, 1, 0, 1), 3, (float)taxi_encode(4, 1, 0, 1), -1, false); /* wall */
    expect(env, taxi_encode(2, 2, 0, 1), 3, (float)taxi_encode(2, 1, 0, 1), -1, false);
    /* Pickup: legal at the passenger's location, else -10. */
    expect(env, taxi_encode(0, 0, 0, 1), 4, (float)taxi_encode(0, 0, 4, 1), -1, false);
    expect(env, taxi_encode(1, 0, 0, 1), 4, (float)taxi_encode(1, 0, 0, 1), -10, false);
    expect(env, taxi_encode(0, 0, 4, 1), 4, (float)taxi_encode(0, 0, 4, 1), -10, false);
    /* Dropoff: +20 and terminated at the destination; legal elsewhere on a location;
     * -10 off the locations or without the passenger. */
    expect(env, taxi_encode(0, 4, 4, 1), 5, (float)taxi_encode(0, 4, 1, 1), 20, true);
    expect(env, taxi_encode(4, 3, 4, 1), 5, (float)taxi_encode(4, 3, 3, 1), -1, false);
    expect(env, taxi_encode(2, 2, 4, 1), 5, (float)taxi_encode(2, 2, 4, 1), -10, false);
    expect(env, taxi_encode(0, 4, 0, 1), 5, (float)taxi_encode(0, 4, 0, 1), -10, false);
    athlete_env_destroy(env);

    /* Rainy: an open move goes the intended way with 0.8, sideways with 0.1 each. From
     * (2, 2) south: (3, 2), east (2, 3), west (2, 1). */
    env = make_env("Taxi-v4", "{\"is_rainy\": true}");
    const float next[3] = {(float)taxi_encode(3, 2, 0, 1), (float)taxi_encode(2, 3, 0, 1),
                           (float)taxi_encode(2, 1, 0, 1)};
    const double p[3] = {0.8, 0.1, 0.1};
    check_frequencies(env, taxi_encode(2, 2, 0, 1), 0, 30000, next, p, 3);
    /* A blocked move does not drift: from (0, 1) east is a wall. */
    const float stay[1] = {(float)taxi_encode(0, 1, 0, 1)};
    const double one[1] = {1.0};
    check_frequencies(env, taxi_encode(0, 1, 0, 1), 2, 2000, stay, one, 1);
    /* Pickup and dropoff are not affected by the rain. */
    expect(env, taxi_encode(0, 0, 0, 1), 4, (float)taxi_encode(0, 0, 4, 1), -1, false);
    athlete_env_destroy(env);
}
END_TEST

/* The fickle passenger changes destination on the first move with the passenger aboard,
 * with probability 0.3 drawn at reset, to one of the three other destinations. */
START_TEST(taxi_fickle_passenger)
{
    athlete_error err;
    athlete_env *env = make_env("Taxi-v4", "{\"fickle_passenger\": true}");
    int changed = 0, episodes = 20000;
    int new_dest[4] = {0};
    float obs[1];
    uint64_t seed = 8;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    for (int e = 0; e < episodes; e++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err); /* draws fickleness */
        /* Passenger aboard at (2, 2), destination 1; move south twice. */
        double s = taxi_encode(2, 2, 4, 1);
        ck_assert_ok(athlete_env_reset_to_state(env, &s, 1, obs, &err), &err);
        float a = 0;
        double r;
        bool te, tr;
        ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
        int st = (int)obs[0], dest = st % 4;
        ck_assert_int_eq(st / 4, taxi_encode(3, 2, 4, 0) / 4);
        if (dest != 1) {
            changed++;
            new_dest[dest]++;
        }
        /* Only once per episode. */
        a = 1;
        ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
        ck_assert_int_eq((int)obs[0] % 4, dest);
    }
    double freq = (double)changed / episodes, se = sqrt(0.3 * 0.7 / episodes);
    ck_assert_msg(fabs(freq - 0.3) < 5 * se, "fickle frequency %.4f", freq);
    ck_assert_int_eq(new_dest[1], 0);
    for (int d = 0; d < 4; d++)
        if (d != 1)
            ck_assert_msg(fabs(new_dest[d] / (double)changed - 1.0 / 3) < 0.03, "dest %d: %d", d,
                          new_dest[d]);
    athlete_env_destroy(env);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-toytext");
    TCase *tc = tcase_create("toytext");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, frozen_lake_slippery_probabilities);
    tcase_add_test(tc, frozen_lake_rules);
    tcase_add_test(tc, cliff_walking_rules);
    tcase_add_test(tc, taxi_rules);
    tcase_add_test(tc, taxi_fickle_passenger);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

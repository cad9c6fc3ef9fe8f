/* Seeding and independence: the same seed gives the same initial state and episode, other
 * seeds differ, instances do not share randomness, and initial states follow Gymnasium's
 * reset distributions. */
#include <math.h>

#include "env-test-util.h"

#define N_IDS 8
static const char *ids[N_IDS] = {"CartPole-v1",  "Pendulum-v1",     "MountainCar-v0",
                                 "MountainCarContinuous-v0", "Acrobot-v1", "FrozenLake-v1",
                                 "CliffWalking-v1", "Taxi-v4"};
/* Environments whose initial state is random (FrozenLake and CliffWalking start at one
 * fixed cell) and whose steps are random with these options. */
static const char *stochastic_options[N_IDS] = {
    NULL, NULL, NULL, NULL, NULL, "{\"is_slippery\": true}", "{\"is_slippery\": true}",
    "{\"is_rainy\": true, \"fickle_passenger\": true}"};

static size_t obs_size(const athlete_env *env)
{
    return athlete_space_flat_size(athlete_env_observation_space(env));
}

START_TEST(same_seed_same_start)
{
    athlete_error err;
    for (int i = 0; i < N_IDS; i++) {
        athlete_env *a = make_env(ids[i], NULL);
        athlete_env *b = make_env(ids[i], NULL);
        for (uint64_t seed = 0; seed < 50; seed++) {
            float oa[TEST_MAX_OBS], ob[TEST_MAX_OBS];
            ck_assert_ok(athlete_env_reset(a, &seed, oa, &err), &err);
            ck_assert_ok(athlete_env_reset(b, &seed, ob, &err), &err);
            ck_assert_msg(memcmp(oa, ob, obs_size(a) * sizeof(float)) == 0, "%s seed %llu", ids[i],
                          (unsigned long long)seed);
            /* Reseeding the same instance reproduces it too. */
            ck_assert_ok(athlete_env_reset(a, &seed, ob, &err), &err);
            ck_assert(memcmp(oa, ob, obs_size(a) * sizeof(float)) == 0);
        }
        athlete_env_destroy(a);
        athlete_env_destroy(b);
    }
}
END_TEST

START_TEST(different_seeds_differ)
{
    athlete_error err;
    /* FrozenLake and CliffWalking always start in the same cell. */
    const int random_start[] = {0, 1, 2, 3, 4, 7};
    for (size_t k = 0; k < sizeof random_start / sizeof random_start[0]; k++) {
        const char *id = ids[random_start[k]];
        athlete_env *env = make_env(id, NULL);
        size_t n = obs_size(env);
        float first[200][TEST_MAX_OBS];
        for (uint64_t seed = 0; seed < 200; seed++)
            ck_assert_ok(athlete_env_reset(env, &seed, first[seed], &err), &err);
        int equal_pairs = 0;
        for (int x = 0; x < 200; x++)
            for (int y = x + 1; y < 200; y++)
                equal_pairs += memcmp(first[x], first[y], n * sizeof(float)) == 0;
        /* Taxi has 300 start states: a few birthday collisions among 200 seeds are
         * expected (about 66); the continuous ones have none. */
        if (random_start[k] == 7)
            ck_assert_int_lt(equal_pairs, 120);
        else
            ck_assert_int_eq(equal_pairs, 0);
        athlete_env_destroy(env);
    }
}
END_TEST

/* Same seed, same whole trajectory (resets with seed NULL continue the stream), including
 * the stochastic toy-text dynamics. */
START_TEST(same_seed_same_trajectory)
{
    for (int i = 0; i < N_IDS; i++) {
        athlete_error err;
        enum { STEPS = 3000 };
        static step_record ra[STEPS], rb[STEPS];
        athlete_env *a = make_env(ids[i], stochastic_options[i]);
        athlete_env *b = make_env(ids[i], stochastic_options[i]);
        uint64_t seed = 1234;
        float obs[TEST_MAX_OBS];
        ck_assert_ok(athlete_env_reset(a, &seed, obs, &err), &err);
        ck_assert_ok(athlete_env_reset(b, &seed, obs, &err), &err);
        athlete_rng pa, pb;
        athlete_rng_seed(&pa, 99, 0);
        athlete_rng_seed(&pb, 99, 0);
        run_steps(a, &pa, STEPS, ra);
        run_steps(b, &pb, STEPS, rb);
        assert_same_records(ra, rb, STEPS, obs_size(a));
        athlete_env_destroy(a);
        athlete_env_destroy(b);
    }
}
END_TEST

/* Two instances stepped alternately produce exactly what each produces alone. */
START_TEST(interleaved_instances_are_independent)
{
    for (int i = 0; i < N_IDS; i++) {
        athlete_error err;
        enum { STEPS = 2000 };
        static step_record alone_a[STEPS], alone_b[STEPS], mixed_a[STEPS], mixed_b[STEPS];
        float obs[TEST_MAX_OBS];
        uint64_t seed_a = 11, seed_b = 22;
        /* Alone. */
        athlete_env *a = make_env(ids[i], stochastic_options[i]);
        athlete_rng pa;
        athlete_rng_seed(&pa, 1, 0);
        ck_assert_ok(athlete_env_reset(a, &seed_a, obs, &err), &err);
        run_steps(a, &pa, STEPS, alone_a);
        athlete_env_destroy(a);
        athlete_env *b = make_env(ids[i], stochastic_options[i]);
        athlete_rng pb;
        athlete_rng_seed(&pb, 2, 0);
        ck_assert_ok(athlete_env_reset(b, &seed_b, obs, &err), &err);
        run_steps(b, &pb, STEPS, alone_b);
        athlete_env_destroy(b);
        /* Interleaved, one step each in turn. */
        a = make_env(ids[i], stochastic_options[i]);
        b = make_env(ids[i], stochastic_options[i]);
        athlete_rng_seed(&pa, 1, 0);
        athlete_rng_seed(&pb, 2, 0);
        ck_assert_ok(athlete_env_reset(a, &seed_a, obs, &err), &err);
        ck_assert_ok(athlete_env_reset(b, &seed_b, obs, &err), &err);
        for (int t = 0; t < STEPS; t++) {
            run_steps(a, &pa, 1, &mixed_a[t]);
            run_steps(b, &pb, 1, &mixed_b[t]);
        }
        assert_same_records(alone_a, mixed_a, STEPS, obs_size(a));
        assert_same_records(alone_b, mixed_b, STEPS, obs_size(b));
        athlete_env_destroy(a);
        athlete_env_destroy(b);
    }
}
END_TEST

/* An unseeded instance draws its stream from the operating system: two fresh instances
 * start differently (Gymnasium's reset() without a seed on a new environment). */
START_TEST(unseeded_instances_differ)
{
    athlete_error err;
    athlete_env *a = make_env("Pendulum-v1", NULL);
    athlete_env *b = make_env("Pendulum-v1", NULL);
    float oa[3], ob[3];
    ck_assert_ok(athlete_env_reset(a, NULL, oa, &err), &err);
    ck_assert_ok(athlete_env_reset(b, NULL, ob, &err), &err);
    ck_assert(memcmp(oa, ob, sizeof oa) != 0);
    athlete_env_destroy(a);
    athlete_env_destroy(b);
}
END_TEST

/* 10 000 resets per environment stay within Gymnasium's reset ranges and spread over them. */
START_TEST(reset_ranges)
{
    athlete_error err;
    enum { RESETS = 10000 };
    uint64_t seed = 2024;
    float obs[TEST_MAX_OBS];

    /* CartPole: U(-0.05, 0.05)^4. */
    athlete_env *env = make_env("CartPole-v1", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    float lo[4] = {1, 1, 1, 1}, hi[4] = {-1, -1, -1, -1};
    for (int k = 0; k < RESETS; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        for (int i = 0; i < 4; i++) {
            ck_assert(obs[i] >= -0.05f && obs[i] <= 0.05f);
            lo[i] = fminf(lo[i], obs[i]);
            hi[i] = fmaxf(hi[i], obs[i]);
        }
    }
    for (int i = 0; i < 4; i++)
        ck_assert(lo[i] < -0.049f && hi[i] > 0.049f);
    athlete_env_destroy(env);

    /* Pendulum: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1); obs = (cos, sin, theta_dot). */
    env = make_env("Pendulum-v1", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    float min_v = 1, max_v = -1, min_c = 1, max_c = -1;
    for (int k = 0; k < RESETS; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        ck_assert(fabsf(obs[0] * obs[0] + obs[1] * obs[1] - 1.0f) < 1e-5f);
        ck_assert(obs[2] >= -1.0f && obs[2] <= 1.0f);
        min_v = fminf(min_v, obs[2]);
        max_v = fmaxf(max_v, obs[2]);
        min_c = fminf(min_c, obs[0]);
        max_c = fmaxf(max_c, obs[0]);
    }
    ck_assert(min_v < -0.99f && max_v > 0.99f);
    ck_assert(min_c < -0.999f && max_c > 0.999f); /* the whole circle is covered */
    athlete_env_destroy(env);

    /* MountainCar and MountainCarContinuous: position ~ U(-0.6, -0.4), velocity 0. */
    const char *cars[2] = {"MountainCar-v0", "MountainCarContinuous-v0"};
    for (int c = 0; c < 2; c++) {
        env = make_env(cars[c], NULL);
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        float pmin = 0, pmax = -1;
        for (int k = 0; k < RESETS; k++) {
            ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
            ck_assert(obs[0] >= -0.6f && obs[0] <= -0.4f);
            ck_assert(obs[1] == 0.0f);
            pmin = fminf(pmin, obs[0]);
            pmax = fmaxf(pmax, obs[0]);
        }
        ck_assert(pmin < -0.599f && pmax > -0.401f);
        athlete_env_destroy(env);
    }

    /* Acrobot: U(-0.1, 0.1)^4 rounded to float32; obs = (cos t1, sin t1, cos t2, sin t2, dt1, dt2). */
    env = make_env("Acrobot-v1", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    for (int k = 0; k < RESETS; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        ck_assert(obs[0] >= cosf(0.1f) - 1e-6f && fabsf(obs[1]) <= sinf(0.1f) + 1e-6f);
        ck_assert(obs[2] >= cosf(0.1f) - 1e-6f && fabsf(obs[3]) <= sinf(0.1f) + 1e-6f);
        ck_assert(fabsf(obs[4]) <= 0.1f && fabsf(obs[5]) <= 0.1f);
    }
    athlete_env_destroy(env);

    /* FrozenLake and CliffWalking: always the start cell. */
    env = make_env("FrozenLake-v1", NULL);
    for (int k = 0; k < 100; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        ck_assert(obs[0] == 0.0f);
    }
    athlete_env_destroy(env);
    env = make_env("CliffWalking-v1", NULL);
    for (int k = 0; k < 100; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        ck_assert(obs[0] == 36.0f);
    }
    athlete_env_destroy(env);

    /* Taxi: uniform over the 300 states with the passenger waiting at a location other
     * than the destination. */
    env = make_env("Taxi-v4", NULL);
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    static int counts[500];
    memset(counts, 0, sizeof counts);
    for (int k = 0; k < 30000; k++) {
        ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        int s = (int)obs[0];
        ck_assert(obs[0] == (float)s && s >= 0 && s < 500);
        int dest = s % 4, pass = (s / 4) % 5;
        ck_assert_int_lt(pass, 4);
        ck_assert_int_ne(pass, dest);
        counts[s]++;
    }
    int distinct = 0;
    for (int s = 0; s < 500; s++)
        if (counts[s]) {
            distinct++;
            /* Expected 100 each; 5 standard deviations is about 50. */
            ck_assert_int_gt(counts[s], 50);
            ck_assert_int_lt(counts[s], 150);
        }
    ck_assert_int_eq(distinct, 300);
    athlete_env_destroy(env);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-seeding");
    TCase *tc = tcase_create("seeding");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, same_seed_same_start);
    tcase_add_test(tc, different_seeds_differ);
    tcase_add_test(tc, same_seed_same_trajectory);
    tcase_add_test(tc, interleaved_instances_are_independent);
    tcase_add_test(tc, unseeded_instances_differ);
    tcase_add_test(tc, reset_ranges);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* State blobs (checkpoints): run, save, run K steps, restore, run K steps again -> identical;
 * every corrupted or mismatched blob is refused with the environment unchanged. Also: step
 * and reset never allocate. */
#include <athlete/alloc.h>

#include <math.h>

#include "env-test-util.h"

#define N_IDS 8
static const char *ids[N_IDS] = {"CartPole-v1",  "Pendulum-v1",     "MountainCar-v0",
                                 "MountainCarContinuous-v0", "Acrobot-v1", "FrozenLake-v1",
                                 "CliffWalking-v1", "Taxi-v4"};
static const char *stochastic_options[N_IDS] = {
    NULL, NULL, NULL, NULL, NULL, "{\"is_slippery\": true}", "{\"is_slippery\": true}",
    "{\"is_rainy\": true, \"fickle_passenger\": true}"};

START_TEST(round_trip)
{
    for (int i = 0; i < N_IDS; i++) {
        athlete_error err;
        enum { K = 1500 };
        static step_record first[K], second[K];
        athlete_env *env = make_env(ids[i], stochastic_options[i]);
        size_t obs_size = athlete_space_flat_size(athlete_env_observation_space(env));
        uint64_t seed = 77;
        float obs[TEST_MAX_OBS];
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        athlete_rng policy;
        athlete_rng_seed(&policy, 5, 0);
        run_steps(env, &policy, 37, first); /* somewhere inside an episode */

        size_t size = athlete_env_state_size(env);
        unsigned char *blob = malloc(size);
        ck_assert_ok(athlete_env_get_state(env, blob, size, &err), &err);
        athlete_rng policy_saved = policy;
        uint64_t elapsed = athlete_env_elapsed_steps(env);

        run_steps(env, &policy, K, first);
        ck_assert_ok(athlete_env_set_state(env, blob, size, &err), &err);
        ck_assert_uint_eq(athlete_env_elapsed_steps(env), elapsed);
        policy = policy_saved;
        run_steps(env, &policy, K, second);
        assert_same_records(first, second, K, obs_size);

        /* The blob also moves a run to a fresh instance created with the same options. */
        athlete_env *other = make_env(ids[i], stochastic_options[i]);
        ck_assert_ok(athlete_env_set_state(other, blob, size, &err), &err);
        policy = policy_saved;
        run_steps(other, &policy, K, second);
        assert_same_records(first, second, K, obs_size);
        athlete_env_destroy(other);
        free(blob);
        athlete_env_destroy(env);
    }
}
END_TEST

/* The episode flags are part of the state: a blob taken after termination restores an
 * ended episode, and one taken before the first reset restores a never-reset one. */
START_TEST(phase_is_saved)
{
    athlete_error err;
    athlete_env *env = make_env("CartPole-v1", NULL);
    size_t size = athlete_env_state_size(env);
    unsigned char *fresh = malloc(size), *ended = malloc(size);
    ck_assert_ok(athlete_env_get_state(env, fresh, size, &err), &err);
    float obs[4], a = 1;
    double r;
    bool te, tr;
    const double edge[4] = {2.39, 1.0, 0.0, 0.0};
    ck_assert_ok(athlete_env_reset_to_state(env, edge, 4, obs, &err), &err);
    ck_assert_ok(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err);
    ck_assert(te);
    ck_assert_ok(athlete_env_get_state(env, ended, size, &err), &err);
    uint64_t seed = 1;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    ck_assert_ok(athlete_env_set_state(env, ended, size, &err), &err);
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "terminated");
    ck_assert_ok(athlete_env_set_state(env, fresh, size, &err), &err);
    ck_assert_fails(athlete_env_step(env, &a, 1, obs, &r, &te, &tr, &err), &err, ATHLETE_E_CALL_ORDER,
                    "called before reset");
    free(fresh);
    free(ended);
    athlete_env_destroy(env);
}
END_TEST

START_TEST(bad_blobs)
{
    athlete_error err;
    athlete_env *env = make_env("Pendulum-v1", NULL);
    uint64_t seed = 9;
    float obs[3];
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    size_t size = athlete_env_state_size(env);
    unsigned char *blob = malloc(size + 8), *copy = malloc(size + 8), *before = malloc(size);
    ck_assert_ok(athlete_env_get_state(env, blob, size, &err), &err);
    ck_assert_ok(athlete_env_get_state(env, before, size, &err), &err);

    ck_assert_fails(athlete_env_get_state(env, blob, size - 1, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "Pendulum-v1 get_state: buffer has");
    ck_assert_fails(athlete_env_set_state(env, blob, size - 1, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "Pendulum-v1 set_state: the state has");
    ck_assert_fails(athlete_env_set_state(env, blob, size + 8, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "expected");
    ck_assert_fails(athlete_env_set_state(env, blob, 10, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "Pendulum-v1 set_state: 10 bytes is too short for an environment state");
    memcpy(copy, blob, size);
    copy[0] ^= 0xff;
    ck_assert_fails(athlete_env_set_state(env, copy, size, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "Pendulum-v1 set_state: not an environment state (bad magic)");
    ck_assert_fails(athlete_env_set_state(env, NULL, size, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "athlete_env_set_state: buffer is NULL");

    /* Another environment's state. */
    athlete_env *cart = make_env("CartPole-v1", NULL);
    size_t cart_size = athlete_env_state_size(cart);
    unsigned char *cart_blob = malloc(cart_size);
    ck_assert_ok(athlete_env_get_state(cart, cart_blob, cart_size, &err), &err);
    ck_assert_fails(athlete_env_set_state(env, cart_blob, cart_size, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "Pendulum-v1 set_state: the state belongs to CartPole-v1");
    free(cart_blob);
    athlete_env_destroy(cart);

    /* Same id, other options. */
    athlete_env *moon = make_env("Pendulum-v1", "{\"g\": 1.62}");
    ck_assert_fails(athlete_env_set_state(moon, blob, size, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "Pendulum-v1 set_state: the state was saved with other options");
    athlete_env_destroy(moon);
    athlete_env *short_limit = make_env("Pendulum-v1", "{\"max_episode_steps\": 10}");
    ck_assert_fails(athlete_env_set_state(short_limit, blob, size, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH,
                    "Pendulum-v1 set_state: the state was saved with max_episode_steps = 200, this "
                    "environment has 10");
    athlete_env_destroy(short_limit);

    /* Corrupted content: a NaN in the physics (the last 8 bytes are theta_dot). */
    memcpy(copy, blob, size);
    double nan = NAN;
    memcpy(copy + size - 8, &nan, 8);
    ck_assert_fails(athlete_env_set_state(env, copy, size, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "Pendulum-v1 set_state: the physics state is not finite");
    /* Nothing of the refused blobs got in. */
    unsigned char *now = malloc(size);
    ck_assert_ok(athlete_env_get_state(env, now, size, &err), &err);
    ck_assert(memcmp(now, before, size) == 0);
    free(now);

    /* A discrete state out of range. */
    athlete_env *lake = make_env("FrozenLake-v1", NULL);
    size_t lake_size = athlete_env_state_size(lake);
    unsigned char *lake_blob = malloc(lake_size);
    ck_assert_ok(athlete_env_reset(lake, &seed, obs, &err), &err);
    ck_assert_ok(athlete_env_get_state(lake, lake_blob, lake_size, &err), &err);
    int64_t bad_cell = 16;
    memcpy(lake_blob + lake_size - 8, &bad_cell, 8);
    ck_assert_fails(athlete_env_set_state(lake, lake_blob, lake_size, &err), &err,
                    ATHLETE_E_CHECKPOINT_CORRUPT, "FrozenLake-v1 set_state: state 16 is outside Discrete(16)");
    free(lake_blob);
    athlete_env_destroy(lake);

    free(blob);
    free(copy);
    free(before);
    athlete_env_destroy(env);
}
END_TEST

/* ---- No allocation in step and reset: a counting allocator ---- */
static size_t allocations;
static void *count_malloc(size_t n) { allocations++; return malloc(n); }
static void *count_calloc(size_t c, size_t n) { allocations++; return calloc(c, n); }
static void *count_realloc(void *p, size_t n) { allocations++; return realloc(p, n); }

START_TEST(step_and_reset_do_not_allocate)
{
    athlete_error err;
    ck_assert_ok(athlete_set_allocator(count_malloc, count_calloc, count_realloc, free, &err), &err);
    for (int i = 0; i < N_IDS; i++) {
        allocations = 0;
        athlete_env *env = make_env(ids[i], stochastic_options[i]);
        ck_assert_uint_gt(allocations, 0); /* the allocator is really in use */
        size_t size = athlete_env_state_size(env);
        unsigned char blob[4096];
        ck_assert_uint_le(size, sizeof blob);
        allocations = 0;
        uint64_t seed = 3;
        float obs[TEST_MAX_OBS];
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        athlete_rng policy;
        athlete_rng_seed(&policy, 8, 0);
        static step_record records[5000];
        run_steps(env, &policy, 5000, records); /* steps and resets */
        const double state[4] = {0, 0, 0, 0};
        ck_assert_ok(athlete_env_reset_to_state(env, state, athlete_env_reset_state_size(env), obs,
                                                &err),
                     &err);
        ck_assert_ok(athlete_env_get_state(env, blob, size, &err), &err);
        ck_assert_ok(athlete_env_set_state(env, blob, size, &err), &err);
        /* The error paths do not allocate either. */
        float bad = NAN;
        double r;
        bool te, tr;
        ck_assert(athlete_env_step(env, &bad, 1, obs, &r, &te, &tr, &err) != ATHLETE_OK);
        ck_assert_msg(allocations == 0, "%s allocated %zu times", ids[i], allocations);
        athlete_env_destroy(env);
    }
    ck_assert_ok(athlete_set_allocator(NULL, NULL, NULL, NULL, &err), &err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-state");
    TCase *tc = tcase_create("state");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, phase_is_saved);
    tcase_add_test(tc, bad_blobs);
    tcase_add_test(tc, step_and_reset_do_not_allocate);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

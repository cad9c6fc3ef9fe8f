/* Vector environments: instance i of a vector reset with seed s replays a single environment
 * reset with s + i under same-step autoreset, bit for bit; final observations; refused calls
 * change nothing; state round trips; no allocation per step. */
#include <athlete/alloc.h>
#include <athlete/vector-env.h>

#include <math.h>

#include "alloc-count.h"
#include "env-test-util.h"

#define N_IDS 8
static const char *ids[N_IDS] = {"CartPole-v1", "Pendulum-v1", "MountainCar-v0",
                                 "MountainCarContinuous-v0", "Acrobot-v1", "FrozenLake-v1",
                                 "CliffWalking-v1", "Taxi-v4"};
static const char *options[N_IDS] = {NULL, NULL, "{\"max_episode_steps\": 50}",
                                     "{\"max_episode_steps\": 60}", "{\"max_episode_steps\": 40}",
                                     "{\"is_slippery\": true}", "{\"is_slippery\": true, \"max_episode_steps\": 30}",
                                     "{\"is_rainy\": true, \"fickle_passenger\": true}"};
enum { N = 5, STEPS = 700 };

static athlete_vector_env *make_vector(const char *id, const char *opts, size_t n)
{
    athlete_error err;
    athlete_vector_env *venv = NULL;
    ck_assert_ok(athlete_vector_env_create(id, opts, n, &venv, &err), &err);
    return venv;
}

START_TEST(matches_single_environments)
{
    for (int k = 0; k < N_IDS; k++) {
        athlete_error err;
        athlete_vector_env *venv = make_vector(ids[k], options[k], N);
        athlete_env *single[N];
        size_t of = athlete_space_flat_size(athlete_vector_env_observation_space(venv));
        size_t af = athlete_space_flat_size(athlete_vector_env_action_space(venv));
        float vobs[N * TEST_MAX_OBS], vfinal[N * TEST_MAX_OBS], sobs[TEST_MAX_OBS];
        float actions[N * TEST_MAX_ACT];
        double rewards[N];
        bool te[N], tr[N];
        uint64_t seed = 1000;
        ck_assert_ok(athlete_vector_env_reset(venv, &seed, vobs, &err), &err);
        for (size_t i = 0; i < N; i++) {
            single[i] = make_env(ids[k], options[k]);
            uint64_t s = seed + i;
            ck_assert_ok(athlete_env_reset(single[i], &s, sobs, &err), &err);
            ck_assert(memcmp(sobs, vobs + i * of, of * sizeof(float)) == 0);
        }
        athlete_rng policy;
        athlete_rng_seed(&policy, 9, 0);
        size_t episodes_ended = 0;
        for (int t = 0; t < STEPS; t++) {
            for (size_t i = 0; i < N; i++)
                random_action(single[i], &policy, actions + i * af);
            ck_assert_ok(athlete_vector_env_step(venv, actions, N * af, vobs, rewards, te, tr, vfinal, &err),
                         &err);
            for (size_t i = 0; i < N; i++) {
                double r;
                bool ste, str;
                ck_assert_ok(athlete_env_step(single[i], actions + i * af, af, sobs, &r, &ste, &str, &err), &err);
                ck_assert_msg(memcmp(sobs, vfinal + i * of, of * sizeof(float)) == 0,
                              "%s t=%d instance %zu: final observation differs", ids[k], t, i);
                ck_assert(r == rewards[i] && ste == te[i] && str == tr[i]);
                if (ste || str) {
                    episodes_ended++;
                    ck_assert_ok(athlete_env_reset(single[i], NULL, sobs, &err), &err);
                }
                ck_assert_msg(memcmp(sobs, vobs + i * of, of * sizeof(float)) == 0,
                              "%s t=%d instance %zu: next observation differs", ids[k], t, i);
            }
        }
        ck_assert_msg(episodes_ended > 0, "%s: no episode ended, autoreset untested", ids[k]);
        /* final_observations may be NULL. */
        ck_assert_ok(athlete_vector_env_step(venv, actions, N * af, vobs, rewards, te, tr, NULL, &err), &err);
        for (size_t i = 0; i < N; i++)
            athlete_env_destroy(single[i]);
        athlete_vector_env_destroy(venv);
    }
}
END_TEST

START_TEST(refused_calls_change_nothing)
{
    athlete_error err;
    athlete_vector_env *venv = make_vector("CartPole-v1", NULL, 3);
    float obs[3 * 4], actions[3] = {0, 1, 1};
    double r[3];
    bool te[3], tr[3];
    ck_assert_fails(athlete_vector_env_step(venv, actions, 3, obs, r, te, tr, NULL, &err), &err,
                    ATHLETE_E_CALL_ORDER, "CartPole-v1 vector step: called before reset");
    uint64_t seed = 4;
    ck_assert_ok(athlete_vector_env_reset(venv, &seed, obs, &err), &err);
    size_t size = athlete_vector_env_state_size(venv);
    unsigned char *before = malloc(size), *after = malloc(size);
    ck_assert_ok(athlete_vector_env_get_state(venv, before, size, &err), &err);
    actions[2] = 2;
    ck_assert_fails(athlete_vector_env_step(venv, actions, 3, obs, r, te, tr, NULL, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "instance 2: CartPole-v1 step: action = 2 is not in Discrete(2)");
    actions[2] = NAN;
    ck_assert_fails(athlete_vector_env_step(venv, actions, 3, obs, r, te, tr, NULL, &err), &err,
                    ATHLETE_E_NON_FINITE, "instance 2: CartPole-v1 step: action is NaN");
    actions[2] = 1;
    ck_assert_fails(athlete_vector_env_step(venv, actions, 2, obs, r, te, tr, NULL, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH,
                    "CartPole-v1 vector step: actions has 2 values, expected 3 (3 instances x 1)");
    ck_assert_fails(athlete_vector_env_step(venv, actions, 3, obs, NULL, te, tr, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "CartPole-v1 vector step: rewards is NULL");
    ck_assert_ok(athlete_vector_env_get_state(venv, after, size, &err), &err);
    ck_assert(memcmp(before, after, size) == 0);

    athlete_vector_env *bad = NULL;
    ck_assert_fails(athlete_vector_env_create("CartPole-v1", NULL, 0, &bad, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "num_envs must be in [1, 65536], got 0");
    ck_assert_fails(athlete_vector_env_create("CartPole-v1", NULL, 65537, &bad, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "num_envs must be in [1, 65536], got 65537");
    ck_assert_fails(athlete_vector_env_create("CartPol-v1", NULL, 2, &bad, &err), &err, ATHLETE_E_ENV,
                    "unknown environment id 'CartPol-v1'");
    ck_assert_fails(athlete_vector_env_create("Pendulum-v1", "{\"gg\": 1}", 2, &bad, &err), &err,
                    ATHLETE_E_CONFIG_UNKNOWN_KEY, "gg");
    ck_assert_ptr_null(bad);
    free(before);
    free(after);
    athlete_vector_env_destroy(venv);
}
END_TEST

START_TEST(state_round_trip)
{
    athlete_error err;
    enum { M = 4, K = 300 };
    athlete_vector_env *venv = make_vector("FrozenLake-v1", "{\"is_slippery\": true}", M);
    float obs[M], actions[M], first[K][M], second[K][M];
    double r[M];
    bool te[M], tr[M];
    uint64_t seed = 3;
    ck_assert_ok(athlete_vector_env_reset(venv, &seed, obs, &err), &err);
    athlete_rng policy;
    athlete_rng_seed(&policy, 2, 0);
    for (int t = 0; t < 37; t++) {
        for (int i = 0; i < M; i++)
            actions[i] = (float)athlete_rng_below(&policy, 4);
        ck_assert_ok(athlete_vector_env_step(venv, actions, M, obs, r, te, tr, NULL, &err), &err);
    }
    size_t size = athlete_vector_env_state_size(venv);
    unsigned char *blob = malloc(size);
    ck_assert_ok(athlete_vector_env_get_state(venv, blob, size, &err), &err);
    athlete_rng saved = policy;
    for (int pass = 0; pass < 2; pass++) {
        policy = saved;
        for (int t = 0; t < K; t++) {
            for (int i = 0; i < M; i++)
                actions[i] = (float)athlete_rng_below(&policy, 4);
            ck_assert_ok(athlete_vector_env_step(venv, actions, M, pass ? second[t] : first[t], r, te, tr,
                                                 NULL, &err),
                         &err);
        }
        ck_assert_ok(athlete_vector_env_set_state(venv, blob, size, &err), &err);
    }
    ck_assert(memcmp(first, second, sizeof first) == 0);

    /* Mismatched blobs are refused and change nothing. */
    athlete_vector_env *other = make_vector("FrozenLake-v1", "{\"is_slippery\": true}", M + 1);
    ck_assert_fails(athlete_vector_env_set_state(other, blob, size, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "the state has 4 instances, this vector has 5");
    athlete_vector_env_destroy(other);
    unsigned char *current = malloc(size), *corrupt = malloc(size);
    ck_assert_ok(athlete_vector_env_get_state(venv, current, size, &err), &err);
    memcpy(corrupt, blob, size);
    /* Instance 2's part loses its magic: instances 0 and 1 must be put back. */
    size_t one = (size - 32) / M;
    corrupt[32 + 2 * one] ^= 0xff;
    ck_assert_fails(athlete_vector_env_set_state(venv, corrupt, size, &err), &err,
                    ATHLETE_E_CHECKPOINT_CORRUPT, "instance 2: FrozenLake-v1 set_state: not an environment state");
    unsigned char *now = malloc(size);
    ck_assert_ok(athlete_vector_env_get_state(venv, now, size, &err), &err);
    ck_assert(memcmp(now, current, size) == 0);
    corrupt[0] ^= 1;
    ck_assert_fails(athlete_vector_env_set_state(venv, corrupt, size, &err), &err,
                    ATHLETE_E_CHECKPOINT_CORRUPT, "not a vector environment state (bad magic)");
    free(now);
    free(current);
    free(corrupt);
    free(blob);
    athlete_vector_env_destroy(venv);
}
END_TEST

START_TEST(step_does_not_allocate)
{
    athlete_error err;
    athlete_vector_env *venv = make_vector("Pendulum-v1", NULL, 8);
    float obs[8 * 3], final[8 * 3], actions[8] = {0};
    double r[8];
    bool te[8], tr[8];
    uint64_t seed = 1;
    ck_assert_ok(athlete_vector_env_reset(venv, &seed, obs, &err), &err);
    count_allocations_begin();
    for (int t = 0; t < 1000; t++) /* crosses the 200-step limit: autoresets included */
        ck_assert_ok(athlete_vector_env_step(venv, actions, 8, obs, r, te, tr, final, &err), &err);
    size_t allocations = allocation_count;
    count_allocations_end();
    ck_assert_msg(allocations == 0, "vector step allocated %zu times", allocations);
    athlete_vector_env_destroy(venv);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("env-vector");
    TCase *tc = tcase_create("vector");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, matches_single_environments);
    tcase_add_test(tc, refused_calls_change_nothing);
    tcase_add_test(tc, state_round_trip);
    tcase_add_test(tc, step_does_not_allocate);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

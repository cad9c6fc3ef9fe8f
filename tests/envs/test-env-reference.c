/* Reference replay: every episode Gymnasium 1.4.0 recorded (tests/data/gymnasium/<id>.jsonl) is
 * replayed from its recorded initial state with its recorded actions, and every
 * observation, reward, terminated and truncated flag must equal the recording EXACTLY:
 * float32 observations bit for bit, float64 rewards bit for bit (tolerance 0 for every
 * environment). Continuous actions were recorded as float64 but Gymnasium's float32 Box
 * received them as float32, which is what the C API takes. */
#include <math.h>
#include <stdarg.h>

#include "env-test-util.h"

typedef struct replay_stats {
    size_t episodes, steps, mismatches;
    char first[512];
} replay_stats;

static void note_mismatch(replay_stats *st, const char *fmt, ...) ATHLETE_PRINTF(2, 3);
static void note_mismatch(replay_stats *st, const char *fmt, ...)
{
    if (st->mismatches++ == 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(st->first, sizeof st->first, fmt, ap);
        va_end(ap);
    }
}

/* Compares an observation with its recording (a number for Discrete, else an array). */
static void compare_obs(replay_stats *st, long long seed, size_t step, const float *obs, size_t n,
                        const cJSON *expected)
{
    if (cJSON_IsNumber(expected)) {
        ck_assert_uint_eq(n, 1);
        if ((double)obs[0] != expected->valuedouble)
            note_mismatch(st, "seed %lld step %zu: obs %.9g, recorded %.9g", seed, step,
                          (double)obs[0], expected->valuedouble);
        return;
    }
    ck_assert_msg(cJSON_IsArray(expected), "observation is neither a number nor an array");
    ck_assert_uint_eq((size_t)cJSON_GetArraySize(expected), n);
    for (size_t i = 0; i < n; i++) {
        double want = cJSON_GetArrayItem(expected, (int)i)->valuedouble;
        /* The recording holds float32 values; they convert to float exactly. */
        ck_assert_msg((double)(float)want == want, "recorded obs is not a float32 value");
        if ((double)obs[i] != want)
            note_mismatch(st, "seed %lld step %zu: obs[%zu] = %.9g, recorded %.9g", seed, step, i,
                          (double)obs[i], want);
    }
}

static replay_stats replay_file(const char *id)
{
    char relative[128];
    snprintf(relative, sizeof relative, "gymnasium/%s.jsonl", id);
    cJSON *episodes = read_jsonl(relative);
    replay_stats st = {0};
    athlete_error err;
    const cJSON *ep;
    cJSON_ArrayForEach(ep, episodes)
    {
        ck_assert_str_eq(cJSON_GetObjectItem(ep, "env")->valuestring, id);
        char *options = cJSON_PrintUnformatted(cJSON_GetObjectItem(ep, "kwargs"));
        athlete_env *env = make_env(id, options);
        cJSON_free(options);
        long long seed = (long long)cJSON_GetObjectItem(ep, "reset_seed")->valuedouble;

        const cJSON *state0 = cJSON_GetObjectItem(ep, "state0");
        double state[8];
        size_t state_size = (size_t)cJSON_GetArraySize(state0);
        ck_assert_uint_le(state_size, 8);
        for (size_t i = 0; i < state_size; i++)
            state[i] = cJSON_GetArrayItem(state0, (int)i)->valuedouble;
        size_t obs_size = athlete_space_flat_size(athlete_env_observation_space(env));
        size_t act_size = athlete_space_flat_size(athlete_env_action_space(env));
        float obs[TEST_MAX_OBS];
        ck_assert_ok(athlete_env_reset_to_state(env, state, state_size, obs, &err), &err);
        compare_obs(&st, seed, 0, obs, obs_size, cJSON_GetObjectItem(ep, "obs0"));

        const cJSON *actions = cJSON_GetObjectItem(ep, "actions");
        const cJSON *all_obs = cJSON_GetObjectItem(ep, "obs");
        const cJSON *rewards = cJSON_GetObjectItem(ep, "rewards");
        const cJSON *terminated = cJSON_GetObjectItem(ep, "terminated");
        const cJSON *truncated = cJSON_GetObjectItem(ep, "truncated");
        int steps = cJSON_GetArraySize(actions);
        ck_assert_int_gt(steps, 0);
        for (int t = 0; t < steps; t++) {
            const cJSON *a = cJSON_GetArrayItem(actions, t);
            float action[TEST_MAX_ACT];
            size_t n = 0;
            if (cJSON_IsNumber(a)) {
                action[n++] = (float)a->valuedouble;
            } else {
                const cJSON *v;
                cJSON_ArrayForEach(v, a) action[n++] = (float)v->valuedouble;
            }
            ck_assert_uint_eq(n, act_size);
            double reward;
            bool te, tr;
            ck_assert_ok(athlete_env_step(env, action, n, obs, &reward, &te, &tr, &err), &err);
            compare_obs(&st, seed, (size_t)t + 1, obs, obs_size, cJSON_GetArrayItem(all_obs, t));
            double want = cJSON_GetArrayItem(rewards, t)->valuedouble;
            if (reward != want)
                note_mismatch(&st, "seed %lld step %d: reward %.17g, recorded %.17g", seed, t + 1,
                              reward, want);
            if (te != cJSON_IsTrue(cJSON_GetArrayItem(terminated, t)) ||
                tr != cJSON_IsTrue(cJSON_GetArrayItem(truncated, t)))
                note_mismatch(&st, "seed %lld step %d: terminated/truncated %d/%d differ", seed,
                              t + 1, te, tr);
            st.steps++;
            /* The recording stops where the episode ends (or after 1000 steps). */
            if (t + 1 < steps)
                ck_assert_msg(!te && !tr, "episode ended before the recording did");
        }
        athlete_env_destroy(env);
        st.episodes++;
    }
    cJSON_Delete(episodes);
    return st;
}

static void check_file(const char *id, size_t min_steps)
{
    replay_stats st = replay_file(id);
    ck_assert_uint_eq(st.episodes, 8);
    ck_assert_uint_ge(st.steps, min_steps);
    ck_assert_msg(st.mismatches == 0, "%s: %zu mismatches in %zu steps; first: %s", id,
                  st.mismatches, st.steps, st.first);
}

START_TEST(cartpole) { check_file("CartPole-v1", 100); }
END_TEST
START_TEST(pendulum) { check_file("Pendulum-v1", 1600); }
END_TEST
START_TEST(mountain_car) { check_file("MountainCar-v0", 1600); }
END_TEST
START_TEST(mountain_car_continuous) { check_file("MountainCarContinuous-v0", 7992); }
END_TEST
START_TEST(acrobot) { check_file("Acrobot-v1", 4000); }
END_TEST
START_TEST(frozen_lake) { check_file("FrozenLake-v1", 20); }
END_TEST
START_TEST(cliff_walking) { check_file("CliffWalking-v1", 7000); }
END_TEST
START_TEST(taxi) { check_file("Taxi-v4", 1600); }
END_TEST

int main(void)
{
    Suite *s = suite_create("env-reference");
    TCase *tc = tcase_create("gymnasium-1.4.0");
    tcase_add_test(tc, cartpole);
    tcase_add_test(tc, pendulum);
    tcase_add_test(tc, mountain_car);
    tcase_add_test(tc, mountain_car_continuous);
    tcase_add_test(tc, acrobot);
    tcase_add_test(tc, frozen_lake);
    tcase_add_test(tc, cliff_walking);
    tcase_add_test(tc, taxi);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Helpers shared by the environment tests: creating environments, running random episodes,
 * reading the Gymnasium reference recordings (tests/data/gymnasium/<id>.jsonl). */
#ifndef ATHLETE_ENV_TEST_UTIL_H
#define ATHLETE_ENV_TEST_UTIL_H

#include <athlete/env.h>
#include <athlete/rng.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-util.h"

/* Largest observation / action of the built-in environments. */
#define TEST_MAX_OBS 8
#define TEST_MAX_ACT 4

static inline athlete_env *make_env(const char *id, const char *options)
{
    athlete_error err;
    athlete_env *env = NULL;
    ck_assert_ok(athlete_env_create(id, options, &env, &err), &err);
    ck_assert_ptr_nonnull(env);
    return env;
}

/* A random valid action: uniform integer for Discrete, uniform over a widened box for Box
 * (so clipping is exercised too). Returns the action size. */
static inline size_t random_action(const athlete_env *env, athlete_rng *rng, float *action)
{
    const athlete_space *space = athlete_env_action_space(env);
    if (space->kind == ATHLETE_SPACE_DISCRETE) {
        action[0] = (float)athlete_rng_below(rng, (uint64_t)space->n);
        return 1;
    }
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++) {
        double lo = space->low[i], hi = space->high[i], span = hi - lo;
        action[i] = (float)athlete_rng_uniform_range(rng, lo - 0.25 * span, hi + 0.25 * span);
    }
    return n;
}

/* A transcript of steps, for comparing two runs. */
typedef struct step_record {
    float obs[TEST_MAX_OBS];
    double reward;
    bool terminated, truncated;
} step_record;

/* Runs `steps` steps with actions from `rng`, resetting (seed NULL) when an episode ends;
 * records every step. */
static inline void run_steps(athlete_env *env, athlete_rng *rng, size_t steps, step_record *out)
{
    athlete_error err;
    float action[TEST_MAX_ACT];
    for (size_t i = 0; i < steps; i++) {
        step_record *r = &out[i];
        memset(r, 0, sizeof *r);
        size_t n = random_action(env, rng, action);
        ck_assert_ok(athlete_env_step(env, action, n, r->obs, &r->reward, &r->terminated,
                                      &r->truncated, &err),
                     &err);
        if (r->terminated || r->truncated) {
            float obs[TEST_MAX_OBS];
            ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
        }
    }
}

static inline void assert_same_records(const step_record *a, const step_record *b, size_t n,
                                       size_t obs_size)
{
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(memcmp(a[i].obs, b[i].obs, obs_size * sizeof(float)) == 0,
                      "step %zu: observations differ", i);
        ck_assert_msg(a[i].reward == b[i].reward, "step %zu: reward %.17g != %.17g", i,
                      a[i].reward, b[i].reward);
        ck_assert_int_eq(a[i].terminated, b[i].terminated);
        ck_assert_int_eq(a[i].truncated, b[i].truncated);
    }
}

/* Reads tests/data/<relative> into a NUL-terminated malloc'ed buffer. */
static inline char *read_test_data(const char *relative)
{
    const char *dir = getenv("ATHLETE_TEST_DATA");
    ck_assert_msg(dir != NULL, "ATHLETE_TEST_DATA is not set (run through meson test)");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, relative);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    ck_assert_int_ge(size, 0);
    ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
    char *text = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    return text;
}

/* Parses one JSON object per line; returns them as a cJSON array (cJSON_Delete it). */
static inline cJSON *read_jsonl(const char *relative)
{
    char *text = read_test_data(relative);
    cJSON *all = cJSON_CreateArray();
    ck_assert_ptr_nonnull(all);
    char *line = text;
    while (*line) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (*line) {
            cJSON *item = cJSON_Parse(line);
            ck_assert_msg(item != NULL, "%s: a line is not valid JSON", relative);
            cJSON_AddItemToArray(all, item);
        }
        if (!end)
            break;
        line = end + 1;
    }
    free(text);
    return all;
}

#endif

/* The generic part of every environment: lookup by id, options, call order, action
 * validation, the time limit (Gymnasium's TimeLimit wrapper) and state blobs. */
#include "env-private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <athlete/alloc.h>

/* Every instance draws from its own stream; the stream number only keeps environment
 * streams apart from other components seeded with the same number. */
#define ENV_RNG_STREAM 0x656e76u /* "env" */

static const env_vtable *const registry[] = {
    &env_cartpole,  &env_pendulum,      &env_mountain_car,  &env_mountain_car_continuous,
    &env_acrobot,   &env_frozen_lake,   &env_cliff_walking, &env_taxi,
};
#define REGISTRY_SIZE (sizeof registry / sizeof registry[0])

static const char *const registry_ids[REGISTRY_SIZE] = {
    "CartPole-v1",   "Pendulum-v1",     "MountainCar-v0",  "MountainCarContinuous-v0",
    "Acrobot-v1",    "FrozenLake-v1",   "CliffWalking-v1", "Taxi-v4",
};

size_t athlete_env_list(const char *const **ids)
{
    if (ids)
        *ids = registry_ids;
    return REGISTRY_SIZE;
}

/* ---- Options ---- */

static const char *json_type_name(const cJSON *item)
{
    if (cJSON_IsBool(item))
        return "a boolean";
    if (cJSON_IsNull(item))
        return "null";
    if (cJSON_IsNumber(item))
        return "a number";
    if (cJSON_IsString(item))
        return "a string";
    if (cJSON_IsArray(item))
        return "an array";
    if (cJSON_IsObject(item))
        return "an object";
    return "an invalid value";
}

static athlete_status option_type_error(const athlete_env *env, const char *key, const char *expected,
                                        const cJSON *item, athlete_error *err)
{
    return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE, "%s options: '%s' expects %s, got %s",
                             env->vt->id, key, expected, json_type_name(item));
}

athlete_status env_option_bool(const athlete_env *env, const cJSON *options, const char *key,
                               bool *out, athlete_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(options, key);
    if (!item)
        return ATHLETE_OK;
    if (!cJSON_IsBool(item))
        return option_type_error(env, key, "a boolean", item, err);
    *out = cJSON_IsTrue(item);
    return ATHLETE_OK;
}

athlete_status env_option_number(const athlete_env *env, const cJSON *options, const char *key,
                                 double *out, athlete_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(options, key);
    if (!item)
        return ATHLETE_OK;
    if (!cJSON_IsNumber(item))
        return option_type_error(env, key, "a number", item, err);
    if (!isfinite(item->valuedouble))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s options: '%s' must be finite",
                                 env->vt->id, key);
    *out = item->valuedouble;
    return ATHLETE_OK;
}

athlete_status env_option_string(const athlete_env *env, const cJSON *options, const char *key,
                                  const char **out, athlete_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(options, key);
    if (!item)
        return ATHLETE_OK;
    if (!cJSON_IsString(item))
        return option_type_error(env, key, "a string", item, err);
    *out = item->valuestring;
    return ATHLETE_OK;
}

athlete_status env_option_numbers(const athlete_env *env, const cJSON *options, const char *key,
                                  double *out, size_t count, athlete_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(options, key);
    if (!item)
        return ATHLETE_OK;
    char expected[48];
    snprintf(expected, sizeof expected, "an array of %zu numbers", count);
    if (!cJSON_IsArray(item))
        return option_type_error(env, key, expected, item, err);
    size_t n = (size_t)cJSON_GetArraySize(item);
    if (n != count)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s options: '%s' expects %zu numbers, got %zu", env->vt->id, key,
                                 count, n);
    double values[8];
    size_t i = 0;
    const cJSON *element;
    cJSON_ArrayForEach(element, item)
    {
        if (!cJSON_IsNumber(element))
            return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE,
                                     "%s options: '%s'[%zu] expects a number, got %s", env->vt->id,
                                     key, i, json_type_name(element));
        if (!isfinite(element->valuedouble) || i >= sizeof values / sizeof values[0])
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                     "%s options: '%s'[%zu] must be finite", env->vt->id, key, i);
        values[i++] = element->valuedouble;
    }
    memcpy(out, values, count * sizeof *out);
    return ATHLETE_OK;
}

/* Rejects unknown and repeated keys before any value is read. */
static athlete_status check_option_keys(const env_vtable *vt, const cJSON *options,
                                        athlete_error *err)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, options)
    {
        const char *key = item->string;
        bool known = strcmp(key, "max_episode_steps") == 0;
        for (const char *const *name = vt->option_names; !known && name && *name; name++)
            known = strcmp(key, *name) == 0;
        if (!known) {
            char list[160] = "";
            size_t used = 0;
            for (const char *const *name = vt->option_names; name && *name; name++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *name);
                if (w < 0 || (size_t)w >= sizeof list - used)
                    break;
                used += (size_t)w;
            }
            snprintf(list + used, sizeof list - used, "%smax_episode_steps", used ? ", " : "");
            return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                                     "%s options: unknown option '%.40s' (known: %s)", vt->id, key,
                                     list);
        }
        for (const cJSON *other = options->child; other != item; other = other->next)
            if (strcmp(other->string, key) == 0)
                return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                         "%s options: '%.40s' is given twice", vt->id, key);
    }
    return ATHLETE_OK;
}

static athlete_status apply_max_episode_steps(athlete_env *env, const cJSON *options,
                                              athlete_error *err)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(options, "max_episode_steps");
    if (!item)
        return ATHLETE_OK;
    if (cJSON_IsNull(item)) { /* gym.make(max_episode_steps=None): the registered limit */
        return ATHLETE_OK;
    }
    if (!cJSON_IsNumber(item))
        return option_type_error(env, "max_episode_steps", "an integer", item, err);
    double v = item->valuedouble;
    if (!(v >= 0.0 && v <= 9007199254740992.0) || v != floor(v))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s options: 'max_episode_steps' must be an integer >= 0 "
                                 "(0 = no limit), got %g",
                                 env->vt->id, v);
    env->max_episode_steps = (uint64_t)v;
    return ATHLETE_OK;
}

/* ---- Spaces ---- */

void env_set_box_observation(athlete_env *env, size_t n, const float *low, const float *high)
{
    memcpy(env->obs_low, low, n * sizeof *low);
    memcpy(env->obs_high, high, n * sizeof *high);
    size_t shape[1] = {n};
    env->observation_space = athlete_space_box(1, shape, env->obs_low, env->obs_high);
}

void env_set_box_action(athlete_env *env, size_t n, const float *low, const float *high)
{
    memcpy(env->act_low, low, n * sizeof *low);
    memcpy(env->act_high, high, n * sizeof *high);
    size_t shape[1] = {n};
    env->action_space = athlete_space_box(1, shape, env->act_low, env->act_high);
}

void env_set_discrete_observation(athlete_env *env, int64_t n)
{
    env->observation_space = athlete_space_discrete(n);
}

void env_set_discrete_action(athlete_env *env, int64_t n)
{
    env->action_space = athlete_space_discrete(n);
}

athlete_status env_check_discrete_state(const athlete_env *env, double value, int64_t n,
                                        athlete_error *err)
{
    if (!(value >= 0.0 && value < (double)n) || value != floor(value))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s reset_to_state: state = %g is not a state in Discrete(%lld)",
                                 env->vt->id, value, (long long)n);
    return ATHLETE_OK;
}

/* ---- Lifecycle ---- */

static size_t dyn_offset(const env_vtable *vt)
{
    size_t a = alignof(max_align_t);
    return (vt->cfg_size + a - 1) / a * a;
}

static uint64_t entropy_seed(const void *salt)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) == (ssize_t)sizeof seed)
        return seed;
    /* No entropy yet (early boot): time and address still separate instances. */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)salt;
}

athlete_status athlete_env_create(const char *id, const char *options_json, athlete_env **out,
                                  athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_create: out is NULL");
    *out = NULL;
    if (!id)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_create: id is NULL");
    const env_vtable *vt = NULL;
    for (size_t i = 0; i < REGISTRY_SIZE; i++)
        if (strcmp(registry[i]->id, id) == 0)
            vt = registry[i];
    if (!vt) {
        char list[200] = "";
        size_t used = 0;
        for (size_t i = 0; i < REGISTRY_SIZE; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", registry_ids[i]);
            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
        }
        return athlete_error_set(err, ATHLETE_E_ENV, "unknown environment id '%.40s' (known: %s)",
                                 id, list);
    }

    cJSON *options = NULL;
    const char *p = options_json;
    while (p && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p && *p) {
        const char *end = NULL;
        options = cJSON_ParseWithOpts(options_json, &end, true);
        if (!options) {
            size_t offset = end ? (size_t)(end - options_json) : 0;
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "%s options: not valid JSON (error at byte %zu)", vt->id, offset);
        }
        if (!cJSON_IsObject(options)) {
            athlete_status st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                                  "%s options: expected a JSON object, got %s",
                                                  vt->id, json_type_name(options));
            cJSON_Delete(options);
            return st;
        }
    }

    athlete_status st = check_option_keys(vt, options, err);
    if (st != ATHLETE_OK) {
        cJSON_Delete(options);
        return st;
    }
    size_t offset = dyn_offset(vt);
    athlete_env *env = athlete_calloc(1, sizeof *env + offset + vt->dyn_size);
    if (!env) {
        cJSON_Delete(options);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", vt->id);
    }
    env->vt = vt;
    env->dyn = env->impl + offset;
    env->max_episode_steps = vt->max_episode_steps;
    st = vt->configure(env, options, err);
    if (st == ATHLETE_OK)
        st = apply_max_episode_steps(env, options, err);
    cJSON_Delete(options);
    if (st != ATHLETE_OK) {
        athlete_free(env);
        return st;
    }
    env->action_flat = athlete_space_flat_size(&env->action_space);
    env->observation_flat = athlete_space_flat_size(&env->observation_space);
    env->phase = ENV_PHASE_NEW;
    athlete_rng_seed(&env->rng, entropy_seed(env), ENV_RNG_STREAM);
    *out = env;
    return ATHLETE_OK;
}

void athlete_env_destroy(athlete_env *env)
{
    athlete_free(env);
}

const char *athlete_env_id(const athlete_env *env) { return env ? env->vt->id : NULL; }

const athlete_space *athlete_env_observation_space(const athlete_env *env)
{
    return env ? &env->observation_space : NULL;
}

const athlete_space *athlete_env_action_space(const athlete_env *env)
{
    return env ? &env->action_space : NULL;
}

uint64_t athlete_env_max_episode_steps(const athlete_env *env)
{
    return env ? env->max_episode_steps : 0;
}

uint64_t athlete_env_elapsed_steps(const athlete_env *env) { return env ? env->elapsed_steps : 0; }

size_t athlete_env_reset_state_size(const athlete_env *env)
{
    return env ? env->vt->reset_state_size : 0;
}

/* ---- Episodes ---- */

athlete_status athlete_env_reset(athlete_env *env, const uint64_t *seed, float *observation,
                                 athlete_error *err)
{
    if (!env)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_reset: env is NULL");
    if (!observation)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s reset: observation is NULL",
                                 env->vt->id);
    if (seed)
        athlete_rng_seed(&env->rng, *seed, ENV_RNG_STREAM);
    env->vt->reset(env, observation);
    env->elapsed_steps = 0;
    env->phase = ENV_PHASE_RUNNING;
    return ATHLETE_OK;
}

athlete_status athlete_env_reset_to_state(athlete_env *env, const double *state, size_t state_size,
                                          float *observation, athlete_error *err)
{
    if (!env)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "athlete_env_reset_to_state: env is NULL");
    const char *id = env->vt->id;
    if (!state || !observation)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s reset_to_state: %s is NULL",
                                 id, state ? "observation" : "state");
    if (state_size != env->vt->reset_state_size)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s reset_to_state: state has %zu values, expected %zu", id,
                                 state_size, env->vt->reset_state_size);
    for (size_t i = 0; i < state_size; i++)
        if (!isfinite(state[i]))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s reset_to_state: state[%zu] is %s",
                                     id, i, isnan(state[i]) ? "NaN" : state[i] > 0 ? "inf" : "-inf");
    athlete_status st = env->vt->reset_to_state(env, state, observation, err);
    if (st != ATHLETE_OK)
        return st;
    env->elapsed_steps = 0;
    env->phase = ENV_PHASE_RUNNING;
    return ATHLETE_OK;
}

/* The error paths of step, kept out of line so the happy path stays small. */
static athlete_status __attribute__((noinline, cold))
step_error(const athlete_env *env, const float *action, size_t action_size, float *observation,
           double *reward, bool *terminated, bool *truncated, athlete_error *err)
{
    if (!env)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_step: env is NULL");
    const char *id = env->vt->id;
    if (!action || !observation || !reward || !terminated || !truncated)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s step: %s is NULL", id,
                                 !action        ? "action"
                                 : !observation ? "observation"
                                 : !reward      ? "reward"
                                 : !terminated  ? "terminated"
                                                : "truncated");
    switch ((env_phase)env->phase) {
    case ENV_PHASE_NEW:
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "%s step: called before reset", id);
    case ENV_PHASE_TERMINATED:
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "%s step: the episode has terminated; call reset first", id);
    case ENV_PHASE_TRUNCATED:
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "%s step: the episode was truncated at the time limit (%llu steps); "
                                 "call reset first",
                                 id, (unsigned long long)env->max_episode_steps);
    case ENV_PHASE_RUNNING:
        break;
    }
    char space[96];
    athlete_space_describe(&env->action_space, space, sizeof space);
    if (action_size != env->action_flat)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "%s step: action has %zu values, expected %zu (%s)", id, action_size,
                                 env->action_flat, space);
    if (env->action_space.kind == ATHLETE_SPACE_DISCRETE) {
        float a = action[0];
        if (!isfinite(a))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s step: action is %s", id,
                                     isnan(a) ? "NaN" : a > 0 ? "inf" : "-inf");
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s step: action = %g is not in %s%s",
                                 id, (double)a, space,
                                 a != floorf(a) ? " (not an integer)" : "");
    }
    for (size_t i = 0; i < action_size; i++)
        if (!isfinite(action[i]))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s step: action[%zu] is %s", id, i,
                                     isnan(action[i]) ? "NaN" : action[i] > 0 ? "inf" : "-inf");
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s step: invalid call", id);
}

athlete_status athlete_env_step(athlete_env *env, const float *action, size_t action_size,
                                float *observation, double *reward, bool *terminated,
                                bool *truncated, athlete_error *err)
{
    if (__builtin_expect(!env || !action || !observation || !reward || !terminated || !truncated ||
                             !env_step_allowed(env, action, action_size),
                         0))
        return step_error(env, action, action_size, observation, reward, terminated, truncated, err);
    bool te = false;
    env->vt->step(env, action, observation, reward, &te);
    env->elapsed_steps++;
    bool tr = env->max_episode_steps != 0 && env->elapsed_steps >= env->max_episode_steps;
    *terminated = te;
    *truncated = tr;
    env->phase = te ? ENV_PHASE_TERMINATED : tr ? ENV_PHASE_TRUNCATED : ENV_PHASE_RUNNING;
    return ATHLETE_OK;
}

/* ---- State blobs ----
 * Header, then the configuration bytes, then the dynamic state bytes. Every header field
 * is 8-byte sized, so the struct has no padding. */
typedef struct env_blob_header {
    char magic[8]; /* "ATHENV1" */
    char id[32];
    uint64_t cfg_size;
    uint64_t dyn_size;
    uint64_t max_episode_steps;
    uint64_t elapsed_steps;
    uint64_t phase;
    athlete_rng rng;
} env_blob_header;

static const char blob_magic[8] = "ATHENV1";

size_t athlete_env_state_size(const athlete_env *env)
{
    return env ? sizeof(env_blob_header) + env->vt->cfg_size + env->vt->dyn_size : 0;
}

athlete_status athlete_env_get_state(const athlete_env *env, void *buffer, size_t size,
                                     athlete_error *err)
{
    if (!env || !buffer)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_get_state: %s is NULL",
                                 env ? "buffer" : "env");
    size_t need = athlete_env_state_size(env);
    if (size < need)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s get_state: buffer has %zu bytes, the state needs %zu",
                                 env->vt->id, size, need);
    env_blob_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, blob_magic, sizeof h.magic);
    snprintf(h.id, sizeof h.id, "%s", env->vt->id);
    h.cfg_size = env->vt->cfg_size;
    h.dyn_size = env->vt->dyn_size;
    h.max_episode_steps = env->max_episode_steps;
    h.elapsed_steps = env->elapsed_steps;
    h.phase = env->phase;
    h.rng = env->rng;
    unsigned char *p = buffer;
    memcpy(p, &h, sizeof h);
    memcpy(p + sizeof h, env_cfg_const(env), env->vt->cfg_size);
    memcpy(p + sizeof h + env->vt->cfg_size, env_dyn_const(env), env->vt->dyn_size);
    return ATHLETE_OK;
}

athlete_status athlete_env_set_state(athlete_env *env, const void *buffer, size_t size,
                                     athlete_error *err)
{
    if (!env || !buffer)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_env_set_state: %s is NULL",
                                 env ? "buffer" : "env");
    const char *id = env->vt->id;
    const env_vtable *vt = env->vt;
    size_t need = athlete_env_state_size(env);
    env_blob_header h;
    if (size < sizeof h)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: %zu bytes is too short for an environment state", id,
                                 size);
    memcpy(&h, buffer, sizeof h);
    if (memcmp(h.magic, blob_magic, sizeof h.magic) != 0)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: not an environment state (bad magic)", id);
    if (memchr(h.id, '\0', sizeof h.id) == NULL)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the stored id is not terminated", id);
    if (strcmp(h.id, id) != 0)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s set_state: the state belongs to %s", id, h.id);
    if (size != need || h.cfg_size != vt->cfg_size || h.dyn_size != vt->dyn_size)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s set_state: the state has %zu bytes, expected %zu", id, size,
                                 need);
    const unsigned char *p = buffer;
    if (memcmp(p + sizeof h, env_cfg_const(env), vt->cfg_size) != 0)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s set_state: the state was saved with other options", id);
    if (h.max_episode_steps != env->max_episode_steps)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s set_state: the state was saved with max_episode_steps = %llu, "
                                 "this environment has %llu",
                                 id, (unsigned long long)h.max_episode_steps,
                                 (unsigned long long)env->max_episode_steps);
    if (h.phase > ENV_PHASE_TRUNCATED)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: episode phase %llu is invalid", id,
                                 (unsigned long long)h.phase);
    if (h.max_episode_steps != 0 && h.elapsed_steps > h.max_episode_steps)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: %llu elapsed steps exceed the limit of %llu", id,
                                 (unsigned long long)h.elapsed_steps,
                                 (unsigned long long)h.max_episode_steps);
    if ((h.rng.s[0] | h.rng.s[1] | h.rng.s[2] | h.rng.s[3]) == 0 || h.rng.has_spare > 1 ||
        !isfinite(h.rng.spare_normal))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the random generator state is invalid", id);
    /* Copy the dynamic part to aligned storage before the environment looks at it. */
    alignas(max_align_t) unsigned char dyn[256];
    if (vt->dyn_size > sizeof dyn)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH, "%s set_state: state too large",
                                 id);
    memcpy(dyn, p + sizeof h + vt->cfg_size, vt->dyn_size);
    athlete_status st = vt->check_dyn(env, dyn, err);
    if (st != ATHLETE_OK)
        return st;
    memcpy(env_dyn(env), dyn, vt->dyn_size);
    env->elapsed_steps = h.elapsed_steps;
    env->phase = h.phase;
    env->rng = h.rng;
    return ATHLETE_OK;
}

/* Vector environments: N independent instances behind one flat-array step with same-step
 * autoreset. Every check happens before any instance moves, so a refused call changes
 * nothing. */
#include <athlete/vector-env.h>

#include <string.h>

#include <athlete/alloc.h>

#include "env-private.h"

struct athlete_vector_env {
    size_t n;
    size_t obs_flat, act_flat;
    bool was_reset;
    athlete_env *instances[];
};

/* State blob: this header, then each instance's athlete_env state blob. */
typedef struct vector_blob_header {
    char magic[8]; /* "ATHVEC1" */
    uint64_t num_envs;
    uint64_t instance_size;
    uint64_t was_reset; /* 0 or 1 */
} vector_blob_header;

static const char vector_magic[8] = "ATHVEC1";

athlete_status athlete_vector_env_create(const char *id, const char *options_json, size_t num_envs,
                                         athlete_vector_env **out, athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_vector_env_create: out is NULL");
    *out = NULL;
    if (num_envs < 1 || num_envs > ATHLETE_VECTOR_ENV_MAX)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "athlete_vector_env_create: num_envs must be in [1, %d], got %zu",
                                 ATHLETE_VECTOR_ENV_MAX, num_envs);
    athlete_vector_env *venv = athlete_calloc(1, sizeof *venv + num_envs * sizeof(athlete_env *));
    if (!venv)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "athlete_vector_env_create: out of memory");
    venv->n = num_envs;
    for (size_t i = 0; i < num_envs; i++) {
        athlete_status st = athlete_env_create(id, options_json, &venv->instances[i], err);
        if (st != ATHLETE_OK) {
            athlete_vector_env_destroy(venv);
            return st;
        }
    }
    venv->obs_flat = venv->instances[0]->observation_flat;
    venv->act_flat = venv->instances[0]->action_flat;
    *out = venv;
    return ATHLETE_OK;
}

void athlete_vector_env_destroy(athlete_vector_env *venv)
{
    if (!venv)
        return;
    for (size_t i = 0; i < venv->n; i++)
        athlete_env_destroy(venv->instances[i]);
    athlete_free(venv);
}

size_t athlete_vector_env_num_envs(const athlete_vector_env *venv) { return venv ? venv->n : 0; }

const char *athlete_vector_env_id(const athlete_vector_env *venv)
{
    return venv ? athlete_env_id(venv->instances[0]) : NULL;
}

const athlete_space *athlete_vector_env_observation_space(const athlete_vector_env *venv)
{
    return venv ? athlete_env_observation_space(venv->instances[0]) : NULL;
}

const athlete_space *athlete_vector_env_action_space(const athlete_vector_env *venv)
{
    return venv ? athlete_env_action_space(venv->instances[0]) : NULL;
}

const athlete_env *athlete_vector_env_instance(const athlete_vector_env *venv, size_t i)
{
    return venv && i < venv->n ? venv->instances[i] : NULL;
}

athlete_status athlete_vector_env_reset(athlete_vector_env *venv, const uint64_t *seed,
                                        float *observations, athlete_error *err)
{
    if (!venv || !observations)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_vector_env_reset: %s is NULL",
                                 venv ? "observations" : "venv");
    for (size_t i = 0; i < venv->n; i++) {
        uint64_t s = seed ? *seed + i : 0; /* wraps modulo 2^64, as documented for seeds */
        athlete_status st = athlete_env_reset(venv->instances[i], seed ? &s : NULL,
                                              observations + i * venv->obs_flat, err);
        if (st != ATHLETE_OK)
            return st; /* cannot happen: the arguments were checked */
    }
    venv->was_reset = true;
    return ATHLETE_OK;
}

static athlete_status __attribute__((noinline, cold))
vector_step_error(athlete_vector_env *venv, const float *actions, size_t actions_size,
                  float *observations, double *rewards, bool *terminated, bool *truncated,
                  athlete_error *err)
{
    if (!venv)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "athlete_vector_env_step: venv is NULL");
    const char *id = athlete_vector_env_id(venv);
    if (!actions || !observations || !rewards || !terminated || !truncated)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s vector step: %s is NULL", id,
                                 !actions        ? "actions"
                                 : !observations ? "observations"
                                 : !rewards      ? "rewards"
                                 : !terminated   ? "terminated"
                                                 : "truncated");
    if (!venv->was_reset)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "%s vector step: called before reset", id);
    if (actions_size != venv->n * venv->act_flat)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "%s vector step: actions has %zu values, expected %zu (%zu instances x %zu)",
                                 id, actions_size, venv->n * venv->act_flat, venv->n, venv->act_flat);
    for (size_t i = 0; i < venv->n; i++) {
        const float *a = actions + i * venv->act_flat;
        if (!env_step_allowed(venv->instances[i], a, venv->act_flat)) {
            /* The single environment refuses the same step (changing nothing) and says why. */
            float obs[ENV_MAX_OBS];
            double r;
            bool te, tr;
            athlete_status st = athlete_env_step(venv->instances[i], a, venv->act_flat, obs, &r, &te,
                                                 &tr, err);
            athlete_error_prefix(err, "instance %zu: ", i);
            return st;
        }
    }
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s vector step: invalid call", id);
}

athlete_status athlete_vector_env_step(athlete_vector_env *venv, const float *actions,
                                       size_t actions_size, float *observations, double *rewards,
                                       bool *terminated, bool *truncated, float *final_observations,
                                       athlete_error *err)
{
    bool ok = venv && actions && observations && rewards && terminated && truncated &&
              venv->was_reset && actions_size == venv->n * venv->act_flat;
    for (size_t i = 0; ok && i < venv->n; i++)
        ok = env_step_allowed(venv->instances[i], actions + i * venv->act_flat, venv->act_flat);
    if (__builtin_expect(!ok, 0))
        return vector_step_error(venv, actions, actions_size, observations, rewards, terminated,
                                 truncated, err);
    const size_t of = venv->obs_flat, af = venv->act_flat;
    for (size_t i = 0; i < venv->n; i++) {
        athlete_env *env = venv->instances[i];
        float *obs = observations + i * of;
        athlete_status st = athlete_env_step(env, actions + i * af, af, obs, &rewards[i],
                                             &terminated[i], &truncated[i], err);
        if (st != ATHLETE_OK)
            return st; /* cannot happen: every step was checked above */
        if (final_observations)
            memcpy(final_observations + i * of, obs, of * sizeof *obs);
        if (terminated[i] || truncated[i]) {
            st = athlete_env_reset(env, NULL, obs, err);
            if (st != ATHLETE_OK)
                return st;
        }
    }
    return ATHLETE_OK;
}

size_t athlete_vector_env_state_size(const athlete_vector_env *venv)
{
    return venv ? sizeof(vector_blob_header) + venv->n * athlete_env_state_size(venv->instances[0]) : 0;
}

athlete_status athlete_vector_env_get_state(const athlete_vector_env *venv, void *buffer, size_t size,
                                            athlete_error *err)
{
    if (!venv || !buffer)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "athlete_vector_env_get_state: %s is NULL", venv ? "buffer" : "venv");
    size_t need = athlete_vector_env_state_size(venv);
    if (size < need)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s vector get_state: buffer has %zu bytes, need %zu",
                                 athlete_vector_env_id(venv), size, need);
    vector_blob_header h = {.num_envs = venv->n,
                            .instance_size = athlete_env_state_size(venv->instances[0]),
                            .was_reset = venv->was_reset};
    memcpy(h.magic, vector_magic, sizeof h.magic);
    unsigned char *p = buffer;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    for (size_t i = 0; i < venv->n; i++, p += h.instance_size) {
        athlete_status st = athlete_env_get_state(venv->instances[i], p, h.instance_size, err);
        if (st != ATHLETE_OK)
            return st;
    }
    return ATHLETE_OK;
}

athlete_status athlete_vector_env_set_state(athlete_vector_env *venv, const void *buffer, size_t size,
                                            athlete_error *err)
{
    if (!venv || !buffer)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "athlete_vector_env_set_state: %s is NULL", venv ? "buffer" : "venv");
    const char *id = athlete_vector_env_id(venv);
    vector_blob_header h;
    if (size < sizeof h)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s vector set_state: %zu bytes is too short for a vector state", id, size);
    memcpy(&h, buffer, sizeof h);
    if (memcmp(h.magic, vector_magic, sizeof h.magic) != 0)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s vector set_state: not a vector environment state (bad magic)", id);
    if (h.was_reset > 1)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s vector set_state: the reset flag is invalid", id);
    if (h.num_envs != venv->n)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s vector set_state: the state has %llu instances, this vector has %zu",
                                 id, (unsigned long long)h.num_envs, venv->n);
    size_t one = athlete_env_state_size(venv->instances[0]);
    if (h.instance_size != one || size != athlete_vector_env_state_size(venv))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s vector set_state: the state has %zu bytes, expected %zu", id, size,
                                 athlete_vector_env_state_size(venv));
    /* Install instance by instance; on a refusal, put the earlier ones back as they were. */
    unsigned char *backup = athlete_malloc(venv->n * one);
    if (!backup)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s vector set_state: out of memory", id);
    athlete_status st = ATHLETE_OK;
    for (size_t i = 0; i < venv->n && st == ATHLETE_OK; i++)
        st = athlete_env_get_state(venv->instances[i], backup + i * one, one, err);
    const unsigned char *p = (const unsigned char *)buffer + sizeof h;
    size_t installed = 0;
    for (; st == ATHLETE_OK && installed < venv->n; installed++) {
        st = athlete_env_set_state(venv->instances[installed], p + installed * one, one, err);
        if (st != ATHLETE_OK)
            athlete_error_prefix(err, "instance %zu: ", installed);
    }
    if (st != ATHLETE_OK)
        for (size_t i = 0; i + 1 < installed; i++)
            athlete_env_set_state(venv->instances[i], backup + i * one, one, NULL);
    else
        venv->was_reset = h.was_reset == 1;
    athlete_free(backup);
    return st;
}

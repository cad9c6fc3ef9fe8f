/* The one private interface every environment implements (one file per environment), and
 * the generic instance they live in. env.c does everything generic: option parsing
 * scaffolding, call order, action validation, the time limit, state blobs. */
#ifndef ATHLETE_ENV_PRIVATE_H
#define ATHLETE_ENV_PRIVATE_H

#include <math.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include <athlete/env.h>
#include <athlete/rng.h>
#include <athlete/space.h>
#include <athlete/status.h>

#define ENV_MAX_OBS 6 /* largest Box observation (Acrobot) */
#define ENV_MAX_ACT 1 /* largest Box action */

typedef struct env_vtable {
    const char *id;
    uint64_t max_episode_steps; /* the registered limit; configure may change it */
    /* Every implementation keeps two plain structs in env->impl: its configuration (fixed
     * at create, compared byte for byte when a state blob is restored) followed by its
     * dynamic state. Both are zeroed before configure runs. */
    size_t cfg_size;
    size_t dyn_size;
    size_t reset_state_size; /* values taken by reset_to_state */
    /* Reads the options (an object, possibly empty; NULL-free), fills the configuration
     * and both spaces. Unknown keys are rejected by env.c through `option_names`. */
    athlete_status (*configure)(athlete_env *env, const cJSON *options, athlete_error *err);
    const char *const *option_names; /* NULL-terminated; "max_episode_steps" is generic */
    /* Draws a new initial state from env->rng and writes the observation. */
    void (*reset)(athlete_env *env, float *observation);
    /* Checks and installs a given state (already checked to be finite and of the right size). */
    athlete_status (*reset_to_state)(athlete_env *env, const double *state, float *observation,
                                     athlete_error *err);
    /* The action is valid (finite, right length, integral and in range when discrete). */
    void (*step)(athlete_env *env, const float *action, float *observation, double *reward,
                 bool *terminated);
    /* Checks a dynamic state taken from a blob before it is installed. */
    athlete_status (*check_dyn)(const athlete_env *env, const void *dyn, athlete_error *err);
} env_vtable;

typedef enum env_phase {
    ENV_PHASE_NEW = 0,        /* never reset */
    ENV_PHASE_RUNNING = 1,
    ENV_PHASE_TERMINATED = 2,
    ENV_PHASE_TRUNCATED = 3
} env_phase;

struct athlete_env {
    const env_vtable *vt;
    athlete_space observation_space;
    athlete_space action_space;
    float obs_low[ENV_MAX_OBS], obs_high[ENV_MAX_OBS];
    float act_low[ENV_MAX_ACT], act_high[ENV_MAX_ACT];
    size_t action_flat; /* cached flat sizes */
    size_t observation_flat;
    uint64_t max_episode_steps; /* 0: no limit */
    uint64_t elapsed_steps;
    uint64_t phase; /* env_phase */
    athlete_rng rng;
    void *dyn; /* == impl + cfg_size rounded up, see env.c */
    alignas(max_align_t) unsigned char impl[];
};

static inline void *env_cfg(athlete_env *env) { return env->impl; }
static inline const void *env_cfg_const(const athlete_env *env) { return env->impl; }
static inline void *env_dyn(athlete_env *env) { return env->dyn; }
static inline const void *env_dyn_const(const athlete_env *env) { return env->dyn; }

/* True when a step with this action may run: the episode is running and the action has the
 * right length, is finite, and (Discrete) is an integer in range. Every step path checks
 * it first, so that a refused step changes nothing. */
static inline bool env_step_allowed(const athlete_env *env, const float *action, size_t action_size)
{
    if (env->phase != ENV_PHASE_RUNNING || action_size != env->action_flat)
        return false;
    if (env->action_space.kind == ATHLETE_SPACE_DISCRETE) {
        float a = action[0];
        /* In range first (NaN fails it), then integral: the cast is defined here. */
        return a >= 0.0f && a < (float)env->action_space.n && (float)(int64_t)a == a;
    }
    for (size_t i = 0; i < action_size; i++)
        if (!isfinite(action[i]))
            return false;
    return true;
}

/* ---- Helpers for configure (in env.c) ----
 * Each reads one optional key; a missing key leaves *out unchanged. Messages name the
 * environment and the key: "Pendulum-v1 options: 'g' expects a number, got string". */
athlete_status env_option_bool(const athlete_env *env, const cJSON *options, const char *key,
                               bool *out, athlete_error *err);
athlete_status env_option_number(const athlete_env *env, const cJSON *options, const char *key,
                                  double *out, athlete_error *err);
athlete_status env_option_string(const athlete_env *env, const cJSON *options, const char *key,
                                 const char **out, athlete_error *err);
/* A JSON array of exactly `count` numbers. */
athlete_status env_option_numbers(const athlete_env *env, const cJSON *options, const char *key,
                                  double *out, size_t count, athlete_error *err);

/* Space setup helpers. */
void env_set_box_observation(athlete_env *env, size_t n, const float *low, const float *high);
void env_set_box_action(athlete_env *env, size_t n, const float *low, const float *high);
void env_set_discrete_observation(athlete_env *env, int64_t n);
void env_set_discrete_action(athlete_env *env, int64_t n);

/* Draws an index from a small categorical distribution exactly like Gymnasium's
 * categorical_sample: the first i whose cumulative probability exceeds a uniform draw. */
static inline size_t env_categorical(athlete_rng *rng, const double *probs, size_t n)
{
    double u = athlete_rng_uniform(rng);
    double cum = 0.0;
    for (size_t i = 0; i < n; i++) {
        cum += probs[i];
        if (cum > u)
            return i;
    }
    return n - 1; /* rounding left the total below u */
}

/* A discrete state value from reset_to_state: an integer in [0, n). */
athlete_status env_check_discrete_state(const athlete_env *env, double value, int64_t n,
                                        athlete_error *err);

/* The implementations. */
extern const env_vtable env_cartpole;
extern const env_vtable env_pendulum;
extern const env_vtable env_mountain_car;
extern const env_vtable env_mountain_car_continuous;
extern const env_vtable env_acrobot;
extern const env_vtable env_frozen_lake;
extern const env_vtable env_cliff_walking;
extern const env_vtable env_taxi;

#endif

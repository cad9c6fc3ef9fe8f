/* MountainCarContinuous-v0 (gymnasium/envs/classic_control/continuous_mountain_car.py,
 * Gymnasium 1.4.0).
 *
 * Reset: position ~ U(-0.6, -0.4), velocity = 0.
 * Step: force = clip(a, -1, 1); velocity += 0.0015 force - 0.0025 cos(3 position), clipped
 * to [-0.07, 0.07]; position += velocity, clipped to [-1.2, 0.6]; the left wall zeroes a
 * negative velocity. Terminated when position >= 0.45 and velocity >= goal_velocity
 * (option, default 0). Reward -0.1 a^2 on the unclipped action, +100 on reaching the goal.
 * Time limit 999.
 *
 * Gymnasium stores the state as float32 after every step (the reset state stays float64),
 * while the arithmetic of a step is float64; the port does the same. */
#include "env-private.h"

#include <math.h>

#define MIN_ACTION (-1.0)
#define MAX_ACTION 1.0
#define MIN_POSITION (-1.2)
#define MAX_POSITION 0.6
#define MAX_SPEED 0.07
#define GOAL_POSITION 0.45
#define POWER 0.0015

typedef struct mcc_cfg {
    double goal_velocity;
} mcc_cfg;

typedef struct mcc_dyn {
    double position, velocity;
} mcc_dyn;

static const char *const option_names[] = {"goal_velocity", NULL};

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    mcc_cfg *cfg = env_cfg(env);
    double goal_velocity = 0.0;
    athlete_status st = env_option_number(env, options, "goal_velocity", &goal_velocity, err);
    if (st != ATHLETE_OK)
        return st;
    cfg->goal_velocity = goal_velocity;
    const float low[2] = {(float)MIN_POSITION, (float)-MAX_SPEED};
    const float high[2] = {(float)MAX_POSITION, (float)MAX_SPEED};
    env_set_box_observation(env, 2, low, high);
    const float alow[1] = {(float)MIN_ACTION}, ahigh[1] = {(float)MAX_ACTION};
    env_set_box_action(env, 1, alow, ahigh);
    return ATHLETE_OK;
}

static inline void observe(const mcc_dyn *d, float *obs)
{
    obs[0] = (float)d->position;
    obs[1] = (float)d->velocity;
}

static void reset(athlete_env *env, float *obs)
{
    mcc_dyn *d = env_dyn(env);
    d->position = athlete_rng_uniform_range(&env->rng, -0.6, -0.4);
    d->velocity = 0.0;
    observe(d, obs);
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    (void)err;
    mcc_dyn *d = env_dyn(env);
    d->position = state[0];
    d->velocity = state[1];
    observe(d, obs);
    return ATHLETE_OK;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    mcc_dyn *d = env_dyn(env);
    const mcc_cfg *cfg = env_cfg(env);
    double position = d->position, velocity = d->velocity;
    double a = action[0];
    double force = fmin(fmax(a, MIN_ACTION), MAX_ACTION);
    velocity += force * POWER - 0.0025 * cos(3 * position);
    if (velocity > MAX_SPEED)
        velocity = MAX_SPEED;
    if (velocity < -MAX_SPEED)
        velocity = -MAX_SPEED;
    position += velocity;
    if (position > MAX_POSITION)
        position = MAX_POSITION;
    if (position < MIN_POSITION)
        position = MIN_POSITION;
    if (position == MIN_POSITION && velocity < 0)
        velocity = 0.0;
    bool done = position >= GOAL_POSITION && velocity >= cfg->goal_velocity;
    double r = done ? 100.0 : 0.0;
    r -= (a * a) * 0.1; /* math.pow(a, 2): exact, as a is a float32 */
    d->position = (float)position;
    d->velocity = (float)velocity;
    *reward = r;
    *terminated = done;
    observe(d, obs);
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const mcc_dyn *d = dyn;
    if (!isfinite(d->position) || !isfinite(d->velocity))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the physics state is not finite", env->vt->id);
    return ATHLETE_OK;
}

const env_vtable env_mountain_car_continuous = {
    .id = "MountainCarContinuous-v0",
    .max_episode_steps = 999,
    .cfg_size = sizeof(mcc_cfg),
    .dyn_size = sizeof(mcc_dyn),
    .reset_state_size = 2,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

/* MountainCar-v0 (gymnasium/envs/classic_control/mountain_car.py, Gymnasium 1.4.0).
 *
 * Reset: position ~ U(-0.6, -0.4), velocity = 0.
 * Step: velocity += (a - 1) 0.001 - 0.0025 cos(3 position), clipped to [-0.07, 0.07];
 * position += velocity, clipped to [-1.2, 0.6]; hitting the left wall zeroes a negative
 * velocity. Terminated when position >= 0.5 and velocity >= goal_velocity (option,
 * default 0). Reward -1 per step. Time limit 200. */
#include "env-private.h"

#include <math.h>

#define MIN_POSITION (-1.2)
#define MAX_POSITION 0.6
#define MAX_SPEED 0.07
#define GOAL_POSITION 0.5
#define FORCE 0.001
#define GRAVITY 0.0025

typedef struct mountain_car_cfg {
    double goal_velocity;
} mountain_car_cfg;

typedef struct mountain_car_dyn {
    double position, velocity;
} mountain_car_dyn;

static const char *const option_names[] = {"goal_velocity", NULL};

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    mountain_car_cfg *cfg = env_cfg(env);
    double goal_velocity = 0.0;
    athlete_status st = env_option_number(env, options, "goal_velocity", &goal_velocity, err);
    if (st != ATHLETE_OK)
        return st;
    cfg->goal_velocity = goal_velocity;
    const float low[2] = {(float)MIN_POSITION, (float)-MAX_SPEED};
    const float high[2] = {(float)MAX_POSITION, (float)MAX_SPEED};
    env_set_box_observation(env, 2, low, high);
    env_set_discrete_action(env, 3);
    return ATHLETE_OK;
}

static inline void observe(const mountain_car_dyn *d, float *obs)
{
    obs[0] = (float)d->position;
    obs[1] = (float)d->velocity;
}

static void reset(athlete_env *env, float *obs)
{
    mountain_car_dyn *d = env_dyn(env);
    d->position = athlete_rng_uniform_range(&env->rng, -0.6, -0.4);
    d->velocity = 0.0;
    observe(d, obs);
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    (void)err;
    mountain_car_dyn *d = env_dyn(env);
    d->position = state[0];
    d->velocity = state[1];
    observe(d, obs);
    return ATHLETE_OK;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    mountain_car_dyn *d = env_dyn(env);
    const mountain_car_cfg *cfg = env_cfg(env);
    double position = d->position, velocity = d->velocity;
    int a = (int)action[0];
    velocity += (double)(a - 1) * FORCE + cos(3 * position) * (-GRAVITY);
    velocity = velocity < -MAX_SPEED ? -MAX_SPEED : velocity > MAX_SPEED ? MAX_SPEED : velocity;
    position += velocity;
    position = position < MIN_POSITION   ? MIN_POSITION
               : position > MAX_POSITION ? MAX_POSITION
                                         : position;
    if (position == MIN_POSITION && velocity < 0)
        velocity = 0.0;
    d->position = position;
    d->velocity = velocity;
    *terminated = position >= GOAL_POSITION && velocity >= cfg->goal_velocity;
    *reward = -1.0;
    observe(d, obs);
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const mountain_car_dyn *d = dyn;
    if (!isfinite(d->position) || !isfinite(d->velocity))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the physics state is not finite", env->vt->id);
    return ATHLETE_OK;
}

const env_vtable env_mountain_car = {
    .id = "MountainCar-v0",
    .max_episode_steps = 200,
    .cfg_size = sizeof(mountain_car_cfg),
    .dyn_size = sizeof(mountain_car_dyn),
    .reset_state_size = 2,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

/* CartPole-v1 (gymnasium/envs/classic_control/cartpole.py, Gymnasium 1.4.0).
 *
 * Reset: (x, x_dot, theta, theta_dot) ~ U(-0.05, 0.05)^4.
 * Step: explicit Euler with tau = 0.02; terminated when |x| > 2.4 or |theta| > 12 degrees.
 * Reward 1.0 per step including the terminating one; with sutton_barto_reward, 0.0 per
 * step and -1.0 on termination. Time limit 500.
 *
 * The expressions keep Python's evaluation order exactly (products are left-associative,
 * x**2 is libm's pow, see pymath.h), so every float64 result is bit-identical. */
#include "env-private.h"

#include <float.h>
#include <math.h>

#include "pymath.h"

#define GRAVITY 9.8
#define MASSCART 1.0
#define MASSPOLE 0.1
#define TOTAL_MASS (MASSPOLE + MASSCART)
#define LENGTH 0.5 /* half the pole's length */
#define POLEMASS_LENGTH (MASSPOLE * LENGTH)
#define FORCE_MAG 10.0
#define TAU 0.02
#define THETA_THRESHOLD (12 * 2 * M_PI / 360)
#define X_THRESHOLD 2.4

typedef struct cartpole_cfg {
    uint64_t sutton_barto_reward;
} cartpole_cfg;

typedef struct cartpole_dyn {
    double x, x_dot, theta, theta_dot;
} cartpole_dyn;

static const char *const option_names[] = {"sutton_barto_reward", NULL};

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    cartpole_cfg *cfg = env_cfg(env);
    bool sutton_barto = false;
    athlete_status st = env_option_bool(env, options, "sutton_barto_reward", &sutton_barto, err);
    if (st != ATHLETE_OK)
        return st;
    cfg->sutton_barto_reward = sutton_barto;
    const float high[4] = {(float)(X_THRESHOLD * 2), FLT_MAX, (float)(THETA_THRESHOLD * 2), FLT_MAX};
    const float low[4] = {-high[0], -high[1], -high[2], -high[3]};
    env_set_box_observation(env, 4, low, high);
    env_set_discrete_action(env, 2);
    return ATHLETE_OK;
}

static inline void observe(const cartpole_dyn *d, float *obs)
{
    obs[0] = (float)d->x;
    obs[1] = (float)d->x_dot;
    obs[2] = (float)d->theta;
    obs[3] = (float)d->theta_dot;
}

static void reset(athlete_env *env, float *obs)
{
    cartpole_dyn *d = env_dyn(env);
    d->x = athlete_rng_uniform_range(&env->rng, -0.05, 0.05);
    d->x_dot = athlete_rng_uniform_range(&env->rng, -0.05, 0.05);
    d->theta = athlete_rng_uniform_range(&env->rng, -0.05, 0.05);
    d->theta_dot = athlete_rng_uniform_range(&env->rng, -0.05, 0.05);
    observe(d, obs);
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    (void)err;
    cartpole_dyn *d = env_dyn(env);
    d->x = state[0];
    d->x_dot = state[1];
    d->theta = state[2];
    d->theta_dot = state[3];
    observe(d, obs);
    return ATHLETE_OK;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    cartpole_dyn *d = env_dyn(env);
    const cartpole_cfg *cfg = env_cfg(env);
    double x = d->x, x_dot = d->x_dot, theta = d->theta, theta_dot = d->theta_dot;
    double force = action[0] == 1.0f ? FORCE_MAG : -FORCE_MAG;
    double costheta = cos(theta);
    double sintheta = sin(theta);
    double temp = (force + POLEMASS_LENGTH * py_square(theta_dot) * sintheta) / TOTAL_MASS;
    double thetaacc = (GRAVITY * sintheta - costheta * temp) /
                      (LENGTH * (4.0 / 3.0 - MASSPOLE * py_square(costheta) / TOTAL_MASS));
    double xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS;
    x = x + TAU * x_dot;
    x_dot = x_dot + TAU * xacc;
    theta = theta + TAU * theta_dot;
    theta_dot = theta_dot + TAU * thetaacc;
    d->x = x;
    d->x_dot = x_dot;
    d->theta = theta;
    d->theta_dot = theta_dot;
    bool done = x < -X_THRESHOLD || x > X_THRESHOLD || theta < -THETA_THRESHOLD ||
                theta > THETA_THRESHOLD;
    /* Stepping past termination is refused by env.c, so Gymnasium's 0.0 reward for
     * steps beyond termination never arises. */
    if (cfg->sutton_barto_reward)
        *reward = done ? -1.0 : 0.0;
    else
        *reward = 1.0;
    *terminated = done;
    observe(d, obs);
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const cartpole_dyn *d = dyn;
    if (!isfinite(d->x) || !isfinite(d->x_dot) || !isfinite(d->theta) || !isfinite(d->theta_dot))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the physics state is not finite", env->vt->id);
    return ATHLETE_OK;
}

const env_vtable env_cartpole = {
    .id = "CartPole-v1",
    .max_episode_steps = 500,
    .cfg_size = sizeof(cartpole_cfg),
    .dyn_size = sizeof(cartpole_dyn),
    .reset_state_size = 4,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

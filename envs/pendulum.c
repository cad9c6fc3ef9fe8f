/* Pendulum-v1 (gymnasium/envs/classic_control/pendulum.py, Gymnasium 1.4.0).
 *
 * Reset: theta ~ U(-pi, pi), theta_dot ~ U(-1, 1).
 * Step: the torque is clipped to [-2, 2]; cost = angle_normalize(theta)^2 +
 * 0.1 theta_dot^2 + 0.001 u^2 on the state before the step; semi-implicit Euler with
 * dt = 0.05, theta_dot clipped to [-8, 8]. Never terminates; time limit 200.
 * Option g (gravity, default 10.0).
 * Trigonometry is NumPy's (np.sin/np.cos on float64), see pymath.c. */
#include "env-private.h"

#include <math.h>

#include "pymath.h"

#define MAX_SPEED 8.0
#define MAX_TORQUE 2.0
#define DT 0.05
#define MASS 1.0
#define LEN 1.0

typedef struct pendulum_cfg {
    double g;
    double gravity_coef; /* 3 * g / (2 * l), as Python evaluates it */
} pendulum_cfg;

typedef struct pendulum_dyn {
    double theta, theta_dot;
} pendulum_dyn;

static const char *const option_names[] = {"g", NULL};

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    pendulum_cfg *cfg = env_cfg(env);
    double g = 10.0;
    athlete_status st = env_option_number(env, options, "g", &g, err);
    if (st != ATHLETE_OK)
        return st;
    cfg->g = g;
    cfg->gravity_coef = 3 * g / (2 * LEN);
    const float high[3] = {1.0f, 1.0f, (float)MAX_SPEED};
    const float low[3] = {-1.0f, -1.0f, -(float)MAX_SPEED};
    env_set_box_observation(env, 3, low, high);
    const float alow[1] = {-(float)MAX_TORQUE}, ahigh[1] = {(float)MAX_TORQUE};
    env_set_box_action(env, 1, alow, ahigh);
    return ATHLETE_OK;
}

static inline void observe(const pendulum_dyn *d, float *obs)
{
    obs[0] = (float)env_np_cos(d->theta);
    obs[1] = (float)env_np_sin(d->theta);
    obs[2] = (float)d->theta_dot;
}

static void reset(athlete_env *env, float *obs)
{
    pendulum_dyn *d = env_dyn(env);
    d->theta = athlete_rng_uniform_range(&env->rng, -M_PI, M_PI);
    d->theta_dot = athlete_rng_uniform_range(&env->rng, -1.0, 1.0);
    observe(d, obs);
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    (void)err;
    pendulum_dyn *d = env_dyn(env);
    d->theta = state[0];
    d->theta_dot = state[1];
    observe(d, obs);
    return ATHLETE_OK;
}

/* ((x + pi) % (2 pi)) - pi with Python's floored modulo (result has the divisor's sign). */
static inline double angle_normalize(double x)
{
    const double two_pi = 2 * M_PI;
    double m = fmod(x + M_PI, two_pi);
    if (m != 0.0) {
        if (m < 0.0)
            m += two_pi;
    } else {
        m = 0.0; /* copysign(0, divisor) */
    }
    return m - M_PI;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    pendulum_dyn *d = env_dyn(env);
    const pendulum_cfg *cfg = env_cfg(env);
    double th = d->theta, thdot = d->theta_dot;
    /* np.clip on the float32 action keeps float32; the arithmetic below is float64. */
    float uf = action[0] < -(float)MAX_TORQUE  ? -(float)MAX_TORQUE
               : action[0] > (float)MAX_TORQUE ? (float)MAX_TORQUE
                                               : action[0];
    double u = uf;
    double an = angle_normalize(th);
    /* u is a float32, so u * u is exact and equals any pow(u, 2). */
    double costs = py_square(an) + 0.1 * py_square(thdot) + 0.001 * (u * u);
    double newthdot = thdot + (cfg->gravity_coef * env_np_sin(th) + 3.0 / (MASS * (LEN * LEN)) * u) * DT;
    newthdot = newthdot < -MAX_SPEED ? -MAX_SPEED : newthdot > MAX_SPEED ? MAX_SPEED : newthdot;
    double newth = th + newthdot * DT;
    d->theta = newth;
    d->theta_dot = newthdot;
    *reward = -costs;
    *terminated = false;
    observe(d, obs);
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const pendulum_dyn *d = dyn;
    if (!isfinite(d->theta) || !isfinite(d->theta_dot))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: the physics state is not finite", env->vt->id);
    return ATHLETE_OK;
}

const env_vtable env_pendulum = {
    .id = "Pendulum-v1",
    .max_episode_steps = 200,
    .cfg_size = sizeof(pendulum_cfg),
    .dyn_size = sizeof(pendulum_dyn),
    .reset_state_size = 2,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

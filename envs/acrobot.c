/* Acrobot-v1 (gymnasium/envs/classic_control/acrobot.py, Gymnasium 1.4.0), "book" dynamics.
 *
 * Reset: (theta1, theta2, dtheta1, dtheta2) ~ U(-0.1, 0.1)^4, rounded to float32 as
 * Gymnasium does. Step: torque in {-1, 0, +1}; one classic RK4 step of dt = 0.2 exactly as
 * Gymnasium's rk4() (the torque rides along as a fifth state with derivative 0); angles
 * wrapped into [-pi, pi], velocities bounded by 4 pi and 9 pi. Terminated when
 * -cos(theta1) - cos(theta1 + theta2) > 1; reward -1 per step, 0 on termination.
 * Time limit 500.
 *
 * Constants are written as the same expressions as the Python class attributes and folded
 * in the same order, so every intermediate is the float64 Python computes. cos and sin are
 * NumPy's (acrobot.py imports them from numpy), see pymath.c. */
#include "env-private.h"

#include <math.h>

#include "pymath.h"

#define LINK_LENGTH_1 1.0
#define LINK_MASS_1 1.0
#define LINK_MASS_2 1.0
#define LINK_COM_POS_1 0.5
#define LINK_COM_POS_2 0.5
#define LINK_MOI 1.0
#define MAX_VEL_1 (4 * M_PI)
#define MAX_VEL_2 (9 * M_PI)
#define DT 0.2
#define G 9.8

typedef struct acrobot_cfg {
    uint64_t unused; /* no options; keeps the struct non-empty */
} acrobot_cfg;

typedef struct acrobot_dyn {
    double s[4];
} acrobot_dyn;

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    (void)options;
    (void)err;
    const float high[6] = {1.0f, 1.0f, 1.0f, 1.0f, (float)MAX_VEL_1, (float)MAX_VEL_2};
    const float low[6] = {-high[0], -high[1], -high[2], -high[3], -high[4], -high[5]};
    env_set_box_observation(env, 6, low, high);
    env_set_discrete_action(env, 3);
    return ATHLETE_OK;
}

static inline void observe(const acrobot_dyn *d, float *obs)
{
    obs[0] = (float)env_np_cos(d->s[0]);
    obs[1] = (float)env_np_sin(d->s[0]);
    obs[2] = (float)env_np_cos(d->s[1]);
    obs[3] = (float)env_np_sin(d->s[1]);
    obs[4] = (float)d->s[2];
    obs[5] = (float)d->s[3];
}

static void reset(athlete_env *env, float *obs)
{
    acrobot_dyn *d = env_dyn(env);
    for (int i = 0; i < 4; i++)
        d->s[i] = (float)athlete_rng_uniform_range(&env->rng, -0.1, 0.1);
    observe(d, obs);
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    (void)err;
    acrobot_dyn *d = env_dyn(env);
    for (int i = 0; i < 4; i++)
        d->s[i] = state[i];
    observe(d, obs);
    return ATHLETE_OK;
}

/* _dsdt: y = (theta1, theta2, dtheta1, dtheta2, torque). */
static inline void dsdt(const double y[5], double out[5])
{
    const double m1 = LINK_MASS_1, m2 = LINK_MASS_2, l1 = LINK_LENGTH_1;
    const double lc1 = LINK_COM_POS_1, lc2 = LINK_COM_POS_2, I1 = LINK_MOI, I2 = LINK_MOI;
    const double g = G;
    double a = y[4];
    double theta1 = y[0], theta2 = y[1], dtheta1 = y[2], dtheta2 = y[3];
    /* Squares of the constants (lc1**2, ...) are exact, so x * x equals pow here. */
    double cos_t2 = env_np_cos(theta2), sin_t2 = env_np_sin(theta2);
    double d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * cos_t2) + I1 + I2;
    double d2 = m2 * ((lc2 * lc2) + l1 * lc2 * cos_t2) + I2;
    double phi2 = m2 * lc2 * g * env_np_cos(theta1 + theta2 - M_PI / 2.0);
    double phi1 = -m2 * l1 * lc2 * py_square(dtheta2) * sin_t2 -
                  2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin_t2 +
                  (m1 * lc1 + m2 * l1) * g * env_np_cos(theta1 - M_PI / 2) + phi2;
    double ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * py_square(dtheta1) * sin_t2 - phi2) /
                      (m2 * (lc2 * lc2) + I2 - py_square(d2) / d1);
    double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    out[0] = dtheta1;
    out[1] = dtheta2;
    out[2] = ddtheta1;
    out[3] = ddtheta2;
    out[4] = 0.0;
}

/* rk4(derivs, y0, [0, dt]) for a single interval, operation for operation. */
static inline void rk4(const double y0[5], double yout[5])
{
    const double dt = DT - 0;
    const double dt2 = dt / 2.0;
    double k1[5], k2[5], k3[5], k4[5], y[5];
    dsdt(y0, k1);
    for (int i = 0; i < 5; i++)
        y[i] = y0[i] + dt2 * k1[i];
    dsdt(y, k2);
    for (int i = 0; i < 5; i++)
        y[i] = y0[i] + dt2 * k2[i];
    dsdt(y, k3);
    for (int i = 0; i < 5; i++)
        y[i] = y0[i] + dt * k3[i];
    dsdt(y, k4);
    const double h = dt / 6.0;
    for (int i = 0; i < 5; i++)
        yout[i] = y0[i] + h * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

static inline double wrap(double x, double m, double M)
{
    double diff = M - m;
    while (x > M)
        x = x - diff;
    while (x < m)
        x = x + diff;
    return x;
}

static inline double bound(double x, double m, double M)
{
    /* min(max(x, m), M) with Python's builtins: max keeps x unless m > x. */
    double t = m > x ? m : x;
    return M < t ? M : t;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    static const double torques[3] = {-1.0, 0.0, +1.0};
    acrobot_dyn *d = env_dyn(env);
    double y0[5] = {d->s[0], d->s[1], d->s[2], d->s[3], torques[(int)action[0]]};
    double ns[5];
    rk4(y0, ns);
    d->s[0] = wrap(ns[0], -M_PI, M_PI);
    d->s[1] = wrap(ns[1], -M_PI, M_PI);
    d->s[2] = bound(ns[2], -MAX_VEL_1, MAX_VEL_1);
    d->s[3] = bound(ns[3], -MAX_VEL_2, MAX_VEL_2);
    bool done = -env_np_cos(d->s[0]) - env_np_cos(d->s[1] + d->s[0]) > 1.0;
    *terminated = done;
    *reward = done ? 0.0 : -1.0;
    observe(d, obs);
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const acrobot_dyn *d = dyn;
    for (int i = 0; i < 4; i++)
        if (!isfinite(d->s[i]))
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                     "%s set_state: the physics state is not finite", env->vt->id);
    return ATHLETE_OK;
}

const env_vtable env_acrobot = {
    .id = "Acrobot-v1",
    .max_episode_steps = 500,
    .cfg_size = sizeof(acrobot_cfg),
    .dyn_size = sizeof(acrobot_dyn),
    .reset_state_size = 4,
    .configure = configure,
    .option_names = NULL,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

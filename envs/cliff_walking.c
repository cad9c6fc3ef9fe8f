/* CliffWalking-v1 (gymnasium/envs/toy_text/cliffwalking.py, Gymnasium 1.4.0).
 *
 * A 4x12 grid, state = row * 12 + col. Reset: always state 36 (row 3, col 0).
 * Actions 0 up, 1 right, 2 down, 3 left, clamped at the border. Entering the cliff
 * (row 3, cols 1..10) gives -100 and puts the player back at 36 without terminating;
 * every other move gives -1; entering 47 (row 3, col 11) terminates. With is_slippery
 * (v1 option, default false) the move is (a - 1) mod 4, a or (a + 1) mod 4 with 1/3 each.
 * No time limit (none is registered). */
#include "env-private.h"

#include <math.h>

#define ROWS 4
#define COLS 12
#define START_STATE 36
#define GOAL_STATE 47

typedef struct cliff_cfg {
    uint64_t slippery;
} cliff_cfg;

typedef struct cliff_dyn {
    int64_t s;
} cliff_dyn;

static const char *const option_names[] = {"is_slippery", NULL};

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    cliff_cfg *cfg = env_cfg(env);
    bool slippery = false;
    athlete_status st = env_option_bool(env, options, "is_slippery", &slippery, err);
    if (st != ATHLETE_OK)
        return st;
    cfg->slippery = slippery;
    env_set_discrete_observation(env, ROWS * COLS);
    env_set_discrete_action(env, 4);
    return ATHLETE_OK;
}

static void reset(athlete_env *env, float *obs)
{
    cliff_dyn *d = env_dyn(env);
    d->s = START_STATE;
    obs[0] = (float)d->s;
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    athlete_status st = env_check_discrete_state(env, state[0], ROWS * COLS, err);
    if (st != ATHLETE_OK)
        return st;
    cliff_dyn *d = env_dyn(env);
    d->s = (int64_t)state[0];
    obs[0] = (float)d->s;
    return ATHLETE_OK;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    static const int delta_row[4] = {-1, 0, 1, 0};
    static const int delta_col[4] = {0, 1, 0, -1};
    static const double thirds[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
    const cliff_cfg *cfg = env_cfg(env);
    cliff_dyn *d = env_dyn(env);
    int a = (int)action[0];
    if (cfg->slippery)
        a = (a + (int)env_categorical(&env->rng, thirds, 3) + 3) % 4; /* a-1, a, a+1 */
    int row = (int)(d->s / COLS) + delta_row[a];
    int col = (int)(d->s % COLS) + delta_col[a];
    row = row < 0 ? 0 : row > ROWS - 1 ? ROWS - 1 : row;
    col = col < 0 ? 0 : col > COLS - 1 ? COLS - 1 : col;
    if (row == ROWS - 1 && col >= 1 && col <= COLS - 2) {
        d->s = START_STATE;
        *reward = -100.0;
        *terminated = false;
    } else {
        d->s = row * COLS + col;
        *reward = -1.0;
        *terminated = d->s == GOAL_STATE;
    }
    obs[0] = (float)d->s;
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const cliff_dyn *d = dyn;
    if (d->s < 0 || d->s >= ROWS * COLS)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: state %lld is outside Discrete(%d)", env->vt->id,
                                 (long long)d->s, ROWS * COLS);
    return ATHLETE_OK;
}

const env_vtable env_cliff_walking = {
    .id = "CliffWalking-v1",
    .max_episode_steps = 0,
    .cfg_size = sizeof(cliff_cfg),
    .dyn_size = sizeof(cliff_dyn),
    .reset_state_size = 1,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

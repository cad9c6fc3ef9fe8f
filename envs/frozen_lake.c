/* FrozenLake-v1 (gymnasium/envs/toy_text/frozen_lake.py, Gymnasium 1.4.0).
 *
 * Reset: the start cell S (always state 0 on the built-in maps).
 * Actions 0 left, 1 down, 2 right, 3 up. Slippery (the default): the intended direction
 * with probability success_rate (default 1/3), each perpendicular one ((a - 1) mod 4 and
 * (a + 1) mod 4) with (1 - success_rate) / 2; moves are clamped at the border. Entering a
 * hole H or the goal G terminates; rewards follow reward_schedule (goal, hole, frozen),
 * default (1, 0, 0). A step from H or G (only reachable through reset_to_state) stays
 * there: reward 0, terminated. Time limit 100 for both maps: gym.make("FrozenLake-v1",
 * map_name="8x8") keeps FrozenLake-v1's registered limit (FrozenLake8x8-v1's 200 is
 * max_episode_steps=200 here).
 *
 * Gymnasium precomputes the table P; the few integer operations of a move are computed
 * per step here instead, which keeps the configuration (part of every state blob) small. */
#include "env-private.h"

#include <math.h>
#include <string.h>

#define MAX_SIDE 8
#define MAX_CELLS (MAX_SIDE * MAX_SIDE)

static const char *const map_4x4[4] = {"SFFF", "FHFH", "FFFH", "HFFG"};
static const char *const map_8x8[8] = {
    "SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG",
};

typedef struct fl_outcome {
    int32_t next;
    int32_t terminated;
    double reward;
} fl_outcome;

typedef struct fl_cfg {
    int64_t side;
    int64_t start;
    uint64_t slippery;
    double probs[3]; /* (a - 1) mod 4, a, (a + 1) mod 4 */
    double reward_schedule[3];
    char desc[MAX_CELLS];
} fl_cfg;

typedef struct fl_dyn {
    int64_t s;
} fl_dyn;

static const char *const option_names[] = {"map_name", "is_slippery", "success_rate",
                                           "reward_schedule", NULL};

static int reward_index(char letter) { return letter == 'G' ? 0 : letter == 'H' ? 1 : 2; }

static fl_outcome move(const fl_cfg *cfg, int row, int col, int a)
{
    int side = (int)cfg->side;
    if (a == 0)
        col = col > 0 ? col - 1 : 0;
    else if (a == 1)
        row = row + 1 < side ? row + 1 : side - 1;
    else if (a == 2)
        col = col + 1 < side ? col + 1 : side - 1;
    else
        row = row > 0 ? row - 1 : 0;
    char letter = cfg->desc[row * side + col];
    fl_outcome o = {row * side + col, letter == 'G' || letter == 'H',
                    cfg->reward_schedule[reward_index(letter)]};
    return o;
}

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    fl_cfg *cfg = env_cfg(env);
    const char *map_name = "4x4";
    bool slippery = true;
    double success_rate = 1.0 / 3.0;
    double schedule[3] = {1, 0, 0};
    athlete_status st;
    if ((st = env_option_string(env, options, "map_name", &map_name, err)) != ATHLETE_OK ||
        (st = env_option_bool(env, options, "is_slippery", &slippery, err)) != ATHLETE_OK ||
        (st = env_option_number(env, options, "success_rate", &success_rate, err)) != ATHLETE_OK ||
        (st = env_option_numbers(env, options, "reward_schedule", schedule, 3, err)) != ATHLETE_OK)
        return st;
    const char *const *rows;
    if (strcmp(map_name, "4x4") == 0) {
        cfg->side = 4;
        rows = map_4x4;
    } else if (strcmp(map_name, "8x8") == 0) {
        cfg->side = 8;
        rows = map_8x8;
    } else {
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s options: 'map_name' must be \"4x4\" or \"8x8\", got \"%.40s\"",
                                 env->vt->id, map_name);
    }
    if (!(success_rate >= 0.0 && success_rate <= 1.0))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s options: 'success_rate' must be in [0, 1], got %g", env->vt->id,
                                 success_rate);
    int side = (int)cfg->side;
    for (int r = 0; r < side; r++)
        memcpy(cfg->desc + r * side, rows[r], (size_t)side);
    cfg->start = 0;
    cfg->slippery = slippery;
    double fail_rate = (1.0 - success_rate) / 2.0;
    cfg->probs[0] = fail_rate;
    cfg->probs[1] = success_rate;
    cfg->probs[2] = fail_rate;
    memcpy(cfg->reward_schedule, schedule, sizeof schedule);
    env_set_discrete_observation(env, side * side);
    env_set_discrete_action(env, 4);
    return ATHLETE_OK;
}

static void reset(athlete_env *env, float *obs)
{
    const fl_cfg *cfg = env_cfg(env);
    fl_dyn *d = env_dyn(env);
    d->s = cfg->start;
    obs[0] = (float)d->s;
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    const fl_cfg *cfg = env_cfg(env);
    athlete_status st = env_check_discrete_state(env, state[0], cfg->side * cfg->side, err);
    if (st != ATHLETE_OK)
        return st;
    fl_dyn *d = env_dyn(env);
    d->s = (int64_t)state[0];
    obs[0] = (float)d->s;
    return ATHLETE_OK;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    const fl_cfg *cfg = env_cfg(env);
    fl_dyn *d = env_dyn(env);
    int a = (int)action[0];
    int64_t s = d->s;
    char letter = cfg->desc[s];
    if (letter == 'G' || letter == 'H') {
        /* P[s][a] = [(1.0, s, 0, True)] */
        *reward = 0.0;
        *terminated = true;
    } else {
        /* Gymnasium draws from the generator on every step, even when P has one outcome;
         * the draw is skipped where it cannot matter (deterministic ice). */
        int b = a;
        if (cfg->slippery)
            b = (a + (int)env_categorical(&env->rng, cfg->probs, 3) + 3) % 4; /* a-1, a, a+1 */
        int side = (int)cfg->side;
        fl_outcome o = move(cfg, (int)(s / side), (int)(s % side), b);
        d->s = o.next;
        *reward = o.reward;
        *terminated = o.terminated != 0;
    }
    obs[0] = (float)d->s;
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const fl_cfg *cfg = env_cfg_const(env);
    const fl_dyn *d = dyn;
    if (d->s < 0 || d->s >= cfg->side * cfg->side)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: state %lld is outside Discrete(%lld)", env->vt->id,
                                 (long long)d->s, (long long)(cfg->side * cfg->side));
    return ATHLETE_OK;
}

const env_vtable env_frozen_lake = {
    .id = "FrozenLake-v1",
    .max_episode_steps = 100,
    .cfg_size = sizeof(fl_cfg),
    .dyn_size = sizeof(fl_dyn),
    .reset_state_size = 1,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

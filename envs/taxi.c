/* Taxi-v4 (gymnasium/envs/toy_text/taxi.py, Gymnasium 1.4.0).
 *
 *   +---------+
 *   |R: | : :G|     state = ((row * 5 + col) * 5 + passenger) * 4 + destination
 *   | : | : : |     passenger 0..3 = R, G, Y, B, 4 = in the taxi
 *   | : : : : |     actions 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 dropoff
 *   | | : | : |
 *   |Y| : |B: |
 *   +---------+
 *
 * Reset: uniform over the 300 states whose passenger waits at a location other than the
 * destination. Rewards: -1 per step, +20 for delivering (terminates), -10 for an illegal
 * pickup or dropoff; dropping the passenger at another colored location is legal (-1).
 * Time limit 200.
 * is_rainy (default false): a possible move goes the intended way with probability 0.8 and
 * to the heading's left or right with 0.1 each (a lateral move blocked by a wall or the
 * border stays put); a blocked move or pickup/dropoff is unaffected.
 * fickle_passenger (default false): with probability 0.3 (drawn at reset), the first step
 * that moves the taxi with the passenger aboard changes the destination uniformly to one
 * of the three others. */
#include "env-private.h"

#include <math.h>

static const char *const taxi_map[7] = {
    "+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |",
    "| | : | : |", "|Y| : |B: |", "+---------+",
};
static const int loc_row[4] = {0, 0, 4, 4};
static const int loc_col[4] = {0, 4, 0, 3};

#define MAX_ROW 4
#define MAX_COL 4

typedef struct taxi_cfg {
    uint64_t rainy;
    uint64_t fickle;
} taxi_cfg;

typedef struct taxi_dyn {
    int64_t s;
    uint64_t fickle_step; /* 0 or 1 */
} taxi_dyn;

static const char *const option_names[] = {"is_rainy", "fickle_passenger", NULL};

static inline int encode(int row, int col, int pass, int dest)
{
    return ((row * 5 + col) * 5 + pass) * 4 + dest;
}

static inline void decode(int s, int *row, int *col, int *pass, int *dest)
{
    *dest = s % 4;
    s /= 4;
    *pass = s % 5;
    s /= 5;
    *col = s % 5;
    *row = s / 5;
}

static inline int location_index(int row, int col)
{
    for (int i = 0; i < 4; i++)
        if (loc_row[i] == row && loc_col[i] == col)
            return i;
    return -1;
}

/* desc[1 + row][2 * col + 2] == ':' : no wall east of (row, col). */
static inline bool open_east(int row, int col) { return taxi_map[1 + row][2 * col + 2] == ':'; }
static inline bool open_west(int row, int col) { return taxi_map[1 + row][2 * col] == ':'; }

static athlete_status configure(athlete_env *env, const cJSON *options, athlete_error *err)
{
    taxi_cfg *cfg = env_cfg(env);
    bool rainy = false, fickle = false;
    athlete_status st;
    if ((st = env_option_bool(env, options, "is_rainy", &rainy, err)) != ATHLETE_OK ||
        (st = env_option_bool(env, options, "fickle_passenger", &fickle, err)) != ATHLETE_OK)
        return st;
    cfg->rainy = rainy;
    cfg->fickle = fickle;
    env_set_discrete_observation(env, 500);
    env_set_discrete_action(env, 6);
    return ATHLETE_OK;
}

static void reset(athlete_env *env, float *obs)
{
    const taxi_cfg *cfg = env_cfg(env);
    taxi_dyn *d = env_dyn(env);
    /* Index k of the 300 start states, in the order of Gymnasium's table (row, col, pass,
     * dest with pass != dest): 12 (pass, dest) pairs per cell. */
    int k = (int)athlete_rng_below(&env->rng, 300);
    int cell = k / 12, pair = k % 12;
    int pass = pair / 3, dest = pair % 3;
    if (dest >= pass)
        dest++;
    d->s = encode(cell / 5, cell % 5, pass, dest);
    d->fickle_step = cfg->fickle && athlete_rng_uniform(&env->rng) < 0.3;
    obs[0] = (float)d->s;
}

static athlete_status reset_to_state(athlete_env *env, const double *state, float *obs,
                                     athlete_error *err)
{
    athlete_status st = env_check_discrete_state(env, state[0], 500, err);
    if (st != ATHLETE_OK)
        return st;
    taxi_dyn *d = env_dyn(env);
    d->s = (int64_t)state[0];
    /* fickle_step keeps the value drawn at the last reset (Gymnasium's attribute). */
    obs[0] = (float)d->s;
    return ATHLETE_OK;
}

/* _calc_new_position of the rainy table: a lateral move, blocked by the border or a wall. */
static inline void lateral(int row, int col, int dr, int dc, int *out_row, int *out_col)
{
    int nr = row + dr, nc = col + dc;
    nr = nr < 0 ? 0 : nr > MAX_ROW ? MAX_ROW : nr;
    nc = nc < 0 ? 0 : nc > MAX_COL ? MAX_COL : nc;
    if ((dc == 1 && taxi_map[1 + nr][2 * nc] != ':') ||
        (dc == -1 && taxi_map[1 + nr][2 * nc + 2] != ':')) {
        nr = row;
        nc = col;
    }
    *out_row = nr;
    *out_col = nc;
}

static void step(athlete_env *env, const float *action, float *obs, double *reward,
                 bool *terminated)
{
    const taxi_cfg *cfg = env_cfg(env);
    taxi_dyn *d = env_dyn(env);
    int a = (int)action[0];
    int row, col, pass, dest;
    decode((int)d->s, &row, &col, &pass, &dest);
    int new_row = row, new_col = col, new_pass = pass;
    double r = -1.0;
    bool done = false;
    if (a == 4) {
        if (pass < 4 && loc_row[pass] == row && loc_col[pass] == col)
            new_pass = 4;
        else
            r = -10.0;
    } else if (a == 5) {
        int here = location_index(row, col);
        if (pass == 4 && here == dest) {
            new_pass = dest;
            done = true;
            r = 20.0;
        } else if (pass == 4 && here >= 0) {
            new_pass = here;
        } else {
            r = -10.0;
        }
    } else {
        bool possible = (a == 0 && (!cfg->rainy || row < MAX_ROW)) ||
                        (a == 1 && (!cfg->rainy || row > 0)) || (a == 2 && open_east(row, col)) ||
                        (a == 3 && open_west(row, col));
        if (possible) {
            static const int fwd[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
            /* (left, right) of each heading: south (east, west), north (west, east),
             * east (north, south), west (south, north). */
            static const int side[4][2][2] = {
                {{0, 1}, {0, -1}}, {{0, -1}, {0, 1}}, {{-1, 0}, {1, 0}}, {{1, 0}, {-1, 0}}};
            static const double rain_probs[3] = {0.8, 0.1, 0.1};
            size_t k = cfg->rainy ? env_categorical(&env->rng, rain_probs, 3) : 0;
            if (k == 0) {
                new_row = row + fwd[a][0];
                new_col = col + fwd[a][1];
                new_row = new_row < 0 ? 0 : new_row > MAX_ROW ? MAX_ROW : new_row;
                new_col = new_col < 0 ? 0 : new_col > MAX_COL ? MAX_COL : new_col;
            } else {
                lateral(row, col, side[a][k - 1][0], side[a][k - 1][1], &new_row, &new_col);
            }
        }
    }
    int s = encode(new_row, new_col, new_pass, dest);
    /* The fickle passenger: aboard before this step and the taxi moved. */
    if (cfg->fickle && d->fickle_step && pass == 4 && (new_row != row || new_col != col)) {
        d->fickle_step = 0;
        int k = (int)athlete_rng_below(&env->rng, 3);
        int new_dest = k >= dest ? k + 1 : k;
        s = encode(new_row, new_col, new_pass, new_dest);
    }
    d->s = s;
    *reward = r;
    *terminated = done;
    obs[0] = (float)s;
}

static athlete_status check_dyn(const athlete_env *env, const void *dyn, athlete_error *err)
{
    const taxi_dyn *d = dyn;
    if (d->s < 0 || d->s >= 500 || d->fickle_step > 1)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "%s set_state: state %lld is outside Discrete(500)", env->vt->id,
                                 (long long)d->s);
    return ATHLETE_OK;
}

const env_vtable env_taxi = {
    .id = "Taxi-v4",
    .max_episode_steps = 200,
    .cfg_size = sizeof(taxi_cfg),
    .dyn_size = sizeof(taxi_dyn),
    .reset_state_size = 1,
    .configure = configure,
    .option_names = option_names,
    .reset = reset,
    .reset_to_state = reset_to_state,
    .step = step,
    .check_dyn = check_dyn,
};

/* Tabular Q-learning (spec §7.2): the defaults, the table update and the wiring.
 * Collector and policies come from the SDK. */
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/policies.h>
#include <athlete/policy-program.h>

#include <athlete/alloc.h>

#include <math.h>
#include <string.h>

static const char q_learning_defaults[] =
    "{\"discount\": 0.9, \"learning_rate\": 0.1, \"start_epsilon\": 1.0, \"end_epsilon\": 0.1,"
    " \"warmup_steps\": 0, \"epsilon_decay_steps\": 100}";

/* RNG streams of the agent's seed, one per random component. */
enum { STREAM_TRAINING_POLICY = 1, STREAM_EVALUATION_POLICY = 2 };

typedef struct q_learning_state {
    double *table; /* [states][actions], float64 as the original */
    size_t states, actions;
    int64_t observation_start;
    double discount, learning_rate;
    double start_epsilon, end_epsilon;
    uint64_t epsilon_decay_steps;
    const athlete_clock *clock;
    athlete_collector collector; /* borrowed view of the parts' collector */
} q_learning_state;

typedef struct q_update {
    q_learning_state *state;
    uint64_t last_after_warmup; /* the original's q_table_last_interaction_updated_on */
} q_update;

static athlete_status check_config(const athlete_config *config, athlete_error *err)
{
    double discount, lr, start, end;
    int64_t decay, warmup;
    athlete_status st;
    if ((st = athlete_config_get_real(config, "discount", &discount, err)) ||
        (st = athlete_config_get_real(config, "learning_rate", &lr, err)) ||
        (st = athlete_config_get_real(config, "start_epsilon", &start, err)) ||
        (st = athlete_config_get_real(config, "end_epsilon", &end, err)) ||
        (st = athlete_config_get_int(config, "epsilon_decay_steps", &decay, err)) ||
        (st = athlete_config_get_int(config, "warmup_steps", &warmup, err)))
        return st;
    if (!(discount >= 0 && discount <= 1))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "q_learning config: 'discount' must be in [0, 1], got %g", discount);
    if (!(lr > 0 && lr <= 1))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "q_learning config: 'learning_rate' must be in (0, 1], got %g", lr);
    if (!(start >= 0 && start <= 1) || !(end >= 0 && end <= 1))
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "q_learning config: 'start_epsilon' and 'end_epsilon' must be in [0, 1], got %g and %g",
                                 start, end);
    if (decay < 1)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "q_learning config: 'epsilon_decay_steps' must be >= 1 (it divides the epsilon decay), got %lld",
                                 (long long)decay);
    if (warmup < 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "q_learning config: 'warmup_steps' must be >= 0, got %lld", (long long)warmup);
    return ATHLETE_OK;
}

static athlete_status q_values(void *context, const float *observation, double *q, athlete_error *err)
{
    (void)err;
    const q_learning_state *s = context;
    size_t row = (size_t)((int64_t)observation[0] - s->observation_start);
    memcpy(q, s->table + row * s->actions, s->actions * sizeof *q);
    return ATHLETE_OK;
}

/* ---- the table update: once per interaction after warmup, from the newest transition ---- */

static bool q_update_ready(void *self, const athlete_clock *clock)
{
    const q_update *u = self;
    return athlete_clock_warmup_done(clock) && athlete_clock_after_warmup(clock) > u->last_after_warmup;
}

static athlete_status q_update_run(void *self, const athlete_clock *clock, athlete_info *log,
                                   athlete_error *err)
{
    q_update *u = self;
    q_learning_state *s = u->state;
    u->last_after_warmup = athlete_clock_after_warmup(clock);
    const athlete_transition *t = athlete_transition_collector_latest(&s->collector);
    if (!t->observation)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER, "q_table update: the collector has no transition");
    size_t state = (size_t)((int64_t)t->observation[0] - s->observation_start);
    size_t next = (size_t)((int64_t)t->next_observation[0] - s->observation_start);
    size_t action = (size_t)t->action[0]; /* the policy wrote start + index; q_learning uses start 0 */
    const double *next_row = s->table + next * s->actions;
    double best = next_row[0];
    for (size_t a = 1; a < s->actions; a++)
        if (next_row[a] > best)
            best = next_row[a];
    double *q = &s->table[state * s->actions + action];
    double delta = (double)t->reward + (t->terminated ? 0.0 : s->discount * best) - *q;
    *q += s->learning_rate * delta;
    athlete_info_set_real(log, "loss", fabs(delta));
    return ATHLETE_OK;
}

static athlete_status q_update_save(void *self, athlete_writer *w, athlete_error *err)
{
    q_update *u = self;
    return athlete_writer_put(w, "last_after_warmup", ATHLETE_RECORD_U64, &u->last_after_warmup, 1, err);
}

static athlete_status q_update_load(void *self, athlete_reader *r, athlete_error *err)
{
    q_update *u = self;
    athlete_status st = athlete_reader_get(r, "last_after_warmup", ATHLETE_RECORD_U64, &u->last_after_warmup, 1, err);
    /* The update runs at every interaction after warmup: a counter behind the clock would
     * update from a transition the collector never produced. */
    const athlete_clock *clock = athlete_reader_clock(r);
    if (st == ATHLETE_OK && clock && u->last_after_warmup != athlete_clock_after_warmup(clock))
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                 "checkpoint: the q_table update ran at step %llu after warmup, the clock is at %llu",
                                 (unsigned long long)u->last_after_warmup,
                                 (unsigned long long)athlete_clock_after_warmup(clock));
    return st;
}

static void q_update_destroy(void *self) { athlete_free(self); }

static const athlete_updatable_ops q_update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "q_table",
    .ready = q_update_ready,
    .update = q_update_run,
    .save = q_update_save,
    .load = q_update_load,
    .destroy = q_update_destroy,
};

/* ---- shared state: the table ---- */

static athlete_status state_save(void *state, athlete_writer *w, athlete_error *err)
{
    q_learning_state *s = state;
    return athlete_writer_put(w, "q_table", ATHLETE_RECORD_F64, s->table, s->states * s->actions, err);
}

static athlete_status state_load(void *state, athlete_reader *r, athlete_error *err)
{
    q_learning_state *s = state;
    return athlete_reader_get(r, "q_table", ATHLETE_RECORD_F64, s->table, s->states * s->actions, err);
}

static void state_destroy(void *state)
{
    q_learning_state *s = state;
    if (!s)
        return;
    athlete_free(s->table);
    athlete_free(s);
}

/* For export: the greedy policy reads one row of the table. */
static athlete_status state_describe_policy(void *state, athlete_policy_program *program, athlete_error *err)
{
    (void)err;
    q_learning_state *s = state;
    program->summary = "greedy: the first maximal entry of the observation's row of the Q table";
    program->head = ATHLETE_PROGRAM_HEAD_TABLE;
    program->table = s->table;
    program->table_rows = s->states;
    program->table_columns = s->actions;
    return ATHLETE_OK;
}

static const athlete_state_ops q_learning_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save, /* the table is all the greedy policy needs */
    .load_policy = state_load,
    .describe_policy = state_describe_policy,
};

/* ---- extension methods ---- */

static double method_epsilon(void *state)
{
    const q_learning_state *s = state;
    return athlete_epsilon_at(s->start_epsilon, s->end_epsilon, s->epsilon_decay_steps, s->clock);
}

static double method_q_value(void *state, int64_t observation, int64_t action)
{
    const q_learning_state *s = state;
    int64_t row = observation - s->observation_start;
    if (row < 0 || (size_t)row >= s->states || action < 0 || (size_t)action >= s->actions)
        return NAN; /* reported as null */
    return s->table[(size_t)row * s->actions + (size_t)action];
}

static const athlete_method q_learning_methods[] = {
    {"epsilon", "d()", (athlete_method_fn)method_epsilon, "the exploration rate at the current step"},
    {"q_value", "d(ii)", (athlete_method_fn)method_q_value, "Q[observation, action] (null when out of range)"},
    {NULL, NULL, NULL, NULL},
};

/* ---- the factory ---- */

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    char described[128];
    if (args->observation_space->kind != ATHLETE_SPACE_DISCRETE)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "q_learning needs a Discrete observation space, got %s",
                                 athlete_space_describe(args->observation_space, described, sizeof described));
    if (args->action_space->kind != ATHLETE_SPACE_DISCRETE)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "q_learning needs a Discrete action space, got %s",
                                 athlete_space_describe(args->action_space, described, sizeof described));
    if (args->action_space->start != 0)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "q_learning needs a Discrete action space starting at 0, got %s",
                                 athlete_space_describe(args->action_space, described, sizeof described));
    const athlete_config *config = args->config;
    q_learning_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "q_learning: out of memory");
    parts->state = s;
    parts->state_ops = &q_learning_state_ops;
    s->states = (size_t)args->observation_space->n;
    s->actions = (size_t)args->action_space->n;
    s->observation_start = args->observation_space->start;
    s->clock = args->clock;
    int64_t decay;
    athlete_status st;
    if ((st = athlete_config_get_real(config, "discount", &s->discount, err)) ||
        (st = athlete_config_get_real(config, "learning_rate", &s->learning_rate, err)) ||
        (st = athlete_config_get_real(config, "start_epsilon", &s->start_epsilon, err)) ||
        (st = athlete_config_get_real(config, "end_epsilon", &s->end_epsilon, err)) ||
        (st = athlete_config_get_int(config, "epsilon_decay_steps", &decay, err)))
        goto fail;
    s->epsilon_decay_steps = (uint64_t)decay;
    s->table = athlete_calloc(s->states * s->actions, sizeof *s->table);
    if (!s->table) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "q_learning: out of memory for a %zu x %zu table",
                               s->states, s->actions);
        goto fail;
    }
    if ((st = athlete_transition_collector_create(1, 1, NULL, &parts->collector, err)))
        goto fail;
    s->collector = parts->collector;
    q_update *u = athlete_calloc(1, sizeof *u);
    if (!u) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "q_learning: out of memory");
        goto fail;
    }
    u->state = s;
    athlete_parts_add_updatable(parts, &q_update_ops, u);
    athlete_discrete_policy_options policy = {
        .struct_size = sizeof policy,
        .q_values = q_values,
        .context = s,
        .action_count = s->actions,
        .action_start = 0,
        .random_tie_break = true,
        .seed = args->seed,
        .stream = STREAM_TRAINING_POLICY,
        .start_epsilon = s->start_epsilon,
        .end_epsilon = s->end_epsilon,
        .epsilon_decay_steps = s->epsilon_decay_steps,
    };
    if ((st = athlete_epsilon_greedy_policy_create(&policy, &parts->training_policy, err)))
        goto fail;
    policy.stream = STREAM_EVALUATION_POLICY; /* evaluation never perturbs training (spec §5 fixed) */
    if ((st = athlete_greedy_policy_create(&policy, &parts->evaluation_policy, err)))
        goto fail;
    return ATHLETE_OK;
fail:
    athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm q_learning_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "q_learning",
    .summary = "Tabular Q-learning with epsilon-greedy exploration",
    .default_config = q_learning_defaults,
    .check_config = check_config,
    .build = build,
    .methods = q_learning_methods,
};

ATHLETE_PLUGIN_DEFINE(q_learning, "1.0.0", "Tabular Q-learning", &q_learning_algorithm)

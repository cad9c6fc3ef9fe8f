/* Tabular Q-learning: the defaults, the table update and the wiring.
 * Collector and policies come from the SDK. */
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/policies.h>
#include <athlete/policy-program.h>

#include <athlete/alloc.h>

#include <math.h>
#include <string.h>

typedef struct q_learning_settings {
    double discount, learning_rate, start_epsilon, end_epsilon;
    int64_t warmup_steps, epsilon_decay_steps;
} q_learning_settings;

/* The configuration: every key once, with its default, range and meaning. */
static const athlete_config_key q_learning_keys[] = {
    {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(q_learning_settings, discount),
     .default_value = 0.9, .min = 0, .max = 1, .description = "discount factor of future rewards (gamma)"},
    {.name = "learning_rate", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(q_learning_settings, learning_rate),
     .default_value = 0.1, .min = 0, .max = 1, .flags = ATHLETE_CONFIG_MIN_OPEN,
     .description = "step size of the table update towards the TD target"},
    {.name = "start_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(q_learning_settings, start_epsilon),
     .default_value = 1.0, .min = 0, .max = 1, .description = "exploration rate at the first step"},
    {.name = "end_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(q_learning_settings, end_epsilon),
     .default_value = 0.1, .min = 0, .max = 1, .description = "exploration rate once the decay is over"},
    {.name = "warmup_steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(q_learning_settings, warmup_steps),
     .default_value = 0, .min = 0, .max = INFINITY, .limit = 1e12,
     .description = "interactions before the first table update"},
    {.name = "epsilon_decay_steps", .type = ATHLETE_CONFIG_INT,
     ATHLETE_CONFIG_FIELD(q_learning_settings, epsilon_decay_steps), .default_value = 100, .min = 1, .max = INFINITY,
     .limit = 1e12, .rule = ">= 1 (it divides the epsilon decay)",
     .description = "steps over which epsilon decays linearly from start_epsilon to end_epsilon"},
};
ATHLETE_CONFIG_TABLE_DEFINE(q_learning_config, q_learning_settings, q_learning_keys);

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
    q_learning_settings cfg;
    athlete_status st = athlete_config_table_read(&q_learning_config, args->config, &cfg, err);
    if (st != ATHLETE_OK)
        return st;
    q_learning_state *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "q_learning: out of memory");
    parts->state = s;
    parts->state_ops = &q_learning_state_ops;
    s->states = (size_t)args->observation_space->n;
    s->actions = (size_t)args->action_space->n;
    s->observation_start = args->observation_space->start;
    s->clock = args->clock;
    s->discount = cfg.discount;
    s->learning_rate = cfg.learning_rate;
    s->start_epsilon = cfg.start_epsilon;
    s->end_epsilon = cfg.end_epsilon;
    s->epsilon_decay_steps = (uint64_t)cfg.epsilon_decay_steps;
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
        .observation_size = 1, /* act_batch: a table lookup per row */
    };
    if ((st = athlete_epsilon_greedy_policy_create(&policy, &parts->training_policy, err)))
        goto fail;
    policy.stream = STREAM_EVALUATION_POLICY; /* evaluation never perturbs training (unlike the original) */
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
    .build = build,
    .methods = q_learning_methods,
    .config_table = &q_learning_config,
};

ATHLETE_PLUGIN_DEFINE(q_learning, "1.0.0", "Tabular Q-learning", &q_learning_algorithm)

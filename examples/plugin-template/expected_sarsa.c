/* Expected SARSA, tabular: a complete third-party algorithm in one file.
 *
 * It shows the four parts of every Athlete algorithm: it reuses the SDK's transition
 * collector and ε-greedy / greedy policies, and brings its own update rule (one
 * updatable: the table update). Expected SARSA bootstraps from the expectation of
 * Q(s', ·) under the current ε-greedy policy instead of the max (Q-learning). */
#include <athlete/alloc.h>
#include <athlete/collectors.h>
#include <athlete/plugin.h>
#include <athlete/policies.h>

#include <math.h>
#include <string.h>

/* The configuration: one entry per key (name, type, default, range, meaning and the
 * settings field it fills). The SDK writes the defaults, checks every override against the
 * ranges and fills the settings struct; `athlete config expected_sarsa --describe` lists it. */
typedef struct sarsa_settings {
    double discount, learning_rate, start_epsilon, end_epsilon;
    int64_t decay, warmup;
} sarsa_settings;

static const athlete_config_key keys[] = {
    {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sarsa_settings, discount),
     .default_value = 0.99, .min = 0, .max = 1, .description = "discount factor of future rewards (gamma)"},
    {.name = "learning_rate", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sarsa_settings, learning_rate),
     .default_value = 0.1, .min = 0, .max = 1, .flags = ATHLETE_CONFIG_MIN_OPEN,
     .description = "step size of the table update"},
    {.name = "start_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sarsa_settings, start_epsilon),
     .default_value = 1.0, .min = 0, .max = 1, .description = "exploration rate at the first step"},
    {.name = "end_epsilon", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(sarsa_settings, end_epsilon),
     .default_value = 0.05, .min = 0, .max = 1, .description = "exploration rate once the decay is over"},
    {.name = "epsilon_decay_steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(sarsa_settings, decay),
     .default_value = 10000, .min = 1, .max = INFINITY, .limit = 1e12,
     .description = "steps over which epsilon decays linearly"},
    {.name = "warmup_steps", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(sarsa_settings, warmup),
     .default_value = 0, .min = 0, .max = INFINITY, .limit = 1e12, .description = "interactions before the first update"},
};
ATHLETE_CONFIG_TABLE_DEFINE(config_table, sarsa_settings, keys);

typedef struct sarsa {
    double *q;
    size_t states, actions;
    double discount, learning_rate, start_epsilon, end_epsilon;
    uint64_t decay;
    athlete_collector collector;
    uint64_t last_interaction;
} sarsa;

static athlete_status q_values(void *context, const float *observation, double *out, athlete_error *err)
{
    (void)err;
    const sarsa *s = context;
    memcpy(out, s->q + (size_t)observation[0] * s->actions, s->actions * sizeof *out);
    return ATHLETE_OK;
}

/* The update condition: once per interaction after warmup. */
static bool ready(void *self, const athlete_clock *clock)
{
    const sarsa *s = self;
    return athlete_clock_warmup_done(clock) && clock->interactions > s->last_interaction;
}

static athlete_status update(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    (void)err;
    sarsa *s = self;
    s->last_interaction = clock->interactions;
    const athlete_transition *t = athlete_transition_collector_latest(&s->collector);
    const double *next = s->q + (size_t)t->next_observation[0] * s->actions;
    double eps = athlete_epsilon_at(s->start_epsilon, s->end_epsilon, s->decay, clock);
    size_t best = 0;
    double mean = 0;
    for (size_t a = 0; a < s->actions; a++) {
        mean += next[a];
        if (next[a] > next[best])
            best = a;
    }
    double expected = eps * mean / (double)s->actions + (1 - eps) * next[best];
    double *q = s->q + (size_t)t->observation[0] * s->actions + (size_t)t->action[0];
    double delta = t->reward + (t->terminated ? 0 : s->discount * expected) - *q;
    *q += s->learning_rate * delta;
    athlete_info_set_real(log, "loss", fabs(delta));
    return ATHLETE_OK;
}

static athlete_status save(void *self, athlete_writer *w, athlete_error *err)
{
    sarsa *s = self;
    athlete_status st = athlete_writer_put(w, "q", ATHLETE_RECORD_F64, s->q, s->states * s->actions, err);
    if (st == ATHLETE_OK)
        st = athlete_writer_put(w, "last_interaction", ATHLETE_RECORD_U64, &s->last_interaction, 1, err);
    return st;
}

static athlete_status load(void *self, athlete_reader *r, athlete_error *err)
{
    sarsa *s = self;
    athlete_status st = athlete_reader_get(r, "q", ATHLETE_RECORD_F64, s->q, s->states * s->actions, err);
    if (st == ATHLETE_OK)
        st = athlete_reader_get(r, "last_interaction", ATHLETE_RECORD_U64, &s->last_interaction, 1, err);
    return st;
}

static void destroy(void *self)
{
    sarsa *s = self;
    if (s)
        athlete_free(s->q);
    athlete_free(s);
}

static const athlete_updatable_ops table_update = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "table",
    .ready = ready,
    .update = update,
    .save = save,
    .load = load,
    .destroy = destroy,
};

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    if (args->observation_space->kind != ATHLETE_SPACE_DISCRETE || args->action_space->kind != ATHLETE_SPACE_DISCRETE)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "expected_sarsa needs Discrete observation and action spaces");
    sarsa_settings cfg;
    athlete_status st = athlete_config_table_read(&config_table, args->config, &cfg, err);
    if (st != ATHLETE_OK)
        return st;
    sarsa *s = athlete_calloc(1, sizeof *s);
    if (!s)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "expected_sarsa: out of memory");
    s->states = (size_t)args->observation_space->n;
    s->actions = (size_t)args->action_space->n;
    s->q = athlete_calloc(s->states * s->actions, sizeof *s->q);
    athlete_parts_add_updatable(parts, &table_update, s); /* the part owns s from here */
    if (!s->q)
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "expected_sarsa: out of memory");
    s->discount = cfg.discount;
    s->learning_rate = cfg.learning_rate;
    s->start_epsilon = cfg.start_epsilon;
    s->end_epsilon = cfg.end_epsilon;
    s->decay = (uint64_t)cfg.decay;
    if (st == ATHLETE_OK)
        st = athlete_transition_collector_create(1, 1, NULL, &parts->collector, err);
    s->collector = parts->collector;
    athlete_discrete_policy_options policy = {
        .struct_size = sizeof policy, .q_values = q_values, .context = s, .action_count = s->actions,
        .seed = args->seed, .stream = 1, .start_epsilon = s->start_epsilon, .end_epsilon = s->end_epsilon,
        .epsilon_decay_steps = s->decay,
    };
    if (st == ATHLETE_OK)
        st = athlete_epsilon_greedy_policy_create(&policy, &parts->training_policy, err);
    policy.stream = 2;
    if (st == ATHLETE_OK)
        st = athlete_greedy_policy_create(&policy, &parts->evaluation_policy, err);
    if (st != ATHLETE_OK)
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm expected_sarsa = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "expected_sarsa",
    .summary = "Tabular expected SARSA (an out-of-tree plugin example)",
    .build = build,
    .config_table = &config_table,
};

ATHLETE_PLUGIN_DEFINE(expected_sarsa, "1.0.0", "Expected SARSA, built out of tree", &expected_sarsa)

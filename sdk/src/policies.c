/* ε-greedy and greedy policies over an action-value function (see policies.h). */
#include <athlete/policies.h>

#include <athlete/alloc.h>
#include <athlete/rng.h>

#include <math.h>
#include <string.h>

typedef struct discrete_policy {
    athlete_discrete_policy_options options;
    athlete_rng rng;
    size_t rows;   /* q_values_batch's rows at most (0: no batched values) */
    double *q;     /* max(rows, 1) x action_count */
    size_t *ties;
} discrete_policy;

double athlete_epsilon_at(double start, double end, uint64_t decay_steps, const athlete_clock *clock)
{
    if (!athlete_clock_warmup_done(clock))
        return start;
    double a = (double)athlete_clock_after_warmup(clock);
    double eps = start - (start - end) / (double)decay_steps * a;
    return eps > end ? eps : end;
}

/* The greedy action of `observation`, from its action values q (NULL: computed here). */
static athlete_status greedy_index(discrete_policy *p, const float *observation, const double *q, size_t *index,
                                   athlete_error *err)
{
    if (!q) {
        athlete_status st = p->options.q_values(p->options.context, observation, p->q, err);
        if (st != ATHLETE_OK)
            return st;
        q = p->q;
    }
    size_t n = p->options.action_count;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (q[i] > q[best])
            best = i;
    if (isnan(q[best]))
        return athlete_error_set(err, ATHLETE_E_NON_FINITE, "action value %zu is NaN (did training diverge?)", best);
    if (p->options.random_tie_break) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (q[i] == q[best])
                p->ties[count++] = i;
        if (count > 1) /* one draw only when there is a tie, as the original */
            best = p->ties[athlete_rng_below(&p->rng, count)];
    }
    *index = best;
    return ATHLETE_OK;
}

static void write_action(const discrete_policy *p, size_t index, float *action)
{
    action[0] = (float)(p->options.action_start + (int64_t)index);
}

/* The action values of every row in one call when the policy has a batched function for
 * that many rows; NULL otherwise (each greedy row computes its own). The values carry no
 * randomness, so computing them first leaves every row's draws unchanged. */
static athlete_status batch_values(discrete_policy *p, const float *observations, size_t rows, const double **q,
                                   athlete_error *err)
{
    *q = NULL;
    if (!p->options.q_values_batch || rows > p->rows)
        return ATHLETE_OK;
    athlete_status st = p->options.q_values_batch(p->options.context, observations, rows, p->q, err);
    if (st == ATHLETE_OK)
        *q = p->q;
    return st;
}

static athlete_status epsilon_greedy_act_batch(void *self, const float *observations, size_t rows, const bool *first,
                                               const athlete_clock *clock, float *actions, athlete_info *infos,
                                               athlete_error *err)
{
    (void)first;
    discrete_policy *p = self;
    const athlete_discrete_policy_options *o = &p->options;
    double eps = athlete_epsilon_at(o->start_epsilon, o->end_epsilon, o->epsilon_decay_steps, clock);
    bool warm = athlete_clock_warmup_done(clock);
    const double *q = NULL;
    athlete_status st = warm ? batch_values(p, observations, rows, &q, err) : ATHLETE_OK;
    size_t obs = o->observation_size;
    for (size_t i = 0; i < rows && st == ATHLETE_OK; i++) {
        bool greedy = false;
        size_t index;
        if (!warm || athlete_rng_uniform(&p->rng) < eps) {
            index = (size_t)athlete_rng_below(&p->rng, o->action_count);
        } else {
            st = greedy_index(p, observations + i * obs, q ? q + i * o->action_count : NULL, &index, err);
            greedy = true;
        }
        if (st != ATHLETE_OK)
            break;
        write_action(p, index, actions + i);
        athlete_info_set_bool(&infos[i], "greedy", greedy);
        athlete_info_set_real(&infos[i], "epsilon", eps);
    }
    return st;
}

static athlete_status epsilon_greedy_act(void *self, const float *observation, const athlete_clock *clock,
                                         float *action, athlete_info *info, athlete_error *err)
{
    const bool first = false;
    return epsilon_greedy_act_batch(self, observation, 1, &first, clock, action, info, err);
}

static athlete_status greedy_act_batch(void *self, const float *observations, size_t rows, const bool *first,
                                       const athlete_clock *clock, float *actions, athlete_info *infos,
                                       athlete_error *err)
{
    (void)first;
    (void)clock;
    (void)infos;
    discrete_policy *p = self;
    const double *q = NULL;
    athlete_status st = batch_values(p, observations, rows, &q, err);
    size_t obs = p->options.observation_size;
    for (size_t i = 0; i < rows && st == ATHLETE_OK; i++) {
        size_t index;
        st = greedy_index(p, observations + i * obs, q ? q + i * p->options.action_count : NULL, &index, err);
        if (st == ATHLETE_OK)
            write_action(p, index, actions + i);
    }
    return st;
}

static athlete_status greedy_act(void *self, const float *observation, const athlete_clock *clock,
                                 float *action, athlete_info *info, athlete_error *err)
{
    const bool first = false;
    return greedy_act_batch(self, observation, 1, &first, clock, action, info, err);
}

static athlete_status policy_save(void *self, athlete_writer *w, athlete_error *err)
{
    discrete_policy *p = self;
    return athlete_writer_put(w, "rng", ATHLETE_RECORD_BYTES, &p->rng, sizeof p->rng, err);
}

static athlete_status policy_load(void *self, athlete_reader *r, athlete_error *err)
{
    discrete_policy *p = self;
    return athlete_reader_get_rng(r, "rng", &p->rng, err);
}

static void policy_destroy(void *self)
{
    discrete_policy *p = self;
    if (!p)
        return;
    athlete_free(p->q);
    athlete_free(p->ties);
    athlete_free(p);
}

static const athlete_policy_ops epsilon_greedy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = epsilon_greedy_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
};

static const athlete_policy_ops greedy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = greedy_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
};

/* With the observation rows' size: act_batch too. */
static const athlete_policy_ops epsilon_greedy_batch_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = epsilon_greedy_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
    .act_batch = epsilon_greedy_act_batch,
};

static const athlete_policy_ops greedy_batch_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = greedy_act,
    .save = policy_save,
    .load = policy_load,
    .destroy = policy_destroy,
    .act_batch = greedy_act_batch,
};

#define DISCRETE_OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_discrete_policy_options, epsilon_decay_steps)

static athlete_status create(const athlete_discrete_policy_options *options, const athlete_policy_ops *ops,
                             athlete_policy *out, athlete_error *err)
{
    if (options && options->struct_size < DISCRETE_OPTIONS_SIZE_1_0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "discrete policy: options.struct_size is %zu, smaller than ABI 1.0's %zu",
                                 options->struct_size, (size_t)DISCRETE_OPTIONS_SIZE_1_0);
    if (!options || !options->q_values || options->action_count == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "discrete policy: needs an action-value function and at least one action");
    if (ops == &epsilon_greedy_ops && options->epsilon_decay_steps == 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "epsilon-greedy policy: epsilon_decay_steps must be >= 1");
    discrete_policy *p = athlete_calloc(1, sizeof *p);
    if (p) {
        /* An older caller's shorter struct: the members it lacks stay zero. */
        memcpy(&p->options, options,
               options->struct_size < sizeof *options ? options->struct_size : sizeof *options);
        p->options.struct_size = sizeof p->options;
        p->rows = p->options.q_values_batch ? (p->options.num_envs ? p->options.num_envs : 1) : 0;
        p->q = athlete_calloc((p->rows ? p->rows : 1) * options->action_count, sizeof *p->q);
        p->ties = athlete_calloc(options->action_count, sizeof *p->ties);
    }
    if (!p || !p->q || !p->ties) {
        policy_destroy(p);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "discrete policy: out of memory");
    }
    athlete_rng_seed(&p->rng, options->seed, options->stream);
    if (p->options.observation_size)
        ops = ops == &epsilon_greedy_ops ? &epsilon_greedy_batch_ops : &greedy_batch_ops;
    out->ops = ops;
    out->self = p;
    return ATHLETE_OK;
}

athlete_status athlete_epsilon_greedy_policy_create(const athlete_discrete_policy_options *options,
                                                    athlete_policy *out, athlete_error *err)
{
    return create(options, &epsilon_greedy_ops, out, err);
}

athlete_status athlete_greedy_policy_create(const athlete_discrete_policy_options *options,
                                            athlete_policy *out, athlete_error *err)
{
    return create(options, &greedy_ops, out, err);
}

/* ε-greedy and greedy policies over an action-value function (see policies.h). */
#include <athlete/policies.h>

#include <athlete/alloc.h>
#include <athlete/rng.h>

#include <math.h>
#include <string.h>

typedef struct discrete_policy {
    athlete_discrete_policy_options options;
    athlete_rng rng;
    double *q;
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

static athlete_status greedy_index(discrete_policy *p, const float *observation, size_t *index,
                                   athlete_error *err)
{
    athlete_status st = p->options.q_values(p->options.context, observation, p->q, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = p->options.action_count;
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (p->q[i] > p->q[best])
            best = i;
    if (isnan(p->q[best]))
        return athlete_error_set(err, ATHLETE_E_NON_FINITE, "action value %zu is NaN (did training diverge?)", best);
    if (p->options.random_tie_break) {
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (p->q[i] == p->q[best])
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

static athlete_status epsilon_greedy_act(void *self, const float *observation, const athlete_clock *clock,
                                         float *action, athlete_info *info, athlete_error *err)
{
    discrete_policy *p = self;
    const athlete_discrete_policy_options *o = &p->options;
    double eps = athlete_epsilon_at(o->start_epsilon, o->end_epsilon, o->epsilon_decay_steps, clock);
    bool greedy = false;
    size_t index;
    if (!athlete_clock_warmup_done(clock) || athlete_rng_uniform(&p->rng) < eps) {
        index = (size_t)athlete_rng_below(&p->rng, o->action_count);
    } else {
        athlete_status st = greedy_index(p, observation, &index, err);
        if (st != ATHLETE_OK)
            return st;
        greedy = true;
    }
    write_action(p, index, action);
    athlete_info_set_bool(info, "greedy", greedy);
    athlete_info_set_real(info, "epsilon", eps);
    return ATHLETE_OK;
}

static athlete_status greedy_act(void *self, const float *observation, const athlete_clock *clock,
                                 float *action, athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)info;
    discrete_policy *p = self;
    size_t index;
    athlete_status st = greedy_index(p, observation, &index, err);
    if (st == ATHLETE_OK)
        write_action(p, index, action);
    return st;
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
        p->q = athlete_calloc(options->action_count, sizeof *p->q);
        p->ties = athlete_calloc(options->action_count, sizeof *p->ties);
    }
    if (!p || !p->q || !p->ties) {
        policy_destroy(p);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "discrete policy: out of memory");
    }
    athlete_rng_seed(&p->rng, options->seed, options->stream);
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

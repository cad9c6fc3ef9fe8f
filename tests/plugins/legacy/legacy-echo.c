/* A plugin as built against ABI 1.0: its descriptor says minor 0 and its component
 * tables have 1.0's sizes (no act_batch, no collector streams), so a vector agent must
 * drive it row by row. The policy reports the observation it acted on under "echo" from
 * one reused buffer; the collector checks that every transition's "echo" is the
 * observation its own stream's action was taken in, which holds only if the core keeps
 * each row's info and replays each stream. */
#include <athlete/alloc.h>
#include <athlete/plugin.h>

#include <stddef.h>
#include <string.h>

enum { OBS = 4 };

typedef struct echo_collector {
    float previous[OBS];
    int64_t collects;
} echo_collector;

static athlete_status echo_reset(void *self, const float *observation, bool *new_data, athlete_error *err)
{
    (void)err;
    echo_collector *c = self;
    memcpy(c->previous, observation, sizeof c->previous);
    *new_data = false;
    return ATHLETE_OK;
}

static athlete_status echo_collect(void *self, const athlete_step_data *step, bool *new_data, athlete_error *err)
{
    echo_collector *c = self;
    const athlete_info_item *echo = athlete_info_find(step->policy_info, "echo");
    if (!echo || echo->count != OBS || memcmp(echo->reals, c->previous, sizeof c->previous) != 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "legacy_echo: the action's info is another row's");
    memcpy(c->previous, step->observation, sizeof c->previous);
    c->collects++;
    *new_data = true;
    return ATHLETE_OK;
}

static void echo_collector_destroy(void *self) { athlete_free(self); }

static const athlete_collector_ops collector_ops_1_0 = {
    .struct_size = offsetof(athlete_collector_ops, reset_env), /* ABI 1.0's size */
    .reset = echo_reset,
    .collect = echo_collect,
    .destroy = echo_collector_destroy,
};

typedef struct echo_policy {
    float echo[OBS]; /* reused by every call, as many 1.0 policies do */
} echo_policy;

static athlete_status echo_act(void *self, const float *observation, const athlete_clock *clock, float *action,
                               athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)err;
    echo_policy *p = self;
    memcpy(p->echo, observation, sizeof p->echo);
    action[0] = observation[2] > 0 ? 1.0f : 0.0f; /* push toward the pole's lean */
    athlete_info_set_reals(info, "echo", p->echo, OBS);
    return ATHLETE_OK;
}

static void echo_policy_destroy(void *self) { athlete_free(self); }

static const athlete_policy_ops policy_ops_1_0 = {
    .struct_size = offsetof(athlete_policy_ops, act_batch), /* ABI 1.0's size */
    .act = echo_act,
    .destroy = echo_policy_destroy,
};

static int64_t method_collects(void *state) { return ((echo_collector *)state)->collects; }

static const athlete_method echo_methods[] = {
    {"collects", "i()", (athlete_method_fn)method_collects, "transitions collected"},
    {NULL, NULL, NULL, NULL},
};

static athlete_status echo_build(const athlete_build_args *args, athlete_parts *out, athlete_error *err)
{
    if (athlete_space_flat_size(args->observation_space) != OBS)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "legacy_echo needs 4 observation floats");
    echo_collector *c = athlete_calloc(1, sizeof *c);
    echo_policy *train = athlete_calloc(1, sizeof *train), *eval = athlete_calloc(1, sizeof *eval);
    if (!c || !train || !eval) {
        athlete_free(c);
        athlete_free(train);
        athlete_free(eval);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "legacy_echo: out of memory");
    }
    out->collector = (athlete_collector){&collector_ops_1_0, c};
    out->training_policy = (athlete_policy){&policy_ops_1_0, train};
    out->evaluation_policy = (athlete_policy){&policy_ops_1_0, eval};
    out->state = c; /* for the method; owned by the collector */
    return ATHLETE_OK;
}

static const athlete_algorithm echo_algorithm = {
    .struct_size = offsetof(athlete_algorithm, methods) + sizeof(const athlete_method *),
    .id = "legacy_echo",
    .summary = "ABI 1.0 layout test plugin",
    .default_config = "{}",
    .build = echo_build,
    .methods = echo_methods,
};

static const athlete_algorithm *const echo_algorithms[] = {&echo_algorithm, NULL};
static const athlete_plugin echo_descriptor = {
    sizeof(athlete_plugin), ATHLETE_ABI_MAJOR, 0 /* built for 1.0 */, ATHLETE_ABI_FINGERPRINT, "legacy_echo", "1.0.0",
    "a plugin with ABI 1.0's layout", echo_algorithms};
ATHLETE_PLUGIN_EXPORT const athlete_plugin *athlete_plugin_entry(void);
ATHLETE_PLUGIN_EXPORT const athlete_plugin *athlete_plugin_entry(void) { return &echo_descriptor; }

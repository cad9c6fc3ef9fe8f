/* What an agent promises when a call fails: refused input changes nothing; a failure in the
 * middle of a training step (an update that diverged) makes the agent failed, and every
 * later step, reset_step or save is refused with the first failure quoted. */
#include <athlete/athlete.h>
#include <athlete/collectors.h>
#include <athlete/policies.h>

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "test-util.h"

typedef struct midway {
    int64_t fail_at; /* the update that fails, counted from 1 */
    int64_t updates;
    double weight; /* what each update changes before it fails */
} midway;

static bool always(void *self, const athlete_clock *clock)
{
    (void)self, (void)clock;
    return true;
}

static athlete_status update(void *self, const athlete_clock *clock, athlete_info *log, athlete_error *err)
{
    (void)clock, (void)log;
    midway *m = self;
    m->weight += 1; /* half of the work is done when the loss turns out to be NaN */
    if (++m->updates == m->fail_at)
        return athlete_error_set(err, ATHLETE_E_NON_FINITE, "loss is NaN");
    return ATHLETE_OK;
}

static const athlete_updatable_ops update_ops = {
    .struct_size = sizeof(athlete_updatable_ops),
    .name = "breaks",
    .ready = always,
    .update = update,
};

static athlete_status q_values(void *context, const float *observation, double *q, athlete_error *err)
{
    (void)observation, (void)err;
    const midway *m = context;
    q[0] = 0;
    q[1] = m->weight;
    return ATHLETE_OK;
}

static athlete_status save_state(void *state, athlete_writer *w, athlete_error *err)
{
    const midway *m = state;
    return athlete_writer_put(w, "weight", ATHLETE_RECORD_F64, &m->weight, 1, err);
}

static athlete_status load_state(void *state, athlete_reader *r, athlete_error *err)
{
    midway *m = state;
    return athlete_reader_get(r, "weight", ATHLETE_RECORD_F64, &m->weight, 1, err);
}

static void destroy_state(void *state) { free(state); }

static const athlete_state_ops state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = save_state,
    .load = load_state,
    .destroy = destroy_state,
};

static athlete_status build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    midway *m = calloc(1, sizeof *m);
    if (!m)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "out of memory");
    parts->state = m;
    parts->state_ops = &state_ops;
    athlete_status st = athlete_config_get_int(args->config, "fail_at", &m->fail_at, err);
    if (st == ATHLETE_OK)
        st = athlete_transition_collector_create(1, 1, NULL, &parts->collector, err);
    if (st == ATHLETE_OK && !athlete_parts_add_updatable(parts, &update_ops, m))
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "too many updatables");
    athlete_discrete_policy_options policy = {
        .struct_size = sizeof policy, .q_values = q_values, .context = m, .action_count = 2};
    if (st == ATHLETE_OK)
        st = athlete_greedy_policy_create(&policy, &parts->training_policy, err);
    if (st == ATHLETE_OK)
        st = athlete_greedy_policy_create(&policy, &parts->evaluation_policy, err);
    if (st != ATHLETE_OK)
        athlete_parts_destroy(parts);
    return st;
}

static const athlete_algorithm midway_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "midway",
    .summary = "fails in its n-th update",
    .default_config = "{\"fail_at\": 3}",
    .build = build,
};

static athlete_agent *make_agent(athlete_registry **reg)
{
    athlete_registry_options options = {sizeof options, NULL, true, true};
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, reg, &err), &err);
    ck_assert_ok(athlete_registry_register(*reg, &midway_algorithm, &err), &err);
    athlete_space two = athlete_space_discrete(2);
    uint64_t seed = 0;
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_create(*reg, "midway", &two, &two, &seed, NULL, &agent, &err), &err);
    return agent;
}

static const char *const earlier =
    "the agent failed in an earlier call and may be half-updated (destroy it or load a checkpoint); "
    "that call's error: midway: update 'breaks': loss is NaN";

START_TEST(refused_input_changes_nothing)
{
    athlete_registry *reg;
    athlete_agent *agent = make_agent(&reg);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    float obs = 0, bad = 5;
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err); /* update 1 */
    ck_assert_fails(athlete_agent_step(agent, &bad, 0, false, false, &action, &info, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "step: observation");
    ck_assert_fails(athlete_agent_step(agent, &obs, NAN, false, false, &action, &info, &err), &err,
                    ATHLETE_E_NON_FINITE, "step: reward is NaN");
    ck_assert_uint_eq(athlete_agent_clock(agent)->interactions, 0);
    ck_assert_ok(athlete_agent_step(agent, &obs, 0, false, false, &action, &info, &err), &err); /* update 2 */
    ck_assert_uint_eq(athlete_agent_clock(agent)->interactions, 1);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(a_failure_midway_makes_the_agent_failed)
{
    athlete_registry *reg;
    athlete_agent *agent = make_agent(&reg);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    float obs = 0;
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    ck_assert_ok(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err), &err);
    ck_assert_fails(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err), &err,
                    ATHLETE_E_NON_FINITE, "midway: update 'breaks': loss is NaN");
    ck_assert_ptr_null(athlete_agent_last_action(agent));
    char message[ATHLETE_ERROR_MESSAGE_SIZE];
    ck_assert_fails(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err), &err,
                    ATHLETE_E_CALL_ORDER, earlier);
    ck_assert_str_eq(err.message, (snprintf(message, sizeof message, "step: %s", earlier), message));
    ck_assert_fails(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err, ATHLETE_E_CALL_ORDER,
                    earlier);
    ck_assert_str_eq(err.message, (snprintf(message, sizeof message, "reset_step: %s", earlier), message));
    /* Evaluation still acts (to inspect the policy) and changes nothing; training is refused
     * again afterwards. */
    athlete_agent_eval(agent);
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    ck_assert_float_eq(action[0], 1);
    athlete_agent_train(agent);
    ck_assert_fails(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err), &err,
                    ATHLETE_E_CALL_ORDER, earlier);
    char path[64];
    snprintf(path, sizeof path, "/tmp/athlete-failed-%d.ckpt", (int)getpid());
    ck_assert_fails(athlete_agent_save_checkpoint(agent, path, false, NULL, &err), &err, ATHLETE_E_CALL_ORDER,
                    "save_checkpoint: the agent failed in an earlier call");
    ck_assert_fails(athlete_agent_save_policy(agent, path, &err), &err, ATHLETE_E_CALL_ORDER,
                    "save_policy: the agent failed in an earlier call");
    ck_assert_int_ne(access(path, F_OK), 0); /* nothing was written */
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(the_failure_is_kept_without_an_error_record)
{
    athlete_registry *reg;
    athlete_agent *agent = make_agent(&reg);
    const float *action;
    const athlete_info *info;
    float obs = 0;
    ck_assert_int_eq(athlete_agent_reset_step(agent, &obs, &action, &info, NULL), ATHLETE_OK);
    ck_assert_int_eq(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, NULL), ATHLETE_OK);
    ck_assert_int_eq(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, NULL),
                     ATHLETE_E_NON_FINITE);
    ck_assert_int_eq(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, NULL),
                     ATHLETE_E_CALL_ORDER);
    athlete_error err;
    ck_assert_fails(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err, ATHLETE_E_CALL_ORDER,
                    earlier);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(a_checkpoint_from_before_the_failure_goes_on)
{
    athlete_registry *reg;
    athlete_agent *agent = make_agent(&reg);
    athlete_error err;
    const float *action;
    const athlete_info *info;
    float obs = 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/athlete-before-failure-%d.ckpt", (int)getpid());
    ck_assert_ok(athlete_agent_reset_step(agent, &obs, &action, &info, &err), &err);
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, false, NULL, &err), &err);
    ck_assert_ok(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err), &err);
    ck_assert_int_eq(athlete_agent_step(agent, &obs, 1, false, false, &action, &info, &err),
                     ATHLETE_E_NON_FINITE);
    athlete_agent_destroy(agent);
    athlete_agent *loaded = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, false, &loaded, &err), &err);
    unlink(path);
    ck_assert_ok(athlete_agent_reset_step(loaded, &obs, &action, &info, &err), &err);
    ck_assert_float_eq(action[0], 1);
    athlete_agent_destroy(loaded);
    athlete_registry_destroy(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("agent-failure");
    TCase *tc = tcase_create("agent-failure");
    tcase_add_test(tc, refused_input_changes_nothing);
    tcase_add_test(tc, a_failure_midway_makes_the_agent_failed);
    tcase_add_test(tc, the_failure_is_kept_without_an_error_record);
    tcase_add_test(tc, a_checkpoint_from_before_the_failure_goes_on);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

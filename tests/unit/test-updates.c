/* The SDK's gradient update: schedule, n steps per trigger drawing from the update's own
 * RNG stream, the mean loss under its log key, the empty-buffer guard (no update samples
 * an empty buffer), checkpoint of schedule and RNG; and the two updates of an actor-critic. */
#include <athlete/critics.h>
#include <athlete/info.h>
#include <athlete/replay.h>
#include <athlete/rng.h>
#include <athlete/updates.h>

#include "actor-critic.h"
#include "test-util.h"

/* A step that records the first draw of the RNG it is given and reports 1, 2, 3, … as
 * its losses. */
typedef struct recorder {
    uint64_t draws[16];
    size_t calls;
    int after_calls;
    bool fail;
} recorder;

static athlete_status record_step(void *context, athlete_rng *rng, float *loss, athlete_error *err)
{
    recorder *r = context;
    if (r->fail)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "step refused");
    if (r->calls < 16)
        r->draws[r->calls] = athlete_rng_next_u64(rng);
    r->calls++;
    *loss = (float)r->calls;
    return ATHLETE_OK;
}

static void record_after(void *context, athlete_info *log)
{
    recorder *r = context;
    r->after_calls++;
    athlete_info_set_int(log, "after", r->after_calls);
}

static athlete_parts make_parts(void)
{
    athlete_parts parts;
    memset(&parts, 0, sizeof parts);
    parts.struct_size = sizeof parts;
    return parts;
}

static athlete_clock at(uint64_t interactions, uint64_t episodes, uint64_t warmup)
{
    return (athlete_clock){interactions, episodes, interactions, warmup};
}

static const athlete_info_item *find(const athlete_info *log, const char *key)
{
    return athlete_info_find(log, key);
}

/* Runs updatable i if ready; true when it ran. */
static bool run(athlete_parts *parts, size_t i, const athlete_clock *clock, athlete_info *log)
{
    athlete_error err;
    const athlete_updatable *u = &parts->updatables[i];
    if (!u->ops->ready(u->self, clock))
        return false;
    ck_assert_ok(u->ops->update(u->self, clock, log, &err), &err);
    return true;
}

START_TEST(steps_on_schedule_and_logs_mean_loss)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    recorder r = {0};
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "critic", .log_key = "critic_loss", .step = record_step, .context = &r,
        .after = record_after, .frequency = 2, .number_of_updates = 3, .seed = 7, .stream = 4,
    };
    ck_assert_ok(athlete_gradient_update_add(&parts, &o, &err), &err);
    ck_assert_uint_eq(parts.updatable_count, 1);
    ck_assert_str_eq(parts.updatables[0].ops->name, "critic");
    athlete_info log = {0};
    athlete_clock c = at(9, 0, 10);
    ck_assert(!run(&parts, 0, &c, &log)); /* warmup */
    c = at(11, 0, 10);
    ck_assert(!run(&parts, 0, &c, &log)); /* a = 1: not a multiple of 2 */
    c = at(12, 0, 10);
    ck_assert(run(&parts, 0, &c, &log));
    ck_assert_uint_eq(r.calls, 3);
    const athlete_info_item *loss = find(&log, "critic_loss");
    ck_assert_ptr_nonnull(loss);
    ck_assert_double_eq(loss->real, 2.0); /* mean of 1, 2, 3 */
    ck_assert_int_eq(r.after_calls, 1);
    ck_assert_ptr_nonnull(find(&log, "after"));
    ck_assert(!run(&parts, 0, &c, &log)); /* once per interaction count */
    /* the steps drew from the stream (seed 7, stream 4), one continuing sequence */
    athlete_rng expect;
    athlete_rng_seed(&expect, 7, 4);
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(r.draws[i], athlete_rng_next_u64(&expect));
    athlete_parts_destroy(&parts);
}
END_TEST

START_TEST(multiplied_by_environment_steps)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    recorder r = {0};
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "value_function", .log_key = "loss", .step = record_step, .context = &r,
        .frequency = 4, .number_of_updates = 1, .multiply_by_environment_steps = true, .seed = 1, .stream = 4,
    };
    ck_assert_ok(athlete_gradient_update_add(&parts, &o, &err), &err);
    athlete_info log = {0};
    athlete_clock c = at(1004, 0, 1000);
    ck_assert(run(&parts, 0, &c, &log));
    ck_assert_uint_eq(r.calls, 4);
    ck_assert_double_eq(find(&log, "loss")->real, 2.5);
    athlete_parts_destroy(&parts);
}
END_TEST

START_TEST(skipped_while_replay_is_empty)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    athlete_replay *rb;
    ck_assert_ok(athlete_replay_create(8, 1, 1, 4, &rb, &err), &err);
    recorder r = {0};
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "critic", .log_key = "critic_loss", .step = record_step, .context = &r,
        .frequency = 1, .number_of_updates = 1, .replay = rb, .seed = 1, .stream = 4,
    };
    ck_assert_ok(athlete_gradient_update_add(&parts, &o, &err), &err);
    athlete_info log = {0};
    athlete_clock c = at(0, 0, 0); /* warmup 0: ready by the schedule, but nothing stored */
    ck_assert(!run(&parts, 0, &c, &log));
    ck_assert_uint_eq(r.calls, 0);
    float obs = 0, act = 0;
    athlete_replay_add(rb, &obs, &act, 1.0f, &obs, false);
    ck_assert(run(&parts, 0, &c, &log));
    ck_assert_uint_eq(r.calls, 1);
    athlete_parts_destroy(&parts);
    athlete_replay_destroy(rb);
}
END_TEST

START_TEST(step_errors_propagate)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    recorder r = {.fail = true};
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "actor", .log_key = "actor_loss", .step = record_step, .context = &r,
        .frequency = 1, .number_of_updates = 1, .seed = 1, .stream = 5,
    };
    ck_assert_ok(athlete_gradient_update_add(&parts, &o, &err), &err);
    athlete_info log = {0};
    athlete_clock c = at(0, 0, 0);
    const athlete_updatable *u = &parts.updatables[0];
    ck_assert(u->ops->ready(u->self, &c));
    ck_assert_fails(u->ops->update(u->self, &c, &log, &err), &err, ATHLETE_E_INVALID_ARGUMENT, "step refused");
    ck_assert_ptr_null(find(&log, "actor_loss"));
    athlete_parts_destroy(&parts);
}
END_TEST

START_TEST(rejects_bad_options)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    recorder r = {0};
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "critic", .log_key = "critic_loss", .step = record_step, .context = &r,
        .frequency = 1, .number_of_updates = 0,
    };
    ck_assert_fails(athlete_gradient_update_add(&parts, &o, &err), &err, ATHLETE_E_CONFIG_VALUE,
                    "critic: the number of updates must be >= 1");
    o.number_of_updates = 1;
    o.step = NULL;
    ck_assert_fails(athlete_gradient_update_add(&parts, &o, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "a step function");
    o.step = record_step;
    o.struct_size = 8;
    ck_assert_fails(athlete_gradient_update_add(&parts, &o, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "needs struct_size");
    ck_assert_fails(athlete_gradient_update_add(&parts, NULL, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "needs struct_size");
    ck_assert_uint_eq(parts.updatable_count, 0);
}
END_TEST

/* Save after one trigger, run on; a fresh update loaded from the save runs the same. */
START_TEST(checkpoint_restores_schedule_and_rng)
{
    athlete_error err;
    athlete_gradient_update_options o = {
        .struct_size = sizeof o, .name = "critic", .log_key = "critic_loss", .step = record_step,
        .frequency = 1, .number_of_updates = 2, .seed = 3, .stream = 4,
    };
    recorder a = {0}, b = {0};
    athlete_parts pa = make_parts(), pb = make_parts();
    o.context = &a;
    ck_assert_ok(athlete_gradient_update_add(&pa, &o, &err), &err);
    o.context = &b;
    o.seed = 99; /* a different stream until the checkpoint replaces it */
    ck_assert_ok(athlete_gradient_update_add(&pb, &o, &err), &err);
    athlete_info log = {0};
    athlete_clock c = at(5, 0, 0);
    ck_assert(run(&pa, 0, &c, &log));
    athlete_writer *w;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    athlete_writer_set_scope(w, "critic");
    ck_assert_ok(pa.updatables[0].ops->save(pa.updatables[0].self, w, &err), &err);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    athlete_reader_set_scope(r, "critic");
    ck_assert_ok(pb.updatables[0].ops->load(pb.updatables[0].self, r, &err), &err);
    ck_assert_uint_eq(athlete_reader_unread_count(r, NULL), 0);
    ck_assert(!run(&pb, 0, &c, &log)); /* the loaded schedule already ran at this count */
    c = at(6, 0, 0);
    ck_assert(run(&pa, 0, &c, &log));
    ck_assert(run(&pb, 0, &c, &log));
    ck_assert_uint_eq(a.calls, 4);
    ck_assert_uint_eq(b.calls, 2);
    ck_assert_uint_eq(a.draws[2], b.draws[0]);
    ck_assert_uint_eq(a.draws[3], b.draws[1]);
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    athlete_parts_destroy(&pa);
    athlete_parts_destroy(&pb);
}
END_TEST

/* actor_critic_updates_add (the actor-critic plugins' shared wiring, built on the
 * gradient update): "critic" then "actor", each on its own schedule and stream. */
START_TEST(actor_critic_updates)
{
    athlete_error err;
    athlete_parts parts = make_parts();
    recorder critic = {0}; /* one context for both steps, as the plugins have */
    actor_critic_settings settings = {
        .critic_frequency = 1, .critic_updates = 1, .actor_frequency = 2, .actor_updates = 1,
    };
    actor_critic_spec steps = {.critic_step = record_step, .actor_step = record_step, .context = &critic,
                               .seed = 11, .critic_stream = 4, .actor_stream = 5};
    ck_assert_ok(actor_critic_updates_add(&parts, &settings, &steps, NULL, &err), &err);
    ck_assert_uint_eq(parts.updatable_count, 2);
    ck_assert_str_eq(parts.updatables[0].ops->name, "critic");
    ck_assert_str_eq(parts.updatables[1].ops->name, "actor");
    athlete_info log = {0};
    athlete_clock c = at(1, 0, 0);
    ck_assert(run(&parts, 0, &c, &log));
    ck_assert(!run(&parts, 1, &c, &log)); /* a = 1: actor frequency 2 */
    ck_assert_ptr_nonnull(find(&log, "critic_loss"));
    ck_assert_ptr_null(find(&log, "actor_loss"));
    c = at(2, 0, 0);
    ck_assert(run(&parts, 0, &c, &log));
    ck_assert(run(&parts, 1, &c, &log));
    ck_assert_ptr_nonnull(find(&log, "actor_loss"));
    athlete_rng s4, s5;
    athlete_rng_seed(&s4, 11, 4);
    athlete_rng_seed(&s5, 11, 5);
    ck_assert_uint_eq(critic.draws[0], athlete_rng_next_u64(&s4));
    ck_assert_uint_eq(critic.draws[1], athlete_rng_next_u64(&s4));
    ck_assert_uint_eq(critic.draws[2], athlete_rng_next_u64(&s5)); /* the actor's step */
    athlete_parts_destroy(&parts);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("updates");
    TCase *tc = tcase_create("gradient_update");
    tcase_add_test(tc, steps_on_schedule_and_logs_mean_loss);
    tcase_add_test(tc, multiplied_by_environment_steps);
    tcase_add_test(tc, skipped_while_replay_is_empty);
    tcase_add_test(tc, step_errors_propagate);
    tcase_add_test(tc, rejects_bad_options);
    tcase_add_test(tc, checkpoint_restores_schedule_and_rng);
    tcase_add_test(tc, actor_critic_updates);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* The rollout collector (slots, episode boundaries, the bootstrap row, publication, call
 * errors, checkpoint round trip) and GAE against hand-computed examples. */
#include <athlete/checkpoint.h>
#include <athlete/info.h>
#include <athlete/rollout.h>

#include <math.h>

#include "test-util.h"

START_TEST(gae_hand_computed_with_done_and_bootstrap)
{
    /* γ = 0.9, λ = 0.8 (γλ = 0.72); the episode ends at t = 1, the rollout stops
     * mid-episode at t = 2 and bootstraps from V_3 = 2.
     *   t=2: δ = 3 + 0.9·2.0 − 1.5 = 3.3                    A = 3.3
     *   t=1: δ = 2 + 0 − 1.0 = 1.0 (done: no bootstrap)     A = 1.0 (done: no recursion)
     *   t=0: δ = 1 + 0.9·1.0 − 0.5 = 1.4                    A = 1.4 + 0.72·1.0 = 2.12
     * returns R = A + V = 2.62, 2.0, 4.8. */
    const float rewards[3] = {1, 2, 3}, values[4] = {0.5f, 1.0f, 1.5f, 2.0f}, dones[3] = {0, 1, 0};
    float adv[3], ret[3];
    athlete_gae_compute(rewards, values, dones, 3, 0.9, 0.8, adv, ret);
    const double want_adv[3] = {2.12, 1.0, 3.3}, want_ret[3] = {2.62, 2.0, 4.8};
    for (int t = 0; t < 3; t++) {
        ck_assert_float_eq_tol(adv[t], want_adv[t], 1e-6f);
        ck_assert_float_eq_tol(ret[t], want_ret[t], 1e-6f);
    }
    /* The last step done: the bootstrap value is ignored. */
    const float last_done[3] = {0, 0, 1}, big[4] = {0.5f, 1.0f, 1.5f, 1e6f};
    athlete_gae_compute(rewards, big, last_done, 3, 0.9, 0.8, adv, NULL);
    ck_assert_float_eq_tol(adv[2], 3 - 1.5, 1e-6f);
}
END_TEST

START_TEST(gae_limits_lambda_zero_and_one)
{
    const float r[4] = {1, -1, 2, 0.5f}, v[5] = {0.1f, 0.2f, -0.3f, 0.4f, 0.7f}, d[4] = {0, 0, 0, 0};
    float adv[4], ret[4];
    /* λ = 0: one-step TD errors. */
    athlete_gae_compute(r, v, d, 4, 0.9, 0.0, adv, ret);
    for (int t = 0; t < 4; t++)
        ck_assert_float_eq_tol(adv[t], r[t] + 0.9 * v[t + 1] - v[t], 1e-6f);
    /* λ = 1: returns are the discounted rewards plus the discounted bootstrap. */
    athlete_gae_compute(r, v, d, 4, 0.9, 1.0, adv, ret);
    for (int t = 0; t < 4; t++) {
        double g = 0.0, discount = 1.0;
        for (int k = t; k < 4; k++, discount *= 0.9)
            g += discount * r[k];
        g += discount * v[4];
        ck_assert_float_eq_tol(ret[t], g, 1e-5f);
    }
}
END_TEST

typedef struct feeder {
    athlete_collector c;
    athlete_info info;
    float log_prob;
} feeder;

static void feed_reset(feeder *f, float o0, float o1)
{
    float obs[2] = {o0, o1};
    bool new_data = true;
    athlete_error err;
    ck_assert_ok(f->c.ops->reset(f->c.self, obs, &new_data, &err), &err);
    ck_assert(!new_data);
}

static bool feed(feeder *f, float action, float o0, float o1, double reward, bool terminated, bool truncated)
{
    float obs[2] = {o0, o1};
    f->log_prob = -action; /* any recognisable value */
    athlete_info_clear(&f->info);
    athlete_info_set_reals(&f->info, "log_prob", &f->log_prob, 1);
    athlete_step_data step = {&action, &f->info, obs, reward, terminated, truncated};
    bool new_data = false;
    athlete_error err;
    ck_assert_ok(f->c.ops->collect(f->c.self, &step, &new_data, &err), &err);
    return new_data;
}

START_TEST(collector_fills_across_episodes)
{
    feeder f;
    athlete_error err;
    ck_assert_ok(athlete_rollout_collector_create(2, 1, 3, "log_prob", &f.c, &err), &err);
    ck_assert_ptr_null(athlete_rollout_collector_latest(&f.c));
    feed_reset(&f, 0, 0);
    ck_assert(!feed(&f, 1, 1, 10, 0.5, false, false));
    ck_assert(!feed(&f, 2, 2, 20, 1.5, false, true)); /* truncated: done, as the original */
    ck_assert_uint_eq(athlete_rollout_collector_count(&f.c), 2);
    feed_reset(&f, 5, 50); /* the new episode's first observation */
    ck_assert(feed(&f, 3, 6, 60, -1.0, false, false));
    ck_assert_uint_eq(athlete_rollout_collector_count(&f.c), 0);
    const athlete_rollout *r = athlete_rollout_collector_latest(&f.c);
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_eq(r->length, 3);
    const float obs[8] = {0, 0, 1, 10, 5, 50, 6, 60}; /* the last row bootstraps */
    const float actions[3] = {1, 2, 3}, log_probs[3] = {-1, -2, -3}, rewards[3] = {0.5f, 1.5f, -1.0f},
                dones[3] = {0, 1, 0};
    ck_assert_mem_eq(r->observations, obs, sizeof obs);
    ck_assert_mem_eq(r->actions, actions, sizeof actions);
    ck_assert_mem_eq(r->log_probs, log_probs, sizeof log_probs);
    ck_assert_mem_eq(r->rewards, rewards, sizeof rewards);
    ck_assert_mem_eq(r->dones, dones, sizeof dones);
    /* The next rollout starts from the observation the last action led to. */
    ck_assert(!feed(&f, 4, 7, 70, 0, true, false));
    ck_assert_float_eq(r->observations[0], 6);
    ck_assert_float_eq(r->observations[1], 60);
    f.c.ops->destroy(f.c.self);
}
END_TEST

START_TEST(collector_needs_the_log_prob)
{
    feeder f;
    athlete_error err;
    ck_assert_ok(athlete_rollout_collector_create(2, 1, 4, "log_prob", &f.c, &err), &err);
    feed_reset(&f, 0, 0);
    ck_assert(!feed(&f, 1, 1, 1, 0, false, false));
    float action = 1, obs[2] = {2, 2};
    athlete_info empty;
    athlete_info_clear(&empty);
    athlete_step_data step = {&action, &empty, obs, 0.0, false, false};
    bool new_data = false;
    ck_assert_fails(f.c.ops->collect(f.c.self, &step, &new_data, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "the training policy did not report 'log_prob' as one float");
    ck_assert_uint_eq(athlete_rollout_collector_count(&f.c), 1); /* nothing changed */
    f.c.ops->destroy(f.c.self);
    /* Without a key no log-probabilities are needed (A2C). */
    ck_assert_ok(athlete_rollout_collector_create(2, 1, 1, NULL, &f.c, &err), &err);
    ck_assert_ok(f.c.ops->reset(f.c.self, obs, &new_data, &err), &err);
    ck_assert_ok(f.c.ops->collect(f.c.self, &step, &new_data, &err), &err);
    ck_assert(new_data);
    ck_assert_float_eq(athlete_rollout_collector_latest(&f.c)->log_probs[0], 0.0f);
    f.c.ops->destroy(f.c.self);
    ck_assert_fails(athlete_rollout_collector_create(2, 1, 0, NULL, &f.c, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "rollout collector: sizes must be positive");
}
END_TEST

/* Saves a collector into a record stream and loads it into a fresh one. */
static athlete_status round_trip(feeder *from, feeder *to, size_t steps, athlete_error *err)
{
    athlete_writer *w = NULL;
    athlete_reader *r = NULL;
    ck_assert_ok(athlete_writer_create(&w, err), err);
    ck_assert_ok(from->c.ops->save(from->c.self, w, err), err);
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, err), err);
    ck_assert_ok(athlete_rollout_collector_create(2, 1, steps, "log_prob", &to->c, err), err);
    athlete_status st = to->c.ops->load(to->c.self, r, err);
    if (st == ATHLETE_OK)
        ck_assert_uint_eq(athlete_reader_unread_count(r, NULL), 0);
    athlete_reader_destroy(r);
    athlete_writer_destroy(w);
    return st;
}

START_TEST(collector_resumes_mid_rollout)
{
    feeder a, b;
    athlete_error err;
    ck_assert_ok(athlete_rollout_collector_create(2, 1, 5, "log_prob", &a.c, &err), &err);
    feed_reset(&a, 0, 0);
    for (int t = 1; t <= 7; t++) /* one rollout published, two transitions into the next */
        feed(&a, (float)t, (float)t, (float)(10 * t), t * 0.5, false, t == 4);
    ck_assert_uint_eq(athlete_rollout_collector_count(&a.c), 2);
    ck_assert_ok(round_trip(&a, &b, 5, &err), &err);
    ck_assert_uint_eq(athlete_rollout_collector_count(&b.c), 2);
    ck_assert_ptr_null(athlete_rollout_collector_latest(&b.c));
    for (int t = 8; t <= 10; t++) {
        bool na = feed(&a, (float)t, (float)t, (float)(10 * t), t * 0.5, false, false);
        bool nb = feed(&b, (float)t, (float)t, (float)(10 * t), t * 0.5, false, false);
        ck_assert(na == nb);
        ck_assert(na == (t == 10));
    }
    const athlete_rollout *ra = athlete_rollout_collector_latest(&a.c), *rb = athlete_rollout_collector_latest(&b.c);
    ck_assert_mem_eq(ra->observations, rb->observations, 6 * 2 * sizeof(float));
    ck_assert_mem_eq(ra->actions, rb->actions, 5 * sizeof(float));
    ck_assert_mem_eq(ra->log_probs, rb->log_probs, 5 * sizeof(float));
    ck_assert_mem_eq(ra->rewards, rb->rewards, 5 * sizeof(float));
    ck_assert_mem_eq(ra->dones, rb->dones, 5 * sizeof(float));
    b.c.ops->destroy(b.c.self);
    /* An empty partial rollout (right after a publication) saves the pending observation. */
    ck_assert_uint_eq(athlete_rollout_collector_count(&a.c), 0);
    feeder c;
    ck_assert_ok(round_trip(&a, &c, 5, &err), &err);
    c.c.ops->destroy(c.c.self);
    /* A rollout longer than the new agent's is refused. */
    for (int t = 11; t <= 14; t++)
        feed(&a, (float)t, (float)t, (float)t, 0, false, false);
    ck_assert_uint_eq(athlete_rollout_collector_count(&a.c), 4);
    ck_assert_fails(round_trip(&a, &c, 3, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                    "rollout collector: the saved rollout holds 4 transitions; this agent's rollouts are 3 long");
    c.c.ops->destroy(c.c.self);
    a.c.ops->destroy(a.c.self);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("rollout");
    TCase *tc = tcase_create("rollout");
    tcase_add_test(tc, gae_hand_computed_with_done_and_bootstrap);
    tcase_add_test(tc, gae_limits_lambda_zero_and_one);
    tcase_add_test(tc, collector_fills_across_episodes);
    tcase_add_test(tc, collector_needs_the_log_prob);
    tcase_add_test(tc, collector_resumes_mid_rollout);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

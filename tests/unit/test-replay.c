/* Replay buffer: FIFO ring, consistent rows, the with/without-replacement switch, errors. */
#include <athlete/replay.h>
#include <athlete/rng.h>

#include "test-util.h"

/* Transition k: obs (k, -k), action (10k, 10k+1), reward 100k, next obs (k+1, -(k+1)),
 * terminated when k % 3 == 2. */
static void add_transition(athlete_replay *rb, int k)
{
    float obs[2] = {(float)k, (float)-k}, next[2] = {(float)(k + 1), (float)-(k + 1)};
    float act[2] = {10.0f * k, 10.0f * k + 1};
    athlete_replay_add(rb, obs, act, 100.0f * k, next, k % 3 == 2);
}

/* Every field of row r comes from one transition, the one stored in slot indices[r]. */
static void check_rows(athlete_replay *rb, const athlete_replay_batch *b)
{
    const float *slot_obs = athlete_replay_observations(rb);
    for (size_t r = 0; r < b->size; r++) {
        size_t i = b->indices[r];
        ck_assert_uint_lt(i, athlete_replay_size(rb));
        float k = b->observations[2 * r];
        ck_assert_float_eq(slot_obs[2 * i], k);
        ck_assert_float_eq(b->observations[2 * r + 1], -k);
        ck_assert_float_eq(b->actions[2 * r], 10 * k);
        ck_assert_float_eq(b->actions[2 * r + 1], 10 * k + 1);
        ck_assert_float_eq(b->rewards[r], 100 * k);
        ck_assert_float_eq(b->next_observations[2 * r], k + 1);
        ck_assert_float_eq(b->next_observations[2 * r + 1], -(k + 1));
        ck_assert_float_eq(b->terminateds[r], (int)k % 3 == 2 ? 1.0f : 0.0f);
    }
}

START_TEST(fifo_overwrite)
{
    athlete_replay *rb;
    athlete_error err;
    ck_assert_ok(athlete_replay_create(3, 2, 2, 8, &rb, &err), &err);
    ck_assert_uint_eq(athlete_replay_size(rb), 0);
    ck_assert_uint_eq(athlete_replay_capacity(rb), 3);
    ck_assert_uint_eq(athlete_replay_obs_size(rb), 2);
    ck_assert_uint_eq(athlete_replay_action_size(rb), 2);
    ck_assert_uint_eq(athlete_replay_max_batch(rb), 8);
    for (int k = 0; k < 5; k++) {
        add_transition(rb, k);
        ck_assert_uint_eq(athlete_replay_size(rb), k < 3 ? (size_t)k + 1 : 3);
        ck_assert_uint_eq(athlete_replay_next_index(rb), (size_t)(k + 1) % 3);
    }
    /* slots: 0 <- 3, 1 <- 4, 2 <- 2 (the oldest surviving) */
    const float want_obs[3] = {3, 4, 2};
    for (int i = 0; i < 3; i++) {
        ck_assert_float_eq(athlete_replay_observations(rb)[2 * i], want_obs[i]);
        ck_assert_float_eq(athlete_replay_next_observations(rb)[2 * i], want_obs[i] + 1);
        ck_assert_float_eq(athlete_replay_actions(rb)[2 * i], 10 * want_obs[i]);
        ck_assert_float_eq(athlete_replay_rewards(rb)[i], 100 * want_obs[i]);
        ck_assert_float_eq(athlete_replay_terminateds(rb)[i], i == 2 ? 1.0f : 0.0f);
    }
    athlete_replay_clear(rb);
    ck_assert_uint_eq(athlete_replay_size(rb), 0);
    ck_assert_uint_eq(athlete_replay_next_index(rb), 0);
    athlete_replay_destroy(rb);
}
END_TEST

START_TEST(without_replacement_when_enough)
{
    athlete_replay *rb;
    athlete_error err;
    athlete_rng rng;
    athlete_rng_seed(&rng, 21, 0);
    ck_assert_ok(athlete_replay_create(100, 2, 2, 32, &rb, &err), &err);
    for (int k = 0; k < 140; k++) /* wrapped: 40..139 stored */
        add_transition(rb, k);
    int seen[100] = {0};
    for (int round = 0; round < 200; round++) {
        athlete_replay_batch b;
        ck_assert_ok(athlete_replay_sample(rb, &rng, 32, &b, &err), &err);
        ck_assert_uint_eq(b.size, 32);
        check_rows(rb, &b);
        int hit[100] = {0};
        for (size_t r = 0; r < b.size; r++) {
            ck_assert_msg(hit[b.indices[r]]++ == 0, "slot %zu drawn twice", b.indices[r]);
            seen[b.indices[r]]++;
            ck_assert_float_ge(b.observations[2 * r], 40.0f);
        }
    }
    for (int i = 0; i < 100; i++) /* uniform: 200 * 32 / 100 = 64 expected per slot */
        ck_assert_int_gt(seen[i], 30);
    /* size == batch: a permutation of every slot */
    athlete_replay *small;
    ck_assert_ok(athlete_replay_create(10, 2, 2, 10, &small, &err), &err);
    for (int k = 0; k < 10; k++)
        add_transition(small, k);
    athlete_replay_batch b;
    ck_assert_ok(athlete_replay_sample(small, &rng, 10, &b, &err), &err);
    int hit[10] = {0};
    for (size_t r = 0; r < 10; r++)
        hit[b.indices[r]]++;
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(hit[i], 1);
    check_rows(small, &b);
    athlete_replay_destroy(small);
    athlete_replay_destroy(rb);
}
END_TEST

START_TEST(with_replacement_when_short)
{
    athlete_replay *rb;
    athlete_error err;
    athlete_rng rng;
    athlete_rng_seed(&rng, 22, 0);
    ck_assert_ok(athlete_replay_create(100, 2, 2, 16, &rb, &err), &err);
    for (int k = 0; k < 5; k++)
        add_transition(rb, k);
    int seen[5] = {0};
    for (int round = 0; round < 100; round++) {
        athlete_replay_batch b;
        ck_assert_ok(athlete_replay_sample(rb, &rng, 16, &b, &err), &err);
        check_rows(rb, &b);
        int hit[5] = {0}, repeats = 0;
        for (size_t r = 0; r < 16; r++) {
            ck_assert_uint_lt(b.indices[r], 5); /* only stored slots */
            repeats += hit[b.indices[r]]++ > 0;
            seen[b.indices[r]]++;
        }
        ck_assert_int_ge(repeats, 11); /* 16 draws from 5 slots */
    }
    for (int i = 0; i < 5; i++) /* 1600 / 5 = 320 each */
        ck_assert_int_gt(seen[i], 250);
    /* one transition: every row is it */
    athlete_replay *one;
    ck_assert_ok(athlete_replay_create(4, 2, 2, 3, &one, &err), &err);
    add_transition(one, 7);
    athlete_replay_batch b;
    ck_assert_ok(athlete_replay_sample(one, &rng, 3, &b, &err), &err);
    for (size_t r = 0; r < 3; r++)
        ck_assert_uint_eq(b.indices[r], 0);
    check_rows(one, &b);
    athlete_replay_destroy(one);
    athlete_replay_destroy(rb);
}
END_TEST

START_TEST(same_seed_same_batches)
{
    athlete_replay *rb;
    athlete_error err;
    ck_assert_ok(athlete_replay_create(50, 2, 2, 8, &rb, &err), &err);
    for (int k = 0; k < 30; k++)
        add_transition(rb, k);
    athlete_rng a, b;
    athlete_rng_seed(&a, 99, 2);
    athlete_rng_seed(&b, 99, 2);
    size_t first[8];
    athlete_replay_batch x;
    ck_assert_ok(athlete_replay_sample(rb, &a, 8, &x, &err), &err);
    memcpy(first, x.indices, sizeof first);
    ck_assert_ok(athlete_replay_sample(rb, &b, 8, &x, &err), &err);
    ck_assert_mem_eq(first, x.indices, sizeof first);
    athlete_replay_destroy(rb);
}
END_TEST

START_TEST(errors_and_state)
{
    athlete_replay *rb = NULL;
    athlete_error err;
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 0);
    ck_assert_fails(athlete_replay_create(0, 2, 1, 4, &rb, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "capacity 0");
    ck_assert_ptr_null(rb);
    ck_assert_ok(athlete_replay_create(10, 2, 2, 4, &rb, &err), &err);
    athlete_replay_batch b;
    ck_assert_fails(athlete_replay_sample(rb, &rng, 4, &b, &err), &err, ATHLETE_E_CALL_ORDER,
                    "replay sample: the buffer is empty");
    add_transition(rb, 0);
    ck_assert_fails(athlete_replay_sample(rb, &rng, 5, &b, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "batch_size is 5 (expected 1 to max_batch 4)");
    ck_assert_fails(athlete_replay_sample(rb, &rng, 0, &b, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "batch_size is 0");
    /* restoring a checkpoint's counters */
    ck_assert_fails(athlete_replay_set_state(rb, 4, 2, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "next index must be 4, not 2");
    ck_assert_fails(athlete_replay_set_state(rb, 11, 0, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "do not fit capacity 10");
    ck_assert_ok(athlete_replay_set_state(rb, 10, 7, &err), &err);
    ck_assert_uint_eq(athlete_replay_size(rb), 10);
    ck_assert_uint_eq(athlete_replay_next_index(rb), 7);
    add_transition(rb, 5);
    ck_assert_float_eq(athlete_replay_observations(rb)[14], 5.0f);
    ck_assert_uint_eq(athlete_replay_next_index(rb), 8);
    athlete_replay_destroy(rb);
    athlete_replay_destroy(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("replay");
    TCase *tc = tcase_create("replay");
    tcase_add_test(tc, fifo_overwrite);
    tcase_add_test(tc, without_replacement_when_enough);
    tcase_add_test(tc, with_replacement_when_short);
    tcase_add_test(tc, same_seed_same_batches);
    tcase_add_test(tc, errors_and_state);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

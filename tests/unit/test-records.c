/* Record streams: round trip, scopes, CRC, truncation, type and size mismatches. */
#include <athlete/checkpoint.h>

#include "test-util.h"

static athlete_writer *sample_stream(void)
{
    athlete_writer *w;
    athlete_error err;
    ck_assert_ok(athlete_writer_create(&w, &err), &err);
    float weights[3] = {1.5f, -2, 3};
    uint64_t steps = 42;
    athlete_writer_set_scope(w, "updatable.q");
    ck_assert_ok(athlete_writer_put(w, "weights", ATHLETE_RECORD_F32, weights, 3, &err), &err);
    athlete_writer_set_scope(w, NULL);
    ck_assert_ok(athlete_writer_put(w, "steps", ATHLETE_RECORD_U64, &steps, 1, &err), &err);
    return w;
}

START_TEST(round_trip)
{
    athlete_error err;
    athlete_writer *w = sample_stream();
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    athlete_reader *r;
    ck_assert_ok(athlete_reader_create(data, size, "test", &r, &err), &err);
    ck_assert_uint_eq(athlete_reader_record_count(r), 2);
    float weights[3];
    athlete_reader_set_scope(r, "updatable.q");
    ck_assert_ok(athlete_reader_get(r, "weights", ATHLETE_RECORD_F32, weights, 3, &err), &err);
    ck_assert(weights[0] == 1.5f && weights[1] == -2 && weights[2] == 3);
    athlete_reader_set_scope(r, NULL);
    const char *unread;
    ck_assert_uint_eq(athlete_reader_unread_count(r, &unread), 1);
    ck_assert_str_eq(unread, "steps");
    uint64_t steps;
    ck_assert_fails(athlete_reader_get(r, "steps", ATHLETE_RECORD_F64, &steps, 1, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "test: record 'steps' holds u64, expected f64");
    ck_assert_fails(athlete_reader_get(r, "steps", ATHLETE_RECORD_U64, &steps, 2, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "test: record 'steps' holds 1 u64 values, expected 2");
    ck_assert_fails(athlete_reader_get(r, "missing", ATHLETE_RECORD_U64, &steps, 1, &err), &err,
                    ATHLETE_E_CHECKPOINT_CORRUPT, "test: record 'missing' is missing");
    athlete_reader_destroy(r);
    ck_assert_fails(athlete_writer_put(w, "Bad Name", ATHLETE_RECORD_U64, &steps, 1, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "invalid record name 'Bad Name'");
    athlete_writer_destroy(w);
}
END_TEST

START_TEST(every_truncation_and_bit_flip_is_caught)
{
    athlete_error err;
    athlete_writer *w = sample_stream();
    size_t size;
    const unsigned char *data = athlete_writer_data(w, &size);
    unsigned char copy[256];
    ck_assert_uint_le(size, sizeof copy);
    /* Cutting inside a record is always caught (cutting between records is the file
     * format's job: its end record counts them). */
    size_t first_record = 2 + strlen("updatable.q.weights") + 1 + 8 + 12 + 4;
    for (size_t cut = 1; cut < size; cut++) {
        if (cut == first_record)
            continue;
        athlete_reader *r = NULL;
        athlete_status st = athlete_reader_create(data, cut, "test", &r, &err);
        ck_assert_msg(st == ATHLETE_E_CHECKPOINT_CORRUPT, "cut at %zu: %s", cut, athlete_status_name(st));
        ck_assert_ptr_null(r);
    }
    for (size_t bit = 0; bit < size * 8; bit++) {
        memcpy(copy, data, size);
        copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        athlete_reader *r = NULL;
        athlete_status st = athlete_reader_create(copy, size, "test", &r, &err);
        ck_assert_msg(st == ATHLETE_E_CHECKPOINT_CORRUPT, "bit %zu: %s", bit, athlete_status_name(st));
        ck_assert_ptr_null(r);
    }
    athlete_writer_destroy(w);
}
END_TEST

START_TEST(crc32_matches_zlib)
{
    ck_assert_uint_eq(athlete_crc32(0, "123456789", 9), 0xcbf43926u);
    ck_assert_uint_eq(athlete_crc32(athlete_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("records");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, every_truncation_and_bit_flip_is_caught);
    tcase_add_test(tc, crc32_matches_zlib);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Named, typed records: how components write and read their state.
 *
 * The core owns the checkpoint file (header, CRC32 per record, atomic writes); components
 * only see a writer and a reader. A component writes each piece of state as one record
 * and reads it back by name with the same type and element count; anything else is an
 * error naming the record. Names are scoped by the core ("updatable.q_update.adam.m"),
 * so components choose short local names. */
#ifndef ATHLETE_CHECKPOINT_H
#define ATHLETE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/rng.h>
#include <athlete/space.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_record_type {
    ATHLETE_RECORD_BYTES = 1,
    ATHLETE_RECORD_F32 = 2,
    ATHLETE_RECORD_F64 = 3,
    ATHLETE_RECORD_U64 = 4,
    ATHLETE_RECORD_I64 = 5
} athlete_record_type;

typedef struct athlete_writer athlete_writer;
typedef struct athlete_reader athlete_reader;

/* Size in bytes of one element of the type (0 for an unknown type). */
ATHLETE_API size_t athlete_record_type_size(athlete_record_type type);
ATHLETE_API const char *athlete_record_type_name(athlete_record_type type);

/* Appends one record of `count` elements. Names are 1..63 characters of [a-z0-9_.-] and
 * unique within their scope. */
ATHLETE_API athlete_status athlete_writer_put(athlete_writer *writer, const char *name,
                                              athlete_record_type type, const void *data,
                                              size_t count, athlete_error *err);
/* Reads the record `name`, which must have this type and exactly `count` elements
 * (E_CHECKPOINT_MISMATCH otherwise; E_CHECKPOINT_CORRUPT when missing). */
ATHLETE_API athlete_status athlete_reader_get(athlete_reader *reader, const char *name,
                                              athlete_record_type type, void *data, size_t count,
                                              athlete_error *err);
/* Element count of a record (for variable-sized state), or an error when it is missing or
 * of another type. */
ATHLETE_API athlete_status athlete_reader_count(athlete_reader *reader, const char *name,
                                                athlete_record_type type, size_t *count,
                                                athlete_error *err);

/* ---- For the runtime (and tools): record streams in memory ----
 * A record stream is a sequence of records, each:
 *   u16 name length, name bytes, u8 type, u64 element count, payload, u32 CRC32
 * (little-endian; the CRC covers everything of the record before it). The core wraps a
 * stream in the checkpoint file's header. */
ATHLETE_API athlete_status athlete_writer_create(athlete_writer **out, athlete_error *err);
ATHLETE_API void athlete_writer_destroy(athlete_writer *writer);
/* Prefix for the names of the following records ("updatable.q_update"); NULL clears it. */
ATHLETE_API void athlete_writer_set_scope(athlete_writer *writer, const char *scope);
/* The bytes written so far (borrowed). */
ATHLETE_API const unsigned char *athlete_writer_data(const athlete_writer *writer, size_t *size);
ATHLETE_API size_t athlete_writer_record_count(const athlete_writer *writer);

/* Parses and checks every record of a stream (CRC, types, sizes, unique names) before
 * anything is read; the bytes are copied. `what` names the source in messages. */
ATHLETE_API athlete_status athlete_reader_create(const void *data, size_t size, const char *what,
                                                 athlete_reader **out, athlete_error *err);
ATHLETE_API void athlete_reader_destroy(athlete_reader *reader);
ATHLETE_API void athlete_reader_set_scope(athlete_reader *reader, const char *scope);
ATHLETE_API size_t athlete_reader_record_count(const athlete_reader *reader);
/* Marks every record whose name starts with `prefix` as read: state a loader skips on
 * purpose (the environment part when it is not wanted). */
ATHLETE_API void athlete_reader_skip(athlete_reader *reader, const char *prefix);
/* The number of records never read (a loaded component ignoring its state is a bug). */
ATHLETE_API size_t athlete_reader_unread_count(const athlete_reader *reader, const char **first_unread);

/* The most records a stream may hold (a reader refuses more, naming the limit). */
#define ATHLETE_CHECKPOINT_MAX_RECORDS 1000000

/* ---- Stored values checked against the loading agent ----
 * A checkpoint may come from a stranger: a stored action or observation is used as an
 * index, a counter decides how often an update runs, an RNG state decides whether a draw
 * ends. Components read such values through these getters, which refuse (with
 * E_CHECKPOINT_CORRUPT, naming the record and the row) anything the agent itself could
 * never have produced. The core tells the reader which agent is loading. */
struct athlete_clock;
ATHLETE_API void athlete_reader_set_agent(athlete_reader *reader, const athlete_space *observation_space,
                                          const athlete_space *action_space,
                                          const struct athlete_clock *clock);
/* The loading agent's clock as restored from the checkpoint (NULL when not set): a
 * component's own counters must not run ahead of it. */
ATHLETE_API const struct athlete_clock *athlete_reader_clock(const athlete_reader *reader);
/* `rows` observations, each within the observation space. */
ATHLETE_API athlete_status athlete_reader_get_observations(athlete_reader *reader, const char *name,
                                                           float *data, size_t rows, athlete_error *err);
/* `rows` actions: a Discrete one must be a valid value, a Box one finite (PPO's Gaussian
 * actions are unbounded). */
ATHLETE_API athlete_status athlete_reader_get_actions(athlete_reader *reader, const char *name, float *data,
                                                      size_t rows, athlete_error *err);
/* f32 values that must all be finite (rewards, log-probabilities). */
ATHLETE_API athlete_status athlete_reader_get_finite(athlete_reader *reader, const char *name, float *data,
                                                     size_t count, athlete_error *err);
/* f32 values that must each be 0 or 1 (terminated flags). */
ATHLETE_API athlete_status athlete_reader_get_flags(athlete_reader *reader, const char *name, float *data,
                                                    size_t count, athlete_error *err);
/* An RNG stream saved as bytes; an all-zero state (on which xoshiro stays at zero for
 * ever, so rejection loops never end) or a bad spare normal is refused. */
ATHLETE_API athlete_status athlete_reader_get_rng(athlete_reader *reader, const char *name, athlete_rng *rng,
                                                  athlete_error *err);

/* CRC-32 (IEEE 802.3, as zlib's crc32), continuing from `crc` (start with 0). */
ATHLETE_API uint32_t athlete_crc32(uint32_t crc, const void *data, size_t size);

ATHLETE_END_DECLS

#endif

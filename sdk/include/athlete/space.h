/* Observation and action spaces: Gymnasium's Box and Discrete.
 *
 * Values of a space travel as flat float arrays: a Box value is prod(shape) floats in
 * row-major order; a Discrete value is one float holding the integer (exact up to 2^24).
 * Agents and the built-in environments use the same convention, so an environment's
 * action buffer can be handed to an agent and back without conversion. */
#ifndef ATHLETE_SPACE_H
#define ATHLETE_SPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_space_kind {
    ATHLETE_SPACE_BOX = 1,
    ATHLETE_SPACE_DISCRETE = 2
} athlete_space_kind;

#define ATHLETE_SPACE_MAX_DIMS 4
/* The most elements a Box may have (its flat size), so sizes derived from it never overflow. */
#define ATHLETE_SPACE_MAX_ELEMENTS (1 << 24)

/* A transparent value type. The bounds are borrowed: whoever fills the struct keeps
 * low/high alive; functions taking a space copy what they keep. */
typedef struct athlete_space {
    athlete_space_kind kind;
    int64_t n;                            /* Discrete: number of values */
    int64_t start;                        /* Discrete: smallest value (Gymnasium's start) */
    size_t ndim;                          /* Box: 1..ATHLETE_SPACE_MAX_DIMS */
    size_t shape[ATHLETE_SPACE_MAX_DIMS]; /* Box */
    const float *low;                     /* Box: prod(shape) lower bounds, may be -INFINITY */
    const float *high;                    /* Box: prod(shape) upper bounds, may be +INFINITY */
} athlete_space;

/* Discrete(n) starting at 0. */
ATHLETE_API athlete_space athlete_space_discrete(int64_t n);
/* A Box of the given shape; low and high are borrowed (see above). */
ATHLETE_API athlete_space athlete_space_box(size_t ndim, const size_t *shape, const float *low,
                                            const float *high);

/* Number of floats a value of the space occupies (1 for Discrete). */
ATHLETE_API size_t athlete_space_flat_size(const athlete_space *space);
/* Checks the space itself: known kind, n > 0, 1..4 dims of size > 0, no NaN bound,
 * low <= high. `what` names the space in the message ("action space"). */
ATHLETE_API athlete_status athlete_space_validate(const athlete_space *space, const char *what,
                                                  athlete_error *err);
/* True when every Box bound is finite (Discrete: always true). */
ATHLETE_API bool athlete_space_is_bounded(const athlete_space *space);
/* Checks a value: finite (E_NON_FINITE), inside the bounds or an integer in range
 * (E_SPACE_MISMATCH). The message names `what` and the element: "observation[3] is NaN". */
ATHLETE_API athlete_status athlete_space_check_value(const athlete_space *space, const float *value,
                                                     const char *what, athlete_error *err);
/* Same kind, shape, n/start and bit-identical bounds. */
ATHLETE_API bool athlete_space_equal(const athlete_space *a, const athlete_space *b);
/* "Discrete(2)" or "Box(shape=(3,), low=[-1, -1, -8], high=[1, 1, 8])" (long bounds are
 * elided); always NUL-terminated; returns buf. */
ATHLETE_API char *athlete_space_describe(const athlete_space *space, char *buf, size_t size);
/* Short kind name: "Box" or "Discrete". */
ATHLETE_API const char *athlete_space_kind_name(athlete_space_kind kind);

/* Copies a value of the space into `out` (flat size elements), clipping each Box element
 * to its bounds; Discrete values are copied unchanged. `value` and `out` may alias. An
 * unbounded policy (PPO's Gaussian) needs this before its action reaches an environment. */
ATHLETE_API void athlete_space_clip(const athlete_space *space, const float *value, float *out);

/* A deep copy in one allocation (struct and bounds); free with athlete_space_free. */
ATHLETE_API athlete_status athlete_space_clone(const athlete_space *space, athlete_space **out,
                                               athlete_error *err);
ATHLETE_API void athlete_space_free(athlete_space *space);

/* JSON form used in checkpoints and by the CLI:
 * {"type":"Box","shape":[3],"low":[...],"high":[...]} or {"type":"Discrete","n":2,"start":0}.
 * Infinite bounds are written as the strings "inf"/"-inf". The text is freed with athlete_free. */
ATHLETE_API athlete_status athlete_space_to_json(const athlete_space *space, char **json,
                                                 athlete_error *err);
ATHLETE_API athlete_status athlete_space_from_json(const char *json, athlete_space **out,
                                                   athlete_error *err);

ATHLETE_END_DECLS

#endif

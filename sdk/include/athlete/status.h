/* Status codes and the caller-owned error record every fallible call fills. */
#ifndef ATHLETE_STATUS_H
#define ATHLETE_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

/* One list, expanded into the enum, the names and the default messages. */
#define ATHLETE_STATUS_LIST(X)                                                        \
    X(OK, 0, "success")                                                               \
    X(E_INVALID_ARGUMENT, 1, "invalid argument")                                      \
    X(E_NO_MEMORY, 2, "out of memory")                                                \
    X(E_UNKNOWN_ALGORITHM, 3, "unknown algorithm")                                    \
    X(E_CONFIG_UNKNOWN_KEY, 4, "unknown configuration key")                           \
    X(E_CONFIG_TYPE, 5, "configuration value has the wrong type")                     \
    X(E_CONFIG_VALUE, 6, "configuration value out of range")                          \
    X(E_SPACE_MISMATCH, 7, "space not supported or value outside its space")          \
    X(E_NON_FINITE, 8, "value is NaN or infinite")                                    \
    X(E_CALL_ORDER, 9, "call out of order")                                           \
    X(E_IO, 10, "input/output error")                                                 \
    X(E_CHECKPOINT_CORRUPT, 11, "checkpoint is corrupt")                              \
    X(E_CHECKPOINT_MISMATCH, 12, "checkpoint does not match")                         \
    X(E_PLUGIN_LOAD, 13, "plugin cannot be loaded")                                   \
    X(E_PLUGIN_ABI, 14, "plugin built for another ABI")                               \
    X(E_PLUGIN_INVALID, 15, "plugin descriptor is invalid")                           \
    X(E_DUPLICATE_ID, 16, "algorithm id already registered")                          \
    X(E_UNSUPPORTED, 17, "operation not supported")                                   \
    X(E_UNKNOWN_METHOD, 18, "unknown method")                                         \
    X(E_ENV, 19, "environment error")

typedef enum athlete_status {
#define ATHLETE_STATUS_ENUM_(name, code, msg) ATHLETE_##name = code,
    ATHLETE_STATUS_LIST(ATHLETE_STATUS_ENUM_)
#undef ATHLETE_STATUS_ENUM_
} athlete_status;

#define ATHLETE_ERROR_MESSAGE_SIZE 256

/* Caller-owned; nothing is allocated on the error path. */
typedef struct athlete_error {
    athlete_status status;
    char message[ATHLETE_ERROR_MESSAGE_SIZE];
} athlete_error;

/* "ATHLETE_E_CONFIG_TYPE" without the prefix: "E_CONFIG_TYPE"; "?" for unknown codes. */
ATHLETE_API const char *athlete_status_name(athlete_status status);
/* The default one-line description of a status. */
ATHLETE_API const char *athlete_status_str(athlete_status status);

/* Fill err (if not NULL) and return status, so callers can write
 * `return athlete_error_set(err, ATHLETE_E_..., "step: observation[%zu] is NaN", i);` */
ATHLETE_API athlete_status athlete_error_set(athlete_error *err, athlete_status status,
                                             const char *fmt, ...) ATHLETE_PRINTF(3, 4);
ATHLETE_API athlete_status athlete_error_setv(athlete_error *err, athlete_status status,
                                              const char *fmt, va_list ap);
/* Prepend context to an existing message: "plugin 'sac': " + message. */
ATHLETE_API void athlete_error_prefix(athlete_error *err, const char *fmt, ...) ATHLETE_PRINTF(2, 3);
/* Reset to ATHLETE_OK with an empty message. */
ATHLETE_API void athlete_error_clear(athlete_error *err);

ATHLETE_END_DECLS

#endif

/* An algorithm's configuration: its defaults (JSON text) merged with a user's overrides.
 *
 * The defaults are the schema: an override must name a key that exists in the defaults
 * (dotted keys such as "optimizer_arguments.lr" reach nested objects, and a nested object
 * given as an override is merged key by key) and must have the default's JSON type; keys
 * whose default is an integer accept only integral numbers. An algorithm may widen the
 * accepted types of single keys (a null default such as "target_net_tau" accepts a
 * number; SAC's "temperature" accepts "auto" or a number) with a small JSON object
 * {"key": ["null", "number"], ...}. */
#ifndef ATHLETE_CONFIG_H
#define ATHLETE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_config athlete_config;

/* Parses `defaults_json` (a JSON object) and applies `overrides_json` (NULL, "" or a JSON
 * object). `types_json` (may be NULL) widens key types as described above. `owner` names
 * the algorithm in messages ("dqn config: unknown key 'lr'; did you mean
 * 'optimizer_arguments.lr'?"). Errors: E_CONFIG_UNKNOWN_KEY, E_CONFIG_TYPE,
 * E_INVALID_ARGUMENT (text that is not JSON, with the byte offset). */
ATHLETE_API athlete_status athlete_config_create(const char *owner, const char *defaults_json,
                                                 const char *types_json,
                                                 const char *overrides_json,
                                                 athlete_config **out, athlete_error *err);
ATHLETE_API void athlete_config_destroy(athlete_config *config);
/* Applies one more override object on top (same rules); on error nothing changes. */
ATHLETE_API athlete_status athlete_config_apply(athlete_config *config, const char *overrides_json,
                                                athlete_error *err);
/* The name given at create time ("dqn"). */
ATHLETE_API const char *athlete_config_owner(const athlete_config *config);

/* Typed getters. `key` may be dotted. A missing key or a value of another type is an
 * error naming the key (E_CONFIG_UNKNOWN_KEY / E_CONFIG_TYPE). */
ATHLETE_API athlete_status athlete_config_get_int(const athlete_config *config, const char *key,
                                                  int64_t *out, athlete_error *err);
ATHLETE_API athlete_status athlete_config_get_real(const athlete_config *config, const char *key,
                                                   double *out, athlete_error *err);
ATHLETE_API athlete_status athlete_config_get_bool(const athlete_config *config, const char *key,
                                                   bool *out, athlete_error *err);
/* Borrowed, valid while the configuration lives. */
ATHLETE_API athlete_status athlete_config_get_string(const athlete_config *config, const char *key,
                                                     const char **out, athlete_error *err);
/* An array of integers (e.g. "value_network_arguments.hidden_dims"); *count receives the
 * length; more than `capacity` elements is E_CONFIG_VALUE. */
ATHLETE_API athlete_status athlete_config_get_int_array(const athlete_config *config,
                                                        const char *key, int64_t *out,
                                                        size_t capacity, size_t *count,
                                                        athlete_error *err);
ATHLETE_API bool athlete_config_has(const athlete_config *config, const char *key);
/* True when the key exists and holds JSON null. */
ATHLETE_API bool athlete_config_is_null(const athlete_config *config, const char *key);
/* True when the key holds a string (e.g. "auto" where a number is also allowed). */
ATHLETE_API bool athlete_config_is_string(const athlete_config *config, const char *key);

/* Range-checked getters for the checks every algorithm makes. Failures are
 * E_CONFIG_VALUE with one message shape: "<owner> config: '<key>' must be <expected>, got
 * <value>" (athlete_config_value_error builds it for checks of one's own). */
ATHLETE_API athlete_status athlete_config_value_error(const athlete_config *config, const char *key,
                                                      const char *expected, double got,
                                                      athlete_error *err);
/* An integer >= min ("must be >= 1, got 0"). */
ATHLETE_API athlete_status athlete_config_get_int_min(const athlete_config *config, const char *key,
                                                      int64_t min, int64_t *out, athlete_error *err);
/* A finite number in [low, high], or (low, high] when low_open; `expected` words the range
 * for the message ("> 0", "in (0, 1] (1 is a hard copy)"). */
ATHLETE_API athlete_status athlete_config_get_real_in(const athlete_config *config, const char *key,
                                                      double low, double high, bool low_open,
                                                      const char *expected, double *out,
                                                      athlete_error *err);
/* The same for a key that may be null ("no clipping"): *out is 0 when it is. */
ATHLETE_API athlete_status athlete_config_get_optional_real_in(const athlete_config *config,
                                                               const char *key, double low,
                                                               double high, bool low_open,
                                                               const char *expected, double *out,
                                                               athlete_error *err);
/* An array of integers each in [low, high] (layer widths), as sizes; *count receives the
 * length ("'hidden_dims'[1] must be in [1, 65536], got 0"). */
ATHLETE_API athlete_status athlete_config_get_sizes(const athlete_config *config, const char *key,
                                                    int64_t low, int64_t high, size_t *out,
                                                    size_t capacity, size_t *count,
                                                    athlete_error *err);

/* The merged configuration as JSON text (freed with athlete_free). */
ATHLETE_API athlete_status athlete_config_to_json(const athlete_config *config, bool pretty,
                                                  char **json, athlete_error *err);

ATHLETE_END_DECLS

#endif

/* An algorithm's configuration declared once: a table with one entry per key (name, type,
 * default, range, one-line description, and where the value goes in the plugin's settings
 * struct). From the table the SDK writes the defaults (the schema of overrides, see
 * config.h), checks every value against its range, fills the settings struct and
 * describes the keys to users (`athlete config ID --describe`).
 *
 *     typedef struct my_settings { double discount; int64_t batch; } my_settings;
 *     static const athlete_config_key my_keys[] = {
 *         {.name = "discount", .type = ATHLETE_CONFIG_REAL, ATHLETE_CONFIG_FIELD(my_settings, discount),
 *          .default_value = 0.99, .min = 0, .max = 1, .description = "discount factor of future rewards"},
 *         {.name = "optimizer_arguments.batch", .type = ATHLETE_CONFIG_INT, ...},
 *     };
 *     ATHLETE_CONFIG_TABLE_DEFINE(my_table, my_settings, my_keys);
 *
 * Dotted names are nested objects; the defaults list keys in table order (a nested object
 * where its first key is). Messages: a value outside [min, max] (or NaN) gives
 * "<owner> config: '<key>' must be <rule>, got <value>", where rule is the key's own words
 * or, without them, the interval ("in [0, 1]", ">= 1", "> 0", "null or in (0, 1]"); a
 * value above a key's limit gives "... must be <= <limit>, got <value>". */
#ifndef ATHLETE_CONFIG_TABLE_H
#define ATHLETE_CONFIG_TABLE_H

#include <math.h> /* INFINITY in tables */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/config.h>
#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

/* A key's type and the C type of its settings field. */
typedef enum athlete_config_type {
    ATHLETE_CONFIG_BOOL = 1, /* bool */
    ATHLETE_CONFIG_INT = 2,  /* int64_t; integral JSON numbers only */
    ATHLETE_CONFIG_REAL = 3, /* double; finite */
    ATHLETE_CONFIG_ENUM = 4, /* int: the index of the string in `choices` */
    ATHLETE_CONFIG_SIZES = 5, /* athlete_config_sizes: a list of integers (layer widths) */
} athlete_config_type;

/* Key flags. */
enum {
    ATHLETE_CONFIG_NULLABLE = 1u << 0,     /* null is accepted (numbers, ENUM): the field receives `absent` */
    ATHLETE_CONFIG_AUTO = 1u << 1,         /* the string "auto" is accepted: the field receives `absent` */
    ATHLETE_CONFIG_DEFAULT_ABSENT = 1u << 2, /* the default is null (NULLABLE) or "auto" (AUTO) */
    ATHLETE_CONFIG_MIN_OPEN = 1u << 3,     /* min itself is refused */
    ATHLETE_CONFIG_MAX_OPEN = 1u << 4,     /* max itself is refused */
    ATHLETE_CONFIG_NONEMPTY = 1u << 5,     /* SIZES: at least one element */
};

#define ATHLETE_CONFIG_MAX_SIZES 16

typedef struct athlete_config_sizes {
    size_t count;
    size_t values[ATHLETE_CONFIG_MAX_SIZES];
} athlete_config_sizes;

typedef struct athlete_config_key {
    const char *name;         /* dotted for nested keys: "optimizer_arguments.lr" */
    athlete_config_type type;
    unsigned flags;
    size_t offset, size;      /* the settings field (ATHLETE_CONFIG_FIELD) */
    double default_value;     /* BOOL (0 or 1), INT, REAL */
    const char *const *choices; /* ENUM: the accepted strings, NULL-terminated */
    const char *default_choice; /* ENUM */
    const size_t *default_sizes; /* SIZES */
    size_t default_count;
    size_t max_count;         /* SIZES: at most this many elements (0: ATHLETE_CONFIG_MAX_SIZES) */
    double min, max;          /* the values that make sense (SIZES: each element); max may be INFINITY */
    double limit;             /* > 0: an upper bound against runaway cost or overflow */
    double absent;            /* NULLABLE/AUTO keys: what the field receives for null or "auto" */
    const char *rule;         /* the words of the range in messages; NULL: made from min and max */
    const char *description;  /* one line, for users */
} athlete_config_key;

#define ATHLETE_CONFIG_FIELD(settings_type, field)                                          \
    .offset = offsetof(settings_type, field), .size = sizeof(((settings_type *)0)->field)

typedef struct athlete_config_table {
    size_t struct_size;
    size_t key_size;          /* sizeof(athlete_config_key) the plugin was built with */
    const athlete_config_key *keys;
    size_t count;
    size_t settings_size;     /* the size of the settings struct */
} athlete_config_table;

#define ATHLETE_CONFIG_TABLE_DEFINE(name_, settings_type, keys_)                            \
    static const athlete_config_table name_ = {sizeof(athlete_config_table),                 \
                                               sizeof(athlete_config_key), keys_,            \
                                               sizeof keys_ / sizeof keys_[0],               \
                                               sizeof(settings_type)}

/* Checks the table itself: names, types, field sizes and offsets, defaults inside their
 * ranges. `owner` names the algorithm in messages. */
ATHLETE_API athlete_status athlete_config_table_validate(const athlete_config_table *table,
                                                         const char *owner, athlete_error *err);
/* The defaults as JSON text (athlete_free it); reals keep a decimal point. */
ATHLETE_API athlete_status athlete_config_table_defaults(const athlete_config_table *table,
                                                         char **json, athlete_error *err);
/* The configuration of the table's defaults with `overrides_json` applied (as
 * athlete_config_create; ranges are not checked here: athlete_config_table_read). */
ATHLETE_API athlete_status athlete_config_table_create(const athlete_config_table *table,
                                                       const char *owner,
                                                       const char *overrides_json,
                                                       athlete_config **out, athlete_error *err);
/* Checks every key of `config` against the table in table order (E_CONFIG_VALUE naming the
 * key and the bound) and, when `settings` is not NULL, fills the settings struct (zeroed
 * first, table->settings_size bytes). */
ATHLETE_API athlete_status athlete_config_table_read(const athlete_config_table *table,
                                                     const athlete_config *config, void *settings,
                                                     athlete_error *err);
/* Every key as a JSON array of {"key", "type", "default", "min", "max", "description"}
 * (athlete_free it); min and max are null when unbounded, max includes the limit. */
ATHLETE_API athlete_status athlete_config_table_describe(const athlete_config_table *table,
                                                         char **json, athlete_error *err);

/* The parameter budget: the key "max_parameters" (an integer field of the settings), the
 * weights and biases of an MLP of these widths (saturating at UINT64_MAX), and the check of
 * an agent's total (every network, targets included) against the key, made
 * before anything of that size is allocated ("<owner> config: the agent would have N
 * parameters, more than 'max_parameters' (M)"). */
#define ATHLETE_CONFIG_MAX_PARAMETERS_DEFAULT 50000000
#define ATHLETE_CONFIG_MAX_PARAMETERS_KEY(settings_, field_)                                                   \
    {.name = "max_parameters", .type = ATHLETE_CONFIG_INT, ATHLETE_CONFIG_FIELD(settings_, field_),             \
     .default_value = ATHLETE_CONFIG_MAX_PARAMETERS_DEFAULT, .min = 1, .max = INFINITY, .limit = 1e10,         \
     .description = "ceiling on the parameters of the agent's networks (targets included)"}
ATHLETE_API uint64_t athlete_config_mlp_parameters(const size_t *widths, size_t n_widths);
ATHLETE_API athlete_status athlete_config_check_parameters(const athlete_config *config, uint64_t total,
                                                           int64_t max_parameters, athlete_error *err);

ATHLETE_END_DECLS

#endif

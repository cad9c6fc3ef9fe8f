/* Writing an algorithm plugin.
 *
 * A plugin is a shared object exporting exactly one symbol, athlete_plugin_entry, a
 * function returning a pointer to static const data: the plugin descriptor, which lists
 * the algorithms it provides. The runtime checks the descriptor's ABI numbers before it
 * touches anything else. Use ATHLETE_PLUGIN_DEFINE; never fill abi_* by hand:
 *
 *     static const athlete_algorithm my_algorithm = {
 *         .struct_size = sizeof(athlete_algorithm), .id = "my_algo",
 *         .summary = "…", .default_config = "{\"discount\": 0.99}", .build = my_build,
 *     };
 *     ATHLETE_PLUGIN_DEFINE(my_algo, "1.0.0", "My algorithm", &my_algorithm)
 *
 * Build it with -DATHLETE_BUILDING_MODULE and -fvisibility=hidden and link it against
 * libathlete-sdk (pkg-config athlete-sdk); install it in
 * `pkg-config --variable=plugindir athlete-sdk` or a directory on ATHLETE_PLUGIN_PATH. */
#ifndef ATHLETE_PLUGIN_H
#define ATHLETE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <athlete/component.h>
#include <athlete/config-table.h>
#include <athlete/config.h>
#include <athlete/export.h>
#include <athlete/space.h>
#include <athlete/status.h>
#include <athlete/version.h>

ATHLETE_BEGIN_DECLS

/* The real number type of ABI 1. */
typedef float athlete_real;

#define ATHLETE_PLUGIN_ENTRY_SYMBOL "athlete_plugin_entry"

/* Packs what must agree between plugin and runtime beyond the version numbers: the size
 * of athlete_real and of a pointer (Lua's LUAL_NUMSIZES idea). */
#define ATHLETE_ABI_FINGERPRINT ((uint32_t)(sizeof(athlete_real) * 16u + sizeof(void *)))

/* An extension method: a named, typed control or query a generic host calls by name
 * (athlete_agent_call). signature: return type then arguments in parentheses, using
 * i (int64_t), d (double), s (const char *), v (void; return only), e.g. "d()", "v(d)".
 * fn is called as ret fn(void *state, args...) with the parts' state. At most 8 arguments. */
typedef void (*athlete_method_fn)(void);
typedef struct athlete_method {
    const char *name;
    const char *signature;
    athlete_method_fn fn;
    const char *summary;
} athlete_method;

typedef struct athlete_algorithm {
    size_t struct_size;
    const char *id;             /* [a-z0-9_]+, unique in a registry */
    const char *summary;
    const char *default_config; /* a JSON object: the defaults, and the schema of overrides */
    const char *config_types;   /* optional JSON object widening key types (see config.h) */
    /* Optional range and consistency checks on the merged configuration (E_CONFIG_VALUE). */
    athlete_status (*check_config)(const athlete_config *config, athlete_error *err);
    /* The factory: checks the spaces (E_SPACE_MISMATCH naming the space) and builds parts. */
    athlete_status (*build)(const athlete_build_args *args, athlete_parts *out, athlete_error *err);
    const athlete_method *methods; /* array ended by an entry with name NULL; may be NULL */
    /* Appended after ABI 1.0 (read only when struct_size covers it): the configuration
     * declared as a table (config-table.h). When set, default_config and config_types must
     * be NULL (the table writes both), the table's range checks run before check_config
     * (left for checks across keys), and hosts can describe every key. */
    const athlete_config_table *config_table;
} athlete_algorithm;

typedef struct athlete_plugin {
    size_t struct_size;
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t abi_fingerprint;
    const char *name;
    const char *version;
    const char *summary;
    const athlete_algorithm *const *algorithms; /* NULL-terminated */
} athlete_plugin;

typedef const athlete_plugin *(*athlete_plugin_entry_fn)(void);

#ifdef ATHLETE_BUILDING_MODULE
#  define ATHLETE_PLUGIN_GENERIC_ENTRY_(name_)                                              \
    ATHLETE_PLUGIN_EXPORT const athlete_plugin *athlete_plugin_entry(void);                 \
    ATHLETE_PLUGIN_EXPORT const athlete_plugin *athlete_plugin_entry(void)                  \
    {                                                                                       \
        return athlete_plugin_##name_##_entry();                                            \
    }
#else
#  define ATHLETE_PLUGIN_GENERIC_ENTRY_(name_)
#endif

/* Defines the descriptor, the name-specific entry athlete_plugin_<name>_entry (not
 * exported from the module; lets tests link a plugin and register it in-process) and, in
 * a module build, the exported athlete_plugin_entry. */
#define ATHLETE_PLUGIN_DEFINE(name_, version_, summary_, ...)                               \
    static const athlete_algorithm *const athlete_plugin_algorithms_[] = {__VA_ARGS__, NULL}; \
    static const athlete_plugin athlete_plugin_descriptor_ = {                              \
        sizeof(athlete_plugin), ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR,                       \
        ATHLETE_ABI_FINGERPRINT, #name_, version_, summary_, athlete_plugin_algorithms_};   \
    const athlete_plugin *athlete_plugin_##name_##_entry(void);                             \
    const athlete_plugin *athlete_plugin_##name_##_entry(void)                              \
    {                                                                                       \
        return &athlete_plugin_descriptor_;                                                 \
    }                                                                                       \
    ATHLETE_PLUGIN_GENERIC_ENTRY_(name_)

ATHLETE_END_DECLS

#endif

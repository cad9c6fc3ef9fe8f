/* Internals shared by the files of libathlete. Never installed. */
#ifndef ATHLETE_CORE_PRIVATE_H
#define ATHLETE_CORE_PRIVATE_H

#include <athlete/agent.h>
#include <athlete/plugin.h>
#include <athlete/registry.h>

#include <stdbool.h>
#include <stddef.h>

/* A loaded shared object; dlclose'd when the last holder lets go. */
typedef struct athlete__plugin_handle {
    int refcount;
    void *dl;
    char *path;
    const athlete_plugin *plugin;
} athlete__plugin_handle;

athlete__plugin_handle *athlete__plugin_handle_ref(athlete__plugin_handle *handle);
void athlete__plugin_handle_unref(athlete__plugin_handle *handle);

/* Opens a plugin file and checks its descriptor (acceptance rules 1-5); the algorithms
 * are validated by the registry. */
athlete_status athlete__plugin_open(const char *path, athlete__plugin_handle **out, athlete_error *err);

/* Extension methods, prepared once for libffi (methods.c, the only user of ffi.h). */
typedef struct athlete__method_table athlete__method_table;
athlete_status athlete__methods_prepare(const athlete_method *methods, const char *algorithm_id,
                                        athlete__method_table **out, athlete_error *err);
void athlete__methods_destroy(athlete__method_table *table);
athlete_status athlete__methods_call(const athlete__method_table *table, void *state,
                                     const char *name, const char *args_json, char **result_json,
                                     athlete_error *err);

/* One registered algorithm. Shared by the registry and the agents made from it, so either
 * may go first. */
typedef struct athlete__algorithm_entry {
    int refcount;
    const athlete_algorithm *algorithm;
    athlete__plugin_handle *handle; /* NULL: registered in-process */
    athlete__method_table *methods;
} athlete__algorithm_entry;

/* An algorithm's configuration (algorithm-config.c): from its table when it declares one,
 * else from its defaults text. `check` runs the table's range checks and check_config. */
const athlete_config_table *athlete__algorithm_config_table(const athlete_algorithm *algorithm);
athlete_status athlete__algorithm_config_validate(const athlete_algorithm *algorithm, athlete_error *err);
athlete_status athlete__algorithm_config_create(const athlete_algorithm *algorithm, const char *overrides_json,
                                                bool check, athlete_config **out, athlete_error *err);
athlete_status athlete__algorithm_config_describe(const athlete_algorithm *algorithm, char **json,
                                                  athlete_error *err);

athlete__algorithm_entry *athlete__algorithm_entry_ref(athlete__algorithm_entry *entry);
void athlete__algorithm_entry_unref(athlete__algorithm_entry *entry);
athlete_status athlete__registry_lookup(const athlete_registry *registry, const char *id,
                                        athlete__algorithm_entry **entry, athlete_error *err);

#endif

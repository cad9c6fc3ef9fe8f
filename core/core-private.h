/* Internals shared by the files of libathlete. Never installed. */
#ifndef ATHLETE_CORE_PRIVATE_H
#define ATHLETE_CORE_PRIVATE_H

#include <athlete/agent.h>
#include <athlete/plugin.h>
#include <athlete/registry.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* A loaded shared object; dlclose'd when the last holder lets go. */
typedef struct athlete__plugin_handle {
    atomic_int refcount; /* agents in other threads may hold the last reference */
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
    atomic_int refcount;
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

/* Fills err with `before` + "'" + path + the formatted rest, e.g.
 * athlete__path_error(err, st, "cannot load plugin ", path, "': %s", why). When it does not
 * fit, the middle of the path is elided, never the reason after it. */
athlete_status athlete__path_error(athlete_error *err, athlete_status status, const char *before,
                                   const char *path, const char *fmt, ...) ATHLETE_PRINTF(5, 6);
/* The plugin scan's policy (plugin-policy.c): which directories and files it may run. The
 * directory check sets *missing (and returns OK) for a directory that does not exist. */
athlete_status athlete__plugin_dir_check(const char *dir, bool *missing, athlete_error *err);
athlete_status athlete__plugin_file_check(const char *path, athlete_error *err);
/* A file that is not an ELF shared object of this process's architecture, named as such. */
athlete_status athlete__plugin_elf_check(const char *path, athlete_error *err);

/* Replaces `path` atomically with the concatenated parts (atomic-file.c: an unpredictable
 * O_EXCL | O_NOFOLLOW temporary name, fsync, rename, stale temporaries of dead savers
 * removed). */
athlete_status athlete__write_file_atomically(const char *path, const unsigned char *const *parts,
                                              const size_t *sizes, size_t count, athlete_error *err);

#endif

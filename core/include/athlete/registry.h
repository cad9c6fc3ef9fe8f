/* The algorithm registry: which algorithms exist and where they came from.
 *
 * Creating a registry scans, in order, the directories of ATHLETE_PLUGIN_PATH
 * (colon-separated; empty entries skipped) and then the installed plugin directory, loads
 * every regular file ending in ".so" in bytewise-sorted order and registers the
 * algorithms of every plugin that passes the ABI checks. A bad file never aborts the scan:
 * it becomes a diagnostic. For a duplicate algorithm id the first one wins (PATH
 * precedence) and the later one becomes a diagnostic naming both files.
 * With ATHLETE_DEBUG=plugins in the environment the diagnostics are printed to stderr.
 *
 * A registry may be shared read-only between threads once created. Agents keep their
 * plugin loaded, so a registry may be destroyed before its agents. */
#ifndef ATHLETE_REGISTRY_H
#define ATHLETE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/export.h>
#include <athlete/plugin.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_registry athlete_registry;

typedef struct athlete_registry_options {
    size_t struct_size;      /* sizeof(athlete_registry_options) */
    const char *plugin_path; /* NULL: getenv("ATHLETE_PLUGIN_PATH") */
    bool skip_installed_dir; /* leave the installed plugin directory out (hermetic tests) */
    bool skip_scan;          /* load nothing; only athlete_registry_register / load_plugin */
} athlete_registry_options;

/* One record per file the scan looked at (loaded or not). */
typedef struct athlete_plugin_diagnostic {
    const char *path;
    athlete_status status; /* ATHLETE_OK for a loaded plugin */
    const char *message;   /* why it was rejected, or "loaded plugin 'dqn' 1.0.0: dqn" */
} athlete_plugin_diagnostic;

/* options may be NULL (defaults). */
ATHLETE_API athlete_status athlete_registry_create(const athlete_registry_options *options,
                                                   athlete_registry **out, athlete_error *err);
ATHLETE_API void athlete_registry_destroy(athlete_registry *registry);

/* Loads one plugin file and registers its algorithms; the error comes back directly. */
ATHLETE_API athlete_status athlete_registry_load_plugin(athlete_registry *registry, const char *path,
                                                        athlete_error *err);
/* Registers an algorithm from the host process (the product's register(id, factory,
 * defaults)). Same validation as a loaded plugin; the struct and its strings must outlive
 * the registry and every agent made from it. */
ATHLETE_API athlete_status athlete_registry_register(athlete_registry *registry,
                                                     const athlete_algorithm *algorithm,
                                                     athlete_error *err);

/* Registered ids in registration order. Borrowed; valid until the registry changes. */
ATHLETE_API size_t athlete_registry_list(const athlete_registry *registry, const char *const **ids);
/* The default configuration of an algorithm as JSON text (a copy; athlete_free it). */
ATHLETE_API athlete_status athlete_registry_default_config(const athlete_registry *registry,
                                                           const char *id, bool pretty,
                                                           char **json, athlete_error *err);
/* Every configuration key of an algorithm as a JSON array (athlete_free it) of
 * {"key", "type", "default", "min", "max", "description"} (plus "min_exclusive" and
 * "max_exclusive" for numbers and "choices" for strings with a fixed set of values), in
 * the order of the defaults; min and max are null when unbounded. An algorithm without a
 * configuration table (config-table.h) gives its keys with JSON types and defaults only. */
ATHLETE_API athlete_status athlete_registry_describe_config(const athlete_registry *registry,
                                                            const char *id, char **json,
                                                            athlete_error *err);
/* The algorithm descriptor and the file it came from (NULL for in-process). Borrowed. */
ATHLETE_API athlete_status athlete_registry_find(const athlete_registry *registry, const char *id,
                                                 const athlete_algorithm **algorithm,
                                                 const athlete_plugin **plugin, const char **path,
                                                 athlete_error *err);
/* What the scan found; borrowed, valid until the registry changes. */
ATHLETE_API size_t athlete_registry_diagnostics(const athlete_registry *registry,
                                                const athlete_plugin_diagnostic **diagnostics);
/* The compiled-in plugin directory. */
ATHLETE_API const char *athlete_registry_installed_dir(void);

ATHLETE_END_DECLS

#endif

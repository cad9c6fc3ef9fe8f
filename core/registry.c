/* The registry: scanning plugin directories, validating and registering algorithms. */
#include "core-private.h"

#include <athlete/alloc.h>
#include <athlete/config.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef ATHLETE_PLUGINDIR
#  error "ATHLETE_PLUGINDIR must be defined by the build"
#endif

/* The sizes of ABI 1.0's structs: everything up to and including their last 1.0 member. */
#define ALGORITHM_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_algorithm, methods)
#define REGISTRY_OPTIONS_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_registry_options, skip_scan)

typedef struct diagnostic {
    char *path;
    athlete_status status;
    char *message;
} diagnostic;

struct athlete_registry {
    athlete__algorithm_entry **entries;
    const char **ids; /* parallel to entries, for athlete_registry_list */
    size_t count, capacity;
    athlete_plugin_diagnostic *diagnostics;
    size_t diagnostic_count, diagnostic_capacity;
};

const char *athlete_registry_installed_dir(void) { return ATHLETE_PLUGINDIR; }

athlete__algorithm_entry *athlete__algorithm_entry_ref(athlete__algorithm_entry *entry)
{
    if (entry)
        atomic_fetch_add_explicit(&entry->refcount, 1, memory_order_relaxed);
    return entry;
}

void athlete__algorithm_entry_unref(athlete__algorithm_entry *entry)
{
    if (!entry || atomic_fetch_sub_explicit(&entry->refcount, 1, memory_order_acq_rel) > 1)
        return;
    athlete__methods_destroy(entry->methods);
    athlete__plugin_handle_unref(entry->handle);
    athlete_free(entry);
}

static bool valid_id(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '_'))
            return false;
    return true;
}

static const athlete__algorithm_entry *find_entry(const athlete_registry *reg, const char *id)
{
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->entries[i]->algorithm->id, id) == 0)
            return reg->entries[i];
    return NULL;
}

static const char *origin_of(const athlete__algorithm_entry *entry)
{
    return entry->handle ? entry->handle->path : "the host program";
}

/* Rule 6: the algorithm itself. `where` names the file (or "register") for messages. */
static athlete_status validate_algorithm(const athlete_algorithm *alg, const char *where,
                                         athlete__method_table **methods, athlete_error *err)
{
    athlete_status st = ATHLETE_OK;
    if (!alg)
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID, "NULL algorithm descriptor");
    else if (alg->struct_size < ALGORITHM_SIZE_1_0)
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_ABI,
                               "algorithm descriptor of %zu bytes, smaller than ABI 1.0's %zu",
                               alg->struct_size, (size_t)ALGORITHM_SIZE_1_0);
    else if (!valid_id(alg->id))
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                               "algorithm id '%s' is invalid (1-63 characters of [a-z0-9_])",
                               alg->id ? alg->id : "(null)");
    else if (!alg->build)
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID, "algorithm '%s' has no build function", alg->id);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "%s: ", where);
        return st;
    }
    st = athlete__algorithm_config_validate(alg, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "%s: invalid default configuration: ", where);
        if (err)
            err->status = ATHLETE_E_PLUGIN_INVALID;
        return ATHLETE_E_PLUGIN_INVALID;
    }
    st = athlete__methods_prepare(alg->methods, alg->id, methods, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "%s: ", where);
        return st;
    }
    return ATHLETE_OK;
}

static athlete_status add_entries(athlete_registry *reg, athlete__algorithm_entry **new_entries,
                                  size_t n, athlete_error *err)
{
    if (reg->count + n > reg->capacity) {
        size_t cap = reg->capacity ? reg->capacity : 8;
        while (cap < reg->count + n)
            cap *= 2;
        athlete__algorithm_entry **entries = athlete_realloc(reg->entries, cap * sizeof *entries);
        if (!entries)
            return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
        reg->entries = entries;
        const char **ids = athlete_realloc(reg->ids, cap * sizeof *ids);
        if (!ids)
            return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
        reg->ids = ids;
        reg->capacity = cap;
    }
    for (size_t i = 0; i < n; i++) {
        reg->entries[reg->count] = new_entries[i];
        reg->ids[reg->count] = new_entries[i]->algorithm->id;
        reg->count++;
    }
    return ATHLETE_OK;
}

/* Validates every algorithm of a plugin (or one in-process algorithm) and registers them
 * all, or none. Takes a reference on `handle` per entry. */
static athlete_status register_all(athlete_registry *reg, const athlete_algorithm *const *algs,
                                   athlete__plugin_handle *handle, const char *where,
                                   athlete_error *err)
{
    size_t n = 0;
    while (algs[n])
        n++;
    if (n == 0) {
        athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID, "provides no algorithm");
        athlete_error_prefix(err, "%s: ", where);
        return ATHLETE_E_PLUGIN_INVALID;
    }
    athlete__algorithm_entry **made = athlete_calloc(n, sizeof *made);
    if (!made)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
    athlete_status st = ATHLETE_OK;
    for (size_t i = 0; i < n && st == ATHLETE_OK; i++) {
        athlete__method_table *methods = NULL;
        st = validate_algorithm(algs[i], where, &methods, err);
        if (st != ATHLETE_OK)
            break;
        for (size_t j = 0; j < i; j++)
            if (strcmp(algs[j]->id, algs[i]->id) == 0) {
                athlete__methods_destroy(methods);
                st = athlete_error_set(err, ATHLETE_E_DUPLICATE_ID, "algorithm id '%s' appears twice", algs[i]->id);
                athlete_error_prefix(err, "%s: ", where);
                break;
            }
        if (st != ATHLETE_OK)
            break;
        const athlete__algorithm_entry *existing = find_entry(reg, algs[i]->id);
        if (existing) {
            athlete__methods_destroy(methods);
            /* Two paths in one message: the first file's is elided in its middle if long. */
            const char *origin = origin_of(existing);
            size_t len = strlen(origin);
            int head = len > 120 ? 40 : (int)len;
            st = athlete_error_set(err, ATHLETE_E_DUPLICATE_ID,
                                   "algorithm id '%s' is already registered by %.*s%s%s (the first one wins)",
                                   algs[i]->id, head, origin, len > 120 ? "\xe2\x80\xa6" : "",
                                   len > 120 ? origin + len - 77 : "");
            athlete_error_prefix(err, "%s: ", where);
            break;
        }
        made[i] = athlete_calloc(1, sizeof *made[i]);
        if (!made[i]) {
            athlete__methods_destroy(methods);
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
            break;
        }
        made[i]->refcount = 1;
        made[i]->algorithm = algs[i];
        made[i]->handle = athlete__plugin_handle_ref(handle);
        made[i]->methods = methods;
    }
    if (st == ATHLETE_OK)
        st = add_entries(reg, made, n, err);
    if (st != ATHLETE_OK)
        for (size_t i = 0; i < n; i++)
            athlete__algorithm_entry_unref(made[i]);
    athlete_free(made);
    return st;
}

static void add_diagnostic(athlete_registry *reg, const char *path, athlete_status status,
                           const char *message)
{
    if (reg->diagnostic_count == reg->diagnostic_capacity) {
        size_t cap = reg->diagnostic_capacity ? 2 * reg->diagnostic_capacity : 8;
        athlete_plugin_diagnostic *grown = athlete_realloc(reg->diagnostics, cap * sizeof *grown);
        if (!grown)
            return; /* diagnostics are best effort; the scan goes on */
        reg->diagnostics = grown;
        reg->diagnostic_capacity = cap;
    }
    char *p = athlete_strdup(path);
    char *m = athlete_strdup(message);
    if (!p || !m) {
        athlete_free(p);
        athlete_free(m);
        return;
    }
    reg->diagnostics[reg->diagnostic_count++] = (athlete_plugin_diagnostic){p, status, m};
    const char *debug = getenv("ATHLETE_DEBUG");
    if (debug && strstr(debug, "plugins"))
        fprintf(stderr, "athlete: plugins: %s: %s: %s\n", path, athlete_status_name(status), message);
}

athlete_status athlete_registry_load_plugin(athlete_registry *reg, const char *path, athlete_error *err)
{
    if (!reg || !path)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "load_plugin: NULL argument");
    athlete__plugin_handle *handle = NULL;
    athlete_status st = athlete__plugin_open(path, &handle, err);
    if (st != ATHLETE_OK)
        return st;
    st = register_all(reg, handle->plugin->algorithms, handle, path, err);
    athlete__plugin_handle_unref(handle); /* the entries hold their own references */
    return st;
}

athlete_status athlete_registry_register(athlete_registry *reg, const athlete_algorithm *algorithm,
                                         athlete_error *err)
{
    if (!reg || !algorithm)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "register: NULL argument");
    const athlete_algorithm *list[2] = {algorithm, NULL};
    return register_all(reg, list, NULL, "register", err);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b); /* bytewise: reproducible order */
}

static bool ends_with_so(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Loads every "*.so" file of one directory the policy allows, in sorted order; what it
 * skips becomes a diagnostic. */
static void scan_directory(athlete_registry *reg, const char *dir)
{
    athlete_error err;
    bool missing;
    if (athlete__plugin_dir_check(dir, &missing, &err) != ATHLETE_OK) {
        add_diagnostic(reg, dir, err.status, err.message);
        return;
    }
    if (missing)
        return;
    DIR *d = opendir(dir);
    if (!d) {
        athlete_error_set(&err, ATHLETE_E_PLUGIN_LOAD, "cannot scan plugin directory '%s': %s", dir, strerror(errno));
        add_diagnostic(reg, dir, err.status, err.message);
        return;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!ends_with_so(e->d_name))
            continue;
        if (count == cap) {
            size_t grown_cap = cap ? 2 * cap : 16;
            char **grown = athlete_realloc(names, grown_cap * sizeof *grown);
            if (!grown)
                break;
            names = grown;
            cap = grown_cap;
        }
        names[count] = athlete_strdup(e->d_name);
        if (names[count])
            count++;
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        athlete_free(names[i]);
        athlete_error_clear(&err);
        if (athlete__plugin_file_check(path, &err) != ATHLETE_OK) {
            add_diagnostic(reg, path, err.status, err.message);
            continue;
        }
        size_t before = reg->count;
        if (athlete_registry_load_plugin(reg, path, &err) == ATHLETE_OK) {
            char message[ATHLETE_ERROR_MESSAGE_SIZE];
            const athlete__algorithm_entry *first = reg->entries[before];
            int n = snprintf(message, sizeof message, "loaded plugin '%s' %s:", first->handle->plugin->name,
                             first->handle->plugin->version);
            for (size_t k = before; k < reg->count && n > 0 && (size_t)n < sizeof message; k++)
                n += snprintf(message + n, sizeof message - (size_t)n, " %s", reg->entries[k]->algorithm->id);
            add_diagnostic(reg, path, ATHLETE_OK, message);
        } else {
            add_diagnostic(reg, path, err.status, err.message);
        }
    }
    athlete_free(names);
}

athlete_status athlete_registry_create(const athlete_registry_options *options, athlete_registry **out,
                                       athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "registry_create: NULL out");
    athlete_registry_options opts = {sizeof opts, NULL, false, false};
    if (options) {
        if (options->struct_size < REGISTRY_OPTIONS_SIZE_1_0)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "registry_create: options.struct_size is %zu, smaller than ABI 1.0's %zu",
                                     options->struct_size, (size_t)REGISTRY_OPTIONS_SIZE_1_0);
        /* An older caller's struct is shorter: its missing members keep their defaults. */
        memcpy(&opts, options, options->struct_size < sizeof opts ? options->struct_size : sizeof opts);
        opts.struct_size = sizeof opts;
    }
    athlete_registry *reg = athlete_calloc(1, sizeof *reg);
    if (!reg)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
    if (!opts.skip_scan) {
        const char *path = opts.plugin_path ? opts.plugin_path : getenv("ATHLETE_PLUGIN_PATH");
        if (path) {
            char *copy = athlete_strdup(path);
            if (!copy) {
                athlete_registry_destroy(reg);
                return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "registry: out of memory");
            }
            for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
                if (*dir)
                    scan_directory(reg, dir);
            athlete_free(copy);
        }
        if (!opts.skip_installed_dir)
            scan_directory(reg, ATHLETE_PLUGINDIR);
    }
    *out = reg;
    return ATHLETE_OK;
}

void athlete_registry_destroy(athlete_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->count; i++)
        athlete__algorithm_entry_unref(reg->entries[i]);
    for (size_t i = 0; i < reg->diagnostic_count; i++) {
        athlete_free((void *)reg->diagnostics[i].path);
        athlete_free((void *)reg->diagnostics[i].message);
    }
    athlete_free(reg->diagnostics);
    athlete_free(reg->entries);
    athlete_free(reg->ids);
    athlete_free(reg);
}

size_t athlete_registry_list(const athlete_registry *reg, const char *const **ids)
{
    *ids = reg->ids;
    return reg->count;
}

size_t athlete_registry_diagnostics(const athlete_registry *reg,
                                    const athlete_plugin_diagnostic **diagnostics)
{
    *diagnostics = reg->diagnostics;
    return reg->diagnostic_count;
}

athlete_status athlete__registry_lookup(const athlete_registry *reg, const char *id,
                                        athlete__algorithm_entry **entry, athlete_error *err)
{
    if (!reg || !id)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "NULL registry or algorithm id");
    const athlete__algorithm_entry *found = find_entry(reg, id);
    if (!found) {
        char known[160] = "";
        size_t pos = 0;
        for (size_t i = 0; i < reg->count && pos < sizeof known; i++) {
            int n = snprintf(known + pos, sizeof known - pos, "%s%s", i ? ", " : "", reg->ids[i]);
            if (n < 0)
                break;
            pos += (size_t)n;
        }
        return athlete_error_set(err, ATHLETE_E_UNKNOWN_ALGORITHM,
                                 "algorithm '%s' not found in the registry (registered: %s)", id,
                                 reg->count ? known : "none; is ATHLETE_PLUGIN_PATH set?");
    }
    *entry = (athlete__algorithm_entry *)found;
    return ATHLETE_OK;
}

athlete_status athlete_registry_find(const athlete_registry *reg, const char *id,
                                     const athlete_algorithm **algorithm, const athlete_plugin **plugin,
                                     const char **path, athlete_error *err)
{
    athlete__algorithm_entry *entry;
    athlete_status st = athlete__registry_lookup(reg, id, &entry, err);
    if (st != ATHLETE_OK)
        return st;
    if (algorithm)
        *algorithm = entry->algorithm;
    if (plugin)
        *plugin = entry->handle ? entry->handle->plugin : NULL;
    if (path)
        *path = entry->handle ? entry->handle->path : NULL;
    return ATHLETE_OK;
}

athlete_status athlete_registry_default_config(const athlete_registry *reg, const char *id, bool pretty,
                                               char **json, athlete_error *err)
{
    athlete__algorithm_entry *entry;
    athlete_status st = athlete__registry_lookup(reg, id, &entry, err);
    if (st != ATHLETE_OK)
        return st;
    athlete_config *config = NULL;
    st = athlete__algorithm_config_create(entry->algorithm, NULL, false, &config, err);
    if (st == ATHLETE_OK)
        st = athlete_config_to_json(config, pretty, json, err);
    athlete_config_destroy(config);
    return st;
}

athlete_status athlete_registry_describe_config(const athlete_registry *reg, const char *id, char **json,
                                                athlete_error *err)
{
    athlete__algorithm_entry *entry;
    athlete_status st = athlete__registry_lookup(reg, id, &entry, err);
    return st ? st : athlete__algorithm_config_describe(entry->algorithm, json, err);
}

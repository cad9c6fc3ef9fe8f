/* Opening plugin files and checking their descriptors (design B2, rules 1-5). */
#include "core-private.h"

#include <athlete/alloc.h>
#include <athlete/version.h>

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* The descriptor size of ABI 1.0: everything up to and including `algorithms`. */
#define PLUGIN_SIZE_1_0 (offsetof(athlete_plugin, algorithms) + sizeof(((athlete_plugin *)0)->algorithms))

athlete__plugin_handle *athlete__plugin_handle_ref(athlete__plugin_handle *handle)
{
    if (handle)
        atomic_fetch_add_explicit(&handle->refcount, 1, memory_order_relaxed);
    return handle;
}

void athlete__plugin_handle_unref(athlete__plugin_handle *handle)
{
    /* acq_rel: whoever drops the last reference sees every other holder's writes. */
    if (!handle || atomic_fetch_sub_explicit(&handle->refcount, 1, memory_order_acq_rel) > 1)
        return;
    if (handle->dl)
        dlclose(handle->dl);
    athlete_free(handle->path);
    athlete_free(handle);
}

athlete_status athlete__plugin_open(const char *path, athlete__plugin_handle **out, athlete_error *err)
{
    /* RTLD_NOW: an unresolved symbol fails here, not in the middle of a step.
     * RTLD_LOCAL: plugins cannot see (or clash with) each other's symbols. */
    athlete_status st = athlete__plugin_elf_check(path, err);
    if (st != ATHLETE_OK)
        return st;
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': %s", path,
                                 why ? why : "unknown error");
    }
    dlerror();
    void *sym = dlsym(dl, ATHLETE_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                               "'%s' is not an Athlete plugin (no symbol %s)", path,
                               ATHLETE_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    athlete_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object pointer → function pointer, as POSIX allows */
    const athlete_plugin *plugin = entry();
    if (!plugin) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID, "'%s': %s returned NULL", path,
                               ATHLETE_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    if (plugin->abi_major != ATHLETE_ABI_MAJOR) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_ABI,
                               "'%s' was built for ABI %u.x; this runtime provides %d.%d", path,
                               plugin->abi_major, ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR);
        goto fail;
    }
    if (plugin->abi_minor > ATHLETE_ABI_MINOR) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_ABI,
                               "'%s' was built for ABI %u.%u, newer than the runtime (%d.%d)", path,
                               plugin->abi_major, plugin->abi_minor, ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR);
        goto fail;
    }
    if (plugin->abi_fingerprint != ATHLETE_ABI_FINGERPRINT) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_ABI,
                               "'%s' has ABI fingerprint 0x%x (real size %u, pointer size %u); this runtime has 0x%x (%zu, %zu)",
                               path, plugin->abi_fingerprint, plugin->abi_fingerprint / 16,
                               plugin->abi_fingerprint % 16, (unsigned)ATHLETE_ABI_FINGERPRINT,
                               sizeof(athlete_real), sizeof(void *));
        goto fail;
    }
    if (plugin->struct_size < PLUGIN_SIZE_1_0) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_ABI,
                               "'%s' has a descriptor of %zu bytes, smaller than ABI 1.0's %zu", path,
                               plugin->struct_size, (size_t)PLUGIN_SIZE_1_0);
        goto fail;
    }
    if (!plugin->name || !plugin->version || !plugin->algorithms) {
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                               "'%s': the descriptor lacks a name, a version or the algorithm list", path);
        goto fail;
    }
    athlete__plugin_handle *handle = athlete_calloc(1, sizeof *handle);
    char *path_copy = athlete_strdup(path);
    if (!handle || !path_copy) {
        athlete_free(handle);
        athlete_free(path_copy);
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "'%s': out of memory", path);
        goto fail;
    }
    handle->refcount = 1;
    handle->dl = dl;
    handle->path = path_copy;
    handle->plugin = plugin;
    *out = handle;
    return ATHLETE_OK;
fail:
    dlclose(dl);
    return st;
}

/* Opening plugin files and checking their descriptors, in this order, each failure a
 * diagnostic naming the file: the file loads (dlopen, RTLD_NOW), the entry symbol exists,
 * the ABI major equals the runtime's, the ABI minor is not newer than the runtime's, the
 * fingerprint matches and struct_size covers the ABI 1.0 descriptor. */
#include "core-private.h"

#include <athlete/alloc.h>
#include <athlete/version.h>

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

/* The descriptor size of ABI 1.0: everything up to and including `algorithms`. */
#define PLUGIN_SIZE_1_0 ATHLETE_SIZE_THROUGH(athlete_plugin, algorithms)

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
        if (!why)
            why = "unknown error";
        /* dlerror() usually starts with the path again; it is said once, before the reason. */
        size_t n = strlen(path);
        if (strncmp(why, path, n) == 0 && strncmp(why + n, ": ", 2) == 0)
            why += n + 2;
        return athlete__path_error(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin ", path, "': %s", why);
    }
    dlerror();
    void *sym = dlsym(dl, ATHLETE_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_INVALID, "", path,
                                 "' is not an Athlete plugin (no symbol %s)", ATHLETE_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    athlete_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object pointer → function pointer, as POSIX allows */
    const athlete_plugin *plugin = entry();
    if (!plugin) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_INVALID, "", path, "': %s returned NULL",
                                 ATHLETE_PLUGIN_ENTRY_SYMBOL);
        goto fail;
    }
    if (plugin->abi_major != ATHLETE_ABI_MAJOR) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_ABI, "", path,
                                 "' was built for ABI %u.x; this runtime provides %d.%d", plugin->abi_major,
                                 ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR);
        goto fail;
    }
    if (plugin->abi_minor > ATHLETE_ABI_MINOR) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_ABI, "", path,
                                 "' was built for ABI %u.%u, newer than the runtime (%d.%d)", plugin->abi_major,
                                 plugin->abi_minor, ATHLETE_ABI_MAJOR, ATHLETE_ABI_MINOR);
        goto fail;
    }
    if (plugin->abi_fingerprint != ATHLETE_ABI_FINGERPRINT) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_ABI, "", path,
                               "' has ABI fingerprint 0x%x (real size %u, pointer size %u); this runtime has 0x%x (%zu, %zu)",
                               plugin->abi_fingerprint, plugin->abi_fingerprint / 16,
                               plugin->abi_fingerprint % 16, (unsigned)ATHLETE_ABI_FINGERPRINT,
                               sizeof(athlete_real), sizeof(void *));
        goto fail;
    }
    if (plugin->struct_size < PLUGIN_SIZE_1_0) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_ABI, "", path,
                                 "' has a descriptor of %zu bytes, smaller than ABI 1.0's %zu", plugin->struct_size,
                                 (size_t)PLUGIN_SIZE_1_0);
        goto fail;
    }
    if (!plugin->name || !plugin->version || !plugin->algorithms) {
        st = athlete__path_error(err, ATHLETE_E_PLUGIN_INVALID, "", path,
                                 "': the descriptor lacks a name, a version or the algorithm list");
        goto fail;
    }
    athlete__plugin_handle *handle = athlete_calloc(1, sizeof *handle);
    char *path_copy = athlete_strdup(path);
    if (!handle || !path_copy) {
        athlete_free(handle);
        athlete_free(path_copy);
        st = athlete__path_error(err, ATHLETE_E_NO_MEMORY, "", path, "': out of memory");
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

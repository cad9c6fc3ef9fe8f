/* The replaceable allocator (see <athlete/alloc.h>). */
#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static athlete_malloc_fn malloc_fn_ = malloc;
static athlete_calloc_fn calloc_fn_ = calloc;
static athlete_realloc_fn realloc_fn_ = realloc;
static athlete_free_fn free_fn_ = free;

athlete_status athlete_set_allocator(athlete_malloc_fn m, athlete_calloc_fn c, athlete_realloc_fn r,
                                     athlete_free_fn f, athlete_error *err)
{
    bool all = m && c && r && f;
    bool none = !m && !c && !r && !f;
    if (!all && !none)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "set_allocator: give all four functions or none");
    malloc_fn_ = all ? m : malloc;
    calloc_fn_ = all ? c : calloc;
    realloc_fn_ = all ? r : realloc;
    free_fn_ = all ? f : free;
    cJSON_Hooks hooks = {.malloc_fn = malloc_fn_, .free_fn = free_fn_};
    cJSON_InitHooks(all ? &hooks : NULL);
    return ATHLETE_OK;
}

void *athlete_malloc(size_t size) { return malloc_fn_(size ? size : 1); }
void *athlete_calloc(size_t count, size_t size) { return calloc_fn_(count ? count : 1, size ? size : 1); }
void *athlete_realloc(void *ptr, size_t size) { return realloc_fn_(ptr, size ? size : 1); }
void athlete_free(void *ptr)
{
    if (ptr)
        free_fn_(ptr);
}

char *athlete_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = athlete_malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

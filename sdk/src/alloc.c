/* The replaceable allocator (see <athlete/alloc.h>). */
#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Per thread: two threads loading at once each have their own ceiling. */
static _Thread_local bool budget_on;
static _Thread_local bool budget_exceeded;
static _Thread_local size_t budget_left;

void athlete_alloc_set_budget(size_t bytes)
{
    budget_on = bytes != 0;
    budget_left = bytes;
    budget_exceeded = false;
}

bool athlete_alloc_budget_exceeded(void) { return budget_exceeded; }

/* Takes `size` bytes from the budget (count x size for calloc, checked for overflow). */
static bool budget_take(size_t count, size_t size)
{
    if (!budget_on)
        return true;
    if ((size && count > SIZE_MAX / size) || count * size > budget_left) {
        budget_exceeded = true;
        return false;
    }
    budget_left -= count * size;
    return true;
}

void *athlete_malloc(size_t size) { return budget_take(1, size) ? malloc_fn_(size ? size : 1) : NULL; }
void *athlete_calloc(size_t count, size_t size)
{
    return budget_take(count, size) ? calloc_fn_(count ? count : 1, size ? size : 1) : NULL;
}
void *athlete_realloc(void *ptr, size_t size) { return budget_take(1, size) ? realloc_fn_(ptr, size ? size : 1) : NULL; }
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

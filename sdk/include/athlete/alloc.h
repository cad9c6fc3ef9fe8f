/* The allocator every Athlete library and plugin allocates through.
 *
 * Replaceable once, before anything else is created (like uv_replace_allocator), so a host
 * can count or pool allocations; tests use it to prove that step() allocates nothing. */
#ifndef ATHLETE_ALLOC_H
#define ATHLETE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

#include <athlete/export.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef void *(*athlete_malloc_fn)(size_t size);
typedef void *(*athlete_calloc_fn)(size_t count, size_t size);
typedef void *(*athlete_realloc_fn)(void *ptr, size_t size);
typedef void (*athlete_free_fn)(void *ptr);

/* All four or none (NULL restores the C library's). Also installs them as cJSON's hooks.
 * Not thread-safe; call before creating any Athlete object. */
ATHLETE_API athlete_status athlete_set_allocator(athlete_malloc_fn malloc_fn,
                                                athlete_calloc_fn calloc_fn,
                                                athlete_realloc_fn realloc_fn,
                                                athlete_free_fn free_fn, athlete_error *err);

ATHLETE_API void *athlete_malloc(size_t size);
ATHLETE_API void *athlete_calloc(size_t count, size_t size);
ATHLETE_API void *athlete_realloc(void *ptr, size_t size);
/* Frees memory from the functions above and every owned output Athlete hands out
 * (JSON texts, lists). NULL is ignored. */
ATHLETE_API void athlete_free(void *ptr);
/* A ceiling on the bytes the calling thread may request through athlete_malloc, _calloc
 * and _realloc from now on (0 lifts it); a request beyond it fails as out of memory.
 * Loading a checkpoint builds the agent its header describes under such a ceiling, so a
 * hostile configuration ends in a message instead of exhausting the machine. */
ATHLETE_API void athlete_alloc_set_budget(size_t bytes);
/* True when a request was refused since the last athlete_alloc_set_budget. */
ATHLETE_API bool athlete_alloc_budget_exceeded(void);
/* Duplicates a string with athlete_malloc; NULL when out of memory. */
ATHLETE_API char *athlete_strdup(const char *s);

ATHLETE_END_DECLS

#endif

/* A counting allocator for the zero-allocation-per-step tests: installed with
 * athlete_set_allocator before any Athlete object exists, removed after the last one. */
#ifndef ATHLETE_TEST_ALLOC_COUNT_H
#define ATHLETE_TEST_ALLOC_COUNT_H

#include <athlete/alloc.h>

#include <stdlib.h>

#include "test-util.h"

static size_t allocation_count;

static void *counting_malloc(size_t n)
{
    allocation_count++;
    return malloc(n);
}

static void *counting_calloc(size_t c, size_t n)
{
    allocation_count++;
    return calloc(c, n);
}

static void *counting_realloc(void *p, size_t n)
{
    allocation_count++;
    return realloc(p, n);
}

static inline void count_allocations_begin(void)
{
    athlete_error err;
    ck_assert_ok(athlete_set_allocator(counting_malloc, counting_calloc, counting_realloc, free, &err), &err);
}

static inline void count_allocations_end(void)
{
    athlete_error err;
    ck_assert_ok(athlete_set_allocator(NULL, NULL, NULL, NULL, &err), &err);
}

#endif

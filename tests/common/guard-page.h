/* Places a struct so that its last byte is the last readable byte before an inaccessible
 * page: a library that reads past the caller's struct_size crashes instead of passing. */
#ifndef ATHLETE_TEST_GUARD_PAGE_H
#define ATHLETE_TEST_GUARD_PAGE_H

#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Copies the first `size` bytes of `value` (a multiple of its alignment, e.g. the sizeof
 * of an older layout) to the end of a readable page followed by a PROT_NONE page; returns
 * the copy. Free with guard_page_free. */
static inline void *guard_page_copy(const void *value, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(base, MAP_FAILED);
    ck_assert_int_eq(mprotect(base + page, page, PROT_NONE), 0);
    unsigned char *copy = base + page - size;
    memcpy(copy, value, size);
    return copy;
}

static inline void guard_page_free(void *copy)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    unsigned char *base = (unsigned char *)((uintptr_t)copy & ~(uintptr_t)(page - 1));
    munmap(base, 2 * page);
}

#endif

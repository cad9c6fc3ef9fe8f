/* Key → value lists: the policy info, the update log and the agent_info a step returns.
 *
 * Fixed capacity and borrowed keys, so filling one never allocates (the step path is
 * allocation-free). Keys are string literals or other storage that outlives the list;
 * array values point into the component that produced them and stay valid until the next
 * call on the agent. */
#ifndef ATHLETE_INFO_H
#define ATHLETE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <athlete/export.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_value_type {
    ATHLETE_VALUE_BOOL = 1,
    ATHLETE_VALUE_INT = 2,
    ATHLETE_VALUE_REAL = 3,
    ATHLETE_VALUE_REALS = 4 /* an array of floats */
} athlete_value_type;

typedef struct athlete_info_item {
    const char *key;
    athlete_value_type type;
    bool boolean;
    int64_t integer;
    double real;
    const float *reals;
    size_t count; /* number of floats in reals */
} athlete_info_item;

#define ATHLETE_INFO_CAPACITY 16

typedef struct athlete_info {
    size_t count;
    athlete_info_item items[ATHLETE_INFO_CAPACITY];
} athlete_info;

ATHLETE_API void athlete_info_clear(athlete_info *info);
/* Setters replace an existing item with the same key (so a later writer wins, as Python's
 * dict merge); they return false only when the list is full. */
ATHLETE_API bool athlete_info_set_bool(athlete_info *info, const char *key, bool value);
ATHLETE_API bool athlete_info_set_int(athlete_info *info, const char *key, int64_t value);
ATHLETE_API bool athlete_info_set_real(athlete_info *info, const char *key, double value);
ATHLETE_API bool athlete_info_set_reals(athlete_info *info, const char *key, const float *values,
                                        size_t count);
/* Copies every item of src into dst (src wins on a clash). */
ATHLETE_API bool athlete_info_merge(athlete_info *dst, const athlete_info *src);
/* The item with this key, or NULL. */
ATHLETE_API const athlete_info_item *athlete_info_find(const athlete_info *info, const char *key);

ATHLETE_END_DECLS

#endif

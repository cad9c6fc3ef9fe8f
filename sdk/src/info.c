/* Fixed-capacity key → value lists (see info.h). */
#include <athlete/info.h>

#include <string.h>

void athlete_info_clear(athlete_info *info) { info->count = 0; }

/* The slot for `key`: the existing one or a new one at the end; NULL when full. */
static athlete_info_item *slot(athlete_info *info, const char *key)
{
    for (size_t i = 0; i < info->count; i++)
        if (strcmp(info->items[i].key, key) == 0)
            return &info->items[i];
    if (info->count == ATHLETE_INFO_CAPACITY)
        return NULL;
    athlete_info_item *item = &info->items[info->count++];
    memset(item, 0, sizeof *item);
    item->key = key;
    return item;
}

bool athlete_info_set_bool(athlete_info *info, const char *key, bool value)
{
    athlete_info_item *item = slot(info, key);
    if (!item)
        return false;
    item->type = ATHLETE_VALUE_BOOL;
    item->boolean = value;
    return true;
}

bool athlete_info_set_int(athlete_info *info, const char *key, int64_t value)
{
    athlete_info_item *item = slot(info, key);
    if (!item)
        return false;
    item->type = ATHLETE_VALUE_INT;
    item->integer = value;
    return true;
}

bool athlete_info_set_real(athlete_info *info, const char *key, double value)
{
    athlete_info_item *item = slot(info, key);
    if (!item)
        return false;
    item->type = ATHLETE_VALUE_REAL;
    item->real = value;
    return true;
}

bool athlete_info_set_reals(athlete_info *info, const char *key, const float *values, size_t count)
{
    athlete_info_item *item = slot(info, key);
    if (!item)
        return false;
    item->type = ATHLETE_VALUE_REALS;
    item->reals = values;
    item->count = count;
    return true;
}

bool athlete_info_merge(athlete_info *dst, const athlete_info *src)
{
    for (size_t i = 0; i < src->count; i++) {
        athlete_info_item *item = slot(dst, src->items[i].key);
        if (!item)
            return false;
        *item = src->items[i];
    }
    return true;
}

const athlete_info_item *athlete_info_find(const athlete_info *info, const char *key)
{
    for (size_t i = 0; i < info->count; i++)
        if (strcmp(info->items[i].key, key) == 0)
            return &info->items[i];
    return NULL;
}

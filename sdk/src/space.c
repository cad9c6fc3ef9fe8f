/* Box and Discrete spaces: validation, value checks, description, JSON form. */
#include <athlete/space.h>

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

athlete_space athlete_space_discrete(int64_t n)
{
    athlete_space s;
    memset(&s, 0, sizeof s);
    s.kind = ATHLETE_SPACE_DISCRETE;
    s.n = n;
    return s;
}

athlete_space athlete_space_box(size_t ndim, const size_t *shape, const float *low, const float *high)
{
    athlete_space s;
    memset(&s, 0, sizeof s);
    s.kind = ATHLETE_SPACE_BOX;
    s.ndim = ndim;
    for (size_t i = 0; i < ndim && i < ATHLETE_SPACE_MAX_DIMS; i++)
        s.shape[i] = shape[i];
    s.low = low;
    s.high = high;
    return s;
}

size_t athlete_space_flat_size(const athlete_space *space)
{
    if (space->kind == ATHLETE_SPACE_DISCRETE)
        return 1;
    size_t n = 1;
    for (size_t i = 0; i < space->ndim; i++)
        n *= space->shape[i];
    return n;
}

const char *athlete_space_kind_name(athlete_space_kind kind)
{
    switch (kind) {
    case ATHLETE_SPACE_BOX:
        return "Box";
    case ATHLETE_SPACE_DISCRETE:
        return "Discrete";
    }
    return "unknown";
}

athlete_status athlete_space_validate(const athlete_space *space, const char *what, athlete_error *err)
{
    if (!space)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s is NULL", what);
    if (space->kind == ATHLETE_SPACE_DISCRETE) {
        if (space->n <= 0)
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Discrete n must be > 0, got %" PRId64, what, space->n);
        if (space->n > (1 << 24))
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Discrete n must be <= 2^24 (values travel as float), got %" PRId64,
                                     what, space->n);
        /* Every value start .. start+n-1 must be exact as a float (and start+n cannot overflow). */
        if (space->start < -(INT64_C(1) << 24) || space->start > (INT64_C(1) << 24) - space->n)
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Discrete start must keep every value within +-2^24 (values travel as float), got start %" PRId64,
                                     what, space->start);
        return ATHLETE_OK;
    }
    if (space->kind != ATHLETE_SPACE_BOX)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s: unknown space kind %d", what,
                                 (int)space->kind);
    if (space->ndim < 1 || space->ndim > ATHLETE_SPACE_MAX_DIMS)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                 "%s: Box must have 1 to %d dimensions, got %zu", what,
                                 ATHLETE_SPACE_MAX_DIMS, space->ndim);
    size_t elements = 1;
    for (size_t i = 0; i < space->ndim; i++) {
        if (space->shape[i] == 0)
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Box shape[%zu] is 0", what, i);
        /* Checked one factor at a time, so the product can never wrap around. */
        if (space->shape[i] > ATHLETE_SPACE_MAX_ELEMENTS / elements)
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Box has more than %d elements (the limit on a space's flat size)", what,
                                     ATHLETE_SPACE_MAX_ELEMENTS);
        elements *= space->shape[i];
    }
    if (!space->low || !space->high)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s: Box bounds are NULL", what);
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++) {
        if (isnan(space->low[i]) || isnan(space->high[i]))
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s: Box bound %zu is NaN",
                                     what, i);
        if (space->low[i] > space->high[i])
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: Box low[%zu] = %g is above high[%zu] = %g", what, i,
                                     (double)space->low[i], i, (double)space->high[i]);
    }
    return ATHLETE_OK;
}

bool athlete_space_is_bounded(const athlete_space *space)
{
    if (space->kind != ATHLETE_SPACE_BOX)
        return true;
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(space->low[i]) || !isfinite(space->high[i]))
            return false;
    return true;
}

athlete_status athlete_space_check_value(const athlete_space *space, const float *value,
                                         const char *what, athlete_error *err)
{
    if (!value)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s is NULL", what);
    if (space->kind == ATHLETE_SPACE_DISCRETE) {
        float v = value[0];
        if (!isfinite(v))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s is %s", what,
                                     isnan(v) ? "NaN" : "infinite");
        if (v != floorf(v) || v < (float)space->start || v >= (float)(space->start + space->n))
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s = %g is not an integer in [%" PRId64 ", %" PRId64 ")",
                                     what, (double)v, space->start, space->start + space->n);
        return ATHLETE_OK;
    }
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++) {
        float v = value[i];
        if (!isfinite(v))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s[%zu] is %s", what, i,
                                     isnan(v) ? "NaN" : "infinite");
    }
    for (size_t i = 0; i < n; i++) {
        float v = value[i];
        if (v < space->low[i] || v > space->high[i])
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s[%zu] = %g is outside [%g, %g]", what, i, (double)v,
                                     (double)space->low[i], (double)space->high[i]);
    }
    return ATHLETE_OK;
}

bool athlete_space_equal(const athlete_space *a, const athlete_space *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind == ATHLETE_SPACE_DISCRETE)
        return a->n == b->n && a->start == b->start;
    if (a->ndim != b->ndim)
        return false;
    for (size_t i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i])
            return false;
    size_t n = athlete_space_flat_size(a);
    return memcmp(a->low, b->low, n * sizeof(float)) == 0 &&
           memcmp(a->high, b->high, n * sizeof(float)) == 0;
}

/* Appends to buf at *pos, never past size, keeping the text NUL-terminated. */
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...) ATHLETE_PRINTF(4, 5);
static void append(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    if (*pos >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *pos, size - *pos, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n;
}

static void append_bounds(char *buf, size_t size, size_t *pos, const float *v, size_t n)
{
    append(buf, size, pos, "[");
    size_t shown = n > 6 ? 6 : n;
    for (size_t i = 0; i < shown; i++)
        append(buf, size, pos, "%s%g", i ? ", " : "", (double)v[i]);
    if (shown < n)
        append(buf, size, pos, ", ...");
    append(buf, size, pos, "]");
}

char *athlete_space_describe(const athlete_space *space, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    size_t pos = 0;
    if (space->kind == ATHLETE_SPACE_DISCRETE) {
        if (space->start)
            append(buf, size, &pos, "Discrete(%" PRId64 ", start=%" PRId64 ")", space->n, space->start);
        else
            append(buf, size, &pos, "Discrete(%" PRId64 ")", space->n);
        return buf;
    }
    if (space->kind != ATHLETE_SPACE_BOX) {
        append(buf, size, &pos, "unknown space");
        return buf;
    }
    append(buf, size, &pos, "Box(shape=(");
    for (size_t i = 0; i < space->ndim; i++)
        append(buf, size, &pos, "%zu%s", space->shape[i], space->ndim == 1 ? "," : (i + 1 < space->ndim ? ", " : ""));
    append(buf, size, &pos, ")");
    if (space->low && space->high) {
        size_t n = athlete_space_flat_size(space);
        append(buf, size, &pos, ", low=");
        append_bounds(buf, size, &pos, space->low, n);
        append(buf, size, &pos, ", high=");
        append_bounds(buf, size, &pos, space->high, n);
    }
    append(buf, size, &pos, ")");
    return buf;
}

athlete_status athlete_space_clone(const athlete_space *space, athlete_space **out, athlete_error *err)
{
    size_t n = space->kind == ATHLETE_SPACE_BOX ? athlete_space_flat_size(space) : 0;
    athlete_space *copy = athlete_malloc(sizeof *copy + 2 * n * sizeof(float));
    if (!copy)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "space: out of memory");
    *copy = *space;
    if (space->kind == ATHLETE_SPACE_BOX) {
        float *bounds = (float *)(copy + 1);
        memcpy(bounds, space->low, n * sizeof(float));
        memcpy(bounds + n, space->high, n * sizeof(float));
        copy->low = bounds;
        copy->high = bounds + n;
    } else {
        copy->low = copy->high = NULL;
    }
    *out = copy;
    return ATHLETE_OK;
}

void athlete_space_free(athlete_space *space) { athlete_free(space); }

static cJSON *bound_to_json(float v)
{
    if (isinf(v))
        return cJSON_CreateString(v > 0 ? "inf" : "-inf");
    return cJSON_CreateNumber((double)v);
}

athlete_status athlete_space_to_json(const athlete_space *space, char **json, athlete_error *err)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "space: out of memory");
    bool ok = cJSON_AddStringToObject(root, "type", athlete_space_kind_name(space->kind)) != NULL;
    if (space->kind == ATHLETE_SPACE_DISCRETE) {
        ok = ok && cJSON_AddNumberToObject(root, "n", (double)space->n);
        ok = ok && cJSON_AddNumberToObject(root, "start", (double)space->start);
    } else {
        cJSON *shape = cJSON_AddArrayToObject(root, "shape");
        cJSON *low = cJSON_AddArrayToObject(root, "low");
        cJSON *high = cJSON_AddArrayToObject(root, "high");
        ok = ok && shape && low && high;
        for (size_t i = 0; ok && i < space->ndim; i++)
            ok = cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)space->shape[i]));
        size_t n = athlete_space_flat_size(space);
        for (size_t i = 0; ok && i < n; i++)
            ok = cJSON_AddItemToArray(low, bound_to_json(space->low[i])) &&
                 cJSON_AddItemToArray(high, bound_to_json(space->high[i]));
    }
    char *text = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    if (!text)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "space: out of memory");
    *json = text;
    return ATHLETE_OK;
}

static bool json_to_bound(const cJSON *item, float *out)
{
    if (cJSON_IsNumber(item)) {
        *out = (float)item->valuedouble;
        return true;
    }
    if (cJSON_IsString(item)) {
        if (strcmp(item->valuestring, "inf") == 0) {
            *out = INFINITY;
            return true;
        }
        if (strcmp(item->valuestring, "-inf") == 0) {
            *out = -INFINITY;
            return true;
        }
    }
    return false;
}

static bool json_integer(const cJSON *item, double min, double max, double *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    if (v != floor(v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

athlete_status athlete_space_from_json(const char *json, athlete_space **out, athlete_error *err)
{
    athlete_status st = ATHLETE_OK;
    athlete_space *result = NULL;
    float *bounds = NULL;
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    if (!root || !cJSON_IsObject(root)) {
        st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "space JSON: not a JSON object");
        goto done;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    if (!cJSON_IsString(type)) {
        st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "space JSON: missing string 'type'");
        goto done;
    }
    athlete_space space;
    memset(&space, 0, sizeof space);
    if (strcmp(type->valuestring, "Discrete") == 0) {
        double n, start = 0;
        const cJSON *start_item = cJSON_GetObjectItemCaseSensitive(root, "start");
        if (!json_integer(cJSON_GetObjectItemCaseSensitive(root, "n"), 1, 16777216.0, &n) ||
            (start_item && !json_integer(start_item, -9007199254740992.0, 9007199254740992.0, &start))) {
            st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                   "space JSON: Discrete needs an integer 'n' >= 1 and an integer 'start'");
            goto done;
        }
        space = athlete_space_discrete((int64_t)n);
        space.start = (int64_t)start;
    } else if (strcmp(type->valuestring, "Box") == 0) {
        const cJSON *shape = cJSON_GetObjectItemCaseSensitive(root, "shape");
        const cJSON *low = cJSON_GetObjectItemCaseSensitive(root, "low");
        const cJSON *high = cJSON_GetObjectItemCaseSensitive(root, "high");
        int ndim = cJSON_IsArray(shape) ? cJSON_GetArraySize(shape) : 0;
        if (ndim < 1 || ndim > ATHLETE_SPACE_MAX_DIMS) {
            st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                   "space JSON: Box 'shape' must be an array of 1 to %d sizes",
                                   ATHLETE_SPACE_MAX_DIMS);
            goto done;
        }
        size_t dims[ATHLETE_SPACE_MAX_DIMS];
        size_t n = 1;
        int i = 0;
        const cJSON *item;
        cJSON_ArrayForEach(item, shape) {
            double d;
            if (!json_integer(item, 1, 1 << 24, &d)) {
                st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                       "space JSON: Box shape[%d] is not a positive integer", i);
                goto done;
            }
            dims[i] = (size_t)d;
            n *= dims[i];
            if (n > (1u << 24)) {
                st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "space JSON: Box too large");
                goto done;
            }
            i++;
        }
        if (!cJSON_IsArray(low) || !cJSON_IsArray(high) || (size_t)cJSON_GetArraySize(low) != n ||
            (size_t)cJSON_GetArraySize(high) != n) {
            st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                   "space JSON: Box 'low' and 'high' must each hold %zu numbers", n);
            goto done;
        }
        bounds = athlete_malloc(2 * n * sizeof(float));
        if (!bounds) {
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "space: out of memory");
            goto done;
        }
        /* Walked as lists: indexing a cJSON array is linear, so a loop of lookups would be quadratic. */
        const cJSON *lo = low->child, *hi = high->child;
        for (size_t k = 0; k < n; k++, lo = lo->next, hi = hi->next) {
            if (!json_to_bound(lo, &bounds[k]) || !json_to_bound(hi, &bounds[n + k])) {
                st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                       "space JSON: Box bound %zu is not a number, \"inf\" or \"-inf\"", k);
                goto done;
            }
        }
        space = athlete_space_box((size_t)ndim, dims, bounds, bounds + n);
    } else {
        st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                               "space JSON: unknown type '%s' (expected \"Box\" or \"Discrete\")",
                               type->valuestring);
        goto done;
    }
    st = athlete_space_validate(&space, "space JSON", err);
    if (st == ATHLETE_OK)
        st = athlete_space_clone(&space, &result, err);
    if (st == ATHLETE_OK)
        *out = result;
done:
    athlete_free(bounds);
    cJSON_Delete(root);
    return st;
}

void athlete_space_clip(const athlete_space *space, const float *value, float *out)
{
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++) {
        float v = value[i];
        if (space->kind == ATHLETE_SPACE_BOX)
            v = v < space->low[i] ? space->low[i] : v > space->high[i] ? space->high[i] : v;
        out[i] = v;
    }
}

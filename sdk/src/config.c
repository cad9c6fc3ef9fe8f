/* Configuration: defaults as the schema, overrides checked against it (see config.h). */
#include <athlete/config.h>

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* What a key accepts, as a bit set. */
enum {
    T_NULL = 1 << 0,
    T_BOOL = 1 << 1,
    T_INTEGER = 1 << 2, /* an integral number */
    T_NUMBER = 1 << 3,  /* any number (implies integers) */
    T_STRING = 1 << 4,
    T_ARRAY = 1 << 5,
    T_OBJECT = 1 << 6,
};

#define MAX_PATH 128

typedef struct schema_entry {
    char path[MAX_PATH];
    unsigned accepts;
    unsigned elements; /* arrays: what each element accepts (0 = anything) */
} schema_entry;

struct athlete_config {
    char owner[32];
    cJSON *root;
    schema_entry *schema;
    size_t schema_count;
};

/* ---- reading the defaults' text: is each number token written as an integer? ---- */

typedef struct number_flags {
    bool *integral;
    size_t count, capacity;
} number_flags;

static bool push_flag(number_flags *f, bool integral)
{
    if (f->count == f->capacity) {
        size_t cap = f->capacity ? 2 * f->capacity : 32;
        bool *grown = athlete_realloc(f->integral, cap * sizeof *grown);
        if (!grown)
            return false;
        f->integral = grown;
        f->capacity = cap;
    }
    f->integral[f->count++] = integral;
    return true;
}

/* cJSON forgets whether "1" was written "1" or "1.0"; the schema needs it, so the text is
 * scanned for number tokens, which appear in the same order as a depth-first walk. */
static bool scan_numbers(const char *text, number_flags *flags)
{
    for (const char *p = text; *p;) {
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
        } else if (*p == '-' || isdigit((unsigned char)*p)) {
            bool integral = true;
            for (; *p && (isdigit((unsigned char)*p) || strchr("+-.eE", *p)); p++)
                if (*p == '.' || *p == 'e' || *p == 'E')
                    integral = false;
            if (!push_flag(flags, integral))
                return false;
        } else {
            p++;
        }
    }
    return true;
}

static unsigned kind_of(const cJSON *item, const number_flags *flags, size_t *next)
{
    if (cJSON_IsNull(item))
        return T_NULL | T_NUMBER; /* an optional number, e.g. target_net_tau */
    if (cJSON_IsBool(item))
        return T_BOOL;
    if (cJSON_IsNumber(item)) {
        bool integral = *next < flags->count ? flags->integral[*next] : false;
        (*next)++;
        return integral ? T_INTEGER : T_NUMBER;
    }
    if (cJSON_IsString(item))
        return T_STRING;
    if (cJSON_IsArray(item))
        return T_ARRAY;
    return T_OBJECT;
}

static bool add_entry(athlete_config *c, size_t *cap, const char *path, unsigned accepts,
                      unsigned elements)
{
    if (c->schema_count == *cap) {
        size_t grown_cap = *cap ? 2 * *cap : 32;
        schema_entry *grown = athlete_realloc(c->schema, grown_cap * sizeof *grown);
        if (!grown)
            return false;
        c->schema = grown;
        *cap = grown_cap;
    }
    schema_entry *e = &c->schema[c->schema_count++];
    snprintf(e->path, sizeof e->path, "%s", path);
    e->accepts = accepts;
    e->elements = elements;
    return true;
}

static bool build_schema(athlete_config *c, size_t *cap, const cJSON *object, const char *prefix,
                         const number_flags *flags, size_t *next)
{
    for (const cJSON *item = object->child; item; item = item->next) {
        char path[MAX_PATH];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", item->string);
        unsigned kind = kind_of(item, flags, next);
        unsigned elements = 0;
        if (kind == T_ARRAY) {
            for (const cJSON *el = item->child; el; el = el->next) {
                unsigned k = kind_of(el, flags, next);
                elements = elements ? (elements | k) : k;
                if (cJSON_IsObject(el) || cJSON_IsArray(el))
                    elements = 0; /* nested structures inside arrays are not typed */
            }
            if (elements & T_NUMBER)
                elements = T_NUMBER | T_INTEGER;
        }
        if (!add_entry(c, cap, path, kind, elements))
            return false;
        if (kind == T_OBJECT && !build_schema(c, cap, item, path, flags, next))
            return false;
    }
    return true;
}

static schema_entry *find_entry(const athlete_config *c, const char *path)
{
    for (size_t i = 0; i < c->schema_count; i++)
        if (strcmp(c->schema[i].path, path) == 0)
            return &c->schema[i];
    return NULL;
}

static unsigned parse_type_name(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"null", T_NULL},     {"boolean", T_BOOL}, {"integer", T_INTEGER},
                 {"number", T_NUMBER}, {"string", T_STRING}, {"array", T_ARRAY},
                 {"object", T_OBJECT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return names[i].bit;
    return 0;
}

/* ---- messages ---- */

static const char *describe_expected(unsigned accepts, char *buf, size_t size)
{
    buf[0] = '\0';
    size_t pos = 0;
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {{T_INTEGER, "an integer"}, {T_NUMBER, "a number"}, {T_BOOL, "a boolean"},
                 {T_STRING, "a string"},    {T_ARRAY, "an array"},  {T_OBJECT, "an object"},
                 {T_NULL, "null"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(accepts & names[i].bit))
            continue;
        if (names[i].bit == T_INTEGER && (accepts & T_NUMBER))
            continue; /* "a number" covers it */
        int n = snprintf(buf + pos, size - pos, "%s%s", pos ? " or " : "", names[i].text);
        if (n > 0 && (size_t)n < size - pos)
            pos += (size_t)n;
    }
    return buf;
}

static const char *describe_value(const cJSON *v, char *buf, size_t size)
{
    if (cJSON_IsNumber(v))
        snprintf(buf, size, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, size, "the string \"%.40s\"", v->valuestring);
    else if (cJSON_IsBool(v))
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, size, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, size, "an array");
    else
        snprintf(buf, size, "an object");
    return buf;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *last_segment(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* True when `word` is the initials of the '_'-separated words of `phrase` ("lr" for
 * "learning_rate"): a common abbreviation many letters away. */
static bool is_initials(const char *word, const char *phrase)
{
    size_t n = 0;
    bool start = true;
    for (const char *p = phrase; *p; p++) {
        if (*p == '_') {
            start = true;
            continue;
        }
        if (start && word[n++] != *p)
            return false;
        start = false;
    }
    return n >= 2 && word[n] == '\0';
}

/* The known key closest to `path`, or NULL when nothing is close. */
static const char *nearest_key(const athlete_config *c, const char *path)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    for (size_t i = 0; i < c->schema_count; i++) {
        const char *candidate = c->schema[i].path;
        size_t d = edit_distance(path, candidate);
        size_t d_last = edit_distance(last_segment(path), last_segment(candidate));
        if (d_last < d)
            d = d_last;
        /* "batch_size" for "batch": a known key that starts the unknown one (or the
         * reverse) is a likely meaning even when many letters differ. */
        const char *a = last_segment(path), *b = last_segment(candidate);
        size_t shorter = strlen(a) < strlen(b) ? strlen(a) : strlen(b);
        if (shorter >= 3 && strncmp(a, b, shorter) == 0 && d > 1)
            d = 1;
        if ((is_initials(a, b) || is_initials(b, a)) && d > 1)
            d = 1;
        if (d < best_d) {
            best_d = d;
            best = candidate;
        }
    }
    size_t limit = strlen(last_segment(path)) / 3 + 1;
    return best_d <= (limit > 3 ? 3 : limit) ? best : NULL;
}

static athlete_status unknown_key(const athlete_config *c, const char *path, athlete_error *err)
{
    const char *near = nearest_key(c, path);
    if (near)
        return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                                 "%s config: unknown key '%s'; did you mean '%s'?", c->owner, path,
                                 near);
    return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                             "%s config: unknown key '%s' (see the default configuration)", c->owner,
                             path);
}

/* ---- overrides ---- */

static bool value_accepted(const cJSON *v, unsigned accepts)
{
    if (cJSON_IsNull(v))
        return accepts & T_NULL;
    if (cJSON_IsBool(v))
        return accepts & T_BOOL;
    if (cJSON_IsNumber(v)) {
        if (accepts & T_NUMBER)
            return isfinite(v->valuedouble);
        return (accepts & T_INTEGER) && v->valuedouble == floor(v->valuedouble) &&
               fabs(v->valuedouble) <= 9007199254740992.0;
    }
    if (cJSON_IsString(v))
        return accepts & T_STRING;
    if (cJSON_IsArray(v))
        return accepts & T_ARRAY;
    return accepts & T_OBJECT;
}

static cJSON *find_path(cJSON *root, const char *path)
{
    char buf[MAX_PATH];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *node = root;
    for (char *save = NULL, *seg = strtok_r(buf, ".", &save); seg; seg = strtok_r(NULL, ".", &save)) {
        if (!cJSON_IsObject(node))
            return NULL;
        node = cJSON_GetObjectItemCaseSensitive(node, seg);
        if (!node)
            return NULL;
    }
    return node;
}

static athlete_status apply_value(athlete_config *c, cJSON *root, const char *path, const cJSON *v,
                                  athlete_error *err);

static athlete_status apply_object(athlete_config *c, cJSON *root, const char *prefix,
                                   const cJSON *object, athlete_error *err)
{
    for (const cJSON *item = object->child; item; item = item->next) {
        char path[MAX_PATH];
        int n = snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", item->string);
        if (n < 0 || (size_t)n >= sizeof path)
            return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                                     "%s config: key '%.60s...' is too long", c->owner, path);
        athlete_status st = apply_value(c, root, path, item, err);
        if (st != ATHLETE_OK)
            return st;
    }
    return ATHLETE_OK;
}

static athlete_status apply_value(athlete_config *c, cJSON *root, const char *path, const cJSON *v,
                                  athlete_error *err)
{
    const schema_entry *e = find_entry(c, path);
    if (!e)
        return unknown_key(c, path, err);
    char expected[96], got[96];
    if (e->accepts == T_OBJECT) {
        if (!cJSON_IsObject(v))
            return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE, "%s config: '%s' expects %s, got %s",
                                     c->owner, path, describe_expected(e->accepts, expected, sizeof expected),
                                     describe_value(v, got, sizeof got));
        return apply_object(c, root, path, v, err); /* nested objects merge key by key */
    }
    if (!value_accepted(v, e->accepts))
        return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE, "%s config: '%s' expects %s, got %s",
                                 c->owner, path, describe_expected(e->accepts, expected, sizeof expected),
                                 describe_value(v, got, sizeof got));
    if (cJSON_IsArray(v) && e->elements) {
        int i = 0;
        for (const cJSON *el = v->child; el; el = el->next, i++)
            if (!value_accepted(el, e->elements))
                return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE,
                                         "%s config: '%s'[%d] expects %s, got %s", c->owner, path, i,
                                         describe_expected(e->elements, expected, sizeof expected),
                                         describe_value(el, got, sizeof got));
    }
    cJSON *copy = cJSON_Duplicate(v, true);
    if (!copy)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s config: out of memory", c->owner);
    /* Replace the value in its parent object. */
    char parent_path[MAX_PATH];
    snprintf(parent_path, sizeof parent_path, "%s", path);
    char *dot = strrchr(parent_path, '.');
    cJSON *parent = root;
    const char *key = path;
    if (dot) {
        *dot = '\0';
        parent = find_path(root, parent_path);
        key = dot + 1;
    }
    if (!parent || !cJSON_ReplaceItemInObjectCaseSensitive(parent, key, copy)) {
        cJSON_Delete(copy);
        return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY, "%s config: cannot set '%s'",
                                 c->owner, path);
    }
    return ATHLETE_OK;
}

static athlete_status parse_object(const char *owner, const char *what, const char *text,
                                   cJSON **out, athlete_error *err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, true);
    if (!root) {
        size_t offset = end ? (size_t)(end - text) : 0;
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s config: %s is not valid JSON (error at byte %zu)", owner, what,
                                 offset);
    }
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s config: %s must be a JSON object", owner, what);
    }
    *out = root;
    return ATHLETE_OK;
}

athlete_status athlete_config_apply(athlete_config *config, const char *overrides_json,
                                    athlete_error *err)
{
    if (!overrides_json || !*overrides_json)
        return ATHLETE_OK;
    cJSON *overrides = NULL;
    athlete_status st = parse_object(config->owner, "the overrides", overrides_json, &overrides, err);
    if (st != ATHLETE_OK)
        return st;
    /* Work on a copy so a failure leaves the configuration unchanged. */
    cJSON *work = cJSON_Duplicate(config->root, true);
    if (!work) {
        cJSON_Delete(overrides);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s config: out of memory", config->owner);
    }
    st = apply_object(config, work, "", overrides, err);
    cJSON_Delete(overrides);
    if (st != ATHLETE_OK) {
        cJSON_Delete(work);
        return st;
    }
    cJSON_Delete(config->root);
    config->root = work;
    return ATHLETE_OK;
}

athlete_status athlete_config_create(const char *owner, const char *defaults_json,
                                     const char *types_json, const char *overrides_json,
                                     athlete_config **out, athlete_error *err)
{
    athlete_status st;
    number_flags flags = {0};
    cJSON *types = NULL;
    athlete_config *c = athlete_calloc(1, sizeof *c);
    if (!c)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "config: out of memory");
    snprintf(c->owner, sizeof c->owner, "%s", owner ? owner : "algorithm");
    if (!defaults_json) {
        st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s config: no defaults", c->owner);
        goto fail;
    }
    st = parse_object(c->owner, "the defaults", defaults_json, &c->root, err);
    if (st != ATHLETE_OK)
        goto fail;
    size_t cap = 0, next = 0;
    if (!scan_numbers(defaults_json, &flags) || !build_schema(c, &cap, c->root, "", &flags, &next)) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s config: out of memory", c->owner);
        goto fail;
    }
    if (types_json && *types_json) {
        st = parse_object(c->owner, "the key types", types_json, &types, err);
        if (st != ATHLETE_OK)
            goto fail;
        for (const cJSON *item = types->child; item; item = item->next) {
            schema_entry *e = find_entry(c, item->string);
            unsigned accepts = 0;
            const cJSON *name;
            cJSON_ArrayForEach(name, item)
            {
                unsigned bit = cJSON_IsString(name) ? parse_type_name(name->valuestring) : 0;
                if (!bit) {
                    st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                           "%s config: key types: '%s' lists an unknown type",
                                           c->owner, item->string);
                    goto fail;
                }
                accepts |= bit;
            }
            if (!e || !cJSON_IsArray(item) || !accepts) {
                st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                       "%s config: key types: '%s' is not a default key with a list of types",
                                       c->owner, item->string);
                goto fail;
            }
            e->accepts = accepts;
        }
    }
    st = athlete_config_apply(c, overrides_json, err);
    if (st != ATHLETE_OK)
        goto fail;
    athlete_free(flags.integral);
    cJSON_Delete(types);
    *out = c;
    return ATHLETE_OK;
fail:
    athlete_free(flags.integral);
    cJSON_Delete(types);
    athlete_config_destroy(c);
    return st;
}

void athlete_config_destroy(athlete_config *config)
{
    if (!config)
        return;
    cJSON_Delete(config->root);
    athlete_free(config->schema);
    athlete_free(config);
}

const char *athlete_config_owner(const athlete_config *config) { return config->owner; }

/* ---- getters ---- */

static athlete_status lookup(const athlete_config *c, const char *key, const cJSON **out,
                             athlete_error *err)
{
    const cJSON *v = find_path(c->root, key);
    if (!v)
        return athlete_error_set(err, ATHLETE_E_CONFIG_UNKNOWN_KEY,
                                 "%s config: no key '%s'", c->owner, key);
    *out = v;
    return ATHLETE_OK;
}

static athlete_status wrong_type(const athlete_config *c, const char *key, const char *expected,
                                 const cJSON *v, athlete_error *err)
{
    char got[96];
    return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE, "%s config: '%s' expects %s, got %s",
                             c->owner, key, expected, describe_value(v, got, sizeof got));
}

athlete_status athlete_config_get_int(const athlete_config *c, const char *key, int64_t *out,
                                      athlete_error *err)
{
    const cJSON *v = NULL;
    athlete_status st = lookup(c, key, &v, err);
    if (st != ATHLETE_OK)
        return st;
    if (!value_accepted(v, T_INTEGER))
        return wrong_type(c, key, "an integer", v, err);
    *out = (int64_t)v->valuedouble;
    return ATHLETE_OK;
}

athlete_status athlete_config_get_real(const athlete_config *c, const char *key, double *out,
                                       athlete_error *err)
{
    const cJSON *v = NULL;
    athlete_status st = lookup(c, key, &v, err);
    if (st != ATHLETE_OK)
        return st;
    if (!cJSON_IsNumber(v))
        return wrong_type(c, key, "a number", v, err);
    *out = v->valuedouble;
    return ATHLETE_OK;
}

athlete_status athlete_config_get_bool(const athlete_config *c, const char *key, bool *out,
                                       athlete_error *err)
{
    const cJSON *v = NULL;
    athlete_status st = lookup(c, key, &v, err);
    if (st != ATHLETE_OK)
        return st;
    if (!cJSON_IsBool(v))
        return wrong_type(c, key, "a boolean", v, err);
    *out = cJSON_IsTrue(v);
    return ATHLETE_OK;
}

athlete_status athlete_config_get_string(const athlete_config *c, const char *key, const char **out,
                                         athlete_error *err)
{
    const cJSON *v = NULL;
    athlete_status st = lookup(c, key, &v, err);
    if (st != ATHLETE_OK)
        return st;
    if (!cJSON_IsString(v))
        return wrong_type(c, key, "a string", v, err);
    *out = v->valuestring;
    return ATHLETE_OK;
}

athlete_status athlete_config_get_int_array(const athlete_config *c, const char *key, int64_t *out,
                                            size_t capacity, size_t *count, athlete_error *err)
{
    const cJSON *v = NULL;
    athlete_status st = lookup(c, key, &v, err);
    if (st != ATHLETE_OK)
        return st;
    if (!cJSON_IsArray(v))
        return wrong_type(c, key, "an array of integers", v, err);
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n > capacity)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s config: '%s' has %zu elements, at most %zu are supported",
                                 c->owner, key, n, capacity);
    size_t i = 0;
    for (const cJSON *el = v->child; el; el = el->next, i++) {
        if (!value_accepted(el, T_INTEGER)) {
            char got[96];
            return athlete_error_set(err, ATHLETE_E_CONFIG_TYPE,
                                     "%s config: '%s'[%zu] expects an integer, got %s", c->owner,
                                     key, i, describe_value(el, got, sizeof got));
        }
        out[i] = (int64_t)el->valuedouble;
    }
    *count = n;
    return ATHLETE_OK;
}

bool athlete_config_has(const athlete_config *c, const char *key) { return find_path(c->root, key) != NULL; }

bool athlete_config_is_null(const athlete_config *c, const char *key)
{
    const cJSON *v = find_path(c->root, key);
    return v && cJSON_IsNull(v);
}

bool athlete_config_is_string(const athlete_config *c, const char *key)
{
    const cJSON *v = find_path(c->root, key);
    return v && cJSON_IsString(v);
}

athlete_status athlete_config_to_json(const athlete_config *c, bool pretty, char **json,
                                      athlete_error *err)
{
    char *text = pretty ? cJSON_Print(c->root) : cJSON_PrintUnformatted(c->root);
    if (!text)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s config: out of memory", c->owner);
    *json = text;
    return ATHLETE_OK;
}

/* ---- range-checked getters ---- */

athlete_status athlete_config_value_error(const athlete_config *c, const char *key, const char *expected, double got,
                                          athlete_error *err)
{
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s' must be %s, got %g", c->owner, key, expected,
                             got);
}

athlete_status athlete_config_get_int_min(const athlete_config *c, const char *key, int64_t min, int64_t *out,
                                          athlete_error *err)
{
    athlete_status st = athlete_config_get_int(c, key, out, err);
    if (st == ATHLETE_OK && *out < min)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s' must be >= %lld, got %lld", c->owner, key,
                                 (long long)min, (long long)*out);
    return st;
}

athlete_status athlete_config_get_real_in(const athlete_config *c, const char *key, double low, double high,
                                          bool low_open, const char *expected, double *out, athlete_error *err)
{
    athlete_status st = athlete_config_get_real(c, key, out, err);
    if (st != ATHLETE_OK)
        return st;
    double v = *out;
    bool above = low_open ? v > low : v >= low;
    if (!(isfinite(v) && above && v <= high))
        return athlete_config_value_error(c, key, expected, v, err);
    return ATHLETE_OK;
}

athlete_status athlete_config_get_optional_real_in(const athlete_config *c, const char *key, double low,
                                                   double high, bool low_open, const char *expected, double *out,
                                                   athlete_error *err)
{
    *out = 0.0;
    if (athlete_config_is_null(c, key))
        return ATHLETE_OK;
    return athlete_config_get_real_in(c, key, low, high, low_open, expected, out, err);
}

athlete_status athlete_config_get_sizes(const athlete_config *c, const char *key, int64_t low, int64_t high,
                                        size_t *out, size_t capacity, size_t *count, athlete_error *err)
{
    int64_t values[64];
    if (capacity > 64)
        capacity = 64;
    athlete_status st = athlete_config_get_int_array(c, key, values, capacity, count, err);
    if (st != ATHLETE_OK)
        return st;
    for (size_t i = 0; i < *count; i++) {
        if (values[i] < low || values[i] > high)
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s'[%zu] must be in [%lld, %lld], got %lld",
                                     c->owner, key, i, (long long)low, (long long)high, (long long)values[i]);
        out[i] = (size_t)values[i];
    }
    return ATHLETE_OK;
}

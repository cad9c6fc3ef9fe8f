/* Configuration tables: defaults, range checks, settings and descriptions from one
 * declaration per key (see config-table.h). */
#include <athlete/config-table.h>

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 128

/* The 1.0 sizes: a table or key from a newer SDK is read up to what this one knows. */
#define KEY_SIZE_1_0 (offsetof(athlete_config_key, description) + sizeof(const char *))
#define TABLE_SIZE_1_0 (offsetof(athlete_config_table, settings_size) + sizeof(size_t))

static const athlete_config_key *key_at(const athlete_config_table *t, size_t i)
{
    return (const athlete_config_key *)(const void *)((const char *)t->keys + i * t->key_size);
}

static bool is_whole(double v) { return isfinite(v) && v == floor(v) && fabs(v) <= 9007199254740992.0; }

static bool has_min(const athlete_config_key *k) { return isfinite(k->min); }
static bool has_max(const athlete_config_key *k) { return isfinite(k->max); }

/* A number as a message or JSON writes it: integers without a fraction. */
static void format_number(const athlete_config_key *k, double v, char *buf, size_t size)
{
    if (k->type == ATHLETE_CONFIG_REAL)
        snprintf(buf, size, "%g", v);
    else
        snprintf(buf, size, "%.0f", v);
}

/* The words of a key's range: its own, or the interval made from min and max. */
static const char *rule_of(const athlete_config_key *k, char *buf, size_t size)
{
    if (k->rule)
        return k->rule;
    char lo[40], hi[40], range[96];
    format_number(k, k->min, lo, sizeof lo);
    format_number(k, k->max, hi, sizeof hi);
    bool min_open = k->flags & ATHLETE_CONFIG_MIN_OPEN, max_open = k->flags & ATHLETE_CONFIG_MAX_OPEN;
    if (has_min(k) && has_max(k))
        snprintf(range, sizeof range, "in %c%s, %s%c", min_open ? '(' : '[', lo, hi, max_open ? ')' : ']');
    else if (has_min(k))
        snprintf(range, sizeof range, "%s %s", min_open ? ">" : ">=", lo);
    else if (has_max(k))
        snprintf(range, sizeof range, "%s %s", max_open ? "<" : "<=", hi);
    else
        snprintf(range, sizeof range, "finite");
    snprintf(buf, size, "%s%s", (k->flags & ATHLETE_CONFIG_NULLABLE) ? "null or " :
                                (k->flags & ATHLETE_CONFIG_AUTO) ? "\"auto\" or " : "", range);
    return buf;
}

static bool in_range(const athlete_config_key *k, double v)
{
    if (!isfinite(v))
        return false;
    if (has_min(k) && ((k->flags & ATHLETE_CONFIG_MIN_OPEN) ? !(v > k->min) : !(v >= k->min)))
        return false;
    if (has_max(k) && ((k->flags & ATHLETE_CONFIG_MAX_OPEN) ? !(v < k->max) : !(v <= k->max)))
        return false;
    return true;
}

static athlete_status out_of_range(const athlete_config *c, const athlete_config_key *k, const char *element,
                                   double v, athlete_error *err)
{
    char rule[160], got[40];
    format_number(k, v, got, sizeof got);
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s'%s must be %s, got %s",
                             athlete_config_owner(c), k->name, element, rule_of(k, rule, sizeof rule), got);
}

/* The range, then the limit, of one number. */
static athlete_status check_number(const athlete_config *c, const athlete_config_key *k, const char *element,
                                   double v, athlete_error *err)
{
    if (!in_range(k, v))
        return out_of_range(c, k, element, v, err);
    if (k->limit > 0 && v > k->limit) {
        char limit[40], got[40];
        format_number(k, k->limit, limit, sizeof limit);
        format_number(k, v, got, sizeof got);
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s'%s must be <= %s, got %s",
                                 athlete_config_owner(c), k->name, element, limit, got);
    }
    return ATHLETE_OK;
}

static int choice_index(const athlete_config_key *k, const char *value)
{
    for (int i = 0; k->choices[i]; i++)
        if (strcmp(k->choices[i], value) == 0)
            return i;
    return -1;
}

/* "\"mse\" or \"huber\"", "\"a\", \"b\" or \"c\"" */
static const char *choices_text(const athlete_config_key *k, char *buf, size_t size)
{
    size_t pos = 0, n = 0;
    while (k->choices[n])
        n++;
    buf[0] = '\0';
    for (size_t i = 0; i < n && pos < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int w = snprintf(buf + pos, size - pos, "%s\"%s\"", sep, k->choices[i]);
        if (w < 0)
            break;
        pos += (size_t)w;
    }
    return buf;
}

static athlete_status read_key(const athlete_config *c, const athlete_config_key *k, char *field,
                               athlete_error *err)
{
    const char *owner = athlete_config_owner(c);
    athlete_status st;
    if (((k->flags & ATHLETE_CONFIG_NULLABLE) && athlete_config_is_null(c, k->name)) ||
        ((k->flags & ATHLETE_CONFIG_AUTO) && athlete_config_is_string(c, k->name))) {
        if (k->flags & ATHLETE_CONFIG_AUTO && athlete_config_is_string(c, k->name)) {
            const char *text;
            if ((st = athlete_config_get_string(c, k->name, &text, err)))
                return st;
            if (strcmp(text, "auto") != 0)
                return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                         "%s config: '%s' must be \"auto\" or a number, got \"%s\"", owner,
                                         k->name, text);
        }
        if (field && k->type == ATHLETE_CONFIG_REAL)
            *(double *)(void *)field = k->absent;
        else if (field && k->type == ATHLETE_CONFIG_INT)
            *(int64_t *)(void *)field = (int64_t)k->absent;
        else if (field && k->type == ATHLETE_CONFIG_ENUM)
            *(int *)(void *)field = (int)k->absent;
        return ATHLETE_OK;
    }
    switch (k->type) {
    case ATHLETE_CONFIG_BOOL: {
        bool v;
        if ((st = athlete_config_get_bool(c, k->name, &v, err)))
            return st;
        if (field)
            *(bool *)(void *)field = v;
        return ATHLETE_OK;
    }
    case ATHLETE_CONFIG_INT: {
        int64_t v;
        if ((st = athlete_config_get_int(c, k->name, &v, err)) ||
            (st = check_number(c, k, "", (double)v, err)))
            return st;
        if (field)
            *(int64_t *)(void *)field = v;
        return ATHLETE_OK;
    }
    case ATHLETE_CONFIG_REAL: {
        double v;
        if ((st = athlete_config_get_real(c, k->name, &v, err)) || (st = check_number(c, k, "", v, err)))
            return st;
        if (field)
            *(double *)(void *)field = v;
        return ATHLETE_OK;
    }
    case ATHLETE_CONFIG_ENUM: {
        const char *v;
        if ((st = athlete_config_get_string(c, k->name, &v, err)))
            return st;
        int index = choice_index(k, v);
        if (index < 0) {
            char choices[256];
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s' must be %s, got \"%s\"", owner,
                                     k->name, choices_text(k, choices, sizeof choices), v);
        }
        if (field)
            *(int *)(void *)field = index;
        return ATHLETE_OK;
    }
    case ATHLETE_CONFIG_SIZES: {
        int64_t values[ATHLETE_CONFIG_MAX_SIZES];
        size_t count;
        size_t capacity = k->max_count ? k->max_count : ATHLETE_CONFIG_MAX_SIZES;
        if ((st = athlete_config_get_int_array(c, k->name, values, capacity, &count, err)))
            return st;
        if (count == 0 && (k->flags & ATHLETE_CONFIG_NONEMPTY))
            return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE, "%s config: '%s' needs at least one element",
                                     owner, k->name);
        athlete_config_sizes sizes = {.count = count};
        for (size_t i = 0; i < count; i++) {
            char element[24];
            snprintf(element, sizeof element, "[%zu]", i);
            if ((st = check_number(c, k, element, (double)values[i], err)))
                return st;
            sizes.values[i] = (size_t)values[i];
        }
        if (field)
            memcpy(field, &sizes, sizeof sizes);
        return ATHLETE_OK;
    }
    }
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s config: '%s' has an unknown type", owner,
                             k->name);
}

athlete_status athlete_config_table_read(const athlete_config_table *table, const athlete_config *config,
                                         void *settings, athlete_error *err)
{
    if (!table || !config)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "config table read: NULL argument");
    if (settings)
        memset(settings, 0, table->settings_size);
    for (size_t i = 0; i < table->count; i++) {
        const athlete_config_key *k = key_at(table, i);
        athlete_status st = read_key(config, k, settings ? (char *)settings + k->offset : NULL, err);
        if (st != ATHLETE_OK)
            return st;
    }
    return ATHLETE_OK;
}

/* ---- the defaults and the key types, as JSON ---- */

/* A real as the shortest text that reads back to the same double, with a decimal point
 * so the schema types it as a number and not as an integer. */
static void format_real(double v, char *buf, size_t size)
{
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, size, "%.17g", v);
    if (!strpbrk(buf, ".eEn"))
        strncat(buf, ".0", size - strlen(buf) - 1);
}

static cJSON *default_value(const athlete_config_key *k)
{
    char text[48];
    if (k->flags & ATHLETE_CONFIG_DEFAULT_ABSENT)
        return (k->flags & ATHLETE_CONFIG_NULLABLE) ? cJSON_CreateNull() : cJSON_CreateString("auto");
    switch (k->type) {
    case ATHLETE_CONFIG_BOOL:
        return cJSON_CreateBool(k->default_value != 0);
    case ATHLETE_CONFIG_INT:
        snprintf(text, sizeof text, "%.0f", k->default_value);
        return cJSON_CreateRaw(text);
    case ATHLETE_CONFIG_REAL:
        format_real(k->default_value, text, sizeof text);
        return cJSON_CreateRaw(text);
    case ATHLETE_CONFIG_ENUM:
        return cJSON_CreateString(k->default_choice);
    case ATHLETE_CONFIG_SIZES: {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < k->default_count; i++) {
            snprintf(text, sizeof text, "%zu", k->default_sizes[i]);
            cJSON *item = cJSON_CreateRaw(text);
            if (!item || !cJSON_AddItemToArray(array, item)) {
                cJSON_Delete(item);
                cJSON_Delete(array);
                return NULL;
            }
        }
        return array;
    }
    }
    return NULL;
}

/* Puts `value` at the dotted `name` inside `root`, creating nested objects on the way. */
static bool put_dotted(cJSON *root, const char *name, cJSON *value)
{
    char path[MAX_NAME];
    snprintf(path, sizeof path, "%s", name);
    cJSON *node = root;
    char *segment = path;
    for (char *dot; (dot = strchr(segment, '.')); segment = dot + 1) {
        *dot = '\0';
        cJSON *child = cJSON_GetObjectItemCaseSensitive(node, segment);
        if (!child) {
            child = cJSON_AddObjectToObject(node, segment);
            if (!child)
                return false;
        } else if (!cJSON_IsObject(child)) {
            return false;
        }
        node = child;
    }
    if (cJSON_GetObjectItemCaseSensitive(node, segment))
        return false;
    return cJSON_AddItemToObject(node, segment, value);
}

static athlete_status build_json(const athlete_config_table *t, char **defaults, char **types, athlete_error *err)
{
    cJSON *root = cJSON_CreateObject(), *kinds = cJSON_CreateObject();
    athlete_status st = ATHLETE_OK;
    if (!root || !kinds)
        goto no_memory;
    for (size_t i = 0; i < t->count; i++) {
        const athlete_config_key *k = key_at(t, i);
        cJSON *value = default_value(k);
        if (!value)
            goto no_memory;
        if (!put_dotted(root, k->name, value)) {
            cJSON_Delete(value);
            st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                   "config table: key '%s' is declared twice or inside another key", k->name);
            goto done;
        }
        if (k->flags & (ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_AUTO)) {
            const char *names[3];
            int n = 0;
            if (k->flags & ATHLETE_CONFIG_NULLABLE)
                names[n++] = "null";
            if (k->flags & ATHLETE_CONFIG_AUTO)
                names[n++] = "string";
            names[n++] = k->type == ATHLETE_CONFIG_INT ? "integer" : k->type == ATHLETE_CONFIG_ENUM ? "string" : "number";
            cJSON *list = cJSON_CreateStringArray(names, n);
            if (!list || !cJSON_AddItemToObject(kinds, k->name, list)) {
                cJSON_Delete(list);
                goto no_memory;
            }
        }
    }
    *defaults = cJSON_PrintUnformatted(root);
    if (types)
        *types = cJSON_PrintUnformatted(kinds);
    if (!*defaults || (types && !*types)) {
        athlete_free(*defaults);
        if (types)
            athlete_free(*types);
        goto no_memory;
    }
    goto done;
no_memory:
    st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "config table: out of memory");
done:
    cJSON_Delete(root);
    cJSON_Delete(kinds);
    return st;
}

athlete_status athlete_config_table_defaults(const athlete_config_table *table, char **json, athlete_error *err)
{
    if (!table || !json)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "config table defaults: NULL argument");
    return build_json(table, json, NULL, err);
}

athlete_status athlete_config_table_create(const athlete_config_table *table, const char *owner,
                                           const char *overrides_json, athlete_config **out, athlete_error *err)
{
    if (!table || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "config table create: NULL argument");
    char *defaults = NULL, *types = NULL;
    athlete_status st = build_json(table, &defaults, &types, err);
    if (st == ATHLETE_OK)
        st = athlete_config_create(owner, defaults, types, overrides_json, out, err);
    athlete_free(defaults);
    athlete_free(types);
    return st;
}

/* ---- checking the table itself ---- */

static size_t field_size_of(athlete_config_type type)
{
    switch (type) {
    case ATHLETE_CONFIG_BOOL:
        return sizeof(bool);
    case ATHLETE_CONFIG_INT:
        return sizeof(int64_t);
    case ATHLETE_CONFIG_REAL:
        return sizeof(double);
    case ATHLETE_CONFIG_ENUM:
        return sizeof(int);
    case ATHLETE_CONFIG_SIZES:
        return sizeof(athlete_config_sizes);
    }
    return 0;
}

static bool valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= MAX_NAME || name[0] == '.' || name[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '_' ||
              (name[i] == '.' && name[i + 1] != '.')))
            return false;
    return true;
}

static athlete_status validate_key(const athlete_config_table *t, const athlete_config_key *k, const char *owner,
                                   athlete_error *err)
{
#define BAD(...) athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, __VA_ARGS__)
    if (!valid_name(k->name))
        return BAD("%s config table: key name '%s' is invalid ([a-z0-9_] segments joined by dots)", owner,
                   k->name ? k->name : "(null)");
    size_t size = field_size_of(k->type);
    if (!size)
        return BAD("%s config table: '%s' has an unknown type %d", owner, k->name, (int)k->type);
    if (k->size != size || k->offset > t->settings_size || t->settings_size - k->offset < size)
        return BAD("%s config table: '%s' needs a settings field of %zu bytes inside the %zu-byte settings "
                   "(offset %zu, size %zu)", owner, k->name, size, t->settings_size, k->offset, k->size);
    if ((k->flags & (ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_AUTO)) && k->type != ATHLETE_CONFIG_REAL &&
        k->type != ATHLETE_CONFIG_INT && !(k->type == ATHLETE_CONFIG_ENUM && !(k->flags & ATHLETE_CONFIG_AUTO)))
        return BAD("%s config table: '%s': only numbers may be null or \"auto\", and strings null", owner, k->name);
    if ((k->flags & ATHLETE_CONFIG_DEFAULT_ABSENT) && !(k->flags & (ATHLETE_CONFIG_NULLABLE | ATHLETE_CONFIG_AUTO)))
        return BAD("%s config table: '%s' defaults to null or \"auto\" without accepting it", owner, k->name);
    if (k->type == ATHLETE_CONFIG_INT && !(k->flags & ATHLETE_CONFIG_DEFAULT_ABSENT) && !is_whole(k->default_value))
        return BAD("%s config table: '%s' has a default that is not an integer", owner, k->name);
    if (k->type == ATHLETE_CONFIG_ENUM &&
        (!k->choices || !k->choices[0] ||
         (!(k->flags & ATHLETE_CONFIG_DEFAULT_ABSENT) && (!k->default_choice || choice_index(k, k->default_choice) < 0))))
        return BAD("%s config table: '%s' needs choices and a default among them", owner, k->name);
    if (k->type == ATHLETE_CONFIG_SIZES &&
        (k->max_count > ATHLETE_CONFIG_MAX_SIZES || k->default_count > ATHLETE_CONFIG_MAX_SIZES ||
         (k->default_count && !k->default_sizes)))
        return BAD("%s config table: '%s' has %zu default elements (at most %d)", owner, k->name, k->default_count,
                   ATHLETE_CONFIG_MAX_SIZES);
    if (isnan(k->min) || isnan(k->max) || isnan(k->limit) || (has_min(k) && has_max(k) && k->min > k->max))
        return BAD("%s config table: '%s' has an empty range", owner, k->name);
    if (!k->description || !*k->description)
        return BAD("%s config table: '%s' has no description", owner, k->name);
    return ATHLETE_OK;
#undef BAD
}

athlete_status athlete_config_table_validate(const athlete_config_table *table, const char *owner,
                                             athlete_error *err)
{
    if (!owner)
        owner = "algorithm";
    if (!table || table->struct_size < TABLE_SIZE_1_0 || table->key_size < KEY_SIZE_1_0 || !table->keys ||
        table->count == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s config table: missing, empty or smaller than this SDK's first version", owner);
    athlete_status st;
    for (size_t i = 0; i < table->count; i++)
        if ((st = validate_key(table, key_at(table, i), owner, err)))
            return st;
    /* The defaults must parse and satisfy their own ranges. */
    athlete_config *config = NULL;
    st = athlete_config_table_create(table, owner, NULL, &config, err);
    if (st == ATHLETE_OK)
        st = athlete_config_table_read(table, config, NULL, err);
    athlete_config_destroy(config);
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "defaults: ");
    return st;
}

/* ---- describing the keys to users ---- */

static const char *type_name(const athlete_config_key *k)
{
    bool null = k->flags & ATHLETE_CONFIG_NULLABLE, autov = k->flags & ATHLETE_CONFIG_AUTO;
    switch (k->type) {
    case ATHLETE_CONFIG_BOOL:
        return "boolean";
    case ATHLETE_CONFIG_INT:
        return null ? "integer or null" : autov ? "integer or \"auto\"" : "integer";
    case ATHLETE_CONFIG_REAL:
        return null ? "number or null" : autov ? "number or \"auto\"" : "number";
    case ATHLETE_CONFIG_ENUM:
        return null ? "string or null" : "string";
    case ATHLETE_CONFIG_SIZES:
        return "list of integers";
    }
    return "unknown";
}

static cJSON *bound(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cJSON *describe_key(const athlete_config_key *k)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    double max = k->limit > 0 && !(k->limit > k->max) ? k->limit : k->max;
    bool ok = cJSON_AddStringToObject(o, "key", k->name) && cJSON_AddStringToObject(o, "type", type_name(k));
    cJSON *value = default_value(k);
    if (value && value->type == cJSON_Raw) { /* raw text to a number node */
        cJSON *number = cJSON_CreateNumber(strtod(value->valuestring, NULL));
        cJSON_Delete(value);
        value = number;
    } else if (value && cJSON_IsArray(value)) {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < k->default_count; i++)
            cJSON_AddItemToArray(array, cJSON_CreateNumber((double)k->default_sizes[i]));
        cJSON_Delete(value);
        value = array;
    }
    ok = ok && value && cJSON_AddItemToObject(o, "default", value);
    if (!ok)
        cJSON_Delete(value);
    cJSON *lo = bound(k->type == ATHLETE_CONFIG_BOOL || k->type == ATHLETE_CONFIG_ENUM ? NAN : k->min);
    cJSON *hi = bound(k->type == ATHLETE_CONFIG_BOOL || k->type == ATHLETE_CONFIG_ENUM ? NAN : max);
    ok = ok && lo && cJSON_AddItemToObject(o, "min", lo);
    if (!ok)
        cJSON_Delete(lo);
    ok = ok && hi && cJSON_AddItemToObject(o, "max", hi);
    if (!ok)
        cJSON_Delete(hi);
    if (ok && (k->type == ATHLETE_CONFIG_REAL || k->type == ATHLETE_CONFIG_INT || k->type == ATHLETE_CONFIG_SIZES)) {
        ok = cJSON_AddBoolToObject(o, "min_exclusive", (k->flags & ATHLETE_CONFIG_MIN_OPEN) != 0) &&
             cJSON_AddBoolToObject(o, "max_exclusive", (k->flags & ATHLETE_CONFIG_MAX_OPEN) && !(k->limit > 0 && k->limit < k->max));
    }
    if (ok && k->type == ATHLETE_CONFIG_ENUM) {
        size_t n = 0;
        while (k->choices[n])
            n++;
        cJSON *choices = cJSON_CreateStringArray(k->choices, (int)n);
        ok = choices && cJSON_AddItemToObject(o, "choices", choices);
        if (!ok)
            cJSON_Delete(choices);
    }
    ok = ok && cJSON_AddStringToObject(o, "description", k->description);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

athlete_status athlete_config_table_describe(const athlete_config_table *table, char **json, athlete_error *err)
{
    if (!table || !json)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "config table describe: NULL argument");
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < table->count; i++) {
        cJSON *item = describe_key(key_at(table, i));
        if (!item || !cJSON_AddItemToArray(array, item)) {
            cJSON_Delete(item);
            cJSON_Delete(array);
            array = NULL;
        }
    }
    char *text = array ? cJSON_PrintUnformatted(array) : NULL;
    cJSON_Delete(array);
    if (!text)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "config table describe: out of memory");
    *json = text;
    return ATHLETE_OK;
}

/* ---- the parameter budget ---- */

static uint64_t add_saturating(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

uint64_t athlete_config_mlp_parameters(const size_t *widths, size_t n_widths)
{
    uint64_t total = 0;
    for (size_t i = 0; widths && i + 1 < n_widths; i++) {
        uint64_t in = widths[i], out = widths[i + 1];
        uint64_t weights = in && out > UINT64_MAX / in ? UINT64_MAX : in * out;
        total = add_saturating(add_saturating(total, weights), out);
    }
    return total;
}

athlete_status athlete_config_check_parameters(const athlete_config *config, uint64_t total, int64_t max_parameters,
                                               athlete_error *err)
{
    if (max_parameters >= 0 && total <= (uint64_t)max_parameters)
        return ATHLETE_OK;
    return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                             "%s config: the agent would have %llu parameters, more than 'max_parameters' (%lld)",
                             config ? athlete_config_owner(config) : "algorithm", (unsigned long long)total,
                             (long long)max_parameters);
}

/* Extension methods called by name through libffi. The only file that
 * includes ffi.h: hosts such as the CLI know a method only by its name and signature
 * string, and plugins write ordinary C functions `ret fn(void *state, args...)`. */
#include "core-private.h"

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <ffi.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_ARGS 8

typedef struct prepared_method {
    const athlete_method *method;
    char ret;                  /* 'i', 'd', 's' or 'v' */
    char args[MAX_ARGS];       /* 'i', 'd' or 's' */
    size_t nargs;
    ffi_type *types[MAX_ARGS + 1]; /* state pointer first */
    ffi_cif cif;
} prepared_method;

struct athlete__method_table {
    prepared_method *methods;
    size_t count;
};

static ffi_type *ffi_type_of(char code)
{
    switch (code) {
    case 'i':
        return &ffi_type_sint64;
    case 'd':
        return &ffi_type_double;
    case 's':
        return &ffi_type_pointer;
    case 'v':
        return &ffi_type_void;
    }
    return NULL;
}

static athlete_status parse_signature(const athlete_method *m, const char *algorithm_id,
                                      prepared_method *p, athlete_error *err)
{
    const char *sig = m->signature;
    if (!sig || !ffi_type_of(sig[0]) || sig[1] != '(')
        return athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                 "algorithm '%s': method '%s' has an invalid signature '%s' (expected e.g. \"d()\" or \"v(d)\")",
                                 algorithm_id, m->name, sig ? sig : "(null)");
    p->ret = sig[0];
    p->nargs = 0;
    const char *c = sig + 2;
    for (; *c && *c != ')'; c++) {
        if (*c == 'v' || !ffi_type_of(*c))
            return athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                     "algorithm '%s': method '%s': unknown argument type '%c' in '%s' (use i, d or s)",
                                     algorithm_id, m->name, *c, sig);
        if (p->nargs == MAX_ARGS)
            return athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                     "algorithm '%s': method '%s' takes more than %d arguments",
                                     algorithm_id, m->name, MAX_ARGS);
        p->args[p->nargs++] = *c;
    }
    if (*c != ')' || c[1] != '\0')
        return athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                 "algorithm '%s': method '%s': signature '%s' must end with ')'",
                                 algorithm_id, m->name, sig);
    p->types[0] = &ffi_type_pointer;
    for (size_t i = 0; i < p->nargs; i++)
        p->types[i + 1] = ffi_type_of(p->args[i]);
    if (ffi_prep_cif(&p->cif, FFI_DEFAULT_ABI, (unsigned)(p->nargs + 1), ffi_type_of(p->ret),
                     p->types) != FFI_OK)
        return athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                 "algorithm '%s': method '%s': libffi cannot prepare '%s'",
                                 algorithm_id, m->name, sig);
    return ATHLETE_OK;
}

athlete_status athlete__methods_prepare(const athlete_method *methods, const char *algorithm_id,
                                        athlete__method_table **out, athlete_error *err)
{
    *out = NULL;
    if (!methods)
        return ATHLETE_OK;
    size_t n = 0;
    while (methods[n].name)
        n++;
    if (n == 0)
        return ATHLETE_OK;
    athlete__method_table *table = athlete_calloc(1, sizeof *table);
    prepared_method *prepared = athlete_calloc(n, sizeof *prepared);
    if (!table || !prepared) {
        athlete_free(table);
        athlete_free(prepared);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "methods: out of memory");
    }
    table->methods = prepared;
    table->count = n;
    for (size_t i = 0; i < n; i++) {
        athlete_status st = ATHLETE_OK;
        if (!methods[i].fn)
            st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                   "algorithm '%s': method '%s' has no function", algorithm_id,
                                   methods[i].name);
        for (size_t j = 0; st == ATHLETE_OK && j < i; j++)
            if (strcmp(methods[j].name, methods[i].name) == 0)
                st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                                       "algorithm '%s': method '%s' is declared twice", algorithm_id,
                                       methods[i].name);
        if (st == ATHLETE_OK)
            st = parse_signature(&methods[i], algorithm_id, &prepared[i], err);
        if (st != ATHLETE_OK) {
            athlete__methods_destroy(table);
            return st;
        }
        prepared[i].method = &methods[i];
    }
    *out = table;
    return ATHLETE_OK;
}

void athlete__methods_destroy(athlete__method_table *table)
{
    if (!table)
        return;
    athlete_free(table->methods);
    athlete_free(table);
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    return "an object";
}

static const char *type_word(char code)
{
    return code == 'i' ? "an integer" : code == 'd' ? "a number" : "a string";
}

athlete_status athlete__methods_call(const athlete__method_table *table, void *state, const char *name,
                                     const char *args_json, char **result_json, athlete_error *err)
{
    const prepared_method *p = NULL;
    for (size_t i = 0; table && i < table->count; i++)
        if (strcmp(table->methods[i].method->name, name) == 0)
            p = &table->methods[i];
    if (!p)
        return athlete_error_set(err, ATHLETE_E_UNKNOWN_METHOD, "no method '%s'", name);

    cJSON *args = NULL;
    if (args_json && *args_json) {
        args = cJSON_Parse(args_json);
        if (!args || !cJSON_IsArray(args)) {
            cJSON_Delete(args);
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "method '%s': arguments must be a JSON array, e.g. [0.5]", name);
        }
    }
    size_t given = args ? (size_t)cJSON_GetArraySize(args) : 0;
    if (given != p->nargs) {
        cJSON_Delete(args);
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "method '%s' (%s) takes %zu argument%s, got %zu", name,
                                 p->method->signature, p->nargs, p->nargs == 1 ? "" : "s", given);
    }
    int64_t ints[MAX_ARGS];
    double reals[MAX_ARGS];
    const char *strings[MAX_ARGS];
    void *values[MAX_ARGS + 1];
    values[0] = &state;
    size_t i = 0;
    for (const cJSON *a = args ? args->child : NULL; a; a = a->next, i++) {
        char want = p->args[i];
        bool ok = want == 's' ? cJSON_IsString(a) : cJSON_IsNumber(a);
        if (ok && want == 'i')
            ok = a->valuedouble == floor(a->valuedouble) && fabs(a->valuedouble) <= 9007199254740992.0;
        if (!ok) {
            athlete_status st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                                  "method '%s': argument %zu expects %s, got %s", name,
                                                  i + 1, type_word(want), json_kind(a));
            cJSON_Delete(args);
            return st;
        }
        if (want == 'i') {
            ints[i] = (int64_t)a->valuedouble;
            values[i + 1] = &ints[i];
        } else if (want == 'd') {
            reals[i] = a->valuedouble;
            values[i + 1] = &reals[i];
        } else {
            strings[i] = a->valuestring;
            values[i + 1] = &strings[i];
        }
    }
    union {
        ffi_arg integer;
        int64_t i64;
        double real;
        const char *string;
    } ret;
    memset(&ret, 0, sizeof ret);
    ffi_call((ffi_cif *)&p->cif, p->method->fn, &ret, values);
    cJSON_Delete(args);

    cJSON *result;
    switch (p->ret) {
    case 'i':
        result = cJSON_CreateNumber((double)ret.i64);
        break;
    case 'd':
        result = isfinite(ret.real) ? cJSON_CreateNumber(ret.real) : cJSON_CreateNull();
        break;
    case 's':
        result = ret.string ? cJSON_CreateString(ret.string) : cJSON_CreateNull();
        break;
    default:
        result = cJSON_CreateNull();
    }
    char *text = result ? cJSON_PrintUnformatted(result) : NULL;
    cJSON_Delete(result);
    if (!text)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "method '%s': out of memory", name);
    *result_json = text;
    return ATHLETE_OK;
}

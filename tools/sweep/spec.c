/* Reading and checking a sweep spec (see sweep.h): every field is checked before anything
 * runs, and every problem names the field. */
#include "sweep.h"

#include "../cli/cli.h"
#include "../cli/run-dir.h"
#include "preset.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const spec_fields[] = {"name",   "description", "algorithm",    "environment",
                                          "preset", "overrides",   "env_options",  "grid",
                                          "random", "samples",     "sampler_seed", "seeds",
                                          "steps",  "evaluation",  "log_every",    "threshold"};
static const char *const evaluation_fields[] = {"episodes", "every"};
static const char *const distributions[] = {"uniform", "log_uniform", "choice"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct parser {
    const char *origin;
    athlete_error *err;
} parser;

static athlete_status fail(const parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static athlete_status fail(const parser *p, const char *fmt, ...)
{
    char text[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return athlete_error_set(p->err, ATHLETE_E_INVALID_ARGUMENT, "sweep spec '%s': %s", p->origin, text);
}

/* A value as short JSON for a message. */
static const char *show(const cJSON *v, char *buf, size_t size)
{
    char *text = cJSON_PrintUnformatted(v);
    snprintf(buf, size, "%s", text ? text : "?");
    if (text && strlen(text) >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
    cJSON_free(text);
    return buf;
}

static bool get_u64(const cJSON *v, bool positive, uint64_t *out)
{
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (positive ? 1 : 0) || v->valuedouble > 9007199254740992.0)
        return false;
    *out = (uint64_t)v->valuedouble;
    return true;
}

static athlete_status want_u64(const parser *p, const cJSON *v, const char *field, bool positive,
                               uint64_t *out)
{
    char buf[80];
    if (!get_u64(v, positive, out))
        return fail(p, "'%s' expects a %s integer, got %s", field, positive ? "positive" : "non-negative",
                    show(v, buf, sizeof buf));
    return ATHLETE_OK;
}

static athlete_status want_string(const parser *p, const cJSON *v, const char *field, char **out)
{
    char buf[80];
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return fail(p, "'%s' expects a non-empty string, got %s", field, show(v, buf, sizeof buf));
    free(*out);
    *out = strdup(v->valuestring);
    return *out ? ATHLETE_OK : athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
}

static athlete_status unknown_field(const parser *p, const char *where, const char *field,
                                    const char *const *known, size_t count)
{
    const char *near = cli_nearest(field, known, count);
    if (near)
        return fail(p, "unknown field '%s%s'; did you mean '%s%s'?", where, field, where, near);
    return fail(p, "unknown field '%s%s'", where, field);
}

/* An object of objects holds nested keys; anything else is a distribution (or a wrong one). */
static bool holds_nested_keys(const cJSON *v)
{
    if (!cJSON_IsObject(v) || !v->child)
        return false;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (!cJSON_IsObject(c))
            return false;
        for (size_t i = 0; i < COUNT(distributions); i++)
            if (strcmp(c->string, distributions[i]) == 0)
                return false;
    }
    return true;
}

static char *join(const char *prefix, const char *key)
{
    size_t n = strlen(prefix) + strlen(key) + 2;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", prefix, prefix[0] ? "." : "", key);
    return s;
}

static bool varied_already(const athlete_sweep_spec *s, const char *key)
{
    for (size_t i = 0; i < s->grid_count; i++)
        if (strcmp(s->grid_keys[i], key) == 0)
            return true;
    for (size_t i = 0; i < s->random_count; i++)
        if (strcmp(s->random[i].key, key) == 0)
            return true;
    return false;
}

/* grid: key -> non-empty list; an object that is not a list holds nested keys. */
static athlete_status parse_grid(const parser *p, athlete_sweep_spec *s, const cJSON *object,
                                 const char *prefix)
{
    char buf[80];
    for (const cJSON *item = object->child; item; item = item->next) {
        char *key = join(prefix, item->string);
        if (!key)
            return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
        athlete_status st = ATHLETE_OK;
        if (cJSON_IsObject(item) && item->child) {
            st = parse_grid(p, s, item, key);
        } else if (!cJSON_IsArray(item)) {
            st = fail(p, "'grid.%s' expects a list of values, got %s", key, show(item, buf, sizeof buf));
        } else if (cJSON_GetArraySize(item) == 0) {
            st = fail(p, "'grid.%s' is an empty list", key);
        } else if (varied_already(s, key)) {
            st = fail(p, "'%s' is varied twice", key);
        } else {
            char **keys = realloc(s->grid_keys, (s->grid_count + 1) * sizeof *keys);
            if (keys)
                s->grid_keys = keys;
            cJSON **values = keys ? realloc(s->grid_values, (s->grid_count + 1) * sizeof *values) : NULL;
            if (values)
                s->grid_values = values;
            cJSON *copy = values ? cJSON_Duplicate(item, true) : NULL;
            if (!copy) {
                free(key);
                return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
            }
            s->grid_keys[s->grid_count] = key;
            s->grid_values[s->grid_count++] = copy;
            continue;
        }
        free(key);
        if (st != ATHLETE_OK)
            return st;
    }
    return ATHLETE_OK;
}

static athlete_status parse_distribution(const parser *p, athlete_sweep_random_key *r, const cJSON *v)
{
    char buf[80];
    if (cJSON_GetArraySize(v) != 1)
        return fail(p,
                    "'random.%s' expects one of {\"uniform\": [low, high]}, {\"log_uniform\": [low, high]}, "
                    "{\"choice\": [values]}, got %s",
                    r->key, show(v, buf, sizeof buf));
    const cJSON *d = v->child;
    size_t kind = COUNT(distributions);
    for (size_t i = 0; i < COUNT(distributions); i++)
        if (strcmp(d->string, distributions[i]) == 0)
            kind = i;
    if (kind == COUNT(distributions)) {
        const char *near = cli_nearest(d->string, distributions, COUNT(distributions));
        return fail(p, "'random.%s': unknown distribution '%s'%s%s%s (uniform, log_uniform or choice)",
                    r->key, d->string, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    if (kind == 2) {
        r->distribution = ATHLETE_SWEEP_CHOICE;
        if (!cJSON_IsArray(d) || cJSON_GetArraySize(d) == 0)
            return fail(p, "'random.%s.choice' expects a non-empty list, got %s", r->key,
                        show(d, buf, sizeof buf));
        r->choices = cJSON_Duplicate(d, true);
        return r->choices ? ATHLETE_OK
                          : athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
    }
    r->distribution = kind == 0 ? ATHLETE_SWEEP_UNIFORM : ATHLETE_SWEEP_LOG_UNIFORM;
    const cJSON *lo = cJSON_GetArrayItem(d, 0), *hi = cJSON_GetArrayItem(d, 1);
    if (!cJSON_IsArray(d) || cJSON_GetArraySize(d) != 2 || !cJSON_IsNumber(lo) || !cJSON_IsNumber(hi))
        return fail(p, "'random.%s.%s' expects [low, high] (two numbers), got %s", r->key, d->string,
                    show(d, buf, sizeof buf));
    r->low = lo->valuedouble;
    r->high = hi->valuedouble;
    if (!(r->low < r->high))
        return fail(p, "'random.%s.%s' needs low < high, got %s", r->key, d->string,
                    show(d, buf, sizeof buf));
    if (kind == 1 && !(r->low > 0))
        return fail(p, "'random.%s.log_uniform' needs low > 0, got %s", r->key, show(d, buf, sizeof buf));
    return ATHLETE_OK;
}

static athlete_status parse_random(const parser *p, athlete_sweep_spec *s, const cJSON *object,
                                   const char *prefix)
{
    char buf[80];
    for (const cJSON *item = object->child; item; item = item->next) {
        char *key = join(prefix, item->string);
        if (!key)
            return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
        athlete_status st;
        if (holds_nested_keys(item)) {
            st = parse_random(p, s, item, key);
            free(key);
        } else if (!cJSON_IsObject(item)) {
            st = fail(p, "'random.%s' expects a distribution object, got %s", key,
                      show(item, buf, sizeof buf));
            free(key);
        } else if (varied_already(s, key)) {
            st = fail(p, "'%s' is varied twice", key);
            free(key);
        } else {
            athlete_sweep_random_key *r = realloc(s->random, (s->random_count + 1) * sizeof *r);
            if (!r) {
                free(key);
                return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
            }
            s->random = r;
            r = &s->random[s->random_count++];
            *r = (athlete_sweep_random_key){.key = key};
            st = parse_distribution(p, r, item);
        }
        if (st != ATHLETE_OK)
            return st;
    }
    return ATHLETE_OK;
}

static athlete_status parse_seeds(const parser *p, athlete_sweep_spec *s, const cJSON *v)
{
    char buf[80];
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
        return fail(p, "'seeds' expects a non-empty list of non-negative integers, got %s",
                    show(v, buf, sizeof buf));
    s->seed_count = (size_t)cJSON_GetArraySize(v);
    if (!(s->seeds = calloc(s->seed_count, sizeof *s->seeds)))
        return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
    size_t i = 0;
    for (const cJSON *item = v->child; item; item = item->next, i++) {
        if (!get_u64(item, false, &s->seeds[i]))
            return fail(p, "'seeds[%zu]' expects a non-negative integer, got %s", i,
                        show(item, buf, sizeof buf));
        for (size_t j = 0; j < i; j++)
            if (s->seeds[j] == s->seeds[i])
                return fail(p, "'seeds' lists %llu twice", (unsigned long long)s->seeds[i]);
    }
    return ATHLETE_OK;
}

/* A name is one path component: letters, digits, '-', '_', '.', not starting with '.'. */
static bool good_name(const char *name)
{
    if (!name[0] || name[0] == '.' || strlen(name) > 100)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_' || *c == '.'))
            return false;
    return true;
}

/* The preset's overrides go below the spec's; its budget, episodes and threshold apply
 * unless the spec gives them. */
static athlete_status apply_preset(const parser *p, athlete_sweep_spec *s, const cJSON *preset,
                                   bool *steps_given, bool *episodes_given)
{
    char buf[80];
    char *algorithm = s->algorithm, *environment = s->environment;
    char *name = NULL;
    if (cJSON_IsString(preset)) {
        name = strdup(preset->valuestring);
        char *slash = name ? strchr(name, '/') : NULL;
        if (!slash || !slash[1] || slash == name) {
            free(name);
            return fail(p, "'preset' expects \"ALGORITHM/ENVIRONMENT\" or true, got %s",
                        show(preset, buf, sizeof buf));
        }
        *slash = '\0';
        if ((algorithm && strcmp(algorithm, name) != 0) ||
            (environment && strcmp(environment, slash + 1) != 0)) {
            athlete_status st = fail(p, "'preset' %s is not for %s on %s", show(preset, buf, sizeof buf),
                                     algorithm ? algorithm : name, environment ? environment : slash + 1);
            free(name);
            return st;
        }
        if (!algorithm)
            s->algorithm = strdup(name);
        if (!environment)
            s->environment = strdup(slash + 1);
        free(name);
        if (!s->algorithm || !s->environment)
            return athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
    } else if (!cJSON_IsTrue(preset)) {
        return fail(p, "'preset' expects \"ALGORITHM/ENVIRONMENT\" or true, got %s",
                    show(preset, buf, sizeof buf));
    }
    if (!s->algorithm || !s->environment)
        return fail(p, "'preset': true needs 'algorithm' and 'environment'");
    athlete_preset found;
    athlete_error perr;
    if (athlete_preset_find(s->algorithm, s->environment, &found, &perr) != ATHLETE_OK)
        return fail(p, "%s", perr.message);
    size_t n = strlen(s->algorithm) + strlen(s->environment) + 2;
    s->preset = malloc(n);
    if (s->preset)
        snprintf(s->preset, n, "%s/%s", s->algorithm, s->environment);
    cJSON *base = cJSON_Parse(found.overrides);
    if (!cJSON_IsObject(base)) {
        cJSON_Delete(base);
        athlete_status st = fail(p, "preset '%s': its overrides are not a JSON object", found.path);
        athlete_preset_clear(&found);
        return st;
    }
    /* Spec overrides after the preset's: keys apply in order, so the spec's win. */
    for (cJSON *item = s->overrides->child; item; item = item->next)
        cJSON_AddItemToObject(base, item->string, cJSON_Duplicate(item, true));
    cJSON_Delete(s->overrides);
    s->overrides = base;
    if (!*steps_given)
        s->steps = found.steps;
    if (!*episodes_given)
        s->eval_episodes = found.eval_episodes;
    if (!s->has_threshold) {
        s->has_threshold = true;
        s->threshold = found.threshold;
    }
    *steps_given = *episodes_given = true;
    athlete_preset_clear(&found);
    return s->preset ? ATHLETE_OK
                     : athlete_error_set(p->err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
}

athlete_status athlete_sweep_spec_parse(const char *text, const char *origin, athlete_sweep_spec *out,
                                        athlete_error *err)
{
    parser p = {origin, err};
    *out = (athlete_sweep_spec){.eval_episodes = 10, .log_every = 1000};
    athlete_sweep_spec *s = out;
    char buf[80];
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, true);
    if (!root) {
        size_t line = 1;
        for (const char *c = text; end && c < end; c++)
            line += *c == '\n';
        return fail(&p, "not valid JSON (near line %zu)", line);
    }
    athlete_status st = ATHLETE_OK;
    if (!cJSON_IsObject(root))
        st = fail(&p, "expects a JSON object, got %s", show(root, buf, sizeof buf));
    s->text = strdup(text);
    s->origin = strdup(origin);
    s->overrides = cJSON_CreateObject();
    s->env_options = cJSON_CreateObject();
    if (st == ATHLETE_OK && (!s->text || !s->origin || !s->overrides || !s->env_options))
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
    bool steps_given = false, episodes_given = false;
    const cJSON *preset = NULL;
    for (const cJSON *item = cJSON_IsObject(root) ? root->child : NULL; st == ATHLETE_OK && item;
         item = item->next) {
        const char *f = item->string;
        if (strcmp(f, "name") == 0) {
            st = want_string(&p, item, f, &s->name);
            if (st == ATHLETE_OK && !good_name(s->name))
                st = fail(
                    &p,
                    "'name' must be a folder name (letters, digits, '-', '_', '.'; not starting with '.'), got %s",
                    show(item, buf, sizeof buf));
        } else if (strcmp(f, "description") == 0) {
            if (!cJSON_IsString(item))
                st = fail(&p, "'description' expects a string, got %s", show(item, buf, sizeof buf));
        } else if (strcmp(f, "algorithm") == 0) {
            st = want_string(&p, item, f, &s->algorithm);
        } else if (strcmp(f, "environment") == 0) {
            st = want_string(&p, item, f, &s->environment);
        } else if (strcmp(f, "preset") == 0) {
            preset = item;
        } else if (strcmp(f, "overrides") == 0 || strcmp(f, "env_options") == 0) {
            if (!cJSON_IsObject(item)) {
                st = fail(&p, "'%s' expects an object, got %s", f, show(item, buf, sizeof buf));
            } else {
                cJSON **target = f[0] == 'o' ? &s->overrides : &s->env_options;
                cJSON_Delete(*target);
                *target = cJSON_Duplicate(item, true);
            }
        } else if (strcmp(f, "grid") == 0) {
            if (!cJSON_IsObject(item) || !item->child)
                st = fail(&p, "'grid' expects a non-empty object of key: [values], got %s",
                          show(item, buf, sizeof buf));
            else
                st = parse_grid(&p, s, item, "");
        } else if (strcmp(f, "random") == 0) {
            if (!cJSON_IsObject(item) || !item->child)
                st = fail(&p, "'random' expects a non-empty object of key: distribution, got %s",
                          show(item, buf, sizeof buf));
            else
                st = parse_random(&p, s, item, "");
        } else if (strcmp(f, "samples") == 0) {
            st = want_u64(&p, item, f, true, &s->samples);
        } else if (strcmp(f, "sampler_seed") == 0) {
            st = want_u64(&p, item, f, false, &s->sampler_seed);
        } else if (strcmp(f, "seeds") == 0) {
            st = parse_seeds(&p, s, item);
        } else if (strcmp(f, "steps") == 0) {
            st = want_u64(&p, item, f, true, &s->steps);
            steps_given = true;
        } else if (strcmp(f, "log_every") == 0) {
            st = want_u64(&p, item, f, true, &s->log_every);
        } else if (strcmp(f, "threshold") == 0) {
            if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
                st = fail(&p, "'threshold' expects a number, got %s", show(item, buf, sizeof buf));
            s->has_threshold = true;
            s->threshold = item->valuedouble;
        } else if (strcmp(f, "evaluation") == 0) {
            if (!cJSON_IsObject(item))
                st = fail(&p, "'evaluation' expects an object {\"episodes\": K, \"every\": N}, got %s",
                          show(item, buf, sizeof buf));
            for (const cJSON *e = cJSON_IsObject(item) ? item->child : NULL; st == ATHLETE_OK && e;
                 e = e->next) {
                if (strcmp(e->string, "episodes") == 0) {
                    st = want_u64(&p, e, "evaluation.episodes", true, &s->eval_episodes);
                    episodes_given = true;
                } else if (strcmp(e->string, "every") == 0) {
                    st = want_u64(&p, e, "evaluation.every", true, &s->eval_every);
                } else {
                    st = unknown_field(&p, "evaluation.", e->string, evaluation_fields,
                                       COUNT(evaluation_fields));
                }
            }
        } else {
            st = unknown_field(&p, "", f, spec_fields, COUNT(spec_fields));
        }
    }
    if (st == ATHLETE_OK && !s->name)
        st = fail(&p, "'name' is missing (the sweep's folder name)");
    if (st == ATHLETE_OK && preset)
        st = apply_preset(&p, s, preset, &steps_given, &episodes_given);
    if (st == ATHLETE_OK && !s->algorithm)
        st = fail(&p, "'algorithm' is missing");
    if (st == ATHLETE_OK && !s->environment)
        st = fail(&p, "'environment' is missing");
    if (st == ATHLETE_OK && !steps_given)
        st = fail(&p, "'steps' is missing (or give a 'preset')");
    if (st == ATHLETE_OK && s->random_count && !s->samples)
        st = fail(&p, "'random' needs 'samples' (how many configurations to draw)");
    if (st == ATHLETE_OK && !s->random_count && s->samples)
        st = fail(&p, "'samples' is given without 'random'");
    if (st == ATHLETE_OK && !s->seeds) {
        s->seed_count = 1;
        if (!(s->seeds = calloc(1, sizeof *s->seeds)))
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep spec: out of memory");
    }
    if (st == ATHLETE_OK && !s->eval_every)
        s->eval_every = s->steps;
    /* The last evaluation must fall on the last step: it is the run's final score. */
    if (st == ATHLETE_OK && s->steps % s->eval_every != 0)
        st = fail(
            &p,
            "'evaluation.every' (%llu) must divide 'steps' (%llu): the last evaluation is the final score",
            (unsigned long long)s->eval_every, (unsigned long long)s->steps);
    cJSON_Delete(root);
    if (st != ATHLETE_OK)
        athlete_sweep_spec_clear(s);
    return st;
}

athlete_status athlete_sweep_spec_load(const char *path, athlete_sweep_spec *out, athlete_error *err)
{
    *out = (athlete_sweep_spec){0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return athlete_error_set(err, ATHLETE_E_IO, "sweep spec '%s': cannot open: %s", path,
                                 strerror(errno));
    char *text = NULL;
    size_t size = 0, cap = 0;
    bool ok = true;
    for (;;) {
        if (size + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *t = cap <= (1u << 24) ? realloc(text, cap) : NULL;
            if (!t) {
                ok = false;
                break;
            }
            text = t;
        }
        size_t got = fread(text + size, 1, cap - size - 1, f);
        size += got;
        if (got == 0)
            break;
    }
    ok = ok && !ferror(f);
    fclose(f);
    if (!ok) {
        free(text);
        return athlete_error_set(err, ATHLETE_E_IO, "sweep spec '%s': cannot read it (or larger than 16 MB)",
                                 path);
    }
    text[size] = '\0';
    athlete_status st = athlete_sweep_spec_parse(text, path, out, err);
    free(text);
    return st;
}

void athlete_sweep_spec_clear(athlete_sweep_spec *s)
{
    free(s->name);
    free(s->algorithm);
    free(s->environment);
    free(s->preset);
    cJSON_Delete(s->overrides);
    cJSON_Delete(s->env_options);
    for (size_t i = 0; i < s->grid_count; i++) {
        free(s->grid_keys[i]);
        cJSON_Delete(s->grid_values[i]);
    }
    free(s->grid_keys);
    free(s->grid_values);
    for (size_t i = 0; i < s->random_count; i++) {
        free(s->random[i].key);
        cJSON_Delete(s->random[i].choices);
    }
    free(s->random);
    free(s->seeds);
    free(s->text);
    free(s->origin);
    *s = (athlete_sweep_spec){0};
}

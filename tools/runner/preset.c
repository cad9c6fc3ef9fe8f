/* Reading presets (see preset.h). */
#include "preset.h"

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef ATHLETE_PRESET_DIR
#define ATHLETE_PRESET_DIR "/usr/local/share/athlete/presets"
#endif

enum { MAX_DIRS = 16, PATH_SIZE = 4096 };

typedef struct search_dirs {
    char storage[3 * PATH_SIZE];
    const char *dir[MAX_DIRS];
    size_t count;
} search_dirs;

static void dirs_add(search_dirs *d, char **cursor, const char *text, size_t len)
{
    char *end = d->storage + sizeof d->storage;
    if (len == 0 || d->count == MAX_DIRS || (size_t)(end - *cursor) <= len)
        return;
    memcpy(*cursor, text, len);
    (*cursor)[len] = '\0';
    d->dir[d->count++] = *cursor;
    *cursor += len + 1;
}

static void dirs_init(search_dirs *d)
{
    d->count = 0;
    char *cursor = d->storage;
    const char *env = getenv("ATHLETE_PRESET_PATH");
    for (const char *p = env; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        dirs_add(d, &cursor, p, len);
        p = colon ? colon + 1 : p + len;
    }
    char exe[PATH_SIZE];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            char rel[PATH_SIZE + 32];
            int len = snprintf(rel, sizeof rel, "%s/../share/athlete/presets", exe);
            if (len > 0 && (size_t)len < sizeof rel)
                dirs_add(d, &cursor, rel, (size_t)len);
        }
    }
    dirs_add(d, &cursor, ATHLETE_PRESET_DIR, strlen(ATHLETE_PRESET_DIR));
}

const char *athlete_preset_search_path(char *buf, size_t size)
{
    search_dirs d;
    dirs_init(&d);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d.count && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ":" : "", d.dir[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return buf;
}

void athlete_preset_clear(athlete_preset *p)
{
    if (!p)
        return;
    athlete_free(p->path);
    athlete_free(p->algorithm);
    athlete_free(p->environment);
    athlete_free(p->overrides);
    athlete_free(p->source);
    athlete_free(p->notes);
    memset(p, 0, sizeof *p);
}

static char *read_file(const char *path, athlete_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        athlete_error_set(err, ATHLETE_E_IO, "preset: cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        if (size >= 0 && size < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 && (text = athlete_malloc((size_t)size + 1))) {
            len = fread(text, 1, (size_t)size, f);
            text[len] = '\0';
            if (len != (size_t)size) {
                athlete_free(text);
                text = NULL;
            }
        }
    }
    fclose(f);
    if (!text)
        athlete_error_set(err, ATHLETE_E_IO, "preset: cannot read '%s' (at most 1 MB)", path);
    return text;
}

static athlete_status bad(athlete_error *err, const char *path, const char *what)
{
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "preset '%s': %s", path, what);
}

static athlete_status get_string(const cJSON *root, const char *key, bool required, char **out, const char *path,
                                 athlete_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    char what[96];
    if (!v && !required) {
        *out = athlete_strdup("");
    } else if (!cJSON_IsString(v)) {
        snprintf(what, sizeof what, "'%s' must be a string", key);
        return bad(err, path, what);
    } else {
        *out = athlete_strdup(v->valuestring);
    }
    return *out ? ATHLETE_OK : athlete_error_set(err, ATHLETE_E_NO_MEMORY, "preset: out of memory");
}

static athlete_status get_count(const cJSON *root, const char *key, uint64_t *out, const char *path,
                                athlete_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 1) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble > 1e15) {
        char what[96];
        snprintf(what, sizeof what, "'%s' must be a positive integer", key);
        return bad(err, path, what);
    }
    *out = (uint64_t)v->valuedouble;
    return ATHLETE_OK;
}

/* "<dir>/<algorithm>/<environment>.json": the last two components of the path. */
static bool name_matches(const char *path, const char *algorithm, const char *environment)
{
    char expected[PATH_SIZE];
    int n = snprintf(expected, sizeof expected, "/%s/%s.json", algorithm, environment);
    size_t len = strlen(path);
    return n > 0 && (size_t)n < sizeof expected && len >= (size_t)n && strcmp(path + len - (size_t)n, expected) == 0;
}

static const char *const known_keys[] = {"algorithm", "environment", "overrides",  "steps",
                                         "evaluation_episodes", "threshold", "source", "notes"};

athlete_status athlete_preset_read(const char *path, athlete_preset *out, athlete_error *err)
{
    memset(out, 0, sizeof *out);
    char *text = read_file(path, err);
    if (!text)
        return err ? err->status : ATHLETE_E_IO;
    cJSON *root = cJSON_Parse(text);
    athlete_free(text);
    athlete_status st = ATHLETE_OK;
    if (!cJSON_IsObject(root)) {
        st = bad(err, path, "not a JSON object");
        goto done;
    }
    for (const cJSON *item = root->child; item; item = item->next) {
        bool known = false;
        for (size_t k = 0; k < sizeof known_keys / sizeof known_keys[0]; k++)
            known = known || strcmp(item->string, known_keys[k]) == 0;
        if (!known) {
            char what[160];
            snprintf(what, sizeof what, "unknown key '%.60s'", item->string);
            st = bad(err, path, what);
            goto done;
        }
    }
    if ((st = get_string(root, "algorithm", true, &out->algorithm, path, err)) ||
        (st = get_string(root, "environment", true, &out->environment, path, err)) ||
        (st = get_string(root, "source", true, &out->source, path, err)) ||
        (st = get_string(root, "notes", false, &out->notes, path, err)) ||
        (st = get_count(root, "steps", &out->steps, path, err)) ||
        (st = get_count(root, "evaluation_episodes", &out->eval_episodes, path, err)))
        goto done;
    const cJSON *threshold = cJSON_GetObjectItemCaseSensitive(root, "threshold");
    if (!cJSON_IsNumber(threshold) || !isfinite(threshold->valuedouble)) {
        st = bad(err, path, "'threshold' must be a number");
        goto done;
    }
    out->threshold = threshold->valuedouble;
    const cJSON *overrides = cJSON_GetObjectItemCaseSensitive(root, "overrides");
    if (overrides && !cJSON_IsObject(overrides)) {
        st = bad(err, path, "'overrides' must be a JSON object");
        goto done;
    }
    out->overrides = overrides ? cJSON_PrintUnformatted(overrides) : athlete_strdup("{}");
    out->path = athlete_strdup(path);
    if (!out->overrides || !out->path) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "preset: out of memory");
        goto done;
    }
    if (!name_matches(path, out->algorithm, out->environment)) {
        char what[320];
        snprintf(what, sizeof what, "it describes %.60s on %.60s but is not named %.60s/%.60s.json", out->algorithm,
                 out->environment, out->algorithm, out->environment);
        st = bad(err, path, what);
    }
done:
    cJSON_Delete(root);
    if (st != ATHLETE_OK)
        athlete_preset_clear(out);
    return st;
}

athlete_status athlete_preset_find(const char *algorithm, const char *environment, athlete_preset *out,
                                   athlete_error *err)
{
    memset(out, 0, sizeof *out);
    search_dirs d;
    dirs_init(&d);
    for (size_t i = 0; i < d.count; i++) {
        char path[3 * PATH_SIZE];
        snprintf(path, sizeof path, "%s/%s/%s.json", d.dir[i], algorithm, environment);
        if (access(path, F_OK) == 0)
            return athlete_preset_read(path, out, err);
    }
    char searched[1024];
    return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "no preset for %s on %s (searched %s)", algorithm,
                             environment, athlete_preset_search_path(searched, sizeof searched));
}

void athlete_preset_list_free(athlete_preset *presets, size_t count)
{
    for (size_t i = 0; presets && i < count; i++)
        athlete_preset_clear(&presets[i]);
    athlete_free(presets);
}

static int by_name(const void *a, const void *b)
{
    const athlete_preset *x = a, *y = b;
    int c = strcmp(x->algorithm, y->algorithm);
    return c ? c : strcmp(x->environment, y->environment);
}

static bool listed(const athlete_preset *presets, size_t count, const char *algorithm, const char *file)
{
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(presets[i].environment);
        if (strcmp(presets[i].algorithm, algorithm) == 0 && strncmp(presets[i].environment, file, len) == 0 &&
            strcmp(file + len, ".json") == 0)
            return true;
    }
    return false;
}

static athlete_status list_dir(const char *dir, athlete_preset **presets, size_t *count, size_t *capacity,
                               athlete_error *err)
{
    DIR *top = opendir(dir);
    if (!top)
        return ATHLETE_OK; /* a directory that does not exist holds no preset */
    athlete_status st = ATHLETE_OK;
    for (struct dirent *a; st == ATHLETE_OK && (a = readdir(top));) {
        if (a->d_name[0] == '.')
            continue;
        char sub[PATH_SIZE];
        snprintf(sub, sizeof sub, "%s/%s", dir, a->d_name);
        DIR *algo = opendir(sub);
        if (!algo)
            continue;
        for (struct dirent *e; st == ATHLETE_OK && (e = readdir(algo));) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
                listed(*presets, *count, a->d_name, e->d_name))
                continue;
            if (*count == *capacity) {
                size_t grown = *capacity ? 2 * *capacity : 32;
                athlete_preset *bigger = athlete_malloc(grown * sizeof *bigger);
                if (!bigger) {
                    st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "preset: out of memory");
                    break;
                }
                if (*count)
                    memcpy(bigger, *presets, *count * sizeof *bigger);
                athlete_free(*presets);
                *presets = bigger;
                *capacity = grown;
            }
            char path[2 * PATH_SIZE + 8];
            snprintf(path, sizeof path, "%s/%s", sub, e->d_name);
            st = athlete_preset_read(path, &(*presets)[*count], err);
            if (st == ATHLETE_OK)
                (*count)++;
        }
        closedir(algo);
    }
    closedir(top);
    return st;
}

athlete_status athlete_preset_list(athlete_preset **out, size_t *count, athlete_error *err)
{
    *out = NULL;
    *count = 0;
    size_t capacity = 0;
    search_dirs d;
    dirs_init(&d);
    for (size_t i = 0; i < d.count; i++) {
        athlete_status st = list_dir(d.dir[i], out, count, &capacity, err);
        if (st != ATHLETE_OK) {
            athlete_preset_list_free(*out, *count);
            *out = NULL;
            *count = 0;
            return st;
        }
    }
    if (*count > 1)
        qsort(*out, *count, sizeof **out, by_name);
    return ATHLETE_OK;
}

/* The members of a JSON object's text, without its braces and surrounding blanks. */
static void members(const char *object, const char **begin, size_t *len)
{
    const char *b = strchr(object, '{'), *e = strrchr(object, '}');
    if (!b || !e || e <= b) {
        *begin = "";
        *len = 0;
        return;
    }
    for (b++; b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'); b++) {
    }
    *begin = b;
    *len = (size_t)(e - b);
}

char *athlete_preset_merge_overrides(const athlete_preset *preset, const char *extra)
{
    const char *a, *b;
    size_t la, lb;
    members(preset->overrides, &a, &la);
    members(extra ? extra : "{}", &b, &lb);
    char *out = athlete_malloc(la + lb + 8);
    if (!out)
        return NULL;
    snprintf(out, la + lb + 8, "{%.*s%s%.*s}", (int)la, a, la && lb ? ", " : "", (int)lb, b);
    return out;
}

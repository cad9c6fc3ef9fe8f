/* KEY=VALUE pairs and --config files as one JSON object, built with cJSON so that any key
 * or value text stays what it is (a quote in a key cannot inject another key). */
#include "cli.h"

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cli_pairs {
    cJSON *object;
};

cli_pairs *cli_pairs_create(void)
{
    cli_pairs *p = calloc(1, sizeof *p);
    if (p && !(p->object = cJSON_CreateObject())) {
        free(p);
        return NULL;
    }
    return p;
}

void cli_pairs_destroy(cli_pairs *pairs)
{
    if (!pairs)
        return;
    cJSON_Delete(pairs->object);
    free(pairs);
}

/* A later value for the same key replaces the earlier one. */
static void put(cJSON *object, const char *key, cJSON *value)
{
    char *copy = strdup(key); /* cJSON frees value->string before copying the key */
    if (!copy) {
        cJSON_Delete(value);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(object, copy))
        cJSON_ReplaceItemInObjectCaseSensitive(object, copy, value);
    else
        cJSON_AddItemToObject(object, copy, value);
    free(copy);
}

const char *cli_pairs_add(cli_pairs *pairs, const char *key_value)
{
    const char *eq = strchr(key_value, '=');
    if (!eq || eq == key_value)
        return "expects KEY=VALUE";
    char *key = strndup(key_value, (size_t)(eq - key_value));
    if (!key)
        return "out of memory";
    const char *text = eq + 1, *end = NULL;
    cJSON *value = *text ? cJSON_ParseWithOpts(text, &end, true) : NULL;
    if (value && cJSON_IsNumber(value) && !isfinite(value->valuedouble)) {
        cJSON_Delete(value);
        free(key);
        return "has a number out of the range of a double";
    }
    if (!value) /* not JSON: the text itself, as a string */
        value = cJSON_CreateString(text);
    if (!value) {
        free(key);
        return "out of memory";
    }
    put(pairs->object, key, value);
    free(key);
    return NULL;
}

bool cli_pairs_merge_file(cli_pairs *pairs, const char *path, char *msg, size_t msg_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msg_size, "cannot open '%s': %s", path, strerror(errno));
        return false;
    }
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap + 1);
    size_t n;
    while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap && cap < (64u << 20)) {
            char *bigger = realloc(text, 2 * cap + 1);
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        } else if (len == cap) {
            break;
        }
    }
    bool read_error = ferror(f) != 0;
    fclose(f);
    if (!text || read_error || len == cap) {
        free(text);
        snprintf(msg, msg_size, "cannot read '%s'%s", path, len == cap ? ": larger than 64 MB" : "");
        return false;
    }
    text[len] = '\0';
    bool ok = cli_pairs_merge_json(pairs, text);
    free(text);
    if (!ok)
        snprintf(msg, msg_size, "'%s' is not a JSON object", path);
    return ok;
}

bool cli_pairs_merge_json(cli_pairs *pairs, const char *json)
{
    cJSON *file = cJSON_Parse(json);
    if (!cJSON_IsObject(file)) {
        cJSON_Delete(file);
        return false;
    }
    /* The object's keys go first; pairs already given stay on top. */
    cJSON *merged = file;
    for (cJSON *item = pairs->object->child; item;) {
        cJSON *next = item->next;
        cJSON *moved = cJSON_DetachItemViaPointer(pairs->object, item);
        put(merged, moved->string, moved);
        item = next;
    }
    cJSON_Delete(pairs->object);
    pairs->object = merged;
    return true;
}

bool cli_pairs_empty(const cli_pairs *pairs) { return pairs->object->child == NULL; }

char *cli_pairs_json(const cli_pairs *pairs)
{
    if (cli_pairs_empty(pairs))
        return NULL;
    char *text = cJSON_PrintUnformatted(pairs->object);
    if (!text)
        return NULL;
    char *copy = athlete_strdup(text);
    cJSON_free(text);
    return copy;
}

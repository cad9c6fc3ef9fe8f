/* Metrics lines (see metrics.h). Numbers are printed with %.17g so that a resumed run
 * writes the very bytes an uninterrupted one would. */
#include "metrics.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static void note_error(metrics *m, int which, int error)
{
    if (!m->error[0])
        snprintf(m->error, sizeof m->error, "cannot write metrics to '%s': %s", m->path[which], strerror(error));
}

bool metrics_open(metrics *m, const char *run_path, long long keep_bytes, const char *extra_path)
{
    *m = (metrics){0};
    const char *paths[2] = {run_path, extra_path};
    for (int i = 0; i < 2; i++) {
        if (!paths[i])
            continue;
        m->path[i] = strdup(paths[i]);
        if (i == 0 && keep_bytes >= 0 && truncate(paths[i], (off_t)keep_bytes) != 0) {
            snprintf(m->error, sizeof m->error, "cannot restore '%s' to its checkpointed length: %s", paths[i],
                     strerror(errno));
            return false;
        }
        m->file[i] = fopen(paths[i], "a");
        if (!m->file[i]) {
            snprintf(m->error, sizeof m->error, "cannot open '%s' for the metrics: %s", paths[i], strerror(errno));
            return false;
        }
    }
    return true;
}

static const char *const csv_names[3] = {"episodes.csv", "updates.csv", "evaluations.csv"};
static const char *const csv_headers[3] = {
    "episode,step,return,length,terminated,wall_time\n",
    "step,steps,key,value,wall_time\n",
    "step,episode,episodes,mean,std,min,max,mean_length,wall_time\n",
};

bool metrics_open_csv(metrics *m, const char *dir, const long long *keep_bytes)
{
    for (int k = 0; k < 3; k++) {
        int i = METRICS_CSV_EPISODES + k;
        size_t n = strlen(dir) + strlen(csv_names[k]) + 2;
        if (!(m->path[i] = malloc(n))) {
            snprintf(m->error, sizeof m->error, "out of memory");
            return false;
        }
        snprintf(m->path[i], n, "%s/%s", dir, csv_names[k]);
        if (keep_bytes && keep_bytes[k] >= 0 && truncate(m->path[i], (off_t)keep_bytes[k]) != 0) {
            snprintf(m->error, sizeof m->error, "cannot restore '%s' to its checkpointed length: %s", m->path[i],
                     strerror(errno));
            return false;
        }
        if (!(m->file[i] = fopen(m->path[i], "a"))) {
            snprintf(m->error, sizeof m->error, "cannot open '%s': %s", m->path[i], strerror(errno));
            return false;
        }
        if (ftello(m->file[i]) == 0 && fputs(csv_headers[k], m->file[i]) < 0)
            note_error(m, i, errno);
    }
    return true;
}

void metrics_csv_bytes(metrics *m, long long bytes[3])
{
    for (int k = 0; k < 3; k++)
        bytes[k] = m->file[METRICS_CSV_EPISODES + k] ? (long long)ftello(m->file[METRICS_CSV_EPISODES + k]) : -1;
}

void metrics_close(metrics *m)
{
    for (int i = 0; i < METRICS_FILES; i++) {
        if (m->file[i])
            fclose(m->file[i]);
        free(m->path[i]);
    }
    for (size_t k = 0; k < m->key_count; k++)
        free(m->keys[k].name);
    *m = (metrics){0};
}

/* printf to one CSV file, when --csv asked for it. */
static void csv(metrics *m, int which, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void csv(metrics *m, int which, const char *fmt, ...)
{
    if (!m->file[which])
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(m->file[which], fmt, ap) < 0)
        note_error(m, which, errno);
    va_end(ap);
}

/* printf to the JSON lines files. */
static void out(metrics *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(metrics *m, const char *fmt, ...)
{
    for (int i = 0; i < 2; i++) {
        if (!m->file[i])
            continue;
        va_list ap;
        va_start(ap, fmt);
        if (vfprintf(m->file[i], fmt, ap) < 0)
            note_error(m, i, errno);
        va_end(ap);
    }
}

void metrics_episode(metrics *m, const athlete_episode_report *r, double wall_time)
{
    out(m,
        "{\"type\": \"episode\", \"episode\": %" PRIu64 ", \"step\": %" PRIu64 ", \"return\": %.17g, \"length\": %" PRIu64
        ", \"terminated\": %s, \"wall_time\": %.3f}\n",
        r->episode, r->step, r->episode_return, r->length, r->terminated ? "true" : "false", wall_time);
    csv(m, METRICS_CSV_EPISODES, "%" PRIu64 ",%" PRIu64 ",%.17g,%" PRIu64 ",%d,%.3f\n", r->episode, r->step,
        r->episode_return, r->length, r->terminated ? 1 : 0, wall_time);
}

static metrics_key *key_for(metrics *m, const char *key)
{
    for (size_t k = 0; k < m->key_count; k++)
        if (m->keys[k].seen == key)
            return &m->keys[k];
    for (size_t k = 0; k < m->key_count; k++)
        if (strcmp(m->keys[k].name, key) == 0) {
            m->keys[k].seen = key;
            return &m->keys[k];
        }
    if (m->key_count == METRICS_MAX_KEYS)
        return NULL;
    char *name = strdup(key);
    if (!name)
        return NULL;
    m->keys[m->key_count] = (metrics_key){.seen = key, .name = name};
    return &m->keys[m->key_count++];
}

void metrics_observe(metrics *m, const athlete_info *info)
{
    for (size_t i = 0; info && i < info->count; i++) {
        const athlete_info_item *it = &info->items[i];
        double v;
        if (it->type == ATHLETE_VALUE_REAL)
            v = it->real;
        else if (it->type == ATHLETE_VALUE_INT)
            v = (double)it->integer;
        else if (it->type == ATHLETE_VALUE_BOOL)
            v = it->boolean ? 1.0 : 0.0;
        else
            continue; /* arrays (per-step actions, log-probabilities) are not statistics */
        if (!isfinite(v))
            continue;
        metrics_key *k = key_for(m, it->key);
        if (k) {
            k->sum += v;
            k->count++;
        }
    }
}

void metrics_end_window(metrics *m, uint64_t step, double wall_time)
{
    bool any = false;
    for (size_t k = 0; k < m->key_count; k++)
        any = any || m->keys[k].count;
    if (any) {
        out(m, "{\"type\": \"update\", \"step\": %" PRIu64 ", \"steps\": %" PRIu64, step, step - m->window_start);
        for (size_t k = 0; k < m->key_count; k++)
            if (m->keys[k].count) {
                double mean = m->keys[k].sum / (double)m->keys[k].count;
                out(m, ", \"%s\": %.17g", m->keys[k].name, mean);
                csv(m, METRICS_CSV_UPDATES, "%" PRIu64 ",%" PRIu64 ",%s,%.17g,%.3f\n", step, step - m->window_start,
                    m->keys[k].name, mean, wall_time);
            }
        out(m, ", \"wall_time\": %.3f}\n", wall_time);
    }
    for (size_t k = 0; k < m->key_count; k++) {
        m->keys[k].sum = 0;
        m->keys[k].count = 0;
    }
    m->window_start = step;
}

void metrics_eval(metrics *m, uint64_t step, uint64_t episode, const athlete_evaluation *ev, double wall_time)
{
    out(m,
        "{\"type\": \"eval\", \"step\": %" PRIu64 ", \"episode\": %" PRIu64 ", \"episodes\": %" PRIu64
        ", \"mean\": %.17g, \"std\": %.17g, \"min\": %.17g, \"max\": %.17g, \"mean_length\": %.17g, \"wall_time\": %.3f}\n",
        step, episode, ev->episodes, ev->mean_return, ev->std_return, ev->min_return, ev->max_return, ev->mean_length,
        wall_time);
    csv(m, METRICS_CSV_EVALS, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.17g,%.17g,%.17g,%.17g,%.17g,%.3f\n", step, episode,
        ev->episodes, ev->mean_return, ev->std_return, ev->min_return, ev->max_return, ev->mean_length, wall_time);
}

bool metrics_sync(metrics *m)
{
    for (int i = 0; i < METRICS_FILES; i++)
        if (m->file[i] && (fflush(m->file[i]) != 0 || ferror(m->file[i])))
            note_error(m, i, errno ? errno : EIO);
    return !m->error[0];
}

long long metrics_run_bytes(metrics *m)
{
    return m->file[0] ? (long long)ftello(m->file[0]) : -1;
}

cJSON *metrics_exact_number(double value)
{
    char text[32];
    snprintf(text, sizeof text, "%.17g", value);
    return cJSON_CreateRaw(text);
}

cJSON *metrics_window_to_json(const metrics *m)
{
    cJSON *w = cJSON_CreateObject();
    cJSON *keys = cJSON_AddArrayToObject(w, "keys");
    cJSON_AddNumberToObject(w, "start", (double)m->window_start);
    for (size_t k = 0; k < m->key_count; k++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(row, cJSON_CreateString(m->keys[k].name));
        cJSON_AddItemToArray(row, metrics_exact_number(m->keys[k].sum));
        cJSON_AddItemToArray(row, cJSON_CreateNumber((double)m->keys[k].count));
        cJSON_AddItemToArray(keys, row);
    }
    return w;
}

bool metrics_window_from_json(metrics *m, const cJSON *json)
{
    const cJSON *start = cJSON_GetObjectItemCaseSensitive(json, "start");
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(json, "keys");
    if (!cJSON_IsNumber(start) || !cJSON_IsArray(keys))
        return false;
    m->window_start = (uint64_t)start->valuedouble;
    for (const cJSON *row = keys->child; row; row = row->next) {
        const cJSON *name = cJSON_GetArrayItem(row, 0), *sum = cJSON_GetArrayItem(row, 1),
                    *count = cJSON_GetArrayItem(row, 2);
        if (!cJSON_IsString(name) || !cJSON_IsNumber(sum) || !cJSON_IsNumber(count) || count->valuedouble < 0)
            return false;
        metrics_key *k = key_for(m, name->valuestring);
        if (!k)
            return false;
        k->seen = NULL;
        k->sum = sum->valuedouble;
        k->count = (uint64_t)count->valuedouble;
    }
    return true;
}

/* A sweep's results: what a finished run folder reports, results.jsonl, and the summary
 * per configuration (summary.md, best-config.json). */
#include "sweep.h"

#include "../cli/cli.h"
#include "../cli/run-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BOOTSTRAP_REPS = 2000, BOOTSTRAP_SEED = 12345 };

bool athlete_sweep_read_run(const char *run_dir, const athlete_sweep_spec *spec, const athlete_sweep_run *run,
                            athlete_sweep_result *out, char *msg, size_t msg_size)
{
    *out = (athlete_sweep_result){.config = run->config, .seed = spec->seeds[run->seed_index], .attempts = 1};
    char *state_path = run_path(run_dir, "final.state.json");
    cJSON *state = state_path ? run_read_json(state_path, msg, msg_size) : NULL;
    free(state_path);
    if (!state)
        return false;
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(state, "step");
    const cJSON *episode = cJSON_GetObjectItemCaseSensitive(state, "episode");
    bool ok = cJSON_IsNumber(step) && cJSON_IsNumber(episode) && step->valuedouble == (double)spec->steps;
    if (ok) {
        out->env_steps = (uint64_t)step->valuedouble;
        out->episodes = (uint64_t)episode->valuedouble;
    } else {
        snprintf(msg, msg_size, "'%s' stopped before its %llu steps", run_dir,
                 (unsigned long long)spec->steps);
    }
    cJSON_Delete(state);
    if (!ok)
        return false;
    char *metrics_path = run_path(run_dir, "metrics.jsonl");
    FILE *f = metrics_path ? fopen(metrics_path, "r") : NULL;
    if (!f) {
        snprintf(msg, msg_size, "cannot open '%s/metrics.jsonl': %s", run_dir, strerror(errno));
        free(metrics_path);
        return false;
    }
    free(metrics_path);
    char *line = NULL;
    size_t cap = 0;
    bool any = false;
    double last_step = -1;
    while (getline(&line, &cap, f) > 0) {
        if (!strstr(line, "\"eval\""))
            continue;
        cJSON *j = cJSON_Parse(line);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "step");
        const cJSON *mean = cJSON_GetObjectItemCaseSensitive(j, "mean");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "eval") == 0 && cJSON_IsNumber(s) &&
            cJSON_IsNumber(mean)) {
            if (!any || mean->valuedouble > out->best_eval) {
                out->best_eval = mean->valuedouble;
                out->best_step = (uint64_t)s->valuedouble;
            }
            any = true;
            out->final_eval = mean->valuedouble;
            last_step = s->valuedouble;
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (!any || last_step != (double)spec->steps) {
        snprintf(msg, msg_size, "'%s/metrics.jsonl' has no evaluation at step %llu", run_dir,
                 (unsigned long long)spec->steps);
        return false;
    }
    return true;
}

/* A double as the shortest JSON number that parses back to the same bits (cJSON's own
 * printing may round the last bits away). */
static cJSON *exact_number(double value)
{
    char text[40];
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, value);
        if (strtod(text, NULL) == value)
            break;
    }
    return cJSON_CreateRaw(text);
}

/* The deterministic fields first, then those of the machine (wall time, host, rank,
 * worker, attempts). */
char *athlete_sweep_result_line(const athlete_sweep_plan *plan, const athlete_sweep_result *r)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "config", (double)r->config);
    cJSON_AddItemToObject(j, "configuration",
                          r->config < plan->config_count ? cJSON_Duplicate(plan->varied[r->config], true)
                                                         : cJSON_CreateObject());
    cJSON_AddNumberToObject(j, "seed", (double)r->seed);
    cJSON_AddItemToObject(j, "final_eval", exact_number(r->final_eval));
    cJSON_AddItemToObject(j, "best_eval", exact_number(r->best_eval));
    cJSON_AddNumberToObject(j, "best_step", (double)r->best_step);
    cJSON_AddNumberToObject(j, "env_steps", (double)r->env_steps);
    cJSON_AddNumberToObject(j, "episodes", (double)r->episodes);
    cJSON_AddNumberToObject(j, "wall_time", round(r->wall_time * 1000) / 1000);
    cJSON_AddStringToObject(j, "host", r->host);
    cJSON_AddNumberToObject(j, "rank", r->rank);
    cJSON_AddNumberToObject(j, "worker", r->worker);
    cJSON_AddNumberToObject(j, "attempts", r->attempts);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    char *copy = text ? strdup(text) : NULL;
    cJSON_free(text);
    return copy;
}

static double number(const cJSON *j, const char *key, bool *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    *ok = *ok && cJSON_IsNumber(v);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

bool athlete_sweep_result_parse(const char *line, athlete_sweep_result *out)
{
    cJSON *j = cJSON_Parse(line);
    bool ok = cJSON_IsObject(j);
    *out = (athlete_sweep_result){0};
    out->config = (size_t)number(j, "config", &ok);
    out->seed = (uint64_t)number(j, "seed", &ok);
    out->final_eval = number(j, "final_eval", &ok);
    out->best_eval = number(j, "best_eval", &ok);
    out->best_step = (uint64_t)number(j, "best_step", &ok);
    out->env_steps = (uint64_t)number(j, "env_steps", &ok);
    out->episodes = (uint64_t)number(j, "episodes", &ok);
    out->wall_time = number(j, "wall_time", &ok);
    out->rank = (int)number(j, "rank", &ok);
    out->worker = (int)number(j, "worker", &ok);
    out->attempts = (int)number(j, "attempts", &ok);
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(j, "host");
    if (cJSON_IsString(host))
        snprintf(out->host, sizeof out->host, "%s", host->valuestring);
    cJSON_Delete(j);
    return ok;
}

bool athlete_sweep_append_result(const char *sweep_dir, const char *line, char *msg, size_t msg_size)
{
    char *path = run_path(sweep_dir, "results.jsonl");
    int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666) : -1;
    size_t len = strlen(line);
    bool ok = fd >= 0;
    if (ok) {
        /* One write: the line is whole in the file or absent. */
        char *text = malloc(len + 1);
        ok = text != NULL;
        if (ok) {
            memcpy(text, line, len);
            text[len] = '\n';
            ok = write(fd, text, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0;
            free(text);
        }
    }
    if (!ok)
        snprintf(msg, msg_size, "cannot append to '%s': %s", path ? path : "results.jsonl", strerror(errno));
    if (fd >= 0)
        close(fd);
    free(path);
    return ok;
}

typedef struct loaded {
    athlete_sweep_result *results;
    char **lines;
    size_t count;
} loaded;

static void loaded_free(loaded *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->lines[i]);
    free(l->lines);
    free(l->results);
    *l = (loaded){0};
}

/* results.jsonl for reading, its path in *path (freed by the caller); NULL with
 * *missing when there is none yet (no run finished), NULL with a message otherwise. */
static FILE *open_results(const char *sweep_dir, char **path, bool *missing, char *msg, size_t msg_size)
{
    *path = run_path(sweep_dir, "results.jsonl");
    FILE *f = *path ? fopen(*path, "r") : NULL;
    *missing = !f && *path && errno == ENOENT;
    if (!f) {
        if (!*missing)
            snprintf(msg, msg_size, "cannot open '%s': %s", *path ? *path : "results.jsonl", strerror(errno));
        free(*path);
        *path = NULL;
    }
    return f;
}

/* Every whole line of results.jsonl (a missing file is empty); the last line for a run wins. */
static bool load_results(const char *sweep_dir, loaded *out, char *msg, size_t msg_size)
{
    *out = (loaded){0};
    char *path;
    bool missing;
    FILE *f = open_results(sweep_dir, &path, &missing, msg, msg_size);
    if (!f)
        return missing;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok = true;
    while (ok && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* a torn last line: the run is not counted */
        line[len - 1] = '\0';
        athlete_sweep_result r;
        if (!athlete_sweep_result_parse(line, &r)) {
            snprintf(msg, msg_size, "'%s': a line is not a sweep result: %.80s", path, line);
            ok = false;
            break;
        }
        size_t at = out->count;
        for (size_t i = 0; i < out->count; i++)
            if (out->results[i].config == r.config && out->results[i].seed == r.seed)
                at = i;
        if (at == out->count) {
            athlete_sweep_result *rs = realloc(out->results, (out->count + 1) * sizeof *rs);
            if (rs)
                out->results = rs;
            char **ls = rs ? realloc(out->lines, (out->count + 1) * sizeof *ls) : NULL;
            if (!ls) {
                snprintf(msg, msg_size, "out of memory");
                ok = false;
                break;
            }
            out->lines = ls;
            out->lines[out->count++] = NULL;
        }
        free(out->lines[at]);
        out->results[at] = r;
        out->lines[at] = strdup(line);
    }
    free(line);
    fclose(f);
    free(path);
    if (!ok)
        loaded_free(out);
    return ok;
}

static const loaded *sort_key_source;

static int compare_results(const void *a, const void *b)
{
    const athlete_sweep_result *x = &sort_key_source->results[*(const size_t *)a];
    const athlete_sweep_result *y = &sort_key_source->results[*(const size_t *)b];
    if (x->config != y->config)
        return x->config < y->config ? -1 : 1;
    return (x->seed > y->seed) - (x->seed < y->seed);
}

bool athlete_sweep_sort_results(const char *sweep_dir, char *msg, size_t msg_size)
{
    loaded l;
    if (!load_results(sweep_dir, &l, msg, msg_size))
        return false;
    size_t *order = malloc((l.count ? l.count : 1) * sizeof *order), total = 1;
    for (size_t i = 0; i < l.count; i++) {
        order[i] = i;
        total += strlen(l.lines[i]) + 1;
    }
    sort_key_source = &l;
    qsort(order, l.count, sizeof *order, compare_results);
    char *text = malloc(total), *p = text;
    for (size_t i = 0; text && i < l.count; i++) {
        size_t n = strlen(l.lines[order[i]]);
        memcpy(p, l.lines[order[i]], n);
        p[n] = '\n';
        p += n + 1;
    }
    if (text)
        *p = '\0';
    char *path = run_path(sweep_dir, "results.jsonl");
    bool ok = text && path && run_write_file(path, text, msg, msg_size);
    free(path);
    free(text);
    free(order);
    loaded_free(&l);
    return ok;
}

/* ---- the summary ---- */

static const char *number_format(double magnitude)
{
    magnitude = fabs(magnitude);
    return magnitude < 10 ? "%.3f" : magnitude < 1000 ? "%.2f" : "%.1f";
}

static void put(FILE *a, FILE *b, const char *fmt, double v)
{
    if (a)
        fprintf(a, fmt, v);
    if (b)
        fprintf(b, fmt, v);
}

static void puts2(FILE *a, FILE *b, const char *text)
{
    if (a)
        fputs(text, a);
    if (b)
        fputs(text, b);
}

/* The merged configuration of the best configuration: an agent made with its overrides
 * says it (the same text `athlete train` writes into config.json). */
static athlete_status write_best_config(const char *sweep_dir, const athlete_sweep_spec *spec,
                                        const athlete_sweep_plan *plan, size_t config, athlete_error *err)
{
    athlete_env *env = NULL;
    athlete_registry *reg = NULL;
    athlete_agent *agent = NULL;
    char *json = NULL, *env_options = cJSON_PrintUnformatted(spec->env_options);
    uint64_t seed = 0;
    athlete_status st = athlete_env_create(spec->environment, env_options, &env, err);
    cJSON_free(env_options);
    if (st == ATHLETE_OK)
        st = athlete_registry_create(NULL, &reg, err);
    if (st == ATHLETE_OK)
        st = athlete_agent_create(reg, spec->algorithm, athlete_env_observation_space(env),
                                  athlete_env_action_space(env), &seed, plan->overrides[config], &agent, err);
    if (st == ATHLETE_OK)
        st = athlete_agent_config_json(agent, true, &json, err);
    char msg[600], *path = run_path(sweep_dir, "best-config.json");
    if (st == ATHLETE_OK && (!path || !run_write_file(path, json, msg, sizeof msg)))
        st = athlete_error_set(err, ATHLETE_E_IO, "%s", path ? msg : "out of memory");
    free(path);
    athlete_free(json);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    athlete_env_destroy(env);
    return st;
}

athlete_status athlete_sweep_summarize(const char *sweep_dir, const athlete_sweep_spec *spec,
                                       const athlete_sweep_plan *plan, FILE *out, athlete_error *err)
{
    char msg[600];
    loaded l;
    if (!load_results(sweep_dir, &l, msg, sizeof msg))
        return athlete_error_set(err, ATHLETE_E_IO, "%s", msg);
    char *md_path = run_path(sweep_dir, "summary.md");
    char *tmp_path = md_path ? malloc(strlen(md_path) + 8) : NULL;
    if (tmp_path)
        sprintf(tmp_path, "%s.tmp", md_path);
    FILE *md = tmp_path ? fopen(tmp_path, "w") : NULL;
    if (!md) {
        athlete_status st = athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s",
                                              md_path ? md_path : "summary.md", strerror(errno));
        free(md_path);
        free(tmp_path);
        loaded_free(&l);
        return st;
    }
    fprintf(md, "# Sweep %s: %s on %s\n\n", spec->name, spec->algorithm, spec->environment);
    fprintf(md,
            "%llu steps per run, final greedy evaluation over %llu episodes; IQM with a 95 %% stratified "
            "bootstrap interval (%d resamples).\n\n",
            (unsigned long long)spec->steps, (unsigned long long)spec->eval_episodes, BOOTSTRAP_REPS);
    char header[256];
    snprintf(
        header, sizeof header,
        "| config | configuration | seeds | mean ± std | IQM [95 %% CI] | worst (seed) |%s best eval (mean) |\n"
        "|---|---|---|---|---|---|%s---|\n",
        spec->has_threshold ? " pass |" : "", spec->has_threshold ? "---|" : "");
    puts2(out, md, header);
    double *values = malloc((l.count ? l.count : 1) * sizeof *values);
    bool have_best = false;
    athlete_sweep_config_summary best = {0};
    for (size_t c = 0; values && c < plan->config_count; c++) {
        athlete_sweep_config_summary s = {.config = c};
        double best_sum = 0;
        for (size_t i = 0; i < l.count; i++) {
            const athlete_sweep_result *r = &l.results[i];
            if (r->config != c)
                continue;
            values[s.runs++] = r->final_eval;
            best_sum += r->best_eval;
            if (s.runs == 1 || r->final_eval < s.worst) {
                s.worst = r->final_eval;
                s.worst_seed = r->seed;
            }
            s.passed += spec->has_threshold && r->final_eval >= spec->threshold;
        }
        char *varied = cJSON_PrintUnformatted(plan->varied[c]);
        char cell[400];
        snprintf(cell, sizeof cell, "| %zu | `%s` | %zu | ", c, varied ? varied : "", s.runs);
        cJSON_free(varied);
        puts2(out, md, cell);
        if (!s.runs) {
            puts2(out, md,
                  spec->has_threshold ? "(no finished run) | | | | | |\n" : "(no finished run) | | | | |\n");
            continue;
        }
        for (size_t i = 0; i < s.runs; i++)
            s.mean += values[i];
        s.mean /= (double)s.runs;
        for (size_t i = 0; i < s.runs; i++)
            s.std += (values[i] - s.mean) * (values[i] - s.mean);
        s.std = s.runs > 1 ? sqrt(s.std / (double)(s.runs - 1)) : 0;
        s.iqm = athlete_sweep_iqm(values, s.runs);
        athlete_sweep_iqm_bootstrap(values, NULL, s.runs, BOOTSTRAP_REPS, BOOTSTRAP_SEED, &s.iqm_lo,
                                    &s.iqm_hi);
        const char *f = number_format(s.mean);
        put(out, md, f, s.mean);
        puts2(out, md, " ± ");
        put(out, md, f, s.std);
        puts2(out, md, " | ");
        put(out, md, f, s.iqm);
        puts2(out, md, " [");
        put(out, md, f, s.iqm_lo);
        puts2(out, md, ", ");
        put(out, md, f, s.iqm_hi);
        puts2(out, md, "] | ");
        put(out, md, f, s.worst);
        snprintf(cell, sizeof cell, " (%llu) | ", (unsigned long long)s.worst_seed);
        puts2(out, md, cell);
        if (spec->has_threshold) {
            snprintf(cell, sizeof cell, "%zu/%zu | ", s.passed, s.runs);
            puts2(out, md, cell);
        }
        put(out, md, f, best_sum / (double)s.runs);
        puts2(out, md, " |\n");
        /* The best configuration: the highest IQM, then the highest mean, then the first. */
        if (!have_best || s.iqm > best.iqm || (s.iqm == best.iqm && s.mean > best.mean)) {
            best = s;
            have_best = true;
        }
    }
    athlete_status st = values ? ATHLETE_OK : athlete_error_set(err, ATHLETE_E_NO_MEMORY, "out of memory");
    if (st == ATHLETE_OK && have_best) {
        char *varied = cJSON_PrintUnformatted(plan->varied[best.config]);
        char line[600];
        snprintf(line, sizeof line, "\nbest: configuration %zu %s (IQM ", best.config, varied ? varied : "");
        cJSON_free(varied);
        puts2(out, md, line);
        put(out, md, number_format(best.iqm), best.iqm);
        snprintf(line, sizeof line,
                 "), written to %s/best-config.json (athlete train %s %s --config %s/best-config.json)\n",
                 sweep_dir, spec->algorithm, spec->environment, sweep_dir);
        puts2(out, md, line);
        st = write_best_config(sweep_dir, spec, plan, best.config, err);
    }
    free(values);
    bool written = fclose(md) == 0;
    if (st == ATHLETE_OK && (!written || rename(tmp_path, md_path) != 0))
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s", md_path, strerror(errno));
    if (st != ATHLETE_OK)
        unlink(tmp_path);
    free(md_path);
    free(tmp_path);
    loaded_free(&l);
    return st;
}

/* Which runs results.jsonl holds (see sweep.h); unreadable or torn lines count as unfinished. */
bool athlete_sweep_finished_runs(const char *sweep_dir, const athlete_sweep_spec *spec,
                                 const athlete_sweep_plan *plan, bool *finished, char *msg, size_t msg_size)
{
    memset(finished, 0, plan->config_count * spec->seed_count * sizeof *finished);
    char *path;
    bool missing;
    FILE *f = open_results(sweep_dir, &path, &missing, msg, msg_size);
    if (!f)
        return missing;
    free(path);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        athlete_sweep_result r;
        if (line[len - 1] != '\n' || !athlete_sweep_result_parse(line, &r) || r.config >= plan->config_count)
            continue;
        for (size_t i = 0; i < spec->seed_count; i++)
            if (spec->seeds[i] == r.seed)
                finished[r.config * spec->seed_count + i] = true;
    }
    free(line);
    fclose(f);
    return true;
}

/* The metrics of a training run: JSON lines in the run folder's metrics.jsonl (and a copy
 * to --metrics), one per episode, one per --log-every steps with the mean of every number
 * the agent reported in agent_info, one per evaluation. Each line ends with "wall_time". */
#ifndef ATHLETE_CLI_METRICS_H
#define ATHLETE_CLI_METRICS_H

#include "runner.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define METRICS_MAX_KEYS 64

typedef struct metrics_key {
    const char *seen;  /* the info's key pointer last seen (compared first: no strcmp per step) */
    char *name;
    double sum;
    uint64_t count;
} metrics_key;

enum { METRICS_FILES = 5 }; /* metrics.jsonl, --metrics, and with --csv: episodes, updates, evaluations */
enum { METRICS_CSV_EPISODES = 2, METRICS_CSV_UPDATES = 3, METRICS_CSV_EVALS = 4 };

typedef struct metrics {
    FILE *file[METRICS_FILES];
    char *path[METRICS_FILES];
    metrics_key keys[METRICS_MAX_KEYS];
    size_t key_count;
    uint64_t window_start; /* step the current aggregation window began after */
    char error[512];       /* the first write error */
} metrics;

/* Opens the run's file (kept up to `keep_bytes` bytes when >= 0: what a checkpoint
 * recorded) and an optional extra file for appending. False with m->error set. */
bool metrics_open(metrics *m, const char *run_path, long long keep_bytes, const char *extra_path);
void metrics_close(metrics *m);
/* --csv: episodes.csv, updates.csv (long format: step, steps, key, value) and
 * evaluations.csv in `dir`, kept up to keep_bytes[i] when not NULL, with a header when new. */
bool metrics_open_csv(metrics *m, const char *dir, const long long *keep_bytes);
/* The CSV files' sizes after metrics_sync (-1 when not written). */
void metrics_csv_bytes(metrics *m, long long bytes[3]);

void metrics_episode(metrics *m, const athlete_episode_report *r, double wall_time);
/* Adds one step's agent_info to the current window. No allocation once every key was seen. */
void metrics_observe(metrics *m, const athlete_info *info);
/* Writes the window's "update" line (when anything was reported) and starts a new one. */
void metrics_end_window(metrics *m, uint64_t step, double wall_time);
void metrics_eval(metrics *m, uint64_t step, uint64_t episode, const athlete_evaluation *ev, double wall_time);
/* Flushes both files; false with m->error set when a write failed. */
bool metrics_sync(metrics *m);
/* The run file's size after metrics_sync (for a checkpoint's state). */
long long metrics_run_bytes(metrics *m);

/* A double as a JSON number that parses back to the same bits (cJSON's own printing
 * keeps 15 digits when they come within an epsilon). */
cJSON *metrics_exact_number(double value);

/* The aggregation window as JSON (for a checkpoint's state) and back. */
cJSON *metrics_window_to_json(const metrics *m);
bool metrics_window_from_json(metrics *m, const cJSON *json);

#endif

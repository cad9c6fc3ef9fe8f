/* Sweeps: many training runs of one algorithm on one environment, over seeds and
 * hyper-parameters, spread over worker processes (and over MPI ranks when built with
 * MPI). Each run is an ordinary `athlete train` run folder; the sweep folder adds the plan,
 * one results line per finished run and a summary per configuration.
 *
 *   sweeps/<name>/spec.json        the spec, as given (a resumed sweep must match it)
 *   sweeps/<name>/plan.json        every configuration's overrides, in index order
 *   sweeps/<name>/runs/<c>-seed<s>/ run folders (config.json, metrics.jsonl, final.ckpt, ...)
 *   sweeps/<name>/results.jsonl    one line per finished run, sorted by (configuration, seed)
 *   sweeps/<name>/summary.md       the table printed at the end
 *   sweeps/<name>/best-config.json the best configuration's config.json (athlete train --config)
 *
 * A static helper of the CLI, not installed and not part of libathlete's ABI. */
#ifndef ATHLETE_SWEEP_H
#define ATHLETE_SWEEP_H

#include <athlete/status.h>

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

ATHLETE_BEGIN_DECLS

typedef enum athlete_sweep_distribution {
    ATHLETE_SWEEP_UNIFORM,
    ATHLETE_SWEEP_LOG_UNIFORM,
    ATHLETE_SWEEP_CHOICE,
} athlete_sweep_distribution;

/* One dimension of the random search space. */
typedef struct athlete_sweep_random_key {
    char *key; /* dotted path of the configuration key */
    athlete_sweep_distribution distribution;
    double low, high; /* uniform, log_uniform */
    cJSON *choices;   /* choice: a non-empty array */
} athlete_sweep_random_key;

typedef struct athlete_sweep_spec {
    char *name, *algorithm, *environment;
    char *preset;       /* the preset's name ("algorithm/environment"), or NULL */
    cJSON *overrides;   /* base configuration: the preset's overrides, then the spec's */
    cJSON *env_options; /* an object (may be empty) */
    char **grid_keys;   /* dotted paths; grid_values[i] is a non-empty array */
    cJSON **grid_values;
    size_t grid_count;
    athlete_sweep_random_key *random;
    size_t random_count;
    uint64_t samples, sampler_seed;
    uint64_t *seeds;
    size_t seed_count;
    uint64_t steps, eval_every, eval_episodes, log_every;
    bool has_threshold;
    double threshold;
    char *text;   /* the spec file's text */
    char *origin; /* where it came from (for messages) */
} athlete_sweep_spec;

/* Parses and checks a spec: unknown or mistyped fields, empty grids, bad ranges, a preset
 * that is not found. The configurations themselves are checked by athlete_sweep_plan_check. */
athlete_status athlete_sweep_spec_parse(const char *text, const char *origin, athlete_sweep_spec *out,
                                        athlete_error *err);
athlete_status athlete_sweep_spec_load(const char *path, athlete_sweep_spec *out, athlete_error *err);
void athlete_sweep_spec_clear(athlete_sweep_spec *spec);

/* The configurations: the grid's cartesian product (the first key varies slowest), each
 * crossed with `samples` random draws (the same draws for every grid point, drawn in the
 * spec's key order from a generator seeded with sampler_seed). */
typedef struct athlete_sweep_plan {
    size_t config_count;
    cJSON **varied;   /* per configuration: {dotted key: value} of the grid and random keys */
    char **overrides; /* per configuration: the full overrides (base, then varied) as JSON */
} athlete_sweep_plan;

athlete_status athlete_sweep_plan_create(const athlete_sweep_spec *spec, athlete_sweep_plan *out,
                                         athlete_error *err);
void athlete_sweep_plan_clear(athlete_sweep_plan *plan);
/* Creates an agent (seed 0) for every configuration: the plugin's own checks of keys
 * (with the nearest key for a typo), types and ranges, before anything runs. */
athlete_status athlete_sweep_plan_check(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                        athlete_error *err);
/* The plan as JSON text (plan.json). */
char *athlete_sweep_plan_json(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan);

/* One run: configuration `config`, seed spec->seeds[seed_index]. */
typedef struct athlete_sweep_run {
    size_t config;
    size_t seed_index;
} athlete_sweep_run;

/* "runs/<config>-seed<seed>" inside the sweep folder (malloc'ed). */
char *athlete_sweep_run_dir(const char *sweep_dir, const athlete_sweep_spec *spec,
                            const athlete_sweep_run *run);

/* What a finished run reports (read from its run folder). */
typedef struct athlete_sweep_result {
    size_t config;
    uint64_t seed;
    double final_eval, best_eval;
    uint64_t best_step, env_steps, episodes;
    double wall_time; /* seconds, the parent's clock around the worker */
    char host[64];
    int rank, worker, attempts;
} athlete_sweep_result;

/* Reads a finished run folder's metrics into *out (config, seed, final and best evaluation,
 * steps, episodes); false with msg set when the run is incomplete. */
bool athlete_sweep_read_run(const char *run_dir, const athlete_sweep_spec *spec, const athlete_sweep_run *run,
                            athlete_sweep_result *out, char *msg, size_t msg_size);
/* One results.jsonl line (no newline; malloc'ed). */
char *athlete_sweep_result_line(const athlete_sweep_plan *plan, const athlete_sweep_result *r);
bool athlete_sweep_result_parse(const char *line, athlete_sweep_result *out);

/* ---- statistics of a configuration's seeds ---- */

/* Interquartile mean: the mean of the values left after dropping floor(n/4) of the
 * smallest and of the largest. `values` is not changed. */
double athlete_sweep_iqm(const double *values, size_t n);
/* A 95 % percentile interval of the IQM by stratified bootstrap: each of `reps` resamples
 * draws, within every stratum (values with equal strata[i]; NULL: one stratum), as many
 * values with replacement as the stratum holds; lo and hi are the sorted replicates at
 * indices floor(0.025 reps) and ceil(0.975 reps) - 1. Deterministic for a given seed. */
bool athlete_sweep_iqm_bootstrap(const double *values, const size_t *strata, size_t n, size_t reps,
                                 uint64_t seed, double *lo, double *hi);

typedef struct athlete_sweep_config_summary {
    size_t config, runs;
    double mean, std, iqm, iqm_lo, iqm_hi, worst;
    uint64_t worst_seed;
    size_t passed; /* runs whose final evaluation reached the threshold */
} athlete_sweep_config_summary;

/* Writes summary.md and best-config.json and prints the table to `out` (may be NULL). */
athlete_status athlete_sweep_summarize(const char *sweep_dir, const athlete_sweep_spec *spec,
                                       const athlete_sweep_plan *plan, FILE *out, athlete_error *err);

/* ---- running ---- */

typedef struct athlete_sweep_options {
    const char *athlete_path; /* the athlete program the workers run (`athlete train`) */
    const char *sweep_dir;    /* sweeps/<name> */
    unsigned jobs;            /* worker processes at once (>= 1) */
    bool resume;              /* continue: finished runs are kept, the others run */
    bool quiet;
    volatile sig_atomic_t *stop; /* set (SIGINT/SIGTERM) to stop the workers and return */
    bool prepared;               /* out: the sweep folder was made ready (runs may have run) */
} athlete_sweep_options;

/* Creates the sweep folder (or, resuming, checks its spec.json and plan.json against the
 * spec's) and returns the runs still to do, in (configuration, seed) order (malloc'ed);
 * sets options->prepared. */
athlete_status athlete_sweep_prepare(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                     athlete_sweep_options *options, athlete_sweep_run **todo,
                                     size_t *todo_count, athlete_error *err);

/* Which runs results.jsonl holds: finished[config * seed_count + seed_index]. */
bool athlete_sweep_finished_runs(const char *sweep_dir, const athlete_sweep_spec *spec,
                                 const athlete_sweep_plan *plan, bool *finished, char *msg, size_t msg_size);

/* The worker command of a run (NULL-terminated; free with athlete_sweep_argv_free):
 * `athlete train ALG ENV --run-dir ... --config RUN/sweep-overrides.json --seed ...`, or
 * `athlete train --resume RUN` for a folder a stopped sweep left. */
char **athlete_sweep_worker_argv(const char *athlete_path, const char *sweep_dir,
                                 const athlete_sweep_spec *spec, const athlete_sweep_run *run,
                                 bool resume_folder);
void athlete_sweep_argv_free(char **argv);

/* Appends a line to results.jsonl (with fsync). */
bool athlete_sweep_append_result(const char *sweep_dir, const char *line, char *msg, size_t msg_size);
/* Rewrites results.jsonl sorted by (configuration, seed), one line per run. */
bool athlete_sweep_sort_results(const char *sweep_dir, char *msg, size_t msg_size);

/* One worker process running one run: `athlete train` in a fresh run folder, or
 * `athlete train --resume` of a folder a stopped sweep left (OPENBLAS_NUM_THREADS=1,
 * output to the folder's worker.log). A folder that already holds the whole run is only
 * read. */
typedef struct athlete_sweep_worker {
    int pid; /* 0: nothing to wait for */
    bool busy;
    athlete_sweep_run run;
    int attempt;  /* 1, then 2 for the retry of a killed worker */
    double start; /* monotonic seconds */
    int id, rank;
} athlete_sweep_worker;

typedef enum athlete_sweep_outcome {
    ATHLETE_SWEEP_RUNNING,
    ATHLETE_SWEEP_FINISHED, /* *line is its results line */
    ATHLETE_SWEEP_RETRY,    /* killed by a signal the sweep did not send: start attempt 2 */
    ATHLETE_SWEEP_FAILED,   /* msg says why */
    ATHLETE_SWEEP_STOPPED,  /* stopped by the sweep: not finished, resumable */
} athlete_sweep_outcome;

athlete_status athlete_sweep_worker_start(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                          const athlete_sweep_options *options, athlete_sweep_worker *worker,
                                          const athlete_sweep_run *run, int attempt, athlete_error *err);
/* Checks the worker (without blocking when `wait` is false). */
athlete_sweep_outcome athlete_sweep_worker_poll(const athlete_sweep_spec *spec,
                                                const athlete_sweep_plan *plan,
                                                const athlete_sweep_options *options,
                                                athlete_sweep_worker *worker, bool wait, char **line,
                                                char *msg, size_t msg_size);
/* Asks the worker to stop (SIGTERM: it saves its run folder for a resume). */
void athlete_sweep_worker_stop(athlete_sweep_worker *worker);

/* Runs the runs of `todo` on options->jobs local worker processes. A worker that dies of
 * a signal the sweep did not send is reported and its run retried once from scratch.
 * ATHLETE_OK when every run finished; E_IO (the message counts them) when some failed;
 * E_CALL_ORDER ("stopped ...") when *options->stop was set: the workers were stopped and
 * their runs left out of results.jsonl, for a resume. */
athlete_status athlete_sweep_run_local(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                       const athlete_sweep_run *todo, size_t todo_count,
                                       const athlete_sweep_options *options, athlete_error *err);

/* Whether this build has MPI (Meson option `mpi`). */
bool athlete_sweep_mpi_available(void);
/* The world size of an MPI launch seen from the environment (OMPI_COMM_WORLD_SIZE,
 * PMI_SIZE), 0 when not started by mpirun; *rank gets OMPI_COMM_WORLD_RANK or PMI_RANK. */
int athlete_sweep_mpi_launch_size(int *rank);
/* The sweep under mpirun (builds with MPI only, sweep-mpi.c): rank 0 checks the plan,
 * prepares the folder, hands runs out one at a time to whichever rank asks (itself
 * included: it runs one worker too), and appends every rank's results to results.jsonl.
 * *is_root says whether this process is rank 0 (which then summarizes). */
athlete_status athlete_sweep_run_mpi(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                     athlete_sweep_options *options, bool *is_root, athlete_error *err);

ATHLETE_END_DECLS

#endif

/* The sweep under mpirun: rank 0 hands runs out one at a time to whichever rank asks
 * (a rank asks again when its run ends, so fast and slow hosts balance), runs a worker of
 * its own meanwhile, and writes every result into results.jsonl. Each run is the same
 * `athlete train` command as in a local sweep, so it gives the same numbers. The only file
 * that includes mpi.h. */
#include "sweep.h"

#include <mpi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { TAG_REPORT = 1, TAG_ASSIGN = 2 };

bool athlete_sweep_mpi_available(void) { return true; }

static void pause_briefly(void)
{
    struct timespec pause = {0, 5 * 1000 * 1000};
    nanosleep(&pause, NULL);
}

/* A worker rank's report: "" (ready), a results line ("{...}"), "!message" (failed) or
 * "~" (stopped). */
static void send_report(const char *text)
{
    MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, 0, TAG_REPORT, MPI_COMM_WORLD);
}

/* Runs one run to its end on this rank, retrying a killed worker once. */
static athlete_sweep_outcome run_here(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                      const athlete_sweep_options *options, athlete_sweep_worker *w,
                                      const athlete_sweep_run *run, char **line, char *msg, size_t msg_size)
{
    athlete_error err;
    for (int attempt = 1;; attempt++) {
        if (athlete_sweep_worker_start(spec, plan, options, w, run, attempt, &err) != ATHLETE_OK) {
            snprintf(msg, msg_size, "%s", err.message);
            w->busy = false;
            return ATHLETE_SWEEP_FAILED;
        }
        bool asked = false;
        athlete_sweep_outcome o;
        while ((o = athlete_sweep_worker_poll(spec, plan, options, w, false, line, msg, msg_size)) ==
               ATHLETE_SWEEP_RUNNING) {
            if (options->stop && *options->stop && !asked) {
                athlete_sweep_worker_stop(w);
                asked = true;
            }
            pause_briefly();
        }
        if (o != ATHLETE_SWEEP_RETRY)
            return o;
        fprintf(stderr, "athlete: sweep: %s\n", msg);
    }
}

static void worker_rank(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                        const athlete_sweep_options *options, int rank)
{
    athlete_sweep_worker w = {.id = 1, .rank = rank};
    send_report("");
    for (;;) {
        long long assign[2];
        MPI_Recv(assign, 2, MPI_LONG_LONG, 0, TAG_ASSIGN, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (assign[0] < 0)
            return;
        athlete_sweep_run run = {(size_t)assign[0], (size_t)assign[1]};
        char *line = NULL, msg[1024];
        athlete_sweep_outcome o = run_here(spec, plan, options, &w, &run, &line, msg, sizeof msg);
        if (o == ATHLETE_SWEEP_FINISHED) {
            send_report(line);
        } else if (o == ATHLETE_SWEEP_STOPPED) {
            send_report("~");
        } else {
            char report[1100];
            snprintf(report, sizeof report, "!%s", msg);
            send_report(report);
        }
        free(line);
    }
}

typedef struct root_state {
    const athlete_sweep_options *options;
    size_t done, failed, total;
} root_state;

static void record(root_state *r, const char *line)
{
    char msg[600];
    if (!athlete_sweep_append_result(r->options->sweep_dir, line, msg, sizeof msg)) {
        fprintf(stderr, "athlete: sweep: %s\n", msg);
        r->failed++;
        return;
    }
    r->done++;
    athlete_sweep_result res;
    if (!r->options->quiet && athlete_sweep_result_parse(line, &res))
        fprintf(stderr, "[%zu/%zu] %zu-seed%llu: final %g, best %g (%.1f s, rank %d)\n", r->done, r->total,
                res.config, (unsigned long long)res.seed, res.final_eval, res.best_eval, res.wall_time,
                res.rank);
}

static athlete_status root_rank(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                const athlete_sweep_options *options, const athlete_sweep_run *todo,
                                size_t todo_count, int size, athlete_error *err)
{
    root_state r = {options, 0, 0, todo_count};
    athlete_sweep_worker own = {.id = 1, .rank = 0};
    size_t next = 0;
    int remote = size - 1; /* ranks not yet told to stop */
    bool stopping = false, own_asked = false;
    char msg[1024];
    while (remote > 0 || own.busy) {
        bool progress = false;
        if (options->stop && *options->stop && !stopping) {
            stopping = true;
            if (own.busy && !own_asked) {
                athlete_sweep_worker_stop(&own);
                own_asked = true;
            }
        }
        if (!own.busy && !stopping && next < todo_count) {
            if (athlete_sweep_worker_start(spec, plan, options, &own, &todo[next], 1, err) != ATHLETE_OK) {
                fprintf(stderr, "athlete: sweep: %s\n", err->message);
                r.failed++;
            }
            next++;
            progress = true;
        }
        if (own.busy) {
            char *line = NULL;
            athlete_sweep_outcome o = athlete_sweep_worker_poll(spec, plan, options, &own, false, &line, msg,
                                                                sizeof msg);
            if (o != ATHLETE_SWEEP_RUNNING)
                progress = true;
            if (o == ATHLETE_SWEEP_FINISHED) {
                record(&r, line);
            } else if (o == ATHLETE_SWEEP_RETRY) {
                fprintf(stderr, "athlete: sweep: %s\n", msg);
                athlete_sweep_run again = own.run;
                if (athlete_sweep_worker_start(spec, plan, options, &own, &again, 2, err) != ATHLETE_OK) {
                    fprintf(stderr, "athlete: sweep: %s\n", err->message);
                    r.failed++;
                }
            } else if (o == ATHLETE_SWEEP_FAILED) {
                fprintf(stderr, "athlete: sweep: %s\n", msg);
                r.failed++;
            }
            free(line);
        }
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_REPORT, MPI_COMM_WORLD, &flag, &status);
        if (flag) {
            int count = 0;
            MPI_Get_count(&status, MPI_CHAR, &count);
            char *text = malloc(count > 0 ? (size_t)count : 1);
            MPI_Recv(text, count, MPI_CHAR, status.MPI_SOURCE, TAG_REPORT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (count > 0 && text[0] == '{') {
                record(&r, text);
            } else if (count > 0 && text[0] == '!') {
                fprintf(stderr, "athlete: sweep: rank %d: %s\n", status.MPI_SOURCE, text + 1);
                r.failed++;
            }
            free(text);
            long long assign[2] = {-1, -1};
            if (!stopping && next < todo_count) {
                assign[0] = (long long)todo[next].config;
                assign[1] = (long long)todo[next].seed_index;
                next++;
            } else {
                remote--;
            }
            MPI_Send(assign, 2, MPI_LONG_LONG, status.MPI_SOURCE, TAG_ASSIGN, MPI_COMM_WORLD);
            progress = true;
        }
        if (!progress)
            pause_briefly();
    }
    if (stopping)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "stopped: %zu of %zu runs finished in this session", r.done, todo_count);
    if (r.failed)
        return athlete_error_set(err, ATHLETE_E_IO, "%zu of %zu runs failed", r.failed, todo_count);
    return ATHLETE_OK;
}

athlete_status athlete_sweep_run_mpi(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                     athlete_sweep_options *options, bool *is_root, athlete_error *err)
{
    int initialized = 0, rank = 0, size = 1;
    MPI_Initialized(&initialized);
    if (!initialized)
        MPI_Init(NULL, NULL);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    *is_root = rank == 0;
    athlete_status st = ATHLETE_OK;
    athlete_sweep_run *todo = NULL;
    size_t todo_count = 0;
    int ready = 1;
    if (rank == 0) {
        /* Rank 0 checks and prepares before any rank starts a run. */
        st = athlete_sweep_plan_check(spec, plan, err);
        if (st == ATHLETE_OK)
            st = athlete_sweep_prepare(spec, plan, options, &todo, &todo_count, err);
        ready = st == ATHLETE_OK;
        if (ready && !options->quiet)
            fprintf(stderr,
                    "sweep %s: %zu configurations x %zu seeds; %zu run%s to do on %d MPI ranks in %s\n",
                    spec->name, plan->config_count, spec->seed_count, todo_count, todo_count == 1 ? "" : "s",
                    size, options->sweep_dir);
    }
    MPI_Bcast(&ready, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (ready && rank == 0)
        st = root_rank(spec, plan, options, todo, todo_count, size, err);
    else if (ready)
        worker_rank(spec, plan, options, rank);
    else if (rank != 0)
        st = athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "sweep: rank 0 refused the sweep");
    free(todo);
    MPI_Finalize();
    return st;
}

/* Running a sweep's runs on local worker processes: each run is `athlete train` in its run
 * folder (so every run folder is an ordinary one), at most `jobs` at once. */
#include "sweep.h"

#include "../cli/run-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static bool remove_tree(const char *path)
{
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0 || errno == ENOENT;
}

static bool exists(const char *dir, const char *name)
{
    char *p = run_path(dir, name);
    bool yes = p && access(p, F_OK) == 0;
    free(p);
    return yes;
}

athlete_status athlete_sweep_prepare(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                     athlete_sweep_options *options, athlete_sweep_run **todo,
                                     size_t *todo_count, athlete_error *err)
{
    const char *dir = options->sweep_dir;
    char msg[600];
    *todo = NULL;
    *todo_count = 0;
    char *spec_path = run_path(dir, "spec.json");
    if (!spec_path)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    athlete_status st = ATHLETE_OK;
    if (options->resume) {
        FILE *f = fopen(spec_path, "rb");
        if (!f) {
            st = athlete_error_set(err, ATHLETE_E_IO, "sweep: cannot resume '%s': %s", spec_path,
                                   strerror(errno));
        } else {
            size_t n = strlen(spec->text);
            char *saved = malloc(n + 2);
            size_t got = saved ? fread(saved, 1, n + 1, f) : 0;
            if (!saved || got != n || memcmp(saved, spec->text, n) != 0)
                st = athlete_error_set(
                    err, ATHLETE_E_INVALID_ARGUMENT,
                    "sweep: '%s' differs from the spec given; a sweep resumes with its own spec", spec_path);
            free(saved);
            fclose(f);
        }
        /* The same spec can give other configurations (a preset found elsewhere now). */
        char *plan_path = run_path(dir, "plan.json"), *plan_text = athlete_sweep_plan_json(spec, plan);
        cJSON *saved_plan = st == ATHLETE_OK && plan_path ? run_read_json(plan_path, msg, sizeof msg) : NULL;
        cJSON *now = plan_text ? cJSON_Parse(plan_text) : NULL;
        if (st == ATHLETE_OK && (!saved_plan || !now || !cJSON_Compare(saved_plan, now, true)))
            st = athlete_error_set(
                err, ATHLETE_E_INVALID_ARGUMENT,
                "sweep: the configurations of the spec differ from '%s' (a preset changed?); "
                "a sweep resumes with its own configurations",
                plan_path ? plan_path : "plan.json");
        cJSON_Delete(saved_plan);
        cJSON_Delete(now);
        free(plan_path);
        free(plan_text);
    } else if (access(spec_path, F_OK) == 0) {
        st = athlete_error_set(
            err, ATHLETE_E_INVALID_ARGUMENT,
            "sweep: '%s' already holds a sweep; continue it with 'athlete sweep --resume %s' or "
            "remove it",
            dir, dir);
    } else {
        char *runs = run_path(dir, "runs"), *plan_path = run_path(dir, "plan.json");
        char *plan_text = athlete_sweep_plan_json(spec, plan);
        if (!runs || !plan_path || !plan_text)
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
        else if (run_make_dirs(runs) != 0)
            st = athlete_error_set(err, ATHLETE_E_IO, "sweep: cannot create '%s': %s", runs, strerror(errno));
        else if (!run_write_file(plan_path, plan_text, msg, sizeof msg) ||
                 !run_write_file(spec_path, spec->text, msg, sizeof msg))
            st = athlete_error_set(err, ATHLETE_E_IO, "sweep: %s", msg);
        free(runs);
        free(plan_path);
        free(plan_text);
    }
    free(spec_path);
    if (st != ATHLETE_OK)
        return st;
    size_t total = plan->config_count * spec->seed_count;
    bool *finished = calloc(total ? total : 1, sizeof *finished);
    *todo = calloc(total ? total : 1, sizeof **todo);
    if (!finished || !*todo)
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    else if (!athlete_sweep_finished_runs(dir, spec, plan, finished, msg, sizeof msg))
        st = athlete_error_set(err, ATHLETE_E_IO, "sweep: %s", msg);
    for (size_t i = 0; st == ATHLETE_OK && i < total; i++)
        if (!finished[i])
            (*todo)[(*todo_count)++] = (athlete_sweep_run){i / spec->seed_count, i % spec->seed_count};
    free(finished);
    options->prepared = st == ATHLETE_OK;
    if (st != ATHLETE_OK) {
        free(*todo);
        *todo = NULL;
        *todo_count = 0;
    }
    return st;
}

/* ---- one worker ---- */

static char *format(const char *fmt, unsigned long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, fmt, v);
    return strdup(buf);
}

void athlete_sweep_argv_free(char **argv)
{
    for (size_t i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

char **athlete_sweep_worker_argv(const char *athlete_path, const char *sweep_dir,
                                 const athlete_sweep_spec *spec, const athlete_sweep_run *run,
                                 bool resume_folder)
{
    size_t max = 32 + 2 * (size_t)cJSON_GetArraySize(spec->env_options);
    char **argv = calloc(max, sizeof *argv);
    char *dir = athlete_sweep_run_dir(sweep_dir, spec, run);
    if (!argv || !dir) {
        free(argv);
        free(dir);
        return NULL;
    }
    size_t n = 0;
    argv[n++] = strdup(athlete_path);
    argv[n++] = strdup("train");
    if (resume_folder) {
        argv[n++] = strdup("--resume");
        argv[n++] = dir;
        argv[n++] = strdup("--quiet");
        return argv;
    }
    argv[n++] = strdup(spec->algorithm);
    argv[n++] = strdup(spec->environment);
    argv[n++] = strdup("--run-dir");
    argv[n++] = strdup(dir);
    argv[n++] = strdup("--config");
    argv[n++] = run_path(dir, "sweep-overrides.json");
    argv[n++] = strdup("--seed");
    argv[n++] = format("%llu", (unsigned long long)spec->seeds[run->seed_index]);
    argv[n++] = strdup("--steps");
    argv[n++] = format("%llu", (unsigned long long)spec->steps);
    argv[n++] = strdup("--eval-every");
    argv[n++] = format("%llu", (unsigned long long)spec->eval_every);
    argv[n++] = strdup("--eval-episodes");
    argv[n++] = format("%llu", (unsigned long long)spec->eval_episodes);
    argv[n++] = strdup("--log-every");
    argv[n++] = format("%llu", (unsigned long long)spec->log_every);
    argv[n++] = strdup("--quiet");
    for (const cJSON *o = spec->env_options->child; o; o = o->next) {
        char *value = cJSON_PrintUnformatted(o);
        size_t len = strlen(o->string) + (value ? strlen(value) : 0) + 2;
        char *pair = malloc(len);
        if (pair)
            snprintf(pair, len, "%s=%s", o->string, value ? value : "");
        cJSON_free(value);
        argv[n++] = strdup("--env-option");
        argv[n++] = pair;
    }
    free(dir);
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok = ok && argv[i];
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            free(argv[i]);
        free(argv);
        return NULL;
    }
    return argv;
}

/* What a run folder holds: nothing yet, a stopped run (final.ckpt before the last step),
 * the whole run, or the leftovers of a worker that died (anything else). */
typedef enum { FOLDER_EMPTY, FOLDER_STOPPED, FOLDER_COMPLETE, FOLDER_BROKEN } folder_state;

static folder_state inspect(const char *dir, const athlete_sweep_spec *spec)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return FOLDER_EMPTY;
    char msg[600];
    char *state_path = run_path(dir, "final.state.json");
    cJSON *state = state_path && exists(dir, "final.ckpt") ? run_read_json(state_path, msg, sizeof msg)
                                                           : NULL;
    free(state_path);
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(state, "step");
    folder_state fs = !cJSON_IsNumber(step)                      ? FOLDER_BROKEN
                      : step->valuedouble >= (double)spec->steps ? FOLDER_COMPLETE
                                                                 : FOLDER_STOPPED;
    cJSON_Delete(state);
    return fs;
}

/* The test hook: ATHLETE_SWEEP_TEST_KILL names a run ("<config>-seed<seed>") whose first
 * worker kills itself with SIGKILL, as a crash would. */
static bool test_kill(const athlete_sweep_spec *spec, const athlete_sweep_run *run, int attempt)
{
    const char *hook = getenv("ATHLETE_SWEEP_TEST_KILL");
    char name[64];
    snprintf(name, sizeof name, "%zu-seed%llu", run->config,
             (unsigned long long)spec->seeds[run->seed_index]);
    return hook && attempt == 1 && strcmp(hook, name) == 0;
}

static athlete_status start_worker(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                   const athlete_sweep_options *options, athlete_sweep_worker *w,
                                   const athlete_sweep_run *run, int attempt, athlete_error *err)
{
    w->busy = true;
    w->pid = 0;
    w->run = *run;
    w->attempt = attempt;
    w->start = now_seconds();
    char *dir = athlete_sweep_run_dir(options->sweep_dir, spec, run);
    if (!dir)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    folder_state fs = inspect(dir, spec);
    athlete_status st = ATHLETE_OK;
    char msg[600];
    if (fs == FOLDER_COMPLETE) { /* finished before the sweep could record it */
        free(dir);
        return ATHLETE_OK;
    }
    if (fs == FOLDER_BROKEN && !remove_tree(dir))
        st = athlete_error_set(err, ATHLETE_E_IO, "sweep: cannot remove the broken run folder '%s': %s", dir,
                               strerror(errno));
    if (st == ATHLETE_OK && fs != FOLDER_STOPPED) {
        char *overrides = run_path(dir, "sweep-overrides.json");
        /* Written by whoever starts the worker: hosts need not share a file system. */
        if (!overrides || run_make_dirs(dir) != 0)
            st = athlete_error_set(err, ATHLETE_E_IO, "sweep: cannot create '%s': %s", dir, strerror(errno));
        else if (!run_write_file(overrides, plan->overrides[run->config], msg, sizeof msg))
            st = athlete_error_set(err, ATHLETE_E_IO, "sweep: %s", msg);
        free(overrides);
    }
    if (st != ATHLETE_OK) {
        free(dir);
        return st;
    }
    char **argv = athlete_sweep_worker_argv(options->athlete_path, options->sweep_dir, spec, run,
                                            fs == FOLDER_STOPPED);
    char *log = run_path(dir, "worker.log");
    free(dir);
    if (!argv || !log) {
        athlete_sweep_argv_free(argv);
        free(log);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    }
    bool kill_self = test_kill(spec, run, attempt);
    pid_t pid = fork();
    if (pid == 0) {
        /* Its own process group: a terminal's Ctrl-C reaches the sweep only, which then
         * stops every worker once (a second SIGINT would make a worker abort unsaved). */
        setpgid(0, 0);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        int null = open("/dev/null", O_RDONLY);
        if (null >= 0)
            dup2(null, STDIN_FILENO);
        setenv("OPENBLAS_NUM_THREADS", "1", 1);
        setenv("ATHLETE_BLAS_THREADS", "1", 1);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (kill_self)
            raise(SIGKILL);
        execv(options->athlete_path, argv);
        fprintf(stderr, "athlete: sweep: cannot run '%s': %s\n", options->athlete_path, strerror(errno));
        _exit(127);
    }
    int saved = errno;
    athlete_sweep_argv_free(argv);
    free(log);
    if (pid < 0)
        return athlete_error_set(err, ATHLETE_E_IO, "sweep: cannot start a worker: %s", strerror(saved));
    w->pid = pid;
    return ATHLETE_OK;
}

athlete_status athlete_sweep_worker_start(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                          const athlete_sweep_options *options, athlete_sweep_worker *w,
                                          const athlete_sweep_run *run, int attempt, athlete_error *err)
{
    athlete_status st = start_worker(spec, plan, options, w, run, attempt, err);
    if (st != ATHLETE_OK)
        w->busy = false; /* nothing to wait for */
    return st;
}

/* The last line of a worker's log, for a failure's message. */
static void last_log_line(const char *dir, char *out, size_t size)
{
    out[0] = '\0';
    char *path = run_path(dir, "worker.log");
    FILE *f = path ? fopen(path, "r") : NULL;
    free(path);
    if (!f)
        return;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (line[0] != '\n')
            snprintf(out, size, "%.300s", line);
    fclose(f);
    size_t n = strlen(out);
    if (n && out[n - 1] == '\n')
        out[n - 1] = '\0';
}

athlete_sweep_outcome athlete_sweep_worker_poll(const athlete_sweep_spec *spec,
                                                const athlete_sweep_plan *plan,
                                                const athlete_sweep_options *options, athlete_sweep_worker *w,
                                                bool wait, char **line, char *msg, size_t msg_size)
{
    *line = NULL;
    int status = 0;
    if (w->pid > 0) {
        pid_t got;
        do
            got = waitpid(w->pid, &status, wait ? 0 : WNOHANG);
        while (got < 0 && errno == EINTR && wait);
        if (got == 0 || (got < 0 && errno == EINTR))
            return ATHLETE_SWEEP_RUNNING;
        if (got < 0) {
            snprintf(msg, msg_size, "cannot wait for worker %d: %s", (int)w->pid, strerror(errno));
            w->busy = false;
            return ATHLETE_SWEEP_FAILED;
        }
    }
    bool stopping = options->stop && *options->stop;
    int pid = w->pid;
    w->busy = false;
    w->pid = 0;
    char *dir = athlete_sweep_run_dir(options->sweep_dir, spec, &w->run);
    char name[64];
    snprintf(name, sizeof name, "%zu-seed%llu", w->run.config,
             (unsigned long long)spec->seeds[w->run.seed_index]);
    athlete_sweep_outcome outcome;
    if (pid > 0 && WIFSIGNALED(status) && !stopping) {
        int sig = WTERMSIG(status);
        outcome = w->attempt == 1 ? ATHLETE_SWEEP_RETRY : ATHLETE_SWEEP_FAILED;
        snprintf(msg, msg_size, "run %s (worker %d, pid %d) was killed by signal %d (%s)%s", name, w->id, pid,
                 sig, strsignal(sig),
                 outcome == ATHLETE_SWEEP_RETRY ? "; retrying it once" : " again; giving up");
    } else if (pid > 0 && stopping) {
        outcome = ATHLETE_SWEEP_STOPPED;
        snprintf(msg, msg_size, "run %s stopped", name);
    } else if (pid > 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        char last[400];
        last_log_line(dir ? dir : ".", last, sizeof last);
        outcome = ATHLETE_SWEEP_FAILED;
        snprintf(msg, msg_size, "run %s failed (exit %d): %s (see %s/worker.log)", name,
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, last, dir ? dir : "");
    } else {
        athlete_sweep_result r;
        if (dir && athlete_sweep_read_run(dir, spec, &w->run, &r, msg, msg_size)) {
            r.wall_time = now_seconds() - w->start;
            r.rank = w->rank;
            r.worker = w->id;
            r.attempts = w->attempt;
            if (gethostname(r.host, sizeof r.host) != 0)
                snprintf(r.host, sizeof r.host, "?");
            r.host[sizeof r.host - 1] = '\0';
            *line = athlete_sweep_result_line(plan, &r);
            outcome = *line ? ATHLETE_SWEEP_FINISHED : ATHLETE_SWEEP_FAILED;
            if (!*line)
                snprintf(msg, msg_size, "out of memory");
        } else {
            outcome = ATHLETE_SWEEP_FAILED;
        }
    }
    free(dir);
    return outcome;
}

void athlete_sweep_worker_stop(athlete_sweep_worker *w)
{
    if (w->busy && w->pid > 0)
        kill(w->pid, SIGTERM);
}

/* ---- the local scheduler ---- */

athlete_status athlete_sweep_run_local(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                       const athlete_sweep_run *todo, size_t todo_count,
                                       const athlete_sweep_options *options, athlete_error *err)
{
    unsigned jobs = options->jobs ? options->jobs : 1;
    if (jobs > todo_count)
        jobs = todo_count ? (unsigned)todo_count : 1;
    athlete_sweep_worker *workers = calloc(jobs, sizeof *workers);
    /* The queue: runs in order, retries go to its front. */
    athlete_sweep_run *queue = malloc((todo_count + jobs + 1) * sizeof *queue);
    int *attempts = malloc((todo_count + jobs + 1) * sizeof *attempts);
    if (!workers || !queue || !attempts) {
        free(workers);
        free(queue);
        free(attempts);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    }
    size_t head = jobs, tail = jobs; /* room in front for retries */
    for (size_t i = 0; i < todo_count; i++) {
        queue[tail] = todo[i];
        attempts[tail++] = 1;
    }
    for (unsigned k = 0; k < jobs; k++)
        workers[k].id = (int)k + 1;
    size_t done = 0, failed = 0, active = 0;
    bool stopping = false;
    athlete_status st = ATHLETE_OK;
    char msg[1024];
    while ((head < tail && !stopping) || active) {
        if (options->stop && *options->stop && !stopping) {
            stopping = true;
            for (unsigned k = 0; k < jobs; k++)
                athlete_sweep_worker_stop(&workers[k]);
        }
        for (unsigned k = 0; k < jobs && head < tail && !stopping && st == ATHLETE_OK; k++) {
            if (workers[k].busy)
                continue;
            st = athlete_sweep_worker_start(spec, plan, options, &workers[k], &queue[head], attempts[head],
                                            err);
            head++;
            active += st == ATHLETE_OK;
        }
        if (st != ATHLETE_OK) {
            stopping = true;
            for (unsigned k = 0; k < jobs; k++)
                athlete_sweep_worker_stop(&workers[k]);
        }
        bool any = false;
        for (unsigned k = 0; k < jobs; k++) {
            if (!workers[k].busy)
                continue;
            char *line = NULL;
            athlete_sweep_outcome o = athlete_sweep_worker_poll(spec, plan, options, &workers[k], false,
                                                                &line, msg, sizeof msg);
            if (o == ATHLETE_SWEEP_RUNNING)
                continue;
            any = true;
            active--;
            if (o == ATHLETE_SWEEP_FINISHED) {
                char wmsg[600];
                if (!athlete_sweep_append_result(options->sweep_dir, line, wmsg, sizeof wmsg)) {
                    fprintf(stderr, "athlete: sweep: %s\n", wmsg);
                    failed++;
                } else {
                    done++;
                    if (!options->quiet) {
                        athlete_sweep_result r;
                        athlete_sweep_result_parse(line, &r);
                        fprintf(stderr, "[%zu/%zu] %zu-seed%llu: final %g, best %g (%.1f s, worker %d)\n",
                                done, todo_count, r.config, (unsigned long long)r.seed, r.final_eval,
                                r.best_eval, r.wall_time, r.worker);
                    }
                }
                free(line);
            } else if (o == ATHLETE_SWEEP_RETRY) {
                fprintf(stderr, "athlete: sweep: %s\n", msg);
                queue[--head] = workers[k].run;
                attempts[head] = 2;
            } else if (o == ATHLETE_SWEEP_FAILED) {
                fprintf(stderr, "athlete: sweep: %s\n", msg);
                failed++;
            }
        }
        if (!any && active) {
            struct timespec pause = {0, 10 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    free(workers);
    free(queue);
    free(attempts);
    if (st != ATHLETE_OK)
        return st;
    if (stopping)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "stopped: %zu of %zu runs finished in this session", done, todo_count);
    if (failed)
        return athlete_error_set(err, ATHLETE_E_IO, "%zu of %zu runs failed", failed, todo_count);
    return ATHLETE_OK;
}

int athlete_sweep_mpi_launch_size(int *rank)
{
    const char *size = getenv("OMPI_COMM_WORLD_SIZE"), *r = getenv("OMPI_COMM_WORLD_RANK");
    if (!size) {
        size = getenv("PMI_SIZE");
        r = getenv("PMI_RANK");
    }
    if (rank)
        *rank = r ? atoi(r) : 0;
    return size ? atoi(size) : 0;
}

#ifndef ATHLETE_HAVE_MPI
bool athlete_sweep_mpi_available(void) { return false; }

athlete_status athlete_sweep_run_mpi(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan,
                                     athlete_sweep_options *options, bool *is_root, athlete_error *err)
{
    (void)spec, (void)plan, (void)options;
    *is_root = true;
    return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "sweep: this athlete was built without MPI");
}
#endif

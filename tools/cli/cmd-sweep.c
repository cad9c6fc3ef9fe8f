/* athlete sweep: many training runs over seeds and hyper-parameters (see tools/sweep/sweep.h),
 * on local worker processes or, under mpirun in a build with MPI, across ranks. */
#include "cli.h"

#include "../sweep/sweep.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static volatile sig_atomic_t sweep_stop = 0;

static void on_signal(int signo)
{
    if (!sweep_stop) {
        static const char msg[] =
            "\nathlete: sweep: stopping the workers (their runs are saved for --resume)\n";
        ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)ignored;
    }
    sweep_stop = signo;
}

static void install_signals(struct sigaction *previous_int, struct sigaction *previous_term)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, previous_int);
    sigaction(SIGTERM, &sa, previous_term);
}

static int print_plan(const athlete_sweep_spec *spec, const athlete_sweep_plan *plan)
{
    printf("sweep %s: %s on %s, %zu configuration%s x %zu seed%s = %zu runs of %llu steps\n", spec->name,
           spec->algorithm, spec->environment, plan->config_count, plan->config_count == 1 ? "" : "s",
           spec->seed_count, spec->seed_count == 1 ? "" : "s", plan->config_count * spec->seed_count,
           (unsigned long long)spec->steps);
    for (size_t c = 0; c < plan->config_count; c++) {
        char *varied = cJSON_PrintUnformatted(plan->varied[c]);
        printf("  %zu: %s\n", c, varied ? varied : "");
        cJSON_free(varied);
    }
    return EXIT_SUCCESS;
}

int cmd_sweep(int argc, char **argv)
{
    const cli_command *cmd = cli_find_command("sweep");
    const char *spec_arg = NULL, *out_root = "sweeps", *resume_dir = NULL;
    bool resume = false, dry_run = false, quiet = false;
    uint64_t jobs = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--resume") == 0) {
            resume = true;
            /* --resume DIR, or SPEC --resume */
            struct stat st;
            if (i + 1 < argc && argv[i + 1][0] != '-' && stat(argv[i + 1], &st) == 0 && S_ISDIR(st.st_mode))
                resume_dir = argv[++i];
        } else if (strcmp(a, "--dry-run") == 0) {
            dry_run = true;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = true;
        } else if (strcmp(a, "--jobs") == 0 || strcmp(a, "-j") == 0 || strcmp(a, "--out") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option %s needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--out") == 0)
                out_root = v;
            else if (!cli_parse_u64(v, &jobs) || jobs == 0 || jobs > 4096)
                return cli_usage_error(cmd, "%s expects a positive integer (at most 4096), got '%s'", a, v);
        } else if (a[0] == '-' && a[1]) {
            const char *known[] = {"--jobs", "--resume", "--out", "--dry-run", "--quiet"};
            const char *near = cli_nearest(a, known, sizeof known / sizeof known[0]);
            if (near)
                return cli_usage_error(cmd, "unknown option '%s'; did you mean '%s'?", a, near);
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (spec_arg) {
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        } else {
            spec_arg = a;
        }
    }
    if (resume_dir && spec_arg)
        return cli_usage_error(cmd, "give either SPEC.json --resume or --resume SWEEP_DIR, not both");
    if (!spec_arg && !resume_dir)
        return cli_usage_error(cmd, "sweep needs a spec file (or --resume SWEEP_DIR)");
    char *spec_path = NULL;
    if (resume_dir) {
        size_t n = strlen(resume_dir) + 16;
        if ((spec_path = malloc(n)))
            snprintf(spec_path, n, "%s/spec.json", resume_dir);
    } else {
        spec_path = strdup(spec_arg);
    }
    if (!spec_path)
        return EXIT_RUNTIME;
    athlete_error err;
    athlete_sweep_spec spec;
    athlete_sweep_plan plan = {0};
    athlete_status st = athlete_sweep_spec_load(spec_path, &spec, &err);
    free(spec_path);
    if (st != ATHLETE_OK) {
        fprintf(stderr, "athlete: %s\n", err.message);
        return EXIT_RUNTIME;
    }
    int rank = 0, launch = athlete_sweep_mpi_launch_size(&rank);
    bool use_mpi = launch > 1 && athlete_sweep_mpi_available();
    int rc = EXIT_RUNTIME;
    char *sweep_dir = NULL;
    char exe[4096];
    ssize_t exe_len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (exe_len <= 0) {
        fprintf(stderr, "athlete: sweep: cannot find the athlete program: %s\n", strerror(errno));
        goto done;
    }
    exe[exe_len] = '\0';
    if (launch > 1 && !use_mpi) {
        if (rank == 0)
            fprintf(
                stderr,
                "athlete: sweep: started by mpirun with %d processes, but this athlete was built without MPI: "
                "rank 0 runs the whole sweep locally and the other ranks exit. For MPI: apt-get install "
                "libopenmpi-dev openmpi-bin, then meson setup --reconfigure BUILD -Dmpi=enabled and rebuild.\n",
                launch);
        if (rank != 0) {
            rc = EXIT_SUCCESS;
            goto done;
        }
    }
    if ((st = athlete_sweep_plan_create(&spec, &plan, &err)) != ATHLETE_OK) {
        fprintf(stderr, "athlete: %s\n", err.message);
        goto done;
    }
    /* Every configuration is checked before anything runs (rank 0 does it under MPI). */
    if (!use_mpi && (st = athlete_sweep_plan_check(&spec, &plan, &err)) != ATHLETE_OK) {
        fprintf(stderr, "athlete: %s\n", err.message);
        goto done;
    }
    if (dry_run) {
        rc = print_plan(&spec, &plan);
        goto done;
    }
    if (resume_dir) {
        sweep_dir = strdup(resume_dir);
    } else {
        size_t n = strlen(out_root) + strlen(spec.name) + 2;
        if ((sweep_dir = malloc(n)))
            snprintf(sweep_dir, n, "%s/%s", out_root, spec.name);
    }
    if (!sweep_dir)
        goto done;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    athlete_sweep_options options = {.athlete_path = exe,
                                     .sweep_dir = sweep_dir,
                                     .jobs = jobs ? (unsigned)jobs : (unsigned)(cores > 0 ? cores : 1),
                                     .resume = resume,
                                     .quiet = quiet,
                                     .stop = &sweep_stop};
    struct sigaction previous_int, previous_term;
    install_signals(&previous_int, &previous_term);
    bool is_root = true;
    if (use_mpi) {
        st = athlete_sweep_run_mpi(&spec, &plan, &options, &is_root, &err);
    } else {
        athlete_sweep_run *todo = NULL;
        size_t todo_count = 0;
        st = athlete_sweep_prepare(&spec, &plan, &options, &todo, &todo_count, &err);
        if (st == ATHLETE_OK && !quiet)
            fprintf(stderr,
                    "sweep %s: %zu configurations x %zu seeds; %zu run%s to do on %u worker%s in %s\n",
                    spec.name, plan.config_count, spec.seed_count, todo_count, todo_count == 1 ? "" : "s",
                    options.jobs, options.jobs == 1 ? "" : "s", sweep_dir);
        if (st == ATHLETE_OK)
            st = athlete_sweep_run_local(&spec, &plan, todo, todo_count, &options, &err);
        free(todo);
    }
    sigaction(SIGINT, &previous_int, NULL);
    sigaction(SIGTERM, &previous_term, NULL);
    if (!is_root) {
        rc = st == ATHLETE_OK ? EXIT_SUCCESS : EXIT_RUNTIME;
        goto done;
    }
    if (st == ATHLETE_E_CALL_ORDER && sweep_stop) {
        char msg[600];
        athlete_sweep_sort_results(sweep_dir, msg, sizeof msg);
        fprintf(stderr, "athlete: sweep %s: %s; continue with:\n  athlete sweep --resume %s\n", spec.name,
                err.message, sweep_dir);
        rc = 128 + sweep_stop;
        goto done;
    }
    bool failed = st != ATHLETE_OK;
    if (failed && options.prepared)
        fprintf(stderr, "athlete: sweep %s: %s\n", spec.name, err.message);
    else if (failed)
        fprintf(stderr, "athlete: %s\n", err.message);
    if (options.prepared && (st == ATHLETE_OK || st == ATHLETE_E_IO)) {
        char msg[600];
        if (!athlete_sweep_sort_results(sweep_dir, msg, sizeof msg)) {
            fprintf(stderr, "athlete: sweep: %s\n", msg);
            goto done;
        }
        if ((st = athlete_sweep_summarize(sweep_dir, &spec, &plan, stdout, &err)) != ATHLETE_OK) {
            fprintf(stderr, "athlete: sweep: %s\n", err.message);
            goto done;
        }
        if (!quiet)
            fprintf(stderr,
                    "results in %s/results.jsonl, summary in %s/summary.md; plot with: athlete plot %s\n",
                    sweep_dir, sweep_dir, sweep_dir);
        rc = failed ? EXIT_RUNTIME : EXIT_SUCCESS;
    }
done:
    free(sweep_dir);
    athlete_sweep_plan_clear(&plan);
    athlete_sweep_spec_clear(&spec);
    return rc;
}

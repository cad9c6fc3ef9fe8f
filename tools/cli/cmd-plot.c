/* athlete plot: learning curves from metrics.jsonl files, drawn by gnuplot (a runtime
 * dependency: the data and a script go to a temporary folder, gnuplot renders them). */
#include "cli.h"
#include "run-dir.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RUNS 64
#define MAX_SERIES 32
#define GRID 300

typedef struct series {
    char *name;
    double *x, *y;
    size_t n, cap;
} series;

typedef struct run_data {
    char *title;             /* "algo on env" from run.json, or NULL */
    series returns, evals;   /* (step, episode return), (step, evaluation mean) */
    series stats[MAX_SERIES]; /* "update" lines, one series per key */
    size_t stat_count;
} run_data;

static bool push(series *s, double x, double y)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        double *nx = realloc(s->x, cap * sizeof *nx);
        if (nx)
            s->x = nx;
        double *ny = nx ? realloc(s->y, cap * sizeof *ny) : NULL;
        if (!ny)
            return false;
        s->y = ny;
        s->cap = cap;
    }
    s->x[s->n] = x;
    s->y[s->n++] = y;
    return true;
}

static void series_free(series *s)
{
    free(s->name);
    free(s->x);
    free(s->y);
}

static series *stat_series(run_data *r, const char *name)
{
    for (size_t i = 0; i < r->stat_count; i++)
        if (strcmp(r->stats[i].name, name) == 0)
            return &r->stats[i];
    if (r->stat_count == MAX_SERIES)
        return NULL;
    series *s = &r->stats[r->stat_count++];
    *s = (series){.name = strdup(name)};
    return s->name ? s : NULL;
}

/* Reads a run folder or a metrics file; false with a message printed. */
static bool load_run(const char *arg, run_data *r)
{
    struct stat st;
    char *metrics_path;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        metrics_path = run_path(arg, "metrics.jsonl");
        char *run_json = run_path(arg, "run.json"), msg[600];
        cJSON *run = run_json ? run_read_json(run_json, msg, sizeof msg) : NULL;
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(run, "algorithm"), *e = cJSON_GetObjectItemCaseSensitive(run, "env");
        if (cJSON_IsString(a) && cJSON_IsString(e)) {
            size_t n = strlen(a->valuestring) + strlen(e->valuestring) + 8;
            if ((r->title = malloc(n)))
                snprintf(r->title, n, "%s on %s", a->valuestring, e->valuestring);
        }
        cJSON_Delete(run);
        free(run_json);
    } else {
        metrics_path = strdup(arg);
    }
    FILE *f = metrics_path ? fopen(metrics_path, "r") : NULL;
    if (!f) {
        fprintf(stderr, "athlete: plot: cannot open '%s': %s\n", metrics_path ? metrics_path : arg, strerror(errno));
        free(metrics_path);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    unsigned long number = 0;
    bool ok = true;
    while (ok && getline(&line, &cap, f) > 0) {
        number++;
        cJSON *j = cJSON_Parse(line);
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        const cJSON *step = cJSON_GetObjectItemCaseSensitive(j, "step");
        if (!cJSON_IsString(type) || !cJSON_IsNumber(step)) {
            fprintf(stderr, "athlete: plot: '%s' line %lu is not a metrics line\n", metrics_path, number);
            ok = false;
        } else if (strcmp(type->valuestring, "episode") == 0) {
            const cJSON *ret = cJSON_GetObjectItemCaseSensitive(j, "return");
            ok = !cJSON_IsNumber(ret) || push(&r->returns, step->valuedouble, ret->valuedouble);
        } else if (strcmp(type->valuestring, "eval") == 0) {
            const cJSON *mean = cJSON_GetObjectItemCaseSensitive(j, "mean");
            ok = !cJSON_IsNumber(mean) || push(&r->evals, step->valuedouble, mean->valuedouble);
        } else if (strcmp(type->valuestring, "update") == 0) {
            for (const cJSON *item = j->child; ok && item; item = item->next) {
                if (!cJSON_IsNumber(item) || strcmp(item->string, "step") == 0 || strcmp(item->string, "steps") == 0 ||
                    strcmp(item->string, "wall_time") == 0)
                    continue;
                series *s = stat_series(r, item->string);
                ok = s && push(s, step->valuedouble, item->valuedouble);
            }
        }
        cJSON_Delete(j);
    }
    free(line);
    fclose(f);
    if (ok && r->returns.n == 0) {
        fprintf(stderr, "athlete: plot: '%s' has no episode lines\n", metrics_path);
        ok = false;
    }
    free(metrics_path);
    return ok;
}

/* Trailing moving average over `window` points, in place. */
static void smooth(series *s, size_t window)
{
    double sum = 0, *raw = malloc(s->n * sizeof *raw);
    if (!raw)
        return;
    memcpy(raw, s->y, s->n * sizeof *raw);
    for (size_t i = 0; i < s->n; i++) {
        sum += raw[i];
        if (i >= window)
            sum -= raw[i - window];
        s->y[i] = sum / (double)(i < window ? i + 1 : window);
    }
    free(raw);
}

/* The value of a step function (the last point at or before x), NAN before the first. */
static double value_at(const series *s, double x)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->x[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? s->y[lo - 1] : NAN;
}

/* Writes "x mean min max" rows for one series of every run (`pick` chooses it; NULL when
 * a run lacks it). Sparse series (evaluations, statistics) are taken at the first run's
 * steps, which runs of one configuration share; episode returns on a common grid. */
static bool write_band(const char *path, run_data *runs, size_t count, const series *(*pick)(const run_data *, const void *),
                       const void *arg, bool sparse)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    const series *first = pick(&runs[0], arg);
    if ((count == 1 || sparse) && first) {
        for (size_t i = 0; i < first->n; i++) {
            double x = first->x[i], sum = 0, lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < count; k++) {
                double v = value_at(pick(&runs[k], arg), x);
                sum += v;
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
            if (isfinite(sum))
                fprintf(f, "%.17g %.17g %.17g %.17g\n", x, sum / (double)count, lo, hi);
        }
    } else {
        double end = INFINITY, start = 0;
        for (size_t k = 0; k < count; k++) {
            const series *s = pick(&runs[k], arg);
            if (!s || s->n == 0) {
                end = -INFINITY;
                break;
            }
            end = fmin(end, s->x[s->n - 1]);
            start = fmax(start, s->x[0]);
        }
        for (int g = 0; g <= GRID && end >= start; g++) {
            double x = start + (end - start) * g / GRID, sum = 0, lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < count; k++) {
                double v = value_at(pick(&runs[k], arg), x);
                sum += v;
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
            fprintf(f, "%.17g %.17g %.17g %.17g\n", x, sum / (double)count, lo, hi);
        }
    }
    return fclose(f) == 0;
}

static const series *pick_returns(const run_data *r, const void *arg) { return (void)arg, &r->returns; }
static const series *pick_evals(const run_data *r, const void *arg) { return (void)arg, r->evals.n ? &r->evals : NULL; }
static const series *pick_stat(const run_data *r, const void *name)
{
    for (size_t i = 0; i < r->stat_count; i++)
        if (strcmp(r->stats[i].name, name) == 0)
            return &r->stats[i];
    return NULL;
}

static bool find_gnuplot(char *out, size_t size)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path), *save = NULL;
    bool found = false;
    for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && !found; dir = strtok_r(NULL, ":", &save)) {
        snprintf(out, size, "%s/gnuplot", dir);
        found = access(out, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* A string for a gnuplot single-quoted literal (a quote is doubled). */
static void quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void free_runs(run_data *runs, size_t count)
{
    for (size_t k = 0; runs && k < count; k++) {
        free(runs[k].title);
        series_free(&runs[k].returns);
        series_free(&runs[k].evals);
        for (size_t i = 0; i < runs[k].stat_count; i++)
            series_free(&runs[k].stats[i]);
    }
    free(runs);
}

/* A sweep folder (athlete sweep): one mean curve with its min-max band per configuration,
 * from the run folders runs/<config>-seed<seed>. */
static int plot_sweep(const char *sweep, const char *output, const char *title, uint64_t window, unsigned width,
                      unsigned height, bool svg, const char *gnuplot)
{
    char *runs_dir = run_path(sweep, "runs");
    DIR *d = runs_dir ? opendir(runs_dir) : NULL;
    if (!d) {
        fprintf(stderr, "athlete: plot: cannot open '%s': %s\n", runs_dir ? runs_dir : sweep, strerror(errno));
        free(runs_dir);
        return EXIT_RUNTIME;
    }
    size_t configs = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        unsigned long c;
        unsigned long long seed;
        if (sscanf(e->d_name, "%lu-seed%llu", &c, &seed) == 2 && c + 1 > configs && c < 1000)
            configs = c + 1;
    }
    /* plan.json names the algorithm, the environment and what each configuration varies. */
    char msg[600], *plan_path = run_path(sweep, "plan.json");
    cJSON *plan = plan_path ? run_read_json(plan_path, msg, sizeof msg) : NULL;
    free(plan_path);
    const cJSON *algorithm = cJSON_GetObjectItemCaseSensitive(plan, "algorithm");
    const cJSON *environment = cJSON_GetObjectItemCaseSensitive(plan, "environment");
    const cJSON *varied = cJSON_GetObjectItemCaseSensitive(plan, "configurations");
    char dir[] = "/tmp/athlete-plot-XXXXXX";
    bool have_dir = mkdtemp(dir) != NULL;
    int rc = have_dir ? EXIT_SUCCESS : EXIT_RUNTIME;
    FILE *f = NULL;
    char script[128], path[160];
    snprintf(script, sizeof script, "%s/plot.gp", dir);
    if (have_dir && !(f = fopen(script, "w")))
        rc = EXIT_RUNTIME;
    if (f) {
        fprintf(f, "set terminal %s size %u,%u%s\nset output ", svg ? "svg" : "pngcairo", width, height ? height : 540,
                svg ? " dynamic background '#ffffff'" : " background '#ffffff'");
        quoted(f, output);
        fprintf(f, "\nset key top left\nset grid\nset xlabel 'environment steps'\nset ylabel 'episode return'\n"
                   "set title ");
        char default_title[300];
        snprintf(default_title, sizeof default_title, "sweep %s%s%s%s%s", sweep, cJSON_IsString(algorithm) ? ": " : "",
                 cJSON_IsString(algorithm) ? algorithm->valuestring : "", cJSON_IsString(environment) ? " on " : "",
                 cJSON_IsString(environment) ? environment->valuestring : "");
        quoted(f, title ? title : default_title);
        fprintf(f, " noenhanced\nplot ");
    }
    size_t plotted = 0;
    for (size_t c = 0; rc == EXIT_SUCCESS && c < configs; c++) {
        run_data *runs = NULL;
        size_t count = 0;
        rewinddir(d);
        while (rc == EXIT_SUCCESS && (e = readdir(d))) {
            unsigned long cc;
            unsigned long long seed;
            if (sscanf(e->d_name, "%lu-seed%llu", &cc, &seed) != 2 || cc != c)
                continue;
            char *run = run_path(runs_dir, e->d_name), *metrics = run ? run_path(run, "metrics.jsonl") : NULL;
            bool present = metrics && access(metrics, R_OK) == 0;
            free(metrics);
            run_data *more = present ? realloc(runs, (count + 1) * sizeof *runs) : NULL;
            if (more) {
                runs = more;
                runs[count] = (run_data){0};
                if (load_run(run, &runs[count]))
                    smooth(&runs[count++].returns, window);
                else
                    rc = EXIT_RUNTIME;
            }
            free(run);
        }
        snprintf(path, sizeof path, "%s/returns%zu.dat", dir, c);
        if (rc == EXIT_SUCCESS && count && write_band(path, runs, count, pick_returns, NULL, false)) {
            fprintf(f, "%s'%s' using 1:3:4 with filledcurves lc %zu fs transparent solid 0.2 noborder notitle, "
                       "'%s' using 1:2 with lines lw 2 lc %zu title ",
                    plotted ? ", " : "", path, c + 1, path, c + 1);
            const cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(varied, (int)c), "varied");
            char *text = item ? cJSON_PrintUnformatted(item) : NULL;
            char label[400];
            snprintf(label, sizeof label, "%zu: %s (%zu runs, min-max band)", c, text ? text : "", count);
            cJSON_free(text);
            quoted(f, label);
            fprintf(f, " noenhanced");
            plotted++;
        }
        free_runs(runs, count);
    }
    closedir(d);
    free(runs_dir);
    cJSON_Delete(plan);
    if (f && fclose(f) != 0)
        rc = EXIT_RUNTIME;
    if (rc == EXIT_SUCCESS && !plotted) {
        fprintf(stderr, "athlete: plot: '%s' holds no run with metrics\n", sweep);
        rc = EXIT_RUNTIME;
    }
    if (rc == EXIT_SUCCESS) {
        pid_t pid = fork();
        if (pid == 0) {
            execl(gnuplot, "gnuplot", script, (char *)NULL);
            _exit(127);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "athlete: plot: gnuplot failed to render '%s'\n", output);
            rc = EXIT_RUNTIME;
        } else {
            printf("wrote %s\n", output);
        }
    }
    if (have_dir) {
        unlink(script);
        for (size_t c = 0; c < configs; c++) {
            snprintf(path, sizeof path, "%s/returns%zu.dat", dir, c);
            unlink(path);
        }
        rmdir(dir);
    }
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    const cli_command *cmd = cli_find_command("plot");
    const char *output = "curve.png", *title = NULL, *inputs[MAX_RUNS];
    size_t count = 0;
    uint64_t window = 20;
    unsigned width = 900, height = 0;
    bool losses = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--losses") == 0) {
            losses = true;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--smooth") == 0 || strcmp(a, "--size") == 0 ||
                   strcmp(a, "--title") == 0) {
            if (!v)
                return cli_usage_error(cmd, "option %s needs a value", a);
            i++;
            if (a[1] == 'o')
                output = v;
            else if (a[2] == 't')
                title = v;
            else if (a[2] == 's' && a[3] == 'm' && (!cli_parse_u64(v, &window) || window == 0))
                return cli_usage_error(cmd, "--smooth expects a positive integer, got '%s'", v);
            else if (a[3] == 'i' && (sscanf(v, "%ux%u", &width, &height) != 2 || width < 200 || height < 150 ||
                                     width > 10000 || height > 10000))
                return cli_usage_error(cmd, "--size expects WIDTHxHEIGHT in pixels (200x150 to 10000x10000), got '%s'", v);
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (count == MAX_RUNS) {
            return cli_usage_error(cmd, "at most %d runs", MAX_RUNS);
        } else {
            inputs[count++] = a;
        }
    }
    if (count == 0)
        return cli_usage_error(cmd, "plot needs at least one run folder or metrics file");
    size_t out_len = strlen(output);
    bool svg = out_len > 4 && strcmp(output + out_len - 4, ".svg") == 0;
    if (!svg && !(out_len > 4 && strcmp(output + out_len - 4, ".png") == 0))
        return cli_usage_error(cmd, "-o expects a .png or .svg file name, got '%s'", output);
    char gnuplot[4096];
    if (!find_gnuplot(gnuplot, sizeof gnuplot)) {
        fprintf(stderr, "athlete: plot: gnuplot is not installed (Debian: apt-get install gnuplot-nox)\n");
        return EXIT_RUNTIME;
    }
    char *plan = run_path(inputs[0], "plan.json");
    bool sweep = count == 1 && plan && access(plan, F_OK) == 0;
    free(plan);
    if (sweep)
        return plot_sweep(inputs[0], output, title, window, width, height, svg, gnuplot);
    run_data *runs = calloc(count, sizeof *runs);
    int rc = EXIT_RUNTIME;
    char dir[] = "/tmp/athlete-plot-XXXXXX";
    bool have_dir = false;
    if (!runs)
        goto done;
    for (size_t k = 0; k < count; k++) {
        if (!load_run(inputs[k], &runs[k]))
            goto done;
        smooth(&runs[k].returns, window);
    }
    if (!(have_dir = mkdtemp(dir) != NULL)) {
        fprintf(stderr, "athlete: plot: cannot create a temporary folder: %s\n", strerror(errno));
        goto done;
    }
    /* Panels: the returns, then one per statistic every run reports. */
    const char *panels[MAX_SERIES];
    size_t panel_count = 0;
    for (size_t i = 0; losses && i < runs[0].stat_count; i++) {
        bool everywhere = true;
        for (size_t k = 1; k < count; k++)
            everywhere = everywhere && pick_stat(&runs[k], runs[0].stats[i].name);
        if (everywhere)
            panels[panel_count++] = runs[0].stats[i].name;
    }
    char path[128], script[128];
    bool ok = true;
    snprintf(path, sizeof path, "%s/returns.dat", dir);
    ok = write_band(path, runs, count, pick_returns, NULL, false);
    bool evals = true;
    for (size_t k = 0; k < count; k++)
        evals = evals && runs[k].evals.n;
    snprintf(path, sizeof path, "%s/evals.dat", dir);
    if (ok && evals)
        ok = write_band(path, runs, count, pick_evals, NULL, true);
    for (size_t p = 0; ok && p < panel_count; p++) {
        snprintf(path, sizeof path, "%s/stat%zu.dat", dir, p);
        ok = write_band(path, runs, count, pick_stat, panels[p], true);
    }
    snprintf(script, sizeof script, "%s/plot.gp", dir);
    FILE *f = ok ? fopen(script, "w") : NULL;
    if (!f) {
        fprintf(stderr, "athlete: plot: cannot write the plot data in %s\n", dir);
        goto done;
    }
    if (!height)
        height = panel_count ? 360 + 220 * (unsigned)panel_count : 540;
    fprintf(f, "set terminal %s size %u,%u%s\nset output ", svg ? "svg" : "pngcairo", width, height,
            svg ? " dynamic background '#ffffff'" : " background '#ffffff'");
    quoted(f, output);
    char default_title[256];
    snprintf(default_title, sizeof default_title, "%s", runs[0].title ? runs[0].title : "learning curve");
    fprintf(f, "\nset datafile separator ' '\nset key top left\nset grid\nset xlabel 'environment steps'\n");
    if (panel_count)
        fprintf(f, "set multiplot layout %zu,1\nset size 1,%f\n", panel_count + 1, 1.0 / (double)(panel_count + 1));
    fprintf(f, "set title ");
    quoted(f, title ? title : default_title);
    fprintf(f, "\nset ylabel 'episode return'\nplot ");
    if (count > 1)
        fprintf(f, "'%s/returns.dat' using 1:3:4 with filledcurves fc rgb '#4060a0' fs transparent solid 0.25 noborder "
                   "title 'min-max of %zu runs', ",
                dir, count);
    fprintf(f, "'%s/returns.dat' using 1:2 with lines lw 2 lc rgb '#2040a0' title '%s (%llu-episode moving average)'",
            dir, count > 1 ? "mean return" : "return", (unsigned long long)window);
    if (evals)
        fprintf(f, ", '%s/evals.dat' using 1:2 with linespoints pt 7 ps 0.8 lc rgb '#c03020' title 'evaluation mean%s'",
                dir, count > 1 ? " (mean of runs)" : "");
    fputc('\n', f);
    for (size_t p = 0; p < panel_count; p++) {
        fprintf(f, "set title ");
        quoted(f, panels[p]);
        fprintf(f, "\nset ylabel ''\nplot ");
        if (count > 1)
            fprintf(f, "'%s/stat%zu.dat' using 1:3:4 with filledcurves fc rgb '#40a060' fs transparent solid 0.25 "
                       "noborder notitle, ",
                    dir, p);
        fprintf(f, "'%s/stat%zu.dat' using 1:2 with lines lw 1.5 lc rgb '#208040' notitle\n", dir, p);
    }
    if (panel_count)
        fprintf(f, "unset multiplot\n");
    ok = fclose(f) == 0;
    pid_t pid = ok ? fork() : -1;
    if (pid == 0) {
        execl(gnuplot, "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "athlete: plot: gnuplot failed to render '%s'\n", output);
        goto done;
    }
    printf("wrote %s\n", output);
    rc = EXIT_SUCCESS;
done:
    if (have_dir) {
        char p[160];
        snprintf(p, sizeof p, "%s/plot.gp", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/returns.dat", dir);
        unlink(p);
        snprintf(p, sizeof p, "%s/evals.dat", dir);
        unlink(p);
        for (size_t i = 0; i < MAX_SERIES; i++) {
            snprintf(p, sizeof p, "%s/stat%zu.dat", dir, i);
            unlink(p);
        }
        rmdir(dir);
    }
    free_runs(runs, count);
    return rc;
}

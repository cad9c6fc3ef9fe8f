/* The CLI's presets (see presets.h). */
#include "presets.h"

#include <athlete/alloc.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char presets_usage[] =
    "usage: athlete presets [ID ENV]\n"
    "\n"
    "Without arguments, lists the presets: tuned configurations, one per (algorithm, environment),\n"
    "with the training budget and the greedy mean return every seed reaches (the threshold).\n"
    "With ID ENV, prints that preset's file. Train with one: athlete train ID ENV --preset\n"
    "Presets are searched in $ATHLETE_PRESET_PATH, then next to the program, then installed.\n";

static int print_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "athlete: cannot open '%s'\n", path);
        return EXIT_RUNTIME;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, stdout);
    fclose(f);
    return EXIT_SUCCESS;
}

int presets_command(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(presets_usage, stdout);
            return EXIT_SUCCESS;
        }
    athlete_error err;
    if (argc == 2) {
        athlete_preset p;
        if (athlete_preset_find(argv[0], argv[1], &p, &err) != ATHLETE_OK) {
            fprintf(stderr, "athlete: %s\n", err.message);
            return EXIT_RUNTIME;
        }
        printf("# %s\n", p.path);
        int rc = print_file(p.path);
        athlete_preset_clear(&p);
        return rc;
    }
    if (argc != 0) {
        fprintf(stderr, "athlete: presets takes no arguments or an algorithm id and an environment id\n\n%s",
                presets_usage);
        return EXIT_USAGE;
    }
    athlete_preset *list;
    size_t n;
    if (athlete_preset_list(&list, &n, &err) != ATHLETE_OK) {
        fprintf(stderr, "athlete: presets: %s\n", err.message);
        return EXIT_RUNTIME;
    }
    if (n == 0) {
        char searched[1024];
        fprintf(stderr, "athlete: no presets found (searched %s)\n", athlete_preset_search_path(searched, sizeof searched));
        return EXIT_RUNTIME;
    }
    printf("%-12s %-26s %10s %8s %10s  %s\n", "algorithm", "environment", "steps", "episodes", "threshold", "source");
    for (size_t i = 0; i < n; i++)
        printf("%-12s %-26s %10" PRIu64 " %8" PRIu64 " %10g  %s\n", list[i].algorithm, list[i].environment,
               list[i].steps, list[i].eval_episodes, list[i].threshold, list[i].source);
    athlete_preset_list_free(list, n);
    return EXIT_SUCCESS;
}

bool train_preset_load(train_preset *tp, const char *algorithm, const char *env_id, const char *set_overrides,
                       bool steps_given, uint64_t *steps, bool episodes_given, uint64_t *eval_episodes)
{
    memset(tp, 0, sizeof *tp);
    athlete_error err;
    if (athlete_preset_find(algorithm, env_id, &tp->preset, &err) != ATHLETE_OK) {
        fprintf(stderr, "athlete: %s\n", err.message);
        return false;
    }
    if (!(tp->overrides = athlete_preset_merge_overrides(&tp->preset, set_overrides))) {
        fprintf(stderr, "athlete: preset: out of memory\n");
        train_preset_clear(tp);
        return false;
    }
    if (!steps_given)
        *steps = tp->preset.steps;
    if (!episodes_given)
        *eval_episodes = tp->preset.eval_episodes;
    return true;
}

void train_preset_report(const train_preset *tp, double mean_return)
{
    printf("preset %s on %s: threshold %g %s (mean return %.2f)\n", tp->preset.algorithm, tp->preset.environment,
           tp->preset.threshold, mean_return >= tp->preset.threshold ? "reached" : "NOT reached", mean_return);
}

void train_preset_clear(train_preset *tp)
{
    athlete_preset_clear(&tp->preset);
    athlete_free(tp->overrides);
    tp->overrides = NULL;
}

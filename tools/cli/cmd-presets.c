/* athlete presets [ID ENV]: the table of presets, or one preset's file (see
 * runner/preset.h for the files and where they are searched). */
#include "cli.h"
#include "preset.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int cmd_presets(int argc, char **argv)
{
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
        return cli_usage_error(cli_find_command("presets"),
                               "presets takes no arguments or an algorithm id and an environment id");
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

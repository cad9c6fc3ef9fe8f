/* athlete: the command line for Athlete agents. It uses only the public API (libathlete,
 * libathlete-envs) and the runner. Subcommands are rows of the table in help.c. */
#include "cli.h"

#include <athlete/blas.h>
#include <athlete/version.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The OpenBLAS kernel trap: re-exec with a better OPENBLAS_CORETYPE (see blas.h). */
static void maybe_reexec_for_blas(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE") || getenv("ATHLETE_NO_REEXEC"))
        return; /* the user chose, or we already did */
    if (!athlete_blas_kernel_is_generic())
        return;
    const char *coretype = athlete_blas_recommended_coretype();
    setenv("OPENBLAS_CORETYPE", coretype, 1);
    setenv("ATHLETE_NO_REEXEC", "1", 1);
    execv("/proc/self/exe", argv);
    /* exec failed: carry on with the slow kernel, but say so once. */
    fprintf(stderr, "athlete: warning: OpenBLAS chose the generic '%s' kernel on a CPU that supports %s; "
                    "set OPENBLAS_CORETYPE=%s for 4-5x faster training\n",
            athlete_blas_corename(), coretype, coretype);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--man") == 0) { /* the man page, written at build time */
        cli_print_man(stdout);
        return EXIT_SUCCESS;
    }
    maybe_reexec_for_blas(argv);
    athlete_blas_use_default_threads();
    if (argc < 2) {
        cli_print_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        const cli_command *topic = argc > 2 ? cli_find_command(argv[2]) : NULL;
        if (topic)
            cli_print_help(topic, stdout);
        else
            cli_print_usage(stdout);
        return EXIT_SUCCESS;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("athlete %s (plugin ABI %d.%d, OpenBLAS kernel %s)\n", ATHLETE_VERSION_STRING, ATHLETE_ABI_MAJOR,
               ATHLETE_ABI_MINOR, athlete_blas_corename());
        return EXIT_SUCCESS;
    }
    const cli_command *cmd = cli_find_command(name);
    if (!cmd) {
        const char *names[32];
        size_t n = 0;
        for (; n < cli_command_count && n < 32; n++)
            names[n] = cli_commands[n].name;
        const char *near = cli_nearest(name, names, n);
        fprintf(stderr, "athlete: unknown command '%s'%s%s%s\n\n", name, near ? "; did you mean '" : "",
                near ? near : "", near ? "'?" : "");
        cli_print_usage(stderr);
        return EXIT_USAGE;
    }
    if (cli_wants_help(argc - 2, argv + 2)) {
        cli_print_help(cmd, stdout);
        return EXIT_SUCCESS;
    }
    return cmd->run(argc - 2, argv + 2);
}

/* athlete export: writes a trained policy as dependency-free C99 (NAME.c and NAME.h beside it) through
 * athlete_policy_export_c. Exit codes as the rest of the CLI: 0, 1 failed call, 2 usage. */
#include "cli.h"

#include <athlete/athlete.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_export(int argc, char **argv)
{
    const cli_command *cmd = cli_find_command("export");
    const char *input = NULL, *output = NULL, *name_arg = NULL, *quantize = "f32";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool takes_value = !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--name") || !strcmp(a, "--quantize");
        if (takes_value && i + 1 >= argc)
            return cli_usage_error(cmd, "option %s needs a value", a);
        if (!strcmp(a, "-o") || !strcmp(a, "--output"))
            output = argv[++i];
        else if (!strcmp(a, "--name"))
            name_arg = argv[++i];
        else if (!strcmp(a, "--quantize"))
            quantize = argv[++i];
        else if (a[0] == '-')
            return cli_usage_error(cmd, "unknown option '%s'", a);
        else if (input)
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        else
            input = a;
    }
    if (!input || !output)
        return cli_usage_error(cmd, "export needs a checkpoint or policy file and -o NAME.c");
    size_t len = strlen(output);
    if (len < 3 || strcmp(output + len - 2, ".c") != 0)
        return cli_usage_error(cmd, "the output must end in .c, got '%s'", output);
    athlete_error err;
    athlete_export_options options = {.struct_size = sizeof options};
    if (athlete_export_storage_parse(quantize, &options.storage, &err) != ATHLETE_OK)
        return cli_usage_error(cmd, "%s", err.message);

    char *header = malloc(len + 1);
    char name[64];
    if (!header)
        return 1;
    memcpy(header, output, len + 1);
    header[len - 1] = 'h';
    if (name_arg) {
        snprintf(name, sizeof name, "%s", name_arg);
    } else { /* the file's base name, made an identifier */
        const char *base = strrchr(output, '/') ? strrchr(output, '/') + 1 : output;
        size_t n = 0;
        if (isdigit((unsigned char)base[0]))
            name[n++] = '_';
        for (const char *c = base; c < output + len - 2 && n + 1 < sizeof name; c++)
            name[n++] = isalnum((unsigned char)*c) ? *c : '_';
        name[n] = '\0';
    }
    athlete_registry *registry = NULL;
    int rc = 1;
    athlete_export_report report = {.struct_size = sizeof report};
    if (athlete_registry_create(NULL, &registry, &err) != ATHLETE_OK) {
        fprintf(stderr, "athlete: cannot create the registry: %s\n", err.message);
    } else if (athlete_policy_export_c(registry, input, name, output, header, &options, &report, &err) != ATHLETE_OK) {
        fprintf(stderr, "athlete: export: %s\n", err.message);
    } else {
        printf("wrote %s and %s: %s_act for %s, %zu -> %zu, %s weights", output, header, name, report.algorithm_id,
               report.observation_size, report.action_size,
               options.storage == ATHLETE_EXPORT_FLOAT32 ? "float32" : options.storage == ATHLETE_EXPORT_FLOAT16 ? "float16" : "int8");
        if (options.storage != ATHLETE_EXPORT_FLOAT32)
            printf(" (largest weight error %.3g)", report.max_weight_error);
        printf(", %zu bytes of constants, %zu bytes of stack arrays\nsource SHA-256 %s\n", report.flash_bytes,
               report.stack_bytes, report.source_sha256);
        rc = 0;
    }
    athlete_registry_destroy(registry);
    free(header);
    return rc;
}

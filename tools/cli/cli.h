/* Shared pieces of the athlete command line: exit codes, messages, the command table. */
#ifndef ATHLETE_CLI_H
#define ATHLETE_CLI_H

#include <athlete/athlete.h>
#include <athlete/env.h>

#include <stdio.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* One subcommand: its help text is the single source of `athlete CMD --help` and of the
 * man page (see help.c). */
typedef struct cli_command {
    const char *name;
    const char *synopsis;    /* after "athlete " */
    const char *summary;     /* one line, for the command list */
    const char *description; /* paragraphs */
    const char *options;     /* "  --flag ARG   text\n" lines, or NULL */
    int (*run)(int argc, char **argv);
} cli_command;

extern const cli_command cli_commands[];
extern const size_t cli_command_count;

const cli_command *cli_find_command(const char *name);
void cli_print_help(const cli_command *cmd, FILE *out);
void cli_print_usage(FILE *out);
void cli_print_man(FILE *out);

int cli_fail(const char *what, const athlete_error *err);
/* Prints "athlete: MESSAGE" and the command's usage line; returns EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool cli_wants_help(int argc, char **argv);
bool cli_parse_u64(const char *text, uint64_t *out);
athlete_registry *cli_open_registry(athlete_error *err);

/* The known name nearest to `name` (edit distance, case-insensitive, or a prefix), or NULL. */
const char *cli_nearest(const char *name, const char *const *known, size_t count);
/* Creates an environment; an unknown id gets "did you mean". */
athlete_status cli_env_create(const char *id, const char *options_json, athlete_env **out, athlete_error *err);
/* Explains a registry miss with the nearest algorithm id. */
void cli_suggest_algorithm(const athlete_registry *registry, const char *id, athlete_error *err);

/* KEY=VALUE pairs built into a JSON object with cJSON: VALUE is JSON when it parses as
 * JSON, otherwise a string; dotted keys stay dotted (the configuration resolves them). */
typedef struct cli_pairs cli_pairs;
cli_pairs *cli_pairs_create(void);
void cli_pairs_destroy(cli_pairs *pairs);
/* Returns NULL on success, or the problem (static text) for the usage error. */
const char *cli_pairs_add(cli_pairs *pairs, const char *key_value);
/* Merges a JSON object (e.g. a config.json) below the pairs added later; NULL on success,
 * else a message written into msg. */
bool cli_pairs_merge_file(cli_pairs *pairs, const char *path, char *msg, size_t msg_size);
/* The same for JSON text (a preset's overrides); false when it is not a JSON object. */
bool cli_pairs_merge_json(cli_pairs *pairs, const char *json);
bool cli_pairs_empty(const cli_pairs *pairs);
/* The object as JSON text (athlete_free it), or NULL when empty. */
char *cli_pairs_json(const cli_pairs *pairs);

/* The evaluation seed rule shared by `train` and `eval`: evaluation episode e (0, 1, ...)
 * resets its environment with seed CLI_EVAL_SEED + e, whatever the training seed, so the
 * same agent gets the same score wherever it is evaluated. */
#define CLI_EVAL_SEED 1000000u

int cmd_list(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_plugins(int argc, char **argv);
int cmd_envs(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_presets(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif

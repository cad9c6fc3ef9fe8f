/* The command table and every help text: `athlete --help`, `athlete CMD --help` and the
 * man page (`athlete --man`, installed as athlete.1) are printed from these strings. */
#include "cli.h"

#include <athlete/version.h>

#include <string.h>

const cli_command cli_commands[] = {
    {"train", "train ID ENV [options]\n       athlete train --resume RUN_DIR [--steps N] [--quiet]",
     "train an agent on a built-in environment, in a run folder",
     "Trains algorithm ID on the built-in environment ENV (see 'athlete envs') and ends with a\n"
     "greedy evaluation. Everything a run produces goes into its run folder (default\n"
     "runs/ID_ENV_N, the first free N): config.json (the merged configuration, loadable with\n"
     "--config), run.json (command lines, versions, OpenBLAS kernel, settings), metrics.jsonl,\n"
     "checkpoints/step_N.ckpt (with --checkpoint-every), final.ckpt, and with --eval-every\n"
     "best.ckpt and best.policy (the best evaluation mean so far).\n"
     "\n"
     "metrics.jsonl holds one JSON object per line: \"episode\" lines (return, length, step),\n"
     "\"update\" lines (the mean of every number the agent reports in agent_info over the last\n"
     "--log-every steps: losses, epsilon, alpha, KL, ...) and \"eval\" lines (mean, std, min,\n"
     "max). Every line ends with \"wall_time\", the seconds of training so far.\n"
     "\n"
     "Evaluation episode e (0, 1, ...) resets its own environment instance with seed\n"
     "1000000 + e, during training, at the end and in 'athlete eval', so an agent gets the\n"
     "same score wherever it is evaluated.\n"
     "\n"
     "SIGINT or SIGTERM stops training at the next step boundary, saves final.ckpt (and\n"
     "--save), flushes the metrics and prints how to resume; the exit code is 130 or 143. A\n"
     "second SIGINT aborts at once. 'athlete train --resume RUN_DIR' continues a run from its\n"
     "newest checkpoint with the environment's state, the counters, the metrics file and the\n"
     "schedules exactly where they were: N + N steps give the same metrics and the same final\n"
     "checkpoint bytes as 2N steps straight.",
     "  --steps N            environment steps to train (default 50000); with --resume, N more\n"
     "                       steps (default: up to the run's original target)\n"
     "  --seed S             agent and environment seed (default 0)\n"
     "  --envs N             train one vector agent on N copies of ENV (default 1; copy i is\n"
     "                       seeded with S + i); steps, metrics, periods and checkpoints count\n"
     "                       environment steps (N per call); evaluation stays on one environment\n"
     "  --preset             start from the tuned preset of (ID, ENV) (see 'athlete presets'): its\n"
     "                       overrides, steps and evaluation episodes; --config, --set, --steps and\n"
     "                       --eval-episodes still win; the run ends saying whether the preset's\n"
     "                       threshold was reached\n"
     "  --config FILE        configuration overrides from a JSON object (e.g. a run's config.json)\n"
     "  --set KEY=VALUE      override a configuration key; VALUE is JSON (strings may be bare);\n"
     "                       dotted keys reach nested objects: --set optimizer_arguments.lr=1e-3\n"
     "  --env-option K=V     an environment option, e.g. --env-option is_slippery=false\n"
     "  --run-dir DIR        the run folder (default runs/ID_ENV_N)\n"
     "  --checkpoint-every N save checkpoints/step_N.ckpt every N steps\n"
     "  --keep-checkpoints K keep the last K periodic checkpoints (default 3)\n"
     "  --eval-every N       evaluate every N steps; the best mean keeps best.ckpt, best.policy\n"
     "  --eval-episodes K    episodes per evaluation and in the final one (default 20)\n"
     "  --log-every N        one \"update\" metrics line per N steps (default 1000)\n"
     "  --metrics FILE       also append every metrics line to FILE\n"
     "  --csv                also write episodes.csv, updates.csv (step,steps,key,value) and\n"
     "                       evaluations.csv in the run folder\n"
     "  --save PATH          also save the final checkpoint (with environment state) to PATH\n"
     "  --resume PATH        continue a run folder, or train on from a checkpoint file\n"
     "  --quiet              no progress output\n",
     cmd_train},
    {"sweep", "sweep SPEC.json [--jobs N] [--out DIR] [--resume] [--dry-run] [--quiet]\n       athlete sweep --resume SWEEP_DIR [--jobs N]",
     "train over seeds and hyper-parameters on every core, or across machines with MPI",
     "Runs every configuration of a spec (a grid and/or random draws over configuration keys)\n"
     "on every seed, each run an ordinary run folder sweeps/NAME/runs/CONFIG-seedSEED/ made by\n"
     "'athlete train' in a worker process (OPENBLAS_NUM_THREADS=1), --jobs at once. The spec\n"
     "and every configuration are checked first (unknown fields and keys with the nearest\n"
     "name, types, ranges), so a typo fails before anything runs.\n"
     "\n"
     "The spec is a JSON object: name, algorithm, environment, overrides (the base\n"
     "configuration) or preset (\"ALGORITHM/ENVIRONMENT\" or true), env_options, grid\n"
     "({\"KEY\": [values]}, dotted or nested keys), random ({\"KEY\": {\"uniform\": [lo, hi]} |\n"
     "{\"log_uniform\": [lo, hi]} | {\"choice\": [values]}}) with samples and sampler_seed,\n"
     "seeds, steps, evaluation ({\"episodes\": K, \"every\": N}; N divides steps), log_every,\n"
     "threshold, description.\n"
     "\n"
     "sweeps/NAME/results.jsonl gets one line per finished run (configuration, seed, final\n"
     "and best evaluation, env steps, wall time, host, rank, worker); at the end summary.md\n"
     "(per configuration: mean +/- std, IQM with a 95 % stratified bootstrap interval, worst\n"
     "seed, pass rate against the threshold) and best-config.json (for 'train --config').\n"
     "'athlete plot SWEEP_DIR' draws each configuration's mean curve with its min-max band.\n"
     "\n"
     "A worker killed by a signal is reported and its run retried once. Ctrl-C stops the\n"
     "workers (their runs saved, not counted); --resume runs only what is not finished,\n"
     "continuing stopped runs exactly. Under 'mpirun -np K athlete sweep SPEC' (a build with\n"
     "MPI) rank 0 hands runs out to the ranks as they ask and writes the results; a run gives\n"
     "the same numbers wherever it runs.",
     "  --jobs N, -j N       worker processes at once (default: the number of cores)\n"
     "  --out DIR            where the sweep folder goes (default sweeps: sweeps/NAME)\n"
     "  --resume [DIR]       continue the sweep (of SPEC, or the folder DIR)\n"
     "  --dry-run            check the spec and list the configurations; run nothing\n"
     "  --quiet              no progress lines\n",
     cmd_sweep},
    {"eval", "eval CHECKPOINT|POLICY|RUN_DIR [ENV] [--episodes N] [--seed S] [--env-option K=V]...",
     "evaluate a saved agent or policy file greedily",
     "Runs the evaluation policy of a checkpoint, of a policy-only file, or of a run folder's\n"
     "best.policy (else final.ckpt) for N episodes and prints the mean return. Episode e is\n"
     "reset with seed S + e (S defaults to 1000000, the rule 'train' uses), so a checkpoint\n"
     "scores here exactly what it scored during training. ENV may be left out for a run folder\n"
     "(its run.json names the environment and its options).",
     "  --episodes N         episodes (default 20)\n"
     "  --seed S             seed of the first episode (default 1000000)\n"
     "  --env-option K=V     an environment option\n",
     cmd_eval},
    {"plot", "plot RUN_DIR_OR_METRICS...|SWEEP_DIR [-o FILE.png|FILE.svg] [--losses] [options]",
     "draw learning curves with gnuplot",
     "Draws the episode return against environment steps (smoothed) with the evaluation means\n"
     "as points. Several runs are drawn as their mean with a shaded band (min to max of the\n"
     "runs) on a common step grid. With --losses, one panel per statistic of the \"update\"\n"
     "lines follows. A sweep folder (athlete sweep) draws one mean curve with its min-max band\n"
     "per configuration. Needs gnuplot (Debian: gnuplot-nox).",
     "  -o FILE              output file, .png (default curve.png) or .svg\n"
     "  --losses             add one panel per loss/statistic\n"
     "  --smooth N           moving average over N episodes (default 20)\n"
     "  --size WxH           image size in pixels (default 900x540; taller with --losses)\n"
     "  --title TEXT         the title (default: the runs' algorithm and environment)\n",
     cmd_plot},
    {"info", "info CHECKPOINT|POLICY", "what a checkpoint or policy file holds",
     "Prints a file's kind, algorithm, plugin and runtime versions, spaces, seed, training\n"
     "steps and episodes, the OpenBLAS kernel it was written under, and its sizes.",
     NULL, cmd_info},
    {"list", "list", "the registered algorithms", "Lists every algorithm id with its plugin version and summary.",
     NULL, cmd_list},
    {"config", "config ID [--describe]", "an algorithm's default configuration (JSON), or every key described",
     "Prints the defaults of algorithm ID: the keys --set and --config accept. With --describe,\n"
     "prints every key with its type, default, range and meaning instead.",
     "  --describe   every key: type, default, range (or choices) and a one-line description\n", cmd_config},
    {"plugins", "plugins", "what the plugin scan found and rejected, and the BLAS kernel",
     "Lists every plugin file the scan looked at with its verdict, the search path and the\n"
     "OpenBLAS kernel (flagged when generic on a CPU that can do better).",
     NULL, cmd_plugins},
    {"envs", "envs", "the built-in environments", "Lists every built-in environment with its spaces.", NULL,
     cmd_envs},
    {"call", "call CHECKPOINT METHOD [ARGS_JSON]", "call an algorithm's extension method (e.g. epsilon)",
     "Loads a checkpoint and calls an extension method of its algorithm by name, e.g.\n"
     "'athlete call run.ckpt epsilon'. ARGS_JSON is a JSON array of arguments (default []).\n"
     "Without METHOD, lists the methods.",
     NULL, cmd_call},
    {"presets", "presets [ID ENV]", "tuned configurations (train with one: train ID ENV --preset)",
     "Without arguments, lists the presets: tuned configurations, one per (algorithm,\n"
     "environment), with the training budget and the greedy mean return every seed reaches\n"
     "(the threshold). With ID ENV, prints that preset's file. Presets are searched in\n"
     "$ATHLETE_PRESET_PATH, then in ../share/athlete/presets next to the program, then in the\n"
     "installed directory.",
     NULL, cmd_presets},
    {"export", "export CHECKPOINT_OR_POLICY -o NAME.c [--name IDENT] [--quantize f32|f16|int8]",
     "write a trained policy as dependency-free C (NAME.c, NAME.h)",
     "Writes the evaluation policy of a checkpoint or policy-only file as dependency-free C99:\n"
     "NAME.c and NAME.h (beside it), with int IDENT_act(const float observation[], float action[])\n"
     "and, for Discrete actions, int IDENT_act_discrete(const float observation[]). The code\n"
     "compiles with cc -std=c99 -pedantic, allocates nothing and needs at most libm.",
     "  -o, --output NAME.c   the source file to write; the header is NAME.h in the same directory\n"
     "  --name IDENT          the identifier prefix (default: NAME, with other characters as _)\n"
     "  --quantize KIND       weight storage: f32 (default), f16 (half the flash) or int8 (a quarter)\n",
     cmd_export},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

static const char global_description[] =
    "Athlete gives every reinforcement-learning agent one API; this command trains, evaluates\n"
    "and inspects agents of any installed algorithm plugin on the built-in environments.\n"
    "Plugins are searched in $ATHLETE_PLUGIN_PATH, then in the installed plugin directory.\n"
    "Exit codes: 0 success, 1 a failed call (the message names it), 2 a usage error,\n"
    "130/143 a training run stopped by SIGINT/SIGTERM (and saved).";

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < cli_command_count; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

void cli_print_usage(FILE *out)
{
    fprintf(out, "usage: athlete <command> [arguments]\n       athlete --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < cli_command_count; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "\n%s\n\nRun 'athlete <command> --help' for a command's options.\n", global_description);
}

void cli_print_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: athlete %s\n\n%s\n", cmd->synopsis, cmd->description);
    if (cmd->options)
        fprintf(out, "\noptions:\n%s", cmd->options);
}

/* Text as roff: backslashes and dashes escaped, no line starting with a control character. */
static void roff(FILE *out, const char *text)
{
    bool line_start = true;
    for (const char *p = text; *p; p++) {
        if (line_start && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-')
            fputs("\\-", out);
        else
            fputc(*p, out);
        line_start = *p == '\n';
    }
    if (!line_start)
        fputc('\n', out);
}

/* A synopsis line by line, each as "athlete ..." with the command name in bold. */
static void roff_synopsis(FILE *out, const char *synopsis)
{
    const char *line = synopsis;
    while (*line) {
        while (*line == ' ')
            line++;
        if (strncmp(line, "athlete ", 8) == 0)
            line += 8;
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char text[256];
        snprintf(text, sizeof text, "%.*s", (int)len, line);
        fputs("\\fBathlete\\fR ", out);
        roff(out, text);
        line += len;
        if (*line == '\n')
            line++;
    }
}

void cli_print_man(FILE *out)
{
    fprintf(out, ".TH ATHLETE 1 \"\" \"athlete %s\" \"User Commands\"\n.SH NAME\nathlete \\- train, evaluate and "
                 "inspect reinforcement\\-learning agents\n.SH SYNOPSIS\n.nf\n",
            ATHLETE_VERSION_STRING);
    for (size_t i = 0; i < cli_command_count; i++)
        roff_synopsis(out, cli_commands[i].synopsis);
    fputs("\\fBathlete\\fR \\-\\-version | \\-\\-help\n.fi\n.SH DESCRIPTION\n", out);
    roff(out, global_description);
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; i < cli_command_count; i++) {
        const cli_command *c = &cli_commands[i];
        fprintf(out, ".SS %s\n.nf\n", c->name);
        roff_synopsis(out, c->synopsis);
        fputs(".fi\n", out);
        roff(out, c->description);
        if (c->options) {
            fputs(".PP\nOptions:\n.nf\n", out);
            roff(out, c->options);
            fputs(".fi\n", out);
        }
    }
    fputs(".SH ENVIRONMENT\n.TP\n.B ATHLETE_PLUGIN_PATH\ncolon\\-separated plugin directories, searched first\n"
          ".TP\n.B OPENBLAS_CORETYPE\nthe OpenBLAS kernel; when unset and OpenBLAS picks a generic one on a better "
          "CPU, athlete re\\-executes itself with a better one (ATHLETE_NO_REEXEC=1 disables it)\n"
          ".TP\n.B ATHLETE_BLAS_THREADS\nOpenBLAS threads (default 1)\n",
          out);
}

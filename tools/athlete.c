/* athlete: the command line for Athlete agents.
 *
 *   athlete list | config ID | plugins | train ID ENV [options] | eval CHECKPOINT ENV |
 *   call CHECKPOINT METHOD [ARGS_JSON] | envs
 *
 * It uses only the public API (libathlete, libathlete-envs). Exit codes: 0 success,
 * 1 runtime failure (the message says which call failed), 2 usage error. */
#include <athlete/athlete.h>
#include <athlete/blas.h>
#include <athlete/env.h>
#include "runner.h"
#include "vector-runner.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: athlete <command> [arguments]\n"
    "\n"
    "commands:\n"
    "  list                      the registered algorithms\n"
    "  config ID                 an algorithm's default configuration (JSON)\n"
    "  plugins                   what the plugin scan found and rejected, and the BLAS kernel\n"
    "  envs                      the built-in environments\n"
    "  train ID ENV [options]    train an agent on a built-in environment, then evaluate it\n"
    "  eval CHECKPOINT ENV       evaluate a saved agent greedily\n"
    "  call CHECKPOINT METHOD [ARGS_JSON]\n"
    "                            call an algorithm's extension method (e.g. epsilon)\n"
    "\n"
    "Run 'athlete <command> --help' for a command's options.\n"
    "Plugins are searched in $ATHLETE_PLUGIN_PATH, then in the installed plugin directory.\n";

static const char train_usage[] =
    "usage: athlete train ID ENV [options]\n"
    "\n"
    "Trains algorithm ID on the built-in environment ENV (see 'athlete envs'), shows progress,\n"
    "and ends with a greedy evaluation (mean and standard deviation of the episode return).\n"
    "\n"
    "options:\n"
    "  --steps N            environment steps to train (default 50000)\n"
    "  --seed S             agent and environment seed (default 0)\n"
    "  --envs N             train on N copies of ENV with one vector agent (default 1); steps\n"
    "                       count environment steps (N per call), evaluation stays single-env\n"
    "  --set KEY=VALUE      override a configuration key; VALUE is JSON (strings may be bare);\n"
    "                       dotted keys reach nested objects: --set optimizer_arguments.lr=1e-3\n"
    "  --env-option K=V     an environment option, e.g. --env-option is_slippery=false\n"
    "  --eval-episodes N    evaluation episodes at the end (default 20)\n"
    "  --metrics FILE       append one JSON line per training episode to FILE\n"
    "  --save PATH          save a checkpoint at the end (with environment state)\n"
    "  --resume PATH        continue training from a checkpoint instead of a new agent\n"
    "  --quiet              no progress output\n";

static const char eval_usage[] =
    "usage: athlete eval CHECKPOINT ENV [--episodes N] [--seed S] [--env-option K=V]...\n"
    "\n"
    "Loads a checkpoint and runs its evaluation policy for N episodes (default 20).\n";

static const char call_usage[] =
    "usage: athlete call CHECKPOINT METHOD [ARGS_JSON]\n"
    "\n"
    "Loads a checkpoint and calls an extension method of its algorithm by name, e.g.\n"
    "  athlete call run.ckpt epsilon\n"
    "ARGS_JSON is a JSON array of arguments (default []). Without METHOD, lists the methods.\n";

static int fail(const char *what, const athlete_error *err)
{
    fprintf(stderr, "athlete: %s: %s\n", what, err->message);
    return EXIT_RUNTIME;
}

static int usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "athlete: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n%s", usage);
    va_end(ap);
    return EXIT_USAGE;
}

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

static athlete_registry *open_registry(athlete_error *err)
{
    athlete_registry *reg = NULL;
    if (athlete_registry_create(NULL, &reg, err) != ATHLETE_OK)
        return NULL;
    return reg;
}

/* ---- OpenBLAS kernel trap: re-exec with a better OPENBLAS_CORETYPE (see blas.h) ---- */

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

/* ---- commands ---- */

static int cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return usage_error("usage: athlete list\n", "list takes no arguments");
    athlete_error err;
    athlete_registry *reg = open_registry(&err);
    if (!reg)
        return fail("cannot create the registry", &err);
    const char *const *ids;
    size_t n = athlete_registry_list(reg, &ids);
    for (size_t i = 0; i < n; i++) {
        const athlete_algorithm *alg;
        const athlete_plugin *plugin;
        athlete_registry_find(reg, ids[i], &alg, &plugin, NULL, &err);
        printf("%-12s %-8s %s\n", ids[i], plugin ? plugin->version : "", alg->summary ? alg->summary : "");
    }
    if (n == 0)
        fprintf(stderr, "athlete: no algorithms found; run 'athlete plugins' to see where it looked\n");
    athlete_registry_destroy(reg);
    return n ? EXIT_SUCCESS : EXIT_RUNTIME;
}

static int cmd_config(int argc, char **argv)
{
    if (argc != 1)
        return usage_error("usage: athlete config ID\n", "config takes one algorithm id");
    athlete_error err;
    athlete_registry *reg = open_registry(&err);
    if (!reg)
        return fail("cannot create the registry", &err);
    char *json = NULL;
    int rc = EXIT_SUCCESS;
    if (athlete_registry_default_config(reg, argv[0], true, &json, &err) != ATHLETE_OK)
        rc = fail("config", &err);
    else
        printf("%s\n", json);
    athlete_free(json);
    athlete_registry_destroy(reg);
    return rc;
}

static int cmd_plugins(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return usage_error("usage: athlete plugins\n", "plugins takes no arguments");
    athlete_error err;
    athlete_registry *reg = open_registry(&err);
    if (!reg)
        return fail("cannot create the registry", &err);
    const char *path = getenv("ATHLETE_PLUGIN_PATH");
    printf("search path: %s%s%s\n", path ? path : "", path ? ":" : "", athlete_registry_installed_dir());
    const athlete_plugin_diagnostic *diag;
    size_t n = athlete_registry_diagnostics(reg, &diag);
    for (size_t i = 0; i < n; i++)
        printf("%s %s\n    %s\n", diag[i].status == ATHLETE_OK ? "ok  " : "FAIL", diag[i].path, diag[i].message);
    if (n == 0)
        printf("no plugin files found\n");
    const char *recommended = athlete_blas_recommended_coretype();
    printf("OpenBLAS kernel: %s, %d thread(s)%s%s%s\n", athlete_blas_corename(), athlete_blas_threads(),
           athlete_blas_kernel_is_generic() ? " -- GENERIC: this CPU supports " : "",
           athlete_blas_kernel_is_generic() ? recommended : "",
           athlete_blas_kernel_is_generic() ? "; set OPENBLAS_CORETYPE" : "");
    if (athlete_blas_forced_slower())
        printf("warning: OPENBLAS_CORETYPE=%s forces a kernel slower than this CPU supports; unset it (or set %s) "
               "for faster training\n", getenv("OPENBLAS_CORETYPE"), athlete_blas_forced_slower());
    athlete_registry_destroy(reg);
    return EXIT_SUCCESS;
}

static int cmd_envs(void)
{
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    for (size_t i = 0; i < n; i++) {
        athlete_env *env = NULL;
        athlete_error err;
        if (athlete_env_create(ids[i], NULL, &env, &err) != ATHLETE_OK)
            return fail(ids[i], &err);
        char o[160], a[160];
        printf("%-26s obs %s\n%-26s act %s\n", ids[i],
               athlete_space_describe(athlete_env_observation_space(env), o, sizeof o), "",
               athlete_space_describe(athlete_env_action_space(env), a, sizeof a));
        athlete_env_destroy(env);
    }
    return EXIT_SUCCESS;
}

/* Builds a JSON object from KEY=VALUE pairs: VALUE as JSON when it parses, else a string. */
typedef struct kv_list {
    char text[8192];
    size_t len;
    int count;
} kv_list;

static bool looks_like_json(const char *v)
{
    if (!*v)
        return false;
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0 || strcmp(v, "null") == 0)
        return true;
    if (*v == '[' || *v == '{' || *v == '"')
        return true;
    char *end;
    errno = 0;
    strtod(v, &end);
    return *end == '\0';
}

static bool kv_add(kv_list *kv, const char *pair)
{
    const char *eq = strchr(pair, '=');
    if (!eq || eq == pair)
        return false;
    int n = snprintf(kv->text + kv->len, sizeof kv->text - kv->len, "%s\"%.*s\": %s%s%s",
                     kv->count ? ", " : "", (int)(eq - pair), pair, looks_like_json(eq + 1) ? "" : "\"", eq + 1,
                     looks_like_json(eq + 1) ? "" : "\"");
    if (n < 0 || (size_t)n >= sizeof kv->text - kv->len)
        return false;
    kv->len += (size_t)n;
    kv->count++;
    return true;
}

static const char *kv_json(kv_list *kv, char *buf, size_t size)
{
    if (kv->count == 0)
        return NULL;
    snprintf(buf, size, "{%s}", kv->text);
    return buf;
}

static void print_evaluation(const athlete_agent *agent, const char *env_id, const athlete_evaluation *ev)
{
    printf("evaluation: %s on %s, %" PRIu64 " episodes: mean return %.2f +/- %.2f (min %.2f, max %.2f, mean length %.1f)\n",
           athlete_agent_algorithm_id(agent), env_id, ev->episodes, ev->mean_return, ev->std_return, ev->min_return,
           ev->max_return, ev->mean_length);
}

/* Per-episode bookkeeping of `train`: progress and the JSONL metrics. */
typedef struct train_context {
    progress bar;
    FILE *metrics;
    uint64_t episodes;
} train_context;

static bool on_episode(void *context, const athlete_episode_report *r)
{
    train_context *ctx = context;
    ctx->episodes = r->episode;
    progress_episode(&ctx->bar, r->episode_return);
    if (ctx->metrics) {
        fprintf(ctx->metrics, "{\"episode\": %" PRIu64 ", \"step\": %" PRIu64 ", \"return\": %.17g, \"length\": %" PRIu64
                              ", \"terminated\": %s, \"seconds\": %.3f",
                r->episode, r->step, r->episode_return, r->length, r->terminated ? "true" : "false",
                progress_elapsed(&ctx->bar));
        for (size_t k = 0; r->info && k < r->info->count; k++)
            if (r->info->items[k].type == ATHLETE_VALUE_REAL && isfinite(r->info->items[k].real))
                fprintf(ctx->metrics, ", \"%s\": %.9g", r->info->items[k].key, r->info->items[k].real);
        fprintf(ctx->metrics, "}\n");
    }
    return true;
}

static bool on_progress(void *context, uint64_t steps_done)
{
    train_context *ctx = context;
    progress_update(&ctx->bar, steps_done);
    return true;
}

static bool parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || *text == '-' || !*text)
        return false;
    *out = v;
    return true;
}

static int cmd_train(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(train_usage, stdout);
        return EXIT_SUCCESS;
    }
    if (argc < 2)
        return usage_error(train_usage, "train needs an algorithm id and an environment id");
    const char *algorithm = argv[0], *env_id = argv[1];
    uint64_t steps = 50000, seed = 0, eval_episodes = 20, num_envs = 1;
    const char *metrics_path = NULL, *save_path = NULL, *resume_path = NULL;
    bool quiet = false;
    static kv_list overrides, env_options;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quiet") == 0) {
            quiet = true;
            continue;
        }
        if (!v)
            return usage_error(train_usage, "option %s needs a value", a);
        i++;
        if (strcmp(a, "--steps") == 0) {
            if (!parse_u64(v, &steps) || steps == 0)
                return usage_error(train_usage, "--steps expects a positive integer, got '%s'", v);
        } else if (strcmp(a, "--seed") == 0) {
            if (!parse_u64(v, &seed))
                return usage_error(train_usage, "--seed expects a non-negative integer, got '%s'", v);
        } else if (strcmp(a, "--envs") == 0) {
            if (!parse_u64(v, &num_envs) || num_envs == 0 || num_envs > ATHLETE_AGENT_MAX_ENVS)
                return usage_error(train_usage, "--envs expects an integer in [1, %d], got '%s'",
                                   ATHLETE_AGENT_MAX_ENVS, v);
        } else if (strcmp(a, "--eval-episodes") == 0) {
            if (!parse_u64(v, &eval_episodes) || eval_episodes == 0)
                return usage_error(train_usage, "--eval-episodes expects a positive integer, got '%s'", v);
        } else if (strcmp(a, "--set") == 0) {
            if (!kv_add(&overrides, v))
                return usage_error(train_usage, "--set expects KEY=VALUE, got '%s'", v);
        } else if (strcmp(a, "--env-option") == 0) {
            if (!kv_add(&env_options, v))
                return usage_error(train_usage, "--env-option expects KEY=VALUE, got '%s'", v);
        } else if (strcmp(a, "--metrics") == 0) {
            metrics_path = v;
        } else if (strcmp(a, "--save") == 0) {
            save_path = v;
        } else if (strcmp(a, "--resume") == 0) {
            resume_path = v;
        } else {
            return usage_error(train_usage, "unknown option '%s'", a);
        }
    }
    athlete_error err;
    athlete_error_clear(&err);
    int rc = EXIT_RUNTIME;
    athlete_registry *reg = NULL;
    athlete_env *env = NULL, *eval_env = NULL;
    athlete_agent *agent = NULL;
    athlete_vector_env *venv = NULL;
    FILE *metrics = NULL;
    char overrides_json[8300], env_json[8300];
    const char *env_opts = kv_json(&env_options, env_json, sizeof env_json);

    if (athlete_env_create(env_id, env_opts, &env, &err) != ATHLETE_OK ||
        athlete_env_create(env_id, env_opts, &eval_env, &err) != ATHLETE_OK) {
        rc = fail("environment", &err);
        goto done;
    }
    if (num_envs > 1 && athlete_vector_env_create(env_id, env_opts, (size_t)num_envs, &venv, &err) != ATHLETE_OK) {
        rc = fail("environment", &err);
        goto done;
    }
    reg = open_registry(&err);
    if (!reg) {
        rc = fail("cannot create the registry", &err);
        goto done;
    }
    if (resume_path) {
        if (overrides.count) {
            rc = usage_error(train_usage, "--set cannot change a resumed agent's configuration");
            goto done;
        }
        if (athlete_agent_from_checkpoint(reg, resume_path, false, &agent, &err) != ATHLETE_OK) {
            rc = fail("resume", &err);
            goto done;
        }
        if (athlete_agent_load_warning(agent))
            fprintf(stderr, "athlete: warning: %s\n", athlete_agent_load_warning(agent));
    } else if (athlete_agent_create_vector(reg, algorithm, athlete_env_observation_space(env),
                                           athlete_env_action_space(env), (size_t)num_envs, &seed,
                                           kv_json(&overrides, overrides_json, sizeof overrides_json), &agent,
                                           &err) != ATHLETE_OK) {
        rc = fail("cannot create the agent", &err);
        goto done;
    }
    if (metrics_path && !(metrics = fopen(metrics_path, "a"))) {
        fprintf(stderr, "athlete: cannot open '%s': %s\n", metrics_path, strerror(errno));
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "training %s on %s for %" PRIu64 " steps (seed %" PRIu64 ", OpenBLAS %s, %d thread%s)\n",
                athlete_agent_algorithm_id(agent), env_id, steps, seed, athlete_blas_corename(),
                athlete_blas_threads(), athlete_blas_threads() == 1 ? "" : "s");
    train_context ctx = {.metrics = metrics};
    progress_start(&ctx.bar, steps, quiet);
    athlete_training_callbacks callbacks = {on_episode, on_progress, &ctx};
    if (athlete_agent_num_envs(agent) != num_envs) {
        rc = usage_error(train_usage, "the resumed agent drives %zu environments; --envs says %" PRIu64,
                         athlete_agent_num_envs(agent), num_envs);
        goto done;
    }
    athlete_status trained = venv ? athlete_run_vector_training(agent, venv, steps, &seed, &callbacks, &err)
                                  : athlete_run_training(agent, env, steps, &seed, &callbacks, &err);
    if (trained != ATHLETE_OK) {
        rc = fail("training", &err);
        goto done;
    }
    progress_finish(&ctx.bar);
    if (!quiet)
        fprintf(stderr, "trained %" PRIu64 " steps, %" PRIu64 " episodes in %.1f s (%.0f steps/s)\n", steps,
                ctx.episodes, progress_elapsed(&ctx.bar), (double)steps / progress_elapsed(&ctx.bar));
    if (save_path) {
        char *saved = NULL;
        if (athlete_agent_save_checkpoint(agent, save_path, true, &saved, &err) != ATHLETE_OK) {
            rc = fail("save", &err);
            goto done;
        }
        fprintf(stderr, "saved checkpoint to %s\n", saved);
        athlete_free(saved);
    }
    athlete_evaluation ev;
    if (athlete_run_evaluation(agent, eval_env, eval_episodes, seed + 1000000, &ev, &err) != ATHLETE_OK) {
        rc = fail("evaluation", &err);
        goto done;
    }
    print_evaluation(agent, env_id, &ev);
    rc = EXIT_SUCCESS;
done:
    if (metrics)
        fclose(metrics);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    athlete_env_destroy(env);
    athlete_env_destroy(eval_env);
    athlete_vector_env_destroy(venv);
    return rc;
}

static int cmd_eval(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(eval_usage, stdout);
        return EXIT_SUCCESS;
    }
    if (argc < 2)
        return usage_error(eval_usage, "eval needs a checkpoint and an environment id");
    uint64_t episodes = 20, seed = 0;
    static kv_list env_options;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return usage_error(eval_usage, "option %s needs a value", argv[i]);
        if (strcmp(argv[i], "--episodes") == 0 && parse_u64(v, &episodes) && episodes > 0)
            i++;
        else if (strcmp(argv[i], "--seed") == 0 && parse_u64(v, &seed))
            i++;
        else if (strcmp(argv[i], "--env-option") == 0 && kv_add(&env_options, v))
            i++;
        else
            return usage_error(eval_usage, "bad option '%s %s'", argv[i], v);
    }
    athlete_error err;
    char env_json[8300];
    athlete_env *env = NULL;
    if (athlete_env_create(argv[1], kv_json(&env_options, env_json, sizeof env_json), &env, &err) != ATHLETE_OK)
        return fail("environment", &err);
    athlete_registry *reg = open_registry(&err);
    athlete_agent *agent = NULL;
    int rc = EXIT_RUNTIME;
    if (!reg)
        rc = fail("cannot create the registry", &err);
    else if (athlete_agent_from_checkpoint(reg, argv[0], false, &agent, &err) != ATHLETE_OK)
        rc = fail("load", &err);
    else if (!athlete_space_equal(athlete_agent_observation_space(agent), athlete_env_observation_space(env)) ||
             !athlete_space_equal(athlete_agent_action_space(agent), athlete_env_action_space(env)))
        fprintf(stderr, "athlete: the checkpoint's spaces do not match %s's\n", argv[1]);
    else {
        athlete_evaluation ev;
        if (athlete_run_evaluation(agent, env, episodes, seed, &ev, &err) != ATHLETE_OK)
            rc = fail("evaluation", &err);
        else {
            print_evaluation(agent, argv[1], &ev);
            rc = EXIT_SUCCESS;
        }
    }
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    athlete_env_destroy(env);
    return rc;
}

static int cmd_call(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        fputs(call_usage, stdout);
        return EXIT_SUCCESS;
    }
    if (argc < 1 || argc > 3)
        return usage_error(call_usage, "call needs a checkpoint, a method and optional arguments");
    athlete_error err;
    athlete_registry *reg = open_registry(&err);
    if (!reg)
        return fail("cannot create the registry", &err);
    athlete_agent *agent = NULL;
    int rc = EXIT_RUNTIME;
    if (athlete_agent_from_checkpoint(reg, argv[0], false, &agent, &err) != ATHLETE_OK) {
        rc = fail("load", &err);
    } else if (argc == 1) {
        const athlete_method *m = athlete_agent_methods(agent);
        for (size_t i = 0; m && m[i].name; i++)
            printf("%-24s %-8s %s\n", m[i].name, m[i].signature, m[i].summary ? m[i].summary : "");
        rc = EXIT_SUCCESS;
    } else {
        char *result = NULL;
        if (athlete_agent_call(agent, argv[1], argc == 3 ? argv[2] : NULL, &result, &err) != ATHLETE_OK)
            rc = fail("call", &err);
        else {
            printf("%s\n", result);
            rc = EXIT_SUCCESS;
        }
        athlete_free(result);
    }
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    return rc;
}

int main(int argc, char **argv)
{
    maybe_reexec_for_blas(argv);
    athlete_blas_use_default_threads();
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_SUCCESS;
    }
    const char *cmd = argv[1];
    int sub_argc = argc - 2;
    char **sub_argv = argv + 2;
    if (strcmp(cmd, "train") == 0)
        return cmd_train(sub_argc, sub_argv);
    if (strcmp(cmd, "eval") == 0)
        return cmd_eval(sub_argc, sub_argv);
    if (strcmp(cmd, "call") == 0)
        return cmd_call(sub_argc, sub_argv);
    if (wants_help(sub_argc, sub_argv)) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    }
    if (strcmp(cmd, "list") == 0)
        return cmd_list(sub_argc, sub_argv);
    if (strcmp(cmd, "config") == 0)
        return cmd_config(sub_argc, sub_argv);
    if (strcmp(cmd, "plugins") == 0)
        return cmd_plugins(sub_argc, sub_argv);
    if (strcmp(cmd, "envs") == 0)
        return cmd_envs();
    return usage_error(usage_text, "unknown command '%s'", cmd);
}

/* athlete train: a training run in its run folder (see run-dir.h), with evaluation during
 * training, periodic checkpoints, metrics, and a clean stop on SIGINT/SIGTERM. */
#include "cli.h"
#include "preset.h"
#include "interrupt.h"
#include "metrics.h"
#include "progress.h"
#include "run-dir.h"
#include "runner.h"
#include "vector-runner.h"

#include <athlete/blas.h>
#include <athlete/version.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct train_options {
    const char *algorithm, *env_id;
    uint64_t steps, seed, checkpoint_every, keep, eval_every, eval_episodes, log_every, envs;
    bool steps_given, eval_episodes_given, quiet, csv, preset, envs_given;
    const char *run_setting; /* an option that a run folder's resume cannot change, or NULL */
    cli_pairs *overrides, *env_options;
    const char *config_path, *run_dir, *metrics_path, *save_path, *resume_path;
} train_options;

typedef struct trainer {
    train_options o;
    athlete_registry *reg;
    athlete_env *env, *eval_env;
    athlete_vector_env *venv; /* --envs N > 1: the training environments (env then only names the spaces) */
    athlete_agent *agent;
    char *dir;
    cJSON *run;             /* run.json */
    metrics m;
    progress bar;
    athlete_training_state state;   /* one environment */
    athlete_vector_training_state vstate; /* N environments: state.step and state.episode mirror it */
    uint64_t previous_step;         /* on_step's last step: periods count when a call crosses them */
    uint64_t target;
    double wall_offset;     /* training seconds of earlier sessions */
    bool has_best;
    double best_mean;
    bool failed;            /* a callback failed; the message is printed */
    bool has_preset;        /* --preset: report its threshold after the evaluation */
    double preset_threshold;
    bool env_restored;      /* the environment continues from a run folder's state */
} trainer;

static const cli_command *train_cmd(void) { return cli_find_command("train"); }

static double wall_time(const trainer *t) { return t->wall_offset + progress_elapsed(&t->bar); }

static int parse_options(int argc, char **argv, train_options *o)
{
    *o = (train_options){.steps = 50000, .keep = 3, .envs = 1, .eval_episodes = 20, .log_every = 1000,
                         .overrides = o->overrides, .env_options = o->env_options};
    int positional = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] == '\0') {
            if (positional == 0)
                o->algorithm = a;
            else if (positional == 1)
                o->env_id = a;
            else
                return cli_usage_error(train_cmd(), "unexpected argument '%s'", a);
            positional++;
            continue;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--preset") == 0) {
            o->preset = true;
            if (!o->run_setting)
                o->run_setting = a;
            continue;
        }
        if (strcmp(a, "--csv") == 0) {
            o->csv = true;
            if (!o->run_setting)
                o->run_setting = a;
            continue;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return cli_usage_error(train_cmd(), "option %s needs a value", a);
        i++;
        uint64_t *number = NULL;
        bool positive = true, setting = true;
        if (strcmp(a, "--steps") == 0) {
            number = &o->steps;
            o->steps_given = true;
            setting = false;
        } else if (strcmp(a, "--seed") == 0) {
            number = &o->seed;
            positive = false;
        } else if (strcmp(a, "--checkpoint-every") == 0) {
            number = &o->checkpoint_every;
        } else if (strcmp(a, "--keep-checkpoints") == 0) {
            number = &o->keep;
        } else if (strcmp(a, "--eval-every") == 0) {
            number = &o->eval_every;
        } else if (strcmp(a, "--eval-episodes") == 0) {
            number = &o->eval_episodes;
            o->eval_episodes_given = true;
        } else if (strcmp(a, "--log-every") == 0) {
            number = &o->log_every;
        } else if (strcmp(a, "--envs") == 0) {
            /* Checked against a resumed run's own count instead of being refused. */
            number = &o->envs;
            o->envs_given = true;
            setting = false;
        } else if (strcmp(a, "--set") == 0 || strcmp(a, "--env-option") == 0) {
            const char *problem = cli_pairs_add(a[2] == 's' ? o->overrides : o->env_options, v);
            if (problem)
                return cli_usage_error(train_cmd(), "%s %s, got '%s'", a, problem, v);
        } else if (strcmp(a, "--config") == 0) {
            o->config_path = v;
        } else if (strcmp(a, "--run-dir") == 0) {
            o->run_dir = v;
        } else if (strcmp(a, "--metrics") == 0) {
            o->metrics_path = v;
            setting = false;
        } else if (strcmp(a, "--save") == 0) {
            o->save_path = v;
            setting = false;
        } else if (strcmp(a, "--resume") == 0) {
            o->resume_path = v;
            setting = false;
        } else {
            const char *known[] = {"--steps", "--seed", "--config", "--set", "--env-option", "--run-dir",
                                   "--checkpoint-every", "--keep-checkpoints", "--eval-every", "--eval-episodes",
                                   "--log-every", "--envs", "--metrics", "--save", "--resume", "--quiet", "--csv", "--preset"};
            const char *near = cli_nearest(a, known, sizeof known / sizeof known[0]);
            if (near)
                return cli_usage_error(train_cmd(), "unknown option '%s'; did you mean '%s'?", a, near);
            return cli_usage_error(train_cmd(), "unknown option '%s'", a);
        }
        if (number && (!cli_parse_u64(v, number) || (positive && *number == 0)))
            return cli_usage_error(train_cmd(), "%s expects a %s integer, got '%s'", a,
                                   positive ? "positive" : "non-negative", v);
        if (number == &o->envs && o->envs > ATHLETE_VECTOR_ENV_MAX)
            return cli_usage_error(train_cmd(), "--envs must be at most %d, got '%s'", ATHLETE_VECTOR_ENV_MAX, v);
        if (setting && !o->run_setting)
            o->run_setting = a;
    }
    return -1;
}

/* --save must be writable before hours of training are spent: an existing target must be
 * a regular file and its directory writable. */
static bool check_save_target(const char *path, char *msg, size_t size)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(msg, size, "--save: '%s' is not a regular file", path);
        return false;
    }
    char *copy = strdup(path);
    if (!copy)
        return false;
    const char *dir = dirname(copy);
    bool ok = access(dir, W_OK | X_OK) == 0;
    if (!ok)
        snprintf(msg, size, "--save: cannot write into '%s': %s", dir, strerror(errno));
    free(copy);
    return ok;
}

static bool spaces_match(trainer *t, const char *what)
{
    if (athlete_space_equal(athlete_agent_observation_space(t->agent), athlete_env_observation_space(t->env)) &&
        athlete_space_equal(athlete_agent_action_space(t->agent), athlete_env_action_space(t->env)))
        return true;
    char a[160], b[160], c[160], d[160];
    fprintf(stderr, "athlete: %s: the agent's spaces (obs %s, act %s) do not match %s's (obs %s, act %s)\n", what,
            athlete_space_describe(athlete_agent_observation_space(t->agent), a, sizeof a),
            athlete_space_describe(athlete_agent_action_space(t->agent), b, sizeof b), athlete_env_id(t->env),
            athlete_space_describe(athlete_env_observation_space(t->env), c, sizeof c),
            athlete_space_describe(athlete_env_action_space(t->env), d, sizeof d));
    return false;
}

/* ---- saving ---- */

/* Prints the failure; false, for the callers' `ok`. */
static bool report(const char *what, const athlete_error *err)
{
    cli_fail(what, err);
    return false;
}

static bool save_checkpoint(trainer *t, const char *path)
{
    athlete_error err;
    char msg[600];
    if (!metrics_sync(&t->m)) {
        fprintf(stderr, "athlete: %s\n", t->m.error);
        return false;
    }
    size_t env_size = t->venv ? athlete_vector_env_state_size(t->venv) : athlete_env_state_size(t->env);
    void *env_state = malloc(env_size ? env_size : 1);
    char *hex = NULL, *text = NULL, *state_path = run_state_path(path);
    bool ok = env_state && state_path;
    athlete_status got = !ok ? ATHLETE_OK
                         : t->venv ? athlete_vector_env_get_state(t->venv, env_state, env_size, &err)
                                   : athlete_env_get_state(t->env, env_state, env_size, &err);
    if (got != ATHLETE_OK)
        ok = report("environment state", &err);
    if (ok && athlete_agent_save_checkpoint(t->agent, path, true, NULL, &err) != ATHLETE_OK)
        ok = report("save", &err);
    if (ok) {
        hex = run_hex_encode(env_state, env_size);
        cJSON *s = cJSON_CreateObject();
        cJSON_AddNumberToObject(s, "step", (double)t->state.step);
        cJSON_AddNumberToObject(s, "episode", (double)t->state.episode);
        cJSON_AddItemToObject(s, "episode_return", metrics_exact_number(t->state.episode_return));
        cJSON_AddNumberToObject(s, "episode_length", (double)t->state.episode_length);
        cJSON_AddBoolToObject(s, "in_episode", t->venv ? t->vstate.started : t->state.in_episode);
        if (t->venv) { /* each environment's episode in progress */
            cJSON *returns = cJSON_AddArrayToObject(s, "env_returns");
            cJSON *lengths = cJSON_AddArrayToObject(s, "env_lengths");
            for (size_t i = 0; i < t->o.envs; i++) {
                cJSON_AddItemToArray(returns, metrics_exact_number(t->vstate.episode_returns[i]));
                cJSON_AddItemToArray(lengths, cJSON_CreateNumber((double)t->vstate.episode_lengths[i]));
            }
        }
        cJSON_AddStringToObject(s, "env_state", hex ? hex : "");
        cJSON_AddNumberToObject(s, "metrics_bytes", (double)metrics_run_bytes(&t->m));
        cJSON_AddItemToObject(s, "wall_time", metrics_exact_number(wall_time(t)));
        if (t->has_best)
            cJSON_AddItemToObject(s, "best_eval_mean", metrics_exact_number(t->best_mean));
        cJSON_AddItemToObject(s, "window", metrics_window_to_json(&t->m));
        if (t->o.csv) {
            long long bytes[3];
            metrics_csv_bytes(&t->m, bytes);
            cJSON *csv = cJSON_AddArrayToObject(s, "csv_bytes");
            for (int k = 0; k < 3; k++)
                cJSON_AddItemToArray(csv, cJSON_CreateNumber((double)bytes[k]));
        }
        text = cJSON_Print(s);
        cJSON_Delete(s);
        ok = text && run_write_file(state_path, text, msg, sizeof msg);
        if (!ok)
            fprintf(stderr, "athlete: %s\n", text ? msg : "out of memory");
    }
    free(env_state);
    free(hex);
    free(state_path);
    cJSON_free(text);
    return ok;
}

static bool save_in_run(trainer *t, const char *name)
{
    char *path = run_path(t->dir, name);
    bool ok = path && save_checkpoint(t, path);
    free(path);
    return ok;
}

static bool evaluate(trainer *t, uint64_t step)
{
    athlete_error err;
    athlete_evaluation ev;
    if (athlete_run_evaluation(t->agent, t->eval_env, t->o.eval_episodes, CLI_EVAL_SEED, &ev, &err) != ATHLETE_OK)
        return report("evaluation", &err);
    metrics_eval(&t->m, step, t->state.episode, &ev, wall_time(t));
    if (!metrics_sync(&t->m)) {
        fprintf(stderr, "athlete: %s\n", t->m.error);
        return false;
    }
    if (t->has_best && ev.mean_return <= t->best_mean)
        return true;
    t->has_best = true;
    t->best_mean = ev.mean_return;
    char *ckpt = run_path(t->dir, "best.ckpt"), *policy = run_path(t->dir, "best.policy");
    bool ok = ckpt && policy;
    if (ok && (athlete_agent_save_checkpoint(t->agent, ckpt, false, NULL, &err) != ATHLETE_OK ||
               athlete_agent_save_policy(t->agent, policy, &err) != ATHLETE_OK))
        ok = report("save the best agent", &err);
    free(ckpt);
    free(policy);
    return ok;
}

/* ---- the loop's callbacks ---- */

static bool on_episode(void *context, const athlete_episode_report *r)
{
    trainer *t = context;
    progress_episode(&t->bar, r->episode_return);
    metrics_episode(&t->m, r, wall_time(t));
    return true;
}

/* Whether a period of `every` steps ended within (previous, step]: one step at a time that
 * is step % every == 0; N environments advance N steps per call. */
static bool crossed(uint64_t previous, uint64_t step, uint64_t every)
{
    return every && step / every != previous / every;
}

static bool on_step(void *context, uint64_t step, const athlete_info *info)
{
    trainer *t = context;
    uint64_t previous = t->previous_step;
    t->previous_step = step;
    if (t->venv) {
        t->state.step = t->vstate.step;
        t->state.episode = t->vstate.episode;
    }
    metrics_observe(&t->m, info);
    bool ok = true;
    if (crossed(previous, step, t->o.log_every)) {
        metrics_end_window(&t->m, step, wall_time(t));
        ok = metrics_sync(&t->m);
        if (!ok)
            fprintf(stderr, "athlete: %s\n", t->m.error);
    }
    if (ok && crossed(previous, step, t->o.eval_every))
        ok = evaluate(t, step);
    if (ok && crossed(previous, step, t->o.checkpoint_every)) {
        char name[64];
        snprintf(name, sizeof name, "checkpoints/step_%" PRIu64 ".ckpt", step);
        ok = save_in_run(t, name);
        if (ok)
            run_prune_checkpoints(t->dir, t->o.keep);
    }
    if (!ok)
        t->failed = true;
    return ok;
}

static bool on_progress(void *context, uint64_t step)
{
    trainer *t = context;
    progress_update(&t->bar, step);
    return true;
}

/* ---- setting a run up ---- */

static cJSON *command_record(int argc, char **argv)
{
    cJSON *c = cJSON_CreateObject();
    cJSON *args = cJSON_AddArrayToObject(c, "argv");
    cJSON_AddItemToArray(args, cJSON_CreateString("athlete"));
    cJSON_AddItemToArray(args, cJSON_CreateString("train"));
    for (int i = 0; i < argc; i++)
        cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
    char when[32];
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    cJSON_AddStringToObject(c, "started", when);
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
        cJSON_AddStringToObject(c, "cwd", cwd);
    cJSON_AddStringToObject(c, "athlete_version", ATHLETE_VERSION_STRING);
    cJSON_AddStringToObject(c, "openblas_core", athlete_blas_corename());
    cJSON_AddNumberToObject(c, "blas_threads", athlete_blas_threads());
    return c;
}

static bool write_run_json(trainer *t)
{
    char msg[600];
    char *text = cJSON_Print(t->run);
    char *path = run_path(t->dir, "run.json");
    bool ok = text && path && run_write_file(path, text, msg, sizeof msg);
    if (!ok)
        fprintf(stderr, "athlete: %s\n", text && path ? msg : "out of memory");
    cJSON_free(text);
    free(path);
    return ok;
}

static uint64_t run_number(const cJSON *run, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(run, key);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 ? (uint64_t)v->valuedouble : 0;
}

/* A new run: a new agent, or one loaded from a checkpoint file (--resume FILE). */
static int start_new(trainer *t, int argc, char **argv)
{
    athlete_error err;
    train_options *o = &t->o;
    char msg[600];
    if (!o->algorithm || !o->env_id)
        return cli_usage_error(train_cmd(), "train needs an algorithm id and an environment id");
    if (o->config_path && !cli_pairs_merge_file(o->overrides, o->config_path, msg, sizeof msg))
        return cli_usage_error(train_cmd(), "--config: %s", msg);
    if (o->preset) {
        /* The preset's overrides go below --config and --set; its budget and evaluation
         * episodes apply unless given. */
        if (o->resume_path)
            return cli_usage_error(train_cmd(), "--preset cannot change a resumed agent's configuration");
        athlete_preset preset;
        if (athlete_preset_find(o->algorithm, o->env_id, &preset, &err) != ATHLETE_OK) {
            fprintf(stderr, "athlete: %s\n", err.message);
            return EXIT_RUNTIME;
        }
        bool merged = cli_pairs_merge_json(o->overrides, preset.overrides);
        if (!o->steps_given)
            o->steps = preset.steps;
        if (!o->eval_episodes_given)
            o->eval_episodes = preset.eval_episodes;
        t->has_preset = true;
        t->preset_threshold = preset.threshold;
        if (!merged)
            fprintf(stderr, "athlete: preset '%s': its overrides are not a JSON object\n", preset.path);
        athlete_preset_clear(&preset);
        if (!merged)
            return EXIT_RUNTIME;
    }
    char *env_options = cli_pairs_json(o->env_options);
    athlete_status st = cli_env_create(o->env_id, env_options, &t->env, &err);
    if (st == ATHLETE_OK)
        st = athlete_env_create(o->env_id, env_options, &t->eval_env, &err);
    if (st != ATHLETE_OK) {
        athlete_free(env_options);
        return cli_fail("environment", &err);
    }
    if (!(t->reg = cli_open_registry(&err))) {
        athlete_free(env_options);
        return cli_fail("cannot create the registry", &err);
    }
    if (o->resume_path) {
        if (!cli_pairs_empty(o->overrides)) {
            athlete_free(env_options);
            return cli_usage_error(train_cmd(), "--set and --config cannot change a resumed agent's configuration");
        }
        if (athlete_agent_from_checkpoint(t->reg, o->resume_path, false, &t->agent, &err) != ATHLETE_OK) {
            athlete_free(env_options);
            return cli_fail("resume", &err);
        }
        if (athlete_agent_load_warning(t->agent))
            fprintf(stderr, "athlete: warning: %s\n", athlete_agent_load_warning(t->agent));
        if (strcmp(athlete_agent_algorithm_id(t->agent), o->algorithm) != 0) {
            fprintf(stderr, "athlete: resume: '%s' holds a %s agent, not %s\n", o->resume_path,
                    athlete_agent_algorithm_id(t->agent), o->algorithm);
            athlete_free(env_options);
            return EXIT_RUNTIME;
        }
        if (!spaces_match(t, "resume")) {
            athlete_free(env_options);
            return EXIT_RUNTIME;
        }
        size_t agent_envs = athlete_agent_num_envs(t->agent);
        if (o->envs_given && o->envs != agent_envs) {
            fprintf(stderr, "athlete: resume: '%s' holds an agent of %zu environment%s, not --envs %" PRIu64 "\n",
                    o->resume_path, agent_envs, agent_envs == 1 ? "" : "s", o->envs);
            athlete_free(env_options);
            return EXIT_RUNTIME;
        }
        o->envs = agent_envs;
        t->state.step = athlete_agent_clock(t->agent)->interactions;
        t->state.episode = athlete_agent_clock(t->agent)->episodes;
    } else {
        char *overrides = cli_pairs_json(o->overrides);
        st = o->envs > 1 ? athlete_agent_create_vector(t->reg, o->algorithm, athlete_env_observation_space(t->env),
                                                       athlete_env_action_space(t->env), (size_t)o->envs, &o->seed,
                                                       overrides, &t->agent, &err)
                         : athlete_agent_create(t->reg, o->algorithm, athlete_env_observation_space(t->env),
                                                athlete_env_action_space(t->env), &o->seed, overrides, &t->agent, &err);
        athlete_free(overrides);
        if (st != ATHLETE_OK) {
            athlete_free(env_options);
            cli_suggest_algorithm(t->reg, o->algorithm, &err);
            return cli_fail("cannot create the agent", &err);
        }
    }
    if (o->envs > 1 && (athlete_vector_env_create(o->env_id, env_options, (size_t)o->envs, &t->venv, &err) != ATHLETE_OK ||
                        athlete_vector_training_state_create((size_t)o->envs, &t->vstate, &err) != ATHLETE_OK)) {
        athlete_free(env_options);
        return cli_fail("environment", &err);
    }
    t->vstate.step = t->state.step;
    t->vstate.episode = t->state.episode;
    t->target = t->state.step + o->steps;
    if (o->save_path && !check_save_target(o->save_path, msg, sizeof msg)) {
        athlete_free(env_options);
        fprintf(stderr, "athlete: %s\n", msg);
        return EXIT_RUNTIME;
    }
    t->dir = run_dir_create(o->run_dir, athlete_agent_algorithm_id(t->agent), o->env_id, msg, sizeof msg);
    if (!t->dir) {
        athlete_free(env_options);
        fprintf(stderr, "athlete: %s\n", msg);
        return EXIT_RUNTIME;
    }
    const athlete_algorithm *alg = NULL;
    const athlete_plugin *plugin = NULL;
    athlete_registry_find(t->reg, athlete_agent_algorithm_id(t->agent), &alg, &plugin, NULL, &err);
    t->run = cJSON_CreateObject();
    cJSON_AddStringToObject(t->run, "algorithm", athlete_agent_algorithm_id(t->agent));
    cJSON_AddStringToObject(t->run, "plugin", plugin ? plugin->name : "");
    cJSON_AddStringToObject(t->run, "plugin_version", plugin ? plugin->version : "");
    cJSON_AddStringToObject(t->run, "env", o->env_id);
    cJSON_AddItemToObject(t->run, "env_options", env_options ? cJSON_Parse(env_options) : cJSON_CreateObject());
    athlete_free(env_options);
    cJSON_AddNumberToObject(t->run, "seed", (double)athlete_agent_seed(t->agent));
    cJSON_AddNumberToObject(t->run, "envs", (double)o->envs);
    if (o->resume_path)
        cJSON_AddStringToObject(t->run, "resumed_from", o->resume_path);
    cJSON_AddNumberToObject(t->run, "steps", (double)t->target);
    cJSON_AddNumberToObject(t->run, "log_every", (double)o->log_every);
    cJSON_AddNumberToObject(t->run, "eval_every", (double)o->eval_every);
    cJSON_AddNumberToObject(t->run, "eval_episodes", (double)o->eval_episodes);
    cJSON_AddNumberToObject(t->run, "eval_seed", CLI_EVAL_SEED);
    cJSON_AddNumberToObject(t->run, "checkpoint_every", (double)o->checkpoint_every);
    cJSON_AddNumberToObject(t->run, "keep_checkpoints", (double)o->keep);
    cJSON_AddBoolToObject(t->run, "csv", o->csv);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(t->run, "sessions"), command_record(argc, argv));
    char *config = NULL, *config_path = run_path(t->dir, "config.json");
    bool ok = write_run_json(t) && config_path &&
              athlete_agent_config_json(t->agent, true, &config, &err) == ATHLETE_OK;
    if (ok && !run_write_file(config_path, config, msg, sizeof msg)) {
        fprintf(stderr, "athlete: %s\n", msg);
        ok = false;
    }
    athlete_free(config);
    free(config_path);
    if (!ok)
        return EXIT_RUNTIME;
    char *metrics_path = run_path(t->dir, "metrics.jsonl");
    ok = metrics_path && metrics_open(&t->m, metrics_path, -1, o->metrics_path) &&
         (!o->csv || metrics_open_csv(&t->m, t->dir, NULL));
    free(metrics_path);
    if (!ok) {
        fprintf(stderr, "athlete: %s\n", t->m.error);
        return EXIT_RUNTIME;
    }
    return -1;
}

/* Each environment's episode in progress, from a vector run's state file. */
static bool vector_state_from_json(trainer *t, const cJSON *s)
{
    const cJSON *returns = cJSON_GetObjectItemCaseSensitive(s, "env_returns");
    const cJSON *lengths = cJSON_GetObjectItemCaseSensitive(s, "env_lengths");
    size_t n = (size_t)t->o.envs;
    if (!cJSON_IsArray(returns) || !cJSON_IsArray(lengths) || (size_t)cJSON_GetArraySize(returns) != n ||
        (size_t)cJSON_GetArraySize(lengths) != n)
        return false;
    const cJSON *r = returns->child, *l = lengths->child;
    for (size_t i = 0; i < n; i++, r = r->next, l = l->next) {
        if (!cJSON_IsNumber(r) || !cJSON_IsNumber(l) || !(l->valuedouble >= 0))
            return false;
        t->vstate.episode_returns[i] = r->valuedouble;
        t->vstate.episode_lengths[i] = (uint64_t)l->valuedouble;
    }
    t->vstate.started = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "in_episode"));
    t->vstate.step = t->state.step;
    t->vstate.episode = t->state.episode;
    return true;
}

/* A run folder continues from its newest checkpoint with everything it had. */
static int resume_folder(trainer *t, int argc, char **argv)
{
    athlete_error err;
    train_options *o = &t->o;
    char msg[600];
    if (o->run_setting)
        return cli_usage_error(train_cmd(), "%s cannot be used when resuming the run folder '%s' (its settings are in run.json)", o->run_setting,
                               o->resume_path);
    t->dir = strdup(o->resume_path);
    char *run_json = run_path(t->dir, "run.json");
    t->run = run_json ? run_read_json(run_json, msg, sizeof msg) : NULL;
    free(run_json);
    if (!t->run) {
        fprintf(stderr, "athlete: resume: %s\n", msg);
        return EXIT_RUNTIME;
    }
    const cJSON *algorithm = cJSON_GetObjectItemCaseSensitive(t->run, "algorithm");
    const cJSON *env_id = cJSON_GetObjectItemCaseSensitive(t->run, "env");
    const cJSON *env_options = cJSON_GetObjectItemCaseSensitive(t->run, "env_options");
    if (!cJSON_IsString(algorithm) || !cJSON_IsString(env_id) || !cJSON_IsObject(env_options)) {
        fprintf(stderr, "athlete: resume: '%s/run.json' lacks the algorithm, env or env_options\n", t->dir);
        return EXIT_RUNTIME;
    }
    if ((o->algorithm && strcmp(o->algorithm, algorithm->valuestring) != 0) ||
        (o->env_id && strcmp(o->env_id, env_id->valuestring) != 0)) {
        fprintf(stderr, "athlete: resume: the run folder '%s' holds %s on %s, not %s on %s\n", t->dir,
                algorithm->valuestring, env_id->valuestring, o->algorithm, o->env_id ? o->env_id : "?");
        return EXIT_RUNTIME;
    }
    o->algorithm = algorithm->valuestring;
    o->env_id = env_id->valuestring;
    o->log_every = run_number(t->run, "log_every");
    o->eval_every = run_number(t->run, "eval_every");
    o->eval_episodes = run_number(t->run, "eval_episodes");
    o->checkpoint_every = run_number(t->run, "checkpoint_every");
    o->keep = run_number(t->run, "keep_checkpoints");
    o->csv = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t->run, "csv"));
    if (!o->log_every || !o->eval_episodes) {
        fprintf(stderr, "athlete: resume: '%s/run.json' has no valid log_every or eval_episodes\n", t->dir);
        return EXIT_RUNTIME;
    }
    /* Run folders written before vector runs have no "envs": one environment. */
    const cJSON *envs = cJSON_GetObjectItemCaseSensitive(t->run, "envs");
    uint64_t run_envs = envs ? run_number(t->run, "envs") : 1;
    if (run_envs < 1 || run_envs > ATHLETE_VECTOR_ENV_MAX) {
        fprintf(stderr, "athlete: resume: '%s/run.json' has no valid envs\n", t->dir);
        return EXIT_RUNTIME;
    }
    if (o->envs_given && o->envs != run_envs) {
        fprintf(stderr, "athlete: resume: the run folder '%s' trains %" PRIu64 " environment%s, not --envs %" PRIu64 "\n",
                t->dir, run_envs, run_envs == 1 ? "" : "s", o->envs);
        return EXIT_RUNTIME;
    }
    o->envs = run_envs;
    char *options = cJSON_PrintUnformatted(env_options);
    athlete_status st = athlete_env_create(o->env_id, options, &t->env, &err);
    if (st == ATHLETE_OK)
        st = athlete_env_create(o->env_id, options, &t->eval_env, &err);
    if (st == ATHLETE_OK && o->envs > 1) {
        st = athlete_vector_env_create(o->env_id, options, (size_t)o->envs, &t->venv, &err);
        if (st == ATHLETE_OK)
            st = athlete_vector_training_state_create((size_t)o->envs, &t->vstate, &err);
    }
    cJSON_free(options);
    if (st != ATHLETE_OK)
        return cli_fail("environment", &err);
    if (!(t->reg = cli_open_registry(&err)))
        return cli_fail("cannot create the registry", &err);
    char *ckpt = run_newest_checkpoint(t->dir, msg, sizeof msg);
    if (!ckpt) {
        fprintf(stderr, "athlete: resume: %s\n", msg);
        return EXIT_RUNTIME;
    }
    char *state_path = run_state_path(ckpt);
    cJSON *s = state_path ? run_read_json(state_path, msg, sizeof msg) : NULL;
    free(state_path);
    int rc = -1;
    if (!s) {
        fprintf(stderr, "athlete: resume: %s\n", msg);
        rc = EXIT_RUNTIME;
    } else if (athlete_agent_from_checkpoint(t->reg, ckpt, true, &t->agent, &err) != ATHLETE_OK) {
        rc = cli_fail("resume", &err);
    } else if (strcmp(athlete_agent_algorithm_id(t->agent), o->algorithm) != 0) {
        fprintf(stderr, "athlete: resume: '%s' holds a %s agent, but the run is %s\n", ckpt,
                athlete_agent_algorithm_id(t->agent), o->algorithm);
        rc = EXIT_RUNTIME;
    } else if (!spaces_match(t, "resume")) {
        rc = EXIT_RUNTIME;
    } else if (athlete_agent_num_envs(t->agent) != o->envs) {
        fprintf(stderr, "athlete: resume: '%s' holds an agent of %zu environments, but the run trains %" PRIu64 "\n",
                ckpt, athlete_agent_num_envs(t->agent), o->envs);
        rc = EXIT_RUNTIME;
    }
    if (rc == -1) {
        if (athlete_agent_load_warning(t->agent))
            fprintf(stderr, "athlete: warning: %s\n", athlete_agent_load_warning(t->agent));
        const cJSON *hex = cJSON_GetObjectItemCaseSensitive(s, "env_state");
        const cJSON *best = cJSON_GetObjectItemCaseSensitive(s, "best_eval_mean");
        const cJSON *in_episode = cJSON_GetObjectItemCaseSensitive(s, "in_episode");
        const cJSON *ret = cJSON_GetObjectItemCaseSensitive(s, "episode_return");
        const cJSON *wall = cJSON_GetObjectItemCaseSensitive(s, "wall_time");
        const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(s, "metrics_bytes");
        t->state.step = run_number(s, "step");
        t->state.episode = run_number(s, "episode");
        t->state.episode_length = run_number(s, "episode_length");
        t->state.in_episode = cJSON_IsTrue(in_episode);
        t->state.episode_return = cJSON_IsNumber(ret) ? ret->valuedouble : 0;
        t->wall_offset = cJSON_IsNumber(wall) ? wall->valuedouble : 0;
        t->has_best = cJSON_IsNumber(best);
        t->best_mean = t->has_best ? best->valuedouble : 0;
        size_t size = 0;
        void *env_state = cJSON_IsString(hex) ? run_hex_decode(hex->valuestring, &size) : NULL;
        if (!env_state || !cJSON_IsBool(in_episode) || !cJSON_IsNumber(ret) || !cJSON_IsNumber(bytes)) {
            fprintf(stderr, "athlete: resume: the state file of '%s' is incomplete\n", ckpt);
            rc = EXIT_RUNTIME;
        } else if (t->venv && !vector_state_from_json(t, s)) {
            fprintf(stderr, "athlete: resume: the state file of '%s' lacks the %" PRIu64 " environments' episodes\n",
                    ckpt, o->envs);
            rc = EXIT_RUNTIME;
        } else if ((t->venv ? athlete_vector_env_set_state(t->venv, env_state, size, &err)
                            : athlete_env_set_state(t->env, env_state, size, &err)) != ATHLETE_OK) {
            rc = cli_fail("resume: environment state", &err);
        } else if (athlete_agent_clock(t->agent)->interactions != t->state.step) {
            fprintf(stderr, "athlete: resume: '%s' is at step %" PRIu64 " but its state file says %" PRIu64 "\n", ckpt,
                    athlete_agent_clock(t->agent)->interactions, t->state.step);
            rc = EXIT_RUNTIME;
        } else {
            t->env_restored = true;
            char *metrics_path = run_path(t->dir, "metrics.jsonl");
            const cJSON *csv = cJSON_GetObjectItemCaseSensitive(s, "csv_bytes");
            long long csv_bytes[3] = {-1, -1, -1};
            for (int k = 0; k < 3 && cJSON_IsArray(csv); k++) {
                const cJSON *b = cJSON_GetArrayItem(csv, k);
                csv_bytes[k] = cJSON_IsNumber(b) ? (long long)b->valuedouble : -1;
            }
            bool ok = metrics_path && metrics_open(&t->m, metrics_path, (long long)bytes->valuedouble, o->metrics_path) &&
                      metrics_window_from_json(&t->m, cJSON_GetObjectItemCaseSensitive(s, "window")) &&
                      (!o->csv || metrics_open_csv(&t->m, t->dir, csv_bytes));
            free(metrics_path);
            if (!ok) {
                fprintf(stderr, "athlete: resume: %s\n", t->m.error[0] ? t->m.error : "bad metrics window in the state file");
                rc = EXIT_RUNTIME;
            }
        }
        free(env_state);
    }
    if (rc == -1) {
        uint64_t planned = run_number(t->run, "steps");
        t->target = o->steps_given ? t->state.step + o->steps : planned;
        if (t->target <= t->state.step) {
            fprintf(stderr, "athlete: resume: the run reached its %" PRIu64 " steps; pass --steps N to train N more\n",
                    planned);
            rc = EXIT_RUNTIME;
        }
    }
    char check[600];
    if (rc == -1 && o->save_path && !check_save_target(o->save_path, check, sizeof check)) {
        fprintf(stderr, "athlete: %s\n", check);
        rc = EXIT_RUNTIME;
    }
    if (rc == -1) {
        if (!o->quiet)
            fprintf(stderr, "resuming %s from step %" PRIu64 ", episode %" PRIu64 "\n", ckpt, t->state.step,
                    t->state.episode);
        cJSON_ReplaceItemInObjectCaseSensitive(t->run, "steps", cJSON_CreateNumber((double)t->target));
        cJSON *sessions = cJSON_GetObjectItemCaseSensitive(t->run, "sessions");
        if (!cJSON_IsArray(sessions))
            sessions = cJSON_AddArrayToObject(t->run, "sessions");
        cJSON_AddItemToArray(sessions, command_record(argc, argv));
        if (!write_run_json(t))
            rc = EXIT_RUNTIME;
    }
    cJSON_Delete(s);
    free(ckpt);
    return rc;
}

static void print_evaluation(const char *algorithm, const char *env_id, const athlete_evaluation *ev)
{
    printf("evaluation: %s on %s, %" PRIu64 " episodes: mean return %.2f +/- %.2f (min %.2f, max %.2f, mean length %.1f)\n",
           algorithm, env_id, ev->episodes, ev->mean_return, ev->std_return, ev->min_return, ev->max_return,
           ev->mean_length);
}

static int train(trainer *t)
{
    athlete_error err;
    train_options *o = &t->o;
    uint64_t first = t->state.step;
    char envs[48] = "";
    if (t->venv)
        snprintf(envs, sizeof envs, " x %" PRIu64 " environments", o->envs);
    if (!o->quiet)
        fprintf(stderr, "training %s on %s%s, steps %" PRIu64 " to %" PRIu64 " (seed %" PRIu64 ", OpenBLAS %s, %d thread%s) in %s\n",
                athlete_agent_algorithm_id(t->agent), o->env_id, envs, first, t->target, athlete_agent_seed(t->agent),
                athlete_blas_corename(), athlete_blas_threads(), athlete_blas_threads() == 1 ? "" : "s", t->dir);
    progress_start(&t->bar, first, t->target, o->quiet);
    athlete_training_callbacks callbacks = {on_episode, on_progress, t, on_step, &interrupt_signal};
    /* The training environment is seeded once, at a run's start; a resumed folder's
     * environment continues from its saved state. */
    const uint64_t *seed = t->env_restored ? NULL : &o->seed;
    if (t->venv)
        t->vstate.started = t->vstate.started && t->env_restored;
    t->previous_step = first;
    interrupt_install();
    athlete_status st;
    if (t->venv) {
        st = athlete_run_vector_training_from(t->agent, t->venv, &t->vstate, t->target, seed, &callbacks, &err);
        t->state.step = t->vstate.step;
        t->state.episode = t->vstate.episode;
    } else {
        st = athlete_run_training_from(t->agent, t->env, &t->state, t->target, seed, &callbacks, &err);
    }
    interrupt_restore();
    int signo = interrupt_signal;
    progress_finish(&t->bar, t->state.step);
    if (st != ATHLETE_OK)
        return cli_fail("training", &err);
    if (t->failed)
        return EXIT_RUNTIME;
    if (!save_in_run(t, "final.ckpt"))
        return EXIT_RUNTIME;
    if (o->save_path) {
        char *saved = NULL;
        if (athlete_agent_save_checkpoint(t->agent, o->save_path, true, &saved, &err) != ATHLETE_OK)
            return cli_fail("save", &err);
        if (!o->quiet)
            fprintf(stderr, "saved checkpoint to %s\n", saved);
        athlete_free(saved);
    }
    if (!metrics_sync(&t->m)) {
        fprintf(stderr, "athlete: %s\n", t->m.error);
        return EXIT_RUNTIME;
    }
    if (signo && t->state.step < t->target) {
        fprintf(stderr,
                "athlete: %s at step %" PRIu64 " of %" PRIu64 ": saved %s/final.ckpt%s%s; resume with:\n"
                "  athlete train --resume %s\n",
                signo == SIGINT ? "interrupted" : "terminated", t->state.step, t->target, t->dir,
                o->save_path ? " and " : "", o->save_path ? o->save_path : "", t->dir);
        return 128 + signo;
    }
    double seconds = progress_elapsed(&t->bar);
    if (!o->quiet)
        fprintf(stderr, "trained %" PRIu64 " steps (%" PRIu64 " episodes in all) in %.1f s (%.0f steps/s); run folder %s\n",
                t->state.step - first, t->state.episode, seconds, (double)(t->state.step - first) / seconds, t->dir);
    athlete_evaluation ev;
    if (athlete_run_evaluation(t->agent, t->eval_env, o->eval_episodes, CLI_EVAL_SEED, &ev, &err) != ATHLETE_OK)
        return cli_fail("evaluation", &err);
    print_evaluation(athlete_agent_algorithm_id(t->agent), o->env_id, &ev);
    if (t->has_preset)
        printf("preset %s on %s: threshold %g %s (mean return %.2f)\n", athlete_agent_algorithm_id(t->agent),
               o->env_id, t->preset_threshold, ev.mean_return >= t->preset_threshold ? "reached" : "NOT reached",
               ev.mean_return);
    return EXIT_SUCCESS;
}

int cmd_train(int argc, char **argv)
{
    trainer t = {0};
    t.o.overrides = cli_pairs_create();
    t.o.env_options = cli_pairs_create();
    int rc = t.o.overrides && t.o.env_options ? parse_options(argc, argv, &t.o) : EXIT_RUNTIME;
    if (rc == -1) {
        struct stat st;
        bool folder = t.o.resume_path && stat(t.o.resume_path, &st) == 0 && S_ISDIR(st.st_mode);
        rc = folder ? resume_folder(&t, argc, argv) : start_new(&t, argc, argv);
    }
    if (rc == -1)
        rc = train(&t);
    metrics_close(&t.m);
    cJSON_Delete(t.run);
    free(t.dir);
    athlete_agent_destroy(t.agent);
    athlete_registry_destroy(t.reg);
    athlete_env_destroy(t.env);
    athlete_env_destroy(t.eval_env);
    athlete_vector_env_destroy(t.venv);
    athlete_vector_training_state_destroy(&t.vstate);
    cli_pairs_destroy(t.o.overrides);
    cli_pairs_destroy(t.o.env_options);
    return rc;
}

/* athlete eval: a checkpoint, a policy-only file or a run folder's best agent, scored with
 * the evaluation seed rule that train uses. */
#include "cli.h"
#include "run-dir.h"
#include "runner.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A run folder stands for its best.policy, else its final.ckpt. */
static char *resolve(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return strdup(path);
    char *best = run_path(path, "best.policy");
    if (best && access(best, R_OK) == 0)
        return best;
    free(best);
    return run_path(path, "final.ckpt");
}

int cmd_eval(int argc, char **argv)
{
    const cli_command *cmd = cli_find_command("eval");
    struct stat info;
    bool folder = argc >= 1 && stat(argv[0], &info) == 0 && S_ISDIR(info.st_mode);
    if (argc < 2 && !folder)
        return cli_usage_error(cmd, "eval needs a checkpoint (or policy file, or run folder) and an environment id");
    /* A run folder knows its environment: ENV may be left out. */
    cJSON *run = NULL;
    char *run_options = NULL;
    const char *env_id = argc >= 2 && argv[1][0] != '-' ? argv[1] : NULL;
    int first_option = env_id ? 2 : 1;
    if (folder && !env_id) {
        char msg[600], *run_json = run_path(argv[0], "run.json");
        run = run_json ? run_read_json(run_json, msg, sizeof msg) : NULL;
        free(run_json);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(run, "env");
        const cJSON *options = cJSON_GetObjectItemCaseSensitive(run, "env_options");
        if (!cJSON_IsString(id)) {
            fprintf(stderr, "athlete: eval: %s\n", run ? "run.json names no environment" : msg);
            cJSON_Delete(run);
            return EXIT_RUNTIME;
        }
        env_id = id->valuestring;
        if (cJSON_IsObject(options) && options->child)
            run_options = cJSON_PrintUnformatted(options);
    }
    uint64_t episodes = 20, seed = CLI_EVAL_SEED;
    cli_pairs *env_options = cli_pairs_create();
    if (!env_options)
        return EXIT_RUNTIME;
    for (int i = first_option; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char *problem = NULL;
        if (!v) {
            cli_pairs_destroy(env_options);
            cJSON_free(run_options);
            cJSON_Delete(run);
            return cli_usage_error(cmd, "option %s needs a value", argv[i]);
        }
        if (strcmp(argv[i], "--episodes") == 0 && cli_parse_u64(v, &episodes) && episodes > 0)
            i++;
        else if (strcmp(argv[i], "--seed") == 0 && cli_parse_u64(v, &seed))
            i++;
        else if (strcmp(argv[i], "--env-option") == 0 && !(problem = cli_pairs_add(env_options, v)))
            i++;
        else {
            cli_pairs_destroy(env_options);
            cJSON_free(run_options);
            cJSON_Delete(run);
            return cli_usage_error(cmd, "bad option '%s %s'", argv[i], v);
        }
    }
    athlete_error err;
    athlete_env *env = NULL;
    char *options = cli_pairs_json(env_options);
    cli_pairs_destroy(env_options);
    athlete_status st = cli_env_create(env_id, options ? options : run_options, &env, &err);
    athlete_free(options);
    cJSON_free(run_options);
    if (st != ATHLETE_OK)
        return cli_fail("environment", &err);
    char *path = resolve(argv[0]);
    athlete_registry *reg = cli_open_registry(&err);
    athlete_agent *agent = NULL;
    athlete_policy_file *policy = NULL;
    int rc = EXIT_RUNTIME;
    if (!reg || !path) {
        rc = cli_fail("cannot create the registry", &err);
        goto done;
    }
    st = athlete_agent_from_checkpoint(reg, path, false, &agent, &err);
    if (st == ATHLETE_E_CHECKPOINT_MISMATCH && athlete_policy_file_load(reg, path, &policy, NULL) == ATHLETE_OK)
        st = ATHLETE_OK; /* a policy-only file */
    if (st != ATHLETE_OK) {
        rc = cli_fail("load", &err);
        goto done;
    }
    const athlete_space *obs = agent ? athlete_agent_observation_space(agent) : athlete_policy_file_observation_space(policy);
    const athlete_space *act = agent ? athlete_agent_action_space(agent) : athlete_policy_file_action_space(policy);
    if (!athlete_space_equal(obs, athlete_env_observation_space(env)) ||
        !athlete_space_equal(act, athlete_env_action_space(env))) {
        fprintf(stderr, "athlete: the checkpoint's spaces do not match %s's\n", env_id);
        goto done;
    }
    athlete_evaluation ev;
    st = agent ? athlete_run_evaluation(agent, env, episodes, seed, &ev, &err)
               : athlete_run_policy_evaluation(policy, env, episodes, seed, &ev, &err);
    if (st != ATHLETE_OK) {
        rc = cli_fail("evaluation", &err);
        goto done;
    }
    printf("evaluation: %s on %s, %" PRIu64 " episodes: mean return %.2f +/- %.2f (min %.2f, max %.2f, mean length %.1f)\n",
           agent ? athlete_agent_algorithm_id(agent) : athlete_policy_file_algorithm_id(policy), env_id, ev.episodes,
           ev.mean_return, ev.std_return, ev.min_return, ev.max_return, ev.mean_length);
    rc = EXIT_SUCCESS;
done:
    cJSON_Delete(run);
    free(path);
    athlete_policy_file_destroy(policy);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
    athlete_env_destroy(env);
    return rc;
}

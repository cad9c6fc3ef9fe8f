/* The inspection commands: list, config, plugins, envs, call. */
#include "cli.h"

#include <athlete/blas.h>

#include <cjson/cJSON.h>

#include <stdlib.h>
#include <string.h>

int cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return cli_usage_error(cli_find_command("list"), "list takes no arguments");
    athlete_error err;
    athlete_registry *reg = cli_open_registry(&err);
    if (!reg)
        return cli_fail("cannot create the registry", &err);
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

/* One key of athlete_registry_describe_config: "name (type, default D, range R)" and its
 * description on the next line. */
static void print_key(const cJSON *key)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(key, "key");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(key, "type");
    const cJSON *min = cJSON_GetObjectItemCaseSensitive(key, "min");
    const cJSON *max = cJSON_GetObjectItemCaseSensitive(key, "max");
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(key, "choices");
    const cJSON *description = cJSON_GetObjectItemCaseSensitive(key, "description");
    char *value = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(key, "default"));
    printf("%s (%s, default %s", cJSON_GetStringValue(name), cJSON_GetStringValue(type), value ? value : "?");
    athlete_free(value);
    if (cJSON_IsArray(choices)) {
        char *list = cJSON_PrintUnformatted(choices);
        printf(", one of %s", list ? list : "?");
        athlete_free(list);
    } else if (cJSON_IsNumber(min) || cJSON_IsNumber(max)) {
        bool min_open = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "min_exclusive"));
        bool max_open = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(key, "max_exclusive"));
        printf(", range %c", min_open || !cJSON_IsNumber(min) ? '(' : '[');
        if (cJSON_IsNumber(min))
            printf("%g", min->valuedouble);
        else
            printf("-inf");
        if (cJSON_IsNumber(max))
            printf(", %g%c", max->valuedouble, max_open ? ')' : ']');
        else
            printf(", inf)");
    }
    const char *text = cJSON_GetStringValue(description);
    printf(")\n    %s\n", text && *text ? text : "(no description)");
}

int cmd_config(int argc, char **argv)
{
    bool describe = argc == 2 && strcmp(argv[1], "--describe") == 0;
    if (argc != 1 && !describe)
        return cli_usage_error(cli_find_command("config"), "config takes one algorithm id");
    athlete_error err;
    athlete_registry *reg = cli_open_registry(&err);
    if (!reg)
        return cli_fail("cannot create the registry", &err);
    char *json = NULL;
    int rc = EXIT_SUCCESS;
    athlete_status st = describe ? athlete_registry_describe_config(reg, argv[0], &json, &err)
                                 : athlete_registry_default_config(reg, argv[0], true, &json, &err);
    if (st != ATHLETE_OK) {
        cli_suggest_algorithm(reg, argv[0], &err);
        rc = cli_fail("config", &err);
    } else if (describe) {
        cJSON *keys = cJSON_Parse(json);
        const cJSON *key;
        cJSON_ArrayForEach(key, keys)
            print_key(key);
        cJSON_Delete(keys);
    } else {
        printf("%s\n", json);
    }
    athlete_free(json);
    athlete_registry_destroy(reg);
    return rc;
}

int cmd_plugins(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return cli_usage_error(cli_find_command("plugins"), "plugins takes no arguments");
    athlete_error err;
    athlete_registry *reg = cli_open_registry(&err);
    if (!reg)
        return cli_fail("cannot create the registry", &err);
    const char *path = getenv("ATHLETE_PLUGIN_PATH");
    printf("search path: %s%s%s\n", path ? path : "", path ? ":" : "", athlete_registry_installed_dir());
    const athlete_plugin_diagnostic *diag;
    size_t n = athlete_registry_diagnostics(reg, &diag);
    for (size_t i = 0; i < n; i++)
        printf("%s %s\n    %s\n", diag[i].status == ATHLETE_OK ? "ok  " : "FAIL", diag[i].path, diag[i].message);
    if (n == 0)
        printf("no plugin files found\n");
    bool generic = athlete_blas_kernel_is_generic();
    printf("OpenBLAS kernel: %s, %d thread(s)%s%s%s\n", athlete_blas_corename(), athlete_blas_threads(),
           generic ? " -- GENERIC: this CPU supports " : "", generic ? athlete_blas_recommended_coretype() : "",
           generic ? "; set OPENBLAS_CORETYPE" : "");
    if (athlete_blas_forced_slower())
        printf("warning: OPENBLAS_CORETYPE=%s forces a kernel slower than this CPU supports; unset it (or set %s) "
               "for faster training\n",
               getenv("OPENBLAS_CORETYPE"), athlete_blas_forced_slower());
    athlete_registry_destroy(reg);
    return EXIT_SUCCESS;
}

int cmd_envs(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return cli_usage_error(cli_find_command("envs"), "envs takes no arguments");
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    for (size_t i = 0; i < n; i++) {
        athlete_env *env = NULL;
        athlete_error err;
        if (athlete_env_create(ids[i], NULL, &env, &err) != ATHLETE_OK)
            return cli_fail(ids[i], &err);
        char o[160], a[160];
        printf("%-26s obs %s\n%-26s act %s\n", ids[i],
               athlete_space_describe(athlete_env_observation_space(env), o, sizeof o), "",
               athlete_space_describe(athlete_env_action_space(env), a, sizeof a));
        athlete_env_destroy(env);
    }
    return EXIT_SUCCESS;
}

int cmd_call(int argc, char **argv)
{
    if (argc < 1 || argc > 3)
        return cli_usage_error(cli_find_command("call"), "call needs a checkpoint, a method and optional arguments");
    athlete_error err;
    athlete_registry *reg = cli_open_registry(&err);
    if (!reg)
        return cli_fail("cannot create the registry", &err);
    athlete_agent *agent = NULL;
    int rc = EXIT_RUNTIME;
    if (athlete_agent_from_checkpoint(reg, argv[0], false, &agent, &err) != ATHLETE_OK) {
        rc = cli_fail("load", &err);
    } else if (argc == 1) {
        const athlete_method *m = athlete_agent_methods(agent);
        for (size_t i = 0; m && m[i].name; i++)
            printf("%-24s %-8s %s\n", m[i].name, m[i].signature, m[i].summary ? m[i].summary : "");
        rc = EXIT_SUCCESS;
    } else {
        char *result = NULL;
        if (athlete_agent_call(agent, argv[1], argc == 3 ? argv[2] : NULL, &result, &err) != ATHLETE_OK)
            rc = cli_fail("call", &err);
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

/* An algorithm's configuration, from its table when it declares one (config-table.h) or
 * from its defaults text otherwise: the one place the core makes, checks and describes it. */
#include "core-private.h"

#include <athlete/alloc.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define ALGORITHM_SIZE_WITH_TABLE                                                            \
    (offsetof(athlete_algorithm, config_table) + sizeof(((athlete_algorithm *)0)->config_table))

const athlete_config_table *athlete__algorithm_config_table(const athlete_algorithm *alg)
{
    return alg->struct_size >= ALGORITHM_SIZE_WITH_TABLE ? alg->config_table : NULL;
}

athlete_status athlete__algorithm_config_validate(const athlete_algorithm *alg, athlete_error *err)
{
    const athlete_config_table *table = athlete__algorithm_config_table(alg);
    if (!table) {
        athlete_config *config = NULL;
        athlete_status st = athlete_config_create(alg->id, alg->default_config, alg->config_types, NULL,
                                                  &config, err);
        athlete_config_destroy(config);
        return st;
    }
    if (alg->default_config || alg->config_types)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s declares a configuration table and default_config or config_types "
                                 "(the table writes both)", alg->id);
    return athlete_config_table_validate(table, alg->id, err);
}

athlete_status athlete__algorithm_config_create(const athlete_algorithm *alg, const char *overrides_json,
                                                bool check, athlete_config **out, athlete_error *err)
{
    const athlete_config_table *table = athlete__algorithm_config_table(alg);
    athlete_config *config = NULL;
    athlete_status st = table ? athlete_config_table_create(table, alg->id, overrides_json, &config, err)
                              : athlete_config_create(alg->id, alg->default_config, alg->config_types,
                                                      overrides_json, &config, err);
    if (st == ATHLETE_OK && check && table)
        st = athlete_config_table_read(table, config, NULL, err);
    if (st == ATHLETE_OK && check && alg->check_config)
        st = alg->check_config(config, err);
    if (st != ATHLETE_OK) {
        athlete_config_destroy(config);
        return st;
    }
    *out = config;
    return ATHLETE_OK;
}

/* Without a table: every leaf of the defaults with its JSON type, nothing more is known. */
static bool describe_defaults(cJSON *array, const cJSON *object, const char *prefix)
{
    for (const cJSON *item = object->child; item; item = item->next) {
        char key[256];
        snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", item->string);
        if (cJSON_IsObject(item)) {
            if (!describe_defaults(array, item, key))
                return false;
            continue;
        }
        const char *type = cJSON_IsBool(item) ? "boolean" : cJSON_IsNumber(item) ? "number" :
                           cJSON_IsString(item) ? "string" : cJSON_IsArray(item) ? "array" : "null";
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToArray(array, o))
            return cJSON_Delete(o), false;
        if (!cJSON_AddStringToObject(o, "key", key) || !cJSON_AddStringToObject(o, "type", type) ||
            !cJSON_AddItemToObject(o, "default", cJSON_Duplicate(item, true)) || !cJSON_AddNullToObject(o, "min") ||
            !cJSON_AddNullToObject(o, "max") || !cJSON_AddStringToObject(o, "description", ""))
            return false;
    }
    return true;
}

athlete_status athlete__algorithm_config_describe(const athlete_algorithm *alg, char **json, athlete_error *err)
{
    const athlete_config_table *table = athlete__algorithm_config_table(alg);
    if (table)
        return athlete_config_table_describe(table, json, err);
    athlete_config *config = NULL;
    char *defaults = NULL;
    athlete_status st = athlete__algorithm_config_create(alg, NULL, false, &config, err);
    if (st == ATHLETE_OK)
        st = athlete_config_to_json(config, false, &defaults, err);
    athlete_config_destroy(config);
    if (st != ATHLETE_OK)
        return st;
    cJSON *root = cJSON_Parse(defaults), *array = cJSON_CreateArray();
    athlete_free(defaults);
    char *text = root && array && describe_defaults(array, root, "") ? cJSON_PrintUnformatted(array) : NULL;
    cJSON_Delete(root);
    cJSON_Delete(array);
    if (!text)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory describing the configuration", alg->id);
    *json = text;
    return ATHLETE_OK;
}

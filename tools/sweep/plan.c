/* From a spec to its configurations: the grid's product crossed with the random draws,
 * each checked by the algorithm's own configuration validation before anything runs. */
#include "sweep.h"

#include "../cli/cli.h"

#include <athlete/rng.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The random draws: samples x random_count values, sample by sample in the spec's key
 * order, from one generator seeded with sampler_seed (the same on every machine). */
static cJSON **draw_samples(const athlete_sweep_spec *s)
{
    size_t n = (size_t)s->samples * s->random_count;
    cJSON **values = calloc(n ? n : 1, sizeof *values);
    if (!values)
        return NULL;
    athlete_rng rng;
    athlete_rng_seed(&rng, s->sampler_seed, 0);
    for (size_t k = 0; k < s->samples; k++) {
        for (size_t j = 0; j < s->random_count; j++) {
            const athlete_sweep_random_key *r = &s->random[j];
            cJSON *v;
            if (r->distribution == ATHLETE_SWEEP_CHOICE) {
                uint64_t i = athlete_rng_below(&rng, (uint64_t)cJSON_GetArraySize(r->choices));
                v = cJSON_Duplicate(cJSON_GetArrayItem(r->choices, (int)i), true);
            } else if (r->distribution == ATHLETE_SWEEP_UNIFORM) {
                v = cJSON_CreateNumber(r->low + (r->high - r->low) * athlete_rng_uniform(&rng));
            } else {
                double a = log(r->low), b = log(r->high);
                v = cJSON_CreateNumber(exp(a + (b - a) * athlete_rng_uniform(&rng)));
            }
            values[k * s->random_count + j] = v;
        }
    }
    return values;
}

athlete_status athlete_sweep_plan_create(const athlete_sweep_spec *s, athlete_sweep_plan *out,
                                         athlete_error *err)
{
    *out = (athlete_sweep_plan){0};
    size_t grid_points = 1;
    for (size_t i = 0; i < s->grid_count; i++) {
        grid_points *= (size_t)cJSON_GetArraySize(s->grid_values[i]);
        if (grid_points > 100000)
            return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                     "sweep spec '%s': the grid has more than 100000 configurations",
                                     s->origin);
    }
    size_t samples = s->random_count ? (size_t)s->samples : 1;
    if (samples > 100000 || grid_points * samples > 100000)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "sweep spec '%s': more than 100000 configurations", s->origin);
    size_t count = grid_points * samples;
    cJSON **drawn = s->random_count ? draw_samples(s) : NULL;
    out->varied = calloc(count, sizeof *out->varied);
    out->overrides = calloc(count, sizeof *out->overrides);
    athlete_status st = ATHLETE_OK;
    if (!out->varied || !out->overrides || (s->random_count && !drawn))
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    else
        out->config_count = count;
    for (size_t c = 0; st == ATHLETE_OK && c < count; c++) {
        size_t g = c / samples, k = c % samples;
        cJSON *varied = cJSON_CreateObject();
        /* The first grid key varies slowest. */
        size_t rest = g, stride = grid_points;
        for (size_t i = 0; varied && i < s->grid_count; i++) {
            size_t n = (size_t)cJSON_GetArraySize(s->grid_values[i]);
            stride /= n;
            cJSON_AddItemToObject(
                varied, s->grid_keys[i],
                cJSON_Duplicate(cJSON_GetArrayItem(s->grid_values[i], (int)(rest / stride)), true));
            rest %= stride;
        }
        for (size_t j = 0; varied && j < s->random_count; j++)
            cJSON_AddItemToObject(varied, s->random[j].key,
                                  cJSON_Duplicate(drawn[k * s->random_count + j], true));
        /* The base first, then the varied keys: configurations apply keys in order. */
        cJSON *all = cJSON_Duplicate(s->overrides, true);
        for (const cJSON *item = varied ? varied->child : NULL; all && item; item = item->next)
            cJSON_AddItemToObject(all, item->string, cJSON_Duplicate(item, true));
        char *text = all ? cJSON_PrintUnformatted(all) : NULL;
        cJSON_Delete(all);
        out->varied[c] = varied;
        out->overrides[c] = text ? strdup(text) : NULL;
        cJSON_free(text);
        if (!varied || !out->overrides[c])
            st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "sweep: out of memory");
    }
    for (size_t i = 0; drawn && i < (size_t)s->samples * s->random_count; i++)
        cJSON_Delete(drawn[i]);
    free(drawn);
    if (st != ATHLETE_OK)
        athlete_sweep_plan_clear(out);
    return st;
}

void athlete_sweep_plan_clear(athlete_sweep_plan *plan)
{
    for (size_t c = 0; c < plan->config_count; c++) {
        if (plan->varied)
            cJSON_Delete(plan->varied[c]);
        if (plan->overrides)
            free(plan->overrides[c]);
    }
    free(plan->varied);
    free(plan->overrides);
    *plan = (athlete_sweep_plan){0};
}

athlete_status athlete_sweep_plan_check(const athlete_sweep_spec *s, const athlete_sweep_plan *plan,
                                        athlete_error *err)
{
    athlete_error e;
    athlete_env *env = NULL;
    athlete_registry *reg = NULL;
    char *env_options = cJSON_PrintUnformatted(s->env_options);
    athlete_status st = cli_env_create(s->environment, env_options, &env, &e);
    cJSON_free(env_options);
    if (st != ATHLETE_OK)
        return athlete_error_set(err, st, "sweep spec '%s': environment: %s", s->origin, e.message);
    st = athlete_registry_create(NULL, &reg, &e);
    if (st != ATHLETE_OK) {
        athlete_env_destroy(env);
        return athlete_error_set(err, st, "sweep: cannot create the registry: %s", e.message);
    }
    for (size_t c = 0; c < plan->config_count && st == ATHLETE_OK; c++) {
        athlete_agent *agent = NULL;
        uint64_t seed = 0;
        st = athlete_agent_create(reg, s->algorithm, athlete_env_observation_space(env),
                                  athlete_env_action_space(env), &seed, plan->overrides[c], &agent, &e);
        athlete_agent_destroy(agent);
        if (st == ATHLETE_E_UNKNOWN_ALGORITHM) {
            cli_suggest_algorithm(reg, s->algorithm, &e);
            st = athlete_error_set(err, st, "sweep spec '%s': %s", s->origin, e.message);
        } else if (st != ATHLETE_OK) {
            char *varied = cJSON_PrintUnformatted(plan->varied[c]);
            st = athlete_error_set(err, st, "sweep spec '%s': configuration %zu of %zu %s: %s", s->origin, c,
                                   plan->config_count, varied ? varied : "", e.message);
            cJSON_free(varied);
        }
    }
    athlete_registry_destroy(reg);
    athlete_env_destroy(env);
    return st;
}

char *athlete_sweep_plan_json(const athlete_sweep_spec *s, const athlete_sweep_plan *plan)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "algorithm", s->algorithm);
    cJSON_AddStringToObject(root, "environment", s->environment);
    cJSON *configs = cJSON_AddArrayToObject(root, "configurations");
    for (size_t c = 0; c < plan->config_count; c++) {
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "config", (double)c);
        cJSON_AddItemToObject(item, "varied", cJSON_Duplicate(plan->varied[c], true));
        cJSON_AddItemToObject(item, "overrides", cJSON_Parse(plan->overrides[c]));
        cJSON_AddItemToArray(configs, item);
    }
    cJSON *seeds = cJSON_AddArrayToObject(root, "seeds");
    for (size_t i = 0; i < s->seed_count; i++)
        cJSON_AddItemToArray(seeds, cJSON_CreateNumber((double)s->seeds[i]));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    char *copy = text ? strdup(text) : NULL;
    cJSON_free(text);
    return copy;
}

char *athlete_sweep_run_dir(const char *sweep_dir, const athlete_sweep_spec *spec,
                            const athlete_sweep_run *run)
{
    size_t n = strlen(sweep_dir) + 64;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/runs/%zu-seed%llu", sweep_dir, run->config,
                 (unsigned long long)spec->seeds[run->seed_index]);
    return p;
}

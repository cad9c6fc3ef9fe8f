/* Vector agents: one agent driving N environments with same-step autoreset (agent.h). The
 * per-environment sequence is the single agent's; plugins without the batched entries are
 * driven row by row. */
#include "agent-private.h"

#include <athlete/alloc.h>

#include <math.h>
#include <string.h>

static bool policy_batched(const athlete_policy *policy)
{
    return ATHLETE_STRUCT_HAS(policy->ops->struct_size, athlete_policy_ops, act_batch) && policy->ops->act_batch;
}

static bool collector_streams(const athlete_collector *collector)
{
    return ATHLETE_STRUCT_HAS(collector->ops->struct_size, athlete_collector_ops, collect_env) &&
           collector->ops->reset_env && collector->ops->collect_env;
}

athlete_status athlete__agent_prepare_rows(athlete_agent *agent, athlete_error *err)
{
    size_t n = agent->num_envs;
    if (!policy_batched(&agent->parts.training_policy) || !policy_batched(&agent->parts.evaluation_policy)) {
        agent->row_reals_capacity = agent->action_size + agent->observation_size + 16;
        agent->row_reals = athlete_calloc(n * ATHLETE_INFO_CAPACITY * agent->row_reals_capacity, sizeof(float));
        if (!agent->row_reals)
            return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "agent: out of memory for %zu rows", n);
    }
    /* A single-stream collector replays each environment's stream: before collecting
     * environment i it is reset to i's previous observation. Right for collectors whose
     * only per-episode state is that observation (the SDK's transition collector). */
    if (!collector_streams(&agent->parts.collector)) {
        agent->previous_observations = athlete_calloc(n * agent->observation_size, sizeof(float));
        if (!agent->previous_observations)
            return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "agent: out of memory for %zu rows", n);
    }
    return ATHLETE_OK;
}

athlete_status athlete_agent_create_vector(const athlete_registry *registry, const char *algorithm_id,
                                           const athlete_space *observation_space, const athlete_space *action_space,
                                           size_t num_envs, const uint64_t *seed, const char *overrides_json,
                                           athlete_agent **out, athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "agent_create_vector: NULL out");
    if (num_envs < 1 || num_envs > ATHLETE_AGENT_MAX_ENVS)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "agent_create_vector: num_envs must be in [1, %d], got %zu", ATHLETE_AGENT_MAX_ENVS,
                                 num_envs);
    athlete__algorithm_entry *entry;
    athlete_status st = athlete__registry_lookup(registry, algorithm_id, &entry, err);
    if (st != ATHLETE_OK)
        return st;
    return athlete__agent_build(entry, observation_space, action_space, seed ? *seed : athlete__random_seed(),
                                overrides_json, false, false, num_envs, out, err);
}

size_t athlete_agent_num_envs(const athlete_agent *agent) { return agent->num_envs; }

/* Copies row i's info arrays into the agent: a row-by-row policy reuses its buffers. */
static athlete_status keep_row_reals(athlete_agent *agent, size_t row, athlete_error *err)
{
    athlete_info *info = &agent->policy_infos[row];
    size_t cap = agent->row_reals_capacity;
    for (size_t k = 0; k < info->count; k++) {
        athlete_info_item *item = &info->items[k];
        if (item->type != ATHLETE_VALUE_REALS || item->count == 0)
            continue;
        if (item->count > cap)
            return athlete_error_set(err, ATHLETE_E_UNSUPPORTED,
                                     "policy info '%s' holds %zu floats, more than a row-by-row vector agent keeps (%zu)",
                                     item->key, item->count, cap);
        float *copy = agent->row_reals + (row * ATHLETE_INFO_CAPACITY + k) * cap;
        memcpy(copy, item->reals, item->count * sizeof(float));
        item->reals = copy;
    }
    return ATHLETE_OK;
}

/* Actions for every row: one act_batch, or act/reset_act row by row. */
static athlete_status act_rows(athlete_agent *agent, const athlete_policy *policy, const float *observations,
                               const bool *first, float *actions, athlete_info *infos, const char *what,
                               athlete_error *err)
{
    size_t n = agent->num_envs, os = agent->observation_size, as = agent->action_size;
    athlete_status st = ATHLETE_OK;
    for (size_t i = 0; i < n; i++)
        athlete_info_clear(&infos[i]);
    if (policy_batched(policy)) {
        st = policy->ops->act_batch(policy->self, observations, n, first, &agent->clock, actions, infos, err);
    } else {
        for (size_t i = 0; i < n && st == ATHLETE_OK; i++) {
            const float *o = observations + i * os;
            float *a = actions + i * as;
            st = first[i] && policy->ops->reset_act
                     ? policy->ops->reset_act(policy->self, o, &agent->clock, a, &infos[i], err)
                     : policy->ops->act(policy->self, o, &agent->clock, a, &infos[i], err);
            if (st == ATHLETE_OK && agent->row_reals && infos == agent->policy_infos)
                st = keep_row_reals(agent, i, err);
        }
    }
    for (size_t i = 0; i < n && st == ATHLETE_OK; i++) {
        st = athlete__agent_check_action(agent, actions + i * as, what, err);
        if (st != ATHLETE_OK && n > 1)
            athlete_error_prefix(err, "row %zu: ", i);
    }
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "%s: ", agent->entry->algorithm->id);
    return st;
}

static athlete_status check_rows(const athlete_agent *agent, const char *call, const char *what,
                                 const float *rows, athlete_error *err)
{
    if (!rows)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s: %s is NULL", call, what);
    for (size_t i = 0; i < agent->num_envs; i++) {
        athlete_status st = athlete_space_check_value(agent->observation_space, rows + i * agent->observation_size,
                                                      what, err);
        if (st != ATHLETE_OK) {
            if (agent->num_envs > 1)
                athlete_error_prefix(err, "row %zu: ", i);
            athlete_error_prefix(err, "%s: ", call);
            return st;
        }
    }
    return ATHLETE_OK;
}

/* The collector's reset for environment i (a single-stream collector is reset lazily,
 * before i's next collect). */
static athlete_status reset_stream(athlete_agent *agent, size_t i, const float *observation, athlete_error *err)
{
    const athlete_collector *c = &agent->parts.collector;
    bool new_data = false;
    athlete_status st;
    if (collector_streams(c)) {
        st = c->ops->reset_env(c->self, i, observation, &new_data, err);
    } else if (agent->num_envs == 1) {
        st = c->ops->reset(c->self, observation, &new_data, err);
    } else {
        memcpy(agent->previous_observations + i * agent->observation_size, observation,
               agent->observation_size * sizeof(float));
        st = ATHLETE_OK;
    }
    if (new_data)
        agent->clock.data_points++;
    return st;
}

static athlete_status collect_stream(athlete_agent *agent, size_t i, const athlete_step_data *data,
                                     const float *next_observation, bool *new_data, athlete_error *err)
{
    const athlete_collector *c = &agent->parts.collector;
    if (collector_streams(c))
        return c->ops->collect_env(c->self, i, data, new_data, err);
    if (agent->num_envs == 1)
        return c->ops->collect(c->self, data, new_data, err);
    bool ignored;
    float *previous = agent->previous_observations + i * agent->observation_size;
    athlete_status st = c->ops->reset(c->self, previous, &ignored, err);
    if (st == ATHLETE_OK)
        st = c->ops->collect(c->self, data, new_data, err);
    if (st == ATHLETE_OK)
        memcpy(previous, next_observation, agent->observation_size * sizeof(float));
    return st;
}

static void return_rows(athlete_agent *agent, float *actions, const float **out_actions,
                        const athlete_info **out_info)
{
    if (out_actions)
        *out_actions = actions;
    if (out_info)
        *out_info = &agent->info;
}

static athlete_status updates_into_call_log(athlete_agent *agent, athlete_error *err)
{
    athlete_status st = athlete__agent_run_updates(agent, err);
    if (st == ATHLETE_OK)
        athlete_info_merge(&agent->call_log, &agent->log);
    return st;
}

athlete_status athlete_agent_vector_reset_step(athlete_agent *agent, const float *observations,
                                               const float **actions, const athlete_info **info,
                                               athlete_error *err)
{
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "vector_reset_step: NULL agent");
    athlete_status st = check_rows(agent, "vector_reset_step", "observation", observations, err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = agent->num_envs;
    bool *all_first = agent->row_first;
    for (size_t i = 0; i < n; i++)
        all_first[i] = true;
    athlete_info_clear(&agent->info);
    if (!agent->training) {
        st = act_rows(agent, &agent->parts.evaluation_policy, observations, all_first, agent->eval_action,
                      agent->eval_infos, "evaluation policy", err);
        if (st == ATHLETE_OK)
            return_rows(agent, agent->eval_action, actions, info);
        return st;
    }
    for (size_t i = 0; i < n && st == ATHLETE_OK; i++)
        st = reset_stream(agent, i, observations + i * agent->observation_size, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "vector_reset_step: ");
        return st;
    }
    agent->episode_active = true;
    athlete_info_clear(&agent->call_log);
    st = updates_into_call_log(agent, err);
    if (st == ATHLETE_OK)
        st = act_rows(agent, &agent->parts.training_policy, observations, all_first, agent->last_action,
                      agent->policy_infos, "training policy", err);
    if (st != ATHLETE_OK) {
        agent->episode_active = false;
        return st;
    }
    agent->info = agent->call_log; /* as reset_step: the update log alone */
    return_rows(agent, agent->last_action, actions, info);
    return ATHLETE_OK;
}

athlete_status athlete_agent_vector_step(athlete_agent *agent, const float *observations,
                                         const float *final_observations, const double *rewards,
                                         const bool *terminated, const bool *truncated, const float **actions,
                                         const athlete_info **info, athlete_error *err)
{
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "vector_step: NULL agent");
    size_t n = agent->num_envs, os = agent->observation_size;
    if (!rewards || !terminated || !truncated)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "vector_step: rewards, terminated and truncated must not be NULL");
    bool *ended = agent->row_first;
    bool any_ended = false;
    for (size_t i = 0; i < n; i++) {
        ended[i] = terminated[i] || truncated[i];
        any_ended = any_ended || ended[i];
    }
    athlete_status st = check_rows(agent, "vector_step", "observation", observations, err);
    if (st != ATHLETE_OK)
        return st;
    if (!agent->training) {
        st = act_rows(agent, &agent->parts.evaluation_policy, observations, ended, agent->eval_action,
                      agent->eval_infos, "evaluation policy", err);
        if (st == ATHLETE_OK) {
            athlete_info_clear(&agent->info);
            return_rows(agent, agent->eval_action, actions, info);
        }
        return st;
    }
    /* Everything the caller can get wrong is checked before anything changes. */
    if (!agent->episode_active)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "vector_step: no episodes in progress; call vector_reset_step first");
    if (!final_observations && any_ended)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "vector_step: an episode ended, so final_observations must hold its last observation");
    const float *finals = final_observations ? final_observations : observations;
    if (final_observations && (st = check_rows(agent, "vector_step", "final observation", finals, err)))
        return st;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(rewards[i]))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE, "vector_step: reward[%zu] is %s", i,
                                     isnan(rewards[i]) ? "NaN" : "infinite");
    athlete_info_clear(&agent->call_log);
    for (size_t i = 0; i < n && st == ATHLETE_OK; i++) {
        athlete_step_data data = {
            .action = agent->last_action + i * agent->action_size,
            .policy_info = &agent->policy_infos[i],
            .observation = finals + i * os,
            .reward = rewards[i],
            .terminated = terminated[i],
            .truncated = truncated[i],
        };
        bool new_data = false;
        st = collect_stream(agent, i, &data, observations + i * os, &new_data, err);
        if (st != ATHLETE_OK) {
            athlete_error_prefix(err, "vector_step: ");
            break;
        }
        agent->clock.interactions++;
        if (new_data)
            agent->clock.data_points++;
        if (ended[i])
            agent->clock.episodes++;
        st = updates_into_call_log(agent, err);
        if (st == ATHLETE_OK && ended[i]) {
            /* The host's vector environment has reset environment i in this same step:
             * what reset_step does for one environment. */
            st = reset_stream(agent, i, observations + i * os, err);
            if (st == ATHLETE_OK)
                st = updates_into_call_log(agent, err);
        }
    }
    if (st == ATHLETE_OK)
        st = act_rows(agent, &agent->parts.training_policy, observations, ended, agent->last_action,
                      agent->policy_infos, "training policy", err);
    if (st != ATHLETE_OK) {
        agent->episode_active = false; /* collected data cannot be taken back: start anew */
        return st;
    }
    agent->info = agent->call_log;
    return_rows(agent, agent->last_action, actions, info);
    return ATHLETE_OK;
}

/* The agent: drives an algorithm's components through the step sequence of component.h. */
#include "agent-private.h"

#include <athlete/alloc.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

uint64_t athlete__random_seed(void)
{
    uint64_t seed;
    if (getrandom(&seed, sizeof seed, 0) == (ssize_t)sizeof seed)
        return seed;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
}

static athlete_status read_warmup(const athlete_config *config, uint64_t *warmup, athlete_error *err)
{
    *warmup = 0;
    if (!athlete_config_has(config, "warmup_steps"))
        return ATHLETE_OK;
    int64_t value;
    athlete_status st = athlete_config_get_int(config, "warmup_steps", &value, err);
    if (st != ATHLETE_OK)
        return st;
    if (value < 0)
        return athlete_error_set(err, ATHLETE_E_CONFIG_VALUE,
                                 "%s config: 'warmup_steps' must be >= 0, got %lld",
                                 athlete_config_owner(config), (long long)value);
    *warmup = (uint64_t)value;
    return ATHLETE_OK;
}

athlete_status athlete__agent_build(athlete__algorithm_entry *entry, const athlete_space *observation_space,
                                    const athlete_space *action_space, uint64_t seed,
                                    const char *config_json, bool inference_only, bool loading, size_t num_envs,
                                    athlete_agent **out, athlete_error *err)
{
    const athlete_algorithm *alg = entry->algorithm;
    athlete_status st = athlete_space_validate(observation_space, "observation space", err);
    if (st == ATHLETE_OK)
        st = athlete_space_validate(action_space, "action space", err);
    if (st != ATHLETE_OK)
        return st;
    athlete_agent *agent = athlete_calloc(1, sizeof *agent);
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "agent: out of memory");
    agent->entry = athlete__algorithm_entry_ref(entry);
    agent->seed = seed;
    agent->training = true;
    st = athlete__algorithm_config_create(alg, config_json, true, &agent->config, err);
    if (st == ATHLETE_OK)
        st = read_warmup(agent->config, &agent->clock.warmup_steps, err);
    if (st == ATHLETE_OK)
        st = athlete_space_clone(observation_space, &agent->observation_space, err);
    if (st == ATHLETE_OK)
        st = athlete_space_clone(action_space, &agent->action_space, err);
    if (st != ATHLETE_OK)
        goto fail;
    agent->observation_size = athlete_space_flat_size(observation_space);
    agent->action_size = athlete_space_flat_size(action_space);
    agent->num_envs = num_envs;
    agent->last_action = athlete_calloc(num_envs * agent->action_size, sizeof(float));
    agent->eval_action = athlete_calloc(num_envs * agent->action_size, sizeof(float));
    agent->policy_infos = athlete_calloc(num_envs, sizeof *agent->policy_infos);
    agent->eval_infos = athlete_calloc(num_envs, sizeof *agent->eval_infos);
    agent->row_first = athlete_calloc(num_envs, sizeof *agent->row_first);
    if (!agent->last_action || !agent->eval_action || !agent->policy_infos || !agent->eval_infos ||
        !agent->row_first) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "agent: out of memory");
        goto fail;
    }
    athlete_build_args args = {
        .struct_size = sizeof args,
        .algorithm_id = alg->id,
        .observation_space = agent->observation_space,
        .action_space = agent->action_space,
        .config = agent->config,
        .seed = seed,
        .clock = &agent->clock,
        .inference_only = inference_only,
        .num_envs = num_envs,
        .loading = loading,
    };
    agent->parts.struct_size = sizeof agent->parts;
    st = alg->build(&args, &agent->parts, err);
    if (st != ATHLETE_OK) {
        athlete_parts_destroy(&agent->parts); /* harmless when build cleaned up itself */
        goto fail;
    }
    if (!agent->parts.collector.ops || !agent->parts.training_policy.ops ||
        !agent->parts.evaluation_policy.ops || !agent->parts.training_policy.ops->act ||
        !agent->parts.evaluation_policy.ops->act || !agent->parts.collector.ops->collect ||
        !agent->parts.collector.ops->reset) {
        athlete_parts_destroy(&agent->parts);
        st = athlete_error_set(err, ATHLETE_E_PLUGIN_INVALID,
                               "build returned incomplete parts (a collector and two policies are required)");
        goto fail;
    }
    agent->built = true;
    if (num_envs > 1 && (st = athlete__agent_prepare_rows(agent, err)) != ATHLETE_OK)
        goto fail;
    *out = agent;
    return ATHLETE_OK;
fail:
    athlete_error_prefix(err, "%s: ", alg->id);
    athlete_agent_destroy(agent);
    return st;
}

athlete_status athlete_agent_create(const athlete_registry *registry, const char *algorithm_id,
                                    const athlete_space *observation_space,
                                    const athlete_space *action_space, const uint64_t *seed,
                                    const char *overrides_json, athlete_agent **out,
                                    athlete_error *err)
{
    if (!out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "agent_create: NULL out");
    athlete__algorithm_entry *entry;
    athlete_status st = athlete__registry_lookup(registry, algorithm_id, &entry, err);
    if (st != ATHLETE_OK)
        return st;
    return athlete__agent_build(entry, observation_space, action_space, seed ? *seed : athlete__random_seed(),
                                overrides_json, false, false, 1, out, err);
}

void athlete_agent_destroy(athlete_agent *agent)
{
    if (!agent)
        return;
    if (agent->built)
        athlete_parts_destroy(&agent->parts);
    athlete_config_destroy(agent->config);
    athlete_space_free(agent->observation_space);
    athlete_space_free(agent->action_space);
    athlete_free(agent->last_action);
    athlete_free(agent->eval_action);
    athlete_free(agent->policy_infos);
    athlete_free(agent->eval_infos);
    athlete_free(agent->row_first);
    athlete_free(agent->row_reals);
    athlete_free(agent->previous_observations);
    for (size_t i = 0; i < ATHLETE_INFO_CAPACITY; i++)
        athlete_free(agent->loaded_reals[i]);
    for (size_t row = 0; agent->loaded_rows && row + 1 < agent->num_envs; row++)
        for (size_t i = 0; i < ATHLETE_INFO_CAPACITY; i++)
            athlete_free(agent->loaded_rows[row].reals[i]);
    athlete_free(agent->loaded_rows);
    /* Last: the plugin's code must stay mapped until its components are gone. */
    athlete__algorithm_entry_unref(agent->entry);
    athlete_free(agent);
}

/* The action a policy produced must be usable by an environment: a diverged network gives
 * NaN, which is reported here instead of being handed on. Box actions are not clipped to
 * the bounds (PPO's Gaussian policy is unbounded by design, as the original's). */
athlete_status athlete__agent_check_action(const athlete_agent *agent, const float *action, const char *policy,
                                           athlete_error *err)
{
    const athlete_space *space = agent->action_space;
    if (space->kind == ATHLETE_SPACE_DISCRETE)
        return athlete_space_check_value(space, action, policy, err);
    for (size_t i = 0; i < agent->action_size; i++)
        if (!isfinite(action[i]))
            return athlete_error_set(err, ATHLETE_E_NON_FINITE,
                                     "%s produced action[%zu] = %s (did training diverge?)", policy, i,
                                     isnan(action[i]) ? "NaN" : "inf");
    return ATHLETE_OK;
}

athlete_status athlete__agent_run_updates(athlete_agent *agent, athlete_error *err)
{
    athlete_info_clear(&agent->log);
    for (size_t i = 0; i < agent->parts.updatable_count; i++) {
        const athlete_updatable *u = &agent->parts.updatables[i];
        if (!u->ops->ready(u->self, &agent->clock))
            continue;
        athlete_status st = u->ops->update(u->self, &agent->clock, &agent->log, err);
        if (st != ATHLETE_OK) {
            athlete_error_prefix(err, "%s: update '%s': ", agent->entry->algorithm->id, u->ops->name);
            return st;
        }
    }
    return ATHLETE_OK;
}

static athlete_status policy_act(athlete_agent *agent, const athlete_policy *policy, bool reset,
                                 const float *observation, float *action, athlete_info *info,
                                 const char *what, athlete_error *err)
{
    athlete_info_clear(info);
    athlete_status st = reset && policy->ops->reset_act
                            ? policy->ops->reset_act(policy->self, observation, &agent->clock, action, info, err)
                            : policy->ops->act(policy->self, observation, &agent->clock, action, info, err);
    if (st == ATHLETE_OK)
        st = athlete__agent_check_action(agent, action, what, err);
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "%s: ", agent->entry->algorithm->id);
    return st;
}

/* A failure after the call began changing the agent (collector, updates, training policy):
 * the state may be half-updated, so the agent refuses further work. */
static athlete_status mark_failed(athlete_agent *agent, athlete_status st, const athlete_error *err)
{
    snprintf(agent->failure, sizeof agent->failure, "%s", err->message);
    agent->episode_active = false;
    return st;
}

athlete_status athlete__agent_check_not_failed(const athlete_agent *agent, const char *call, athlete_error *err)
{
    if (!agent->failure[0])
        return ATHLETE_OK;
    athlete_error_set(err, ATHLETE_E_CALL_ORDER, "%s", agent->failure);
    athlete_error_prefix(err, "%s: the agent failed in an earlier call and may be half-updated (destroy it or "
                              "load a checkpoint); that call's error: ", call);
    return ATHLETE_E_CALL_ORDER;
}

static athlete_status check_observation(const athlete_agent *agent, const char *call,
                                        const float *observation, athlete_error *err)
{
    athlete_status st = athlete_space_check_value(agent->observation_space, observation, "observation", err);
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "%s: ", call);
    return st;
}

athlete_status athlete_agent_reset_step(athlete_agent *agent, const float *observation,
                                        const float **action, const athlete_info **info,
                                        athlete_error *err)
{
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "reset_step: NULL agent");
    athlete_error local; /* the failure is recorded even when the caller passes no err */
    if (!err)
        err = &local;
    if (agent->num_envs != 1 && agent->training)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "reset_step: this agent drives %zu environments; call athlete_agent_vector_reset_step",
                                 agent->num_envs);
    athlete_status st = check_observation(agent, "reset_step", observation, err);
    if (st != ATHLETE_OK)
        return st;
    if (!agent->training) {
        st = policy_act(agent, &agent->parts.evaluation_policy, true, observation, agent->eval_action,
                        &agent->info, "evaluation policy", err);
        if (st != ATHLETE_OK)
            return st;
        if (action)
            *action = agent->eval_action;
        if (info)
            *info = &agent->info;
        return ATHLETE_OK;
    }
    st = athlete__agent_check_not_failed(agent, "reset_step", err);
    if (st != ATHLETE_OK)
        return st;
    bool new_data = false;
    st = agent->parts.collector.ops->reset(agent->parts.collector.self, observation, &new_data, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "reset_step: ");
        return mark_failed(agent, st, err);
    }
    if (new_data)
        agent->clock.data_points++;
    agent->episode_active = true;
    st = athlete__agent_run_updates(agent, err);
    if (st != ATHLETE_OK)
        return mark_failed(agent, st, err);
    st = policy_act(agent, &agent->parts.training_policy, true, observation, agent->last_action,
                    &agent->policy_infos[0], "training policy", err);
    if (st != ATHLETE_OK) {
        /* The updates are complete; only the action is missing: the episode ends. */
        agent->episode_active = false;
        return st;
    }
    /* As the original: reset_step's info is the update log alone. */
    agent->info = agent->log;
    if (action)
        *action = agent->last_action;
    if (info)
        *info = &agent->info;
    return ATHLETE_OK;
}

athlete_status athlete_agent_step(athlete_agent *agent, const float *observation, double reward,
                                  bool terminated, bool truncated, const float **action,
                                  const athlete_info **info, athlete_error *err)
{
    if (!agent)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "step: NULL agent");
    athlete_error local; /* the failure is recorded even when the caller passes no err */
    if (!err)
        err = &local;
    if (agent->num_envs != 1 && agent->training)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "step: this agent drives %zu environments; call athlete_agent_vector_step",
                                 agent->num_envs);
    if (!agent->training) {
        athlete_status st = check_observation(agent, "step", observation, err);
        if (st == ATHLETE_OK)
            st = policy_act(agent, &agent->parts.evaluation_policy, false, observation,
                            agent->eval_action, &agent->info, "evaluation policy", err);
        if (st != ATHLETE_OK)
            return st;
        if (action)
            *action = agent->eval_action;
        if (info)
            *info = &agent->info;
        return ATHLETE_OK;
    }
    /* Everything the caller can get wrong is checked before anything changes. */
    athlete_status failed = athlete__agent_check_not_failed(agent, "step", err);
    if (failed != ATHLETE_OK)
        return failed;
    if (!agent->episode_active)
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 agent->clock.interactions == 0 && agent->clock.episodes == 0
                                     ? "step: no episode in progress; call reset_step first"
                                     : "step: the previous episode has ended (or no reset_step since loading); call reset_step before step");
    athlete_status st = check_observation(agent, "step", observation, err);
    if (st != ATHLETE_OK)
        return st;
    if (!isfinite(reward))
        return athlete_error_set(err, ATHLETE_E_NON_FINITE, "step: reward is %s",
                                 isnan(reward) ? "NaN" : "infinite");
    /* Rewards are stored as float: beyond FLT_MAX they become infinite and poison every
     * later update. */
    if (fabs(reward) > FLT_MAX)
        return athlete_error_set(err, ATHLETE_E_NON_FINITE, "step: reward %g is beyond the float range (+-%g)",
                                 reward, (double)FLT_MAX);
    athlete_step_data data = {
        .action = agent->last_action,
        .policy_info = &agent->policy_infos[0],
        .observation = observation,
        .reward = reward,
        .terminated = terminated,
        .truncated = truncated,
    };
    bool new_data = false;
    st = agent->parts.collector.ops->collect(agent->parts.collector.self, &data, &new_data, err);
    if (st != ATHLETE_OK) {
        athlete_error_prefix(err, "step: ");
        return mark_failed(agent, st, err);
    }
    bool ended = terminated || truncated;
    agent->clock.interactions++;
    if (new_data)
        agent->clock.data_points++;
    if (ended) {
        agent->clock.episodes++;
        agent->episode_active = false;
    }
    st = athlete__agent_run_updates(agent, err);
    if (st != ATHLETE_OK)
        return mark_failed(agent, st, err);
    if (ended) {
        agent->info = agent->log;
        if (action)
            *action = NULL;
    } else {
        st = policy_act(agent, &agent->parts.training_policy, false, observation, agent->last_action,
                        &agent->policy_infos[0], "training policy", err);
        if (st != ATHLETE_OK) {
            /* No usable pending action (a diverged network's NaN): the episode cannot go
             * on, and a checkpoint must not carry the bad action. The updates before it
             * are complete, so the agent itself stays usable. */
            agent->episode_active = false;
            return st;
        }
        agent->info = agent->policy_infos[0];
        athlete_info_merge(&agent->info, &agent->log); /* the update log wins on a clash */
        if (action)
            *action = agent->last_action;
    }
    if (info)
        *info = &agent->info;
    return ATHLETE_OK;
}

void athlete_agent_train(athlete_agent *agent) { agent->training = true; }
void athlete_agent_eval(athlete_agent *agent) { agent->training = false; }
bool athlete_agent_is_training(const athlete_agent *agent) { return agent->training; }
const float *athlete_agent_last_action(const athlete_agent *agent)
{
    return agent->episode_active ? agent->last_action : NULL;
}
const athlete_info *athlete_agent_info(const athlete_agent *agent) { return &agent->info; }
const athlete_clock *athlete_agent_clock(const athlete_agent *agent) { return &agent->clock; }
const char *athlete_agent_algorithm_id(const athlete_agent *agent) { return agent->entry->algorithm->id; }
uint64_t athlete_agent_seed(const athlete_agent *agent) { return agent->seed; }
const athlete_space *athlete_agent_observation_space(const athlete_agent *agent) { return agent->observation_space; }
const athlete_space *athlete_agent_action_space(const athlete_agent *agent) { return agent->action_space; }

athlete_status athlete_agent_config_json(const athlete_agent *agent, bool pretty, char **json,
                                         athlete_error *err)
{
    return athlete_config_to_json(agent->config, pretty, json, err);
}

athlete_status athlete_agent_call(athlete_agent *agent, const char *method, const char *args_json,
                                  char **result_json, athlete_error *err)
{
    if (!agent || !method || !result_json)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "call: NULL argument");
    athlete_status st = athlete__methods_call(agent->entry->methods, agent->parts.state, method,
                                              args_json, result_json, err);
    if (st == ATHLETE_E_UNKNOWN_METHOD) {
        char names[160] = "";
        size_t pos = 0;
        const athlete_method *m = agent->entry->algorithm->methods;
        for (size_t i = 0; m && m[i].name && pos < sizeof names; i++) {
            int n = snprintf(names + pos, sizeof names - pos, "%s%s", i ? ", " : "", m[i].name);
            if (n < 0)
                break;
            pos += (size_t)n;
        }
        return athlete_error_set(err, st, "%s has no method '%s' (methods: %s)",
                                 agent->entry->algorithm->id, method, pos ? names : "none");
    }
    if (st != ATHLETE_OK)
        athlete_error_prefix(err, "%s: ", agent->entry->algorithm->id);
    return st;
}

const athlete_method *athlete_agent_methods(const athlete_agent *agent)
{
    return agent->entry->algorithm->methods;
}

/* The agent's fields, shared by agent.c and checkpoint.c. Never installed. */
#ifndef ATHLETE_AGENT_PRIVATE_H
#define ATHLETE_AGENT_PRIVATE_H

#include "core-private.h"

#include <athlete/component.h>
#include <athlete/config.h>

struct athlete_agent {
    athlete__algorithm_entry *entry; /* keeps the plugin loaded */
    athlete_space *observation_space;
    athlete_space *action_space;
    size_t observation_size, action_size;
    athlete_config *config;
    uint64_t seed;
    athlete_clock clock;
    athlete_parts parts;
    bool built;
    bool training;
    bool episode_active; /* training: between reset_step and the step that ends the episode */
    float *last_action;  /* the training policy's last action (the collector's "action") */
    athlete_info last_policy_info;
    float *eval_action;
    athlete_info log;  /* this call's update log */
    athlete_info info; /* what the last call returned */
    /* Storage for a policy info restored from a checkpoint (keys and arrays it borrows). */
    char loaded_keys[ATHLETE_INFO_CAPACITY][32];
    float *loaded_reals[ATHLETE_INFO_CAPACITY];
    char load_warning[ATHLETE_ERROR_MESSAGE_SIZE]; /* empty: none */
    /* Non-empty once a training call failed after it had begun changing the agent: the
     * message of that failure. Such an agent refuses to step or be saved. */
    char failure[ATHLETE_ERROR_MESSAGE_SIZE];
};

/* Creates an agent for a registered algorithm from a complete configuration. */
athlete_status athlete__agent_build(athlete__algorithm_entry *entry, const athlete_space *observation_space,
                                    const athlete_space *action_space, uint64_t seed,
                                    const char *config_json, bool inference_only, athlete_agent **out,
                                    athlete_error *err);

/* E_CALL_ORDER naming `call` and the first failure when the agent has failed. */
athlete_status athlete__agent_check_not_failed(const athlete_agent *agent, const char *call, athlete_error *err);
/* Loads a full checkpoint or a policy-only file, whichever `path` holds (export). */
athlete_status athlete__agent_load_any(const athlete_registry *registry, const char *path, athlete_agent **out,
                                      bool *policy_only, athlete_error *err);

#endif

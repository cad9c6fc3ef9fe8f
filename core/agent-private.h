/* The agent's fields, shared by agent.c and checkpoint.c. Never installed. */
#ifndef ATHLETE_AGENT_PRIVATE_H
#define ATHLETE_AGENT_PRIVATE_H

#include <stddef.h>

#include "core-private.h"

#include <athlete/component.h>
#include <athlete/config.h>

/* Keys and arrays of one policy info restored from a checkpoint. */
typedef struct athlete__loaded_info {
    char keys[ATHLETE_INFO_CAPACITY][32];
    float *reals[ATHLETE_INFO_CAPACITY];
} athlete__loaded_info;

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
    bool episode_active; /* training: between reset_step and the step that ends the episode
                            (a vector agent: between its reset_step and a failed call) */
    size_t num_envs;     /* environments driven (1: the single-environment API) */
    float *last_action;  /* num_envs rows: the training policy's last actions (the collector's "action") */
    athlete_info *policy_infos; /* num_envs: the training policy's info for each row */
    float *eval_action;  /* num_envs rows */
    /* Vector agents over plugins without the batched entries: per-row copies of the
     * policy infos' arrays (a row-by-row policy reuses its buffers), and each stream's
     * previous observation for a single-stream collector. NULL when not needed. */
    float *row_reals;      /* num_envs x ATHLETE_INFO_CAPACITY x row_reals_capacity */
    size_t row_reals_capacity;
    float *previous_observations; /* num_envs rows */
    athlete_info call_log; /* a vector call's merged update logs */
    athlete_info *eval_infos; /* num_envs: the evaluation policy's infos (vector calls) */
    bool *row_first;          /* num_envs: rows starting an episode in this call */
    athlete_info log;  /* this call's update log */
    athlete_info info; /* what the last call returned */
    /* Storage for a policy info restored from a checkpoint (keys and arrays it borrows). */
    char loaded_keys[ATHLETE_INFO_CAPACITY][32];
    float *loaded_reals[ATHLETE_INFO_CAPACITY];
    athlete__loaded_info *loaded_rows; /* the same for rows 1..num_envs-1 of a vector agent */
    char load_warning[ATHLETE_ERROR_MESSAGE_SIZE]; /* empty: none */
    /* Non-empty once a training call failed after it had begun changing the agent: the
     * message of that failure. Such an agent refuses to step or be saved. */
    char failure[ATHLETE_ERROR_MESSAGE_SIZE];
};

/* Creates an agent for a registered algorithm from a complete configuration; `loading`:
 * every parameter is read from a file right after (see athlete_build_args.loading). */
athlete_status athlete__agent_build(athlete__algorithm_entry *entry, const athlete_space *observation_space,
                                    const athlete_space *action_space, uint64_t seed,
                                    const char *config_json, bool inference_only, bool loading, size_t num_envs,
                                    athlete_agent **out, athlete_error *err);

uint64_t athlete__random_seed(void);

/* Shared by agent.c and agent-vector.c. */
athlete_status athlete__agent_run_updates(athlete_agent *agent, athlete_error *err);
/* Allocates what a vector agent needs for plugins without the batched entries. */
athlete_status athlete__agent_prepare_rows(athlete_agent *agent, athlete_error *err);
athlete_status athlete__agent_check_action(const athlete_agent *agent, const float *action, const char *policy,
                                           athlete_error *err);

/* E_CALL_ORDER naming `call` and the first failure when the agent has failed. */
athlete_status athlete__agent_check_not_failed(const athlete_agent *agent, const char *call, athlete_error *err);
/* Loads a full checkpoint or a policy-only file, whichever `path` holds (export). */
athlete_status athlete__agent_load_any(const athlete_registry *registry, const char *path, athlete_agent **out,
                                      bool *policy_only, athlete_error *err);

#endif

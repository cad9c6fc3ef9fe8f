/* Writes the fuzzers' seed corpus: a real checkpoint of every algorithm (small networks,
 * mid-episode, with and without the environment state) and a policy-only file of each,
 * and a vector agent's checkpoint (ppo, 3 environments, one noise process each).
 * usage: make-fuzz-seeds DIR */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/vector-env.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct seed_case {
    const char *name, *algorithm, *env_id, *overrides;
    int steps;
} seed_case;

#define SMALL_OFFPOLICY                                                                                            \
    "{\"warmup_steps\": 20, \"replay_buffer_mini_batch_size\": 4, \"replay_buffer_capacity\": 40,"               \
    " \"critic_network_arguments\": {\"hidden_dims\": [8]}, \"actor_network_arguments\": {\"hidden_dims\": [8]}"
static const seed_case cases[] = {
    {"q_learning", "q_learning", "FrozenLake-v1", NULL, 60},
    {"dqn", "dqn", "CartPole-v1",
     "{\"value_network_arguments\": {\"hidden_dims\": [8]}, \"replay_buffer_mini_batch_size\": 4,"
     " \"replay_buffer_capacity\": 40, \"warmup_steps\": 20, \"target_net_update_frequency\": 10}",
     60},
    {"ppo-discrete", "ppo", "CartPole-v1",
     "{\"steps_per_update\": 16, \"mini_batch_size\": 4, \"epochs_per_update\": 1,"
     " \"actor_network_arguments\": {\"hidden_dims\": [8]}, \"value_network_arguments\": {\"hidden_dims\": [8]}}",
     40},
    {"ppo-continuous", "ppo", "Pendulum-v1",
     "{\"steps_per_update\": 16, \"mini_batch_size\": 4, \"epochs_per_update\": 1,"
     " \"actor_network_arguments\": {\"hidden_dims\": [8]}, \"value_network_arguments\": {\"hidden_dims\": [8]}}",
     40},
    {"ddpg", "ddpg", "Pendulum-v1", SMALL_OFFPOLICY ", \"noise_process_class\": \"ornstein_uhlenbeck\"}", 60},
    {"td3", "td3", "Pendulum-v1",
     SMALL_OFFPOLICY ", \"critic_2_network_arguments\": {\"hidden_dims\": [8]}, \"noise_process_class\": \"colored\","
                     " \"noise_process_arguments\": {\"horizon\": 16}}",
     60},
    {"sac", "sac", "Pendulum-v1", SMALL_OFFPOLICY ", \"critic_2_network_arguments\": {\"hidden_dims\": [8]}}", 60},
    {"sac-gsde", "sac", "MountainCarContinuous-v0",
     SMALL_OFFPOLICY ", \"critic_2_network_arguments\": {\"hidden_dims\": [8]}, \"use_sde\": true, \"sde_sample_freq\": 4}",
     60},
};

static int fail(const char *what, const athlete_error *err)
{
    fprintf(stderr, "make-fuzz-seeds: %s: %s\n", what, err->message);
    return 1;
}

/* ppo driving 3 Pendulum environments, each with its own coloured noise process, saved in
 * the middle of a rollout. */
static int vector_seed(const athlete_registry *reg, const char *dir)
{
    enum { N = 3 };
    athlete_error err;
    athlete_vector_env *venv = NULL;
    athlete_agent *agent = NULL;
    uint64_t seed = 7;
    float observations[3 * N], finals[3 * N], env_actions[N];
    double rewards[N];
    bool terminated[N], truncated[N];
    const float *actions;
    athlete_status st = athlete_vector_env_create("Pendulum-v1", NULL, N, &venv, &err);
    if (st == ATHLETE_OK)
        st = athlete_agent_create_vector(
            reg, "ppo", athlete_vector_env_observation_space(venv), athlete_vector_env_action_space(venv), N, &seed,
            "{\"steps_per_update\": 8, \"mini_batch_size\": 4, \"epochs_per_update\": 1,"
            " \"actor_network_arguments\": {\"hidden_dims\": [8]}, \"value_network_arguments\": {\"hidden_dims\": [8]},"
            " \"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 8}}",
            &agent, &err);
    if (st == ATHLETE_OK && (st = athlete_vector_env_reset(venv, &seed, observations, &err)) == ATHLETE_OK)
        st = athlete_agent_vector_reset_step(agent, observations, &actions, NULL, &err);
    for (int t = 0; st == ATHLETE_OK && t < 20; t++) {
        for (size_t i = 0; i < N; i++)
            athlete_space_clip(athlete_vector_env_action_space(venv), actions + i, env_actions + i);
        st = athlete_vector_env_step(venv, env_actions, N, observations, rewards, terminated, truncated, finals, &err);
        if (st == ATHLETE_OK)
            st = athlete_agent_vector_step(agent, observations, finals, rewards, terminated, truncated, &actions, NULL,
                                           &err);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/ppo-vector-without-env", dir);
    if (st == ATHLETE_OK)
        st = athlete_agent_save_checkpoint(agent, path, false, NULL, &err);
    athlete_agent_destroy(agent);
    athlete_vector_env_destroy(venv);
    return st == ATHLETE_OK ? 0 : fail("ppo-vector", &err);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make-fuzz-seeds DIR\n");
        return 2;
    }
    athlete_registry *reg;
    athlete_error err;
    if (athlete_registry_create(NULL, &reg, &err) != ATHLETE_OK)
        return fail("registry", &err);
    int rc = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0] && rc == 0; c++) {
        const seed_case *s = &cases[c];
        athlete_env *env = NULL;
        athlete_agent *agent = NULL;
        uint64_t seed = 7;
        if (athlete_env_create(s->env_id, NULL, &env, &err) ||
            athlete_agent_create(reg, s->algorithm, athlete_env_observation_space(env), athlete_env_action_space(env),
                                 &seed, s->overrides, &agent, &err)) {
            rc = fail(s->name, &err);
            athlete_env_destroy(env);
            break;
        }
        float observation[8], env_action[8];
        const float *action;
        const athlete_space *space = athlete_env_action_space(env);
        athlete_status st = athlete_env_reset(env, &seed, observation, &err);
        if (st == ATHLETE_OK)
            st = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
        for (int t = 0; st == ATHLETE_OK && (t < s->steps || !action); t++) {
            if (!action) {
                st = athlete_env_reset(env, NULL, observation, &err);
                if (st == ATHLETE_OK)
                    st = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
                continue;
            }
            athlete_space_clip(space, action, env_action);
            double reward;
            bool terminated, truncated;
            st = athlete_env_step(env, env_action, athlete_space_flat_size(space), observation, &reward, &terminated,
                                  &truncated, &err);
            if (st == ATHLETE_OK)
                st = athlete_agent_step(agent, observation, reward, terminated, truncated, &action, NULL, &err);
        }
        char path[4096];
        if (st == ATHLETE_OK) {
            snprintf(path, sizeof path, "%s/%s-with-env", argv[1], s->name);
            st = athlete_agent_save_checkpoint(agent, path, true, NULL, &err);
        }
        if (st == ATHLETE_OK) {
            snprintf(path, sizeof path, "%s/%s-without-env", argv[1], s->name);
            st = athlete_agent_save_checkpoint(agent, path, false, NULL, &err);
        }
        if (st == ATHLETE_OK) {
            snprintf(path, sizeof path, "%s/%s-policy", argv[1], s->name);
            st = athlete_agent_save_policy(agent, path, &err);
        }
        if (st != ATHLETE_OK)
            rc = fail(s->name, &err);
        athlete_agent_destroy(agent);
        athlete_env_destroy(env);
    }
    if (rc == 0)
        rc = vector_seed(reg, argv[1]);
    athlete_registry_destroy(reg);
    return rc;
}

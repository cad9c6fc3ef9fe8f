/* The original Athlete README's training loop, in C, on a built-in environment.
 *
 *   usage: host [ALGORITHM [ENVIRONMENT [STEPS]]]      (default: dqn CartPole-v1 20000)
 *
 * Python                                   C
 * agent = athlete.make(algorithm_id=..)    athlete_agent_create(registry, id, obs, act, &seed, NULL, &agent, &err)
 * action, info = agent.reset_step(obs)     athlete_agent_reset_step(agent, obs, &action, &info, &err)
 * action, info = agent.step(obs, r, te, tr) athlete_agent_step(agent, obs, r, te, tr, &action, &info, &err)
 * agent.eval()                             athlete_agent_eval(agent) */
#include <athlete/athlete.h>
#include <athlete/env.h>

#include <stdio.h>
#include <stdlib.h>

#define CHECK(call)                                                              \
    do {                                                                         \
        if ((call) != ATHLETE_OK) {                                              \
            fprintf(stderr, "%s failed: %s\n", #call, err.message);              \
            return EXIT_FAILURE;                                                 \
        }                                                                        \
    } while (0)

int main(int argc, char **argv)
{
    const char *algorithm = argc > 1 ? argv[1] : "dqn";
    const char *env_id = argc > 2 ? argv[2] : "CartPole-v1";
    long steps = argc > 3 ? atol(argv[3]) : 20000;
    athlete_error err;

    athlete_env *env;
    CHECK(athlete_env_create(env_id, NULL, &env, &err));
    /* The registry finds the algorithm plugins (ATHLETE_PLUGIN_PATH, then the installed dir). */
    athlete_registry *registry;
    CHECK(athlete_registry_create(NULL, &registry, &err));
    /* All hyper-parameters have defaults; overrides are a JSON object (NULL: none). */
    uint64_t seed = 42;
    athlete_agent *agent;
    CHECK(athlete_agent_create(registry, algorithm, athlete_env_observation_space(env),
                               athlete_env_action_space(env), &seed, NULL, &agent, &err));

    const athlete_space *action_space = athlete_env_action_space(env);
    size_t action_size = athlete_space_flat_size(action_space);
    float observation[64], env_action[16];
    if (athlete_space_flat_size(athlete_env_observation_space(env)) > 64 || action_size > 16)
        return EXIT_FAILURE;
    const float *action;
    const athlete_info *info;
    CHECK(athlete_env_reset(env, &seed, observation, &err));
    /* Inform the agent about the new episode and get the first action. */
    CHECK(athlete_agent_reset_step(agent, observation, &action, &info, &err));
    double episode_return = 0;
    int episodes = 0;
    for (long t = 0; t < steps; t++) {
        double reward;
        bool terminated, truncated;
        athlete_space_clip(action_space, action, env_action); /* PPO's Gaussian is unbounded */
        CHECK(athlete_env_step(env, env_action, action_size, observation, &reward, &terminated, &truncated, &err));
        episode_return += reward;
        /* Feed the agent; it decides by itself when to warm up, update and sync targets.
         * info holds internal values such as the loss. */
        CHECK(athlete_agent_step(agent, observation, reward, terminated, truncated, &action, &info, &err));
        if (terminated || truncated) {
            if (++episodes % 20 == 0)
                printf("step %ld: episode %d returned %.1f\n", t + 1, episodes, episode_return);
            episode_return = 0;
            CHECK(athlete_env_reset(env, NULL, observation, &err));
            CHECK(athlete_agent_reset_step(agent, observation, &action, &info, &err));
        }
    }

    /* Evaluation mode: no exploration, no updates; only the observation is needed. */
    athlete_agent_eval(agent);
    double total = 0;
    for (int e = 0; e < 10; e++) {
        CHECK(athlete_env_reset(env, NULL, observation, &err));
        CHECK(athlete_agent_reset_step(agent, observation, &action, NULL, &err));
        bool done = false;
        while (!done) {
            double reward;
            bool terminated, truncated;
            athlete_space_clip(action_space, action, env_action); /* PPO's Gaussian is unbounded */
            CHECK(athlete_env_step(env, env_action, action_size, observation, &reward, &terminated, &truncated, &err));
            total += reward;
            done = terminated || truncated;
            if (!done)
                CHECK(athlete_agent_step(agent, observation, 0, false, false, &action, NULL, &err));
        }
    }
    printf("evaluation: mean return over 10 episodes %.2f\n", total / 10);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(registry);
    athlete_env_destroy(env);
    return EXIT_SUCCESS;
}

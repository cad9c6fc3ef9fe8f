/* Two threads, two agents, one registry: what registry.h promises. Each thread creates
 * its own agent from the shared registry, trains it, saves and loads checkpoints (the CRC
 * table is first used here, by both at once) and destroys it; then agents are released in
 * their threads while the main thread drops the registry, so the last reference to a
 * plugin may go in any thread. CI also runs it under ThreadSanitizer (tools/tsan.sh). */
#include <athlete/athlete.h>
#include <athlete/env.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "test-util.h"

typedef struct worker {
    athlete_registry *registry;
    const char *algorithm, *env_id, *overrides;
    uint64_t seed;
    pthread_barrier_t *created;
    char path[128];
    athlete_status status;
    char message[512];
    double total_reward;
} worker;

static void *train(void *arg)
{
    worker *w = arg;
    athlete_error err;
    athlete_env *env = NULL;
    athlete_agent *agent = NULL, *loaded = NULL;
    w->status = athlete_env_create(w->env_id, NULL, &env, &err);
    if (w->status == ATHLETE_OK)
        w->status = athlete_agent_create(w->registry, w->algorithm, athlete_env_observation_space(env),
                                         athlete_env_action_space(env), &w->seed, w->overrides, &agent, &err);
    pthread_barrier_wait(w->created); /* both agents exist before either trains */
    if (w->status != ATHLETE_OK)
        goto done;
    float observation[8], env_action[8];
    const float *action;
    const athlete_space *space = athlete_env_action_space(env);
    w->status = athlete_env_reset(env, &w->seed, observation, &err);
    if (w->status == ATHLETE_OK)
        w->status = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
    for (int t = 0; t < 1500 && w->status == ATHLETE_OK; t++) {
        if (!action) {
            w->status = athlete_env_reset(env, NULL, observation, &err);
            if (w->status == ATHLETE_OK)
                w->status = athlete_agent_reset_step(agent, observation, &action, NULL, &err);
            continue;
        }
        athlete_space_clip(space, action, env_action);
        double reward;
        bool terminated, truncated;
        w->status = athlete_env_step(env, env_action, athlete_space_flat_size(space), observation, &reward,
                                     &terminated, &truncated, &err);
        w->total_reward += reward;
        if (w->status == ATHLETE_OK)
            w->status = athlete_agent_step(agent, observation, reward, terminated, truncated, &action, NULL, &err);
        if (w->status == ATHLETE_OK && t % 500 == 499) {
            w->status = athlete_agent_save_checkpoint(agent, w->path, true, NULL, &err);
            if (w->status == ATHLETE_OK)
                w->status = athlete_agent_from_checkpoint(w->registry, w->path, true, &loaded, &err);
            athlete_agent_destroy(loaded);
            loaded = NULL;
        }
    }
done:
    if (w->status != ATHLETE_OK)
        snprintf(w->message, sizeof w->message, "%s", err.message);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    return NULL;
}

START_TEST(test_two_threads_two_agents)
{
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *registry;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &registry, &err), &err);
    pthread_barrier_t created;
    ck_assert_int_eq(pthread_barrier_init(&created, NULL, 3), 0);
    worker workers[2] = {
        {registry, "dqn", "CartPole-v1",
         "{\"value_network_arguments\": {\"hidden_dims\": [16]}, \"replay_buffer_mini_batch_size\": 8,"
         " \"warmup_steps\": 100}",
         1, &created, "", 0, "", 0},
        {registry, "dqn", "CartPole-v1",
         "{\"value_network_arguments\": {\"hidden_dims\": [16]}, \"replay_buffer_mini_batch_size\": 8,"
         " \"warmup_steps\": 100}",
         2, &created, "", 0, "", 0},
    };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        snprintf(workers[i].path, sizeof workers[i].path, "/tmp/athlete-threads-%ld-%d.ckpt", (long)getpid(), i);
        ck_assert_int_eq(pthread_create(&threads[i], NULL, train, &workers[i]), 0);
    }
    pthread_barrier_wait(&created);
    /* Both agents exist; the loads inside the threads still need the registry. */
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    athlete_registry_destroy(registry);
    pthread_barrier_destroy(&created);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(workers[i].status == ATHLETE_OK, "worker %d: %s", i, workers[i].message);
        ck_assert(workers[i].total_reward > 0);
        unlink(workers[i].path);
    }
}
END_TEST

static void *use_and_drop(void *arg)
{
    athlete_agent *agent = arg;
    athlete_error err;
    float observation[4] = {0, 0, 0, 0};
    const float *action;
    for (int i = 0; i < 50; i++)
        if (athlete_agent_reset_step(agent, observation, &action, NULL, &err) != ATHLETE_OK)
            return (void *)1;
    athlete_agent_destroy(agent); /* may drop the last reference to the plugin */
    return NULL;
}

START_TEST(test_last_reference_in_any_thread)
{
    for (int round = 0; round < 20; round++) {
        athlete_registry_options options = {sizeof options, NULL, true, false};
        athlete_registry *registry;
        athlete_error err;
        ck_assert_ok(athlete_registry_create(&options, &registry, &err), &err);
        float low[4] = {-1, -1, -1, -1}, high[4] = {1, 1, 1, 1};
        size_t shape[1] = {4};
        athlete_space box = athlete_space_box(1, shape, low, high), two = athlete_space_discrete(2);
        athlete_agent *agents[2];
        for (int i = 0; i < 2; i++) {
            uint64_t seed = (uint64_t)i;
            ck_assert_ok(athlete_agent_create(registry, "dqn", &box, &two, &seed,
                                              "{\"value_network_arguments\": {\"hidden_dims\": [4]}}", &agents[i], &err),
                         &err);
        }
        pthread_t threads[2];
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(pthread_create(&threads[i], NULL, use_and_drop, agents[i]), 0);
        athlete_registry_destroy(registry); /* races with the agents' own releases */
        for (int i = 0; i < 2; i++) {
            void *result;
            pthread_join(threads[i], &result);
            ck_assert_ptr_null(result);
        }
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_two_threads_two_agents);
    tcase_add_test(tc, test_last_reference_in_any_thread);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

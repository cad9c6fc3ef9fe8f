/* Vector agents: one agent driving N environments. num_envs = 1 through the vector calls
 * is bit for bit the single-environment agent (every action and the final checkpoint, for
 * every algorithm); N > 1 runs every algorithm with episodes ending in some environments
 * while the others go on, counts interactions, keeps the schedules' meaning, allocates
 * nothing per step; a plugin built against ABI 1.0's layout is driven row by row; bad
 * calls are refused with their message. */
#include <athlete/alloc.h>
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/vector-env.h>
#include "vector-runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc-count.h"
#include "test-registry.h"
#include "test-util.h"

typedef struct vcase {
    const char *id, *env, *overrides;
} vcase;

static const vcase cases[] = {
    {"q_learning", "FrozenLake-v1", "{\"warmup_steps\": 50}"},
    {"dqn", "CartPole-v1",
     "{\"value_network_arguments\": {\"hidden_dims\": [16, 16]}, \"replay_buffer_mini_batch_size\": 8,"
     " \"replay_buffer_capacity\": 500, \"warmup_steps\": 50, \"target_net_update_frequency\": 20,"
     " \"enable_double_q_learning\": true}"},
    {"ddpg", "Pendulum-v1",
     "{\"warmup_steps\": 100, \"replay_buffer_mini_batch_size\": 32, \"replay_buffer_capacity\": 500,"
     " \"critic_network_arguments\": {\"hidden_dims\": [32, 32]}, \"actor_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"noise_process_class\": \"ornstein_uhlenbeck\", \"noise_process_arguments\": {\"noise_std\": 0.3}}"},
    {"td3", "Pendulum-v1",
     "{\"warmup_steps\": 100, \"replay_buffer_mini_batch_size\": 32, \"replay_buffer_capacity\": 500,"
     " \"critic_network_arguments\": {\"hidden_dims\": [32, 32]}, \"critic_2_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
    {"sac", "Pendulum-v1",
     "{\"warmup_steps\": 100, \"replay_buffer_mini_batch_size\": 32, \"replay_buffer_capacity\": 500,"
     " \"critic_network_arguments\": {\"hidden_dims\": [32, 32]}, \"critic_2_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
    {"sac", "MountainCarContinuous-v0",
     "{\"warmup_steps\": 100, \"replay_buffer_mini_batch_size\": 32, \"replay_buffer_capacity\": 500,"
     " \"critic_network_arguments\": {\"hidden_dims\": [32, 32]}, \"critic_2_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 16]}, \"use_sde\": true, \"sde_sample_freq\": 5}"},
    {"ppo", "Pendulum-v1",
     "{\"steps_per_update\": 64, \"mini_batch_size\": 16, \"epochs_per_update\": 2,"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
    {"ppo", "Pendulum-v1",
     "{\"steps_per_update\": 64, \"mini_batch_size\": 16, \"epochs_per_update\": 2, \"normalize_observations\": true,"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
    {"ppo", "Pendulum-v1", /* one noise process per environment */
     "{\"steps_per_update\": 64, \"mini_batch_size\": 16, \"epochs_per_update\": 2, \"noise_process_class\": \"colored\","
     " \"noise_process_arguments\": {\"horizon\": 150},"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
    {"ppo", "CartPole-v1",
     "{\"steps_per_update\": 64, \"mini_batch_size\": 16, \"epochs_per_update\": 2, \"value_loss_clip_value\": 0.2,"
     " \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]}}"},
};
#define CASES (sizeof cases / sizeof cases[0])

/* A vector environment, a vector agent on it and the step buffers (allocated once). */
typedef struct vrig {
    athlete_vector_env *venv;
    athlete_agent *agent;
    size_t n, obs, act;
    float *observations, *finals, *env_actions;
    double *rewards;
    bool *terminated, *truncated;
    const float *actions;
    const athlete_info *info;
    uint64_t episodes;
} vrig;

static void vrig_start(vrig *r, athlete_registry *reg, const vcase *c, size_t n, uint64_t seed)
{
    athlete_error err;
    r->n = n;
    r->episodes = 0;
    ck_assert_ok(athlete_vector_env_create(c->env, NULL, n, &r->venv, &err), &err);
    const athlete_space *os = athlete_vector_env_observation_space(r->venv);
    const athlete_space *as = athlete_vector_env_action_space(r->venv);
    r->obs = athlete_space_flat_size(os);
    r->act = athlete_space_flat_size(as);
    ck_assert_ok(athlete_agent_create_vector(reg, c->id, os, as, n, &seed, c->overrides, &r->agent, &err), &err);
    ck_assert_uint_eq(athlete_agent_num_envs(r->agent), n);
    r->observations = calloc(n * r->obs, sizeof(float));
    r->finals = calloc(n * r->obs, sizeof(float));
    r->env_actions = calloc(n * r->act, sizeof(float));
    r->rewards = calloc(n, sizeof(double));
    r->terminated = calloc(n, sizeof(bool));
    r->truncated = calloc(n, sizeof(bool));
    ck_assert_ok(athlete_vector_env_reset(r->venv, &seed, r->observations, &err), &err);
    ck_assert_ok(athlete_agent_vector_reset_step(r->agent, r->observations, &r->actions, &r->info, &err), &err);
}

/* One step of every environment and the agent's answer. */
static void vrig_step(vrig *r)
{
    athlete_error err;
    const athlete_space *as = athlete_vector_env_action_space(r->venv);
    for (size_t i = 0; i < r->n; i++)
        athlete_space_clip(as, r->actions + i * r->act, r->env_actions + i * r->act);
    ck_assert_ok(athlete_vector_env_step(r->venv, r->env_actions, r->n * r->act, r->observations, r->rewards,
                                         r->terminated, r->truncated, r->finals, &err),
                 &err);
    ck_assert_ok(athlete_agent_vector_step(r->agent, r->observations, r->finals, r->rewards, r->terminated,
                                           r->truncated, &r->actions, &r->info, &err),
                 &err);
    for (size_t i = 0; i < r->n; i++)
        r->episodes += r->terminated[i] || r->truncated[i];
}

static void vrig_stop(vrig *r)
{
    athlete_agent_destroy(r->agent);
    athlete_vector_env_destroy(r->venv);
    free(r->observations);
    free(r->finals);
    free(r->env_actions);
    free(r->rewards);
    free(r->terminated);
    free(r->truncated);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)n);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return data;
}

START_TEST(one_env_is_the_single_agent)
{
    const vcase *c = &cases[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    uint64_t seed = 7;
    athlete_env *env;
    ck_assert_ok(athlete_env_create(c->env, NULL, &env, &err), &err);
    const athlete_space *os = athlete_env_observation_space(env), *as = athlete_env_action_space(env);
    size_t obs_size = athlete_space_flat_size(os), act_size = athlete_space_flat_size(as);
    athlete_agent *single;
    ck_assert_ok(athlete_agent_create(reg, c->id, os, as, &seed, c->overrides, &single, &err), &err);
    vrig r;
    vrig_start(&r, reg, c, 1, seed);
    float obs[8], env_action[4];
    const float *action;
    ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(single, obs, &action, NULL, &err), &err);
    for (int t = 0; t < 600; t++) {
        ck_assert_msg(memcmp(action, r.actions, act_size * sizeof(float)) == 0, "%s on %s: actions differ at step %d",
                      c->id, c->env, t);
        double reward;
        bool terminated, truncated;
        athlete_space_clip(as, action, env_action);
        ck_assert_ok(athlete_env_step(env, env_action, act_size, obs, &reward, &terminated, &truncated, &err), &err);
        ck_assert_ok(athlete_agent_step(single, obs, reward, terminated, truncated, &action, NULL, &err), &err);
        if (terminated || truncated) {
            ck_assert_ok(athlete_env_reset(env, NULL, obs, &err), &err);
            ck_assert_ok(athlete_agent_reset_step(single, obs, &action, NULL, &err), &err);
        }
        vrig_step(&r);
        ck_assert_msg(memcmp(obs, r.observations, obs_size * sizeof(float)) == 0, "observations differ at step %d", t);
    }
    ck_assert_uint_eq(athlete_agent_clock(single)->interactions, athlete_agent_clock(r.agent)->interactions);
    ck_assert_uint_eq(athlete_agent_clock(single)->episodes, athlete_agent_clock(r.agent)->episodes);
    ck_assert_uint_eq(athlete_agent_clock(single)->data_points, athlete_agent_clock(r.agent)->data_points);
    char a[64], b[64];
    snprintf(a, sizeof a, "vector-single-%d.ckpt", (int)getpid());
    snprintf(b, sizeof b, "vector-one-%d.ckpt", (int)getpid());
    ck_assert_ok(athlete_agent_save_checkpoint(single, a, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_save_checkpoint(r.agent, b, true, NULL, &err), &err);
    size_t na, nb;
    unsigned char *da = read_all(a, &na), *db = read_all(b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(da, db, na) == 0, "%s: the checkpoints differ", c->id);
    free(da);
    free(db);
    remove(a);
    remove(b);
    athlete_agent_destroy(single);
    athlete_env_destroy(env);
    vrig_stop(&r);
    athlete_registry_destroy(reg);
}
END_TEST

/* A vector agent saved mid-run (with the environment state) and loaded continues exactly
 * as the uninterrupted one: every action and the final checkpoint bytes. */
START_TEST(many_envs_resume_bit_identically)
{
    const vcase *c = &cases[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    vrig a, b;
    vrig_start(&a, reg, c, 3, 21);
    vrig_start(&b, reg, c, 3, 21);
    for (int t = 0; t < 100; t++) {
        vrig_step(&a);
        vrig_step(&b);
    }
    char path[64], end_a[64], end_b[64];
    snprintf(path, sizeof path, "vector-resume-%d.ckpt", (int)getpid());
    snprintf(end_a, sizeof end_a, "vector-end-a-%d.ckpt", (int)getpid());
    snprintf(end_b, sizeof end_b, "vector-end-b-%d.ckpt", (int)getpid());
    ck_assert_ok(athlete_agent_save_checkpoint(b.agent, path, true, NULL, &err), &err);
    athlete_agent_destroy(b.agent);
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &b.agent, &err), &err);
    ck_assert_uint_eq(athlete_agent_num_envs(b.agent), 3);
    b.actions = athlete_agent_last_action(b.agent);
    for (int t = 0; t < 100; t++) {
        ck_assert_msg(memcmp(a.actions, b.actions, 3 * a.act * sizeof(float)) == 0, "%s: actions differ %d calls after loading",
                      c->id, t);
        vrig_step(&a);
        vrig_step(&b);
    }
    ck_assert_ok(athlete_agent_save_checkpoint(a.agent, end_a, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_save_checkpoint(b.agent, end_b, true, NULL, &err), &err);
    size_t na, nb;
    unsigned char *da = read_all(end_a, &na), *db = read_all(end_b, &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_msg(memcmp(da, db, na) == 0, "%s: the final checkpoints differ", c->id);
    free(da);
    free(db);
    remove(path);
    remove(end_a);
    remove(end_b);
    vrig_stop(&a);
    vrig_stop(&b);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(many_envs_run_every_algorithm_without_allocating)
{
    const vcase *c = &cases[_i];
    count_allocations_begin();
    athlete_registry *reg = registry();
    vrig r;
    vrig_start(&r, reg, c, 4, 3);
    for (int t = 0; t < 150; t++) /* past warmup and the first updates */
        vrig_step(&r);
    size_t before = allocation_count;
    for (int t = 0; t < 150; t++) /* PPO: two rollouts complete in here */
        vrig_step(&r);
    ck_assert_msg(allocation_count == before, "%s: %zu allocations in 150 steps of 4 environments", c->id,
                  allocation_count - before);
    const athlete_clock *clock = athlete_agent_clock(r.agent);
    ck_assert_uint_eq(clock->interactions, 4 * 300);
    ck_assert_uint_eq(clock->episodes, r.episodes);
    ck_assert_uint_gt(athlete_agent_clock(r.agent)->data_points, 0);
    /* Evaluation mode acts on every row too. */
    athlete_agent_eval(r.agent);
    athlete_error err;
    ck_assert_ok(athlete_agent_vector_reset_step(r.agent, r.observations, &r.actions, NULL, &err), &err);
    ck_assert_ptr_nonnull(r.actions);
    vrig_stop(&r);
    athlete_registry_destroy(reg);
    count_allocations_end();
}
END_TEST

/* The batched evaluation policy (one forward pass over the rows) acts on each row as it
 * acts on that row alone (the sums may run in another order: within float rounding). */
START_TEST(batched_acting_matches_single_rows)
{
    const vcase *c = &cases[_i];
    athlete_registry *reg = registry();
    vrig r;
    vrig_start(&r, reg, c, 5, 7);
    for (int t = 0; t < 150; t++) /* past warmup: trained weights */
        vrig_step(&r);
    athlete_agent_eval(r.agent);
    athlete_error err;
    float batch[5 * 8];
    ck_assert_uint_le(r.n * r.act, sizeof batch / sizeof batch[0]);
    ck_assert_ok(athlete_agent_vector_reset_step(r.agent, r.observations, &r.actions, NULL, &err), &err);
    memcpy(batch, r.actions, r.n * r.act * sizeof(float));
    for (size_t i = 0; i < r.n; i++) {
        const float *single;
        ck_assert_ok(athlete_agent_reset_step(r.agent, r.observations + i * r.obs, &single, NULL, &err), &err);
        for (size_t j = 0; j < r.act; j++)
            ck_assert_msg(fabsf(single[j] - batch[i * r.act + j]) <= 1e-5f * fmaxf(1.0f, fabsf(single[j])),
                          "%s: row %zu element %zu: %.9g alone, %.9g in the batch", c->id, i, j, single[j],
                          batch[i * r.act + j]);
    }
    vrig_stop(&r);
    athlete_registry_destroy(reg);
}
END_TEST

/* PPO's steps_per_update counts per environment: with 4 environments and 16 steps per
 * rollout an update runs every 16 calls (64 interactions). */
START_TEST(ppo_rollouts_hold_steps_times_envs)
{
    static const vcase c = {"ppo", "CartPole-v1",
                            "{\"steps_per_update\": 16, \"mini_batch_size\": 32, \"epochs_per_update\": 1,"
                            " \"actor_network_arguments\": {\"hidden_dims\": [8]},"
                            " \"value_network_arguments\": {\"hidden_dims\": [8]}}"};
    athlete_registry *reg = registry();
    vrig r;
    vrig_start(&r, reg, &c, 4, 11);
    athlete_error err;
    for (int call = 1; call <= 64; call++) {
        vrig_step(&r);
        bool updated = athlete_info_find(r.info, "loss") != NULL;
        ck_assert_msg(updated == (call % 16 == 0), "call %d: update %d", call, updated);
        char *steps = NULL;
        ck_assert_ok(athlete_agent_call(r.agent, "rollout_steps", "[]", &steps, &err), &err);
        char expected[16];
        snprintf(expected, sizeof expected, "%d", call % 16);
        ck_assert_str_eq(steps, expected);
        athlete_free(steps);
    }
    ck_assert_uint_eq(athlete_agent_clock(r.agent)->data_points, 4);
    vrig_stop(&r);
    athlete_registry_destroy(reg);
}
END_TEST

/* Schedules count interactions: DQN's ε after C calls of 4 environments is a single
 * agent's ε after 4 C steps. */
START_TEST(epsilon_decays_per_interaction)
{
    athlete_registry *reg = registry();
    vrig r;
    vrig_start(&r, reg, &cases[1], 4, 5);
    for (int call = 0; call < 100; call++)
        vrig_step(&r);
    athlete_error err;
    char *eps = NULL;
    ck_assert_ok(athlete_agent_call(r.agent, "epsilon", "[]", &eps, &err), &err);
    /* the seed defaults: start 1, end 0.05 over epsilon_decay_steps after 50 warmup steps */
    char *config = NULL;
    ck_assert_ok(athlete_agent_config_json(r.agent, false, &config, &err), &err);
    ck_assert_ptr_nonnull(strstr(config, "\"warmup_steps\":50"));
    athlete_free(config);
    athlete_env *env;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &env, &err), &err);
    athlete_agent *single;
    uint64_t seed = 5;
    ck_assert_ok(athlete_agent_create(reg, "dqn", athlete_env_observation_space(env), athlete_env_action_space(env),
                                      &seed, cases[1].overrides, &single, &err),
                 &err);
    ck_assert_ok(athlete_run_training(single, env, 400, &seed, NULL, &err), &err);
    char *single_eps = NULL;
    ck_assert_ok(athlete_agent_call(single, "epsilon", "[]", &single_eps, &err), &err);
    ck_assert_str_eq(eps, single_eps);
    athlete_free(eps);
    athlete_free(single_eps);
    athlete_agent_destroy(single);
    athlete_env_destroy(env);
    vrig_stop(&r);
    athlete_registry_destroy(reg);
}
END_TEST

/* A plugin with ABI 1.0's layout (no act_batch, a single-stream collector, a policy
 * reusing one info buffer) trains with 4 environments: the core acts row by row, keeps
 * each row's info and replays each stream (the plugin's collector verifies both). */
START_TEST(a_1_0_plugin_drives_many_envs_row_by_row)
{
    athlete_registry_options options = {sizeof options, getenv("ATHLETE_LEGACY_PLUGIN_DIR"), true, false};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    static const vcase c = {"legacy_echo", "CartPole-v1", NULL};
    count_allocations_begin();
    vrig r;
    vrig_start(&r, reg, &c, 4, 2);
    for (int t = 0; t < 50; t++)
        vrig_step(&r);
    size_t before = allocation_count;
    for (int t = 0; t < 250; t++)
        vrig_step(&r);
    ck_assert_uint_eq(allocation_count, before);
    ck_assert_uint_gt(r.episodes, 4);
    char *collects = NULL;
    ck_assert_ok(athlete_agent_call(r.agent, "collects", "[]", &collects, &err), &err);
    ck_assert_str_eq(collects, "1200");
    athlete_free(collects);
    vrig_stop(&r);
    athlete_registry_destroy(reg);
    count_allocations_end();
}
END_TEST

START_TEST(bad_calls_are_refused)
{
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *env;
    ck_assert_ok(athlete_env_create("CartPole-v1", NULL, &env, &err), &err);
    const athlete_space *os = athlete_env_observation_space(env), *as = athlete_env_action_space(env);
    athlete_agent *agent;
    uint64_t seed = 1;
    ck_assert_fails(athlete_agent_create_vector(reg, "ppo", os, as, 0, &seed, NULL, &agent, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "agent_create_vector: num_envs must be in [1, 65536], got 0");
    ck_assert_ok(athlete_agent_create_vector(reg, "ppo", os, as, 2, &seed, NULL, &agent, &err), &err);
    float obs[8] = {0}, finals[8] = {0};
    double rewards[2] = {1, 1};
    bool term[2] = {false, true}, trunc[2] = {false, false};
    const float *actions;
    ck_assert_fails(athlete_agent_reset_step(agent, obs, &actions, NULL, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "reset_step: this agent drives 2 environments; call athlete_agent_vector_reset_step");
    ck_assert_fails(athlete_agent_vector_step(agent, obs, finals, rewards, term, trunc, &actions, NULL, &err), &err,
                    ATHLETE_E_CALL_ORDER, "vector_step: no episodes in progress; call vector_reset_step first");
    obs[5] = NAN;
    ck_assert_fails(athlete_agent_vector_reset_step(agent, obs, &actions, NULL, &err), &err, ATHLETE_E_NON_FINITE,
                    "vector_reset_step: row 1: observation[1] is NaN");
    obs[5] = 0;
    ck_assert_ok(athlete_agent_vector_reset_step(agent, obs, &actions, NULL, &err), &err);
    ck_assert_fails(athlete_agent_vector_step(agent, obs, NULL, rewards, term, trunc, &actions, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "vector_step: an episode ended, so final_observations must hold");
    rewards[1] = NAN;
    ck_assert_fails(athlete_agent_vector_step(agent, obs, finals, rewards, term, trunc, &actions, NULL, &err), &err,
                    ATHLETE_E_NON_FINITE, "vector_step: reward[1] is NaN");
    rewards[1] = 1;
    ck_assert_uint_eq(athlete_agent_clock(agent)->interactions, 0); /* refused calls changed nothing */
    ck_assert_ok(athlete_agent_vector_step(agent, obs, finals, rewards, term, trunc, &actions, NULL, &err), &err);
    ck_assert_uint_eq(athlete_agent_clock(agent)->interactions, 2);
    ck_assert_uint_eq(athlete_agent_clock(agent)->episodes, 1);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_registry_destroy(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("vector-agent");
    TCase *tc = tcase_create("vector-agent");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, one_env_is_the_single_agent, 0, (int)CASES);
    tcase_add_loop_test(tc, many_envs_run_every_algorithm_without_allocating, 0, (int)CASES);
    tcase_add_loop_test(tc, many_envs_resume_bit_identically, 0, (int)CASES);
    tcase_add_loop_test(tc, batched_acting_matches_single_rows, 1, (int)CASES); /* not q_learning: random tie breaks */
    tcase_add_test(tc, ppo_rollouts_hold_steps_times_envs);
    tcase_add_test(tc, epsilon_decays_per_interaction);
    tcase_add_test(tc, bad_calls_are_refused);
    tcase_add_test(tc, a_1_0_plugin_drives_many_envs_row_by_row);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Checkpoints from strangers: files whose CRCs were recomputed after a deliberate edit
 * pass every integrity check, so each edit below must be caught by a semantic one, with
 * an exact message, before an agent is handed back. Also files that are not files (a
 * FIFO, a device), huge sparse files, limits, and linear-time parsing. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/vector-env.h>

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint-edit.h"
#include "test-util.h"

/* Under valgrind (50 times slower) the size and time cases shrink to what still proves
 * the behaviour; the full sizes run in the normal and sanitizer builds. */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND (RUNNING_ON_VALGRIND != 0)
#else
#define UNDER_VALGRIND false
#endif

static char dir[256];
static athlete_registry *reg;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/athlete-hostile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
}

static void teardown(void)
{
    athlete_registry_destroy(reg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Reads and parses a saved checkpoint. */
static void parse_checkpoint(const char *path, ckpt_file *out)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static unsigned char buf[1 << 20];
    size_t size = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert(ckpt_parse(buf, size, out));
}

/* Trains `steps` steps and saves mid-episode (with the environment state); returns the
 * parsed file. */
static void make_checkpoint(const char *algorithm, const char *env_id, const char *overrides, int steps,
                            ckpt_file *out)
{
    athlete_error err;
    athlete_env *env;
    athlete_agent *agent;
    uint64_t seed = 3;
    ck_assert_ok(athlete_env_create(env_id, NULL, &env, &err), &err);
    ck_assert_ok(athlete_agent_create(reg, algorithm, athlete_env_observation_space(env), athlete_env_action_space(env),
                                      &seed, overrides, &agent, &err),
                 &err);
    float observation[8], env_action[8];
    const float *action;
    ck_assert_ok(athlete_env_reset(env, &seed, observation, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(agent, observation, &action, NULL, &err), &err);
    const athlete_space *space = athlete_env_action_space(env);
    for (int t = 0; t < steps || !action; t++) {
        if (!action) {
            ck_assert_ok(athlete_env_reset(env, NULL, observation, &err), &err);
            ck_assert_ok(athlete_agent_reset_step(agent, observation, &action, NULL, &err), &err);
            continue;
        }
        athlete_space_clip(space, action, env_action);
        double reward;
        bool terminated, truncated;
        ck_assert_ok(athlete_env_step(env, env_action, athlete_space_flat_size(space), observation, &reward,
                                      &terminated, &truncated, &err),
                     &err);
        ck_assert_ok(athlete_agent_step(agent, observation, reward, terminated, truncated, &action, NULL, &err), &err);
    }
    char path[300];
    snprintf(path, sizeof path, "%s/%s.ckpt", dir, algorithm);
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    parse_checkpoint(path, out);
}

static const char *write_sealed(ckpt_file *f, const char *name)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t size;
    unsigned char *data = ckpt_seal(f, &size);
    ck_assert_ptr_nonnull(data);
    FILE *out = fopen(path, "wb");
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(fwrite(data, 1, size, out), size);
    ck_assert_int_eq(fclose(out), 0);
    free(data);
    return path;
}

/* Loads `path` (with the environment state) and expects `status` and `message` exactly
 * after the file name prefix. */
static void expect_refused(const char *path, bool with_env, athlete_status status, const char *message)
{
    athlete_error err;
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_from_checkpoint(reg, path, with_env, &agent, &err), &err, status, message);
    ck_assert_ptr_null(agent);
    char expected[1024];
    snprintf(expected, sizeof expected, "'%s': %s", path, message);
    ck_assert_str_eq(err.message, expected);
}

static void set_float(ckpt_file *f, const char *name, size_t index, float value)
{
    ckpt_record *r = ckpt_find(f, name);
    ck_assert_msg(r != NULL, "no record %s", name);
    ck_assert_uint_eq(r->type, ATHLETE_RECORD_F32);
    ck_assert_uint_gt(r->count, index);
    memcpy(r->payload + 4 * index, &value, 4);
}

static void set_u64(ckpt_file *f, const char *name, size_t index, uint64_t value)
{
    ckpt_record *r = ckpt_find(f, name);
    ck_assert_msg(r != NULL, "no record %s", name);
    ck_assert_uint_gt(r->count, index);
    ckpt_put_le(r->payload + 8 * index, value, 8);
}

static uint64_t get_u64(ckpt_file *f, const char *name, size_t index)
{
    ckpt_record *r = ckpt_find(f, name);
    ck_assert_msg(r != NULL, "no record %s", name);
    return ckpt_get_le(r->payload + 8 * index, 8);
}

#define DQN_SMALL                                                                                                  \
    "{\"value_network_arguments\": {\"hidden_dims\": [16, 16]}, \"replay_buffer_mini_batch_size\": 8,"           \
    " \"replay_buffer_capacity\": 500, \"warmup_steps\": 50}"
#define PPO_SMALL                                                                                                  \
    "{\"steps_per_update\": 64, \"mini_batch_size\": 16, \"epochs_per_update\": 1,"                              \
    " \"actor_network_arguments\": {\"hidden_dims\": [8]}, \"value_network_arguments\": {\"hidden_dims\": [8]}}"

START_TEST(test_unedited_loads)
{
    /* The baseline: the re-sealed but unchanged files load. */
    static const char *const algorithms[][3] = {{"dqn", "CartPole-v1", DQN_SMALL},
                                                {"q_learning", "FrozenLake-v1", NULL},
                                                {"ppo", "CartPole-v1", PPO_SMALL}};
    for (size_t i = 0; i < 3; i++) {
        ckpt_file f;
        make_checkpoint(algorithms[i][0], algorithms[i][1], algorithms[i][2], 300, &f);
        const char *path = write_sealed(&f, "resealed");
        athlete_error err;
        athlete_agent *agent = NULL;
        ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err);
        athlete_agent_destroy(agent);
        ckpt_free(&f);
    }
}
END_TEST

START_TEST(test_replay_action_out_of_space)
{
    ckpt_file f;
    make_checkpoint("dqn", "CartPole-v1", DQN_SMALL, 300, &f);
    set_float(&f, "updatable.replay_buffer.actions", 17, 7.0f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'updatable.replay_buffer.actions' row 17: action = 7 is not an integer in [0, 2)");
    set_float(&f, "updatable.replay_buffer.actions", 17, 0.5f);
    expect_refused(write_sealed(&f, "bad"), false, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'updatable.replay_buffer.actions' row 17: action = 0.5 is not an integer in [0, 2)");
    set_float(&f, "updatable.replay_buffer.actions", 17, 1.0f);
    set_float(&f, "updatable.replay_buffer.terminateds", 3, 2.0f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'updatable.replay_buffer.terminateds' holds 2 at 3 (0 or 1 expected)");
    set_float(&f, "updatable.replay_buffer.terminateds", 3, 0.0f);
    set_float(&f, "updatable.replay_buffer.next_observations", 5, NAN);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'updatable.replay_buffer.next_observations' row 1: observation[1] is NaN");
    ckpt_free(&f);
}
END_TEST

START_TEST(test_pending_action_and_observation)
{
    ckpt_file f;
    make_checkpoint("q_learning", "FrozenLake-v1", NULL, 300, &f);
    ck_assert_uint_eq(get_u64(&f, "env.episode_active", 0), 1);
    set_float(&f, "env.last_action", 0, 9.0f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.last_action' row 0: action = 9 is not an integer in [0, 4)");
    set_float(&f, "env.last_action", 0, 1.0f);
    set_float(&f, "env.collector.previous_observation", 0, -1.0f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.collector.previous_observation' row 0: observation = -1 is not an integer in [0, 16)");
    set_float(&f, "env.collector.previous_observation", 0, 3.0f);
    set_u64(&f, "env.episode_active", 0, 2);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.episode_active' holds 2 (0 or 1 expected)");
    ckpt_free(&f);
}
END_TEST

START_TEST(test_partial_rollout_action)
{
    ckpt_file f;
    make_checkpoint("ppo", "CartPole-v1", PPO_SMALL, 100, &f); /* 36 transitions into the second rollout */
    ck_assert_uint_gt(get_u64(&f, "env.collector.count", 0), 0);
    set_float(&f, "env.collector.actions", 0, 5.0f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.collector.actions' row 0: action = 5 is not an integer in [0, 2)");
    set_float(&f, "env.collector.actions", 0, 1.0f);
    set_float(&f, "env.collector.previous_observation", 1, NAN);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.collector.previous_observation' holds NaN at 1");
    set_float(&f, "env.collector.previous_observation", 1, 0.0f);
    set_float(&f, "env.collector.log_probs", 2, INFINITY);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'env.collector.log_probs' holds infinity at 2");
    ckpt_free(&f);
}
END_TEST

/* A vector agent of n environments trained `steps` calls on a vector environment, saved
 * with the environments running. */
static void make_vector_checkpoint(const char *algorithm, const char *env_id, const char *overrides, size_t n,
                                   int steps, ckpt_file *out)
{
    athlete_error err;
    athlete_vector_env *venv;
    athlete_agent *agent;
    uint64_t seed = 3;
    ck_assert_ok(athlete_vector_env_create(env_id, NULL, n, &venv, &err), &err);
    const athlete_space *os = athlete_vector_env_observation_space(venv), *as = athlete_vector_env_action_space(venv);
    ck_assert_ok(athlete_agent_create_vector(reg, algorithm, os, as, n, &seed, overrides, &agent, &err), &err);
    size_t obs = athlete_space_flat_size(os), act = athlete_space_flat_size(as);
    float observations[64], finals[64], env_actions[64];
    double rewards[8];
    bool terminated[8], truncated[8];
    ck_assert_uint_le(n * obs, 64);
    ck_assert_uint_le(n, 8);
    const float *actions;
    ck_assert_ok(athlete_vector_env_reset(venv, &seed, observations, &err), &err);
    ck_assert_ok(athlete_agent_vector_reset_step(agent, observations, &actions, NULL, &err), &err);
    for (int t = 0; t < steps; t++) {
        for (size_t i = 0; i < n; i++)
            athlete_space_clip(as, actions + i * act, env_actions + i * act);
        ck_assert_ok(athlete_vector_env_step(venv, env_actions, n * act, observations, rewards, terminated, truncated,
                                             finals, &err),
                     &err);
        ck_assert_ok(athlete_agent_vector_step(agent, observations, finals, rewards, terminated, truncated, &actions,
                                               NULL, &err),
                     &err);
    }
    char path[300];
    snprintf(path, sizeof path, "%s/%s-vector.ckpt", dir, algorithm);
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, false, NULL, &err), &err);
    athlete_agent_destroy(agent);
    athlete_vector_env_destroy(venv);
    parse_checkpoint(path, out);
}

/* PPO with a noise process and several environments keeps one process per environment:
 * every one is validated on load. */
START_TEST(test_vector_noise_processes)
{
    ckpt_file f;
    make_vector_checkpoint("ppo", "Pendulum-v1",
                           "{\"steps_per_update\": 16, \"mini_batch_size\": 16, \"epochs_per_update\": 1,"
                           " \"actor_network_arguments\": {\"hidden_dims\": [8]},"
                           " \"value_network_arguments\": {\"hidden_dims\": [8]},"
                           " \"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 20}}",
                           3, 30, &f);
    set_u64(&f, "policy.training.noise_2.position", 0, 21);
    expect_refused(write_sealed(&f, "bad"), false, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "noise: record 'noise_2.position' holds 21, beyond the horizon 20");
    set_u64(&f, "policy.training.noise_2.position", 0, 3);
    ckpt_record *r = ckpt_find(&f, "policy.training.noise_1.std");
    ck_assert_ptr_nonnull(r);
    double negative = -1;
    memcpy(r->payload, &negative, 8);
    expect_refused(write_sealed(&f, "bad"), false, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "noise: record 'noise_1.std' holds -1");
    ckpt_free(&f);
}
END_TEST

START_TEST(test_clock_ahead_of_components)
{
    ckpt_file f;
    make_checkpoint("dqn", "CartPole-v1", DQN_SMALL, 300, &f);
    uint64_t points = get_u64(&f, "agent.clock", 2);
    set_u64(&f, "agent.clock", 2, points + 1);
    char message[256];
    snprintf(message, sizeof message,
             "checkpoint: the replay update has added %llu data points, the clock counts %llu",
             (unsigned long long)points, (unsigned long long)points + 1);
    expect_refused(write_sealed(&f, "bad"), false, ATHLETE_E_CHECKPOINT_CORRUPT, message);
    set_u64(&f, "agent.clock", 2, points);
    uint64_t interactions = get_u64(&f, "agent.clock", 0), episodes = get_u64(&f, "agent.clock", 1);
    set_u64(&f, "agent.clock", 1, interactions + 1);
    snprintf(message, sizeof message, "checkpoint: the clock counts %llu episodes in %llu interactions",
             (unsigned long long)interactions + 1, (unsigned long long)interactions);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT, message);
    set_u64(&f, "agent.clock", 1, episodes);
    set_u64(&f, "agent.clock", 0, UINT64_MAX); /* one step later it would wrap to 0 */
    snprintf(message, sizeof message, "checkpoint: the clock counts %llu interactions and %llu data points (at most 2^53 each)",
             (unsigned long long)UINT64_MAX, (unsigned long long)points);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT, message);
    set_u64(&f, "agent.clock", 0, interactions);
    set_u64(&f, "updatable.value_function.schedule", 0, 1000000);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'schedule' holds a schedule ahead of the clock or a flag other than 0/1");
    ckpt_free(&f);

    make_checkpoint("q_learning", "FrozenLake-v1", NULL, 300, &f);
    interactions = get_u64(&f, "agent.clock", 0);
    set_u64(&f, "agent.clock", 0, interactions + 1);
    snprintf(message, sizeof message, "checkpoint: the q_table update ran at step %llu after warmup, the clock is at %llu",
             (unsigned long long)interactions, (unsigned long long)interactions + 1);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT, message);
    ckpt_free(&f);
}
END_TEST

/* A finite but absurd standard deviation loads (it is a number the optimiser could reach),
 * and the first sampled action is then refused instead of filling the rollout with NaN
 * log probabilities that a later save would carry. */
START_TEST(test_collapsed_standard_deviation)
{
    ckpt_file f;
    make_checkpoint("ppo", "Pendulum-v1", PPO_SMALL, 100, &f);
    ck_assert_ptr_nonnull(ckpt_find(&f, "state.log_std"));
    set_float(&f, "state.log_std", 0, -3.0e38f); /* sigma = 0: log N(a; mu, 0) is NaN */
    athlete_error err;
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, write_sealed(&f, "collapsed"), false, &agent, &err), &err);
    float observation[3] = {1, 0, 0};
    const float *action = NULL;
    athlete_clock before = *athlete_agent_clock(agent);
    ck_assert_fails(athlete_agent_reset_step(agent, observation, &action, NULL, &err), &err, ATHLETE_E_NON_FINITE,
                    "produced action[0] = NaN (did training diverge?)");
    ck_assert_mem_eq(&before, athlete_agent_clock(agent), sizeof before);
    athlete_agent_destroy(agent);
    ckpt_free(&f);
}
END_TEST

START_TEST(test_info_key_with_control_byte)
{
    ckpt_file f;
    make_checkpoint("ppo", "CartPole-v1", PPO_SMALL, 100, &f);
    ckpt_record *r = ckpt_find(&f, "env.info.0.key");
    ck_assert_ptr_nonnull(r);
    ck_assert_uint_gt(r->count, 2);
    r->payload[1] = '\0'; /* re-saved by its string length, it would become another key */
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'info.0.key' holds a control byte 0x00 at 1");
    r->payload[1] = '\n';
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'info.0.key' holds a control byte 0x0a at 1");
    ckpt_free(&f);
}
END_TEST

/* gSDE's scales, acting matrix and step counter: each checked on load, nothing loaded. */
START_TEST(test_gsde_records)
{
    ckpt_file f;
    make_checkpoint("sac", "MountainCarContinuous-v0",
                    "{\"warmup_steps\": 50, \"replay_buffer_mini_batch_size\": 8, \"replay_buffer_capacity\": 500,"
                    " \"critic_network_arguments\": {\"hidden_dims\": [8]}, \"critic_2_network_arguments\": {\"hidden_dims\": [8]},"
                    " \"actor_network_arguments\": {\"hidden_dims\": [8]}, \"use_sde\": true, \"sde_sample_freq\": 4}",
                    120, &f);
    /* log sigma is trained: a diverged one loads (as the agent that diverged saved it) and
     * the policy then refuses to act. */
    set_float(&f, "state.gsde.log_std", 0, NAN);
    {
        athlete_error err;
        athlete_agent *agent = NULL;
        ck_assert_ok(athlete_agent_from_checkpoint(reg, write_sealed(&f, "diverged"), false, &agent, &err), &err);
        float observation[2] = {-0.5f, 0.0f};
        const float *action = NULL;
        ck_assert_fails(athlete_agent_reset_step(agent, observation, &action, NULL, &err), &err, ATHLETE_E_NON_FINITE,
                        "produced action[0] = NaN (did training diverge?)");
        athlete_agent_destroy(agent);
    }
    set_float(&f, "state.gsde.log_std", 0, -3.0f);
    set_float(&f, "state.gsde.draws", 1, NAN);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: record 'state.gsde.draws' holds NaN at 1");
    set_float(&f, "state.gsde.draws", 1, 1e9f);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "gsde: record 'gsde.draws' holds 1e+09 at 1, outside [-64, 64]");
    set_float(&f, "state.gsde.draws", 1, 0.5f);
    set_u64(&f, "state.gsde.steps", 0, 5);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "gsde: record 'gsde.steps' holds 5, beyond the sampling frequency's 4");
    set_u64(&f, "state.gsde.steps", 0, 4);
    athlete_error err;
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, write_sealed(&f, "good"), true, &agent, &err), &err);
    athlete_agent_destroy(agent);
    ckpt_free(&f);
}
END_TEST

START_TEST(test_degenerate_rng)
{
    ckpt_file f;
    make_checkpoint("dqn", "CartPole-v1", DQN_SMALL, 300, &f);
    ckpt_record *r = ckpt_find(&f, "policy.training.rng");
    ck_assert_ptr_nonnull(r);
    memset(r->payload, 0, 32);
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: random generator 'policy.training.rng' has an all-zero state (the generator would only ever give 0)");
    r->payload[0] = 1;
    r->payload[40] = 2; /* has_spare */
    expect_refused(write_sealed(&f, "bad"), true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: random generator 'policy.training.rng' has a spare flag other than 0 or 1");
    ckpt_free(&f);
}
END_TEST

/* The message of the memory ceiling for a file of this size (the default limit plus four
 * times the records' size, or `limit` when given). */
static void memory_limit_message(const char *path, const ckpt_file *f, unsigned long long limit, char *out,
                                 size_t size)
{
    struct stat sb;
    ck_assert_int_eq(stat(path, &sb), 0);
    unsigned long long records = (unsigned long long)sb.st_size - 28 - strlen(f->header);
    snprintf(out, size,
             "the agent its header describes needs more than the memory limit for loading of %llu bytes "
             "(ATHLETE_LOAD_MEMORY_LIMIT raises it)",
             limit + 4ull * records);
}

START_TEST(test_huge_configuration_fails_fast)
{
    /* hidden_dims [65536, 65536] (16 GB of weights) and a 9e8-transition replay buffer:
     * refused at once by the configuration's bounds, before anything of that size is
     * allocated. */
    static const char *const edits[][3] = {
        {"\"hidden_dims\":[16,16]", "\"hidden_dims\":[65536,65536]",
         "dqn: dqn config: the agent would have 8590983172 parameters, more than 'max_parameters' (50000000)"},
        {"\"replay_buffer_capacity\":500", "\"replay_buffer_capacity\":900000000",
         "dqn: dqn config: 'replay_buffer_capacity' must be <= 100000000, got 900000000"},
    };
    char message[256];
    for (size_t i = 0; i < 2; i++) {
        ckpt_file f;
        make_checkpoint("dqn", "CartPole-v1", DQN_SMALL, 300, &f);
        ck_assert(ckpt_header_replace(&f, edits[i][0], edits[i][1]));
        const char *path = write_sealed(&f, "bad");
        double t0 = now();
        expect_refused(path, true, ATHLETE_E_CONFIG_VALUE, edits[i][2]);
        ck_assert_msg(UNDER_VALGRIND || now() - t0 < 5.0, "refusing took %.1f s", now() - t0);
        ckpt_free(&f);
    }
    /* Within every bound but costly to initialise: ppo's orthogonal initialisation of a
     * 16384 x 256 layer is tens of seconds of QR work, skipped since the file's weights replace it;
     * the record's size then refuses the file. */
    {
        ckpt_file f;
        make_checkpoint("ppo", "CartPole-v1", PPO_SMALL, 100, &f);
        ck_assert(ckpt_header_replace(&f, "\"actor_network_arguments\":{\"hidden_dims\":[8]}",
                                      "\"actor_network_arguments\":{\"hidden_dims\":[16384,256]}"));
        const char *path = write_sealed(&f, "bad");
        double t0 = now();
        expect_refused(path, true, ATHLETE_E_CHECKPOINT_MISMATCH,
                       "checkpoint: record 'state.actor' holds 58 f32 values, expected 4276994");
        ck_assert_msg(UNDER_VALGRIND || now() - t0 < 5.0, "refusing took %.1f s", now() - t0);
        ckpt_free(&f);
    }
    /* The limit itself, with a configuration no key bound refuses: 1024-1024 networks
     * under a 1 MB limit. */
    ckpt_file f;
    make_checkpoint("dqn", "CartPole-v1", DQN_SMALL, 300, &f);
    ck_assert(ckpt_header_replace(&f, "\"hidden_dims\":[16,16]", "\"hidden_dims\":[1024,1024]"));
    const char *path = write_sealed(&f, "bad");
    ck_assert_int_eq(setenv("ATHLETE_LOAD_MEMORY_LIMIT", "1000000", 1), 0);
    memory_limit_message(path, &f, 1000000ull, message, sizeof message);
    expect_refused(path, true, ATHLETE_E_CHECKPOINT_CORRUPT, message);
    ck_assert_int_eq(unsetenv("ATHLETE_LOAD_MEMORY_LIMIT"), 0);
    ckpt_free(&f);
}
END_TEST

START_TEST(test_header_fields)
{
    ckpt_file f;
    make_checkpoint("q_learning", "FrozenLake-v1", NULL, 50, &f);
    ck_assert(ckpt_header_replace(&f, "\"seed\":\"3\"", "\"seed\":\"3x\""));
    const char *path = write_sealed(&f, "bad");
    char expected[400];
    snprintf(expected, sizeof expected, "checkpoint '%s': the header's seed \"3x\" is not a decimal 64-bit integer",
             path);
    athlete_error err;
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    expected);
    ck_assert_str_eq(err.message, expected);
    ck_assert(ckpt_header_replace(&f, "\"seed\":\"3x\"", "\"seed\":\"18446744073709551616\""));
    snprintf(expected, sizeof expected,
             "checkpoint '%s': the header's seed \"18446744073709551616\" is not a decimal 64-bit integer", path);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, write_sealed(&f, "bad"), true, &agent, &err), &err,
                    ATHLETE_E_CHECKPOINT_CORRUPT, expected);
    ckpt_free(&f);
}
END_TEST

START_TEST(test_unknown_record_without_environment_state)
{
    ckpt_file f;
    make_checkpoint("q_learning", "FrozenLake-v1", NULL, 50, &f);
    uint64_t one = 1;
    free(f.records[--f.count].payload); /* the end record, re-added after the new one */
    ck_assert_ptr_nonnull(ckpt_add(&f, "bogus", ATHLETE_RECORD_U64, &one, 1));
    ck_assert_ptr_nonnull(ckpt_add(&f, "end", ATHLETE_RECORD_U64, &one, 1));
    expect_refused(write_sealed(&f, "bad"), false, ATHLETE_E_CHECKPOINT_MISMATCH,
                   "checkpoint: record 'bogus' belongs to no component of this q_learning agent");
    ckpt_free(&f);
}
END_TEST

START_TEST(test_many_records_linear)
{
    /* 200 000 extra records: refused quickly (a per-record scan of names would take
     * minutes), and past the record limit refused by name. */
    ckpt_file f;
    make_checkpoint("q_learning", "FrozenLake-v1", NULL, 50, &f);
    free(f.records[--f.count].payload);
    uint64_t one = 1;
    int extra = UNDER_VALGRIND ? 20000 : 200000;
    for (int i = 0; i < extra; i++) {
        char name[32];
        snprintf(name, sizeof name, "x.%d", i);
        ck_assert_ptr_nonnull(ckpt_add(&f, name, ATHLETE_RECORD_U64, &one, 1));
    }
    ck_assert_ptr_nonnull(ckpt_add(&f, "end", ATHLETE_RECORD_U64, &one, 1));
    const char *path = write_sealed(&f, "bad");
    double t0 = now();
    expect_refused(path, true, ATHLETE_E_CHECKPOINT_MISMATCH,
                   "checkpoint: record 'x.0' belongs to no component of this q_learning agent");
    ck_assert_msg(UNDER_VALGRIND || now() - t0 < 5.0, "took %.1f s", now() - t0);
    if (UNDER_VALGRIND) {
        ckpt_free(&f);
        return;
    }
    free(f.records[--f.count].payload); /* the end record */
    for (int i = extra; i <= ATHLETE_CHECKPOINT_MAX_RECORDS; i++) {
        char name[32];
        snprintf(name, sizeof name, "x.%d", i);
        ck_assert_ptr_nonnull(ckpt_add(&f, name, ATHLETE_RECORD_BYTES, NULL, 0));
    }
    path = write_sealed(&f, "bad");
    expect_refused(path, true, ATHLETE_E_CHECKPOINT_CORRUPT,
                   "checkpoint: more than 1000000 records (the limit on the record count)");
    ckpt_free(&f);
}
END_TEST

START_TEST(test_not_regular_files)
{
    athlete_error err;
    athlete_agent *agent = NULL;
    char fifo[300];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    char expected[400];
    snprintf(expected, sizeof expected, "checkpoint '%s' is not a regular file", fifo);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, fifo, true, &agent, &err), &err, ATHLETE_E_IO, expected);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, "/dev/zero", true, &agent, &err), &err, ATHLETE_E_IO,
                    "checkpoint '/dev/zero' is not a regular file");
    ck_assert_fails(athlete_agent_from_checkpoint(reg, dir, true, &agent, &err), &err, ATHLETE_E_IO,
                    "' is not a regular file");
}
END_TEST

START_TEST(test_huge_sparse_files)
{
    athlete_error err;
    athlete_agent *agent = NULL;
    char path[300], expected[512];
    snprintf(path, sizeof path, "%s/sparse", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 4ll << 30), 0); /* 4 GiB of holes */
    snprintf(expected, sizeof expected,
             "checkpoint '%s' is 4294967296 bytes, beyond the file size limit of 2147483648 bytes "
             "(ATHLETE_CHECKPOINT_MAX_BYTES raises it)",
             path);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    expected);
    ck_assert_str_eq(err.message, expected);
    /* Below the limit the magic is read first: nothing else is. */
    ck_assert_int_eq(ftruncate(fd, 1ll << 30), 0);
    double t0 = now();
    ck_assert_fails(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "' is not an Athlete checkpoint (wrong magic)");
    ck_assert_msg(UNDER_VALGRIND || now() - t0 < 1.0, "took %.1f s", now() - t0);
    /* A good preamble claiming a header beyond the limit. */
    unsigned char preamble[24] = "ATHLCKPT";
    ckpt_put_le(preamble + 8, 1, 4);
    ckpt_put_le(preamble + 12, 1, 4);
    ckpt_put_le(preamble + 16, 17u << 20, 8);
    ck_assert_int_eq(pwrite(fd, preamble, 24, 0), 24);
    snprintf(expected, sizeof expected,
             "checkpoint '%s' claims a 17825792-byte header, beyond the header size limit of 16777216 bytes", path);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    expected);
    close(fd);
    unlink(path);
}
END_TEST

START_TEST(test_reward_beyond_float)
{
    athlete_error err;
    athlete_agent *agent;
    athlete_space obs = athlete_space_discrete(16), act = athlete_space_discrete(4);
    uint64_t seed = 1;
    ck_assert_ok(athlete_agent_create(reg, "q_learning", &obs, &act, &seed, NULL, &agent, &err), &err);
    float o = 0;
    ck_assert_ok(athlete_agent_reset_step(agent, &o, NULL, NULL, &err), &err);
    athlete_clock before = *athlete_agent_clock(agent);
    ck_assert_fails(athlete_agent_step(agent, &o, 1e300, false, false, NULL, NULL, &err), &err, ATHLETE_E_NON_FINITE,
                    "step: reward 1e+300 is beyond the float range (+-3.40282e+38)");
    ck_assert_str_eq(err.message, "step: reward 1e+300 is beyond the float range (+-3.40282e+38)");
    ck_assert_fails(athlete_agent_step(agent, &o, -1e39, false, false, NULL, NULL, &err), &err, ATHLETE_E_NON_FINITE,
                    "step: reward -1e+39 is beyond the float range");
    ck_assert_mem_eq(&before, athlete_agent_clock(agent), sizeof before);
    ck_assert_ok(athlete_agent_step(agent, &o, FLT_MAX, false, false, NULL, NULL, &err), &err);
    athlete_agent_destroy(agent);
}
END_TEST

START_TEST(test_space_validation_overflow)
{
    athlete_error err;
    size_t shape[4] = {(size_t)1 << 32, (size_t)1 << 32, 1, 1}; /* the product wraps to 0 */
    float bound = 0;
    athlete_space box = athlete_space_box(2, shape, &bound, &bound);
    ck_assert_fails(athlete_space_validate(&box, "observation space", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "observation space: Box has more than 16777216 elements (the limit on a space's flat size)");
    athlete_space discrete = athlete_space_discrete(4);
    discrete.start = INT64_MAX;
    ck_assert_fails(athlete_space_validate(&discrete, "action space", &err), &err, ATHLETE_E_SPACE_MISMATCH,
                    "action space: Discrete start must keep every value within +-2^24 (values travel as float), got start 9223372036854775807");
    discrete.start = -(1 << 24);
    ck_assert_ok(athlete_space_validate(&discrete, "action space", &err), &err);
    /* Box bounds are parsed in linear time: 1 M elements in well under a second per 100 k. */
    size_t n = UNDER_VALGRIND ? 20000 : 1000000;
    char *json = malloc(n * 8 + 100);
    ck_assert_ptr_nonnull(json);
    size_t pos = (size_t)sprintf(json, "{\"type\":\"Box\",\"shape\":[%zu],\"low\":[", n);
    for (int side = 0; side < 2; side++) {
        for (size_t i = 0; i < n; i++) {
            memcpy(json + pos, i ? ",0" : "0", i ? 2 : 1);
            pos += i ? 2 : 1;
        }
        pos += (size_t)sprintf(json + pos, side ? "]}" : "],\"high\":[");
    }
    json[pos] = '\0';
    athlete_space *parsed = NULL;
    double t0 = now();
    ck_assert_ok(athlete_space_from_json(json, &parsed, &err), &err);
    ck_assert_msg(UNDER_VALGRIND || now() - t0 < 10.0, "took %.1f s", now() - t0);
    ck_assert_uint_eq(athlete_space_flat_size(parsed), n);
    athlete_space_free(parsed);
    free(json);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("hostile");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_unedited_loads);
    tcase_add_test(tc, test_gsde_records);
    tcase_add_test(tc, test_replay_action_out_of_space);
    tcase_add_test(tc, test_pending_action_and_observation);
    tcase_add_test(tc, test_partial_rollout_action);
    tcase_add_test(tc, test_vector_noise_processes);
    tcase_add_test(tc, test_clock_ahead_of_components);
    tcase_add_test(tc, test_degenerate_rng);
    tcase_add_test(tc, test_info_key_with_control_byte);
    tcase_add_test(tc, test_collapsed_standard_deviation);
    tcase_add_test(tc, test_huge_configuration_fails_fast);
    tcase_add_test(tc, test_header_fields);
    tcase_add_test(tc, test_unknown_record_without_environment_state);
    tcase_add_test(tc, test_many_records_linear);
    tcase_add_test(tc, test_not_regular_files);
    tcase_add_test(tc, test_huge_sparse_files);
    tcase_add_test(tc, test_reward_beyond_float);
    tcase_add_test(tc, test_space_validation_overflow);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Checkpoints lose nothing: bit-identical resume for every algorithm, the call-order
 * rules after loading, corruption of every kind caught with a precise message, and a
 * saving process killed at random points never damages the previous checkpoint. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-registry.h"
#include "test-util.h"

typedef struct algorithm_case {
    const char *algorithm;
    const char *env_id;
    const char *overrides; /* small networks and short warmups keep the test quick */
    uint64_t before, after;
} algorithm_case;

static const algorithm_case cases[] = {
    {"q_learning", "FrozenLake-v1", NULL, 1003, 997},
#include "checkpoint-cases.inc"
};
enum { CASE_COUNT = sizeof cases / sizeof cases[0] };

static char dir[256];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/athlete-ckpt-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* A running episode: the environment, the agent, the pending action. */
typedef struct run {
    athlete_env *env;
    athlete_agent *agent;
    float observation[64], env_action[16];
    uint64_t trace; /* hash of every action and info value seen */
} run;

static void mix(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        *h = (*h ^ p[i]) * 1099511628211ull;
}

static void trace_step(run *r, const float *action, const athlete_info *info)
{
    size_t n = athlete_space_flat_size(athlete_env_action_space(r->env));
    if (action)
        mix(&r->trace, action, n * sizeof *action);
    for (size_t i = 0; info && i < info->count; i++) {
        const athlete_info_item *item = &info->items[i];
        mix(&r->trace, item->key, strlen(item->key));
        mix(&r->trace, &item->real, sizeof item->real);
        mix(&r->trace, &item->boolean, sizeof item->boolean);
        if (item->reals)
            mix(&r->trace, item->reals, item->count * sizeof(float));
    }
}

/* Steps the environment and the agent `steps` times from the pending action. */
static void advance(run *r, uint64_t steps)
{
    athlete_error err;
    const athlete_space *space = athlete_env_action_space(r->env);
    size_t n = athlete_space_flat_size(space);
    for (uint64_t t = 0; t < steps; t++) {
        const float *pending = athlete_agent_last_action(r->agent);
        ck_assert_ptr_nonnull(pending);
        athlete_space_clip(space, pending, r->env_action);
        double reward;
        bool terminated, truncated;
        ck_assert_ok(athlete_env_step(r->env, r->env_action, n, r->observation, &reward, &terminated, &truncated, &err),
                     &err);
        const float *action;
        const athlete_info *info;
        ck_assert_ok(athlete_agent_step(r->agent, r->observation, reward, terminated, truncated, &action, &info, &err),
                     &err);
        trace_step(r, action, info);
        if (terminated || truncated) {
            ck_assert_ok(athlete_env_reset(r->env, NULL, r->observation, &err), &err);
            ck_assert_ok(athlete_agent_reset_step(r->agent, r->observation, &action, &info, &err), &err);
            trace_step(r, action, info);
        }
    }
}

static void start(run *r, athlete_registry *reg, const algorithm_case *c, uint64_t seed)
{
    athlete_error err;
    memset(r, 0, sizeof *r);
    ck_assert_ok(athlete_env_create(c->env_id, NULL, &r->env, &err), &err);
    ck_assert_ok(athlete_agent_create(reg, c->algorithm, athlete_env_observation_space(r->env),
                                      athlete_env_action_space(r->env), &seed, c->overrides, &r->agent, &err),
                 &err);
    ck_assert_ok(athlete_env_reset(r->env, &seed, r->observation, &err), &err);
    const float *action;
    const athlete_info *info;
    ck_assert_ok(athlete_agent_reset_step(r->agent, r->observation, &action, &info, &err), &err);
    trace_step(r, action, info);
}

static void finish(run *r)
{
    athlete_agent_destroy(r->agent);
    athlete_env_destroy(r->env);
}

static unsigned char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return data;
}

static void spit(const char *path, const unsigned char *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, size, f), size);
    fclose(f);
}

START_TEST(resume_is_bit_identical)
{
    const algorithm_case *c = &cases[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    make_dir();
    char mid[300], end_straight[300], end_resumed[300];
    snprintf(mid, sizeof mid, "%s/mid", dir);
    snprintf(end_straight, sizeof end_straight, "%s/end-straight", dir);
    snprintf(end_resumed, sizeof end_resumed, "%s/end-resumed", dir);

    /* Uninterrupted: N steps, save (with environment state) mid-episode, M more. */
    run a;
    start(&a, reg, c, 11);
    advance(&a, c->before);
    ck_assert_ok(athlete_agent_save_checkpoint(a.agent, mid, true, NULL, &err), &err);
    size_t env_size = athlete_env_state_size(a.env);
    unsigned char *env_state = malloc(env_size);
    ck_assert_ok(athlete_env_get_state(a.env, env_state, env_size, &err), &err);
    uint64_t trace_at_save = a.trace;
    advance(&a, c->after);
    ck_assert_ok(athlete_agent_save_checkpoint(a.agent, end_straight, true, NULL, &err), &err);

    /* Resumed: load agent and environment state, the same M steps. */
    run b;
    memset(&b, 0, sizeof b);
    ck_assert_ok(athlete_env_create(c->env_id, NULL, &b.env, &err), &err);
    ck_assert_ok(athlete_env_set_state(b.env, env_state, env_size, &err), &err);
    ck_assert_ok(athlete_agent_from_checkpoint(reg, mid, true, &b.agent, &err), &err);
    b.trace = trace_at_save;
    advance(&b, c->after);
    ck_assert_ok(athlete_agent_save_checkpoint(b.agent, end_resumed, true, NULL, &err), &err);

    ck_assert_uint_eq(a.trace, b.trace); /* every action and agent_info value */
    size_t sa, sb;
    unsigned char *fa = slurp(end_straight, &sa), *fb = slurp(end_resumed, &sb);
    ck_assert_uint_eq(sa, sb);
    ck_assert_msg(memcmp(fa, fb, sa) == 0, "%s: final states differ after a resume", c->algorithm);
    free(fa);
    free(fb);
    free(env_state);
    finish(&a);
    finish(&b);

    /* Loaded without environment state, the agent needs a reset_step first. */
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, mid, false, &agent, &err), &err);
    ck_assert_ptr_null(athlete_agent_last_action(agent));
    size_t obs_n = athlete_space_flat_size(athlete_agent_observation_space(agent));
    float obs[64] = {0};
    (void)obs_n;
    const float *action;
    ck_assert_fails(athlete_agent_step(agent, obs, 0, false, false, &action, NULL, &err), &err, ATHLETE_E_CALL_ORDER,
                    "step: the previous episode has ended (or no reset_step since loading)");
    athlete_agent_destroy(agent);
    /* A checkpoint saved without environment state cannot provide it. */
    char stateless[300];
    start(&a, reg, c, 12);
    snprintf(stateless, sizeof stateless, "%s/stateless", dir);
    ck_assert_ok(athlete_agent_save_checkpoint(a.agent, stateless, false, NULL, &err), &err);
    finish(&a);
    agent = NULL;
    ck_assert_fails(athlete_agent_from_checkpoint(reg, stateless, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                    "cannot load environment state: checkpoint '");
    ck_assert_ptr_null(agent);
    remove_dir();
    athlete_registry_destroy(reg);
}
END_TEST

/* A small real checkpoint to damage. */
static unsigned char *small_checkpoint(athlete_registry *reg, const char *path, size_t *size)
{
    athlete_error err;
    run r;
    start(&r, reg, &cases[0], 3);
    advance(&r, 50);
    ck_assert_ok(athlete_agent_save_checkpoint(r.agent, path, true, NULL, &err), &err);
    finish(&r);
    return slurp(path, size);
}

START_TEST(corruption_is_caught_precisely)
{
    athlete_registry *reg = registry();
    athlete_error err;
    make_dir();
    char path[300], bad[300];
    snprintf(path, sizeof path, "%s/good", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    size_t size;
    unsigned char *data = small_checkpoint(reg, path, &size);
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err);
    athlete_agent_destroy(agent);

    /* Every truncation length. */
    for (size_t cut = 0; cut < size; cut++) {
        spit(bad, data, cut);
        agent = NULL;
        athlete_status st = athlete_agent_from_checkpoint(reg, bad, true, &agent, &err);
        ck_assert_msg(st == ATHLETE_E_CHECKPOINT_CORRUPT, "cut at %zu/%zu: %s (%s)", cut, size,
                      athlete_status_name(st), err.message);
        ck_assert_ptr_null(agent);
    }
    /* A flipped bit in every byte (the bit varies with the position). */
    unsigned char *copy = malloc(size);
    for (size_t i = 0; i < size; i++) {
        memcpy(copy, data, size);
        copy[i] ^= (unsigned char)(1u << (i % 8));
        spit(bad, copy, size);
        agent = NULL;
        athlete_status st = athlete_agent_from_checkpoint(reg, bad, true, &agent, &err);
        ck_assert_msg(st == ATHLETE_E_CHECKPOINT_CORRUPT || st == ATHLETE_E_CHECKPOINT_MISMATCH,
                      "flip at byte %zu: %s (%s)", i, athlete_status_name(st), err.message);
        ck_assert_ptr_null(agent);
    }
    /* Precise messages for the classic cases. */
    memcpy(copy, data, size);
    copy[0] = 'X';
    spit(bad, copy, size);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "' is not an Athlete checkpoint (wrong magic)");
    memcpy(copy, data, size);
    copy[8] = 2; /* format version 2 */
    spit(bad, copy, size);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                    "' has format version 2; this runtime reads version 1");
    memcpy(copy, data, size);
    copy[size - 10] ^= 0x40; /* inside the last record */
    spit(bad, copy, size);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "checkpoint: record 'end' fails its CRC32 check");
    spit(bad, data, size - 20);
    ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_CORRUPT,
                    "checkpoint: truncated in record ");
    /* A record of the wrong size with valid CRCs: the header is edited to a smaller
     * observation space (and its CRC recomputed), so the saved table no longer fits. */
    {
        const char *from = "\"observation_space\":{\"type\":\"Discrete\",\"n\":16";
        unsigned char *found = memmem(data, size, from, strlen(from));
        ck_assert_ptr_nonnull(found);
        memcpy(copy, data, size);
        size_t at = (size_t)(found - data) + strlen(from) - 2;
        copy[at] = '0'; /* n: 16 → 06, same length */
        uint64_t header_len = 0;
        for (int i = 0; i < 8; i++)
            header_len |= (uint64_t)copy[16 + i] << (8 * i);
        uint32_t crc = athlete_crc32(0, copy, 24 + header_len);
        for (int i = 0; i < 4; i++)
            copy[24 + header_len + (size_t)i] = (unsigned char)(crc >> (8 * i));
        spit(bad, copy, size);
        ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                        "checkpoint: record 'state.q_table' holds 64 f64 values, expected 24");
    }
    /* The plugin that wrote it must be the one registered (a mismatch is an error). */
    {
        const char *from = "\"plugin_version\":\"1.0.0\"";
        unsigned char *found = memmem(data, size, from, strlen(from));
        ck_assert_ptr_nonnull(found);
        memcpy(copy, data, size);
        copy[(size_t)(found - data) + strlen(from) - 2] = '9';
        uint64_t header_len = 0;
        for (int i = 0; i < 8; i++)
            header_len |= (uint64_t)copy[16 + i] << (8 * i);
        uint32_t crc = athlete_crc32(0, copy, 24 + header_len);
        for (int i = 0; i < 4; i++)
            copy[24 + header_len + (size_t)i] = (unsigned char)(crc >> (8 * i));
        spit(bad, copy, size);
        ck_assert_fails(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                        "' was written by q_learning plugin version '1.0.9'; the registered one is '1.0.0'");
        /* Another OpenBLAS kernel is only a warning. */
        const char *core = "\"openblas_core\":\"";
        found = memmem(data, size, core, strlen(core));
        ck_assert_ptr_nonnull(found);
        memcpy(copy, data, size);
        copy[(size_t)(found - data) + strlen(core)] = 'Q';
        crc = athlete_crc32(0, copy, 24 + header_len);
        for (int i = 0; i < 4; i++)
            copy[24 + header_len + (size_t)i] = (unsigned char)(crc >> (8 * i));
        spit(bad, copy, size);
        ck_assert_ok(athlete_agent_from_checkpoint(reg, bad, true, &agent, &err), &err);
        ck_assert_ptr_nonnull(athlete_agent_load_warning(agent));
        ck_assert(strstr(athlete_agent_load_warning(agent), "was written under the OpenBLAS kernel Q") != NULL);
        athlete_agent_destroy(agent);
        agent = NULL;
    }
    ck_assert_fails(athlete_agent_from_checkpoint(reg, "/nonexistent/ckpt", true, &agent, &err), &err, ATHLETE_E_IO,
                    "cannot open checkpoint '/nonexistent/ckpt': No such file or directory");
    free(copy);
    free(data);
    remove_dir();
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(killed_saves_never_damage_the_previous_checkpoint)
{
    athlete_registry *reg = registry();
    athlete_error err;
    make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    size_t size;
    free(small_checkpoint(reg, path, &size));
    srand(12345);
    for (int kill_round = 0; kill_round < 40; kill_round++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            /* The child saves new versions of the same path as fast as it can. */
            run r;
            start(&r, reg, &cases[0], (uint64_t)kill_round);
            for (;;) {
                advance(&r, 7);
                athlete_agent_save_checkpoint(r.agent, path, true, NULL, &err);
            }
        }
        struct timespec delay = {0, 200000 + (long)(rand() % 3000) * 1000};
        nanosleep(&delay, NULL);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        athlete_agent *agent = NULL;
        ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err);
        athlete_agent_destroy(agent);
    }
    remove_dir();
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(policy_files_act_like_the_evaluation_policy)
{
    const algorithm_case *c = &cases[_i];
    athlete_registry *reg = registry();
    athlete_error err;
    make_dir();
    char full[300], policy_path[300];
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(policy_path, sizeof policy_path, "%s/policy", dir);
    run r;
    start(&r, reg, c, 21);
    advance(&r, c->before + c->after);
    ck_assert_ok(athlete_agent_save_checkpoint(r.agent, full, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_save_policy(r.agent, policy_path, &err), &err);
    size_t full_size, policy_size;
    free(slurp(full, &full_size));
    free(slurp(policy_path, &policy_size));
    printf("%s: full checkpoint %zu bytes, policy file %zu bytes\n", c->algorithm, full_size, policy_size);
    ck_assert_uint_lt(policy_size, full_size);

    athlete_policy_file *policy = NULL;
    ck_assert_ok(athlete_policy_file_load(reg, policy_path, &policy, &err), &err);
    ck_assert_str_eq(athlete_policy_file_algorithm_id(policy), c->algorithm);
    /* Same observations, same actions as the agent's own evaluation policy. */
    athlete_agent_eval(r.agent);
    athlete_env *env = NULL;
    ck_assert_ok(athlete_env_create(c->env_id, NULL, &env, &err), &err);
    size_t n = athlete_space_flat_size(athlete_env_action_space(env));
    float obs[64], env_action[16];
    for (uint64_t episode = 0; episode < 3; episode++) {
        uint64_t seed = 100 + episode;
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        bool first = true, done = false;
        for (int t = 0; t < 300 && !done; t++) {
            const float *a, *b;
            if (first)
                ck_assert_ok(athlete_agent_reset_step(r.agent, obs, &a, NULL, &err), &err);
            else
                ck_assert_ok(athlete_agent_step(r.agent, obs, 0, false, false, &a, NULL, &err), &err);
            ck_assert_ok(athlete_policy_file_act(policy, obs, first, &b, &err), &err);
            ck_assert_mem_eq(a, b, n * sizeof(float));
            first = false;
            athlete_space_clip(athlete_env_action_space(env), a, env_action);
            double reward;
            bool terminated, truncated;
            ck_assert_ok(athlete_env_step(env, env_action, n, obs, &reward, &terminated, &truncated, &err), &err);
            done = terminated || truncated;
        }
    }
    athlete_policy_file_destroy(policy);
    athlete_env_destroy(env);
    finish(&r);

    /* Each kind is refused where the other is expected. */
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_from_checkpoint(reg, policy_path, false, &agent, &err), &err,
                    ATHLETE_E_CHECKPOINT_MISMATCH, "' is a policy-only file, not a full checkpoint (load it with athlete_policy_file_load)");
    policy = NULL;
    ck_assert_fails(athlete_policy_file_load(reg, full, &policy, &err), &err, ATHLETE_E_CHECKPOINT_MISMATCH,
                    "' is a full checkpoint, not a policy-only file (load it with athlete_agent_from_checkpoint)");
    ck_assert_ptr_null(agent);
    ck_assert_ptr_null(policy);
    remove_dir();
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(default_path_is_returned)
{
    athlete_registry *reg = registry();
    athlete_error err;
    make_dir();
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(dir), 0);
    run r;
    start(&r, reg, &cases[0], 5);
    char *saved = NULL;
    ck_assert_ok(athlete_agent_save_checkpoint(r.agent, NULL, false, &saved, &err), &err);
    /* checkpoints/<id>_<DD-MM-YYYY_HH-MM-SS>, as the original */
    ck_assert_uint_eq(strlen(saved), strlen("checkpoints/q_learning_25-11-2026_09-00-00"));
    ck_assert(strncmp(saved, "checkpoints/q_learning_", 23) == 0);
    ck_assert(saved[25] == '-' && saved[28] == '-' && saved[33] == '_' && saved[36] == '-' && saved[39] == '-');
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, saved, false, &agent, &err), &err);
    ck_assert_ptr_null(athlete_agent_load_warning(agent));
    athlete_agent_destroy(agent);
    athlete_free(saved);
    finish(&r);
    ck_assert_int_eq(chdir(cwd), 0);
    remove_dir();
    athlete_registry_destroy(reg);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("checkpoint");
    TCase *tc = tcase_create("checkpoint");
    tcase_set_timeout(tc, 900);
    tcase_add_loop_test(tc, resume_is_bit_identical, 0, CASE_COUNT);
    tcase_add_loop_test(tc, policy_files_act_like_the_evaluation_policy, 0, CASE_COUNT);
    tcase_add_test(tc, corruption_is_caught_precisely);
    tcase_add_test(tc, default_path_is_returned);
    tcase_add_test(tc, killed_saves_never_damage_the_previous_checkpoint);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Exported policies against the evaluation policy they came from, for every algorithm.
 *
 * Each case trains a small agent briefly, saves it, exports it, compiles the generated
 * files with `cc -std=c99 -pedantic -Wall -Wextra -Werror` into a shared object, loads
 * that, and runs 10 000 observations (half from real episodes, half uniform in the space)
 * through both the exported code and athlete_policy_file_act:
 *   - discrete actions are identical; where they differ the two outputs must be equal to
 *     within float rounding (a tie; the sums run in another order than OpenBLAS's), and
 *     for q_learning an exact tie of the table (the agent breaks those at random);
 *   - continuous actions agree to within CONTINUOUS_TOLERANCE of the action range;
 *   - the exported policy alone scores the evaluation policy's return on 10 episodes.
 * The measured maxima are printed. Also: f16 and int8 storage within their stated error,
 * the header's stack figure against gcc's -fstack-usage, the object's linkage (no writable
 * data, nothing but tanhf), observation normalisation through an in-process algorithm,
 * examples/embedded/cartpole.c against the built-in CartPole, and the errors, exactly. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/collectors.h>
#include <athlete/mlp.h>
#include <athlete/nn-records.h>
#include <athlete/plugin.h>
#include <athlete/policy-program.h>
#include <athlete/rng.h>
#include "runner.h"

#include <dlfcn.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-registry.h"
#include "test-util.h"

/* |exported - agent| / max(1, half the action range), continuous actions. */
#define CONTINUOUS_TOLERANCE 1e-5
/* |output_a - output_b| / (1 + |output|) below which two network outputs count as tied. */
#define TIE_TOLERANCE 1e-5
#define OBSERVATIONS 10000
#define EPISODES 10

typedef struct export_case {
    const char *label, *algorithm, *env, *overrides;
    uint64_t steps;
} export_case;

#define ACTOR_CRITIC_SMALL                                                                                          \
    "{\"critic_network_arguments\": {\"hidden_dims\": [32, 32]}, \"actor_network_arguments\": {\"hidden_dims\": [32, 32]}," \
    " \"replay_buffer_mini_batch_size\": 32, \"warmup_steps\": 300%s}"

static const export_case cases[] = {
    {"dqn", "dqn", "CartPole-v1",
     "{\"value_network_arguments\": {\"hidden_dims\": [32, 32]}, \"warmup_steps\": 500,"
     " \"epsilon_decay_steps\": 2000, \"replay_buffer_mini_batch_size\": 32}",
     3000},
    {"q_learning", "q_learning", "FrozenLake-v1", "{\"epsilon_decay_steps\": 5000}", 20000},
    {"ddpg", "ddpg", "Pendulum-v1", NULL, 1500},
    {"td3", "td3", "Pendulum-v1", NULL, 1500},
    {"sac", "sac", "Pendulum-v1", NULL, 1500},
    {"ppo_gaussian", "ppo", "Pendulum-v1",
     "{\"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"steps_per_update\": 512, \"mini_batch_size\": 64, \"epochs_per_update\": 2}",
     2048},
    {"ppo_categorical", "ppo", "CartPole-v1",
     "{\"actor_network_arguments\": {\"hidden_dims\": [32, 32]}, \"value_network_arguments\": {\"hidden_dims\": [32, 32]},"
     " \"steps_per_update\": 512, \"mini_batch_size\": 64, \"epochs_per_update\": 2}",
     2048},
};
#define CASE_COUNT (sizeof cases / sizeof cases[0])

typedef int (*act_fn)(const float *observation, float *action);
typedef int (*act_discrete_fn)(const float *observation);

static char workdir[256];

static const char *overrides_of(const export_case *c, char *buf, size_t size)
{
    if (c->overrides)
        return c->overrides;
    snprintf(buf, size, ACTOR_CRITIC_SMALL,
             strcmp(c->algorithm, "ddpg") == 0 ? "" : ", \"critic_2_network_arguments\": {\"hidden_dims\": [32, 32]}");
    return buf;
}

static void setup(void)
{
    snprintf(workdir, sizeof workdir, "/tmp/athlete-export-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(workdir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", workdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *compiler(void)
{
    const char *cc = getenv("ATHLETE_TEST_CC");
    return cc && *cc ? cc : "cc";
}

/* Compiles NAME.c with the strict flags into NAME.so; asserts success, showing the log. */
static void *compile_and_open(const char *name)
{
    char cmd[1024], log[300];
    snprintf(log, sizeof log, "%s/%s.log", workdir, name);
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -pedantic -Wall -Wextra -Werror -O2 -fPIC -shared -o '%s/%s.so' '%s/%s.c' -lm > '%s' 2>&1",
             compiler(), workdir, name, workdir, name, log);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s' >&2", log);
        ck_assert_int_eq(system(cmd), 0);
    }
    ck_assert_msg(rc == 0, "the generated %s.c does not compile with -std=c99 -pedantic -Werror", name);
    snprintf(cmd, sizeof cmd, "%s/%s.so", workdir, name);
    void *dl = dlopen(cmd, RTLD_NOW | RTLD_LOCAL);
    ck_assert_msg(dl != NULL, "dlopen: %s", dlerror());
    return dl;
}

static void *symbol(void *dl, const char *name, const char *suffix)
{
    char full[128];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    void *p = dlsym(dl, full);
    ck_assert_msg(p != NULL, "the exported code lacks %s", full);
    return p;
}

static void export_file(athlete_registry *reg, const char *source, const char *name, athlete_export_storage storage,
                        athlete_export_report *report)
{
    char c_path[300], h_path[300];
    snprintf(c_path, sizeof c_path, "%s/%s.c", workdir, name);
    snprintf(h_path, sizeof h_path, "%s/%s.h", workdir, name);
    athlete_export_options options = {sizeof options, storage};
    report->struct_size = sizeof *report;
    athlete_error err;
    ck_assert_ok(athlete_policy_export_c(reg, source, name, c_path, h_path, &options, report, &err), &err);
}

/* Uniform within the space, with unbounded or huge Box bounds narrowed to [-5, 5]. */
static void random_observation(const athlete_space *s, athlete_rng *rng, float *obs)
{
    if (s->kind == ATHLETE_SPACE_DISCRETE) {
        obs[0] = (float)(s->start + (int64_t)athlete_rng_below(rng, (uint64_t)s->n));
        return;
    }
    for (size_t i = 0; i < athlete_space_flat_size(s); i++) {
        double lo = fmax(s->low[i], -5.0), hi = fmin(s->high[i], 5.0);
        obs[i] = (float)(lo + (hi - lo) * athlete_rng_uniform(rng));
        obs[i] = fminf(fmaxf(obs[i], s->low[i]), s->high[i]);
    }
}

typedef struct comparison {
    size_t count, mismatches, ties;
    double max_difference; /* continuous: relative to the half range */
} comparison;

typedef struct exported {
    act_fn act;
    act_discrete_fn act_discrete;
    int (*outputs)(const float *observation, float *outputs);
    size_t output_size;
} exported;

/* One observation through both; first: the episode's first observation. */
static void compare_one(const exported *x, athlete_policy_file *policy, athlete_agent *agent, const float *obs,
                        bool first, comparison *cmp)
{
    const athlete_space *as = athlete_policy_file_action_space(policy);
    size_t n = athlete_space_flat_size(as);
    const float *want;
    athlete_error err;
    ck_assert_ok(athlete_policy_file_act(policy, obs, first, &want, &err), &err);
    float got[8];
    ck_assert_int_eq(x->act(obs, got), 0);
    cmp->count++;
    if (as->kind == ATHLETE_SPACE_DISCRETE) {
        ck_assert_int_eq(x->act_discrete(obs), (int)got[0]);
        if (got[0] == want[0])
            return;
        cmp->mismatches++;
        int a = (int)(got[0] - (float)as->start), b = (int)(want[0] - (float)as->start);
        if (x->outputs) { /* a tie of the network's outputs, within rounding */
            float out[64];
            ck_assert_int_eq(x->outputs(obs, out), 0);
            double scale = 1.0 + fabs(out[a]);
            ck_assert_msg(fabs((double)out[a] - (double)out[b]) <= TIE_TOLERANCE * scale,
                          "action %d vs the agent's %d: outputs %.9g and %.9g are not tied", a, b, (double)out[a],
                          (double)out[b]);
        } else { /* q_learning: an exact tie of the table */
            char args[64], *qa = NULL, *qb = NULL;
            snprintf(args, sizeof args, "[%d, %d]", (int)obs[0], a);
            ck_assert_ok(athlete_agent_call(agent, "q_value", args, &qa, &err), &err);
            snprintf(args, sizeof args, "[%d, %d]", (int)obs[0], b);
            ck_assert_ok(athlete_agent_call(agent, "q_value", args, &qb, &err), &err);
            ck_assert_str_eq(qa, qb);
            athlete_free(qa);
            athlete_free(qb);
        }
        cmp->ties++;
        return;
    }
    for (size_t j = 0; j < n; j++) {
        double half_range = fmax(1.0, ((double)as->high[j] - (double)as->low[j]) / 2.0);
        double d = fabs((double)got[j] - (double)want[j]) / half_range;
        if (d > cmp->max_difference)
            cmp->max_difference = d;
    }
}

/* Runs `episodes` episodes (seeds 100 + e) acting with the exported code when x is not
 * NULL, otherwise with the policy; returns the returns. Box actions are clipped to the
 * bounds (PPO's Gaussian mean is unbounded). Also compares every visited observation. */
static void run_episodes(athlete_env *env, const exported *x, athlete_policy_file *policy, athlete_agent *agent,
                         int episodes, double *returns, comparison *cmp)
{
    const athlete_space *as = athlete_env_action_space(env);
    size_t n = athlete_space_flat_size(as);
    athlete_error err;
    for (int e = 0; e < episodes; e++) {
        float obs[64], action[8];
        uint64_t seed = 100 + (uint64_t)e;
        ck_assert_ok(athlete_env_reset(env, &seed, obs, &err), &err);
        double total = 0;
        bool done = false, first = true;
        while (!done) {
            if (cmp)
                compare_one(x, policy, agent, obs, first, cmp);
            if (x) {
                ck_assert_int_eq(x->act(obs, action), 0);
            } else {
                const float *a;
                ck_assert_ok(athlete_policy_file_act(policy, obs, first, &a, &err), &err);
                memcpy(action, a, n * sizeof *action);
            }
            athlete_space_clip(as, action, action);
            double r;
            bool term, trunc;
            ck_assert_ok(athlete_env_step(env, action, n, obs, &r, &term, &trunc, &err), &err);
            total += r;
            done = term || trunc;
            first = false;
        }
        returns[e] = total;
    }
}

typedef struct trained {
    athlete_registry *reg;
    athlete_env *env;
    athlete_agent *agent;
    athlete_policy_file *policy;
    char policy_path[300], checkpoint_path[300];
} trained;

static void train(const export_case *c, trained *t)
{
    char buf[512];
    athlete_error err;
    t->reg = registry();
    ck_assert_ok(athlete_env_create(c->env, NULL, &t->env, &err), &err);
    uint64_t seed = 0;
    ck_assert_ok(athlete_agent_create(t->reg, c->algorithm, athlete_env_observation_space(t->env),
                                      athlete_env_action_space(t->env), &seed, overrides_of(c, buf, sizeof buf),
                                      &t->agent, &err),
                 &err);
    ck_assert_ok(athlete_run_training(t->agent, t->env, c->steps, &seed, NULL, &err), &err);
    snprintf(t->policy_path, sizeof t->policy_path, "%s/%s.policy", workdir, c->label);
    snprintf(t->checkpoint_path, sizeof t->checkpoint_path, "%s/%s.ckpt", workdir, c->label);
    ck_assert_ok(athlete_agent_save_policy(t->agent, t->policy_path, &err), &err);
    ck_assert_ok(athlete_agent_save_checkpoint(t->agent, t->checkpoint_path, false, NULL, &err), &err);
    ck_assert_ok(athlete_policy_file_load(t->reg, t->policy_path, &t->policy, &err), &err);
}

static void untrain(trained *t)
{
    athlete_policy_file_destroy(t->policy);
    athlete_agent_destroy(t->agent);
    athlete_env_destroy(t->env);
    athlete_registry_destroy(t->reg);
}

static void bind(void *dl, const char *name, const athlete_space *as, const athlete_export_report *report, exported *x)
{
    memset(x, 0, sizeof *x);
    x->act = (act_fn)symbol(dl, name, "_act");
    if (as->kind == ATHLETE_SPACE_DISCRETE)
        x->act_discrete = (act_discrete_fn)symbol(dl, name, "_act_discrete");
    x->output_size = report->output_size;
    if (report->output_size)
        x->outputs = (int (*)(const float *, float *))symbol(dl, name, "_outputs");
}

START_TEST(matches_the_evaluation_policy)
{
    const export_case *c = &cases[_i];
    trained t;
    train(c, &t);
    /* a policy file and the full checkpoint export the same code */
    char name[64], name_ckpt[64];
    snprintf(name, sizeof name, "exp_%s", c->label);
    snprintf(name_ckpt, sizeof name_ckpt, "ckpt_%s", c->label);
    athlete_export_report report, report_ckpt;
    export_file(t.reg, t.policy_path, name, ATHLETE_EXPORT_FLOAT32, &report);
    export_file(t.reg, t.checkpoint_path, name_ckpt, ATHLETE_EXPORT_FLOAT32, &report_ckpt);
    ck_assert_uint_eq(report.flash_bytes, report_ckpt.flash_bytes);
    ck_assert_str_eq(report.algorithm_id, c->algorithm);
    ck_assert_uint_eq(strlen(report.source_sha256), 64);

    void *dl = compile_and_open(name);
    const athlete_space *os = athlete_env_observation_space(t.env), *as = athlete_env_action_space(t.env);
    exported x;
    bind(dl, name, as, &report, &x);

    comparison cmp = {0};
    double returns[EPISODES], returns_agent[EPISODES];
    /* real episodes, driven by the agent's policy, every observation compared */
    while (cmp.count < OBSERVATIONS / 2)
        run_episodes(t.env, &x, t.policy, t.agent, 1, returns, &cmp);
    athlete_rng rng;
    athlete_rng_seed(&rng, 7, 1);
    float obs[64];
    for (int i = 0; i < OBSERVATIONS / 2; i++) {
        random_observation(os, &rng, obs);
        compare_one(&x, t.policy, t.agent, obs, false, &cmp);
    }
    ck_assert_uint_ge(cmp.count, OBSERVATIONS);
    if (as->kind == ATHLETE_SPACE_DISCRETE) {
        printf("%s: %zu observations, %zu different actions, all ties\n", c->label, cmp.count, cmp.mismatches);
        ck_assert_uint_eq(cmp.ties, cmp.mismatches);
    } else {
        printf("%s: %zu observations, largest action difference %.3g of the half range (tolerance %.0e)\n", c->label,
               cmp.count, cmp.max_difference, CONTINUOUS_TOLERANCE);
        ck_assert_double_le(cmp.max_difference, CONTINUOUS_TOLERANCE);
    }

    /* closed loop: the exported policy alone scores what the evaluation policy scores */
    run_episodes(t.env, &x, t.policy, t.agent, EPISODES, returns, NULL);
    run_episodes(t.env, NULL, t.policy, t.agent, EPISODES, returns_agent, NULL);
    double sum = 0, sum_agent = 0, worst = 0;
    for (int e = 0; e < EPISODES; e++) {
        sum += returns[e];
        sum_agent += returns_agent[e];
        worst = fmax(worst, fabs(returns[e] - returns_agent[e]));
    }
    printf("%s: %d episodes, mean return %.4f exported vs %.4f agent, largest episode difference %.3g\n", c->label,
           EPISODES, sum / EPISODES, sum_agent / EPISODES, worst);
    if (as->kind == ATHLETE_SPACE_DISCRETE && cmp.mismatches == 0)
        ck_assert_double_eq(worst, 0.0);
    else
        ck_assert_double_le(worst, 1e-3 * fmax(1.0, fabs(sum_agent / EPISODES)));
    dlclose(dl);
    untrain(&t);
}
END_TEST

/* f16 and int8 storage: the action error stays within what the weight error allows. */
START_TEST(quantized_storage)
{
    static const int picks[] = {0, 3}; /* dqn, td3 */
    const export_case *c = &cases[picks[_i]];
    trained t;
    train(c, &t);
    const athlete_space *os = athlete_env_observation_space(t.env), *as = athlete_env_action_space(t.env);
    athlete_export_report f32;
    export_file(t.reg, t.policy_path, "q_f32", ATHLETE_EXPORT_FLOAT32, &f32);
    static const athlete_export_storage storages[] = {ATHLETE_EXPORT_FLOAT16, ATHLETE_EXPORT_INT8};
    static const char *const names[] = {"q_f16", "q_int8"};
    for (int s = 0; s < 2; s++) {
        athlete_export_report report;
        export_file(t.reg, t.policy_path, names[s], storages[s], &report);
        ck_assert_uint_lt(report.flash_bytes, f32.flash_bytes);
        ck_assert_double_gt(report.max_weight_error, 0.0);
        void *dl = compile_and_open(names[s]);
        exported x;
        bind(dl, names[s], as, &report, &x);
        athlete_rng rng;
        athlete_rng_seed(&rng, 9, 1);
        comparison cmp = {0};
        size_t agree = 0;
        float obs[64], action[8];
        for (int i = 0; i < OBSERVATIONS; i++) {
            random_observation(os, &rng, obs);
            const float *want;
            athlete_error err;
            ck_assert_ok(athlete_policy_file_act(t.policy, obs, false, &want, &err), &err);
            ck_assert_int_eq(x.act(obs, action), 0);
            if (as->kind == ATHLETE_SPACE_DISCRETE) {
                agree += action[0] == want[0];
            } else {
                double d = fabs((double)action[0] - (double)want[0]) / (((double)as->high[0] - (double)as->low[0]) / 2.0);
                cmp.max_difference = fmax(cmp.max_difference, d);
            }
        }
        if (as->kind == ATHLETE_SPACE_DISCRETE) {
            printf("%s %s: weight error <= %.3g, flash %zu vs %zu bytes, same action on %.2f %% of %d observations\n",
                   c->label, names[s], report.max_weight_error, report.flash_bytes, f32.flash_bytes,
                   100.0 * (double)agree / OBSERVATIONS, OBSERVATIONS);
            ck_assert_uint_ge(agree, s == 0 ? OBSERVATIONS * 99 / 100 : OBSERVATIONS * 95 / 100);
        } else {
            printf("%s %s: weight error <= %.3g, flash %zu vs %zu bytes, largest action difference %.3g of the half range\n",
                   c->label, names[s], report.max_weight_error, report.flash_bytes, f32.flash_bytes,
                   cmp.max_difference);
            ck_assert_double_le(cmp.max_difference, s == 0 ? 1e-2 : 1e-1);
        }
        dlclose(dl);
    }
    untrain(&t);
}
END_TEST

/* The generated code refuses what the agent refuses. */
START_TEST(refuses_bad_observations)
{
    trained t;
    train(&cases[_i == 0 ? 3 : 1], &t); /* td3 on Pendulum (Box), q_learning on FrozenLake (Discrete) */
    athlete_export_report report;
    export_file(t.reg, t.policy_path, "bad_obs", ATHLETE_EXPORT_FLOAT32, &report);
    void *dl = compile_and_open("bad_obs");
    exported x;
    bind(dl, "bad_obs", athlete_env_action_space(t.env), &report, &x);
    athlete_error err;
    const float *a;
    float action[4];
    if (_i == 0) {
        float nan_obs[3] = {1.0f, 0.0f, NAN}, far[3] = {1.0f, 0.0f, 8.5f}, edge[3] = {-1.0f, 1.0f, 8.0f};
        ck_assert_int_eq(x.act(nan_obs, action), 1);
        ck_assert_fails(athlete_policy_file_act(t.policy, nan_obs, true, &a, &err), &err, ATHLETE_E_NON_FINITE,
                        "observation[2] is NaN");
        ck_assert_int_eq(x.act(far, action), 1);
        ck_assert_fails(athlete_policy_file_act(t.policy, far, true, &a, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                        "observation[2] = 8.5 is outside [-8, 8]");
        ck_assert_int_eq(x.act(edge, action), 0);
        ck_assert_ok(athlete_policy_file_act(t.policy, edge, true, &a, &err), &err);
    } else {
        float outside = 16.0f, half = 1.5f, below = -1.0f, last = 15.0f;
        ck_assert_int_eq(x.act(&outside, action), 1);
        ck_assert_int_eq(x.act(&half, action), 1);
        ck_assert_int_eq(x.act(&below, action), 1);
        ck_assert_int_eq(x.act_discrete(&half), -1); /* the start minus one */
        ck_assert_fails(athlete_policy_file_act(t.policy, &half, true, &a, &err), &err, ATHLETE_E_SPACE_MISMATCH,
                        "observation = 1.5 is not an integer in [0, 16)");
        ck_assert_int_eq(x.act(&last, action), 0);
    }
    dlclose(dl);
    untrain(&t);
}
END_TEST

/* The header's stack figure covers what gcc measures (-fstack-usage, -O2) for the call chain
 * NAME_act -> NAME_act_discrete -> NAME_forward, with 128 bytes for scalars and spills. */
START_TEST(stack_figure)
{
    trained t;
    train(&cases[0], &t);
    athlete_export_report report;
    export_file(t.reg, t.policy_path, "stack", ATHLETE_EXPORT_FLOAT32, &report);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s -std=c99 -pedantic -Wall -Wextra -Werror -O2 -fstack-usage -c stack.c 2>&1",
             workdir, compiler());
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/stack.su", workdir);
    FILE *f = fopen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    long total = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        ck_assert_ptr_nonnull(tab);
        if (strstr(line, ":stack_outputs\t"))
            continue; /* not on NAME_act's path */
        total += strtol(tab + 1, NULL, 10);
    }
    fclose(f);
    printf("stack: header says %zu bytes of arrays, gcc -O2 measures %ld bytes on the NAME_act path\n",
           report.stack_bytes, total);
    ck_assert_int_ge(total, 1);
    ck_assert_int_le(total, (long)report.stack_bytes + 128);
    untrain(&t);
}
END_TEST

/* ---- observation normalisation, which no built-in algorithm uses: an in-process algorithm
 * whose policy is net((observation - shift) * scale), a 3-8-1 tanh network ---- */

typedef struct normalised_state {
    athlete_mlp *net;
    athlete_mlp_workspace *ws;
    float shift[3], scale[3], z[3];
} normalised_state;

static athlete_status normalised_act(void *self, const float *observation, const athlete_clock *clock, float *action,
                                     athlete_info *info, athlete_error *err)
{
    (void)clock;
    (void)info;
    (void)err;
    normalised_state *s = self;
    for (int i = 0; i < 3; i++)
        s->z[i] = (observation[i] - s->shift[i]) * s->scale[i];
    action[0] = athlete_mlp_forward(s->net, s->ws, s->z, 1)[0];
    return ATHLETE_OK;
}

static const athlete_policy_ops normalised_policy_ops = {.struct_size = sizeof(athlete_policy_ops),
                                                         .act = normalised_act};

static void normalised_destroy(void *state)
{
    normalised_state *s = state;
    athlete_mlp_workspace_destroy(s->ws);
    athlete_mlp_destroy(s->net);
    free(s);
}

static athlete_status normalised_save(void *state, athlete_writer *w, athlete_error *err)
{
    return athlete_mlp_save(((normalised_state *)state)->net, w, "net", err);
}

static athlete_status normalised_load(void *state, athlete_reader *r, athlete_error *err)
{
    return athlete_mlp_load(((normalised_state *)state)->net, r, "net", err);
}

static athlete_status normalised_describe(void *state, athlete_policy_program *program, athlete_error *err)
{
    normalised_state *s = state;
    program->summary = "a normalised tanh network (test)";
    program->observation_shift = s->shift;
    program->observation_scale = s->scale;
    program->head = ATHLETE_PROGRAM_HEAD_VALUES;
    return athlete_policy_program_add_mlp(program, s->net, err);
}

static const athlete_state_ops normalised_state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .destroy = normalised_destroy,
    .save_policy = normalised_save,
    .load_policy = normalised_load,
    .describe_policy = normalised_describe,
};

static athlete_status normalised_build(const athlete_build_args *args, athlete_parts *parts, athlete_error *err)
{
    normalised_state *s = calloc(1, sizeof *s);
    ck_assert_ptr_nonnull(s);
    const size_t widths[] = {3, 8, 1};
    ck_assert_ok(athlete_mlp_create(widths, 3, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &s->net, err), err);
    ck_assert_ok(athlete_mlp_workspace_create(s->net, 1, &s->ws, err), err);
    athlete_rng rng;
    athlete_rng_seed(&rng, args->seed, 1);
    athlete_mlp_init_default(s->net, &rng);
    const float shift[3] = {0.25f, -0.5f, 1.0f}, scale[3] = {2.0f, 1.5f, 0.125f};
    memcpy(s->shift, shift, sizeof shift);
    memcpy(s->scale, scale, sizeof scale);
    parts->state = s;
    parts->state_ops = &normalised_state_ops;
    parts->training_policy = (athlete_policy){&normalised_policy_ops, s};
    parts->evaluation_policy = (athlete_policy){&normalised_policy_ops, s};
    return athlete_transition_collector_create(3, 1, NULL, &parts->collector, err);
}

static const athlete_algorithm normalised_algorithm = {
    .struct_size = sizeof(athlete_algorithm),
    .id = "normalised_test",
    .summary = "a fixed normalised network",
    .default_config = "{}",
    .build = normalised_build,
};

START_TEST(observation_normalisation)
{
    athlete_registry *reg = registry();
    athlete_error err;
    ck_assert_ok(athlete_registry_register(reg, &normalised_algorithm, &err), &err);
    athlete_env *env;
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &env, &err), &err);
    const athlete_space *os = athlete_env_observation_space(env);
    uint64_t seed = 3;
    athlete_agent *agent;
    ck_assert_ok(athlete_agent_create(reg, "normalised_test", os, athlete_env_action_space(env), &seed, NULL, &agent,
                                      &err),
                 &err);
    char path[300];
    snprintf(path, sizeof path, "%s/normalised.policy", workdir);
    ck_assert_ok(athlete_agent_save_policy(agent, path, &err), &err);
    athlete_policy_file *policy;
    ck_assert_ok(athlete_policy_file_load(reg, path, &policy, &err), &err);
    athlete_export_report report;
    export_file(reg, path, "normalised", ATHLETE_EXPORT_FLOAT32, &report);
    ck_assert_uint_eq(report.stack_bytes, (8 + 1 + 3) * sizeof(float)); /* hidden, output, normalised input */
    void *dl = compile_and_open("normalised");
    exported x;
    bind(dl, "normalised", athlete_env_action_space(env), &report, &x);
    athlete_rng rng;
    athlete_rng_seed(&rng, 5, 1);
    comparison cmp = {0};
    float obs[3];
    for (int i = 0; i < OBSERVATIONS; i++) {
        random_observation(os, &rng, obs);
        compare_one(&x, policy, agent, obs, false, &cmp);
    }
    printf("normalised: %zu observations, largest action difference %.3g\n", cmp.count, cmp.max_difference);
    ck_assert_double_le(cmp.max_difference, CONTINUOUS_TOLERANCE);
    dlclose(dl);
    athlete_policy_file_destroy(policy);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_registry_destroy(reg);
}
END_TEST

/* Linkage: no writable data (reentrant, nothing to initialise at start-up) and no undefined
 * symbol but tanhf where a tanh is computed: dqn's ReLU network needs nothing at all. */
START_TEST(self_contained)
{
    const export_case *c = &cases[_i == 0 ? 0 : 3]; /* dqn, td3 */
    trained t;
    train(c, &t);
    athlete_export_report report;
    export_file(t.reg, t.policy_path, "linkage", ATHLETE_EXPORT_FLOAT32, &report);
    char cmd[1024], line[256], undefined[256] = "";
    snprintf(cmd, sizeof cmd, "cd '%s' && %s -std=c99 -pedantic -Wall -Wextra -Werror -O2 -c linkage.c", workdir,
             compiler());
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "nm -P '%s/linkage.o'", workdir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    while (fgets(line, sizeof line, p)) {
        char symbol[200], type;
        ck_assert_int_eq(sscanf(line, "%199s %c", symbol, &type), 2);
        ck_assert_msg(strchr("bBdDC", type) == NULL, "writable data in the exported code: %s", line);
        if (type == 'U') {
            strcat(undefined, symbol);
            strcat(undefined, " ");
        }
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_str_eq(undefined, _i == 0 ? "" : "tanhf ");
    untrain(&t);
}
END_TEST

/* examples/embedded/cartpole.c, built with an exported policy and nothing else, plays the
 * same episodes as the built-in CartPole-v1 driven by the saved policy: its copy of the
 * dynamics and the exported policy are both exact. */
START_TEST(embedded_example)
{
    trained t;
    train(&cases[0], &t);
    athlete_export_report report;
    export_file(t.reg, t.policy_path, "cartpole_policy", ATHLETE_EXPORT_FLOAT32, &report);
    const char *examples = getenv("ATHLETE_EXAMPLES_DIR");
    ck_assert_ptr_nonnull(examples);
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -pedantic -Wall -Wextra -Werror -O2 -I'%s' '%s/embedded/cartpole.c' '%s/cartpole_policy.c' "
             "-lm -o '%s/cartpole'",
             compiler(), workdir, examples, workdir, workdir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s/cartpole' 5 3", workdir);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char line[512];
    int episodes = 0;
    athlete_error err;
    while (fgets(line, sizeof line, p)) {
        int e;
        double state[4], expected;
        if (sscanf(line, "episode %d: initial state %lf %lf %lf %lf, return %lf", &e, &state[0], &state[1], &state[2],
                   &state[3], &expected) != 6)
            continue;
        float obs[4];
        ck_assert_ok(athlete_env_reset_to_state(t.env, state, 4, obs, &err), &err);
        double total = 0;
        bool done = false, first = true;
        while (!done) {
            const float *a;
            ck_assert_ok(athlete_policy_file_act(t.policy, obs, first, &a, &err), &err);
            double r;
            bool term, trunc;
            ck_assert_ok(athlete_env_step(t.env, a, 1, obs, &r, &term, &trunc, &err), &err);
            total += r;
            done = term || trunc;
            first = false;
        }
        ck_assert_msg(total == expected, "episode %d: the example scored %g, the built-in environment %g", e, expected,
                      total);
        episodes++;
    }
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_int_eq(episodes, 5);
    untrain(&t);
}
END_TEST

START_TEST(errors)
{
    trained t;
    train(&cases[1], &t);
    athlete_error err;
    char c_path[300], h_path[300], missing[300];
    snprintf(c_path, sizeof c_path, "%s/e.c", workdir);
    snprintf(h_path, sizeof h_path, "%s/e.h", workdir);
    snprintf(missing, sizeof missing, "%s/missing.policy", workdir);
    ck_assert_fails(athlete_policy_export_c(t.reg, t.policy_path, "9lives", c_path, h_path, NULL, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "export: name '9lives' is not a C identifier of at most 48 characters");
    ck_assert_fails(athlete_policy_export_c(t.reg, t.policy_path, "a-b", c_path, h_path, NULL, NULL, &err), &err,
                    ATHLETE_E_INVALID_ARGUMENT, "export: name 'a-b' is not a C identifier");
    ck_assert_fails(athlete_policy_export_c(t.reg, missing, "ok", c_path, h_path, NULL, NULL, &err), &err,
                    ATHLETE_E_IO, "cannot open '");
    athlete_export_options short_options = {sizeof(size_t), ATHLETE_EXPORT_FLOAT32};
    ck_assert_fails(athlete_policy_export_c(t.reg, t.policy_path, "ok", c_path, h_path, &short_options, NULL, &err),
                    &err, ATHLETE_E_INVALID_ARGUMENT, "export: options.struct_size is 8, expected 16");
    athlete_export_storage storage;
    ck_assert_fails(athlete_export_storage_parse("f8", &storage, &err), &err, ATHLETE_E_INVALID_ARGUMENT,
                    "export: unknown storage 'f8' (expected f32, f16 or int8)");
    ck_assert_ok(athlete_export_storage_parse("int8", &storage, &err), &err);
    ck_assert_int_eq(storage, ATHLETE_EXPORT_INT8);
    snprintf(missing, sizeof missing, "%s/no/such/dir/e.c", workdir);
    ck_assert_fails(athlete_policy_export_c(t.reg, t.policy_path, "ok", missing, h_path, NULL, NULL, &err), &err,
                    ATHLETE_E_IO, "export: cannot create '");
    struct stat sb;
    ck_assert_int_ne(stat(c_path, &sb), 0); /* nothing written by a failed export */
    untrain(&t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("export");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, matches_the_evaluation_policy, 0, (int)CASE_COUNT);
    tcase_add_loop_test(tc, quantized_storage, 0, 2);
    tcase_add_loop_test(tc, refuses_bad_observations, 0, 2);
    tcase_add_test(tc, stack_figure);
    tcase_add_test(tc, embedded_example);
    tcase_add_loop_test(tc, self_contained, 0, 2);
    tcase_add_test(tc, observation_normalisation);
    tcase_add_test(tc, errors);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

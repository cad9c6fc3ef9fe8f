/* PPO on Pendulum-v1 through the public API, one environment per agent, one core:
 * env-steps/s at the seed defaults and at RLtools' PPO setting (32-32 networks, rollouts
 * and minibatches of 1024, one epoch), beside RLtools' published 1.85 M env-steps/s (64
 * environments, measured on an Intel Xeon), and where the time goes: the environment, acting
 * (policy + collector), GAE (value net over the rollout + the recursion) and the gradient
 * update, with the update's achieved GFLOP/s.
 *
 * Then vector agents at RLtools' setting with N = 1, 8, 64, 256 environments (rollouts of
 * 1024 transitions = 1024/N steps per environment, one minibatch of 1024, one epoch, so
 * the update is the same and only acting changes): env-steps/s, the time split and the
 * acting cost per environment step.
 *
 *   build/bench/bench-ppo [STEPS] [VECTOR_STEPS]   (defaults 204800 and 10 240 000; 0 skips a part) */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/mlp.h>
#include <athlete/rollout.h>
#include <athlete/vector-env.h>
#include "runner.h"
#include "vector-runner.h"

#include <stdlib.h>

#include "bench-util.h"

typedef struct ppo_case {
    const char *name;
    const char *overrides;
    size_t hidden, steps_per_update, epochs;
} ppo_case;

static void die(const char *what, const athlete_error *err)
{
    fprintf(stderr, "bench-ppo: %s: %s\n", what, err->message);
    exit(1);
}

static athlete_agent *make_agent(const athlete_registry *reg, athlete_env *env, const char *overrides)
{
    athlete_error err;
    athlete_agent *agent;
    uint64_t seed = 0;
    if (athlete_agent_create(reg, "ppo", athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                             overrides, &agent, &err))
        die("agent", &err);
    return agent;
}

/* The honest figure: the runner's loop, nothing instrumented. */
static double steps_per_second(const athlete_registry *reg, const char *overrides, uint64_t steps)
{
    athlete_error err;
    athlete_env *env;
    if (athlete_env_create("Pendulum-v1", NULL, &env, &err))
        die("env", &err);
    athlete_agent *agent = make_agent(reg, env, overrides);
    uint64_t seed = 0;
    double t0 = bench_now();
    if (athlete_run_training(agent, env, steps, &seed, NULL, &err))
        die("training", &err);
    double seconds = bench_now() - t0;
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    return (double)steps / seconds;
}

typedef struct breakdown {
    double env_us, act_us, update_step_us; /* per env step; per acting call; per update step */
    uint64_t updates;
} breakdown;

/* A host loop timing every call: steps whose info carries "loss" are update steps. */
static breakdown time_calls(const athlete_registry *reg, const char *overrides, uint64_t steps)
{
    athlete_error err;
    athlete_env *env;
    if (athlete_env_create("Pendulum-v1", NULL, &env, &err))
        die("env", &err);
    athlete_agent *agent = make_agent(reg, env, overrides);
    const athlete_space *space = athlete_env_action_space(env);
    float obs[3], env_action[1];
    const float *action;
    const athlete_info *info;
    uint64_t seed = 0, acts = 0;
    double env_s = 0, act_s = 0, update_s = 0;
    breakdown b = {0};
    if (athlete_env_reset(env, &seed, obs, &err) || athlete_agent_reset_step(agent, obs, &action, NULL, &err))
        die("reset", &err);
    for (uint64_t t = 0; t < steps; t++) {
        double reward;
        bool terminated, truncated;
        athlete_space_clip(space, action, env_action);
        double t0 = bench_now();
        if (athlete_env_step(env, env_action, 1, obs, &reward, &terminated, &truncated, &err))
            die("env step", &err);
        double t1 = bench_now();
        if (athlete_agent_step(agent, obs, reward, terminated, truncated, &action, &info, &err))
            die("step", &err);
        double t2 = bench_now();
        env_s += t1 - t0;
        if (athlete_info_find(info, "loss")) {
            update_s += t2 - t1;
            b.updates++;
        } else {
            act_s += t2 - t1;
            acts++;
        }
        if (terminated || truncated) {
            double t3 = bench_now();
            if (athlete_env_reset(env, NULL, obs, &err) || athlete_agent_reset_step(agent, obs, &action, NULL, &err))
                die("reset", &err);
            act_s += bench_now() - t3;
        }
    }
    b.env_us = env_s / (double)steps * 1e6;
    b.act_us = act_s / (double)acts * 1e6;
    b.update_step_us = b.updates ? update_s / (double)b.updates * 1e6 : 0.0;
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    return b;
}

/* GAE alone, as the plugin does it: V over steps + 1 observations in minibatch-sized
 * chunks, then the recursion. */
typedef struct gae_args {
    athlete_mlp *value;
    athlete_mlp_workspace *ws;
    size_t steps, chunk;
    float *obs, *values, *rewards, *dones, *adv, *ret;
} gae_args;

static void gae_once(void *p)
{
    gae_args *g = p;
    for (size_t start = 0; start < g->steps + 1; start += g->chunk) {
        size_t n = g->steps + 1 - start < g->chunk ? g->steps + 1 - start : g->chunk;
        memcpy(g->values + start, athlete_mlp_forward(g->value, g->ws, g->obs + 3 * start, n), n * sizeof(float));
    }
    athlete_gae_compute(g->rewards, g->values, g->dones, g->steps, 0.99, 0.95, g->adv, g->ret);
}

static double gae_us(size_t hidden, size_t steps, size_t chunk)
{
    athlete_error err;
    size_t widths[4] = {3, hidden, hidden, 1};
    gae_args g = {.steps = steps, .chunk = chunk};
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    if (athlete_mlp_create(widths, 4, ATHLETE_ACTIVATION_TANH, ATHLETE_ACTIVATION_IDENTITY, &g.value, &err) ||
        athlete_mlp_init_orthogonal(g.value, &rng, 1.4142135623730951, 1.0, &err) ||
        athlete_mlp_workspace_create(g.value, chunk, &g.ws, &err))
        die("gae setup", &err);
    g.obs = calloc(3 * (steps + 1), sizeof(float));
    g.values = calloc(steps + 1, sizeof(float));
    g.rewards = calloc(steps, sizeof(float));
    g.dones = calloc(steps, sizeof(float));
    g.adv = calloc(steps, sizeof(float));
    g.ret = calloc(steps, sizeof(float));
    for (size_t i = 0; i < 3 * (steps + 1); i++)
        g.obs[i] = (float)athlete_rng_uniform_range(&rng, -1.0, 1.0);
    for (size_t t = 0; t < steps; t++) {
        g.rewards[t] = (float)athlete_rng_uniform_range(&rng, -16.0, 0.0);
        g.dones[t] = t % 200 == 199 ? 1.0f : 0.0f;
    }
    double us = bench_time_us(gae_once, &g);
    athlete_mlp_workspace_destroy(g.ws);
    athlete_mlp_destroy(g.value);
    free(g.obs);
    free(g.values);
    free(g.rewards);
    free(g.dones);
    free(g.adv);
    free(g.ret);
    return us;
}


/* ---- vector agents ---- */

/* The thread's CPU time: on a shared machine the wall clock also counts the time other
 * processes held the core, CPU time counts only this one's work. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *rltools_vector_overrides(size_t n, char *buf, size_t size)
{
    snprintf(buf, size,
             "{\"actor_network_arguments\": {\"hidden_dims\": [32, 32]},"
             " \"value_network_arguments\": {\"hidden_dims\": [32, 32]},"
             " \"steps_per_update\": %zu, \"mini_batch_size\": 1024, \"epochs_per_update\": 1}",
             1024 / n);
    return buf;
}

static athlete_agent *make_vector_agent(const athlete_registry *reg, athlete_vector_env *venv, size_t n,
                                        const char *overrides)
{
    athlete_error err;
    athlete_agent *agent;
    uint64_t seed = 0;
    if (athlete_agent_create_vector(reg, "ppo", athlete_vector_env_observation_space(venv),
                                    athlete_vector_env_action_space(venv), n, &seed, overrides, &agent, &err))
        die("vector agent", &err);
    return agent;
}

static double vector_steps_per_second(const athlete_registry *reg, size_t n, uint64_t steps)
{
    athlete_error err;
    athlete_vector_env *venv;
    char overrides[512];
    if (athlete_vector_env_create("Pendulum-v1", NULL, n, &venv, &err))
        die("vector env", &err);
    athlete_agent *agent = make_vector_agent(reg, venv, n, rltools_vector_overrides(n, overrides, sizeof overrides));
    uint64_t seed = 0;
    double t0 = cpu_now();
    if (athlete_run_vector_training(agent, venv, steps, &seed, NULL, &err))
        die("vector training", &err);
    double seconds = cpu_now() - t0;
    athlete_agent_destroy(agent);
    athlete_vector_env_destroy(venv);
    return (double)steps / seconds;
}

typedef struct vector_breakdown {
    double env_ns, act_ns, update_call_us; /* per env step; per env step; per update call */
    uint64_t updates;
} vector_breakdown;

static vector_breakdown vector_time_calls(const athlete_registry *reg, size_t n, uint64_t steps)
{
    athlete_error err;
    athlete_vector_env *venv;
    char overrides[512];
    if (athlete_vector_env_create("Pendulum-v1", NULL, n, &venv, &err))
        die("vector env", &err);
    athlete_agent *agent = make_vector_agent(reg, venv, n, rltools_vector_overrides(n, overrides, sizeof overrides));
    const athlete_space *space = athlete_vector_env_action_space(venv);
    float *obs = calloc(3 * n, sizeof(float)), *finals = calloc(3 * n, sizeof(float)), *env_actions = calloc(n, sizeof(float));
    double *rewards = calloc(n, sizeof(double));
    bool *terminated = calloc(n, sizeof(bool)), *truncated = calloc(n, sizeof(bool));
    const float *actions;
    const athlete_info *info;
    uint64_t seed = 0, act_calls = 0, calls = steps / n;
    double env_s = 0, act_s = 0, update_s = 0;
    vector_breakdown b = {0};
    if (athlete_vector_env_reset(venv, &seed, obs, &err) ||
        athlete_agent_vector_reset_step(agent, obs, &actions, NULL, &err))
        die("reset", &err);
    for (uint64_t c = 0; c < calls; c++) {
        for (size_t i = 0; i < n; i++)
            athlete_space_clip(space, actions + i, env_actions + i);
        double t0 = cpu_now();
        if (athlete_vector_env_step(venv, env_actions, n, obs, rewards, terminated, truncated, finals, &err))
            die("env step", &err);
        double t1 = cpu_now();
        if (athlete_agent_vector_step(agent, obs, finals, rewards, terminated, truncated, &actions, &info, &err))
            die("step", &err);
        double t2 = cpu_now();
        env_s += t1 - t0;
        if (athlete_info_find(info, "loss")) {
            update_s += t2 - t1;
            b.updates++;
        } else {
            act_s += t2 - t1;
            act_calls++;
        }
    }
    b.env_ns = env_s / (double)(calls * n) * 1e9;
    b.act_ns = act_s / (double)(act_calls * n) * 1e9;
    b.update_call_us = b.updates ? update_s / (double)b.updates * 1e6 : 0.0;
    free(obs);
    free(finals);
    free(env_actions);
    free(rewards);
    free(terminated);
    free(truncated);
    athlete_agent_destroy(agent);
    athlete_vector_env_destroy(venv);
    return b;
}

static void vector_section(const athlete_registry *reg, uint64_t steps)
{
    static const size_t counts[] = {1, 8, 64, 256};
    printf("\nVector agents (times are this thread's CPU time), RLtools' setting (32-32, rollouts of 1024 transitions = 1024/N steps per environment,\n"
           "one minibatch of 1024, 1 epoch), %llu env steps each:\n", (unsigned long long)steps);
    printf("  %5s %14s %12s %10s %10s %10s %10s\n", "N", "env-steps/s", "vs RLtools", "env", "acting", "GAE",
           "update");
    printf("  %5s %14s %12s %10s %10s %10s %10s\n", "", "(runner)", "2.97 M/s", "ns/step", "ns/step", "ns/step",
           "ns/step");
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        size_t n = counts[k];
        vector_steps_per_second(reg, n, steps / 20); /* warm caches and the BLAS buffers */
        double sps = vector_steps_per_second(reg, n, steps);
        vector_breakdown b = vector_time_calls(reg, n, steps / 4);
        /* GAE as the plugin does it: V over N x (T + 1) rows in chunks of 1024, the recursion per env. */
        size_t t = 1024 / n;
        double gae = gae_us(32, n * (t + 1) - 1, 1024) * 1e3 / 1024.0; /* ns per env step */
        /* An update call also acts for N rows and runs GAE: what is left is the update. */
        double update = b.update_call_us * 1e3 / 1024.0 - gae - b.act_ns * (double)n / 1024.0;
        printf("  %5zu %14.0f %11.2fx %10.1f %10.1f %10.1f %10.1f\n", n, sps, sps / 2.97e6, b.env_ns, b.act_ns, gae,
               update);
    }
    printf("  RLtools' 2.97 M env-steps/s: its PPO Pendulum-v1 (64 environments, 32-32, 1 epoch) measured side by side\n"
           "  on an AMD EPYC Zen 5 core (OpenBLAS Cooperlake); compare on the same machine only. acting = the agent's\n"
           "  step calls without an update (collector + batched policy), per environment step.\n");
}

/* Forward FLOPs of one row through 3 → h → h → out. */
static double row_flops(size_t hidden, size_t out)
{
    return 2.0 * (double)(3 * hidden + hidden * hidden + hidden * out);
}

int main(int argc, char **argv)
{
    uint64_t steps = argc > 1 ? strtoull(argv[1], NULL, 10) : 204800;
    uint64_t vector_steps = argc > 2 ? strtoull(argv[2], NULL, 10) : 10240000;
    bench_pin_one_core();
    bench_print_machine("PPO on Pendulum-v1, one environment per agent (one core)");
    athlete_error err;
    athlete_registry *reg;
    if (athlete_registry_create(NULL, &reg, &err))
        die("registry", &err);
    static const ppo_case cases[] = {
        {"seed defaults (64-64, 1024 steps, mb 256, 10 epochs)", NULL, 64, 1024, 10},
        {"RLtools' setting (32-32, 1024 steps, mb 1024, 1 epoch)",
         "{\"actor_network_arguments\": {\"hidden_dims\": [32, 32]},"
         " \"value_network_arguments\": {\"hidden_dims\": [32, 32]},"
         " \"steps_per_update\": 1024, \"mini_batch_size\": 1024, \"epochs_per_update\": 1}",
         32, 1024, 1},
    };
    for (size_t i = 0; steps > 0 && i < sizeof cases / sizeof cases[0]; i++) {
        const ppo_case *c = &cases[i];
        size_t chunk = c == &cases[0] ? 256 : 1024;
        steps_per_second(reg, c->overrides, steps / 10); /* warm caches and the BLAS buffers */
        double sps = steps_per_second(reg, c->overrides, steps);
        breakdown b = time_calls(reg, c->overrides, steps);
        double gae = gae_us(c->hidden, c->steps_per_update, chunk);
        double update = b.update_step_us - b.act_us - gae; /* the update step also acts */
        double per_rollout = (double)c->steps_per_update;
        double flops = (double)c->epochs * per_rollout * 3.0 * (row_flops(c->hidden, 1) + row_flops(c->hidden, 1));
        double total_us = per_rollout * (b.env_us + b.act_us) + b.update_step_us - b.act_us;
        printf("\n%s\n", c->name);
        printf("  %-34s %12.0f env-steps/s  (RLtools: 1 850 000 with 64 envs = %.2fx this)\n",
               "throughput (runner, uninstrumented)", sps, 1.85e6 / sps);
        printf("  per rollout of %zu steps (instrumented host loop, %llu updates):\n", c->steps_per_update,
               (unsigned long long)b.updates);
        printf("    %-32s %10.1f µs  (%4.1f%%, %.3f µs/step)\n", "environment", per_rollout * b.env_us,
               100.0 * per_rollout * b.env_us / total_us, b.env_us);
        printf("    %-32s %10.1f µs  (%4.1f%%, %.3f µs/step)\n", "acting (policy + collector)", per_rollout * b.act_us,
               100.0 * per_rollout * b.act_us / total_us, b.act_us);
        char gae_label[64];
        snprintf(gae_label, sizeof gae_label, "GAE (V of %zu rows + recursion)", c->steps_per_update + 1);
        printf("    %-32s %10.1f µs  (%4.1f%%)\n", gae_label, gae, 100.0 * gae / total_us);
        printf("    %-32s %10.1f µs  (%4.1f%%, %.1f GFLOP/s over %.1f MFLOP)\n", "gradient update", update,
               100.0 * update / total_us, flops / update * 1e-3, flops * 1e-6);
    }
    printf("\nRLtools' published figure: PPO Pendulum-v1, 10 M steps, 64 environments, hidden 32,\n"
           "measured on an Intel Xeon with SkylakeX kernels (12.7 s, i.e. 0.79 M/s, with the Prescott kernel as\n"
           "shipped), not on this machine: compare figures measured side by side only.\n");
    printf("One environment per agent: acting is sequential (a batch-1 matrix-vector product per layer),\n"
           "whereas RLtools steps 64 environments per forward pass. FLOPs per update: epochs x steps x 3 forward\n"
           "passes (forward, weight and input gradients) of both networks; Adam, the distributions and the\n"
           "gathers are counted as time only.\n");
    if (vector_steps > 0)
        vector_section(reg, vector_steps);
    athlete_registry_destroy(reg);
    return 0;
}

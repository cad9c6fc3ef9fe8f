/* Exported C policies vs athlete_policy_file_act: ns per action for the DQN 64-64 (CartPole)
 * and TD3 64-64 (Pendulum) policies, and the exported code's sizes (text of the compiled
 * object, bytes of constants).
 *
 * The policies hold their initial weights: the time of a forward pass does not depend on
 * the values. The exported files are compiled with the system compiler twice, portable
 * (-O2, baseline instruction set: what a firmware build would use) and for this CPU
 * (-O3 -march=native), and loaded with dlopen, so both sides pay one indirect call.
 *
 *   build/bench/bench-export [DIRECTORY]      (default /tmp) */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include <athlete/rng.h>

#include <dlfcn.h>
#include <stdlib.h>

#include "bench-util.h"

#define OBSERVATIONS 1024

static void die(const char *what, const athlete_error *err)
{
    fprintf(stderr, "bench-export: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

typedef int (*act_fn)(const float *observation, float *action);

typedef struct timing {
    athlete_policy_file *policy;
    act_fn act;
    const float *observations; /* OBSERVATIONS rows */
    size_t observation_size;
    float sink;
} timing;

/* One pass over the observation set: OBSERVATIONS actions. */
static void run_library(void *ctx)
{
    timing *t = ctx;
    athlete_error err;
    for (size_t i = 0; i < OBSERVATIONS; i++) {
        const float *action;
        if (athlete_policy_file_act(t->policy, t->observations + i * t->observation_size, false, &action, &err))
            die("policy_act", &err);
        t->sink += action[0];
    }
}

static void run_exported(void *ctx)
{
    timing *t = ctx;
    float action[4];
    for (size_t i = 0; i < OBSERVATIONS; i++) {
        if (t->act(t->observations + i * t->observation_size, action))
            die("exported act", NULL);
        t->sink += action[0];
    }
}

/* ns per action: the best of 300 passes over the observation set (each well under a
 * millisecond, so on a shared machine most passes run undisturbed and the best is the
 * undisturbed speed). */
static double best_ns_per_action(void (*fn)(void *), void *ctx)
{
    fn(ctx);
    double best = 1e30;
    for (int run = 0; run < 300; run++) {
        double t0 = bench_now();
        fn(ctx);
        double ns = (bench_now() - t0) * 1e9 / OBSERVATIONS;
        best = ns < best ? ns : best;
    }
    return best;
}

/* Bytes of the .text section (code only; the constants are in .rodata) of an object file. */
static long text_bytes(const char *object)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "size -A '%s' | awk '$1 == \".text\" {print $2}'", object);
    FILE *p = popen(cmd, "r");
    long bytes = -1;
    if (p) {
        if (fscanf(p, "%ld", &bytes) != 1)
            bytes = -1;
        pclose(p);
    }
    return bytes;
}

static void bench_one(athlete_registry *reg, const char *dir, const char *label, const char *algorithm, const char *env_id,
                      const char *overrides)
{
    athlete_error err;
    athlete_env *env;
    athlete_agent *agent;
    uint64_t seed = 0;
    if (athlete_env_create(env_id, NULL, &env, &err))
        die("env", &err);
    if (athlete_agent_create(reg, algorithm, athlete_env_observation_space(env), athlete_env_action_space(env), &seed,
                             overrides, &agent, &err))
        die("agent", &err);
    char policy_path[512], c_path[512], h_path[512], object[512], so[512], cmd[2200];
    snprintf(policy_path, sizeof policy_path, "%s/bench_%s.policy", dir, label);
    snprintf(c_path, sizeof c_path, "%s/bench_%s.c", dir, label);
    snprintf(h_path, sizeof h_path, "%s/bench_%s.h", dir, label);
    snprintf(object, sizeof object, "%s/bench_%s.o", dir, label);
    snprintf(so, sizeof so, "%s/bench_%s.so", dir, label);
    if (athlete_agent_save_policy(agent, policy_path, &err))
        die("save_policy", &err);
    char name[64];
    snprintf(name, sizeof name, "bench_%s", label);
    athlete_export_report report = {.struct_size = sizeof report};
    if (athlete_policy_export_c(reg, policy_path, name, c_path, h_path, NULL, &report, &err))
        die("export", &err);
    const char *cc = getenv("CC") ? getenv("CC") : "cc";
    static const char *const flag_sets[2] = {"-O2", "-O3 -march=native"};
    act_fn acts[2];
    void *dls[2];
    long code[2];
    for (int v = 0; v < 2; v++) {
        snprintf(cmd, sizeof cmd,
                 "%s -std=c99 -pedantic -Wall -Wextra -Werror %s -c '%s' -o '%s' && "
                 "%s -std=c99 %s -fPIC -shared '%s' -o '%s.%d' -lm",
                 cc, flag_sets[v], c_path, object, cc, flag_sets[v], c_path, so, v);
        if (system(cmd) != 0)
            die("compiling the exported code", NULL);
        code[v] = text_bytes(object);
        char path[600];
        snprintf(path, sizeof path, "%s.%d", so, v);
        dls[v] = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!dls[v])
            die(dlerror(), NULL);
        remove(path);
        char symbol[96];
        snprintf(symbol, sizeof symbol, "%s_act", name);
        acts[v] = (act_fn)dlsym(dls[v], symbol);
        if (!acts[v])
            die("dlsym", NULL);
    }
    athlete_policy_file *policy;
    if (athlete_policy_file_load(reg, policy_path, &policy, &err))
        die("load", &err);

    /* observations from the environment's own resets and random steps */
    size_t n = report.observation_size;
    float *observations = malloc(OBSERVATIONS * n * sizeof *observations);
    athlete_rng rng;
    athlete_rng_seed(&rng, 1, 1);
    const athlete_space *as = athlete_env_action_space(env);
    for (size_t i = 0; i < OBSERVATIONS; i++) {
        float *o = observations + i * n, action[4];
        uint64_t s = i;
        if (athlete_env_reset(env, &s, o, &err))
            die("reset", &err);
        for (int k = 0; k < (int)(i % 16); k++) {
            if (as->kind == ATHLETE_SPACE_DISCRETE)
                action[0] = (float)athlete_rng_below(&rng, (uint64_t)as->n);
            else
                action[0] = as->low[0] + (as->high[0] - as->low[0]) * (float)athlete_rng_uniform(&rng);
            double r;
            bool term, trunc;
            if (athlete_env_step(env, action, report.action_size, o, &r, &term, &trunc, &err))
                die("step", &err);
            if (term || trunc)
                break;
        }
    }
    timing t = {policy, NULL, observations, n, 0};
    double library_ns = best_ns_per_action(run_library, &t);
    printf("%s: constants %zu bytes, stack arrays %zu bytes\n", label, report.flash_bytes, report.stack_bytes);
    printf("  athlete_policy_file_act (OpenBLAS)        %7.1f ns/action\n", library_ns);
    for (int v = 0; v < 2; v++) {
        t.act = acts[v];
        double exported_ns = best_ns_per_action(run_exported, &t);
        printf("  exported C, cc %-18s  %7.1f ns/action (%.2fx the library's speed), code %ld bytes\n", flag_sets[v],
               exported_ns, library_ns / exported_ns, code[v]);
    }
    athlete_policy_file_destroy(policy);
    dlclose(dls[0]);
    dlclose(dls[1]);
    free(observations);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    remove(policy_path);
    remove(c_path);
    remove(h_path);
    remove(object);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    bench_pin_one_core();
    bench_print_machine("Exported C policies vs athlete_policy_file_act (one observation per call)");
    athlete_error err;
    athlete_registry *reg;
    if (athlete_registry_create(NULL, &reg, &err))
        die("registry", &err);
    bench_one(reg, dir, "dqn_cartpole_64_64", "dqn", "CartPole-v1",
              "{\"value_network_arguments\": {\"hidden_dims\": [64, 64]}}");
    bench_one(reg, dir, "td3_pendulum_64_64", "td3", "Pendulum-v1",
              "{\"actor_network_arguments\": {\"hidden_dims\": [64, 64]},"
              " \"critic_network_arguments\": {\"hidden_dims\": [64, 64]},"
              " \"critic_2_network_arguments\": {\"hidden_dims\": [64, 64]}}");
    athlete_registry_destroy(reg);
    return 0;
}

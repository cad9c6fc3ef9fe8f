/* Exported C policies vs athlete_policy_act: ns per action for the DQN 64-64 (CartPole)
 * and TD3 64-64 (Pendulum) policies, and the exported code's sizes (text of the compiled
 * object, bytes of constants).
 *
 * The policies hold their initial weights: the time of a forward pass does not depend on
 * the values. The exported files are compiled with the system compiler at -O2 (what a
 * firmware build would use) and loaded with dlopen, so both sides pay one indirect call.
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
    athlete_saved_policy *policy;
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
        if (athlete_policy_act(t->policy, t->observations + i * t->observation_size, false, &action, &err))
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

/* Text bytes of the object file compiled from `c_path` (via size(1)). */
static long text_bytes(const char *object)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "size '%s' | awk 'NR == 2 {print $1}'", object);
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
    snprintf(cmd, sizeof cmd,
             "%s -std=c99 -pedantic -Wall -Wextra -Werror -O2 -c '%s' -o '%s' && "
             "%s -std=c99 -O2 -fPIC -shared '%s' -o '%s' -lm",
             cc, c_path, object, cc, c_path, so);
    if (system(cmd) != 0)
        die("compiling the exported code", NULL);
    void *dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!dl)
        die(dlerror(), NULL);
    char symbol[96];
    snprintf(symbol, sizeof symbol, "%s_act", name);
    act_fn act = (act_fn)dlsym(dl, symbol);
    athlete_saved_policy *policy;
    if (!act || athlete_policy_load(reg, policy_path, &policy, &err))
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
    timing t = {policy, act, observations, n, 0};
    double library_ns = bench_time_us(run_library, &t) * 1e3 / OBSERVATIONS;
    double exported_ns = bench_time_us(run_exported, &t) * 1e3 / OBSERVATIONS;
    printf("%-22s athlete_policy_act %7.1f ns/action | exported C %6.1f ns/action (%.1fx) | "
           "code %ld bytes, constants %zu bytes, stack arrays %zu bytes\n",
           label, library_ns, exported_ns, library_ns / exported_ns, text_bytes(object), report.flash_bytes,
           report.stack_bytes);
    athlete_policy_destroy(policy);
    dlclose(dl);
    free(observations);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    remove(policy_path);
    remove(c_path);
    remove(h_path);
    remove(object);
    remove(so);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    bench_pin_one_core();
    bench_print_machine("Exported C policies vs athlete_policy_act (one observation per call, cc -O2)");
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

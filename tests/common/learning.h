/* Shared by the learning tests: train an algorithm on a built-in environment with a
 * fixed seed, evaluate its greedy policy, print and return the result; or do that with a
 * preset (presets/<algorithm>/<environment>.json) and assert its threshold. */
#ifndef ATHLETE_TEST_LEARNING_H
#define ATHLETE_TEST_LEARNING_H

#include <athlete/athlete.h>
#include <athlete/env.h>
#include "preset.h"
#include "runner.h"

#include <stdio.h>

#include "test-util.h"

typedef struct learning_case {
    const char *algorithm;
    const char *env_id;
    const char *env_options; /* JSON or NULL */
    const char *overrides;   /* JSON or NULL: also written in the README */
    uint64_t seed;
    uint64_t train_steps;
    uint64_t eval_episodes;
} learning_case;

static inline athlete_evaluation train_and_evaluate(const learning_case *c)
{
    athlete_error err;
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *reg = NULL;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    athlete_env *env = NULL, *eval_env = NULL;
    ck_assert_ok(athlete_env_create(c->env_id, c->env_options, &env, &err), &err);
    ck_assert_ok(athlete_env_create(c->env_id, c->env_options, &eval_env, &err), &err);
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_create(reg, c->algorithm, athlete_env_observation_space(env),
                                      athlete_env_action_space(env), &c->seed, c->overrides, &agent, &err),
                 &err);
    ck_assert_ok(athlete_run_training(agent, env, c->train_steps, &c->seed, NULL, &err), &err);
    athlete_evaluation ev;
    ck_assert_ok(athlete_run_evaluation(agent, eval_env, c->eval_episodes, c->seed + 1000000, &ev, &err), &err);
    printf("%s on %s (seed %llu, %llu steps, overrides %s): greedy mean return %.3f +/- %.3f over %llu episodes\n",
           c->algorithm, c->env_id, (unsigned long long)c->seed, (unsigned long long)c->train_steps,
           c->overrides ? c->overrides : "none", ev.mean_return, ev.std_return, (unsigned long long)ev.episodes);
    fflush(stdout);
    athlete_agent_destroy(agent);
    athlete_env_destroy(env);
    athlete_env_destroy(eval_env);
    athlete_registry_destroy(reg);
    return ev;
}

/* Trains the preset of (algorithm, env_id) with `seed` (its overrides, budget and
 * evaluation episodes); *threshold receives the preset's threshold. */
static inline athlete_evaluation train_preset(const char *algorithm, const char *env_id, uint64_t seed,
                                              double *threshold)
{
    athlete_error err;
    athlete_preset p;
    ck_assert_ok(athlete_preset_find(algorithm, env_id, &p, &err), &err);
    learning_case c = {algorithm, env_id, NULL, p.overrides, seed, p.steps, p.eval_episodes};
    athlete_evaluation ev = train_and_evaluate(&c);
    *threshold = p.threshold;
    athlete_preset_clear(&p);
    return ev;
}

/* train_preset, and asserts that the greedy mean return reaches the threshold. */
static inline athlete_evaluation assert_preset_learns(const char *algorithm, const char *env_id, uint64_t seed)
{
    double threshold;
    athlete_evaluation ev = train_preset(algorithm, env_id, seed, &threshold);
    ck_assert_msg(ev.mean_return >= threshold, "%s on %s, seed %llu: mean return %.3f < the preset's threshold %g",
                  algorithm, env_id, (unsigned long long)seed, ev.mean_return, threshold);
    return ev;
}

#endif

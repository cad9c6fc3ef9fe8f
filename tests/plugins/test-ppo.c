/* ppo through the plugin: space and configuration errors, agent_info keys on the step that
 * completes a rollout and on the others, the policy acting with the
 * updated actor in that step, the first update's losses, the categorical variant,
 * extension methods, zero allocations per step including update steps. */
#include <athlete/athlete.h>
#include <athlete/env.h>
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc-count.h"
#include "test-registry.h"
#include "test-util.h"

#define HALF_LOG_2PI 0.91893853320467274178

/* An environment and an agent on it. */
typedef struct rig {
    athlete_registry *reg;
    athlete_env *env;
    athlete_agent *agent;
    float obs[8], env_action[4];
    const float *action;
    const athlete_info *info;
} rig;

static void rig_start(rig *r, const char *env_id, uint64_t seed, const char *overrides)
{
    athlete_error err;
    r->reg = registry();
    ck_assert_ok(athlete_env_create(env_id, NULL, &r->env, &err), &err);
    ck_assert_ok(athlete_agent_create(r->reg, "ppo", athlete_env_observation_space(r->env),
                                      athlete_env_action_space(r->env), &seed, overrides, &r->agent, &err),
                 &err);
    ck_assert_ok(athlete_env_reset(r->env, &seed, r->obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(r->agent, r->obs, &r->action, &r->info, &err), &err);
}

/* One environment step and the agent's answer; a new episode starts after an ending one.
 * Returns true when the step ended an episode (then r->info is that step's info). */
static bool rig_step(rig *r)
{
    athlete_error err;
    const athlete_space *space = athlete_env_action_space(r->env);
    size_t n = athlete_space_flat_size(space);
    athlete_space_clip(space, r->action, r->env_action);
    double reward;
    bool terminated, truncated;
    ck_assert_ok(athlete_env_step(r->env, r->env_action, n, r->obs, &reward, &terminated, &truncated, &err), &err);
    ck_assert_ok(athlete_agent_step(r->agent, r->obs, reward, terminated, truncated, &r->action, &r->info, &err), &err);
    if (!terminated && !truncated)
        return false;
    ck_assert_ptr_null(r->action);
    return true;
}

static void rig_reset(rig *r)
{
    athlete_error err;
    ck_assert_ok(athlete_env_reset(r->env, NULL, r->obs, &err), &err);
    ck_assert_ok(athlete_agent_reset_step(r->agent, r->obs, &r->action, &r->info, &err), &err);
}

static void rig_finish(rig *r)
{
    athlete_agent_destroy(r->agent);
    athlete_env_destroy(r->env);
    athlete_registry_destroy(r->reg);
}

static double call_real(athlete_agent *agent, const char *method, const char *args)
{
    char *result = NULL;
    athlete_error err;
    ck_assert_ok(athlete_agent_call(agent, method, args, &result, &err), &err);
    double value = strcmp(result, "null") == 0 ? NAN : strtod(result, NULL);
    athlete_free(result);
    return value;
}

static const char *const loss_keys[] = {"policy_loss", "value_loss", "entropy_loss", "loss", "approx_kl",
                                        "clip_fraction"};

START_TEST(bad_spaces_and_config)
{
    athlete_registry *reg = registry();
    athlete_error err;
    athlete_env *pendulum;
    ck_assert_ok(athlete_env_create("Pendulum-v1", NULL, &pendulum, &err), &err);
    const athlete_space *box_obs = athlete_env_observation_space(pendulum);
    const athlete_space *box_act = athlete_env_action_space(pendulum);
    athlete_space lake = athlete_space_discrete(16);
    athlete_agent *agent = NULL;
    ck_assert_fails(athlete_agent_create(reg, "ppo", &lake, box_act, NULL, NULL, &agent, &err), &err,
                    ATHLETE_E_SPACE_MISMATCH, "ppo: ppo needs a Box observation space, got Discrete(16)");
    static const struct {
        const char *overrides;
        athlete_status status;
        const char *message;
    } cases[] = {
        {"{\"steps_per_update\": 0}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'steps_per_update' must be >= 1 (the rollout length), got 0"},
        {"{\"steps_per_update\": -5}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'steps_per_update' must be >= 1 (the rollout length), got -5"},
        {"{\"mini_batch_size\": 0}", ATHLETE_E_CONFIG_VALUE, "ppo config: 'mini_batch_size' must be >= 1, got 0"},
        {"{\"epochs_per_update\": 0}", ATHLETE_E_CONFIG_VALUE, "ppo config: 'epochs_per_update' must be >= 1, got 0"},
        {"{\"optimizer_arguments\": {\"lr\": 0}}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'optimizer_arguments.lr' must be > 0, got 0"},
        {"{\"optimizer_arguments\": {\"eps\": -1e-5}}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'optimizer_arguments.eps' must be >= 0, got -1e-05"},
        {"{\"discount\": 1.5}", ATHLETE_E_CONFIG_VALUE, "ppo config: 'discount' must be in [0, 1], got 1.5"},
        {"{\"generalized_advantage_estimation_lambda\": -0.1}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'generalized_advantage_estimation_lambda' must be in [0, 1], got -0.1"},
        {"{\"policy_ratio_clip_value\": -0.2}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'policy_ratio_clip_value' must be > 0 (the ratio is clipped to [1 - clip, 1 + clip]), got -0.2"},
        {"{\"value_loss_clip_value\": -1}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'value_loss_clip_value' must be > 0 or null (no value clipping), got -1"},
        {"{\"gradient_max_norm\": 0}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'gradient_max_norm' must be > 0 or null (no clipping), got 0"},
        {"{\"value_loss_coefficient\": -0.5}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'value_loss_coefficient' must be >= 0, got -0.5"},
        {"{\"entropy_loss_coefficient\": -0.01}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'entropy_loss_coefficient' must be >= 0, got -0.01"},
        {"{\"actor_network_arguments\": {\"hidden_dims\": [64, 0]}}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'actor_network_arguments.hidden_dims'[1] must be in [1, 65536], got 0"},
        {"{\"value_network_arguments\": {\"hidden_dims\": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}", ATHLETE_E_CONFIG_VALUE,
         "value_network_arguments.hidden_dims"},
        {"{\"mini_batch_size\": 32.5}", ATHLETE_E_CONFIG_TYPE, "ppo config: 'mini_batch_size' expects an integer, got 32.5"},
        {"{\"value_loss_clip_value\": \"off\"}", ATHLETE_E_CONFIG_TYPE, "ppo config: 'value_loss_clip_value' expects"},
        {"{\"device\": \"cpu\"}", ATHLETE_E_CONFIG_UNKNOWN_KEY, "ppo config: unknown key 'device'"},
        {"{\"warmup_steps\": 10}", ATHLETE_E_CONFIG_UNKNOWN_KEY, "ppo config: unknown key 'warmup_steps'"},
        {"{\"noise_process_class\": \"pink\"}", ATHLETE_E_CONFIG_VALUE,
         "ppo config: 'noise_process_class' must be \"gaussian\", \"ornstein_uhlenbeck\" or \"colored\", got \"pink\""},
        {"{\"noise_process_class\": \"colored\", \"noise_process_arguments\": {\"horizon\": 1}}",
         ATHLETE_E_CONFIG_VALUE, "ppo config: 'noise_process_arguments.horizon' must be in [2, 10000], got 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_fails(athlete_agent_create(reg, "ppo", box_obs, box_act, NULL, cases[i].overrides, &agent, &err), &err,
                        cases[i].status, cases[i].message);
    ck_assert_ptr_null(agent);
    athlete_space two = athlete_space_discrete(2);
    ck_assert_fails(athlete_agent_create(reg, "ppo", box_obs, &two, NULL, "{\"noise_process_class\": \"colored\"}",
                                         &agent, &err),
                    &err, ATHLETE_E_CONFIG_VALUE,
                    "ppo config: 'noise_process_class' needs a Box action space (a categorical policy draws no "
                    "Gaussian noise); set it to null");
    /* null and a number are both accepted where the original allows None. */
    ck_assert_ok(athlete_agent_create(reg, "ppo", box_obs, box_act, NULL,
                                      "{\"value_loss_clip_value\": 0.2, \"gradient_max_norm\": null,"
                                      " \"mini_batch_size\": 5000, \"actor_network_arguments\": {\"hidden_dims\": []}}",
                                      &agent, &err),
                 &err);
    athlete_agent_destroy(agent);
    athlete_env_destroy(pendulum);
    athlete_registry_destroy(reg);
}
END_TEST

/* The observation the pending action leads to, from a copy of the environment. */
static void peek_next_observation(rig *r, float *next)
{
    athlete_error err;
    size_t size = athlete_env_state_size(r->env);
    unsigned char *state = malloc(size);
    ck_assert_ok(athlete_env_get_state(r->env, state, size, &err), &err);
    athlete_env *copy;
    ck_assert_ok(athlete_env_create(athlete_env_id(r->env), NULL, &copy, &err), &err);
    ck_assert_ok(athlete_env_set_state(copy, state, size, &err), &err);
    const athlete_space *space = athlete_env_action_space(r->env);
    float env_action[4];
    athlete_space_clip(space, r->action, env_action);
    double reward;
    bool terminated, truncated;
    ck_assert_ok(athlete_env_step(copy, env_action, athlete_space_flat_size(space), next, &reward, &terminated,
                                  &truncated, &err),
                 &err);
    athlete_env_destroy(copy);
    free(state);
}

/* The evaluation policy's mean at `obs` (evaluation mode changes nothing). */
static float mean_at(rig *r, const float *obs)
{
    athlete_error err;
    const float *a;
    athlete_agent_eval(r->agent);
    ck_assert_ok(athlete_agent_step(r->agent, obs, 0, false, false, &a, NULL, &err), &err);
    float mean = a[0];
    athlete_agent_train(r->agent);
    return mean;
}

/* log N(action; mean, exp(log σ)) of the agent's current log σ. */
static double gaussian_log_prob(rig *r, float action, float mean)
{
    double log_std = call_real(r->agent, "log_std", "[0]");
    double z = (action - mean) / exp(log_std);
    return -0.5 * z * z - log_std - HALF_LOG_2PI;
}

START_TEST(agent_info_and_the_update_step)
{
    /* Rollouts of 50 steps; Pendulum episodes are 200 long, so every 4th update lands on
     * the step that ends an episode. */
    rig r;
    rig_start(&r, "Pendulum-v1", 3,
              "{\"steps_per_update\": 50, \"mini_batch_size\": 20, \"epochs_per_update\": 3, "
              "\"actor_network_arguments\": {\"hidden_dims\": [16]}, \"value_network_arguments\": {\"hidden_dims\": [16]}}");
    ck_assert_uint_eq(r.info->count, 0); /* reset_step: the update log only, empty */
    ck_assert_double_eq(call_real(r.agent, "clip_range", NULL), 0.2);
    ck_assert_double_eq(call_real(r.agent, "log_std", "[0]"), 0.0); /* log σ starts at 0 */
    ck_assert(isnan(call_real(r.agent, "log_std", "[1]")));
    int checked_updates = 0;
    for (uint64_t k = 1; k <= 420; k++) {
        bool update_step = k % 50 == 0;
        float next[3];
        double stale_log_prob = 0.0;
        if (update_step) {
            ck_assert_double_eq(call_real(r.agent, "rollout_steps", NULL), 49);
            /* What the policy would report if it acted with the actor from before the update. */
            peek_next_observation(&r, next);
            stale_log_prob = gaussian_log_prob(&r, 0.0f, mean_at(&r, next));
        }
        bool ended = rig_step(&r);
        ck_assert_msg(ended == (k % 200 == 0), "k=%llu", (unsigned long long)k);
        for (size_t i = 0; i < sizeof loss_keys / sizeof loss_keys[0]; i++) {
            const athlete_info_item *item = athlete_info_find(r.info, loss_keys[i]);
            ck_assert_msg((item != NULL) == update_step, "k=%llu: %s %s", (unsigned long long)k, loss_keys[i],
                          item ? "present" : "absent");
            if (item) {
                ck_assert_int_eq(item->type, ATHLETE_VALUE_REAL);
                ck_assert(isfinite(item->real));
            }
        }
        const athlete_info_item *lp = athlete_info_find(r.info, "log_prob");
        ck_assert_uint_eq(r.info->count, (ended ? 0 : 1) + (update_step ? 6 : 0));
        if (update_step)
            ck_assert_double_eq(call_real(r.agent, "rollout_steps", NULL), 0);
        if (ended) {
            ck_assert_ptr_null(lp); /* the episode ended: the update log alone */
            rig_reset(&r);
            ck_assert_uint_eq(r.info->count, 0);
            continue;
        }
        ck_assert_ptr_nonnull(lp);
        ck_assert_int_eq(lp->type, ATHLETE_VALUE_REALS);
        ck_assert_uint_eq(lp->count, 1);
        /* log_prob is log N(action; μ(obs), σ) of the actor as it is after this step's
         * updates: on an update step the policy acted with the updated actor. */
        float mean = mean_at(&r, r.obs);
        ck_assert_double_eq_tol(lp->reals[0], gaussian_log_prob(&r, r.action[0], mean), 1e-5);
        if (update_step) {
            ck_assert_mem_eq(next, r.obs, sizeof next);
            /* The update moved μ or σ at this observation (so the check above tells the
             * two actors apart). */
            ck_assert_double_gt(fabs(gaussian_log_prob(&r, 0.0f, mean) - stale_log_prob), 1e-6);
            checked_updates++;
        }
    }
    ck_assert_int_eq(checked_updates, 6);
    rig_finish(&r);
}
END_TEST

START_TEST(first_update_losses)
{
    /* One minibatch of the whole rollout, one epoch: the logged values are that
     * minibatch's, computed before its Adam step, with log σ = 0 and ratio = 1. */
    rig r;
    rig_start(&r, "Pendulum-v1", 5, "{\"steps_per_update\": 64, \"mini_batch_size\": 64, \"epochs_per_update\": 1}");
    for (int k = 1; k <= 64; k++)
        rig_step(&r);
    const athlete_info_item *pl = athlete_info_find(r.info, "policy_loss");
    const athlete_info_item *vl = athlete_info_find(r.info, "value_loss");
    const athlete_info_item *el = athlete_info_find(r.info, "entropy_loss");
    const athlete_info_item *tl = athlete_info_find(r.info, "loss");
    ck_assert_ptr_nonnull(pl);
    /* Normalised advantages have mean 0 and ratio = 1 up to float noise: L_pi ≈ 0. */
    ck_assert_double_eq_tol(pl->real, 0.0, 1e-4);
    ck_assert_double_eq_tol(el->real, -(0.5 + HALF_LOG_2PI), 1e-9); /* −H of N(μ, 1) */
    ck_assert_double_gt(vl->real, 0.0);
    ck_assert_double_eq_tol(tl->real, pl->real + 0.5 * vl->real + 0.0 * el->real, 1e-9);
    /* Adam moved log σ by about lr (its first step has size lr per element). */
    double log_std = call_real(r.agent, "log_std", "[0]");
    ck_assert_double_gt(fabs(log_std), 1e-4);
    ck_assert_double_lt(fabs(log_std), 4e-4);
    ck_assert(isfinite(mean_at(&r, r.obs)));
    rig_finish(&r);
}
END_TEST

START_TEST(discrete_actions_use_a_categorical_policy)
{
    rig r;
    rig_start(&r, "CartPole-v1", 7,
              "{\"steps_per_update\": 64, \"mini_batch_size\": 64, \"epochs_per_update\": 1,"
              " \"entropy_loss_coefficient\": 0.01, \"value_loss_clip_value\": 0.5}");
    ck_assert(r.action[0] == 0.0f || r.action[0] == 1.0f);
    ck_assert(isnan(call_real(r.agent, "log_std", "[0]"))); /* no log σ for a categorical */
    for (int k = 1; k <= 64; k++) {
        bool ended = rig_step(&r);
        if (!ended) {
            const athlete_info_item *lp = athlete_info_find(r.info, "log_prob");
            ck_assert_ptr_nonnull(lp);
            /* Two logits near 0 (output gain 0.01): log π ≈ log ½. */
            if (k < 64)
                ck_assert_double_eq_tol(lp->reals[0], -log(2.0), 0.05);
            ck_assert(r.action[0] == 0.0f || r.action[0] == 1.0f);
        }
        if (k == 64) {
            const athlete_info_item *el = athlete_info_find(r.info, "entropy_loss");
            ck_assert_ptr_nonnull(el);
            ck_assert_double_eq_tol(el->real, -log(2.0), 1e-3); /* −H of a near-uniform pair */
            const athlete_info_item *pl = athlete_info_find(r.info, "policy_loss");
            const athlete_info_item *vl = athlete_info_find(r.info, "value_loss");
            const athlete_info_item *tl = athlete_info_find(r.info, "loss");
            ck_assert_double_eq_tol(tl->real, pl->real + 0.5 * vl->real + 0.01 * el->real, 1e-9);
        }
        if (ended)
            rig_reset(&r);
    }
    /* The greedy action is one of the two, and evaluation is deterministic. */
    float a = mean_at(&r, r.obs), b = mean_at(&r, r.obs);
    ck_assert(a == 0.0f || a == 1.0f);
    ck_assert_float_eq(a, b);
    rig_finish(&r);
}
END_TEST

/* Same seed, same actions; another seed, others. */
static uint64_t trace(const char *env_id, uint64_t seed, const char *overrides, int steps)
{
    rig r;
    rig_start(&r, env_id, seed, overrides);
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < steps; k++) {
        uint32_t bits;
        memcpy(&bits, r.action, sizeof bits);
        h = (h ^ bits) * 1099511628211ull;
        if (rig_step(&r))
            rig_reset(&r);
    }
    rig_finish(&r);
    return h;
}

START_TEST(same_seed_same_run)
{
    const char *o = "{\"steps_per_update\": 32, \"mini_batch_size\": 8, \"epochs_per_update\": 2,"
                    " \"actor_network_arguments\": {\"hidden_dims\": [16]}, \"value_network_arguments\": {\"hidden_dims\": [16]}}";
    ck_assert_uint_eq(trace("Pendulum-v1", 1, o, 300), trace("Pendulum-v1", 1, o, 300));
    ck_assert_uint_ne(trace("Pendulum-v1", 1, o, 300), trace("Pendulum-v1", 2, o, 300));
    ck_assert_uint_eq(trace("CartPole-v1", 1, o, 300), trace("CartPole-v1", 1, o, 300));
}
END_TEST

/* Steady state, then `steps` more steps that must not allocate; update steps included. */
static void assert_no_allocations(const char *env_id, const char *overrides, int steps, int min_updates)
{
    count_allocations_begin();
    rig r;
    rig_start(&r, env_id, 9, overrides);
    for (int k = 0; k < 300; k++)
        if (rig_step(&r))
            rig_reset(&r);
    size_t before = allocation_count;
    int updates = 0;
    for (int k = 0; k < steps; k++) {
        bool ended = rig_step(&r);
        updates += athlete_info_find(r.info, "loss") != NULL;
        if (ended)
            rig_reset(&r);
    }
    ck_assert_uint_eq(allocation_count, before);
    ck_assert_int_ge(updates, min_updates);
    rig_finish(&r);
    count_allocations_end();
}

/* A vector agent's partial rollout holds n transitions of each environment: saved and
 * checked are those, not the slots the next rollout overwrites (zeros at first, which
 * are no valid action of a Discrete space starting at 1). */
START_TEST(vector_partial_rollout_round_trip)
{
    athlete_registry *reg = registry();
    athlete_error err;
    size_t shape[1] = {2};
    float low[2] = {-1, -1}, high[2] = {1, 1};
    athlete_space obs = athlete_space_box(1, shape, low, high), act = athlete_space_discrete(3);
    act.start = 1;
    uint64_t seed = 5;
    athlete_agent *agent = NULL, *loaded = NULL;
    ck_assert_ok(athlete_agent_create_vector(reg, "ppo", &obs, &act, 4, &seed,
                                             "{\"steps_per_update\": 16, \"mini_batch_size\": 16}", &agent, &err),
                 &err);
    float observations[8] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f, 0.7f, -0.8f};
    double rewards[4] = {1, 0, -1, 0.5};
    bool flags[4] = {false, false, false, false};
    const float *actions;
    ck_assert_ok(athlete_agent_vector_reset_step(agent, observations, &actions, NULL, &err), &err);
    for (int t = 0; t < 5; t++)
        ck_assert_ok(athlete_agent_vector_step(agent, observations, NULL, rewards, flags, flags, &actions, NULL, &err),
                     &err);
    char path[64];
    snprintf(path, sizeof path, "vector-rollout-%d.ckpt", (int)getpid());
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &loaded, &err), &err);
    const float *a, *b;
    for (int t = 0; t < 20; t++) { /* through the first update: the same actions */
        ck_assert_ok(athlete_agent_vector_step(agent, observations, NULL, rewards, flags, flags, &a, NULL, &err), &err);
        ck_assert_ok(athlete_agent_vector_step(loaded, observations, NULL, rewards, flags, flags, &b, NULL, &err),
                     &err);
        ck_assert_mem_eq(a, b, 4 * sizeof(float));
        for (int e = 0; e < 4; e++)
            ck_assert(a[e] >= 1.0f && a[e] <= 3.0f);
    }
    remove(path);
    athlete_agent_destroy(loaded);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

/* Saved before its first episode, an agent holds zeros as its pending observation: they
 * load even when 0 lies outside the observation space; a non-finite one is refused. */
START_TEST(saved_before_the_first_episode)
{
    athlete_registry *reg = registry();
    athlete_error err;
    size_t shape[1] = {2};
    float low[2] = {1, 1}, high[2] = {2, 2};
    athlete_space obs = athlete_space_box(1, shape, low, high), act = athlete_space_discrete(2);
    uint64_t seed = 5;
    athlete_agent *agent = NULL, *loaded = NULL;
    ck_assert_ok(athlete_agent_create(reg, "ppo", &obs, &act, &seed, NULL, &agent, &err), &err);
    char path[64];
    snprintf(path, sizeof path, "ppo-unstarted-%d.ckpt", (int)getpid());
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &loaded, &err), &err);
    athlete_agent_destroy(loaded);
    athlete_agent_destroy(agent);
    /* The same for a vector agent of an algorithm whose collector the core drives stream
     * by stream. */
    ck_assert_ok(athlete_agent_create_vector(reg, "dqn", &obs, &act, 3, &seed, NULL, &agent, &err), &err);
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &loaded, &err), &err);
    remove(path);
    athlete_agent_destroy(loaded);
    athlete_agent_destroy(agent);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(steps_allocate_nothing)
{
    /* Small networks keep the valgrind run short; the CartPole run takes the categorical,
     * value-clipping, entropy and no-gradient-clipping branches. */
    assert_no_allocations("Pendulum-v1",
                          "{\"steps_per_update\": 64, \"mini_batch_size\": 20, \"epochs_per_update\": 2,"
                          " \"actor_network_arguments\": {\"hidden_dims\": [16, 16]},"
                          " \"value_network_arguments\": {\"hidden_dims\": [16, 16]}}",
                          1000, 15);
    assert_no_allocations("CartPole-v1",
                          "{\"steps_per_update\": 100, \"mini_batch_size\": 32, \"epochs_per_update\": 2,"
                          " \"value_loss_clip_value\": 0.2, \"gradient_max_norm\": null, \"entropy_loss_coefficient\": 0.01,"
                          " \"actor_network_arguments\": {\"hidden_dims\": [16, 16]},"
                          " \"value_network_arguments\": {\"hidden_dims\": [16, 16]}}",
                          1000, 10);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ppo");
    TCase *tc = tcase_create("ppo");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bad_spaces_and_config);
    tcase_add_test(tc, agent_info_and_the_update_step);
    tcase_add_test(tc, first_update_losses);
    tcase_add_test(tc, discrete_actions_use_a_categorical_policy);
    tcase_add_test(tc, same_seed_same_run);
    tcase_add_test(tc, steps_allocate_nothing);
    tcase_add_test(tc, vector_partial_rollout_round_trip);
    tcase_add_test(tc, saved_before_the_first_episode);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

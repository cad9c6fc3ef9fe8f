/* The training and evaluation loops (see runner.h). */
#include "runner.h"

#include <athlete/alloc.h>

#include <math.h>
#include <string.h>

typedef struct buffers {
    float *observation, *action;
    size_t action_size;
} buffers;

static athlete_status buffers_create(const athlete_env *env, buffers *b, athlete_error *err)
{
    b->action_size = athlete_space_flat_size(athlete_env_action_space(env));
    b->observation = athlete_calloc(athlete_space_flat_size(athlete_env_observation_space(env)), sizeof(float));
    b->action = athlete_calloc(b->action_size, sizeof(float));
    if (!b->observation || !b->action) {
        athlete_free(b->observation);
        athlete_free(b->action);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "runner: out of memory");
    }
    return ATHLETE_OK;
}

static void buffers_destroy(buffers *b)
{
    athlete_free(b->observation);
    athlete_free(b->action);
}

athlete_status athlete_run_training(athlete_agent *agent, athlete_env *env, uint64_t steps, const uint64_t *seed,
                                    const athlete_training_callbacks *callbacks, athlete_error *err)
{
    athlete_training_state state = {0};
    return athlete_run_training_from(agent, env, &state, steps, seed, callbacks, err);
}

athlete_status athlete_run_training_from(athlete_agent *agent, athlete_env *env, athlete_training_state *state,
                                         uint64_t until_step, const uint64_t *seed,
                                         const athlete_training_callbacks *callbacks, athlete_error *err)
{
    const athlete_space *space = athlete_env_action_space(env);
    if (state->in_episode && !athlete_agent_last_action(agent))
        return athlete_error_set(err, ATHLETE_E_CALL_ORDER,
                                 "runner: an episode is in progress but the agent has no pending action");
    buffers b;
    athlete_status st = buffers_create(env, &b, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_training_callbacks none = {0};
    const athlete_training_callbacks *cb = callbacks ? callbacks : &none;
    const float *action;
    const athlete_info *info;
    athlete_agent_train(agent);
    /* The action to apply is copied (clipped) as soon as the agent returns it: callbacks may
     * use the agent, which ends the borrow. */
    if (state->in_episode)
        athlete_space_clip(space, athlete_agent_last_action(agent), b.action);
    athlete_episode_report report = {.episode = state->episode,
                                     .episode_return = state->episode_return,
                                     .length = state->episode_length};
    bool go_on = true;
    while (st == ATHLETE_OK && go_on && state->step < until_step && !(cb->stop && *cb->stop)) {
        if (!state->in_episode) {
            st = athlete_env_reset(env, seed, b.observation, err);
            seed = NULL;
            if (st == ATHLETE_OK)
                st = athlete_agent_reset_step(agent, b.observation, &action, &info, err);
            if (st != ATHLETE_OK)
                break;
            athlete_space_clip(space, action, b.action);
            state->in_episode = true;
            report.episode_return = 0;
            report.length = 0;
        }
        double reward;
        bool terminated, truncated;
        st = athlete_env_step(env, b.action, b.action_size, b.observation, &reward, &terminated, &truncated, err);
        if (st != ATHLETE_OK)
            break;
        st = athlete_agent_step(agent, b.observation, reward, terminated, truncated, &action, &info, err);
        if (st != ATHLETE_OK)
            break;
        uint64_t t = ++state->step;
        report.episode_return += reward;
        report.length++;
        bool ended = terminated || truncated;
        if (!ended)
            athlete_space_clip(space, action, b.action);
        state->episode_return = report.episode_return;
        state->episode_length = report.length;
        if (ended) {
            state->in_episode = false;
            state->episode = ++report.episode;
            report.step = t;
            report.terminated = terminated;
            report.info = info;
            state->episode_return = 0;
            state->episode_length = 0;
        }
        if (ended && cb->on_episode)
            go_on = cb->on_episode(cb->context, &report);
        if (cb->on_step)
            go_on = cb->on_step(cb->context, t, info) && go_on;
        if (cb->on_progress && (t & 255) == 0)
            go_on = cb->on_progress(cb->context, t) && go_on;
    }
    buffers_destroy(&b);
    return st;
}

/* Acts for evaluation: an agent in evaluation mode, or a policy-only file's policy. */
typedef athlete_status (*act_fn)(void *actor, const float *observation, bool first, const float **action,
                                 athlete_error *err);

static athlete_status agent_act(void *actor, const float *observation, bool first, const float **action,
                                athlete_error *err)
{
    if (first)
        return athlete_agent_reset_step(actor, observation, action, NULL, err);
    return athlete_agent_step(actor, observation, 0, false, false, action, NULL, err);
}

static athlete_status policy_act(void *actor, const float *observation, bool first, const float **action,
                                 athlete_error *err)
{
    return athlete_policy_file_act(actor, observation, first, action, err);
}

static athlete_status evaluate(act_fn act, void *actor, athlete_env *env, uint64_t episodes, uint64_t seed,
                               athlete_evaluation *out, athlete_error *err)
{
    if (episodes == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "evaluation: needs at least one episode");
    buffers b;
    athlete_status st = buffers_create(env, &b, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_space *space = athlete_env_action_space(env);
    double sum = 0, sq = 0, lengths = 0, lo = INFINITY, hi = -INFINITY;
    for (uint64_t e = 0; st == ATHLETE_OK && e < episodes; e++) {
        uint64_t episode_seed = seed + e;
        const float *action;
        st = athlete_env_reset(env, &episode_seed, b.observation, err);
        if (st == ATHLETE_OK)
            st = act(actor, b.observation, true, &action, err);
        double ret = 0;
        bool done = false;
        while (st == ATHLETE_OK && !done) {
            double reward;
            bool terminated, truncated;
            athlete_space_clip(space, action, b.action);
            st = athlete_env_step(env, b.action, b.action_size, b.observation, &reward, &terminated, &truncated, err);
            if (st != ATHLETE_OK)
                break;
            ret += reward;
            lengths += 1;
            done = terminated || truncated;
            if (!done)
                st = act(actor, b.observation, false, &action, err);
        }
        sum += ret;
        sq += ret * ret;
        lo = ret < lo ? ret : lo;
        hi = ret > hi ? ret : hi;
    }
    buffers_destroy(&b);
    if (st != ATHLETE_OK)
        return st;
    double n = (double)episodes;
    out->episodes = episodes;
    out->mean_return = sum / n;
    double var = sq / n - out->mean_return * out->mean_return;
    out->std_return = var > 0 ? sqrt(var) : 0;
    out->min_return = lo;
    out->max_return = hi;
    out->mean_length = lengths / n;
    return ATHLETE_OK;
}

athlete_status athlete_run_evaluation(athlete_agent *agent, athlete_env *env, uint64_t episodes, uint64_t seed,
                                      athlete_evaluation *out, athlete_error *err)
{
    bool was_training = athlete_agent_is_training(agent);
    athlete_agent_eval(agent);
    athlete_status st = evaluate(agent_act, agent, env, episodes, seed, out, err);
    if (was_training)
        athlete_agent_train(agent);
    return st;
}

athlete_status athlete_run_policy_evaluation(athlete_policy_file *policy, athlete_env *env, uint64_t episodes,
                                             uint64_t seed, athlete_evaluation *out, athlete_error *err)
{
    return evaluate(policy_act, policy, env, episodes, seed, out, err);
}

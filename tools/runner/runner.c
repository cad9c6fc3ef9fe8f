/* The training and evaluation loops (see runner.h). */
#include "runner.h"

#include <athlete/alloc.h>

#include <math.h>

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
    buffers b;
    athlete_status st = buffers_create(env, &b, err);
    if (st != ATHLETE_OK)
        return st;
    const athlete_space *space = athlete_env_action_space(env);
    const athlete_training_callbacks none = {0};
    const athlete_training_callbacks *cb = callbacks ? callbacks : &none;
    const float *action;
    const athlete_info *info;
    athlete_agent_train(agent);
    st = athlete_env_reset(env, seed, b.observation, err);
    if (st == ATHLETE_OK)
        st = athlete_agent_reset_step(agent, b.observation, &action, &info, err);
    athlete_episode_report report = {0};
    for (uint64_t t = 0; st == ATHLETE_OK && t < steps; t++) {
        double reward;
        bool terminated, truncated;
        athlete_space_clip(space, action, b.action);
        st = athlete_env_step(env, b.action, b.action_size, b.observation, &reward, &terminated, &truncated, err);
        if (st != ATHLETE_OK)
            break;
        report.episode_return += reward;
        report.length++;
        st = athlete_agent_step(agent, b.observation, reward, terminated, truncated, &action, &info, err);
        if (st != ATHLETE_OK)
            break;
        bool go_on = true;
        if (terminated || truncated) {
            report.episode++;
            report.step = t + 1;
            report.terminated = terminated;
            report.info = info;
            if (cb->on_episode)
                go_on = cb->on_episode(cb->context, &report);
            report.episode_return = 0;
            report.length = 0;
            if (t + 1 < steps) {
                st = athlete_env_reset(env, NULL, b.observation, err);
                if (st == ATHLETE_OK)
                    st = athlete_agent_reset_step(agent, b.observation, &action, &info, err);
            }
        }
        if (cb->on_progress && ((t + 1) & 255) == 0)
            go_on = cb->on_progress(cb->context, t + 1) && go_on;
        if (!go_on)
            break;
    }
    buffers_destroy(&b);
    return st;
}

athlete_status athlete_run_evaluation(athlete_agent *agent, athlete_env *env, uint64_t episodes, uint64_t seed,
                                      athlete_evaluation *out, athlete_error *err)
{
    if (episodes == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "evaluation: needs at least one episode");
    buffers b;
    athlete_status st = buffers_create(env, &b, err);
    if (st != ATHLETE_OK)
        return st;
    bool was_training = athlete_agent_is_training(agent);
    athlete_agent_eval(agent);
    const athlete_space *space = athlete_env_action_space(env);
    double sum = 0, sq = 0, lengths = 0, lo = INFINITY, hi = -INFINITY;
    for (uint64_t e = 0; st == ATHLETE_OK && e < episodes; e++) {
        uint64_t episode_seed = seed + e;
        const float *action;
        st = athlete_env_reset(env, &episode_seed, b.observation, err);
        if (st == ATHLETE_OK)
            st = athlete_agent_reset_step(agent, b.observation, &action, NULL, err);
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
                st = athlete_agent_step(agent, b.observation, 0, false, false, &action, NULL, err);
        }
        sum += ret;
        sq += ret * ret;
        lo = ret < lo ? ret : lo;
        hi = ret > hi ? ret : hi;
    }
    if (was_training)
        athlete_agent_train(agent);
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

/* The README's training loop written in C, on the objects a Python program made: the
 * baseline the binding's per-step overhead is measured against (bench/bench-python.py). */
#include "athlete-py.h"

#include <stdlib.h>

static athlete_status loop(athlete_agent *agent, athlete_env *env, uint64_t steps, float *observation,
                           athlete_error *err)
{
    const float *action;
    size_t action_size = athlete_space_flat_size(athlete_env_action_space(env));
    athlete_status st = athlete_env_reset(env, NULL, observation, err);
    if (st == ATHLETE_OK)
        st = athlete_agent_reset_step(agent, observation, &action, NULL, err);
    for (uint64_t t = 0; st == ATHLETE_OK && t < steps; t++) {
        double reward;
        bool terminated, truncated;
        st = athlete_env_step(env, action, action_size, observation, &reward, &terminated, &truncated, err);
        if (st == ATHLETE_OK)
            st = athlete_agent_step(agent, observation, reward, terminated, truncated, &action, NULL, err);
        if (st == ATHLETE_OK && (terminated || truncated)) {
            st = athlete_env_reset(env, NULL, observation, err);
            if (st == ATHLETE_OK)
                st = athlete_agent_reset_step(agent, observation, &action, NULL, err);
        }
    }
    return st;
}

PyObject *athlete_py_run_loop(PyObject *self, PyObject *args)
{
    (void)self;
    PyObject *agent_obj, *env_obj;
    unsigned long long steps;
    if (!PyArg_ParseTuple(args, "OOK", &agent_obj, &env_obj, &steps))
        return NULL;
    athlete_agent *agent = athlete_py_agent_of(agent_obj);
    athlete_env *env = agent ? athlete_py_env_of(env_obj) : NULL;
    if (!env)
        return NULL;
    float *observation = calloc(athlete_space_flat_size(athlete_env_observation_space(env)), sizeof(float));
    if (!observation)
        return PyErr_NoMemory();
    athlete_error err;
    /* The GIL stays held: the agent object's busy flag is not set here. */
    athlete_status st = loop(agent, env, steps, observation, &err);
    free(observation);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    Py_RETURN_NONE;
}

/* athlete._athlete.Env: a built-in environment with Gymnasium's reset/step. */
#include "args.h"

typedef struct {
    PyObject_HEAD
    athlete_env *env;
    float *action;
    float *observation;
} env_object;

athlete_env *athlete_py_env_of(PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, &athlete_py_env_type) || !((env_object *)obj)->env) {
        PyErr_SetString(PyExc_TypeError, "expected an open environment");
        return NULL;
    }
    return ((env_object *)obj)->env;
}

static int env_usable(env_object *self)
{
    if (!self->env) {
        PyErr_SetString(PyExc_RuntimeError, "environment is closed");
        return -1;
    }
    return 0;
}

static int env_init(env_object *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"id", "options_json", NULL};
    const char *id, *options = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|z", kw, &id, &options))
        return -1;
    if (self->env) {
        PyErr_SetString(PyExc_RuntimeError, "environment already initialised");
        return -1;
    }
    athlete_error err;
    if (athlete_env_create(id, options, &self->env, &err) != ATHLETE_OK) {
        athlete_py_raise(&err);
        return -1;
    }
    self->action = PyMem_Calloc(athlete_space_flat_size(athlete_env_action_space(self->env)), sizeof(float));
    self->observation = PyMem_Calloc(athlete_space_flat_size(athlete_env_observation_space(self->env)), sizeof(float));
    if (!self->action || !self->observation) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void env_close_now(env_object *self)
{
    athlete_env_destroy(self->env);
    self->env = NULL;
    PyMem_Free(self->action);
    PyMem_Free(self->observation);
    self->action = self->observation = NULL;
}

static void env_dealloc(env_object *self)
{
    env_close_now(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *observation_value(env_object *self)
{
    return athlete_py_make_value(athlete_env_observation_space(self->env), self->observation, NPY_FLOAT32);
}

static PyObject *env_reset(env_object *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"seed", "options"};
    PyObject *a[2];
    if (athlete_py_parse_args("reset", args, nargs, kwnames, names, NULL, 2, 0, a) < 0 || env_usable(self) < 0)
        return NULL;
    uint64_t seed = 0;
    bool seeded = a[0] && a[0] != Py_None;
    if (seeded) {
        PyObject *index = PyNumber_Index(a[0]);
        if (!index)
            return NULL;
        seed = PyLong_AsUnsignedLongLong(index);
        Py_DECREF(index);
        if (PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "seed must be an integer in [0, 2**64)");
            return NULL;
        }
    }
    if (a[1] && a[1] != Py_None && (!PyDict_Check(a[1]) || PyDict_GET_SIZE(a[1]) != 0)) {
        PyErr_SetString(PyExc_ValueError, "reset: options are not supported by the built-in environments");
        return NULL;
    }
    athlete_error err;
    if (athlete_env_reset(self->env, seeded ? &seed : NULL, self->observation, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *obs = observation_value(self);
    if (!obs)
        return NULL;
    return Py_BuildValue("(N{})", obs);
}

static PyObject *env_step(env_object *self, PyObject *action)
{
    if (env_usable(self) < 0)
        return NULL;
    const athlete_space *space = athlete_env_action_space(self->env);
    if (athlete_py_read_value(space, action, self->action, "action") < 0)
        return NULL;
    double reward;
    bool terminated, truncated;
    athlete_error err;
    if (athlete_env_step(self->env, self->action, athlete_space_flat_size(space), self->observation, &reward,
                         &terminated, &truncated, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *result = PyTuple_New(5);
    PyObject *obs = result ? observation_value(self) : NULL;
    PyObject *r = obs ? PyFloat_FromDouble(reward) : NULL;
    PyObject *info = r ? PyDict_New() : NULL;
    if (!info) {
        Py_XDECREF(result);
        Py_XDECREF(obs);
        Py_XDECREF(r);
        return NULL;
    }
    PyTuple_SET_ITEM(result, 0, obs);
    PyTuple_SET_ITEM(result, 1, r);
    PyTuple_SET_ITEM(result, 2, Py_NewRef(terminated ? Py_True : Py_False));
    PyTuple_SET_ITEM(result, 3, Py_NewRef(truncated ? Py_True : Py_False));
    PyTuple_SET_ITEM(result, 4, info);
    return result;
}

static PyObject *env_close(env_object *self, PyObject *unused)
{
    (void)unused;
    env_close_now(self);
    Py_RETURN_NONE;
}

static PyObject *env_space_json(env_object *self, PyObject *which)
{
    if (env_usable(self) < 0)
        return NULL;
    long w = PyLong_AsLong(which);
    if (w == -1 && PyErr_Occurred())
        return NULL;
    return athlete_py_space_json(w == 0 ? athlete_env_observation_space(self->env) : athlete_env_action_space(self->env));
}

static PyObject *env_get_state(env_object *self, PyObject *unused)
{
    (void)unused;
    if (env_usable(self) < 0)
        return NULL;
    size_t size = athlete_env_state_size(self->env);
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!bytes)
        return NULL;
    athlete_error err;
    if (athlete_env_get_state(self->env, PyBytes_AS_STRING(bytes), size, &err) != ATHLETE_OK) {
        Py_DECREF(bytes);
        return athlete_py_raise(&err);
    }
    return bytes;
}

static PyObject *env_set_state(env_object *self, PyObject *arg)
{
    Py_buffer view;
    if (env_usable(self) < 0 || PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    athlete_error err;
    athlete_status st = athlete_env_set_state(self->env, view.buf, (size_t)view.len, &err);
    PyBuffer_Release(&view);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    Py_RETURN_NONE;
}

static PyObject *get_id(env_object *self, void *closure)
{
    (void)closure;
    return env_usable(self) < 0 ? NULL : PyUnicode_FromString(athlete_env_id(self->env));
}

static PyObject *get_max_episode_steps(env_object *self, void *closure)
{
    (void)closure;
    if (env_usable(self) < 0)
        return NULL;
    uint64_t n = athlete_env_max_episode_steps(self->env);
    if (n == 0)
        Py_RETURN_NONE;
    return PyLong_FromUnsignedLongLong(n);
}

static PyMethodDef env_methods[] = {
    {"reset", (PyCFunction)(void (*)(void))env_reset, METH_FASTCALL | METH_KEYWORDS,
     "reset(seed=None, options=None) -> (observation, info)"},
    {"step", (PyCFunction)env_step, METH_O, "step(action) -> (observation, reward, terminated, truncated, info)"},
    {"close", (PyCFunction)env_close, METH_NOARGS, "Frees the environment."},
    {"get_state", (PyCFunction)env_get_state, METH_NOARGS, "The complete state as bytes (same build only)."},
    {"set_state", (PyCFunction)env_set_state, METH_O, "Restores a state from get_state."},
    {"_space_json", (PyCFunction)env_space_json, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef env_getset[] = {
    {"id", (getter)get_id, NULL, "The environment id.", NULL},
    {"max_episode_steps", (getter)get_max_episode_steps, NULL, "The time limit, or None.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject athlete_py_env_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "athlete._athlete.Env",
    .tp_basicsize = sizeof(env_object),
    .tp_dealloc = (destructor)env_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "A built-in environment (athlete.envs.make).",
    .tp_methods = env_methods,
    .tp_getset = env_getset,
    .tp_init = (initproc)env_init,
    .tp_new = PyType_GenericNew,
};

/* athlete._athlete.Agent: one C agent. The per-step methods convert values, release the
 * GIL while the runtime works and convert the answer back. */
#include "args.h"

#include <stdbool.h>

typedef struct {
    PyObject_HEAD
    athlete_agent *agent;
    float *observation; /* the converted observation of the current call */
    int action_dtype;   /* NPY type of Box actions (the action space's dtype) */
    bool busy;          /* a call is running with the GIL released */
} agent_object;

athlete_agent *athlete_py_agent_of(PyObject *obj)
{
    if (!PyObject_TypeCheck(obj, &athlete_py_agent_type) || !((agent_object *)obj)->agent) {
        PyErr_SetString(PyExc_TypeError, "expected an agent");
        return NULL;
    }
    return ((agent_object *)obj)->agent;
}

static int usable(agent_object *self)
{
    if (!self->agent) {
        PyErr_SetString(PyExc_RuntimeError, "agent is not initialised (use athlete.make or athlete.from_checkpoint)");
        return -1;
    }
    if (self->busy) {
        PyErr_SetString(PyExc_RuntimeError, "agent is in use by another thread (an agent is not thread-safe)");
        return -1;
    }
    return 0;
}

/* Takes ownership of `agent`. */
static PyObject *wrap(PyTypeObject *cls, athlete_agent *agent, int action_dtype)
{
    agent_object *self = (agent_object *)cls->tp_alloc(cls, 0);
    if (!self) {
        athlete_agent_destroy(agent);
        return NULL;
    }
    self->agent = agent;
    self->action_dtype = action_dtype;
    self->observation = PyMem_Calloc(athlete_space_flat_size(athlete_agent_observation_space(agent)), sizeof(float));
    if (!self->observation) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static int read_dtype(PyObject *obj, int *dtype)
{
    PyArray_Descr *descr = NULL;
    if (!PyArray_DescrConverter2(obj, &descr))
        return -1;
    *dtype = descr ? descr->type_num : NPY_FLOAT32;
    Py_XDECREF(descr);
    if (!PyTypeNum_ISNUMBER(*dtype) || PyTypeNum_ISCOMPLEX(*dtype)) {
        PyErr_SetString(PyExc_TypeError, "action space dtype must be a real number type");
        return -1;
    }
    return 0;
}

static PyObject *agent_create(PyObject *cls, PyObject *args)
{
    const char *id, *obs_json, *act_json, *overrides;
    PyObject *seed_obj, *dtype_obj;
    if (!PyArg_ParseTuple(args, "sssOzO", &id, &obs_json, &act_json, &seed_obj, &overrides, &dtype_obj))
        return NULL;
    int dtype;
    if (read_dtype(dtype_obj, &dtype) < 0)
        return NULL;
    uint64_t seed = 0;
    if (seed_obj != Py_None) {
        if (!PyLong_Check(seed_obj) && !PyIndex_Check(seed_obj)) {
            PyErr_Format(PyExc_TypeError, "seed must be an integer or None, got %s", Py_TYPE(seed_obj)->tp_name);
            return NULL;
        }
        PyObject *index = PyNumber_Index(seed_obj);
        if (!index)
            return NULL;
        seed = PyLong_AsUnsignedLongLong(index);
        Py_DECREF(index);
        if (PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "seed must be an integer in [0, 2**64)");
            return NULL;
        }
    }
    athlete_registry *reg = athlete_py_registry();
    if (!reg)
        return NULL;
    athlete_error err;
    athlete_space *obs_space = NULL, *act_space = NULL;
    if (athlete_space_from_json(obs_json, &obs_space, &err) != ATHLETE_OK ||
        athlete_space_from_json(act_json, &act_space, &err) != ATHLETE_OK) {
        athlete_space_free(obs_space);
        return athlete_py_raise(&err);
    }
    athlete_agent *agent = NULL;
    athlete_status st;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_create(reg, id, obs_space, act_space, seed_obj == Py_None ? NULL : &seed, overrides,
                              &agent, &err);
    Py_END_ALLOW_THREADS
    athlete_space_free(obs_space);
    athlete_space_free(act_space);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    athlete_py_clear_stash();
    return wrap((PyTypeObject *)cls, agent, dtype);
}

static PyObject *agent_from_checkpoint(PyObject *cls, PyObject *args)
{
    PyObject *path_obj;
    int with_env = 0;
    if (!PyArg_ParseTuple(args, "O&|p", PyUnicode_FSConverter, &path_obj, &with_env))
        return NULL;
    athlete_registry *reg = athlete_py_registry();
    if (!reg) {
        Py_DECREF(path_obj);
        return NULL;
    }
    athlete_agent *agent = NULL;
    athlete_error err;
    athlete_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_from_checkpoint(reg, path, with_env, &agent, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path_obj);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    athlete_py_clear_stash();
    return wrap((PyTypeObject *)cls, agent, NPY_FLOAT32);
}

static void agent_dealloc(agent_object *self)
{
    athlete_agent_destroy(self->agent);
    PyMem_Free(self->observation);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *answer(agent_object *self, const float *action, const athlete_info *info)
{
    PyObject *a = action ? athlete_py_make_value(athlete_agent_action_space(self->agent), action, self->action_dtype)
                         : Py_NewRef(Py_None);
    if (!a)
        return NULL;
    PyObject *d = athlete_py_info_dict(info);
    if (!d) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *pair = PyTuple_New(2);
    if (!pair) {
        Py_DECREF(a);
        Py_DECREF(d);
        return NULL;
    }
    PyTuple_SET_ITEM(pair, 0, a);
    PyTuple_SET_ITEM(pair, 1, d);
    return pair;
}

static PyObject *agent_reset_step(agent_object *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"observation", "info"};
    static const char *const alias[] = {NULL, "env_info"};
    PyObject *a[2];
    if (athlete_py_parse_args("reset_step", args, nargs, kwnames, names, alias, 2, 1, a) < 0 || usable(self) < 0)
        return NULL;
    if (athlete_py_read_value(athlete_agent_observation_space(self->agent), a[0], self->observation,
                              "observation") < 0)
        return NULL;
    const float *action = NULL;
    const athlete_info *info = NULL;
    athlete_error err;
    athlete_status st;
    self->busy = true;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_reset_step(self->agent, self->observation, &action, &info, &err);
    Py_END_ALLOW_THREADS
    self->busy = false;
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    return answer(self, action, info);
}

static PyObject *agent_step(agent_object *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"observation", "reward", "terminated", "truncated", "info"};
    static const char *const alias[] = {NULL, NULL, NULL, NULL, "env_info"};
    PyObject *a[5];
    if (athlete_py_parse_args("step", args, nargs, kwnames, names, alias, 5, 1, a) < 0 || usable(self) < 0)
        return NULL;
    if (athlete_py_read_value(athlete_agent_observation_space(self->agent), a[0], self->observation,
                              "observation") < 0)
        return NULL;
    double reward = 0.0;
    int terminated = 0, truncated = 0;
    if (athlete_agent_is_training(self->agent)) {
        if (!a[1] || a[1] == Py_None || !a[2] || a[2] == Py_None || !a[3] || a[3] == Py_None) {
            PyErr_SetString(PyExc_ValueError,
                            "In training mode, observation, reward, terminated, and truncated must be provided.");
            return NULL;
        }
        reward = PyFloat_AsDouble(a[1]);
        if (reward == -1.0 && PyErr_Occurred())
            return NULL;
        if ((terminated = PyObject_IsTrue(a[2])) < 0 || (truncated = PyObject_IsTrue(a[3])) < 0)
            return NULL;
    }
    const float *action = NULL;
    const athlete_info *info = NULL;
    athlete_error err;
    athlete_status st;
    self->busy = true;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_step(self->agent, self->observation, reward, terminated, truncated, &action, &info, &err);
    Py_END_ALLOW_THREADS
    self->busy = false;
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    return answer(self, action, info);
}

static PyObject *agent_train(agent_object *self, PyObject *unused)
{
    (void)unused;
    if (usable(self) < 0)
        return NULL;
    athlete_agent_train(self->agent);
    Py_RETURN_NONE;
}

static PyObject *agent_eval(agent_object *self, PyObject *unused)
{
    (void)unused;
    if (usable(self) < 0)
        return NULL;
    athlete_agent_eval(self->agent);
    Py_RETURN_NONE;
}

static PyObject *agent_save_checkpoint(agent_object *self, PyObject *args, PyObject *kwargs)
{
    static char *kw[] = {"path", "save_environment_state", NULL};
    PyObject *path_obj = NULL;
    int with_env = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O&p:save_checkpoint", kw, PyUnicode_FSConverter, &path_obj,
                                     &with_env))
        return NULL;
    if (usable(self) < 0) {
        Py_XDECREF(path_obj);
        return NULL;
    }
    const char *path = path_obj ? PyBytes_AS_STRING(path_obj) : NULL;
    char *saved = NULL;
    athlete_error err;
    athlete_status st;
    self->busy = true;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_save_checkpoint(self->agent, path, with_env, &saved, &err);
    Py_END_ALLOW_THREADS
    self->busy = false;
    Py_XDECREF(path_obj);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *result = PyUnicode_DecodeFSDefault(saved);
    athlete_free(saved);
    return result;
}

static PyObject *agent_save_policy(agent_object *self, PyObject *arg)
{
    PyObject *path_obj;
    if (!PyUnicode_FSConverter(arg, &path_obj))
        return NULL;
    if (usable(self) < 0) {
        Py_DECREF(path_obj);
        return NULL;
    }
    const char *path = PyBytes_AS_STRING(path_obj);
    athlete_error err;
    athlete_status st;
    self->busy = true;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_save_policy(self->agent, path, &err);
    Py_END_ALLOW_THREADS
    self->busy = false;
    Py_DECREF(path_obj);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    return Py_NewRef(arg);
}

static PyObject *agent_call(agent_object *self, PyObject *args)
{
    const char *name, *args_json;
    if (!PyArg_ParseTuple(args, "ss", &name, &args_json) || usable(self) < 0)
        return NULL;
    char *result = NULL;
    athlete_error err;
    athlete_status st;
    self->busy = true;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_agent_call(self->agent, name, args_json, &result, &err);
    Py_END_ALLOW_THREADS
    self->busy = false;
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *text = PyUnicode_FromString(result);
    athlete_free(result);
    return text;
}

static PyObject *agent_methods(agent_object *self, PyObject *unused)
{
    (void)unused;
    if (usable(self) < 0)
        return NULL;
    PyObject *list = PyList_New(0);
    const athlete_method *m = athlete_agent_methods(self->agent);
    for (size_t i = 0; list && m && m[i].name; i++) {
        PyObject *item = Py_BuildValue("(sss)", m[i].name, m[i].signature, m[i].summary ? m[i].summary : "");
        if (!item || PyList_Append(list, item) < 0)
            Py_CLEAR(list);
        Py_XDECREF(item);
    }
    return list;
}

static PyObject *agent_space_json(agent_object *self, PyObject *which)
{
    if (usable(self) < 0)
        return NULL;
    long w = PyLong_AsLong(which);
    if (w == -1 && PyErr_Occurred())
        return NULL;
    return athlete_py_space_json(w == 0 ? athlete_agent_observation_space(self->agent)
                                        : athlete_agent_action_space(self->agent));
}

static PyObject *agent_configuration_json(agent_object *self, PyObject *unused)
{
    (void)unused;
    if (usable(self) < 0)
        return NULL;
    char *json;
    athlete_error err;
    if (athlete_agent_config_json(self->agent, false, &json, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *text = PyUnicode_FromString(json);
    athlete_free(json);
    return text;
}

static PyObject *get_algorithm_id(agent_object *self, void *closure)
{
    (void)closure;
    return usable(self) < 0 ? NULL : PyUnicode_FromString(athlete_agent_algorithm_id(self->agent));
}

static PyObject *get_seed(agent_object *self, void *closure)
{
    (void)closure;
    return usable(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(athlete_agent_seed(self->agent));
}

static PyObject *get_training(agent_object *self, void *closure)
{
    (void)closure;
    return usable(self) < 0 ? NULL : PyBool_FromLong(athlete_agent_is_training(self->agent));
}

static PyObject *get_last_action(agent_object *self, void *closure)
{
    (void)closure;
    if (usable(self) < 0)
        return NULL;
    const float *action = athlete_agent_last_action(self->agent);
    if (!action)
        Py_RETURN_NONE;
    return athlete_py_make_value(athlete_agent_action_space(self->agent), action, self->action_dtype);
}

static PyObject *get_load_warning(agent_object *self, void *closure)
{
    (void)closure;
    if (usable(self) < 0)
        return NULL;
    const char *w = athlete_agent_load_warning(self->agent);
    if (!w)
        Py_RETURN_NONE;
    return PyUnicode_FromString(w);
}

static PyObject *get_step_counts(agent_object *self, void *closure)
{
    (void)closure;
    if (usable(self) < 0)
        return NULL;
    const athlete_clock *c = athlete_agent_clock(self->agent);
    return Py_BuildValue("{sKsKsKsK}", "interactions", (unsigned long long)c->interactions, "episodes",
                         (unsigned long long)c->episodes, "data_points", (unsigned long long)c->data_points,
                         "warmup_steps", (unsigned long long)c->warmup_steps);
}

static PyMethodDef agent_methods_table[] = {
    {"_create", agent_create, METH_VARARGS | METH_CLASS, NULL},
    {"_from_checkpoint", agent_from_checkpoint, METH_VARARGS | METH_CLASS, NULL},
    {"reset_step", (PyCFunction)(void (*)(void))agent_reset_step, METH_FASTCALL | METH_KEYWORDS,
     "reset_step(observation, info=None) -> (action, agent_info): a new episode began with observation."},
    {"step", (PyCFunction)(void (*)(void))agent_step, METH_FASTCALL | METH_KEYWORDS,
     "step(observation, reward=None, terminated=None, truncated=None, info=None) -> (action, agent_info).\n"
     "In training mode reward, terminated and truncated are required; at an episode's end action is None."},
    {"train", (PyCFunction)agent_train, METH_NOARGS, "Training mode: exploration and updates."},
    {"eval", (PyCFunction)agent_eval, METH_NOARGS, "Evaluation mode: the evaluation policy, no updates."},
    {"save_checkpoint", (PyCFunction)(void (*)(void))agent_save_checkpoint, METH_VARARGS | METH_KEYWORDS,
     "save_checkpoint(path=None, save_environment_state=False) -> the path written."},
    {"save_policy", (PyCFunction)agent_save_policy, METH_O,
     "save_policy(path): only what the evaluation policy needs (load it with athlete.load_policy)."},
    {"_call", (PyCFunction)agent_call, METH_VARARGS, NULL},
    {"_methods", (PyCFunction)agent_methods, METH_NOARGS, NULL},
    {"_space_json", (PyCFunction)agent_space_json, METH_O, NULL},
    {"_configuration_json", (PyCFunction)agent_configuration_json, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef agent_getset[] = {
    {"algorithm_id", (getter)get_algorithm_id, NULL, "The algorithm's id.", NULL},
    {"seed", (getter)get_seed, NULL, "The agent's seed (drawn at random when make got none).", NULL},
    {"training", (getter)get_training, NULL, "True in training mode.", NULL},
    {"last_action", (getter)get_last_action, NULL, "The pending training action, or None.", NULL},
    {"load_warning", (getter)get_load_warning, NULL, "A harmless mismatch noticed on loading, or None.", NULL},
    {"step_counts", (getter)get_step_counts, NULL, "The step tracker: interactions, episodes, data_points, warmup_steps.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject athlete_py_agent_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "athlete._athlete.Agent",
    .tp_basicsize = sizeof(agent_object),
    .tp_dealloc = (destructor)agent_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "An agent of the C runtime (made by athlete.make or athlete.from_checkpoint).",
    .tp_methods = agent_methods_table,
    .tp_getset = agent_getset,
};

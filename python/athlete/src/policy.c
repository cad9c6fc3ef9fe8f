/* athlete._athlete.Policy: an inference-only policy loaded from a policy file. */
#include "athlete-py.h"

typedef struct {
    PyObject_HEAD
    athlete_policy_file *policy;
    float *observation;
} policy_object;

static PyObject *policy_load(PyObject *cls, PyObject *args)
{
    PyObject *path_obj;
    if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path_obj))
        return NULL;
    athlete_registry *reg = athlete_py_registry();
    if (!reg) {
        Py_DECREF(path_obj);
        return NULL;
    }
    athlete_policy_file *policy = NULL;
    athlete_error err;
    athlete_status st;
    const char *path = PyBytes_AS_STRING(path_obj);
    Py_BEGIN_ALLOW_THREADS
    st = athlete_policy_file_load(reg, path, &policy, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(path_obj);
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    athlete_py_clear_stash();
    policy_object *self = (policy_object *)((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
    if (!self) {
        athlete_policy_file_destroy(policy);
        return NULL;
    }
    self->policy = policy;
    self->observation = PyMem_Calloc(athlete_space_flat_size(athlete_policy_file_observation_space(policy)), sizeof(float));
    if (!self->observation) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    return (PyObject *)self;
}

static void policy_dealloc(policy_object *self)
{
    athlete_policy_file_destroy(self->policy);
    PyMem_Free(self->observation);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *act(policy_object *self, PyObject *observation, bool first)
{
    if (!self->policy) {
        PyErr_SetString(PyExc_RuntimeError, "policy is not initialised (use athlete.load_policy)");
        return NULL;
    }
    if (athlete_py_read_value(athlete_policy_file_observation_space(self->policy), observation, self->observation,
                              "observation") < 0)
        return NULL;
    const float *action;
    athlete_error err;
    athlete_status st;
    Py_BEGIN_ALLOW_THREADS
    st = athlete_policy_file_act(self->policy, self->observation, first, &action, &err);
    Py_END_ALLOW_THREADS
    if (st != ATHLETE_OK)
        return athlete_py_raise(&err);
    return athlete_py_make_value(athlete_policy_file_action_space(self->policy), action, NPY_FLOAT32);
}

static PyObject *policy_act(policy_object *self, PyObject *observation) { return act(self, observation, false); }
static PyObject *policy_reset_act(policy_object *self, PyObject *observation) { return act(self, observation, true); }

static PyObject *policy_space_json(policy_object *self, PyObject *which)
{
    if (!self->policy) {
        PyErr_SetString(PyExc_RuntimeError, "policy is not initialised (use athlete.load_policy)");
        return NULL;
    }
    long w = PyLong_AsLong(which);
    if (w == -1 && PyErr_Occurred())
        return NULL;
    return athlete_py_space_json(w == 0 ? athlete_policy_file_observation_space(self->policy)
                                        : athlete_policy_file_action_space(self->policy));
}

static PyObject *get_algorithm_id(policy_object *self, void *closure)
{
    (void)closure;
    if (!self->policy)
        Py_RETURN_NONE;
    return PyUnicode_FromString(athlete_policy_file_algorithm_id(self->policy));
}

static PyMethodDef policy_methods[] = {
    {"_load", policy_load, METH_VARARGS | METH_CLASS, NULL},
    {"act", (PyCFunction)policy_act, METH_O, "act(observation) -> action (the evaluation policy's)."},
    {"reset_act", (PyCFunction)policy_reset_act, METH_O, "reset_act(observation) -> action: an episode's first."},
    {"_space_json", (PyCFunction)policy_space_json, METH_O, NULL},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef policy_getset[] = {
    {"algorithm_id", (getter)get_algorithm_id, NULL, "The algorithm's id.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

PyTypeObject athlete_py_policy_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "athlete._athlete.Policy",
    .tp_basicsize = sizeof(policy_object),
    .tp_dealloc = (destructor)policy_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .tp_doc = "An inference-only policy (athlete.load_policy).",
    .tp_methods = policy_methods,
    .tp_getset = policy_getset,
};

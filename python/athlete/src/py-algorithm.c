/* Algorithms written in Python (athlete.register): the factory's data collector, updatable
 * components and policies are wrapped as C components, so the core's step sequence drives
 * them like any plugin's. Each call into Python takes the GIL (the agent released it). */
#include "athlete-py.h"

#include "step-tracker.h"

#include <stdio.h>
#include <string.h>

/* id -> component factory */
static PyObject *factories;
/* The tracker and seed of the agent whose components are being built or loaded. */
static PyObject *current_tracker;
static uint64_t current_seed;

PyObject *athlete_py_current_seed(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    if (!current_tracker) {
        PyErr_SetString(PyExc_RuntimeError, "current_seed() is only available inside a component factory");
        return NULL;
    }
    return PyLong_FromUnsignedLongLong(current_seed);
}

PyObject *athlete_py_current_step_tracker(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    if (!current_tracker) {
        PyErr_SetString(PyExc_RuntimeError,
                        "current_step_tracker() is only available inside a component factory");
        return NULL;
    }
    return Py_NewRef(current_tracker);
}

static PyObject *import_attr(const char *module_name, const char *attr)
{
    PyObject *module = PyImport_ImportModule(module_name);
    if (!module)
        return NULL;
    PyObject *a = PyObject_GetAttrString(module, attr);
    Py_DECREF(module);
    return a;
}

/* ---- one wrapped Python object ---- */

typedef struct py_component {
    PyObject *object;
    PyObject *kept;        /* the last info dict: the runtime borrows its keys */
    PyObject *kept_arrays; /* float32 arrays behind its array values */
    const athlete_space *observation_space, *action_space;
    bool has_reset_act;
    bool condition_failed; /* update_condition raised: update() reports it */
    athlete_updatable_ops ops;
    char name[32];
} py_component;

static py_component *component_new(PyObject *object, const athlete_build_args *args)
{
    py_component *c = PyMem_RawCalloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->object = Py_NewRef(object);
    c->observation_space = args->observation_space;
    c->action_space = args->action_space;
    c->has_reset_act = PyObject_HasAttrString(object, "reset_act");
    return c;
}

static void component_destroy(void *self)
{
    py_component *c = self;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_XDECREF(c->object);
    Py_XDECREF(c->kept);
    Py_XDECREF(c->kept_arrays);
    PyGILState_Release(g);
    PyMem_RawFree(c);
}

/* Copies a dict a component returned into `info`; the dict is kept so its keys stay valid. */
static int fill_info(py_component *c, PyObject *dict, athlete_info *info, const char *where)
{
    if (dict == Py_None)
        return 0;
    if (!PyDict_Check(dict)) {
        PyErr_Format(PyExc_TypeError, "%s must return a dict, got %s", where, Py_TYPE(dict)->tp_name);
        return -1;
    }
    /* A copy: the component may reuse and change its dict, the runtime keeps the keys. */
    dict = PyDict_Copy(dict);
    if (!dict)
        return -1;
    PyObject *arrays = PyList_New(0);
    if (!arrays) {
        Py_DECREF(dict);
        return -1;
    }
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (PyDict_Next(dict, &pos, &key, &value)) {
        const char *k = PyUnicode_Check(key) ? PyUnicode_AsUTF8(key) : NULL;
        if (!k) {
            PyErr_Format(PyExc_TypeError, "%s: info keys must be strings", where);
            goto fail;
        }
        bool ok;
        if (PyBool_Check(value) || PyArray_IsScalar(value, Bool)) {
            ok = athlete_info_set_bool(info, k, PyObject_IsTrue(value));
        } else if (PyLong_Check(value) || PyArray_IsScalar(value, Integer)) {
            long long v = PyLong_AsLongLong(value);
            if (v == -1 && PyErr_Occurred())
                goto fail;
            ok = athlete_info_set_int(info, k, v);
        } else if (PyFloat_Check(value) || PyArray_IsScalar(value, Floating)) {
            double v = PyFloat_AsDouble(value);
            if (v == -1.0 && PyErr_Occurred())
                goto fail;
            ok = athlete_info_set_real(info, k, v);
        } else {
            PyObject *arr = PyArray_FROM_OTF(value, NPY_FLOAT32, NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED |
                                                                     NPY_ARRAY_FORCECAST | NPY_ARRAY_ENSURECOPY);
            if (!arr) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError, "%s: info value '%s' must be a bool, number or array, got %s", where,
                             k, Py_TYPE(value)->tp_name);
                goto fail;
            }
            int rc = PyList_Append(arrays, arr);
            Py_DECREF(arr);
            if (rc < 0)
                goto fail;
            ok = athlete_info_set_reals(info, k, PyArray_DATA((PyArrayObject *)arr),
                                        (size_t)PyArray_SIZE((PyArrayObject *)arr));
        }
        if (!ok) {
            PyErr_Format(PyExc_ValueError, "%s: more than %d info items", where, ATHLETE_INFO_CAPACITY);
            goto fail;
        }
    }
    Py_XSETREF(c->kept, dict);
    Py_XSETREF(c->kept_arrays, arrays);
    return 0;
fail:
    athlete_info_clear(info); /* its keys and arrays may point into what is freed here */
    Py_DECREF(dict);
    Py_DECREF(arrays);
    return -1;
}

/* ---- collector ---- */

static athlete_status collector_reset(void *self, const float *observation, bool *new_data, athlete_error *err)
{
    py_component *c = self;
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    PyObject *obs = athlete_py_make_value(c->observation_space, observation, NPY_FLOAT32);
    PyObject *r = obs ? PyObject_CallMethod(c->object, "collect_reset", "(O{})", obs) : NULL;
    int truth = r ? PyObject_IsTrue(r) : -1;
    if (truth < 0)
        st = athlete_py_stash_exception(err, "data collector collect_reset");
    else
        *new_data = truth;
    Py_XDECREF(obs);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return st;
}

static athlete_status collector_collect(void *self, const athlete_step_data *step, bool *new_data,
                                        athlete_error *err)
{
    py_component *c = self;
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    PyObject *action = athlete_py_make_value(c->action_space, step->action, NPY_FLOAT32);
    PyObject *obs = action ? athlete_py_make_value(c->observation_space, step->observation, NPY_FLOAT32) : NULL;
    PyObject *policy_info = obs ? athlete_py_info_dict(step->policy_info) : NULL;
    PyObject *r = policy_info ? PyObject_CallMethod(c->object, "collect", "(OOdOO{}O)", action, obs, step->reward,
                                                    step->terminated ? Py_True : Py_False,
                                                    step->truncated ? Py_True : Py_False, policy_info)
                              : NULL;
    int truth = r ? PyObject_IsTrue(r) : -1;
    if (truth < 0)
        st = athlete_py_stash_exception(err, "data collector collect");
    else
        *new_data = truth;
    Py_XDECREF(action);
    Py_XDECREF(obs);
    Py_XDECREF(policy_info);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return st;
}

static const athlete_collector_ops collector_ops = {
    .struct_size = sizeof(athlete_collector_ops),
    .reset = collector_reset,
    .collect = collector_collect,
    .destroy = component_destroy,
};

/* ---- updatables ---- */

static bool updatable_ready(void *self, const athlete_clock *clock)
{
    (void)clock;
    py_component *c = self;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_GetAttrString(c->object, "update_condition");
    int truth = r ? PyObject_IsTrue(r) : -1;
    Py_XDECREF(r);
    if (truth < 0) {
        /* ready() cannot fail: the exception waits for update(), which reports it. */
        c->condition_failed = true;
        athlete_error scratch;
        athlete_py_stash_exception(&scratch, "update_condition");
        truth = 1;
    }
    PyGILState_Release(g);
    return truth;
}

static athlete_status updatable_update(void *self, const athlete_clock *clock, athlete_info *log,
                                       athlete_error *err)
{
    (void)clock;
    py_component *c = self;
    if (c->condition_failed) {
        c->condition_failed = false;
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "update_condition raised an exception");
    }
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    PyObject *r = PyObject_CallMethod(c->object, "update", NULL);
    if (!r || fill_info(c, r, log, "update()") < 0)
        st = athlete_py_stash_exception(err, "update()");
    Py_XDECREF(r);
    PyGILState_Release(g);
    return st;
}

/* ---- policies ---- */

static athlete_status policy_call(py_component *c, const char *method, const float *observation, float *action,
                                  athlete_info *info, athlete_error *err)
{
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    char where[32];
    snprintf(where, sizeof where, "policy %s()", method);
    PyObject *obs = athlete_py_make_value(c->observation_space, observation, NPY_FLOAT32);
    PyObject *r = obs ? PyObject_CallMethod(c->object, method, "(O)", obs) : NULL;
    if (r && (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2)) {
        PyErr_Format(PyExc_TypeError, "%s must return (action, policy_info), got %s", where, Py_TYPE(r)->tp_name);
        Py_CLEAR(r);
    }
    if (!r || athlete_py_read_value(c->action_space, PyTuple_GET_ITEM(r, 0), action, "policy action") < 0 ||
        fill_info(c, PyTuple_GET_ITEM(r, 1), info, where) < 0)
        st = athlete_py_stash_exception(err, where);
    Py_XDECREF(obs);
    Py_XDECREF(r);
    PyGILState_Release(g);
    return st;
}

static athlete_status policy_act(void *self, const float *observation, const athlete_clock *clock, float *action,
                                 athlete_info *info, athlete_error *err)
{
    (void)clock;
    return policy_call(self, "act", observation, action, info, err);
}

static athlete_status policy_reset_act(void *self, const float *observation, const athlete_clock *clock,
                                       float *action, athlete_info *info, athlete_error *err)
{
    (void)clock;
    py_component *c = self;
    return policy_call(c, c->has_reset_act ? "reset_act" : "act", observation, action, info, err);
}

static const athlete_policy_ops policy_ops = {
    .struct_size = sizeof(athlete_policy_ops),
    .act = policy_act,
    .reset_act = policy_reset_act,
    .destroy = component_destroy,
};

/* ---- the shared state: the step tracker, and checkpoints as one pickle of every
 * component (pickling them together keeps what they share shared) ---- */

typedef struct py_state {
    step_tracker_object *tracker;
    athlete_parts *parts;
} py_state;

static PyObject *components_tuple(const athlete_parts *p)
{
    PyObject *t = PyTuple_New((Py_ssize_t)(3 + p->updatable_count));
    if (!t)
        return NULL;
    PyTuple_SET_ITEM(t, 0, Py_NewRef(((py_component *)p->collector.self)->object));
    PyTuple_SET_ITEM(t, 1, Py_NewRef(((py_component *)p->training_policy.self)->object));
    PyTuple_SET_ITEM(t, 2, Py_NewRef(((py_component *)p->evaluation_policy.self)->object));
    for (size_t i = 0; i < p->updatable_count; i++)
        PyTuple_SET_ITEM(t, (Py_ssize_t)(3 + i), Py_NewRef(((py_component *)p->updatables[i].self)->object));
    return t;
}

static athlete_status state_save(void *state, athlete_writer *writer, athlete_error *err)
{
    py_state *s = state;
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    PyObject *dumps = import_attr("pickle", "dumps");
    PyObject *t = dumps ? components_tuple(s->parts) : NULL;
    PyObject *bytes = t ? PyObject_CallFunctionObjArgs(dumps, t, NULL) : NULL;
    if (!bytes)
        st = athlete_py_stash_exception(err, "pickling the components");
    else
        st = athlete_writer_put(writer, "pickle", ATHLETE_RECORD_BYTES, PyBytes_AS_STRING(bytes),
                                (size_t)PyBytes_GET_SIZE(bytes), err);
    Py_XDECREF(dumps);
    Py_XDECREF(t);
    Py_XDECREF(bytes);
    PyGILState_Release(g);
    return st;
}

static void replace_object(void *self, PyObject *object)
{
    py_component *c = self;
    Py_XSETREF(c->object, Py_NewRef(object));
    c->has_reset_act = PyObject_HasAttrString(object, "reset_act");
}

static athlete_status state_load(void *state, athlete_reader *reader, athlete_error *err)
{
    py_state *s = state;
    size_t size;
    athlete_status st = athlete_reader_count(reader, "pickle", ATHLETE_RECORD_BYTES, &size, err);
    if (st != ATHLETE_OK)
        return st;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)size);
    if (!bytes) {
        st = athlete_py_stash_exception(err, "loading the components");
        PyGILState_Release(g);
        return st;
    }
    st = athlete_reader_get(reader, "pickle", ATHLETE_RECORD_BYTES, PyBytes_AS_STRING(bytes), size, err);
    if (st == ATHLETE_OK) {
        PyObject *loads = import_attr("pickle", "loads");
        PyObject *saved_tracker = current_tracker;
        current_tracker = (PyObject *)s->tracker;
        PyObject *t = loads ? PyObject_CallFunctionObjArgs(loads, bytes, NULL) : NULL;
        current_tracker = saved_tracker;
        athlete_parts *p = s->parts;
        if (t && (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != (Py_ssize_t)(3 + p->updatable_count))) {
            PyErr_SetString(PyExc_ValueError, "the pickled components do not match the algorithm");
            Py_CLEAR(t);
        }
        if (!t) {
            st = athlete_py_stash_exception(err, "unpickling the components");
        } else {
            replace_object(p->collector.self, PyTuple_GET_ITEM(t, 0));
            replace_object(p->training_policy.self, PyTuple_GET_ITEM(t, 1));
            replace_object(p->evaluation_policy.self, PyTuple_GET_ITEM(t, 2));
            for (size_t i = 0; i < p->updatable_count; i++)
                replace_object(p->updatables[i].self, PyTuple_GET_ITEM(t, (Py_ssize_t)(3 + i)));
        }
        Py_XDECREF(loads);
        Py_XDECREF(t);
    }
    Py_DECREF(bytes);
    PyGILState_Release(g);
    return st;
}

static void state_destroy(void *state)
{
    py_state *s = state;
    PyGILState_STATE g = PyGILState_Ensure();
    s->tracker->clock = NULL;
    Py_DECREF(s->tracker);
    PyGILState_Release(g);
    PyMem_RawFree(s);
}

static const athlete_state_ops state_ops = {
    .struct_size = sizeof(athlete_state_ops),
    .save = state_save,
    .load = state_load,
    .destroy = state_destroy,
    .save_policy = state_save,
    .load_policy = state_load,
};

/* ---- the factory ---- */

static PyObject *space_object(const athlete_space *space)
{
    PyObject *from_json = import_attr("athlete.spaces", "_from_json");
    PyObject *json = from_json ? athlete_py_space_json(space) : NULL;
    PyObject *obj = json ? PyObject_CallFunctionObjArgs(from_json, json, NULL) : NULL;
    Py_XDECREF(from_json);
    Py_XDECREF(json);
    return obj;
}

static PyObject *configuration_dict(const athlete_config *config)
{
    char *json;
    athlete_error err;
    if (athlete_config_to_json(config, false, &json, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *loads = import_attr("json", "loads");
    PyObject *dict = loads ? PyObject_CallFunction(loads, "s", json) : NULL;
    Py_XDECREF(loads);
    athlete_free(json);
    return dict;
}

static int add_component(athlete_parts *parts, PyObject *object, const athlete_build_args *args, char kind,
                         size_t index)
{
    py_component *c = component_new(object, args);
    if (!c) {
        PyErr_NoMemory();
        return -1;
    }
    switch (kind) {
    case 'c':
        parts->collector = (athlete_collector){&collector_ops, c};
        break;
    case 't':
        parts->training_policy = (athlete_policy){&policy_ops, c};
        break;
    case 'e':
        parts->evaluation_policy = (athlete_policy){&policy_ops, c};
        break;
    default:
        snprintf(c->name, sizeof c->name, "python%zu", index);
        c->ops = (athlete_updatable_ops){
            .struct_size = sizeof(athlete_updatable_ops),
            .name = c->name,
            .ready = updatable_ready,
            .update = updatable_update,
            .destroy = component_destroy,
        };
        athlete_parts_add_updatable(parts, &c->ops, c);
        break;
    }
    return 0;
}

static int check_methods(PyObject *object, const char *what, const char *const *methods)
{
    for (size_t i = 0; methods[i]; i++)
        if (!PyObject_HasAttrString(object, methods[i])) {
            PyErr_Format(PyExc_TypeError, "the %s (%s) has no '%s'", what, Py_TYPE(object)->tp_name, methods[i]);
            return -1;
        }
    return 0;
}

static int build_parts(PyObject *result, const athlete_build_args *args, athlete_parts *out)
{
    static const char *const collector_methods[] = {"collect", "collect_reset", NULL};
    static const char *const rule_methods[] = {"updatable_components", NULL};
    static const char *const policy_methods[] = {"act", NULL};
    static const char *const updatable_methods[] = {"update", "update_condition", NULL};
    if (!PyTuple_Check(result) || PyTuple_GET_SIZE(result) != 4) {
        PyErr_Format(PyExc_TypeError,
                     "the component factory must return (data_collector, update_rule, training_policy, "
                     "evaluation_policy), got %s", Py_TYPE(result)->tp_name);
        return -1;
    }
    PyObject *collector = PyTuple_GET_ITEM(result, 0), *rule = PyTuple_GET_ITEM(result, 1);
    PyObject *training = PyTuple_GET_ITEM(result, 2), *evaluation = PyTuple_GET_ITEM(result, 3);
    if (check_methods(collector, "data collector", collector_methods) < 0 ||
        check_methods(rule, "update rule", rule_methods) < 0 ||
        check_methods(training, "training policy", policy_methods) < 0 ||
        check_methods(evaluation, "evaluation policy", policy_methods) < 0)
        return -1;
    PyObject *components = PyObject_GetAttrString(rule, "updatable_components");
    PyObject *seq = components ? PySequence_Fast(components, "updatable_components must be a sequence") : NULL;
    Py_XDECREF(components);
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int rc = 0;
    if (n > ATHLETE_MAX_UPDATABLES) {
        PyErr_Format(PyExc_ValueError, "at most %d updatable components, got %zd", ATHLETE_MAX_UPDATABLES, n);
        rc = -1;
    }
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
        rc = check_methods(PySequence_Fast_GET_ITEM(seq, i), "updatable component", updatable_methods);
    if (rc == 0)
        rc = add_component(out, collector, args, 'c', 0);
    if (rc == 0)
        rc = add_component(out, training, args, 't', 0);
    if (rc == 0)
        rc = add_component(out, evaluation, args, 'e', 0);
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++)
        rc = add_component(out, PySequence_Fast_GET_ITEM(seq, i), args, 'u', (size_t)i);
    Py_DECREF(seq);
    return rc;
}

static athlete_status py_build(const athlete_build_args *args, athlete_parts *out, athlete_error *err)
{
    PyGILState_STATE g = PyGILState_Ensure();
    athlete_status st = ATHLETE_OK;
    PyObject *factory = factories ? PyDict_GetItemString(factories, args->algorithm_id) : NULL;
    py_state *state = PyMem_RawCalloc(1, sizeof *state);
    step_tracker_object *tracker = PyObject_New(step_tracker_object, &athlete_py_step_tracker_type);
    if (!factory || !state || !tracker) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_RuntimeError, "no component factory for '%s'", args->algorithm_id);
        st = athlete_py_stash_exception(err, "component factory");
        PyMem_RawFree(state);
        Py_XDECREF(tracker);
        PyGILState_Release(g);
        return st;
    }
    tracker->clock = args->clock;
    state->tracker = tracker;
    state->parts = out;
    out->state = state;
    out->state_ops = &state_ops;
    PyObject *obs = space_object(args->observation_space);
    PyObject *act = obs ? space_object(args->action_space) : NULL;
    PyObject *config = act ? configuration_dict(args->config) : NULL;
    PyObject *saved_tracker = current_tracker;
    current_tracker = (PyObject *)tracker;
    current_seed = args->seed;
    PyObject *result = config ? PyObject_CallFunctionObjArgs(factory, obs, act, config, NULL) : NULL;
    current_tracker = saved_tracker;
    if (!result || build_parts(result, args, out) < 0) {
        st = athlete_py_stash_exception(err, "component factory");
        athlete_parts_destroy(out);
    }
    Py_XDECREF(obs);
    Py_XDECREF(act);
    Py_XDECREF(config);
    Py_XDECREF(result);
    PyGILState_Release(g);
    return st;
}

PyObject *athlete_py_register(PyObject *self, PyObject *args)
{
    (void)self;
    const char *id, *defaults;
    PyObject *factory;
    if (!PyArg_ParseTuple(args, "sOs", &id, &factory, &defaults))
        return NULL;
    if (!PyCallable_Check(factory)) {
        PyErr_SetString(PyExc_TypeError, "component_factory must be callable");
        return NULL;
    }
    athlete_registry *reg = athlete_py_registry();
    if (!reg)
        return NULL;
    if (!factories && !(factories = PyDict_New()))
        return NULL;
    /* The registry keeps the descriptor for its whole life (the process's). */
    athlete_algorithm *alg = PyMem_RawCalloc(1, sizeof *alg);
    char *id_copy = PyMem_RawMalloc(strlen(id) + 1), *defaults_copy = PyMem_RawMalloc(strlen(defaults) + 1);
    if (!alg || !id_copy || !defaults_copy) {
        PyMem_RawFree(alg);
        PyMem_RawFree(id_copy);
        PyMem_RawFree(defaults_copy);
        return PyErr_NoMemory();
    }
    strcpy(id_copy, id);
    strcpy(defaults_copy, defaults);
    *alg = (athlete_algorithm){
        .struct_size = sizeof(athlete_algorithm),
        .id = id_copy,
        .summary = "an algorithm written in Python",
        .default_config = defaults_copy,
        .build = py_build,
    };
    athlete_error err;
    if (athlete_registry_register(reg, alg, &err) != ATHLETE_OK) {
        PyMem_RawFree(alg);
        PyMem_RawFree(id_copy);
        PyMem_RawFree(defaults_copy);
        return athlete_py_raise(&err);
    }
    if (PyDict_SetItemString(factories, id, factory) < 0)
        return NULL;
    Py_RETURN_NONE;
}

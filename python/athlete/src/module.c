/* The _athlete extension module: errors, the process's registry, module-level functions. */
#define ATHLETE_PY_IMPORT_ARRAY
#include "athlete-py.h"

#include <athlete/blas.h>

/* ---- errors ---- */

/* The exception a Python-written component raised, kept until the C call that ran it
 * returns its error. Per thread: the component runs on the thread that made the call. */
static _Thread_local PyObject *stash_type, *stash_value, *stash_traceback;

athlete_status athlete_py_stash_exception(athlete_error *err, const char *where)
{
    athlete_py_clear_stash();
    PyErr_Fetch(&stash_type, &stash_value, &stash_traceback);
    PyErr_NormalizeException(&stash_type, &stash_value, &stash_traceback);
    PyObject *text = stash_value ? PyObject_Str(stash_value) : NULL;
    const char *message = text ? PyUnicode_AsUTF8(text) : NULL;
    if (!message)
        PyErr_Clear();
    athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s raised %s: %s", where,
                      stash_type ? ((PyTypeObject *)stash_type)->tp_name : "an exception",
                      message ? message : "?");
    Py_XDECREF(text);
    return ATHLETE_E_INVALID_ARGUMENT;
}

void athlete_py_clear_stash(void)
{
    Py_CLEAR(stash_type);
    Py_CLEAR(stash_value);
    Py_CLEAR(stash_traceback);
}

PyObject *athlete_py_raise(const athlete_error *err)
{
    if (stash_type) {
        /* The Python exception itself, so a user's algorithm fails with its own error. */
        PyErr_Restore(stash_type, stash_value, stash_traceback);
        stash_type = stash_value = stash_traceback = NULL;
        return NULL;
    }
    PyObject *type;
    switch (err->status) {
    case ATHLETE_E_CONFIG_TYPE:
        type = PyExc_TypeError;
        break;
    case ATHLETE_E_CALL_ORDER:
    case ATHLETE_E_UNSUPPORTED:
    case ATHLETE_E_PLUGIN_LOAD:
    case ATHLETE_E_PLUGIN_ABI:
    case ATHLETE_E_PLUGIN_INVALID:
        type = PyExc_RuntimeError;
        break;
    case ATHLETE_E_IO:
        type = PyExc_OSError;
        break;
    case ATHLETE_E_NO_MEMORY:
        type = PyExc_MemoryError;
        break;
    case ATHLETE_E_UNKNOWN_METHOD:
        type = PyExc_AttributeError;
        break;
    default:
        type = PyExc_ValueError;
        break;
    }
    PyErr_SetString(type, err->message);
    return NULL;
}

/* ---- the registry ---- */

static athlete_registry *registry;

athlete_registry *athlete_py_registry(void)
{
    if (!registry) {
        athlete_error err;
        if (athlete_registry_create(NULL, &registry, &err) != ATHLETE_OK) {
            athlete_py_raise(&err);
            return NULL;
        }
    }
    return registry;
}

static PyObject *list_algorithms(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    athlete_registry *reg = athlete_py_registry();
    if (!reg)
        return NULL;
    const char *const *ids;
    size_t n = athlete_registry_list(reg, &ids);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *id = PyUnicode_FromString(ids[i]);
        if (!id) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, id);
    }
    return list;
}

static PyObject *default_configuration(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *id = PyUnicode_AsUTF8(arg);
    athlete_registry *reg = id ? athlete_py_registry() : NULL;
    if (!reg)
        return NULL;
    char *json;
    athlete_error err;
    if (athlete_registry_default_config(reg, id, false, &json, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *text = PyUnicode_FromString(json);
    athlete_free(json);
    return text;
}

static PyObject *plugin_diagnostics(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    athlete_registry *reg = athlete_py_registry();
    if (!reg)
        return NULL;
    const athlete_plugin_diagnostic *d;
    size_t n = athlete_registry_diagnostics(reg, &d);
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *item = Py_BuildValue("(ssO)", d[i].path, d[i].message,
                                       d[i].status == ATHLETE_OK ? Py_True : Py_False);
        if (!item || PyList_Append(list, item) < 0)
            Py_CLEAR(list);
        Py_XDECREF(item);
    }
    return list;
}

static PyObject *blas_info(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    athlete_blas_use_default_threads(); /* what the first network does: report what agents run with */
    return Py_BuildValue("(siO)", athlete_blas_corename(), athlete_blas_threads(),
                         athlete_blas_kernel_is_generic() ? Py_True : Py_False);
}

static PyObject *env_ids(PyObject *self, PyObject *unused)
{
    (void)self, (void)unused;
    const char *const *ids;
    size_t n = athlete_env_list(&ids);
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        PyObject *id = PyUnicode_FromString(ids[i]);
        if (!id) {
            Py_CLEAR(list);
            break;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, id);
    }
    return list;
}

static PyMethodDef module_methods[] = {
    {"list_algorithms", list_algorithms, METH_NOARGS, "Registered algorithm ids, in registration order."},
    {"default_configuration", default_configuration, METH_O, "An algorithm's defaults as JSON text."},
    {"plugin_diagnostics", plugin_diagnostics, METH_NOARGS, "(path, message, loaded) for every file the scan saw."},
    {"blas_info", blas_info, METH_NOARGS, "(OpenBLAS kernel, threads, kernel is generic)."},
    {"run_loop", athlete_py_run_loop, METH_VARARGS,
     "run_loop(agent, env, steps): the training loop in C (the baseline of bench/bench-python.py)."},
    {"env_ids", env_ids, METH_NOARGS, "The built-in environment ids."},
    {"register", athlete_py_register, METH_VARARGS,
     "register(id, component_factory, default_configuration_json): an algorithm written in Python."},
    {"current_step_tracker", athlete_py_current_step_tracker, METH_NOARGS,
     "The step tracker of the agent whose components are being built (inside a component factory)."},
    {"current_seed", athlete_py_current_seed, METH_NOARGS,
     "The seed of the agent whose components are being built (inside a component factory)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_athlete", "The C runtime underneath the athlete package.", -1,
    module_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__athlete(void);
PyMODINIT_FUNC PyInit__athlete(void)
{
    import_array();
    PyTypeObject *types[] = {&athlete_py_agent_type, &athlete_py_env_type, &athlete_py_policy_type,
                             &athlete_py_step_tracker_type};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (PyType_Ready(types[i]) < 0)
            return NULL;
    PyObject *m = PyModule_Create(&module_def);
    if (!m)
        return NULL;
    const char *names[] = {"Agent", "Env", "Policy", "StepTracker"};
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        Py_INCREF(types[i]);
        if (PyModule_AddObject(m, names[i], (PyObject *)types[i]) < 0) {
            Py_DECREF(types[i]);
            Py_DECREF(m);
            return NULL;
        }
    }
    if (PyModule_AddStringConstant(m, "installed_plugin_dir", athlete_registry_installed_dir()) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}

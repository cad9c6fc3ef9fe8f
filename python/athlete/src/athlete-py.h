/* Private declarations of the _athlete extension module (the C side of the Python package). */
#ifndef ATHLETE_PY_H
#define ATHLETE_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL athlete_py_ARRAY_API
#ifndef ATHLETE_PY_IMPORT_ARRAY
#  define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include <athlete/athlete.h>
#include <athlete/env.h>

/* ---- errors ---- */
/* Raises the Python exception matching err->status with err's message (or the Python
 * exception a Python-written component raised during the call); returns NULL. */
PyObject *athlete_py_raise(const athlete_error *err);
/* A Python-written component failed: keeps its exception for athlete_py_raise and fills
 * err with its text. Called with the GIL held and an exception set. */
athlete_status athlete_py_stash_exception(athlete_error *err, const char *where);
/* Drops a stashed exception that no call reported (the call succeeded anyway). */
void athlete_py_clear_stash(void);

/* ---- the process's registry (ATHLETE_PLUGIN_PATH, then the installed plugin dir) ---- */
athlete_registry *athlete_py_registry(void);

/* ---- values ---- */
/* Reads a value of `space` (numpy array, list, Python or numpy scalar) into `out`
 * (flat size floats). 0, or -1 with a Python exception naming `what`. */
int athlete_py_read_value(const athlete_space *space, PyObject *obj, float *out, const char *what);
/* A value of `space` as Python sees it: an int for Discrete, a new array of shape and
 * dtype `dtype` (an NPY type number) for Box. */
PyObject *athlete_py_make_value(const athlete_space *space, const float *value, int dtype);
/* The Python description of a space: its JSON text (athlete.spaces rebuilds the object). */
PyObject *athlete_py_space_json(const athlete_space *space);
/* A new dict of an info list: bools, ints, floats, float32 arrays. */
PyObject *athlete_py_info_dict(const athlete_info *info);

/* ---- types ---- */
extern PyTypeObject athlete_py_agent_type;
extern PyTypeObject athlete_py_env_type;
extern PyTypeObject athlete_py_policy_type;
extern PyTypeObject athlete_py_step_tracker_type;

/* The C objects behind agent and environment objects (NULL with TypeError otherwise). */
athlete_agent *athlete_py_agent_of(PyObject *obj);
athlete_env *athlete_py_env_of(PyObject *obj);
PyObject *athlete_py_run_loop(PyObject *self, PyObject *args);

/* ---- algorithms written in Python ---- */
PyObject *athlete_py_register(PyObject *self, PyObject *args);
PyObject *athlete_py_current_step_tracker(PyObject *self, PyObject *unused);
PyObject *athlete_py_current_seed(PyObject *self, PyObject *unused);

#endif

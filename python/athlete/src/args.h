/* Vectorcall argument parsing for the per-step methods: positional or keyword arguments by
 * name, without building a tuple and a dict (PyArg_ParseTupleAndKeywords costs more than
 * the step itself). */
#ifndef ATHLETE_PY_ARGS_H
#define ATHLETE_PY_ARGS_H

#include "athlete-py.h"

#include <string.h>

/* names[i] (and alias[i] when not NULL) is the name of argument i. out[i] is borrowed,
 * NULL when not given. 0, or -1 with TypeError. */
static inline int athlete_py_parse_args(const char *fname, PyObject *const *args, Py_ssize_t nargs,
                                        PyObject *kwnames, const char *const *names,
                                        const char *const *alias, Py_ssize_t count, Py_ssize_t required,
                                        PyObject **out)
{
    for (Py_ssize_t i = 0; i < count; i++)
        out[i] = NULL;
    if (nargs > count) {
        PyErr_Format(PyExc_TypeError, "%s() takes at most %zd arguments (%zd given)", fname, count, nargs);
        return -1;
    }
    for (Py_ssize_t i = 0; i < nargs; i++)
        out[i] = args[i];
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t k = 0; k < nkw; k++) {
        const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, k));
        if (!name)
            return -1;
        Py_ssize_t i = 0;
        while (i < count && strcmp(name, names[i]) != 0 && !(alias && alias[i] && strcmp(name, alias[i]) == 0))
            i++;
        if (i == count) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", fname, name);
            return -1;
        }
        if (out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", fname, names[i]);
            return -1;
        }
        out[i] = args[nargs + k];
    }
    for (Py_ssize_t i = 0; i < required; i++)
        if (!out[i]) {
            PyErr_Format(PyExc_TypeError, "%s() missing required argument '%s'", fname, names[i]);
            return -1;
        }
    return 0;
}

#endif

/* Values between Python and the runtime: observations and actions (numpy arrays, lists,
 * scalars) as flat float arrays, info lists as dicts. */
#include "athlete-py.h"

#include <string.h>

static void describe_shape(char *buf, size_t size, int ndim, const npy_intp *dims)
{
    size_t pos = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < ndim && pos < size; i++)
        pos += (size_t)snprintf(buf + pos, size - pos, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (pos < size)
        snprintf(buf + pos, size - pos, ndim == 1 ? ",)" : ")");
}

static int read_discrete(PyObject *obj, float *out, const char *what)
{
    if (PyBool_Check(obj) || !(PyIndex_Check(obj) || PyFloat_Check(obj) || PyArray_Check(obj))) {
        PyErr_Format(PyExc_TypeError, "%s: a Discrete space takes an integer, got %s", what,
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    if (PyArray_Check(obj)) {
        PyArrayObject *arr = (PyArrayObject *)obj;
        if (PyArray_SIZE(arr) != 1 || !strchr("iuf", PyArray_DESCR(arr)->kind)) {
            PyErr_Format(PyExc_TypeError, "%s: a Discrete space takes one integer, got an array of %lld %s values",
                         what, (long long)PyArray_SIZE(arr), PyArray_DESCR(arr)->typeobj->tp_name);
            return -1;
        }
        PyObject *item = PyArray_ToScalar(PyArray_DATA(arr), arr);
        if (!item)
            return -1;
        int rc = read_discrete(item, out, what);
        Py_DECREF(item);
        return rc;
    }
    if (PyIndex_Check(obj)) {
        PyObject *index = PyNumber_Index(obj);
        if (!index)
            return -1;
        int overflow;
        long long v = PyLong_AsLongLongAndOverflow(index, &overflow);
        Py_DECREF(index);
        if (overflow || v > (1LL << 24) || v < -(1LL << 24)) {
            PyErr_Format(PyExc_ValueError, "%s: integer out of range for a Discrete space", what);
            return -1;
        }
        *out = (float)v;
        return 0;
    }
    /* A float is passed on as it is: the runtime names a non-integer or NaN value. */
    *out = (float)PyFloat_AsDouble(obj);
    return 0;
}

static int shape_matches(const athlete_space *space, PyArrayObject *arr)
{
    if ((size_t)PyArray_NDIM(arr) != space->ndim)
        return 0;
    for (size_t i = 0; i < space->ndim; i++)
        if ((size_t)PyArray_DIM(arr, (int)i) != space->shape[i])
            return 0;
    return 1;
}

int athlete_py_read_value(const athlete_space *space, PyObject *obj, float *out, const char *what)
{
    if (space->kind == ATHLETE_SPACE_DISCRETE)
        return read_discrete(obj, out, what);
    size_t n = athlete_space_flat_size(space);
    /* The common case, an environment's float32 observation: one copy, no conversion. */
    if (PyArray_CheckExact(obj)) {
        PyArrayObject *arr = (PyArrayObject *)obj;
        if (PyArray_TYPE(arr) == NPY_FLOAT32 && PyArray_IS_C_CONTIGUOUS(arr) && shape_matches(space, arr)) {
            memcpy(out, PyArray_DATA(arr), n * sizeof(float));
            return 0;
        }
    }
    PyArrayObject *arr = (PyArrayObject *)PyArray_FROM_OF(obj, 0);
    if (!arr)
        return -1;
    char kind = PyArray_DESCR(arr)->kind;
    if (!strchr("biuf", kind)) {
        PyErr_Format(PyExc_TypeError, "%s: expected real numbers, got an array of dtype %s", what,
                     PyArray_DESCR(arr)->typeobj->tp_name);
        Py_DECREF(arr);
        return -1;
    }
    if (!shape_matches(space, arr)) {
        char got[96], want[96];
        npy_intp dims[ATHLETE_SPACE_MAX_DIMS];
        for (size_t i = 0; i < space->ndim; i++)
            dims[i] = (npy_intp)space->shape[i];
        describe_shape(got, sizeof got, PyArray_NDIM(arr), PyArray_DIMS(arr));
        describe_shape(want, sizeof want, (int)space->ndim, dims);
        PyErr_Format(PyExc_ValueError, "%s has shape %s, expected %s", what, got, want);
        Py_DECREF(arr);
        return -1;
    }
    PyArrayObject *f32 = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)arr, NPY_FLOAT32,
                                                           NPY_ARRAY_C_CONTIGUOUS | NPY_ARRAY_ALIGNED |
                                                               NPY_ARRAY_FORCECAST);
    Py_DECREF(arr);
    if (!f32)
        return -1;
    memcpy(out, PyArray_DATA(f32), n * sizeof(float));
    Py_DECREF(f32);
    return 0;
}

PyObject *athlete_py_make_value(const athlete_space *space, const float *value, int dtype)
{
    if (space->kind == ATHLETE_SPACE_DISCRETE)
        return PyLong_FromLongLong((long long)value[0]);
    npy_intp dims[ATHLETE_SPACE_MAX_DIMS];
    for (size_t i = 0; i < space->ndim; i++)
        dims[i] = (npy_intp)space->shape[i];
    PyArrayObject *arr = (PyArrayObject *)PyArray_SimpleNew((int)space->ndim, dims, NPY_FLOAT32);
    if (!arr)
        return NULL;
    memcpy(PyArray_DATA(arr), value, athlete_space_flat_size(space) * sizeof(float));
    if (dtype == NPY_FLOAT32)
        return (PyObject *)arr;
    PyObject *cast = PyArray_Cast(arr, dtype);
    Py_DECREF(arr);
    return cast;
}

PyObject *athlete_py_space_json(const athlete_space *space)
{
    char *json;
    athlete_error err;
    if (athlete_space_to_json(space, &json, &err) != ATHLETE_OK)
        return athlete_py_raise(&err);
    PyObject *text = PyUnicode_FromString(json);
    athlete_free(json);
    return text;
}

/* Info keys are mostly string literals of a plugin: their Python strings are made once.
 * A key's pointer may be reused by other text (a Python algorithm's keys), hence the
 * comparison of the text too. */
#define KEY_CACHE_SIZE 64
static struct {
    const char *pointer;
    PyObject *text;
} key_cache[KEY_CACHE_SIZE];

static PyObject *key_object(const char *key)
{
    size_t slot = ((uintptr_t)key >> 3) % KEY_CACHE_SIZE;
    if (key_cache[slot].pointer == key && strcmp(PyUnicode_AsUTF8(key_cache[slot].text), key) == 0) {
        Py_INCREF(key_cache[slot].text);
        return key_cache[slot].text;
    }
    PyObject *text = PyUnicode_InternFromString(key);
    if (!text)
        return NULL;
    Py_XSETREF(key_cache[slot].text, text);
    Py_INCREF(text);
    key_cache[slot].pointer = key;
    return text;
}

PyObject *athlete_py_info_dict(const athlete_info *info)
{
    PyObject *dict = PyDict_New();
    if (!dict)
        return NULL;
    for (size_t i = 0; i < info->count; i++) {
        const athlete_info_item *item = &info->items[i];
        PyObject *value = NULL;
        switch (item->type) {
        case ATHLETE_VALUE_BOOL:
            value = PyBool_FromLong(item->boolean);
            break;
        case ATHLETE_VALUE_INT:
            value = PyLong_FromLongLong(item->integer);
            break;
        case ATHLETE_VALUE_REAL:
            value = PyFloat_FromDouble(item->real);
            break;
        case ATHLETE_VALUE_REALS: {
            npy_intp dims[1] = {(npy_intp)item->count};
            value = PyArray_SimpleNew(1, dims, NPY_FLOAT32);
            if (value && item->count)
                memcpy(PyArray_DATA((PyArrayObject *)value), item->reals, item->count * sizeof(float));
            break;
        }
        default:
            value = Py_NewRef(Py_None);
            break;
        }
        PyObject *key = value ? key_object(item->key) : NULL;
        int rc = key ? PyDict_SetItem(dict, key, value) : -1;
        Py_XDECREF(key);
        Py_XDECREF(value);
        if (rc < 0) {
            Py_DECREF(dict);
            return NULL;
        }
    }
    return dict;
}

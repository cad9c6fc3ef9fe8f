/* athlete._athlete.StepTracker: a read-only view of an agent's clock for components
 * written in Python (the original's step tracker, one per agent). */
#include "athlete-py.h"

#include "step-tracker.h"

static int live(step_tracker_object *self)
{
    if (!self->clock) {
        PyErr_SetString(PyExc_RuntimeError, "step tracker of an agent that no longer exists");
        return -1;
    }
    return 0;
}

static PyObject *get_interactions(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(self->clock->interactions);
}
static PyObject *get_episodes(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(self->clock->episodes);
}
static PyObject *get_data_points(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(self->clock->data_points);
}
static PyObject *get_warmup_steps(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(self->clock->warmup_steps);
}
static PyObject *get_warmup_done(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyBool_FromLong(athlete_clock_warmup_done(self->clock));
}
static PyObject *get_after_warmup(step_tracker_object *self, void *closure)
{
    (void)closure;
    return live(self) < 0 ? NULL : PyLong_FromUnsignedLongLong(athlete_clock_after_warmup(self->clock));
}

/* Pickled components refer to "the tracker of the agent being built or loaded". */
static PyObject *tracker_reduce(step_tracker_object *self, PyObject *unused)
{
    (void)self, (void)unused;
    PyObject *module = PyImport_ImportModule("athlete._athlete");
    if (!module)
        return NULL;
    PyObject *fn = PyObject_GetAttrString(module, "current_step_tracker");
    Py_DECREF(module);
    return fn ? Py_BuildValue("(N())", fn) : NULL;
}

static PyGetSetDef tracker_getset[] = {
    {"interactions", (getter)get_interactions, NULL, "Environment interactions in training mode.", NULL},
    {"episodes", (getter)get_episodes, NULL, "Episodes ended.", NULL},
    {"data_points", (getter)get_data_points, NULL, "Data points the collector published.", NULL},
    {"warmup_steps", (getter)get_warmup_steps, NULL, "The configuration's warmup_steps.", NULL},
    {"warmup_done", (getter)get_warmup_done, NULL, "interactions >= warmup_steps.", NULL},
    {"interactions_after_warmup", (getter)get_after_warmup, NULL, "max(0, interactions - warmup_steps).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMethodDef tracker_methods[] = {
    {"__reduce__", (PyCFunction)tracker_reduce, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

PyTypeObject athlete_py_step_tracker_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "athlete._athlete.StepTracker",
    .tp_basicsize = sizeof(step_tracker_object),
    .tp_dealloc = (destructor)PyObject_Del,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "An agent's step counters (athlete.current_step_tracker() inside a component factory).",
    .tp_getset = tracker_getset,
    .tp_methods = tracker_methods,
};

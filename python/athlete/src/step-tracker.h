/* The StepTracker object: a borrowed view of an agent's clock. */
#ifndef ATHLETE_PY_STEP_TRACKER_H
#define ATHLETE_PY_STEP_TRACKER_H

#include "athlete-py.h"

typedef struct {
    PyObject_HEAD
    const athlete_clock *clock; /* NULL once the agent is gone */
} step_tracker_object;

#endif

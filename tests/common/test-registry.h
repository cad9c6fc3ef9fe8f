/* The registry most Check test programs start from: the built-in plugins found on
 * ATHLETE_PLUGIN_PATH (meson test sets it), nothing else. */
#ifndef ATHLETE_TEST_REGISTRY_H
#define ATHLETE_TEST_REGISTRY_H

#include <athlete/registry.h>

#include "test-util.h"

static inline athlete_registry *registry(void)
{
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_registry *reg = NULL;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    return reg;
}

#endif

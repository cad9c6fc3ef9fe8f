/* Umbrella header for host programs. */
#ifndef ATHLETE_ATHLETE_H
#define ATHLETE_ATHLETE_H

#include <athlete/agent.h>
#include <athlete/alloc.h>
#include <athlete/config.h>
#include <athlete/info.h>
#include <athlete/policy-export.h>
#include <athlete/registry.h>
#include <athlete/space.h>
#include <athlete/status.h>
#include <athlete/version.h>

#endif

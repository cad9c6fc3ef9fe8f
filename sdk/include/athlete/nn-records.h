/* Checkpoint records of networks and optimisers, written the same way by every plugin:
 *   "<name>.params"                       an MLP's parameters (f32)
 *   "<name>.exp_avg", "<name>.exp_avg_sq" Adam's moments over all groups (f32)
 *   "<name>.step"                         Adam's step count of every group (u64) */
#ifndef ATHLETE_NN_RECORDS_H
#define ATHLETE_NN_RECORDS_H

#include <athlete/adam.h>
#include <athlete/checkpoint.h>
#include <athlete/export.h>
#include <athlete/mlp.h>
#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

ATHLETE_API athlete_status athlete_mlp_save(const athlete_mlp *mlp, athlete_writer *writer, const char *name,
                                            athlete_error *err);
ATHLETE_API athlete_status athlete_mlp_load(athlete_mlp *mlp, athlete_reader *reader, const char *name,
                                            athlete_error *err);
ATHLETE_API athlete_status athlete_adam_save(athlete_adam *adam, athlete_writer *writer, const char *name,
                                             athlete_error *err);
ATHLETE_API athlete_status athlete_adam_load(athlete_adam *adam, athlete_reader *reader, const char *name,
                                             athlete_error *err);

ATHLETE_END_DECLS

#endif

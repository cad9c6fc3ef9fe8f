/* Checkpoint records of MLPs and Adam (see nn-records.h). */
#include <athlete/nn-records.h>

#include <stdio.h>

#define MAX_GROUPS 16

static void record(char *buf, size_t size, const char *name, const char *field)
{
    snprintf(buf, size, "%s.%s", name, field);
}

athlete_status athlete_mlp_save(const athlete_mlp *mlp, athlete_writer *w, const char *name, athlete_error *err)
{
    char rec[96];
    record(rec, sizeof rec, name, "params");
    return athlete_writer_put(w, rec, ATHLETE_RECORD_F32, athlete_mlp_params(mlp), athlete_mlp_param_count(mlp), err);
}

athlete_status athlete_mlp_load(athlete_mlp *mlp, athlete_reader *r, const char *name, athlete_error *err)
{
    char rec[96];
    record(rec, sizeof rec, name, "params");
    return athlete_reader_get(r, rec, ATHLETE_RECORD_F32, athlete_mlp_params(mlp), athlete_mlp_param_count(mlp), err);
}

athlete_status athlete_adam_save(athlete_adam *adam, athlete_writer *w, const char *name, athlete_error *err)
{
    size_t groups = athlete_adam_group_count(adam), n = athlete_adam_state_count(adam);
    if (groups > MAX_GROUPS)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "%s: more than %d Adam groups", name, MAX_GROUPS);
    uint64_t steps[MAX_GROUPS];
    for (size_t g = 0; g < groups; g++)
        steps[g] = athlete_adam_step_count(adam, g);
    char rec[96];
    athlete_status st;
    record(rec, sizeof rec, name, "exp_avg");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_F32, athlete_adam_exp_avg(adam), n, err)))
        return st;
    record(rec, sizeof rec, name, "exp_avg_sq");
    if ((st = athlete_writer_put(w, rec, ATHLETE_RECORD_F32, athlete_adam_exp_avg_sq(adam), n, err)))
        return st;
    record(rec, sizeof rec, name, "step");
    return athlete_writer_put(w, rec, ATHLETE_RECORD_U64, steps, groups, err);
}

athlete_status athlete_adam_load(athlete_adam *adam, athlete_reader *r, const char *name, athlete_error *err)
{
    size_t groups = athlete_adam_group_count(adam), n = athlete_adam_state_count(adam);
    if (groups > MAX_GROUPS)
        return athlete_error_set(err, ATHLETE_E_UNSUPPORTED, "%s: more than %d Adam groups", name, MAX_GROUPS);
    uint64_t steps[MAX_GROUPS];
    char rec[96];
    athlete_status st;
    record(rec, sizeof rec, name, "exp_avg");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F32, athlete_adam_exp_avg(adam), n, err)))
        return st;
    record(rec, sizeof rec, name, "exp_avg_sq");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_F32, athlete_adam_exp_avg_sq(adam), n, err)))
        return st;
    record(rec, sizeof rec, name, "step");
    if ((st = athlete_reader_get(r, rec, ATHLETE_RECORD_U64, steps, groups, err)))
        return st;
    for (size_t g = 0; g < groups; g++)
        athlete_adam_set_step_count(adam, g, steps[g]);
    return ATHLETE_OK;
}

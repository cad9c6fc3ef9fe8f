/* Continuous action scaling (see <athlete/scaling.h>). */
#include <athlete/scaling.h>

#include <athlete/alloc.h>

#include <math.h>

struct athlete_action_scaling {
    size_t size;
    float *scale, *offset; /* one allocation: scale then offset */
};

static athlete_status check_action_space(const athlete_space *space, const char *owner, athlete_error *err)
{
    char described[160];
    if (space->kind != ATHLETE_SPACE_BOX)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s needs a Box action space, got %s", owner,
                                 athlete_space_describe(space, described, sizeof described));
    size_t n = athlete_space_flat_size(space);
    for (size_t i = 0; i < n; i++) {
        bool low_bad = !isfinite(space->low[i]);
        if (low_bad || !isfinite(space->high[i]))
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s needs finite action bounds (its [-1, 1] actions are scaled to them), got %s: %s[%zu] is %s",
                                     owner, athlete_space_describe(space, described, sizeof described),
                                     low_bad ? "low" : "high", i,
                                     isnan(low_bad ? space->low[i] : space->high[i])
                                         ? "NaN"
                                         : ((low_bad ? space->low[i] : space->high[i]) < 0 ? "-inf" : "inf"));
    }
    return ATHLETE_OK;
}

athlete_status athlete_action_scaling_check(const athlete_space *observation_space, const athlete_space *action_space,
                                            const char *owner, athlete_error *err)
{
    char described[160];
    if (!observation_space || !action_space)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "%s: NULL space", owner ? owner : "scaling");
    if (observation_space->kind != ATHLETE_SPACE_BOX)
        return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH, "%s needs a Box observation space, got %s", owner,
                                 athlete_space_describe(observation_space, described, sizeof described));
    return check_action_space(action_space, owner, err);
}

athlete_status athlete_action_scaling_create(const athlete_space *action_space, const char *owner,
                                             athlete_action_scaling **out, athlete_error *err)
{
    if (!action_space || !out)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "action scaling: NULL argument");
    athlete_status st = check_action_space(action_space, owner ? owner : "action scaling", err);
    if (st != ATHLETE_OK)
        return st;
    size_t n = athlete_space_flat_size(action_space);
    athlete_action_scaling *s = athlete_calloc(1, sizeof *s);
    float *mem = athlete_calloc(2 * n, sizeof *mem);
    if (!s || !mem) {
        athlete_free(s);
        athlete_free(mem);
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "action scaling: out of memory");
    }
    s->size = n;
    s->scale = mem;
    s->offset = mem + n;
    for (size_t i = 0; i < n; i++) {
        /* float32 arithmetic, as numpy on the Box's float32 bounds */
        s->scale[i] = (action_space->high[i] - action_space->low[i]) / 2.0f;
        s->offset[i] = (action_space->high[i] + action_space->low[i]) / 2.0f;
        if (!isfinite(s->scale[i]) || !isfinite(s->offset[i])) {
            char described[160];
            athlete_action_scaling_destroy(s);
            return athlete_error_set(err, ATHLETE_E_SPACE_MISMATCH,
                                     "%s: the action bounds of %s are too far apart to scale to (element %zu overflows float)",
                                     owner ? owner : "action scaling",
                                     athlete_space_describe(action_space, described, sizeof described), i);
        }
    }
    *out = s;
    return ATHLETE_OK;
}

void athlete_action_scaling_destroy(athlete_action_scaling *scaling)
{
    if (!scaling)
        return;
    athlete_free(scaling->scale);
    athlete_free(scaling);
}

size_t athlete_action_scaling_size(const athlete_action_scaling *scaling) { return scaling->size; }
const float *athlete_action_scaling_scale(const athlete_action_scaling *scaling) { return scaling->scale; }
const float *athlete_action_scaling_offset(const athlete_action_scaling *scaling) { return scaling->offset; }

void athlete_action_scaling_apply(const athlete_action_scaling *scaling, const float *unscaled, float *action)
{
    for (size_t i = 0; i < scaling->size; i++)
        action[i] = unscaled[i] * scaling->scale[i] + scaling->offset[i];
}

void athlete_action_scaling_unapply(const athlete_action_scaling *scaling, const float *action, float *unscaled)
{
    for (size_t i = 0; i < scaling->size; i++)
        unscaled[i] = scaling->scale[i] != 0.0f ? (action[i] - scaling->offset[i]) / scaling->scale[i] : 0.0f;
}

/* Helpers around the component ABI (see component.h). */
#include <athlete/component.h>

#include <string.h>

bool athlete_clock_warmup_done(const athlete_clock *clock)
{
    return clock->interactions >= clock->warmup_steps;
}

uint64_t athlete_clock_after_warmup(const athlete_clock *clock)
{
    return clock->interactions > clock->warmup_steps ? clock->interactions - clock->warmup_steps : 0;
}

bool athlete_parts_add_updatable(athlete_parts *parts, const athlete_updatable_ops *ops, void *self)
{
    if (parts->updatable_count == ATHLETE_MAX_UPDATABLES)
        return false;
    parts->updatables[parts->updatable_count].ops = ops;
    parts->updatables[parts->updatable_count].self = self;
    parts->updatable_count++;
    return true;
}

void athlete_parts_destroy(athlete_parts *parts)
{
    if (!parts)
        return;
    size_t struct_size = parts->struct_size;
    if (parts->evaluation_policy.ops && parts->evaluation_policy.ops->destroy)
        parts->evaluation_policy.ops->destroy(parts->evaluation_policy.self);
    if (parts->training_policy.ops && parts->training_policy.ops->destroy)
        parts->training_policy.ops->destroy(parts->training_policy.self);
    for (size_t i = parts->updatable_count; i-- > 0;)
        if (parts->updatables[i].ops && parts->updatables[i].ops->destroy)
            parts->updatables[i].ops->destroy(parts->updatables[i].self);
    if (parts->collector.ops && parts->collector.ops->destroy)
        parts->collector.ops->destroy(parts->collector.self);
    if (parts->state_ops && parts->state_ops->destroy)
        parts->state_ops->destroy(parts->state);
    memset(parts, 0, sizeof *parts);
    parts->struct_size = struct_size;
}

bool athlete_build_loading(const athlete_build_args *args)
{
    return ATHLETE_STRUCT_HAS(args->struct_size, athlete_build_args, loading) && args->loading;
}

size_t athlete_build_num_envs(const athlete_build_args *args)
{
    if (!ATHLETE_STRUCT_HAS(args->struct_size, athlete_build_args, num_envs) || args->num_envs == 0)
        return 1;
    return args->num_envs;
}

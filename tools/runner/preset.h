/* Presets: tuned configurations shipped as JSON files, one per (algorithm, environment),
 * at <dir>/<algorithm>/<environment>.json. A preset names the overrides, the training
 * budget, the evaluation episodes and the greedy mean return it reaches (its threshold).
 * Read by the CLI (`athlete presets`, `athlete train ID ENV --preset`), the learning tests
 * and the learning report. Part of the static runner helper, not installed.
 *
 * Directories searched, first match wins:
 *   1. each directory of $ATHLETE_PRESET_PATH (colon-separated), e.g. the checkout's presets/;
 *   2. <directory of the running program>/../share/athlete/presets (a relocated install);
 *   3. the installed directory, <prefix>/<datadir>/athlete/presets. */
#ifndef ATHLETE_PRESET_H
#define ATHLETE_PRESET_H

#include <stddef.h>
#include <stdint.h>

#include <athlete/status.h>

ATHLETE_BEGIN_DECLS

typedef struct athlete_preset {
    char *path;            /* the file it came from */
    char *algorithm;       /* "dqn" */
    char *environment;     /* "CartPole-v1" */
    char *overrides;       /* a JSON object, "{}" when none */
    uint64_t steps;        /* training budget, environment steps */
    uint64_t eval_episodes;
    double threshold;      /* the greedy mean return every seed must reach */
    char *source;          /* where the hyper-parameters come from */
    char *notes;           /* what was measured (may be empty) */
} athlete_preset;

/* Finds and reads the preset of (algorithm, environment). Not found is
 * E_INVALID_ARGUMENT with the directories searched in the message. */
athlete_status athlete_preset_find(const char *algorithm, const char *environment, athlete_preset *out,
                                   athlete_error *err);

/* Reads one preset file; its algorithm and environment must match its place
 * (<algorithm>/<environment>.json). */
athlete_status athlete_preset_read(const char *path, athlete_preset *out, athlete_error *err);

void athlete_preset_clear(athlete_preset *preset);

/* Every preset found, sorted by algorithm then environment (a name shadowed by an earlier
 * directory is listed once). Free with athlete_preset_list_free. */
athlete_status athlete_preset_list(athlete_preset **out, size_t *count, athlete_error *err);
void athlete_preset_list_free(athlete_preset *presets, size_t count);

/* The directories searched, in order, joined with ':' into buf (for messages). */
const char *athlete_preset_search_path(char *buf, size_t size);

/* "{preset members, extra members}": `extra` (a JSON object or NULL) is applied after the
 * preset's overrides, so its keys win (agent configurations apply keys in order). Free
 * with athlete_free. */
char *athlete_preset_merge_overrides(const athlete_preset *preset, const char *extra);

ATHLETE_END_DECLS

#endif

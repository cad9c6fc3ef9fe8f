/* The CLI's presets: the `presets` command and `train --preset` (see runner/preset.h for
 * the files and where they are searched). */
#ifndef ATHLETE_CLI_PRESETS_H
#define ATHLETE_CLI_PRESETS_H

#include <stdbool.h>
#include <stdint.h>

#include "preset.h"

/* athlete presets [ID ENV]: the table of presets, or one preset's file. Returns an exit code. */
int presets_command(int argc, char **argv);

/* What `train --preset` takes from the preset of (algorithm, environment). */
typedef struct train_preset {
    athlete_preset preset;
    char *overrides; /* the preset's overrides, then the --set ones (which win) */
} train_preset;

/* Loads the preset and merges `set_overrides` (JSON object or NULL) after it; the budget and
 * the evaluation episodes come from the preset unless given on the command line. Prints the
 * reason and returns false on failure. */
bool train_preset_load(train_preset *tp, const char *algorithm, const char *env_id, const char *set_overrides,
                       bool steps_given, uint64_t *steps, bool episodes_given, uint64_t *eval_episodes);

/* One line: whether the evaluation reached the preset's threshold. */
void train_preset_report(const train_preset *tp, double mean_return);

void train_preset_clear(train_preset *tp);

#endif

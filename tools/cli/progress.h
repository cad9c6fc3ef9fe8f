/* Training progress: a live line on a terminal that fits its width and is redrawn in
 * place, plain periodic lines otherwise. */
#ifndef ATHLETE_TOOLS_PROGRESS_H
#define ATHLETE_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct progress {
    uint64_t first, total, last_shown; /* steps: where this session began, the target */
    double start, last_time;
    bool quiet, tty;
    double recent[20]; /* returns of the latest episodes (ring) */
    int recent_count, recent_next;
} progress;

void progress_start(progress *p, uint64_t first, uint64_t total, bool quiet);
void progress_episode(progress *p, double episode_return);
void progress_update(progress *p, uint64_t done);
/* Ends the live line (a newline on a terminal). */
void progress_finish(progress *p, uint64_t done);
double progress_elapsed(const progress *p);

/* The line for `done` steps in at most `width` - 1 columns (so the cursor never wraps);
 * the bar shrinks first, then the fields at the end go. Exposed for the tests. */
void progress_format(const progress *p, uint64_t done, double now, int width, char *line, size_t size);

#endif

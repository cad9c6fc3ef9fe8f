/* Training progress: a live bar on a terminal, plain periodic lines otherwise. */
#ifndef ATHLETE_TOOLS_PROGRESS_H
#define ATHLETE_TOOLS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
    uint64_t total, last_shown;
    double start, last_time;
    bool quiet, tty;
    double recent[20]; /* returns of the latest episodes (ring) */
    int recent_count, recent_next;
} progress;

void progress_start(progress *p, uint64_t total, bool quiet);
void progress_episode(progress *p, double episode_return);
void progress_update(progress *p, uint64_t done);
void progress_finish(progress *p);
double progress_elapsed(const progress *p);

#endif

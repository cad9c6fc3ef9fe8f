/* Training progress output (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_start(progress *p, uint64_t total, bool quiet)
{
    *p = (progress){.total = total, .quiet = quiet, .tty = isatty(fileno(stderr))};
    p->start = p->last_time = now();
}

double progress_elapsed(const progress *p) { return now() - p->start; }

void progress_episode(progress *p, double episode_return)
{
    p->recent[p->recent_next] = episode_return;
    p->recent_next = (p->recent_next + 1) % 20;
    if (p->recent_count < 20)
        p->recent_count++;
}

static void show(progress *p, uint64_t done, bool final)
{
    double t = now(), elapsed = t - p->start;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
    double mean = 0;
    for (int i = 0; i < p->recent_count; i++)
        mean += p->recent[i];
    if (p->recent_count)
        mean /= p->recent_count;
    char ret[48] = "-";
    if (p->recent_count)
        snprintf(ret, sizeof ret, "%.1f", mean);
    if (p->tty) {
        int width = 30, filled = (int)((double)width * (double)done / (double)p->total);
        char bar[31];
        for (int i = 0; i < width; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[width] = '\0';
        fprintf(stderr, "\r[%s] %llu/%llu steps  %.0f steps/s  return(last %d) %s  ETA %.0fs   ", bar,
                (unsigned long long)done, (unsigned long long)p->total, rate, p->recent_count, ret, eta);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "step %llu/%llu (%3.0f%%)  %.0f steps/s  mean return of last %d episodes: %s  ETA %.0fs\n",
                (unsigned long long)done, (unsigned long long)p->total, 100.0 * (double)done / (double)p->total, rate,
                p->recent_count, ret, eta);
    }
    fflush(stderr);
    p->last_shown = done;
    p->last_time = t;
}

void progress_update(progress *p, uint64_t done)
{
    if (p->quiet)
        return;
    double t = now();
    /* A terminal redraws 5 times a second; a log gets a line every 10 % or 10 s. */
    bool due = p->tty ? t - p->last_time >= 0.2
                      : (done - p->last_shown) * 10 >= p->total || t - p->last_time >= 10;
    if (due)
        show(p, done, false);
}

void progress_finish(progress *p)
{
    if (!p->quiet)
        show(p, p->total, true);
}

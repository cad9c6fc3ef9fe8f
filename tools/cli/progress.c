/* Training progress output (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_start(progress *p, uint64_t first, uint64_t total, bool quiet)
{
    *p = (progress){.first = first, .total = total, .last_shown = first, .quiet = quiet, .tty = isatty(fileno(stderr))};
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

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(fileno(stderr), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *columns = getenv("COLUMNS");
    int c = columns ? atoi(columns) : 0;
    return c > 0 ? c : 80;
}

void progress_format(const progress *p, uint64_t done, double t, int width, char *line, size_t size)
{
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? (double)(done - p->first) / elapsed : 0;
    double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
    double mean = 0;
    for (int i = 0; i < p->recent_count; i++)
        mean += p->recent[i];
    char ret[48] = "-";
    if (p->recent_count)
        snprintf(ret, sizeof ret, "%.1f", mean / p->recent_count);
    /* Fields in order of importance; the bar takes what is left. */
    char fields[4][64];
    /* Fixed widths, so that the bar does not jump from one redraw to the next. */
    int digits = snprintf(NULL, 0, "%llu", (unsigned long long)p->total);
    snprintf(fields[0], sizeof fields[0], "%*llu/%llu", digits, (unsigned long long)done, (unsigned long long)p->total);
    snprintf(fields[1], sizeof fields[1], " return %7s", ret);
    snprintf(fields[2], sizeof fields[2], " %8.0f steps/s", rate);
    snprintf(fields[3], sizeof fields[3], " ETA %5.0fs", eta);
    int room = width - 1, used = 0, n = 0;
    if (room >= (int)size)
        room = (int)size - 1;
    char text[256] = "";
    for (; n < 4; n++) {
        int len = (int)strlen(fields[n]);
        if (used + len > room)
            break;
        memcpy(text + used, fields[n], (size_t)len + 1);
        used += len;
    }
    int bar = room - used - 3; /* "[", "] " */
    if (bar > 40)
        bar = 40;
    int pos = 0;
    if (bar >= 5) {
        int filled = (int)((double)bar * (double)done / (double)(p->total ? p->total : 1));
        line[pos++] = '[';
        for (int i = 0; i < bar; i++)
            line[pos++] = i < filled ? '#' : '.';
        line[pos++] = ']';
        line[pos++] = ' ';
    }
    int len = used;
    if (pos + len > room)
        len = room - pos > 0 ? room - pos : 0;
    memcpy(line + pos, text, (size_t)len);
    line[pos + len] = '\0';
}

static void show(progress *p, uint64_t done, bool final)
{
    double t = now();
    if (p->tty) {
        char line[256];
        progress_format(p, done, t, terminal_width(), line, sizeof line);
        /* Carriage return, the line, then clear what a longer previous line left. */
        fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    } else {
        double elapsed = t - p->start;
        double rate = elapsed > 0 ? (double)(done - p->first) / elapsed : 0;
        double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
        double mean = 0;
        for (int i = 0; i < p->recent_count; i++)
            mean += p->recent[i];
        char ret[48] = "-";
        if (p->recent_count)
            snprintf(ret, sizeof ret, "%.1f", mean / p->recent_count);
        fprintf(stderr, "step %llu/%llu (%3.0f%%)  %.0f steps/s  mean return of last %d episodes: %s  ETA %.0fs\n",
                (unsigned long long)done, (unsigned long long)p->total,
                100.0 * (double)done / (double)(p->total ? p->total : 1), rate, p->recent_count, ret, eta);
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
    uint64_t span = p->total - p->first;
    bool due = p->tty ? t - p->last_time >= 0.2 : (done - p->last_shown) * 10 >= span || t - p->last_time >= 10;
    if (due)
        show(p, done, false);
}

void progress_finish(progress *p, uint64_t done)
{
    if (!p->quiet)
        show(p, done, true);
}

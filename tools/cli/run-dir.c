/* Run folders (see run-dir.h). */
#include "run-dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *run_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* mkdir -p (see run-dir.h). */
int run_make_dirs(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
            free(copy);
            return -1;
        }
        *p = '/';
    }
    free(copy);
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

char *run_dir_create(const char *requested, const char *algorithm, const char *env_id, char *msg, size_t msg_size)
{
    if (requested) {
        if (run_make_dirs(requested) != 0) {
            snprintf(msg, msg_size, "cannot create the run folder '%s': %s", requested, strerror(errno));
            return NULL;
        }
        struct stat st;
        if (stat(requested, &st) != 0 || !S_ISDIR(st.st_mode)) {
            snprintf(msg, msg_size, "'%s' is not a directory", requested);
            return NULL;
        }
        char *probe = run_path(requested, "metrics.jsonl");
        bool used = probe && access(probe, F_OK) == 0;
        free(probe);
        if (used) {
            snprintf(msg, msg_size, "'%s' already holds a run; continue it with --resume %s or choose another --run-dir",
                     requested, requested);
            return NULL;
        }
        return strdup(requested);
    }
    if (mkdir("runs", 0777) != 0 && errno != EEXIST) {
        snprintf(msg, msg_size, "cannot create 'runs': %s", strerror(errno));
        return NULL;
    }
    for (unsigned n = 1; n < 1000000; n++) {
        char path[512];
        snprintf(path, sizeof path, "runs/%s_%s_%u", algorithm, env_id, n);
        if (mkdir(path, 0777) == 0)
            return strdup(path);
        if (errno != EEXIST) {
            snprintf(msg, msg_size, "cannot create the run folder '%s': %s", path, strerror(errno));
            return NULL;
        }
    }
    snprintf(msg, msg_size, "no free run folder name under runs/");
    return NULL;
}

bool run_write_file(const char *path, const char *text, char *msg, size_t msg_size)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(msg, msg_size, "out of memory");
        return false;
    }
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        snprintf(tmp, n, "%s.tmp.%ld.%d", path, (long)getpid(), attempt);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    bool ok = fd >= 0;
    int error = errno;
    size_t len = strlen(text), done = 0;
    while (ok && done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            error = w < 0 ? errno : EIO;
            ok = false;
        } else {
            done += (size_t)w;
        }
    }
    if (ok && fsync(fd) != 0) {
        error = errno;
        ok = false;
    }
    if (fd >= 0 && close(fd) != 0 && ok) {
        error = errno;
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        error = errno;
        ok = false;
    }
    if (!ok) {
        if (fd >= 0)
            unlink(tmp);
        snprintf(msg, msg_size, "cannot write '%s': %s", path, strerror(error));
    }
    free(tmp);
    return ok;
}

cJSON *run_read_json(const char *path, char *msg, size_t msg_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(msg, msg_size, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, len = 0, n;
    char *text = malloc(cap + 1);
    while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = cap < (64u << 20) ? realloc(text, 2 * cap + 1) : NULL;
            if (!bigger) {
                free(text);
                text = NULL;
                break;
            }
            text = bigger;
            cap *= 2;
        }
    }
    bool error = ferror(f) != 0;
    fclose(f);
    if (!text || error) {
        free(text);
        snprintf(msg, msg_size, "cannot read '%s'", path);
        return NULL;
    }
    text[len] = '\0';
    cJSON *json = cJSON_Parse(text);
    free(text);
    if (!json)
        snprintf(msg, msg_size, "'%s' is not valid JSON", path);
    return json;
}

char *run_state_path(const char *checkpoint_path)
{
    size_t n = strlen(checkpoint_path);
    const char *suffix = ".ckpt";
    size_t base = n >= 5 && strcmp(checkpoint_path + n - 5, suffix) == 0 ? n - 5 : n;
    char *p = malloc(base + sizeof ".state.json");
    if (p) {
        memcpy(p, checkpoint_path, base);
        strcpy(p + base, ".state.json");
    }
    return p;
}

/* The "step" of a checkpoint's state file, or -1. */
static long long state_step(const char *checkpoint_path)
{
    char msg[256];
    char *state = run_state_path(checkpoint_path);
    cJSON *json = state && access(checkpoint_path, R_OK) == 0 ? run_read_json(state, msg, sizeof msg) : NULL;
    free(state);
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(json, "step");
    long long s = cJSON_IsNumber(step) ? (long long)step->valuedouble : -1;
    cJSON_Delete(json);
    return s;
}

/* Step numbers of checkpoints/step_N.ckpt, sorted ascending (malloc'ed). */
static size_t periodic_steps(const char *dir, uint64_t **steps)
{
    *steps = NULL;
    char *sub = run_path(dir, "checkpoints");
    DIR *d = sub ? opendir(sub) : NULL;
    free(sub);
    size_t count = 0, cap = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        uint64_t step;
        char tail[8];
        if (sscanf(e->d_name, "step_%" SCNu64 ".ckp%1[t]%1s", &step, tail, tail + 2) != 2)
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            uint64_t *bigger = realloc(*steps, cap * sizeof **steps);
            if (!bigger)
                break;
            *steps = bigger;
        }
        (*steps)[count++] = step;
    }
    if (d)
        closedir(d);
    for (size_t i = 1; i < count; i++) /* insertion sort: a handful of files */
        for (size_t j = i; j > 0 && (*steps)[j - 1] > (*steps)[j]; j--) {
            uint64_t t = (*steps)[j];
            (*steps)[j] = (*steps)[j - 1];
            (*steps)[j - 1] = t;
        }
    return count;
}

static char *periodic_path(const char *dir, uint64_t step)
{
    char name[64];
    snprintf(name, sizeof name, "checkpoints/step_%" PRIu64 ".ckpt", step);
    return run_path(dir, name);
}

char *run_newest_checkpoint(const char *dir, char *msg, size_t msg_size)
{
    char *best = run_path(dir, "final.ckpt");
    long long best_step = best ? state_step(best) : -1;
    uint64_t *steps;
    size_t n = periodic_steps(dir, &steps);
    for (size_t i = n; i-- > 0;) {
        char *p = periodic_path(dir, steps[i]);
        long long s = p ? state_step(p) : -1;
        if (s > best_step) {
            free(best);
            best = p;
            best_step = s;
        } else {
            free(p);
        }
        if (s >= 0)
            break; /* the newest readable periodic one */
    }
    free(steps);
    if (best_step < 0) {
        free(best);
        snprintf(msg, msg_size, "'%s' has no checkpoint to resume from (final.ckpt or checkpoints/step_N.ckpt with its .state.json)",
                 dir);
        return NULL;
    }
    return best;
}

void run_prune_checkpoints(const char *dir, uint64_t keep)
{
    uint64_t *steps;
    size_t n = periodic_steps(dir, &steps);
    for (size_t i = 0; i + keep < n; i++) {
        char *p = periodic_path(dir, steps[i]);
        char *s = p ? run_state_path(p) : NULL;
        if (s)
            unlink(s);
        if (p)
            unlink(p);
        free(p);
        free(s);
    }
    free(steps);
}

char *run_hex_encode(const void *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(2 * size + 1);
    const unsigned char *b = data;
    for (size_t i = 0; hex && i < size; i++) {
        hex[2 * i] = digits[b[i] >> 4];
        hex[2 * i + 1] = digits[b[i] & 15];
    }
    if (hex)
        hex[2 * size] = '\0';
    return hex;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

void *run_hex_decode(const char *hex, size_t *size)
{
    size_t n = strlen(hex);
    if (n % 2)
        return NULL;
    unsigned char *b = malloc(n / 2 + 1);
    for (size_t i = 0; b && i < n / 2; i++) {
        int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i] = (unsigned char)(hi << 4 | lo);
    }
    *size = n / 2;
    return b;
}

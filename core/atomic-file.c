/* Atomic replacement of a file that may sit in a directory other users can write to.
 *
 * The data goes to a temporary file in the target's directory, named
 * ".<name>.tmp.<pid>.<12 random characters>" and created with O_CREAT | O_EXCL |
 * O_NOFOLLOW relative to the directory's descriptor: a name planted in advance (a file or
 * a symlink) is never opened, only skipped. It is synced, renamed over the target (rename
 * replaces a planted symlink itself, never what it points to) and the directory synced.
 * Two threads or processes saving to one path each write their own temporary file; the
 * last rename wins and the target is always one complete file.
 *
 * While it is being written the temporary file is held under an exclusive flock. Saving
 * also removes temporary files of this name left by savers that died: only names of
 * exactly this pattern, regular files owned by this user, whose pid is not a running
 * process and whose lock can be taken (a saver that is alive, even in another pid
 * namespace, still holds it). */
#include "core-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define RANDOM_CHARS 12

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

static bool random_suffix(char *out)
{
    unsigned char bytes[RANDOM_CHARS];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        return false;
    for (int i = 0; i < RANDOM_CHARS; i++)
        out[i] = alphabet[bytes[i] % (sizeof alphabet - 1)];
    out[RANDOM_CHARS] = '\0';
    return true;
}

/* The pid in ".<base>.tmp.<pid>.<random>", or 0 when `name` is not exactly of that form. */
static pid_t temp_owner(const char *name, const char *base)
{
    size_t n = strlen(base);
    if (name[0] != '.' || strncmp(name + 1, base, n) != 0 || strncmp(name + 1 + n, ".tmp.", 5) != 0)
        return 0;
    const char *p = name + 1 + n + 5;
    long pid = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9' && digits < 10; p++, digits++)
        pid = pid * 10 + (*p - '0');
    if (digits == 0 || *p != '.' || pid <= 0 || pid > 0x3fffffff)
        return 0;
    p++;
    if (strlen(p) != RANDOM_CHARS || strspn(p, alphabet) != RANDOM_CHARS)
        return 0;
    return (pid_t)pid;
}

static void remove_stale_temps(int dfd, const char *base)
{
    int scan = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (scan < 0)
        return;
    DIR *d = fdopendir(scan);
    if (!d) {
        close(scan);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        pid_t pid = temp_owner(e->d_name, base);
        if (pid == 0 || pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH)
            continue;
        int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
            continue;
        struct stat sb;
        if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0)
            unlinkat(dfd, e->d_name, 0);
        close(fd);
    }
    closedir(d);
}

static athlete_status write_all(int fd, const unsigned char *data, size_t size, const char *path,
                                athlete_error *err)
{
    while (size) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s", path,
                                     n == 0 ? "no progress" : strerror(errno));
        data += n;
        size -= (size_t)n;
    }
    return ATHLETE_OK;
}

athlete_status athlete__write_file_atomically(const char *path, const unsigned char *const *parts,
                                              const size_t *sizes, size_t count, athlete_error *err)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "cannot save to '%s': not a file name", path);
    if (strlen(base) > 200)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT, "cannot save to '%s': the file name is too long",
                                 path);
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return athlete_error_set(err, ATHLETE_E_IO, "cannot open directory '%s': %s", dir, strerror(errno));
    remove_stale_temps(dfd, base);

    char tmp[256], random[RANDOM_CHARS + 1];
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 16; attempt++) {
        if (!random_suffix(random)) {
            close(dfd);
            return athlete_error_set(err, ATHLETE_E_IO, "cannot save '%s': no random bytes for a temporary name",
                                     path);
        }
        snprintf(tmp, sizeof tmp, ".%s.tmp.%ld.%s", base, (long)getpid(), random);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        athlete_status st = athlete_error_set(err, ATHLETE_E_IO, "cannot create a temporary file in '%s': %s", dir,
                                              strerror(errno));
        close(dfd);
        return st;
    }
    athlete_status st = ATHLETE_OK;
    if (flock(fd, LOCK_EX) != 0)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot lock the temporary file for '%s': %s", path, strerror(errno));
    for (size_t i = 0; st == ATHLETE_OK && i < count; i++)
        st = write_all(fd, parts[i], sizes[i], path, err);
    if (st == ATHLETE_OK && fsync(fd) != 0)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s (sync)", path, strerror(errno));
    if (st == ATHLETE_OK && renameat(dfd, tmp, dfd, base) != 0)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot replace '%s': %s", path, strerror(errno));
    if (st != ATHLETE_OK)
        unlinkat(dfd, tmp, 0); /* before close: the lock keeps cleaners of other savers away */
    if (close(fd) != 0 && st == ATHLETE_OK)
        st = athlete_error_set(err, ATHLETE_E_IO, "cannot write '%s': %s (close)", path, strerror(errno));
    if (st == ATHLETE_OK)
        fsync(dfd); /* makes the rename durable; failure here loses no data */
    close(dfd);
    return st;
}

/* What the plugin scan is willing to run. Loading a plugin runs its code with the host's
 * rights, so the scan refuses (as a diagnostic, never silently) anything another user
 * could have put or changed there:
 *   - a relative entry on the path (it would depend on the current directory);
 *   - a directory or a file writable by group or others, or owned by someone other than
 *     this user or root (for a symbolic link: the file it points to);
 * and says what else it skipped: "*.so" directories and other non-files, dangling links,
 * link loops, files that are not ELF shared objects or are built for another
 * architecture (dlopen would only say "No such file or directory"). */
#include "core-private.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool trusted_owner(uid_t uid) { return uid == geteuid() || uid == 0; }

static athlete_status check_rights(const char *what, const char *path, const struct stat *sb, const char *verdict,
                                   athlete_error *err)
{
    if (sb->st_mode & (S_IWGRP | S_IWOTH))
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "%s '%s' is writable by group or others (mode %04o): %s",
                                 what, path, (unsigned)(sb->st_mode & 07777), verdict);
    if (!trusted_owner(sb->st_uid))
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD,
                                 "%s '%s' belongs to uid %u, neither this user (uid %u) nor root: %s", what, path,
                                 (unsigned)sb->st_uid, (unsigned)geteuid(), verdict);
    return ATHLETE_OK;
}

athlete_status athlete__plugin_dir_check(const char *dir, bool *missing, athlete_error *err)
{
    *missing = false;
    if (dir[0] != '/')
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD,
                                 "relative entry '%s' on the plugin path: not scanned (it would depend on the current "
                                 "directory; give an absolute path)",
                                 dir);
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (errno == ENOENT) {
            *missing = true; /* a missing directory on the path is normal */
            return ATHLETE_OK;
        }
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "plugin directory '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(sb.st_mode))
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "'%s' on the plugin path is not a directory", dir);
    return check_rights("directory", dir, &sb, "not scanned", err);
}

athlete_status athlete__plugin_file_check(const char *path, athlete_error *err)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': %s", path, strerror(errno));
    bool link = S_ISLNK(sb.st_mode);
    if (link && stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "'%s' is a dangling symbolic link", path);
        if (errno == ELOOP)
            return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "'%s' is a symbolic link loop", path);
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': %s", path, strerror(errno));
    }
    if (S_ISDIR(sb.st_mode))
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "'%s' is a directory, not a plugin file", path);
    if (!S_ISREG(sb.st_mode))
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "'%s' is not a regular file", path);
    return check_rights(link ? "the file linked from" : "plugin", path, &sb, "not loaded", err);
}

/* This process's ELF class and machine. */
#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__i386__)
#define HOST_MACHINE EM_386
#elif defined(__arm__)
#define HOST_MACHINE EM_ARM
#elif defined(__riscv)
#define HOST_MACHINE EM_RISCV
#elif defined(__powerpc64__)
#define HOST_MACHINE EM_PPC64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#endif
#define HOST_CLASS (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)

static const char *machine_name(unsigned machine)
{
    switch (machine) {
    case EM_X86_64:
        return "x86-64";
    case EM_AARCH64:
        return "AArch64";
    case EM_386:
        return "i386";
    case EM_ARM:
        return "ARM";
    case EM_RISCV:
        return "RISC-V";
    case EM_PPC64:
        return "PowerPC64";
    case EM_S390:
        return "s390";
    }
    return NULL;
}

athlete_status athlete__plugin_elf_check(const char *path, athlete_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': %s", path, strerror(errno));
    unsigned char h[20];
    ssize_t n = read(fd, h, sizeof h);
    close(fd);
    if (n != (ssize_t)sizeof h || memcmp(h, ELFMAG, SELFMAG) != 0)
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': not an ELF shared object", path);
    unsigned cls = h[EI_CLASS];
    unsigned machine = h[EI_DATA] == ELFDATA2MSB ? (unsigned)h[18] << 8 | h[19] : (unsigned)h[19] << 8 | h[18];
    bool same_machine = true;
#ifdef HOST_MACHINE
    same_machine = machine == HOST_MACHINE;
#endif
    if (cls != HOST_CLASS || !same_machine) {
        char theirs[32], ours[32];
        const char *name = machine_name(machine);
        if (name)
            snprintf(theirs, sizeof theirs, "%s", name);
        else
            snprintf(theirs, sizeof theirs, "machine %u", machine);
#ifdef HOST_MACHINE
        snprintf(ours, sizeof ours, "%s", machine_name(HOST_MACHINE));
#else
        snprintf(ours, sizeof ours, "this machine");
#endif
        return athlete_error_set(err, ATHLETE_E_PLUGIN_LOAD,
                                 "cannot load plugin '%s': wrong architecture (ELF%s %s; this process is ELF%d %s)", path,
                                 cls == ELFCLASS64 ? "64" : cls == ELFCLASS32 ? "32" : "?", theirs,
                                 HOST_CLASS == ELFCLASS64 ? 64 : 32, ours);
    }
    return ATHLETE_OK;
}

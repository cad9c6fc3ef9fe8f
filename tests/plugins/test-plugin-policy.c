/* The plugin scan's policy: what it refuses to run and what it skips, each as a
 * diagnostic with its reason (also printed by `athlete plugins`). A scratch directory
 * holds a copy of a real plugin next to every kind of bad entry. */
#include <athlete/athlete.h>

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-util.h"

static char dir[128], open_dir[160];

static void copy_file(const char *from, const char *to, mode_t mode)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
    fclose(in);
    ck_assert_int_eq(fclose(out), 0);
    ck_assert_int_eq(chmod(to, mode), 0);
}

static void at(char *buf, size_t size, const char *name) { snprintf(buf, size, "%s/%s", dir, name); }

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/athlete-policy-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(chmod(dir, 0755), 0);
    char real[512], path[256];
    snprintf(real, sizeof real, "%s/athlete-q_learning.so", getenv("ATHLETE_PLUGIN_PATH"));
    at(path, sizeof path, "a-good.so");
    copy_file(real, path, 0755);
    at(path, sizeof path, "b-writable.so");
    copy_file(real, path, 0757);
    at(path, sizeof path, "c-directory.so");
    ck_assert_int_eq(mkdir(path, 0755), 0);
    at(path, sizeof path, "d-dangling.so");
    ck_assert_int_eq(symlink("/nonexistent/plugin.so", path), 0);
    at(path, sizeof path, "e-loop.so");
    ck_assert_int_eq(symlink(path, path), 0);
    /* An AArch64 shared object's header (only the header: the scan must not get further). */
    unsigned char header[64] = {0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT};
    header[16] = ET_DYN;
    header[18] = EM_AARCH64 & 0xff;
    header[19] = EM_AARCH64 >> 8;
    at(path, sizeof path, "f-foreign.so");
    FILE *f = fopen(path, "wb");
    fwrite(header, 1, sizeof header, f);
    fclose(f);
    at(path, sizeof path, "g-text.so");
    f = fopen(path, "w");
    fputs("not a shared object\n", f);
    fclose(f);
    at(path, sizeof path, "h-link-to-writable.so");
    ck_assert_int_eq(symlink("b-writable.so", path), 0);
    at(path, sizeof path, "i-foreign-owner.so");
    copy_file(real, path, 0755);
    if (geteuid() == 0)
        ck_assert_int_eq(chown(path, 4242, 4242), 0);
    snprintf(open_dir, sizeof open_dir, "%s/open", dir);
    ck_assert_int_eq(mkdir(open_dir, 0755), 0);
    ck_assert_int_eq(chmod(open_dir, 0777), 0);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* The diagnostic for `path`, which must exist. */
static const athlete_plugin_diagnostic *diagnostic(const athlete_registry *reg, const char *path)
{
    const athlete_plugin_diagnostic *d;
    size_t n = athlete_registry_diagnostics(reg, &d);
    for (size_t i = 0; i < n; i++)
        if (strcmp(d[i].path, path) == 0)
            return &d[i];
    ck_abort_msg("no diagnostic for %s", path);
    return NULL;
}

static void expect(const athlete_registry *reg, const char *name, athlete_status status, const char *fmt)
{
    char path[256], message[512];
    if (name[0] == '/' || strncmp(name, "relative/", 9) == 0)
        snprintf(path, sizeof path, "%s", name);
    else
        at(path, sizeof path, name);
    snprintf(message, sizeof message, fmt, path);
    const athlete_plugin_diagnostic *d = diagnostic(reg, path);
    ck_assert_msg(d->status == status, "%s: %s", path, d->message);
    ck_assert_str_eq(d->message, message);
}

START_TEST(test_scan_policy)
{
    char plugin_path[512];
    snprintf(plugin_path, sizeof plugin_path, "%s:%s:relative/plugins:/nonexistent-athlete-dir", dir, open_dir);
    athlete_registry_options options = {sizeof options, plugin_path, true, false};
    athlete_registry *reg;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
    const char *const *ids;
    ck_assert_uint_eq(athlete_registry_list(reg, &ids), 1);
    ck_assert_str_eq(ids[0], "q_learning");
    expect(reg, "a-good.so", ATHLETE_OK, "loaded plugin 'q_learning' 1.0.0: q_learning");
    expect(reg, "b-writable.so", ATHLETE_E_PLUGIN_LOAD,
           "plugin '%s' is writable by group or others (mode 0757): not loaded");
    expect(reg, "c-directory.so", ATHLETE_E_PLUGIN_LOAD, "'%s' is a directory, not a plugin file");
    expect(reg, "d-dangling.so", ATHLETE_E_PLUGIN_LOAD, "'%s' is a dangling symbolic link");
    expect(reg, "e-loop.so", ATHLETE_E_PLUGIN_LOAD, "'%s' is a symbolic link loop");
#if defined(__x86_64__)
    expect(reg, "f-foreign.so", ATHLETE_E_PLUGIN_LOAD,
           "cannot load plugin '%s': wrong architecture (ELF64 AArch64; this process is ELF64 x86-64)");
#endif
    expect(reg, "g-text.so", ATHLETE_E_PLUGIN_LOAD, "cannot load plugin '%s': not an ELF shared object");
    expect(reg, "h-link-to-writable.so", ATHLETE_E_PLUGIN_LOAD,
           "the file linked from '%s' is writable by group or others (mode 0757): not loaded");
    if (geteuid() == 0) {
        char message[256];
        snprintf(message, sizeof message, "plugin '%%s' belongs to uid 4242, neither this user (uid %u) nor root: not loaded",
                 (unsigned)geteuid());
        expect(reg, "i-foreign-owner.so", ATHLETE_E_PLUGIN_LOAD, message);
    } else {
        printf("foreign-owner case skipped: chown needs root\n");
    }
    expect(reg, open_dir, ATHLETE_E_PLUGIN_LOAD, "directory '%s' is writable by group or others (mode 0777): not scanned");
    expect(reg, "relative/plugins", ATHLETE_E_PLUGIN_LOAD,
           "relative entry '%s' on the plugin path: not scanned (it would depend on the current directory; give an "
           "absolute path)");
    const athlete_plugin_diagnostic *d;
    size_t n = athlete_registry_diagnostics(reg, &d);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strstr(d[i].path, "nonexistent-athlete-dir") == NULL, "a missing directory is not reported");
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(test_explicit_load_names_the_architecture)
{
    athlete_registry_options options = {sizeof options, NULL, true, true};
    athlete_registry *reg;
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
#if !defined(__x86_64__)
    printf("the foreign-architecture message is pinned for x86-64 hosts\n");
    athlete_registry_destroy(reg);
    return;
#endif
    char path[256], expected[400];
    at(path, sizeof path, "f-foreign.so");
    snprintf(expected, sizeof expected,
             "cannot load plugin '%s': wrong architecture (ELF64 AArch64; this process is ELF64 x86-64)", path);
    ck_assert_fails(athlete_registry_load_plugin(reg, path, &err), &err, ATHLETE_E_PLUGIN_LOAD, expected);
    athlete_registry_destroy(reg);
}
END_TEST

START_TEST(test_cli_lists_every_skipped_entry)
{
    char command[1024];
    snprintf(command, sizeof command, "ATHLETE_PLUGIN_PATH='%s:relative' '%s' plugins", dir, getenv("ATHLETE_CLI"));
    FILE *p = popen(command, "r");
    ck_assert_ptr_nonnull(p);
    static char out[65536];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    static const char *const expected[] = {
        "is writable by group or others (mode 0757): not loaded", "is a directory, not a plugin file",
        "is a dangling symbolic link", "is a symbolic link loop", "wrong architecture (ELF64 AArch64",
        "not an ELF shared object", "relative entry 'relative' on the plugin path: not scanned"};
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        ck_assert_msg(strstr(out, expected[i]) != NULL, "'athlete plugins' lacks '%s':\n%s", expected[i], out);
    char good[300];
    snprintf(good, sizeof good, "ok   %s/a-good.so", dir);
    ck_assert_msg(strstr(out, good) != NULL, "%s", out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plugin-policy");
    TCase *tc = tcase_create("plugin-policy");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_scan_policy);
    tcase_add_test(tc, test_explicit_load_names_the_architecture);
    tcase_add_test(tc, test_cli_lists_every_skipped_entry);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* Saving where others can interfere: symlinks planted at predictable names are never
 * followed, two threads and two processes saving to one path all succeed and leave one
 * loadable file, temporary files of killed savers are cleaned up (and nothing else is),
 * and a full filesystem leaves the old checkpoint intact, no temporary file and a clear
 * error. */
#include <athlete/athlete.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test-util.h"

/* Under valgrind (50 times slower) the savers save fewer times. */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define SAVES (RUNNING_ON_VALGRIND ? 40 : 200)
#else
#define SAVES 200
#endif

static char dir[256];
static athlete_registry *reg;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/athlete-saving-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    athlete_registry_options options = {sizeof options, NULL, true, false};
    athlete_error err;
    ck_assert_ok(athlete_registry_create(&options, &reg, &err), &err);
}

static void teardown(void)
{
    athlete_registry_destroy(reg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static athlete_agent *make_agent(const char *algorithm, const char *overrides, uint64_t seed)
{
    athlete_error err;
    athlete_agent *agent;
    athlete_space obs = athlete_space_discrete(16), act = athlete_space_discrete(4);
    float low[4] = {-1, -1, -1, -1}, high[4] = {1, 1, 1, 1};
    size_t shape[1] = {4};
    athlete_space box = athlete_space_box(1, shape, low, high), two = athlete_space_discrete(2);
    bool tabular = strcmp(algorithm, "q_learning") == 0;
    ck_assert_ok(athlete_agent_create(reg, algorithm, tabular ? &obs : &box, tabular ? &act : &two, &seed, overrides,
                                      &agent, &err),
                 &err);
    return agent;
}

/* Entries of `dir` whose name contains ".tmp." */
static int count_temps(void)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

static void assert_loads(const char *path)
{
    athlete_error err;
    athlete_agent *agent = NULL;
    ck_assert_ok(athlete_agent_from_checkpoint(reg, path, true, &agent, &err), &err);
    athlete_agent_destroy(agent);
}

static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    *size = fread(buf, 1, sizeof buf, f);
    fclose(f);
    char *copy = malloc(*size + 1);
    memcpy(copy, buf, *size);
    return copy;
}

START_TEST(test_planted_symlinks_are_not_followed)
{
    char victim[300], path[300], planted[400];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(path, sizeof path, "%s/ckpt", dir);
    FILE *f = fopen(victim, "w");
    fputs("precious", f);
    fclose(f);
    /* Every name the old scheme used, and the target itself, point at the victim. */
    snprintf(planted, sizeof planted, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_int_eq(symlink(victim, planted), 0);
    snprintf(planted, sizeof planted, "%s/.ckpt.tmp.%ld", dir, (long)getpid());
    ck_assert_int_eq(symlink(victim, planted), 0);
    snprintf(planted, sizeof planted, "%s/.ckpt.tmp.1.aaaaaaaaaaaa", dir); /* the pattern, a dead-looking pid */
    ck_assert_int_eq(symlink(victim, planted), 0);
    ck_assert_int_eq(symlink(victim, path), 0);
    athlete_agent *agent = make_agent("q_learning", NULL, 1);
    athlete_error err;
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    athlete_agent_destroy(agent);
    size_t size;
    char *text = slurp(victim, &size);
    ck_assert_uint_eq(size, 8);
    ck_assert_mem_eq(text, "precious", 8);
    free(text);
    struct stat sb;
    ck_assert_int_eq(lstat(path, &sb), 0);
    ck_assert(S_ISREG(sb.st_mode)); /* the planted link was replaced, not followed */
    ck_assert_int_eq(lstat(planted, &sb), 0);
    ck_assert(S_ISLNK(sb.st_mode)); /* and links of the temporary pattern are not ours to remove */
    assert_loads(path);
}
END_TEST

typedef struct saver {
    athlete_agent *agent;
    const char *path;
    int failures;
} saver;

static void *save_many(void *arg)
{
    saver *s = arg;
    athlete_error err;
    for (int i = 0; i < SAVES; i++)
        if (athlete_agent_save_checkpoint(s->agent, s->path, true, NULL, &err) != ATHLETE_OK) {
            fprintf(stderr, "save failed: %s\n", err.message);
            s->failures++;
        }
    return NULL;
}

START_TEST(test_two_threads_save_one_path)
{
    char path[300];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    saver a = {make_agent("q_learning", NULL, 1), path, 0}, b = {make_agent("q_learning", NULL, 2), path, 0};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, save_many, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, save_many, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ck_assert_int_eq(a.failures, 0);
    ck_assert_int_eq(b.failures, 0);
    assert_loads(path);
    ck_assert_int_eq(count_temps(), 0);
    athlete_agent_destroy(a.agent);
    athlete_agent_destroy(b.agent);
}
END_TEST

START_TEST(test_two_processes_save_one_path)
{
    char path[300];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    pid_t pids[2];
    for (int p = 0; p < 2; p++) {
        pids[p] = fork();
        ck_assert_int_ge(pids[p], 0);
        if (pids[p] == 0) {
            saver s = {make_agent("dqn", "{\"value_network_arguments\": {\"hidden_dims\": [32]}}", (uint64_t)p), path, 0};
            save_many(&s);
            athlete_agent_destroy(s.agent);
            _exit(s.failures == 0 ? 0 : 1);
        }
    }
    for (int p = 0; p < 2; p++) {
        int status;
        ck_assert_int_eq(waitpid(pids[p], &status, 0), pids[p]);
        ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    assert_loads(path);
    ck_assert_int_eq(count_temps(), 0);
}
END_TEST

static void touch(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
}

static bool exists(const char *name)
{
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return lstat(path, &sb) == 0;
}

START_TEST(test_stale_temporary_files)
{
    char path[300];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    /* Savers killed mid-write leave their temporary files behind... */
    for (int round = 0; round < 10; round++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            athlete_agent *agent = make_agent("dqn", "{\"value_network_arguments\": {\"hidden_dims\": [256, 256]}}", 1);
            athlete_error err;
            for (;;)
                athlete_agent_save_checkpoint(agent, path, true, NULL, &err);
        }
        struct timespec delay = {0, 2000000 + round * 1000000};
        nanosleep(&delay, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    /* ...and hand-made ones: a dead pid's (removed), a live pid's, other patterns (kept). */
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    waitpid(dead, NULL, 0);
    char name[128];
    snprintf(name, sizeof name, ".ckpt.tmp.%ld.abcdefABCDEF", (long)dead);
    touch(name);
    char live[128], short_name[128], other[128];
    snprintf(live, sizeof live, ".ckpt.tmp.%ld.abcdefABCDEF", (long)getppid());
    snprintf(short_name, sizeof short_name, ".ckpt.tmp.%ld.abc", (long)dead);
    snprintf(other, sizeof other, ".other.tmp.%ld.abcdefABCDEF", (long)dead);
    touch(live);
    touch(short_name);
    touch(other);
    athlete_agent *agent = make_agent("q_learning", NULL, 1);
    athlete_error err;
    ck_assert_ok(athlete_agent_save_checkpoint(agent, path, true, NULL, &err), &err);
    athlete_agent_destroy(agent);
    ck_assert(!exists(name));
    ck_assert(exists(live));
    ck_assert(exists(short_name));
    ck_assert(exists(other));
    ck_assert_int_eq(count_temps(), 3); /* only the three kept ones */
    assert_loads(path);
}
END_TEST

/* Saves a big agent over a small checkpoint on a filesystem too small for it (or under a
 * file size limit): the error names the path and the reason, the old file is intact and
 * no temporary file is left. */
static void save_into_too_little_space(const char *path, const char *reason)
{
    athlete_error err;
    athlete_agent *small = make_agent("q_learning", NULL, 1);
    ck_assert_ok(athlete_agent_save_checkpoint(small, path, true, NULL, &err), &err);
    athlete_agent_destroy(small);
    size_t before_size;
    char *before = slurp(path, &before_size);
    athlete_agent *big = make_agent("dqn", "{\"value_network_arguments\": {\"hidden_dims\": [128, 128]}}", 1);
    char expected[400];
    snprintf(expected, sizeof expected, "cannot write '%s': %s", path, reason);
    ck_assert_fails(athlete_agent_save_checkpoint(big, path, true, NULL, &err), &err, ATHLETE_E_IO, expected);
    ck_assert_str_eq(err.message, expected);
    athlete_agent_destroy(big);
    size_t after_size;
    char *after = slurp(path, &after_size);
    ck_assert_uint_eq(after_size, before_size);
    ck_assert_mem_eq(after, before, before_size);
    free(before);
    free(after);
    assert_loads(path);
}

START_TEST(test_full_filesystem)
{
    char path[400];
    snprintf(path, sizeof path, "%s/ckpt", dir);
    /* A file size limit (works unprivileged): writes fail with EFBIG. In a child, so the
     * limit and the ignored SIGXFSZ stay there. */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {32 * 1024, 32 * 1024};
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &limit), 0);
        save_into_too_little_space(path, "File too large");
        ck_assert_int_eq(count_temps(), 0);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the file size limit case failed");
    /* A really full filesystem: a 64 kB tmpfs, where mounting is permitted. */
    char mnt[256];
    snprintf(mnt, sizeof mnt, "%.200s/small", dir);
    ck_assert_int_eq(mkdir(mnt, 0700), 0);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
        printf("tmpfs case skipped: cannot mount (%s); the file size limit case ran\n", strerror(errno));
        return;
    }
    snprintf(path, sizeof path, "%.240s/ckpt", mnt);
    char saved_dir[256];
    memcpy(saved_dir, dir, sizeof dir);
    snprintf(dir, sizeof dir, "%.240s", mnt);
    save_into_too_little_space(path, "No space left on device");
    ck_assert_int_eq(count_temps(), 0);
    memcpy(dir, saved_dir, sizeof dir);
    ck_assert_int_eq(umount(mnt), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("saving");
    TCase *tc = tcase_create("saving");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_planted_symlinks_are_not_followed);
    tcase_add_test(tc, test_two_threads_save_one_path);
    tcase_add_test(tc, test_two_processes_save_one_path);
    tcase_add_test(tc, test_stale_temporary_files);
    tcase_add_test(tc, test_full_filesystem);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

/* The output set swapped in as one step (issue 16): the folder exchanged
 * whole (its inode changes, the user's files keep theirs), a second writer
 * refused, an unfinished set leaving nothing, and what killed writers left
 * settled by the next one. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libcoverage/table.h"
#include "testutil.h"

static char root[512];

static void put(const char *dir, const char *name, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The file's text ("" when missing; static buffer). */
static const char *get(const char *dir, const char *name)
{
    static char buf[256];
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *f = fopen(p, "rb");
    if (f) {
        buf[fread(buf, 1, sizeof buf - 1, f)] = '\0';
        fclose(f);
    }
    return buf;
}

static ino_t inode(const char *dir, const char *name)
{
    char p[1024];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 ? st.st_ino : 0;
}

/* Entries of root whose name starts with prefix. */
static int count_prefixed(const char *prefix)
{
    int n = 0;
    DIR *d = opendir(root);
    for (struct dirent *e; d && (e = readdir(d));) n += !strncmp(e->d_name, prefix, strlen(prefix));
    if (d) closedir(d);
    return n;
}

static void rm_rf(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", path);
}

static void test_swap(cov_ctx *ctx)
{
    char dir[600], sub[700];
    snprintf(dir, sizeof dir, "%s/out", root);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(dir, 0755);
    mkdir(sub, 0755);
    put(dir, "a.csv", "old a");
    put(dir, "b.csv", "old b");
    put(dir, "notes.txt", "the user's");
    put(sub, "x.txt", "the user's too");
    ino_t folder_before = inode(root, "out"), notes_before = inode(dir, "notes.txt");

    cov_output_set *set = cov_output_set_begin(ctx, dir);
    CHECK(set != NULL);
    if (!set) return;
    const char *staging = cov_output_set_staging(set);
    CHECK(strncmp(staging, root, strlen(root)) == 0 && strstr(staging, "/.out.zaitaku-"));
    put(staging, "a.csv", "new a");
    put(staging, "b.csv", "new b");
    /* before the commit the folder holds the old set, untouched */
    CHECK_STR(get(dir, "a.csv"), "old a");
    CHECK(cov_output_set_commit(ctx, set) == COV_OK);
    cov_output_set_destroy(set);

    CHECK_STR(get(dir, "a.csv"), "new a");
    CHECK_STR(get(dir, "b.csv"), "new b");
    CHECK_STR(get(dir, "notes.txt"), "the user's");
    CHECK_STR(get(sub, "x.txt"), "the user's too");
    /* one rename of the folder, the user's file the same inode */
    CHECK(inode(root, "out") != folder_before);
    CHECK(inode(dir, "notes.txt") == notes_before);
    CHECK(count_prefixed(".out.zaitaku-") == 0);
    CHECK(inode(dir, ".zaitaku.lock") == 0); /* the lock goes with the set */
    CHECK(cov_warning_count(ctx) == 0);
}

static void test_lock_and_abandon(cov_ctx *ctx)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/out", root);
    cov_output_set *first = cov_output_set_begin(ctx, dir);
    CHECK(first != NULL);
    put(cov_output_set_staging(first), "a.csv", "never");
    cov_output_set *second = cov_output_set_begin(ctx, dir);
    CHECK(second == NULL);
    CHECK(cov_last_error(ctx) == COV_ERR_IO);
    CHECK_CONTAINS(cov_last_message(ctx), "another writer is writing an output set into it now");
    CHECK_CONTAINS(cov_last_message(ctx), "/out/.zaitaku.lock is locked");
    cov_clear_error(ctx);
    /* abandoned: nothing of it is left, the folder as it was */
    cov_output_set_destroy(first);
    CHECK(count_prefixed(".out.zaitaku-") == 0);
    CHECK_STR(get(dir, "a.csv"), "new a");
    second = cov_output_set_begin(ctx, dir);
    CHECK(second != NULL);
    cov_output_set_destroy(second);
    cov_output_set_destroy(NULL);
    CHECK(cov_output_set_staging(NULL) == NULL);
    CHECK(cov_output_set_begin(ctx, NULL) == NULL && cov_last_error(ctx) == COV_ERR_ARG);
    cov_clear_error(ctx);
}

/* A writer killed before its commit: its staging folder goes. */
static void test_killed_before_commit(cov_ctx *ctx)
{
    char dir[600];
    snprintf(dir, sizeof dir, "%s/out", root);
    pid_t pid = fork();
    if (pid == 0) {
        cov_ctx *child = cov_ctx_create();
        cov_output_set *set = cov_output_set_begin(child, dir);
        if (set) put(cov_output_set_staging(set), "a.csv", "half");
        _exit(set ? 0 : 1); /* no commit, no destroy: as killed */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(count_prefixed(".out.zaitaku-") == 1);
    cov_output_set *set = cov_output_set_begin(ctx, dir);
    CHECK(set != NULL);
    CHECK(count_prefixed(".out.zaitaku-") == 1); /* ours only */
    cov_output_set_destroy(set);
    CHECK(count_prefixed(".out.zaitaku-") == 0);
    CHECK_STR(get(dir, "a.csv"), "new a");
}

/* Killed after the exchange, before the old folder was emptied: the old
 * folder (named as the staging one was) holds an earlier a.csv, a link to
 * the user's file and a file the user added meanwhile; the list names the
 * set's files. */
static void test_killed_after_exchange(cov_ctx *ctx)
{
    char dir[600], old[700], list[700], p[800], q[800];
    snprintf(dir, sizeof dir, "%s/out", root);
    snprintf(old, sizeof old, "%s/.out.zaitaku-1-0-0.new", root);
    snprintf(list, sizeof list, "%s/.out.zaitaku-1-0-0.lst", root);
    mkdir(old, 0755);
    put(old, "a.csv", "older a");
    put(old, "late.txt", "added during the swap");
    put(old, ".zaitaku.lock", "");
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    snprintf(q, sizeof q, "%s/notes.txt", old);
    CHECK(link(p, q) == 0);
    FILE *f = fopen(list, "wb");
    fwrite("a.csv\0b.csv\0", 1, 12, f);
    fclose(f);

    cov_output_set *set = cov_output_set_begin(ctx, dir);
    CHECK(set != NULL);
    cov_output_set_destroy(set);
    CHECK(count_prefixed(".out.zaitaku-") == 0);
    CHECK_STR(get(dir, "a.csv"), "new a");
    CHECK_STR(get(dir, "late.txt"), "added during the swap");
    CHECK_STR(get(dir, "notes.txt"), "the user's");
    struct stat st;
    CHECK(stat(p, &st) == 0 && st.st_nlink == 1);
}

/* The portable swap killed between its two renames: the folder is gone
 * and the old one lies aside; the next writer brings it back. */
static void test_folder_left_aside(cov_ctx *ctx)
{
    char dir[600], aside[700];
    snprintf(dir, sizeof dir, "%s/out", root);
    snprintf(aside, sizeof aside, "%s/.out.zaitaku-2-0-0.old", root);
    CHECK(rename(dir, aside) == 0);
    cov_output_set *set = cov_output_set_begin(ctx, dir);
    CHECK(set != NULL);
    cov_output_set_destroy(set);
    CHECK_STR(get(dir, "a.csv"), "new a");
    CHECK_STR(get(dir, "notes.txt"), "the user's");
    CHECK(count_prefixed(".out.zaitaku-") == 0);
}

/* A set into a folder that does not exist yet, given with a trailing
 * slash; subfolders of the set. */
static void test_new_folder(cov_ctx *ctx)
{
    char dir[600], staged[700];
    snprintf(dir, sizeof dir, "%s/fresh/deeper/", root);
    cov_output_set *set = cov_output_set_begin(ctx, dir);
    CHECK(set != NULL);
    if (!set) return;
    snprintf(staged, sizeof staged, "%s/tables", cov_output_set_staging(set));
    mkdir(staged, 0755);
    put(staged, "t.csv", "1,2\n");
    CHECK(cov_output_set_commit(ctx, set) == COV_OK);
    CHECK(cov_output_set_commit(ctx, set) == COV_ERR_ARG);
    cov_clear_error(ctx);
    cov_output_set_destroy(set);
    snprintf(dir, sizeof dir, "%s/fresh/deeper/tables", root);
    CHECK_STR(get(dir, "t.csv"), "1,2\n");
}

int main(void)
{
    const char *tmp = getenv("COV_TEST_TMP");
    snprintf(root, sizeof root, "%s/output_set", tmp && *tmp ? tmp : "/tmp");
    rm_rf(root);
    mkdir(root, 0755);
    char real[4096];
    if (realpath(root, real)) snprintf(root, sizeof root, "%s", real);
    cov_ctx *ctx = cov_ctx_create();
    test_swap(ctx);
    test_lock_and_abandon(ctx);
    test_killed_before_commit(ctx);
    test_killed_after_exchange(ctx);
    test_folder_left_aside(ctx);
    test_new_folder(ctx);
    cov_ctx_destroy(ctx);
    rm_rf(root);
    TEST_END();
}

/* An output set swapped in as one step (issue 16). The set is written into
 * a fresh sibling folder of the destination; at commit whatever else the
 * destination holds (files that are not ours, earlier outputs the new set
 * does not rewrite) is carried over by hard links, and one rename exchanges
 * the two folders: renameat2(RENAME_EXCHANGE) on Linux, else the old folder
 * moved aside and the new one renamed in. The old folder is then emptied
 * entry by entry, never wholesale: a file is removed only when the new
 * folder holds the same inode, or when it is an earlier version of a name
 * the set wrote; anything else (a file the user added during the swap) is
 * moved back. A lock file inside the folder (.zaitaku.lock, flock; carried
 * over with the rest, so the same inode before and after the swap; removed
 * when the set ends) makes a second writer fail instead of mixing. A list of the set's names beside the staging folder
 * lets a later writer settle what a killed one left, by the same rule.
 * Where the folder cannot be swapped (its parent not writable, a mount
 * point, a file that cannot be linked) the set is renamed in file by file,
 * with a warning. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "io/write.h"

#define LOCK_NAME ".zaitaku.lock"
#define INPLACE_PREFIX ".zaitaku-staging-"
#define OLD_PYTHON_PREFIX ".zaitaku-save-" /* staging of zaitaku <= 0.2, inside the folder */
#define MAX_CARRIED 100000                 /* entries carried over before file by file */

struct cov_output_set {
    char *folder;  /* the destination, resolved */
    char *parent;  /* its parent folder */
    char *prefix;  /* "<parent>/.<name>.zaitaku-" */
    char *token;   /* this writer's part of the sibling names */
    char *staging; /* where the set is written */
    char *lock_path;
    int lock_fd;
    int swap; /* 1: sibling staging, one rename; 0: staging inside, file by file */
    int done;
};

/* ---- small helpers ------------------------------------------------------- */

static char *join(cov_ctx *ctx, const char *a, const char *b)
{
    if (!*a) return cov__concat(ctx, b, "");
    if (!*b) return cov__concat(ctx, a, "");
    char *s = cov__malloc(ctx, strlen(a) + strlen(b) + 2);
    if (s) sprintf(s, "%s/%s", a, b);
    return s;
}

static int same_inode(const char *path, const struct stat *st)
{
    struct stat other;
    return lstat(path, &other) == 0 && other.st_dev == st->st_dev && other.st_ino == st->st_ino;
}

static int is_dir(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* mkdir -p; 0 or -1 with errno. */
static int make_dirs(char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) return S_ISDIR(st.st_mode) ? 0 : (errno = ENOTDIR, -1);
    char *slash = strrchr(path, '/');
    if (slash && slash != path) {
        *slash = '\0';
        int rc = make_dirs(path);
        *slash = '/';
        if (rc != 0) return -1;
    }
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

/* Removes a tree that holds only our files. */
static void remove_tree(cov_ctx *ctx, const char *path)
{
    DIR *d = is_dir(path) ? opendir(path) : NULL;
    if (!d) {
        unlink(path);
        return;
    }
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = join(ctx, path, e->d_name);
        if (p) remove_tree(ctx, p);
        free(p);
    }
    closedir(d);
    rmdir(path);
}

/* ---- the names the set wrote --------------------------------------------- */

typedef struct names {
    char **v;
    size_t n, cap;
} names;

static int names_add(cov_ctx *ctx, names *s, const char *name)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        char **v = realloc(s->v, cap * sizeof *v);
        if (!v) return cov__error(ctx, COV_ERR_NOMEM, "out of memory");
        s->v = v, s->cap = cap;
    }
    if (!(s->v[s->n] = cov__concat(ctx, name, ""))) return COV_ERR_NOMEM;
    s->n++;
    return COV_OK;
}

static int names_has(const names *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], name)) return 1;
    return 0;
}

static void names_free(names *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->v[i]);
    free(s->v);
    *s = (names){0};
}

/* Every file (not folder) under root/rel, as paths relative to root. */
static int list_files(cov_ctx *ctx, const char *root, const char *rel, names *out)
{
    char *dir = join(ctx, root, rel);
    DIR *d = dir ? opendir(dir) : NULL;
    int rc = dir ? (d ? COV_OK : cov__write_error(ctx, dir, errno)) : COV_ERR_NOMEM;
    for (struct dirent *e; rc == COV_OK && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *r = join(ctx, rel, e->d_name), *p = r ? join(ctx, root, r) : NULL;
        if (!p) rc = COV_ERR_NOMEM;
        else if (is_dir(p)) rc = list_files(ctx, root, r, out);
        else rc = names_add(ctx, out, r);
        free(r);
        free(p);
    }
    if (d) closedir(d);
    free(dir);
    return rc;
}

/* The list is NUL-separated (a name may hold a line break). */
static int names_write(cov_ctx *ctx, const names *s, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f) return cov__write_error(ctx, path, errno);
    for (size_t i = 0; i < s->n; i++) fwrite(s->v[i], 1, strlen(s->v[i]) + 1, f);
    int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    return ok ? COV_OK : cov__write_error(ctx, path, errno ? errno : EIO);
}

static int names_read(cov_ctx *ctx, const char *path, names *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return COV_ERR_IO;
    char buf[PATH_MAX + 1];
    size_t len = 0;
    int rc = COV_OK;
    for (int c; rc == COV_OK && (c = getc(f)) != EOF;) {
        if (len < PATH_MAX) buf[len++] = (char)c;
        if (c == '\0') buf[len] = '\0', rc = names_add(ctx, out, buf), len = 0;
    }
    fclose(f);
    return rc;
}

/* ---- settling a folder against the destination --------------------------- */

/* Empties from/rel: an entry goes when dest holds the same inode (it was
 * carried over) or when its name is one the set wrote (an earlier version
 * of ours); anything else is moved into dest when that name is free there.
 * Returns the number of entries that had to stay. */
static size_t settle(cov_ctx *ctx, const char *from, const char *dest, const char *rel,
                     const names *ours)
{
    char *dir = join(ctx, from, rel);
    DIR *d = dir ? opendir(dir) : NULL;
    size_t kept = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *r = join(ctx, rel, e->d_name);
        char *src = r ? join(ctx, from, r) : NULL, *dst = r ? join(ctx, dest, r) : NULL;
        struct stat st;
        if (!src || !dst || lstat(src, &st) != 0) {
            kept++;
        } else if (S_ISDIR(st.st_mode)) {
            kept += settle(ctx, from, dest, r, ours);
            if (rmdir(src) != 0) kept++;
        } else if (same_inode(dst, &st) || names_has(ours, r) || !strcmp(r, LOCK_NAME)) {
            unlink(src);
        } else {
            char *slash = strrchr(dst, '/');
            *slash = '\0';
            int parent_ok = make_dirs(dst) == 0;
            *slash = '/';
            if (parent_ok && linkat(AT_FDCWD, src, AT_FDCWD, dst, 0) == 0) unlink(src);
            else kept++;
        }
        free(r);
        free(src);
        free(dst);
    }
    if (d) closedir(d);
    else kept++;
    free(dir);
    return kept;
}

/* Settles a folder a writer left beside ours (killed, or its cleanup cut
 * short): with its list of names by the rule above, else (it died before
 * its commit began, so it holds only its own files) wholesale. */
static void settle_leftover(cov_ctx *ctx, cov_output_set *set, const char *leftover,
                            const char *list)
{
    names ours = {0};
    if (names_read(ctx, list, &ours) != COV_OK) {
        remove_tree(ctx, leftover);
    } else if (settle(ctx, leftover, set->folder, "", &ours) == 0 && rmdir(leftover) == 0) {
        unlink(list);
    } else {
        cov__warn(ctx, "%s: left by an earlier writer that was stopped, holds files not "
                  "in %s; kept, look inside", leftover, set->folder);
    }
    names_free(&ours);
}

static void clean_leftovers(cov_ctx *ctx, cov_output_set *set)
{
    const char *stem = strrchr(set->prefix, '/') + 1;
    size_t n = strlen(stem);
    DIR *d = opendir(set->parent);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, stem, n) != 0 || len < n + 5) continue;
        const char *end = e->d_name + len - 4;
        if (strcmp(end, ".new") && strcmp(end, ".old")) continue;
        char *leftover = join(ctx, set->parent, e->d_name);
        char *list = leftover ? cov__concat(ctx, leftover, "") : NULL;
        if (list && is_dir(leftover)) {
            strcpy(list + strlen(list) - 4, ".lst");
            settle_leftover(ctx, set, leftover, list);
        }
        free(leftover);
        free(list);
    }
    if (d) closedir(d);
    if (!(d = opendir(set->folder))) return;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, INPLACE_PREFIX, strlen(INPLACE_PREFIX)) &&
            strncmp(e->d_name, OLD_PYTHON_PREFIX, strlen(OLD_PYTHON_PREFIX)))
            continue;
        char *p = join(ctx, set->folder, e->d_name);
        if (p && is_dir(p)) remove_tree(ctx, p);
        free(p);
    }
    closedir(d);
}

/* ---- begin --------------------------------------------------------------- */

/* A folder path that does not exist: when a killed writer moved it aside
 * (".<name>.zaitaku-<token>.old" beside it), renames it back. */
static void bring_back(cov_ctx *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    char *parent = slash ? cov__malloc(ctx, (size_t)(slash - path) + 2) : cov__concat(ctx, ".", "");
    if (!parent) return;
    if (slash) sprintf(parent, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    DIR *d = opendir(parent);
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > n + 14 && e->d_name[0] == '.' && !strncmp(e->d_name + 1, base, n) &&
            !strncmp(e->d_name + 1 + n, ".zaitaku-", 9) && !strcmp(e->d_name + len - 4, ".old")) {
            char *old = join(ctx, parent, e->d_name);
            int back = old && rename(old, path) == 0;
            free(old);
            if (back) break;
        }
    }
    if (d) closedir(d);
    free(parent);
}

/* Resolves folder (made when missing) into set->folder and set->parent. A
 * folder that a killed writer moved aside and did not bring back (the
 * portable two-rename swap) is brought back first. */
static int resolve(cov_ctx *ctx, cov_output_set *set, const char *folder)
{
    char *copy = cov__concat(ctx, folder, "");
    if (!copy) return COV_ERR_NOMEM;
    for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--) copy[n - 1] = '\0';
    struct stat st;
    if (lstat(copy, &st) != 0 && errno == ENOENT) bring_back(ctx, copy);
    int rc = make_dirs(copy) == 0 ? COV_OK : cov__write_error(ctx, folder, errno);
    char *real = rc == COV_OK ? realpath(copy, NULL) : NULL;
    if (rc == COV_OK && !real) rc = cov__write_error(ctx, folder, errno);
    free(copy);
    if (rc != COV_OK) return rc;
    set->folder = real;
    char *slash = strrchr(real, '/');
    size_t plen = slash == real ? 1 : (size_t)(slash - real);
    set->parent = cov__malloc(ctx, plen + 1);
    set->prefix = cov__malloc(ctx, strlen(real) + 16);
    if (!set->parent || !set->prefix) return COV_ERR_NOMEM;
    sprintf(set->parent, "%.*s", (int)plen, real);
    sprintf(set->prefix, "%.*s/.%s.zaitaku-", (int)(slash - real), real, slash + 1);
    return COV_OK;
}

/* Takes the folder's lock. The lock file is removed when the set ends, so
 * a lock taken on a file another writer has just removed (or replaced) is
 * no lock: the path must still name the inode locked. */
static int take_lock(cov_ctx *ctx, cov_output_set *set)
{
    char *path = join(ctx, set->folder, LOCK_NAME);
    if (!path) return COV_ERR_NOMEM;
    int rc = COV_OK;
    for (int tries = 0; rc == COV_OK && set->lock_fd < 0; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        struct stat held;
        if (fd < 0) {
            rc = cov__write_error(ctx, path, errno);
        } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            rc = errno == EWOULDBLOCK
                     ? cov__error(ctx, COV_ERR_IO,
                                  "cannot write into %s: another writer is writing an output "
                                  "set into it now (%s is locked); nothing was written",
                                  set->folder, path)
                     : cov__write_error(ctx, path, errno);
            close(fd);
        } else if (fstat(fd, &held) == 0 && same_inode(path, &held)) {
            set->lock_fd = fd;
        } else {
            close(fd);
            if (tries == 100) rc = cov__write_error(ctx, path, EAGAIN);
        }
    }
    set->lock_path = path;
    return rc;
}

/* The folder can be swapped when its parent is writable and on the same
 * file system (not a mount point). */
static int can_swap(const cov_output_set *set)
{
    struct stat a, b;
    return strcmp(set->folder, "/") != 0 && stat(set->folder, &a) == 0 &&
           stat(set->parent, &b) == 0 && a.st_dev == b.st_dev && access(set->parent, W_OK) == 0;
}

static int make_staging(cov_ctx *ctx, cov_output_set *set)
{
    static unsigned counter;
    set->token = cov__malloc(ctx, 64);
    if (!set->token) return COV_ERR_NOMEM;
    for (int k = 0; k < 100; k++) {
        snprintf(set->token, 64, "%ld-%lx-%u", (long)getpid(), (unsigned long)time(NULL),
                 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
        free(set->staging);
        char name[96];
        if (set->swap) {
            snprintf(name, sizeof name, "%s.new", set->token);
            set->staging = cov__concat(ctx, set->prefix, name);
        } else {
            snprintf(name, sizeof name, INPLACE_PREFIX "%s", set->token);
            set->staging = join(ctx, set->folder, name);
        }
        if (!set->staging) return COV_ERR_NOMEM;
        if (mkdir(set->staging, 0700) == 0) return COV_OK;
        if (errno != EEXIST) return cov__write_error(ctx, set->staging, errno);
    }
    return cov__write_error(ctx, set->staging, EEXIST);
}

cov_output_set *cov_output_set_begin(cov_ctx *ctx, const char *folder)
{
    COV_CHECK_ARG(ctx, folder, NULL);
    cov_output_set *set = cov__calloc(ctx, 1, sizeof *set);
    if (!set) return NULL;
    set->lock_fd = -1;
    int rc = resolve(ctx, set, folder);
    if (rc == COV_OK) rc = take_lock(ctx, set);
    if (rc == COV_OK) {
        clean_leftovers(ctx, set);
        set->swap = can_swap(set);
        rc = make_staging(ctx, set);
    }
    if (rc == COV_OK && !set->swap)
        cov__warn(ctx, "%s: the output set is renamed in file by file, not swapped in as one "
                  "step (its parent folder is not writable or it is a mount point)",
                  set->folder);
    if (rc != COV_OK) {
        set->done = 1; /* nothing of ours to remove beyond the staging */
        if (set->staging && is_dir(set->staging)) remove_tree(ctx, set->staging);
        cov_output_set_destroy(set);
        return NULL;
    }
    return set;
}

const char *cov_output_set_staging(const cov_output_set *set)
{
    return set ? set->staging : NULL;
}

const char *cov_output_set_folder(const cov_output_set *set)
{
    return set ? set->folder : NULL;
}

/* ---- commit -------------------------------------------------------------- */

/* Links into staging/rel every entry of folder/rel that staging lacks
 * (folders made anew and filled). Returns 0, or errno with *bad the path
 * that could not be carried (caller frees). */
static int carry(cov_ctx *ctx, const cov_output_set *set, const char *rel, dev_t dev,
                 size_t *count, char **bad)
{
    char *dir = join(ctx, set->folder, rel);
    DIR *d = dir ? opendir(dir) : NULL;
    int err = dir ? (d ? 0 : errno) : ENOMEM;
    if (err) *bad = dir, dir = NULL;
    for (struct dirent *e; !err && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *r = join(ctx, rel, e->d_name);
        char *src = r ? join(ctx, set->folder, r) : NULL, *dst = r ? join(ctx, set->staging, r) : NULL;
        struct stat st, there;
        if (!src || !dst) err = ENOMEM;
        else if (++*count > MAX_CARRIED) err = EFBIG;
        else if (lstat(src, &st) != 0) err = errno == ENOENT ? 0 : errno; /* gone meanwhile */
        else if (lstat(dst, &there) == 0) {
            if (S_ISDIR(st.st_mode) && S_ISDIR(there.st_mode))
                err = carry(ctx, set, r, dev, count, bad);
            /* else the set's own file replaces it */
        } else if (st.st_dev != dev) {
            err = EXDEV;
        } else if (S_ISDIR(st.st_mode)) {
            err = mkdir(dst, st.st_mode & 07777) == 0 ? carry(ctx, set, r, dev, count, bad)
                                                      : errno;
        } else if (linkat(AT_FDCWD, src, AT_FDCWD, dst, 0) != 0) {
            err = errno;
        }
        if (err && !*bad) *bad = src, src = NULL;
        free(r);
        free(src);
        free(dst);
    }
    if (d) closedir(d);
    free(dir);
    return err;
}

static int exchange(const char *a, const char *b)
{
#if defined(__linux__) && defined(SYS_renameat2)
    return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */);
#else
    (void)a, (void)b;
    errno = ENOSYS;
    return -1;
#endif
}

/* A working directory inside the folder would stay with the old folder,
 * emptied and removed (a notebook saving into "."): it follows the swap. */
static void follow_cwd(const cov_output_set *set, const char *cwd)
{
    size_t n = strlen(set->folder);
    if (cwd && !strncmp(cwd, set->folder, n) && (cwd[n] == '\0' || cwd[n] == '/') &&
        chdir(cwd) != 0) {
        /* the same path no longer exists in the new folder: stay */
    }
}

/* The new folder in place of the old one; *out_old where the old one is. */
static int swap_in(cov_ctx *ctx, cov_output_set *set, char **out_old)
{
    char cwd[PATH_MAX];
    const char *here = getcwd(cwd, sizeof cwd);
    if (exchange(set->staging, set->folder) == 0) {
        *out_old = set->staging, set->staging = NULL;
        follow_cwd(set, here);
        return COV_OK;
    }
    if (errno != ENOSYS && errno != EINVAL && errno != ENOTSUP)
        return cov__write_error(ctx, set->folder, errno);
    /* portable: old aside, new in (between the two a killed writer leaves
     * no folder; the next writer brings the old one back) */
    char name[96];
    snprintf(name, sizeof name, "%s.old", set->token);
    char *old = cov__concat(ctx, set->prefix, name);
    if (!old) return COV_ERR_NOMEM;
    if (rename(set->folder, old) != 0) {
        int rc = cov__write_error(ctx, set->folder, errno);
        free(old);
        return rc;
    }
    if (rename(set->staging, set->folder) != 0) {
        int rc = cov__write_error(ctx, set->folder, errno);
        rename(old, set->folder);
        free(old);
        return rc;
    }
    *out_old = old;
    follow_cwd(set, here);
    return COV_OK;
}

/* The .shp of a shapefile after its companions, so that no new .shp ever
 * points at old ones. */
static int shp_last(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    size_t nx = strlen(x), ny = strlen(y);
    int sx = nx > 4 && !strcasecmp(x + nx - 4, ".shp"), sy = ny > 4 && !strcasecmp(y + ny - 4, ".shp");
    return sx != sy ? sx - sy : strcmp(x, y);
}

static int file_by_file(cov_ctx *ctx, cov_output_set *set, names *ours)
{
    qsort(ours->v, ours->n, sizeof *ours->v, shp_last);
    int rc = COV_OK;
    for (size_t i = 0; rc == COV_OK && i < ours->n; i++) {
        char *from = join(ctx, set->staging, ours->v[i]), *to = join(ctx, set->folder, ours->v[i]);
        if (!from || !to) rc = COV_ERR_NOMEM;
        if (rc == COV_OK) {
            char *slash = strrchr(to, '/');
            *slash = '\0';
            if (make_dirs(to) != 0) rc = cov__write_error(ctx, to, errno);
            *slash = '/';
        }
        if (rc == COV_OK && rename(from, to) != 0) rc = cov__write_error(ctx, to, errno);
        free(from);
        free(to);
    }
    return rc;
}

int cov_output_set_commit(cov_ctx *ctx, cov_output_set *set)
{
    COV_CHECK_ARG(ctx, set, COV_ERR_ARG);
    if (set->done) return cov__error(ctx, COV_ERR_ARG, "%s: output set already committed",
                                     set->folder);
    names ours = {0};
    char *list = NULL, *old = NULL, *bad = NULL;
    int rc = list_files(ctx, set->staging, "", &ours);
    if (rc == COV_OK && set->swap) {
        char name[96];
        snprintf(name, sizeof name, "%s.lst", set->token);
        list = cov__concat(ctx, set->prefix, name);
        rc = list ? names_write(ctx, &ours, list) : COV_ERR_NOMEM;
        struct stat st;
        size_t count = 0;
        int err = rc != COV_OK ? 0 : stat(set->folder, &st) != 0 ? errno
                                    : carry(ctx, set, "", st.st_dev, &count, &bad);
        if (rc == COV_OK && !err) {
            chmod(set->staging, st.st_mode & 07777);
            rc = swap_in(ctx, set, &old);
        } else if (rc == COV_OK) {
            cov__warn(ctx, "%s: the output set is renamed in file by file, not swapped in as "
                      "one step: %s cannot be carried over (%s)", set->folder,
                      bad ? bad : set->folder,
                      err == EFBIG ? "the folder holds too many files" : strerror(err));
            set->swap = 0;
        }
    }
    if (rc == COV_OK && !set->swap) rc = file_by_file(ctx, set, &ours);
    if (rc == COV_OK) {
        set->done = 1;
        const char *rest = old ? old : set->staging;
        if (settle(ctx, rest, set->folder, "", &ours) == 0 && rmdir(rest) == 0) {
            if (list) unlink(list);
        } else {
            cov__warn(ctx, "%s: files appeared in %s while the set was written; they are kept "
                      "in %s", rest, set->folder, rest);
        }
    }
    free(old);
    free(bad);
    free(list);
    names_free(&ours);
    return rc;
}

void cov_output_set_destroy(cov_output_set *set)
{
    if (!set) return;
    if (!set->done && set->staging) {
        /* not committed: only our files, plus links carried over */
        if (set->swap) {
            char name[96];
            snprintf(name, sizeof name, "%s.lst", set->token);
            char *list = malloc(strlen(set->prefix) + strlen(name) + 1);
            if (list) sprintf(list, "%s%s", set->prefix, name);
            remove_tree(NULL, set->staging);
            if (list) unlink(list);
            free(list);
        } else {
            remove_tree(NULL, set->staging);
        }
    }
    if (set->lock_fd >= 0) {
        unlink(set->lock_path); /* still ours: removed before it is released */
        close(set->lock_fd);
    }
    free(set->lock_path);
    free(set->folder);
    free(set->parent);
    free(set->prefix);
    free(set->token);
    free(set->staging);
    free(set);
}

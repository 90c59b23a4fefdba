/* Minimal test harness: every CHECK counts; main() ends with TEST_END(),
 * which prints "N passed, N failed" and returns non-zero on any failure. */
#ifndef COV_TESTUTIL_H
#define COV_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libcoverage/core.h"

static int cov_test_passed_, cov_test_failed_;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            cov_test_passed_++;                                              \
        } else {                                                             \
            cov_test_failed_++;                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

/* |a - b| <= tol, reporting both values on failure. */
#define CHECK_NEAR(a, b, tol)                                                 \
    do {                                                                      \
        double a_ = (a), b_ = (b), t_ = (tol);                                \
        if (fabs(a_ - b_) <= t_) {                                            \
            cov_test_passed_++;                                               \
        } else {                                                              \
            cov_test_failed_++;                                               \
            fprintf(stderr, "%s:%d: %s = %.12g, expected %s = %.12g (tol %g)\n", \
                    __FILE__, __LINE__, #a, a_, #b, b_, t_);                  \
        }                                                                     \
    } while (0)

#define CHECK_STR(a, b)                                                       \
    do {                                                                      \
        const char *a_ = (a), *b_ = (b);                                      \
        if (a_ && b_ && strcmp(a_, b_) == 0) {                                \
            cov_test_passed_++;                                               \
        } else {                                                              \
            cov_test_failed_++;                                               \
            fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, \
                    __LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)");    \
        }                                                                     \
    } while (0)

/* The message contains the substring. */
#define CHECK_CONTAINS(msg, sub)                                              \
    do {                                                                      \
        const char *m_ = (msg), *s_ = (sub);                                  \
        if (m_ && strstr(m_, s_)) {                                           \
            cov_test_passed_++;                                               \
        } else {                                                              \
            cov_test_failed_++;                                               \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n",        \
                    __FILE__, __LINE__, m_ ? m_ : "(null)", s_);              \
        }                                                                     \
    } while (0)

#define TEST_END()                                                            \
    do {                                                                      \
        printf("%s: %d passed, %d failed\n", __FILE__, cov_test_passed_,      \
               cov_test_failed_);                                             \
        return cov_test_failed_ ? 1 : 0;                                      \
    } while (0)

/* ../shared/data, from $COV_SHARED_DATA, else the default CMake passes;
 * NULL when the folder is absent. */
static inline const char *cov_test_shared_data(void)
{
    const char *d = getenv("COV_SHARED_DATA");
    struct stat st;
    if (!d || !*d) d = getenv("COV_SHARED_DATA_DEFAULT");
    if (!d || stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) return NULL;
    return d;
}

/* Writes path = $COV_TEST_TMP/name into buf. */
static inline const char *cov_test_tmp(char *buf, size_t size, const char *name)
{
    const char *d = getenv("COV_TEST_TMP");
    snprintf(buf, size, "%s/%s", d && *d ? d : "/tmp", name);
    return buf;
}

/* Writes text to a file; returns 0 on success. */
static inline int cov_test_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fputs(text, f);
    return fclose(f);
}

/* Warnings a context reported (a message handler's userdata): how many,
 * and the last one's text. */
typedef struct test_messages {
    int n_warning;
    char warning[1024]; /* COV_MSG_MAX, the longest message a context keeps */
} test_messages;

static inline void test_on_warning(int level, const char *message, void *userdata)
{
    test_messages *m = userdata;
    if (level != COV_MSG_WARNING) return;
    m->n_warning++;
    snprintf(m->warning, sizeof m->warning, "%s", message);
}

#endif /* COV_TESTUTIL_H */

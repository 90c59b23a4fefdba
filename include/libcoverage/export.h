/* One export macro: symbols are hidden by default (-fvisibility=hidden) and
 * only functions marked COV_API are exported from the shared library. */
#ifndef LIBCOVERAGE_EXPORT_H
#define LIBCOVERAGE_EXPORT_H

#if defined(COV_STATIC)
#define COV_API
#elif defined(_WIN32)
#if defined(COV_BUILDING)
#define COV_API __declspec(dllexport)
#else
#define COV_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define COV_API __attribute__((visibility("default")))
#else
#define COV_API
#endif

#endif /* LIBCOVERAGE_EXPORT_H */

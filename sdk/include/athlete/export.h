/* Symbol visibility for Athlete's libraries and plugins.
 * Everything is built with -fvisibility=hidden; only what is marked here is exported. */
#ifndef ATHLETE_EXPORT_H
#define ATHLETE_EXPORT_H

#include <stddef.h>

#if defined(_WIN32)
#  define ATHLETE_API __declspec(dllexport)
#  define ATHLETE_PLUGIN_EXPORT __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#  define ATHLETE_API __attribute__((visibility("default")))
#  define ATHLETE_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#  define ATHLETE_API
#  define ATHLETE_PLUGIN_EXPORT
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define ATHLETE_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#  define ATHLETE_PRINTF(fmt_index, first_arg)
#endif

/* Structs that start with `size_t struct_size` grow only by appending members. A reader
 * accepts any struct_size that covers its ABI 1.0 members and reads a later member only
 * when the caller's struct_size covers it:
 *     if (ATHLETE_HAS_FIELD(options, athlete_noise_options, new_member)) ... */
#define ATHLETE_SIZE_THROUGH(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#define ATHLETE_HAS_FIELD(ptr, type, field) ((ptr)->struct_size >= ATHLETE_SIZE_THROUGH(type, field))

#ifdef __cplusplus
#  define ATHLETE_BEGIN_DECLS extern "C" {
#  define ATHLETE_END_DECLS }
#else
#  define ATHLETE_BEGIN_DECLS
#  define ATHLETE_END_DECLS
#endif

#endif

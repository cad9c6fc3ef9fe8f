/* SHA-256 for libathlete's internal use (export). Never installed. */
#ifndef ATHLETE_SHA256_H
#define ATHLETE_SHA256_H

#include <athlete/status.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* hex receives 64 lowercase hex digits and a NUL. */
void athlete__sha256(const void *data, size_t size, char hex[65]);
athlete_status athlete__sha256_file(const char *path, char hex[65], athlete_error *err);

#endif

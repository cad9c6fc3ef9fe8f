/* Error messages that name a file: the reason is written first and the file added around
 * it as context, so a long path is what gets shortened, never the reason. */
#include "core-private.h"

#include <stdarg.h>

athlete_status athlete__path_error(athlete_error *err, athlete_status status, const char *before,
                                   const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    athlete_error_setv(err, status, fmt, ap);
    va_end(ap);
    athlete_error_prefix(err, "%s'%s", before, path);
    return status;
}

/* Status names, default messages and the caller-owned error record. */
#include <athlete/status.h>

#include <stdio.h>
#include <string.h>

const char *athlete_status_name(athlete_status status)
{
    switch (status) {
#define NAME_CASE_(name, code, msg) \
    case ATHLETE_##name:            \
        return #name;
        ATHLETE_STATUS_LIST(NAME_CASE_)
#undef NAME_CASE_
    }
    return "?";
}

const char *athlete_status_str(athlete_status status)
{
    switch (status) {
#define STR_CASE_(name, code, msg) \
    case ATHLETE_##name:           \
        return msg;
        ATHLETE_STATUS_LIST(STR_CASE_)
#undef STR_CASE_
    }
    return "unknown status";
}

athlete_status athlete_error_setv(athlete_error *err, athlete_status status, const char *fmt,
                                  va_list ap)
{
    if (err) {
        err->status = status;
        if (fmt)
            vsnprintf(err->message, sizeof err->message, fmt, ap);
        else
            snprintf(err->message, sizeof err->message, "%s", athlete_status_str(status));
    }
    return status;
}

athlete_status athlete_error_set(athlete_error *err, athlete_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    athlete_error_setv(err, status, fmt, ap);
    va_end(ap);
    return status;
}

void athlete_error_prefix(athlete_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[ATHLETE_ERROR_MESSAGE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Shift the message right by the prefix length (truncating its tail), then copy the
     * prefix in front. */
    size_t plen = strlen(prefix);
    size_t mlen = strlen(err->message);
    if (plen > ATHLETE_ERROR_MESSAGE_SIZE - 1)
        plen = ATHLETE_ERROR_MESSAGE_SIZE - 1;
    if (plen + mlen > ATHLETE_ERROR_MESSAGE_SIZE - 1)
        mlen = ATHLETE_ERROR_MESSAGE_SIZE - 1 - plen;
    memmove(err->message + plen, err->message, mlen);
    memcpy(err->message, prefix, plen);
    err->message[plen + mlen] = '\0';
}

void athlete_error_clear(athlete_error *err)
{
    if (err) {
        err->status = ATHLETE_OK;
        err->message[0] = '\0';
    }
}

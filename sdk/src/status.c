/* Status names, default messages and the caller-owned error record. */
#include <athlete/status.h>

#include <stdio.h>
#include <string.h>

/* Marks text cut to fit the record, so a reader knows something is missing. */
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 in UTF-8 */
#define ELLIPSIS_LEN 3

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

/* Moves a cut point back to the start of a UTF-8 sequence, so no character is split. */
static size_t utf8_boundary(const char *text, size_t at)
{
    while (at > 0 && ((unsigned char)text[at] & 0xC0) == 0x80)
        at--;
    return at;
}

athlete_status athlete_error_setv(athlete_error *err, athlete_status status, const char *fmt,
                                  va_list ap)
{
    if (err) {
        err->status = status;
        if (!fmt) {
            snprintf(err->message, sizeof err->message, "%s", athlete_status_str(status));
            return status;
        }
        int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
        if (n >= (int)sizeof err->message) {
            size_t cut = utf8_boundary(err->message, sizeof err->message - 1 - ELLIPSIS_LEN);
            memcpy(err->message + cut, ELLIPSIS, ELLIPSIS_LEN + 1);
        }
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

/* The message is the reason and the prefix only its context (often a long file path), so
 * when both do not fit the prefix gives way: its middle is replaced by an ellipsis, keeping
 * its start (what was being done) and its end (the file name). */
void athlete_error_prefix(athlete_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[8192]; /* a path of PATH_MAX bytes and some words */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t plen = strlen(prefix);
    size_t mlen = strlen(err->message);
    const size_t room = ATHLETE_ERROR_MESSAGE_SIZE - 1;
    /* A prefix keeps at least this much of itself, however long the message. */
    const size_t min_prefix = room / 4;
    if (plen + mlen > room && plen > min_prefix) {
        size_t keep = mlen < room - min_prefix ? room - mlen : min_prefix;
        size_t head = utf8_boundary(prefix, (keep - ELLIPSIS_LEN) / 3);
        size_t tail_len = keep - ELLIPSIS_LEN - head;
        size_t tail = plen - tail_len;
        while (tail < plen && ((unsigned char)prefix[tail] & 0xC0) == 0x80) /* whole characters */
            tail++;
        memmove(prefix + head + ELLIPSIS_LEN, prefix + tail, plen - tail + 1);
        memcpy(prefix + head, ELLIPSIS, ELLIPSIS_LEN);
        plen = strlen(prefix);
    }
    if (plen + mlen > room) { /* the message itself is too long: its end goes */
        size_t cut = utf8_boundary(err->message, room - plen - ELLIPSIS_LEN);
        memcpy(err->message + cut, ELLIPSIS, ELLIPSIS_LEN + 1);
        mlen = cut + ELLIPSIS_LEN;
    }
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

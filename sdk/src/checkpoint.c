/* Record streams: what components write into and read from checkpoints (checkpoint.h). */
#include <athlete/checkpoint.h>

#include <athlete/alloc.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_LEN 127

size_t athlete_record_type_size(athlete_record_type type)
{
    switch (type) {
    case ATHLETE_RECORD_BYTES:
        return 1;
    case ATHLETE_RECORD_F32:
        return 4;
    case ATHLETE_RECORD_F64:
    case ATHLETE_RECORD_U64:
    case ATHLETE_RECORD_I64:
        return 8;
    }
    return 0;
}

const char *athlete_record_type_name(athlete_record_type type)
{
    switch (type) {
    case ATHLETE_RECORD_BYTES:
        return "bytes";
    case ATHLETE_RECORD_F32:
        return "f32";
    case ATHLETE_RECORD_F64:
        return "f64";
    case ATHLETE_RECORD_U64:
        return "u64";
    case ATHLETE_RECORD_I64:
        return "i64";
    }
    return "unknown";
}

uint32_t athlete_crc32(uint32_t crc, const void *data, size_t size)
{
    static uint32_t table[256];
    static bool ready; /* idempotent init: racing threads compute the same table */
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++)
        crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

/* ---- writer ---- */

struct athlete_writer {
    unsigned char *data;
    size_t size, capacity;
    size_t records;
    char scope[NAME_MAX_LEN + 1];
};

athlete_status athlete_writer_create(athlete_writer **out, athlete_error *err)
{
    athlete_writer *w = athlete_calloc(1, sizeof *w);
    if (!w)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint writer: out of memory");
    *out = w;
    return ATHLETE_OK;
}

void athlete_writer_destroy(athlete_writer *w)
{
    if (!w)
        return;
    athlete_free(w->data);
    athlete_free(w);
}

void athlete_writer_set_scope(athlete_writer *w, const char *scope)
{
    snprintf(w->scope, sizeof w->scope, "%s", scope ? scope : "");
}

const unsigned char *athlete_writer_data(const athlete_writer *w, size_t *size)
{
    *size = w->size;
    return w->data;
}

size_t athlete_writer_record_count(const athlete_writer *w) { return w->records; }

static bool reserve(athlete_writer *w, size_t extra)
{
    if (w->size + extra <= w->capacity)
        return true;
    size_t cap = w->capacity ? w->capacity : 4096;
    while (cap < w->size + extra)
        cap *= 2;
    unsigned char *grown = athlete_realloc(w->data, cap);
    if (!grown)
        return false;
    w->data = grown;
    w->capacity = cap;
    return true;
}

static void put_le(unsigned char *p, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

static void scoped(char *full, size_t size, const char *scope, const char *name)
{
    snprintf(full, size, "%s%s%s", scope, *scope ? "." : "", name);
}

athlete_status athlete_writer_put(athlete_writer *w, const char *name, athlete_record_type type,
                                  const void *data, size_t count, athlete_error *err)
{
    size_t elem = athlete_record_type_size(type);
    if (!name || !valid_name(name))
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "checkpoint: invalid record name '%s' (1-63 of [a-z0-9_.-])",
                                 name ? name : "(null)");
    if (!elem)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "checkpoint: record '%s' has unknown type %d", name, (int)type);
    if (count && !data)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "checkpoint: record '%s' has no data", name);
    char full[NAME_MAX_LEN * 2 + 2];
    scoped(full, sizeof full, w->scope, name);
    size_t name_len = strlen(full);
    if (name_len > NAME_MAX_LEN)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "checkpoint: record name '%s' is too long", full);
    size_t payload = count * elem;
    size_t total = 2 + name_len + 1 + 8 + payload + 4;
    if (!reserve(w, total))
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY,
                                 "checkpoint: out of memory writing record '%s'", full);
    unsigned char *start = w->data + w->size;
    unsigned char *p = start;
    put_le(p, name_len, 2);
    p += 2;
    memcpy(p, full, name_len);
    p += name_len;
    *p++ = (unsigned char)type;
    put_le(p, count, 8);
    p += 8;
    /* Payload in little-endian element order; x86-64 and aarch64 are little-endian, so a
     * memcpy is the byte order the format defines. */
    if (payload)
        memcpy(p, data, payload);
    p += payload;
    put_le(p, athlete_crc32(0, start, (size_t)(p - start)), 4);
    w->size += total;
    w->records++;
    return ATHLETE_OK;
}

/* ---- reader ---- */

typedef struct record {
    char name[NAME_MAX_LEN + 1];
    athlete_record_type type;
    uint64_t count;
    const unsigned char *payload;
    bool read;
} record;

struct athlete_reader {
    unsigned char *data;
    record *records;
    size_t count;
    char scope[NAME_MAX_LEN + 1];
    char what[64];
};

void athlete_reader_destroy(athlete_reader *r)
{
    if (!r)
        return;
    athlete_free(r->data);
    athlete_free(r->records);
    athlete_free(r);
}

athlete_status athlete_reader_create(const void *data, size_t size, const char *what,
                                     athlete_reader **out, athlete_error *err)
{
    athlete_status st = ATHLETE_OK;
    athlete_reader *r = athlete_calloc(1, sizeof *r);
    if (!r)
        return athlete_error_set(err, ATHLETE_E_NO_MEMORY, "checkpoint: out of memory");
    snprintf(r->what, sizeof r->what, "%s", what ? what : "checkpoint");
    r->data = athlete_malloc(size ? size : 1);
    if (!r->data) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", r->what);
        goto fail;
    }
    if (size)
        memcpy(r->data, data, size);
    /* First pass counts and checks; records are then indexed. */
    size_t capacity = 0;
    for (size_t pos = 0; pos < size;) {
        size_t left = size - pos;
        const unsigned char *p = r->data + pos;
        size_t index = r->count;
        if (left < 2) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: truncated in record %zu (at byte %zu)", r->what, index, pos);
            goto fail;
        }
        size_t name_len = (size_t)get_le(p, 2);
        if (name_len == 0 || name_len > NAME_MAX_LEN) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: record %zu (at byte %zu) has an invalid name length %zu",
                                   r->what, index, pos, name_len);
            goto fail;
        }
        if (left < 2 + name_len + 1 + 8 + 4) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: truncated in record %zu (at byte %zu)", r->what, index, pos);
            goto fail;
        }
        athlete_record_type type = (athlete_record_type)p[2 + name_len];
        uint64_t count = get_le(p + 2 + name_len + 1, 8);
        size_t elem = athlete_record_type_size(type);
        size_t header = 2 + name_len + 1 + 8;
        if (!elem || count > (left - header - 4) / elem) {
            /* A bad type or a size beyond the data: name what we can. */
            char name[NAME_MAX_LEN + 1];
            memcpy(name, p + 2, name_len);
            name[name_len] = '\0';
            for (size_t i = 0; i < name_len; i++)
                if (name[i] < 0x20 || name[i] > 0x7e)
                    name[i] = '?';
            if (!elem)
                st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                       "%s: record '%s' has unknown type %u", r->what, name, p[2 + name_len]);
            else
                st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                       "%s: record '%s' claims %llu elements, more than the %zu bytes left (truncated?)",
                                       r->what, name, (unsigned long long)count, left - header);
            goto fail;
        }
        size_t total = header + (size_t)count * elem + 4;
        uint32_t stored = (uint32_t)get_le(p + total - 4, 4);
        uint32_t actual = athlete_crc32(0, p, total - 4);
        char name[NAME_MAX_LEN + 1];
        memcpy(name, p + 2, name_len);
        name[name_len] = '\0';
        for (size_t i = 0; i < name_len; i++)
            if (name[i] < 0x20 || name[i] > 0x7e)
                name[i] = '?';
        if (stored != actual) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: record '%s' fails its CRC32 check (stored %08x, computed %08x)",
                                   r->what, name, stored, actual);
            goto fail;
        }
        for (size_t i = 0; i < r->count; i++)
            if (strcmp(r->records[i].name, name) == 0) {
                st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                       "%s: record '%s' appears twice", r->what, name);
                goto fail;
            }
        if (r->count == capacity) {
            size_t cap = capacity ? 2 * capacity : 32;
            record *grown = athlete_realloc(r->records, cap * sizeof *grown);
            if (!grown) {
                st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", r->what);
                goto fail;
            }
            r->records = grown;
            capacity = cap;
        }
        record *rec = &r->records[r->count++];
        memcpy(rec->name, name, name_len + 1);
        rec->type = type;
        rec->count = count;
        rec->payload = p + header;
        rec->read = false;
        pos += total;
    }
    *out = r;
    return ATHLETE_OK;
fail:
    athlete_reader_destroy(r);
    return st;
}

void athlete_reader_set_scope(athlete_reader *r, const char *scope)
{
    snprintf(r->scope, sizeof r->scope, "%s", scope ? scope : "");
}

size_t athlete_reader_record_count(const athlete_reader *r) { return r->count; }

size_t athlete_reader_unread_count(const athlete_reader *r, const char **first_unread)
{
    size_t n = 0;
    if (first_unread)
        *first_unread = NULL;
    for (size_t i = 0; i < r->count; i++)
        if (!r->records[i].read) {
            if (n == 0 && first_unread)
                *first_unread = r->records[i].name;
            n++;
        }
    return n;
}

static athlete_status find(athlete_reader *r, const char *name, athlete_record_type type,
                           record **out, athlete_error *err)
{
    char full[NAME_MAX_LEN * 2 + 2];
    scoped(full, sizeof full, r->scope, name);
    for (size_t i = 0; i < r->count; i++) {
        record *rec = &r->records[i];
        if (strcmp(rec->name, full) != 0)
            continue;
        if (rec->type != type)
            return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                     "%s: record '%s' holds %s, expected %s", r->what, full,
                                     athlete_record_type_name(rec->type), athlete_record_type_name(type));
        *out = rec;
        return ATHLETE_OK;
    }
    return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s' is missing",
                             r->what, full);
}

athlete_status athlete_reader_count(athlete_reader *r, const char *name, athlete_record_type type,
                                    size_t *count, athlete_error *err)
{
    record *rec;
    athlete_status st = find(r, name, type, &rec, err);
    if (st == ATHLETE_OK)
        *count = (size_t)rec->count;
    return st;
}

athlete_status athlete_reader_get(athlete_reader *r, const char *name, athlete_record_type type,
                                  void *data, size_t count, athlete_error *err)
{
    record *rec;
    athlete_status st = find(r, name, type, &rec, err);
    if (st != ATHLETE_OK)
        return st;
    if (rec->count != count)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH,
                                 "%s: record '%s' holds %llu %s values, expected %zu", r->what,
                                 rec->name, (unsigned long long)rec->count,
                                 athlete_record_type_name(type), count);
    if (count)
        memcpy(data, rec->payload, count * athlete_record_type_size(type));
    rec->read = true;
    return ATHLETE_OK;
}

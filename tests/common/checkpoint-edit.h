/* Edit and re-seal a checkpoint file in memory, as a hostile author would: parse it into
 * its header and records, change any of them, and write it back with every CRC and the
 * end record recomputed, so only semantic checks can catch the edit. Used by the hostile
 * regression tests and the structure-aware fuzzer. Header-only (static functions). */
#ifndef ATHLETE_TEST_CHECKPOINT_EDIT_H
#define ATHLETE_TEST_CHECKPOINT_EDIT_H

#include <athlete/checkpoint.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ckpt_record {
    char name[128];
    uint8_t type;
    uint64_t count;
    unsigned char *payload; /* count × element size bytes, owned */
} ckpt_record;

typedef struct ckpt_file {
    uint32_t version, kind;
    char *header; /* JSON text, NUL-terminated, owned */
    ckpt_record *records;
    size_t count, capacity;
} ckpt_file;

static inline uint64_t ckpt_get_le(const unsigned char *p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static inline void ckpt_put_le(unsigned char *p, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void ckpt_free(ckpt_file *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->records[i].payload);
    free(f->records);
    free(f->header);
    memset(f, 0, sizeof *f);
}

static inline size_t ckpt_payload_size(const ckpt_record *r)
{
    return (size_t)r->count * athlete_record_type_size((athlete_record_type)r->type);
}

/* Appends a record (payload copied); returns it, or NULL when out of memory. */
static inline ckpt_record *ckpt_add(ckpt_file *f, const char *name, uint8_t type, const void *payload, uint64_t count)
{
    if (f->count == f->capacity) {
        size_t cap = f->capacity ? 2 * f->capacity : 64;
        ckpt_record *grown = realloc(f->records, cap * sizeof *grown);
        if (!grown)
            return NULL;
        f->records = grown;
        f->capacity = cap;
    }
    ckpt_record *r = &f->records[f->count];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->type = type;
    r->count = count;
    size_t bytes = ckpt_payload_size(r);
    r->payload = malloc(bytes ? bytes : 1);
    if (!r->payload)
        return NULL;
    if (bytes)
        memcpy(r->payload, payload, bytes);
    f->count++;
    return r;
}

/* Parses a structurally sound file (lengths consistent; CRCs are not checked). */
static inline bool ckpt_parse(const unsigned char *data, size_t size, ckpt_file *f)
{
    memset(f, 0, sizeof *f);
    if (size < 28 || memcmp(data, "ATHLCKPT", 8) != 0)
        return false;
    f->version = (uint32_t)ckpt_get_le(data + 8, 4);
    f->kind = (uint32_t)ckpt_get_le(data + 12, 4);
    uint64_t header_len = ckpt_get_le(data + 16, 8);
    if (header_len > size - 28)
        return false;
    f->header = malloc((size_t)header_len + 1);
    if (!f->header)
        return false;
    memcpy(f->header, data + 24, (size_t)header_len);
    f->header[header_len] = '\0';
    for (size_t pos = 24 + (size_t)header_len + 4; pos < size;) {
        size_t left = size - pos;
        if (left < 2)
            goto fail;
        size_t name_len = (size_t)ckpt_get_le(data + pos, 2);
        if (name_len == 0 || name_len > 127 || left < 2 + name_len + 1 + 8 + 4)
            goto fail;
        uint8_t type = data[pos + 2 + name_len];
        uint64_t count = ckpt_get_le(data + pos + 2 + name_len + 1, 8);
        size_t elem = athlete_record_type_size((athlete_record_type)type);
        size_t head = 2 + name_len + 1 + 8;
        if (!elem || count > (left - head - 4) / elem)
            goto fail;
        char name[128];
        memcpy(name, data + pos + 2, name_len);
        name[name_len] = '\0';
        if (!ckpt_add(f, name, type, data + pos + head, count))
            goto fail;
        pos += head + (size_t)count * elem + 4;
    }
    return true;
fail:
    ckpt_free(f);
    return false;
}

static inline ckpt_record *ckpt_find(ckpt_file *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->records[i].name, name) == 0)
            return &f->records[i];
    return NULL;
}

/* Replaces a record's payload (and possibly its type and count). */
static inline bool ckpt_set(ckpt_record *r, uint8_t type, const void *payload, uint64_t count)
{
    size_t bytes = (size_t)count * athlete_record_type_size((athlete_record_type)type);
    unsigned char *copy = malloc(bytes ? bytes : 1);
    if (!copy)
        return false;
    if (bytes)
        memcpy(copy, payload, bytes);
    free(r->payload);
    r->payload = copy;
    r->type = type;
    r->count = count;
    return true;
}

/* Replaces the first occurrence of `from` in the header JSON by `to`. */
static inline bool ckpt_header_replace(ckpt_file *f, const char *from, const char *to)
{
    char *at = strstr(f->header, from);
    if (!at)
        return false;
    size_t head = (size_t)(at - f->header), nf = strlen(from), nt = strlen(to), total = strlen(f->header);
    char *text = malloc(total - nf + nt + 1);
    if (!text)
        return false;
    memcpy(text, f->header, head);
    memcpy(text + head, to, nt);
    memcpy(text + head + nt, at + nf, total - head - nf + 1);
    free(f->header);
    f->header = text;
    return true;
}

/* Writes the file back: header CRC, every record CRC, and the end record (when the last
 * record is "end") counting the records before it. Returns malloc'd bytes. */
static inline unsigned char *ckpt_seal(ckpt_file *f, size_t *size_out)
{
    if (f->count && strcmp(f->records[f->count - 1].name, "end") == 0 && f->records[f->count - 1].count == 1 &&
        f->records[f->count - 1].type == ATHLETE_RECORD_U64)
        ckpt_put_le(f->records[f->count - 1].payload, f->count - 1, 8);
    size_t header_len = strlen(f->header);
    size_t size = 24 + header_len + 4;
    for (size_t i = 0; i < f->count; i++)
        size += 2 + strlen(f->records[i].name) + 1 + 8 + ckpt_payload_size(&f->records[i]) + 4;
    unsigned char *out = malloc(size);
    if (!out)
        return NULL;
    memcpy(out, "ATHLCKPT", 8);
    ckpt_put_le(out + 8, f->version, 4);
    ckpt_put_le(out + 12, f->kind, 4);
    ckpt_put_le(out + 16, header_len, 8);
    memcpy(out + 24, f->header, header_len);
    ckpt_put_le(out + 24 + header_len, athlete_crc32(0, out, 24 + header_len), 4);
    size_t pos = 24 + header_len + 4;
    for (size_t i = 0; i < f->count; i++) {
        const ckpt_record *r = &f->records[i];
        size_t start = pos, name_len = strlen(r->name), bytes = ckpt_payload_size(r);
        ckpt_put_le(out + pos, name_len, 2);
        memcpy(out + pos + 2, r->name, name_len);
        out[pos + 2 + name_len] = r->type;
        ckpt_put_le(out + pos + 2 + name_len + 1, r->count, 8);
        pos += 2 + name_len + 1 + 8;
        if (bytes)
            memcpy(out + pos, r->payload, bytes);
        pos += bytes;
        ckpt_put_le(out + pos, athlete_crc32(0, out + start, pos - start), 4);
        pos += 4;
    }
    *size_out = size;
    return out;
}

#endif

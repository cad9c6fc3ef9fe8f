/* Record streams: what components write into and read from checkpoints (checkpoint.h). */
#include <athlete/checkpoint.h>

#include <athlete/alloc.h>

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
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

/* The table is filled once (pthread_once): threads loading checkpoints at the same time
 * never see it half-written. */
static uint32_t crc_table[256];
static pthread_once_t crc_table_once = PTHREAD_ONCE_INIT;

static void crc_table_fill(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

uint32_t athlete_crc32(uint32_t crc, const void *data, size_t size)
{
    pthread_once(&crc_table_once, crc_table_fill);
    const unsigned char *p = data;
    crc = ~crc;
    for (size_t i = 0; i < size; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
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
    /* Open-addressing index of record names (slot = record index + 1, 0 = empty): finding a
     * record or a duplicate costs O(1), so reading a stream is linear in its size. */
    size_t *slots;
    size_t slot_mask;
    char scope[NAME_MAX_LEN + 1];
    char what[64];
    const athlete_space *observation_space, *action_space;
    const struct athlete_clock *clock;
};

void athlete_reader_destroy(athlete_reader *r)
{
    if (!r)
        return;
    athlete_free(r->data);
    athlete_free(r->records);
    athlete_free(r->slots);
    athlete_free(r);
}

static uint64_t name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
    return h;
}

/* The slot holding `name`, or the empty slot where it would go. */
static size_t *slot_of(const athlete_reader *r, const char *name)
{
    size_t i = (size_t)name_hash(name) & r->slot_mask;
    while (r->slots[i] && strcmp(r->records[r->slots[i] - 1].name, name) != 0)
        i = (i + 1) & r->slot_mask;
    return &r->slots[i];
}

static void printable_name(char *name, const unsigned char *p, size_t name_len)
{
    memcpy(name, p, name_len);
    name[name_len] = '\0';
    for (size_t i = 0; i < name_len; i++)
        if (name[i] < 0x20 || name[i] > 0x7e)
            name[i] = '?';
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
    /* First pass checks each record and counts them; the second indexes them. */
    for (size_t pos = 0; pos < size;) {
        size_t left = size - pos;
        const unsigned char *p = r->data + pos;
        size_t index = r->count;
        if (r->count == ATHLETE_CHECKPOINT_MAX_RECORDS) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: more than %d records (the limit on the record count)", r->what,
                                   ATHLETE_CHECKPOINT_MAX_RECORDS);
            goto fail;
        }
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
        char name[NAME_MAX_LEN + 1];
        printable_name(name, p + 2, name_len);
        if (!elem) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s' has unknown type %u",
                                   r->what, name, p[2 + name_len]);
            goto fail;
        }
        if (count > (left - header - 4) / elem) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: record '%s' claims %llu elements, more than the %zu bytes left (truncated?)",
                                   r->what, name, (unsigned long long)count, left - header);
            goto fail;
        }
        size_t total = header + (size_t)count * elem + 4;
        uint32_t stored = (uint32_t)get_le(p + total - 4, 4);
        uint32_t actual = athlete_crc32(0, p, total - 4);
        if (stored != actual) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT,
                                   "%s: record '%s' fails its CRC32 check (stored %08x, computed %08x)",
                                   r->what, name, stored, actual);
            goto fail;
        }
        r->count++;
        pos += total;
    }
    size_t slots = 16;
    while (slots < 2 * r->count)
        slots *= 2;
    r->records = athlete_calloc(r->count ? r->count : 1, sizeof *r->records);
    r->slots = athlete_calloc(slots, sizeof *r->slots);
    if (!r->records || !r->slots) {
        st = athlete_error_set(err, ATHLETE_E_NO_MEMORY, "%s: out of memory", r->what);
        goto fail;
    }
    r->slot_mask = slots - 1;
    size_t n = r->count;
    r->count = 0;
    for (size_t pos = 0, i = 0; i < n; i++) {
        const unsigned char *p = r->data + pos;
        size_t name_len = (size_t)get_le(p, 2);
        record *rec = &r->records[i];
        printable_name(rec->name, p + 2, name_len);
        rec->type = (athlete_record_type)p[2 + name_len];
        rec->count = get_le(p + 2 + name_len + 1, 8);
        rec->payload = p + 2 + name_len + 1 + 8;
        pos += 2 + name_len + 1 + 8 + (size_t)rec->count * athlete_record_type_size(rec->type) + 4;
        size_t *slot = slot_of(r, rec->name);
        if (*slot) {
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s' appears twice", r->what,
                                   rec->name);
            goto fail;
        }
        *slot = i + 1;
        r->count = i + 1;
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

void athlete_reader_skip(athlete_reader *r, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < r->count; i++)
        if (strncmp(r->records[i].name, prefix, n) == 0)
            r->records[i].read = true;
}

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
    size_t slot = strlen(full) <= NAME_MAX_LEN ? *slot_of(r, full) : 0;
    if (!slot)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s' is missing",
                                 r->what, full);
    record *rec = &r->records[slot - 1];
    if (rec->type != type)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_MISMATCH, "%s: record '%s' holds %s, expected %s",
                                 r->what, full, athlete_record_type_name(rec->type), athlete_record_type_name(type));
    *out = rec;
    return ATHLETE_OK;
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

/* ---- values checked against the loading agent ---- */

void athlete_reader_set_agent(athlete_reader *r, const athlete_space *observation_space,
                              const athlete_space *action_space, const struct athlete_clock *clock)
{
    r->observation_space = observation_space;
    r->action_space = action_space;
    r->clock = clock;
}

const struct athlete_clock *athlete_reader_clock(const athlete_reader *r) { return r->clock; }

static athlete_status check_rows(athlete_reader *r, const char *name, const athlete_space *space,
                                 bool bounded, const char *what, const float *data, size_t rows,
                                 athlete_error *err)
{
    char full[NAME_MAX_LEN * 2 + 2];
    scoped(full, sizeof full, r->scope, name);
    size_t width = athlete_space_flat_size(space);
    for (size_t row = 0; row < rows; row++) {
        const float *value = data + row * width;
        athlete_status st = ATHLETE_OK;
        if (bounded || space->kind == ATHLETE_SPACE_DISCRETE) {
            st = athlete_space_check_value(space, value, what, err);
        } else {
            for (size_t i = 0; i < width && st == ATHLETE_OK; i++)
                if (!isfinite(value[i]))
                    st = athlete_error_set(err, ATHLETE_E_NON_FINITE, "%s[%zu] is %s", what, i,
                                           isnan(value[i]) ? "NaN" : "infinite");
        }
        if (st != ATHLETE_OK) {
            athlete_error_prefix(err, "%s: record '%s' row %zu: ", r->what, full, row);
            if (err)
                err->status = ATHLETE_E_CHECKPOINT_CORRUPT;
            return ATHLETE_E_CHECKPOINT_CORRUPT;
        }
    }
    return ATHLETE_OK;
}

athlete_status athlete_reader_get_observations(athlete_reader *r, const char *name, float *data, size_t rows,
                                               athlete_error *err)
{
    size_t width = r->observation_space ? athlete_space_flat_size(r->observation_space) : 0;
    if (!r->observation_space)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s: reading observations needs the agent's spaces (athlete_reader_set_agent)", r->what);
    athlete_status st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, data, rows * width, err);
    return st ? st : check_rows(r, name, r->observation_space, true, "observation", data, rows, err);
}

athlete_status athlete_reader_get_actions(athlete_reader *r, const char *name, float *data, size_t rows,
                                          athlete_error *err)
{
    size_t width = r->action_space ? athlete_space_flat_size(r->action_space) : 0;
    if (!r->action_space)
        return athlete_error_set(err, ATHLETE_E_INVALID_ARGUMENT,
                                 "%s: reading actions needs the agent's spaces (athlete_reader_set_agent)", r->what);
    athlete_status st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, data, rows * width, err);
    return st ? st : check_rows(r, name, r->action_space, false, "action", data, rows, err);
}

athlete_status athlete_reader_get_finite(athlete_reader *r, const char *name, float *data, size_t count,
                                         athlete_error *err)
{
    athlete_status st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, data, count, err);
    for (size_t i = 0; st == ATHLETE_OK && i < count; i++)
        if (!isfinite(data[i]))
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s%s%s' holds %s at %zu", r->what,
                                   r->scope, *r->scope ? "." : "", name, isnan(data[i]) ? "NaN" : "infinity", i);
    return st;
}

athlete_status athlete_reader_get_flags(athlete_reader *r, const char *name, float *data, size_t count,
                                        athlete_error *err)
{
    athlete_status st = athlete_reader_get(r, name, ATHLETE_RECORD_F32, data, count, err);
    for (size_t i = 0; st == ATHLETE_OK && i < count; i++)
        if (data[i] != 0.0f && data[i] != 1.0f)
            st = athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: record '%s%s%s' holds %g at %zu (0 or 1 expected)",
                                   r->what, r->scope, *r->scope ? "." : "", name, (double)data[i], i);
    return st;
}

athlete_status athlete_reader_get_rng(athlete_reader *r, const char *name, athlete_rng *rng, athlete_error *err)
{
    athlete_rng loaded;
    athlete_status st = athlete_reader_get(r, name, ATHLETE_RECORD_BYTES, &loaded, sizeof loaded, err);
    if (st != ATHLETE_OK)
        return st;
    const char *problem = NULL;
    if ((loaded.s[0] | loaded.s[1] | loaded.s[2] | loaded.s[3]) == 0)
        problem = "an all-zero state (the generator would only ever give 0)";
    else if (loaded.has_spare > 1)
        problem = "a spare flag other than 0 or 1";
    else if (!isfinite(loaded.spare_normal))
        problem = "a non-finite spare normal";
    if (problem)
        return athlete_error_set(err, ATHLETE_E_CHECKPOINT_CORRUPT, "%s: random generator '%s%s%s' has %s", r->what,
                                 r->scope, *r->scope ? "." : "", name, problem);
    *rng = loaded;
    return ATHLETE_OK;
}

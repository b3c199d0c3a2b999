/*
 * ethp2p/rlp.h - Recursive Length Prefix encoding (Ethereum Yellow Paper,
 * appendix B).
 *
 * Reader: zero-copy. An ethp2p_rlp_item points into the caller's buffer, which
 * must outlive it. Every length is checked against the remaining input and
 * every encoding must be canonical (the shortest form):
 *   - a single byte below 0x80 must be encoded as itself, not as 0x81 XX;
 *   - payloads under 56 bytes must use the short form;
 *   - long-form sizes must not have leading zero bytes.
 * Each rejection returns its own ETHP2P_ERLP_* code (see common.h).
 *
 * Writer: appends into an ethp2p_buffer; lists are opened and closed and may
 * nest. Integers are written canonically (no leading zeros, 0 as 0x80).
 */
#ifndef ETHP2P_RLP_H
#define ETHP2P_RLP_H

#include "ethp2p/buffer.h"
#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest nesting the validator and dumper follow by default. */
#define ETHP2P_RLP_MAX_DEPTH 64

enum ethp2p_rlp_kind {
    ETHP2P_RLP_STRING = 0,
    ETHP2P_RLP_LIST = 1,
};

/** One decoded item: its kind, its payload, and its whole encoding. */
typedef struct ethp2p_rlp_item {
    int kind;               /* ETHP2P_RLP_STRING or ETHP2P_RLP_LIST */
    const uint8_t *payload; /* string bytes, or the list's concatenated items */
    size_t payload_len;
    const uint8_t *raw;     /* header + payload */
    size_t raw_len;
} ethp2p_rlp_item;

/** Iterates over consecutive items (a list's payload, or a stream). */
typedef struct ethp2p_rlp_iter {
    const uint8_t *pos;
    const uint8_t *end;
} ethp2p_rlp_iter;

/**
 * Decodes the item at the start of data[0..len). *rest (may be NULL) receives
 * the number of bytes that follow it. Only the outer header is checked; nested
 * items are checked as they are read.
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_decode_prefix(const uint8_t *data, size_t len,
                                                ethp2p_rlp_item *item, size_t *rest);

/** Decodes exactly one item spanning all of data; trailing bytes -> ETHP2P_ERLP_TRAILING. */
ETHP2P_WARN_UNUSED int ethp2p_rlp_decode(const uint8_t *data, size_t len, ethp2p_rlp_item *item);

/** Starts iterating over the elements of a list item (ETHP2P_ERLP_EXPECTED_LIST otherwise). */
ETHP2P_WARN_UNUSED int ethp2p_rlp_iter_list(const ethp2p_rlp_item *list, ethp2p_rlp_iter *it);

/** Starts iterating over a raw byte range holding concatenated items. */
void ethp2p_rlp_iter_init(ethp2p_rlp_iter *it, const uint8_t *data, size_t len);

/**
 * Reads the next item. Returns 1 with *item set, 0 at the end, or a negative
 * error for malformed input.
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_iter_next(ethp2p_rlp_iter *it, ethp2p_rlp_item *item);

/** Reads the next item, which must exist: ETHP2P_ERLP_TOO_FEW at the end. */
ETHP2P_WARN_UNUSED int ethp2p_rlp_iter_expect(ethp2p_rlp_iter *it, ethp2p_rlp_item *item);

/** True when the iterator has no more input. */
static inline int ethp2p_rlp_iter_done(const ethp2p_rlp_iter *it) { return it->pos >= it->end; }

/** Counts a list's elements, checking each. Returns the count or an error. */
ETHP2P_WARN_UNUSED long ethp2p_rlp_list_count(const ethp2p_rlp_item *list);

/**
 * Checks a whole tree: data must be exactly one item whose nested items are
 * all well formed and canonical, nested at most max_depth deep.
 * *err_offset (may be NULL) receives the offset of the offending item.
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_validate(const uint8_t *data, size_t len, int max_depth,
                                           size_t *err_offset);

/**
 * Reads a string item as an unsigned integer up to 64 bits. Leading zeros
 * -> ETHP2P_ERLP_INT_LEADING_ZERO; more than 8 bytes -> ETHP2P_ERLP_INT_OVERFLOW.
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_get_uint64(const ethp2p_rlp_item *item, uint64_t *out);

/** Like ethp2p_rlp_get_uint64, limited to max. */
ETHP2P_WARN_UNUSED int ethp2p_rlp_get_uint(const ethp2p_rlp_item *item, uint64_t max, uint64_t *out);

/**
 * Reads a canonical big-endian unsigned integer of at most cap bytes into out,
 * right-aligned and zero-padded to cap bytes (for 256-bit values).
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_get_uint_be(const ethp2p_rlp_item *item, uint8_t *out, size_t cap);

/** Copies a string item that must be exactly n bytes long (ETHP2P_ERLP_WRONG_SIZE). */
ETHP2P_WARN_UNUSED int ethp2p_rlp_get_fixed(const ethp2p_rlp_item *item, uint8_t *out, size_t n);

/** Checks the item is a string and returns its payload (may be empty). */
ETHP2P_WARN_UNUSED int ethp2p_rlp_get_bytes(const ethp2p_rlp_item *item, const uint8_t **p, size_t *n);

/* ---- writer ---- */

/** An RLP writer appending to an ethp2p_buffer it owns. */
typedef struct ethp2p_rlp_writer {
    ethp2p_buffer buf;
    size_t *open;      /* offsets of open lists' payload starts */
    size_t depth;
    size_t open_cap;
    int err;
} ethp2p_rlp_writer;

/** Initialises a writer; limit bounds the encoding's size (0: unlimited). */
void ethp2p_rlp_writer_init(ethp2p_rlp_writer *w, size_t limit);
/** Frees the writer's storage. */
void ethp2p_rlp_writer_clear(ethp2p_rlp_writer *w);
/** Empties the writer, keeping its storage. */
void ethp2p_rlp_writer_reset(ethp2p_rlp_writer *w);

/** Appends a byte string. */
int ethp2p_rlp_put_bytes(ethp2p_rlp_writer *w, const void *data, size_t len);
/** Appends a NUL-terminated text as a byte string. */
int ethp2p_rlp_put_str(ethp2p_rlp_writer *w, const char *s);
/** Appends an unsigned integer canonically. */
int ethp2p_rlp_put_uint(ethp2p_rlp_writer *w, uint64_t v);
/** Appends a big-endian unsigned integer, stripping leading zeros. */
int ethp2p_rlp_put_uint_be(ethp2p_rlp_writer *w, const uint8_t *be, size_t len);
/** Appends an already-encoded item verbatim. */
int ethp2p_rlp_put_raw(ethp2p_rlp_writer *w, const void *rlp, size_t len);
/** Opens a list; items appended until the matching end belong to it. */
int ethp2p_rlp_list_begin(ethp2p_rlp_writer *w);
/** Closes the innermost open list. */
int ethp2p_rlp_list_end(ethp2p_rlp_writer *w);

/**
 * Finishes: returns the sticky error (also ETHP2P_EINVAL if a list is still
 * open); on success *data and *len describe the encoding, owned by the writer.
 */
ETHP2P_WARN_UNUSED int ethp2p_rlp_writer_finish(ethp2p_rlp_writer *w, const uint8_t **data, size_t *len);

/** Size of the header for a string or list payload of len bytes. */
size_t ethp2p_rlp_header_size(size_t payload_len);

#ifdef __cplusplus
}
#endif
#endif

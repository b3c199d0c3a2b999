/*
 * ethp2p/buffer.h - a growable byte buffer.
 *
 * Errors are sticky: after a failed allocation every later append is a no-op
 * and ethp2p_buffer_error() reports ETHP2P_ENOMEM, so a long sequence of
 * appends needs one check at the end. An optional cap bounds growth (for
 * anything sized by a remote peer); growth past it fails the same way with
 * ETHP2P_ENOSPACE.
 */
#ifndef ETHP2P_BUFFER_H
#define ETHP2P_BUFFER_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ethp2p_buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit; /* 0 = unlimited */
    int err;      /* sticky error, 0 if none */
} ethp2p_buffer;

/** Initialises an empty buffer. limit is the largest len allowed (0: none). */
void ethp2p_buffer_init(ethp2p_buffer *b, size_t limit);
/** Frees the storage; the buffer may be initialised again. */
void ethp2p_buffer_clear(ethp2p_buffer *b);
/** Sets len to 0 and forgets a sticky error, keeping the storage. */
void ethp2p_buffer_reset(ethp2p_buffer *b);
/** Ensures room for extra more bytes. Returns 0 or the (sticky) error. */
int ethp2p_buffer_reserve(ethp2p_buffer *b, size_t extra);
/** Appends n bytes. Returns 0 or the (sticky) error. */
int ethp2p_buffer_append(ethp2p_buffer *b, const void *data, size_t n);
/** Appends one byte. */
int ethp2p_buffer_push(ethp2p_buffer *b, uint8_t byte);
/**
 * Appends the whole file at path (at most max bytes; 0: no limit). Returns 0,
 * ETHP2P_EIO if it cannot be read, ETHP2P_ENOSPACE over max, ETHP2P_ENOMEM.
 */
int ethp2p_buffer_read_file(ethp2p_buffer *b, const char *path, size_t max);
/** The sticky error, or 0. */
static inline int ethp2p_buffer_error(const ethp2p_buffer *b) { return b->err; }

#ifdef __cplusplus
}
#endif
#endif

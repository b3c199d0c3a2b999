/*
 * Growable byte buffer with a sticky error and an optional size limit. The
 * limit exists because buffers filled from the network must never grow
 * without bound; growth doubles so appends are amortised O(1).
 */
#include "ethp2p/buffer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ethp2p_buffer_init(ethp2p_buffer *b, size_t limit)
{
    memset(b, 0, sizeof(*b));
    b->limit = limit;
}

void ethp2p_buffer_clear(ethp2p_buffer *b)
{
    free(b->data);
    size_t limit = b->limit;
    ethp2p_buffer_init(b, limit);
}

void ethp2p_buffer_reset(ethp2p_buffer *b)
{
    b->len = 0;
    b->err = 0;
}

int ethp2p_buffer_reserve(ethp2p_buffer *b, size_t extra)
{
    if (b->err) return b->err;
    if (extra > SIZE_MAX - b->len || (b->limit && b->len + extra > b->limit)) {
        b->err = ETHP2P_ENOSPACE;
        return b->err;
    }
    size_t need = b->len + extra;
    if (need <= b->cap) return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need) ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    uint8_t *p = realloc(b->data, ncap);
    if (!p) {
        b->err = ETHP2P_ENOMEM;
        return b->err;
    }
    b->data = p;
    b->cap = ncap;
    return 0;
}

int ethp2p_buffer_append(ethp2p_buffer *b, const void *data, size_t n)
{
    if (n == 0) return b->err;
    int rc = ethp2p_buffer_reserve(b, n);
    if (rc) return rc;
    memcpy(b->data + b->len, data, n);
    b->len += n;
    return 0;
}

int ethp2p_buffer_push(ethp2p_buffer *b, uint8_t byte)
{
    return ethp2p_buffer_append(b, &byte, 1);
}

int ethp2p_buffer_read_file(ethp2p_buffer *b, const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f) return ETHP2P_EIO;
    int rc = 0;
    for (;;) {
        if ((rc = ethp2p_buffer_reserve(b, 1 << 16))) break;
        size_t r = fread(b->data + b->len, 1, b->cap - b->len, f);
        if (r == 0) {
            if (ferror(f)) rc = ETHP2P_EIO;
            break;
        }
        b->len += r;
        if (max && b->len > max) {
            rc = ETHP2P_ENOSPACE;
            break;
        }
    }
    fclose(f);
    return rc;
}

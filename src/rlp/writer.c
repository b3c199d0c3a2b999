/*
 * RLP writer. A list's size is known only when it is closed, so list_begin
 * records where the payload starts and list_end writes the header in front of
 * it, moving the payload when the header needs more than one byte. This keeps
 * the API streaming (no item tree) at the price of one memmove per long list.
 */
#include "ethp2p/rlp.h"

#include <stdlib.h>
#include <string.h>

void ethp2p_rlp_writer_init(ethp2p_rlp_writer *w, size_t limit)
{
    memset(w, 0, sizeof(*w));
    ethp2p_buffer_init(&w->buf, limit);
}

void ethp2p_rlp_writer_clear(ethp2p_rlp_writer *w)
{
    ethp2p_buffer_clear(&w->buf);
    free(w->open);
    size_t limit = w->buf.limit;
    ethp2p_rlp_writer_init(w, limit);
}

void ethp2p_rlp_writer_reset(ethp2p_rlp_writer *w)
{
    ethp2p_buffer_reset(&w->buf);
    w->depth = 0;
    w->err = 0;
}

static int fail(ethp2p_rlp_writer *w, int err)
{
    if (!w->err) w->err = err;
    return w->err;
}

static size_t be_len(uint64_t v)
{
    size_t n = 0;
    while (v) {
        n++;
        v >>= 8;
    }
    return n;
}

size_t ethp2p_rlp_header_size(size_t payload_len)
{
    return payload_len < 56 ? 1 : 1 + be_len(payload_len);
}

/* Writes a header for a payload of len bytes with the given short-form base (0x80 or 0xc0). */
static void write_header(uint8_t *out, uint8_t base, size_t len)
{
    if (len < 56) {
        out[0] = (uint8_t)(base + len);
        return;
    }
    size_t n = be_len(len);
    out[0] = (uint8_t)(base + 55 + n);
    for (size_t i = 0; i < n; i++) out[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
}

int ethp2p_rlp_put_bytes(ethp2p_rlp_writer *w, const void *data, size_t len)
{
    if (w->err) return w->err;
    const uint8_t *p = data;
    if (len == 1 && p[0] < 0x80) {
        int rc = ethp2p_buffer_append(&w->buf, p, 1);
        return rc ? fail(w, rc) : 0;
    }
    uint8_t hdr[9];
    write_header(hdr, 0x80, len);
    int rc = ethp2p_buffer_append(&w->buf, hdr, ethp2p_rlp_header_size(len));
    if (!rc) rc = ethp2p_buffer_append(&w->buf, data, len);
    return rc ? fail(w, rc) : 0;
}

int ethp2p_rlp_put_str(ethp2p_rlp_writer *w, const char *s)
{
    return ethp2p_rlp_put_bytes(w, s, strlen(s));
}

int ethp2p_rlp_put_uint(ethp2p_rlp_writer *w, uint64_t v)
{
    uint8_t be[8];
    size_t n = be_len(v);
    for (size_t i = 0; i < n; i++) be[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    return ethp2p_rlp_put_bytes(w, be, n);
}

int ethp2p_rlp_put_uint_be(ethp2p_rlp_writer *w, const uint8_t *be, size_t len)
{
    while (len > 0 && be[0] == 0) {
        be++;
        len--;
    }
    return ethp2p_rlp_put_bytes(w, be, len);
}

int ethp2p_rlp_put_raw(ethp2p_rlp_writer *w, const void *rlp, size_t len)
{
    if (w->err) return w->err;
    int rc = ethp2p_buffer_append(&w->buf, rlp, len);
    return rc ? fail(w, rc) : 0;
}

int ethp2p_rlp_list_begin(ethp2p_rlp_writer *w)
{
    if (w->err) return w->err;
    if (w->depth == w->open_cap) {
        size_t ncap = w->open_cap ? w->open_cap * 2 : 8;
        size_t *p = realloc(w->open, ncap * sizeof(*p));
        if (!p) return fail(w, ETHP2P_ENOMEM);
        w->open = p;
        w->open_cap = ncap;
    }
    /* Reserve the one-byte short header; list_end grows it if needed. */
    int rc = ethp2p_buffer_push(&w->buf, 0);
    if (rc) return fail(w, rc);
    w->open[w->depth++] = w->buf.len;
    return 0;
}

int ethp2p_rlp_list_end(ethp2p_rlp_writer *w)
{
    if (w->err) return w->err;
    if (w->depth == 0) return fail(w, ETHP2P_EINVAL);
    size_t start = w->open[--w->depth];
    size_t plen = w->buf.len - start;
    size_t hsize = ethp2p_rlp_header_size(plen);
    if (hsize > 1) {
        int rc = ethp2p_buffer_reserve(&w->buf, hsize - 1);
        if (rc) return fail(w, rc);
        memmove(w->buf.data + start + hsize - 1, w->buf.data + start, plen);
        w->buf.len += hsize - 1;
    }
    write_header(w->buf.data + start - 1, 0xc0, plen);
    return 0;
}

int ethp2p_rlp_writer_finish(ethp2p_rlp_writer *w, const uint8_t **data, size_t *len)
{
    if (w->err) return w->err;
    if (w->depth != 0) return ETHP2P_EINVAL;
    *data = w->buf.data;
    *len = w->buf.len;
    return 0;
}

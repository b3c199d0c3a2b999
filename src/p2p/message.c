/*
 * The devp2p base protocol's messages. Decoding is lenient only where
 * deployed clients differ (Disconnect's shape) and strict everywhere else;
 * every length is bounded before use.
 */
#include "ethp2p/p2p.h"
#include "ethp2p/rlp.h"

#include <snappy-c.h>
#include <stdlib.h>
#include <string.h>

const char *ethp2p_disconnect_reason_name(int reason)
{
    switch (reason) {
    case ETHP2P_DISC_REQUESTED: return "disconnect requested";
    case ETHP2P_DISC_NETWORK_ERROR: return "network error";
    case ETHP2P_DISC_PROTOCOL_ERROR: return "breach of protocol";
    case ETHP2P_DISC_USELESS_PEER: return "useless peer";
    case ETHP2P_DISC_TOO_MANY_PEERS: return "too many peers";
    case ETHP2P_DISC_ALREADY_CONNECTED: return "already connected";
    case ETHP2P_DISC_INCOMPATIBLE_VERSION: return "incompatible p2p protocol version";
    case ETHP2P_DISC_NULL_IDENTITY: return "invalid node identity";
    case ETHP2P_DISC_CLIENT_QUITTING: return "client quitting";
    case ETHP2P_DISC_UNEXPECTED_IDENTITY: return "unexpected identity";
    case ETHP2P_DISC_SELF: return "connected to self";
    case ETHP2P_DISC_READ_TIMEOUT: return "read timeout";
    case ETHP2P_DISC_SUBPROTOCOL_ERROR: return "subprotocol error";
    }
    return "unknown reason";
}

static int finish_into(ethp2p_rlp_writer *w, ethp2p_buffer *out)
{
    const uint8_t *enc;
    size_t len;
    int rc = ethp2p_rlp_writer_finish(w, &enc, &len);
    if (!rc) rc = ethp2p_buffer_append(out, enc, len);
    ethp2p_rlp_writer_clear(w);
    return rc;
}

int ethp2p_hello_encode(const ethp2p_hello *h, ethp2p_buffer *out)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, ETHP2P_P2P_MAX_HELLO);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_uint(&w, h->version);
    ethp2p_rlp_put_str(&w, h->name);
    ethp2p_rlp_list_begin(&w);
    for (size_t i = 0; i < h->ncaps; i++) {
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_str(&w, h->caps[i].name);
        ethp2p_rlp_put_uint(&w, h->caps[i].version);
        ethp2p_rlp_list_end(&w);
    }
    ethp2p_rlp_list_end(&w);
    ethp2p_rlp_put_uint(&w, h->listen_port);
    ethp2p_rlp_put_bytes(&w, h->id.b, 64);
    ethp2p_rlp_list_end(&w);
    return finish_into(&w, out);
}

int ethp2p_hello_decode(const uint8_t *data, size_t len, ethp2p_hello *out)
{
    if (len > ETHP2P_P2P_MAX_HELLO) return ETHP2P_ENOSPACE;
    memset(out, 0, sizeof(*out));
    ethp2p_rlp_item list, item, caps, cap;
    ethp2p_rlp_iter it, ci;
    const uint8_t *p;
    size_t n;
    uint64_t port;
    int rc;
    if ((rc = ethp2p_rlp_decode(data, len, &list)) || (rc = ethp2p_rlp_iter_list(&list, &it)) ||
        (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_uint64(&item, &out->version)) ||
        (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_bytes(&item, &p, &n)))
        return rc;
    if (n >= sizeof(out->name)) n = sizeof(out->name) - 1; /* identity is informational: truncate */
    memcpy(out->name, p, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out->name[i] < 0x20 || out->name[i] == 0x7f) out->name[i] = '?'; /* safe to log */
    if ((rc = ethp2p_rlp_iter_expect(&it, &caps)) || (rc = ethp2p_rlp_iter_list(&caps, &ci))) return rc;
    while ((rc = ethp2p_rlp_iter_next(&ci, &cap)) == 1) {
        ethp2p_rlp_iter fi;
        ethp2p_rlp_item name, ver;
        uint64_t v;
        if ((rc = ethp2p_rlp_iter_list(&cap, &fi)) || (rc = ethp2p_rlp_iter_expect(&fi, &name)) ||
            (rc = ethp2p_rlp_iter_expect(&fi, &ver)) || (rc = ethp2p_rlp_get_bytes(&name, &p, &n)) ||
            (rc = ethp2p_rlp_get_uint(&ver, UINT32_MAX, &v)))
            return rc;
        if (n == 0 || n > ETHP2P_P2P_CAP_NAME_MAX) return ETHP2P_ERLP_WRONG_SIZE;
        if (out->ncaps == ETHP2P_P2P_MAX_CAPS) return ETHP2P_ERLP_TOO_DEEP;
        memcpy(out->caps[out->ncaps].name, p, n);
        out->caps[out->ncaps].version = (uint32_t)v;
        out->ncaps++;
    }
    if (rc < 0) return rc;
    if ((rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_uint(&item, UINT16_MAX, &port))) return rc;
    out->listen_port = (uint16_t)port;
    if ((rc = ethp2p_rlp_iter_expect(&it, &item))) return rc;
    static const uint8_t zero[64];
    if (ethp2p_rlp_get_fixed(&item, out->id.b, 64) || memcmp(out->id.b, zero, 64) == 0) return ETHP2P_EKEY;
    return 0;
}

int ethp2p_disconnect_encode(int reason, ethp2p_buffer *out)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 16);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_uint(&w, (uint64_t)reason);
    ethp2p_rlp_list_end(&w);
    return finish_into(&w, out);
}

int ethp2p_disconnect_decode(const uint8_t *data, size_t len)
{
    ethp2p_rlp_item item, first;
    uint64_t reason;
    size_t rest;
    int rc = ethp2p_rlp_decode_prefix(data, len, &item, &rest);
    if (rc) return rc;
    if (item.kind == ETHP2P_RLP_LIST) {
        ethp2p_rlp_iter it;
        (void)!ethp2p_rlp_iter_list(&item, &it);
        rc = ethp2p_rlp_iter_next(&it, &first);
        if (rc == 0) return ETHP2P_DISC_REQUESTED;
        if (rc < 0) return rc;
        item = first;
    }
    if ((rc = ethp2p_rlp_get_uint(&item, 0xff, &reason))) return rc;
    return (int)reason;
}

int ethp2p_p2p_msg_encode(uint64_t code, const uint8_t *data, size_t len, int snappy, ethp2p_buffer *out)
{
    if (len > ETHP2P_P2P_MAX_MESSAGE) return ETHP2P_ENOSPACE;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 16);
    ethp2p_rlp_put_uint(&w, code);
    int rc = finish_into(&w, out);
    if (rc) return rc;
    if (!snappy) return ethp2p_buffer_append(out, data, len);
    size_t max = snappy_max_compressed_length(len);
    if ((rc = ethp2p_buffer_reserve(out, max))) return rc;
    size_t clen = max;
    if (snappy_compress((const char *)data, len, (char *)out->data + out->len, &clen) != SNAPPY_OK)
        return ETHP2P_EFORMAT;
    out->len += clen;
    return 0;
}

int ethp2p_p2p_msg_decode(const uint8_t *msg, size_t len, int snappy, uint64_t *code, const uint8_t **data,
                          size_t *data_len, ethp2p_buffer *out)
{
    ethp2p_rlp_item item;
    size_t rest;
    int rc = ethp2p_rlp_decode_prefix(msg, len, &item, &rest);
    if (rc) return rc;
    if ((rc = ethp2p_rlp_get_uint64(&item, code))) return rc;
    const uint8_t *payload = msg + item.raw_len;
    if (!snappy) {
        *data = payload;
        *data_len = rest;
        return 0;
    }
    size_t ulen;
    if (snappy_uncompressed_length((const char *)payload, rest, &ulen) != SNAPPY_OK) return ETHP2P_EFORMAT;
    if (ulen > ETHP2P_P2P_MAX_MESSAGE) return ETHP2P_ENOSPACE; /* before allocating or decoding anything */
    ethp2p_buffer_reset(out);
    if ((rc = ethp2p_buffer_reserve(out, ulen ? ulen : 1))) return rc;
    size_t got = ulen;
    if (snappy_uncompress((const char *)payload, rest, (char *)out->data, &got) != SNAPPY_OK || got != ulen)
        return ETHP2P_EFORMAT;
    out->len = got;
    *data = out->data;
    *data_len = got;
    return 0;
}

static int cmp_spec_name(const void *a, const void *b)
{
    const ethp2p_shared_cap *x = a, *y = b;
    return strcmp(x->spec->name, y->spec->name);
}

size_t ethp2p_caps_match(const ethp2p_protocol_spec *ours, size_t nours, const ethp2p_cap *theirs, size_t ntheirs,
                         ethp2p_shared_cap *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < nours; i++) {
        int shared = 0;
        for (size_t j = 0; j < ntheirs && !shared; j++)
            shared = strcmp(ours[i].name, theirs[j].name) == 0 && ours[i].version == theirs[j].version;
        if (!shared) continue;
        /* Keep only the highest shared version per name. */
        size_t k = 0;
        while (k < n && strcmp(out[k].spec->name, ours[i].name) != 0) k++;
        if (k < n) {
            if (ours[i].version > out[k].spec->version) out[k].spec = &ours[i];
        } else if (n < max) {
            out[n++].spec = &ours[i];
        }
    }
    qsort(out, n, sizeof(out[0]), cmp_spec_name);
    uint64_t offset = ETHP2P_P2P_BASE_CODES;
    for (size_t k = 0; k < n; k++) {
        out[k].offset = offset;
        offset += out[k].spec->length;
    }
    return n;
}

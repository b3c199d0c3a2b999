/*
 * RLP reader. Zero-copy: items point into the caller's buffer. The one design
 * rule: no length read from the input is used before it has been checked
 * against the bytes that remain, and every non-canonical form is an error, so
 * that a value has exactly one encoding (signatures and hashes depend on it).
 */
#include "ethp2p/rlp.h"

#include <string.h>

/* Reads a big-endian size of n (1..8) bytes that must not have leading zeros. */
static int read_long_size(const uint8_t *p, size_t n, size_t *out)
{
    if (p[0] == 0) return ETHP2P_ERLP_LEADING_ZERO;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = v << 8 | p[i];
    if (v > SIZE_MAX) return ETHP2P_ERLP_SIZE_OVERFLOW;
    if (v < 56) return ETHP2P_ERLP_NONCANON_SIZE;
    *out = (size_t)v;
    return 0;
}

int ethp2p_rlp_decode_prefix(const uint8_t *data, size_t len, ethp2p_rlp_item *item, size_t *rest)
{
    if (len == 0) return ETHP2P_ERLP_EMPTY;
    uint8_t b = data[0];
    size_t hdr, plen;
    int kind;
    if (b < 0x80) {
        kind = ETHP2P_RLP_STRING;
        hdr = 0;
        plen = 1;
    } else if (b <= 0xb7) {
        kind = ETHP2P_RLP_STRING;
        hdr = 1;
        plen = b - 0x80u;
        if (plen > len - 1) return ETHP2P_ERLP_TRUNCATED;
        if (plen == 1 && data[1] < 0x80) return ETHP2P_ERLP_NONCANON_BYTE;
    } else if (b < 0xc0) {
        kind = ETHP2P_RLP_STRING;
        size_t n = b - 0xb7u;
        if (n > len - 1) return ETHP2P_ERLP_TRUNCATED;
        int rc = read_long_size(data + 1, n, &plen);
        if (rc) return rc;
        hdr = 1 + n;
    } else if (b <= 0xf7) {
        kind = ETHP2P_RLP_LIST;
        hdr = 1;
        plen = b - 0xc0u;
    } else {
        kind = ETHP2P_RLP_LIST;
        size_t n = b - 0xf7u;
        if (n > len - 1) return ETHP2P_ERLP_TRUNCATED;
        int rc = read_long_size(data + 1, n, &plen);
        if (rc) return rc;
        hdr = 1 + n;
    }
    if (plen > len - hdr) return ETHP2P_ERLP_TRUNCATED;
    item->kind = kind;
    item->payload = data + hdr;
    item->payload_len = plen;
    item->raw = data;
    item->raw_len = hdr + plen;
    if (rest) *rest = len - item->raw_len;
    return 0;
}

int ethp2p_rlp_decode(const uint8_t *data, size_t len, ethp2p_rlp_item *item)
{
    size_t rest;
    int rc = ethp2p_rlp_decode_prefix(data, len, item, &rest);
    if (rc) return rc;
    return rest ? ETHP2P_ERLP_TRAILING : 0;
}

void ethp2p_rlp_iter_init(ethp2p_rlp_iter *it, const uint8_t *data, size_t len)
{
    it->pos = data;
    it->end = data + len;
}

int ethp2p_rlp_iter_list(const ethp2p_rlp_item *list, ethp2p_rlp_iter *it)
{
    if (list->kind != ETHP2P_RLP_LIST) return ETHP2P_ERLP_EXPECTED_LIST;
    ethp2p_rlp_iter_init(it, list->payload, list->payload_len);
    return 0;
}

int ethp2p_rlp_iter_next(ethp2p_rlp_iter *it, ethp2p_rlp_item *item)
{
    if (it->pos >= it->end) return 0;
    size_t rest;
    int rc = ethp2p_rlp_decode_prefix(it->pos, (size_t)(it->end - it->pos), item, &rest);
    if (rc) return rc;
    it->pos += item->raw_len;
    return 1;
}

int ethp2p_rlp_iter_expect(ethp2p_rlp_iter *it, ethp2p_rlp_item *item)
{
    int rc = ethp2p_rlp_iter_next(it, item);
    if (rc == 0) return ETHP2P_ERLP_TOO_FEW;
    return rc < 0 ? rc : 0;
}

long ethp2p_rlp_list_count(const ethp2p_rlp_item *list)
{
    ethp2p_rlp_iter it;
    int rc = ethp2p_rlp_iter_list(list, &it);
    if (rc) return rc;
    long n = 0;
    ethp2p_rlp_item sub;
    while ((rc = ethp2p_rlp_iter_next(&it, &sub)) == 1) n++;
    return rc < 0 ? rc : n;
}

/* Validates the items in [p, end) recursively; base is for error offsets. */
static int validate_range(const uint8_t *base, const uint8_t *p, const uint8_t *end, int depth,
                          size_t *err_offset)
{
    ethp2p_rlp_iter it;
    ethp2p_rlp_iter_init(&it, p, (size_t)(end - p));
    for (;;) {
        const uint8_t *at = it.pos;
        ethp2p_rlp_item item;
        int rc = ethp2p_rlp_iter_next(&it, &item);
        if (rc == 0) return 0;
        if (rc < 0) {
            if (err_offset) *err_offset = (size_t)(at - base);
            return rc;
        }
        if (item.kind == ETHP2P_RLP_LIST) {
            if (depth <= 0) {
                if (err_offset) *err_offset = (size_t)(at - base);
                return ETHP2P_ERLP_TOO_DEEP;
            }
            rc = validate_range(base, item.payload, item.payload + item.payload_len, depth - 1,
                                err_offset);
            if (rc) return rc;
        }
    }
}

int ethp2p_rlp_validate(const uint8_t *data, size_t len, int max_depth, size_t *err_offset)
{
    ethp2p_rlp_item item;
    size_t rest;
    int rc = ethp2p_rlp_decode_prefix(data, len, &item, &rest);
    if (rc) {
        if (err_offset) *err_offset = 0;
        return rc;
    }
    if (rest) {
        if (err_offset) *err_offset = item.raw_len;
        return ETHP2P_ERLP_TRAILING;
    }
    if (item.kind != ETHP2P_RLP_LIST) return 0;
    if (max_depth <= 0) {
        if (err_offset) *err_offset = 0;
        return ETHP2P_ERLP_TOO_DEEP;
    }
    return validate_range(data, item.payload, item.payload + item.payload_len, max_depth - 1,
                          err_offset);
}

int ethp2p_rlp_get_bytes(const ethp2p_rlp_item *item, const uint8_t **p, size_t *n)
{
    if (item->kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    *p = item->payload;
    *n = item->payload_len;
    return 0;
}

int ethp2p_rlp_get_uint64(const ethp2p_rlp_item *item, uint64_t *out)
{
    if (item->kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    if (item->payload_len > 8) return ETHP2P_ERLP_INT_OVERFLOW;
    if (item->payload_len > 0 && item->payload[0] == 0) return ETHP2P_ERLP_INT_LEADING_ZERO;
    uint64_t v = 0;
    for (size_t i = 0; i < item->payload_len; i++) v = v << 8 | item->payload[i];
    *out = v;
    return 0;
}

int ethp2p_rlp_get_uint(const ethp2p_rlp_item *item, uint64_t max, uint64_t *out)
{
    uint64_t v;
    int rc = ethp2p_rlp_get_uint64(item, &v);
    if (rc) return rc;
    if (v > max) return ETHP2P_ERLP_INT_OVERFLOW;
    *out = v;
    return 0;
}

int ethp2p_rlp_get_uint_be(const ethp2p_rlp_item *item, uint8_t *out, size_t cap)
{
    if (item->kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    if (item->payload_len > cap) return ETHP2P_ERLP_INT_OVERFLOW;
    if (item->payload_len > 0 && item->payload[0] == 0) return ETHP2P_ERLP_INT_LEADING_ZERO;
    memset(out, 0, cap - item->payload_len);
    memcpy(out + cap - item->payload_len, item->payload, item->payload_len);
    return 0;
}

int ethp2p_rlp_get_fixed(const ethp2p_rlp_item *item, uint8_t *out, size_t n)
{
    if (item->kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    if (item->payload_len != n) return ETHP2P_ERLP_WRONG_SIZE;
    memcpy(out, item->payload, n);
    return 0;
}

/*
 * Ethereum Node Records (EIP-778).
 *
 * The record is a fixed-size value: key bytes and raw RLP values live in one
 * array (kv) with offsets in pairs[], sorted by key. A setter rebuilds that
 * array with the new pair in place; records have a handful of keys, so the
 * copy is cheaper than any tree and keeps the struct free of pointers (it can
 * be copied with '=' and stored in tables as it is).
 *
 * Decoding is structural and strict (enr.md: keys sorted and unique, at most
 * 300 bytes); values of unknown keys are kept verbatim so re-encoding yields
 * the same bytes and the signature stays valid.
 */
#include "ethp2p/enr.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"

#include <string.h>

static const char enr_scheme_v4[] = "v4";

void ethp2p_enr_init(ethp2p_enr *r)
{
    r->seq = 0;
    r->signature_len = 0;
    r->npairs = 0;
    r->kv_len = 0;
}

/* Byte-wise key order; a proper prefix sorts first. */
static int key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c) return c;
    return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

static int append_pair(ethp2p_enr *r, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    if (r->npairs >= ETHP2P_ENR_MAX_PAIRS || r->kv_len + klen + vlen > sizeof(r->kv))
        return ETHP2P_ERECORD_SIZE;
    ethp2p_enr_pair *p = &r->pairs[r->npairs++];
    p->key_off = (uint16_t)r->kv_len;
    p->key_len = (uint16_t)klen;
    memcpy(r->kv + r->kv_len, key, klen);
    r->kv_len += klen;
    p->val_off = (uint16_t)r->kv_len;
    p->val_len = (uint16_t)vlen;
    memcpy(r->kv + r->kv_len, val, vlen);
    r->kv_len += vlen;
    return 0;
}

int ethp2p_enr_decode(const uint8_t *data, size_t len, ethp2p_enr *r)
{
    if (len > ETHP2P_ENR_MAX_SIZE) return ETHP2P_ERECORD_SIZE;
    ethp2p_rlp_item list, item;
    ethp2p_rlp_iter it;
    int rc = ethp2p_rlp_decode(data, len, &list);
    if (!rc) rc = ethp2p_rlp_iter_list(&list, &it);
    if (rc) return rc;
    ethp2p_enr_init(r);

    const uint8_t *sig;
    if ((rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_bytes(&item, &sig, &r->signature_len)))
        return rc;
    memcpy(r->signature, sig, r->signature_len);
    if ((rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_uint64(&item, &r->seq)))
        return rc;

    const uint8_t *prev_key = NULL;
    size_t prev_len = 0;
    for (;;) {
        ethp2p_rlp_item key, val;
        rc = ethp2p_rlp_iter_next(&it, &key);
        if (rc == 0) break;
        if (rc < 0) return rc;
        if (key.kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
        if ((rc = ethp2p_rlp_iter_expect(&it, &val))) return rc; /* incomplete pair */
        if (prev_key && key_cmp(prev_key, prev_len, key.payload, key.payload_len) >= 0)
            return ETHP2P_ERECORD_KEYS;
        prev_key = key.payload;
        prev_len = key.payload_len;
        if ((rc = append_pair(r, key.payload, key.payload_len, val.raw, val.raw_len))) return rc;
    }
    return 0;
}

/* Writes [seq, k1, v1, ...] (content) or [sig, seq, k1, v1, ...] (record). */
static int encode_list(const ethp2p_enr *r, int with_signature, ethp2p_rlp_writer *w)
{
    ethp2p_rlp_list_begin(w);
    if (with_signature) ethp2p_rlp_put_bytes(w, r->signature, r->signature_len);
    ethp2p_rlp_put_uint(w, r->seq);
    for (size_t i = 0; i < r->npairs; i++) {
        const ethp2p_enr_pair *p = &r->pairs[i];
        ethp2p_rlp_put_bytes(w, r->kv + p->key_off, p->key_len);
        ethp2p_rlp_put_raw(w, r->kv + p->val_off, p->val_len);
    }
    return ethp2p_rlp_list_end(w);
}

int ethp2p_enr_signing_hash(const ethp2p_enr *r, uint8_t hash[32])
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *enc;
    size_t len;
    int rc = encode_list(r, 0, &w);
    if (!rc) rc = ethp2p_rlp_writer_finish(&w, &enc, &len);
    if (!rc) ethp2p_keccak256(enc, len, hash);
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

int ethp2p_enr_encode(const ethp2p_enr *r, uint8_t *out, size_t cap, size_t *len)
{
    if (r->signature_len == 0) return ETHP2P_ESIG;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *enc;
    size_t n;
    int rc = encode_list(r, 1, &w);
    if (!rc) rc = ethp2p_rlp_writer_finish(&w, &enc, &n);
    if (!rc && n > ETHP2P_ENR_MAX_SIZE) rc = ETHP2P_ERECORD_SIZE;
    if (!rc && n > cap) rc = ETHP2P_ENOSPACE;
    if (!rc) {
        memcpy(out, enc, n);
        *len = n;
    }
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

static int find_key(const ethp2p_enr *r, const char *key)
{
    size_t klen = strlen(key);
    for (size_t i = 0; i < r->npairs; i++) {
        const ethp2p_enr_pair *p = &r->pairs[i];
        if (p->key_len == klen && memcmp(r->kv + p->key_off, key, klen) == 0) return (int)i;
    }
    return -1;
}

/* Rebuilds the pairs without index `skip` and with (key, value) inserted in order. */
static int rebuild(ethp2p_enr *r, int skip, const char *key, const uint8_t *val, size_t vlen)
{
    ethp2p_enr tmp;
    ethp2p_enr_init(&tmp);
    tmp.seq = r->seq;
    size_t klen = key ? strlen(key) : 0;
    int inserted = key == NULL;
    for (size_t i = 0; i < r->npairs; i++) {
        const ethp2p_enr_pair *p = &r->pairs[i];
        if ((int)i == skip) continue;
        if (!inserted && key_cmp((const uint8_t *)key, klen, r->kv + p->key_off, p->key_len) < 0) {
            if (append_pair(&tmp, (const uint8_t *)key, klen, val, vlen)) return ETHP2P_ERECORD_SIZE;
            inserted = 1;
        }
        if (append_pair(&tmp, r->kv + p->key_off, p->key_len, r->kv + p->val_off, p->val_len))
            return ETHP2P_ERECORD_SIZE;
    }
    if (!inserted && append_pair(&tmp, (const uint8_t *)key, klen, val, vlen)) return ETHP2P_ERECORD_SIZE;
    /* Keys and values alone over the limit can never be signed. */
    if (tmp.kv_len > ETHP2P_ENR_MAX_SIZE) return ETHP2P_ERECORD_SIZE;
    r->npairs = tmp.npairs;
    memcpy(r->pairs, tmp.pairs, tmp.npairs * sizeof(tmp.pairs[0]));
    memcpy(r->kv, tmp.kv, tmp.kv_len);
    r->kv_len = tmp.kv_len;
    r->signature_len = 0;
    return 0;
}

int ethp2p_enr_set_raw(ethp2p_enr *r, const char *key, const uint8_t *value_rlp, size_t value_len)
{
    ethp2p_rlp_item item;
    if (!key || ethp2p_rlp_decode(value_rlp, value_len, &item) != 0) return ETHP2P_EINVAL;
    return rebuild(r, find_key(r, key), key, value_rlp, value_len);
}

int ethp2p_enr_remove(ethp2p_enr *r, const char *key)
{
    int i = find_key(r, key);
    if (i < 0) return ETHP2P_ENOTFOUND;
    return rebuild(r, i, NULL, NULL, 0);
}

/* Encodes a short byte string as RLP into out (len < 56). */
static size_t rlp_short_string(const uint8_t *data, size_t len, uint8_t *out)
{
    if (len == 1 && data[0] < 0x80) {
        out[0] = data[0];
        return 1;
    }
    out[0] = (uint8_t)(0x80 + len);
    memcpy(out + 1, data, len);
    return len + 1;
}

int ethp2p_enr_set_ip(ethp2p_enr *r, const ethp2p_ip *ip)
{
    uint8_t enc[17];
    if (ip->family == 4) return ethp2p_enr_set_raw(r, "ip", enc, rlp_short_string(ip->b, 4, enc));
    if (ip->family == 6) return ethp2p_enr_set_raw(r, "ip6", enc, rlp_short_string(ip->b, 16, enc));
    return ETHP2P_EINVAL;
}

int ethp2p_enr_set_port(ethp2p_enr *r, const char *key, uint16_t port)
{
    uint8_t be[2] = {(uint8_t)(port >> 8), (uint8_t)port}, enc[3];
    const uint8_t *p = be;
    size_t n = 2;
    while (n > 0 && *p == 0) { p++; n--; } /* canonical integer */
    return ethp2p_enr_set_raw(r, key, enc, rlp_short_string(p, n, enc));
}

int ethp2p_enr_get_raw(const ethp2p_enr *r, const char *key, const uint8_t **value, size_t *len)
{
    int i = find_key(r, key);
    if (i < 0) return ETHP2P_ENOTFOUND;
    *value = r->kv + r->pairs[i].val_off;
    *len = r->pairs[i].val_len;
    return 0;
}

/* Finds key and decodes its value as one RLP item. */
static int get_item(const ethp2p_enr *r, const char *key, ethp2p_rlp_item *item)
{
    const uint8_t *v;
    size_t n;
    int rc = ethp2p_enr_get_raw(r, key, &v, &n);
    if (rc) return rc;
    return ethp2p_rlp_decode(v, n, item) ? ETHP2P_ERECORD_FIELD : 0;
}

int ethp2p_enr_get_id_scheme(const ethp2p_enr *r, char *out, size_t cap)
{
    ethp2p_rlp_item item;
    int rc = get_item(r, "id", &item);
    if (rc) return rc;
    if (item.kind != ETHP2P_RLP_STRING || item.payload_len + 1 > cap) return ETHP2P_ERECORD_FIELD;
    memcpy(out, item.payload, item.payload_len);
    out[item.payload_len] = '\0';
    return 0;
}

int ethp2p_enr_get_ip(const ethp2p_enr *r, int family, ethp2p_ip *out)
{
    ethp2p_rlp_item item;
    size_t n = family == 4 ? 4 : 16;
    int rc = get_item(r, family == 4 ? "ip" : "ip6", &item);
    if (rc) return rc;
    memset(out, 0, sizeof(*out));
    if (ethp2p_rlp_get_fixed(&item, out->b, n)) return ETHP2P_ERECORD_FIELD;
    out->family = (uint8_t)(family == 4 ? 4 : 6);
    return 0;
}

int ethp2p_enr_get_port(const ethp2p_enr *r, const char *key, uint16_t *port)
{
    ethp2p_rlp_item item;
    int rc = get_item(r, key, &item);
    /* enr.md: tcp6/udp6 default to tcp/udp when absent. */
    if (rc == ETHP2P_ENOTFOUND && strcmp(key, "tcp6") == 0) rc = get_item(r, "tcp", &item);
    if (rc == ETHP2P_ENOTFOUND && strcmp(key, "udp6") == 0) rc = get_item(r, "udp", &item);
    if (rc) return rc;
    uint64_t v;
    if (ethp2p_rlp_get_uint(&item, UINT16_MAX, &v)) return ETHP2P_ERECORD_FIELD;
    *port = (uint16_t)v;
    return 0;
}

int ethp2p_enr_get_pubkey(const ethp2p_enr *r, ethp2p_pubkey *out)
{
    ethp2p_rlp_item item;
    uint8_t comp[ETHP2P_PUBKEY_COMPRESSED_SIZE];
    int rc = get_item(r, "secp256k1", &item);
    if (rc) return rc;
    if (ethp2p_rlp_get_fixed(&item, comp, sizeof(comp)) || ethp2p_pubkey_decompress(comp, out))
        return ETHP2P_ERECORD_FIELD;
    return 0;
}

int ethp2p_enr_node_id(const ethp2p_enr *r, ethp2p_node_id *out)
{
    ethp2p_pubkey pk;
    int rc = ethp2p_enr_get_pubkey(r, &pk);
    if (rc) return rc;
    ethp2p_node_id_from_pubkey(&pk, out);
    return 0;
}

int ethp2p_enr_verify(const ethp2p_enr *r)
{
    char scheme[16];
    if (ethp2p_enr_get_id_scheme(r, scheme, sizeof(scheme)) || strcmp(scheme, enr_scheme_v4) != 0)
        return ETHP2P_ERECORD_SCHEME;
    ethp2p_pubkey pk;
    if (ethp2p_enr_get_pubkey(r, &pk)) return ETHP2P_ERECORD_FIELD;
    if (r->signature_len != ETHP2P_SIG_COMPACT_SIZE) return ETHP2P_ESIG;
    uint8_t hash[32];
    int rc = ethp2p_enr_signing_hash(r, hash);
    if (rc) return rc;
    return ethp2p_verify_compact(&pk, hash, r->signature) ? ETHP2P_ESIG : 0;
}

int ethp2p_enr_sign(ethp2p_enr *r, const ethp2p_privkey *key)
{
    ethp2p_pubkey pk;
    uint8_t comp[ETHP2P_PUBKEY_COMPRESSED_SIZE], enc[ETHP2P_PUBKEY_COMPRESSED_SIZE + 1], hash[32];
    int rc = ethp2p_privkey_to_pubkey(key, &pk);
    if (!rc) rc = ethp2p_pubkey_compress(&pk, comp);
    if (!rc) rc = ethp2p_enr_set_raw(r, "id", enc, rlp_short_string((const uint8_t *)"v4", 2, enc));
    if (!rc) rc = ethp2p_enr_set_raw(r, "secp256k1", enc, rlp_short_string(comp, sizeof(comp), enc));
    if (!rc) rc = ethp2p_enr_signing_hash(r, hash);
    if (!rc) rc = ethp2p_sign_compact(key, hash, r->signature);
    if (rc) return rc;
    r->signature_len = ETHP2P_SIG_COMPACT_SIZE;
    uint8_t out[ETHP2P_ENR_MAX_SIZE];
    size_t n;
    rc = ethp2p_enr_encode(r, out, sizeof(out), &n);
    if (rc) r->signature_len = 0;
    return rc;
}

int ethp2p_enr_to_enode(const ethp2p_enr *r, ethp2p_enode *out)
{
    ethp2p_pubkey pk;
    int rc = ethp2p_enr_get_pubkey(r, &pk);
    if (rc) return rc;
    ethp2p_ip ip = {0};
    uint16_t tcp = 0, udp = 0;
    if (ethp2p_enr_get_ip(r, 4, &ip) == 0) {
        (void)!ethp2p_enr_get_port(r, "tcp", &tcp);
        (void)!ethp2p_enr_get_port(r, "udp", &udp);
    } else if (ethp2p_enr_get_ip(r, 6, &ip) == 0) {
        (void)!ethp2p_enr_get_port(r, "tcp6", &tcp);
        (void)!ethp2p_enr_get_port(r, "udp6", &udp);
    } else {
        memset(&ip, 0, sizeof(ip));
    }
    return ethp2p_enode_init(out, &pk, ip.family ? &ip : NULL, tcp, udp);
}

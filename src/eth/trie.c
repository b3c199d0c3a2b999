/*
 * Merkle-Patricia trie roots, built recursively from sorted pairs. Nodes:
 * leaf [hp(path, leaf), value]; extension [hp(path), child]; branch
 * [child x16, value]. A child is embedded when its RLP is under 32 bytes,
 * else referenced by its Keccak-256; the root is always hashed.
 */
#include "ethp2p/trie.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"

#include <stdlib.h>
#include <string.h>

const uint8_t ETHP2P_EMPTY_TRIE_ROOT[32] = {0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45,
                                            0xe6, 0x92, 0xc0, 0xf8, 0x6e, 0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c,
                                            0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21};
const uint8_t ETHP2P_EMPTY_OMMERS_HASH[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                              0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                              0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};

static int nibble(const ethp2p_trie_kv *kv, size_t i) { return i & 1 ? kv->key[i / 2] & 0x0f : kv->key[i / 2] >> 4; }
static size_t nibbles(const ethp2p_trie_kv *kv) { return kv->key_len * 2; }

static int cmp_kv(const void *a, const void *b)
{
    const ethp2p_trie_kv *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

/* Hex-prefix encoding of nibbles [from, to) of kv's key, with the leaf flag. */
static void put_hp(ethp2p_rlp_writer *w, const ethp2p_trie_kv *kv, size_t from, size_t to, int leaf)
{
    uint8_t buf[1 + 64 + 1];
    uint8_t *out = buf;
    size_t len = to - from, odd = len & 1;
    uint8_t *heap = NULL;
    if (len / 2 + 1 > sizeof(buf)) out = heap = malloc(len / 2 + 1);
    if (!out) return;
    out[0] = (uint8_t)(((leaf ? 2 : 0) + odd) << 4);
    size_t pos = from, o = 1;
    if (odd) out[0] |= (uint8_t)nibble(kv, pos++);
    for (; pos < to; pos += 2) out[o++] = (uint8_t)(nibble(kv, pos) << 4 | nibble(kv, pos + 1));
    ethp2p_rlp_put_bytes(w, out, o);
    free(heap);
}

/* Encodes the node for kv[0..n) below depth d into w (as one RLP item). */
static void encode_node(ethp2p_rlp_writer *w, ethp2p_trie_kv *kv, size_t n, size_t d);

/* Appends the reference to the node for kv[0..n) at depth d: inline if short, else its hash. */
static void put_child(ethp2p_rlp_writer *w, ethp2p_trie_kv *kv, size_t n, size_t d)
{
    if (n == 0) {
        ethp2p_rlp_put_bytes(w, NULL, 0);
        return;
    }
    ethp2p_rlp_writer sub;
    ethp2p_rlp_writer_init(&sub, 0);
    encode_node(&sub, kv, n, d);
    const uint8_t *enc;
    size_t len;
    if (ethp2p_rlp_writer_finish(&sub, &enc, &len) == 0) {
        if (len < 32) {
            ethp2p_rlp_put_raw(w, enc, len);
        } else {
            uint8_t h[32];
            ethp2p_keccak256(enc, len, h);
            ethp2p_rlp_put_bytes(w, h, 32);
        }
    } else {
        w->err = ETHP2P_ENOMEM;
    }
    ethp2p_rlp_writer_clear(&sub);
}

static void encode_node(ethp2p_rlp_writer *w, ethp2p_trie_kv *kv, size_t n, size_t d)
{
    if (n == 1) {
        ethp2p_rlp_list_begin(w);
        put_hp(w, &kv[0], d, nibbles(&kv[0]), 1);
        ethp2p_rlp_put_bytes(w, kv[0].value, kv[0].value_len);
        ethp2p_rlp_list_end(w);
        return;
    }
    /* Common prefix below d of all keys (sorted: of the first and the last). */
    size_t lcp = 0, maxp = nibbles(&kv[0]) < nibbles(&kv[n - 1]) ? nibbles(&kv[0]) : nibbles(&kv[n - 1]);
    while (d + lcp < maxp && nibble(&kv[0], d + lcp) == nibble(&kv[n - 1], d + lcp)) lcp++;
    if (lcp > 0) {
        ethp2p_rlp_list_begin(w);
        put_hp(w, &kv[0], d, d + lcp, 0);
        put_child(w, kv, n, d + lcp);
        ethp2p_rlp_list_end(w);
        return;
    }
    /* Branch: a key ending here is the branch's value (it sorts first). */
    ethp2p_rlp_list_begin(w);
    size_t i = 0;
    const ethp2p_trie_kv *value = NULL;
    if (nibbles(&kv[0]) == d) value = &kv[i++];
    for (int c = 0; c < 16; c++) {
        size_t j = i;
        while (j < n && nibble(&kv[j], d) == c) j++;
        put_child(w, kv + i, j - i, d + 1);
        i = j;
    }
    ethp2p_rlp_put_bytes(w, value ? value->value : NULL, value ? value->value_len : 0);
    ethp2p_rlp_list_end(w);
}

int ethp2p_trie_root(ethp2p_trie_kv *kv, size_t n, uint8_t root[32])
{
    /* Drop empty values (absent keys). */
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (kv[i].value_len) kv[m++] = kv[i];
    if (m == 0) {
        memcpy(root, ETHP2P_EMPTY_TRIE_ROOT, 32);
        return 0;
    }
    qsort(kv, m, sizeof(*kv), cmp_kv);
    for (size_t i = 1; i < m; i++)
        if (cmp_kv(&kv[i - 1], &kv[i]) == 0) return ETHP2P_EINVAL;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    encode_node(&w, kv, m, 0);
    const uint8_t *enc;
    size_t len;
    int rc = ethp2p_rlp_writer_finish(&w, &enc, &len);
    if (!rc) ethp2p_keccak256(enc, len, root);
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

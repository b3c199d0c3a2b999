/* The relay's transaction pool: a hash map and an age-ordered list; see txpool.h. */
#include "ethp2p/txpool.h"
#include "base/hmap.h"

#include <stdlib.h>
#include <string.h>

struct ethp2p_txpool {
    hmap map;
    ethp2p_pooled_tx *oldest, *newest;
    size_t count, bytes, max_count, max_bytes;
    uint64_t evicted;
};

ethp2p_txpool *ethp2p_txpool_new(size_t max_count, size_t max_bytes)
{
    ethp2p_txpool *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->max_count = max_count ? max_count : ETHP2P_TXPOOL_DEFAULT_MAX;
    p->max_bytes = max_bytes ? max_bytes : ETHP2P_TXPOOL_DEFAULT_BYTES;
    return p;
}

static void unlink_tx(ethp2p_txpool *p, ethp2p_pooled_tx *t)
{
    if (t->older) t->older->newer = t->newer;
    else p->oldest = t->newer;
    if (t->newer) t->newer->older = t->older;
    else p->newest = t->older;
    (void)hmap_del(&p->map, hmap_key(t->hash));
    p->count--;
    p->bytes -= t->elem_len;
    free(t); /* the element lives in the same block */
}

void ethp2p_txpool_free(ethp2p_txpool *p)
{
    if (!p) return;
    while (p->oldest) unlink_tx(p, p->oldest);
    hmap_clear(&p->map);
    free(p);
}

/* Bytes of the list-element form: a legacy list as is, a typed transaction as an RLP string. */
static size_t element_len(const ethp2p_tx *tx)
{
    return tx->elem ? tx->elem_len : ethp2p_rlp_header_size(tx->binary_len) + tx->binary_len;
}

static void write_element(const ethp2p_tx *tx, uint8_t *e)
{
    if (tx->elem) {
        memcpy(e, tx->elem, tx->elem_len);
        return;
    }
    size_t h = ethp2p_rlp_header_size(tx->binary_len);
    /* String header: short form below 56 bytes, else 0xb7 + length-of-length. */
    if (tx->binary_len < 56) {
        e[0] = (uint8_t)(0x80 + tx->binary_len);
    } else {
        e[0] = (uint8_t)(0xb7 + h - 1);
        for (size_t i = 1, v = tx->binary_len; i < h; i++) e[h - i] = (uint8_t)(v & 0xff), v >>= 8;
    }
    memcpy(e + h, tx->binary, tx->binary_len);
}

int ethp2p_txpool_add(ethp2p_txpool *p, const ethp2p_tx *tx, uint64_t now_ms)
{
    if (hmap_get(&p->map, hmap_key(tx->hash))) return 0;
    /* One block: the entry, then its element (one allocation per pooled transaction). */
    size_t elen = element_len(tx);
    ethp2p_pooled_tx *t = malloc(sizeof(*t) + elen);
    if (!t) return ETHP2P_ENOMEM;
    memset(t, 0, sizeof(*t));
    t->elem = (uint8_t *)(t + 1);
    t->elem_len = elen;
    write_element(tx, t->elem);
    if (hmap_put(&p->map, hmap_key(tx->hash), t)) {
        free(t);
        return ETHP2P_ENOMEM;
    }
    memcpy(t->hash, tx->hash, 32);
    memcpy(t->sender, tx->sender, 20);
    t->type = tx->type;
    t->size = (uint32_t)tx->size;
    t->nonce = tx->nonce;
    t->added_ms = now_ms;
    t->older = p->newest;
    if (p->newest) p->newest->newer = t;
    else p->oldest = t;
    p->newest = t;
    p->count++;
    p->bytes += t->elem_len;
    while ((p->count > p->max_count || p->bytes > p->max_bytes) && p->oldest != t) {
        unlink_tx(p, p->oldest);
        p->evicted++;
    }
    return 1;
}

const ethp2p_pooled_tx *ethp2p_txpool_get(const ethp2p_txpool *p, const uint8_t hash[32])
{
    const ethp2p_pooled_tx *t = hmap_get(&p->map, hmap_key(hash));
    return t && memcmp(t->hash, hash, 32) == 0 ? t : NULL;
}

void ethp2p_txpool_prefetch(const ethp2p_txpool *p, const uint8_t hash[32], int stage)
{
    if (stage == 0) hmap_prefetch(&p->map, hmap_key(hash));
    else hmap_prefetch_value(&p->map, hmap_key(hash));
}

size_t ethp2p_txpool_len(const ethp2p_txpool *p) { return p->count; }
size_t ethp2p_txpool_bytes(const ethp2p_txpool *p) { return p->bytes; }
uint64_t ethp2p_txpool_evicted(const ethp2p_txpool *p) { return p->evicted; }
const ethp2p_pooled_tx *ethp2p_txpool_newest(const ethp2p_txpool *p) { return p->newest; }

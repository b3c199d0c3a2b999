/* Blocks and the in-memory chain; see chain.h for what "valid" means here. */
#include "ethp2p/chain.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"
#include "hmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct stored {
    ethp2p_header h;
    uint8_t *header, *body;
    size_t header_len, body_len;
    uint8_t td[32];
} stored;

/*
 * Genesis is kept for good; after it, a window of the most recent blocks:
 * blocks[i] holds number base + i. Blocks cost no proof of work here (seals
 * are not checked), so what a peer can make us store must be bounded: past
 * max_blocks or max_bytes the oldest blocks are forgotten, in batches so that
 * the array moves rarely.
 */
struct ethp2p_chain {
    stored genesis;
    stored *blocks;
    uint64_t base;
    size_t n, cap;
    size_t bytes;   /* header and body bytes in the window */
    size_t max_blocks, max_bytes;
    hmap by_hash;   /* hash key -> number + 1 */
};

/* The stored block with this number, or NULL (never stored, or forgotten). */
static const stored *at(const ethp2p_chain *c, uint64_t number)
{
    if (number == 0) return &c->genesis;
    if (number < c->base || number - c->base >= c->n) return NULL;
    return &c->blocks[number - c->base];
}

static const stored *head_of(const ethp2p_chain *c) { return c->n ? &c->blocks[c->n - 1] : &c->genesis; }

const char *ethp2p_chain_error_name(int err)
{
    switch (err) {
    case ETHP2P_CHAIN_EROOT: return "transactions root or ommers hash does not match the body";
    case ETHP2P_CHAIN_ENOTCHILD: return "not a child of the head";
    case ETHP2P_CHAIN_ETIME: return "timestamp not after the parent's";
    default: return ethp2p_strerror(err);
    }
}

int ethp2p_header_decode(const uint8_t *rlp, size_t len, ethp2p_header *out)
{
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    memset(out, 0, sizeof(*out));
    int rc = ethp2p_rlp_decode(rlp, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    for (int i = 0; !rc && i < 15; i++) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        switch (i) {
        case 0: rc = ethp2p_rlp_get_fixed(&x, out->parent, 32); break;
        case 1: rc = ethp2p_rlp_get_fixed(&x, out->ommers_hash, 32); break;
        case 4: rc = ethp2p_rlp_get_fixed(&x, out->tx_root, 32); break;
        case 7: rc = ethp2p_rlp_get_uint_be(&x, out->difficulty, 32); break;
        case 8: rc = ethp2p_rlp_get_uint64(&x, &out->number); break;
        case 11: rc = ethp2p_rlp_get_uint64(&x, &out->time); break;
        default: rc = x.kind == ETHP2P_RLP_STRING ? 0 : ETHP2P_ERLP_EXPECTED_STRING; break;
        }
    }
    if (!rc) ethp2p_keccak256(top.raw, top.raw_len, out->hash);
    return rc;
}

/* The transactions root: a trie keyed by rlp(index) holding each transaction's binary form. */
static int tx_root(const ethp2p_rlp_item *txs, size_t *count, uint8_t root[32])
{
    long n = ethp2p_rlp_list_count(txs);
    if (n < 0) return (int)n;
    /* A signed transaction is longer than its 64-byte signature: more items than that allows
     * is not a block, and must not make us allocate per item (41 bytes each) first. */
    if ((size_t)n > txs->payload_len / 64) return ETHP2P_EFORMAT;
    ethp2p_trie_kv *kv = calloc((size_t)n + 1, sizeof(*kv));
    uint8_t(*keys)[9] = calloc((size_t)n + 1, 9);
    if (!kv || !keys) {
        free(kv);
        free(keys);
        return ETHP2P_ENOMEM;
    }
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    int rc = ethp2p_rlp_iter_list(txs, &it);
    for (long i = 0; !rc && i < n; i++) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        /* rlp(i): 0x80 for 0, the byte itself below 0x80, else 0x80+len || big-endian. */
        uint8_t *k = keys[i];
        size_t kl;
        if (i == 0) k[0] = 0x80, kl = 1;
        else if (i < 0x80) k[0] = (uint8_t)i, kl = 1;
        else {
            uint8_t be[8];
            int nb = 0;
            for (uint64_t v = (uint64_t)i; v; v >>= 8) be[nb++] = (uint8_t)v;
            k[0] = (uint8_t)(0x80 + nb);
            for (int j = 0; j < nb; j++) k[1 + j] = be[nb - 1 - j];
            kl = (size_t)nb + 1;
        }
        kv[i].key = k;
        kv[i].key_len = kl;
        if (x.kind == ETHP2P_RLP_LIST) kv[i].value = x.raw, kv[i].value_len = x.raw_len;
        else kv[i].value = x.payload, kv[i].value_len = x.payload_len;
        if (!kv[i].value_len) rc = ETHP2P_EFORMAT;
    }
    if (!rc) rc = ethp2p_trie_root(kv, (size_t)n, root);
    *count = (size_t)n;
    free(kv);
    free(keys);
    return rc;
}

int ethp2p_block_decode(const uint8_t *rlp, size_t len, ethp2p_block *out)
{
    ethp2p_rlp_item top, h, txs, ommers;
    ethp2p_rlp_iter it;
    memset(out, 0, sizeof(*out));
    int rc = ethp2p_rlp_decode(rlp, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &h);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &txs);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &ommers);
    if (!rc && (txs.kind != ETHP2P_RLP_LIST || ommers.kind != ETHP2P_RLP_LIST)) rc = ETHP2P_ERLP_EXPECTED_LIST;
    if (!rc) rc = ethp2p_header_decode(h.raw, h.raw_len, &out->header);
    if (rc) return rc;
    uint8_t root[32], oh[32];
    if ((rc = tx_root(&txs, &out->ntxs, root))) return rc;
    ethp2p_keccak256(ommers.raw, ommers.raw_len, oh);
    if (memcmp(root, out->header.tx_root, 32) || memcmp(oh, out->header.ommers_hash, 32)) return ETHP2P_CHAIN_EROOT;
    out->header_rlp = h.raw;
    out->header_len = h.raw_len;
    out->body_txs = txs.raw;
    out->txs_len = txs.raw_len;
    out->body_ommers = ommers.raw;
    out->ommers_len = ommers.raw_len;
    return 0;
}

static void add256(uint8_t a[32], const uint8_t b[32])
{
    unsigned carry = 0;
    for (int i = 31; i >= 0; i--) {
        unsigned s = a[i] + b[i] + carry;
        a[i] = (uint8_t)s;
        carry = s >> 8;
    }
}

static void forget(ethp2p_chain *c, stored *s)
{
    (void)hmap_del(&c->by_hash, hmap_key(s->h.hash));
    c->bytes -= s->header_len + s->body_len;
    free(s->header);
    free(s->body);
}

/* Keeps the window within its limits: past max_blocks it shrinks to 7/8 of
 * it (one move per max_blocks/8 blocks); past max_bytes, to under it. The
 * head always stays. */
static void prune(ethp2p_chain *c)
{
    if (c->n < 2) return;
    size_t drop = 0;
    if (c->n > c->max_blocks) drop = c->n - (c->max_blocks - c->max_blocks / 8);
    size_t bytes = c->bytes;
    for (size_t i = 0; i < drop; i++) bytes -= c->blocks[i].header_len + c->blocks[i].body_len;
    while (bytes > c->max_bytes && drop + 1 < c->n) {
        bytes -= c->blocks[drop].header_len + c->blocks[drop].body_len;
        drop++;
    }
    if (drop >= c->n) drop = c->n - 1;
    if (!drop) return;
    for (size_t i = 0; i < drop; i++) forget(c, &c->blocks[i]);
    memmove(c->blocks, c->blocks + drop, (c->n - drop) * sizeof(*c->blocks));
    c->n -= drop;
    c->base += drop;
}

void ethp2p_chain_set_limits(ethp2p_chain *c, size_t max_blocks, size_t max_bytes)
{
    c->max_blocks = max_blocks ? max_blocks : 1;
    c->max_bytes = max_bytes;
    prune(c);
}

static int append(ethp2p_chain *c, const ethp2p_header *h, const uint8_t *hdr, size_t hl, const uint8_t *body, size_t bl)
{
    stored *s = &c->genesis;
    if (h->number != 0) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 64;
            stored *v = realloc(c->blocks, cap * sizeof(*v));
            if (!v) return ETHP2P_ENOMEM;
            c->blocks = v;
            c->cap = cap;
        }
        s = &c->blocks[c->n];
    }
    const stored *parent = h->number ? head_of(c) : NULL;
    memset(s, 0, sizeof(*s));
    s->h = *h;
    s->header = malloc(hl);
    s->body = malloc(bl);
    if (!s->header || !s->body || hmap_put(&c->by_hash, hmap_key(h->hash), (void *)(uintptr_t)(h->number + 1))) {
        free(s->header);
        free(s->body);
        s->header = s->body = NULL;
        return ETHP2P_ENOMEM;
    }
    memcpy(s->header, hdr, hl);
    memcpy(s->body, body, bl);
    s->header_len = hl;
    s->body_len = bl;
    memcpy(s->td, h->difficulty, 32);
    if (parent) {
        add256(s->td, parent->td);
        c->n++;
        c->bytes += hl + bl;
        prune(c);
    }
    return 0;
}

ethp2p_chain *ethp2p_chain_new(const uint8_t *genesis_header, size_t len)
{
    ethp2p_header h;
    if (ethp2p_header_decode(genesis_header, len, &h)) return NULL;
    if (h.number != 0) return NULL;
    ethp2p_chain *c = calloc(1, sizeof(*c));
    if (c) {
        c->base = 1;
        c->max_blocks = ETHP2P_CHAIN_DEFAULT_MAX_BLOCKS;
        c->max_bytes = ETHP2P_CHAIN_DEFAULT_MAX_BYTES;
    }
    static const uint8_t body[3] = {0xc2, 0xc0, 0xc0}; /* [[], []] */
    if (!c || append(c, &h, genesis_header, len, body, sizeof(body))) {
        ethp2p_chain_free(c);
        return NULL;
    }
    return c;
}

void ethp2p_chain_free(ethp2p_chain *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->blocks[i].header);
        free(c->blocks[i].body);
    }
    free(c->genesis.header);
    free(c->genesis.body);
    free(c->blocks);
    hmap_clear(&c->by_hash);
    free(c);
}

int64_t ethp2p_chain_number_of(const ethp2p_chain *c, const uint8_t hash[32])
{
    uintptr_t v = (uintptr_t)hmap_get(&c->by_hash, hmap_key(hash));
    const stored *s = v ? at(c, v - 1) : NULL;
    if (!s || memcmp(s->h.hash, hash, 32)) return -1;
    return (int64_t)v - 1;
}

int ethp2p_chain_has(const ethp2p_chain *c, const uint8_t hash[32]) { return ethp2p_chain_number_of(c, hash) >= 0; }

int ethp2p_chain_insert(ethp2p_chain *c, const uint8_t *rlp, size_t len, ethp2p_header *out)
{
    ethp2p_block b;
    int rc = ethp2p_block_decode(rlp, len, &b);
    if (rc) return rc;
    if (out) *out = b.header;
    if (ethp2p_chain_has(c, b.header.hash)) return 0;
    const ethp2p_header *head = &head_of(c)->h;
    if (memcmp(b.header.parent, head->hash, 32) || b.header.number != head->number + 1) return ETHP2P_CHAIN_ENOTCHILD;
    if (b.header.time <= head->time) return ETHP2P_CHAIN_ETIME;
    /* The body as stored and served: [txs, ommers]. */
    size_t inner = b.txs_len + b.ommers_len, hl = ethp2p_rlp_header_size(inner);
    uint8_t *body = malloc(hl + inner);
    if (!body) return ETHP2P_ENOMEM;
    if (inner < 56) {
        body[0] = (uint8_t)(0xc0 + inner);
    } else {
        body[0] = (uint8_t)(0xf7 + hl - 1);
        for (size_t i = 1, v = inner; i < hl; i++) body[hl - i] = (uint8_t)(v & 0xff), v >>= 8;
    }
    memcpy(body + hl, b.body_txs, b.txs_len);
    memcpy(body + hl + b.txs_len, b.body_ommers, b.ommers_len);
    rc = append(c, &b.header, b.header_rlp, b.header_len, body, hl + inner);
    free(body);
    return rc ? rc : 1;
}

const ethp2p_header *ethp2p_chain_head(const ethp2p_chain *c) { return &head_of(c)->h; }
void ethp2p_chain_td(const ethp2p_chain *c, uint8_t td[32]) { memcpy(td, head_of(c)->td, 32); }
uint64_t ethp2p_chain_oldest(const ethp2p_chain *c) { return c->n ? c->base : 0; }

const uint8_t *ethp2p_chain_header_rlp(const ethp2p_chain *c, uint64_t number, size_t *len)
{
    const stored *s = at(c, number);
    if (!s) return NULL;
    *len = s->header_len;
    return s->header;
}

const uint8_t *ethp2p_chain_body_rlp(const ethp2p_chain *c, uint64_t number, size_t *len)
{
    const stored *s = at(c, number);
    if (!s) return NULL;
    *len = s->body_len;
    return s->body;
}

int ethp2p_chain_block_rlp(const ethp2p_chain *c, uint64_t number, ethp2p_rlp_writer *w)
{
    const stored *s = at(c, number);
    if (!s) return ETHP2P_ENOTFOUND;
    ethp2p_rlp_item body;
    if (ethp2p_rlp_decode(s->body, s->body_len, &body)) return ETHP2P_EFORMAT;
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_raw(w, s->header, s->header_len);
    ethp2p_rlp_put_raw(w, body.payload, body.payload_len);
    return ethp2p_rlp_list_end(w);
}

size_t ethp2p_chain_serve_headers(const ethp2p_chain *c, const uint8_t *origin_hash, uint64_t origin_number,
                                  uint64_t amount, uint64_t skip, int reverse, ethp2p_rlp_writer *w)
{
    int64_t origin = origin_hash ? ethp2p_chain_number_of(c, origin_hash) : (int64_t)origin_number;
    if (origin < 0) return 0;
    if (amount > ETHP2P_CHAIN_MAX_HEADERS) amount = ETHP2P_CHAIN_MAX_HEADERS;
    size_t count = 0, bytes = 0;
    uint64_t n = (uint64_t)origin;
    const stored *s;
    /* Stops at the first number not held (past the head, or forgotten): answers are contiguous. */
    while (count < amount && (s = at(c, n)) && bytes < ETHP2P_CHAIN_SERVE_BYTES) {
        ethp2p_rlp_put_raw(w, s->header, s->header_len);
        bytes += s->header_len;
        count++;
        if (reverse) {
            if (n < skip + 1) break;
            n -= skip + 1;
        } else {
            if (skip >= UINT64_MAX - n) break;
            n += skip + 1;
        }
    }
    return count;
}

int ethp2p_chain_import_file(ethp2p_chain *c, const char *path, size_t *imported, char *err, size_t cap)
{
    *imported = 0;
    ethp2p_buffer file;
    ethp2p_buffer_init(&file, 0);
    int rc = ethp2p_buffer_read_file(&file, path, 0);
    if (rc) {
        snprintf(err, cap, "cannot read %s: %s", path, ethp2p_strerror(rc));
        ethp2p_buffer_clear(&file);
        return rc;
    }
    const uint8_t *buf = file.data;
    size_t len = file.len;
    size_t pos = 0;
    while (pos < len) {
        ethp2p_rlp_item item;
        size_t rest;
        if ((rc = ethp2p_rlp_decode_prefix(buf + pos, len - pos, &item, &rest))) {
            snprintf(err, cap, "block at offset %zu: %s", pos, ethp2p_strerror(rc));
            break;
        }
        ethp2p_header h;
        memset(&h, 0, sizeof(h));
        rc = ethp2p_chain_insert(c, item.raw, item.raw_len, &h);
        if (rc < 0 && !(h.number == 0 && ethp2p_chain_has(c, h.hash))) {
            snprintf(err, cap, "block %llu: %s", (unsigned long long)h.number, ethp2p_chain_error_name(rc));
            break;
        }
        if (rc == 1) (*imported)++;
        rc = 0;
        pos += item.raw_len;
    }
    ethp2p_buffer_clear(&file);
    return rc;
}

int ethp2p_chain_make_child(const ethp2p_chain *c, const uint8_t *const *txs, const size_t *lens, size_t n,
                            ethp2p_rlp_writer *w)
{
    static const uint8_t ommers_hash[32] = {0x1d, 0xcc, 0x4d, 0xe8, 0xde, 0xc7, 0x5d, 0x7a, 0xab, 0x85, 0xb5,
                                            0x67, 0xb6, 0xcc, 0xd4, 0x1a, 0xd3, 0x12, 0x45, 0x1b, 0x94, 0x8a,
                                            0x74, 0x13, 0xf0, 0xa1, 0x42, 0xfd, 0x40, 0xd4, 0x93, 0x47};
    const ethp2p_header *head = ethp2p_chain_head(c);
    /* The transactions list as it goes in the body: typed ones as strings, legacy as lists. */
    ethp2p_rlp_writer body;
    ethp2p_rlp_writer_init(&body, 0);
    ethp2p_rlp_list_begin(&body);
    for (size_t i = 0; i < n; i++) {
        if (lens[i] && txs[i][0] >= 0xc0) ethp2p_rlp_put_raw(&body, txs[i], lens[i]);
        else ethp2p_rlp_put_bytes(&body, txs[i], lens[i]);
    }
    ethp2p_rlp_list_end(&body);
    const uint8_t *tl;
    size_t tlen, count;
    ethp2p_rlp_item txlist;
    uint8_t root[32], zero[256] = {0};
    int rc = ethp2p_rlp_writer_finish(&body, &tl, &tlen);
    if (!rc) rc = ethp2p_rlp_decode(tl, tlen, &txlist);
    if (!rc) rc = tx_root(&txlist, &count, root);
    if (rc) {
        ethp2p_rlp_writer_clear(&body);
        return rc;
    }
    uint8_t diff[32] = {0};
    diff[29] = 0x02; /* 131,072: the reference's default genesis difficulty */
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, head->hash, 32);
    ethp2p_rlp_put_bytes(w, ommers_hash, 32);
    ethp2p_rlp_put_bytes(w, zero, 20);                   /* coinbase */
    ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* state root: not tracked by a relay */
    ethp2p_rlp_put_bytes(w, root, 32);
    ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* receipts */
    ethp2p_rlp_put_bytes(w, zero, 256);
    ethp2p_rlp_put_uint_be(w, diff, 32);
    ethp2p_rlp_put_uint(w, head->number + 1);
    ethp2p_rlp_put_uint(w, 30000000);
    ethp2p_rlp_put_uint(w, 21000 * (uint64_t)n);
    ethp2p_rlp_put_uint(w, head->time + 12);
    ethp2p_rlp_put_str(w, "ethp2p");
    ethp2p_rlp_put_bytes(w, zero, 32); /* mix hash */
    ethp2p_rlp_put_bytes(w, zero, 8);  /* nonce */
    ethp2p_rlp_put_uint(w, 1000000000); /* base fee (London) */
    ethp2p_rlp_list_end(w);
    ethp2p_rlp_put_raw(w, tl, tlen);
    ethp2p_rlp_list_begin(w); /* no ommers */
    ethp2p_rlp_list_end(w);
    rc = ethp2p_rlp_list_end(w);
    ethp2p_rlp_writer_clear(&body);
    return rc;
}

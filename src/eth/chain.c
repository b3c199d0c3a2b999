/*
 * The in-memory chain; see chain.h for what "valid" means here. Decoding is
 * block.c's, the header rules header_rules.c's.
 */
#include "ethp2p/chain.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"
#include "base/hmap.h"

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
    int has_config;
    ethp2p_chain_config config; /* the fork schedule blocks are verified against */
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
    case ETHP2P_CHAIN_EWITHDRAWALS: return "withdrawals missing, unexpected or not matching the header's root";
    case ETHP2P_CHAIN_EEXTRA: return "extra data over 32 bytes";
    case ETHP2P_CHAIN_EGASUSED: return "gas used over the gas limit";
    case ETHP2P_CHAIN_EGASLIMIT: return "gas limit out of bounds (parent/1024, at least 5000)";
    case ETHP2P_CHAIN_EBASEFEE: return "base fee missing or not the EIP-1559 value";
    case ETHP2P_CHAIN_EMERGED: return "difficulty, nonce or ommers wrong for its side of the merge";
    case ETHP2P_CHAIN_EFIELDS: return "Cancun or Prague header fields not matching the fork schedule";
    default: return ethp2p_strerror(err);
    }
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
    if (rc) {
        /* Still tell the caller which block it was, when its header decodes. */
        ethp2p_rlp_item top, h;
        ethp2p_rlp_iter it;
        if (out && ethp2p_rlp_decode(rlp, len, &top) == 0 && ethp2p_rlp_iter_list(&top, &it) == 0 &&
            ethp2p_rlp_iter_expect(&it, &h) == 0 && ethp2p_header_decode(h.raw, h.raw_len, out) != 0)
            memset(out, 0, sizeof(*out));
        return rc;
    }
    if (out) *out = b.header;
    if (ethp2p_chain_has(c, b.header.hash)) return 0;
    const stored *head = head_of(c);
    if ((rc = ethp2p_header_verify(c->has_config ? &c->config : NULL, &head->h, head->td, &b.header))) return rc;
    /* The body as stored and served: [txs, ommers, withdrawals?, ...] as received. */
    size_t inner = b.body_items_len, hl = ethp2p_rlp_header_size(inner);
    uint8_t *body = malloc(hl + inner);
    if (!body) return ETHP2P_ENOMEM;
    if (inner < 56) {
        body[0] = (uint8_t)(0xc0 + inner);
    } else {
        body[0] = (uint8_t)(0xf7 + hl - 1);
        for (size_t i = 1, v = inner; i < hl; i++) body[hl - i] = (uint8_t)(v & 0xff), v >>= 8;
    }
    memcpy(body + hl, b.body_items, inner);
    rc = append(c, &b.header, b.header_rlp, b.header_len, body, hl + inner);
    free(body);
    return rc ? rc : 1;
}

void ethp2p_chain_set_config(ethp2p_chain *c, const ethp2p_chain_config *cfg)
{
    c->has_config = cfg != NULL;
    if (cfg) c->config = *cfg;
}

int ethp2p_chain_merged(const ethp2p_chain *c)
{
    const stored *head = head_of(c);
    return c->has_config && ethp2p_chain_config_merged(&c->config, head->td, head->h.time);
}

const ethp2p_header *ethp2p_chain_header(const ethp2p_chain *c, uint64_t number)
{
    const stored *s = at(c, number);
    return s ? &s->h : NULL;
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
    if (!rc) rc = ethp2p_list_root(&txlist, 1, &count, root);
    /* Which fields and rules the child's number and time call for. */
    const ethp2p_chain_config *cfg = c->has_config ? &c->config : NULL;
    uint64_t number = head->number + 1, time = head->time + 12;
    int london = cfg ? cfg->has_london && number >= cfg->london_block : head->has_base_fee;
    int merged = cfg && ethp2p_chain_config_merged(cfg, head_of(c)->td, time);
    int shanghai = cfg ? cfg->has_shanghai && time >= cfg->shanghai_time : head->has_withdrawals;
    int cancun = cfg ? cfg->has_cancun && time >= cfg->cancun_time : head->has_blob_gas;
    int prague = cfg ? cancun && cfg->has_prague && time >= cfg->prague_time : head->nfields > 20;
    uint64_t base_fee = ETHP2P_CHAIN_INITIAL_BASE_FEE;
    if (!rc && london && head->has_base_fee && ethp2p_header_next_base_fee(head, &base_fee)) rc = ETHP2P_EINVAL;
    if (rc) {
        ethp2p_rlp_writer_clear(&body);
        return rc;
    }
    uint8_t diff[32] = {0};
    if (!merged) diff[29] = 0x02; /* 131,072: the reference's default genesis difficulty */
    /* sha256 of nothing: the requests hash of a block without requests (EIP-7685). */
    static const uint8_t no_requests[32] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
                                            0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
                                            0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, head->hash, 32);
    ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_OMMERS_HASH, 32);
    ethp2p_rlp_put_bytes(w, zero, 20);                   /* coinbase */
    ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* state root: not tracked by a relay */
    ethp2p_rlp_put_bytes(w, root, 32);
    ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* receipts */
    ethp2p_rlp_put_bytes(w, zero, 256);
    ethp2p_rlp_put_uint_be(w, diff, 32);
    ethp2p_rlp_put_uint(w, number);
    ethp2p_rlp_put_uint(w, head->gas_limit);
    ethp2p_rlp_put_uint(w, 21000 * (uint64_t)n);
    ethp2p_rlp_put_uint(w, time);
    ethp2p_rlp_put_str(w, "ethp2p");
    ethp2p_rlp_put_bytes(w, zero, 32); /* mix hash */
    ethp2p_rlp_put_bytes(w, zero, 8);  /* nonce */
    if (london) ethp2p_rlp_put_uint(w, base_fee);
    if (shanghai) ethp2p_rlp_put_bytes(w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* no withdrawals */
    if (cancun) {
        ethp2p_rlp_put_uint(w, 0);         /* blob gas used */
        ethp2p_rlp_put_uint(w, 0);         /* excess blob gas: not checked here */
        ethp2p_rlp_put_bytes(w, zero, 32); /* parent beacon block root */
    }
    if (prague) ethp2p_rlp_put_bytes(w, no_requests, 32);
    ethp2p_rlp_list_end(w);
    ethp2p_rlp_put_raw(w, tl, tlen);
    ethp2p_rlp_list_begin(w); /* no ommers */
    ethp2p_rlp_list_end(w);
    if (shanghai) {
        ethp2p_rlp_list_begin(w); /* no withdrawals */
        ethp2p_rlp_list_end(w);
    }
    rc = ethp2p_rlp_list_end(w);
    ethp2p_rlp_writer_clear(&body);
    return rc;
}

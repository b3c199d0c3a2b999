/*
 * The eth handler: Status handshakes, the peer set, transaction broadcast
 * and announcement (reading Transactions messages is in txrecv.c, fetching
 * announced transactions in txfetch.c, blocks in blocks.c). See eth_handler.h for the rules and limits.
 */
#include "ethp2p/eth_handler.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"
#include "handler_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MOD "eth"
#define RETRY_BUSY_MS 50

static void leave(ethp2p_eth *e);

/* ---- hash queues ---- */

static void hashq_push(ethp2p_eth *e, hashq *q, const uint8_t h[32])
{
    if (q->len == q->cap) {
        if (q->cap == ETHP2P_ETH_MAX_QUEUED) {
            q->head = (q->head + 1) % q->cap; /* drop the oldest */
            q->len--;
            e->stats.queue_drops++;
        } else {
            size_t cap = q->cap ? q->cap * 2 : 64;
            uint8_t(*n)[32] = malloc(cap * 32);
            if (!n) return;
            for (size_t i = 0; i < q->len; i++) memcpy(n[i], q->h[(q->head + i) % q->cap], 32);
            free(q->h);
            q->h = n;
            q->head = 0;
            q->cap = cap;
        }
    }
    memcpy(q->h[(q->head + q->len) % q->cap], h, 32);
    q->len++;
}

static const uint8_t *hashq_at(const hashq *q, size_t i) { return q->h[(q->head + i) % q->cap]; }
static void hashq_clear(hashq *q)
{
    free(q->h);
    memset(q, 0, sizeof(*q));
}
/* Drops the n oldest. A queue emptied after a burst gives its memory back (a peer
 * set holds two queues per peer; a burst of thousands would otherwise stay). */
static void hashq_pop(hashq *q, size_t n)
{
    q->head = (q->head + n) % (q->cap ? q->cap : 1);
    q->len -= n;
    if (q->len == 0 && q->cap > 64) hashq_clear(q);
}

/* ---- setup ---- */

ethp2p_eth *ethp2p_eth_new(const ethp2p_eth_config *cfg)
{
    ethp2p_eth *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->cfg = *cfg;
    static const uint8_t zero[32];
    if (memcmp(e->cfg.head_hash, zero, 32) == 0) memcpy(e->cfg.head_hash, cfg->chain.genesis_hash, 32);
    if (sodium_init() < 0 || (memcmp(e->cfg.broadcast_key, zero, sizeof(e->cfg.broadcast_key)) == 0 &&
                              ethp2p_random_bytes(e->cfg.broadcast_key, sizeof(e->cfg.broadcast_key)))) {
        free(e);
        return NULL;
    }
    e->pool = ethp2p_txpool_new(cfg->pool_max_txs, cfg->pool_max_bytes);
    if (!e->pool) {
        free(e);
        return NULL;
    }
    ethp2p_rlp_writer_init(&e->w, 0);
    hashset_init(&e->msg_txs, ETHP2P_ETH_MAX_TXS_PER_MESSAGE);
    e->next_req_id = 1;
    return e;
}

static void peer_free(ethp2p_eth_peer *p)
{
    free(p->req);
    eth_blocks_peer_free(p);
    hashset_clear(&p->known);
    hashq_clear(&p->q_full);
    hashq_clear(&p->q_ann);
    free(p);
}

void ethp2p_eth_free(ethp2p_eth *e)
{
    if (!e) return;
    while (e->fetches) eth_fetch_free(e, e->fetches);
    hmap_clear(&e->fetch_map);
    while (e->peers) {
        ethp2p_eth_peer *p = e->peers;
        e->peers = p->next;
        peer_free(p);
    }
    ethp2p_txpool_free(e->pool);
    eth_blocks_free(e);
    ethp2p_rlp_writer_clear(&e->w);
    free(e->ann.p);
    hashset_clear(&e->msg_txs);
    free(e->msg_items.p);
    free(e);
}

void *eth_scratch(eth_scratch_buf *b, size_t want, size_t size)
{
    if (eth_scratch_oversized(b->cap, want)) {
        free(b->p);
        b->p = NULL;
        b->cap = 0;
    }
    if (want > b->cap) {
        void *p = realloc(b->p, want * size);
        if (!p) return NULL;
        b->p = p;
        b->cap = want;
    }
    return b->p;
}

ethp2p_eth_announce *eth_ann_scratch(ethp2p_eth *e, size_t want)
{
    return eth_scratch(&e->ann, want, sizeof(ethp2p_eth_announce));
}

/* Past the merge: the chain's head is (its TD reached the TTD, or a time fork is active
 * at its time), or the network is by the clock (a time fork active now: a node whose
 * imported history stops before the merge is still on a proof-of-stake network). */
int eth_past_merge(const ethp2p_eth *e)
{
    if (e->cfg.blocks && ethp2p_chain_merged(e->cfg.blocks)) return 1;
    return ethp2p_chain_config_merged(&e->cfg.chain, NULL, e->cfg.head_time);
}

/* The block and time our fork ID is computed at. A relay that does not follow the
 * chain of a network past the merge presents the current fork (every block fork
 * passed, the time forks by head_time), as a synced node would. */
static void fork_head(const ethp2p_eth *e, uint64_t *head, uint64_t *time)
{
    *head = e->cfg.blocks ? ethp2p_chain_head(e->cfg.blocks)->number : e->cfg.head_number;
    *time = e->cfg.blocks ? ethp2p_chain_head(e->cfg.blocks)->time : e->cfg.head_time;
    if (!e->cfg.blocks && e->cfg.chain.post_merge)
        for (size_t i = 0; i < e->cfg.chain.nblock_forks; i++)
            if (e->cfg.chain.block_forks[i] > *head) *head = e->cfg.chain.block_forks[i];
}

void ethp2p_eth_our_status(const ethp2p_eth *e, uint32_t version, ethp2p_eth_status *s)
{
    memset(s, 0, sizeof(*s));
    s->version = version;
    s->network_id = e->cfg.chain.network_id;
    memcpy(s->td, e->cfg.td, 32);
    s->earliest = 0;
    memcpy(s->head, e->cfg.head_hash, 32);
    memcpy(s->genesis, e->cfg.chain.genesis_hash, 32);
    if (e->cfg.blocks) {
        const ethp2p_header *head = ethp2p_chain_head(e->cfg.blocks);
        memcpy(s->head, head->hash, 32);
        ethp2p_chain_td(e->cfg.blocks, s->td);
        s->latest = head->number;
        s->earliest = eth_earliest(e);
    } else {
        s->latest = e->cfg.head_number;
    }
    uint64_t h, t;
    fork_head(e, &h, &t);
    ethp2p_forkid_compute(&e->cfg.chain, h, t, &s->forkid);
}

/* ---- sending ---- */

void eth_drop_peer(ethp2p_eth *e, ethp2p_eth_peer *p, int reason, const char *why)
{
    if (p->dropped) return;
    p->dropped = 1;
    e->stats.peers_dropped++;
    ETHP2P_DEBUG(LOG_MOD, "dropping peer", "peer=%s why=\"%s\"", p->short_id, why);
    e->cfg.disconnect(e->cfg.ctx, p->handle, reason);
}

/* Sends what the writer holds. */
int eth_send_w(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code)
{
    const uint8_t *d;
    size_t n;
    int rc = ethp2p_rlp_writer_finish(&e->w, &d, &n);
    if (!rc) rc = e->cfg.send(e->cfg.ctx, p->handle, code, d, n);
    ethp2p_rlp_writer_reset(&e->w);
    return rc;
}

/* Drains the peer's queues while the owner accepts. */
static void flush_peer(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    if (!p->ready || p->dropped) return;
    while (p->q_full.len) {
        size_t take = 0, bytes = 0, sent = 0;
        ethp2p_rlp_list_begin(&e->w);
        while (take < p->q_full.len) {
            const ethp2p_pooled_tx *t = ethp2p_txpool_get(e->pool, hashq_at(&p->q_full, take));
            if (t && sent && bytes + t->elem_len > ETHP2P_ETH_TX_PACKET_SIZE) break;
            take++;
            if (!t) continue; /* evicted meanwhile */
            ethp2p_rlp_put_raw(&e->w, t->elem, t->elem_len);
            bytes += t->elem_len;
            sent++;
        }
        ethp2p_rlp_list_end(&e->w);
        if (!sent) {
            ethp2p_rlp_writer_reset(&e->w);
            hashq_pop(&p->q_full, take);
            continue;
        }
        if (eth_send_w(e, p, ETHP2P_ETH_TRANSACTIONS)) return; /* busy: later */
        e->stats.full_out += sent;
        hashq_pop(&p->q_full, take);
    }
    while (p->q_ann.len) {
        ethp2p_eth_announce *a = eth_ann_scratch(e, p->q_ann.len < ETHP2P_ETH_MAX_ANNOUNCE ? p->q_ann.len : ETHP2P_ETH_MAX_ANNOUNCE);
        if (!a) return;
        size_t take = 0, n = 0;
        while (take < p->q_ann.len && n < ETHP2P_ETH_MAX_ANNOUNCE) {
            const ethp2p_pooled_tx *t = ethp2p_txpool_get(e->pool, hashq_at(&p->q_ann, take++));
            if (!t) continue;
            memcpy(a[n].hash, t->hash, 32);
            a[n].type = t->type;
            a[n].size = t->size;
            n++;
        }
        if (n) {
            if (ethp2p_eth_announce_encode(p->version, a, n, &e->w) || eth_send_w(e, p, ETHP2P_ETH_NEW_POOLED_TX_HASHES)) {
                ethp2p_rlp_writer_reset(&e->w);
                return;
            }
            e->stats.announced_out += n;
        }
        hashq_pop(&p->q_ann, take);
    }
}

static void flush_all(ethp2p_eth *e)
{
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) flush_peer(e, p);
}

/* ---- broadcast ---- */

/* The peer's score for a sender's transactions: the lowest get them in full. Keyed
 * SipHash-2-4 (libsodium), as the reference, of our ID, the peer's and the sender. The
 * pair of IDs is folded once per peer into p->score_seed (a SipHash of both under the
 * same secret key); per transaction the hash covers that seed and the sender, 28 bytes
 * instead of 84. in holds the sender already (set once per transaction). */
static uint64_t peer_score(const ethp2p_eth *e, const ethp2p_eth_peer *p, uint8_t in[8 + 20])
{
    uint8_t out[crypto_shorthash_siphash24_BYTES];
    memcpy(in, p->score_seed, 8);
    (void)crypto_shorthash_siphash24(out, in, 8 + 20, e->cfg.broadcast_key);
    uint64_t v;
    memcpy(&v, out, 8);
    return v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void broadcast(ethp2p_eth *e, const ethp2p_pooled_tx *t)
{
    size_t n = 0;
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) n += p->ready && !p->dropped;
    if (!n) return;
    size_t ndirect = 1;
    while (ndirect * ndirect < n) ndirect++; /* ceil(sqrt(n)) */
    if (t->type == ETHP2P_TX_BLOB || t->elem_len > ETHP2P_ETH_TX_MAX_BROADCAST_SIZE) ndirect = 0;
    /* The direct peers: the ndirect lowest keyed scores among all ready peers (including
     * those that know the transaction, as the reference does, so the choice is stable). */
    uint64_t stack_scores[64], *scores = n <= 32 ? stack_scores : malloc(2 * n * sizeof(*scores)), threshold = UINT64_MAX;
    if (!scores) return;
    uint64_t *sorted = n <= 32 ? stack_scores + 32 : scores + n;
    size_t i = 0;
    if (ndirect && ndirect < n) {
        uint8_t in[8 + 20];
        memcpy(in + 8, t->sender, 20);
        for (ethp2p_eth_peer *p = e->peers; p; p = p->next)
            if (p->ready && !p->dropped) scores[i++] = peer_score(e, p, in);
        memcpy(sorted, scores, n * sizeof(*scores));
        qsort(sorted, n, sizeof(*sorted), cmp_u64);
        threshold = sorted[ndirect - 1];
    }
    i = 0;
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (!p->ready || p->dropped) continue;
        uint64_t score = ndirect && ndirect < n ? scores[i] : 0;
        i++;
        if (hashset_has(&p->known, t->hash)) continue;
        (void)hashset_add(&p->known, t->hash);
        int direct = ndirect == 0 ? 0 : score <= threshold;
        hashq_push(e, direct ? &p->q_full : &p->q_ann, t->hash);
    }
    if (scores != stack_scores) free(scores);
}

/* Whether the reference's pools would take a transaction of this size. */
static int pool_size_ok(const ethp2p_tx *tx)
{
    return tx->size <= (tx->type == ETHP2P_TX_BLOB ? ETHP2P_ETH_BLOB_TX_POOL_MAX_SIZE : ETHP2P_ETH_TX_POOL_MAX_SIZE);
}

/* A decoded transaction arrived (or was submitted). Returns 1 if new. */
int eth_import_tx(ethp2p_eth *e, ethp2p_eth_peer *from, const ethp2p_tx *tx, int how)
{
    if (from) (void)hashset_add(&from->known, tx->hash);
    if (!pool_size_ok(tx)) {
        e->stats.txs_oversize++;
        ETHP2P_DEBUG(LOG_MOD, "transaction over the pool's size limit", "size=%llu type=%u",
                     (unsigned long long)tx->size, (unsigned)tx->type);
        return 0;
    }
    if (tx->chain_id && tx->chain_id != e->cfg.chain.chain_id) {
        e->stats.txs_invalid++;
        ETHP2P_DEBUG(LOG_MOD, "transaction for another chain", "chain=%llu", (unsigned long long)tx->chain_id);
        return 0;
    }
    int rc = ethp2p_txpool_add(e->pool, tx, e->now);
    if (rc <= 0) {
        if (rc == 0) e->stats.txs_dup++;
        return 0;
    }
    e->stats.txs_new++;
    fetch *f = eth_fetch_find(e, tx->hash);
    if (f && !f->asked) eth_fetch_free(e, f);
    if (e->cfg.on_tx) e->cfg.on_tx(e->cfg.ctx, from ? from->handle : NULL, tx, how);
    broadcast(e, ethp2p_txpool_get(e->pool, tx->hash));
    return 1;
}

int ethp2p_eth_submit(ethp2p_eth *e, const uint8_t *data, size_t len, uint64_t now_ms, uint8_t hash_out[32])
{
    e->now = now_ms;
    ethp2p_tx tx;
    int rc = ethp2p_tx_decode_binary(data, len, &tx);
    if (rc) return rc;
    if ((tx.chain_id && tx.chain_id != e->cfg.chain.chain_id) || !pool_size_ok(&tx)) return ETHP2P_EINVAL;
    memcpy(hash_out, tx.hash, 32);
    e->depth++;
    if (eth_import_tx(e, NULL, &tx, ETHP2P_ETH_TX_LOCAL)) e->stats.txs_local++;
    leave(e); /* queued: sent at the next tick, so a burst of submissions shares messages */
    return 0;
}

/* ---- peers ---- */

ethp2p_eth_peer *ethp2p_eth_peer_add(ethp2p_eth *e, void *handle, const uint8_t id[32], uint32_t version, uint64_t now_ms)
{
    e->now = now_ms;
    ethp2p_eth_peer *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->handle = handle;
    memcpy(p->id, id, 32);
    uint8_t pair[64];
    memcpy(pair, e->cfg.self_id, 32);
    memcpy(pair + 32, id, 32);
    (void)crypto_shorthash_siphash24(p->score_seed, pair, sizeof(pair), e->cfg.broadcast_key);
    ethp2p_hex_encode(id, 8, p->short_id);
    p->version = version;
    p->status_deadline = now_ms + ETHP2P_ETH_STATUS_TIMEOUT_MS;
    hashset_init(&p->known, ETHP2P_ETH_KNOWN_TXS);
    hashset_init(&p->known_blocks, ETHP2P_ETH_KNOWN_BLOCKS);
    p->next = e->peers;
    if (e->peers) e->peers->prev = p;
    e->peers = p;
    e->npeers++;
    ethp2p_eth_status st;
    ethp2p_eth_our_status(e, version, &st);
    e->depth++;
    if (ethp2p_eth_status_encode(&st, &e->w) || eth_send_w(e, p, ETHP2P_ETH_STATUS)) {
        ethp2p_rlp_writer_reset(&e->w);
        eth_drop_peer(e, p, ETHP2P_DISC_NETWORK_ERROR, "cannot send Status");
    }
    leave(e);
    return p;
}

static void unlink_peer(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    if (p->prev) p->prev->next = p->next;
    else e->peers = p->next;
    if (p->next) p->next->prev = p->prev;
    peer_free(p);
}

/* Frees peers removed while an entry point was running. */
static void leave(ethp2p_eth *e)
{
    if (--e->depth > 0) return;
    for (ethp2p_eth_peer *p = e->peers, *next; p; p = next) {
        next = p->next;
        if (p->removed) unlink_peer(e, p);
    }
}

void ethp2p_eth_peer_remove(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    if (p->removed) return;
    eth_fetch_peer_gone(e, p);
    e->npeers--;
    if (p->ready) e->nready--;
    p->ready = 0;
    p->dropped = p->removed = 1;
    /* Inside a callback of ours (the owner reacting to a disconnect): free it on the way out. */
    if (e->depth == 0) unlink_peer(e, p);
}

/* ---- receiving ---- */

static void on_status(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_eth_status st;
    int rc = ethp2p_eth_status_decode(data, len, p->version, &st);
    const char *why = NULL;
    char detail[96] = "";
    if (rc) why = "malformed Status";
    else if (st.version != p->version) why = "Status version differs from the negotiated one";
    else if (st.network_id != e->cfg.chain.network_id) {
        why = "network ID mismatch";
        snprintf(detail, sizeof(detail), "theirs=%llu", (unsigned long long)st.network_id);
    } else if (memcmp(st.genesis, e->cfg.chain.genesis_hash, 32) != 0) {
        why = "genesis mismatch";
    } else {
        uint64_t h, t;
        fork_head(e, &h, &t);
        int v = ethp2p_forkid_validate(&e->cfg.chain, h, t, &st.forkid);
        if (v) {
            why = "fork ID rejected";
            snprintf(detail, sizeof(detail), "theirs=%02x%02x%02x%02x/%llu reason=\"%s\"", st.forkid.hash[0],
                     st.forkid.hash[1], st.forkid.hash[2], st.forkid.hash[3], (unsigned long long)st.forkid.next,
                     ethp2p_forkid_error_name(v));
        }
    }
    if (why) {
        ETHP2P_DEBUG(LOG_MOD, "Status refused", "peer=%s why=\"%s\" %s", p->short_id, why, detail);
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, why);
        return;
    }
    p->ready = 1;
    e->nready++;
    memcpy(p->head_td, st.td, 32);
    memcpy(p->head_hash, st.head, 32);
    p->head_number = st.latest;
    if (e->cfg.on_ready) e->cfg.on_ready(e->cfg.ctx, p->handle, &st);
    /* Announce what the pool holds, newest first. */
    size_t n = 0;
    for (const ethp2p_pooled_tx *t = ethp2p_txpool_newest(e->pool); t && n < ETHP2P_ETH_MAX_QUEUED; t = t->older, n++) {
        (void)hashset_add(&p->known, t->hash);
        hashq_push(e, &p->q_ann, t->hash);
    }
}

/* ---- answering requests ---- */

void eth_answer_open(ethp2p_eth *e, uint64_t id)
{
    ethp2p_rlp_list_begin(&e->w);
    ethp2p_rlp_put_uint(&e->w, id);
    ethp2p_rlp_list_begin(&e->w);
}

void eth_answer_send(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code)
{
    ethp2p_rlp_list_end(&e->w);
    ethp2p_rlp_list_end(&e->w);
    (void)eth_send_w(e, p, code);
}

int eth_answer_hashes(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len, const char *what,
                      ethp2p_rlp_iter *it)
{
    uint64_t id;
    ethp2p_rlp_item hashes;
    size_t n;
    if (ethp2p_eth_get_pooled_decode(data, len, &id, &hashes, &n) || ethp2p_rlp_iter_list(&hashes, it)) {
        char why[64];
        snprintf(why, sizeof(why), "malformed %s", what);
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, why);
        return -1;
    }
    eth_answer_open(e, id);
    return 0;
}

static void on_get_pooled(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_rlp_item x;
    ethp2p_rlp_iter it;
    if (eth_answer_hashes(e, p, data, len, "GetPooledTransactions", &it)) return;
    size_t bytes = 0;
    while (!ethp2p_rlp_iter_done(&it) && bytes < ETHP2P_ETH_SERVE_MAX_BYTES) {
        if (ethp2p_rlp_iter_expect(&it, &x)) break;
        const ethp2p_pooled_tx *t = ethp2p_txpool_get(e->pool, x.payload);
        if (!t) continue;
        ethp2p_rlp_put_raw(&e->w, t->elem, t->elem_len);
        bytes += t->elem_len;
        (void)hashset_add(&p->known, t->hash);
    }
    eth_answer_send(e, p, ETHP2P_ETH_POOLED_TXS);
}

/* Answers a request we do not serve (no chain here) with an empty list. */
static void answer_empty(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len)
{
    uint64_t id;
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    if (ethp2p_rlp_decode(data, len, &top) || ethp2p_rlp_iter_list(&top, &it) || ethp2p_rlp_iter_expect(&it, &x) ||
        ethp2p_rlp_get_uint64(&x, &id)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed request");
        return;
    }
    eth_answer_open(e, id);
    eth_answer_send(e, p, code + 1);
}

static void receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len);

void ethp2p_eth_receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len, uint64_t now_ms)
{
    e->now = now_ms;
    e->depth++;
    receive(e, p, code, data, len);
    flush_all(e);
    leave(e);
}

static void receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len)
{
    if (p->dropped) return;
    if (len > ETHP2P_ETH_MAX_MESSAGE) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "message over 10 MiB");
        return;
    }
    if (!ethp2p_eth_code_valid(p->version, code)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "message code not in this eth version");
        return;
    }
    if (!p->ready && code != ETHP2P_ETH_STATUS) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "message before Status");
        return;
    }
    switch (code) {
    case ETHP2P_ETH_STATUS:
        if (p->ready) eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "second Status");
        else on_status(e, p, data, len);
        break;
    case ETHP2P_ETH_TRANSACTIONS: eth_on_transactions(e, p, data, len, ETHP2P_ETH_TX_BROADCAST, NULL); break;
    case ETHP2P_ETH_NEW_POOLED_TX_HASHES: eth_fetch_on_announce(e, p, data, len); break;
    case ETHP2P_ETH_GET_POOLED_TXS: on_get_pooled(e, p, data, len); break;
    case ETHP2P_ETH_POOLED_TXS: eth_fetch_on_pooled(e, p, data, len); break;
    case ETHP2P_ETH_GET_BLOCK_HEADERS:
    case ETHP2P_ETH_GET_BLOCK_BODIES:
        if (e->cfg.blocks) eth_blocks_receive(e, p, code, data, len);
        else answer_empty(e, p, code, data, len);
        break;
    case ETHP2P_ETH_GET_RECEIPTS:
        if (e->cfg.blocks) eth_blocks_receive(e, p, code, data, len);
        else answer_empty(e, p, code, data, len);
        break;
    case ETHP2P_ETH_BLOCK_HEADERS:
    case ETHP2P_ETH_BLOCK_BODIES:
        if (e->cfg.blocks) eth_blocks_receive(e, p, code, data, len);
        break;
    case ETHP2P_ETH_NEW_BLOCK:
    case ETHP2P_ETH_NEW_BLOCK_HASHES:
        if (e->cfg.blocks && !eth_past_merge(e)) {
            eth_blocks_receive(e, p, code, data, len);
            break;
        }
        /* After the merge these are not sent; a peer that keeps sending them is dropped. */
        if (eth_past_merge(e) && ++p->block_msgs > ETHP2P_ETH_MAX_BLOCK_MSGS_POST_MERGE)
            eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "block propagation after the merge");
        break;
    case ETHP2P_ETH_BLOCK_RANGE_UPDATE: {
        uint64_t lo, hi;
        uint8_t h[32];
        if (ethp2p_eth_range_decode(data, len, &lo, &hi, h)) {
            eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "invalid BlockRangeUpdate");
        } else {
            p->head_number = hi;
            memcpy(p->head_hash, h, 32);
        }
        break;
    }
    default: break; /* responses we did not ask for */
    }
}

/* ---- timers ---- */

static uint64_t tick(ethp2p_eth *e, uint64_t now_ms);

uint64_t ethp2p_eth_tick(ethp2p_eth *e, uint64_t now_ms)
{
    e->now = now_ms;
    e->depth++;
    uint64_t next = tick(e, now_ms);
    leave(e);
    return next;
}

static uint64_t tick(ethp2p_eth *e, uint64_t now_ms)
{
    uint64_t next = UINT64_MAX;
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (p->dropped) continue;
        if (!p->ready) {
            if (now_ms >= p->status_deadline) eth_drop_peer(e, p, ETHP2P_DISC_READ_TIMEOUT, "no Status within 5 s");
            else if (p->status_deadline < next) next = p->status_deadline;
            continue;
        }
        eth_blocks_tick(e, p);
        if (p->bf.active && p->bf.deadline < next) next = p->bf.deadline;
        if (p->nreq && p->req_deadline && now_ms >= p->req_deadline) {
            e->stats.fetch_timeouts++;
            eth_fetch_release(e, p);
        }
        if (!p->nreq) p->req_deadline = 0, p->req_bytes = 0;
    }
    eth_fetch_request(e);
    flush_all(e);
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (p->req_deadline && p->req_deadline < next) next = p->req_deadline;
        if ((p->q_full.len || p->q_ann.len) && p->ready && !p->dropped && now_ms + RETRY_BUSY_MS < next)
            next = now_ms + RETRY_BUSY_MS;
    }
    for (fetch *f = e->fetches; f; f = f->next)
        if (!f->asked && f->due < next) next = f->due > now_ms ? f->due : now_ms + 1;
    return next;
}

/* ---- the peer set ---- */

size_t ethp2p_eth_peers_without(const ethp2p_eth *e, const uint8_t hash[32], int block, void **out, size_t max)
{
    size_t n = 0;
    for (const ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (!p->ready || p->dropped) continue;
        if (hashset_has(block ? &p->known_blocks : &p->known, hash)) continue;
        if (n < max) out[n] = p->handle;
        n++;
    }
    return n;
}

void *ethp2p_eth_best_peer(const ethp2p_eth *e)
{
    const ethp2p_eth_peer *best = NULL;
    for (const ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (!p->ready || p->dropped) continue;
        if (!best) {
            best = p;
            continue;
        }
        /* Compare total difficulty where both sent one (eth/66-68), else the latest block number. */
        static const uint8_t zero[32];
        int have_td = memcmp(p->head_td, zero, 32) && memcmp(best->head_td, zero, 32);
        int better = have_td ? memcmp(p->head_td, best->head_td, 32) > 0 : p->head_number > best->head_number;
        if (better) best = p;
    }
    return best ? best->handle : NULL;
}

/* ---- accessors ---- */

void ethp2p_eth_set_head(ethp2p_eth *e, uint64_t number, uint64_t time, const uint8_t hash[32])
{
    e->cfg.head_number = number;
    e->cfg.head_time = time;
    if (hash) memcpy(e->cfg.head_hash, hash, 32);
}

size_t ethp2p_eth_peer_count(const ethp2p_eth *e) { return e->nready; }
const ethp2p_chain_config *ethp2p_eth_get_chain(const ethp2p_eth *e) { return &e->cfg.chain; }
const ethp2p_eth_stats *ethp2p_eth_get_stats(const ethp2p_eth *e) { return &e->stats; }
ethp2p_txpool *ethp2p_eth_pool(ethp2p_eth *e) { return e->pool; }
uint32_t ethp2p_eth_peer_version(const ethp2p_eth_peer *p) { return p->version; }
int ethp2p_eth_peer_ready(const ethp2p_eth_peer *p) { return p->ready && !p->dropped; }
int ethp2p_eth_peer_knows(const ethp2p_eth_peer *p, const uint8_t hash[32]) { return hashset_has(&p->known, hash); }

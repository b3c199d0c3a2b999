/*
 * Block propagation for networks before the merge (the reference's
 * eth/handler.go BroadcastBlock and its block fetcher, simplified): a block
 * that extends our chain goes in full (NewBlock) to floor(sqrt(n)) of the n
 * peers that lack it, at least one, and as a hash (NewBlockHashes) to the
 * rest. An announced child of our head is fetched from the announcer (header
 * and body at once, 5 s). Headers and bodies are served from the chain.
 */
#include "handler_internal.h"
#include "ethp2p/log.h"
#include "ethp2p/trie.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "eth"

static void fetch_clear(ethp2p_eth_peer *p)
{
    free(p->bf.header);
    free(p->bf.body);
    memset(&p->bf, 0, sizeof(p->bf));
}

void eth_blocks_peer_free(ethp2p_eth_peer *p)
{
    fetch_clear(p);
    hashset_clear(&p->known_blocks);
}

static int speaks_blocks(const ethp2p_eth_peer *p)
{
    return p->ready && !p->dropped && ethp2p_eth_code_valid(p->version, ETHP2P_ETH_NEW_BLOCK);
}

/* Sends block `number` onwards: in full to floor(sqrt(n)) peers without it, by hash to the rest. */
static void propagate(ethp2p_eth *e, uint64_t number)
{
    ethp2p_chain *c = e->cfg.blocks;
    size_t hl;
    const uint8_t *hdr = ethp2p_chain_header_rlp(c, number, &hl);
    ethp2p_header h;
    if (!hdr || ethp2p_header_decode(hdr, hl, &h)) return;
    int pow = !eth_past_merge(e); /* after the merge no NewBlock(Hashes): eth/69 ranges only */
    size_t lacking = 0;
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) lacking += speaks_blocks(p) && !hashset_has(&p->known_blocks, h.hash);
    size_t full = 1;
    while ((full + 1) * (full + 1) <= lacking) full++;
    uint8_t td[32];
    ethp2p_chain_td(c, td);
    size_t sent = 0;
    /* eth/69 peers hear no NewBlock: they get our range when the head moved 32 blocks. */
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (!p->ready || p->dropped || p->version < 69 || h.number < p->range_sent + ETHP2P_ETH_RANGE_UPDATE_BLOCKS) continue;
        p->range_sent = h.number;
        if (ethp2p_eth_range_encode(eth_earliest(e), h.number, h.hash, &e->w) == 0) (void)eth_send_w(e, p, ETHP2P_ETH_BLOCK_RANGE_UPDATE);
        else ethp2p_rlp_writer_reset(&e->w);
    }
    for (ethp2p_eth_peer *p = e->peers; p && pow; p = p->next) {
        if (!speaks_blocks(p) || hashset_has(&p->known_blocks, h.hash)) continue;
        (void)hashset_add(&p->known_blocks, h.hash);
        if (sent < full) {
            ethp2p_rlp_list_begin(&e->w);
            if (ethp2p_chain_block_rlp(c, number, &e->w)) {
                ethp2p_rlp_writer_reset(&e->w);
                return;
            }
            ethp2p_rlp_put_uint_be(&e->w, td, 32);
            ethp2p_rlp_list_end(&e->w);
            if (eth_send_w(e, p, ETHP2P_ETH_NEW_BLOCK) == 0) e->stats.blocks_out++;
            sent++;
        } else {
            ethp2p_rlp_list_begin(&e->w);
            ethp2p_rlp_list_begin(&e->w);
            ethp2p_rlp_put_bytes(&e->w, h.hash, 32);
            ethp2p_rlp_put_uint(&e->w, h.number);
            ethp2p_rlp_list_end(&e->w);
            ethp2p_rlp_list_end(&e->w);
            if (eth_send_w(e, p, ETHP2P_ETH_NEW_BLOCK_HASHES) == 0) e->stats.block_hashes_out++;
        }
    }
}

void eth_blocks_free(ethp2p_eth *e)
{
    for (size_t i = 0; i < e->npending; i++) free(e->pending[i].rlp);
    e->npending = 0;
    e->pending_bytes = 0;
}

/* eth/69's "earliest": the first block we can serve from here on (0 until the
 * chain's window has moved past block 1). */
uint64_t eth_earliest(const ethp2p_eth *e)
{
    uint64_t oldest = e->cfg.blocks ? ethp2p_chain_oldest(e->cfg.blocks) : 0;
    return oldest > 1 ? oldest : 0;
}

static void count_pending(ethp2p_eth *e)
{
    e->stats.blocks_waiting = e->npending;
    e->stats.blocks_waiting_bytes = e->pending_bytes;
}

/* Takes waiting block i out of the list (its RLP is the caller's to free). */
static struct pending_block take_pending(ethp2p_eth *e, size_t i)
{
    struct pending_block b = e->pending[i];
    memmove(e->pending + i, e->pending + i + 1, (e->npending - i - 1) * sizeof(b));
    e->npending--;
    e->pending_bytes -= b.len;
    count_pending(e);
    return b;
}

/* Keeps a block whose parent has not arrived yet; the oldest go while the
 * count or the bytes would pass their bounds (32 blocks, 32 MiB: ten-MiB
 * NewBlocks with made-up parents must not pile up). */
static void keep_pending(ethp2p_eth *e, const uint8_t *rlp, size_t len, uint64_t number)
{
    if (len > ETHP2P_ETH_PENDING_BYTES) return;
    while (e->npending == ETHP2P_ETH_PENDING_BLOCKS || e->pending_bytes + len > ETHP2P_ETH_PENDING_BYTES)
        free(take_pending(e, 0).rlp);
    uint8_t *copy = malloc(len);
    if (!copy) return;
    memcpy(copy, rlp, len);
    e->pending[e->npending++] = (struct pending_block){copy, len, number};
    e->pending_bytes += len;
    count_pending(e);
}

static void import(ethp2p_eth *e, ethp2p_eth_peer *from, const uint8_t *rlp, size_t len, int how);

/* After the head moved: a waiting block that is now its child goes in (and so on, as
 * import() comes back here); waiting blocks the head has passed are dropped. */
static void import_pending(ethp2p_eth *e)
{
    uint64_t head = ethp2p_chain_head(e->cfg.blocks)->number;
    for (size_t i = 0; i < e->npending;) {
        if (e->pending[i].number > head + 1) {
            i++;
            continue;
        }
        struct pending_block b = take_pending(e, i);
        if (b.number == head + 1) {
            import(e, NULL, b.rlp, b.len, ETHP2P_ETH_TX_BROADCAST);
            free(b.rlp);
            return;
        }
        free(b.rlp);
    }
}

/* A block arrived (in full or assembled from a fetch): insert, report, pass on. */
static void import(ethp2p_eth *e, ethp2p_eth_peer *from, const uint8_t *rlp, size_t len, int how)
{
    ethp2p_header h;
    memset(&h, 0, sizeof(h));
    int rc = ethp2p_chain_insert(e->cfg.blocks, rlp, len, &h);
    if (from && h.number) (void)hashset_add(&from->known_blocks, h.hash);
    uint64_t head = ethp2p_chain_head(e->cfg.blocks)->number;
    if (rc == ETHP2P_CHAIN_ENOTCHILD && h.number > head + 1 && h.number <= head + ETHP2P_ETH_PENDING_AHEAD) {
        keep_pending(e, rlp, len, h.number); /* its parent is probably on its way */
        return;
    }
    if (rc == ETHP2P_CHAIN_ENOTCHILD || rc == ETHP2P_CHAIN_ETIME || rc == 0) {
        if (rc) ETHP2P_DEBUG(LOG_MOD, "block not imported", "number=%llu why=\"%s\"", (unsigned long long)h.number,
                             ethp2p_chain_error_name(rc));
        return;
    }
    if (rc < 0) {
        if (from) eth_drop_peer(e, from, ETHP2P_DISC_SUBPROTOCOL_ERROR, "invalid block");
        return;
    }
    e->stats.blocks_new++;
    if (e->cfg.on_block) e->cfg.on_block(e->cfg.ctx, from ? from->handle : NULL, &h, how);
    propagate(e, h.number);
    import_pending(e);
}

int ethp2p_eth_submit_block(ethp2p_eth *e, const uint8_t *rlp, size_t len, uint64_t now_ms)
{
    if (!e->cfg.blocks) return ETHP2P_EINVAL;
    e->now = now_ms;
    ethp2p_header h;
    memset(&h, 0, sizeof(h));
    int rc = ethp2p_chain_insert(e->cfg.blocks, rlp, len, &h);
    if (rc != 1) return rc ? rc : 0;
    e->stats.blocks_new++;
    if (e->cfg.on_block) e->cfg.on_block(e->cfg.ctx, NULL, &h, ETHP2P_ETH_TX_LOCAL);
    propagate(e, h.number);
    return 0;
}

static void on_new_block(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_rlp_item top, block;
    ethp2p_rlp_iter it;
    if (ethp2p_rlp_decode(data, len, &top) || ethp2p_rlp_iter_list(&top, &it) || ethp2p_rlp_iter_expect(&it, &block)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed NewBlock");
        return;
    }
    e->stats.blocks_in++;
    /* The total difficulty first, before any other work: over 100 bits no real chain has,
     * and the reference calls it a protocol breach (eth/protocols/eth NewBlockPacket sanityCheck). */
    ethp2p_rlp_item td;
    uint8_t tdv[32];
    if (ethp2p_rlp_iter_expect(&it, &td) || ethp2p_rlp_get_uint_be(&td, tdv, 32)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed NewBlock");
        return;
    }
    if (td.payload_len > ETHP2P_ETH_MAX_TD_BYTES || (td.payload_len == ETHP2P_ETH_MAX_TD_BYTES && td.payload[0] >> 4)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "NewBlock total difficulty over 100 bits");
        return;
    }
    memcpy(p->head_td, tdv, 32);
    ethp2p_header h;
    if (ethp2p_rlp_iter_list(&block, &it) == 0 && ethp2p_rlp_iter_expect(&it, &td) == 0 &&
        ethp2p_header_decode(td.raw, td.raw_len, &h) == 0) {
        memcpy(p->head_hash, h.hash, 32); /* the sender's head is now this block */
        p->head_number = h.number;
    }
    import(e, p, block.raw, block.raw_len, ETHP2P_ETH_TX_BROADCAST);
}

static void on_new_block_hashes(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_rlp_item top, entry, hx, nx;
    ethp2p_rlp_iter it, ei;
    if (ethp2p_rlp_decode(data, len, &top) || ethp2p_rlp_iter_list(&top, &it)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed NewBlockHashes");
        return;
    }
    const ethp2p_header *head = ethp2p_chain_head(e->cfg.blocks);
    while (!ethp2p_rlp_iter_done(&it)) {
        uint8_t hash[32];
        uint64_t number;
        if (ethp2p_rlp_iter_expect(&it, &entry) || ethp2p_rlp_iter_list(&entry, &ei) || ethp2p_rlp_iter_expect(&ei, &hx) ||
            ethp2p_rlp_get_fixed(&hx, hash, 32) || ethp2p_rlp_iter_expect(&ei, &nx) || ethp2p_rlp_get_uint64(&nx, &number)) {
            eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed NewBlockHashes");
            return;
        }
        (void)hashset_add(&p->known_blocks, hash);
        if (p->bf.active || number <= head->number || number > head->number + ETHP2P_ETH_PENDING_AHEAD ||
            ethp2p_chain_has(e->cfg.blocks, hash))
            continue;
        /* One fetch per block: if another peer is already asked for it, wait for that. */
        int asked = 0;
        for (const ethp2p_eth_peer *q = e->peers; q && !asked; q = q->next)
            asked = q->bf.active && memcmp(q->bf.hash, hash, 32) == 0;
        if (asked) continue;
        /* Fetch it from this peer: its header and its body. */
        p->bf.active = 1;
        memcpy(p->bf.hash, hash, 32);
        p->bf.header_id = e->next_req_id++;
        p->bf.body_id = e->next_req_id++;
        p->bf.deadline = e->now + ETHP2P_ETH_BLOCK_FETCH_TIMEOUT_MS;
        e->stats.block_fetches++;
        ethp2p_rlp_list_begin(&e->w);
        ethp2p_rlp_put_uint(&e->w, p->bf.header_id);
        ethp2p_rlp_list_begin(&e->w);
        ethp2p_rlp_put_bytes(&e->w, hash, 32);
        ethp2p_rlp_put_uint(&e->w, 1);
        ethp2p_rlp_put_uint(&e->w, 0);
        ethp2p_rlp_put_uint(&e->w, 0);
        ethp2p_rlp_list_end(&e->w);
        ethp2p_rlp_list_end(&e->w);
        (void)eth_send_w(e, p, ETHP2P_ETH_GET_BLOCK_HEADERS); /* the body after, if it has one */
    }
}

/* An empty body ([], [] and, from Shanghai, []) is known from the header alone. */
static int body_is_empty(const ethp2p_header *h)
{
    return memcmp(h->tx_root, ETHP2P_EMPTY_TRIE_ROOT, 32) == 0 && memcmp(h->ommers_hash, ETHP2P_EMPTY_OMMERS_HASH, 32) == 0 &&
           (!h->has_withdrawals || memcmp(h->withdrawals_root, ETHP2P_EMPTY_TRIE_ROOT, 32) == 0);
}

static void request_body(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    ethp2p_rlp_list_begin(&e->w);
    ethp2p_rlp_put_uint(&e->w, p->bf.body_id);
    ethp2p_rlp_list_begin(&e->w);
    ethp2p_rlp_put_bytes(&e->w, p->bf.hash, 32);
    ethp2p_rlp_list_end(&e->w);
    ethp2p_rlp_list_end(&e->w);
    (void)eth_send_w(e, p, ETHP2P_ETH_GET_BLOCK_BODIES);
}

/* A BlockHeaders or BlockBodies answer to our fetch: keep its first item; import when both are here. */
static void on_fetch_answer(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len)
{
    uint64_t id;
    ethp2p_rlp_item list, first;
    ethp2p_rlp_iter it;
    if (ethp2p_eth_response_decode(data, len, &id, &list) || ethp2p_rlp_iter_list(&list, &it)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed block response");
        return;
    }
    int is_header = code == ETHP2P_ETH_BLOCK_HEADERS;
    if (!p->bf.active || id != (is_header ? p->bf.header_id : p->bf.body_id)) return; /* not ours */
    if (ethp2p_rlp_iter_done(&it) || ethp2p_rlp_iter_expect(&it, &first)) {
        fetch_clear(p); /* it does not have it after all */
        return;
    }
    uint8_t **slot = is_header ? &p->bf.header : &p->bf.body;
    size_t *slen = is_header ? &p->bf.header_len : &p->bf.body_len;
    if (*slot || (!is_header && !p->bf.header) || !(*slot = malloc(first.raw_len))) return;
    memcpy(*slot, first.raw, first.raw_len);
    *slen = first.raw_len;
    ethp2p_header h;
    if (ethp2p_header_decode(p->bf.header, p->bf.header_len, &h) || memcmp(h.hash, p->bf.hash, 32)) {
        fetch_clear(p);
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "block header does not match the request");
        return;
    }
    if (is_header) {
        if (!body_is_empty(&h)) {
            request_body(e, p);
            return;
        }
        /* Complete from its header: no body request (the reference's fetcher does the same). */
        static const uint8_t empty3[] = {0xc3, 0xc0, 0xc0, 0xc0}, empty2[] = {0xc2, 0xc0, 0xc0};
        const uint8_t *eb = h.has_withdrawals ? empty3 : empty2;
        size_t el = h.has_withdrawals ? sizeof(empty3) : sizeof(empty2);
        if (!(p->bf.body = malloc(el))) return;
        memcpy(p->bf.body, eb, el);
        p->bf.body_len = el;
        e->stats.block_empty_bodies++;
    }
    /* Assemble [header, txs, ommers, ...] from the header and the body [txs, ommers, ...]. */
    ethp2p_rlp_item body;
    if (ethp2p_rlp_decode(p->bf.body, p->bf.body_len, &body) || body.kind != ETHP2P_RLP_LIST) {
        fetch_clear(p);
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "block body does not decode");
        return;
    }
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_raw(&w, p->bf.header, p->bf.header_len);
    ethp2p_rlp_put_raw(&w, body.payload, body.payload_len);
    ethp2p_rlp_list_end(&w);
    const uint8_t *b;
    size_t bl;
    fetch_clear(p);
    if (ethp2p_rlp_writer_finish(&w, &b, &bl) == 0) import(e, p, b, bl, ETHP2P_ETH_TX_FETCHED);
    ethp2p_rlp_writer_clear(&w);
}

static void serve_headers(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    uint64_t id, number = 0, amount, skip, reverse;
    ethp2p_rlp_item q, origin, x;
    ethp2p_rlp_iter it;
    uint8_t hash[32];
    int by_hash = 0;
    int rc = ethp2p_eth_response_decode(data, len, &id, &q);
    if (!rc) rc = ethp2p_rlp_iter_list(&q, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &origin);
    if (!rc) {
        if (origin.kind == ETHP2P_RLP_STRING && origin.payload_len == 32) {
            memcpy(hash, origin.payload, 32);
            by_hash = 1;
        } else {
            rc = ethp2p_rlp_get_uint64(&origin, &number);
        }
    }
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint64(&x, &amount);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint64(&x, &skip);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint(&x, 1, &reverse);
    if (rc) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed GetBlockHeaders");
        return;
    }
    eth_answer_open(e, id);
    (void)ethp2p_chain_serve_headers(e->cfg.blocks, by_hash ? hash : NULL, number, amount, skip, (int)reverse, &e->w);
    eth_answer_send(e, p, ETHP2P_ETH_BLOCK_HEADERS);
}

static void serve_bodies(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_rlp_item x;
    ethp2p_rlp_iter it;
    if (eth_answer_hashes(e, p, data, len, "GetBlockBodies", &it)) return;
    size_t count = 0, bytes = 0;
    while (!ethp2p_rlp_iter_done(&it) && count < ETHP2P_CHAIN_MAX_BODIES && bytes < ETHP2P_CHAIN_SERVE_BYTES) {
        if (ethp2p_rlp_iter_expect(&it, &x)) break;
        int64_t num = ethp2p_chain_number_of(e->cfg.blocks, x.payload);
        size_t bl;
        const uint8_t *body = num >= 0 ? ethp2p_chain_body_rlp(e->cfg.blocks, (uint64_t)num, &bl) : NULL;
        if (!body) continue; /* unknown: skipped, as the protocol allows */
        ethp2p_rlp_put_raw(&e->w, body, bl);
        bytes += bl;
        count++;
    }
    eth_answer_send(e, p, ETHP2P_ETH_BLOCK_BODIES);
}

/* Receipts: we execute nothing, so the only receipts we hold are those of blocks
 * whose receipts root is the empty trie's (no transactions): an empty list each.
 * Other blocks are left out, as the reference leaves out blocks it lacks. */
static void serve_receipts(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    ethp2p_rlp_item x;
    ethp2p_rlp_iter it;
    if (eth_answer_hashes(e, p, data, len, "GetReceipts", &it)) return;
    size_t count = 0;
    while (!ethp2p_rlp_iter_done(&it) && count < ETHP2P_CHAIN_MAX_BODIES) {
        if (ethp2p_rlp_iter_expect(&it, &x)) break;
        int64_t num = ethp2p_chain_number_of(e->cfg.blocks, x.payload);
        const ethp2p_header *h = num >= 0 ? ethp2p_chain_header(e->cfg.blocks, (uint64_t)num) : NULL;
        if (!h || memcmp(h->receipts_root, ETHP2P_EMPTY_TRIE_ROOT, 32)) continue;
        ethp2p_rlp_list_begin(&e->w);
        ethp2p_rlp_list_end(&e->w);
        count++;
    }
    eth_answer_send(e, p, ETHP2P_ETH_RECEIPTS);
}

void eth_blocks_receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len)
{
    switch (code) {
    case ETHP2P_ETH_NEW_BLOCK: on_new_block(e, p, data, len); break;
    case ETHP2P_ETH_NEW_BLOCK_HASHES: on_new_block_hashes(e, p, data, len); break;
    case ETHP2P_ETH_BLOCK_HEADERS:
    case ETHP2P_ETH_BLOCK_BODIES: on_fetch_answer(e, p, code, data, len); break;
    case ETHP2P_ETH_GET_BLOCK_HEADERS: serve_headers(e, p, data, len); break;
    case ETHP2P_ETH_GET_BLOCK_BODIES: serve_bodies(e, p, data, len); break;
    case ETHP2P_ETH_GET_RECEIPTS: serve_receipts(e, p, data, len); break;
    default: break;
    }
}

void eth_blocks_tick(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    if (p->bf.active && e->now >= p->bf.deadline) {
        ETHP2P_DEBUG(LOG_MOD, "block fetch timed out", "peer=%s", p->short_id);
        fetch_clear(p);
    }
}

/*
 * Reading a Transactions or PooledTransactions message, in two passes.
 *
 * A relay receives most transactions from several peers, so most of what it
 * reads is pooled already: for those the work is one Keccak, a pool lookup and
 * a known-set mark. The lookups miss the cache (a pool of thousands, a set per
 * peer), and a miss costs a good part of a Keccak. So the first pass only
 * hashes each transaction (no sender is recovered) and asks the CPU for the
 * slots the second pass will read; the second pass does what the message
 * means, in order, with those slots arriving while the hashes were computed.
 * A new transaction is then decoded in full with its hash taken as given.
 */
#include "ethp2p/log.h"
#include "handler_internal.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "eth"
#define AHEAD 4 /* the second pass asks for a pooled transaction this many items ahead */

/* What the first pass learnt of one element. */
typedef struct msg_item {
    ethp2p_rlp_item x;
    ethp2p_tx tx; /* rc == ETHP2P_TX_KNOWN: hash, type, size and the byte ranges */
    int rc;       /* ETHP2P_TX_KNOWN (hashed), or why the element is invalid */
} msg_item;

typedef struct first_pass {
    ethp2p_eth *e;
    ethp2p_eth_peer *p;
} first_pass;

/* The first pass's hook: cache hints for the hash, and "known", so decoding stops at the hash. */
static int hint(void *arg, const uint8_t hash[32])
{
    const first_pass *f = arg;
    ethp2p_txpool_prefetch(f->e->pool, hash, 0);
    hashset_prefetch(&f->p->known, hash);
    return 1;
}

void eth_on_transactions(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len, int how,
                         const ethp2p_rlp_item *list_in)
{
    ethp2p_rlp_item list;
    ethp2p_rlp_iter it;
    int rc = 0;
    if (list_in) list = *list_in;
    else rc = ethp2p_rlp_decode(data, len, &list);
    if (!rc) rc = ethp2p_rlp_iter_list(&list, &it);
    if (rc) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed transactions message");
        return;
    }
    long count = ethp2p_rlp_list_count(&list);
    if (count < 0) { /* an element is malformed: the message is, before any of it is used */
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed transactions message");
        return;
    }
    if (count > ETHP2P_ETH_MAX_TXS_PER_MESSAGE) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "too many transactions in one message");
        return;
    }
    msg_item *items = eth_scratch(&e->msg_items, count ? (size_t)count : 1, sizeof(msg_item));
    if (!items) {
        ETHP2P_WARN(LOG_MOD, "out of memory reading transactions", "peer=%s count=%ld", p->short_id, count);
        return;
    }
    /* First pass: hashes and cache hints, up to the first element that ends the message's reading. */
    first_pass fp = {e, p};
    const char *stop = NULL;
    size_t n = 0;
    while (!ethp2p_rlp_iter_done(&it) && n < (size_t)count) {
        msg_item *m = &items[n];
        if (ethp2p_rlp_iter_expect(&it, &m->x)) {
            stop = "malformed transactions message";
            break;
        }
        if (how == ETHP2P_ETH_TX_BROADCAST && m->x.kind == ETHP2P_RLP_STRING && m->x.payload_len &&
            m->x.payload[0] == ETHP2P_TX_BLOB) {
            stop = "blob transaction broadcast in full";
            break;
        }
        m->rc = ethp2p_tx_decode_elem_unless(&m->x, 1, hint, &fp, &m->tx);
        n++;
    }
    /* Second pass: in order, as the message says. */
    hashset *seen = &e->msg_txs; /* one scratch set; after one far larger message it is freed, not wiped */
    if (eth_scratch_oversized(seen->cap, (size_t)count)) hashset_clear(seen);
    hashset_reset(seen);
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n && items[i + AHEAD].rc == ETHP2P_TX_KNOWN)
            ethp2p_txpool_prefetch(e->pool, items[i + AHEAD].tx.hash, 1);
        msg_item *m = &items[i];
        ethp2p_tx *tx = &m->tx;
        rc = m->rc;
        int known = 0;
        if (rc == ETHP2P_TX_KNOWN) {
            known = ethp2p_txpool_get(e->pool, tx->hash) != NULL;
            if (!known) {
                uint8_t hash[32]; /* decoding clears *tx first */
                memcpy(hash, tx->hash, 32);
                rc = ethp2p_tx_decode_elem_hashed(&m->x, 1, hash, tx);
            }
        }
        if (rc < 0) {
            e->stats.txs_invalid++;
            ETHP2P_DEBUG(LOG_MOD, "invalid transaction dropped", "peer=%s err=\"%s\"", p->short_id,
                         ethp2p_tx_error_name(rc));
            continue;
        }
        if (hashset_add(seen, tx->hash) == 0) {
            stop = "repeated transaction in one message";
            break;
        }
        if (how == ETHP2P_ETH_TX_FETCHED) {
            fetch *f = eth_fetch_find(e, tx->hash);
            if (f && f->has_meta && (f->type != tx->type || (f->size > tx->size ? f->size - tx->size : tx->size - f->size) > 8)) {
                stop = "announced type or size does not match";
                break;
            }
            if (f) eth_fetch_free(e, f);
            e->stats.fetched++;
        }
        e->stats.full_in++;
        if (hashset_mark(&p->known, tx->hash) == 1) e->stats.dup_full_same_peer++;
        if (known) { /* pooled already: no sender was recovered, nothing to import */
            e->stats.txs_dup++;
            continue;
        }
        (void)eth_import_tx(e, p, tx, how);
    }
    if (stop) eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, stop);
}

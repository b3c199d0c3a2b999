/*
 * The transaction fetcher (the reference's eth/fetcher/tx_fetcher.go, simplified):
 * announced hashes wait 500 ms for a push, then are asked of one announcer at a
 * time (256 hashes or 128 KiB per GetPooledTransactions, 5 s timeout); what
 * an announcer does not deliver goes to the next one.
 */
#include "handler_internal.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "eth"
#define MAX_FETCHES 65536
#define MAX_ANNOUNCE_IN 16384 /* hashes in one NewPooledTransactionHashes we accept */

fetch *eth_fetch_find(ethp2p_eth *e, const uint8_t hash[32])
{
    fetch *f = hmap_get(&e->fetch_map, hmap_key(hash));
    return f && memcmp(f->hash, hash, 32) == 0 ? f : NULL;
}

void eth_fetch_free(ethp2p_eth *e, fetch *f)
{
    if (f->prev) f->prev->next = f->next;
    else e->fetches = f->next;
    if (f->next) f->next->prev = f->prev;
    (void)hmap_del(&e->fetch_map, hmap_key(f->hash));
    e->nfetches--;
    free(f);
}

static void forget_announcer(fetch *f, const ethp2p_eth_peer *p)
{
    for (size_t j = 0; j < f->nann; j++)
        if (f->announcers[j] == p) f->announcers[j--] = f->announcers[--f->nann];
}

/* The peer's request ended (answered or timed out): the hashes it was asked for and did
 * not deliver are not to be had from it; they go back to be asked of another announcer. */
void eth_fetch_release(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    for (size_t i = 0; i < p->nreq; i++) {
        fetch *f = eth_fetch_find(e, p->req[i]);
        if (!f || f->asked != p) continue;
        forget_announcer(f, p);
        f->asked = NULL;
        f->due = e->now;
    }
    p->nreq = 0;
}

void eth_fetch_peer_gone(ethp2p_eth *e, ethp2p_eth_peer *p)
{
    for (fetch *f = e->fetches, *next; f; f = next) {
        next = f->next;
        forget_announcer(f, p);
        if (f->asked == p) {
            f->asked = NULL;
            f->due = e->now;
        }
        if (!f->nann && !f->asked) eth_fetch_free(e, f);
    }
}

void eth_fetch_on_announce(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    /* Each hash takes 33 bytes at least: room for what this message can hold, up to the bound. */
    size_t max = len / 33 + 1 < MAX_ANNOUNCE_IN ? len / 33 + 1 : MAX_ANNOUNCE_IN;
    ethp2p_eth_announce *a = eth_ann_scratch(e, max);
    size_t n = 0;
    if (!a) return;
    int rc = ethp2p_eth_announce_decode(p->version, data, len, a, max, &n);
    if (rc) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed transaction announcement");
        return;
    }
    e->stats.announced_in += n;
    for (size_t i = 0; i < n; i++) {
        (void)hashset_add(&p->known, a[i].hash);
        if (ethp2p_txpool_get(e->pool, a[i].hash)) continue;
        uint64_t k = hmap_key(a[i].hash);
        fetch *f = hmap_get(&e->fetch_map, k);
        if (!f) {
            if (e->nfetches >= MAX_FETCHES || !(f = calloc(1, sizeof(*f)))) continue;
            if (hmap_put(&e->fetch_map, k, f)) {
                free(f);
                continue;
            }
            memcpy(f->hash, a[i].hash, 32);
            f->has_meta = p->version >= 68;
            f->type = a[i].type;
            f->size = a[i].size;
            f->due = e->now + ETHP2P_ETH_FETCH_WAIT_MS;
            f->next = e->fetches;
            if (e->fetches) e->fetches->prev = f;
            e->fetches = f;
            e->nfetches++;
        }
        int dup = 0;
        for (size_t j = 0; j < f->nann; j++) dup |= f->announcers[j] == p;
        if (!dup && f->nann < MAX_ANNOUNCERS) f->announcers[f->nann++] = p;
    }
}

void eth_fetch_on_pooled(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len)
{
    uint64_t id;
    ethp2p_rlp_item list;
    if (ethp2p_eth_response_decode(data, len, &id, &list)) {
        eth_drop_peer(e, p, ETHP2P_DISC_SUBPROTOCOL_ERROR, "malformed PooledTransactions");
        return;
    }
    if (!p->nreq || id != p->req_id) {
        ETHP2P_DEBUG(LOG_MOD, "unrequested PooledTransactions ignored", "peer=%s", p->short_id);
        return;
    }
    eth_on_transactions(e, p, NULL, 0, ETHP2P_ETH_TX_FETCHED, &list);
    if (p->dropped) return;
    eth_fetch_release(e, p); /* what it did not deliver: ask someone else */
}

void eth_fetch_request(ethp2p_eth *e)
{
    for (fetch *f = e->fetches, *next; f; f = next) {
        next = f->next;
        if (f->asked || f->due > e->now) continue;
        /* Gone (no announcer left) or arrived meanwhile (pushed in full by someone): no fetch. */
        if (!f->nann || ethp2p_txpool_get(e->pool, f->hash)) {
            eth_fetch_free(e, f);
            continue;
        }
        for (size_t i = 0; i < f->nann; i++) {
            ethp2p_eth_peer *p = f->announcers[i];
            if (p->dropped || !p->ready || (p->nreq && p->req_deadline) || p->nreq == ETHP2P_ETH_FETCH_MAX_HASHES ||
                p->req_bytes >= ETHP2P_ETH_FETCH_MAX_BYTES)
                continue;
            if (!p->req && !(p->req = malloc(ETHP2P_ETH_FETCH_MAX_HASHES * 32))) continue;
            memcpy(p->req[p->nreq++], f->hash, 32);
            p->req_bytes += f->size ? f->size : 1024;
            f->asked = p;
            break;
        }
    }
    for (ethp2p_eth_peer *p = e->peers; p; p = p->next) {
        if (!p->nreq || p->req_deadline) continue;
        p->req_id = e->next_req_id++;
        if (ethp2p_eth_get_pooled_encode(p->req_id, (const uint8_t(*)[32])p->req, p->nreq, &e->w) ||
            eth_send_w(e, p, ETHP2P_ETH_GET_POOLED_TXS)) {
            ethp2p_rlp_writer_reset(&e->w);
            /* Not sent: undo and retry at the next tick. */
            for (size_t i = 0; i < p->nreq; i++) {
                fetch *f = eth_fetch_find(e, p->req[i]);
                if (f && f->asked == p) f->asked = NULL;
            }
            p->nreq = 0;
            p->req_bytes = 0;
            continue;
        }
        e->stats.fetch_requests++;
        p->req_deadline = e->now + ETHP2P_ETH_FETCH_TIMEOUT_MS;
    }
}

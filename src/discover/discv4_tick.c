/*
 * discv4: time. tick() expires requests, sends queries whose bonding grace
 * period is over, runs table revalidation, refreshes the table every 30
 * minutes (and sooner while it is empty), and ages out old endpoint proofs.
 * It returns the earliest deadline so the driver sleeps exactly that long.
 */
#include "discover/discv4_internal.h"
#include "ethp2p/log.h"
#include "ethp2p/nodedb.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX
#define LOG_MOD "discv4"
#define BONDS_EXPIRE_EVERY_MS (3600ULL * 1000)
#define EMPTY_TABLE_RETRY_MS (10ULL * 1000)
#define THIN_TABLE_RETRY_MS (60ULL * 1000) /* fewer nodes than one bucket holds */

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* ---- revalidation ---- */

static void reval_enr_done(ethp2p_discv4 *d, query *q, int err, const ethp2p_enode *nodes, size_t n,
                           const ethp2p_enr *record, uint64_t now)
{
    /* The node answered the Ping either way; a failed ENRRequest changes nothing. */
    (void)ethp2p_table_reval_done(d->table, &q->node.id, 1, !err && q->endpoint_changed, now);
}

static void reval_ping_done(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    if (err) {
        if (ethp2p_table_reval_done(d->table, &p->node.id, 0, 0, now))
            ETHP2P_DEBUG(LOG_MOD, "removed dead node", "udp=%u", p->node.udp);
        return;
    }
    ethp2p_table_node *tn = ethp2p_table_get(d->table, &p->node.id);
    /* The reference keeps nodes as seeds once they have passed more than 5 checks. */
    if (tn && d->cfg.db && tn->validated_live && tn->liveness_checks + 1 > 5) {
        ethp2p_enode seed;
        ethp2p_table_node_enode(tn, &seed);
        (void)ethp2p_nodedb_update_node(d->cfg.db, &seed, NULL, now);
    }
    /* A higher sequence number in the Pong: fetch the new record (EIP-868). */
    if (tn && reply->u.pong.has_enr_seq && reply->u.pong.enr_seq > tn->seq &&
        discv4_query(d, ETHP2P_V4_ENRREQUEST, &p->node, NULL, now, reval_enr_done, NULL, NULL) == 0)
        return;
    (void)ethp2p_table_reval_done(d->table, &p->node.id, 1, 0, now);
}

static uint64_t run_revalidation(ethp2p_discv4 *d, uint64_t now)
{
    ethp2p_enode due[2];
    uint64_t next;
    size_t k = ethp2p_table_reval_due(d->table, now, due, &next);
    for (size_t i = 0; i < k; i++)
        if (discv4_send_ping(d, &due[i], now, reval_ping_done, NULL, NULL))
            (void)ethp2p_table_reval_done(d->table, &due[i].id, 0, 0, now);
    return next;
}

/* ---- start ---- */

void ethp2p_discv4_start(ethp2p_discv4 *d, uint64_t now_ms)
{
    if (!d->cfg.no_background) discv4_refresh(d, now_ms);
    else
        for (size_t i = 0; i < d->cfg.nbootnodes; i++)
            (void)ethp2p_table_add(d->table, &d->cfg.bootnodes[i], ETHP2P_TABLE_FOUND, now_ms);
}

/* ---- tick ---- */

uint64_t ethp2p_discv4_tick(ethp2p_discv4 *d, uint64_t now_ms)
{
    /* Detach what is due first: callbacks may add requests while we finish these. */
    pending *expired = NULL;
    for (pending **pp = &d->pending; *pp;) {
        pending *p = *pp;
        if (p->deadline <= now_ms) {
            *pp = p->next;
            p->next = expired;
            expired = p;
        } else {
            pp = &p->next;
        }
    }
    while (expired) {
        pending *p = expired;
        expired = p->next;
        p->next = NULL;
        p->detached = 1;
        discv4_pending_finish(d, p, ETHP2P_ETIMEDOUT, NULL, now_ms); /* already unlinked */
    }
    query *woken = NULL;
    for (query **qq = &d->sleeping; *qq;) {
        query *q = *qq;
        if (q->wake_at <= now_ms) {
            *qq = q->next;
            q->next = woken;
            woken = q;
        } else {
            qq = &q->next;
        }
    }
    while (woken) {
        query *q = woken;
        woken = q->next;
        discv4_query_send(d, q, now_ms);
    }
    uint64_t next = NEVER;
    if (!d->cfg.no_background) {
        next = min_u64(next, run_revalidation(d, now_ms));
        /* Refresh every 15-30 minutes, and sooner while the table is empty or thin:
         * a node whose first lookups failed should not wait half an hour. */
        size_t len = ethp2p_table_len(d->table);
        uint64_t retry = len == 0 ? EMPTY_TABLE_RETRY_MS : len < ETHP2P_TABLE_BUCKET_SIZE ? THIN_TABLE_RETRY_MS : 0;
        int started = d->refresh_at != NEVER;
        uint64_t retry_at = retry && started ? d->last_refresh + retry : NEVER;
        if (started && d->refresh_stage == 0 && (now_ms >= d->refresh_at || now_ms >= retry_at)) {
            discv4_refresh(d, now_ms);
            retry_at = retry ? d->last_refresh + retry : NEVER;
        }
        next = min_u64(next, d->refresh_at);
        if (d->refresh_stage == 0) next = min_u64(next, retry_at);
    }
    if (now_ms >= d->bonds_expire_at) {
        if (d->cfg.db) (void)ethp2p_nodedb_expire(d->cfg.db, now_ms);
        bonds_expire(&d->bonds, now_ms > ETHP2P_DISCV4_BOND_EXPIRATION_MS ? now_ms - ETHP2P_DISCV4_BOND_EXPIRATION_MS : 0);
        d->bonds_expire_at = now_ms + BONDS_EXPIRE_EVERY_MS;
    }
    next = min_u64(next, d->bonds_expire_at);
    for (pending *p = d->pending; p; p = p->next) next = min_u64(next, p->deadline);
    for (query *q = d->sleeping; q; q = q->next) next = min_u64(next, q->wake_at);
    return next;
}

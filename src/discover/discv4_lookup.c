/*
 * discv4 lookups: Kademlia's iterative search. Start from the 16 nodes of our
 * table closest to the target, keep at most alpha = 3 FindNode queries in
 * flight to the closest nodes not yet asked, merge every answer into the
 * 16-node result, and stop when nobody closer is left to ask.
 *
 * The same machinery refreshes the table (a lookup for our own ID, then three
 * for random targets, every 30 minutes) and feeds the random walk that
 * dialers draw candidates from.
 */
#include "discover/discv4_internal.h"
#include "ethp2p/keccak.h"
#include "ethp2p/log.h"
#include "ethp2p/nodedb.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MOD "discv4"
#define WALK_QUEUE_CAP 64
#define REFRESH_RANDOM_LOOKUPS 3

enum { LOOKUP_USER = 0, LOOKUP_REFRESH = 1, LOOKUP_WALK = 2 };

struct lookup {
    lookup *next;
    ethp2p_pubkey target;
    ethp2p_node_id target_id;
    ethp2p_enode result[ETHP2P_TABLE_BUCKET_SIZE];
    uint8_t asked[ETHP2P_TABLE_BUCKET_SIZE];
    int depth[ETHP2P_TABLE_BUCKET_SIZE];
    size_t n;
    ethp2p_node_id *seen;
    size_t nseen, seen_cap;
    int inflight;
    int kind;
    ethp2p_discv4_lookup_info info;
    ethp2p_discv4_lookup_cb cb;
    void *arg;
};

static int seen_before(lookup *l, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < l->nseen; i++)
        if (memcmp(l->seen[i].b, id->b, 32) == 0) return 1;
    if (l->nseen == l->seen_cap) {
        size_t ncap = l->seen_cap ? l->seen_cap * 2 : 64;
        ethp2p_node_id *p = realloc(l->seen, ncap * sizeof(*p));
        if (!p) return 1; /* out of memory: treat as seen, the lookup just learns less */
        l->seen = p;
        l->seen_cap = ncap;
    }
    l->seen[l->nseen++] = *id;
    return 0;
}

/* Inserts n into the sorted result (nearest first), keeping 16. */
static void result_push(lookup *l, const ethp2p_enode *n, int depth)
{
    size_t pos = l->n;
    while (pos > 0 && ethp2p_node_id_distcmp(&l->target_id, &n->id, &l->result[pos - 1].id) < 0) pos--;
    if (pos >= ETHP2P_TABLE_BUCKET_SIZE) return;
    size_t last = l->n < ETHP2P_TABLE_BUCKET_SIZE ? l->n : ETHP2P_TABLE_BUCKET_SIZE - 1;
    memmove(&l->result[pos + 1], &l->result[pos], (last - pos) * sizeof(l->result[0]));
    memmove(&l->asked[pos + 1], &l->asked[pos], (last - pos) * sizeof(l->asked[0]));
    memmove(&l->depth[pos + 1], &l->depth[pos], (last - pos) * sizeof(l->depth[0]));
    l->result[pos] = *n;
    l->asked[pos] = 0;
    l->depth[pos] = depth;
    if (l->n < ETHP2P_TABLE_BUCKET_SIZE) l->n++;
}

static void lookup_unlink(ethp2p_discv4 *d, lookup *l)
{
    for (lookup **pp = &d->lookups; *pp; pp = &(*pp)->next)
        if (*pp == l) {
            *pp = l->next;
            return;
        }
}

static void refresh_step(ethp2p_discv4 *d, uint64_t now);

static void lookup_finish(ethp2p_discv4 *d, lookup *l, uint64_t now)
{
    lookup_unlink(d, l);
    d->stats.lookups_done++;
    l->info.hops = l->n ? l->depth[0] : 0;
    if (l->cb) l->cb(l->arg, l->result, l->n, &l->info);
    int kind = l->kind;
    free(l->seen);
    free(l);
    if (d->closing) return;
    if (kind == LOOKUP_REFRESH) refresh_step(d, now);
    if (kind == LOOKUP_WALK) d->walk_lookup_running = 0;
}

static void lookup_advance(ethp2p_discv4 *d, lookup *l, uint64_t now);

static void walk_push(ethp2p_discv4 *d, const ethp2p_enode *n)
{
    if (!d->walk && !(d->walk = calloc(WALK_QUEUE_CAP, sizeof(*d->walk)))) return;
    if (d->walk_len == WALK_QUEUE_CAP) return;
    for (size_t i = 0; i < d->walk_len; i++)
        if (memcmp(d->walk[(d->walk_head + i) % WALK_QUEUE_CAP].id.b, n->id.b, 32) == 0) return;
    d->walk[(d->walk_head + d->walk_len++) % WALK_QUEUE_CAP] = *n;
}

static void query_done(ethp2p_discv4 *d, query *q, int err, const ethp2p_enode *nodes, size_t n,
                       const ethp2p_enr *record, uint64_t now)
{
    lookup *l = q->arg;
    int depth = (int)(intptr_t)q->arg2;
    l->inflight--;
    if (d->closing) return;
    if (!err) {
        l->info.replies++;
        /* It answered: a live node for the table. */
        (void)ethp2p_table_add(d->table, &q->node, ETHP2P_TABLE_LIVE, now);
        for (size_t i = 0; i < n; i++) {
            if (seen_before(l, &nodes[i].id)) continue;
            result_push(l, &nodes[i], depth + 1);
            (void)ethp2p_table_add(d->table, &nodes[i], ETHP2P_TABLE_FOUND, now);
            if (l->kind == LOOKUP_WALK) walk_push(d, &nodes[i]);
        }
    }
    lookup_advance(d, l, now);
}

static void lookup_advance(ethp2p_discv4 *d, lookup *l, uint64_t now)
{
    for (size_t i = 0; i < l->n && l->inflight < ETHP2P_DISCV4_ALPHA; i++) {
        if (l->asked[i]) continue;
        l->asked[i] = 1;
        l->inflight++;
        l->info.queries++;
        ethp2p_enode target = l->result[i];
        if (discv4_query(d, ETHP2P_V4_FINDNODE, &target, &l->target, now, query_done, l,
                         (void *)(intptr_t)l->depth[i]) != 0)
            l->inflight--; /* could not even send: move on */
    }
    if (l->inflight == 0) lookup_finish(d, l, now);
}

int discv4_start_lookup(ethp2p_discv4 *d, const ethp2p_pubkey *target, uint64_t now, ethp2p_discv4_lookup_cb cb,
                        void *arg, int kind)
{
    lookup *l = calloc(1, sizeof(*l));
    if (!l) return ETHP2P_ENOMEM;
    l->target = *target;
    ethp2p_keccak256(target->b, 64, l->target_id.b);
    l->cb = cb;
    l->arg = arg;
    l->kind = kind;
    ethp2p_enode start[ETHP2P_TABLE_BUCKET_SIZE];
    size_t n = ethp2p_table_closest(d->table, &l->target_id, ETHP2P_TABLE_BUCKET_SIZE, 0, start);
    (void)seen_before(l, &d->self.id); /* never ask ourselves */
    for (size_t i = 0; i < n; i++) {
        (void)seen_before(l, &start[i].id);
        result_push(l, &start[i], 0);
        /* The walk yields what the lookup starts from too (as the reference's
         * iterator does): in a small network the table already knows everyone. */
        if (kind == LOOKUP_WALK) walk_push(d, &start[i]);
    }
    l->next = d->lookups;
    d->lookups = l;
    lookup_advance(d, l, now);
    return 0;
}

int ethp2p_discv4_lookup(ethp2p_discv4 *d, const ethp2p_pubkey *target, uint64_t now_ms, ethp2p_discv4_lookup_cb cb,
                         void *arg)
{
    return discv4_start_lookup(d, target, now_ms, cb, arg, LOOKUP_USER);
}

void lookups_free(ethp2p_discv4 *d)
{
    while (d->lookups) {
        lookup *l = d->lookups;
        d->lookups = l->next;
        if (l->cb) l->cb(l->arg, l->result, l->n, &l->info);
        free(l->seen);
        free(l);
    }
}

static void random_target(ethp2p_discv4 *d, ethp2p_pubkey *t)
{
    for (size_t i = 0; i < sizeof(t->b); i += 8) {
        uint64_t r = discv4_rand(d);
        memcpy(t->b + i, &r, 8);
    }
}

/* ---- refresh: seeds, then a self lookup, then random lookups ---- */

static void refresh_step(ethp2p_discv4 *d, uint64_t now)
{
    if (d->refresh_stage == 0 || d->refresh_stage > REFRESH_RANDOM_LOOKUPS) {
        d->refresh_stage = 0;
        return;
    }
    d->refresh_stage++;
    ethp2p_pubkey t;
    random_target(d, &t);
    if (discv4_start_lookup(d, &t, now, NULL, NULL, LOOKUP_REFRESH) != 0) d->refresh_stage = 0;
}

uint64_t discv4_next_refresh_delay(ethp2p_discv4 *d)
{
    uint64_t half = ETHP2P_DISCV4_REFRESH_INTERVAL_MS / 2;
    return half + discv4_rand(d) % half;
}

void discv4_refresh(ethp2p_discv4 *d, uint64_t now)
{
    if (d->refresh_stage != 0) return; /* one at a time */
    d->last_refresh = now;
    /* The next one in 15-30 minutes, at random, as the reference (nextRefreshTime): the nodes of
     * a network that started together do not all refresh in the same minute. */
    d->refresh_at = now + discv4_next_refresh_delay(d);
    if (d->cfg.db) {
        ethp2p_enode seeds[ETHP2P_NODEDB_SEED_COUNT];
        size_t n = ethp2p_nodedb_seeds(d->cfg.db, seeds, ETHP2P_NODEDB_SEED_COUNT, now);
        for (size_t i = 0; i < n; i++) (void)ethp2p_table_add(d->table, &seeds[i], ETHP2P_TABLE_FOUND, now);
    }
    for (size_t i = 0; i < d->cfg.nbootnodes; i++)
        (void)ethp2p_table_add(d->table, &d->cfg.bootnodes[i], ETHP2P_TABLE_FOUND, now);
    d->refresh_stage = 1;
    if (discv4_start_lookup(d, &d->self.pubkey, now, NULL, NULL, LOOKUP_REFRESH) != 0) d->refresh_stage = 0;
}

/* ---- the random walk ---- */

int ethp2p_discv4_next_random(ethp2p_discv4 *d, uint64_t now_ms, ethp2p_enode *out)
{
    if (d->walk_len > 0) {
        *out = d->walk[d->walk_head];
        d->walk_head = (d->walk_head + 1) % WALK_QUEUE_CAP;
        d->walk_len--;
        return 1;
    }
    if (!d->walk_lookup_running) {
        ethp2p_pubkey t;
        random_target(d, &t);
        d->walk_lookup_running = 1;
        if (discv4_start_lookup(d, &t, now_ms, NULL, NULL, LOOKUP_WALK) != 0) d->walk_lookup_running = 0;
    }
    return 0;
}

/*
 * discv5 lookups (discv5-theory.md, "Lookup") and the background work that
 * keeps the table filled: an iterative search asks the closest known nodes
 * to a target for the records at the log-distances around it (d, d+1, d-1,
 * as the reference does), three at a time, merging answers by distance,
 * until the 16 closest have answered or failed. Bootnodes are asked for
 * their records at start; a second later our own ID is looked up, then
 * three random IDs one after another (the reference's first refresh); then a
 * lookup runs every refresh interval, for our own ID every third time and for
 * a random ID otherwise.
 */
#include "discv5_internal.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "discv5"
#define LOOKUP_K 16        /* results: the closest this many */
#define LOOKUP_ALPHA 3     /* queries in flight per lookup */
#define LOOKUP_MAX 64      /* candidates remembered */
#define DEFAULT_REFRESH_MS 30000
#define FIRST_REFRESH_MS 1000
#define STARTUP_RANDOM_LOOKUPS 3 /* after the first self-lookup, as the reference's doRefresh */

typedef struct cand {
    uint8_t id[32];
    ethp2p_enr rec;
    int asked, answered, failed;
    int depth; /* referrals from the seeds (0) to this candidate */
} cand;

typedef struct lookup {
    ethp2p_discv5 *d;
    uint8_t target[32];
    cand c[LOOKUP_MAX];
    size_t n, inflight;
    ethp2p_discv5_lookup_info info;
    ethp2p_discv5_lookup_cb cb;
    void *arg;
} lookup;

typedef struct query {
    lookup *l;
    uint8_t id[32];
    int depth;
} query;

/* Closer to target first (XOR distance, compared bytewise). */
static int closer(const uint8_t target[32], const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t da = a[i] ^ target[i], db = b[i] ^ target[i];
        if (da != db) return da < db;
    }
    return 0;
}

/* Adds a candidate in distance order (known IDs and ourselves skipped; the farthest drop off). */
static void add_cand(lookup *l, const ethp2p_enr *rec, int depth)
{
    ethp2p_node_id nid;
    if (ethp2p_enr_node_id(rec, &nid) || !memcmp(nid.b, l->d->self_id, 32)) return;
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->c[i].id, nid.b, 32)) return;
    size_t at = l->n;
    while (at > 0 && closer(l->target, nid.b, l->c[at - 1].id)) at--;
    if (at >= LOOKUP_MAX) return;
    size_t end = l->n < LOOKUP_MAX ? l->n : LOOKUP_MAX - 1;
    memmove(&l->c[at + 1], &l->c[at], (end - at) * sizeof(cand));
    memset(&l->c[at], 0, sizeof(cand));
    memcpy(l->c[at].id, nid.b, 32);
    l->c[at].rec = *rec;
    l->c[at].depth = depth;
    if (l->n < LOOKUP_MAX) l->n++;
}

static void step(lookup *l, uint64_t now);

static void finish(lookup *l)
{
    ethp2p_enr out[LOOKUP_K];
    size_t k = 0;
    for (size_t i = 0; i < l->n && k < LOOKUP_K; i++)
        if (!l->c[i].failed) {
            if (k == 0) l->info.hops = l->c[i].depth;
            out[k++] = l->c[i].rec;
        }
    l->d->lookups_running--;
    if (l->cb) l->cb(l->arg, out, k, &l->info);
    free(l);
}

static void on_nodes(void *arg, int err, const ethp2p_enr *recs, size_t n)
{
    query *q = arg;
    lookup *l = q->l;
    l->inflight--;
    for (size_t i = 0; i < l->n; i++)
        if (!memcmp(l->c[i].id, q->id, 32)) {
            if (err) l->c[i].failed = 1;
            else l->c[i].answered = 1;
        }
    if (!err) {
        l->info.replies++;
        for (size_t i = 0; i < n; i++) add_cand(l, &recs[i], q->depth + 1);
    }
    free(q);
    step(l, l->d->now);
}

/* Sends queries to the closest candidates not yet asked; ends when the closest K are done. */
static void step(lookup *l, uint64_t now)
{
    size_t considered = 0;
    for (size_t i = 0; i < l->n && considered < LOOKUP_K && l->inflight < LOOKUP_ALPHA; i++) {
        cand *c = &l->c[i];
        if (c->failed) continue;
        considered++;
        if (c->asked) continue;
        c->asked = 1;
        int dist = ethp2p_discv5_log_distance(c->id, l->target);
        uint16_t ds[3];
        size_t nd = 0;
        ds[nd++] = (uint16_t)(dist ? dist : 1);
        if (dist < 256) ds[nd++] = (uint16_t)(dist + 1);
        if (dist > 1) ds[nd++] = (uint16_t)(dist - 1);
        query *q = malloc(sizeof(*q));
        if (!q) break;
        q->l = l;
        memcpy(q->id, c->id, 32);
        q->depth = c->depth;
        l->inflight++;
        l->info.queries++;
        if (ethp2p_discv5_findnode(l->d, &c->rec, ds, nd, now, on_nodes, q)) {
            l->inflight--;
            c->failed = 1;
            free(q);
        }
    }
    if (l->inflight == 0) finish(l);
}

int ethp2p_discv5_lookup(ethp2p_discv5 *d, const uint8_t target[32], uint64_t now_ms, ethp2p_discv5_lookup_cb cb,
                         void *arg)
{
    lookup *l = calloc(1, sizeof(*l));
    if (!l) return ETHP2P_ENOMEM;
    d->now = now_ms;
    l->d = d;
    memcpy(l->target, target, 32);
    l->cb = cb;
    l->arg = arg;
    /* Seeds: the table's closest, with their records. */
    ethp2p_enode near[LOOKUP_K];
    ethp2p_node_id t;
    memcpy(t.b, target, 32);
    size_t n = ethp2p_table_closest(d->table, &t, LOOKUP_K, 0, near);
    for (size_t i = 0; i < n; i++) {
        const stored_rec *sr = v5_find_record(d, near[i].id.b);
        ethp2p_enr r;
        if (sr && ethp2p_enr_decode(sr->enc, sr->len, &r) == 0) add_cand(l, &r, 0);
    }
    d->lookups_running++;
    step(l, now_ms);
    return 0;
}

/* ---- background ---- */

static void ignore_nodes(void *arg, int err, const ethp2p_enr *recs, size_t n)
{
    (void)arg;
    (void)err;
    (void)recs;
    (void)n; /* the records, verified, were kept (and entered the table) on arrival */
}

/* Asks each bootnode for its own record: the handshake, and a signed record for the table
 * (a bootnode list may give only enode URLs). */
static void contact_bootnodes(ethp2p_discv5 *d, uint64_t now_ms)
{
    static const uint16_t own = 0;
    for (size_t i = 0; i < d->cfg.nbootnodes; i++)
        if (ethp2p_discv5_findnode(d, &d->cfg.bootnodes[i], &own, 1, now_ms, ignore_nodes, NULL))
            ETHP2P_WARN(LOG_MOD, "bootnode not usable", "index=%zu", i);
}

void ethp2p_discv5_start(ethp2p_discv5 *d, uint64_t now_ms)
{
    d->now = now_ms;
    contact_bootnodes(d, now_ms);
    d->next_refresh = now_ms + FIRST_REFRESH_MS;
}

/* Called from ethp2p_discv5_tick: the periodic random lookup. */
uint64_t v5_background(ethp2p_discv5 *d, uint64_t now_ms)
{
    if (!d->cfg.background || !d->next_refresh) return UINT64_MAX;
    if (d->startup_left > 0 && d->lookups_running == 0) {
        /* The start, as the reference's first refresh: random lookups one after another. */
        uint8_t target[32];
        d->startup_left--;
        d->refreshes++;
        v5_rnd_bytes(d, target, 32);
        (void)!ethp2p_discv5_lookup(d, target, now_ms, NULL, NULL);
    }
    if (now_ms >= d->next_refresh) {
        d->next_refresh = now_ms + (d->cfg.refresh_ms ? d->cfg.refresh_ms : DEFAULT_REFRESH_MS);
        if (d->lookups_running == 0) {
            /* Our own ID first and every third time (as the reference's refresh): it fills
             * the nearest buckets, which others' lookups for us end in; random IDs between. */
            uint8_t target[32];
            if (d->refreshes == 0) d->startup_left = STARTUP_RANDOM_LOOKUPS;
            if (d->refreshes++ % 3 == 0) memcpy(target, d->self_id, 32);
            else v5_rnd_bytes(d, target, 32);
            if (ethp2p_table_len(d->table) == 0) contact_bootnodes(d, now_ms); /* nobody known yet */
            (void)!ethp2p_discv5_lookup(d, target, now_ms, NULL, NULL);
        }
    }
    return d->next_refresh;
}

size_t ethp2p_discv5_random_nodes(ethp2p_discv5 *d, ethp2p_enode *out, size_t max)
{
    return ethp2p_table_random(d->table, max, out);
}

size_t ethp2p_discv5_table_len(const ethp2p_discv5 *d) { return ethp2p_table_len(d->table); }

int ethp2p_discv5_record_of(const ethp2p_enode *n, ethp2p_enr *out)
{
    uint8_t comp[34];
    ethp2p_enr_init(out);
    comp[0] = 0xa1; /* RLP: a 33-byte string */
    int rc = ethp2p_pubkey_compress(&n->pubkey, comp + 1);
    if (!rc) rc = ethp2p_enr_set_raw(out, "id", (const uint8_t *)"\x82v4", 3);
    if (!rc) rc = ethp2p_enr_set_raw(out, "secp256k1", comp, sizeof(comp));
    if (!rc && n->ip.family) rc = ethp2p_enr_set_ip(out, &n->ip);
    if (!rc && n->udp) rc = ethp2p_enr_set_port(out, n->ip.family == 6 ? "udp6" : "udp", n->udp);
    return rc;
}

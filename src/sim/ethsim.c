/*
 * The eth simulation: nodes are ethp2p_eth handlers; a link is a pair of
 * peer ends; sends become delivery events in the shared event heap. Each
 * node's timer is one event re-armed at its handler's next deadline.
 *
 * Memory, for 10,000 nodes: a node usually sends the same bytes to many peers
 * in a row (one batch of transactions, one of hashes, peer after peer), so a
 * send equal to one of the node's last few shares its counted buffer instead
 * of copying it; and
 * when each node first saw each transaction is one 4-byte slot per
 * (node, transaction), transactions numbered in the order the network met them.
 */
#include "ethp2p/ethsim.h"
#include "ethp2p/keccak.h"
#include "ethp2p/random.h"
#include "evheap.h"
#include "base/hmap.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX
#define RECENT_SENDS 4
enum { EV_MSG = 0, EV_TIMER = 1, EV_DOWN = 2 };

typedef struct link_end {
    struct ethsim_node *node;
    int link;           /* index of the link; the other end is ends[link ^ 1] */
    ethp2p_eth_peer *ep;
    int down;
} link_end;

typedef struct ethsim_node {
    ethp2p_ethsim *sim;
    size_t index;
    uint8_t id[32];
    ethp2p_eth *eth;
    uint64_t armed;
    uint32_t *seen;     /* by transaction number: first time (ms) + 1, 0: not yet */
    size_t nseen;
} ethsim_node;

/* A message's bytes, shared by the deliveries of equal sends. */
typedef struct blob {
    size_t refs, len;
    uint8_t data[];
} blob;

struct ethp2p_ethsim {
    ethp2p_ethsim_config cfg;
    ethsim_node *nodes;
    link_end *ends;     /* 2 per link */
    size_t nends;
    sim_heap q;
    uint64_t now, rng;
    ethsim_node *current; /* the node whose handler runs (a local submission has no peer) */
    ethp2p_ethsim_stats st;
    hmap txnum;           /* tx hash -> its number + 1 */
    size_t ntx;
    /* The last sends' bytes (a reference held here), all from node last_node. */
    blob *recent[RECENT_SENDS];
    uint64_t recent_code[RECENT_SENDS];
    size_t last_node, next_recent;
};

static void blob_release(blob *b)
{
    if (b && --b->refs == 0) free(b);
}

static void arm(ethp2p_ethsim *s, ethsim_node *n, uint64_t deadline)
{
    if (deadline == NEVER || deadline >= n->armed) return;
    if (deadline < s->now) deadline = s->now;
    n->armed = deadline;
    sim_event ev = {.time = deadline, .type = EV_TIMER, .node = (int)n->index};
    (void)sim_heap_push(&s->q, ev);
}

static int sim_send(void *ctx, void *peer, uint64_t code, const uint8_t *data, size_t len)
{
    ethp2p_ethsim *s = ctx;
    link_end *from = peer;
    if (from->down) return 0;
    link_end *to = &s->ends[from->link ^ 1];
    sim_event ev = {.type = EV_MSG, .node = (int)to->node->index, .aux = from->link ^ 1, .code = code};
    ev.time = s->now + s->cfg.latency_ms + (s->cfg.jitter_ms ? ethp2p_splitmix64(&s->rng) % s->cfg.jitter_ms : 0);
    if (s->last_node != from->node->index) { /* another node sends: its bytes will differ */
        for (int i = 0; i < RECENT_SENDS; i++) blob_release(s->recent[i]), s->recent[i] = NULL;
        s->last_node = from->node->index;
    }
    blob *b = NULL;
    for (int i = 0; i < RECENT_SENDS && !b; i++) {
        blob *r = s->recent[i];
        if (r && s->recent_code[i] == code && r->len == len && memcmp(r->data, data, len) == 0) b = r;
    }
    if (!b) {
        if (!(b = malloc(sizeof(*b) + (len ? len : 1)))) return ETHP2P_ENOMEM;
        b->refs = 1; /* the cache's */
        b->len = len;
        memcpy(b->data, data, len);
        size_t slot = s->next_recent++ % RECENT_SENDS;
        blob_release(s->recent[slot]);
        s->recent[slot] = b;
        s->recent_code[slot] = code;
    }
    b->refs++;
    ev.data = (uint8_t *)b; /* the event's reference */
    ev.len = len;
    s->st.messages++;
    s->st.bytes += len;
    if (sim_heap_push(&s->q, ev)) blob_release(b);
    return 0;
}

static void sim_disconnect(void *ctx, void *peer, int reason)
{
    (void)reason;
    ethp2p_ethsim *s = ctx;
    link_end *a = peer;
    if (a->down) return;
    s->st.drops++;
    /* Both ends go down now; the handlers forget them at once (removal is deferred inside calls). */
    link_end *b = &s->ends[a->link ^ 1];
    a->down = b->down = 1;
    ethp2p_eth_peer_remove(a->node->eth, a->ep);
    ethp2p_eth_peer_remove(b->node->eth, b->ep);
}

static void record_tx(void *ctx, void *peer, const ethp2p_tx *tx, int how)
{
    ethp2p_ethsim *s = ctx;
    ethsim_node *n = peer ? ((link_end *)peer)->node : s->current;
    (void)how;
    if (!n) return;
    uint64_t k = hmap_key(tx->hash);
    size_t num = (size_t)(uintptr_t)hmap_get(&s->txnum, k);
    if (!num) {
        if (hmap_put(&s->txnum, k, (void *)(uintptr_t)(s->ntx + 1))) return;
        num = ++s->ntx;
    }
    size_t i = num - 1;
    if (i >= n->nseen) {
        size_t cap = n->nseen ? n->nseen : 64;
        while (cap <= i) cap *= 2;
        uint32_t *p = realloc(n->seen, cap * sizeof(*p));
        if (!p) return;
        memset(p + n->nseen, 0, (cap - n->nseen) * sizeof(*p));
        n->seen = p;
        n->nseen = cap;
    }
    if (!n->seen[i]) n->seen[i] = (uint32_t)s->now + 1;
}

ethp2p_ethsim *ethp2p_ethsim_new(const ethp2p_ethsim_config *cfg, const ethp2p_chain_config *chain)
{
    ethp2p_ethsim *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->cfg = *cfg;
    if (!s->cfg.version) s->cfg.version = 69;
    s->rng = cfg->seed;
    s->nodes = calloc(cfg->nodes, sizeof(*s->nodes));
    s->ends = calloc(cfg->nodes * cfg->degree * 2 + 2, sizeof(*s->ends));
    if (!s->nodes || !s->ends) goto fail;
    for (size_t i = 0; i < cfg->nodes; i++) {
        ethsim_node *n = &s->nodes[i];
        n->sim = s;
        n->index = i;
        n->armed = NEVER;
        uint64_t r[4];
        for (int k = 0; k < 4; k++) r[k] = ethp2p_splitmix64(&s->rng);
        memcpy(n->id, r, 32);
        ethp2p_eth_config ec;
        memset(&ec, 0, sizeof(ec));
        ec.chain = *chain;
        memcpy(ec.self_id, n->id, 32);
        for (int k = 0; k < 2; k++) { /* the direct-peer key from the seed: runs replay */
            uint64_t z = ethp2p_splitmix64(&s->rng);
            memcpy(ec.broadcast_key + 8 * k, &z, 8);
        }
        ec.head_time = chain->genesis_time;
        ec.ctx = s;
        ec.send = sim_send;
        ec.disconnect = sim_disconnect;
        ec.on_tx = record_tx;
        if (!(n->eth = ethp2p_eth_new(&ec))) goto fail;
    }
    /* Links: node i dials `degree` distinct random others (pairs kept in a map: no pair twice). */
    hmap pairs = {0};
    for (size_t i = 0; i < cfg->nodes && cfg->nodes > 1; i++) {
        for (size_t d = 0; d < cfg->degree; d++) {
            size_t j = 0;
            int ok = 0;
            uint64_t pk = 0;
            for (int tries = 0; tries < 32 && !ok; tries++) {
                j = (size_t)(ethp2p_splitmix64(&s->rng) % cfg->nodes);
                ok = j != i;
                /* (lower, higher) index, mixed so that hmap's slots spread; +1 keeps it non-zero. */
                pk = ((uint64_t)(i < j ? i : j) << 32 | (uint64_t)(i < j ? j : i)) * 0x9e3779b97f4a7c15ULL + 1;
                if (ok && hmap_get(&pairs, pk)) ok = 0;
            }
            if (!ok) continue;
            if (hmap_put(&pairs, pk, (void *)1)) {
                hmap_clear(&pairs);
                goto fail;
            }
            link_end *a = &s->ends[s->nends], *b = &s->ends[s->nends + 1];
            a->node = &s->nodes[i];
            b->node = &s->nodes[j];
            a->link = (int)s->nends;
            b->link = (int)s->nends + 1;
            s->nends += 2;
            s->st.links++;
        }
    }
    hmap_clear(&pairs);
    for (size_t e = 0; e < s->nends; e++) {
        link_end *x = &s->ends[e];
        link_end *y = &s->ends[e ^ 1];
        s->current = x->node;
        x->ep = ethp2p_eth_peer_add(x->node->eth, x, y->node->id, s->cfg.version, s->now);
        s->current = NULL;
        arm(s, x->node, s->now);
    }
    return s;
fail:
    ethp2p_ethsim_free(s);
    return NULL;
}

void ethp2p_ethsim_free(ethp2p_ethsim *s)
{
    if (!s) return;
    for (size_t i = 0; s->nodes && i < s->cfg.nodes; i++) {
        ethp2p_eth_free(s->nodes[i].eth);
        free(s->nodes[i].seen);
    }
    while (s->q.len) {
        sim_event ev = sim_heap_pop(&s->q);
        if (ev.type == EV_MSG) blob_release((blob *)ev.data);
    }
    for (int i = 0; i < RECENT_SENDS; i++) blob_release(s->recent[i]);
    hmap_clear(&s->txnum);
    sim_heap_clear(&s->q);
    free(s->nodes);
    free(s->ends);
    free(s);
}

void ethp2p_ethsim_run_until(ethp2p_ethsim *s, uint64_t t_ms)
{
    while (s->q.len && s->q.ev[0].time <= t_ms) {
        sim_event ev = sim_heap_pop(&s->q);
        s->now = ev.time;
        ethsim_node *n = &s->nodes[ev.node];
        s->current = n;
        if (ev.type == EV_TIMER) {
            if (ev.time != n->armed) {
                s->current = NULL;
                continue; /* stale */
            }
            n->armed = NEVER;
            arm(s, n, ethp2p_eth_tick(n->eth, s->now));
        } else {
            link_end *e = &s->ends[ev.aux];
            blob *b = (blob *)ev.data;
            if (!e->down) {
                ethp2p_eth_receive(n->eth, e->ep, ev.code, b->data, b->len, s->now);
                arm(s, n, ethp2p_eth_tick(n->eth, s->now));
            }
            blob_release(b);
        }
        s->current = NULL;
    }
    if (s->now < t_ms) s->now = t_ms;
}

uint64_t ethp2p_ethsim_now(const ethp2p_ethsim *s) { return s->now; }

int ethp2p_ethsim_submit(ethp2p_ethsim *s, size_t node, const uint8_t *tx, size_t len, uint8_t hash[32])
{
    ethsim_node *n = &s->nodes[node];
    s->current = n;
    int rc = ethp2p_eth_submit(n->eth, tx, len, s->now, hash);
    arm(s, n, s->now); /* a tick right after: a burst of submissions shares messages */
    s->current = NULL;
    return rc;
}

uint64_t ethp2p_ethsim_seen_at(const ethp2p_ethsim *s, size_t node, const uint8_t hash[32])
{
    size_t num = (size_t)(uintptr_t)hmap_get(&s->txnum, hmap_key(hash));
    const ethsim_node *n = &s->nodes[node];
    if (!num || num - 1 >= n->nseen || !n->seen[num - 1]) return UINT64_MAX;
    return (uint64_t)n->seen[num - 1] - 1;
}

void ethp2p_ethsim_get_stats(const ethp2p_ethsim *s, ethp2p_ethsim_stats *out)
{
    *out = s->st;
    for (size_t i = 0; i < s->cfg.nodes; i++) {
        const ethp2p_eth_stats *e = ethp2p_eth_get_stats(s->nodes[i].eth);
        out->full_txs += e->full_out;
        out->announced_hashes += e->announced_out;
        out->requests += e->fetch_requests;
        out->dup_full_same_peer += e->dup_full_same_peer;
    }
}

ethp2p_eth *ethp2p_ethsim_node(ethp2p_ethsim *s, size_t node) { return s->nodes[node].eth; }

size_t ethp2p_ethsim_ready_links(const ethp2p_ethsim *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->cfg.nodes; i++) n += ethp2p_eth_peer_count(s->nodes[i].eth);
    return n / 2;
}

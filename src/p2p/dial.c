/*
 * Dial scheduling and inbound admission. Plain arrays scanned linearly: the
 * sets involved hold at most max peers plus a few hundred entries, and every
 * operation here is rare next to the packets each peer exchanges. (A node run
 * with thousands of peers would want a hash set for `connected`.)
 */
#include "ethp2p/dial.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX

typedef struct id_entry {
    ethp2p_node_id id;
    uint64_t until;   /* history: expiry; peers: 1 if inbound */
} id_entry;

typedef struct id_set {
    id_entry *v;
    size_t n, cap;
} id_set;

struct ethp2p_dialer {
    ethp2p_dialer_config cfg;
    ethp2p_enode statics[ETHP2P_DIAL_MAX_STATIC];
    size_t nstatic;
    ethp2p_enode queue[ETHP2P_DIAL_QUEUE];
    size_t nqueue;
    id_set dialing, history, peers;
    size_t dialing_static;
};

static int same(const ethp2p_node_id *a, const ethp2p_node_id *b) { return memcmp(a->b, b->b, 32) == 0; }

static long set_find(const id_set *s, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < s->n; i++)
        if (same(&s->v[i].id, id)) return (long)i;
    return -1;
}

static int set_add(id_set *s, const ethp2p_node_id *id, uint64_t value)
{
    long i = set_find(s, id);
    if (i >= 0) {
        s->v[i].until = value;
        return 0;
    }
    if (s->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 32;
        id_entry *p = realloc(s->v, ncap * sizeof(*p));
        if (!p) return ETHP2P_ENOMEM;
        s->v = p;
        s->cap = ncap;
    }
    s->v[s->n].id = *id;
    s->v[s->n++].until = value;
    return 0;
}

static void set_remove(id_set *s, const ethp2p_node_id *id)
{
    long i = set_find(s, id);
    if (i >= 0) s->v[i] = s->v[--s->n];
}

static void history_expire(ethp2p_dialer *d, uint64_t now)
{
    for (size_t i = 0; i < d->history.n;)
        if (d->history.v[i].until <= now) d->history.v[i] = d->history.v[--d->history.n];
        else i++;
}

ethp2p_dialer *ethp2p_dialer_new(const ethp2p_dialer_config *cfg)
{
    ethp2p_dialer *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->cfg = *cfg;
    if (!d->cfg.max_active) d->cfg.max_active = ETHP2P_DIAL_DEFAULT_MAX_ACTIVE;
    return d;
}

void ethp2p_dialer_free(ethp2p_dialer *d)
{
    if (!d) return;
    free(d->dialing.v);
    free(d->history.v);
    free(d->peers.v);
    free(d);
}

size_t ethp2p_dialer_max_outbound(const ethp2p_dialer *d)
{
    size_t dialed = d->cfg.max_peers / ETHP2P_DIAL_RATIO;
    return dialed ? dialed : 1;
}

size_t ethp2p_dialer_max_inbound(const ethp2p_dialer *d)
{
    size_t out = ethp2p_dialer_max_outbound(d);
    return d->cfg.max_peers > out ? d->cfg.max_peers - out : 0;
}

int ethp2p_dialer_add_static(ethp2p_dialer *d, const ethp2p_enode *n)
{
    for (size_t i = 0; i < d->nstatic; i++)
        if (same(&d->statics[i].id, &n->id)) return 0;
    if (d->nstatic == ETHP2P_DIAL_MAX_STATIC) return ETHP2P_ENOSPACE;
    d->statics[d->nstatic++] = *n;
    return 0;
}

int ethp2p_dialer_remove_static(ethp2p_dialer *d, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < d->nstatic; i++)
        if (same(&d->statics[i].id, id)) {
            d->statics[i] = d->statics[--d->nstatic];
            return 0;
        }
    return ETHP2P_ENOTFOUND;
}

int ethp2p_dialer_is_connected(const ethp2p_dialer *d, const ethp2p_node_id *id) { return set_find(&d->peers, id) >= 0; }

size_t ethp2p_dialer_peer_count(const ethp2p_dialer *d, size_t *inbound)
{
    if (inbound) {
        *inbound = 0;
        for (size_t i = 0; i < d->peers.n; i++) *inbound += d->peers.v[i].until == 1;
    }
    return d->peers.n;
}

/* Why n may not be dialled now (NULL: it may). */
static const char *blocked(ethp2p_dialer *d, const ethp2p_node_id *id, uint64_t now)
{
    if (same(id, &d->cfg.self)) return "self";
    if (set_find(&d->peers, id) >= 0) return "connected";
    if (set_find(&d->dialing, id) >= 0) return "dialing";
    long h = set_find(&d->history, id);
    if (h >= 0 && d->history.v[h].until > now) return "recently dialed";
    return NULL;
}

static size_t outbound_peers(const ethp2p_dialer *d)
{
    size_t in;
    size_t total = ethp2p_dialer_peer_count(d, &in);
    return total - in;
}

int ethp2p_dialer_wants_candidates(const ethp2p_dialer *d)
{
    if (d->cfg.no_dial) return 0;
    size_t dyn_dialing = d->dialing.n - d->dialing_static;
    return outbound_peers(d) + dyn_dialing < ethp2p_dialer_max_outbound(d) && d->nqueue < ETHP2P_DIAL_QUEUE;
}

int ethp2p_dialer_offer(ethp2p_dialer *d, const ethp2p_enode *n, uint64_t now_ms)
{
    if (d->cfg.no_dial || n->ip.family == 0 || n->tcp == 0) return 0;
    if (blocked(d, &n->id, now_ms) || d->nqueue == ETHP2P_DIAL_QUEUE) return 0;
    for (size_t i = 0; i < d->nqueue; i++)
        if (same(&d->queue[i].id, &n->id)) return 0;
    d->queue[d->nqueue++] = *n;
    return 1;
}

static void start(ethp2p_dialer *d, const ethp2p_enode *n, int is_static, uint64_t now)
{
    (void)set_add(&d->dialing, &n->id, is_static);
    (void)set_add(&d->history, &n->id, now + ETHP2P_DIAL_HISTORY_MS);
    if (is_static) d->dialing_static++;
}

int ethp2p_dialer_next(ethp2p_dialer *d, uint64_t now_ms, ethp2p_enode *out, int *is_static)
{
    history_expire(d, now_ms);
    if (d->dialing.n >= d->cfg.max_active) return 0;
    /* Static nodes first, whatever the slot count: they are always wanted. */
    for (size_t i = 0; i < d->nstatic; i++) {
        if (blocked(d, &d->statics[i].id, now_ms)) continue;
        *out = d->statics[i];
        *is_static = 1;
        start(d, out, 1, now_ms);
        return 1;
    }
    while (d->nqueue > 0 && ethp2p_dialer_wants_candidates(d)) {
        ethp2p_enode n = d->queue[0];
        memmove(&d->queue[0], &d->queue[1], (d->nqueue - 1) * sizeof(d->queue[0]));
        d->nqueue--;
        if (blocked(d, &n.id, now_ms)) continue; /* became connected or dialled meanwhile */
        *out = n;
        *is_static = 0;
        start(d, out, 0, now_ms);
        return 1;
    }
    return 0;
}

void ethp2p_dialer_dial_done(ethp2p_dialer *d, const ethp2p_node_id *id)
{
    long i = set_find(&d->dialing, id);
    if (i < 0) return;
    if (d->dialing.v[i].until) d->dialing_static--;
    d->dialing.v[i] = d->dialing.v[--d->dialing.n];
}

uint64_t ethp2p_dialer_next_deadline(const ethp2p_dialer *d)
{
    uint64_t next = NEVER;
    for (size_t i = 0; i < d->history.n; i++)
        if (d->history.v[i].until < next) next = d->history.v[i].until;
    return next;
}

void ethp2p_dialer_peer_added(ethp2p_dialer *d, const ethp2p_node_id *id, int inbound)
{
    (void)set_add(&d->peers, id, inbound ? 1 : 0);
    for (size_t i = 0; i < d->nqueue; i++)
        if (same(&d->queue[i].id, id)) {
            memmove(&d->queue[i], &d->queue[i + 1], (d->nqueue - i - 1) * sizeof(d->queue[0]));
            d->nqueue--;
            break;
        }
}

void ethp2p_dialer_peer_removed(ethp2p_dialer *d, const ethp2p_node_id *id, int lost_race)
{
    set_remove(&d->peers, id);
    if (lost_race) set_remove(&d->history, id); /* redial soon */
}

int ethp2p_dialer_admit(const ethp2p_dialer *d, const ethp2p_node_id *id, int inbound, int trusted)
{
    if (same(id, &d->cfg.self)) return 0x0a;              /* connected to self */
    if (set_find(&d->peers, id) >= 0) return 0x05;         /* already connected */
    if (trusted) return 0;
    size_t in;
    size_t total = ethp2p_dialer_peer_count(d, &in);
    if (total >= d->cfg.max_peers) return 0x04;            /* too many peers */
    if (inbound && in >= ethp2p_dialer_max_inbound(d)) return 0x04;
    return 0;
}

int ethp2p_dial_keep_outbound(const ethp2p_node_id *self, const ethp2p_node_id *remote)
{
    return memcmp(self->b, remote->b, 32) < 0;
}

/* ---- inbound throttle ---- */

struct ethp2p_inbound_throttle {
    struct { ethp2p_ip ip; uint64_t until; } *v;
    size_t n, cap;
};

ethp2p_inbound_throttle *ethp2p_inbound_throttle_new(void) { return calloc(1, sizeof(ethp2p_inbound_throttle)); }

void ethp2p_inbound_throttle_free(ethp2p_inbound_throttle *t)
{
    if (!t) return;
    free(t->v);
    free(t);
}

int ethp2p_inbound_throttle_check(ethp2p_inbound_throttle *t, const ethp2p_ip *ip, uint64_t now_ms)
{
    if (ethp2p_ip_is_lan(ip)) return 0; /* loopback and LAN exempt (reference) */
    for (size_t i = 0; i < t->n;)
        if (t->v[i].until <= now_ms) t->v[i] = t->v[--t->n];
        else i++;
    for (size_t i = 0; i < t->n; i++)
        if (ethp2p_ip_equal(&t->v[i].ip, ip)) return 1;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        void *p = realloc(t->v, ncap * sizeof(*t->v));
        if (!p) return 0;
        t->v = p;
        t->cap = ncap;
    }
    t->v[t->n].ip = *ip;
    t->v[t->n++].until = now_ms + ETHP2P_INBOUND_THROTTLE_MS;
    return 0;
}

size_t ethp2p_inbound_pending_per_ip(size_t max_pending) { return max_pending / 8 ? max_pending / 8 : 1; }
size_t ethp2p_inbound_pending_per_subnet(size_t max_pending) { return max_pending / 2 ? max_pending / 2 : 1; }

int ethp2p_inbound_may_start(size_t pending, size_t same_ip, size_t same_subnet, size_t max_pending)
{
    return pending < max_pending && same_ip < ethp2p_inbound_pending_per_ip(max_pending) &&
           same_subnet < ethp2p_inbound_pending_per_subnet(max_pending);
}

/*
 * discv4 core: packets in and out, endpoint proofs, replies matched to
 * requests, revalidation and refresh timers. Lookups live in discv4_lookup.c.
 *
 * The one design rule: every remote action is checked before it costs us
 * anything. A packet is authenticated (v4wire), checked for expiry, and a
 * request is answered only for a node that proved its endpoint (answered our
 * Ping at that IP within 24 h) - without that, FindNode would let anyone
 * aim our Neighbours replies at a victim (amplification).
 *
 * Requests are objects on lists (pending replies, sleeping queries) with
 * deadlines; tick() walks them. Callbacks run after the object has been
 * unlinked, so they may start new requests.
 */
#include "discover/discv4_internal.h"
#include "ethp2p/iptrack.h"
#include "ethp2p/log.h"
#include "ethp2p/nodedb.h"
#include "ethp2p/random.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX
#define LOG_MOD "discv4"
/* A node that pinged us gets its FindNode answered this soon after our Pong. */
#define BOND_GRACE_MS ETHP2P_DISCV4_REPLY_TIMEOUT_MS
#define BONDS_EXPIRE_EVERY_MS (3600ULL * 1000)
#define EMPTY_TABLE_RETRY_MS (10ULL * 1000)
#define MAX_PENDING 4096 /* bounds memory whatever remotes do */

uint64_t discv4_rand(ethp2p_discv4 *d) { return ethp2p_splitmix64(&d->rng); }

void discv4_fmt_addr(const ethp2p_udp_addr *a, char *out, size_t cap)
{
    char ip[64];
    ethp2p_ip_format(&a->ip, ip, sizeof(ip));
    snprintf(out, cap, a->ip.family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
}

void discv4_fmt_id(const ethp2p_node_id *id, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hex[id->b[i] >> 4];
        out[2 * i + 1] = hex[id->b[i] & 15];
    }
    out[16] = '\0';
}

void discv4_log_drop(const ethp2p_udp_addr *from, const char *type, const char *reason)
{
    if (!ethp2p_log_enabled(ETHP2P_LOG_DEBUG)) return;
    char a[80];
    discv4_fmt_addr(from, a, sizeof(a));
    ethp2p_log(ETHP2P_LOG_DEBUG, LOG_MOD, "drop packet", "from=%s type=%s reason=\"%s\"", a, type, reason);
}

static int sign_record(ethp2p_discv4 *d)
{
    static _Thread_local ethp2p_enr r; /* 2 KiB: off the stack */
    ethp2p_enr_init(&r);
    r.seq = d->cfg.enr_seq ? d->cfg.enr_seq : 1;
    int rc = 0;
    if (d->self.ip.family) {
        rc = ethp2p_enr_set_ip(&r, &d->self.ip);
        int v6 = d->self.ip.family == 6;
        if (!rc) rc = ethp2p_enr_set_port(&r, v6 ? "tcp6" : "tcp", d->self.tcp);
        if (!rc) rc = ethp2p_enr_set_port(&r, v6 ? "udp6" : "udp", d->self.udp);
    }
    if (!rc) rc = ethp2p_enr_sign(&r, &d->cfg.key);
    if (!rc) rc = ethp2p_enr_encode(&r, d->record_rlp, sizeof(d->record_rlp), &d->record_len);
    if (rc) return rc;
    d->record_seq = r.seq;
    if (d->record_view) *d->record_view = r;
    return 0;
}

int discv4_local_record(const ethp2p_discv4 *d, ethp2p_enr *out)
{
    return ethp2p_enr_decode(d->record_rlp, d->record_len, out);
}

ethp2p_discv4 *ethp2p_discv4_new(const ethp2p_discv4_config *cfg, uint64_t now_ms)
{
    if (!cfg->send) return NULL;
    ethp2p_pubkey pub;
    if (ethp2p_privkey_to_pubkey(&cfg->key, &pub)) return NULL;
    ethp2p_discv4 *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->cfg = *cfg;
    d->rng = cfg->seed;
    if (ethp2p_enode_init(&d->self, &pub, cfg->ip.family ? &cfg->ip : NULL, cfg->tcp_port, cfg->udp_port) ||
        sign_record(d) || !(d->table = ethp2p_table_new_pooled(&d->self.id, cfg->seed ^ 0x5eed, cfg->idpool))) {
        ethp2p_table_free(d->table);
        free(d);
        return NULL;
    }
    /* The bond store's hash key, from the secret seed without drawing on d->rng. */
    uint64_t ks = cfg->seed ^ 0xb0d5b0d5b0d5b0d5ULL, kw[2] = {ethp2p_splitmix64(&ks), ethp2p_splitmix64(&ks)};
    bonds_init(&d->bonds, (const uint8_t *)kw);
    d->refresh_at = d->reval_at = NEVER;
    d->bonds_expire_at = now_ms + BONDS_EXPIRE_EVERY_MS;
    d->last_clock_check = 0;
    return d;
}

void ethp2p_discv4_free(ethp2p_discv4 *d)
{
    if (!d) return;
    /* Every outstanding request completes, with ETHP2P_ECANCELED, so that the
     * owners of callback contexts get them back. */
    d->closing = 1;
    free(d->iptrack);
    free(d->record_view);
    d->iptrack = NULL;
    while (d->pending) discv4_pending_finish(d, d->pending, ETHP2P_ECANCELED, NULL, 0);
    while (d->sleeping) {
        query *q = d->sleeping;
        d->sleeping = q->next;
        if (q->done) q->done(d, q, ETHP2P_ECANCELED, NULL, 0, NULL, 0);
        free(q);
    }
    lookups_free(d);
    bonds_clear(&d->bonds);
    ethp2p_table_free(d->table);
    free(d->walk);
    free(d);
}

ethp2p_table *ethp2p_discv4_table(ethp2p_discv4 *d) { return d->table; }
const ethp2p_discv4_stats *ethp2p_discv4_get_stats(const ethp2p_discv4 *d) { return &d->stats; }
const ethp2p_enr *ethp2p_discv4_local_record(const ethp2p_discv4 *d)
{
    ethp2p_discv4 *m = (ethp2p_discv4 *)d; /* the view is a cache: filled on first use */
    if (!m->record_view) {
        if (!(m->record_view = malloc(sizeof(*m->record_view)))) return NULL;
        if (discv4_local_record(d, m->record_view)) {
            free(m->record_view);
            m->record_view = NULL;
        }
    }
    return m->record_view;
}
const ethp2p_enode *ethp2p_discv4_self(const ethp2p_discv4 *d) { return &d->self; }

void ethp2p_discv4_set_found_hook(ethp2p_discv4 *d, void (*fn)(void *ctx, const ethp2p_enode *n), void *ctx)
{
    d->cfg.on_node_found = fn;
    d->cfg.hook_ctx = ctx;
}

void discv4_endpoint_statement(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_endpoint *to, uint64_t now)
{
    if (!d->cfg.track_endpoint || !to->udp || !to->ip.family || ethp2p_ip_is_unspecified(&to->ip)) return;
    if (!d->iptrack) {
        if (!(d->iptrack = malloc(sizeof(*d->iptrack)))) return;
        ethp2p_iptrack_init(d->iptrack, 0, 0);
    }
    if (!ethp2p_iptrack_add(d->iptrack, &from->ip, &to->ip, to->udp, now)) return; /* a host repeating itself */
    ethp2p_ip ip;
    uint16_t port;
    if (!ethp2p_iptrack_predict(d->iptrack, now, &ip, &port)) return;
    if (ethp2p_ip_equal(&ip, &d->self.ip) && port == d->self.udp) return;
    char was[46] = "none", is[46];
    uint16_t was_port = d->self.udp;
    if (d->self.ip.family) ethp2p_ip_format(&d->self.ip, was, sizeof(was));
    ethp2p_ip_format(&ip, is, sizeof(is));
    if (ethp2p_discv4_set_endpoint(d, &ip, port, d->self.tcp)) return;
    ETHP2P_INFO(LOG_MOD, "external endpoint predicted from peers", "ip=%s udp=%u was=%s:%u seq=%llu hosts=%zu", is, port, was,
                was_port, (unsigned long long)d->record_seq, d->iptrack->n);
    if (d->cfg.on_endpoint) d->cfg.on_endpoint(d->cfg.hook_ctx, &d->self);
}

void ethp2p_discv4_set_tracking(ethp2p_discv4 *d, int on) { d->cfg.track_endpoint = on; }

int ethp2p_discv4_set_endpoint(ethp2p_discv4 *d, const ethp2p_ip *ip, uint16_t udp, uint16_t tcp)
{
    d->self.ip = *ip;
    d->self.udp = udp;
    d->self.tcp = tcp;
    d->cfg.enr_seq = d->record_seq + 1;
    return sign_record(d);
}

int discv4_netrestrict_allows(const ethp2p_discv4 *d, const ethp2p_ip *ip)
{
    return ethp2p_netlist_contains(d->cfg.netrestrict, ip);
}

const char *discv4_check_relayed(const ethp2p_discv4 *d, const ethp2p_ip *sender_ip, const ethp2p_enode *n)
{
    /* discv4 over UDP below 1024 is never a real node (the reference drops them too). */
    if (n->udp <= 1024) return "low port";
    const char *why = ethp2p_ip_relay_problem(sender_ip, &n->ip);
    if (why) return why;
    if (!discv4_netrestrict_allows(d, &n->ip)) return "netrestrict";
    if (memcmp(n->id.b, d->self.id.b, 32) == 0) return "self";
    return NULL;
}

int discv4_send(ethp2p_discv4 *d, const ethp2p_udp_addr *to, ethp2p_v4_packet *p, uint64_t now, uint8_t hash[32])
{
    if (p->type != ETHP2P_V4_ENRRESPONSE) p->expiration = now / 1000 + ETHP2P_V4_EXPIRATION_SECONDS;
    uint8_t buf[ETHP2P_V4_MAX_PACKET];
    size_t len;
    int rc = ethp2p_v4_encode_with(d->cfg.signer, &d->cfg.key, &d->self.pubkey, p, buf, &len, hash);
    if (rc) {
        ETHP2P_ERROR(LOG_MOD, "cannot encode packet", "type=%s err=\"%s\"", ethp2p_v4_type_name(p->type),
                     ethp2p_strerror(rc));
        return rc;
    }
    d->stats.packets_out++;
    d->stats.out_by_type[p->type]++;
    d->cfg.send(d->cfg.io_ctx, to, buf, len);
    return 0;
}

void discv4_addr_of(const ethp2p_enode *n, ethp2p_udp_addr *a)
{
    a->ip = n->ip;
    a->port = n->udp;
}

void discv4_our_endpoint(const ethp2p_discv4 *d, ethp2p_v4_endpoint *ep)
{
    ep->ip = d->self.ip;
    ep->udp = d->self.udp;
    ep->tcp = d->self.tcp;
}

/* ---- bonds, with the node DB behind the in-memory store ---- */

bond_entry *discv4_bond(ethp2p_discv4 *d, const ethp2p_node_id *id, const ethp2p_ip *ip, int create)
{
    uint64_t key = bonds_key(&d->bonds, id, ip); /* one SipHash, whichever way this goes */
    bond_entry *b = bonds_find(&d->bonds, key, 0);
    if (b || !d->cfg.db) return b ? b : (create ? bonds_find(&d->bonds, key, 1) : NULL);
    ethp2p_nodedb_endpoint e;
    if (ethp2p_nodedb_get_endpoint(d->cfg.db, id, ip, &e) != 0) return create ? bonds_find(&d->bonds, key, 1) : NULL;
    if (!(b = bonds_find(&d->bonds, key, 1))) return NULL;
    b->last_ping_s = bond_secs(e.last_ping_ms);
    b->last_pong_s = bond_secs(e.last_pong_ms);
    bond_set_fails(b, e.find_fails);
    return b;
}

void discv4_bond_persist(ethp2p_discv4 *d, const ethp2p_node_id *id, const ethp2p_ip *ip, const bond_entry *b)
{
    if (!d->cfg.db || !b) return;
    ethp2p_nodedb_endpoint e = {bond_ms(b->last_ping_s), bond_ms(b->last_pong_s), bond_fails(b)};
    (void)ethp2p_nodedb_set_endpoint(d->cfg.db, id, ip, &e);
}

/* ---- pending replies ---- */

static pending *pending_add(ethp2p_discv4 *d, const ethp2p_enode *n, uint8_t reply_type, const uint8_t hash[32],
                            uint64_t now, pending_done_fn done, void *arg, void *arg2)
{
    if (d->npending >= MAX_PENDING) return NULL;
    pending *p = calloc(1, sizeof(*p));
    if (!p) return NULL;
    p->node = *n;
    p->reply_type = reply_type;
    if (hash) memcpy(p->hash, hash, 32);
    p->deadline = now + ETHP2P_DISCV4_REPLY_TIMEOUT_MS;
    p->done = done;
    p->arg = arg;
    p->arg2 = arg2;
    p->next = d->pending;
    d->pending = p;
    d->npending++;
    return p;
}

/* Unlinks a request still on the list (tick() detaches expired ones itself). */
static void pending_unlink(ethp2p_discv4 *d, pending *target)
{
    for (pending **pp = &d->pending; *pp; pp = &(*pp)->next)
        if (*pp == target) {
            *pp = target->next;
            return;
        }
}

void discv4_pending_finish(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    if (!p->detached) pending_unlink(d, p);
    d->npending--;
    if (err == ETHP2P_ETIMEDOUT) {
        d->stats.timeouts++;
        if (++d->stats.consecutive_timeouts > ETHP2P_DISCV4_NTP_TIMEOUT_THRESHOLD && d->cfg.on_clock_suspect &&
            now - d->last_clock_check >= ETHP2P_DISCV4_NTP_MIN_INTERVAL_MS) {
            d->last_clock_check = now;
            d->cfg.on_clock_suspect(d->cfg.hook_ctx);
        }
    } else {
        d->stats.consecutive_timeouts = 0;
    }
    if (p->done) p->done(d, p, err, reply, now);
    free(p);
}

/*
 * Finds the request a reply answers: same node ID, same IP, expected type, and
 * (for Pong and ENRResponse) the hash of our request. Returns 1 if matched.
 */
int discv4_match_reply(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_meta *meta,
                       const ethp2p_v4_packet *pkt, uint64_t now)
{
    for (pending *p = d->pending; p; p = p->next) {
        if (p->reply_type != pkt->type || memcmp(p->node.id.b, meta->sender_id.b, 32) != 0 ||
            !ethp2p_ip_equal(&p->node.ip, &from->ip))
            continue;
        if (pkt->type == ETHP2P_V4_PONG && memcmp(p->hash, pkt->u.pong.ping_hash, 32) != 0) continue; /* no proof */
        if (pkt->type == ETHP2P_V4_ENRRESPONSE && memcmp(p->hash, pkt->u.enrresponse.request_hash, 32) != 0)
            continue;
        if (pkt->type == ETHP2P_V4_NEIGHBOURS) {
            /* Collect; the request completes at 16 nodes or at its deadline, which
             * more packets do not extend. */
            d->stats.consecutive_timeouts = 0;
            for (size_t i = 0; i < pkt->u.neighbours.count; i++) {
                p->nreceived++;
                const ethp2p_v4_neighbour *nb = &pkt->u.neighbours.nodes[i];
                ethp2p_enode n;
                const char *why = NULL;
                if (ethp2p_enode_init(&n, &nb->key, &nb->ep.ip, nb->ep.tcp, nb->ep.udp)) why = "bad key";
                else why = discv4_check_relayed(d, &from->ip, &n);
                if (!why && memcmp(n.id.b, meta->sender_id.b, 32) == 0) why = "sender itself";
                if (why) {
                    d->stats.neighbours_rejected++;
                    ETHP2P_TRACE(LOG_MOD, "skip neighbour", "reason=\"%s\"", why);
                    continue;
                }
                if (d->cfg.on_node_found) d->cfg.on_node_found(d->cfg.hook_ctx, &n);
                if (p->nnodes < ETHP2P_TABLE_BUCKET_SIZE) p->nodes[p->nnodes++] = n;
            }
            if (p->nreceived >= ETHP2P_TABLE_BUCKET_SIZE) discv4_pending_finish(d, p, 0, pkt, now);
            return 1;
        }
        if (pkt->type == ETHP2P_V4_PONG) {
            discv4_note_pong(d, &p->node, now);
            discv4_endpoint_statement(d, from, &pkt->u.pong.to, now);
        }
        discv4_pending_finish(d, p, 0, pkt, now);
        return 1;
    }
    return 0;
}

/* ---- ping ---- */

/* The user's callback and argument, carried through a request (ping, ENR, FindNode). */
typedef struct user_cb {
    union {
        ethp2p_discv4_ping_cb ping;
        ethp2p_discv4_enr_cb enr;
        ethp2p_discv4_findnode_cb findnode;
    } fn;
    void *arg;
} user_cb;

static user_cb *user_cb_new(void *arg)
{
    user_cb *c = calloc(1, sizeof(*c));
    if (c) c->arg = arg;
    return c;
}

int discv4_send_ping(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now, pending_done_fn done, void *arg,
                     void *arg2)
{
    ethp2p_v4_packet pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PING;
    pkt.u.ping.version = 4;
    discv4_our_endpoint(d, &pkt.u.ping.from);
    pkt.u.ping.to.ip = n->ip;
    pkt.u.ping.to.udp = n->udp;
    pkt.u.ping.to.tcp = n->tcp;
    pkt.u.ping.has_enr_seq = 1;
    pkt.u.ping.enr_seq = d->record_seq;
    ethp2p_udp_addr to;
    discv4_addr_of(n, &to);
    uint8_t hash[32];
    int rc = discv4_send(d, &to, &pkt, now, hash);
    if (rc) return rc;
    return pending_add(d, n, ETHP2P_V4_PONG, hash, now, done, arg, arg2) ? 0 : ETHP2P_EBUSY;
}

/* Every Pong we match is an endpoint proof of the sender at that IP. */
void discv4_note_pong(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now)
{
    bond_entry *b = discv4_bond(d, &n->id, &n->ip, 1);
    if (b) {
        b->last_pong_s = bond_secs(now);
        discv4_bond_persist(d, &n->id, &n->ip, b);
    }
}

static void user_ping_done(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    user_cb *c = p->arg;
    if (c->fn.ping) c->fn.ping(c->arg, err, err ? 0 : reply->u.pong.enr_seq);
    free(c);
}

int ethp2p_discv4_ping(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now_ms, ethp2p_discv4_ping_cb cb, void *arg)
{
    user_cb *c = user_cb_new(arg);
    if (!c) return ETHP2P_ENOMEM;
    c->fn.ping = cb;
    int rc = discv4_send_ping(d, n, now_ms, user_ping_done, c, NULL);
    if (rc) free(c);
    return rc;
}

/* ---- queries: FindNode and ENRRequest, bonding first when needed ---- */


static void query_free_fail(ethp2p_discv4 *d, query *q, int err, uint64_t now)
{
    if (q->done) q->done(d, q, err, NULL, 0, NULL, now);
    free(q);
}

static void bond_ping_done(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    query *q = p->arg;
    if (err == ETHP2P_ECANCELED) {
        query_free_fail(d, q, err, now);
        return;
    }
    /* As the reference: whatever the Ping's outcome, give the remote a moment to
     * ping us back (it needs our Pong as its proof), then ask. */
    q->wake_at = now + BOND_GRACE_MS;
    q->next = d->sleeping;
    d->sleeping = q;
}

int discv4_query(ethp2p_discv4 *d, uint8_t type, const ethp2p_enode *n, const ethp2p_pubkey *target, uint64_t now,
                 query_done_fn done, void *arg, void *arg2)
{
    query *q = calloc(1, sizeof(*q));
    if (!q) return ETHP2P_ENOMEM;
    q->type = type;
    q->node = *n;
    if (target) q->target = *target;
    q->done = done;
    q->arg = arg;
    q->arg2 = arg2;
    /* The remote answers only if it holds a recent proof of us: we must have
     * answered its Ping lately (rebond before the spec's 12 h). A FindNode that
     * failed since suggests it does not (our Pong may have been lost): prove
     * ourselves again rather than wait for the reference's 5 failures. */
    bond_entry *b = discv4_bond(d, &n->id, &n->ip, 0);
    int bonded = b && bond_age(b->last_ping_s, now) < ETHP2P_DISCV4_REBOND_MS && bond_fails(b) == 0;
    if (bonded) {
        discv4_query_send(d, q, now);
        return 0;
    }
    q->wake_at = NEVER;
    int rc = discv4_send_ping(d, n, now, bond_ping_done, q, NULL);
    if (rc) free(q);
    return rc;
}

static void query_reply_done(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    query *q = p->arg;
    if (q->type == ETHP2P_V4_FINDNODE) {
        bond_entry *b = discv4_bond(d, &q->node.id, &q->node.ip, 1);
        /* A timeout with nothing received is a failure; partial answers count as success. */
        int failed = err && p->nreceived == 0;
        if (b && (failed || bond_fails(b))) {
            bond_set_fails(b, failed ? bond_fails(b) + 1 : 0);
            discv4_bond_persist(d, &q->node.id, &q->node.ip, b);
        }
        if (failed && b && bond_fails(b) >= ETHP2P_DISCV4_MAX_FINDNODE_FAILURES)
            (void)ethp2p_table_remove(d->table, &q->node.id, now);
        if (q->done) q->done(d, q, failed ? ETHP2P_ETIMEDOUT : 0, p->nodes, p->nnodes, NULL, now);
        free(q);
        return;
    }
    /* ENRResponse: verified, the sender's own, and not older than what we know. */
    if (err) {
        query_free_fail(d, q, err, now);
        return;
    }
    const ethp2p_enr *rec = &reply->u.enrresponse.record;
    ethp2p_node_id rid;
    int rc = ethp2p_enr_verify(rec);
    if (!rc) rc = ethp2p_enr_node_id(rec, &rid);
    if (!rc && memcmp(rid.b, q->node.id.b, 32) != 0) rc = ETHP2P_ESIG;
    if (rc) {
        ETHP2P_DEBUG(LOG_MOD, "invalid ENR response", "err=\"%s\"", ethp2p_strerror(rc));
        query_free_fail(d, q, rc, now);
        return;
    }
    ethp2p_table_node *tn = ethp2p_table_get(d->table, &q->node.id);
    if (tn && rec->seq < tn->seq) {
        query_free_fail(d, q, ETHP2P_ERECORD_FIELD, now);
        return;
    }
    /* A verified, newer record updates the table here, once, whoever asked. */
    ethp2p_enode e;
    if (ethp2p_enr_to_enode(rec, &e) == 0 && e.ip.family)
        q->endpoint_changed = ethp2p_table_update_record(d->table, &e, rec->seq);
    if (q->done) q->done(d, q, 0, NULL, 0, rec, now);
    free(q);
}

void discv4_query_send(ethp2p_discv4 *d, query *q, uint64_t now)
{
    ethp2p_v4_packet pkt;
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = q->type;
    if (q->type == ETHP2P_V4_FINDNODE) pkt.u.findnode.target = q->target;
    ethp2p_udp_addr to;
    discv4_addr_of(&q->node, &to);
    uint8_t hash[32];
    int rc = discv4_send(d, &to, &pkt, now, hash);
    uint8_t reply = q->type == ETHP2P_V4_FINDNODE ? ETHP2P_V4_NEIGHBOURS : ETHP2P_V4_ENRRESPONSE;
    if (rc || !pending_add(d, &q->node, reply, hash, now, query_reply_done, q, NULL))
        query_free_fail(d, q, rc ? rc : ETHP2P_EBUSY, now);
}

/* ---- ENR request API ---- */

static void user_enr_done(ethp2p_discv4 *d, query *q, int err, const ethp2p_enode *nodes, size_t n,
                          const ethp2p_enr *record, uint64_t now)
{
    user_cb *c = q->arg;
    if (c->fn.enr) c->fn.enr(c->arg, err, err ? NULL : record);
    free(c);
}

int ethp2p_discv4_request_enr(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now_ms, ethp2p_discv4_enr_cb cb,
                              void *arg)
{
    user_cb *c = user_cb_new(arg);
    if (!c) return ETHP2P_ENOMEM;
    c->fn.enr = cb;
    int rc = discv4_query(d, ETHP2P_V4_ENRREQUEST, n, NULL, now_ms, user_enr_done, c, NULL);
    if (rc) free(c);
    return rc;
}

/* ---- FindNode API ---- */

static void user_findnode_done(ethp2p_discv4 *d, query *q, int err, const ethp2p_enode *nodes, size_t n,
                               const ethp2p_enr *record, uint64_t now)
{
    user_cb *c = q->arg;
    if (c->fn.findnode) c->fn.findnode(c->arg, err, nodes, n);
    free(c);
}

int ethp2p_discv4_findnode(ethp2p_discv4 *d, const ethp2p_enode *n, const ethp2p_pubkey *target, uint64_t now_ms,
                           ethp2p_discv4_findnode_cb cb, void *arg)
{
    user_cb *c = user_cb_new(arg);
    if (!c) return ETHP2P_ENOMEM;
    c->fn.findnode = cb;
    int rc = discv4_query(d, ETHP2P_V4_FINDNODE, n, target, now_ms, user_findnode_done, c, NULL);
    if (rc) free(c);
    return rc;
}

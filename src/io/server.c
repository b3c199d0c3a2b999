/*
 * The devp2p server on libuv: discovery feeds the dial scheduler, the
 * scheduler's choices are dialled over TCP, the listener admits inbound
 * connections within the limits, and every connection that passes its Hello
 * and admission becomes a peer. A timer drives the dialler; everything else
 * reacts to socket events.
 */
#include "ethp2p/server.h"
#include "ethp2p/enr.h"
#include "ethp2p/hex.h"
#include "ethp2p/json.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <uv.h>

#define LOG_MOD "p2p"
#define DIAL_TICK_MS 200

struct ethp2p_server {
    uv_loop_t *loop;
    ethp2p_server_config cfg;
    ethp2p_enode self;
    ethp2p_discv4_udp *udp;
    ethp2p_rlpx_listener *listener;
    ethp2p_dialer *dialer;
    ethp2p_inbound_throttle *throttle;
    uv_timer_t dial_timer;
    ethp2p_peer **conns;
    size_t nconns, cap;
    ethp2p_node_id *trusted;
    size_t ntrusted, trusted_cap;
    ethp2p_conn_budget budget;   /* receive memory shared by every connection */
    ethp2p_server_stats stats;
    int stopping, timer_closed;
    /* Dial candidates from other sources (DNS node lists), offered when the dialer wants some. */
    ethp2p_enode extra[ETHP2P_SERVER_MAX_CANDIDATES];
    size_t extra_head, extra_len;
};

static int conns_add(ethp2p_server *s, ethp2p_peer *p)
{
    if (s->nconns == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        ethp2p_peer **v = realloc(s->conns, ncap * sizeof(*v));
        if (!v) return ETHP2P_ENOMEM;
        s->conns = v;
        s->cap = ncap;
    }
    s->conns[s->nconns++] = p;
    return 0;
}

static size_t pending_count(const ethp2p_server *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nconns; i++) n += !s->conns[i]->active;
    return n;
}

static ethp2p_peer *find_active(ethp2p_server *s, const ethp2p_node_id *id, const ethp2p_peer *except)
{
    for (size_t i = 0; i < s->nconns; i++) {
        ethp2p_peer *p = s->conns[i];
        if (p != except && p->active && memcmp(p->node.id.b, id->b, 32) == 0) return p;
    }
    return NULL;
}

static ssize_t trusted_index(const ethp2p_server *s, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < s->ntrusted; i++)
        if (memcmp(s->trusted[i].b, id->b, 32) == 0) return (ssize_t)i;
    return -1;
}

static int is_trusted(const ethp2p_server *s, const ethp2p_node_id *id) { return trusted_index(s, id) >= 0; }

static ethp2p_peer *find_peer(ethp2p_server *s, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i]->active && memcmp(s->conns[i]->node.id.b, id->b, 32) == 0) return s->conns[i];
    return NULL;
}

int ethp2p_server_add_trusted(ethp2p_server *s, const ethp2p_node_id *id)
{
    if (is_trusted(s, id)) return 0;
    if (s->ntrusted == s->trusted_cap) {
        size_t ncap = s->trusted_cap ? s->trusted_cap * 2 : 16;
        ethp2p_node_id *v = realloc(s->trusted, ncap * sizeof(*v));
        if (!v) return ETHP2P_ENOMEM;
        s->trusted = v;
        s->trusted_cap = ncap;
    }
    s->trusted[s->ntrusted++] = *id;
    ethp2p_peer *p = find_peer(s, id);
    if (p) p->trusted = 1;
    return 0;
}

int ethp2p_server_remove_trusted(ethp2p_server *s, const ethp2p_node_id *id)
{
    ssize_t i = trusted_index(s, id);
    if (i < 0) return ETHP2P_ENOTFOUND;
    s->trusted[i] = s->trusted[--s->ntrusted];
    ethp2p_peer *p = find_peer(s, id);
    if (p) p->trusted = 0;
    return 0;
}

void ethp2p_server_add_candidate(ethp2p_server *s, const ethp2p_enode *n)
{
    if (!n->tcp || !ethp2p_netlist_contains(s->cfg.netrestrict, &n->ip)) return;
    if (s->extra_len == ETHP2P_SERVER_MAX_CANDIDATES) { /* the oldest goes */
        s->extra_head = (s->extra_head + 1) % ETHP2P_SERVER_MAX_CANDIDATES;
        s->extra_len--;
    }
    s->extra[(s->extra_head + s->extra_len++) % ETHP2P_SERVER_MAX_CANDIDATES] = *n;
}

int ethp2p_server_add_static(ethp2p_server *s, const ethp2p_enode *n)
{
    int rc = ethp2p_dialer_add_static(s->dialer, n);
    ethp2p_peer *p = find_peer(s, &n->id);
    if (!rc && p) p->is_static = 1;
    return rc;
}

int ethp2p_server_remove_static(ethp2p_server *s, const ethp2p_node_id *id)
{
    int rc = ethp2p_dialer_remove_static(s->dialer, id);
    ethp2p_peer *p = find_peer(s, id);
    if (p) {
        p->is_static = 0;
        ethp2p_server_disconnect(p, ETHP2P_DISC_REQUESTED);
    }
    return rc;
}

void ethp2p_server_disconnect(ethp2p_peer *p, int reason)
{
    ethp2p_conn_disconnect(ethp2p_rlpx_tcp_conn(p->tcp), reason);
    ethp2p_rlpx_tcp_poke(p->tcp);
}

static int on_hello(void *ctx, const ethp2p_hello *h)
{
    ethp2p_peer *p = ctx;
    ethp2p_server *s = p->server;
    if (s->stopping) return ETHP2P_DISC_CLIENT_QUITTING;
    ethp2p_node_id id;
    ethp2p_node_id_from_pubkey(&h->id, &id);
    p->node.pubkey = h->id;
    p->node.id = id;
    size_t nl = strnlen(h->name, sizeof(p->name) - 1);
    memcpy(p->name, h->name, nl);
    p->name[nl] = '\0';
    if (!p->inbound) ethp2p_dialer_dial_done(s->dialer, &id);
    p->trusted = is_trusted(s, &id);
    ethp2p_peer *existing = find_active(s, &id, p);
    if (existing) {
        /* A dial race: keep the connection the lower node ID initiated, as the remote will. */
        int keep_outbound = ethp2p_dial_keep_outbound(&s->self.id, &id);
        int keep_new = p->inbound ? !keep_outbound : keep_outbound;
        if (existing->inbound == p->inbound) keep_new = 0; /* not a race: a plain duplicate */
        if (!keep_new) {
            p->lost_race = 1;
            return ETHP2P_DISC_ALREADY_CONNECTED;
        }
        existing->lost_race = 1;
        ethp2p_conn_disconnect(ethp2p_rlpx_tcp_conn(existing->tcp), ETHP2P_DISC_ALREADY_CONNECTED);
    }
    int reason = ethp2p_dialer_admit(s->dialer, &id, p->inbound, p->trusted);
    if (reason) return reason;
    p->active = 1;
    p->connected_ms = ethp2p_io_now_ms();
    s->stats.peers_added[!p->inbound]++;
    ethp2p_dialer_peer_added(s->dialer, &id, p->inbound);
    return 0;
}

/* The connection is ACTIVE: the layers above may send now. */
static void on_active(void *ctx)
{
    ethp2p_peer *p = ctx;
    ethp2p_server *s = p->server;
    if (!p->active) return;
    ETHP2P_DEBUG(LOG_MOD, "peer added", "name=\"%s\" inbound=%d", p->name, p->inbound);
    if (s->cfg.on_peer_added) s->cfg.on_peer_added(s->cfg.ctx, p);
    ethp2p_rlpx_tcp_poke(p->tcp);
    if (!s->stopping && s->listener) ethp2p_rlpx_listener_retry(s->listener); /* its handshake slot is free */
}

static size_t reason_slot(int reason) { return reason >= 0 && reason < ETHP2P_SERVER_REASONS ? (size_t)reason : ETHP2P_SERVER_REASONS - 1; }

/* Counts one message in or out under its protocol and code. */
static void count_msg(ethp2p_server *s, const ethp2p_shared_cap *cap, uint64_t code, size_t len, int out)
{
    if (!cap || !cap->spec || cap->spec < s->cfg.protocols || cap->spec >= s->cfg.protocols + s->cfg.nprotocols) return;
    size_t pi = (size_t)(cap->spec - s->cfg.protocols), ci = code < ETHP2P_SERVER_CODES ? (size_t)code : ETHP2P_SERVER_CODES - 1;
    if (pi >= ETHP2P_CONN_MAX_PROTOCOLS) return;
    if (out) {
        s->stats.msgs_out[pi][ci]++;
        s->stats.bytes_out[pi][ci] += len;
    } else {
        s->stats.msgs_in[pi][ci]++;
        s->stats.bytes_in[pi][ci] += len;
    }
}

static void on_message(void *ctx, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data, size_t len)
{
    ethp2p_peer *p = ctx;
    p->msgs_in++;
    count_msg(p->server, cap, code, len, 0);
    if (p->server->cfg.on_message) p->server->cfg.on_message(p->server->cfg.ctx, p, cap, code, data, len);
}

static void on_close(void *ctx, int reason, int by_remote)
{
    ethp2p_peer *p = ctx;
    ethp2p_server *s = p->server;
    int was_active = p->active;
    if (p->active) {
        p->active = 0;
        s->stats.disconnects[!!by_remote][reason_slot(reason)]++;
        ethp2p_dialer_peer_removed(s->dialer, &p->node.id, p->lost_race);
        ETHP2P_DEBUG(LOG_MOD, "peer removed", "name=\"%s\" reason=\"%s\" by_remote=%d", p->name,
                     ethp2p_disconnect_reason_name(reason), by_remote);
        if (s->cfg.on_peer_removed) s->cfg.on_peer_removed(s->cfg.ctx, p, reason, by_remote);
    } else {
        s->stats.conn_failed[!p->inbound][reason_slot(reason)]++;
    }
    if (!was_active && !p->inbound) {
        ethp2p_dialer_dial_done(s->dialer, &p->node.id); /* the dial failed before its Hello */
        if (p->lost_race) ethp2p_dialer_peer_removed(s->dialer, &p->node.id, 1);
    }
}

static void server_free(ethp2p_server *s)
{
    ethp2p_dialer_free(s->dialer);
    ethp2p_inbound_throttle_free(s->throttle);
    free(s->conns);
    free(s->trusted);
    free(s);
}

/* A connection's socket closed (dialled or accepted): forget the peer. */
static void on_tcp_done(void *arg, ethp2p_rlpx_tcp *t)
{
    ethp2p_server *s = arg;
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i]->tcp == t) {
            free(s->conns[i]);
            s->conns[i] = s->conns[--s->nconns];
            break;
        }
    if (s->stopping && s->timer_closed && s->nconns == 0) server_free(s);
    else if (!s->stopping && s->listener) ethp2p_rlpx_listener_retry(s->listener); /* a handshake slot may have freed */
}

static void conn_config(ethp2p_server *s, ethp2p_peer *p, ethp2p_conn_config *c)
{
    memset(c, 0, sizeof(*c));
    c->key = s->cfg.key;
    c->client_name = s->cfg.client_name;
    c->listen_port = s->self.tcp;
    c->protocols = s->cfg.protocols;
    c->nprotocols = s->cfg.nprotocols;
    c->ctx = p;
    c->on_hello = on_hello;
    c->on_active = on_active;
    c->budget = &s->budget;
    c->on_message = on_message;
    c->on_close = on_close;
}

static int on_accept(void *arg, ethp2p_rlpx_tcp *t, ethp2p_conn_config *cfg)
{
    ethp2p_server *s = arg;
    ethp2p_ip ip;
    uint16_t port;
    ethp2p_rlpx_tcp_peer(t, &ip, &port);
    if (s->stopping) {
        s->stats.inbound_refused_limit++;
        return ETHP2P_RLPX_REFUSE;
    }
    if (!ethp2p_rlpx_tcp_waited(t)) { /* the first offer; a waiting one passed these already */
        if (!ethp2p_netlist_contains(s->cfg.netrestrict, &ip)) {
            s->stats.inbound_refused_netrestrict++;
            ETHP2P_DEBUG(LOG_MOD, "inbound refused: outside netrestrict", "port=%u", port);
            return ETHP2P_RLPX_REFUSE;
        }
        if (ethp2p_inbound_throttle_check(s->throttle, &ip, ethp2p_io_now_ms())) {
            s->stats.inbound_throttled++;
            ETHP2P_DEBUG(LOG_MOD, "inbound throttled", "port=%u", port);
            return ETHP2P_RLPX_REFUSE;
        }
    }
    size_t pending = 0, same_ip = 0, same_net = 0;
    for (size_t i = 0; i < s->nconns; i++) {
        const ethp2p_peer *q = s->conns[i];
        if (q->active) continue;
        pending++;
        if (!q->inbound) continue;
        same_ip += ethp2p_ip_equal(&q->node.ip, &ip);
        same_net += ethp2p_ip_same_subnet(&q->node.ip, &ip);
    }
    if (!ethp2p_inbound_may_start(pending, same_ip, same_net, s->cfg.max_pending)) return ETHP2P_RLPX_WAIT;
    ethp2p_peer *p = calloc(1, sizeof(*p));
    if (!p || conns_add(s, p)) {
        free(p);
        return ETHP2P_RLPX_REFUSE;
    }
    p->server = s;
    p->tcp = t;
    p->inbound = 1;
    ethp2p_rlpx_tcp_set_write_timeout(t, s->cfg.write_timeout_ms);
    p->node.ip = ip;
    conn_config(s, p, cfg);
    return ETHP2P_RLPX_ACCEPT;
}

static void dial(ethp2p_server *s, const ethp2p_enode *n, int is_static)
{
    if (!ethp2p_netlist_contains(s->cfg.netrestrict, &n->ip)) {
        ETHP2P_DEBUG(LOG_MOD, "not dialling: outside netrestrict", "tcp=%u", n->tcp);
        ethp2p_dialer_dial_done(s->dialer, &n->id);
        return;
    }
    ethp2p_peer *p = calloc(1, sizeof(*p));
    if (!p || conns_add(s, p)) {
        free(p);
        ethp2p_dialer_dial_done(s->dialer, &n->id);
        return;
    }
    p->server = s;
    p->node = *n;
    p->is_static = is_static;
    s->stats.dials++;
    ethp2p_conn_config c;
    conn_config(s, p, &c);
    c.initiator = 1;
    c.remote = n->pubkey;
    /* On failure on_close has run (dial_done) and on_tcp_done will forget p. */
    if (ethp2p_rlpx_tcp_dial(s->loop, &c, &n->ip, n->tcp, on_tcp_done, s, &p->tcp) == 0 && p->tcp)
        ethp2p_rlpx_tcp_set_write_timeout(p->tcp, s->cfg.write_timeout_ms);
}

static void on_dial_timer(uv_timer_t *h)
{
    ethp2p_server *s = h->data;
    if (s->stopping) return;
    uint64_t now = ethp2p_io_now_ms();
    if (s->udp) {
        ethp2p_discv4 *d = ethp2p_discv4_udp_core(s->udp);
        ethp2p_discv5 *v5 = ethp2p_discv4_udp_v5(s->udp);
        ethp2p_enode n, v5n[8];
        for (int i = 0; i < 32 && ethp2p_dialer_wants_candidates(s->dialer); i++) {
            if (!ethp2p_discv4_next_random(d, now, &n)) break;
            if (n.tcp && ethp2p_netlist_contains(s->cfg.netrestrict, &n.ip)) (void)ethp2p_dialer_offer(s->dialer, &n, now);
        }
        /* Nodes found by discv5 lookups are candidates too. */
        size_t k = v5 && ethp2p_dialer_wants_candidates(s->dialer) ? ethp2p_discv5_random_nodes(v5, v5n, 8) : 0;
        for (size_t i = 0; i < k; i++)
            if (v5n[i].tcp && ethp2p_netlist_contains(s->cfg.netrestrict, &v5n[i].ip))
                (void)ethp2p_dialer_offer(s->dialer, &v5n[i], now);
        ethp2p_discv4_udp_poke(s->udp);
    }
    while (s->extra_len && ethp2p_dialer_wants_candidates(s->dialer)) {
        (void)ethp2p_dialer_offer(s->dialer, &s->extra[s->extra_head], now);
        s->extra_head = (s->extra_head + 1) % ETHP2P_SERVER_MAX_CANDIDATES;
        s->extra_len--;
    }
    ethp2p_enode n;
    int is_static;
    while (pending_count(s) < s->cfg.max_pending && ethp2p_dialer_next(s->dialer, now, &n, &is_static)) dial(s, &n, is_static);
}

/* discv4 predicted a new external endpoint (no NAT configured): it is ours now, and discv5's record follows. */
/* discv4's record changed: discv5 (same socket, same key) carries the same one. */
static int sync_v5_record(ethp2p_server *s)
{
    ethp2p_discv5 *v5 = ethp2p_discv4_udp_v5(s->udp);
    int rc = v5 ? ethp2p_discv5_set_record(v5, ethp2p_discv4_local_record(ethp2p_discv4_udp_core(s->udp))) : 0;
    if (rc) ETHP2P_WARN(LOG_MOD, "discv5 kept its old record", "%s", "the new one did not verify");
    return rc;
}

static void on_endpoint(void *ctx, const ethp2p_enode *self)
{
    ethp2p_server *s = ctx;
    s->self.ip = self->ip;
    s->self.udp = self->udp;
    (void)sync_v5_record(s);
}

int ethp2p_server_start(uv_loop_t *loop, const ethp2p_server_config *cfg, ethp2p_server **out)
{
    ethp2p_server *s = calloc(1, sizeof(*s));
    if (!s) return ETHP2P_ENOMEM;
    s->loop = loop;
    s->cfg = *cfg;
    if (!s->cfg.max_pending) s->cfg.max_pending = ETHP2P_SERVER_DEFAULT_MAX_PENDING;
    s->budget.limit = cfg->recv_budget ? cfg->recv_budget : ETHP2P_SERVER_DEFAULT_RECV_BUDGET;
    ethp2p_pubkey pub;
    int rc = ethp2p_privkey_to_pubkey(&cfg->key, &pub);
    if (rc) goto fail;
    rc = ETHP2P_ENOMEM;
    ethp2p_dialer_config dc = {.max_peers = cfg->max_peers};
    ethp2p_node_id_from_pubkey(&pub, &dc.self);
    if (!(s->dialer = ethp2p_dialer_new(&dc)) || !(s->throttle = ethp2p_inbound_throttle_new())) goto fail;
    for (size_t i = 0; i < cfg->nstatic; i++) (void)ethp2p_dialer_add_static(s->dialer, &cfg->static_nodes[i]);
    for (size_t i = 0; i < cfg->ntrusted; i++)
        if ((rc = ethp2p_server_add_trusted(s, &cfg->trusted_nodes[i].id))) goto fail;
    if ((rc = ethp2p_rlpx_listen(loop, &cfg->listen_ip, cfg->port, on_accept, on_tcp_done, s, &s->listener))) goto fail;
    uint16_t port = ethp2p_rlpx_listener_port(s->listener);
    ethp2p_ip adv = cfg->advertise_ip.family ? cfg->advertise_ip : cfg->listen_ip;
    if (ethp2p_ip_is_unspecified(&adv)) memset(&adv, 0, sizeof(adv));
    uint16_t udp_port = cfg->discovery_port ? cfg->discovery_port : port;
    if ((rc = ethp2p_enode_init(&s->self, &pub, adv.family ? &adv : NULL, port, udp_port))) goto fail;
    if (!cfg->no_discovery) {
        ethp2p_discv4_config d;
        memset(&d, 0, sizeof(d));
        d.key = cfg->key;
        d.ip = adv;
        d.udp_port = udp_port;
        d.tcp_port = port;
        d.bootnodes = cfg->bootnodes;
        d.nbootnodes = cfg->nbootnodes;
        d.db = cfg->db;
        d.netrestrict = cfg->netrestrict;
        /* No address given (no --nat extip, a wildcard listen address): learn it from the Pongs. */
        d.track_endpoint = !adv.family && !cfg->no_endpoint_prediction;
        d.hook_ctx = s;
        d.on_endpoint = on_endpoint;
        ethp2p_random_seed_u64(&d.seed);
        if ((rc = ethp2p_discv4_udp_open(loop, &d, &cfg->listen_ip, udp_port, &s->udp))) goto fail;
        ethp2p_discv4_start(ethp2p_discv4_udp_core(s->udp), ethp2p_io_now_ms());
        ethp2p_discv4_udp_poke(s->udp);
        /* discv5 beside it on the same port, as the reference runs both. */
        if (!cfg->no_discovery_v5 && ethp2p_discv4_udp_run_v5(s->udp, cfg->bootnodes, cfg->nbootnodes))
            ETHP2P_WARN("p2p", "discv5 could not start", "%s", "discv4 only");
    }
    uv_timer_init(loop, &s->dial_timer);
    s->dial_timer.data = s;
    uv_timer_start(&s->dial_timer, on_dial_timer, 0, DIAL_TICK_MS);
    *out = s;
    return 0;
fail:
    if (s->listener) ethp2p_rlpx_listener_close(s->listener);
    ethp2p_dialer_free(s->dialer);
    ethp2p_inbound_throttle_free(s->throttle);
    free(s->trusted);
    free(s);
    return rc;
}

static void on_timer_closed(uv_handle_t *h)
{
    ethp2p_server *s = h->data;
    /* Connections still closing point at s: the last one to go frees it. */
    s->timer_closed = 1;
    if (s->nconns == 0) server_free(s);
}

void ethp2p_server_stop(ethp2p_server *s)
{
    if (s->stopping) return;
    s->stopping = 1;
    for (size_t i = 0; i < s->nconns; i++)
        ethp2p_conn_disconnect(ethp2p_rlpx_tcp_conn(s->conns[i]->tcp), ETHP2P_DISC_CLIENT_QUITTING);
    ethp2p_rlpx_listener_close(s->listener);
    s->listener = NULL;
    if (s->udp) ethp2p_discv4_udp_close(s->udp);
    uv_timer_stop(&s->dial_timer);
    uv_close((uv_handle_t *)&s->dial_timer, on_timer_closed);
}

size_t ethp2p_server_peers(ethp2p_server *s, ethp2p_peer **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i]->active) {
            if (n < max) out[n] = s->conns[i];
            n++;
        }
    return n;
}

const ethp2p_enode *ethp2p_server_self(const ethp2p_server *s) { return &s->self; }
ethp2p_discv4 *ethp2p_server_discv4(ethp2p_server *s) { return s->udp ? ethp2p_discv4_udp_core(s->udp) : NULL; }
ethp2p_discv5 *ethp2p_server_discv5(ethp2p_server *s) { return s->udp ? ethp2p_discv4_udp_v5(s->udp) : NULL; }
const ethp2p_server_stats *ethp2p_server_get_stats(const ethp2p_server *s)
{
    ethp2p_server *m = (ethp2p_server *)s; /* the listener's counters are copied in when asked for */
    if (m->listener) {
        const ethp2p_rlpx_listener_stats *ls = ethp2p_rlpx_listener_get_stats(m->listener);
        m->stats.inbound_waited = ls->waited;
        m->stats.inbound_wait_refused = ls->wait_refused;
        m->stats.inbound_wait_expired = ls->wait_expired;
        m->stats.inbound_waiting = ethp2p_rlpx_listener_waiting(m->listener);
    }
    return &s->stats;
}

int ethp2p_server_set_external_ip(ethp2p_server *s, const ethp2p_ip *ip)
{
    s->self.ip = *ip;
    if (!s->udp) return 0;
    ethp2p_discv4 *d = ethp2p_discv4_udp_core(s->udp);
    ethp2p_discv4_set_tracking(d, 0);
    int rc = ethp2p_discv4_set_endpoint(d, ip, s->self.udp, s->self.tcp);
    return rc ? rc : sync_v5_record(s);
}
const ethp2p_server_config *ethp2p_server_get_config(const ethp2p_server *s) { return &s->cfg; }

int ethp2p_server_send(ethp2p_peer *p, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data, size_t len)
{
    int rc = ethp2p_conn_send(ethp2p_rlpx_tcp_conn(p->tcp), cap, code, data, len);
    if (!rc) {
        p->msgs_out++;
        count_msg(p->server, cap, code, len, 1);
        ethp2p_rlpx_tcp_poke(p->tcp);
    }
    return rc;
}

/* ---- NodeInfo / PeersInfo ---- */

static void format_hostport(const ethp2p_ip *ip, uint16_t port, char *out, size_t cap)
{
    char t[46];
    ethp2p_ip_format(ip, t, sizeof(t));
    snprintf(out, cap, ip->family == 6 ? "[%s]:%u" : "%s:%u", t, port);
}

void ethp2p_server_node_info(ethp2p_server *s, ethp2p_node_info *out)
{
    memset(out, 0, sizeof(*out));
    ethp2p_hex_encode(s->self.id.b, 32, out->id);
    snprintf(out->name, sizeof(out->name), "%s", s->cfg.client_name ? s->cfg.client_name : "");
    if (ethp2p_enode_format(&s->self, out->enode, sizeof(out->enode))) out->enode[0] = '\0';
    if (s->self.ip.family) ethp2p_ip_format(&s->self.ip, out->ip, sizeof(out->ip));
    out->listener_port = s->self.tcp;
    if (s->udp) {
        out->discovery_port = s->self.udp;
        if (ethp2p_enr_to_text(ethp2p_discv4_local_record(ethp2p_discv4_udp_core(s->udp)), out->enr, sizeof(out->enr)))
            out->enr[0] = '\0';
    } else {
        /* No discovery: a record of our key and TCP endpoint all the same, as the reference always has one. */
        ethp2p_enr r;
        ethp2p_enr_init(&r);
        int rc = s->self.ip.family ? ethp2p_enr_set_ip(&r, &s->self.ip) : 0;
        if (!rc) rc = ethp2p_enr_set_port(&r, "tcp", s->self.tcp);
        if (!rc) rc = ethp2p_enr_sign(&r, &s->cfg.key);
        if (rc || ethp2p_enr_to_text(&r, out->enr, sizeof(out->enr))) out->enr[0] = '\0';
    }
    format_hostport(&s->cfg.listen_ip, s->self.tcp, out->listen_addr, sizeof(out->listen_addr));
    out->nprotocols = s->cfg.nprotocols < ETHP2P_CONN_MAX_PROTOCOLS ? s->cfg.nprotocols : ETHP2P_CONN_MAX_PROTOCOLS;
    memcpy(out->protocols, s->cfg.protocols, out->nprotocols * sizeof(*out->protocols));
}

void ethp2p_server_peer_info(const ethp2p_peer *p, ethp2p_peer_info *out)
{
    memset(out, 0, sizeof(*out));
    ethp2p_enode n = p->node;
    uint16_t rport;
    ethp2p_rlpx_tcp_peer(p->tcp, &n.ip, &rport);
    if (p->inbound) n.tcp = n.udp = 0; /* its listen port is unknown; the reference prints the remote port */
    if (ethp2p_enode_format(&n, out->enode, sizeof(out->enode))) out->enode[0] = '\0';
    ethp2p_hex_encode(p->node.id.b, 32, out->id);
    ethp2p_conn *c = ethp2p_rlpx_tcp_conn(p->tcp);
    if (ethp2p_conn_state(c) >= ETHP2P_CONN_ACTIVE) {
        const ethp2p_hello *h = ethp2p_conn_remote_hello(c);
        snprintf(out->name, sizeof(out->name), "%s", h->name);
        out->ncaps = h->ncaps;
        memcpy(out->caps, h->caps, h->ncaps * sizeof(*out->caps));
    } else {
        snprintf(out->name, sizeof(out->name), "%s", p->name);
    }
    ethp2p_ip lip;
    uint16_t lport;
    if (ethp2p_rlpx_tcp_local(p->tcp, &lip, &lport) == 0)
        format_hostport(&lip, lport, out->local_address, sizeof(out->local_address));
    format_hostport(&n.ip, rport, out->remote_address, sizeof(out->remote_address));
    out->inbound = p->inbound;
    out->trusted = p->trusted;
    out->is_static = p->is_static;
    out->connected_for_ms = p->active ? ethp2p_io_now_ms() - p->connected_ms : 0;
    out->msgs_in = p->msgs_in;
    out->msgs_out = p->msgs_out;
}

void ethp2p_node_info_json(const ethp2p_node_info *n, ethp2p_buffer *b)
{
    ethp2p_json_raw(b, "{");
    ethp2p_json_kv_str(b, 1, "id", n->id);
    ethp2p_json_kv_str(b, 0, "name", n->name);
    ethp2p_json_kv_str(b, 0, "enode", n->enode);
    ethp2p_json_kv_str(b, 0, "enr", n->enr);
    ethp2p_json_kv_str(b, 0, "ip", n->ip);
    ethp2p_json_raw(b, ",\"ports\":{\"discovery\":%u,\"listener\":%u}", n->discovery_port, n->listener_port);
    ethp2p_json_kv_str(b, 0, "listenAddr", n->listen_addr);
    ethp2p_json_raw(b, ",\"protocols\":{");
    /* One entry per protocol name, with the highest version we run. */
    int first = 1;
    for (size_t i = 0; i < n->nprotocols; i++) {
        size_t best = i;
        int seen = 0;
        for (size_t j = 0; j < n->nprotocols; j++) {
            if (strcmp(n->protocols[j].name, n->protocols[i].name) != 0) continue;
            if (j < i) seen = 1;
            if (n->protocols[j].version > n->protocols[best].version) best = j;
        }
        if (seen) continue;
        if (!first) ethp2p_json_raw(b, ",");
        first = 0;
        ethp2p_json_string(b, n->protocols[best].name);
        ethp2p_json_raw(b, ":{\"version\":%u}", n->protocols[best].version);
    }
    ethp2p_json_raw(b, "}}");
}

void ethp2p_peer_info_json(const ethp2p_peer_info *p, ethp2p_buffer *b)
{
    ethp2p_json_raw(b, "{");
    ethp2p_json_kv_str(b, 1, "enode", p->enode);
    ethp2p_json_kv_str(b, 0, "id", p->id);
    ethp2p_json_kv_str(b, 0, "name", p->name);
    ethp2p_json_raw(b, ",\"caps\":[");
    for (size_t i = 0; i < p->ncaps; i++) {
        char cap[48];
        snprintf(cap, sizeof(cap), "%s/%u", p->caps[i].name, p->caps[i].version);
        if (i) ethp2p_json_raw(b, ",");
        ethp2p_json_string(b, cap);
    }
    ethp2p_json_raw(b, "],\"network\":{");
    ethp2p_json_kv_str(b, 1, "localAddress", p->local_address);
    ethp2p_json_kv_str(b, 0, "remoteAddress", p->remote_address);
    ethp2p_json_raw(b, ",\"inbound\":%s,\"trusted\":%s,\"static\":%s}", p->inbound ? "true" : "false",
                    p->trusted ? "true" : "false", p->is_static ? "true" : "false");
    ethp2p_json_raw(b, ",\"stats\":{\"connectedForMs\":%llu,\"msgsIn\":%llu,\"msgsOut\":%llu}}",
                    (unsigned long long)p->connected_for_ms, (unsigned long long)p->msgs_in, (unsigned long long)p->msgs_out);
}

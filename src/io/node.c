/*
 * The node: server events feed the eth handler, the handler's sends go out
 * through the server, one timer drives the handler's deadlines, and the wall
 * clock is fed in as head time so time-based forks are judged correctly.
 */
#include "ethp2p/node.h"
#include "ethp2p/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define LOG_MOD "node"

typedef struct node_peer {
    ethp2p_eth_peer *ep;
    const ethp2p_shared_cap *cap;
} node_peer;

struct ethp2p_node {
    uv_loop_t *loop;
    ethp2p_node_config cfg;
    ethp2p_server *server;
    ethp2p_eth *eth;
    ethp2p_chain *chain;
    uv_timer_t timer;
    int stopping;
};

static uint64_t wall_s(void) { return (uint64_t)time(NULL); }

static void emit(ethp2p_node *n, ethp2p_node_event *ev)
{
    if (n->cfg.on_event) n->cfg.on_event(n->cfg.ctx, ev);
}

static void on_timer(uv_timer_t *t);

/* Runs the handler's timers and re-arms ours at its next deadline. */
static void arm(ethp2p_node *n)
{
    if (n->stopping) return;
    uint64_t now = ethp2p_io_now_ms();
    uint64_t next = ethp2p_eth_tick(n->eth, now);
    uint64_t wait = next == UINT64_MAX ? 1000 : next > now ? next - now : 0;
    if (wait > 1000) wait = 1000; /* the clock also moves the fork ID */
    uv_timer_start(&n->timer, on_timer, wait, 0);
}

/* Ticks at the next loop iteration: one tick serves everything that arrived meanwhile. */
static void kick(ethp2p_node *n)
{
    if (!n->stopping) uv_timer_start(&n->timer, on_timer, 0, 0);
}

static void on_timer(uv_timer_t *t)
{
    ethp2p_node *n = t->data;
    ethp2p_eth_set_head(n->eth, 0, wall_s(), NULL);
    arm(n);
}

static int eth_send(void *ctx, void *peer, uint64_t code, const uint8_t *data, size_t len)
{
    (void)ctx;
    ethp2p_peer *p = peer;
    node_peer *np = p->user;
    if (!np || !p->active) return ETHP2P_EINVAL;
    if (ethp2p_rlpx_tcp_queued(p->tcp) > ETHP2P_NODE_BACKLOG_LIMIT) return ETHP2P_EBUSY;
    return ethp2p_server_send(p, np->cap, code, data, len);
}

static void eth_disconnect(void *ctx, void *peer, int reason)
{
    (void)ctx;
    ethp2p_server_disconnect(peer, reason);
}

static void eth_ready(void *ctx, void *peer, const ethp2p_eth_status *st)
{
    ethp2p_node_event ev = {.type = ETHP2P_NODE_EV_STATUS, .peer = peer, .status = st};
    emit(ctx, &ev);
}

static void eth_tx(void *ctx, void *peer, const ethp2p_tx *tx, int how)
{
    ethp2p_node_event ev = {.type = ETHP2P_NODE_EV_TX, .peer = peer, .tx = tx, .how = how};
    emit(ctx, &ev);
}

static void eth_block(void *ctx, void *peer, const ethp2p_header *h, int how)
{
    ethp2p_node_event ev = {.type = ETHP2P_NODE_EV_BLOCK, .peer = peer, .block = h, .how = how};
    emit(ctx, &ev);
}

static void on_peer_added(void *ctx, ethp2p_peer *p)
{
    ethp2p_node *n = ctx;
    ethp2p_node_event ev = {.type = ETHP2P_NODE_EV_PEER_ADDED, .peer = p};
    emit(n, &ev);
    const ethp2p_shared_cap *caps;
    size_t nc = ethp2p_conn_shared(ethp2p_rlpx_tcp_conn(p->tcp), &caps);
    for (size_t i = 0; i < nc; i++) {
        if (strcmp(caps[i].spec->name, "eth") != 0) continue;
        node_peer *np = calloc(1, sizeof(*np));
        if (!np) return;
        np->cap = &caps[i];
        p->user = np;
        np->ep = ethp2p_eth_peer_add(n->eth, p, p->node.id.b, caps[i].spec->version, ethp2p_io_now_ms());
        kick(n);
        return;
    }
}

static void on_peer_removed(void *ctx, ethp2p_peer *p, int reason, int by_remote)
{
    ethp2p_node *n = ctx;
    node_peer *np = p->user;
    if (np) {
        if (np->ep) ethp2p_eth_peer_remove(n->eth, np->ep);
        free(np);
        p->user = NULL;
    }
    ethp2p_node_event ev = {.type = ETHP2P_NODE_EV_PEER_DROPPED, .peer = p, .reason = reason, .by_remote = by_remote};
    emit(n, &ev);
}

static void on_message(void *ctx, ethp2p_peer *p, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data,
                       size_t len)
{
    ethp2p_node *n = ctx;
    node_peer *np = p->user;
    if (!np || !np->ep || cap != np->cap) return;
    ethp2p_eth_receive(n->eth, np->ep, code, data, len, ethp2p_io_now_ms());
    kick(n);
}

int ethp2p_node_start(uv_loop_t *loop, const ethp2p_node_config *cfg, ethp2p_node **out, char *err, size_t cap)
{
    char dummy[8];
    if (!err) err = dummy, cap = sizeof(dummy);
    err[0] = '\0';
    ethp2p_node *n = calloc(1, sizeof(*n));
    if (!n) return ETHP2P_ENOMEM;
    n->loop = loop;
    n->cfg = *cfg;
    if (cfg->genesis_header) {
        if (!(n->chain = ethp2p_chain_new(cfg->genesis_header, cfg->genesis_header_len))) {
            snprintf(err, cap, "the genesis header does not decode");
            free(n);
            return ETHP2P_EINVAL;
        }
        ethp2p_chain_set_config(n->chain, &cfg->chain);
        if (cfg->import_file) {
            size_t imported;
            int irc = ethp2p_chain_import_file(n->chain, cfg->import_file, &imported, err, cap);
            ETHP2P_INFO(LOG_MOD, "chain import", "file=%s imported=%zu head=%llu%s%s%s", cfg->import_file, imported,
                        (unsigned long long)ethp2p_chain_head(n->chain)->number, irc ? " stopped=\"" : "",
                        irc ? err : "", irc ? "\"" : "");
            if (irc && !imported) {
                ethp2p_chain_free(n->chain);
                free(n);
                return irc;
            }
        }
    } else if (cfg->import_file) {
        snprintf(err, cap, "--import needs the network's genesis: --genesis FILE (a built-in network's genesis.json, "
                           "as the reference dumps it, works) or --devnet");
        free(n);
        return ETHP2P_EINVAL;
    }
    ethp2p_eth_config ec;
    memset(&ec, 0, sizeof(ec));
    ec.chain = cfg->chain;
    ethp2p_pubkey pub;
    ethp2p_node_id id;
    int rc = ethp2p_privkey_to_pubkey(&cfg->server.key, &pub);
    if (rc) {
        free(n);
        return rc;
    }
    ethp2p_node_id_from_pubkey(&pub, &id);
    memcpy(ec.self_id, id.b, 32);
    ec.head_time = wall_s();
    ec.pool_max_txs = cfg->pool_max_txs;
    ec.ctx = n;
    ec.send = eth_send;
    ec.disconnect = eth_disconnect;
    ec.on_ready = eth_ready;
    ec.on_tx = eth_tx;
    ec.blocks = n->chain;
    ec.on_block = eth_block;
    if (!(n->eth = ethp2p_eth_new(&ec))) {
        ethp2p_chain_free(n->chain);
        free(n);
        return ETHP2P_ENOMEM;
    }
    ethp2p_server_config sc = cfg->server;
    /* eth/69 has no block propagation: a network before the merge (at start) runs eth/68 and below. */
    sc.protocols = ethp2p_eth_protocols;
    sc.nprotocols = ethp2p_eth_nprotocols;
    if (!(n->chain && ethp2p_chain_merged(n->chain)) && !ethp2p_chain_config_merged(&cfg->chain, NULL, wall_s()))
        while (sc.nprotocols && sc.protocols[0].version >= 69) sc.protocols++, sc.nprotocols--;
    sc.ctx = n;
    sc.on_peer_added = on_peer_added;
    sc.on_peer_removed = on_peer_removed;
    sc.on_message = on_message;
    if ((rc = ethp2p_server_start(loop, &sc, &n->server))) {
        snprintf(err, cap, "cannot start the server (port in use?)");
        ethp2p_eth_free(n->eth);
        ethp2p_chain_free(n->chain);
        free(n);
        return rc;
    }
    uv_timer_init(loop, &n->timer);
    n->timer.data = n;
    arm(n);
    *out = n;
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    ethp2p_node *n = h->data;
    ethp2p_eth_free(n->eth);
    ethp2p_chain_free(n->chain);
    free(n);
}

void ethp2p_node_stop(ethp2p_node *n)
{
    if (n->stopping) return;
    ethp2p_server_stop(n->server); /* peers leave through on_peer_removed while eth still exists */
    n->stopping = 1;
    uv_timer_stop(&n->timer);
    uv_close((uv_handle_t *)&n->timer, on_timer_closed);
}

int ethp2p_node_submit(ethp2p_node *n, const uint8_t *raw, size_t len, uint8_t hash[32])
{
    int rc = ethp2p_eth_submit(n->eth, raw, len, ethp2p_io_now_ms(), hash);
    kick(n); /* one tick after the burst */
    return rc;
}

ethp2p_server *ethp2p_node_server(ethp2p_node *n) { return n->server; }
ethp2p_eth *ethp2p_node_eth(ethp2p_node *n) { return n->eth; }
ethp2p_chain *ethp2p_node_chain(ethp2p_node *n) { return n->chain; }

int ethp2p_node_submit_block(ethp2p_node *n, const uint8_t *rlp, size_t len)
{
    int rc = ethp2p_eth_submit_block(n->eth, rlp, len, ethp2p_io_now_ms());
    kick(n);
    return rc;
}

void ethp2p_node_forkid(const ethp2p_node *n, ethp2p_forkid *out)
{
    ethp2p_eth_status st;
    ethp2p_eth_our_status(n->eth, 69, &st);
    *out = st.forkid;
}

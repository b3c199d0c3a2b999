/*
 * Simulated network of discv4 or discv5 cores: one binary heap of events (datagram deliveries and node
 * timer wake-ups) ordered by virtual time and then by insertion order, so
 * equal times resolve the same way on every run. A node's timer event is
 * re-armed whenever its core reports an earlier deadline; a popped timer that
 * no longer matches the node's armed time is stale and skipped.
 */
#include "ethp2p/simnet.h"
#include "ethp2p/random.h"
#include "ethp2p/idpool.h"
#include "evheap.h"

#include <stdlib.h>
#include <string.h>

#define SIM_PORT 30303
#define NEVER UINT64_MAX

enum { EV_PACKET = 0, EV_TIMER = 1 };

typedef struct sim_node {
    ethp2p_simnet *net;
    int index;
    ethp2p_discv4 *core; /* one of the two */
    ethp2p_discv5 *v5;
    ethp2p_enode enode;
    ethp2p_enr *record; /* v5 nodes: the signed record */
    uint64_t armed; /* time of the live timer event, NEVER if none */
    int down;
} sim_node;

struct ethp2p_simnet {
    ethp2p_simnet_config cfg;
    uint64_t now, rng;
    sim_node **nodes;
    int count, cap;
    sim_heap q;
    ethp2p_simnet_stats stats;
    ethp2p_idpool *ids; /* every discv4 table's identities, stored once */
};

static uint64_t sim_rand(ethp2p_simnet *n) { return ethp2p_splitmix64(&n->rng); }

static void arm(ethp2p_simnet *net, sim_node *sn, uint64_t deadline)
{
    if (deadline == NEVER || deadline >= sn->armed) return;
    if (deadline < net->now) deadline = net->now;
    sn->armed = deadline;
    sim_event ev = {.time = deadline, .type = EV_TIMER, .node = sn->index};
    (void)sim_heap_push(&net->q, ev);
}

static int node_of(const ethp2p_simnet *net, const ethp2p_udp_addr *a)
{
    if (a->ip.family != 4 || a->ip.b[0] < 1 || a->ip.b[0] > 8 || a->ip.b[3] != 1 || a->port != SIM_PORT) return -1;
    int i = (a->ip.b[0] - 1) << 16 | a->ip.b[1] << 8 | a->ip.b[2];
    return i < net->count ? i : -1;
}

static void sim_send(void *ctx, const ethp2p_udp_addr *to, const uint8_t *data, size_t len)
{
    sim_node *sn = ctx;
    ethp2p_simnet *net = sn->net;
    net->stats.sent++;
    int dst = node_of(net, to);
    if (dst < 0) {
        net->stats.undeliverable++;
        return;
    }
    if (sn->down || (net->cfg.loss > 0 && (double)(sim_rand(net) >> 11) / 9007199254740992.0 < net->cfg.loss)) {
        net->stats.lost++;
        return;
    }
    sim_event ev = {.type = EV_PACKET, .node = dst, .len = len};
    ev.time = net->now + net->cfg.latency_ms + (net->cfg.jitter_ms ? sim_rand(net) % net->cfg.jitter_ms : 0);
    ev.from.ip = sn->enode.ip;
    ev.from.port = SIM_PORT;
    if (!(ev.data = malloc(len))) return;
    memcpy(ev.data, data, len);
    if (sim_heap_push(&net->q, ev)) free(ev.data);
}

ethp2p_simnet *ethp2p_simnet_new(const ethp2p_simnet_config *cfg)
{
    ethp2p_simnet *n = calloc(1, sizeof(*n));
    if (!n) return NULL;
    n->cfg = *cfg;
    n->now = cfg->start_ms;
    n->rng = cfg->seed;
    if (!(n->ids = ethp2p_idpool_new())) {
        free(n);
        return NULL;
    }
    return n;
}

void ethp2p_simnet_free(ethp2p_simnet *net)
{
    if (!net) return;
    for (int i = 0; i < net->count; i++) {
        ethp2p_discv4_free(net->nodes[i]->core);
        ethp2p_discv5_free(net->nodes[i]->v5);
        free(net->nodes[i]->record);
        free(net->nodes[i]);
    }
    sim_heap_clear(&net->q);
    ethp2p_idpool_free(net->ids);
    free(net->nodes);
    free(net);
}

/* A new node slot with its address; NULL when full or out of memory. */
static sim_node *new_node(ethp2p_simnet *net, ethp2p_ip *ip)
{
    if (net->count >= ETHP2P_SIMNET_MAX_NODES) return NULL;
    if (net->count == net->cap) {
        int ncap = net->cap ? net->cap * 2 : 64;
        sim_node **p = realloc(net->nodes, (size_t)ncap * sizeof(*p));
        if (!p) return NULL;
        net->nodes = p;
        net->cap = ncap;
    }
    sim_node *sn = calloc(1, sizeof(*sn));
    if (!sn) return NULL;
    sn->net = net;
    sn->index = net->count;
    sn->armed = NEVER;
    memset(ip, 0, sizeof(*ip));
    ip->family = 4;
    ip->b[0] = (uint8_t)(1 + (sn->index >> 16));
    ip->b[1] = (uint8_t)(sn->index >> 8);
    ip->b[2] = (uint8_t)sn->index;
    ip->b[3] = 1;
    return sn;
}

int ethp2p_simnet_add(ethp2p_simnet *net, const ethp2p_privkey *key, const ethp2p_discv4_config *cfg)
{
    if (net->count >= ETHP2P_SIMNET_MAX_NODES) return ETHP2P_EINVAL;
    ethp2p_discv4_config c = *cfg;
    sim_node *sn = new_node(net, &c.ip);
    if (!sn) return ETHP2P_ENOMEM;
    c.key = *key;
    c.udp_port = c.tcp_port = SIM_PORT;
    c.seed = sim_rand(net);
    c.io_ctx = sn;
    c.send = sim_send;
    if (net->cfg.simulated_signatures) c.signer = &ethp2p_v4_simulated_signer;
    c.idpool = net->ids;
    if (!(sn->core = ethp2p_discv4_new(&c, net->now))) {
        free(sn);
        return ETHP2P_EKEY;
    }
    sn->enode = *ethp2p_discv4_self(sn->core);
    net->nodes[net->count++] = sn;
    return sn->index;
}

int ethp2p_simnet_add_v5(ethp2p_simnet *net, const ethp2p_privkey *key, const ethp2p_discv5_config *cfg)
{
    if (net->count >= ETHP2P_SIMNET_MAX_NODES) return ETHP2P_EINVAL;
    ethp2p_discv5_config c = *cfg;
    ethp2p_ip ip;
    sim_node *sn = new_node(net, &ip);
    if (!sn) return ETHP2P_ENOMEM;
    int rc = ETHP2P_ENOMEM;
    if (!(sn->record = malloc(sizeof(*sn->record)))) goto fail;
    ethp2p_enr_init(sn->record);
    sn->record->seq = 1;
    if ((rc = ethp2p_enr_set_ip(sn->record, &ip)) || (rc = ethp2p_enr_set_port(sn->record, "udp", SIM_PORT)) ||
        (rc = ethp2p_enr_sign(sn->record, key)) || (rc = ethp2p_enr_to_enode(sn->record, &sn->enode)))
        goto fail;
    c.key = *key;
    c.record = sn->record;
    c.seed = sim_rand(net);
    c.ctx = sn;
    c.send = sim_send;
    rc = ETHP2P_EKEY;
    if (!(sn->v5 = ethp2p_discv5_new(&c))) goto fail;
    net->nodes[net->count++] = sn;
    return sn->index;
fail:
    free(sn->record);
    free(sn);
    return rc;
}

void ethp2p_simnet_start(ethp2p_simnet *net, int i)
{
    if (net->nodes[i]->v5) ethp2p_discv5_start(net->nodes[i]->v5, net->now);
    else ethp2p_discv4_start(net->nodes[i]->core, net->now);
    ethp2p_simnet_poke(net, i);
}

void ethp2p_simnet_set_down(ethp2p_simnet *net, int i, int down) { net->nodes[i]->down = down; }
ethp2p_discv4 *ethp2p_simnet_node(ethp2p_simnet *net, int i) { return net->nodes[i]->core; }
ethp2p_discv5 *ethp2p_simnet_node_v5(ethp2p_simnet *net, int i) { return net->nodes[i]->v5; }
const ethp2p_enr *ethp2p_simnet_record(ethp2p_simnet *net, int i) { return net->nodes[i]->record; }
const ethp2p_enode *ethp2p_simnet_enode(ethp2p_simnet *net, int i) { return &net->nodes[i]->enode; }
int ethp2p_simnet_count(const ethp2p_simnet *net) { return net->count; }
uint64_t ethp2p_simnet_now(const ethp2p_simnet *net) { return net->now; }
const ethp2p_simnet_stats *ethp2p_simnet_get_stats(const ethp2p_simnet *net) { return &net->stats; }

static uint64_t tick(sim_node *sn, uint64_t now)
{
    return sn->v5 ? ethp2p_discv5_tick(sn->v5, now) : ethp2p_discv4_tick(sn->core, now);
}

void ethp2p_simnet_poke(ethp2p_simnet *net, int i)
{
    sim_node *sn = net->nodes[i];
    arm(net, sn, tick(sn, net->now));
}

void ethp2p_simnet_run_until(ethp2p_simnet *net, uint64_t t_ms)
{
    while (net->q.len > 0 && net->q.ev[0].time <= t_ms) {
        sim_event ev = sim_heap_pop(&net->q);
        net->now = ev.time;
        net->stats.events++;
        sim_node *sn = net->nodes[ev.node];
        if (ev.type == EV_PACKET) {
            if (!sn->down) {
                net->stats.delivered++;
                if (sn->v5) (void)ethp2p_discv5_handle_packet(sn->v5, &ev.from, ev.data, ev.len, net->now);
                else ethp2p_discv4_handle_packet(sn->core, &ev.from, ev.data, ev.len, net->now);
            } else {
                net->stats.lost++;
            }
            free(ev.data);
        } else {
            if (ev.time != sn->armed) continue; /* superseded by an earlier arming */
            sn->armed = NEVER;
        }
        arm(net, sn, tick(sn, net->now));
    }
    if (net->now < t_ms) net->now = t_ms;
}

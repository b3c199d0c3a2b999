/*
 * ethp2p/simnet.h - a simulated UDP network for discovery cores (discv4 or discv5).
 *
 * Many sans-I/O cores run in one process against a virtual clock. Datagrams
 * are delivered after a latency drawn from [latency_ms, latency_ms + jitter_ms)
 * or dropped with probability loss; everything is drawn from one seeded
 * generator, so a run replays exactly from its seed.
 *
 * Node i gets the public-looking address (1 + (i >> 16)).((i >> 8) & 255).(i & 255).1:30303
 * (one /24 each, so the table's IP limits behave as on the internet; first
 * octets 1..8, all public). Up to ETHP2P_SIMNET_MAX_NODES nodes.
 */
#ifndef ETHP2P_SIMNET_H
#define ETHP2P_SIMNET_H

#include "ethp2p/discv4.h"
#include "ethp2p/discv5.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ethp2p_simnet ethp2p_simnet;

/** The most nodes one network holds (8 first octets of 65,536 addresses). */
#define ETHP2P_SIMNET_MAX_NODES (8 * 65536)

typedef struct ethp2p_simnet_config {
    uint64_t seed;
    uint64_t start_ms;      /* virtual Unix time at the start */
    uint32_t latency_ms;
    uint32_t jitter_ms;
    double loss;            /* 0..1 */
    int simulated_signatures; /* 1: ethp2p_v4_simulated_signer instead of secp256k1 (large runs) */
} ethp2p_simnet_config;

typedef struct ethp2p_simnet_stats {
    uint64_t sent, delivered, lost, undeliverable, events;
} ethp2p_simnet_stats;

ethp2p_simnet *ethp2p_simnet_new(const ethp2p_simnet_config *cfg);
void ethp2p_simnet_free(ethp2p_simnet *net);

/**
 * Adds a node with the given key; cfg supplies everything else except the
 * address, the transport and the seed, which the network sets. Returns the
 * node's index, or a negative error.
 */
int ethp2p_simnet_add(ethp2p_simnet *net, const ethp2p_privkey *key, const ethp2p_discv4_config *cfg);
/**
 * Adds a discv5 node with the given key: the network makes and signs its
 * record (its address, seq 1) and sets the transport and seed; cfg supplies
 * the rest (background, bootnodes, refresh). Returns the index or a negative
 * error. One network may hold both kinds; a packet reaches the kind it is sent to.
 */
int ethp2p_simnet_add_v5(ethp2p_simnet *net, const ethp2p_privkey *key, const ethp2p_discv5_config *cfg);
/** Starts node i (seeds its table, first refresh) at the current virtual time. */
void ethp2p_simnet_start(ethp2p_simnet *net, int i);
/** Takes node i off the network (its packets are lost from now on) or back on. */
void ethp2p_simnet_set_down(ethp2p_simnet *net, int i, int down);

/** Node i's discv4 core (NULL for a discv5 node). */
ethp2p_discv4 *ethp2p_simnet_node(ethp2p_simnet *net, int i);
/** Node i's discv5 core (NULL for a discv4 node). */
ethp2p_discv5 *ethp2p_simnet_node_v5(ethp2p_simnet *net, int i);
/** Node i's signed record (discv5 nodes; NULL for discv4). */
const ethp2p_enr *ethp2p_simnet_record(ethp2p_simnet *net, int i);
/** Node i's enode (address in the simulated network). */
const ethp2p_enode *ethp2p_simnet_enode(ethp2p_simnet *net, int i);
int ethp2p_simnet_count(const ethp2p_simnet *net);
uint64_t ethp2p_simnet_now(const ethp2p_simnet *net);
const ethp2p_simnet_stats *ethp2p_simnet_get_stats(const ethp2p_simnet *net);

/** Runs events until virtual time t (ms). */
void ethp2p_simnet_run_until(ethp2p_simnet *net, uint64_t t_ms);
/** Re-reads node i's next deadline after an API call made outside the event loop. */
void ethp2p_simnet_poke(ethp2p_simnet *net, int i);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/ethsim.h - many eth handlers in one process, linked by simulated
 * connections with latency, on a virtual clock: transaction propagation at a
 * scale no loopback test reaches. Deterministic from its seed.
 *
 * Topology: each node dials `degree` random others (so the average degree is
 * about 2 x degree), as a dial scheduler would. Every message is delivered
 * after latency_ms plus a jitter in [0, jitter_ms).
 */
#ifndef ETHP2P_ETHSIM_H
#define ETHP2P_ETHSIM_H

#include "ethp2p/eth_handler.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ethp2p_ethsim ethp2p_ethsim;

typedef struct ethp2p_ethsim_config {
    size_t nodes, degree;
    uint32_t version;             /* eth version all links speak (66..69) */
    uint64_t seed;
    uint32_t latency_ms, jitter_ms;
} ethp2p_ethsim_config;

typedef struct ethp2p_ethsim_stats {
    uint64_t messages, bytes;
    uint64_t full_txs, announced_hashes, requests; /* transactions sent in full, hashes announced, fetches */
    uint64_t dup_full_same_peer, links, drops;
} ethp2p_ethsim_stats;

ethp2p_ethsim *ethp2p_ethsim_new(const ethp2p_ethsim_config *cfg, const ethp2p_chain_config *chain);
void ethp2p_ethsim_free(ethp2p_ethsim *s);
/** Runs until every Status exchange is done (or t). */
void ethp2p_ethsim_run_until(ethp2p_ethsim *s, uint64_t t_ms);
uint64_t ethp2p_ethsim_now(const ethp2p_ethsim *s);
/** Submits a transaction (binary form) at a node. 0 or the decode error. */
int ethp2p_ethsim_submit(ethp2p_ethsim *s, size_t node, const uint8_t *tx, size_t len, uint8_t hash[32]);
/** When the node first had the transaction (UINT64_MAX: not yet). */
uint64_t ethp2p_ethsim_seen_at(const ethp2p_ethsim *s, size_t node, const uint8_t hash[32]);
/** Sum over nodes of their handler's stats, and the network's own counts. */
void ethp2p_ethsim_get_stats(const ethp2p_ethsim *s, ethp2p_ethsim_stats *out);
ethp2p_eth *ethp2p_ethsim_node(ethp2p_ethsim *s, size_t node);
size_t ethp2p_ethsim_ready_links(const ethp2p_ethsim *s);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/node.h - a whole node on a libuv loop: the devp2p server
 * (discovery, RLPx, dialling) with the eth protocol and the transaction
 * relay on top. What `ethp2p node` runs; embed it to build crawlers,
 * monitors or relays.
 */
#ifndef ETHP2P_NODE_H
#define ETHP2P_NODE_H

#include "ethp2p/eth_handler.h"
#include "ethp2p/server.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_NODE_BACKLOG_LIMIT (1u << 20) /* socket bytes queued before eth sends wait */

enum {
    ETHP2P_NODE_EV_PEER_ADDED = 1,   /* RLPx peer up (Hello passed) */
    ETHP2P_NODE_EV_PEER_DROPPED = 2,
    ETHP2P_NODE_EV_STATUS = 3,       /* eth Status passed: the peer relays transactions */
    ETHP2P_NODE_EV_TX = 4,           /* a transaction new to us */
    ETHP2P_NODE_EV_BLOCK = 5,        /* a block that extended our chain (pre-merge networks) */
};

typedef struct ethp2p_node_event {
    int type;
    ethp2p_peer *peer;               /* NULL for a local transaction */
    int reason, by_remote;           /* PEER_DROPPED */
    const ethp2p_eth_status *status; /* STATUS */
    const ethp2p_tx *tx;             /* TX */
    const ethp2p_header *block;      /* BLOCK */
    int how;                         /* TX, BLOCK: ETHP2P_ETH_TX_* (local, broadcast, fetched) */
} ethp2p_node_event;

typedef struct ethp2p_node_config {
    ethp2p_server_config server;     /* protocols and callbacks are set by the node */
    ethp2p_chain_config chain;
    size_t pool_max_txs;
    /* The genesis header (RLP, optional) starts a chain, verified against `chain`'s rules,
     * that is served to peers and follows new blocks while the network is before the merge;
     * import_file (optional) is a chain file of any fork imported at start. */
    const uint8_t *genesis_header;
    size_t genesis_header_len;
    const char *import_file;
    void *ctx;
    void (*on_event)(void *ctx, const ethp2p_node_event *ev);
} ethp2p_node_config;

typedef struct ethp2p_node ethp2p_node;

/** Starts; on failure err (may be NULL) says why (e.g. an import that failed). */
int ethp2p_node_start(struct uv_loop_s *loop, const ethp2p_node_config *cfg, ethp2p_node **out, char *err, size_t cap);
/** Stops (peers get "client quitting"); run the loop to finish. */
void ethp2p_node_stop(ethp2p_node *n);
/** A transaction in binary form (eth_sendRawTransaction): 0 with its hash, or the decode error. */
int ethp2p_node_submit(ethp2p_node *n, const uint8_t *raw, size_t len, uint8_t hash[32]);
ethp2p_server *ethp2p_node_server(ethp2p_node *n);
ethp2p_eth *ethp2p_node_eth(ethp2p_node *n);
/** The chain (when the node was given a genesis header), else NULL. */
ethp2p_chain *ethp2p_node_chain(ethp2p_node *n);
/** A block from the user: imported if it extends the chain, then propagated. */
int ethp2p_node_submit_block(ethp2p_node *n, const uint8_t *rlp, size_t len);
/** Our fork ID now (for logs and status lines). */
void ethp2p_node_forkid(const ethp2p_node *n, ethp2p_forkid *out);

#ifdef __cplusplus
}
#endif
#endif

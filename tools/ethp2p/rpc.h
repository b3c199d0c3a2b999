/*
 * JSON-RPC for `ethp2p node`, named and shaped as the reference client's: over
 * a Unix socket in the data directory (every module, and subscriptions) and,
 * when asked, over HTTP (the modules in --http.api). Batches, notifications
 * (no id, no answer), the reference's error codes; `rpc_modules` so that the
 * reference's console attaches.
 *
 * Modules and methods:
 *   admin   nodeInfo peers addPeer removePeer addTrustedPeer removeTrustedPeer datadir subscribe unsubscribe
 *   net     listening peerCount version
 *   web3    clientVersion sha3
 *   eth     chainId blockNumber syncing sendRawTransaction getBlockByNumber getBlockByHash
 *   txpool  status
 *   ethp2p  stats submitBlock metrics
 *   rpc     modules
 */
#ifndef ETHP2P_CLI_RPC_H
#define ETHP2P_CLI_RPC_H

#include "ethp2p/buffer.h"
#include "ethp2p/node.h"
#include <uv.h>

typedef struct rpc rpc;

#define RPC_HTTP_BODY_LIMIT (5u * 1024 * 1024) /* the reference's request size limit */
#define RPC_BATCH_LIMIT 1000                   /* calls in one batch, as the reference */

typedef struct rpc_config {
    const char *ipc_path;     /* NULL: no IPC */
    const char *datadir;      /* for admin_datadir */
    int http;                 /* serve HTTP */
    ethp2p_ip http_ip;        /* default 127.0.0.1 */
    uint16_t http_port;       /* 0 with http: any free port */
    const char *http_api;     /* comma-separated modules (default "eth,net,web3") */
    const char *corsdomain;   /* comma-separated origins allowed by browsers ("*": any); NULL: none */
    const char *vhosts;       /* comma-separated Host names accepted ("*": any; default "localhost") */
} rpc_config;

/** Opens the endpoints; problems are logged. NULL when one cannot open. */
rpc *rpc_start(uv_loop_t *loop, ethp2p_node *node, const rpc_config *cfg);
/** Closes listeners and clients; run the loop to finish. */
void rpc_stop(rpc *r);
/** The HTTP port (after binding port 0), or 0. */
uint16_t rpc_http_port(const rpc *r);
/** Sends a peer event (add, drop) to the IPC clients subscribed with admin_subscribe("peerEvents"). */
void rpc_peer_event(rpc *r, const ethp2p_node_event *ev);
/** Appends the RPC's own metrics (calls by method and outcome) in the Prometheus text format. */
void rpc_metrics(const rpc *r, ethp2p_buffer *out);
/**
 * Handles one request text with every module available and no subscriptions (for
 * tests); returns malloc'd JSON text, or NULL when nothing is answered (notifications).
 */
char *rpc_handle_text(rpc *r, const char *req, size_t len);

#endif

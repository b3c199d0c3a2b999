/*
 * JSON-RPC for `ethp2p node`: over a Unix socket in the data directory (as the
 * reference client's IPC) and, when asked, HTTP on 127.0.0.1.
 * Methods: eth_sendRawTransaction, eth_chainId, net_version, net_peerCount,
 * web3_clientVersion, admin_nodeInfo, admin_peers, admin_addPeer,
 * admin_addTrustedPeer, txpool_status.
 */
#ifndef ETHP2P_CLI_RPC_H
#define ETHP2P_CLI_RPC_H

#include "ethp2p/node.h"
#include <uv.h>

typedef struct rpc rpc;

/** ipc_path may be NULL (no IPC); http_port 0 = no HTTP. Prints problems; NULL on failure. */
rpc *rpc_start(uv_loop_t *loop, ethp2p_node *node, const char *ipc_path, uint16_t http_port);
/** Closes listeners and clients; run the loop to finish. */
void rpc_stop(rpc *r);
/** Handles one request text (for tests and both transports); returns malloc'd JSON text. */
char *rpc_handle_text(rpc *r, const char *req, size_t len);

#endif

/* `ethp2p node --metrics`: the node's metrics at /metrics in the Prometheus text format. */
#ifndef ETHP2P_CLI_METRICS_HTTP_H
#define ETHP2P_CLI_METRICS_HTTP_H

#include "rpc.h"

typedef struct metrics_http metrics_http;

/** Serves node (and rpc's call counts, rpc may be NULL) on ip:port. NULL on failure (logged). */
metrics_http *metrics_http_start(uv_loop_t *loop, ethp2p_node *node, rpc *r, const ethp2p_ip *ip, uint16_t port);
/** The port it listens on. */
uint16_t metrics_http_port(const metrics_http *m);
void metrics_http_stop(metrics_http *m);

#endif

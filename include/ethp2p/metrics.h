/*
 * ethp2p/metrics.h - the Prometheus text exposition format (version 0.0.4),
 * and a running node's metrics in it: peers by direction and client, dials and
 * their outcomes, handshake failures and disconnects by reason, discovery
 * packets by type and drops by reason, table sizes, sub-protocol messages and
 * bytes per code, transactions and blocks, queue drops.
 *
 * Serve ethp2p_node_metrics()'s text at /metrics with the content type
 * ETHP2P_METRICS_CONTENT_TYPE (the CLI's --metrics does).
 */
#ifndef ETHP2P_METRICS_H
#define ETHP2P_METRICS_H

#include "ethp2p/buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ethp2p_node;

#define ETHP2P_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/** Writes a family's "# HELP" and "# TYPE" lines; type is "counter" or "gauge". Once per name. */
void ethp2p_metrics_family(ethp2p_buffer *b, const char *name, const char *type, const char *help);

/**
 * Writes one sample: name{labels} value. labels holds alternating keys and values,
 * NULL-terminated (may be NULL for none); values are escaped (backslash, quote,
 * newline), so a remote's text (a client name) may be a value.
 */
void ethp2p_metrics_sample(ethp2p_buffer *b, const char *name, const char *const *labels, double value);

/**
 * A label value for a remote client's name: its first word up to '/', only
 * letters, digits, '-', '_' and '.', at most 32 characters ("unknown" if none).
 */
void ethp2p_metrics_client_label(const char *client_name, char out[33]);

/** Appends every metric of a running node (see the top of this header). */
void ethp2p_node_metrics(struct ethp2p_node *n, ethp2p_buffer *out);

#ifdef __cplusplus
}
#endif

#endif

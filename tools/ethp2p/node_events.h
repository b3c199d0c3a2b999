/* `ethp2p node --events`: the node's events as JSON lines (peer_added, peer_dropped, status, tx, block). */
#ifndef ETHP2P_CLI_NODE_EVENTS_H
#define ETHP2P_CLI_NODE_EVENTS_H

#include "ethp2p/node.h"
#include <stdio.h>

/** Writes one event as a JSON object and a newline, flushed. Events without a line are skipped. */
void node_event_write(FILE *out, const ethp2p_node_event *ev);

#endif

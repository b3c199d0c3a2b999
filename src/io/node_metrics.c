/*
 * A running node's metrics in the Prometheus text format: read at scrape time
 * from the counters each layer keeps (server, discv4, discv5, eth), so that
 * counting costs the hot paths an increment and nothing else.
 */
#include "ethp2p/metrics.h"
#include "ethp2p/node.h"
#include "ethp2p/discv5.h"
#include "ethp2p/txpool.h"

#include <stdio.h>
#include <string.h>

#define MAX_CLIENTS 64

static const char *const dir_name[2] = {"inbound", "outbound"};

typedef struct kv {
    const char *k;
    uint64_t v;
} kv;

/* One sample per row: name{[fixed="fv",]label="row.k"} row.v (fixed may be NULL). */
static void series(ethp2p_buffer *b, const char *name, const char *fixed, const char *fv, const char *label, const kv *rows,
                   size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *with[] = {fixed, fv, label, rows[i].k, NULL};
        const char *without[] = {label, rows[i].k, NULL};
        ethp2p_metrics_sample(b, name, fixed ? with : without, (double)rows[i].v);
    }
}

static void reason_label(int r, char out[40])
{
    snprintf(out, 40, "%s", r == ETHP2P_SERVER_REASONS - 1 ? "other" : ethp2p_disconnect_reason_name(r));
}

static void peers_metrics(ethp2p_server *srv, ethp2p_buffer *b)
{
    ethp2p_peer *ps[1024];
    size_t n = ethp2p_server_peers(srv, ps, 1024);
    if (n > 1024) n = 1024;
    uint64_t by_dir[2] = {0, 0};
    char names[MAX_CLIENTS][33];
    uint64_t counts[MAX_CLIENTS];
    size_t nnames = 0;
    for (size_t i = 0; i < n; i++) {
        by_dir[!ps[i]->inbound]++;
        char c[33];
        ethp2p_metrics_client_label(ps[i]->name, c);
        size_t k = 0;
        while (k < nnames && strcmp(names[k], c)) k++;
        if (k == nnames) {
            if (nnames == MAX_CLIENTS) strcpy(c, "other");
            k = 0;
            while (k < nnames && strcmp(names[k], c)) k++;
            if (k == nnames) {
                if (nnames == MAX_CLIENTS) k--; /* the table is full: count it with the last */
                else {
                    strcpy(names[nnames], c);
                    counts[nnames++] = 0;
                }
            }
        }
        counts[k]++;
    }
    ethp2p_metrics_family(b, "ethp2p_peers", "gauge", "Connected peers by direction.");
    for (int d = 0; d < 2; d++) {
        const char *l[] = {"direction", dir_name[d], NULL};
        ethp2p_metrics_sample(b, "ethp2p_peers", l, (double)by_dir[d]);
    }
    ethp2p_metrics_family(b, "ethp2p_peers_by_client", "gauge", "Connected peers by client name (the Hello's first word).");
    for (size_t k = 0; k < nnames; k++) {
        const char *l[] = {"client", names[k], NULL};
        ethp2p_metrics_sample(b, "ethp2p_peers_by_client", l, (double)counts[k]);
    }
}

static void server_metrics(ethp2p_server *srv, ethp2p_buffer *b)
{
    const ethp2p_server_stats *st = ethp2p_server_get_stats(srv);
    const ethp2p_server_config *cfg = ethp2p_server_get_config(srv);
    char reason[40];
    ethp2p_metrics_family(b, "ethp2p_dials_total", "counter", "Outbound connections started.");
    ethp2p_metrics_sample(b, "ethp2p_dials_total", NULL, (double)st->dials);
    ethp2p_metrics_family(b, "ethp2p_peers_added_total", "counter", "Connections that became peers, by direction.");
    for (int d = 0; d < 2; d++) {
        const char *l[] = {"direction", dir_name[d], NULL};
        ethp2p_metrics_sample(b, "ethp2p_peers_added_total", l, (double)st->peers_added[d]);
    }
    ethp2p_metrics_family(b, "ethp2p_handshake_failures_total", "counter",
                          "Connections closed before becoming peers (outbound: failed dials), by direction and reason.");
    for (int d = 0; d < 2; d++)
        for (int r = 0; r < ETHP2P_SERVER_REASONS; r++)
            if (st->conn_failed[d][r]) {
                reason_label(r, reason);
                const char *l[] = {"direction", dir_name[d], "reason", reason, NULL};
                ethp2p_metrics_sample(b, "ethp2p_handshake_failures_total", l, (double)st->conn_failed[d][r]);
            }
    ethp2p_metrics_family(b, "ethp2p_inbound_refused_total", "counter", "Inbound connections refused before a handshake, by reason.");
    const kv refused[] = {{"limit", st->inbound_refused_limit}, {"netrestrict", st->inbound_refused_netrestrict},
                          {"throttled", st->inbound_throttled}, {"backlog_full", st->inbound_wait_refused},
                          {"waited_too_long", st->inbound_wait_expired}};
    series(b, "ethp2p_inbound_refused_total", NULL, NULL, "reason", refused, 5);
    ethp2p_metrics_family(b, "ethp2p_inbound_waited_total", "counter",
                          "Inbound connections told to wait for a handshake slot (their address or subnet held its share).");
    ethp2p_metrics_sample(b, "ethp2p_inbound_waited_total", NULL, (double)st->inbound_waited);
    ethp2p_metrics_family(b, "ethp2p_inbound_waiting", "gauge", "Inbound connections waiting for a handshake slot now.");
    ethp2p_metrics_sample(b, "ethp2p_inbound_waiting", NULL, (double)st->inbound_waiting);
    ethp2p_metrics_family(b, "ethp2p_disconnects_total", "counter", "Peers lost, by reason and by which side ended it.");
    for (int by = 0; by < 2; by++)
        for (int r = 0; r < ETHP2P_SERVER_REASONS; r++)
            if (st->disconnects[by][r]) {
                reason_label(r, reason);
                const char *l[] = {"reason", reason, "by", by ? "remote" : "local", NULL};
                ethp2p_metrics_sample(b, "ethp2p_disconnects_total", l, (double)st->disconnects[by][r]);
            }
    static const char *const fam[4] = {"ethp2p_messages_in_total", "ethp2p_messages_out_total", "ethp2p_message_bytes_in_total",
                                       "ethp2p_message_bytes_out_total"};
    static const char *const help[4] = {"Sub-protocol messages received, by protocol and code.",
                                        "Sub-protocol messages sent, by protocol and code.",
                                        "Sub-protocol payload bytes received (before compression), by protocol and code.",
                                        "Sub-protocol payload bytes sent (before compression), by protocol and code."};
    for (int f = 0; f < 4; f++) {
        ethp2p_metrics_family(b, fam[f], "counter", help[f]);
        for (size_t p = 0; p < cfg->nprotocols && p < ETHP2P_CONN_MAX_PROTOCOLS; p++)
            for (int c = 0; c < ETHP2P_SERVER_CODES; c++) {
                const uint64_t *row = f == 0 ? st->msgs_in[p] : f == 1 ? st->msgs_out[p] : f == 2 ? st->bytes_in[p] : st->bytes_out[p];
                if (!row[c]) continue;
                char proto[48], code[8];
                snprintf(proto, sizeof(proto), "%s/%u", cfg->protocols[p].name, cfg->protocols[p].version);
                snprintf(code, sizeof(code), "0x%02x", c);
                const char *l[] = {"protocol", proto, "code", code, NULL};
                ethp2p_metrics_sample(b, fam[f], l, (double)row[c]);
            }
    }
}

/* Packets in and out of one discovery protocol, by message type (types 1..6). */
static void packets_by_type(ethp2p_buffer *b, const char *proto, const char *const names[7], const uint64_t in_n[7],
                            const uint64_t out_n[7])
{
    for (int t = 1; t < 7; t++) {
        const char *in[] = {"protocol", proto, "direction", "in", "type", names[t], NULL};
        const char *out[] = {"protocol", proto, "direction", "out", "type", names[t], NULL};
        ethp2p_metrics_sample(b, "ethp2p_discovery_packets_total", in, (double)in_n[t]);
        ethp2p_metrics_sample(b, "ethp2p_discovery_packets_total", out, (double)out_n[t]);
    }
}

static void discovery_metrics(ethp2p_server *srv, ethp2p_buffer *b)
{
    static const char *const v4type[7] = {"", "ping", "pong", "findnode", "neighbors", "enrrequest", "enrresponse"};
    ethp2p_discv4 *d = ethp2p_server_discv4(srv);
    ethp2p_discv5 *v5 = ethp2p_server_discv5(srv);
    ethp2p_metrics_family(b, "ethp2p_discovery_packets_total", "counter", "Discovery packets by protocol, direction and type.");
    if (d) {
        const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
        packets_by_type(b, "discv4", v4type, st->in_by_type, st->out_by_type);
    }
    if (v5) {
        static const char *const v5type[7] = {"", "ping", "pong", "findnode", "nodes", "talkreq", "talkresp"};
        const ethp2p_discv5_stats *st = ethp2p_discv5_get_stats(v5);
        packets_by_type(b, "discv5", v5type, st->msgs_in, st->msgs_out);
    }
    /* Datagrams: discv5's handshakes and WHOAREYOU included; discv4 counts each packet once above. */
    ethp2p_metrics_family(b, "ethp2p_discovery_datagrams_total", "counter", "Discovery datagrams by protocol and direction.");
    if (d) {
        const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
        const kv rows[] = {{"in", st->packets_in}, {"out", st->packets_out}};
        series(b, "ethp2p_discovery_datagrams_total", "protocol", "discv4", "direction", rows, 2);
    }
    if (v5) {
        const ethp2p_discv5_stats *st = ethp2p_discv5_get_stats(v5);
        const kv rows[] = {{"in", st->packets_in}, {"out", st->packets_out}};
        series(b, "ethp2p_discovery_datagrams_total", "protocol", "discv5", "direction", rows, 2);
    }
    ethp2p_metrics_family(b, "ethp2p_discovery_drops_total", "counter", "Discovery packets dropped, by protocol and reason.");
    if (d) {
        const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
        const kv drops[] = {
            {"malformed", st->drop_malformed},     {"bad_hash", st->drop_bad_hash},     {"bad_signature", st->drop_bad_sig},
            {"unknown_type", st->drop_unknown_type}, {"expired", st->drop_expired},     {"unsolicited", st->drop_unsolicited},
            {"no_bond", st->drop_no_bond},         {"self", st->drop_self},             {"too_big", st->drop_too_big},
            {"bad_neighbour", st->neighbours_rejected}};
        series(b, "ethp2p_discovery_drops_total", "protocol", "discv4", "reason", drops, sizeof(drops) / sizeof(drops[0]));
    }
    if (v5) {
        const ethp2p_discv5_stats *st = ethp2p_discv5_get_stats(v5);
        const kv drops[] = {{"not_v5", st->not_v5}, {"malformed", st->malformed}, {"undecryptable", st->undecryptable},
                            {"handshake_failed", st->handshakes_failed}};
        series(b, "ethp2p_discovery_drops_total", "protocol", "discv5", "reason", drops, sizeof(drops) / sizeof(drops[0]));
    }
    ethp2p_metrics_family(b, "ethp2p_discovery_table_nodes", "gauge", "Nodes in the discovery table, by protocol.");
    if (d) {
        const char *l[] = {"protocol", "discv4", NULL};
        ethp2p_metrics_sample(b, "ethp2p_discovery_table_nodes", l, (double)ethp2p_table_len(ethp2p_discv4_table(d)));
    }
    if (v5) {
        const char *l[] = {"protocol", "discv5", NULL};
        ethp2p_metrics_sample(b, "ethp2p_discovery_table_nodes", l, (double)ethp2p_discv5_table_len(v5));
    }
}

static void eth_metrics(ethp2p_node *n, ethp2p_buffer *b)
{
    ethp2p_eth *eth = ethp2p_node_eth(n);
    const ethp2p_eth_stats *st = ethp2p_eth_get_stats(eth);
    ethp2p_metrics_family(b, "ethp2p_eth_peers", "gauge", "Peers past the eth Status exchange.");
    ethp2p_metrics_sample(b, "ethp2p_eth_peers", NULL, (double)ethp2p_eth_peer_count(eth));
    ethp2p_metrics_family(b, "ethp2p_txs_received_total", "counter", "Transactions received, by outcome.");
    const kv rx[] = {{"new", st->txs_new - st->txs_local}, {"duplicate", st->txs_dup}, {"invalid", st->txs_invalid},
                     {"oversize", st->txs_oversize}};
    series(b, "ethp2p_txs_received_total", NULL, NULL, "outcome", rx, 4);
    ethp2p_metrics_family(b, "ethp2p_txs_local_total", "counter", "Transactions submitted locally (RPC, API).");
    ethp2p_metrics_sample(b, "ethp2p_txs_local_total", NULL, (double)st->txs_local);
    ethp2p_metrics_family(b, "ethp2p_txs_relayed_total", "counter", "Transactions sent to peers, in full or announced.");
    const kv relayed[] = {{"full", st->full_out}, {"announced", st->announced_out}};
    series(b, "ethp2p_txs_relayed_total", NULL, NULL, "how", relayed, 2);
    ethp2p_metrics_family(b, "ethp2p_txs_fetch_timeouts_total", "counter", "Announced transactions whose fetch timed out.");
    ethp2p_metrics_sample(b, "ethp2p_txs_fetch_timeouts_total", NULL, (double)st->fetch_timeouts);
    ethp2p_metrics_family(b, "ethp2p_txpool_transactions", "gauge", "Transactions held in the pool.");
    ethp2p_metrics_sample(b, "ethp2p_txpool_transactions", NULL, (double)ethp2p_txpool_len(ethp2p_eth_pool(eth)));
    ethp2p_metrics_family(b, "ethp2p_blocks_total", "counter", "Blocks: new to us, received, relayed, announced.");
    const kv bl[] = {{"new", st->blocks_new}, {"received", st->blocks_in}, {"relayed", st->blocks_out},
                     {"announced", st->block_hashes_out}};
    series(b, "ethp2p_blocks_total", NULL, NULL, "event", bl, 4);
    ethp2p_metrics_family(b, "ethp2p_queue_drops_total", "counter", "Messages dropped because a peer's send queue was full.");
    ethp2p_metrics_sample(b, "ethp2p_queue_drops_total", NULL, (double)st->queue_drops);
    ethp2p_metrics_family(b, "ethp2p_eth_peers_dropped_total", "counter", "Peers dropped by the eth protocol (bad messages, wrong chain).");
    ethp2p_metrics_sample(b, "ethp2p_eth_peers_dropped_total", NULL, (double)st->peers_dropped);
    ethp2p_chain *c = ethp2p_node_chain(n);
    ethp2p_metrics_family(b, "ethp2p_chain_head", "gauge", "Number of the chain's head block (0 without a chain).");
    ethp2p_metrics_sample(b, "ethp2p_chain_head", NULL, c ? (double)ethp2p_chain_head(c)->number : 0);
}

void ethp2p_node_metrics(ethp2p_node *n, ethp2p_buffer *out)
{
    ethp2p_server *srv = ethp2p_node_server(n);
    peers_metrics(srv, out);
    server_metrics(srv, out);
    discovery_metrics(srv, out);
    eth_metrics(n, out);
}

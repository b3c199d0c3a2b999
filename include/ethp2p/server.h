/*
 * ethp2p/server.h - a devp2p node's networking: discovery (discv4 on UDP),
 * RLPx (TCP) listening and dialling, the dial scheduler, admission limits,
 * dial-race resolution, and events for the layers above. Runs on a libuv loop.
 *
 * UDP and TCP share one port unless a discovery port is given. Sub-protocols are declared as capabilities; a
 * peer is added once its Hello passed and it shares at least one of them.
 */
#ifndef ETHP2P_SERVER_H
#define ETHP2P_SERVER_H

#include "ethp2p/conn.h"
#include "ethp2p/dial.h"
#include "ethp2p/io.h"
#include "ethp2p/buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_SERVER_DEFAULT_MAX_PENDING 50 /* handshakes under way at once */
/* Bytes of incomplete frames all peers together may make us hold; over it, a peer holding more
 * than 1/16 of it is dropped (see ethp2p_conn_budget). */
#define ETHP2P_SERVER_DEFAULT_RECV_BUDGET (64u * 1024 * 1024)

typedef struct ethp2p_server ethp2p_server;

/** A connected peer, for the layers above. */
typedef struct ethp2p_peer {
    ethp2p_server *server;
    ethp2p_rlpx_tcp *tcp;
    ethp2p_enode node;       /* key and ID; address as seen; tcp = its listen port when dialled */
    int inbound, trusted, is_static, active, lost_race;
    uint64_t connected_ms;
    uint64_t msgs_in, msgs_out;
    char name[64];           /* client identity from its Hello (truncated) */
    void *user;              /* for the layers above */
} ethp2p_peer;

typedef struct ethp2p_server_config {
    ethp2p_privkey key;
    const char *client_name;
    ethp2p_ip listen_ip;
    uint16_t port;                     /* TCP (and UDP unless discovery_port); 0 = any free port */
    uint16_t discovery_port;           /* UDP for discovery; 0 = the TCP port */
    ethp2p_ip advertise_ip;            /* family 0: the listen IP if specific, else predicted from peers' Pongs */
    int no_endpoint_prediction;        /* 1: never take the address peers report (ethp2p/iptrack.h) */
    size_t max_peers, max_pending;
    size_t recv_budget;                /* 0: ETHP2P_SERVER_DEFAULT_RECV_BUDGET */
    uint64_t write_timeout_ms;         /* 0: ETHP2P_RLPX_TCP_WRITE_TIMEOUT_MS (20 s) */
    const ethp2p_enode *bootnodes, *static_nodes, *trusted_nodes;
    size_t nbootnodes, nstatic, ntrusted;
    int no_discovery;
    int no_discovery_v5;               /* discv4 only (discv5 runs beside it on the same port by default) */
    const ethp2p_netlist *netrestrict; /* NULL: any address; else only these (TCP both ways, discovery) */
    ethp2p_nodedb *db;
    const ethp2p_protocol_spec *protocols;
    size_t nprotocols;
    void *ctx;
    void (*on_peer_added)(void *ctx, ethp2p_peer *p);
    void (*on_peer_removed)(void *ctx, ethp2p_peer *p, int reason, int by_remote);
    void (*on_message)(void *ctx, ethp2p_peer *p, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data,
                       size_t len);
} ethp2p_server_config;

/** Disconnect reasons counted separately (ETHP2P_DISC_* up to 0x10). */
#define ETHP2P_SERVER_REASONS 17
/** Message codes counted separately per protocol; higher codes share the last slot. */
#define ETHP2P_SERVER_CODES 32

/** Counters, for metrics and logs. Directions: [0] inbound, [1] outbound. */
typedef struct ethp2p_server_stats {
    uint64_t dials;                      /* outbound connections started */
    uint64_t peers_added[2];             /* connections that became peers */
    uint64_t conn_failed[2][ETHP2P_SERVER_REASONS]; /* closed before becoming peers, by reason */
    uint64_t inbound_refused_limit, inbound_refused_netrestrict, inbound_throttled;
    /* Inbound connections told to wait for a handshake slot (ethp2p_inbound_may_start), those the
     * listener's backlog had no room for, those that waited too long, and those waiting now. */
    uint64_t inbound_waited, inbound_wait_refused, inbound_wait_expired, inbound_waiting;
    uint64_t disconnects[2][ETHP2P_SERVER_REASONS]; /* peers lost, by reason; [0] by us, [1] by the remote */
    /* Sub-protocol messages per protocol (index into the configured protocols) and code (from 0 within the
     * protocol); bytes are payload bytes before compression. */
    uint64_t msgs_in[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_SERVER_CODES], msgs_out[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_SERVER_CODES];
    uint64_t bytes_in[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_SERVER_CODES], bytes_out[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_SERVER_CODES];
} ethp2p_server_stats;

/** Starts everything; returns 0 or an error (logged with the address). */
int ethp2p_server_start(struct uv_loop_s *loop, const ethp2p_server_config *cfg, ethp2p_server **out);
/** Disconnects every peer (client quitting), closes sockets; run the loop to finish. */
void ethp2p_server_stop(ethp2p_server *s);

/** The peers, connected and active: fills up to max, returns the total. */
size_t ethp2p_server_peers(ethp2p_server *s, ethp2p_peer **out, size_t max);
/** Our enode (advertised address, TCP/UDP port). */
const ethp2p_enode *ethp2p_server_self(const ethp2p_server *s);
ethp2p_discv4 *ethp2p_server_discv4(ethp2p_server *s);
/** The discv5 core running beside discv4, or NULL. */
ethp2p_discv5 *ethp2p_server_discv5(ethp2p_server *s);
/**
 * Our external address is known (a NAT mapping): advertised from now on in our enode, discv4
 * and discv5 records (sequence bumped); addresses predicted from Pongs are no longer taken.
 */
int ethp2p_server_set_external_ip(ethp2p_server *s, const ethp2p_ip *ip);
/** The server's counters. */
const ethp2p_server_stats *ethp2p_server_get_stats(const ethp2p_server *s);
/** The configuration the server was started with (its protocols name the metrics' slots). */
const ethp2p_server_config *ethp2p_server_get_config(const ethp2p_server *s);
/** Adds a static node (always kept connected, redialled when lost), like admin_addPeer. */
int ethp2p_server_add_static(ethp2p_server *s, const ethp2p_enode *n);
/**
 * A node to consider dialling, from a source other than discv4 (a DNS node
 * list): offered to the dialer when it wants candidates. The newest
 * ETHP2P_SERVER_MAX_CANDIDATES wait; nodes without a TCP port or outside
 * netrestrict are ignored.
 */
#define ETHP2P_SERVER_MAX_CANDIDATES 512
void ethp2p_server_add_candidate(ethp2p_server *s, const ethp2p_enode *n);
/** Stops redialling a static node and disconnects it (requested), like admin_removePeer. */
int ethp2p_server_remove_static(ethp2p_server *s, const ethp2p_node_id *id);
/** Marks a node trusted (admitted above the peer limits), like admin_addTrustedPeer. */
int ethp2p_server_add_trusted(ethp2p_server *s, const ethp2p_node_id *id);
int ethp2p_server_remove_trusted(ethp2p_server *s, const ethp2p_node_id *id);
/** Disconnects a peer with a reason (ETHP2P_DISC_*). */
void ethp2p_server_disconnect(ethp2p_peer *p, int reason);
/** Sends a sub-protocol message to a peer. */
int ethp2p_server_send(ethp2p_peer *p, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data, size_t len);

/* ---- introspection, in the shape of the reference's admin_nodeInfo / admin_peers ---- */

typedef struct ethp2p_node_info {
    char id[65];                 /* node ID, hex */
    char name[128];              /* our client name */
    char enode[ETHP2P_ENODE_URL_MAX];
    char enr[512];               /* "enr:..." ("" without discovery) */
    char ip[46];
    uint16_t discovery_port;     /* 0 without discovery */
    uint16_t listener_port;
    char listen_addr[64];        /* "[::]:30303" style */
    ethp2p_protocol_spec protocols[ETHP2P_CONN_MAX_PROTOCOLS];
    size_t nprotocols;
} ethp2p_node_info;

typedef struct ethp2p_peer_info {
    char enode[ETHP2P_ENODE_URL_MAX];
    char id[65];
    char name[257];
    ethp2p_cap caps[ETHP2P_P2P_MAX_CAPS]; /* what the remote's Hello offered */
    size_t ncaps;
    char local_address[64], remote_address[64];
    int inbound, trusted, is_static;
    uint64_t connected_for_ms, msgs_in, msgs_out;
} ethp2p_peer_info;

void ethp2p_server_node_info(ethp2p_server *s, ethp2p_node_info *out);
void ethp2p_server_peer_info(const ethp2p_peer *p, ethp2p_peer_info *out);
/** JSON as admin_nodeInfo prints it: {"id","name","enode","enr","ip","ports":{..},"listenAddr","protocols":{..}}. */
void ethp2p_node_info_json(const ethp2p_node_info *n, ethp2p_buffer *out);
/** JSON as one admin_peers entry: {"enode","id","name","caps":[..],"network":{..},"protocols":{..}}. */
void ethp2p_peer_info_json(const ethp2p_peer_info *p, ethp2p_buffer *out);

#ifdef __cplusplus
}
#endif
#endif

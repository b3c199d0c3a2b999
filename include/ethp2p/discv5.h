/*
 * ethp2p/discv5.h - the discovery v5 protocol (discv5-wire.md, discv5-theory.md),
 * sans-I/O: packets in (with their source), packets out through `send`, time
 * passed in. Runs on the same UDP socket as discv4: a packet that is not
 * discv5 is reported as such (ETHP2P_V5_ENOTV5) so the owner hands it to v4.
 *
 * Sessions are made by the handshake: a request to a node without a session
 * goes out as a packet the node cannot read; its WHOAREYOU challenge is
 * answered with a handshake packet (ephemeral key, identity proof, our record
 * if the node's copy is older) carrying the request again. Incoming packets
 * that do not open get a WHOAREYOU (at most ETHP2P_DISCV5_CHALLENGES_PER_IP
 * outstanding per IP address). Requests are only answered inside a session,
 * which proves the requester's address: no amplification toward a spoofed one.
 */
#ifndef ETHP2P_DISCV5_H
#define ETHP2P_DISCV5_H

#include "ethp2p/discv4.h"
#include "ethp2p/v5wire.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_DISCV5_REQUEST_TIMEOUT_MS = 700, /* the reference's respTimeoutV5 */
    ETHP2P_DISCV5_HANDSHAKE_TIMEOUT_MS = 1000,
    ETHP2P_DISCV5_MAX_SESSIONS = 1024,
    ETHP2P_DISCV5_MAX_CHALLENGES = 512,
    ETHP2P_DISCV5_CHALLENGES_PER_IP = 8,
    ETHP2P_DISCV5_MAX_RECORDS = 4096,       /* node records kept for FINDNODE answers */
    ETHP2P_DISCV5_MAX_NODES_ANSWER = 16,    /* records in one FINDNODE answer */
    ETHP2P_DISCV5_MAX_NODES_MESSAGES = 8,   /* NODES messages accepted for one request */
    ETHP2P_DISCV5_MAX_TALK = 16,            /* TALKREQ protocols registered */
    ETHP2P_DISCV5_MAX_PENDING = 256,        /* our requests under way */
};

typedef struct ethp2p_discv5 ethp2p_discv5;

typedef struct ethp2p_discv5_config {
    ethp2p_privkey key;
    const ethp2p_enr *record;   /* our signed record (copied); its seq is what PONG says */
    void *ctx;
    void (*send)(void *ctx, const ethp2p_udp_addr *to, const uint8_t *packet, size_t len);
    /* A node learned from a handshake record or a NODES answer (optional; gets hook_ctx). */
    void (*on_node)(void *hook_ctx, const ethp2p_enr *rec);
    void *hook_ctx;
    uint64_t seed;              /* nonces and IDs; 0: from the OS */
    /* Background work (ethp2p_discv5_start): the bootnodes are pinged (a handshake each),
     * then a lookup runs every refresh_ms (0: 30 s): for our own ID every third time, else a random one. */
    int background;
    const ethp2p_enr *bootnodes; /* records, or ethp2p_discv5_record_of() for enode URLs */
    size_t nbootnodes;
    uint64_t refresh_ms;
} ethp2p_discv5_config;

typedef struct ethp2p_discv5_stats {
    uint64_t packets_in, packets_out, not_v5, malformed, undecryptable, whoareyou_sent, whoareyou_limited,
        handshakes_done, handshakes_failed, requests_in, requests_out, timeouts,
        sessions; /* sessions established (an evicted one re-established counts again) */
    uint64_t msgs_in[7], msgs_out[7]; /* messages by type (ETHP2P_V5_PING 1 .. ETHP2P_V5_TALKRESP 6) */
} ethp2p_discv5_stats;

ethp2p_discv5 *ethp2p_discv5_new(const ethp2p_discv5_config *cfg);
/**
 * Frees the core. Requests under way end first, their callbacks run with
 * ETHP2P_ECANCELED (lookups end and call back with what they found); new
 * requests from those callbacks are refused.
 */
void ethp2p_discv5_free(ethp2p_discv5 *d);

/**
 * A datagram from `from`. 0 when it was discv5 (handled or dropped with a
 * counted reason), ETHP2P_V5_ENOTV5 when it is not: hand it to discv4.
 */
int ethp2p_discv5_handle_packet(ethp2p_discv5 *d, const ethp2p_udp_addr *from, const uint8_t *data, size_t len,
                                uint64_t now_ms);
/** Timeouts; returns the next deadline (UINT64_MAX: none). */
uint64_t ethp2p_discv5_tick(ethp2p_discv5 *d, uint64_t now_ms);

/** Remembers a node's record (from a bootnode list, say): its key and address for requests. */
ETHP2P_WARN_UNUSED int ethp2p_discv5_add_node(ethp2p_discv5 *d, const ethp2p_enr *rec);

/* Answers. err is 0, ETHP2P_ETIMEDOUT, or why the node's answer was refused. */
typedef void (*ethp2p_discv5_pong_cb)(void *arg, int err, uint64_t enr_seq, const ethp2p_udp_addr *seen_as);
typedef void (*ethp2p_discv5_nodes_cb)(void *arg, int err, const ethp2p_enr *recs, size_t n);
typedef void (*ethp2p_discv5_talk_cb)(void *arg, int err, const uint8_t *resp, size_t len);

/** PING to the node of this record (its "ip"/"udp"). */
ETHP2P_WARN_UNUSED int ethp2p_discv5_ping(ethp2p_discv5 *d, const ethp2p_enr *node, uint64_t now_ms,
                                          ethp2p_discv5_pong_cb cb, void *arg);
/** FINDNODE for these log-distances (0: the node's own record; at most 16). Records are verified. */
ETHP2P_WARN_UNUSED int ethp2p_discv5_findnode(ethp2p_discv5 *d, const ethp2p_enr *node, const uint16_t *distances,
                                              size_t n, uint64_t now_ms, ethp2p_discv5_nodes_cb cb, void *arg);
/** TALKREQ with a protocol name and a request. */
ETHP2P_WARN_UNUSED int ethp2p_discv5_talkreq(ethp2p_discv5 *d, const ethp2p_enr *node, const char *proto,
                                             const uint8_t *req, size_t len, uint64_t now_ms, ethp2p_discv5_talk_cb cb,
                                             void *arg);
/**
 * Serves a TALKREQ protocol: handler gets the requester's node ID and the
 * request and writes at most cap bytes of answer into resp (*len). A request
 * for a protocol nobody serves is answered empty, as the spec says.
 */
typedef void (*ethp2p_discv5_talk_handler)(void *ctx, const uint8_t from_id[32], const uint8_t *req, size_t len,
                                           uint8_t *resp, size_t cap, size_t *resp_len);
ETHP2P_WARN_UNUSED int ethp2p_discv5_register_talk(ethp2p_discv5 *d, const char *proto,
                                                   ethp2p_discv5_talk_handler handler, void *ctx);

const ethp2p_discv5_stats *ethp2p_discv5_get_stats(const ethp2p_discv5 *d);
/** Copies up to max of the node records kept (for FINDNODE answers and crawls); returns the count. */
size_t ethp2p_discv5_records(const ethp2p_discv5 *d, ethp2p_enr *out, size_t max);
/** Starts the background work (see the config): pings the bootnodes, schedules lookups. */
void ethp2p_discv5_start(ethp2p_discv5 *d, uint64_t now_ms);

/**
 * An iterative lookup (discv5-theory.md, "Lookup"): asks the closest known
 * nodes to target for the records at the log-distances around it, three at a
 * time, until the 16 closest have answered or failed; cb gets the closest
 * records found and what the lookup did. Found nodes enter the table.
 */
/** What a lookup did: FINDNODE queries sent, answered, and the hops to the nearest result (as discv4's). */
typedef ethp2p_discv4_lookup_info ethp2p_discv5_lookup_info;
typedef void (*ethp2p_discv5_lookup_cb)(void *arg, const ethp2p_enr *closest, size_t n,
                                        const ethp2p_discv5_lookup_info *info);
ETHP2P_WARN_UNUSED int ethp2p_discv5_lookup(ethp2p_discv5 *d, const uint8_t target[32], uint64_t now_ms,
                                            ethp2p_discv5_lookup_cb cb, void *arg);
/** Up to max random nodes of the table (dial candidates). */
size_t ethp2p_discv5_random_nodes(ethp2p_discv5 *d, ethp2p_enode *out, size_t max);
/** Nodes in the table. */
size_t ethp2p_discv5_table_len(const ethp2p_discv5 *d);
/**
 * Replaces our record (a newer one for the same key: a new address, a bumped
 * sequence); PONGs and NODES answers carry it from now on. ETHP2P_EINVAL if it
 * is for another node ID or does not verify.
 */
int ethp2p_discv5_set_record(ethp2p_discv5 *d, const ethp2p_enr *rec);
/**
 * An unsigned record holding an enode's key, IP and UDP port: enough to send
 * a node discv5 requests when only its enode URL is known (a bootnode list).
 */
ETHP2P_WARN_UNUSED int ethp2p_discv5_record_of(const ethp2p_enode *n, ethp2p_enr *out);

/** Log distance between two node IDs (0..256). */
int ethp2p_discv5_log_distance(const uint8_t a[32], const uint8_t b[32]);

#ifdef __cplusplus
}
#endif
#endif

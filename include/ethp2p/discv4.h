/*
 * ethp2p/discv4.h - Node Discovery Protocol v4 (devp2p discv4.md), sans-I/O.
 *
 * The core never touches a socket or a clock. The caller feeds it datagrams
 * (ethp2p_discv4_handle_packet) and the time, and calls ethp2p_discv4_tick()
 * when the deadline it returned has come; the core sends through the `send`
 * callback of its configuration. io/ (libuv) and sim/ (a virtual network)
 * both drive this same core.
 *
 * Times are Unix milliseconds: packet expirations are wall-clock seconds, so
 * the one clock serves both timers and expirations (a simulation simply
 * starts its virtual clock at some Unix time).
 *
 * Behaviour follows go-ethereum's p2p/discover (see docs/protocol-notes.md):
 * endpoint proofs before answering FindNode/ENRRequest, a ping back to unknown
 * pingers, reply matching by node ID, IP and type (and hash for Pong and
 * ENRResponse), 500 ms reply deadlines, relay checks on Neighbours entries,
 * table revalidation, and refresh by lookups.
 */
#ifndef ETHP2P_DISCV4_H
#define ETHP2P_DISCV4_H

#include "ethp2p/table.h"
#include "ethp2p/v4wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tuning, with the reference's values. */
enum {
    ETHP2P_DISCV4_REPLY_TIMEOUT_MS = 500,           /* respTimeout */
    ETHP2P_DISCV4_ALPHA = 3,                        /* lookup concurrency */
    ETHP2P_DISCV4_MAX_FINDNODE_FAILURES = 5,        /* then the node leaves the table */
    ETHP2P_DISCV4_NTP_TIMEOUT_THRESHOLD = 32,       /* consecutive timeouts before a clock check */
};
#define ETHP2P_DISCV4_BOND_EXPIRATION_MS (24ULL * 3600 * 1000) /* reference: a proof lasts 24 h */
#define ETHP2P_DISCV4_REBOND_MS (12ULL * 3600 * 1000)          /* spec says 12 h: re-bond before that */
#define ETHP2P_DISCV4_REFRESH_INTERVAL_MS (30ULL * 60 * 1000) /* the next refresh comes after half to all of it */
#define ETHP2P_DISCV4_NTP_MIN_INTERVAL_MS (10ULL * 60 * 1000)

typedef struct ethp2p_udp_addr {
    ethp2p_ip ip;
    uint16_t port;
} ethp2p_udp_addr;

typedef struct ethp2p_nodedb ethp2p_nodedb;

typedef struct ethp2p_discv4_config {
    ethp2p_privkey key;
    ethp2p_ip ip;                 /* advertised address (family 0: unknown, sent as empty) */
    uint16_t udp_port, tcp_port;
    uint64_t enr_seq;             /* sequence number of our record (0: start at 1) */
    const ethp2p_enode *bootnodes;
    size_t nbootnodes;
    uint64_t seed;                /* randomness for the table and lookups (simulations replay) */
    int no_background;            /* 1: no refresh or revalidation (one-shot tools) */
    ethp2p_nodedb *db;            /* optional: seeds and persistence */
    /* Identities interned by the table (ethp2p/idpool.h), shared with the other cores on this
     * thread; NULL: the table keeps its own. The simulator shares one between all its nodes. */
    struct ethp2p_idpool *idpool;
    /* CIDR allow-list for nodes we accept from Neighbours and hand out (NULL: all). */
    const ethp2p_netlist *netrestrict;
    /* Signing of packets: NULL = secp256k1. Only simulations set another (see v4wire.h). */
    const ethp2p_v4_signer *signer;
    /* The transport. */
    void *io_ctx;
    void (*send)(void *io_ctx, const ethp2p_udp_addr *to, const uint8_t *packet, size_t len);
    /* Optional hooks; both receive hook_ctx. */
    void *hook_ctx;
    /* Replies keep timing out (> 32 in a row; at most every 10 min): check the clock. */
    void (*on_clock_suspect)(void *hook_ctx);
    /* Every node accepted from a Neighbours reply (crawlers watch this). */
    void (*on_node_found)(void *hook_ctx, const ethp2p_enode *n);
    /* Predict our external endpoint from the Pongs' "to" (ethp2p/iptrack.h) and take it into our
     * record when it changes (sequence bumped): for nodes whose address is not fixed (no NAT
     * configured). on_endpoint (optional) hears each change. */
    int track_endpoint;
    void (*on_endpoint)(void *hook_ctx, const ethp2p_enode *self);
} ethp2p_discv4_config;

/** Counters, for logs, metrics and tests. */
typedef struct ethp2p_discv4_stats {
    uint64_t packets_in, packets_out;
    uint64_t in_by_type[7], out_by_type[7];
    uint64_t drop_malformed, drop_bad_hash, drop_bad_sig, drop_unknown_type, drop_expired,
        drop_unsolicited, drop_no_bond, drop_self, drop_too_big;
    uint64_t neighbours_rejected; /* entries failing relay/port/key checks */
    uint64_t timeouts, consecutive_timeouts;
    uint64_t lookups_done;
} ethp2p_discv4_stats;

typedef struct ethp2p_discv4 ethp2p_discv4;

/** Creates the core. Returns NULL on bad configuration (key, no send callback) or no memory. */
ethp2p_discv4 *ethp2p_discv4_new(const ethp2p_discv4_config *cfg, uint64_t now_ms);
void ethp2p_discv4_free(ethp2p_discv4 *d);

/** Seeds the table (DB and bootnodes) and starts the first refresh. */
void ethp2p_discv4_start(ethp2p_discv4 *d, uint64_t now_ms);

/** Processes one datagram from `from`. Malformed input is logged, counted and dropped. */
void ethp2p_discv4_handle_packet(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const uint8_t *data,
                                 size_t len, uint64_t now_ms);

/** Runs timers due at now_ms; returns the next deadline (UINT64_MAX: none). */
uint64_t ethp2p_discv4_tick(ethp2p_discv4 *d, uint64_t now_ms);

/* ---- requests (results arrive through callbacks, from handle_packet or tick) ---- */

/** err is 0 or ETHP2P_ETIMEDOUT; enr_seq is the Pong's (0 if absent). */
typedef void (*ethp2p_discv4_ping_cb)(void *arg, int err, uint64_t enr_seq);
int ethp2p_discv4_ping(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now_ms, ethp2p_discv4_ping_cb cb,
                       void *arg);

/** The record is verified, belongs to the node, and is not older than one known. */
typedef void (*ethp2p_discv4_enr_cb)(void *arg, int err, const ethp2p_enr *record);
int ethp2p_discv4_request_enr(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now_ms, ethp2p_discv4_enr_cb cb,
                              void *arg);

/** Neighbours collected for one FindNode (err 0 when at least one packet arrived). */
typedef void (*ethp2p_discv4_findnode_cb)(void *arg, int err, const ethp2p_enode *nodes, size_t n);
/** Asks one node for the nodes it knows closest to keccak256(target); bonds first if needed. */
int ethp2p_discv4_findnode(ethp2p_discv4 *d, const ethp2p_enode *n, const ethp2p_pubkey *target, uint64_t now_ms,
                           ethp2p_discv4_findnode_cb cb, void *arg);

/** What a lookup did. */
typedef struct ethp2p_discv4_lookup_info {
    size_t queries;        /* FindNode requests sent */
    size_t replies;        /* of which answered */
    int hops;              /* longest chain of referrals that produced the result's nearest node */
} ethp2p_discv4_lookup_info;

/** Called once when a lookup ends, with up to 16 nodes closest to the target, nearest first. */
typedef void (*ethp2p_discv4_lookup_cb)(void *arg, const ethp2p_enode *nodes, size_t n,
                                        const ethp2p_discv4_lookup_info *info);
/** Starts an iterative lookup (alpha 3, k 16) for the nodes closest to keccak256(target). */
int ethp2p_discv4_lookup(ethp2p_discv4 *d, const ethp2p_pubkey *target, uint64_t now_ms,
                         ethp2p_discv4_lookup_cb cb, void *arg);

/**
 * The endless random walk for dialers: returns 1 and a node not returned
 * recently, or 0 when none is ready (a random lookup is then running; call
 * again after later ticks).
 */
int ethp2p_discv4_next_random(ethp2p_discv4 *d, uint64_t now_ms, ethp2p_enode *out);

/* ---- state ---- */
ethp2p_table *ethp2p_discv4_table(ethp2p_discv4 *d);
const ethp2p_discv4_stats *ethp2p_discv4_get_stats(const ethp2p_discv4 *d);
/** Our signed record (decoded on first use and kept up to date; NULL only when out of memory) and enode. */
const ethp2p_enr *ethp2p_discv4_local_record(const ethp2p_discv4 *d);
const ethp2p_enode *ethp2p_discv4_self(const ethp2p_discv4 *d);
/** Sets (or clears, with NULL) the on_node_found hook after creation. */
void ethp2p_discv4_set_found_hook(ethp2p_discv4 *d, void (*fn)(void *ctx, const ethp2p_enode *n), void *ctx);
/** Changes the advertised endpoint: the record's seq goes up and is re-signed. */
int ethp2p_discv4_set_endpoint(ethp2p_discv4 *d, const ethp2p_ip *ip, uint16_t udp, uint16_t tcp);
/** Turns the endpoint prediction from Pongs (config track_endpoint) on or off. */
void ethp2p_discv4_set_tracking(ethp2p_discv4 *d, int on);

#ifdef __cplusplus
}
#endif
#endif

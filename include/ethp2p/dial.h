/*
 * ethp2p/dial.h - who to connect to, and who to let in (go-ethereum p2p/dial.go
 * and p2p/server.go are the reference). Pure: times are passed in, no sockets.
 *
 * Dial scheduler: static nodes first and always redialled; dynamic candidates
 * (from discovery's random walk or the node DB) fill the outbound share of the
 * peer slots: a third of max peers (at least one), as the reference's dial
 * ratio of 3; the other two thirds are for inbound peers. A node dialled in the last 35 s is not dialled again: longer than
 * the remote's 30 s inbound throttle, so our redial is not refused. At most
 * max_active dials run at once.
 *
 * Inbound policy: at most max_pending handshakes; one attempt per IP per 30 s
 * (loopback and LAN exempt, or a local test network would throttle itself);
 * after the Hello: trusted nodes always in, otherwise max peers and the inbound
 * share apply; no second connection to a node; never to ourselves.
 *
 * Dial races: when both sides dial each other at once, each ends with two
 * connections. Both keep the one *initiated by the node with the lower ID*, so
 * the same TCP connection survives on both sides.
 */
#ifndef ETHP2P_DIAL_H
#define ETHP2P_DIAL_H

#include "ethp2p/enode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_DIAL_HISTORY_MS 35000ULL       /* inbound throttle (30 s) + 5 s */
#define ETHP2P_INBOUND_THROTTLE_MS 30000ULL
enum {
    ETHP2P_DIAL_DEFAULT_MAX_ACTIVE = 16,
    ETHP2P_DIAL_RATIO = 3,                    /* 1/3 of the slots are for dialled peers */
    ETHP2P_DIAL_QUEUE = 512,                  /* dynamic candidates waiting */
    ETHP2P_DIAL_MAX_STATIC = 256,
};

typedef struct ethp2p_dialer_config {
    ethp2p_node_id self;
    size_t max_peers;
    size_t max_active;      /* concurrent dials (0: default 16) */
    int no_dial;            /* dial static nodes only */
} ethp2p_dialer_config;

typedef struct ethp2p_dialer ethp2p_dialer;

ethp2p_dialer *ethp2p_dialer_new(const ethp2p_dialer_config *cfg);
void ethp2p_dialer_free(ethp2p_dialer *d);

/** How many outbound peers we aim for: max_peers / 3, at least 1. */
size_t ethp2p_dialer_max_outbound(const ethp2p_dialer *d);
/** How many inbound peers we accept: the rest. */
size_t ethp2p_dialer_max_inbound(const ethp2p_dialer *d);

int ethp2p_dialer_add_static(ethp2p_dialer *d, const ethp2p_enode *n);
int ethp2p_dialer_remove_static(ethp2p_dialer *d, const ethp2p_node_id *id);
/**
 * Offers a dynamic candidate. Returns 1 if queued, 0 if it was not needed
 * (self, connected, dialling, recently dialled, already queued, queue full).
 */
int ethp2p_dialer_offer(ethp2p_dialer *d, const ethp2p_enode *n, uint64_t now_ms);
/** True while dynamic dials are wanted (outbound peers + dials below the target). */
int ethp2p_dialer_wants_candidates(const ethp2p_dialer *d);

/**
 * The next dial to start now: static nodes first, then queued candidates.
 * Returns 1 and fills out (and *is_static) or 0; the node enters the history.
 */
int ethp2p_dialer_next(ethp2p_dialer *d, uint64_t now_ms, ethp2p_enode *out, int *is_static);
/** A dial ended (ok: a peer was added via ethp2p_dialer_peer_added, or not). */
void ethp2p_dialer_dial_done(ethp2p_dialer *d, const ethp2p_node_id *id);
/** When a history entry lapses (a static node may then be redialled); UINT64_MAX if none. */
uint64_t ethp2p_dialer_next_deadline(const ethp2p_dialer *d);

void ethp2p_dialer_peer_added(ethp2p_dialer *d, const ethp2p_node_id *id, int inbound);
/**
 * A peer left. lost_race: it was dropped by race resolution and must be
 * redialled soon, so its history entry is forgotten.
 */
void ethp2p_dialer_peer_removed(ethp2p_dialer *d, const ethp2p_node_id *id, int lost_race);
size_t ethp2p_dialer_peer_count(const ethp2p_dialer *d, size_t *inbound);
int ethp2p_dialer_is_connected(const ethp2p_dialer *d, const ethp2p_node_id *id);

/* ---- inbound policy ---- */

typedef struct ethp2p_inbound_throttle ethp2p_inbound_throttle;
ethp2p_inbound_throttle *ethp2p_inbound_throttle_new(void);
void ethp2p_inbound_throttle_free(ethp2p_inbound_throttle *t);
/** Records an inbound attempt from ip; returns 0 if allowed, 1 if the IP tried within 30 s. */
int ethp2p_inbound_throttle_check(ethp2p_inbound_throttle *t, const ethp2p_ip *ip, uint64_t now_ms);

/**
 * Whether an inbound connection may start its handshake now, or must wait
 * for a slot: pending is the handshakes under way (both directions), same_ip
 * and same_subnet the inbound ones among them from its address and from its
 * /24 (IPv4) or /64 (IPv6). One address holds at most an eighth of
 * max_pending, one subnet half, so a flood from one place leaves slots for
 * everyone else. Returns 1 to start, 0 to wait.
 */
int ethp2p_inbound_may_start(size_t pending, size_t same_ip, size_t same_subnet, size_t max_pending);
/** The share of max_pending one address, and one subnet, may hold (at least 1). */
size_t ethp2p_inbound_pending_per_ip(size_t max_pending);
size_t ethp2p_inbound_pending_per_subnet(size_t max_pending);

/**
 * After the Hello: 0 to accept, else the disconnect reason (too many peers,
 * already connected, connected to self). Trusted nodes bypass the limits.
 */
int ethp2p_dialer_admit(const ethp2p_dialer *d, const ethp2p_node_id *id, int inbound, int trusted);

/**
 * Two connections to the same node (a dial race): returns 1 if the one we
 * initiated is to be kept (our ID is the lower), 0 if theirs is. The remote,
 * applying the same rule, keeps the same connection.
 */
int ethp2p_dial_keep_outbound(const ethp2p_node_id *self, const ethp2p_node_id *remote);

#ifdef __cplusplus
}
#endif
#endif

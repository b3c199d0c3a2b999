/*
 * ethp2p/io.h - running the sans-I/O cores on real sockets with libuv.
 *
 * This header names libuv's loop type only by its struct tag, so including it
 * does not require libuv's headers; link with libuv (pkg-config libuv).
 */
#ifndef ETHP2P_IO_H
#define ETHP2P_IO_H

#include "ethp2p/discv4.h"
#include "ethp2p/discv5.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uv_loop_s;

/** Wall-clock Unix time in milliseconds (what the cores take as "now"). */
uint64_t ethp2p_io_now_ms(void);

/**
 * Sets SIGPIPE to SIG_IGN if it still has its default action (a handler the
 * application installed is kept). Writing to a stream socket whose peer has
 * gone away then fails with EPIPE instead of ending the process. Every
 * function here that opens a TCP connection or listener calls it; call it
 * yourself before writing to other sockets of your own. Idempotent.
 */
void ethp2p_io_ignore_sigpipe(void);

/** Parses "IP:PORT" or "[IPv6]:PORT" (numeric only). */
int ethp2p_io_parse_hostport(const char *text, ethp2p_ip *ip, uint16_t *port);

typedef struct ethp2p_discv4_udp ethp2p_discv4_udp;

/**
 * Binds a UDP socket on bind_ip:port (port 0: any free port), creates the
 * discv4 core with cfg (its send/io_ctx are set here; if cfg->udp_port is 0
 * the bound port is advertised) and attaches it to the loop. The core is not
 * started: call ethp2p_discv4_start() when ready.
 * Returns 0 or an error (ETHP2P_EIO with a log line naming the address).
 */
int ethp2p_discv4_udp_open(struct uv_loop_s *loop, const ethp2p_discv4_config *cfg, const ethp2p_ip *bind_ip,
                           uint16_t port, ethp2p_discv4_udp **out);
/** The core, for API calls; call ethp2p_discv4_udp_poke() after calling into it. */
ethp2p_discv4 *ethp2p_discv4_udp_core(ethp2p_discv4_udp *u);
/**
 * Runs discv5 on the same socket: datagrams go to the v5 core first and what
 * is not discv5 goes on to discv4. The key is the socket's; the record is
 * extra->record, else discv4's local record; extra (may be NULL) gives the
 * optional on_node hook and seed. 0 or ETHP2P_ENOMEM.
 */
int ethp2p_discv4_udp_enable_v5(ethp2p_discv4_udp *u, const ethp2p_discv5_config *extra);
/**
 * Runs discv5 on the socket as a node does: enabled as above, with background
 * work (the bootnodes, given as enodes, asked for their records; a random
 * lookup every 30 s), started now. 0 or ETHP2P_ENOMEM.
 */
int ethp2p_discv4_udp_run_v5(ethp2p_discv4_udp *u, const ethp2p_enode *bootnodes, size_t n);
/** The v5 core (NULL when not enabled); call ethp2p_discv4_udp_poke() after calling into it. */
ethp2p_discv5 *ethp2p_discv4_udp_v5(ethp2p_discv4_udp *u);
/** Re-arms the timer after the core was used directly. */
void ethp2p_discv4_udp_poke(ethp2p_discv4_udp *u);
/** The local UDP port. */
uint16_t ethp2p_discv4_udp_port(const ethp2p_discv4_udp *u);
/** Datagrams the kernel refused (full buffers) or that were truncated. */
uint64_t ethp2p_discv4_udp_errors(const ethp2p_discv4_udp *u);
/** Closes the socket and frees the core once libuv has released the handles (run the loop after). */
void ethp2p_discv4_udp_close(ethp2p_discv4_udp *u);

/* ---- RLPx over TCP ---- */

struct ethp2p_conn_config;
typedef struct ethp2p_rlpx_tcp ethp2p_rlpx_tcp;

/** Called once when a connection's socket is closed; its ethp2p_conn is already freed, the handle goes after. */
typedef void (*ethp2p_rlpx_tcp_done_cb)(void *arg, ethp2p_rlpx_tcp *t);

/**
 * Dials ip:port and runs an RLPx connection with cfg (cfg->initiator must be
 * set, with cfg->remote). The conn callbacks of cfg fire as usual; done runs
 * after the socket closed. Writes beyond ETHP2P_RLPX_TCP_WRITE_LIMIT queued
 * bytes end the connection (a peer that does not read is dropped, not buffered).
 */
int ethp2p_rlpx_tcp_dial(struct uv_loop_s *loop, const struct ethp2p_conn_config *cfg, const ethp2p_ip *ip,
                         uint16_t port, ethp2p_rlpx_tcp_done_cb done, void *arg, ethp2p_rlpx_tcp **out);
#define ETHP2P_RLPX_TCP_WRITE_LIMIT (32u * 1024 * 1024)
/* Queued bytes that make no progress for this long: the peer is dropped (the reference's frameWriteTimeout). */
#define ETHP2P_RLPX_TCP_WRITE_TIMEOUT_MS 20000u

/**
 * Dials ip:port from the local address local (family 0 or NULL: the system's
 * choice), as ethp2p_rlpx_tcp_dial does; for hosts with several addresses.
 */
int ethp2p_rlpx_tcp_dial_from(struct uv_loop_s *loop, const struct ethp2p_conn_config *cfg, const ethp2p_ip *local,
                              const ethp2p_ip *ip, uint16_t port, ethp2p_rlpx_tcp_done_cb done, void *arg,
                              ethp2p_rlpx_tcp **out);

typedef struct ethp2p_rlpx_listener ethp2p_rlpx_listener;
/** What an accept callback decides for a connection. */
enum {
    ETHP2P_RLPX_ACCEPT = 0, /* start its handshake now (cfg filled) */
    ETHP2P_RLPX_REFUSE = 1, /* close it */
    ETHP2P_RLPX_WAIT = 2,   /* keep it, unread, and ask again on ethp2p_rlpx_listener_retry */
};
/* The listener's own backlog of connections told to wait: at most this many, of one address, of one
 * /24 (IPv4) or /64 (IPv6); newcomers beyond are closed, and so is one that waited this long. */
#define ETHP2P_RLPX_WAITING_MAX 256
#define ETHP2P_RLPX_WAITING_PER_IP 16
#define ETHP2P_RLPX_WAITING_PER_SUBNET 64
#define ETHP2P_RLPX_WAITING_MS 5000u
/**
 * Decides for an accepted connection (its address: ethp2p_rlpx_tcp_peer): returns ETHP2P_RLPX_ACCEPT
 * with cfg filled (its ctx, callbacks), ETHP2P_RLPX_WAIT, or anything else to refuse it.
 */
typedef int (*ethp2p_rlpx_accept_cb)(void *arg, ethp2p_rlpx_tcp *t, struct ethp2p_conn_config *cfg);
/** Listens on ip:port; every accepted connection is offered to accept and may become an RLPx recipient. */
int ethp2p_rlpx_listen(struct uv_loop_s *loop, const ethp2p_ip *ip, uint16_t port, ethp2p_rlpx_accept_cb accept,
                       ethp2p_rlpx_tcp_done_cb done, void *arg, ethp2p_rlpx_listener **out);
uint16_t ethp2p_rlpx_listener_port(const ethp2p_rlpx_listener *l);
/** Offers the waiting connections again, oldest first (call when a handshake slot frees). */
void ethp2p_rlpx_listener_retry(ethp2p_rlpx_listener *l);
/** How many connections wait. */
size_t ethp2p_rlpx_listener_waiting(const ethp2p_rlpx_listener *l);
/** True once the connection has been told to wait (the accept callback sees it again on a retry). */
int ethp2p_rlpx_tcp_waited(const ethp2p_rlpx_tcp *t);
typedef struct ethp2p_rlpx_listener_stats {
    uint64_t accepted;     /* sockets accepted */
    uint64_t waited;       /* told to wait at least once */
    uint64_t wait_refused; /* told to wait, but the backlog had no room for its address */
    uint64_t wait_expired; /* closed after waiting ETHP2P_RLPX_WAITING_MS */
} ethp2p_rlpx_listener_stats;
const ethp2p_rlpx_listener_stats *ethp2p_rlpx_listener_get_stats(const ethp2p_rlpx_listener *l);
/** Closes the listening socket and the waiting connections. */
void ethp2p_rlpx_listener_close(ethp2p_rlpx_listener *l);

/** The connection inside (valid until done). */
struct ethp2p_conn *ethp2p_rlpx_tcp_conn(ethp2p_rlpx_tcp *t);
/** Re-arms timers after calling into the connection directly. */
void ethp2p_rlpx_tcp_poke(ethp2p_rlpx_tcp *t);
/** The remote address. */
void ethp2p_rlpx_tcp_peer(const ethp2p_rlpx_tcp *t, ethp2p_ip *ip, uint16_t *port);
/** Overrides the 20 s write timeout for this connection (0: the default). */
void ethp2p_rlpx_tcp_set_write_timeout(ethp2p_rlpx_tcp *t, uint64_t ms);
/** Stops (1) or resumes (0) reading from the peer: flow control for the layers above. */
void ethp2p_rlpx_tcp_pause(ethp2p_rlpx_tcp *t, int paused);
/** Bytes handed to the socket and not yet written (the peer's backlog). */
size_t ethp2p_rlpx_tcp_queued(const ethp2p_rlpx_tcp *t);
/** Our end of the connection (0, or ETHP2P_EIO before it is connected). */
int ethp2p_rlpx_tcp_local(const ethp2p_rlpx_tcp *t, ethp2p_ip *ip, uint16_t *port);

#ifdef __cplusplus
}
#endif
#endif

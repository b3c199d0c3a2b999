/*
 * Between the RLPx TCP driver (rlpx_tcp.c) and its listener (rlpx_listener.c):
 * the connection object, and how an accepted socket becomes a connection.
 */
#ifndef ETHP2P_RLPX_TCP_INTERNAL_H
#define ETHP2P_RLPX_TCP_INTERNAL_H

#include "ethp2p/conn.h"
#include "ethp2p/io.h"

#include <uv.h>

struct ethp2p_rlpx_tcp {
    uv_tcp_t tcp;
    uv_timer_t timer;
    uv_connect_t connect_req;
    uv_shutdown_t shutdown_req;
    ethp2p_conn *conn;
    ethp2p_conn_config user;   /* the owner's callbacks */
    ethp2p_rlpx_tcp_done_cb done;
    void *done_arg;
    size_t queued;
    uint64_t write_progress_ms; /* last time the queue was empty or a write completed */
    uint64_t write_timeout_ms;
    int paused;                 /* by the owner (ethp2p_rlpx_tcp_pause) */
    int backpressured;          /* not read from until our queued replies drain */
    int closing, handles, connected;
    int lingering;              /* the connection is closed; draining the peer's input */
    size_t discarded;
    ethp2p_ip peer_ip;
    uint16_t peer_port;
    uint64_t waiting_since;     /* accepted and waiting for a handshake slot (listener) */
    int waited;                 /* it was told to wait at least once */
};

/** A handle close callback that frees the object the handle's data points to. */
void rlpx_free_on_close(uv_handle_t *h);
/**
 * An accepted socket (t->tcp open, peer address filled) starts its RLPx session
 * as recipient with cfg. On failure the socket is closed and freed here.
 */
void rlpx_tcp_start_accepted(ethp2p_rlpx_tcp *t, const ethp2p_conn_config *cfg, ethp2p_rlpx_tcp_done_cb done,
                             void *arg);

#endif

/*
 * ethp2p/conn.h - one RLPx connection, sans-I/O: the encryption handshake,
 * the Hello exchange and capability matching, Ping/Pong keep-alive, timeouts,
 * and Disconnect. The caller feeds received bytes and the time, and sends
 * what the `send` callback hands it.
 *
 * States: HANDSHAKE (auth/ack) -> HELLO (both send Hello; the remote's is
 * checked) -> ACTIVE -> CLOSED. on_close is called exactly once, with the
 * reason and whether the remote chose it.
 */
#ifndef ETHP2P_CONN_H
#define ETHP2P_CONN_H

#include "ethp2p/p2p.h"
#include "ethp2p/rlpx.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS = 5000, /* auth/ack, and then the Hello */
    ETHP2P_CONN_PING_INTERVAL_MS = 15000,
    ETHP2P_CONN_READ_TIMEOUT_MS = 30000,     /* no frame for this long: the peer is gone */
    ETHP2P_CONN_MAX_PROTOCOLS = 8,
};

enum ethp2p_conn_state { ETHP2P_CONN_HANDSHAKE, ETHP2P_CONN_HELLO, ETHP2P_CONN_ACTIVE, ETHP2P_CONN_CLOSED };

/**
 * A receive-memory budget shared by many connections (a server's). Each
 * connection counts the bytes it holds of frames not yet complete. When the
 * total is over `limit`, a connection holding more than limit / 16 is
 * disconnected: one peer (or a few) cannot make the node buffer unbounded
 * amounts by sending the first part of many large frames.
 */
typedef struct ethp2p_conn_budget {
    size_t used, limit;
    uint64_t refusals;
} ethp2p_conn_budget;

typedef struct ethp2p_conn_config {
    ethp2p_privkey key;
    int initiator;
    ethp2p_pubkey remote;                  /* required when initiator */
    const char *client_name;
    uint16_t listen_port;
    const ethp2p_protocol_spec *protocols; /* what we run */
    ethp2p_conn_budget *budget;            /* optional, shared */
    size_t nprotocols;
    void *ctx;
    void (*send)(void *ctx, const uint8_t *data, size_t len);
    /* The remote's Hello passed our checks: return 0 to accept, or a disconnect reason. */
    int (*on_hello)(void *ctx, const ethp2p_hello *remote);
    /* The connection is ACTIVE (after on_hello accepted): sub-protocols may send now. */
    void (*on_active)(void *ctx);
    /* A sub-protocol message; code is relative to the capability's range. */
    void (*on_message)(void *ctx, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data, size_t len);
    void (*on_close)(void *ctx, int reason, int by_remote);
} ethp2p_conn_config;

typedef struct ethp2p_conn ethp2p_conn;

ethp2p_conn *ethp2p_conn_new(const ethp2p_conn_config *cfg, uint64_t now_ms);
void ethp2p_conn_free(ethp2p_conn *c);
/** The initiator sends its auth; the recipient waits. */
ETHP2P_WARN_UNUSED int ethp2p_conn_start(ethp2p_conn *c, uint64_t now_ms);
/** Bytes from the socket. Not to be called from this connection's own callbacks. */
void ethp2p_conn_receive(ethp2p_conn *c, const uint8_t *data, size_t len, uint64_t now_ms);
/** Runs timers; returns the next deadline (UINT64_MAX when closed). */
uint64_t ethp2p_conn_tick(ethp2p_conn *c, uint64_t now_ms);
/** Sends a sub-protocol message (code relative to cap). ETHP2P_EINVAL unless ACTIVE. */
ETHP2P_WARN_UNUSED int ethp2p_conn_send(ethp2p_conn *c, const ethp2p_shared_cap *cap, uint64_t code,
                                        const uint8_t *data, size_t len);
/** Sends Disconnect(reason) if possible and closes. */
void ethp2p_conn_disconnect(ethp2p_conn *c, int reason);

/** The socket failed or closed: closes without sending anything. */
void ethp2p_conn_abort(ethp2p_conn *c, int reason);

int ethp2p_conn_state(const ethp2p_conn *c);
/** The remote's Hello (valid from ACTIVE on). */
const ethp2p_hello *ethp2p_conn_remote_hello(const ethp2p_conn *c);
/** The remote's static key (known after the handshake). */
const ethp2p_pubkey *ethp2p_conn_remote_key(const ethp2p_conn *c);
/** The capabilities both sides share. */
size_t ethp2p_conn_shared(const ethp2p_conn *c, const ethp2p_shared_cap **caps);
/** Bytes of incomplete input this connection holds. */
size_t ethp2p_conn_buffered(const ethp2p_conn *c);
/** Whether snappy is on (both Hellos at version 5 or more). */
int ethp2p_conn_snappy(const ethp2p_conn *c);

#ifdef __cplusplus
}
#endif
#endif

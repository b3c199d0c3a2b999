/* The attacker's RLPx session for tests/hostile (hostile_session.c). */
#ifndef ETHP2P_TESTS_HOSTILE_SESSION_H
#define ETHP2P_TESTS_HOSTILE_SESSION_H

#include "ethp2p/buffer.h"
#include "ethp2p/enode.h"
#include "ethp2p/eth.h"
#include "ethp2p/rlpx.h"

#include <stddef.h>
#include <stdint.h>

typedef struct sess {
    int fd;
    ethp2p_rlpx_frame_codec codec;
    int snappy;
    ethp2p_privkey key;
} sess;

/** The node attacked, and the local address the attacks come from. */
extern ethp2p_enode hs_target;
extern const char *hs_from_ip;

uint64_t hs_now_ms(void);
/** A TCP connection to the target from hs_from_ip; -1 on failure. */
int hs_dial(void);
int hs_send_all(int fd, const uint8_t *p, size_t n);
/** Reads exactly n bytes: 0, -1 closed or failed, -2 timed out. */
int hs_recv_exact(int fd, uint8_t *p, size_t n, int timeout_ms);
/** Reads and discards until the peer closes: ms waited, or -1 if still open after timeout_ms. */
long hs_wait_closed(int fd, int timeout_ms, size_t *bytes);
/** A fresh key and a valid auth message for the target in auth (*alen bytes). */
int hs_auth_bytes(sess *s, ethp2p_rlpx_handshake *hs, uint8_t *auth, size_t *alen);
/** Dials and completes the RLPx handshake: frames flow after it. */
int hs_handshake(sess *s);
int hs_send_frame(sess *s, const uint8_t *msg, size_t n);
/** A message: code and payload (snappy once the Hellos are exchanged). */
int hs_send_msg(sess *s, uint64_t code, const uint8_t *payload, size_t n);
/** The next message: 0 with code and data (in out), -1 closed, -2 timed out, -3 undecodable. */
int hs_recv_msg(sess *s, uint64_t *code, ethp2p_buffer *out, int timeout_ms);
/** Reads until a Disconnect or the close: its reason, -1 for a close without one, -2 still open. */
int hs_await_disconnect(sess *s, int timeout_ms, long *ms);
/** Our Hello (eth/68), then the node's: 0, snappy on. */
int hs_hello(sess *s);
/** Handshake, Hello, then the node's Status (eth/68) in st. */
int hs_eth_open(sess *s, ethp2p_eth_status *st);
int hs_send_status(sess *s, const ethp2p_eth_status *st);
/** A peer that completed Status both ways. */
int hs_eth_ready(sess *s);

#endif

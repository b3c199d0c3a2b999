/*
 * ethp2p/rlpx.h - the RLPx transport (devp2p rlpx.md): the ECIES handshake
 * and the frame codec. Both are pure (bytes in, bytes out): the connection
 * layer feeds them what the socket delivered and writes what they return.
 *
 * Handshake: the initiator sends auth, the recipient answers ack; both then
 * derive the session secrets. We send EIP-8 messages (RLP bodies, random
 * padding, a 2-byte size prefix authenticated as ECIES shared MAC data) and
 * accept EIP-8 and the legacy pre-EIP-8 forms (answering legacy auth with a
 * legacy ack). Messages over 2048 bytes are refused.
 *
 * Frames: AES-256-CTR (one keystream per direction across every header and
 * body), keccak MACs seeded through AES-256-ECB; MACs are checked before
 * anything is decrypted.
 */
#ifndef ETHP2P_RLPX_H
#define ETHP2P_RLPX_H

#include "ethp2p/buffer.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"

#include <nettle/aes.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_RLPX_MAX_HANDSHAKE = 2048,      /* auth/ack ciphertext limit */
    ETHP2P_RLPX_AUTH_LEGACY_SIZE = 307,    /* 194-byte plaintext + 113 ECIES overhead */
    ETHP2P_RLPX_ACK_LEGACY_SIZE = 210,     /* 97-byte plaintext + 113 */
    ETHP2P_RLPX_HANDSHAKE_VERSION = 4,
    ETHP2P_RLPX_MIN_PADDING = 100,         /* EIP-8: pad with 100+ random bytes */
    ETHP2P_RLPX_MAX_PADDING = 300,
    ETHP2P_RLPX_HEADER_SIZE = 32,          /* 16 header + 16 MAC */
    ETHP2P_RLPX_MAC_SIZE = 16,
};
#define ETHP2P_RLPX_MAX_FRAME_SIZE 0xffffffu /* 24-bit frame size */

typedef struct ethp2p_rlpx_handshake {
    int initiator;
    int legacy;                      /* the peer used the pre-EIP-8 format */
    ethp2p_privkey static_key;       /* ours */
    ethp2p_pubkey remote_static;     /* theirs: known to the initiator, learned by the recipient */
    ethp2p_privkey eph_key;          /* ours, random (tests may set it) */
    ethp2p_pubkey remote_eph;
    uint8_t init_nonce[32], resp_nonce[32];
    uint8_t auth[2 + ETHP2P_RLPX_MAX_HANDSHAKE]; /* as sent/received, size prefix included */
    size_t auth_len;
    uint8_t ack[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t ack_len;
} ethp2p_rlpx_handshake;

/** Session secrets and MAC states. */
typedef struct ethp2p_rlpx_secrets {
    uint8_t aes[32], mac[32];
    ethp2p_keccak256_ctx egress_mac, ingress_mac;
    ethp2p_pubkey remote;
} ethp2p_rlpx_secrets;

/**
 * Starts a handshake: random ephemeral key and nonce. remote is the peer's
 * static key (required for the initiator, NULL for the recipient).
 */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_handshake_init(ethp2p_rlpx_handshake *hs, int initiator,
                                                  const ethp2p_privkey *static_key, const ethp2p_pubkey *remote);

/** Initiator: writes the EIP-8 auth message into out (2 + 2048 bytes suffice). */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_auth_write(ethp2p_rlpx_handshake *hs, uint8_t *out, size_t *len);
/**
 * Recipient: reads an auth message (EIP-8 or legacy) from the start of in.
 * Returns 0 with *used = the message's length; 1 when more bytes are needed
 * (*used = how many in total); or an error (ETHP2P_EINVAL: size over 2048,
 * ETHP2P_EMAC / ETHP2P_ECIPHERTEXT: not for us, ETHP2P_ERLP_*: bad body,
 * ETHP2P_ESIG: bad signature).
 */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_auth_read(ethp2p_rlpx_handshake *hs, const uint8_t *in, size_t len, size_t *used);
/** Recipient: writes the ack (legacy if the auth was legacy). */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_ack_write(ethp2p_rlpx_handshake *hs, uint8_t *out, size_t *len);
/** Initiator: reads the ack (EIP-8 or legacy); returns as ethp2p_rlpx_auth_read. */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_ack_read(ethp2p_rlpx_handshake *hs, const uint8_t *in, size_t len, size_t *used);
/** Both: derives the secrets once auth and ack have passed. */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_secrets_derive(const ethp2p_rlpx_handshake *hs, ethp2p_rlpx_secrets *out);

/* ---- frames ---- */

typedef struct ethp2p_rlpx_frame_codec {
    struct aes256_ctx enc;                  /* AES-256 with aes-secret (CTR keystream) */
    uint8_t egress_ctr[16], ingress_ctr[16];
    struct aes256_ctx mac_cipher;           /* AES-256-ECB with mac-secret */
    ethp2p_keccak256_ctx egress_mac, ingress_mac;
} ethp2p_rlpx_frame_codec;

void ethp2p_rlpx_frame_init(ethp2p_rlpx_frame_codec *c, const ethp2p_rlpx_secrets *s);

/** Appends one frame carrying data (len < 2^24) to out. */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_frame_write(ethp2p_rlpx_frame_codec *c, const uint8_t *data, size_t len,
                                               ethp2p_buffer *out);
/**
 * Checks the header MAC, then decrypts the 32-byte header in place; *frame_size
 * receives the payload size and *body_len the bytes to read next (padded
 * payload + MAC). ETHP2P_EMAC on a bad MAC (the connection must end).
 */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_frame_read_header(ethp2p_rlpx_frame_codec *c, uint8_t header[32],
                                                     size_t *frame_size, size_t *body_len);
/** Checks the body MAC, then decrypts body_len bytes in place; the payload is body[0..frame_size). */
ETHP2P_WARN_UNUSED int ethp2p_rlpx_frame_read_body(ethp2p_rlpx_frame_codec *c, uint8_t *body, size_t body_len);

#ifdef __cplusplus
}
#endif
#endif

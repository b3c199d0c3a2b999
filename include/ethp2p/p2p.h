/*
 * ethp2p/p2p.h - the devp2p base protocol over RLPx (rlpx.md, "Message
 * Encoding" and "p2p Capability"): messages, Hello, Disconnect, Ping/Pong,
 * and capability matching for sub-protocol multiplexing.
 *
 * A message is rlp(message-id) || message-data. After both Hellos advertise
 * base protocol version 5 or more, message-data (never the ID) is snappy-
 * compressed (block format); the decoded size is checked against 16 MiB
 * before anything is decompressed.
 */
#ifndef ETHP2P_P2P_H
#define ETHP2P_P2P_H

#include "ethp2p/buffer.h"
#include "ethp2p/key.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_P2P_VERSION = 5,
    ETHP2P_P2P_SNAPPY_VERSION = 5,         /* snappy once both sides are at 5+ */
    ETHP2P_P2P_MAX_HELLO = 2048,           /* a Hello over 2 KiB is refused */
    ETHP2P_P2P_MAX_CAPS = 32,
    ETHP2P_P2P_CAP_NAME_MAX = 8,           /* "eth", "snap", ...: 8 bytes at most (reference limit) */
    ETHP2P_P2P_BASE_CODES = 0x10,          /* base protocol codes 0x00..0x0f; sub-protocols from 0x10 */
};
#define ETHP2P_P2P_MAX_MESSAGE (16u * 1024 * 1024 - 1) /* frame and decoded-message limit */

/* Base protocol message codes. */
enum { ETHP2P_P2P_HELLO = 0x00, ETHP2P_P2P_DISCONNECT = 0x01, ETHP2P_P2P_PING = 0x02, ETHP2P_P2P_PONG = 0x03 };

/* Disconnect reasons (rlpx.md). */
enum ethp2p_disconnect_reason {
    ETHP2P_DISC_REQUESTED = 0x00,
    ETHP2P_DISC_NETWORK_ERROR = 0x01,
    ETHP2P_DISC_PROTOCOL_ERROR = 0x02,
    ETHP2P_DISC_USELESS_PEER = 0x03,
    ETHP2P_DISC_TOO_MANY_PEERS = 0x04,
    ETHP2P_DISC_ALREADY_CONNECTED = 0x05,
    ETHP2P_DISC_INCOMPATIBLE_VERSION = 0x06,
    ETHP2P_DISC_NULL_IDENTITY = 0x07,
    ETHP2P_DISC_CLIENT_QUITTING = 0x08,
    ETHP2P_DISC_UNEXPECTED_IDENTITY = 0x09,
    ETHP2P_DISC_SELF = 0x0a,
    ETHP2P_DISC_READ_TIMEOUT = 0x0b,
    ETHP2P_DISC_SUBPROTOCOL_ERROR = 0x10,
};
/** The reason's name as the reference logs it ("too many peers"), or "unknown reason". */
const char *ethp2p_disconnect_reason_name(int reason);

/**
 * The client name for Hello, the reference's way:
 * "ethp2p[/IDENTITY]/vX.Y.Z/linux-ARCH/COMPILER" (identity may be NULL).
 */
void ethp2p_client_name(const char *identity, char *out, size_t cap);

typedef struct ethp2p_cap {
    char name[ETHP2P_P2P_CAP_NAME_MAX + 1];
    uint32_t version;
} ethp2p_cap;

typedef struct ethp2p_hello {
    uint64_t version;
    char name[257];            /* client identity, e.g. "ethp2p/v0.1.0/linux-amd64/gcc" */
    ethp2p_cap caps[ETHP2P_P2P_MAX_CAPS];
    size_t ncaps;
    uint16_t listen_port;
    ethp2p_pubkey id;          /* the 64-byte public key, not the keccak node ID */
} ethp2p_hello;

/** Appends a Hello's RLP payload (without the message ID). */
ETHP2P_WARN_UNUSED int ethp2p_hello_encode(const ethp2p_hello *h, ethp2p_buffer *out);
/**
 * Decodes a Hello payload. Extra list elements are ignored (EIP-8). A wrong-
 * length or all-zero ID is ETHP2P_EKEY (answer with "null identity"); over
 * 2 KiB is ETHP2P_ENOSPACE; more than 32 capabilities are ETHP2P_ERLP_TOO_DEEP.
 */
ETHP2P_WARN_UNUSED int ethp2p_hello_decode(const uint8_t *data, size_t len, ethp2p_hello *out);

/** Appends a Disconnect payload: [reason]. */
ETHP2P_WARN_UNUSED int ethp2p_disconnect_encode(int reason, ethp2p_buffer *out);
/**
 * Decodes a Disconnect payload leniently: a list [reason, ...], a bare
 * integer (@ethereumjs/devp2p sends 0x08, or 0x80 for 0), or an empty list
 * (reason 0). Returns the reason or a negative error.
 */
int ethp2p_disconnect_decode(const uint8_t *data, size_t len);

/**
 * Appends a whole message: rlp(code) || data, data snappy-compressed if
 * snappy is set.
 */
ETHP2P_WARN_UNUSED int ethp2p_p2p_msg_encode(uint64_t code, const uint8_t *data, size_t len, int snappy,
                                             ethp2p_buffer *out);
/**
 * Splits a received message into its code and data. With snappy, data is
 * decompressed into out after checking the decoded size (<= 16 MiB - 1);
 * without, *data points into msg. Returns 0, ETHP2P_ERLP_* for a bad code,
 * ETHP2P_ENOSPACE for an oversized decoded size, ETHP2P_EFORMAT for bad snappy.
 */
ETHP2P_WARN_UNUSED int ethp2p_p2p_msg_decode(const uint8_t *msg, size_t len, int snappy, uint64_t *code,
                                             const uint8_t **data, size_t *data_len, ethp2p_buffer *out);

/** A sub-protocol we run: name, version, and how many message codes it uses. */
typedef struct ethp2p_protocol_spec {
    const char *name;
    uint32_t version;
    uint32_t length;
} ethp2p_protocol_spec;

/** A capability both sides share, with its message-code range. */
typedef struct ethp2p_shared_cap {
    const ethp2p_protocol_spec *spec;
    uint64_t offset; /* first code, from 0x10 on */
} ethp2p_shared_cap;

/**
 * Matches our protocols with the remote's capabilities: same name and version,
 * the highest common version per name, ordered by name (case-sensitive) with
 * consecutive code ranges from 0x10. Returns how many were shared (0: the
 * peer is useless to us).
 */
size_t ethp2p_caps_match(const ethp2p_protocol_spec *ours, size_t nours, const ethp2p_cap *theirs, size_t ntheirs,
                         ethp2p_shared_cap *out, size_t max);

#ifdef __cplusplus
}
#endif
#endif

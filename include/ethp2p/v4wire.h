/*
 * ethp2p/v4wire.h - the discv4 packet codec (devp2p discv4.md). Pure: bytes in,
 * structs out, and back. No sockets, no clock (expiration is checked by the
 * caller, which knows the time).
 *
 * packet = hash (32) || signature (65) || type (1) || RLP(data)
 *   hash      = keccak256(signature || type || data)
 *   signature = secp256k1 recoverable signature of keccak256(type || data)
 *
 * Decoding follows EIP-8: extra list elements and bytes after the list are
 * ignored. Endpoint fields of Ping and Pong are informational and decoded
 * leniently (an endpoint that does not parse is left zero, and ports may carry
 * leading zero bytes as some clients send them); Neighbours entries are
 * decoded strictly and a bad entry is skipped, not the whole packet.
 */
#ifndef ETHP2P_V4WIRE_H
#define ETHP2P_V4WIRE_H

#include "ethp2p/enr.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sizes and limits (discv4.md). */
enum {
    ETHP2P_V4_HEADER_SIZE = 32 + 65 + 1, /* hash, signature, type: the smallest packet */
    ETHP2P_V4_MAX_PACKET = 1280,         /* what we send, and accept for every type but Neighbours */
    /* Neighbours from @ethereumjs/devp2p carry up to 16 nodes in one datagram, over
     * 1280 bytes; a reply we asked for is accepted up to this size instead. */
    ETHP2P_V4_MAX_NEIGHBOURS_PACKET = 2048,
    ETHP2P_V4_MAX_NEIGHBOURS_PER_PACKET = 12, /* what we pack per packet (fits 1280 with IPv6) */
    ETHP2P_V4_MAX_NEIGHBOURS_DECODE = 32,     /* the most entries a 2048-byte packet can hold */
    ETHP2P_V4_EXPIRATION_SECONDS = 20,        /* stamped on what we send */
};

enum ethp2p_v4_type {
    ETHP2P_V4_PING = 0x01,
    ETHP2P_V4_PONG = 0x02,
    ETHP2P_V4_FINDNODE = 0x03,
    ETHP2P_V4_NEIGHBOURS = 0x04,
    ETHP2P_V4_ENRREQUEST = 0x05,
    ETHP2P_V4_ENRRESPONSE = 0x06,
};

/** Returns "ping", "pong", ..., or "unknown". */
const char *ethp2p_v4_type_name(int type);

/**
 * Whether a packet's expiration (Unix seconds) is past at now_s. The value is
 * read as a signed 64-bit time, as the reference does (time.Unix(int64(ts))):
 * one with the top bit set is a time before 1970, so already expired.
 */
int ethp2p_v4_expired(uint64_t expiration, uint64_t now_s);

typedef struct ethp2p_v4_endpoint {
    ethp2p_ip ip; /* family 0 when absent or malformed */
    uint16_t udp;
    uint16_t tcp;
} ethp2p_v4_endpoint;

typedef struct ethp2p_v4_neighbour {
    ethp2p_v4_endpoint ep;
    ethp2p_pubkey key;
} ethp2p_v4_neighbour;

/** A decoded (or to-be-encoded) packet. */
typedef struct ethp2p_v4_packet {
    uint8_t type;
    uint64_t expiration; /* seconds since the Unix epoch; 0 for ENRResponse */
    union {
        struct {
            uint64_t version;
            ethp2p_v4_endpoint from, to;
            uint64_t enr_seq;
            int has_enr_seq; /* EIP-868 field present */
        } ping;
        struct {
            ethp2p_v4_endpoint to;
            uint8_t ping_hash[32];
            uint64_t enr_seq;
            int has_enr_seq;
        } pong;
        struct {
            ethp2p_pubkey target;
        } findnode;
        struct {
            size_t count;
            ethp2p_v4_neighbour nodes[ETHP2P_V4_MAX_NEIGHBOURS_DECODE];
            size_t skipped; /* malformed entries, and entries past the array */
        } neighbours;
        struct {
            uint8_t request_hash[32];
            ethp2p_enr record;
        } enrresponse;
    } u;
} ethp2p_v4_packet;

/** What decoding learns beyond the packet: who sent it and its hash. */
typedef struct ethp2p_v4_meta {
    uint8_t hash[32];
    ethp2p_pubkey sender;
    ethp2p_node_id sender_id;
} ethp2p_v4_meta;

/**
 * Decodes and authenticates a datagram. Checks the size (98..1280 bytes, 2048
 * for Neighbours), the hash, the signature (recovering the sender), the type,
 * and the body's structure. Returns 0, ETHP2P_EINVAL (size), ETHP2P_EMAC (hash
 * mismatch), ETHP2P_ESIG, ETHP2P_ENOTFOUND (unknown type: drop silently), or
 * an RLP/record error for a malformed body.
 */
ETHP2P_WARN_UNUSED int ethp2p_v4_decode(const uint8_t *buf, size_t len, ethp2p_v4_packet *out,
                                        ethp2p_v4_meta *meta);

/**
 * Who signs and recovers: NULL means secp256k1 (every real node). Simulations
 * may pass a stand-in so that ten thousand nodes fit in minutes: everything
 * else (hashes, sizes, decoding, the protocol) stays the same.
 */
typedef struct ethp2p_v4_signer {
    int (*sign)(void *ctx, const ethp2p_privkey *key, const ethp2p_pubkey *pub, const uint8_t hash[32],
                uint8_t sig[65]);
    int (*recover)(void *ctx, const uint8_t hash[32], const uint8_t sig[65], ethp2p_pubkey *out);
    void *ctx;
} ethp2p_v4_signer;

/** The simulation stand-in: the "signature" carries the sender's public key. Never for real networks. */
extern const ethp2p_v4_signer ethp2p_v4_simulated_signer;

/** ethp2p_v4_decode with a signer (NULL: secp256k1). */
ETHP2P_WARN_UNUSED int ethp2p_v4_decode_with(const ethp2p_v4_signer *s, const uint8_t *buf, size_t len,
                                             ethp2p_v4_packet *out, ethp2p_v4_meta *meta);
/** ethp2p_v4_encode with a signer (NULL: secp256k1); pub is key's public key (used by stand-ins). */
ETHP2P_WARN_UNUSED int ethp2p_v4_encode_with(const ethp2p_v4_signer *s, const ethp2p_privkey *key,
                                             const ethp2p_pubkey *pub, const ethp2p_v4_packet *p, uint8_t *out,
                                             size_t *len, uint8_t hash[32]);

/**
 * Encodes and signs a packet into out (ETHP2P_V4_MAX_PACKET bytes). hash
 * (may be NULL) receives the packet hash, which a Pong or ENRResponse must
 * echo. Returns 0, ETHP2P_ENOSPACE (over 1280 bytes), ETHP2P_EINVAL or
 * ETHP2P_EKEY.
 */
ETHP2P_WARN_UNUSED int ethp2p_v4_encode(const ethp2p_privkey *key, const ethp2p_v4_packet *p,
                                        uint8_t *out, size_t *len, uint8_t hash[32]);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/v5wire.h - the discovery v5 wire format (devp2p discv5/discv5-wire.md,
 * protocol version 1): packets, their masked headers, message encryption,
 * the handshake's key derivation and identity proof, and the messages.
 * Pure: no sockets, no clock, no state.
 *
 * packet        = masking-iv (16) || masked-header || message
 * masked-header = AES-128-CTR(key = destination node ID [0:16], IV = masking-iv, header)
 * header        = "discv5" || version 0x0001 || flag || nonce (12) || authdata-size (2) || authdata
 * message       = AES-128-GCM(session key, nonce, message-type || RLP, AD = masking-iv || header)
 *
 * flag 0, ordinary message: authdata = source node ID (32)
 * flag 1, WHOAREYOU:        authdata = id-nonce (16) || enr-seq (8); no message
 * flag 2, handshake:        authdata = source ID || sig-size || eph-key-size || id-signature ||
 *                                      ephemeral public key || record (RLP, may be empty)
 */
#ifndef ETHP2P_V5WIRE_H
#define ETHP2P_V5WIRE_H

#include "ethp2p/enr.h"
#include "ethp2p/key.h"
#include "ethp2p/rlp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_V5_MIN_PACKET = 63,     /* iv + static header + 24 bytes: smaller is not discv5 */
    ETHP2P_V5_MAX_PACKET = 1280,
    ETHP2P_V5_IV = 16,
    ETHP2P_V5_NONCE = 12,
    ETHP2P_V5_ID_NONCE = 16,
    ETHP2P_V5_KEY = 16,
    ETHP2P_V5_TAG = 16,            /* AES-GCM tag at the end of every message */
    ETHP2P_V5_STATIC_HEADER = 23,  /* "discv5" (6) + version (2) + flag (1) + nonce (12) + authdata-size (2) */
    ETHP2P_V5_MAX_AUTHDATA = ETHP2P_V5_MAX_PACKET - ETHP2P_V5_IV - ETHP2P_V5_STATIC_HEADER,
    ETHP2P_V5_WHOAREYOU_AUTHDATA = 24,
    ETHP2P_V5_MAX_REQ_ID = 8,
};

enum { ETHP2P_V5_FLAG_MESSAGE = 0, ETHP2P_V5_FLAG_WHOAREYOU = 1, ETHP2P_V5_FLAG_HANDSHAKE = 2 };

/* Errors of the codec (beyond ETHP2P_EFORMAT and ETHP2P_EMAC). */
enum {
    ETHP2P_V5_ENOTV5 = -240,   /* not a discv5 packet for us (wrong size, protocol ID or version): may be discv4 */
    ETHP2P_V5_EAUTHDATA = -241,/* authdata of the wrong size for its flag */
};

/** A decoded header. Pointers refer into the header copy inside the struct. */
typedef struct ethp2p_v5_header {
    uint8_t iv[ETHP2P_V5_IV];
    uint8_t flag;
    uint8_t nonce[ETHP2P_V5_NONCE];
    uint8_t raw[ETHP2P_V5_STATIC_HEADER + ETHP2P_V5_MAX_AUTHDATA]; /* the unmasked header */
    size_t raw_len;
    const uint8_t *authdata;
    size_t authdata_len;
    const uint8_t *message;    /* the encrypted message, in the caller's packet */
    size_t message_len;
    uint8_t src_id[32];        /* flags 0 and 2 */
    uint8_t id_nonce[ETHP2P_V5_ID_NONCE]; /* flag 1 */
    uint64_t enr_seq;          /* flag 1 */
    const uint8_t *id_sig, *eph_key, *record; /* flag 2 */
    size_t id_sig_len, eph_key_len, record_len;
} ethp2p_v5_header;

/**
 * Unmasks and parses a packet sent to local_id. ETHP2P_V5_ENOTV5 when it is
 * not discv5 (so it may be handed to discv4), ETHP2P_V5_EAUTHDATA or
 * ETHP2P_EFORMAT when malformed. The message is not decrypted.
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_decode_header(const uint8_t local_id[32], const uint8_t *packet, size_t len,
                                               ethp2p_v5_header *out);

/**
 * Writes a packet to dest_id: the header of this flag, nonce and authdata,
 * masked with iv; and, unless flag is WHOAREYOU, the message pt encrypted with
 * key. out holds ETHP2P_V5_MAX_PACKET bytes. 0, ETHP2P_ENOSPACE (over 1280
 * bytes) or ETHP2P_EINVAL.
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_encode(const uint8_t dest_id[32], const uint8_t iv[ETHP2P_V5_IV], uint8_t flag,
                                        const uint8_t nonce[ETHP2P_V5_NONCE], const uint8_t *authdata, size_t alen,
                                        const uint8_t key[ETHP2P_V5_KEY], const uint8_t *pt, size_t ptlen, uint8_t *out,
                                        size_t *outlen);
/** Decrypts a header's message with key into pt (message_len - 16 bytes). 0 or ETHP2P_EMAC. */
ETHP2P_WARN_UNUSED int ethp2p_v5_decrypt(const ethp2p_v5_header *h, const uint8_t key[ETHP2P_V5_KEY], uint8_t *pt,
                                         size_t *ptlen);

/** The WHOAREYOU authdata: id-nonce || enr-seq (big-endian). */
void ethp2p_v5_whoareyou_authdata(const uint8_t id_nonce[ETHP2P_V5_ID_NONCE], uint64_t enr_seq, uint8_t out[24]);
/**
 * The handshake authdata into out (cap bytes): src_id, the 64-byte identity
 * signature, the 33-byte ephemeral key and the record (RLP; NULL/0 for none).
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_handshake_authdata(const uint8_t src_id[32], const uint8_t sig[64],
                                                    const uint8_t eph_pub[33], const uint8_t *record, size_t record_len,
                                                    uint8_t *out, size_t cap, size_t *len);

/**
 * The identity proof: a signature of sha256("discovery v5 identity proof" ||
 * challenge || ephemeral public key (33) || destination node ID).
 * challenge is the WHOAREYOU packet's masking-iv || header, as sent.
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_id_sign(const ethp2p_privkey *key, const uint8_t *challenge, size_t clen,
                                         const uint8_t eph_pub[33], const uint8_t dest_id[32], uint8_t sig[64]);
/** Checks an identity proof made by key. 0 or ETHP2P_ESIG. */
ETHP2P_WARN_UNUSED int ethp2p_v5_id_verify(const ethp2p_pubkey *key, const uint8_t *challenge, size_t clen,
                                           const uint8_t eph_pub[33], const uint8_t dest_id[32], const uint8_t sig[64]);
/**
 * Session keys: HKDF-SHA256 over ECDH(priv, pub) (compressed point), salt =
 * challenge, info = "discovery v5 key agreement" || id_a || id_b, where A
 * sent the handshake. The handshake's sender writes with the initiator key.
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_derive_keys(const ethp2p_privkey *priv, const ethp2p_pubkey *pub,
                                             const uint8_t id_a[32], const uint8_t id_b[32], const uint8_t *challenge,
                                             size_t clen, uint8_t initiator_key[ETHP2P_V5_KEY],
                                             uint8_t recipient_key[ETHP2P_V5_KEY]);

/* ---- messages ---- */

enum {
    ETHP2P_V5_PING = 0x01,
    ETHP2P_V5_PONG = 0x02,
    ETHP2P_V5_FINDNODE = 0x03,
    ETHP2P_V5_NODES = 0x04,
    ETHP2P_V5_TALKREQ = 0x05,
    ETHP2P_V5_TALKRESP = 0x06,
};
enum { ETHP2P_V5_MAX_DISTANCES = 16 };

typedef struct ethp2p_v5_msg {
    uint8_t type;
    uint8_t req_id[ETHP2P_V5_MAX_REQ_ID];
    size_t req_id_len;
    uint64_t enr_seq;                       /* PING, PONG */
    ethp2p_ip ip;                           /* PONG: the recipient's address as seen */
    uint16_t port;
    uint16_t distances[ETHP2P_V5_MAX_DISTANCES]; /* FINDNODE */
    size_t ndistances;
    uint64_t total;                         /* NODES: how many NODES messages answer the request */
    ethp2p_rlp_item records;                /* NODES: the list of records (in the decoded input) */
    const uint8_t *proto, *data;            /* TALKREQ: protocol and request; TALKRESP: data */
    size_t proto_len, data_len;
} ethp2p_v5_msg;

/**
 * Decodes a message (type byte || RLP): every field bounded, request IDs at
 * most 8 bytes, at most 16 distances of at most 256. Extra list elements are
 * ignored. Pointers refer into pt.
 */
ETHP2P_WARN_UNUSED int ethp2p_v5_msg_decode(const uint8_t *pt, size_t len, ethp2p_v5_msg *out);
/** Encodes a message (type byte || RLP) into w; for NODES, `records` is the list's RLP (raw). */
ETHP2P_WARN_UNUSED int ethp2p_v5_msg_encode(const ethp2p_v5_msg *m, ethp2p_rlp_writer *w);
/** "ping", "pong", ... or "unknown". */
const char *ethp2p_v5_msg_name(int type);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/enr.h - Ethereum Node Records (EIP-778, devp2p enr.md).
 *
 * A record is RLP [signature, seq, k1, v1, k2, v2, ...], at most 300 bytes,
 * with keys sorted and unique. The "v4" identity scheme signs
 * keccak256(RLP([seq, k1, v1, ...])) with a 64-byte R||S secp256k1 signature
 * by the key in "secp256k1" (33 bytes, compressed).
 *
 * ethp2p_enr is a fixed-size value (no allocation; about 2 KiB), so records
 * can be copied with '=' and kept in arrays. Values are kept as raw RLP, so
 * unknown keys survive a decode/encode round trip byte for byte. Known keys
 * have typed accessors: id, secp256k1, ip, tcp, udp, ip6, tcp6, udp6.
 *
 * Setters invalidate the signature; ethp2p_enr_sign() makes it valid again.
 */
#ifndef ETHP2P_ENR_H
#define ETHP2P_ENR_H

#include "ethp2p/enode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_ENR_MAX_SIZE 300 /* enr.md: "The maximum encoded size of a node record is 300 bytes" */
/* The smallest pair is 2 bytes, so a 300-byte record holds fewer than 150 pairs. */
#define ETHP2P_ENR_MAX_PAIRS 150
/* Longest text form ("enr:" + base64url of 300 bytes) with the NUL. */
#define ETHP2P_ENR_TEXT_MAX (4 + 400 + 1)

typedef struct ethp2p_enr_pair {
    uint16_t key_off, key_len; /* key bytes in kv */
    uint16_t val_off, val_len; /* value's raw RLP in kv */
} ethp2p_enr_pair;

typedef struct ethp2p_enr {
    uint64_t seq;
    uint8_t signature[ETHP2P_ENR_MAX_SIZE];
    size_t signature_len; /* 0 when unsigned */
    size_t npairs;
    ethp2p_enr_pair pairs[ETHP2P_ENR_MAX_PAIRS];
    uint8_t kv[2 * ETHP2P_ENR_MAX_SIZE];
    size_t kv_len;
} ethp2p_enr;

/** Initialises an empty, unsigned record with seq 0. */
void ethp2p_enr_init(ethp2p_enr *r);

/**
 * Decodes a record from its RLP. Checks: size <= 300, one list with no
 * trailing bytes, a signature string, a canonical uint64 seq, complete key/
 * value pairs, string keys sorted and unique. The signature is not checked:
 * call ethp2p_enr_verify(). Returns 0 or an ETHP2P_ERLP_* / ETHP2P_ERECORD_* code.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_decode(const uint8_t *data, size_t len, ethp2p_enr *r);

/**
 * Verifies the signature under the record's identity scheme. Only "v4" is
 * known. Returns 0, ETHP2P_ERECORD_SCHEME (no or unknown "id"),
 * ETHP2P_ERECORD_FIELD (bad "secp256k1") or ETHP2P_ESIG.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_verify(const ethp2p_enr *r);

/**
 * Encodes the signed record into out (cap bytes; 300 suffice).
 * Returns 0, ETHP2P_ESIG (unsigned), ETHP2P_ERECORD_SIZE or ETHP2P_ENOSPACE.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_encode(const ethp2p_enr *r, uint8_t *out, size_t cap, size_t *len);

/** The hash the "v4" scheme signs: keccak256(RLP([seq, k, v, ...])). */
ETHP2P_WARN_UNUSED int ethp2p_enr_signing_hash(const ethp2p_enr *r, uint8_t hash[32]);

/**
 * Signs with the "v4" scheme: sets "id" = "v4" and "secp256k1" to the key's
 * compressed public key, then signs. The seq is left as it is.
 * Returns 0, ETHP2P_EKEY or ETHP2P_ERECORD_SIZE (over 300 bytes once signed).
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_sign(ethp2p_enr *r, const ethp2p_privkey *key);

/**
 * Sets key to an already-encoded RLP value (replacing any old value), keeping
 * keys sorted. Invalidates the signature. value_rlp must be one RLP item.
 * Returns 0, ETHP2P_EINVAL (malformed value) or ETHP2P_ERECORD_SIZE.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_set_raw(ethp2p_enr *r, const char *key, const uint8_t *value_rlp,
                                          size_t value_len);
/** Sets "ip" (IPv4) or "ip6" (IPv6) according to the address family. */
ETHP2P_WARN_UNUSED int ethp2p_enr_set_ip(ethp2p_enr *r, const ethp2p_ip *ip);
/** Sets a port key ("tcp", "udp", "tcp6", "udp6") to a canonical integer. */
ETHP2P_WARN_UNUSED int ethp2p_enr_set_port(ethp2p_enr *r, const char *key, uint16_t port);
/** Removes a key. Returns 0 or ETHP2P_ENOTFOUND. */
int ethp2p_enr_remove(ethp2p_enr *r, const char *key);

/** Finds a key; *value and *len describe its raw RLP. 0 or ETHP2P_ENOTFOUND. */
ETHP2P_WARN_UNUSED int ethp2p_enr_get_raw(const ethp2p_enr *r, const char *key, const uint8_t **value,
                                          size_t *len);
/** The identity scheme name ("v4") into out (cap bytes). */
ETHP2P_WARN_UNUSED int ethp2p_enr_get_id_scheme(const ethp2p_enr *r, char *out, size_t cap);
/** "ip" (4 bytes) when family is 4, "ip6" (16 bytes) when 6. */
ETHP2P_WARN_UNUSED int ethp2p_enr_get_ip(const ethp2p_enr *r, int family, ethp2p_ip *out);
/**
 * A port key. "tcp6" and "udp6" fall back to "tcp" and "udp" when absent
 * (enr.md). Returns 0, ETHP2P_ENOTFOUND or ETHP2P_ERECORD_FIELD.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_get_port(const ethp2p_enr *r, const char *key, uint16_t *port);
/** The "secp256k1" public key, decompressed. */
ETHP2P_WARN_UNUSED int ethp2p_enr_get_pubkey(const ethp2p_enr *r, ethp2p_pubkey *out);
/** The node ID (keccak256 of the "secp256k1" key). */
ETHP2P_WARN_UNUSED int ethp2p_enr_node_id(const ethp2p_enr *r, ethp2p_node_id *out);
/**
 * Converts to an enode: key, the IPv4 endpoint if present else IPv6
 * (with tcp6/udp6), ports. Returns as ethp2p_enr_get_pubkey.
 */
ETHP2P_WARN_UNUSED int ethp2p_enr_to_enode(const ethp2p_enr *r, ethp2p_enode *out);

/** Writes "enr:<base64url>" (ETHP2P_ENR_TEXT_MAX bytes suffice). */
ETHP2P_WARN_UNUSED int ethp2p_enr_to_text(const ethp2p_enr *r, char *out, size_t cap);
/** Parses "enr:<base64url>" (no padding) and decodes. Does not verify. */
ETHP2P_WARN_UNUSED int ethp2p_enr_from_text(const char *text, ethp2p_enr *r);

#ifdef __cplusplus
}
#endif
#endif

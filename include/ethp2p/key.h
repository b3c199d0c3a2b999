/*
 * ethp2p/key.h - secp256k1 keys, signatures and ECDH (through libsecp256k1).
 *
 * Two signature forms exist in devp2p and must not be mixed up:
 *   - recoverable, 65 bytes R||S||V with V in {0,1}: discv4 packets and the
 *     RLPx auth message;
 *   - compact, 64 bytes R||S with no V: the ENR "v4" identity scheme.
 * ECDH returns the raw 32-byte X coordinate of the shared point (RLPx and
 * ECIES need it unhashed; libsecp256k1's default would hash it).
 */
#ifndef ETHP2P_KEY_H
#define ETHP2P_KEY_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_PRIVKEY_SIZE 32
#define ETHP2P_PUBKEY_SIZE 64            /* uncompressed X||Y, no 0x04 prefix */
#define ETHP2P_PUBKEY_COMPRESSED_SIZE 33
#define ETHP2P_SIG_RECOVERABLE_SIZE 65   /* R||S||V */
#define ETHP2P_SIG_COMPACT_SIZE 64       /* R||S */

typedef struct ethp2p_privkey { uint8_t b[ETHP2P_PRIVKEY_SIZE]; } ethp2p_privkey;
typedef struct ethp2p_pubkey { uint8_t b[ETHP2P_PUBKEY_SIZE]; } ethp2p_pubkey;

/** Generates a private key from the OS random source. 0, ETHP2P_ERANDOM. */
ETHP2P_WARN_UNUSED int ethp2p_privkey_generate(ethp2p_privkey *out);
/** Checks a private key is in [1, n-1]. 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_privkey_check(const ethp2p_privkey *key);
/** Derives the public key. 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_privkey_to_pubkey(const ethp2p_privkey *key, ethp2p_pubkey *out);

/** Checks that a 64-byte public key is a point on the curve. 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_pubkey_check(const ethp2p_pubkey *key);
/** Compresses a public key to 33 bytes (0x02/0x03 || X). 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_pubkey_compress(const ethp2p_pubkey *key, uint8_t out[33]);
/** Decompresses a 33-byte key. 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_pubkey_decompress(const uint8_t in[33], ethp2p_pubkey *out);

/**
 * Signs a 32-byte hash, writing R||S||V with V in {0,1}.
 * Returns 0 or ETHP2P_EKEY.
 */
ETHP2P_WARN_UNUSED int ethp2p_sign_recoverable(const ethp2p_privkey *key, const uint8_t hash[32],
                                               uint8_t sig[65]);
/**
 * Recovers the signer's public key from a hash and a 65-byte signature.
 * V must be 0 or 1 (27/28 are rejected: devp2p never uses them).
 * Returns 0 or ETHP2P_ESIG.
 */
ETHP2P_WARN_UNUSED int ethp2p_recover(const uint8_t hash[32], const uint8_t sig[65],
                                      ethp2p_pubkey *out);

/** Signs a 32-byte hash, writing the 64-byte compact (low-S) R||S. */
ETHP2P_WARN_UNUSED int ethp2p_sign_compact(const ethp2p_privkey *key, const uint8_t hash[32],
                                           uint8_t sig[64]);
/**
 * Verifies a compact signature. High-S (malleable) signatures are rejected as
 * the reference client does. Returns 0 or ETHP2P_ESIG.
 */
ETHP2P_WARN_UNUSED int ethp2p_verify_compact(const ethp2p_pubkey *key, const uint8_t hash[32],
                                             const uint8_t sig[64]);

/** ECDH for discv5: writes key * peer as a compressed point (33 bytes). 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_ecdh_compressed(const ethp2p_privkey *key, const ethp2p_pubkey *peer,
                                              uint8_t shared[33]);

/** ECDH: writes the X coordinate of key * peer. 0 or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_ecdh(const ethp2p_privkey *key, const ethp2p_pubkey *peer,
                                   uint8_t shared_x[32]);

/**
 * Loads a node key file: 64 hex characters, optionally followed by one
 * newline (the reference client's `nodekey` format).
 * Returns 0, ETHP2P_EIO (errno kept), ETHP2P_EFORMAT or ETHP2P_EKEY.
 */
ETHP2P_WARN_UNUSED int ethp2p_nodekey_load(const char *path, ethp2p_privkey *out);
/**
 * Writes a node key file with mode 0600, refusing to replace an existing file
 * (ETHP2P_EEXIST). The file is written under a temporary name, synced, and
 * linked into place, so a crash never leaves a half-written key.
 */
ETHP2P_WARN_UNUSED int ethp2p_nodekey_save(const char *path, const ethp2p_privkey *key);

#ifdef __cplusplus
}
#endif
#endif

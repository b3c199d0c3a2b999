/*
 * ethp2p/ecies.h - ECIES exactly as RLPx uses it (rlpx.md, "ECIES Encryption").
 *
 *   KDF:   NIST SP 800-56 concatenation KDF with SHA-256, 32-bit big-endian
 *          counter from 1, empty shared info; 32 bytes out.
 *   kE:    the first 16 bytes (AES-128-CTR key); kM = SHA-256(last 16 bytes).
 *   wire:  0x04 || R (64) || IV (16) || ciphertext || HMAC-SHA-256(kM, IV || ciphertext || mac_data)
 *
 * mac_data is the "shared MAC data" (RLPx EIP-8 passes the 2-byte size prefix).
 */
#ifndef ETHP2P_ECIES_H
#define ETHP2P_ECIES_H

#include "ethp2p/key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_ECIES_OVERHEAD 113 /* 65 (R) + 16 (IV) + 32 (tag) */

/**
 * Encrypts msg for the holder of `to`. out must hold msg_len + 113 bytes.
 * mac_data (may be NULL when mac_len is 0) is authenticated, not encrypted.
 * Returns 0, ETHP2P_EKEY (bad recipient key) or ETHP2P_ERANDOM.
 */
ETHP2P_WARN_UNUSED int ethp2p_ecies_encrypt(const ethp2p_pubkey *to, const uint8_t *msg,
                                            size_t msg_len, const uint8_t *mac_data,
                                            size_t mac_len, uint8_t *out);

/**
 * Decrypts ct with key. out must hold ct_len - 113 bytes; *out_len receives
 * the plaintext length. The ephemeral point must lie on the curve and the
 * tag must match (checked in constant time) before anything is decrypted.
 * Returns 0, ETHP2P_ECIPHERTEXT (too short, bad prefix, point not on the
 * curve) or ETHP2P_EMAC.
 */
ETHP2P_WARN_UNUSED int ethp2p_ecies_decrypt(const ethp2p_privkey *key, const uint8_t *ct,
                                            size_t ct_len, const uint8_t *mac_data,
                                            size_t mac_len, uint8_t *out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif

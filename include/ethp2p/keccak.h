/*
 * ethp2p/keccak.h - Keccak-256 as Ethereum uses it: the original Keccak
 * padding (0x01 ... 0x80), not FIPS 202 SHA3-256 (0x06 ... 0x80).
 *
 * The context is a plain struct that may be copied with '='. RLPx keeps a
 * running MAC state per direction and needs its digest after every frame
 * without ending it: ethp2p_keccak256_peek() does exactly that.
 */
#ifndef ETHP2P_KECCAK_H
#define ETHP2P_KECCAK_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_KECCAK256_RATE 136 /* bytes absorbed per permutation (1600 - 2*256 bits) */

typedef struct ethp2p_keccak256_ctx {
    uint64_t lanes[25];
    size_t pos; /* bytes absorbed into the current block */
} ethp2p_keccak256_ctx;

/** Starts a new hash. */
void ethp2p_keccak256_init(ethp2p_keccak256_ctx *ctx);
/** Absorbs len bytes. */
void ethp2p_keccak256_update(ethp2p_keccak256_ctx *ctx, const void *data, size_t len);
/** Pads and writes the 32-byte digest; ctx must be initialised again before reuse. */
void ethp2p_keccak256_final(ethp2p_keccak256_ctx *ctx, uint8_t out[32]);
/** Writes the digest of everything absorbed so far and leaves ctx running. */
void ethp2p_keccak256_peek(const ethp2p_keccak256_ctx *ctx, uint8_t out[32]);
/** One-shot hash. */
void ethp2p_keccak256(const void *data, size_t len, uint8_t out[32]);

/** The name of the permutation compiled in: "portable" or "nettle". */
const char *ethp2p_keccak_backend(void);

#ifdef __cplusplus
}
#endif
#endif

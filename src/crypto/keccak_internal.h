/* Both Keccak-f[1600] permutations, exported for the benchmark that picks one. */
#ifndef ETHP2P_KECCAK_INTERNAL_H
#define ETHP2P_KECCAK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/** Our unrolled C permutation. */
void ethp2p_keccakf1600_portable(uint64_t lanes[25]);
/** nettle's nettle_sha3_permute. */
void ethp2p_keccakf1600_nettle(uint64_t lanes[25]);

/** One-shot Keccak-256 using the given permutation (for the benchmark that compares them). */
void ethp2p_keccak256_using(void (*permute)(uint64_t lanes[25]), const void *data, size_t len,
                            uint8_t out[32]);

#endif

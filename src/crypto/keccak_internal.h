/* Both Keccak-f[1600] permutations, exported for the benchmark that picks one. */
#ifndef ETHP2P_KECCAK_INTERNAL_H
#define ETHP2P_KECCAK_INTERNAL_H

#include <stdint.h>

/** Our unrolled C permutation. */
void ethp2p_keccakf1600_portable(uint64_t lanes[25]);
/** nettle's nettle_sha3_permute. */
void ethp2p_keccakf1600_nettle(uint64_t lanes[25]);

#endif

/*
 * ethp2p/random.h - the OS random source (getrandom(2)), for keys, nonces,
 * IVs and padding. Never a userspace PRNG for secrets.
 */
#ifndef ETHP2P_RANDOM_H
#define ETHP2P_RANDOM_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Fills buf with n bytes from the OS random source. 0 or ETHP2P_ERANDOM. */
ETHP2P_WARN_UNUSED int ethp2p_random_bytes(void *buf, size_t n);

/**
 * splitmix64: a small deterministic generator for seeded, replayable choices
 * (table replacements, lookup targets, simulations). Never for secrets.
 */
static inline uint64_t ethp2p_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/** A random 64-bit value from the OS source (0 if it fails). */
void ethp2p_random_seed_u64(uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif

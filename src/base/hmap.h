/*
 * A map from 64-bit keys to pointers: open addressing with linear probing and
 * backward-shift deletion, growing by doubling. Keys are the first 8 bytes of
 * a Keccak hash (uniform already); key 0 is stored as 1. The bounded sets of
 * hashes a peer knows are in hashset.h.
 */
#ifndef ETHP2P_BASE_HMAP_H
#define ETHP2P_BASE_HMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct hmap_slot {
    uint64_t key; /* 0: empty */
    void *value;
} hmap_slot;

typedef struct hmap {
    hmap_slot *slots;
    size_t mask, count;
} hmap;

uint64_t hmap_key(const uint8_t hash[32]);
void hmap_clear(hmap *m);
/** The value for key, or NULL. */
void *hmap_get(const hmap *m, uint64_t key);
/** Asks the CPU to fetch key's home slot into the cache ahead of a hmap_get. */
void hmap_prefetch(const hmap *m, uint64_t key);
/** Once that slot is cached: asks for the value the first slot there points to (a guess: no probe). */
void hmap_prefetch_value(const hmap *m, uint64_t key);
/** Inserts or replaces. Returns 0 or ETHP2P_ENOMEM. */
int hmap_put(hmap *m, uint64_t key, void *value);
/** Removes key; returns its value or NULL. */
void *hmap_del(hmap *m, uint64_t key);

#endif

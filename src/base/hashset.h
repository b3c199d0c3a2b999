/*
 * A bounded set of hashes: what a peer is known to have (transactions, blocks).
 * One 8-byte word per slot: the hash's first 62 bits, a "present" bit and one
 * mark bit the owner may set (the eth handler marks a transaction the peer
 * sent in full). Open addressing with linear probing, at most 3/4 full, and
 * backward-shift deletion. The slot count grows by half (not doubling), so a
 * set is 3/8 to 3/4 full rather than 3/8 to 3/4 of a power of two: a node with
 * 50 peers holds 50 of these per thousand transactions. When the set holds its maximum, adding forgets an
 * entry picked by a seeded generator, as the reference's known caches drop an
 * arbitrary element: no insertion-order ring to keep, and the same sequence of
 * calls forgets the same entries.
 */
#ifndef ETHP2P_BASE_HASHSET_H
#define ETHP2P_BASE_HASHSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct hashset {
    uint64_t *slots;    /* 0: empty */
    size_t cap, count, max;
    uint64_t rng;       /* picks what is forgotten when full */
} hashset;

/** An empty set that will hold at most `max` hashes (1 if 0); allocates nothing yet. */
void hashset_init(hashset *s, size_t max);
/** Frees the slots; the set is empty again with the same maximum. */
void hashset_clear(hashset *s);
/** Empties the set but keeps its slots, for a set reused as scratch (one message's hashes). */
void hashset_reset(hashset *s);
/** Adds; returns 1 if it was new, 0 if known, ETHP2P_ENOMEM. */
int hashset_add(hashset *s, const uint8_t hash[32]);
/** Adds with the mark set; returns 1 if it was there marked already, 0 if not, ETHP2P_ENOMEM. */
int hashset_mark(hashset *s, const uint8_t hash[32]);
/** Asks the CPU to fetch the hash's home slot into the cache ahead of an add, mark or has. */
void hashset_prefetch(const hashset *s, const uint8_t hash[32]);
/** 1 if the hash is in the set. */
int hashset_has(const hashset *s, const uint8_t hash[32]);
/** Bytes the set holds on the heap. */
static inline size_t hashset_heap_bytes(const hashset *s) { return s->cap * sizeof(uint64_t); }
static inline size_t hashset_len(const hashset *s) { return s->count; }

#endif

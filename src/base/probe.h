/*
 * Linear probing over any slot count (not only powers of two), shared by the
 * open-addressing tables whose memory matters at simulation scale (the
 * bounded hash sets, discv4's bond store). A table grows by half when 3/4
 * full (7/8 for the dense variant), so it stays 1/2 to 3/4 full instead of
 * 3/8 to 3/4.
 */
#ifndef ETHP2P_BASE_PROBE_H
#define ETHP2P_BASE_PROBE_H

#include <stddef.h>
#include <stdint.h>

/** The home slot of a 64-bit key among cap slots: the high bits of (mixed key x cap). */
static inline size_t probe_home(uint64_t key, size_t cap)
{
    return (size_t)(((unsigned __int128)(key * 0x9e3779b97f4a7c15ULL) * cap) >> 64);
}
/** The slot after i, wrapping. */
static inline size_t probe_next(size_t i, size_t cap) { return i + 1 == cap ? 0 : i + 1; }
/** Steps from slot a forward to slot b, cyclically. */
static inline size_t probe_dist(size_t a, size_t b, size_t cap) { return b >= a ? b - a : b + cap - a; }
/** True if a table of cap slots holding count entries must grow before one more. */
static inline int probe_must_grow(size_t count, size_t cap) { return (count + 1) * 4 > cap * 3; }
/**
 * The same for a table that trades probe length for memory: it grows when 7/8
 * full, so it stays 7/12 to 7/8 full. The bond store uses it: at simulation
 * scale its slots are half the heap, and most of its probes find their entry
 * (about 4.5 slots at 7/8; a miss walks about 32, two cache lines' worth of
 * 16-byte slots at a time).
 */
static inline int probe_must_grow_dense(size_t count, size_t cap) { return (count + 1) * 8 > cap * 7; }
/** The slot count after growing from cap (16 to start). */
static inline size_t probe_grown(size_t cap) { return cap ? cap + cap / 2 : 16; }
/**
 * After the entry at slot i was emptied, whether the entry at j (home `home`)
 * moves into i: yes unless its home lies cyclically in (i, j].
 */
static inline int probe_may_fill(size_t i, size_t j, size_t home, size_t cap)
{
    return probe_dist(home, j, cap) >= probe_dist(i, j, cap);
}

#endif

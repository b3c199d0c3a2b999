/* Bounded hash set with one mark bit per entry; see hashset.h. */
#include "base/hashset.h"
#include "base/probe.h"
#include "ethp2p/common.h"
#include "ethp2p/random.h"

#include <stdlib.h>
#include <string.h>

#define PRESENT 1u
#define MARKED 2u
#define FLAGS 3u

/* The stored word of a hash: its first 8 bytes with the two low bits for the flags. */
static uint64_t word_of(const uint8_t hash[32])
{
    uint64_t k;
    memcpy(&k, hash, 8);
    return (k & ~(uint64_t)FLAGS) | PRESENT;
}

static size_t home_of(uint64_t w, size_t cap) { return probe_home(w & ~(uint64_t)FLAGS, cap); }
static int same(uint64_t a, uint64_t b) { return ((a ^ b) & ~(uint64_t)FLAGS) == 0; }

void hashset_init(hashset *s, size_t max)
{
    memset(s, 0, sizeof(*s));
    s->max = max ? max : 1;
    s->rng = 0x68617368736574ULL ^ s->max;
}

void hashset_clear(hashset *s)
{
    free(s->slots);
    hashset_init(s, s->max);
}

void hashset_reset(hashset *s)
{
    if (s->count) memset(s->slots, 0, s->cap * sizeof(s->slots[0]));
    s->count = 0;
}

/* Index of w's slot, or of the empty slot ending its probe run. */
static size_t find(const hashset *s, uint64_t w)
{
    size_t i = home_of(w, s->cap);
    while (s->slots[i] && !same(s->slots[i], w)) i = probe_next(i, s->cap);
    return i;
}

void hashset_prefetch(const hashset *s, const uint8_t hash[32])
{
    if (s->slots) __builtin_prefetch(&s->slots[home_of(word_of(hash), s->cap)]);
}

int hashset_has(const hashset *s, const uint8_t hash[32])
{
    return s->slots && s->slots[find(s, word_of(hash))] != 0;
}

static int grow(hashset *s)
{
    size_t n = probe_grown(s->cap);
    uint64_t *slots = calloc(n, sizeof(*slots));
    if (!slots) return ETHP2P_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slots[i]) continue;
        size_t j = home_of(s->slots[i], n);
        while (slots[j]) j = probe_next(j, n);
        slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = slots;
    s->cap = n;
    return 0;
}

static void remove_at(hashset *s, size_t i)
{
    s->slots[i] = 0;
    s->count--;
    for (size_t j = probe_next(i, s->cap); s->slots[j]; j = probe_next(j, s->cap)) {
        size_t home = home_of(s->slots[j], s->cap);
        /* Entry j may fill the gap at i unless its home lies cyclically in (i, j]. */
        if (probe_may_fill(i, j, home, s->cap)) {
            s->slots[i] = s->slots[j];
            s->slots[j] = 0;
            i = j;
        }
    }
}

/* Forgets one entry: the first occupied slot from a random position. */
static void evict(hashset *s)
{
    size_t i = (size_t)(ethp2p_splitmix64(&s->rng) % s->cap);
    while (!s->slots[i]) i = probe_next(i, s->cap);
    remove_at(s, i);
}

/* Adds w's hash with `flags`; *old receives the flags it had (0: absent). */
static int put(hashset *s, uint64_t w, unsigned flags, unsigned *old)
{
    *old = 0;
    if (s->slots) {
        size_t i = find(s, w);
        if (s->slots[i]) {
            *old = (unsigned)(s->slots[i] & FLAGS);
            s->slots[i] |= flags;
            return 0;
        }
    }
    if (s->count >= s->max) evict(s);
    if (probe_must_grow(s->count, s->cap)) {
        int rc = grow(s);
        if (rc) return rc;
    }
    s->slots[find(s, w)] = w | flags;
    s->count++;
    return 0;
}

int hashset_add(hashset *s, const uint8_t hash[32])
{
    unsigned old;
    int rc = put(s, word_of(hash), PRESENT, &old);
    return rc ? rc : old == 0;
}

int hashset_mark(hashset *s, const uint8_t hash[32])
{
    unsigned old;
    int rc = put(s, word_of(hash), PRESENT | MARKED, &old);
    return rc ? rc : (old & MARKED) != 0;
}

/*
 * The bond store: when each (node ID, IP) last pinged us and last answered our
 * ping, and how many FindNode requests it failed. Endpoint proofs are keyed by
 * ID *and* IP (a proof from one address does not cover another).
 *
 * An entry holds a keyed hash of (ID, IP) instead of the pair itself
 * (discv4_internal.h says why that is safe). Open addressing with linear
 * probing on that hash, over any slot count (base/probe.h: 1/2 to 3/4 full).
 * Deletion uses backward shifting so no tombstones accumulate.
 */
#include "discover/discv4_internal.h"
#include "base/probe.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HASH_MASK (~(uint64_t)0xff)

void bonds_init(bond_store *s, const uint8_t key[16]) { memcpy(s->key, key, sizeof(s->key)); }

uint64_t bonds_key(const bond_store *s, const ethp2p_node_id *id, const ethp2p_ip *ip)
{
    uint8_t in[32 + 1 + 16], out[8];
    size_t alen = ip->family == 4 ? 4 : ip->family ? 16 : 0;
    memcpy(in, id->b, 32);
    in[32] = ip->family;
    memcpy(in + 33, ip->b, alen);
    crypto_shorthash(out, in, 33 + alen, s->key);
    uint64_t h;
    memcpy(&h, out, 8);
    return (h & HASH_MASK) | 0x100; /* the low byte counts failures; bit 8 keeps it nonzero */
}

static size_t slot_of(const bond_store *s, uint64_t key) { return probe_home(key >> 8, s->cap); }

void bonds_clear(bond_store *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->count = 0;
}

static int grow(bond_store *s)
{
    size_t ncap = probe_grown(s->cap);
    bond_entry *old = s->slots, *slots = calloc(ncap, sizeof(*slots));
    if (!slots) return ETHP2P_ENOMEM;
    size_t ocap = s->cap;
    s->slots = slots;
    s->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        size_t j = slot_of(s, old[i].key);
        while (s->slots[j].key) j = probe_next(j, s->cap);
        s->slots[j] = old[i];
    }
    free(old);
    return 0;
}

bond_entry *bonds_get(bond_store *s, const ethp2p_node_id *id, const ethp2p_ip *ip, int create)
{
    return bonds_find(s, bonds_key(s, id, ip), create);
}

bond_entry *bonds_find(bond_store *s, uint64_t h, int create)
{
    if (s->cap) {
        for (size_t j = slot_of(s, h);; j = probe_next(j, s->cap)) {
            bond_entry *e = &s->slots[j];
            if (!e->key) break;
            if ((e->key & HASH_MASK) == h) return e;
        }
    }
    if (!create) return NULL;
    if (probe_must_grow_dense(s->count, s->cap) && grow(s)) return NULL;
    size_t j = slot_of(s, h);
    while (s->slots[j].key) j = probe_next(j, s->cap);
    bond_entry *e = &s->slots[j];
    memset(e, 0, sizeof(*e));
    e->key = h;
    s->count++;
    return e;
}

static void remove_at(bond_store *s, size_t i)
{
    s->slots[i].key = 0;
    s->count--;
    /* Backward-shift the cluster after i so every entry stays reachable. */
    for (size_t j = probe_next(i, s->cap); s->slots[j].key; j = probe_next(j, s->cap)) {
        size_t home = slot_of(s, s->slots[j].key);
        if (probe_may_fill(i, j, home, s->cap)) {
            s->slots[i] = s->slots[j];
            s->slots[j].key = 0;
            i = j;
        }
    }
}

void bonds_expire(bond_store *s, uint64_t cutoff)
{
    for (size_t i = 0; i < s->cap;) {
        bond_entry *e = &s->slots[i];
        if (e->key && bond_ms(e->last_ping_s) < cutoff && bond_ms(e->last_pong_s) < cutoff) {
            remove_at(s, i); /* re-examine slot i: something may have shifted into it */
            continue;
        }
        i++;
    }
}

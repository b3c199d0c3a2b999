/*
 * The bond store: when each (node ID, IP) last pinged us and last answered our
 * ping, and how many FindNode requests it failed. Endpoint proofs are keyed by
 * ID *and* IP (a proof from one address does not cover another), so an entry
 * holds one IP and is reset when the same ID shows up elsewhere.
 *
 * Open addressing with linear probing on the node ID (already uniformly
 * random: its first 8 bytes are the hash), over any slot count (base/probe.h:
 * 1/2 to 3/4 full). Deletion uses backward shifting so no tombstones accumulate.
 */
#include "discover/discv4_internal.h"
#include "base/probe.h"

#include <stdlib.h>
#include <string.h>

static size_t slot_of(const bond_store *s, const uint8_t *id)
{
    uint64_t h;
    memcpy(&h, id, sizeof(h));
    return probe_home(h, s->cap);
}

void bonds_clear(bond_store *s)
{
    free(s->slots);
    memset(s, 0, sizeof(*s));
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
        if (!old[i].used) continue;
        size_t j = slot_of(s, old[i].id);
        while (s->slots[j].used) j = probe_next(j, s->cap);
        s->slots[j] = old[i];
    }
    free(old);
    return 0;
}

bond_entry *bonds_get(bond_store *s, const ethp2p_node_id *id, const ethp2p_ip *ip, int create)
{
    if (s->cap) {
        for (size_t j = slot_of(s, id->b);; j = probe_next(j, s->cap)) {
            bond_entry *e = &s->slots[j];
            if (!e->used) break;
            if (memcmp(e->id, id->b, sizeof(e->id)) == 0) {
                if (ethp2p_ip_equal(&e->ip, ip)) return e;
                if (!create) return NULL;
                memset(e, 0, sizeof(*e)); /* same node, new address: no proof carries over */
                e->used = 1;
                memcpy(e->id, id->b, sizeof(e->id));
                e->ip = *ip;
                return e;
            }
        }
    }
    if (!create) return NULL;
    if (probe_must_grow(s->count, s->cap) && grow(s)) return NULL;
    size_t j = slot_of(s, id->b);
    while (s->slots[j].used) j = probe_next(j, s->cap);
    bond_entry *e = &s->slots[j];
    memset(e, 0, sizeof(*e));
    e->used = 1;
    memcpy(e->id, id->b, sizeof(e->id));
    e->ip = *ip;
    s->count++;
    return e;
}

static void remove_at(bond_store *s, size_t i)
{
    s->slots[i].used = 0;
    s->count--;
    /* Backward-shift the cluster after i so every entry stays reachable. */
    for (size_t j = probe_next(i, s->cap); s->slots[j].used; j = probe_next(j, s->cap)) {
        size_t home = slot_of(s, s->slots[j].id);
        if (probe_may_fill(i, j, home, s->cap)) {
            s->slots[i] = s->slots[j];
            s->slots[j].used = 0;
            i = j;
        }
    }
}

void bonds_expire(bond_store *s, uint64_t cutoff)
{
    for (size_t i = 0; i < s->cap;) {
        bond_entry *e = &s->slots[i];
        if (e->used && bond_ms(e->last_ping_s) < cutoff && bond_ms(e->last_pong_s) < cutoff) {
            remove_at(s, i); /* re-examine slot i: something may have shifted into it */
            continue;
        }
        i++;
    }
}

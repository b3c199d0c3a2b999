/*
 * The identity pool: an open-addressing table of pointers keyed by the node
 * ID's first 8 bytes (IDs are Keccak outputs, so any 8 bytes are uniform),
 * probed linearly with the shared helpers in base/probe.h. Removal shifts
 * later entries back, so no tombstones pile up.
 */
#include "ethp2p/idpool.h"
#include "base/probe.h"

#include <stdlib.h>
#include <string.h>

struct ethp2p_idpool {
    ethp2p_ident **slots;
    size_t cap, count;
};

static uint64_t id_key(const ethp2p_node_id *id)
{
    uint64_t k;
    memcpy(&k, id->b, 8);
    return k;
}

ethp2p_idpool *ethp2p_idpool_new(void) { return calloc(1, sizeof(ethp2p_idpool)); }

void ethp2p_idpool_free(ethp2p_idpool *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->cap; i++) free(p->slots[i]);
    free(p->slots);
    free(p);
}

size_t ethp2p_idpool_len(const ethp2p_idpool *p) { return p->count; }

/* The slot holding id, or the empty slot where it would go. */
static size_t find_slot(const ethp2p_idpool *p, const ethp2p_node_id *id)
{
    size_t i = probe_home(id_key(id), p->cap);
    while (p->slots[i] && memcmp(p->slots[i]->id.b, id->b, 32) != 0) i = probe_next(i, p->cap);
    return i;
}

static int grow(ethp2p_idpool *p)
{
    size_t ncap = probe_grown(p->cap);
    ethp2p_ident **ns = calloc(ncap, sizeof(*ns));
    if (!ns) return -1;
    for (size_t i = 0; i < p->cap; i++) {
        if (!p->slots[i]) continue;
        size_t j = probe_home(id_key(&p->slots[i]->id), ncap);
        while (ns[j]) j = probe_next(j, ncap);
        ns[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = ns;
    p->cap = ncap;
    return 0;
}

const ethp2p_ident *ethp2p_idpool_get(ethp2p_idpool *p, const ethp2p_pubkey *key, const ethp2p_node_id *id)
{
    if (p->cap) {
        size_t i = find_slot(p, id);
        if (p->slots[i]) {
            p->slots[i]->refs++;
            return p->slots[i];
        }
    }
    if (probe_must_grow(p->count, p->cap) && grow(p) != 0) return NULL;
    ethp2p_ident *n = malloc(sizeof(*n));
    if (!n) return NULL;
    n->pubkey = *key;
    n->id = *id;
    n->refs = 1;
    p->slots[find_slot(p, id)] = n;
    p->count++;
    return n;
}

void ethp2p_idpool_ref(const ethp2p_ident *ident) { ((ethp2p_ident *)ident)->refs++; }

void ethp2p_idpool_put(ethp2p_idpool *p, const ethp2p_ident *ident)
{
    if (!ident || --((ethp2p_ident *)ident)->refs > 0) return;
    size_t i = find_slot(p, &ident->id);
    free(p->slots[i]);
    p->slots[i] = NULL;
    p->count--;
    /* Shift back the entries of the run after i that may take its place. */
    for (size_t j = probe_next(i, p->cap); p->slots[j]; j = probe_next(j, p->cap)) {
        size_t home = probe_home(id_key(&p->slots[j]->id), p->cap);
        if (probe_may_fill(i, j, home, p->cap)) {
            p->slots[i] = p->slots[j];
            p->slots[j] = NULL;
            i = j;
        }
    }
}

/* Open-addressing map; see hmap.h. */
#include "base/hmap.h"
#include "ethp2p/common.h"

#include <stdlib.h>
#include <string.h>

uint64_t hmap_key(const uint8_t hash[32])
{
    uint64_t k;
    memcpy(&k, hash, 8);
    return k ? k : 1;
}

void hmap_clear(hmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static size_t slot_of(uint64_t key, size_t mask) { return (size_t)(key ^ (key >> 29)) & mask; }

void hmap_prefetch(const hmap *m, uint64_t key)
{
    if (m->slots) __builtin_prefetch(&m->slots[slot_of(key, m->mask)]);
}

void hmap_prefetch_value(const hmap *m, uint64_t key)
{
    if (!m->slots) return;
    const hmap_slot *s = &m->slots[slot_of(key, m->mask)];
    if (s->key == key) __builtin_prefetch(s->value);
}

void *hmap_get(const hmap *m, uint64_t key)
{
    if (!m->slots) return NULL;
    for (size_t i = slot_of(key, m->mask);; i = (i + 1) & m->mask) {
        if (m->slots[i].key == key) return m->slots[i].value;
        if (m->slots[i].key == 0) return NULL;
    }
}

static int grow(hmap *m)
{
    size_t n = m->slots ? (m->mask + 1) * 2 : 16;
    hmap_slot *s = calloc(n, sizeof(*s));
    if (!s) return ETHP2P_ENOMEM;
    for (size_t i = 0; m->slots && i <= m->mask; i++) {
        if (!m->slots[i].key) continue;
        size_t j = slot_of(m->slots[i].key, n - 1);
        while (s[j].key) j = (j + 1) & (n - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->mask = n - 1;
    return 0;
}

int hmap_put(hmap *m, uint64_t key, void *value)
{
    if (!m->slots || (m->count + 1) * 4 > (m->mask + 1) * 3) {
        int rc = grow(m);
        if (rc) return rc;
    }
    size_t i = slot_of(key, m->mask);
    while (m->slots[i].key && m->slots[i].key != key) i = (i + 1) & m->mask;
    if (!m->slots[i].key) m->count++;
    m->slots[i].key = key;
    m->slots[i].value = value;
    return 0;
}

void *hmap_del(hmap *m, uint64_t key)
{
    if (!m->slots) return NULL;
    size_t i = slot_of(key, m->mask);
    while (m->slots[i].key != key) {
        if (!m->slots[i].key) return NULL;
        i = (i + 1) & m->mask;
    }
    void *v = m->slots[i].value;
    /* Backward shift: move later entries of the probe run into the gap. */
    for (size_t j = (i + 1) & m->mask; m->slots[j].key; j = (j + 1) & m->mask) {
        size_t home = slot_of(m->slots[j].key, m->mask);
        /* Entry j may fill the gap at i if its home is not in (i, j]. */
        if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].key = 0;
    m->slots[i].value = NULL;
    m->count--;
    return v;
}

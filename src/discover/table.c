/*
 * The discv4 routing table. All buckets share one array of pointers to nodes,
 * bucket after bucket, each bucket's entries followed by its replacements:
 * a simulation of 100,000 nodes holds 100,000 tables, most of whose 17 buckets
 * are empty or short, and fixed per-bucket arrays (3.7 KiB a table) were most
 * of that memory. An insertion shifts the pointers of later buckets (at most
 * 17 * 26); insertions are rare next to reads. The two revalidation lists are
 * arrays of pointers into the same nodes. The linear scans below (IP limits,
 * lookups by ID) stay cheap at this size; a hash index would only pay off for
 * far larger tables.
 */
#include "ethp2p/table.h"
#include "ethp2p/random.h"

#include <stdlib.h>
#include <string.h>

#define NEVER UINT64_MAX
#define SLOTS_STEP 16 /* the shared array grows by this many pointers */
#define REVAL_STEP 16 /* and each revalidation list by this many */

typedef struct table_bucket {
    uint16_t start;  /* first slot; entries [start, start+n), replacements after them */
    uint8_t n, nrepl;
} table_bucket;

typedef struct reval_list {
    ethp2p_table_node **nodes;
    size_t len, cap;
    uint64_t next_ms;
    uint64_t interval_ms;
} reval_list;

struct ethp2p_table {
    ethp2p_node_id self;
    ethp2p_idpool *pool;
    int own_pool;
    uint64_t rng;
    table_bucket buckets[ETHP2P_TABLE_BUCKETS];
    ethp2p_table_node **slots; /* every bucket's entries and replacements, in bucket order */
    uint16_t nslots, slots_cap;
    reval_list lists[2]; /* 0 fast, 1 slow */
    size_t len;
};

_Static_assert(ETHP2P_TABLE_BUCKETS * (ETHP2P_TABLE_BUCKET_SIZE + ETHP2P_TABLE_REPLACEMENTS) <= UINT16_MAX &&
                   ETHP2P_TABLE_BUCKET_SIZE + ETHP2P_TABLE_REPLACEMENTS <= UINT8_MAX,
               "slot counts fit their fields");

/* A bucket's entries, and its replacements (most recent first). */
static ethp2p_table_node **entries(const ethp2p_table *t, const table_bucket *b) { return t->slots + b->start; }
static ethp2p_table_node **repls(const ethp2p_table *t, const table_bucket *b) { return t->slots + b->start + b->n; }

/* Opens a slot at `pos` (within or at the end of bucket b's range) for b; later buckets shift. */
static int slot_open(ethp2p_table *t, table_bucket *b, size_t pos)
{
    if (t->nslots == t->slots_cap) {
        size_t ncap = (size_t)t->slots_cap + SLOTS_STEP;
        ethp2p_table_node **p = realloc(t->slots, ncap * sizeof(*p));
        if (!p) return ETHP2P_ENOMEM;
        t->slots = p;
        t->slots_cap = (uint16_t)ncap;
    }
    memmove(&t->slots[pos + 1], &t->slots[pos], (t->nslots - pos) * sizeof(t->slots[0]));
    t->nslots++;
    for (table_bucket *o = b + 1; o < t->buckets + ETHP2P_TABLE_BUCKETS; o++) o->start++;
    return 0;
}

/* Closes slot `pos` of bucket b (the caller adjusts b's counts); later buckets shift. */
static void slot_close(ethp2p_table *t, table_bucket *b, size_t pos)
{
    memmove(&t->slots[pos], &t->slots[pos + 1], (t->nslots - pos - 1) * sizeof(t->slots[0]));
    t->nslots--;
    for (table_bucket *o = b + 1; o < t->buckets + ETHP2P_TABLE_BUCKETS; o++) o->start--;
}

static uint64_t rng_below(ethp2p_table *t, uint64_t n) { return n ? ethp2p_splitmix64(&t->rng) % n : 0; }

ethp2p_table *ethp2p_table_new(const ethp2p_node_id *self, uint64_t seed)
{
    return ethp2p_table_new_pooled(self, seed, NULL);
}

ethp2p_table *ethp2p_table_new_pooled(const ethp2p_node_id *self, uint64_t seed, ethp2p_idpool *pool)
{
    ethp2p_table *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->pool = pool;
    if (!pool) {
        if (!(t->pool = ethp2p_idpool_new())) {
            free(t);
            return NULL;
        }
        t->own_pool = 1;
    }
    t->self = *self;
    t->rng = seed;
    t->lists[0].interval_ms = ETHP2P_TABLE_REVAL_FAST_MS;
    t->lists[1].interval_ms = ETHP2P_TABLE_REVAL_SLOW_MS;
    t->lists[0].next_ms = t->lists[1].next_ms = NEVER;
    return t;
}

void ethp2p_table_node_enode(const ethp2p_table_node *tn, ethp2p_enode *out)
{
    out->pubkey = tn->ident->pubkey;
    out->id = tn->ident->id;
    out->ip = tn->ip;
    out->tcp = tn->tcp;
    out->udp = tn->udp;
}

static void free_node(ethp2p_table *t, ethp2p_table_node *tn)
{
    if (!tn) return;
    ethp2p_idpool_put(t->pool, tn->ident);
    free(tn);
}

void ethp2p_table_free(ethp2p_table *t)
{
    if (!t) return;
    for (size_t k = 0; k < t->nslots; k++) free_node(t, t->slots[k]);
    free(t->slots);
    free(t->lists[0].nodes);
    free(t->lists[1].nodes);
    if (t->own_pool) ethp2p_idpool_free(t->pool);
    free(t);
}

int ethp2p_table_bucket_index(const ethp2p_table *t, const ethp2p_node_id *id)
{
    int d = ethp2p_node_id_logdist(&t->self, id);
    return d < ETHP2P_TABLE_FIRST_DISTANCE ? 0 : d - ETHP2P_TABLE_FIRST_DISTANCE + 1;
}

/* ---- revalidation lists ---- */

static int list_push(ethp2p_table *t, int which, ethp2p_table_node *n, uint64_t now)
{
    reval_list *l = &t->lists[which];
    if (l->len == l->cap) {
        size_t ncap = l->cap + REVAL_STEP;
        ethp2p_table_node **p = realloc(l->nodes, ncap * sizeof(*p));
        if (!p) return ETHP2P_ENOMEM;
        l->nodes = p;
        l->cap = ncap;
    }
    l->nodes[l->len++] = n;
    n->reval_list = which & 1;
    if (l->next_ms == NEVER) l->next_ms = now + rng_below(t, l->interval_ms);
    return 0;
}

static void list_remove(ethp2p_table *t, ethp2p_table_node *n)
{
    reval_list *l = &t->lists[n->reval_list];
    for (size_t i = 0; i < l->len; i++) {
        if (l->nodes[i] == n) {
            l->nodes[i] = l->nodes[--l->len]; /* order does not matter: picks are random */
            break;
        }
    }
    if (l->len == 0) l->next_ms = NEVER;
    /* Every node starts on the fast list and most move on: give back what it no longer needs. */
    if (l->cap - l->len >= 2 * REVAL_STEP) {
        ethp2p_table_node **p = realloc(l->nodes, (l->cap - REVAL_STEP) * sizeof(*p));
        if (p) {
            l->nodes = p;
            l->cap -= REVAL_STEP;
        }
    }
}

static void list_move(ethp2p_table *t, ethp2p_table_node *n, int to, uint64_t now)
{
    if (n->reval_list == to) return;
    list_remove(t, n);
    (void)list_push(t, to, n, now); /* on allocation failure the node is only not revalidated */
}

/* ---- IP limits ---- */

/* The limits' subnet is whole bytes, so "same subnet" is a family and a byte compare: this runs
 * for every entry at every addition (ethp2p_ip_same_prefix took 14% of a simulation's time). */
_Static_assert(ETHP2P_TABLE_IP_SUBNET_BITS % 8 == 0, "subnet prefix in whole bytes");
static int same_subnet(const ethp2p_ip *a, const ethp2p_ip *b)
{
    return a->family == b->family && a->family != 0 && memcmp(a->b, b->b, ETHP2P_TABLE_IP_SUBNET_BITS / 8) == 0;
}

static size_t count_subnet(ethp2p_table_node *const *arr, size_t n, const ethp2p_ip *ip, const ethp2p_node_id *skip)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (same_subnet(&arr[i]->ip, ip) &&
            (!skip || memcmp(arr[i]->ident->id.b, skip->b, 32) != 0))
            c++;
    return c;
}

/* May a node at ip join bucket b? `skip` is a node whose old address should not count. */
static int ip_allowed(const ethp2p_table *t, const table_bucket *b, const ethp2p_ip *ip, const ethp2p_node_id *skip)
{
    if (ip->family == 0 || ethp2p_ip_is_lan(ip)) return 1;
    if (count_subnet(entries(t, b), (size_t)b->n + b->nrepl, ip, skip) >= ETHP2P_TABLE_BUCKET_IP_LIMIT) return 0;
    return count_subnet(t->slots, t->nslots, ip, skip) < ETHP2P_TABLE_IP_LIMIT;
}

/* ---- add / remove ---- */

static int find_in(ethp2p_table_node *const *arr, size_t n, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(arr[i]->ident->id.b, id->b, 32) == 0) return (int)i;
    return -1;
}

static ethp2p_table_node *new_node(ethp2p_table *t, const ethp2p_enode *n)
{
    ethp2p_table_node *tn = calloc(1, sizeof(*tn));
    if (!tn) return NULL;
    if (!(tn->ident = ethp2p_idpool_get(t->pool, &n->pubkey, &n->id))) {
        free(tn);
        return NULL;
    }
    tn->ip = n->ip;
    tn->tcp = n->tcp;
    tn->udp = n->udp;
    return tn;
}

static void set_endpoint(ethp2p_table_node *tn, const ethp2p_enode *n)
{
    tn->ip = n->ip;
    tn->udp = n->udp;
    tn->tcp = n->tcp;
}

static int same_endpoint(const ethp2p_table_node *tn, const ethp2p_enode *n)
{
    return ethp2p_ip_equal(&tn->ip, &n->ip) && tn->udp == n->udp && tn->tcp == n->tcp;
}

static int add_replacement(ethp2p_table *t, table_bucket *b, const ethp2p_enode *n, uint64_t now)
{
    ethp2p_table_node **repl = repls(t, b);
    int i = find_in(repl, b->nrepl, &n->id);
    ethp2p_table_node *tn;
    if (i >= 0) {
        tn = repl[i];
        memmove(&repl[1], &repl[0], (size_t)i * sizeof(repl[0])); /* move to front */
        repl[0] = tn;
        return ETHP2P_TABLE_REPLACEMENT;
    }
    if (!ip_allowed(t, b, &n->ip, NULL)) return ETHP2P_TABLE_IP_LIMITED;
    if (!(tn = new_node(t, n))) return ETHP2P_ENOMEM;
    if (b->nrepl == ETHP2P_TABLE_REPLACEMENTS) { /* the oldest makes room */
        free_node(t, repl[b->nrepl - 1]);
        memmove(&repl[1], &repl[0], (size_t)(b->nrepl - 1) * sizeof(repl[0]));
    } else {
        if (slot_open(t, b, (size_t)b->start + b->n)) {
            free_node(t, tn);
            return ETHP2P_ENOMEM;
        }
        b->nrepl++;
    }
    repls(t, b)[0] = tn;
    return ETHP2P_TABLE_REPLACEMENT;
}

static int insert_entry(ethp2p_table *t, table_bucket *b, ethp2p_table_node *tn, uint64_t now)
{
    if (slot_open(t, b, (size_t)b->start + b->n)) return ETHP2P_ENOMEM;
    if (list_push(t, 0, tn, now)) {
        slot_close(t, b, (size_t)b->start + b->n);
        return ETHP2P_ENOMEM;
    }
    tn->in_bucket = 1;
    entries(t, b)[b->n++] = tn;
    t->len++;
    return 0;
}

int ethp2p_table_add(ethp2p_table *t, const ethp2p_enode *n, int source, uint64_t now_ms)
{
    if (memcmp(n->id.b, t->self.b, 32) == 0) return ETHP2P_TABLE_SELF;
    table_bucket *b = &t->buckets[ethp2p_table_bucket_index(t, &n->id)];
    int i = find_in(entries(t, b), b->n, &n->id);
    if (i >= 0) {
        ethp2p_table_node *tn = entries(t, b)[i];
        if (source == ETHP2P_TABLE_LIVE && !tn->validated_live) {
            tn->validated_live = 1;
            if (tn->liveness_checks == 0) tn->liveness_checks = 1;
        }
        /* Only the node itself (an inbound ping) may move its endpoint; a third
         * party's claim about an existing node is ignored. */
        if (source == ETHP2P_TABLE_INBOUND && !same_endpoint(tn, n) && ip_allowed(t, b, &n->ip, &n->id))
            set_endpoint(tn, n);
        return ETHP2P_TABLE_UPDATED;
    }
    if (b->n == ETHP2P_TABLE_BUCKET_SIZE) return add_replacement(t, b, n, now_ms);
    int r = find_in(repls(t, b), b->nrepl, &n->id);
    ethp2p_table_node *tn;
    if (r >= 0) { /* a replacement gets a slot that opened */
        tn = repls(t, b)[r];
        slot_close(t, b, (size_t)b->start + b->n + (size_t)r);
        b->nrepl--;
    } else {
        if (!ip_allowed(t, b, &n->ip, NULL)) return ETHP2P_TABLE_IP_LIMITED;
        if (!(tn = new_node(t, n))) return ETHP2P_ENOMEM;
    }
    if (source == ETHP2P_TABLE_LIVE) {
        tn->liveness_checks = 1;
        tn->validated_live = 1;
    }
    if (insert_entry(t, b, tn, now_ms)) {
        free_node(t, tn);
        return ETHP2P_ENOMEM;
    }
    return ETHP2P_TABLE_ADDED;
}

int ethp2p_table_remove(ethp2p_table *t, const ethp2p_node_id *id, uint64_t now)
{
    table_bucket *b = &t->buckets[ethp2p_table_bucket_index(t, id)];
    int i = find_in(entries(t, b), b->n, id);
    if (i < 0) return ETHP2P_ENOTFOUND;
    ethp2p_table_node *tn = entries(t, b)[i];
    list_remove(t, tn);
    slot_close(t, b, (size_t)b->start + (size_t)i);
    b->n--;
    t->len--;
    free_node(t, tn);
    if (b->nrepl > 0) {
        size_t r = (size_t)rng_below(t, b->nrepl);
        ethp2p_table_node *rep = repls(t, b)[r];
        slot_close(t, b, (size_t)b->start + b->n + r);
        b->nrepl--;
        if (insert_entry(t, b, rep, now)) free_node(t, rep);
    }
    return 0;
}

ethp2p_table_node *ethp2p_table_get(ethp2p_table *t, const ethp2p_node_id *id)
{
    table_bucket *b = &t->buckets[ethp2p_table_bucket_index(t, id)];
    int i = find_in(entries(t, b), b->n, id);
    return i < 0 ? NULL : entries(t, b)[i];
}

int ethp2p_table_update_record(ethp2p_table *t, const ethp2p_enode *n, uint64_t seq)
{
    ethp2p_table_node *tn = ethp2p_table_get(t, &n->id);
    if (!tn || seq <= tn->seq) return 0;
    tn->seq = seq;
    int changed = !same_endpoint(tn, n);
    if (changed) {
        table_bucket *b = &t->buckets[ethp2p_table_bucket_index(t, &n->id)];
        if (!ip_allowed(t, b, &n->ip, &n->id)) return 0;
        set_endpoint(tn, n);
    }
    return changed;
}

size_t ethp2p_table_len(const ethp2p_table *t) { return t->len; }

size_t ethp2p_table_bucket_len(const ethp2p_table *t, int i, size_t *replacements)
{
    if (replacements) *replacements = t->buckets[i].nrepl;
    return t->buckets[i].n;
}

size_t ethp2p_table_closest(const ethp2p_table *t, const ethp2p_node_id *target, size_t max, int prefer_live,
                            ethp2p_enode *out)
{
    int any_live = 0;
    if (prefer_live)
        for (int i = 0; i < ETHP2P_TABLE_BUCKETS && !any_live; i++)
            for (size_t k = 0; k < t->buckets[i].n; k++)
                if (entries(t, &t->buckets[i])[k]->validated_live) { any_live = 1; break; }
    size_t n = 0;
    for (int i = 0; i < ETHP2P_TABLE_BUCKETS; i++) {
        for (size_t k = 0; k < t->buckets[i].n; k++) {
            const ethp2p_table_node *tn = entries(t, &t->buckets[i])[k];
            if (any_live && !tn->validated_live) continue;
            /* insertion into the sorted prefix out[0..n) */
            size_t pos = n;
            while (pos > 0 && ethp2p_node_id_distcmp(target, &tn->ident->id, &out[pos - 1].id) < 0) pos--;
            if (pos >= max) continue;
            size_t move = (n < max ? n : max - 1) - pos;
            memmove(&out[pos + 1], &out[pos], move * sizeof(out[0]));
            ethp2p_table_node_enode(tn, &out[pos]);
            if (n < max) n++;
        }
    }
    return n;
}

size_t ethp2p_table_random(ethp2p_table *t, size_t max, ethp2p_enode *out)
{
    ethp2p_table_node *all[ETHP2P_TABLE_BUCKETS * ETHP2P_TABLE_BUCKET_SIZE];
    size_t n = 0;
    for (int i = 0; i < ETHP2P_TABLE_BUCKETS; i++)
        for (size_t k = 0; k < t->buckets[i].n; k++) all[n++] = entries(t, &t->buckets[i])[k];
    size_t take = n < max ? n : max;
    for (size_t i = 0; i < take; i++) { /* partial Fisher-Yates */
        size_t j = i + (size_t)rng_below(t, n - i);
        ethp2p_table_node *tmp = all[i];
        all[i] = all[j];
        all[j] = tmp;
        ethp2p_table_node_enode(all[i], &out[i]);
    }
    return take;
}

size_t ethp2p_table_reval_due(ethp2p_table *t, uint64_t now_ms, ethp2p_enode out[2], uint64_t *next_ms)
{
    size_t k = 0;
    for (int which = 0; which < 2; which++) {
        reval_list *l = &t->lists[which];
        if (l->len == 0 || now_ms < l->next_ms) continue;
        /* A random node not already being checked (a few tries, as the reference). */
        for (size_t tries = 0; tries < l->len * 3; tries++) {
            ethp2p_table_node *n = l->nodes[rng_below(t, l->len)];
            if (!n->reval_active) {
                n->reval_active = 1;
                ethp2p_table_node_enode(n, &out[k++]);
                break;
            }
        }
        l->next_ms = now_ms + rng_below(t, l->interval_ms);
    }
    uint64_t a = t->lists[0].next_ms, b = t->lists[1].next_ms;
    *next_ms = a < b ? a : b;
    return k;
}

int ethp2p_table_reval_done(ethp2p_table *t, const ethp2p_node_id *id, int responded, int endpoint_changed,
                            uint64_t now_ms)
{
    ethp2p_table_node *n = ethp2p_table_get(t, id);
    if (!n) return 0; /* removed while the check ran */
    n->reval_active = 0;
    if (!responded) {
        n->liveness_checks /= ETHP2P_TABLE_LIVENESS_DIVISOR;
        if (n->liveness_checks == 0) {
            (void)ethp2p_table_remove(t, id, now_ms);
            return 1;
        }
        list_move(t, n, 0, now_ms);
        return 0;
    }
    if (n->liveness_checks < UINT16_MAX) n->liveness_checks++;
    n->validated_live = !endpoint_changed;
    /* A moved node is served again only after it answers at its new endpoint. */
    list_move(t, n, endpoint_changed ? 0 : 1, now_ms);
    return 0;
}

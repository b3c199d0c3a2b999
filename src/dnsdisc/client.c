/*
 * The DNS node list client (dnsdisc.md, "Client Protocol"), sans-I/O: it asks
 * its owner to resolve names and walks what comes back.
 *
 * Per list: resolve the root at the domain, check its signature against the
 * URL's key and that its sequence number is not older than one seen; then
 * walk the node subtree (e=) and the link subtree (l=) in random order,
 * checking every entry against the hash that named it. Node records are
 * verified and handed up; links add the lists they name (bounded, each domain
 * once, so link loops end). Branches seen once in a sync are not walked again,
 * so a branch that names itself or an ancestor ends too. The root is resolved
 * again every recheck interval; a new sequence number starts a new walk.
 */
#include "ethp2p/dnsdisc.h"
#include "base/hmap.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_LISTS 32
#define DEFAULT_MAX_ENTRIES 200000
#define DEFAULT_MAX_INFLIGHT 16
#define DEFAULT_RECHECK_MS (30ULL * 60 * 1000)
#define MAX_NAME (ETHP2P_DNS_HASH_TEXT + 32 + ETHP2P_DNS_MAX_DOMAIN)

enum { SUB_NODES = 0, SUB_LINKS = 1 };

typedef struct pending {
    char hash[53];
    int sub;
} pending;

typedef struct dns_list {
    ethp2p_dns_url url;
    int have_root, root_asked;
    ethp2p_dns_root root;
    uint64_t next_check;
    pending *todo;       /* hashes to resolve, walked from the end */
    size_t ntodo, cap;
    hmap seen;           /* entry hashes of this sync */
    size_t inflight, entries;
} dns_list;

typedef struct query {
    char name[MAX_NAME];
    size_t list;
    int sub;             /* -1: the root */
    char hash[53];
} query;

struct ethp2p_dns_client {
    ethp2p_dns_client_config cfg;
    dns_list *lists;
    size_t nlists;
    query *queries;
    size_t nqueries, qcap;
    uint64_t rng;
    ethp2p_dns_client_stats stats;
};

static uint64_t next_rand(ethp2p_dns_client *c)
{
    c->rng ^= c->rng << 13;
    c->rng ^= c->rng >> 7;
    c->rng ^= c->rng << 17;
    return c->rng;
}

static void report(ethp2p_dns_client *c, const char *name, int err, const char *why)
{
    c->stats.errors++;
    if (c->cfg.on_error) c->cfg.on_error(c->cfg.ctx, name, err, why);
}

ethp2p_dns_client *ethp2p_dns_client_new(const ethp2p_dns_client_config *cfg)
{
    ethp2p_dns_client *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->cfg = *cfg;
    if (!c->cfg.max_lists) c->cfg.max_lists = DEFAULT_MAX_LISTS;
    if (!c->cfg.max_entries) c->cfg.max_entries = DEFAULT_MAX_ENTRIES;
    if (!c->cfg.max_inflight) c->cfg.max_inflight = DEFAULT_MAX_INFLIGHT;
    if (!c->cfg.recheck_ms) c->cfg.recheck_ms = DEFAULT_RECHECK_MS;
    c->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ULL;
    c->lists = calloc(c->cfg.max_lists, sizeof(*c->lists));
    if (!c->lists) {
        free(c);
        return NULL;
    }
    return c;
}

void ethp2p_dns_client_free(ethp2p_dns_client *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->nlists; i++) {
        free(c->lists[i].todo);
        hmap_clear(&c->lists[i].seen);
    }
    free(c->lists);
    free(c->queries);
    free(c);
}

static int ask(ethp2p_dns_client *c, size_t li, int sub, const char *hash)
{
    if (c->nqueries == c->qcap) {
        size_t cap = c->qcap ? c->qcap * 2 : 16;
        query *q = realloc(c->queries, cap * sizeof(*q));
        if (!q) return ETHP2P_ENOMEM;
        c->queries = q;
        c->qcap = cap;
    }
    query *q = &c->queries[c->nqueries++];
    dns_list *l = &c->lists[li];
    q->list = li;
    q->sub = sub;
    snprintf(q->hash, sizeof(q->hash), "%s", hash ? hash : "");
    if (hash) snprintf(q->name, sizeof(q->name), "%s.%s", hash, l->url.domain);
    else snprintf(q->name, sizeof(q->name), "%s", l->url.domain);
    if (sub >= 0) l->inflight++;
    c->stats.queries++;
    char name[MAX_NAME];
    memcpy(name, q->name, sizeof(name)); /* the owner may answer at once, moving the array */
    c->cfg.query(c->cfg.ctx, name);
    return 0;
}

/* Queues a hash of subtree sub at a random place, unless seen in this sync. */
static void push(ethp2p_dns_client *c, dns_list *l, const char *hash, size_t len, int sub)
{
    if (len >= sizeof(((pending *)0)->hash)) return;
    uint8_t h[32];
    ethp2p_keccak256(hash, len, h);
    uint64_t key = hmap_key(h);
    if (hmap_get(&l->seen, key)) return;
    if (l->entries >= c->cfg.max_entries) {
        report(c, l->url.domain, ETHP2P_DNS_ELIMIT, "entry limit reached: the rest of the list is skipped");
        return;
    }
    if (hmap_put(&l->seen, key, (void *)1)) return;
    l->entries++;
    if (l->ntodo == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        pending *v = realloc(l->todo, cap * sizeof(*v));
        if (!v) return;
        l->todo = v;
        l->cap = cap;
    }
    size_t at = l->ntodo ? (size_t)(next_rand(c) % (l->ntodo + 1)) : 0;
    l->todo[l->ntodo++] = l->todo[at];
    memcpy(l->todo[at].hash, hash, len);
    l->todo[at].hash[len] = '\0';
    l->todo[at].sub = sub;
}

/* Sends what each list may have under way. */
static void pump(ethp2p_dns_client *c)
{
    for (size_t i = 0; i < c->nlists; i++) {
        dns_list *l = &c->lists[i];
        while (l->have_root && l->ntodo && l->inflight < c->cfg.max_inflight) {
            pending p = l->todo[--l->ntodo];
            if (ask(c, i, p.sub, p.hash)) return;
        }
    }
}

static int add_list(ethp2p_dns_client *c, const ethp2p_dns_url *u, uint64_t now)
{
    for (size_t i = 0; i < c->nlists; i++)
        if (strcmp(c->lists[i].url.domain, u->domain) == 0) return 0; /* each domain once: loops end */
    if (c->nlists == c->cfg.max_lists) return ETHP2P_DNS_ELIMIT;
    dns_list *l = &c->lists[c->nlists++];
    memset(l, 0, sizeof(*l));
    l->url = *u;
    l->next_check = now + c->cfg.recheck_ms;
    l->root_asked = 1;
    c->stats.lists++;
    return ask(c, c->nlists - 1, -1, NULL);
}

int ethp2p_dns_client_add(ethp2p_dns_client *c, const char *url, uint64_t now_ms)
{
    ethp2p_dns_url u;
    int rc = ethp2p_dns_url_parse(url, &u);
    return rc ? rc : add_list(c, &u, now_ms);
}

static void on_root(ethp2p_dns_client *c, size_t li, const char *name, const char *const *txts, const size_t *lens,
                    size_t n)
{
    dns_list *l = &c->lists[li];
    l->root_asked = 0;
    for (size_t i = 0; i < n; i++) {
        ethp2p_dns_root r;
        if (ethp2p_dns_root_parse(txts[i], lens[i], &r)) continue; /* other TXT records may share the name */
        if (ethp2p_dns_root_verify(&r, &l->url.key)) {
            report(c, name, ETHP2P_DNS_ESIG, "root signature is not the list key's");
            return;
        }
        if (l->have_root && r.seq < l->root.seq) {
            report(c, name, ETHP2P_DNS_ESEQ, "root older than one already seen");
            return;
        }
        if (l->have_root && r.seq == l->root.seq && !strcmp(r.eroot, l->root.eroot) && !strcmp(r.lroot, l->root.lroot))
            return; /* unchanged */
        /* A new root: a new walk. */
        l->root = r;
        l->have_root = 1;
        l->ntodo = 0;
        l->entries = 0;
        hmap_clear(&l->seen);
        push(c, l, r.lroot, strlen(r.lroot), SUB_LINKS);
        push(c, l, r.eroot, strlen(r.eroot), SUB_NODES);
        return;
    }
    report(c, name, ETHP2P_DNS_ESYNTAX, "no enrtree-root:v1 record");
}

static void on_entry(ethp2p_dns_client *c, size_t li, int sub, const char *name, const char *hash, const char *txt,
                     size_t len, uint64_t now)
{
    dns_list *l = &c->lists[li];
    int rc = ethp2p_dns_entry_check(hash, txt, len);
    if (rc) {
        report(c, name, rc, rc == ETHP2P_DNS_EHASH ? "entry does not match its hash (tampered?)" : "bad hash name");
        return;
    }
    static const char branch[] = "enrtree-branch:", link[] = "enrtree://", enr[] = "enr:";
    if (len >= sizeof(branch) - 1 && !memcmp(txt, branch, sizeof(branch) - 1)) {
        c->stats.branches++;
        const char *p = txt + sizeof(branch) - 1, *end = txt + len;
        while (p < end) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *e = comma ? comma : end;
            uint8_t tmp[32];
            size_t got;
            if (ethp2p_base32_decode(p, (size_t)(e - p), tmp, sizeof(tmp), &got) || got < ETHP2P_DNS_MIN_HASH_BYTES) {
                report(c, name, ETHP2P_DNS_ESYNTAX, "branch names an invalid hash");
                return;
            }
            push(c, l, p, (size_t)(e - p), sub);
            p = comma ? comma + 1 : end;
        }
        return;
    }
    if (sub == SUB_LINKS && len > sizeof(link) - 1 && !memcmp(txt, link, sizeof(link) - 1)) {
        char url[ETHP2P_DNS_URL_MAX];
        ethp2p_dns_url u;
        if (len >= sizeof(url)) {
            report(c, name, ETHP2P_DNS_ESYNTAX, "link too long");
            return;
        }
        memcpy(url, txt, len);
        url[len] = '\0';
        if (ethp2p_dns_url_parse(url, &u)) {
            report(c, name, ETHP2P_DNS_ESYNTAX, "bad link");
            return;
        }
        c->stats.links++;
        if (add_list(c, &u, now) == ETHP2P_DNS_ELIMIT) report(c, name, ETHP2P_DNS_ELIMIT, "too many lists: link not followed");
        return;
    }
    if (sub == SUB_NODES && len > sizeof(enr) - 1 && !memcmp(txt, enr, sizeof(enr) - 1)) {
        char text[ETHP2P_ENR_TEXT_MAX];
        ethp2p_enr rec;
        if (len >= sizeof(text)) {
            report(c, name, ETHP2P_DNS_ESYNTAX, "record too long");
            return;
        }
        memcpy(text, txt, len);
        text[len] = '\0';
        if (ethp2p_enr_from_text(text, &rec) || ethp2p_enr_verify(&rec))
            {
            report(c, name, ETHP2P_ESIG, "node record does not decode or verify");
            return;
        }
        c->stats.nodes++;
        if (c->cfg.on_node) c->cfg.on_node(c->cfg.ctx, &rec, l->url.domain);
        return;
    }
    report(c, name, ETHP2P_DNS_ESYNTAX, sub == SUB_NODES ? "not a branch or record in the node tree"
                                                          : "not a branch or link in the link tree");
}

void ethp2p_dns_client_answer(ethp2p_dns_client *c, const char *name, const char *const *txts, const size_t *lens,
                              size_t n, int err, uint64_t now_ms)
{
    size_t qi = 0;
    while (qi < c->nqueries && strcmp(c->queries[qi].name, name)) qi++;
    if (qi == c->nqueries) return; /* not asked for */
    query q = c->queries[qi];
    c->queries[qi] = c->queries[--c->nqueries];
    c->stats.answers++;
    dns_list *l = &c->lists[q.list];
    if (q.sub >= 0) l->inflight--;
    if (err) {
        if (q.sub < 0) l->root_asked = 0;
        report(c, name, err, "lookup failed");
    } else if (q.sub < 0) {
        on_root(c, q.list, name, txts, lens, n);
    } else {
        /* An entry name holds one entry: the first record whose text matches the hash. */
        size_t pick = 0;
        while (pick < n && ethp2p_dns_entry_check(q.hash, txts[pick], lens[pick])) pick++;
        if (n == 0) report(c, name, ETHP2P_DNS_ESYNTAX, "no TXT record");
        else on_entry(c, q.list, q.sub, name, q.hash, txts[pick < n ? pick : 0], lens[pick < n ? pick : 0], now_ms);
    }
    if (l->have_root && !l->ntodo && !l->inflight) c->stats.syncs_done++;
    pump(c);
}

uint64_t ethp2p_dns_client_tick(ethp2p_dns_client *c, uint64_t now_ms)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < c->nlists; i++) {
        dns_list *l = &c->lists[i];
        if (now_ms >= l->next_check && !l->root_asked) {
            l->next_check = now_ms + c->cfg.recheck_ms;
            l->root_asked = 1;
            (void)ask(c, i, -1, NULL);
        }
        if (l->next_check < next) next = l->next_check;
    }
    pump(c);
    return next;
}

int ethp2p_dns_client_idle(const ethp2p_dns_client *c)
{
    if (c->nqueries) return 0;
    for (size_t i = 0; i < c->nlists; i++)
        if (c->lists[i].ntodo || c->lists[i].inflight) return 0;
    return 1;
}

const ethp2p_dns_client_stats *ethp2p_dns_client_get_stats(const ethp2p_dns_client *c) { return &c->stats; }

/*
 * DNS node lists: entry names, the root entry and its signature, list URLs,
 * and building a tree as the reference builds it (dnsdisc.md; EIP-1459), so
 * that lists built by either tool from the same nodes are the same records.
 */
#include "ethp2p/dnsdisc.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_PREFIX "enrtree-root:v1"
#define LINK_PREFIX "enrtree://"
#define BRANCH_PREFIX "enrtree-branch:"

const char *ethp2p_dns_error_name(int err)
{
    switch (err) {
    case ETHP2P_DNS_EHASH: return "entry does not match its hash";
    case ETHP2P_DNS_ESIG: return "root signature is not the list key's";
    case ETHP2P_DNS_ESYNTAX: return "not a valid entry here";
    case ETHP2P_DNS_ESEQ: return "root older than one already seen";
    case ETHP2P_DNS_ELIMIT: return "too many entries or lists";
    default: return ethp2p_strerror(err);
    }
}

int ethp2p_dns_url_parse(const char *text, ethp2p_dns_url *out)
{
    size_t pl = strlen(LINK_PREFIX);
    if (strncmp(text, LINK_PREFIX, pl) != 0) return ETHP2P_EFORMAT;
    const char *key = text + pl, *at = strchr(key, '@');
    if (!at || !at[1] || strlen(at + 1) >= sizeof(out->domain)) return ETHP2P_EFORMAT;
    uint8_t comp[40];
    size_t got;
    if (ethp2p_base32_decode(key, (size_t)(at - key), comp, sizeof(comp), &got) || got != 33) return ETHP2P_EFORMAT;
    if (ethp2p_pubkey_decompress(comp, &out->key)) return ETHP2P_EKEY;
    for (const char *p = at + 1; *p; p++)
        if (*p <= ' ' || *p == '/' || *p == '@' || (unsigned char)*p >= 0x7f) return ETHP2P_EFORMAT;
    snprintf(out->domain, sizeof(out->domain), "%s", at + 1);
    return 0;
}

int ethp2p_dns_url_format(const ethp2p_dns_url *url, char *out, size_t cap)
{
    uint8_t comp[33];
    char b32[56];
    if (ethp2p_pubkey_compress(&url->key, comp)) return ETHP2P_EKEY;
    ethp2p_base32_encode(comp, sizeof(comp), b32);
    int n = snprintf(out, cap, LINK_PREFIX "%s@%s", b32, url->domain);
    return n < 0 || (size_t)n >= cap ? ETHP2P_ENOSPACE : 0;
}

void ethp2p_dns_entry_hash(const char *text, size_t len, char out[ETHP2P_DNS_HASH_TEXT])
{
    uint8_t h[32];
    ethp2p_keccak256(text, len, h);
    ethp2p_base32_encode(h, ETHP2P_DNS_HASH_BYTES, out);
}

/* A hash name: base32 of 12..32 bytes (the reference's isValidHash). */
static int decode_hash(const char *s, size_t len, uint8_t out[32], size_t *got)
{
    if (ethp2p_base32_decode(s, len, out, 32, got) || *got < ETHP2P_DNS_MIN_HASH_BYTES) return ETHP2P_DNS_ESYNTAX;
    return 0;
}

int ethp2p_dns_entry_check(const char *hash, const char *text, size_t len)
{
    uint8_t want[32], h[32];
    size_t got;
    if (decode_hash(hash, strlen(hash), want, &got)) return ETHP2P_DNS_ESYNTAX;
    ethp2p_keccak256(text, len, h);
    return memcmp(h, want, got) ? ETHP2P_DNS_EHASH : 0;
}

/* Copies the value of "key=" at *p up to the next space into out (cap bytes); advances *p. */
static int field(const char **p, const char *end, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    if ((size_t)(end - *p) < kl || memcmp(*p, key, kl)) return -1;
    const char *v = *p + kl, *e = v;
    while (e < end && *e != ' ') e++;
    if (e == v || (size_t)(e - v) >= cap) return -1;
    memcpy(out, v, (size_t)(e - v));
    out[e - v] = '\0';
    *p = e < end ? e + 1 : e;
    return 0;
}

int ethp2p_dns_root_parse(const char *text, size_t len, ethp2p_dns_root *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = text, *end = text + len;
    size_t pl = strlen(ROOT_PREFIX " ");
    char seq[24], sig[100];
    if (len < pl || memcmp(p, ROOT_PREFIX " ", pl)) return ETHP2P_DNS_ESYNTAX;
    p += pl;
    if (field(&p, end, "e=", out->eroot, sizeof(out->eroot)) || field(&p, end, "l=", out->lroot, sizeof(out->lroot)) ||
        field(&p, end, "seq=", seq, sizeof(seq)) || field(&p, end, "sig=", sig, sizeof(sig)) || p != end)
        return ETHP2P_DNS_ESYNTAX;
    uint8_t tmp[32];
    size_t got;
    if (decode_hash(out->eroot, strlen(out->eroot), tmp, &got) || decode_hash(out->lroot, strlen(out->lroot), tmp, &got))
        return ETHP2P_DNS_ESYNTAX;
    char *ep;
    if (seq[0] < '0' || seq[0] > '9') return ETHP2P_DNS_ESYNTAX;
    out->seq = strtoull(seq, &ep, 10);
    if (*ep) return ETHP2P_DNS_ESYNTAX;
    if (ethp2p_base64url_decode(sig, strlen(sig), out->sig, sizeof(out->sig), &got) || got != 65) return ETHP2P_DNS_ESYNTAX;
    return 0;
}

int ethp2p_dns_root_format(const ethp2p_dns_root *r, int with_sig, char *out, size_t cap)
{
    char sig[90] = "";
    if (with_sig) ethp2p_base64url_encode(r->sig, sizeof(r->sig), sig);
    int n = snprintf(out, cap, ROOT_PREFIX " e=%s l=%s seq=%llu%s%s", r->eroot, r->lroot, (unsigned long long)r->seq,
                     with_sig ? " sig=" : "", sig);
    return n < 0 || (size_t)n >= cap ? ETHP2P_ENOSPACE : 0;
}

static int root_hash(const ethp2p_dns_root *r, uint8_t h[32])
{
    char text[300];
    int rc = ethp2p_dns_root_format(r, 0, text, sizeof(text));
    if (!rc) ethp2p_keccak256(text, strlen(text), h);
    return rc;
}

int ethp2p_dns_root_verify(const ethp2p_dns_root *r, const ethp2p_pubkey *key)
{
    uint8_t h[32];
    if (root_hash(r, h)) return ETHP2P_DNS_ESIG;
    /* The recovery byte is not needed: the key is known (the reference drops it too). */
    return ethp2p_verify_compact(key, h, r->sig) ? ETHP2P_DNS_ESIG : 0;
}

/* ---- building ---- */

typedef struct tree_entry {
    char hash[ETHP2P_DNS_HASH_TEXT];
    char *text;
} tree_entry;

struct ethp2p_dns_tree {
    ethp2p_dns_root root;
    tree_entry *entries;
    size_t n, cap;
};

/* Adds an entry (text is taken over); its hash goes to hash_out. */
static int add_entry(ethp2p_dns_tree *t, char *text, char hash_out[ETHP2P_DNS_HASH_TEXT])
{
    if (!text) return ETHP2P_ENOMEM;
    ethp2p_dns_entry_hash(text, strlen(text), hash_out);
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tree_entry *v = realloc(t->entries, cap * sizeof(*v));
        if (!v) {
            free(text);
            return ETHP2P_ENOMEM;
        }
        t->entries = v;
        t->cap = cap;
    }
    memcpy(t->entries[t->n].hash, hash_out, ETHP2P_DNS_HASH_TEXT);
    t->entries[t->n++].text = text;
    return 0;
}

/* Builds the subtree over leaves[0..n) (their texts already entries, hashes given) as the
 * reference: one leaf is itself; up to 18 make one branch; more are cut into runs of 18
 * whose subtrees are built the same way. The subtree's top hash goes to top. */
static int build(ethp2p_dns_tree *t, char (*hashes)[ETHP2P_DNS_HASH_TEXT], size_t n, char top[ETHP2P_DNS_HASH_TEXT])
{
    if (n == 1) {
        memcpy(top, hashes[0], ETHP2P_DNS_HASH_TEXT);
        return 0;
    }
    if (n <= ETHP2P_DNS_MAX_CHILDREN) {
        size_t len = strlen(BRANCH_PREFIX) + n * ETHP2P_DNS_HASH_TEXT + 1;
        char *text = malloc(len);
        if (!text) return ETHP2P_ENOMEM;
        strcpy(text, BRANCH_PREFIX);
        for (size_t i = 0; i < n; i++) {
            if (i) strcat(text, ",");
            strcat(text, hashes[i]);
        }
        return add_entry(t, text, top);
    }
    size_t nsub = (n + ETHP2P_DNS_MAX_CHILDREN - 1) / ETHP2P_DNS_MAX_CHILDREN;
    char(*subs)[ETHP2P_DNS_HASH_TEXT] = calloc(nsub, ETHP2P_DNS_HASH_TEXT);
    if (!subs) return ETHP2P_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < nsub && !rc; i++) {
        size_t k = n - i * ETHP2P_DNS_MAX_CHILDREN;
        rc = build(t, hashes + i * ETHP2P_DNS_MAX_CHILDREN, k < ETHP2P_DNS_MAX_CHILDREN ? k : ETHP2P_DNS_MAX_CHILDREN, subs[i]);
    }
    if (!rc) rc = build(t, subs, nsub, top);
    free(subs);
    return rc;
}

typedef struct sorted_rec {
    ethp2p_node_id id;
    const ethp2p_enr *rec;
} sorted_rec;

static int by_id(const void *a, const void *b)
{
    return memcmp(((const sorted_rec *)a)->id.b, ((const sorted_rec *)b)->id.b, 32);
}

/* The leaves of one subtree: entries added, their hashes in order; then the subtree. */
static int subtree(ethp2p_dns_tree *t, char **texts, size_t n, char top[ETHP2P_DNS_HASH_TEXT])
{
    if (n == 0) { /* an empty subtree is an empty branch, as the reference writes it */
        char *text = strdup(BRANCH_PREFIX);
        return add_entry(t, text, top);
    }
    char(*hashes)[ETHP2P_DNS_HASH_TEXT] = calloc(n, ETHP2P_DNS_HASH_TEXT);
    if (!hashes) return ETHP2P_ENOMEM;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = add_entry(t, texts[i], hashes[i]);
        texts[i] = NULL;
    }
    if (!rc) rc = build(t, hashes, n, top);
    free(hashes);
    return rc;
}

int ethp2p_dns_tree_make(uint64_t seq, const ethp2p_enr *records, size_t n, const char *const *links, size_t nlinks,
                         ethp2p_dns_tree **out)
{
    *out = NULL;
    ethp2p_dns_tree *t = calloc(1, sizeof(*t));
    sorted_rec *sorted = calloc(n + 1, sizeof(*sorted));
    char **texts = calloc(n + nlinks + 1, sizeof(*texts));
    int rc = t && sorted && texts ? 0 : ETHP2P_ENOMEM;
    for (size_t i = 0; i < n && !rc; i++) {
        if (ethp2p_enr_verify(&records[i]) || ethp2p_enr_node_id(&records[i], &sorted[i].id)) rc = ETHP2P_ESIG;
        sorted[i].rec = &records[i];
    }
    if (!rc) qsort(sorted, n, sizeof(*sorted), by_id);
    for (size_t i = 0; i < n && !rc; i++) {
        char text[ETHP2P_ENR_TEXT_MAX];
        if ((rc = ethp2p_enr_to_text(sorted[i].rec, text, sizeof(text)))) break;
        if (!(texts[i] = strdup(text))) rc = ETHP2P_ENOMEM;
    }
    if (!rc) rc = subtree(t, texts, n, t->root.eroot);
    for (size_t i = 0; i < nlinks && !rc; i++) {
        ethp2p_dns_url u;
        if ((rc = ethp2p_dns_url_parse(links[i], &u))) break;
        char text[ETHP2P_DNS_URL_MAX];
        if (!(rc = ethp2p_dns_url_format(&u, text, sizeof(text))) && !(texts[n + i] = strdup(text))) rc = ETHP2P_ENOMEM;
    }
    if (!rc) rc = subtree(t, texts + n, nlinks, t->root.lroot);
    if (texts)
        for (size_t i = 0; i < n + nlinks; i++) free(texts[i]);
    free(texts);
    free(sorted);
    if (t) t->root.seq = seq;
    if (rc) ethp2p_dns_tree_free(t);
    else *out = t;
    return rc;
}

void ethp2p_dns_tree_free(ethp2p_dns_tree *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++) free(t->entries[i].text);
    free(t->entries);
    free(t);
}

int ethp2p_dns_tree_sign(ethp2p_dns_tree *t, const ethp2p_privkey *key)
{
    uint8_t h[32];
    int rc = root_hash(&t->root, h);
    return rc ? rc : ethp2p_sign_recoverable(key, h, t->root.sig);
}

int ethp2p_dns_tree_set_signature(ethp2p_dns_tree *t, const ethp2p_pubkey *key, const char *sig)
{
    ethp2p_dns_root r = t->root;
    size_t got;
    if (ethp2p_base64url_decode(sig, strlen(sig), r.sig, sizeof(r.sig), &got) || got != 65) return ETHP2P_DNS_ESIG;
    if (ethp2p_dns_root_verify(&r, key)) return ETHP2P_DNS_ESIG;
    t->root = r;
    return 0;
}

const ethp2p_dns_root *ethp2p_dns_tree_root(const ethp2p_dns_tree *t) { return &t->root; }
size_t ethp2p_dns_tree_count(const ethp2p_dns_tree *t) { return t->n; }

const char *ethp2p_dns_tree_entry(const ethp2p_dns_tree *t, size_t i, const char **hash)
{
    if (i >= t->n) return NULL;
    if (hash) *hash = t->entries[i].hash;
    return t->entries[i].text;
}

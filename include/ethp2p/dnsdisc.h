/*
 * ethp2p/dnsdisc.h - DNS node lists (EIP-1459; devp2p dnsdisc.md): signed
 * Merkle trees of node records published as DNS TXT records.
 *
 * Entries: the root "enrtree-root:v1 e=<hash> l=<hash> seq=<n> sig=<b64>" at
 * the list's domain; under it, at <hash>.<domain>, "enrtree-branch:<h>,<h>,…",
 * "enr:<record>" (only below e=) and "enrtree://<key>@<domain>" links to other
 * lists (only below l=). A hash is the base32 of the first 16 bytes of the
 * keccak256 of the entry's text; the root is signed (65-byte secp256k1 over
 * the keccak256 of its text before " sig=") by the key in the list's URL,
 * enrtree://<base32 compressed key>@<domain>.
 *
 * The publisher side builds trees the way the reference does (records sorted
 * by node ID, at most 18 hashes a branch), so a tree built here and one built
 * by `devp2p dns sign` from the same nodes are the same records. The client
 * side (ethp2p_dns_client) is sans-I/O: it asks its owner to resolve names and
 * is handed the TXT strings back.
 */
#ifndef ETHP2P_DNSDISC_H
#define ETHP2P_DNSDISC_H

#include "ethp2p/enr.h"
#include "ethp2p/key.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_DNS_HASH_BYTES = 16,    /* entry hashes: the first 16 bytes of keccak256 */
    ETHP2P_DNS_HASH_TEXT = 27,     /* their base32 (26 characters) and a NUL */
    ETHP2P_DNS_MIN_HASH_BYTES = 12,/* shorter hashes are refused, as the reference does */
    ETHP2P_DNS_MAX_CHILDREN = 18,  /* hashes per branch: the reference's 300 / 16 */
    ETHP2P_DNS_MAX_DOMAIN = 254,   /* with the NUL */
    ETHP2P_DNS_MAX_ENTRY = 1024,   /* longer TXT content is not an entry */
    ETHP2P_DNS_URL_MAX = 10 + 53 + 1 + ETHP2P_DNS_MAX_DOMAIN,
};

/* Errors of this module (see also ethp2p_strerror's). */
enum {
    ETHP2P_DNS_EHASH = -230,    /* an entry's text does not hash to its name */
    ETHP2P_DNS_ESIG = -231,     /* the root's signature is not the list key's */
    ETHP2P_DNS_ESYNTAX = -232,  /* not a valid entry of the expected kind */
    ETHP2P_DNS_ESEQ = -233,     /* a root older than one already seen */
    ETHP2P_DNS_ELIMIT = -234,   /* too many entries or lists */
};
/** A sentence for one of the errors above (or ethp2p_strerror's). */
const char *ethp2p_dns_error_name(int err);

/** A list's address: the domain and the public key that signs it. */
typedef struct ethp2p_dns_url {
    char domain[ETHP2P_DNS_MAX_DOMAIN];
    ethp2p_pubkey key;
} ethp2p_dns_url;

/** Parses "enrtree://<base32 key>@<domain>". 0, ETHP2P_EFORMAT or ETHP2P_EKEY. */
ETHP2P_WARN_UNUSED int ethp2p_dns_url_parse(const char *text, ethp2p_dns_url *out);
/** Writes the URL (ETHP2P_DNS_URL_MAX bytes suffice). */
ETHP2P_WARN_UNUSED int ethp2p_dns_url_format(const ethp2p_dns_url *url, char *out, size_t cap);

/** The subdomain name of an entry: base32 of keccak256(text)[0:16]. */
void ethp2p_dns_entry_hash(const char *text, size_t len, char out[ETHP2P_DNS_HASH_TEXT]);
/**
 * Whether text is the entry named hash: the name decodes to 12..32 bytes that
 * begin keccak256(text). 0, ETHP2P_DNS_ESYNTAX (not a hash) or ETHP2P_DNS_EHASH.
 */
ETHP2P_WARN_UNUSED int ethp2p_dns_entry_check(const char *hash, const char *text, size_t len);

typedef struct ethp2p_dns_root {
    char eroot[53], lroot[53];  /* base32 hashes of the node and link subtrees */
    uint64_t seq;
    uint8_t sig[65];
} ethp2p_dns_root;

/** Parses a root entry (the signature is decoded, not checked). 0 or ETHP2P_DNS_ESYNTAX. */
ETHP2P_WARN_UNUSED int ethp2p_dns_root_parse(const char *text, size_t len, ethp2p_dns_root *out);
/** Writes the root's text, with " sig=…" if with_sig. ETHP2P_ENOSPACE if cap is short (300 suffice). */
ETHP2P_WARN_UNUSED int ethp2p_dns_root_format(const ethp2p_dns_root *r, int with_sig, char *out, size_t cap);
/** Checks the root's signature against the list key. 0 or ETHP2P_DNS_ESIG. */
ETHP2P_WARN_UNUSED int ethp2p_dns_root_verify(const ethp2p_dns_root *r, const ethp2p_pubkey *key);

/* ---- the publisher: building and signing a tree ---- */

typedef struct ethp2p_dns_tree ethp2p_dns_tree;

/**
 * Builds a tree of these signed records and links (enrtree:// URLs) with
 * sequence number seq, as the reference does: records sorted by node ID,
 * branches of at most 18 hashes. Unsigned until ethp2p_dns_tree_sign or
 * ethp2p_dns_tree_set_signature. 0, ETHP2P_ESIG (an unsigned or badly signed
 * record), ETHP2P_EFORMAT (a bad link) or ETHP2P_ENOMEM.
 */
ETHP2P_WARN_UNUSED int ethp2p_dns_tree_make(uint64_t seq, const ethp2p_enr *records, size_t n,
                                            const char *const *links, size_t nlinks, ethp2p_dns_tree **out);
void ethp2p_dns_tree_free(ethp2p_dns_tree *t);
/** Signs the root with key. */
ETHP2P_WARN_UNUSED int ethp2p_dns_tree_sign(ethp2p_dns_tree *t, const ethp2p_privkey *key);
/** Sets a signature made earlier (base64url), if it is key's over this root: 0 or ETHP2P_DNS_ESIG. */
ETHP2P_WARN_UNUSED int ethp2p_dns_tree_set_signature(ethp2p_dns_tree *t, const ethp2p_pubkey *key, const char *sig);
const ethp2p_dns_root *ethp2p_dns_tree_root(const ethp2p_dns_tree *t);
/** The tree's entries other than the root: count, and entry i's text (and its name in *hash). */
size_t ethp2p_dns_tree_count(const ethp2p_dns_tree *t);
const char *ethp2p_dns_tree_entry(const ethp2p_dns_tree *t, size_t i, const char **hash);

/* ---- the client: walking lists (sans-I/O) ---- */

typedef struct ethp2p_dns_client ethp2p_dns_client;

typedef struct ethp2p_dns_client_config {
    void *ctx;
    /* Resolve the TXT records of name; answer with ethp2p_dns_client_answer (now or later). */
    void (*query)(void *ctx, const char *name);
    /* A verified node record found in the list at domain. */
    void (*on_node)(void *ctx, const ethp2p_enr *rec, const char *domain);
    /* Something in a list was refused (name, and why); the walk goes on without it. */
    void (*on_error)(void *ctx, const char *name, int err, const char *why);
    size_t max_lists;        /* lists followed, links included (0: 32) */
    size_t max_entries;      /* entries taken from one list per sync (0: 200,000) */
    size_t max_inflight;     /* queries under way per list (0: 16) */
    uint64_t recheck_ms;     /* how often a root is resolved again (0: 30 min, the reference's) */
    uint64_t seed;           /* the random walk's order */
} ethp2p_dns_client_config;

typedef struct ethp2p_dns_client_stats {
    uint64_t queries, answers, nodes, branches, links, lists, errors, syncs_done;
} ethp2p_dns_client_stats;

ethp2p_dns_client *ethp2p_dns_client_new(const ethp2p_dns_client_config *cfg);
void ethp2p_dns_client_free(ethp2p_dns_client *c);
/** Follows the list at url (enrtree://…): its root is asked for at once. 0, ETHP2P_EFORMAT, ETHP2P_DNS_ELIMIT. */
ETHP2P_WARN_UNUSED int ethp2p_dns_client_add(ethp2p_dns_client *c, const char *url, uint64_t now_ms);
/**
 * The TXT records of name, as strings (the strings of one record joined), or
 * err != 0 when the lookup failed. Unknown names are ignored.
 */
void ethp2p_dns_client_answer(ethp2p_dns_client *c, const char *name, const char *const *txts, const size_t *lens,
                              size_t n, int err, uint64_t now_ms);
/** Timers (root rechecks); returns the next deadline. */
uint64_t ethp2p_dns_client_tick(ethp2p_dns_client *c, uint64_t now_ms);
/** Whether every list is fully walked at its current root, with nothing under way. */
int ethp2p_dns_client_idle(const ethp2p_dns_client *c);
const ethp2p_dns_client_stats *ethp2p_dns_client_get_stats(const ethp2p_dns_client *c);

#ifdef __cplusplus
}
#endif
#endif

/* Internal state of the discv4 core, shared by discv4.c, discv4_bonds.c and discv4_lookup.c. */
#ifndef ETHP2P_DISCV4_INTERNAL_H
#define ETHP2P_DISCV4_INTERNAL_H

#include "ethp2p/discv4.h"

/* ---- bond store: endpoint proofs and FindNode failures per (node ID, IP) ---- */

/*
 * 16 bytes an entry, as a simulation of 100,000 nodes holds hundreds each. The
 * key is a 56-bit SipHash-2-4 of (node ID, IP) under a secret per-node key:
 * nobody outside can aim a collision, and an accidental one among n entries
 * has odds of n^2 / 2^57. Each (ID, IP) has its own entry, as the reference
 * keys its node DB, so an ID seen at a new address starts with no proof and
 * the old address's entry ages out. Times are whole seconds, as the reference
 * stores them.
 */
typedef struct bond_entry {
    uint64_t key;           /* hash << 8 | FindNode failures (saturating at 255); 0: empty slot */
    uint32_t last_ping_s;   /* they pinged us (so they hold a proof of us after our Pong); 0: never */
    uint32_t last_pong_s;   /* they answered our Ping (our proof of them); 0: never */
} bond_entry;

/** FindNode requests the node failed in a row. */
static inline unsigned bond_fails(const bond_entry *e) { return (unsigned)(e->key & 0xff); }
/** Sets the failure count (saturating at 255). */
static inline void bond_set_fails(bond_entry *e, unsigned n)
{
    e->key = (e->key & ~(uint64_t)0xff) | (n > 255 ? 255 : n);
}

/** A bond time (ms since the epoch) as stored: whole seconds; 0 stays "never" and any other time is at least 1. */
static inline uint32_t bond_secs(uint64_t ms)
{
    return !ms ? 0 : ms < 1000 ? 1 : ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}
/** A stored bond time in ms (0: never). */
static inline uint64_t bond_ms(uint32_t s) { return (uint64_t)s * 1000; }
/** Age of a stored bond time at now_ms (UINT64_MAX: never). */
static inline uint64_t bond_age(uint32_t s, uint64_t now_ms)
{
    return !s ? UINT64_MAX : now_ms > bond_ms(s) ? now_ms - bond_ms(s) : 0;
}

typedef struct bond_store {
    bond_entry *slots;
    size_t cap, count;
    uint8_t key[16];        /* SipHash key: secret, from the core's seeded randomness */
} bond_store;

/** Sets the store's hash key (before the first entry). */
void bonds_init(bond_store *s, const uint8_t key[16]);
void bonds_clear(bond_store *s);
/** The key of (id, ip) with no failures counted (a SipHash, never 0): compute it once per lookup. */
uint64_t bonds_key(const bond_store *s, const ethp2p_node_id *id, const ethp2p_ip *ip);
/** The entry for a key from bonds_key: NULL if absent and !create. */
bond_entry *bonds_find(bond_store *s, uint64_t key, int create);
/** bonds_find(s, bonds_key(s, id, ip), create). A known ID at a new IP gets an entry of its own. */
bond_entry *bonds_get(bond_store *s, const ethp2p_node_id *id, const ethp2p_ip *ip, int create);
/** Drops entries with no activity since `cutoff`. */
void bonds_expire(bond_store *s, uint64_t cutoff);

/* ---- requests awaiting a reply ---- */

typedef struct pending pending;
typedef void (*pending_done_fn)(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply,
                                uint64_t now);

struct pending {
    pending *next;
    ethp2p_enode node;           /* who we asked (ID, key, IP, ports) */
    uint8_t reply_type;
    uint8_t hash[32];            /* of our request: echoed by Pong and ENRResponse */
    uint64_t deadline;
    pending_done_fn done;
    void *arg, *arg2;            /* owner's context */
    /* Neighbours collected for a FindNode (up to one bucket). */
    ethp2p_enode nodes[ETHP2P_TABLE_BUCKET_SIZE];
    size_t nnodes, nreceived;
    uint8_t detached;            /* already off the list (tick() expiring it) */
};

/* A FindNode or ENRRequest that may first need an endpoint proof. */
typedef struct query query;
typedef void (*query_done_fn)(ethp2p_discv4 *d, query *q, int err, const ethp2p_enode *nodes, size_t n,
                              const ethp2p_enr *record, uint64_t now);
struct query {
    query *next;
    uint8_t type;                /* ETHP2P_V4_FINDNODE or ETHP2P_V4_ENRREQUEST */
    ethp2p_enode node;
    ethp2p_pubkey target;
    uint64_t wake_at;            /* send when due (after bonding); UINT64_MAX while bonding */
    query_done_fn done;
    void *arg, *arg2;
    int endpoint_changed;        /* an ENRResponse moved the node in our table */
};

typedef struct lookup lookup;

struct ethp2p_discv4 {
    ethp2p_discv4_config cfg;
    ethp2p_enode self;
    /* Our signed record, kept encoded (a decoded ethp2p_enr is 2 KiB, per simulated node):
     * decoded for each ENRResponse, and into record_view when the API asks for it. */
    uint8_t record_rlp[ETHP2P_ENR_MAX_SIZE];
    size_t record_len;
    uint64_t record_seq;
    ethp2p_enr *record_view;
    ethp2p_table *table;
    bond_store bonds;
    pending *pending;
    size_t npending;             /* bounded by MAX_PENDING */
    query *sleeping;             /* queries waiting for a bond or its grace period */
    lookup *lookups;
    ethp2p_discv4_stats stats;
    uint64_t rng;
    uint64_t refresh_at, last_refresh, reval_at, bonds_expire_at, last_clock_check;
    int refresh_stage;           /* 0 idle, 1 self lookup running, 2..4 random lookups */
    /* Random walk for dialers. */
    ethp2p_enode *walk;
    size_t walk_head, walk_len, walk_cap;
    int walk_lookup_running;
    int closing;
    struct ethp2p_iptrack *iptrack; /* with cfg.track_endpoint */
};

uint64_t discv4_rand(ethp2p_discv4 *d);
/** Decodes our signed record into out (0, or an error if it could not be: never expected). */
int discv4_local_record(const ethp2p_discv4 *d, ethp2p_enr *out);
/** Sends a signed packet; 0 or an error. hash (may be NULL) receives its hash. */
int discv4_send(ethp2p_discv4 *d, const ethp2p_udp_addr *to, ethp2p_v4_packet *p, uint64_t now, uint8_t hash[32]);
/** Starts a FindNode (bonding first when needed); done is always called once. */
int discv4_query(ethp2p_discv4 *d, uint8_t type, const ethp2p_enode *n, const ethp2p_pubkey *target, uint64_t now,
                 query_done_fn done, void *arg, void *arg2);
/** Checks a node learned from `sender_ip` (Neighbours): NULL if usable, else the reason. */
const char *discv4_check_relayed(const ethp2p_discv4 *d, const ethp2p_ip *sender_ip, const ethp2p_enode *n);
/** True if ip passes the netrestrict list (or there is none). */
int discv4_netrestrict_allows(const ethp2p_discv4 *d, const ethp2p_ip *ip);

/* shared by discv4.c and discv4_serve.c */
/** The bond entry for (id, ip), falling back to the node DB on a miss. */
bond_entry *discv4_bond(ethp2p_discv4 *d, const ethp2p_node_id *id, const ethp2p_ip *ip, int create);
/** Writes the bond entry of node `id` at `ip` through to the node DB (if any). */
void discv4_bond_persist(ethp2p_discv4 *d, const ethp2p_node_id *id, const ethp2p_ip *ip, const bond_entry *b);
/** A Pong from `from` said it sees us at `to`: feeds the endpoint prediction. */
void discv4_endpoint_statement(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_endpoint *to, uint64_t now);
void discv4_log_drop(const ethp2p_udp_addr *from, const char *type, const char *reason);
void discv4_fmt_addr(const ethp2p_udp_addr *a, char *out, size_t cap);
void discv4_fmt_id(const ethp2p_node_id *id, char *out);
void discv4_addr_of(const ethp2p_enode *n, ethp2p_udp_addr *a);
void discv4_our_endpoint(const ethp2p_discv4 *d, ethp2p_v4_endpoint *ep);
int discv4_send_ping(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now, pending_done_fn done, void *arg,
                     void *arg2);
void discv4_note_pong(ethp2p_discv4 *d, const ethp2p_enode *n, uint64_t now);
int discv4_match_reply(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_meta *meta,
                       const ethp2p_v4_packet *pkt, uint64_t now);
void discv4_pending_finish(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now);
void discv4_query_send(ethp2p_discv4 *d, query *q, uint64_t now);

/* lookups (discv4_lookup.c) */
/** Ends every lookup (closing): each user callback runs once with what it has. */
void lookups_free(ethp2p_discv4 *d);
int discv4_start_lookup(ethp2p_discv4 *d, const ethp2p_pubkey *target, uint64_t now, ethp2p_discv4_lookup_cb cb,
                        void *arg, int internal);
void discv4_refresh(ethp2p_discv4 *d, uint64_t now);
/** When the next refresh is due after one starts: 15 to 30 minutes, at random (the reference's). */
uint64_t discv4_next_refresh_delay(ethp2p_discv4 *d);

#endif

/*
 * ethp2p/table.h - the Kademlia routing table of discv4 (go-ethereum
 * p2p/discover/table.go and table_reval.go are the reference).
 *
 * 17 buckets by log distance to the local node: bucket 0 holds every distance
 * up to 240, buckets 1..16 hold 241..256. Each bucket keeps 16 entries and a
 * replacement list of 10. A node arriving at a full bucket goes to the
 * replacements; nobody is pinged for it. IP limits: at most 2 nodes of one /24
 * per bucket and 10 per table (entries and replacements count; LAN and
 * loopback addresses are exempt).
 *
 * Liveness is checked by revalidation: new nodes sit in a "fast" list (a
 * random one pinged every ~3 s), nodes that answered move to a "slow" list
 * (~9 s). A failed check divides the node's liveness count by 3; at 0 the node
 * is removed and a random replacement takes its place.
 *
 * The table is pure: no I/O, times are passed in (milliseconds, any epoch),
 * randomness comes from a seeded generator so simulations replay exactly.
 */
#ifndef ETHP2P_TABLE_H
#define ETHP2P_TABLE_H

#include "ethp2p/enode.h"
#include "ethp2p/idpool.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_TABLE_BUCKETS = 17,
    ETHP2P_TABLE_BUCKET_SIZE = 16,      /* Kademlia k */
    ETHP2P_TABLE_REPLACEMENTS = 10,
    ETHP2P_TABLE_FIRST_DISTANCE = 241,  /* bucket 1; bucket 0 holds everything closer */
    ETHP2P_TABLE_BUCKET_IP_LIMIT = 2,
    ETHP2P_TABLE_IP_LIMIT = 10,
    ETHP2P_TABLE_IP_SUBNET_BITS = 24,
    ETHP2P_TABLE_REVAL_FAST_MS = 3000,  /* fast list: new or changed nodes */
    ETHP2P_TABLE_REVAL_SLOW_MS = 9000,  /* slow list: nodes that answered */
    ETHP2P_TABLE_LIVENESS_DIVISOR = 3,  /* a failed check divides the liveness count */
};

/** How a node reached us, which decides what the table trusts. */
enum ethp2p_table_source {
    ETHP2P_TABLE_FOUND = 0,   /* named by a third party (Neighbours, DB seed, bootnode) */
    ETHP2P_TABLE_LIVE = 1,    /* answered us just now (a FindNode, a Pong) */
    ETHP2P_TABLE_INBOUND = 2, /* pinged us from this endpoint and bonded */
};

/** Result of ethp2p_table_add. */
enum ethp2p_table_add_result {
    ETHP2P_TABLE_ADDED = 0,
    ETHP2P_TABLE_UPDATED = 1,      /* already present (endpoint refreshed if inbound) */
    ETHP2P_TABLE_REPLACEMENT = 2,  /* bucket full: kept as a replacement */
    ETHP2P_TABLE_IP_LIMITED = 3,   /* refused by the /24 limits */
    ETHP2P_TABLE_SELF = 4,         /* our own ID */
};

/* 40 bytes (a 48-byte allocation): a simulation of 100,000 nodes holds 24 million. */
typedef struct ethp2p_table_node {
    const ethp2p_ident *ident;   /* public key and ID, shared through the table's pool */
    uint64_t seq;                /* newest ENR sequence number known (0: none) */
    ethp2p_ip ip;                /* family 0: no address */
    uint8_t validated_live : 1;  /* answered a check since it last changed */
    uint8_t reval_list : 1;      /* 0 fast, 1 slow */
    uint8_t reval_active : 1;    /* a check is under way */
    uint8_t in_bucket : 1;       /* 1 entry, 0 replacement */
    uint16_t tcp, udp;
    uint16_t liveness_checks;    /* saturates at 65,535 (only "more than 5" and division matter) */
} ethp2p_table_node;

typedef struct ethp2p_table ethp2p_table;

/** Creates an empty table for the local node `self`, with a pool of its own. NULL on allocation failure. */
ethp2p_table *ethp2p_table_new(const ethp2p_node_id *self, uint64_t seed);
/**
 * The same, interning identities in `pool` (NULL: a pool of its own), which
 * must outlive the table. Tables of one simulation share a pool, so each
 * identity is stored once however many tables name it.
 */
ethp2p_table *ethp2p_table_new_pooled(const ethp2p_node_id *self, uint64_t seed, ethp2p_idpool *pool);
/** The node of a table entry as an enode (key, ID, endpoint). */
void ethp2p_table_node_enode(const ethp2p_table_node *tn, ethp2p_enode *out);
void ethp2p_table_free(ethp2p_table *t);

/** The bucket index (0..16) for a node ID. */
int ethp2p_table_bucket_index(const ethp2p_table *t, const ethp2p_node_id *id);

/** Adds or refreshes a node. Returns an ethp2p_table_add_result. */
int ethp2p_table_add(ethp2p_table *t, const ethp2p_enode *n, int source, uint64_t now_ms);
/** Removes a node from its bucket, promoting a random replacement. 0 or ETHP2P_ENOTFOUND. */
int ethp2p_table_remove(ethp2p_table *t, const ethp2p_node_id *id, uint64_t now_ms);
/** The entry (not replacement) for id, or NULL. Valid until the table changes. */
ethp2p_table_node *ethp2p_table_get(ethp2p_table *t, const ethp2p_node_id *id);
/** Records a newer ENR sequence number and endpoint; returns 1 if the endpoint changed. */
int ethp2p_table_update_record(ethp2p_table *t, const ethp2p_enode *n, uint64_t seq);

/** Number of entries in all buckets (replacements not counted). */
size_t ethp2p_table_len(const ethp2p_table *t);
/** Entries in bucket i, and its replacement count. */
size_t ethp2p_table_bucket_len(const ethp2p_table *t, int i, size_t *replacements);

/**
 * Fills out with up to max entries closest to target (XOR distance), nearest
 * first. With prefer_live, nodes that have not answered a check are left out
 * when any that have are present. Returns the count.
 */
size_t ethp2p_table_closest(const ethp2p_table *t, const ethp2p_node_id *target, size_t max,
                            int prefer_live, ethp2p_enode *out);
/** Up to max random distinct entries. */
size_t ethp2p_table_random(ethp2p_table *t, size_t max, ethp2p_enode *out);

/**
 * Revalidation: returns up to two nodes (one per list) whose check is due at
 * now_ms, marking them active; *next_ms receives when to call again
 * (UINT64_MAX if never). The caller pings each and reports with
 * ethp2p_table_reval_done.
 */
size_t ethp2p_table_reval_due(ethp2p_table *t, uint64_t now_ms, ethp2p_enode out[2], uint64_t *next_ms);
/**
 * Reports a check: responded or not; endpoint_changed if a newer record moved
 * the node. Returns 1 if the node was removed.
 */
int ethp2p_table_reval_done(ethp2p_table *t, const ethp2p_node_id *id, int responded, int endpoint_changed,
                            uint64_t now_ms);

#ifdef __cplusplus
}
#endif
#endif

/* The eth handler's state, shared by handler.c (transactions) and blocks.c. */
#ifndef ETHP2P_ETH_HANDLER_INTERNAL_H
#define ETHP2P_ETH_HANDLER_INTERNAL_H

#include "ethp2p/eth_handler.h"
#include "base/hmap.h"
#include "base/hashset.h"

#define MAX_ANNOUNCERS 8
#define ETHP2P_ETH_PENDING_BLOCKS 32
#define ETHP2P_ETH_PENDING_AHEAD 32 /* how far ahead of the head a waiting block may be */
#define ETHP2P_ETH_PENDING_BYTES (32u * 1024 * 1024) /* what the waiting blocks may hold in all */

/* A FIFO of hashes, dropping the oldest when full. */
typedef struct hashq {
    uint8_t (*h)[32];
    size_t head, len, cap;
} hashq;

struct ethp2p_eth_peer {
    ethp2p_eth_peer *prev, *next;
    void *handle;
    uint8_t id[32];
    uint8_t score_seed[8];     /* SipHash of our ID and its ID: the per-peer part of the direct-peer score */
    char short_id[17];
    uint32_t version;
    int ready, dropped, removed;
    uint64_t status_deadline;
    uint32_t block_msgs;
    /* Its head as it told us: total difficulty (eth/66-68, updated by NewBlock), or the
     * latest block number (eth/69, updated by BlockRangeUpdate). */
    uint8_t head_td[32], head_hash[32];
    uint64_t head_number, range_sent;
    /* Transaction hashes it knows; marked: it sent that transaction to us in full. */
    hashset known;
    hashq q_full, q_ann;
    /* The outstanding GetPooledTransactions. */
    uint64_t req_id, req_deadline;
    size_t nreq, req_bytes;
    uint8_t (*req)[32];        /* ETHP2P_ETH_FETCH_MAX_HASHES entries, allocated on the first request */
    /* Blocks (pre-merge): what the peer knows, and the block being fetched from it. */
    hashset known_blocks;
    struct {
        int active;
        uint8_t hash[32];
        uint64_t header_id, body_id, deadline;
        uint8_t *header, *body;
        size_t header_len, body_len;
    } bf;
};

typedef struct fetch {
    struct fetch *prev, *next;
    uint8_t hash[32];
    uint8_t type;
    uint32_t size;
    int has_meta;
    ethp2p_eth_peer *announcers[MAX_ANNOUNCERS];
    size_t nann;
    ethp2p_eth_peer *asked;
    uint64_t due;
} fetch;

/* A buffer the handler keeps and grows to the largest message (eth_scratch). */
typedef struct eth_scratch_buf {
    void *p;
    size_t cap; /* items */
} eth_scratch_buf;

struct ethp2p_eth {
    ethp2p_eth_config cfg;
    ethp2p_txpool *pool;
    ethp2p_eth_peer *peers;
    size_t npeers, nready;
    hmap fetch_map;
    fetch *fetches;
    size_t nfetches;
    uint64_t next_req_id, now;
    int depth;            /* > 0 while inside an entry point: removals are deferred */
    ethp2p_rlp_writer w;
    /* Scratch for announcements in and out, grown to the largest message seen. */
    eth_scratch_buf ann; /* ethp2p_eth_announce */
    /* Scratch for the Transactions message being read (txrecv.c): its hashes, to catch
     * a repeat, and the first pass's results. */
    hashset msg_txs;
    eth_scratch_buf msg_items; /* txrecv.c's msg_item */
    ethp2p_eth_stats stats;
    /* Blocks that arrived before their parent (a hash-announced parent still being
     * fetched): kept a little while and imported when the parent lands. */
    struct pending_block {
        uint8_t *rlp;
        size_t len;
        uint64_t number;
    } pending[ETHP2P_ETH_PENDING_BLOCKS];
    size_t npending, pending_bytes;
};


/* Drops the peer (once) with a reason; why goes to the log. */
void eth_drop_peer(ethp2p_eth *e, ethp2p_eth_peer *p, int reason, const char *why);
/* Sends what e->w holds to the peer (and empties e->w). */
int eth_send_w(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code);
/* Answers to requests: eth_answer_open writes "[id, [" into e->w; the items follow;
 * eth_answer_send closes both lists and sends. eth_answer_hashes decodes a request
 * [id, [hash, ...]] (a malformed one drops the peer: -1), opens the answer and leaves
 * *it on the hashes. */
void eth_answer_open(ethp2p_eth *e, uint64_t id);
void eth_answer_send(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code);
int eth_answer_hashes(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len, const char *what,
                      ethp2p_rlp_iter *it);

/* handler.c: validates a decoded transaction for this chain and pools it; a new one is broadcast. 1 if new. */
int eth_import_tx(ethp2p_eth *e, ethp2p_eth_peer *from, const ethp2p_tx *tx, int how);
/* txrecv.c: a Transactions or PooledTransactions list from a peer (list_in: already decoded) */
void eth_on_transactions(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len, int how,
                         const ethp2p_rlp_item *list_in);

/* txfetch.c */
fetch *eth_fetch_find(ethp2p_eth *e, const uint8_t hash[32]);
void eth_fetch_free(ethp2p_eth *e, fetch *f);
void eth_fetch_release(ethp2p_eth *e, ethp2p_eth_peer *p);
void eth_fetch_peer_gone(ethp2p_eth *e, ethp2p_eth_peer *p);
void eth_fetch_on_announce(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len);
void eth_fetch_on_pooled(ethp2p_eth *e, ethp2p_eth_peer *p, const uint8_t *data, size_t len);
void eth_fetch_request(ethp2p_eth *e);

/* blocks.c */
void eth_blocks_receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len);
void eth_blocks_tick(ethp2p_eth *e, ethp2p_eth_peer *p);
void eth_blocks_peer_free(ethp2p_eth_peer *p);
void eth_blocks_free(ethp2p_eth *e);
uint64_t eth_earliest(const ethp2p_eth *e);
/* Whether the chain's head, or the network at head_time (the clock), is past the merge. */
int eth_past_merge(const ethp2p_eth *e);
/** The announcement scratch with room for at least want entries, or NULL (out of memory). */
ethp2p_eth_announce *eth_ann_scratch(ethp2p_eth *e, size_t want);
/* Scratch kept by the handler and grown to the largest message: a far larger one than this
 * (cap over 64 and over 8 * want) is given back first, so one huge message is not held for good. */
static inline int eth_scratch_oversized(size_t cap, size_t want) { return cap > 64 && cap > 8 * want; }
/* Room for want items of size bytes in b: the buffer, or NULL (out of memory). */
void *eth_scratch(eth_scratch_buf *b, size_t want, size_t size);

#endif

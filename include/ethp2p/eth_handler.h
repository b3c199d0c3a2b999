/*
 * ethp2p/eth_handler.h - the eth protocol's peers and the handler that
 * relays transactions (the reference's eth/protocols/eth peer and
 * eth/handler.go with its transaction fetcher). Sans-I/O: the owner feeds
 * messages and the time, and sends what the `send` callback hands it. The
 * same core runs under the libuv node and in the in-process simulation.
 *
 * Per peer: the Status handshake (5 s), a known-transaction set (32,768
 * hashes, the oldest forgotten first) and two send queues (full transactions
 * and announcements, 4,096 hashes each; when a queue is full the oldest entry
 * is dropped, as the reference does). Queues drain while the owner's `send`
 * accepts; ETHP2P_EBUSY from `send` (the socket's backlog is high) leaves the
 * rest for the next tick. Block messages (pre-merge networks) are not queued:
 * one refused with ETHP2P_EBUSY is dropped for that peer, which still learns
 * the block by hash from others or from the next block's parent link.
 *
 * New transactions go in full to ceil(sqrt(peers)) peers chosen by a keyed
 * hash of (us, peer, sender), so one sender's transactions take the same
 * paths; the other peers get the hash announced. Blob transactions and any
 * over 4 KiB are only announced. Announced hashes are fetched after 500 ms
 * from one announcer at a time (256 hashes or 128 KiB per request, 5 s
 * timeout, then the next announcer).
 */
#ifndef ETHP2P_ETH_HANDLER_H
#define ETHP2P_ETH_HANDLER_H

#include "ethp2p/chain.h"
#include "ethp2p/eth.h"
#include "ethp2p/txpool.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_ETH_STATUS_TIMEOUT_MS = 5000,
    ETHP2P_ETH_KNOWN_TXS = 32768,
    ETHP2P_ETH_MAX_QUEUED = 4096,
    ETHP2P_ETH_TX_MAX_BROADCAST_SIZE = 4096,
    ETHP2P_ETH_FETCH_WAIT_MS = 500,
    ETHP2P_ETH_FETCH_TIMEOUT_MS = 5000,
    ETHP2P_ETH_FETCH_MAX_HASHES = 256,
    ETHP2P_ETH_FETCH_MAX_BYTES = 128 * 1024,
    ETHP2P_ETH_TX_PACKET_SIZE = 100 * 1024, /* a Transactions message we send stays below this */
    ETHP2P_ETH_SERVE_MAX_BYTES = 2 * 1024 * 1024,
    ETHP2P_ETH_MAX_BLOCK_MSGS_POST_MERGE = 16, /* NewBlock(Hashes) after the merge: then dropped */
    ETHP2P_ETH_KNOWN_BLOCKS = 1024,
    ETHP2P_ETH_BLOCK_FETCH_TIMEOUT_MS = 5000,
    ETHP2P_ETH_RANGE_UPDATE_BLOCKS = 32,    /* eth/69: BlockRangeUpdate when the head moved this far */
    /* The reference's pool limits: a larger transaction is neither pooled, announced nor
     * relayed. 4 slots of 32 KiB (legacypool txMaxSize); blob transactions by the blob
     * pool's own limit, network form included. */
    ETHP2P_ETH_TX_POOL_MAX_SIZE = 128 * 1024,
    ETHP2P_ETH_MAX_TD_BYTES = 13,           /* NewBlock's total difficulty: at most 100 bits */
    ETHP2P_ETH_BLOB_TX_POOL_MAX_SIZE = 1024 * 1024,
};

/** How a transaction reached us. */
enum { ETHP2P_ETH_TX_LOCAL = 0, ETHP2P_ETH_TX_BROADCAST = 1, ETHP2P_ETH_TX_FETCHED = 2 };

typedef struct ethp2p_eth_peer ethp2p_eth_peer;
typedef struct ethp2p_eth ethp2p_eth;

typedef struct ethp2p_eth_config {
    ethp2p_chain_config chain;
    uint8_t self_id[32];        /* our node ID: part of the choice of direct peers */
    /* The secret key of that choice (SipHash-2-4 of our ID, the peer's and the sender, as the
     * reference), so that no one else can tell which peers get a sender's transactions in full.
     * All zero: drawn from the system's random source (simulations set it from their seed). */
    uint8_t broadcast_key[16];
    uint64_t head_number, head_time;
    uint8_t head_hash[32];      /* zero: the genesis hash */
    uint8_t td[32];             /* total difficulty for eth/66-68 Status (big-endian) */
    size_t pool_max_txs, pool_max_bytes;
    void *ctx;
    /* Sends an eth message (code relative to eth). 0, or ETHP2P_EBUSY to retry later. */
    int (*send)(void *ctx, void *peer, uint64_t code, const uint8_t *data, size_t len);
    void (*disconnect)(void *ctx, void *peer, int reason);
    /* The peer's Status passed: it is part of the peer set. */
    void (*on_ready)(void *ctx, void *peer, const ethp2p_eth_status *st);
    /* A transaction new to us, from a peer (NULL: submitted locally). */
    void (*on_tx)(void *ctx, void *peer, const ethp2p_tx *tx, int how);
    /* Pre-merge networks: the chain (NULL: no blocks). Blocks that extend it are
     * propagated: NewBlock to floor(sqrt(n)) of the n peers without it (at least one),
     * NewBlockHashes to the rest; announced blocks are fetched (header and body). */
    ethp2p_chain *blocks;
    void (*on_block)(void *ctx, void *peer, const ethp2p_header *h, int how);
} ethp2p_eth_config;

typedef struct ethp2p_eth_stats {
    uint64_t txs_new, txs_local, txs_dup, txs_invalid;
    uint64_t txs_oversize;         /* over the pool's size limit: not pooled or relayed */
    uint64_t full_in, full_out, announced_in, announced_out;
    uint64_t fetch_requests, fetch_timeouts, fetched;
    uint64_t dup_full_same_peer;   /* a peer sent us in full a transaction it had already sent us in full */
    uint64_t queue_drops, peers_dropped;
    uint64_t blocks_new, blocks_in, blocks_out, block_hashes_out, block_fetches;
    uint64_t block_empty_bodies;   /* announced blocks completed from their header alone */
    uint64_t blocks_waiting, blocks_waiting_bytes; /* now: blocks held until their parent arrives */
} ethp2p_eth_stats;

ethp2p_eth *ethp2p_eth_new(const ethp2p_eth_config *cfg);
void ethp2p_eth_free(ethp2p_eth *e);

/** Our Status for a version (what we send). */
void ethp2p_eth_our_status(const ethp2p_eth *e, uint32_t version, ethp2p_eth_status *out);

/** A peer with the eth capability connected at `version`: sends our Status. */
ethp2p_eth_peer *ethp2p_eth_peer_add(ethp2p_eth *e, void *peer, const uint8_t id[32], uint32_t version, uint64_t now_ms);
/** The peer left (no callbacks for it after this). */
void ethp2p_eth_peer_remove(ethp2p_eth *e, ethp2p_eth_peer *p);
/** An eth message from the peer (code relative to eth). */
void ethp2p_eth_receive(ethp2p_eth *e, ethp2p_eth_peer *p, uint64_t code, const uint8_t *data, size_t len, uint64_t now_ms);
/** Timers (Status timeouts, fetches) and queue draining; returns the next deadline. */
uint64_t ethp2p_eth_tick(ethp2p_eth *e, uint64_t now_ms);
/**
 * A transaction from the user (binary form, as eth_sendRawTransaction takes it):
 * decoded, checked (chain ID), pooled and queued for broadcast (sent at the
 * next ethp2p_eth_tick, so a burst shares messages). Returns 0 (hash in
 * hash_out; also when already known), the decode error, or ETHP2P_EINVAL for
 * another chain or a transaction over the pool's size limit.
 */
int ethp2p_eth_submit(ethp2p_eth *e, const uint8_t *data, size_t len, uint64_t now_ms, uint8_t hash_out[32]);

/** Our head moved (or, for a relay, the clock: time forks are judged by head_time). */
void ethp2p_eth_set_head(ethp2p_eth *e, uint64_t number, uint64_t time, const uint8_t hash[32]);

const ethp2p_chain_config *ethp2p_eth_get_chain(const ethp2p_eth *e);
/**
 * The peer set. ethp2p_eth_peers_without: the ready peers not known to have
 * the transaction (block = 0) or block (block = 1); fills up to max handles,
 * returns the count. ethp2p_eth_best_peer: the peer with the best head (highest
 * total difficulty where known, else the highest latest block), or NULL.
 */
size_t ethp2p_eth_peers_without(const ethp2p_eth *e, const uint8_t hash[32], int block, void **out, size_t max);
void *ethp2p_eth_best_peer(const ethp2p_eth *e);
/** A block from the user (e.g. a devnet's producer): inserted if it extends the chain, then propagated. */
int ethp2p_eth_submit_block(ethp2p_eth *e, const uint8_t *rlp, size_t len, uint64_t now_ms);

size_t ethp2p_eth_peer_count(const ethp2p_eth *e);
const ethp2p_eth_stats *ethp2p_eth_get_stats(const ethp2p_eth *e);
ethp2p_txpool *ethp2p_eth_pool(ethp2p_eth *e);
/** The peer's negotiated version, and whether its Status passed. */
uint32_t ethp2p_eth_peer_version(const ethp2p_eth_peer *p);
int ethp2p_eth_peer_ready(const ethp2p_eth_peer *p);
/** Whether the peer is known to have the transaction. */
int ethp2p_eth_peer_knows(const ethp2p_eth_peer *p, const uint8_t hash[32]);

#ifdef __cplusplus
}
#endif
#endif

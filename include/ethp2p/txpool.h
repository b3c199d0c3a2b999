/*
 * ethp2p/txpool.h - a bounded pool of pending transactions for relaying:
 * deduplicated by hash, oldest evicted first when the count or byte limit is
 * reached. It serves GetPooledTransactions and announcements to new peers.
 * Nothing here checks balances or nonces: a relay has no state.
 */
#ifndef ETHP2P_TXPOOL_H
#define ETHP2P_TXPOOL_H

#include "ethp2p/tx.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_TXPOOL_DEFAULT_MAX 8192
#define ETHP2P_TXPOOL_DEFAULT_BYTES (64u * 1024 * 1024)

typedef struct ethp2p_pooled_tx {
    uint8_t hash[32];
    uint8_t type;
    uint32_t size;
    uint8_t sender[20];
    uint64_t nonce, added_ms;
    uint8_t *elem;            /* the list-element form, owned by the pool */
    size_t elem_len;
    struct ethp2p_pooled_tx *older, *newer;
} ethp2p_pooled_tx;

typedef struct ethp2p_txpool ethp2p_txpool;

ethp2p_txpool *ethp2p_txpool_new(size_t max_count, size_t max_bytes);
void ethp2p_txpool_free(ethp2p_txpool *p);
/** Adds a decoded transaction. Returns 1 if new, 0 if already pooled, or ETHP2P_ENOMEM. */
int ethp2p_txpool_add(ethp2p_txpool *p, const ethp2p_tx *tx, uint64_t now_ms);
/** The pooled transaction with this hash, or NULL. */
const ethp2p_pooled_tx *ethp2p_txpool_get(const ethp2p_txpool *p, const uint8_t hash[32]);
/**
 * Cache hints for a batch of lookups (a Transactions message): stage 0 asks
 * the CPU for the hash's index slot, stage 1 (once that slot has arrived) for
 * the transaction it points to. Neither changes anything or can fail.
 */
void ethp2p_txpool_prefetch(const ethp2p_txpool *p, const uint8_t hash[32], int stage);
size_t ethp2p_txpool_len(const ethp2p_txpool *p);
size_t ethp2p_txpool_bytes(const ethp2p_txpool *p);
uint64_t ethp2p_txpool_evicted(const ethp2p_txpool *p);
/** The newest transaction, then ->older; NULL when empty. */
const ethp2p_pooled_tx *ethp2p_txpool_newest(const ethp2p_txpool *p);

#ifdef __cplusplus
}
#endif
#endif

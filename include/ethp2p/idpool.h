/*
 * ethp2p/idpool.h - one shared copy of each node identity (public key and
 * node ID) for the routing tables that name it.
 *
 * A table entry used to carry its own 96-byte key and ID. In a simulation of
 * 100,000 nodes the same 100,000 identities appear in 24 million entries, so
 * the tables intern them instead: an entry holds a counted reference, and the
 * identity is freed when the last entry naming it goes. A table without a
 * pool makes its own, so a lone node pays the same as before.
 *
 * A pool is not thread-safe: share one only between cores driven from one
 * thread (the simulator's case).
 */
#ifndef ETHP2P_IDPOOL_H
#define ETHP2P_IDPOOL_H

#include "ethp2p/enode.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A shared identity. Read-only to holders; refs is the pool's business. */
typedef struct ethp2p_ident {
    ethp2p_pubkey pubkey;
    ethp2p_node_id id;
    uint32_t refs;
} ethp2p_ident;

typedef struct ethp2p_idpool ethp2p_idpool;

/** Creates an empty pool. NULL on allocation failure. */
ethp2p_idpool *ethp2p_idpool_new(void);
/** Frees the pool and every identity still in it (holders must be gone). */
void ethp2p_idpool_free(ethp2p_idpool *p);
/** Takes a reference to the identity (key, id), adding it if new. NULL on allocation failure. */
const ethp2p_ident *ethp2p_idpool_get(ethp2p_idpool *p, const ethp2p_pubkey *key, const ethp2p_node_id *id);
/** Takes one more reference to an identity already held. */
void ethp2p_idpool_ref(const ethp2p_ident *ident);
/** Drops a reference; the identity is freed with the last one. NULL is ignored. */
void ethp2p_idpool_put(ethp2p_idpool *p, const ethp2p_ident *ident);
/** Number of distinct identities held. */
size_t ethp2p_idpool_len(const ethp2p_idpool *p);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/trie.h - the root hash of a Merkle-Patricia trie (the yellow paper's
 * appendix D) built from a set of key/value pairs at once: what a genesis
 * state root, a transactions root or a receipts root needs. No database, no
 * updates: give all pairs, get the root.
 */
#ifndef ETHP2P_TRIE_H
#define ETHP2P_TRIE_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The root of the empty trie: keccak256(rlp("")). */
extern const uint8_t ETHP2P_EMPTY_TRIE_ROOT[32];
/** keccak256(rlp([])): the ommers hash of a block without ommers (every block after the merge). */
extern const uint8_t ETHP2P_EMPTY_OMMERS_HASH[32];

typedef struct ethp2p_trie_kv {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;   /* non-empty: an empty value means "absent" and is skipped */
    size_t value_len;
} ethp2p_trie_kv;

/**
 * Computes the root of the trie holding the pairs. The array is sorted in
 * place. Returns 0, ETHP2P_EINVAL for a repeated key, or ETHP2P_ENOMEM.
 */
ETHP2P_WARN_UNUSED int ethp2p_trie_root(ethp2p_trie_kv *kv, size_t n, uint8_t root[32]);

#ifdef __cplusplus
}
#endif
#endif

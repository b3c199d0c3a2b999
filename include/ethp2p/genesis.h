/*
 * ethp2p/genesis.h - custom networks from a genesis.json in the reference
 * client's format: the chain configuration (chain ID, block and timestamp
 * forks, terminal total difficulty) and the genesis block hash, computed from
 * the header fields each active fork adds and the state root of the alloc
 * (balances, nonces, code and storage) via the Merkle-Patricia trie.
 */
#ifndef ETHP2P_GENESIS_H
#define ETHP2P_GENESIS_H

#include "ethp2p/forkid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ethp2p_genesis_info {
    uint8_t state_root[32];
    uint8_t header_hash[32];   /* = the chain's genesis hash */
    uint64_t gas_limit, timestamp;
    uint8_t difficulty[32];    /* big-endian */
    size_t accounts;
    int post_merge;
    uint8_t *header;           /* the genesis header's RLP (malloc'd; ethp2p_genesis_info_clear frees it) */
    size_t header_len;
} ethp2p_genesis_info;

void ethp2p_genesis_info_clear(ethp2p_genesis_info *info);

/** The offline devnet's genesis.json (chain 1337, London from genesis, before the merge). */
const char *ethp2p_devnet_genesis(void);

/**
 * Parses genesis.json text into a chain configuration (network ID = chain ID)
 * and computes the genesis hash. Returns 0, or ETHP2P_EFORMAT with a reason in
 * err (cap bytes).
 */
ETHP2P_WARN_UNUSED int ethp2p_genesis_parse(const char *json, size_t len, ethp2p_chain_config *chain,
                                            ethp2p_genesis_info *info, char *err, size_t cap);
/** The same from a file. ETHP2P_EIO if it cannot be read. */
ETHP2P_WARN_UNUSED int ethp2p_genesis_load(const char *path, ethp2p_chain_config *chain, ethp2p_genesis_info *info,
                                           char *err, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

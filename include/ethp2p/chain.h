/*
 * ethp2p/chain.h - blocks, for networks that have not passed the merge
 * (proof-of-work or proof-of-authority devnets): header and block decoding,
 * and an in-memory store of one chain that grows when a valid child of its
 * head arrives, imports chain files (concatenated block RLP, as `geth export`
 * writes) and serves headers and bodies.
 *
 * "Valid child" here: the parent is the head, the number is head + 1, the
 * time is later than the parent's, and the header's transactions root and
 * ommers hash match the body. Seals (PoW, PoA signatures) and state are not
 * verified: a relay holds no state. Side chains and reorganisations are not
 * followed.
 */
#ifndef ETHP2P_CHAIN_H
#define ETHP2P_CHAIN_H

#include "ethp2p/rlp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_CHAIN_MAX_HEADERS 1024 /* per GetBlockHeaders answer */
#define ETHP2P_CHAIN_MAX_BODIES 1024
#define ETHP2P_CHAIN_SERVE_BYTES (2u * 1024 * 1024)
/* What a chain keeps after genesis by default: the most recent blocks, up to
 * this many and this many header + body bytes (ethp2p_chain_set_limits). */
#define ETHP2P_CHAIN_DEFAULT_MAX_BLOCKS 8192
#define ETHP2P_CHAIN_DEFAULT_MAX_BYTES (128u * 1024 * 1024)

typedef struct ethp2p_header {
    uint8_t hash[32], parent[32], tx_root[32], ommers_hash[32];
    uint8_t difficulty[32]; /* big-endian */
    uint64_t number, time;
} ethp2p_header;

/** Decodes a header (its RLP list) and hashes it. */
ETHP2P_WARN_UNUSED int ethp2p_header_decode(const uint8_t *rlp, size_t len, ethp2p_header *out);

typedef struct ethp2p_block {
    ethp2p_header header;
    const uint8_t *header_rlp, *body_txs, *body_ommers; /* point into the input */
    size_t header_len, txs_len, ommers_len, ntxs;
} ethp2p_block;

enum {
    ETHP2P_CHAIN_EROOT = -210,   /* transactions root or ommers hash does not match the body */
    ETHP2P_CHAIN_ENOTCHILD = -211, /* not a child of the head */
    ETHP2P_CHAIN_ETIME = -212,   /* not later than its parent */
};
const char *ethp2p_chain_error_name(int err);

/** Decodes [header, transactions, ommers, ...] and checks the body against the header. */
ETHP2P_WARN_UNUSED int ethp2p_block_decode(const uint8_t *rlp, size_t len, ethp2p_block *out);

typedef struct ethp2p_chain ethp2p_chain;

/** A chain starting at the genesis header (its RLP); td starts at the genesis difficulty. */
/** A chain holding only the genesis block (its header, number 0); NULL if it does not decode. */
ethp2p_chain *ethp2p_chain_new(const uint8_t *genesis_header, size_t len);
void ethp2p_chain_free(ethp2p_chain *c);
/**
 * Bounds what the chain keeps: genesis, and after it the most recent blocks,
 * at most max_blocks (at least 1: the head) and max_bytes of header and body
 * RLP. Older blocks are forgotten: has/number_of/header/body/serve no longer
 * find them. Seals are not checked, so without a bound a peer could make a
 * node store blocks without end. Defaults: ETHP2P_CHAIN_DEFAULT_MAX_*.
 */
void ethp2p_chain_set_limits(ethp2p_chain *c, size_t max_blocks, size_t max_bytes);
/** The lowest number held after genesis (0 while only genesis is held). */
uint64_t ethp2p_chain_oldest(const ethp2p_chain *c);
/**
 * Adds a block: 1 if it became the head, 0 if already known, or an error
 * (ETHP2P_CHAIN_E*, decode errors). *out (may be NULL) receives its header.
 */
int ethp2p_chain_insert(ethp2p_chain *c, const uint8_t *block_rlp, size_t len, ethp2p_header *out);
/** Imports a chain file; *imported gets the count of new blocks. Stops at the first invalid one. */
int ethp2p_chain_import_file(ethp2p_chain *c, const char *path, size_t *imported, char *err, size_t cap);

const ethp2p_header *ethp2p_chain_head(const ethp2p_chain *c);
/** Total difficulty of the head (big-endian). */
void ethp2p_chain_td(const ethp2p_chain *c, uint8_t td[32]);
int ethp2p_chain_has(const ethp2p_chain *c, const uint8_t hash[32]);
/** Number of a stored block, or -1. */
int64_t ethp2p_chain_number_of(const ethp2p_chain *c, const uint8_t hash[32]);
/** The header RLP / body ([txs, ommers] RLP list) of block `number`; NULL if beyond the head. */
const uint8_t *ethp2p_chain_header_rlp(const ethp2p_chain *c, uint64_t number, size_t *len);
const uint8_t *ethp2p_chain_body_rlp(const ethp2p_chain *c, uint64_t number, size_t *len);
/** The full block RLP of `number` (writes into w). */
int ethp2p_chain_block_rlp(const ethp2p_chain *c, uint64_t number, ethp2p_rlp_writer *w);

/**
 * Builds (does not insert) a child of the head holding the given transactions
 * (binary forms): for devnets, simulations and tests. 12 s after its parent,
 * difficulty 131,072, the transactions root computed, state root left empty.
 */
ETHP2P_WARN_UNUSED int ethp2p_chain_make_child(const ethp2p_chain *c, const uint8_t *const *txs, const size_t *lens,
                                               size_t n, ethp2p_rlp_writer *w);

/**
 * Answers GetBlockHeaders: origin by hash (origin_hash non-NULL) or number,
 * `amount` headers (at most 1024), `skip` between them, descending if
 * reverse. Appends the header RLPs to w (inside a list the caller opened);
 * returns how many.
 */
size_t ethp2p_chain_serve_headers(const ethp2p_chain *c, const uint8_t *origin_hash, uint64_t origin_number,
                                  uint64_t amount, uint64_t skip, int reverse, ethp2p_rlp_writer *w);

#ifdef __cplusplus
}
#endif
#endif

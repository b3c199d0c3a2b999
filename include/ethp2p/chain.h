/*
 * ethp2p/chain.h - blocks: header and block decoding with every fork's
 * fields, the header rules that need no state, and an in-memory store of one
 * chain that grows when a valid child of its head arrives, imports chain
 * files (concatenated block RLP, as `geth export` writes) and serves headers,
 * bodies and what it knows of receipts. Any chain: proof of work, proof of
 * authority, or past the merge.
 *
 * "Valid child" here: the parent is the head, the number is head + 1, the
 * time is later than the parent's, the header rules hold
 * (ethp2p_header_verify), and the header's transactions root, ommers hash
 * and withdrawals root match the body. Seals (PoW, PoA signatures), blob gas
 * and state are not verified: a relay holds no state. Side chains and
 * reorganisations are not followed.
 */
#ifndef ETHP2P_CHAIN_H
#define ETHP2P_CHAIN_H

#include "ethp2p/forkid.h"
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
/* EIP-1559: the base fee of the London block (and of a London genesis without one), 1 gwei. */
#define ETHP2P_CHAIN_INITIAL_BASE_FEE 1000000000ULL

/* The fields of a header that rules and lookups read; the RLP holds the rest. */
typedef struct ethp2p_header {
    uint8_t hash[32], parent[32], tx_root[32], ommers_hash[32], receipts_root[32];
    uint8_t difficulty[32]; /* big-endian */
    uint64_t number, time, gas_limit, gas_used;
    uint8_t nonce[8];
    size_t extra_len;
    int has_base_fee;       /* London */
    uint8_t base_fee[32];   /* big-endian */
    int has_withdrawals;    /* Shanghai */
    uint8_t withdrawals_root[32];
    int has_blob_gas;       /* Cancun */
    uint64_t blob_gas_used, excess_blob_gas;
    size_t nfields;         /* items in the header list, later forks' included */
} ethp2p_header;

/**
 * Decodes a header (its RLP list) and hashes it: the 15 fields every header
 * has, then base fee, withdrawals root, blob gas used, excess blob gas, parent
 * beacon root and requests hash as far as present; items after those (later
 * forks) are accepted unread and stay in the hash.
 */
ETHP2P_WARN_UNUSED int ethp2p_header_decode(const uint8_t *rlp, size_t len, ethp2p_header *out);

typedef struct ethp2p_block {
    ethp2p_header header;
    const uint8_t *header_rlp, *body_txs, *body_ommers; /* point into the input */
    size_t header_len, txs_len, ommers_len, ntxs, nommers;
    /* The body's items as they stand after the header: transactions, ommers,
     * withdrawals (Shanghai) and any later item; BlockBodies serves them as a list. */
    const uint8_t *body_items;
    size_t body_items_len;
} ethp2p_block;

enum {
    ETHP2P_CHAIN_EROOT = -210,        /* transactions root or ommers hash does not match the body */
    ETHP2P_CHAIN_ENOTCHILD = -211,    /* not a child of the head */
    ETHP2P_CHAIN_ETIME = -212,        /* not later than its parent */
    ETHP2P_CHAIN_EWITHDRAWALS = -213, /* withdrawals missing, unexpected, or not matching their root */
    ETHP2P_CHAIN_EEXTRA = -214,       /* extra data over 32 bytes */
    ETHP2P_CHAIN_EGASUSED = -215,     /* gas used over the gas limit */
    ETHP2P_CHAIN_EGASLIMIT = -216,    /* gas limit moved by parent/1024 or more, or under 5000 */
    ETHP2P_CHAIN_EBASEFEE = -217,     /* base fee missing, or not the one EIP-1559 gives */
    ETHP2P_CHAIN_EMERGED = -218,      /* after the merge: difficulty, nonce or ommers not empty; before: no difficulty */
    ETHP2P_CHAIN_EFIELDS = -219,      /* Cancun's or Prague's header fields missing, or before their fork */
};
/** A sentence for an error of this module (or ethp2p_strerror's). */
const char *ethp2p_chain_error_name(int err);

/**
 * Decodes [header, transactions, ommers, withdrawals?, ...] and checks the
 * body against the header: transactions root, ommers hash, and withdrawals
 * (present exactly when the header has a withdrawals root, and matching it).
 */
ETHP2P_WARN_UNUSED int ethp2p_block_decode(const uint8_t *rlp, size_t len, ethp2p_block *out);

/**
 * The header rules that need no state, checked against the parent (whose
 * total difficulty is parent_td, big-endian): parent link and number, time
 * after the parent's, extra data at most 32 bytes, gas used at most the gas
 * limit, gas limit within parent/1024 and at least 5000, from London the
 * EIP-1559 base fee, after the merge difficulty 0, nonce 0 and no ommers
 * (before it a difficulty), withdrawals exactly from Shanghai, blob gas and
 * beacon root from Cancun, requests hash from Prague. cfg may be
 * NULL: then only the rules that need no fork schedule. 0 or ETHP2P_CHAIN_E*.
 */
ETHP2P_WARN_UNUSED int ethp2p_header_verify(const ethp2p_chain_config *cfg, const ethp2p_header *parent,
                                            const uint8_t parent_td[32], const ethp2p_header *h);
/** EIP-1559: the base fee of a child of parent (a London header). 0, or -1 beyond 64 bits. */
ETHP2P_WARN_UNUSED int ethp2p_header_next_base_fee(const ethp2p_header *parent, uint64_t *out);

/**
 * The root of the trie keyed by rlp(index) over a list's elements (a list
 * element as its RLP, a string element as its payload): transactions and
 * withdrawals roots. An element under min_item bytes cannot be one, so a list
 * claiming more than payload/min_item elements is refused before allocating.
 */
ETHP2P_WARN_UNUSED int ethp2p_list_root(const ethp2p_rlp_item *list, size_t min_item, size_t *count, uint8_t root[32]);

typedef struct ethp2p_chain ethp2p_chain;

/** A chain holding only the genesis block (its header RLP, number 0); TD starts at its difficulty. NULL if it does not decode. */
ethp2p_chain *ethp2p_chain_new(const uint8_t *genesis_header, size_t len);
/**
 * The fork schedule new blocks are verified against (ethp2p_header_verify);
 * copied. Without it only the rules that need no schedule hold.
 */
void ethp2p_chain_set_config(ethp2p_chain *c, const ethp2p_chain_config *cfg);
/** Whether the head is past the merge (see ethp2p_chain_config_merged); 0 without a config. */
int ethp2p_chain_merged(const ethp2p_chain *c);
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
/** The decoded header of block `number`, or NULL if not held. */
const ethp2p_header *ethp2p_chain_header(const ethp2p_chain *c, uint64_t number);
/** Number of a stored block, or -1. */
int64_t ethp2p_chain_number_of(const ethp2p_chain *c, const uint8_t hash[32]);
/** The header RLP / body ([txs, ommers, withdrawals?] RLP list, as received) of block `number`; NULL if not held. */
const uint8_t *ethp2p_chain_header_rlp(const ethp2p_chain *c, uint64_t number, size_t *len);
const uint8_t *ethp2p_chain_body_rlp(const ethp2p_chain *c, uint64_t number, size_t *len);
/** The full block RLP of `number` (writes into w). */
int ethp2p_chain_block_rlp(const ethp2p_chain *c, uint64_t number, ethp2p_rlp_writer *w);

/**
 * Builds (does not insert) a child of the head holding the given transactions
 * (binary forms): for devnets, simulations and tests. 12 s after its parent,
 * the parent's gas limit, the transactions root computed, state and receipts
 * roots left empty. With the chain's config: the EIP-1559 base fee from
 * London, difficulty 131,072 before the merge and 0 after it, empty
 * withdrawals from Shanghai; the blob gas, beacon root and requests hash
 * fields when the parent has them (zero, empty). Without a config, the
 * parent's fields and a difficulty.
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

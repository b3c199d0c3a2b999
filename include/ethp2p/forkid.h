/*
 * ethp2p/forkid.h - chain configurations and the EIP-2124 fork identifier
 * (with EIP-6122's timestamp forks).
 *
 * A chain is its genesis hash and time, its network ID, and its fork points:
 * block-number forks and timestamp forks. FORK_HASH is CRC32 over the
 * genesis hash followed by every passed fork as a big-endian uint64 (block
 * forks first, then time forks; each list sorted, duplicates once; forks at
 * block 0 and time forks at or before the genesis time are not counted).
 * FORK_NEXT is the first fork not yet passed, or 0.
 */
#ifndef ETHP2P_FORKID_H
#define ETHP2P_FORKID_H

#include "ethp2p/rlp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_CHAIN_MAX_FORKS 48

typedef struct ethp2p_chain_config {
    char name[32];
    uint64_t network_id;
    uint64_t chain_id;
    uint8_t genesis_hash[32];
    uint64_t genesis_time;
    uint64_t block_forks[ETHP2P_CHAIN_MAX_FORKS]; /* any order; 0s and duplicates are skipped */
    size_t nblock_forks;
    uint64_t time_forks[ETHP2P_CHAIN_MAX_FORKS];
    size_t ntime_forks;
    /* Past the merge at genesis (or a built-in network, all of which are past it):
     * no block propagation on the wire. A chain can also pass the merge later, when
     * its total difficulty reaches ttd or a time fork activates: see
     * ethp2p_chain_config_merged(). */
    int post_merge;
    /* The rules that need the forks by name (header fields, merge). */
    int has_ttd;                 /* terminalTotalDifficulty set */
    uint8_t ttd[32];             /* big-endian */
    int has_london;
    uint64_t london_block;       /* base fee from here on (EIP-1559) */
    uint64_t shanghai_time;      /* first time fork (Shanghai): proof of stake, withdrawals */
    int has_shanghai;
    int has_cancun, has_prague;
    uint64_t cancun_time;        /* blob gas fields and the parent beacon root in headers */
    uint64_t prague_time;        /* the requests hash in headers */
} ethp2p_chain_config;

/**
 * Whether the chain is past the merge with its head at this total difficulty
 * (big-endian; NULL: unknown) and time: post_merge set, or terminalTotalDifficulty
 * set and reached, or a time fork (Shanghai or later) active. As the reference:
 * terminalTotalDifficultyPassed alone, with no TTD, does not make a chain merged.
 */
int ethp2p_chain_config_merged(const ethp2p_chain_config *c, const uint8_t td[32], uint64_t head_time);

/**
 * Fills a built-in network: "mainnet", "sepolia", "holesky", "hoodi", or
 * "devnet" (network 1337, the offline loopback network: ethp2p_devnet_genesis()).
 * 0 or ETHP2P_ENOTFOUND.
 */
ETHP2P_WARN_UNUSED int ethp2p_chain_builtin(const char *name, ethp2p_chain_config *out);

/** The public bootnodes of a built-in network (enode URLs); NULL and *n = 0 if none. */
const char *const *ethp2p_chain_bootnodes(const char *name, size_t *n);
/** The well-known DNS node lists of a built-in network (enrtree:// URLs, the reference's); NULL and *n = 0 if none. */
const char *const *ethp2p_chain_dns_lists(const char *name, size_t *n);

typedef struct ethp2p_forkid {
    uint8_t hash[4];
    uint64_t next;
} ethp2p_forkid;

/** The fork ID at the given head block number and head time. */
void ethp2p_forkid_compute(const ethp2p_chain_config *c, uint64_t head, uint64_t time, ethp2p_forkid *out);

enum {
    ETHP2P_FORKID_OK = 0,
    ETHP2P_FORKID_REMOTE_STALE = 1,          /* the remote is on a past fork and unaware of the next */
    ETHP2P_FORKID_LOCAL_INCOMPATIBLE = 2,    /* different chains, or we are stale */
};
/** Validates a remote's fork ID against our chain at head/time (EIP-2124 rules 1-4). */
int ethp2p_forkid_validate(const ethp2p_chain_config *c, uint64_t head, uint64_t time, const ethp2p_forkid *remote);
const char *ethp2p_forkid_error_name(int v);

/** RLP [hash(4 bytes), next]. */
int ethp2p_forkid_encode(const ethp2p_forkid *id, ethp2p_rlp_writer *w);
/** Decodes the RLP item (a list); returns 0 or ETHP2P_ERLP_* / ETHP2P_EFORMAT. */
ETHP2P_WARN_UNUSED int ethp2p_forkid_decode(const ethp2p_rlp_item *item, ethp2p_forkid *out);

/** CRC32 (IEEE 802.3, as zlib's crc32) continued from crc over data. */
uint32_t ethp2p_crc32(uint32_t crc, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/eth.h - the eth wire protocol (devp2p caps/eth.md): versions,
 * message codes, and the codecs of the messages the relay uses (Status,
 * BlockRangeUpdate, Transactions, NewPooledTransactionHashes,
 * GetPooledTransactions, PooledTransactions). Pure: bytes in, structs out.
 */
#ifndef ETHP2P_ETH_H
#define ETHP2P_ETH_H

#include "ethp2p/forkid.h"
#include "ethp2p/p2p.h"
#include "ethp2p/rlp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_ETH_STATUS = 0x00,
    ETHP2P_ETH_NEW_BLOCK_HASHES = 0x01,   /* pre-merge networks, eth/66-68 */
    ETHP2P_ETH_TRANSACTIONS = 0x02,
    ETHP2P_ETH_GET_BLOCK_HEADERS = 0x03,
    ETHP2P_ETH_BLOCK_HEADERS = 0x04,
    ETHP2P_ETH_GET_BLOCK_BODIES = 0x05,
    ETHP2P_ETH_BLOCK_BODIES = 0x06,
    ETHP2P_ETH_NEW_BLOCK = 0x07,          /* pre-merge networks, eth/66-68 */
    ETHP2P_ETH_NEW_POOLED_TX_HASHES = 0x08,
    ETHP2P_ETH_GET_POOLED_TXS = 0x09,
    ETHP2P_ETH_POOLED_TXS = 0x0a,
    ETHP2P_ETH_GET_RECEIPTS = 0x0f,
    ETHP2P_ETH_RECEIPTS = 0x10,
    ETHP2P_ETH_BLOCK_RANGE_UPDATE = 0x11, /* eth/69+ */
};

#define ETHP2P_ETH_MAX_MESSAGE (10u * 1024 * 1024)
#define ETHP2P_ETH_MAX_TXS_PER_MESSAGE 5000  /* more: the peer is dropped, as the reference does */
#define ETHP2P_ETH_MAX_ANNOUNCE 4096         /* hashes per NewPooledTransactionHashes we send */

/** The versions we speak, highest first, as capabilities for the server (eth/69..66). */
extern const ethp2p_protocol_spec ethp2p_eth_protocols[];
extern const size_t ethp2p_eth_nprotocols;
/** Whether a message code exists in a version (e.g. NewBlock is gone in eth/69). */
int ethp2p_eth_code_valid(uint32_t version, uint64_t code);
const char *ethp2p_eth_code_name(uint64_t code);

typedef struct ethp2p_eth_status {
    uint32_t version;
    uint64_t network_id;
    uint8_t td[32];         /* eth/66-68: total difficulty, big-endian */
    uint8_t head[32];       /* eth/66-68: best hash; eth/69: latest block hash */
    uint8_t genesis[32];
    ethp2p_forkid forkid;
    uint64_t earliest, latest; /* eth/69: the block range served */
} ethp2p_eth_status;

ETHP2P_WARN_UNUSED int ethp2p_eth_status_encode(const ethp2p_eth_status *s, ethp2p_rlp_writer *w);
/** Decodes a Status in the form of `version` (the negotiated one). Extra trailing fields are allowed. */
ETHP2P_WARN_UNUSED int ethp2p_eth_status_decode(const uint8_t *data, size_t len, uint32_t version, ethp2p_eth_status *out);

/** BlockRangeUpdate [earliest, latest, latestHash] (eth/69). Decode checks earliest <= latest and a non-zero hash. */
ETHP2P_WARN_UNUSED int ethp2p_eth_range_encode(uint64_t earliest, uint64_t latest, const uint8_t hash[32],
                                               ethp2p_rlp_writer *w);
ETHP2P_WARN_UNUSED int ethp2p_eth_range_decode(const uint8_t *data, size_t len, uint64_t *earliest, uint64_t *latest,
                                               uint8_t hash[32]);

/** One announced transaction. eth/66-67 announce hashes only: type and size are then 0 / unknown. */
typedef struct ethp2p_eth_announce {
    uint8_t type;
    uint32_t size;
    uint8_t hash[32];
} ethp2p_eth_announce;

/** NewPooledTransactionHashes: eth/68+ [types, [sizes], [hashes]], before that [hashes]. */
ETHP2P_WARN_UNUSED int ethp2p_eth_announce_encode(uint32_t version, const ethp2p_eth_announce *a, size_t n,
                                                  ethp2p_rlp_writer *w);
/**
 * Decodes into out (up to max entries; more -> ETHP2P_ENOSPACE). The three
 * eth/68 lists must have the same length (ETHP2P_EFORMAT otherwise).
 */
ETHP2P_WARN_UNUSED int ethp2p_eth_announce_decode(uint32_t version, const uint8_t *data, size_t len,
                                                  ethp2p_eth_announce *out, size_t max, size_t *n);

/** GetPooledTransactions [request-id, [hash, ...]]. */
ETHP2P_WARN_UNUSED int ethp2p_eth_get_pooled_encode(uint64_t id, const uint8_t (*hashes)[32], size_t n,
                                                    ethp2p_rlp_writer *w);
/** Decodes the request ID and the hash list item (each element a 32-byte string: checked). */
ETHP2P_WARN_UNUSED int ethp2p_eth_get_pooled_decode(const uint8_t *data, size_t len, uint64_t *id,
                                                    ethp2p_rlp_item *hashes, size_t *n);

/** A [request-id, [item, ...]] response (PooledTransactions and friends): the ID and the list. */
ETHP2P_WARN_UNUSED int ethp2p_eth_response_decode(const uint8_t *data, size_t len, uint64_t *id,
                                                  ethp2p_rlp_item *list);

#ifdef __cplusplus
}
#endif
#endif

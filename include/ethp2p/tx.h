/*
 * ethp2p/tx.h - Ethereum transactions, decoded far enough to relay them:
 * type, hash, size, chain ID, nonce and sender. Legacy (with and without
 * EIP-155), EIP-2930, EIP-1559, EIP-4844 (in its network form with the blob
 * sidecar, or bare as inside blocks) and EIP-7702.
 *
 * Forms: in a Transactions / PooledTransactions list a legacy transaction is
 * an RLP list and a typed one an RLP string holding type || rlp(payload).
 * eth_sendRawTransaction takes the binary form: the legacy list, or
 * type || rlp(payload).
 */
#ifndef ETHP2P_TX_H
#define ETHP2P_TX_H

#include "ethp2p/key.h"
#include "ethp2p/rlp.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    ETHP2P_TX_LEGACY = 0,
    ETHP2P_TX_ACCESS_LIST = 1, /* EIP-2930 */
    ETHP2P_TX_DYNAMIC_FEE = 2, /* EIP-1559 */
    ETHP2P_TX_BLOB = 3,        /* EIP-4844 */
    ETHP2P_TX_SET_CODE = 4,    /* EIP-7702 */
};

#define ETHP2P_TX_MAX_SIZE (1u << 20) /* larger than any pool accepts (128 KiB; blobs ~ 6 x 128 KiB + proofs) */

typedef struct ethp2p_tx {
    uint8_t type;
    uint8_t hash[32];
    uint64_t size;            /* as the reference's tx.Size(): what eth/68 announcements carry */
    uint64_t chain_id;        /* 0: a legacy transaction without EIP-155 replay protection */
    uint64_t nonce;
    uint8_t sender[20];
    int has_sidecar;          /* a blob transaction in network form */
    const uint8_t *elem;      /* the list element form (points into the input) */
    size_t elem_len;
    const uint8_t *binary;    /* the binary form: legacy list, or type || payload (into the input) */
    size_t binary_len;
} ethp2p_tx;

/** Why a transaction was rejected (beside RLP errors). */
enum {
    ETHP2P_TX_EUNKNOWN_TYPE = -200,
    ETHP2P_TX_EFIELDS = -201,     /* wrong number or shape of fields */
    ETHP2P_TX_ESIG = -202,        /* r, s or v out of range, or no key recovers */
    ETHP2P_TX_ETOO_BIG = -203,
    ETHP2P_TX_ENO_SIDECAR = -204, /* a blob transaction without its blobs where they are required */
};
const char *ethp2p_tx_error_name(int err);

/**
 * Decodes one element of a transactions list and recovers the sender.
 * blob_network_form: 1 when blob transactions must carry their sidecar (the
 * pooled-transactions wire form), 0 when they must not (inside block bodies).
 * Returns 0, ETHP2P_ERLP_* or ETHP2P_TX_E*.
 */
ETHP2P_WARN_UNUSED int ethp2p_tx_decode_elem(const ethp2p_rlp_item *elem, int blob_network_form, ethp2p_tx *out);
/**
 * As ethp2p_tx_decode_elem, but when known(ctx, hash) says the transaction is
 * already held (a relay receives most transactions from several peers), it is
 * recognised by its hash before anything else is done: the hash covers these
 * very bytes, which were checked in full when they were pooled (a blob
 * transaction's sidecar, outside the hash, has its shape checked first). The
 * result is then ETHP2P_TX_KNOWN with hash, type, size and the byte ranges.
 */
#define ETHP2P_TX_KNOWN 1
ETHP2P_WARN_UNUSED int ethp2p_tx_decode_elem_unless(const ethp2p_rlp_item *elem, int blob_network_form,
                                                    int (*known)(void *ctx, const uint8_t hash[32]), void *ctx,
                                                    ethp2p_tx *out);
/**
 * As ethp2p_tx_decode_elem, for an element whose hash a first pass over the
 * message already computed (ethp2p_tx_decode_elem_unless's result for these
 * very bytes): the hash is taken as given, not computed again.
 */
ETHP2P_WARN_UNUSED int ethp2p_tx_decode_elem_hashed(const ethp2p_rlp_item *elem, int blob_network_form,
                                                    const uint8_t hash[32], ethp2p_tx *out);
/** Decodes the binary form (eth_sendRawTransaction); blob transactions need their sidecar. */
ETHP2P_WARN_UNUSED int ethp2p_tx_decode_binary(const uint8_t *data, size_t len, ethp2p_tx *out);

/**
 * Builds and signs an EIP-1559 transfer (21,000 gas, 1 gwei tip, 100 gwei fee
 * cap, optional data) in binary form, appended to out: test traffic for
 * devnets, simulations and benchmarks.
 */
ETHP2P_WARN_UNUSED int ethp2p_tx_make_transfer(const ethp2p_privkey *key, uint64_t chain_id, uint64_t nonce,
                                               const uint8_t to[20], uint64_t value, const uint8_t *data, size_t data_len,
                                               ethp2p_buffer *out);

#ifdef __cplusplus
}
#endif
#endif

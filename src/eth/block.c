/*
 * Headers and blocks on the wire (the reference's core/types Header and
 * extblock): decoding with every field of every fork, and the checks of a
 * body against its header that need no state (transactions root, ommers
 * hash, withdrawals root).
 *
 * A header is read field by field up to the Prague requests hash; items after
 * it belong to later forks and are kept, unread, in the hashed RLP: a header
 * of a fork we do not know yet still hashes and serves byte for byte.
 */
#include "ethp2p/chain.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"

#include <stdlib.h>
#include <string.h>

/* Header field order (yellow paper, then EIP-1559, 4895, 4844, 4788, 7685). */
enum {
    H_PARENT, H_OMMERS, H_COINBASE, H_STATE, H_TXS, H_RECEIPTS, H_BLOOM, H_DIFFICULTY, H_NUMBER, H_GAS_LIMIT,
    H_GAS_USED, H_TIME, H_EXTRA, H_MIX, H_NONCE, H_BASE_FEE, H_WITHDRAWALS, H_BLOB_GAS_USED, H_EXCESS_BLOB_GAS,
    H_BEACON_ROOT, H_REQUESTS, H_KNOWN,
    H_REQUIRED = H_BASE_FEE, /* the fields every header has */
};

/* Smallest RLP of one list element: a signed transaction is longer than its 64-byte
 * signature; a withdrawal [index, validator, address(20), amount] takes 24 bytes or more. */
#define MIN_TX_BYTES 64
#define MIN_WITHDRAWAL_BYTES 24

int ethp2p_header_decode(const uint8_t *rlp, size_t len, ethp2p_header *out)
{
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    memset(out, 0, sizeof(*out));
    int rc = ethp2p_rlp_decode(rlp, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    size_t i = 0;
    uint8_t skip[256];
    for (; !rc && !ethp2p_rlp_iter_done(&it); i++) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        switch (i) {
        case H_PARENT: rc = ethp2p_rlp_get_fixed(&x, out->parent, 32); break;
        case H_OMMERS: rc = ethp2p_rlp_get_fixed(&x, out->ommers_hash, 32); break;
        case H_COINBASE: rc = ethp2p_rlp_get_fixed(&x, skip, 20); break;
        case H_STATE: rc = ethp2p_rlp_get_fixed(&x, skip, 32); break;
        case H_TXS: rc = ethp2p_rlp_get_fixed(&x, out->tx_root, 32); break;
        case H_RECEIPTS: rc = ethp2p_rlp_get_fixed(&x, out->receipts_root, 32); break;
        case H_BLOOM: rc = ethp2p_rlp_get_fixed(&x, skip, 256); break;
        case H_DIFFICULTY: rc = ethp2p_rlp_get_uint_be(&x, out->difficulty, 32); break;
        case H_NUMBER: rc = ethp2p_rlp_get_uint64(&x, &out->number); break;
        case H_GAS_LIMIT: rc = ethp2p_rlp_get_uint64(&x, &out->gas_limit); break;
        case H_GAS_USED: rc = ethp2p_rlp_get_uint64(&x, &out->gas_used); break;
        case H_TIME: rc = ethp2p_rlp_get_uint64(&x, &out->time); break;
        case H_EXTRA:
            rc = x.kind == ETHP2P_RLP_STRING ? 0 : ETHP2P_ERLP_EXPECTED_STRING;
            out->extra_len = x.payload_len;
            break;
        case H_MIX: rc = ethp2p_rlp_get_fixed(&x, skip, 32); break;
        case H_NONCE: rc = ethp2p_rlp_get_fixed(&x, out->nonce, 8); break;
        case H_BASE_FEE: rc = ethp2p_rlp_get_uint_be(&x, out->base_fee, 32); break;
        case H_WITHDRAWALS: rc = ethp2p_rlp_get_fixed(&x, out->withdrawals_root, 32); break;
        case H_BLOB_GAS_USED: rc = ethp2p_rlp_get_uint64(&x, &out->blob_gas_used); break;
        case H_EXCESS_BLOB_GAS: rc = ethp2p_rlp_get_uint64(&x, &out->excess_blob_gas); break;
        case H_BEACON_ROOT: rc = ethp2p_rlp_get_fixed(&x, skip, 32); break;
        case H_REQUESTS: rc = ethp2p_rlp_get_fixed(&x, skip, 32); break;
        default: break; /* a later fork's field: kept in the RLP, not read */
        }
    }
    if (!rc && i < H_REQUIRED) rc = ETHP2P_EFORMAT;
    if (rc) return rc;
    out->nfields = i;
    out->has_base_fee = i > H_BASE_FEE;
    out->has_withdrawals = i > H_WITHDRAWALS;
    out->has_blob_gas = i > H_EXCESS_BLOB_GAS;
    ethp2p_keccak256(top.raw, top.raw_len, out->hash);
    return 0;
}

/* The root of a trie keyed by rlp(index) holding each list element: a list element
 * as its RLP, a string (a typed transaction) as its payload. */
int ethp2p_list_root(const ethp2p_rlp_item *list, size_t min_item, size_t *count, uint8_t root[32])
{
    long n = ethp2p_rlp_list_count(list);
    if (n < 0) return (int)n;
    /* More elements than the payload can hold is not a body, and must not make us
     * allocate per element (41 bytes each) first. */
    if ((size_t)n > list->payload_len / min_item) return ETHP2P_EFORMAT;
    ethp2p_trie_kv *kv = calloc((size_t)n + 1, sizeof(*kv));
    uint8_t(*keys)[9] = calloc((size_t)n + 1, 9);
    if (!kv || !keys) {
        free(kv);
        free(keys);
        return ETHP2P_ENOMEM;
    }
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    int rc = ethp2p_rlp_iter_list(list, &it);
    for (long i = 0; !rc && i < n; i++) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        /* rlp(i): 0x80 for 0, the byte itself below 0x80, else 0x80+len || big-endian. */
        uint8_t *k = keys[i];
        size_t kl;
        if (i == 0) k[0] = 0x80, kl = 1;
        else if (i < 0x80) k[0] = (uint8_t)i, kl = 1;
        else {
            uint8_t be[8];
            int nb = 0;
            for (uint64_t v = (uint64_t)i; v; v >>= 8) be[nb++] = (uint8_t)v;
            k[0] = (uint8_t)(0x80 + nb);
            for (int j = 0; j < nb; j++) k[1 + j] = be[nb - 1 - j];
            kl = (size_t)nb + 1;
        }
        kv[i].key = k;
        kv[i].key_len = kl;
        if (x.kind == ETHP2P_RLP_LIST) kv[i].value = x.raw, kv[i].value_len = x.raw_len;
        else kv[i].value = x.payload, kv[i].value_len = x.payload_len;
        if (!kv[i].value_len) rc = ETHP2P_EFORMAT;
    }
    if (!rc) rc = ethp2p_trie_root(kv, (size_t)n, root);
    *count = (size_t)n;
    free(kv);
    free(keys);
    return rc;
}

int ethp2p_block_decode(const uint8_t *rlp, size_t len, ethp2p_block *out)
{
    ethp2p_rlp_item top, h, txs, ommers, wd;
    ethp2p_rlp_iter it;
    memset(out, 0, sizeof(*out));
    int rc = ethp2p_rlp_decode(rlp, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &h);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &txs);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &ommers);
    if (!rc && (txs.kind != ETHP2P_RLP_LIST || ommers.kind != ETHP2P_RLP_LIST)) rc = ETHP2P_ERLP_EXPECTED_LIST;
    if (!rc) rc = ethp2p_header_decode(h.raw, h.raw_len, &out->header);
    if (rc) return rc;
    /* Withdrawals (Shanghai): in the body exactly when the header has their root. */
    int has_wd = !ethp2p_rlp_iter_done(&it);
    if (has_wd && ((rc = ethp2p_rlp_iter_expect(&it, &wd)) || wd.kind != ETHP2P_RLP_LIST))
        return rc ? rc : ETHP2P_ERLP_EXPECTED_LIST;
    if (has_wd != out->header.has_withdrawals) return ETHP2P_CHAIN_EWITHDRAWALS;
    uint8_t root[32], oh[32];
    if ((rc = ethp2p_list_root(&txs, MIN_TX_BYTES, &out->ntxs, root))) return rc;
    ethp2p_keccak256(ommers.raw, ommers.raw_len, oh);
    if (memcmp(root, out->header.tx_root, 32) || memcmp(oh, out->header.ommers_hash, 32)) return ETHP2P_CHAIN_EROOT;
    if (has_wd) {
        size_t nwd;
        if ((rc = ethp2p_list_root(&wd, MIN_WITHDRAWAL_BYTES, &nwd, root))) return rc;
        if (memcmp(root, out->header.withdrawals_root, 32)) return ETHP2P_CHAIN_EWITHDRAWALS;
    }
    out->header_rlp = h.raw;
    out->header_len = h.raw_len;
    out->body_txs = txs.raw;
    out->txs_len = txs.raw_len;
    out->body_ommers = ommers.raw;
    out->ommers_len = ommers.raw_len;
    long nommers = ethp2p_rlp_list_count(&ommers);
    if (nommers < 0) return (int)nommers;
    out->nommers = (size_t)nommers;
    /* The body as it is served: every item after the header, as it stands. */
    out->body_items = txs.raw;
    out->body_items_len = (size_t)(top.payload + top.payload_len - txs.raw);
    return 0;
}

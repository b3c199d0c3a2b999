/* eth message codecs: Status per version, BlockRangeUpdate, announcements, pooled-transaction requests. */
#include "ethp2p/eth.h"

#include <string.h>

const ethp2p_protocol_spec ethp2p_eth_protocols[] = {
    {"eth", 69, 18}, /* adds BlockRangeUpdate (0x11); drops NewBlock/NewBlockHashes */
    {"eth", 68, 17},
    {"eth", 67, 17}, /* drops GetNodeData/NodeData */
    {"eth", 66, 17},
};
const size_t ethp2p_eth_nprotocols = sizeof(ethp2p_eth_protocols) / sizeof(ethp2p_eth_protocols[0]);

int ethp2p_eth_code_valid(uint32_t version, uint64_t code)
{
    switch (code) {
    case ETHP2P_ETH_STATUS: case ETHP2P_ETH_TRANSACTIONS: case ETHP2P_ETH_GET_BLOCK_HEADERS:
    case ETHP2P_ETH_BLOCK_HEADERS: case ETHP2P_ETH_GET_BLOCK_BODIES: case ETHP2P_ETH_BLOCK_BODIES:
    case ETHP2P_ETH_NEW_POOLED_TX_HASHES: case ETHP2P_ETH_GET_POOLED_TXS: case ETHP2P_ETH_POOLED_TXS:
    case ETHP2P_ETH_GET_RECEIPTS: case ETHP2P_ETH_RECEIPTS:
        return 1;
    case ETHP2P_ETH_NEW_BLOCK_HASHES: case ETHP2P_ETH_NEW_BLOCK: return version < 69;
    case 0x0d: case 0x0e: return version < 67; /* GetNodeData / NodeData */
    case ETHP2P_ETH_BLOCK_RANGE_UPDATE: return version >= 69;
    default: return 0;
    }
}

const char *ethp2p_eth_code_name(uint64_t code)
{
    static const char *names[] = {"Status", "NewBlockHashes", "Transactions", "GetBlockHeaders", "BlockHeaders",
                                  "GetBlockBodies", "BlockBodies", "NewBlock", "NewPooledTransactionHashes",
                                  "GetPooledTransactions", "PooledTransactions", "0x0b", "0x0c", "GetNodeData",
                                  "NodeData", "GetReceipts", "Receipts", "BlockRangeUpdate"};
    return code < sizeof(names) / sizeof(names[0]) ? names[code] : "unknown";
}

int ethp2p_eth_status_encode(const ethp2p_eth_status *s, ethp2p_rlp_writer *w)
{
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_uint(w, s->version);
    ethp2p_rlp_put_uint(w, s->network_id);
    if (s->version >= 69) {
        ethp2p_rlp_put_bytes(w, s->genesis, 32);
        (void)ethp2p_forkid_encode(&s->forkid, w);
        ethp2p_rlp_put_uint(w, s->earliest);
        ethp2p_rlp_put_uint(w, s->latest);
        ethp2p_rlp_put_bytes(w, s->head, 32);
    } else {
        ethp2p_rlp_put_uint_be(w, s->td, 32);
        ethp2p_rlp_put_bytes(w, s->head, 32);
        ethp2p_rlp_put_bytes(w, s->genesis, 32);
        (void)ethp2p_forkid_encode(&s->forkid, w);
    }
    return ethp2p_rlp_list_end(w);
}

int ethp2p_eth_status_decode(const uint8_t *data, size_t len, uint32_t version, ethp2p_eth_status *out)
{
    memset(out, 0, sizeof(*out));
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    uint64_t v;
    int rc = ethp2p_rlp_decode(data, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint(&x, UINT32_MAX, &v);
    if (rc) return rc;
    out->version = (uint32_t)v;
    if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &out->network_id))) return rc;
    if (version >= 69) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_fixed(&x, out->genesis, 32))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_forkid_decode(&x, &out->forkid))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &out->earliest))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &out->latest))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_fixed(&x, out->head, 32))) return rc;
        if (out->earliest > out->latest) return ETHP2P_EFORMAT;
    } else {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint_be(&x, out->td, 32))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_fixed(&x, out->head, 32))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_fixed(&x, out->genesis, 32))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_forkid_decode(&x, &out->forkid))) return rc;
    }
    return 0;
}

int ethp2p_eth_range_encode(uint64_t earliest, uint64_t latest, const uint8_t hash[32], ethp2p_rlp_writer *w)
{
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_uint(w, earliest);
    ethp2p_rlp_put_uint(w, latest);
    ethp2p_rlp_put_bytes(w, hash, 32);
    return ethp2p_rlp_list_end(w);
}

int ethp2p_eth_range_decode(const uint8_t *data, size_t len, uint64_t *earliest, uint64_t *latest, uint8_t hash[32])
{
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    int rc = ethp2p_rlp_decode(data, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint64(&x, earliest);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint64(&x, latest);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_fixed(&x, hash, 32);
    if (rc) return rc;
    static const uint8_t zero[32];
    if (*earliest > *latest || memcmp(hash, zero, 32) == 0) return ETHP2P_EFORMAT;
    return 0;
}

int ethp2p_eth_announce_encode(uint32_t version, const ethp2p_eth_announce *a, size_t n, ethp2p_rlp_writer *w)
{
    if (version < 68) {
        ethp2p_rlp_list_begin(w);
        for (size_t i = 0; i < n; i++) ethp2p_rlp_put_bytes(w, a[i].hash, 32);
        return ethp2p_rlp_list_end(w);
    }
    uint8_t types[ETHP2P_ETH_MAX_ANNOUNCE];
    if (n > ETHP2P_ETH_MAX_ANNOUNCE) return ETHP2P_EINVAL;
    ethp2p_rlp_list_begin(w);
    for (size_t i = 0; i < n; i++) types[i] = a[i].type;
    ethp2p_rlp_put_bytes(w, types, n);
    ethp2p_rlp_list_begin(w);
    for (size_t i = 0; i < n; i++) ethp2p_rlp_put_uint(w, a[i].size);
    ethp2p_rlp_list_end(w);
    ethp2p_rlp_list_begin(w);
    for (size_t i = 0; i < n; i++) ethp2p_rlp_put_bytes(w, a[i].hash, 32);
    ethp2p_rlp_list_end(w);
    return ethp2p_rlp_list_end(w);
}

/* Reads up to max 32-byte hashes from a list into out[i].hash. */
static int read_hashes(const ethp2p_rlp_item *list, ethp2p_eth_announce *out, size_t max, size_t *n)
{
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    int rc = ethp2p_rlp_iter_list(list, &it);
    *n = 0;
    while (!rc && !ethp2p_rlp_iter_done(&it)) {
        if (*n == max) return ETHP2P_ENOSPACE;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        rc = ethp2p_rlp_get_fixed(&x, out[(*n)++].hash, 32);
    }
    return rc;
}

int ethp2p_eth_announce_decode(uint32_t version, const uint8_t *data, size_t len, ethp2p_eth_announce *out, size_t max,
                               size_t *n)
{
    ethp2p_rlp_item top, types, sizes, hashes, x;
    ethp2p_rlp_iter it, si;
    int rc = ethp2p_rlp_decode(data, len, &top);
    if (rc) return rc;
    if (version < 68) {
        rc = read_hashes(&top, out, max, n);
        for (size_t i = 0; !rc && i < *n; i++) out[i].type = 0, out[i].size = 0;
        return rc;
    }
    if ((rc = ethp2p_rlp_iter_list(&top, &it)) || (rc = ethp2p_rlp_iter_expect(&it, &types)) ||
        (rc = ethp2p_rlp_iter_expect(&it, &sizes)) || (rc = ethp2p_rlp_iter_expect(&it, &hashes)))
        return rc;
    if (types.kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    if ((rc = read_hashes(&hashes, out, max, n))) return rc;
    if (types.payload_len != *n || ethp2p_rlp_list_count(&sizes) != (long)*n) return ETHP2P_EFORMAT;
    if ((rc = ethp2p_rlp_iter_list(&sizes, &si))) return rc;
    for (size_t i = 0; i < *n; i++) {
        uint64_t sz;
        if ((rc = ethp2p_rlp_iter_expect(&si, &x)) || (rc = ethp2p_rlp_get_uint(&x, UINT32_MAX, &sz))) return rc;
        out[i].size = (uint32_t)sz;
        out[i].type = types.payload[i];
    }
    return 0;
}

int ethp2p_eth_get_pooled_encode(uint64_t id, const uint8_t (*hashes)[32], size_t n, ethp2p_rlp_writer *w)
{
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_uint(w, id);
    ethp2p_rlp_list_begin(w);
    for (size_t i = 0; i < n; i++) ethp2p_rlp_put_bytes(w, hashes[i], 32);
    ethp2p_rlp_list_end(w);
    return ethp2p_rlp_list_end(w);
}

int ethp2p_eth_response_decode(const uint8_t *data, size_t len, uint64_t *id, ethp2p_rlp_item *list)
{
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    int rc = ethp2p_rlp_decode(data, len, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (!rc) rc = ethp2p_rlp_get_uint64(&x, id);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, list);
    if (!rc && list->kind != ETHP2P_RLP_LIST) rc = ETHP2P_ERLP_EXPECTED_LIST;
    return rc;
}

int ethp2p_eth_get_pooled_decode(const uint8_t *data, size_t len, uint64_t *id, ethp2p_rlp_item *hashes, size_t *n)
{
    int rc = ethp2p_eth_response_decode(data, len, id, hashes);
    if (rc) return rc;
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    *n = 0;
    if ((rc = ethp2p_rlp_iter_list(hashes, &it))) return rc;
    while (!ethp2p_rlp_iter_done(&it)) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc;
        if (x.kind != ETHP2P_RLP_STRING || x.payload_len != 32) return ETHP2P_ERLP_WRONG_SIZE;
        (*n)++;
    }
    return 0;
}

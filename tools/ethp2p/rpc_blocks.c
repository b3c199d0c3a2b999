/*
 * eth_getBlockByNumber and eth_getBlockByHash for the blocks a node holds, in
 * the reference's shape (its RPCMarshalHeader/RPCMarshalBlock): every header
 * field read back from the stored RLP, transaction and ommer hashes, the
 * withdrawals, and the block's size. Full transaction objects are not served
 * (hashes only). What the console's banner and ethers' getBlock ask for.
 */
#include "rpc_internal.h"
#include "cli.h"
#include "ethp2p/chain.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *hexj(const uint8_t *b, size_t n)
{
    char *s = cli_hex(b, n);
    json_t *j = s ? json_string(s) : json_null();
    free(s);
    return j;
}

/* A big-endian integer as a quantity ("0x0", "0x1f", no leading zeros). */
static json_t *qtyj(const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char s[2 * 32 + 3] = "0x";
    size_t k = 2;
    int started = 0;
    for (size_t i = 0; i < n && i < 32; i++)
        for (int half = 1; half >= 0; half--) {
            int d = (b[i] >> (4 * half)) & 15;
            if (!d && !started) continue;
            started = 1;
            s[k++] = digits[d];
        }
    if (!started) s[k++] = '0';
    s[k] = '\0';
    return json_string(s);
}

static json_t *hash_of(const uint8_t *raw, size_t len)
{
    uint8_t h[32];
    ethp2p_keccak256(raw, len, h);
    return hexj(h, 32);
}

/* The header's fields, by position in its RLP list. */
static const struct { const char *name; int kind; } header_fields[] = {
    {"parentHash", 0}, {"sha3Uncles", 0}, {"miner", 0}, {"stateRoot", 0}, {"transactionsRoot", 0},
    {"receiptsRoot", 0}, {"logsBloom", 0}, {"difficulty", 1}, {"number", 1}, {"gasLimit", 1}, {"gasUsed", 1},
    {"timestamp", 1}, {"extraData", 0}, {"mixHash", 0}, {"nonce", 0}, {"baseFeePerGas", 1},
    {"withdrawalsRoot", 0}, {"blobGasUsed", 1}, {"excessBlobGas", 1}, {"parentBeaconBlockRoot", 0},
    {"requestsHash", 0},
};

static int add_header(json_t *o, const uint8_t *rlp, size_t len)
{
    ethp2p_rlp_item list, it;
    ethp2p_rlp_iter iter;
    if (ethp2p_rlp_decode(rlp, len, &list) || ethp2p_rlp_iter_list(&list, &iter)) return -1;
    json_object_set_new(o, "hash", hash_of(rlp, len));
    for (size_t i = 0; i < sizeof(header_fields) / sizeof(header_fields[0]); i++) {
        int rc = ethp2p_rlp_iter_next(&iter, &it);
        if (rc < 0) return -1;
        if (rc == 0) break; /* an older fork's header ends here */
        if (it.kind != ETHP2P_RLP_STRING) return -1;
        json_object_set_new(o, header_fields[i].name,
                            header_fields[i].kind ? qtyj(it.payload, it.payload_len) : hexj(it.payload, it.payload_len));
    }
    return 0;
}

/* Body [txs, ommers, withdrawals?]: transaction hashes, ommer hashes, withdrawal objects. */
static int add_body(json_t *o, const uint8_t *rlp, size_t len)
{
    ethp2p_rlp_item body, part, x, f;
    ethp2p_rlp_iter parts, items, fields;
    if (ethp2p_rlp_decode(rlp, len, &body) || ethp2p_rlp_iter_list(&body, &parts)) return -1;
    json_t *txs = json_array(), *uncles = json_array();
    json_object_set_new(o, "transactions", txs);
    json_object_set_new(o, "uncles", uncles);
    int rc;
    for (int k = 0; (rc = ethp2p_rlp_iter_next(&parts, &part)) == 1; k++) {
        if (ethp2p_rlp_iter_list(&part, &items)) return -1;
        json_t *withdrawals = NULL;
        if (k == 2) json_object_set_new(o, "withdrawals", withdrawals = json_array());
        while ((rc = ethp2p_rlp_iter_next(&items, &x)) == 1) {
            if (k == 0) /* typed transactions are strings holding type || payload; legacy ones lists */
                json_array_append_new(txs, x.kind == ETHP2P_RLP_STRING ? hash_of(x.payload, x.payload_len) : hash_of(x.raw, x.raw_len));
            else if (k == 1) json_array_append_new(uncles, hash_of(x.raw, x.raw_len));
            else if (k == 2) {
                static const char *const names[4] = {"index", "validatorIndex", "address", "amount"};
                json_t *w = json_object();
                if (ethp2p_rlp_iter_list(&x, &fields)) {
                    json_decref(w);
                    return -1;
                }
                for (int i = 0; i < 4 && ethp2p_rlp_iter_next(&fields, &f) == 1; i++)
                    json_object_set_new(w, names[i], i == 2 ? hexj(f.payload, f.payload_len) : qtyj(f.payload, f.payload_len));
                json_array_append_new(withdrawals, w);
            }
        }
        if (rc < 0) return -1;
    }
    return rc < 0 ? -1 : 0;
}

/* The block object, or JSON null when the block is not held (as the reference answers). */
static json_t *block_json(rpc *r, int64_t number, json_t *full, json_t **error)
{
    ethp2p_chain *c = ethp2p_node_chain(r->node);
    if (json_is_true(full)) return *error = rpc_error(RPC_E_SERVER, "full transactions are not served: ask with false"), NULL;
    size_t hl, bl;
    const uint8_t *h = c && number >= 0 ? ethp2p_chain_header_rlp(c, (uint64_t)number, &hl) : NULL;
    const uint8_t *b = h ? ethp2p_chain_body_rlp(c, (uint64_t)number, &bl) : NULL;
    if (!h) return json_null();
    json_t *o = json_object();
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *all;
    size_t alen = 0;
    if (ethp2p_chain_block_rlp(c, (uint64_t)number, &w) == 0 && ethp2p_rlp_writer_finish(&w, &all, &alen) == 0) {
        char size[24];
        snprintf(size, sizeof(size), "0x%zx", alen);
        json_object_set_new(o, "size", json_string(size));
    }
    ethp2p_rlp_writer_clear(&w);
    if (add_header(o, h, hl) || (b && add_body(o, b, bl))) {
        json_decref(o);
        return *error = rpc_error(RPC_E_SERVER, "block %lld is stored malformed", (long long)number), NULL;
    }
    if (!b) { /* genesis, or a header-only block: an empty body */
        json_object_set_new(o, "transactions", json_array());
        json_object_set_new(o, "uncles", json_array());
    }
    return o;
}

json_t *rpc_get_block_by_number(rpc *r, rpc_conn *c, json_t *params, json_t **error)
{
    (void)c;
    const char *tag = json_string_value(json_array_get(params, 0));
    ethp2p_chain *ch = ethp2p_node_chain(r->node);
    if (!tag) return *error = rpc_error(RPC_E_INVALID_PARAMS, "missing value for required argument 0"), NULL;
    int64_t number;
    if (!strcmp(tag, "latest") || !strcmp(tag, "pending") || !strcmp(tag, "safe") || !strcmp(tag, "finalized"))
        number = ch ? (int64_t)ethp2p_chain_head(ch)->number : -1;
    else if (!strcmp(tag, "earliest")) number = 0;
    else {
        char *end;
        if (strncmp(tag, "0x", 2) || !tag[2] || strlen(tag) > 18)
            return *error = rpc_error(RPC_E_INVALID_PARAMS, "invalid argument 0: hex string without 0x prefix or too long"), NULL;
        number = (int64_t)strtoull(tag + 2, &end, 16);
        if (*end || number < 0) return *error = rpc_error(RPC_E_INVALID_PARAMS, "invalid argument 0: invalid hex number"), NULL;
    }
    return block_json(r, number, json_array_get(params, 1), error);
}

json_t *rpc_get_block_by_hash(rpc *r, rpc_conn *c, json_t *params, json_t **error)
{
    (void)c;
    const char *hex = json_string_value(json_array_get(params, 0));
    uint8_t h[32];
    size_t n = 0;
    if (!hex || strlen(hex) != 66 || strncmp(hex, "0x", 2) || ethp2p_hex_decode(hex + 2, 64, h, 32, &n) || n != 32)
        return *error = rpc_error(RPC_E_INVALID_PARAMS, "invalid argument 0: expected a 32-byte hash"), NULL;
    ethp2p_chain *ch = ethp2p_node_chain(r->node);
    return block_json(r, ch ? ethp2p_chain_number_of(ch, h) : -1, json_array_get(params, 1), error);
}

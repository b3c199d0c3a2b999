/*
 * The JSON-RPC methods of `ethp2p node`, with the names, parameters, result
 * shapes and error codes of the reference client's (admin, net, web3, eth,
 * txpool, rpc), and ours (ethp2p_*). See rpc.h for the list.
 */
#include "rpc_internal.h"
#include "cli.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"
#include "ethp2p/metrics.h"

#include <stdlib.h>
#include <string.h>

#define METHOD(name) static json_t *name(rpc *r, rpc_conn *c, json_t *params, json_t **error)
#define UNUSED_ARGS (void)r, (void)c, (void)params, (void)error

static json_t *qty(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
    return json_string(s);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char *s = cli_hex(b, n);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static json_t *raw_json(const ethp2p_buffer *b)
{
    json_error_t e;
    return json_loadb((const char *)b->data, b->len, 0, &e);
}

/* Decodes params[i] as 0x-prefixed (or bare) hex into a malloc'd buffer. */
static uint8_t *hex_param(json_t *params, size_t i, size_t *len, json_t **error)
{
    const char *hex = json_string_value(json_array_get(params, i));
    if (!hex) {
        *error = json_array_size(params) <= i ? rpc_error(RPC_E_INVALID_PARAMS, "missing value for required argument %zu", i)
                                              : rpc_error(RPC_E_INVALID_PARAMS, "invalid argument %zu: expected a hex string", i);
        return NULL;
    }
    size_t tl = strlen(hex);
    uint8_t *raw = malloc(tl / 2 + 1);
    if (!raw || ethp2p_hex_decode(hex, tl, raw, tl / 2 + 1, len)) {
        free(raw);
        *error = rpc_error(RPC_E_INVALID_PARAMS, "invalid argument %zu: hex string invalid", i);
        return NULL;
    }
    return raw;
}

/* params[0] as an enode URL with an address (admin_*Peer). */
static int enode_param(json_t *params, ethp2p_enode *n, json_t **error)
{
    const char *url = json_string_value(json_array_get(params, 0));
    if (!url) {
        *error = rpc_error(RPC_E_INVALID_PARAMS, "missing value for required argument 0");
        return -1;
    }
    int rc = ethp2p_enode_parse(url, n, NULL, 0);
    if (rc) {
        *error = rpc_error(RPC_E_INVALID_PARAMS, "invalid enode: %s",
                           rc == ETHP2P_EHOSTNAME ? "a host name (give an IP address)" : ethp2p_strerror(rc));
        return -1;
    }
    return 0;
}

/* ---- admin ---- */

METHOD(admin_nodeInfo)
{
    UNUSED_ARGS;
    ethp2p_node_info ni;
    ethp2p_server_node_info(ethp2p_node_server(r->node), &ni);
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    ethp2p_node_info_json(&ni, &b);
    json_t *j = raw_json(&b);
    ethp2p_buffer_clear(&b);
    return j;
}

METHOD(admin_peers)
{
    UNUSED_ARGS;
    json_t *arr = json_array();
    ethp2p_server *srv = ethp2p_node_server(r->node);
    size_t n = ethp2p_server_peers(srv, NULL, 0);
    ethp2p_peer **ps = calloc(n ? n : 1, sizeof(*ps));
    if (!ps) return arr;
    n = ethp2p_server_peers(srv, ps, n);
    for (size_t i = 0; i < n; i++) {
        ethp2p_peer_info pi;
        ethp2p_server_peer_info(ps[i], &pi);
        ethp2p_buffer b;
        ethp2p_buffer_init(&b, 0);
        ethp2p_peer_info_json(&pi, &b);
        json_t *j = raw_json(&b);
        if (j) json_array_append_new(arr, j);
        ethp2p_buffer_clear(&b);
    }
    free(ps);
    return arr;
}

METHOD(admin_addPeer)
{
    UNUSED_ARGS;
    ethp2p_enode n;
    if (enode_param(params, &n, error)) return NULL;
    return json_boolean(ethp2p_server_add_static(ethp2p_node_server(r->node), &n) == 0);
}

METHOD(admin_removePeer)
{
    UNUSED_ARGS;
    ethp2p_enode n;
    if (enode_param(params, &n, error)) return NULL;
    (void)ethp2p_server_remove_static(ethp2p_node_server(r->node), &n.id);
    return json_true(); /* as the reference: true whether or not it was connected */
}

METHOD(admin_addTrustedPeer)
{
    UNUSED_ARGS;
    ethp2p_enode n;
    if (enode_param(params, &n, error)) return NULL;
    return json_boolean(ethp2p_server_add_trusted(ethp2p_node_server(r->node), &n.id) == 0);
}

METHOD(admin_removeTrustedPeer)
{
    UNUSED_ARGS;
    ethp2p_enode n;
    if (enode_param(params, &n, error)) return NULL;
    (void)ethp2p_server_remove_trusted(ethp2p_node_server(r->node), &n.id);
    return json_true();
}

METHOD(admin_datadir)
{
    UNUSED_ARGS;
    return json_string(r->datadir);
}

METHOD(admin_subscribe) { return rpc_subscribe(r, c, params, error); }
METHOD(admin_unsubscribe) { return rpc_unsubscribe(r, c, params, error); }

/* ---- net, web3 ---- */

METHOD(net_listening)
{
    UNUSED_ARGS;
    return json_true();
}

METHOD(net_peerCount)
{
    UNUSED_ARGS;
    return qty(ethp2p_server_peers(ethp2p_node_server(r->node), NULL, 0));
}

METHOD(net_version)
{
    UNUSED_ARGS;
    char s[24];
    snprintf(s, sizeof(s), "%llu", (unsigned long long)ethp2p_eth_get_chain(ethp2p_node_eth(r->node))->network_id);
    return json_string(s);
}

METHOD(web3_clientVersion)
{
    UNUSED_ARGS;
    char name[128];
    ethp2p_client_name(NULL, name, sizeof(name));
    return json_string(name);
}

METHOD(web3_sha3)
{
    UNUSED_ARGS;
    size_t n;
    uint8_t *raw = hex_param(params, 0, &n, error), h[32];
    if (!raw) return NULL;
    ethp2p_keccak256(raw, n, h);
    free(raw);
    return hex_json(h, 32);
}

/* ---- eth, txpool ---- */

METHOD(eth_chainId)
{
    UNUSED_ARGS;
    return qty(ethp2p_eth_get_chain(ethp2p_node_eth(r->node))->chain_id);
}

METHOD(eth_blockNumber)
{
    UNUSED_ARGS;
    ethp2p_chain *ch = ethp2p_node_chain(r->node);
    return qty(ch ? ethp2p_chain_head(ch)->number : 0);
}

METHOD(eth_getBlockByNumber) { return rpc_get_block_by_number(r, c, params, error); }
METHOD(eth_getBlockByHash) { return rpc_get_block_by_hash(r, c, params, error); }

METHOD(eth_syncing)
{
    UNUSED_ARGS;
    return json_false(); /* no state sync here: the chain follows what it is given */
}

METHOD(eth_sendRawTransaction)
{
    UNUSED_ARGS;
    size_t n;
    uint8_t *raw = hex_param(params, 0, &n, error), h[32];
    if (!raw) return NULL;
    int rc = ethp2p_node_submit(r->node, raw, n, h);
    free(raw);
    if (rc) {
        *error = rpc_error(RPC_E_SERVER, "invalid transaction: %s", rc == ETHP2P_EINVAL ? "wrong chain ID" : ethp2p_tx_error_name(rc));
        return NULL;
    }
    return hex_json(h, 32);
}

METHOD(txpool_status)
{
    UNUSED_ARGS;
    return json_pack("{s:o,s:o}", "pending", qty(ethp2p_txpool_len(ethp2p_eth_pool(ethp2p_node_eth(r->node)))), "queued", qty(0));
}

/* ---- ethp2p ---- */

METHOD(ethp2p_submitBlock)
{
    UNUSED_ARGS;
    size_t n;
    uint8_t *raw = hex_param(params, 0, &n, error);
    if (!raw) return NULL;
    int rc = ethp2p_node_submit_block(r->node, raw, n);
    free(raw);
    if (rc) {
        *error = rpc_error(RPC_E_SERVER, "block not imported: %s",
                           rc == ETHP2P_EINVAL ? "this network has no chain here" : ethp2p_chain_error_name(rc));
        return NULL;
    }
    return json_true();
}

METHOD(ethp2p_stats)
{
    UNUSED_ARGS;
    ethp2p_eth *eth = ethp2p_node_eth(r->node);
    const ethp2p_eth_stats *st = ethp2p_eth_get_stats(eth);
    json_t *o = json_object();
#define F(x) json_object_set_new(o, #x, json_integer((json_int_t)st->x))
    F(txs_new); F(txs_local); F(txs_dup); F(txs_invalid); F(full_in); F(full_out); F(announced_in);
    F(announced_out); F(fetch_requests); F(fetch_timeouts); F(fetched); F(dup_full_same_peer);
    F(queue_drops); F(peers_dropped); F(blocks_new); F(blocks_in); F(blocks_out); F(block_hashes_out);
    F(block_fetches); F(blocks_waiting); F(blocks_waiting_bytes);
#undef F
    json_object_set_new(o, "eth_peers", json_integer((json_int_t)ethp2p_eth_peer_count(eth)));
    json_object_set_new(o, "peers", json_integer((json_int_t)ethp2p_server_peers(ethp2p_node_server(r->node), NULL, 0)));
    return o;
}

METHOD(ethp2p_metrics)
{
    UNUSED_ARGS;
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    ethp2p_node_metrics(r->node, &b);
    rpc_metrics(r, &b);
    json_t *j = json_stringn((const char *)b.data, b.len);
    ethp2p_buffer_clear(&b);
    return j;
}

/* ---- rpc ---- */

METHOD(rpc_modules)
{
    UNUSED_ARGS;
    json_t *o = json_object();
    for (size_t i = 0; i < RPC_NMODULES; i++)
        if (c->modules & rpc_module_names[i].bit) json_object_set_new(o, rpc_module_names[i].name, json_string("1.0"));
    return o;
}

#define M(mod, name) {#name, mod, name}
const rpc_method rpc_methods[] = {
    M(RPC_ADMIN, admin_nodeInfo), M(RPC_ADMIN, admin_peers), M(RPC_ADMIN, admin_addPeer), M(RPC_ADMIN, admin_removePeer),
    M(RPC_ADMIN, admin_addTrustedPeer), M(RPC_ADMIN, admin_removeTrustedPeer), M(RPC_ADMIN, admin_datadir),
    M(RPC_ADMIN, admin_subscribe), M(RPC_ADMIN, admin_unsubscribe), M(RPC_NET, net_listening), M(RPC_NET, net_peerCount),
    M(RPC_NET, net_version), M(RPC_WEB3, web3_clientVersion), M(RPC_WEB3, web3_sha3), M(RPC_ETH, eth_chainId),
    M(RPC_ETH, eth_blockNumber), M(RPC_ETH, eth_syncing), M(RPC_ETH, eth_getBlockByNumber), M(RPC_ETH, eth_getBlockByHash), M(RPC_ETH, eth_sendRawTransaction), M(RPC_TXPOOL, txpool_status),
    M(RPC_ETHP2P, ethp2p_submitBlock), M(RPC_ETHP2P, ethp2p_stats), M(RPC_ETHP2P, ethp2p_metrics), M(RPC_RPC, rpc_modules),
    {NULL, 0, NULL},
};

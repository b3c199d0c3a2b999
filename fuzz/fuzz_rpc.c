/*
 * Fuzzes the JSON-RPC core with request texts as a client sends them over IPC
 * or HTTP: parsing, batches, notifications, every method and its parameters,
 * against a running node (devnet chain, pool, server listening on loopback;
 * its dials are restricted to 127.0.0.0/8, so admin_addPeer never reaches out).
 * Every answer must be valid JSON; nothing may crash or leak. The loop runs
 * after each request so that what a method started (dials, relays) happens.
 */
#include "ethp2p/genesis.h"
#include "ethp2p/key.h"
#include "ethp2p/log.h"
#include "ethp2p/node.h"
#include "rpc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static uv_loop_t *loop;
static ethp2p_node *node;
static rpc *server;
static ethp2p_netlist loopback;
static ethp2p_genesis_info gi;

static void setup(void)
{
    ethp2p_log_set_level(0); /* quiet: the output is the fuzzer's */
    loop = uv_default_loop();
    ethp2p_node_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    char err[256];
    const char *g = ethp2p_devnet_genesis();
    if (ethp2p_genesis_parse(g, strlen(g), &cfg.chain, &gi, err, sizeof(err))) abort();
    cfg.genesis_header = gi.header;
    cfg.genesis_header_len = gi.header_len;
    memset(cfg.server.key.b, 0x11, 32);
    cfg.server.client_name = "fuzz_rpc";
    if (ethp2p_ip_parse("127.0.0.1", &cfg.server.listen_ip)) abort();
    cfg.server.no_discovery = 1;
    cfg.server.max_peers = 8;
    if (ethp2p_netlist_parse("127.0.0.0/8", &loopback)) abort();
    cfg.server.netrestrict = &loopback;
    if (ethp2p_node_start(loop, &cfg, &node, err, sizeof(err))) abort();
    rpc_config rc;
    memset(&rc, 0, sizeof(rc));
    rc.datadir = "/nonexistent";
    if (!(server = rpc_start(loop, node, &rc))) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!loop) setup();
    if (size > 1024 * 1024) return 0;
    char *out = rpc_handle_text(server, (const char *)data, size);
    if (out) {
        json_error_t e;
        json_t *v = json_loads(out, JSON_DECODE_ANY, &e);
        if (!v) abort(); /* we answered something that is not JSON */
        if (!json_is_object(v) && !json_is_array(v)) abort();
        json_decref(v);
        free(out);
    }
    uv_run(loop, UV_RUN_NOWAIT);
    return 0;
}

/*
 * Fuzzes the eth handler with what a peer can send after its Status: every
 * input is [code byte][payload], delivered to a peer of a handler that has a
 * chain (a pre-merge devnet) and a pool, and then the timers run. Nothing may
 * crash, leak or grow without bound; a peer that is dropped stays dropped.
 * Also exercised: Status, genesis.json (integers of any size), block decoding
 * and the header rules with the same bytes.
 */
#include "ethp2p/eth_handler.h"
#include "ethp2p/genesis.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_genesis_info gi;
static ethp2p_chain_config cc;
static int ready;
static size_t sent;

static int on_send(void *ctx, void *peer, uint64_t code, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)peer;
    (void)code;
    (void)d;
    sent += n;
    return 0;
}
static void on_drop(void *ctx, void *peer, int reason)
{
    (void)ctx;
    (void)peer;
    (void)reason;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) {
        char err[64];
        if (ethp2p_genesis_parse(ethp2p_devnet_genesis(), strlen(ethp2p_devnet_genesis()), &cc, &gi, err, sizeof(err)))
            abort();
        ready = 1;
    }
    if (size < 1) return 0;
    ethp2p_chain *chain = ethp2p_chain_new(gi.header, gi.header_len);
    ethp2p_chain_set_config(chain, &cc);
    ethp2p_eth_config c;
    memset(&c, 0, sizeof(c));
    c.broadcast_key[0] = 1; /* fixed: a run replays the same choices */
    c.chain = cc;
    c.send = on_send;
    c.disconnect = on_drop;
    c.blocks = chain;
    ethp2p_eth *e = ethp2p_eth_new(&c);
    uint32_t version = 66 + data[0] % 4;
    uint8_t id[32] = {1};
    int handle;
    ethp2p_eth_peer *p = ethp2p_eth_peer_add(e, &handle, id, version, 1000);
    /* Its Status first (ours mirrored), then the fuzz input as one message. */
    ethp2p_eth_status st;
    ethp2p_eth_our_status(e, version, &st);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *sd;
    size_t sl;
    if (ethp2p_eth_status_encode(&st, &w) || ethp2p_rlp_writer_finish(&w, &sd, &sl)) abort();
    ethp2p_eth_receive(e, p, ETHP2P_ETH_STATUS, sd, sl, 1000);
    ethp2p_rlp_writer_clear(&w);
    uint64_t code = (uint64_t)(data[0] >> 2) % 18;
    ethp2p_eth_receive(e, p, code, data + 1, size - 1, 1001);
    ethp2p_eth_tick(e, 2000);
    ethp2p_eth_tick(e, 20000);
    /* The same bytes through the stand-alone decoders. */
    ethp2p_eth_status s2;
    (void)ethp2p_eth_status_decode(data + 1, size - 1, version, &s2);
    ethp2p_block b;
    if (ethp2p_block_decode(data + 1, size - 1, &b) == 0) {
        const ethp2p_header *parent = ethp2p_chain_head(chain);
        uint8_t td[32];
        ethp2p_chain_td(chain, td);
        (void)ethp2p_header_verify(&cc, parent, td, &b.header);
        (void)ethp2p_header_verify(NULL, &b.header, td, parent);
    }
    ethp2p_chain_config c2;
    ethp2p_genesis_info g2;
    char err[64];
    if (ethp2p_genesis_parse((const char *)data + 1, size - 1, &c2, &g2, err, sizeof(err)) == 0)
        ethp2p_genesis_info_clear(&g2);
    ethp2p_eth_peer_remove(e, p);
    ethp2p_eth_free(e);
    ethp2p_chain_free(chain);
    return 0;
}

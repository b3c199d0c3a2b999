/* The eth tests' hand-wired handlers; see eth_harness.h. */
#include "eth_harness.h"

#include <stdlib.h>
#include <string.h>

side S[SIDES];
ethp2p_chain *chains[SIDES];
ethp2p_eth_peer *view[SIDES][SIDES];
msg box[BOX];
size_t nbox;

/* ctx is the sending side; the peer handle is the side it sends to. */
static int h_send(void *ctx, void *peer, uint64_t code, const uint8_t *d, size_t n)
{
    int from = (int)((side *)ctx - S), to = (int)((side *)peer - S);
    if (S[to].busy) return ETHP2P_EBUSY;
    assert_true(nbox < BOX);
    msg *m = &box[nbox++];
    m->from = from;
    m->to = to;
    m->code = code;
    m->data = malloc(n + 1);
    memcpy(m->data, d, n);
    m->len = n;
    return 0;
}

static void h_disconnect(void *ctx, void *peer, int reason)
{
    (void)peer;
    side *me = ctx;
    me->dropped = 1;
    me->reason = reason;
}

static void h_ready(void *ctx, void *peer, const ethp2p_eth_status *st)
{
    (void)peer;
    (void)st;
    ((side *)ctx)->ready = 1;
}

static void h_tx(void *ctx, void *peer, const ethp2p_tx *tx, int how)
{
    (void)peer;
    (void)tx;
    (void)how;
    ((side *)ctx)->txs++;
}

static void h_block(void *ctx, void *peer, const ethp2p_header *h, int how)
{
    (void)peer;
    (void)h;
    (void)how;
    ((side *)ctx)->blocks++;
}

void make_side(int i, const ethp2p_chain_config *c)
{
    memset(&S[i], 0, sizeof(S[i]));
    ethp2p_eth_config ec;
    memset(&ec, 0, sizeof(ec));
    ec.chain = *c;
    ec.self_id[0] = (uint8_t)i;
    ec.broadcast_key[0] = (uint8_t)(i + 1); /* fixed: the same peers get pushes on every run */
    ec.head_time = 2000000000;
    ec.ctx = &S[i];
    ec.send = h_send;
    ec.disconnect = h_disconnect;
    ec.on_ready = h_ready;
    ec.on_tx = h_tx;
    ec.blocks = chains[i];
    ec.on_block = h_block;
    S[i].eth = ethp2p_eth_new(&ec);
    assert_non_null(S[i].eth);
}

void connect_sides(int a, int b, uint32_t version)
{
    uint8_t ida[32] = {(uint8_t)a}, idb[32] = {(uint8_t)b};
    view[a][b] = ethp2p_eth_peer_add(S[a].eth, &S[b], idb, version, T0);
    view[b][a] = ethp2p_eth_peer_add(S[b].eth, &S[a], ida, version, T0);
}

void deliver(uint64_t now)
{
    size_t n = nbox;
    nbox = 0; /* handlers answer into a fresh box */
    static msg batch[BOX];
    memcpy(batch, box, n * sizeof(msg));
    for (size_t i = 0; i < n; i++) {
        msg *m = &batch[i];
        if (view[m->to][m->from] && !S[m->to].dropped)
            ethp2p_eth_receive(S[m->to].eth, view[m->to][m->from], m->code, m->data, m->len, now);
        free(m->data);
    }
}

void lose_all(void)
{
    for (size_t i = 0; i < nbox; i++) free(box[i].data);
    nbox = 0;
}

void reset_sides(void)
{
    lose_all();
    memset(view, 0, sizeof(view));
}

void make_pair(uint32_t version, const ethp2p_chain_config *ca, const ethp2p_chain_config *cb)
{
    reset_sides();
    make_side(0, ca);
    make_side(1, cb);
    connect_sides(0, 1, version);
}

void free_sides(int n)
{
    deliver(T0); /* drain */
    lose_all();  /* what the drain itself produced */
    for (int i = 0; i < n; i++) ethp2p_eth_free(S[i].eth);
    memset(view, 0, sizeof(view));
}

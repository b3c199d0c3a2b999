/*
 * bench_eth: transactions relayed per second through one node's eth handler
 * on one core. A peer delivers Transactions messages (100 new transactions
 * each); the handler decodes every transaction, recovers its sender, pools it,
 * chooses the direct peers and queues pushes and announcements for the other
 * 24 peers, and the sends are encoded (into a discarding sink). The bound is
 * what the unavoidable work costs, measured in the same run: one public-key
 * recovery, three Keccaks (the signing hash, the sender's address from the
 * recovered key, the transaction hash), and one keyed SipHash of 28 bytes per
 * peer for the direct-peer choice.
 * Then the same transactions again from the other peers, as a relay gets most
 * of them: already pooled, they cost a hash, not a recovery (bound: one
 * Keccak per transaction).
 * --quick runs a fraction of the time (the smoke run in `make test`).
 */
#include "bench_util.h"
#include "ethp2p/eth_handler.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEERS 25
#define PER_MSG 100

static double budget = 1.0;
static ethp2p_eth *eth;
static ethp2p_eth_peer *peers[PEERS];
static int handles[PEERS];
static uint64_t sent_bytes, now = 1000;
static ethp2p_chain_config chain;

static int sink(void *ctx, void *peer, uint64_t code, const uint8_t *d, size_t n)
{
    (void)ctx;
    (void)peer;
    (void)code;
    (void)d;
    sent_bytes += n;
    return 0;
}
static void no_disconnect(void *ctx, void *peer, int reason)
{
    (void)ctx;
    (void)peer;
    fprintf(stderr, "bench_eth: peer dropped (reason %d)\n", reason);
    abort();
}

/* A ready-made stream of Transactions messages with distinct transactions. */
static uint8_t **msgs;
static size_t *msg_len, nmsgs, next_msg;

static void make_messages(size_t n)
{
    msgs = calloc(n, sizeof(*msgs));
    msg_len = calloc(n, sizeof(*msg_len));
    ethp2p_buffer tx;
    ethp2p_buffer_init(&tx, 0);
    uint8_t to[20] = {7};
    for (size_t m = 0; m < n; m++) {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        ethp2p_rlp_list_begin(&w);
        for (int i = 0; i < PER_MSG; i++) {
            ethp2p_privkey k;
            memset(k.b, 0, 32);
            k.b[31] = (uint8_t)(1 + i % 50);
            ethp2p_buffer_reset(&tx);
            if (ethp2p_tx_make_transfer(&k, chain.chain_id, m * PER_MSG + (size_t)i, to, 1, NULL, 0, &tx)) abort();
            ethp2p_rlp_put_bytes(&w, tx.data, tx.len);
        }
        ethp2p_rlp_list_end(&w);
        const uint8_t *d;
        if (ethp2p_rlp_writer_finish(&w, &d, &msg_len[m])) abort();
        msgs[m] = malloc(msg_len[m]);
        memcpy(msgs[m], d, msg_len[m]);
        ethp2p_rlp_writer_clear(&w);
    }
    ethp2p_buffer_clear(&tx);
    nmsgs = n;
}

static void setup_handler(void)
{
    if (eth) ethp2p_eth_free(eth);
    ethp2p_eth_config c;
    memset(&c, 0, sizeof(c));
    c.chain = chain;
    c.self_id[0] = 1;
    c.pool_max_txs = 1u << 20;
    c.pool_max_bytes = 1u << 30;
    c.send = sink;
    c.disconnect = no_disconnect;
    eth = ethp2p_eth_new(&c);
    /* Each peer completes its Status. */
    ethp2p_eth_status st;
    ethp2p_eth_our_status(eth, 68, &st);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    if (ethp2p_eth_status_encode(&st, &w)) abort();
    const uint8_t *d;
    size_t n;
    if (ethp2p_rlp_writer_finish(&w, &d, &n)) abort();
    for (int i = 0; i < PEERS; i++) {
        uint8_t id[32] = {(uint8_t)(i + 2), 0x55};
        peers[i] = ethp2p_eth_peer_add(eth, &handles[i], id, 68, now);
        ethp2p_eth_receive(eth, peers[i], ETHP2P_ETH_STATUS, d, n, now);
    }
    ethp2p_rlp_writer_clear(&w);
    next_msg = 0;
}

static void do_relay(void *arg)
{
    (void)arg;
    if (next_msg == nmsgs) setup_handler(); /* fresh pool: every transaction is new again */
    ethp2p_eth_receive(eth, peers[0], ETHP2P_ETH_TRANSACTIONS, msgs[next_msg], msg_len[next_msg], now);
    next_msg++;
    now++;
    ethp2p_eth_tick(eth, now);
}

/* One direct-peer score: SipHash-2-4 of a peer's 8-byte seed and a sender. */
static void do_siphash(void *arg)
{
    static uint8_t in[28], key[16], out[8];
    (void)arg;
    in[0]++;
    (void)crypto_shorthash_siphash24(out, in, sizeof(in), key);
    key[0] ^= out[0];
}

/* The pool holds every message's transactions; the other peers deliver them again. */
static size_t dup_round;
static int only_duplicates; /* --duplicates: that benchmark alone (to profile it) */
static int only_relay;      /* --relay: the relay alone */
static void do_duplicate(void *arg)
{
    (void)arg;
    if (next_msg == nmsgs) next_msg = 0, dup_round++;
    ethp2p_eth_receive(eth, peers[1 + dup_round % (PEERS - 1)], ETHP2P_ETH_TRANSACTIONS, msgs[next_msg], msg_len[next_msg], now);
    next_msg++;
    now++;
    ethp2p_eth_tick(eth, now);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) budget = 0.05;
        else if (strcmp(argv[i], "--duplicates") == 0) only_duplicates = 1;
        else if (strcmp(argv[i], "--relay") == 0) only_relay = 1;
        else {
            fprintf(stderr, "usage: bench_eth [--quick] [--duplicates | --relay]\n");
            return 2;
        }
    }
    printf("# bench_eth (ethp2p %s)%s: one handler, %d peers, Transactions of %d new transactions\n", ethp2p_version(),
           budget < 1 ? " [quick]" : "", PEERS, PER_MSG);
    if (ethp2p_chain_builtin("devnet", &chain)) return 1;
    make_messages(budget < 1 ? 20 : 200);
    setup_handler();
    double t_recover = bench_recover_seconds(budget);
    double t_keccak = bench_keccak_seconds(120, budget); /* a transfer's size */
    double t_sip = bench_run(do_siphash, NULL, budget, 3);
    double t_msg = only_duplicates ? 1 : bench_run(do_relay, NULL, budget, 3);
    double per_tx = t_msg / PER_MSG;
    /* Unavoidable per transaction: recovery + 3 Keccaks + one SipHash per peer (direct choice). */
    double bound = 1.0 / (t_recover + 3 * t_keccak + PEERS * t_sip);
    bench_row("eth transactions relayed (decode+recover+pool+broadcast)", 1 / per_tx, "tx/s", bound,
              "1 recovery + 3 keccak + 25 siphash per tx");
    printf("  (sends encoded: %.1f MiB)\n", (double)sent_bytes / 1048576.0);
    if (only_relay) return 0;
    setup_handler();
    while (next_msg < nmsgs) do_relay(NULL); /* all pooled */
    next_msg = 0;
    uint64_t dups0 = ethp2p_eth_get_stats(eth)->txs_dup;
    double t_dup = bench_run(do_duplicate, NULL, budget, 3) / PER_MSG;
    if (ethp2p_eth_get_stats(eth)->txs_dup == dups0 || ethp2p_eth_get_stats(eth)->txs_new != nmsgs * PER_MSG) {
        fprintf(stderr, "bench_eth: duplicates were not recognised as such\n");
        return 1;
    }
    bench_row("eth duplicate transactions absorbed (already pooled)", 1 / t_dup, "tx/s", 1.0 / t_keccak,
              "1 keccak per tx");
    /* eth state per idle peer (after its Status), on top of the RLPx connection's. */
    ethp2p_eth_free(eth);
    eth = NULL;
    setup_handler();
    size_t n = budget < 1 ? 100 : 2000;
    static int more[2000];
    ethp2p_eth_status st;
    ethp2p_eth_our_status(eth, 68, &st);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *d;
    size_t dl;
    if (ethp2p_eth_status_encode(&st, &w) || ethp2p_rlp_writer_finish(&w, &d, &dl)) return 1;
    struct mallinfo2 before = mallinfo2();
    for (size_t i = 0; i < n; i++) {
        uint8_t id[32] = {(uint8_t)i, (uint8_t)(i >> 8), 0x77};
        ethp2p_eth_peer *p = ethp2p_eth_peer_add(eth, &more[i], id, 68, now);
        ethp2p_eth_receive(eth, p, ETHP2P_ETH_STATUS, d, dl, now);
    }
    struct mallinfo2 after = mallinfo2();
    ethp2p_rlp_writer_clear(&w);
    bench_row("eth state per idle peer (heap, after Status)", (double)(after.uordblks - before.uordblks) / (double)n / 1024,
              "KiB", 32, "target with RLPx: under 32 KiB");
    ethp2p_eth_free(eth);
    for (size_t i = 0; i < nmsgs; i++) free(msgs[i]);
    free(msgs);
    free(msg_len);
    return 0;
}

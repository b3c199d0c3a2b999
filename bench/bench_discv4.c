/*
 * bench_discv4: how fast discovery handles packets on one core, beside the
 * bound computed in the same run from the primitives it cannot avoid:
 *   verify a packet  = keccak256 of the packet (hash check) + keccak256 of the
 *                      signed part + one public-key recovery;
 *   answer a Ping    = verify + encode and sign a Pong (keccak x2 + sign).
 * --quick runs each for a fraction of the time (the smoke run in `make test`).
 */
#include "bench_util.h"
#include "discover/discv4_internal.h"
#include "ethp2p/discv4.h"
#include "ethp2p/keccak.h"
#include "ethp2p/v4wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1800000000000ULL

static double budget = 1.0;

typedef struct sample {
    uint8_t buf[ETHP2P_V4_MAX_PACKET];
    size_t len;
} sample;

static sample samples[64];
static size_t nsamples, cursor;
static ethp2p_v4_packet pkt;

static void do_decode(void *arg)
{
    sample *s = &samples[cursor++ % nsamples];
    ethp2p_v4_meta meta;
    if (ethp2p_v4_decode(s->buf, s->len, &pkt, &meta)) abort();
}

/* Handling Pings end to end through the core: decode, verify, answer. */
static ethp2p_discv4 *core;
static void discard(void *ctx, const ethp2p_udp_addr *to, const uint8_t *d, size_t n) {}
static void do_handle_ping(void *arg)
{
    sample *s = &samples[cursor++ % 16]; /* the first 16 samples are Pings */
    ethp2p_udp_addr from = {{4, {10, 0, 0, 2}}, 30303};
    ethp2p_discv4_handle_packet(core, &from, s->buf, s->len, T0);
}

static void make_samples(void)
{
    /* 16 Pings, 16 FindNodes, 16 Neighbours (12 nodes each), 16 Pongs from 64 keys. */
    for (int i = 0; i < 64; i++) {
        ethp2p_privkey k;
        ethp2p_pubkey pub;
        memset(k.b, i + 1, 32);
        if (ethp2p_privkey_to_pubkey(&k, &pub)) abort();
        memset(&pkt, 0, sizeof(pkt));
        pkt.expiration = T0 / 1000 + 20;
        switch (i / 16) {
        case 0:
            pkt.type = ETHP2P_V4_PING;
            pkt.u.ping.version = 4;
            pkt.u.ping.from = (ethp2p_v4_endpoint){{4, {10, 0, 0, 2}}, 30303, 30303};
            pkt.u.ping.to = (ethp2p_v4_endpoint){{4, {10, 0, 0, 1}}, 30303, 30303};
            pkt.u.ping.has_enr_seq = 1;
            pkt.u.ping.enr_seq = 7;
            break;
        case 1:
            pkt.type = ETHP2P_V4_FINDNODE;
            pkt.u.findnode.target = pub;
            break;
        case 2:
            pkt.type = ETHP2P_V4_NEIGHBOURS;
            pkt.u.neighbours.count = 12;
            for (int n = 0; n < 12; n++)
                pkt.u.neighbours.nodes[n] = (ethp2p_v4_neighbour){{{4, {1, 2, 3, (uint8_t)n}}, 30303, 30303}, pub};
            break;
        default:
            pkt.type = ETHP2P_V4_PONG;
            memset(pkt.u.pong.ping_hash, i, 32);
            break;
        }
        if (ethp2p_v4_encode(&k, &pkt, samples[i].buf, &samples[i].len, NULL)) abort();
    }
    nsamples = 64;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) budget = 0.03;
        else {
            fprintf(stderr, "usage: bench_discv4 [--quick]\n");
            return 2;
        }
    }
    printf("# ethp2p %s discv4 benchmark (one core; bounds from primitives measured in this run)%s\n",
           ethp2p_version(), budget < 1 ? " [quick]" : "");
    make_samples();
    size_t total = 0;
    for (size_t i = 0; i < nsamples; i++) total += samples[i].len;
    double t_keccak = bench_keccak_seconds(total / nsamples, budget); /* a packet of average size */
    double t_recover = bench_recover_seconds(budget);
    double t_sign = bench_sign_seconds(budget);
    double t_decode = bench_run(do_decode, NULL, budget, 3);
    double verify_bound = 1 / (2 * t_keccak + t_recover);
    printf("# mean packet %zu bytes; keccak %.2f us, recover %.1f us, sign %.1f us\n", total / nsamples,
           t_keccak * 1e6, t_recover * 1e6, t_sign * 1e6);
    bench_row("discv4 packets verified (decode+hash+recover)", 1 / t_decode, "pkt/s", verify_bound,
              "2 keccak + recover");

    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.ip = (ethp2p_ip){4, {10, 0, 0, 1}};
    cfg.udp_port = cfg.tcp_port = 30303;
    cfg.no_background = 1;
    cfg.send = discard;
    if (!(core = ethp2p_discv4_new(&cfg, T0))) abort();
    /* First contact: an unknown pinger gets a Pong and a Ping back (two signatures). */
    cursor = 0;
    double t_first = bench_run(do_handle_ping, NULL, budget, 3);
    bench_row("discv4 Pings from strangers (Pong + Ping back)", 1 / t_first, "pkt/s",
              1 / (6 * t_keccak + t_recover + 2 * t_sign), "6 keccak + recover + 2 sign");
    /* Steady state: the pinger proved its endpoint, one Pong answers. */
    ethp2p_discv4_free(core);
    if (!(core = ethp2p_discv4_new(&cfg, T0))) abort();
    for (int i = 0; i < 16; i++) {
        ethp2p_v4_meta meta;
        if (ethp2p_v4_decode(samples[i].buf, samples[i].len, &pkt, &meta)) abort();
        ethp2p_ip ip = {4, {10, 0, 0, 2}};
        bond_entry *b = discv4_bond(core, &meta.sender_id, &ip, 1);
        b->last_pong_s = bond_secs(T0);
    }
    cursor = 0;
    double t_ping = bench_run(do_handle_ping, NULL, budget, 3);
    bench_row("discv4 Pings from bonded nodes (verify + Pong)", 1 / t_ping, "pkt/s",
              1 / (4 * t_keccak + t_recover + t_sign), "4 keccak + recover + sign");
    ethp2p_discv4_free(core);
    return 0;
}

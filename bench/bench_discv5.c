/*
 * bench_discv5: how fast discv5 handles packets on one core, beside bounds
 * computed in the same run from the primitives each packet cannot avoid:
 *   a PING in a session, answered: unmask the header (AES-128 key schedule +
 *     CTR over the header), open the message (AES-GCM), then the same two for
 *     the PONG going out;
 *   a handshake answered: the above plus one ECDH (the session keys), one
 *     signature check (the identity proof) and one more (the sender's record).
 * --quick runs each for a fraction of the time (the smoke run in `make test`).
 */
#include "bench_util.h"
#include "ethp2p/discv5.h"

#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/gcm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1000000ULL
#define NPKT 64
#define NHS 200

static double budget = 1.0;

typedef struct captured {
    uint8_t data[ETHP2P_V5_MAX_PACKET];
    size_t len;
    ethp2p_udp_addr from;
} captured;

static captured out_box[NHS * 4];
static size_t nout;

static void capture(void *ctx, const ethp2p_udp_addr *to, const uint8_t *p, size_t len)
{
    (void)to;
    if (nout < sizeof(out_box) / sizeof(out_box[0])) {
        memcpy(out_box[nout].data, p, len);
        out_box[nout].len = len;
        out_box[nout].from = *(const ethp2p_udp_addr *)ctx;
        nout++;
    }
}

static ethp2p_discv5 *make(uint8_t keybyte, ethp2p_udp_addr *addr, ethp2p_enr *rec)
{
    ethp2p_discv5_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, keybyte, 32);
    cfg.key.b[0] = 0x11;
    ethp2p_enr_init(rec);
    rec->seq = 1;
    if (ethp2p_enr_set_ip(rec, &addr->ip) || ethp2p_enr_set_port(rec, "udp", addr->port) || ethp2p_enr_sign(rec, &cfg.key))
        abort();
    cfg.record = rec;
    cfg.send = capture;
    cfg.ctx = addr;
    cfg.seed = keybyte;
    ethp2p_discv5 *d = ethp2p_discv5_new(&cfg);
    if (!d) abort();
    return d;
}

static ethp2p_discv5 *server;
static ethp2p_udp_addr client_addr = {{4, {127, 0, 0, 2}}, 40001}, server_addr = {{4, {127, 0, 0, 1}}, 40000};
static captured pings[NPKT];
static size_t cursor;

static void pong_cb(void *arg, int err, uint64_t seq, const ethp2p_udp_addr *seen)
{
    (void)arg;
    (void)err;
    (void)seq;
    (void)seen;
}

static void do_ping(void *arg)
{
    (void)arg;
    captured *c = &pings[cursor++ % NPKT];
    nout = 0;
    (void)ethp2p_discv5_handle_packet(server, &client_addr, c->data, c->len, T0);
}

/* The crypto a PING in a session cannot avoid, in and out. */
static uint8_t hdr[55], msg[40], tmp[64];
static void do_bound(void *arg)
{
    (void)arg;
    for (int dir = 0; dir < 2; dir++) {
        struct aes128_ctx aes;
        uint8_t ctr[16] = {0};
        aes128_set_encrypt_key(&aes, hdr);
        ctr_crypt(&aes, (nettle_cipher_func *)aes128_encrypt, 16, ctr, sizeof(hdr), tmp, hdr);
        struct gcm_aes128_ctx g;
        gcm_aes128_set_key(&g, hdr);
        gcm_aes128_set_iv(&g, 12, hdr);
        gcm_aes128_update(&g, 16 + sizeof(hdr), tmp);
        gcm_aes128_decrypt(&g, 16, tmp, msg);
        gcm_aes128_digest(&g, 16, tmp);
    }
}

static ethp2p_privkey k1;
static ethp2p_pubkey p1;
static uint8_t h32[32], sig64[64];
static void do_ecdh(void *arg)
{
    (void)arg;
    uint8_t s[33];
    if (ethp2p_ecdh_compressed(&k1, &p1, s)) abort();
}
static void do_verify(void *arg)
{
    (void)arg;
    if (ethp2p_verify_compact(&p1, h32, sig64)) abort();
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) budget = 0.03;
        else {
            fprintf(stderr, "usage: bench_discv5 [--quick]\n");
            return 2;
        }
    }
    printf("# ethp2p %s discv5 benchmark (one core; bounds from primitives measured in this run)%s\n",
           ethp2p_version(), budget < 1 ? " [quick]" : "");
    ethp2p_enr srec, crec;
    server = make(0x41, &server_addr, &srec);
    ethp2p_discv5 *client = make(0x42, &client_addr, &crec);
    /* A session: the client's first PING goes through the handshake. */
    nout = 0;
    if (ethp2p_discv5_ping(client, &srec, T0, pong_cb, NULL)) abort();
    for (int round = 0; round < 4 && nout; round++) {
        captured c = out_box[0];
        nout = 0;
        ethp2p_discv5 *to = c.from.port == client_addr.port ? server : client;
        (void)ethp2p_discv5_handle_packet(to, &c.from, c.data, c.len, T0);
    }
    if (ethp2p_discv5_get_stats(server)->handshakes_done != 1) abort();
    /* 64 PINGs in that session. */
    for (int i = 0; i < NPKT; i++) {
        nout = 0;
        if (ethp2p_discv5_ping(client, &srec, T0, pong_cb, NULL) || nout != 1) abort();
        pings[i] = out_box[0];
    }
    memset(k1.b, 0x33, 32);
    if (ethp2p_privkey_to_pubkey(&k1, &p1) || ethp2p_sign_compact(&k1, h32, sig64)) abort();
    double t_bound = bench_run(do_bound, NULL, budget, 3);
    double t_ecdh = bench_run(do_ecdh, NULL, budget, 3);
    double t_verify = bench_run(do_verify, NULL, budget, 3);
    double t_ping = bench_run(do_ping, NULL, budget, 3);
    printf("# per PING in+out: AES and GCM %.2f us; ECDH %.1f us; signature check %.1f us\n", t_bound * 1e6,
           t_ecdh * 1e6, t_verify * 1e6);
    bench_row("discv5 PINGs in a session (open + PONG)", 1 / t_ping, "pkt/s", 1 / t_bound, "2 AES-CTR masks + 2 AES-GCM");
    /* Handshakes: NHS clients, each from its own address, each answered once. */
    ethp2p_discv5 *fresh = make(0x41, &server_addr, &srec);
    static captured hs[NHS];
    for (int i = 0; i < NHS; i++) {
        ethp2p_udp_addr *a = calloc(1, sizeof(*a));
        *a = (ethp2p_udp_addr){{4, {127, 1, (uint8_t)(i >> 8), (uint8_t)i}}, 40002};
        ethp2p_enr r;
        ethp2p_discv5 *c = make((uint8_t)(0x50 + i % 100), a, &r);
        nout = 0;
        if (ethp2p_discv5_ping(c, &srec, T0, pong_cb, NULL)) abort();
        captured first = out_box[0];
        nout = 0;
        (void)ethp2p_discv5_handle_packet(fresh, &first.from, first.data, first.len, T0); /* WHOAREYOU */
        captured way = out_box[0];
        nout = 0;
        (void)ethp2p_discv5_handle_packet(c, &server_addr, way.data, way.len, T0); /* the handshake */
        hs[i] = out_box[0];
        ethp2p_discv5_free(c);
        free(a);
    }
    double t0 = bench_now();
    for (int i = 0; i < NHS; i++) {
        nout = 0;
        (void)ethp2p_discv5_handle_packet(fresh, &hs[i].from, hs[i].data, hs[i].len, T0);
    }
    double t_hs = (bench_now() - t0) / NHS;
    if (ethp2p_discv5_get_stats(fresh)->handshakes_done != NHS) abort();
    bench_row("discv5 handshakes answered (keys + proof + record)", 1 / t_hs, "hs/s",
              1 / (t_ecdh + 2 * t_verify + t_bound), "ECDH + 2 signature checks + AES/GCM");
    ethp2p_discv5_free(fresh);
    ethp2p_discv5_free(client);
    ethp2p_discv5_free(server);
    return 0;
}

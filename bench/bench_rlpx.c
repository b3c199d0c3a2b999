/*
 * bench_rlpx: RLPx on one core, beside bounds computed in the same run.
 *   handshakes/s, both sides on one core: the elliptic-curve work cannot be
 *     avoided: 4 public-key derivations, 8 ECDH, 1 sign, 1 recover;
 *   frame throughput (write + read, one direction) at 1 KiB and 16 KiB: bound
 *     by Keccak absorbing the ciphertext twice (MAC on both sides), AES-CTR
 *     twice, and 8 running-state digests;
 *   memory per idle connected peer (two in-memory connections per pair, after
 *     the handshake), from the allocator's statistics.
 */
#include "bench_util.h"
#include "ethp2p/conn.h"
#include "ethp2p/rlpx.h"

#include <malloc.h>
#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double budget = 1.0;
static ethp2p_rlpx_handshake ha, hb;
static ethp2p_privkey ka, kb;
static ethp2p_pubkey pa, pb;

static void do_handshake(void *arg)
{
    uint8_t buf[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t len, used;
    ethp2p_rlpx_secrets sa, sb;
    if (ethp2p_rlpx_handshake_init(&ha, 1, &ka, &pb) || ethp2p_rlpx_handshake_init(&hb, 0, &kb, NULL) ||
        ethp2p_rlpx_auth_write(&ha, buf, &len) || ethp2p_rlpx_auth_read(&hb, buf, len, &used) ||
        ethp2p_rlpx_ack_write(&hb, buf, &len) || ethp2p_rlpx_ack_read(&ha, buf, len, &used) ||
        ethp2p_rlpx_secrets_derive(&ha, &sa) || ethp2p_rlpx_secrets_derive(&hb, &sb))
        abort();
}

typedef struct prim { ethp2p_privkey k; ethp2p_pubkey p; uint8_t h[32], sig[65]; } prim;
static void do_pubkey(void *a) { prim *p = a; ethp2p_pubkey o; if (ethp2p_privkey_to_pubkey(&p->k, &o)) abort(); }
static void do_ecdh(void *a) { prim *p = a; uint8_t x[32]; if (ethp2p_ecdh(&p->k, &p->p, x)) abort(); }
static void do_sign(void *a) { prim *p = a; if (ethp2p_sign_recoverable(&p->k, p->h, p->sig)) abort(); }
static void do_recover(void *a) { prim *p = a; ethp2p_pubkey o; if (ethp2p_recover(p->h, p->sig, &o)) abort(); }

typedef struct frames {
    ethp2p_rlpx_frame_codec w, r;
    ethp2p_buffer wire;
    uint8_t *msg;
    size_t len;
} frames;

static void do_frame(void *arg)
{
    frames *f = arg;
    ethp2p_buffer_reset(&f->wire);
    size_t fs, bl;
    if (ethp2p_rlpx_frame_write(&f->w, f->msg, f->len, &f->wire) ||
        ethp2p_rlpx_frame_read_header(&f->r, f->wire.data, &fs, &bl) ||
        ethp2p_rlpx_frame_read_body(&f->r, f->wire.data + 32, bl))
        abort();
}

typedef struct hash_arg { const uint8_t *p; size_t n; ethp2p_keccak256_ctx ctx; } hash_arg;
static void do_absorb(void *a) { hash_arg *h = a; ethp2p_keccak256_update(&h->ctx, h->p, h->n); }
static void do_peek(void *a) { hash_arg *h = a; uint8_t d[32]; ethp2p_keccak256_peek(&h->ctx, d); __asm__ volatile("" : : "r"(d) : "memory"); }
typedef struct aes_arg { struct aes256_ctx k; uint8_t ctr[16]; uint8_t *p; size_t n; } aes_arg;
static void do_ctr(void *a) { aes_arg *x = a; ctr_crypt(&x->k, (nettle_cipher_func *)aes256_encrypt, 16, x->ctr, x->n, x->p, x->p); }

/* In-memory connection pairs for the memory figure. */
typedef struct link { ethp2p_conn *a, *b; ethp2p_buffer ab, ba; } link;
static void send_a(void *ctx, const uint8_t *d, size_t n) { link *l = ctx; (void)!ethp2p_buffer_append(&l->ab, d, n); }
static void send_b(void *ctx, const uint8_t *d, size_t n) { link *l = ctx; (void)!ethp2p_buffer_append(&l->ba, d, n); }

static void pump(link *l)
{
    while (l->ab.len || l->ba.len) {
        if (l->ab.len) {
            ethp2p_buffer tmp = l->ab;
            ethp2p_buffer_init(&l->ab, 0);
            ethp2p_conn_receive(l->b, tmp.data, tmp.len, 0);
            ethp2p_buffer_clear(&tmp);
        }
        if (l->ba.len) {
            ethp2p_buffer tmp = l->ba;
            ethp2p_buffer_init(&l->ba, 0);
            ethp2p_conn_receive(l->a, tmp.data, tmp.len, 0);
            ethp2p_buffer_clear(&tmp);
        }
    }
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (quick) budget = 0.03;
    printf("# ethp2p %s RLPx benchmark (one core; bounds from primitives measured in this run)%s\n", ethp2p_version(),
           quick ? " [quick]" : "");
    memset(ka.b, 0x11, 32);
    memset(kb.b, 0x22, 32);
    if (ethp2p_privkey_to_pubkey(&ka, &pa) || ethp2p_privkey_to_pubkey(&kb, &pb)) abort();
    prim p = {ka, pb, {1}, {0}};
    if (ethp2p_sign_recoverable(&p.k, p.h, p.sig)) abort();
    double t_pub = bench_run(do_pubkey, &p, budget, 3), t_ecdh = bench_run(do_ecdh, &p, budget, 3),
           t_sign = bench_run(do_sign, &p, budget, 3), t_rec = bench_run(do_recover, &p, budget, 3);
    double t_hs = bench_run(do_handshake, NULL, budget, 3);
    bench_row("RLPx handshakes (both sides, one core)", 1 / t_hs, "hs/s", 1 / (4 * t_pub + 8 * t_ecdh + t_sign + t_rec),
              "4 pubkey + 8 ECDH + sign + recover");

    ethp2p_rlpx_secrets sa, sb;
    memset(&sa, 0, sizeof(sa));
    memset(sa.aes, 1, 32);
    memset(sa.mac, 2, 32);
    ethp2p_keccak256_init(&sa.egress_mac);
    ethp2p_keccak256_init(&sa.ingress_mac);
    sb = sa;
    static const size_t sizes[] = {1024, 16384};
    for (int i = 0; i < 2; i++) {
        frames f;
        ethp2p_rlpx_frame_init(&f.w, &sa);
        ethp2p_rlpx_frame_init(&f.r, &sb);
        ethp2p_buffer_init(&f.wire, 0);
        f.len = sizes[i];
        f.msg = calloc(1, f.len);
        double t = bench_run(do_frame, &f, budget, 3);
        hash_arg h = {f.msg, f.len, {{0}, 0}};
        ethp2p_keccak256_init(&h.ctx);
        aes_arg x;
        aes256_set_encrypt_key(&x.k, sa.aes);
        memset(x.ctr, 0, 16);
        x.p = f.msg;
        x.n = f.len;
        double t_abs = bench_run(do_absorb, &h, budget, 3), t_peek = bench_run(do_peek, &h, budget, 3),
               t_ctr = bench_run(do_ctr, &x, budget, 3);
        char name[64];
        snprintf(name, sizeof(name), "RLPx frames %zu KiB (write + read)", f.len / 1024);
        bench_row(name, (double)f.len / t / 1e6, "MB/s", (double)f.len / (2 * t_abs + 2 * t_ctr + 8 * t_peek) / 1e6,
                  "2 keccak absorb + 2 AES-CTR + 8 digests");
        ethp2p_buffer_clear(&f.wire);
        free(f.msg);
    }

    /* Memory per idle connected peer. */
    size_t n = quick ? 50 : 1000;
    link *links = calloc(n, sizeof(*links));
    static const ethp2p_protocol_spec eth = {"eth", 68, 17};
    struct mallinfo2 before = mallinfo2();
    for (size_t i = 0; i < n; i++) {
        ethp2p_conn_config ca, cb;
        memset(&ca, 0, sizeof(ca));
        ca.key = ka;
        ca.initiator = 1;
        ca.remote = pb;
        ca.protocols = &eth;
        ca.nprotocols = 1;
        ca.ctx = &links[i];
        ca.send = send_a;
        cb = ca;
        cb.key = kb;
        cb.initiator = 0;
        cb.send = send_b;
        ethp2p_buffer_init(&links[i].ab, 0);
        ethp2p_buffer_init(&links[i].ba, 0);
        links[i].a = ethp2p_conn_new(&ca, 0);
        links[i].b = ethp2p_conn_new(&cb, 0);
        if (ethp2p_conn_start(links[i].a, 0)) abort();
        pump(&links[i]);
        if (ethp2p_conn_state(links[i].a) != ETHP2P_CONN_ACTIVE) abort();
    }
    struct mallinfo2 after = mallinfo2();
    double per_peer = (double)(after.uordblks - before.uordblks) / (double)(2 * n);
    bench_row("memory per idle connected peer (heap)", per_peer / 1024, "KiB", 32, "target: under 32 KiB");
    for (size_t i = 0; i < n; i++) {
        ethp2p_conn_free(links[i].a);
        ethp2p_conn_free(links[i].b);
        ethp2p_buffer_clear(&links[i].ab);
        ethp2p_buffer_clear(&links[i].ba);
    }
    free(links);
    return 0;
}

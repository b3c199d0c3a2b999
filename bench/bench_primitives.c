/*
 * bench_primitives: the foundation's speed, beside the bounds measured on this
 * kind of machine (shared design notes, PERFORMANCE.md), as a ratio.
 *
 *   Keccak-256 MB/s at 64 B, 1 KiB, 1 MiB for both permutations (the build
 *   uses the faster: ETHP2P_KECCAK in CMake), and a running-state digest;
 *   secp256k1 sign / recover / ECDH ops/s; ECIES on an auth-sized message;
 *   RLP decoding and ENR decode+verify.
 *
 * --quick runs each for a fraction of the time (the smoke run in `make test`).
 */
#include "bench_util.h"
#include "crypto/ecies_internal.h"
#include "crypto/keccak_internal.h"
#include "ethp2p/enr.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds from PERFORMANCE.md (one core, Zen 4, Debian 12). */
#define BOUND_KECCAK_NETTLE_MBS 370.0      /* 1 MiB */
#define BOUND_KECCAK_PORTABLE_MBS 434.0    /* 1 MiB, -O2 */
#define BOUND_PEEK_US 0.38
#define BOUND_PUBKEY_CREATE_OPS (1e6 / 23)
#define BOUND_SIGN_OPS (1e6 / 30)
#define BOUND_RECOVER_OPS (1e6 / 46)
#define BOUND_ECDH_OPS (1e6 / 41)

static double budget = 1.0;

struct hash_arg {
    const uint8_t *data;
    size_t len;
    void (*perm)(uint64_t *);
};

static void do_keccak(void *p)
{
    struct hash_arg *a = p;
    uint8_t out[32];
    ethp2p_keccak256_using(a->perm, a->data, a->len, out);
    __asm__ volatile("" : : "r"(out) : "memory");
}

static void do_keccak_lib(void *p)
{
    struct hash_arg *a = p;
    uint8_t out[32];
    ethp2p_keccak256(a->data, a->len, out);
    __asm__ volatile("" : : "r"(out) : "memory");
}

static void do_peek(void *p)
{
    ethp2p_keccak256_ctx *ctx = p;
    uint8_t out[32];
    ethp2p_keccak256_peek(ctx, out);
    __asm__ volatile("" : : "r"(out) : "memory");
}

static void bench_keccak(void)
{
    static const size_t sizes[] = {64, 1024, 1 << 20};
    static const char *names[] = {"64 B", "1 KiB", "1 MiB"};
    uint8_t *data = calloc(1, 1 << 20);
    for (size_t i = 0; i < (1u << 20); i++) data[i] = (uint8_t)(i * 131);
    double best[2] = {0, 0};
    for (int impl = 0; impl < 2; impl++) {
        for (int s = 0; s < 3; s++) {
            struct hash_arg a = {data, sizes[s], impl ? ethp2p_keccakf1600_nettle : ethp2p_keccakf1600_portable};
            double t = bench_run(do_keccak, &a, budget, 3);
            double mbs = (double)sizes[s] / t / 1e6;
            char name[64];
            snprintf(name, sizeof(name), "keccak256 %s %s", impl ? "nettle" : "portable", names[s]);
            if (s == 2) {
                bench_row(name, mbs, "MB/s", impl ? BOUND_KECCAK_NETTLE_MBS : BOUND_KECCAK_PORTABLE_MBS,
                          impl ? "nettle, measured" : "portable C, measured");
                best[impl] = mbs;
            } else {
                bench_row(name, mbs, "MB/s", 0, NULL);
            }
        }
    }
    struct hash_arg lib = {data, 1 << 20, NULL};
    double t = bench_run(do_keccak_lib, &lib, budget, 3);
    char name[64];
    snprintf(name, sizeof(name), "keccak256 library (%s) 1 MiB", ethp2p_keccak_backend());
    bench_row(name, (double)(1 << 20) / t / 1e6, "MB/s", 0, NULL);
    printf("# faster permutation here: %s (%.0f vs %.0f MB/s at 1 MiB); build uses: %s\n",
           best[0] >= best[1] ? "portable" : "nettle", best[0], best[1], ethp2p_keccak_backend());

    ethp2p_keccak256_ctx ctx;
    ethp2p_keccak256_init(&ctx);
    ethp2p_keccak256_update(&ctx, data, 1000);
    t = bench_run(do_peek, &ctx, budget, 3);
    bench_row("keccak256 running-state digest (peek)", t * 1e6, "us", BOUND_PEEK_US, "nettle, measured");
    free(data);
}

struct key_arg {
    ethp2p_privkey priv;
    ethp2p_pubkey pub, peer;
    uint8_t hash[32], sig65[65], sig64[64];
};

static void do_pubkey(void *p)
{
    struct key_arg *a = p;
    ethp2p_pubkey out;
    if (ethp2p_privkey_to_pubkey(&a->priv, &out)) abort();
}

static void do_sign(void *p)
{
    struct key_arg *a = p;
    if (ethp2p_sign_recoverable(&a->priv, a->hash, a->sig65)) abort();
}

static void do_recover(void *p)
{
    struct key_arg *a = p;
    ethp2p_pubkey out;
    if (ethp2p_recover(a->hash, a->sig65, &out)) abort();
}

static void do_ecdh(void *p)
{
    struct key_arg *a = p;
    uint8_t x[32];
    if (ethp2p_ecdh(&a->priv, &a->peer, x)) abort();
}

static void do_verify(void *p)
{
    struct key_arg *a = p;
    if (ethp2p_verify_compact(&a->pub, a->hash, a->sig64)) abort();
}

static void bench_secp256k1(void)
{
    struct key_arg a;
    ethp2p_privkey other;
    if (ethp2p_privkey_generate(&a.priv) || ethp2p_privkey_generate(&other) ||
        ethp2p_privkey_to_pubkey(&a.priv, &a.pub) || ethp2p_privkey_to_pubkey(&other, &a.peer))
        abort();
    memset(a.hash, 0x5a, 32);
    if (ethp2p_sign_recoverable(&a.priv, a.hash, a.sig65) || ethp2p_sign_compact(&a.priv, a.hash, a.sig64)) abort();
    bench_row("secp256k1 pubkey_create", 1 / bench_run(do_pubkey, &a, budget, 3), "ops/s", BOUND_PUBKEY_CREATE_OPS, "23 us");
    bench_row("secp256k1 sign (recoverable)", 1 / bench_run(do_sign, &a, budget, 3), "ops/s", BOUND_SIGN_OPS, "30 us");
    bench_row("secp256k1 recover", 1 / bench_run(do_recover, &a, budget, 3), "ops/s", BOUND_RECOVER_OPS, "46 us");
    bench_row("secp256k1 ECDH (raw X)", 1 / bench_run(do_ecdh, &a, budget, 3), "ops/s", BOUND_ECDH_OPS, "41 us");
    bench_row("secp256k1 verify (compact, ENR)", 1 / bench_run(do_verify, &a, budget, 3), "ops/s", 0, NULL);
}

struct ecies_arg {
    ethp2p_privkey priv;
    ethp2p_pubkey pub;
    uint8_t msg[307 - ETHP2P_ECIES_OVERHEAD], ct[307], out[307];
};

static void do_ecies_enc(void *p)
{
    struct ecies_arg *a = p;
    if (ethp2p_ecies_encrypt(&a->pub, a->msg, sizeof(a->msg), NULL, 0, a->ct)) abort();
}

static void do_ecies_dec(void *p)
{
    struct ecies_arg *a = p;
    size_t n;
    if (ethp2p_ecies_decrypt(&a->priv, a->ct, sizeof(a->ct), NULL, 0, a->out, &n)) abort();
}

static void bench_ecies(void)
{
    struct ecies_arg a;
    memset(a.msg, 7, sizeof(a.msg));
    if (ethp2p_privkey_generate(&a.priv) || ethp2p_privkey_to_pubkey(&a.priv, &a.pub)) abort();
    if (ethp2p_ecies_encrypt(&a.pub, a.msg, sizeof(a.msg), NULL, 0, a.ct)) abort();
    /* Encrypt = keygen + pubkey + ECDH; decrypt = ECDH (+ KDF, HMAC, AES). */
    bench_row("ECIES encrypt (307 B auth)", 1 / bench_run(do_ecies_enc, &a, budget, 3), "ops/s",
              1e6 / (23 + 41), "pubkey+ECDH");
    bench_row("ECIES decrypt (307 B auth)", 1 / bench_run(do_ecies_dec, &a, budget, 3), "ops/s", 1e6 / 41,
              "ECDH");
}

struct rlp_arg {
    const uint8_t *data;
    size_t len;
};

static void do_rlp_validate(void *p)
{
    struct rlp_arg *a = p;
    if (ethp2p_rlp_validate(a->data, a->len, ETHP2P_RLP_MAX_DEPTH, NULL)) abort();
}

static void do_enr_verify(void *p)
{
    struct rlp_arg *a = p;
    ethp2p_enr r;
    if (ethp2p_enr_decode(a->data, a->len, &r) || ethp2p_enr_verify(&r)) abort();
}

static void bench_rlp_enr(void)
{
    /* A list of 1000 small lists, like a Neighbours or transactions payload. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    uint8_t blob[64];
    memset(blob, 0xab, sizeof(blob));
    for (int i = 0; i < 1000; i++) {
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_uint(&w, (uint64_t)i * 7919);
        ethp2p_rlp_put_bytes(&w, blob, sizeof(blob));
        ethp2p_rlp_put_bytes(&w, blob, 20);
        ethp2p_rlp_list_end(&w);
    }
    ethp2p_rlp_list_end(&w);
    struct rlp_arg a;
    if (ethp2p_rlp_writer_finish(&w, &a.data, &a.len)) abort();
    double t = bench_run(do_rlp_validate, &a, budget, 3);
    bench_row("RLP validate (1000-item list)", (double)a.len / t / 1e6, "MB/s", 0, NULL);
    ethp2p_rlp_writer_clear(&w);

    ethp2p_privkey k;
    ethp2p_enr r;
    ethp2p_ip ip = {4, {127, 0, 0, 1}};
    uint8_t enc[300];
    ethp2p_enr_init(&r);
    if (ethp2p_privkey_generate(&k) || ethp2p_enr_set_ip(&r, &ip) || ethp2p_enr_set_port(&r, "udp", 30303) ||
        ethp2p_enr_sign(&r, &k) || ethp2p_enr_encode(&r, enc, sizeof(enc), &a.len))
        abort();
    a.data = enc;
    bench_row("ENR decode + verify", 1 / bench_run(do_enr_verify, &a, budget, 3), "ops/s", 0, NULL);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) budget = 0.03;
        else {
            fprintf(stderr, "usage: bench_primitives [--quick]\n");
            return 2;
        }
    }
    printf("# ethp2p %s primitives benchmark (one core; bounds from PERFORMANCE.md)%s\n", ethp2p_version(),
           budget < 1 ? " [quick]" : "");
    bench_keccak();
    bench_secp256k1();
    bench_ecies();
    bench_rlp_enr();
    return 0;
}

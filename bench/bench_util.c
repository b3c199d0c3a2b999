/* Benchmark timing: batches double until a batch takes a measurable time. */
#include "bench_util.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"

#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_run(void (*fn)(void *), void *arg, double seconds, int rounds)
{
    double best = 1e30;
    for (int r = 0; r < rounds; r++) {
        uint64_t calls = 0, batch = 1;
        double start = bench_now(), elapsed;
        do {
            for (uint64_t i = 0; i < batch; i++) fn(arg);
            calls += batch;
            if (batch < (1u << 20)) batch *= 2;
            elapsed = bench_now() - start;
        } while (elapsed < seconds / rounds);
        double per = elapsed / (double)calls;
        if (per < best) best = per;
    }
    return best;
}

void bench_row(const char *name, double value, const char *unit, double bound, const char *bound_note)
{
    /* Three decimals for small figures (microseconds), one otherwise. */
    int prec = value < 10 ? 3 : 1, bprec = bound < 10 ? 3 : 1;
    /* The ratio is always speed relative to the bound: >1 is faster than the bound. */
    double ratio = (strcmp(unit, "us") == 0 || strcmp(unit, "KiB") == 0) ? bound / value : value / bound;
    if (bound > 0)
        printf("%-44s %12.*f %-8s bound %10.*f (%s)  ratio %.2f\n", name, prec, value, unit, bprec, bound,
               bound_note, ratio);
    else
        printf("%-44s %12.*f %-8s\n", name, prec, value, unit);
    fflush(stdout);
    /* And one JSON line for build/bench/results.json (scripts/bench.sh sets the file). */
    const char *path = getenv("ETHP2P_BENCH_JSON");
    FILE *f = path && *path ? fopen(path, "a") : NULL;
    if (!f) return;
    fputs("{\"name\":\"", f);
    for (const char *c = name; *c; c++) {
        if (*c == '"' || *c == '\\') fputc('\\', f);
        fputc(*c, f);
    }
    fprintf(f, "\",\"value\":%.10g,\"unit\":\"%s\"", value, unit);
    if (bound > 0) fprintf(f, ",\"bound\":%.10g,\"ratio\":%.4f,\"bound_note\":\"%s\"}\n", bound, ratio, bound_note);
    else fputs(",\"bound\":null,\"ratio\":null}\n", f);
    fclose(f);
}

/* ---- the primitives every bound is built from ---- */

typedef struct hash_arg {
    uint8_t buf[4096];
    size_t len;
} hash_arg;

static void do_keccak(void *arg)
{
    hash_arg *h = arg;
    uint8_t out[32];
    ethp2p_keccak256(h->buf, h->len, out);
    __asm__ volatile("" : : "r"(out) : "memory");
}

typedef struct key_arg {
    ethp2p_privkey k;
    uint8_t hash[32], sig[65];
} key_arg;

static void key_arg_init(key_arg *a)
{
    memset(a->k.b, 9, 32);
    memset(a->hash, 3, 32);
    if (ethp2p_sign_recoverable(&a->k, a->hash, a->sig)) abort();
}

static void do_recover(void *arg)
{
    key_arg *a = arg;
    ethp2p_pubkey p;
    if (ethp2p_recover(a->hash, a->sig, &p)) abort();
}

static void do_sign(void *arg)
{
    key_arg *a = arg;
    if (ethp2p_sign_recoverable(&a->k, a->hash, a->sig)) abort();
}

double bench_keccak_seconds(size_t len, double seconds)
{
    static hash_arg h;
    h.len = len < sizeof(h.buf) ? len : sizeof(h.buf);
    for (size_t i = 0; i < h.len; i++) h.buf[i] = (uint8_t)(i * 7);
    return bench_run(do_keccak, &h, seconds, 3);
}

double bench_sign_seconds(double seconds)
{
    key_arg a;
    key_arg_init(&a);
    return bench_run(do_sign, &a, seconds, 3);
}

double bench_recover_seconds(double seconds)
{
    key_arg a;
    key_arg_init(&a);
    return bench_run(do_recover, &a, seconds, 3);
}

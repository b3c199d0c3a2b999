/*
 * bench_peers: how many RLPx peers one process holds. A listener and N dialled
 * connections live in this one process on loopback (so 2N connections, 2N
 * sockets), all completing the handshake and Hello and then sitting idle.
 * Reports how many became active, how long it took, and the resident memory
 * per connection (RSS growth / 2N, which includes libuv handles and the
 * allocator's overhead, not the kernel's socket buffers).
 *   bench_peers [N]   (default 10000; --quick: 200)
 */
#include "bench_util.h"
#include "ethp2p/conn.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <uv.h>

static const ethp2p_protocol_spec caps[] = {{"tst", 1, 4}};
static size_t active, closed, target;
static ethp2p_privkey server_key;
static uv_loop_t *loop;

static int on_hello(void *ctx, const ethp2p_hello *h)
{
    active++;
    if (active == 2 * target) uv_stop(loop);
    return 0;
}

static void on_close(void *ctx, int reason, int by_remote) { closed++; }

static int on_accept(void *arg, ethp2p_rlpx_tcp *t, ethp2p_conn_config *cfg)
{
    cfg->key = server_key;
    cfg->protocols = caps;
    cfg->nprotocols = 1;
    cfg->on_hello = on_hello;
    cfg->on_close = on_close;
    return 0;
}

static void stop_loop(uv_timer_t *t) { uv_stop(t->loop); }

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
        fclose(f);
    }
    return resident * 4;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    target = 10000;
    if (argc > 1) target = strcmp(argv[1], "--quick") == 0 ? 200 : (size_t)atol(argv[1]);
    ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    struct rlimit rl = {.rlim_cur = 2 * target + 256, .rlim_max = 2 * target + 256};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < 2 * target + 64) target = (rl.rlim_cur - 64) / 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("# ethp2p %s concurrent RLPx peers in one process (both ends local: %zu connections)\n",
           ethp2p_version(), 2 * target);
    loop = uv_default_loop();
    memset(server_key.b, 0x31, 32);
    ethp2p_pubkey server_pub;
    if (ethp2p_privkey_to_pubkey(&server_key, &server_pub)) return 1;
    ethp2p_ip lo = {4, {127, 0, 0, 1}};
    ethp2p_rlpx_listener *l;
    if (ethp2p_rlpx_listen(loop, &lo, 0, on_accept, NULL, NULL, &l)) return 1;
    uint16_t port = ethp2p_rlpx_listener_port(l);
    long rss0 = rss_kib();
    double t0 = now_s();
    ethp2p_conn_config c;
    memset(&c, 0, sizeof(c));
    c.initiator = 1;
    c.remote = server_pub;
    c.protocols = caps;
    c.nprotocols = 1;
    c.on_hello = on_hello;
    c.on_close = on_close;
    /* Dial in batches so the listen backlog is not overrun. */
    size_t dialled = 0;
    while (dialled < target) {
        for (size_t b = 0; b < 100 && dialled < target; b++, dialled++) {
            memset(c.key.b, 0, 32);
            c.key.b[0] = 0x40;
            c.key.b[28] = (uint8_t)(dialled >> 24);
            c.key.b[29] = (uint8_t)(dialled >> 16);
            c.key.b[30] = (uint8_t)(dialled >> 8);
            c.key.b[31] = (uint8_t)dialled + 1;
            if (ethp2p_rlpx_tcp_dial(loop, &c, &lo, port, NULL, NULL, NULL)) break;
        }
        while (active + closed < 2 * dialled && uv_run(loop, UV_RUN_ONCE)) {
            if (closed > dialled) break;
        }
    }
    double t1 = now_s();
    /* Let them idle for a moment: nothing should close. */
    uv_timer_t idle;
    uv_timer_init(loop, &idle);
    uv_timer_start(&idle, stop_loop, 2000, 0);
    size_t closed_before = closed;
    uv_run(loop, UV_RUN_DEFAULT);
    long rss1 = rss_kib();
    double per_conn = active ? (double)(rss1 - rss0) / (double)active : 0;
    bench_row("peers active (handshake + Hello done)", (double)(active / 2), "pairs", (double)target, "all of them");
    bench_row("time to connect them all", t1 - t0, "s", 0, "");
    bench_row("resident memory per connection", per_conn, "KiB", 32.0, "target");
    bench_row("connections closed while idle", (double)(closed - closed_before), "conns", 0, "");
    return active == 2 * target && closed == closed_before ? 0 : 1;
}

/*
 * A discv4 crawler in one file: start from bootnodes, run random lookups, print
 * every node found once (enode URL per line), stop after a number of seconds.
 *
 *   cc crawler.c -o crawler $(pkg-config --cflags --libs ethp2p)
 *   ./crawler SECONDS ENODE [ENODE...]
 */
#define _POSIX_C_SOURCE 200809L /* uv.h needs POSIX types under -std=c11 */
#include <ethp2p/io.h>
#include <ethp2p/key.h>
#include <ethp2p/random.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define MAX_SEEN 65536

static ethp2p_discv4_udp *udp;
static ethp2p_node_id seen[MAX_SEEN];
static size_t nseen;
static uv_timer_t walk, stop;

/* Every node a Neighbours reply gave us: print it the first time. */
static void on_found(void *ctx, const ethp2p_enode *n)
{
    (void)ctx;
    for (size_t i = 0; i < nseen; i++)
        if (memcmp(seen[i].b, n->id.b, 32) == 0) return;
    if (nseen == MAX_SEEN) return;
    seen[nseen++] = n->id;
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(n, url, sizeof(url)) == 0) printf("%s\n", url);
    fflush(stdout);
}

static void on_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    (void)arg, (void)nodes;
    fprintf(stderr, "lookup: %zu closest, %zu queries, %zu replies; %zu nodes seen\n", n, info->queries, info->replies, nseen);
}

/* Once a second: a lookup for a random key, which walks a new part of the network. */
static void on_walk(uv_timer_t *t)
{
    (void)t;
    ethp2p_pubkey target;
    if (ethp2p_random_bytes(target.b, sizeof(target.b))) return;
    (void)ethp2p_discv4_lookup(ethp2p_discv4_udp_core(udp), &target, ethp2p_io_now_ms(), on_lookup, NULL);
    ethp2p_discv4_udp_poke(udp); /* let the socket send what the core queued */
}

static void on_stop(uv_timer_t *t)
{
    (void)t;
    uv_close((uv_handle_t *)&walk, NULL);
    uv_close((uv_handle_t *)&stop, NULL);
    ethp2p_discv4_udp_close(udp);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SECONDS ENODE [ENODE...]\n", argv[0]);
        return 2;
    }
    ethp2p_enode *boot = calloc((size_t)argc, sizeof(*boot));
    size_t nboot = 0;
    for (int i = 2; i < argc; i++)
        if (ethp2p_enode_parse(argv[i], &boot[nboot], NULL, 0) == 0) nboot++;
    ethp2p_discv4_config cfg = {0};
    if (!nboot || ethp2p_privkey_generate(&cfg.key)) return 1;
    cfg.bootnodes = boot;
    cfg.nbootnodes = nboot;
    cfg.no_background = 1; /* we drive the lookups ourselves */
    cfg.on_node_found = on_found;
    uv_loop_t *loop = uv_default_loop();
    ethp2p_ip bind = {4, {0, 0, 0, 0}}; /* all interfaces, or loopback to crawl a local network */
    if (ethp2p_ip_is_loopback(&boot[0].ip)) bind.b[0] = 127, bind.b[3] = 1;
    if (ethp2p_discv4_udp_open(loop, &cfg, &bind, 0, &udp)) return 1;
    ethp2p_discv4_start(ethp2p_discv4_udp_core(udp), ethp2p_io_now_ms());
    uv_timer_init(loop, &walk);
    uv_timer_init(loop, &stop);
    uv_timer_start(&walk, on_walk, 200, 1000);
    uv_timer_start(&stop, on_stop, strtoull(argv[1], NULL, 10) * 1000, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    free(boot);
    fprintf(stderr, "crawled: %zu nodes\n", nseen);
    return nseen ? 0 : 1;
}

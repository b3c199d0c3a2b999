/*
 * A custom sub-protocol on ethp2p's server: "pingpong/1" with two messages,
 * Ping(n) and Pong(n), each an RLP integer. One node listens; the other dials
 * it, plays COUNT round trips, and leaves; the listener leaves when its peer does.
 *
 *   cc pingpong.c -o pingpong $(pkg-config --cflags --libs ethp2p)
 *   ./pingpong 30401                      # prints its enode URL, waits
 *   ./pingpong 30402 ENODE-OF-THE-FIRST 5 # 5 round trips, then both exit
 */
#define _POSIX_C_SOURCE 200809L /* uv.h needs POSIX types under -std=c11 */
#include <ethp2p/io.h>
#include <ethp2p/key.h>
#include <ethp2p/rlp.h>
#include <ethp2p/server.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

enum { PING = 0, PONG = 1 };
static const ethp2p_protocol_spec pingpong = {"pingpong", 1, 2}; /* name, version, number of codes */
static ethp2p_server *srv;
static uint64_t want; /* round trips to play (dialler), 0 for the listener */

/* Sends Ping(n) or Pong(n) on the peer's shared "pingpong" capability. */
static void send_n(ethp2p_peer *p, uint64_t code, uint64_t n)
{
    const ethp2p_shared_cap *caps;
    size_t ncaps = ethp2p_conn_shared(ethp2p_rlpx_tcp_conn(p->tcp), &caps);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 64);
    const uint8_t *data;
    size_t len;
    if (ncaps && ethp2p_rlp_put_uint(&w, n) == 0 && ethp2p_rlp_writer_finish(&w, &data, &len) == 0)
        (void)ethp2p_server_send(p, &caps[0], code, data, len);
    ethp2p_rlp_writer_clear(&w);
}

static void on_added(void *ctx, ethp2p_peer *p)
{
    (void)ctx;
    fprintf(stderr, "peer up: %s\n", p->name);
    if (want) send_n(p, PING, 1);
}

static void on_message(void *ctx, ethp2p_peer *p, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data,
                       size_t len)
{
    (void)ctx, (void)cap;
    ethp2p_rlp_item it;
    uint64_t n;
    if (ethp2p_rlp_decode(data, len, &it) || ethp2p_rlp_get_uint64(&it, &n)) {
        ethp2p_server_disconnect(p, ETHP2P_DISC_SUBPROTOCOL_ERROR); /* remote bytes are hostile */
        return;
    }
    printf("%s %llu\n", code == PING ? "ping" : "pong", (unsigned long long)n);
    fflush(stdout);
    if (code == PING) send_n(p, PONG, n);
    else if (n < want) send_n(p, PING, n + 1);
    else ethp2p_server_stop(srv); /* done: Disconnect (client quitting), then the loop ends */
}

static void on_removed(void *ctx, ethp2p_peer *p, int reason, int by_remote)
{
    (void)ctx, (void)p;
    fprintf(stderr, "peer gone: %s (by %s)\n", ethp2p_disconnect_reason_name(reason), by_remote ? "remote" : "us");
    if (!want) ethp2p_server_stop(srv);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 4) {
        fprintf(stderr, "usage: %s PORT [ENODE COUNT]\n", argv[0]);
        return 2;
    }
    ethp2p_enode peer;
    ethp2p_server_config cfg = {0};
    if (ethp2p_privkey_generate(&cfg.key)) return 1;
    cfg.client_name = "pingpong-example";
    cfg.listen_ip = (ethp2p_ip){4, {127, 0, 0, 1}};
    cfg.port = (uint16_t)atoi(argv[1]);
    cfg.max_peers = 4;
    cfg.no_discovery = 1;
    cfg.protocols = &pingpong;
    cfg.nprotocols = 1;
    cfg.on_peer_added = on_added;
    cfg.on_peer_removed = on_removed;
    cfg.on_message = on_message;
    if (argc == 4) {
        if (ethp2p_enode_parse(argv[2], &peer, NULL, 0)) return 2;
        cfg.static_nodes = &peer;
        cfg.nstatic = 1;
        want = strtoull(argv[3], NULL, 10);
    }
    uv_loop_t *loop = uv_default_loop();
    if (ethp2p_server_start(loop, &cfg, &srv)) return 1;
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(ethp2p_server_self(srv), url, sizeof(url)) == 0) printf("%s\n", url);
    fflush(stdout);
    uv_run(loop, UV_RUN_DEFAULT);
    return uv_loop_close(loop) == 0 ? 0 : 1;
}

/*
 * The attacker's side of RLPx for tests/hostile: blocking sockets from a
 * chosen local address, the real handshake and framing (the library's
 * sans-I/O pieces), and the few messages the scenarios need.
 */
#define _GNU_SOURCE
#include "hostile_session.h"
#include "ethp2p/enode.h"
#include "ethp2p/eth.h"
#include "ethp2p/key.h"
#include "ethp2p/p2p.h"
#include "ethp2p/random.h"
#include "ethp2p/rlp.h"
#include "ethp2p/rlpx.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

ethp2p_enode hs_target;
const char *hs_from_ip = "127.0.0.2";

uint64_t hs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int hs_dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, hs_from_ip, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof(a))) goto fail;
    struct sockaddr_in t = {.sin_family = AF_INET, .sin_port = htons(hs_target.tcp)};
    memcpy(&t.sin_addr, hs_target.ip.b, 4);
    if (connect(fd, (struct sockaddr *)&t, sizeof(t))) goto fail;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
fail:
    close(fd);
    return -1;
}

int hs_send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes: 0, -1 closed or failed, -2 timed out. */
int hs_recv_exact(int fd, uint8_t *p, size_t n, int timeout_ms)
{
    uint64_t end = hs_now_ms() + (uint64_t)timeout_ms;
    while (n) {
        uint64_t t = hs_now_ms();
        if (t >= end) return -2;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, (int)(end - t));
        if (r == 0) return -2;
        if (r < 0) return -1;
        ssize_t got = recv(fd, p, n, 0);
        if (got <= 0) return -1;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Reads and discards until the peer closes: ms waited, or -1 if still open after timeout_ms. */
long hs_wait_closed(int fd, int timeout_ms, size_t *bytes)
{
    uint64_t t0 = hs_now_ms(), end = t0 + (uint64_t)timeout_ms;
    uint8_t buf[4096];
    for (;;) {
        uint64_t t = hs_now_ms();
        if (t >= end) return -1;
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, (int)(end - t)) <= 0) continue;
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got <= 0) return (long)(hs_now_ms() - t0);
        if (bytes) *bytes += (size_t)got;
    }
}

int hs_auth_bytes(sess *s, ethp2p_rlpx_handshake *hs, uint8_t *auth, size_t *alen)
{
    if (ethp2p_privkey_generate(&s->key) || ethp2p_rlpx_handshake_init(hs, 1, &s->key, &hs_target.pubkey)) return -1;
    *alen = 2 + ETHP2P_RLPX_MAX_HANDSHAKE;
    return ethp2p_rlpx_auth_write(hs, auth, alen);
}

int hs_handshake(sess *s)
{
    ethp2p_rlpx_handshake hs;
    uint8_t auth[2 + ETHP2P_RLPX_MAX_HANDSHAKE], ack[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t alen, used;
    if ((s->fd = hs_dial()) < 0 || hs_auth_bytes(s, &hs, auth, &alen) || hs_send_all(s->fd, auth, alen)) return -1;
    if (hs_recv_exact(s->fd, ack, 2, 5000)) return -1;
    size_t n = (size_t)ack[0] << 8 | ack[1];
    if (n > ETHP2P_RLPX_MAX_HANDSHAKE || hs_recv_exact(s->fd, ack + 2, n, 5000)) return -1;
    ethp2p_rlpx_secrets sec;
    if (ethp2p_rlpx_ack_read(&hs, ack, n + 2, &used) || ethp2p_rlpx_secrets_derive(&hs, &sec)) return -1;
    ethp2p_rlpx_frame_init(&s->codec, &sec);
    s->snappy = 0;
    return 0;
}

int hs_send_frame(sess *s, const uint8_t *msg, size_t n)
{
    ethp2p_buffer wire;
    ethp2p_buffer_init(&wire, 0);
    int rc = ethp2p_rlpx_frame_write(&s->codec, msg, n, &wire) || hs_send_all(s->fd, wire.data, wire.len) ? -1 : 0;
    ethp2p_buffer_clear(&wire);
    return rc;
}

int hs_send_msg(sess *s, uint64_t code, const uint8_t *payload, size_t n)
{
    ethp2p_buffer msg;
    ethp2p_buffer_init(&msg, 0);
    int rc = ethp2p_p2p_msg_encode(code, payload, n, s->snappy, &msg) || hs_send_frame(s, msg.data, msg.len) ? -1 : 0;
    ethp2p_buffer_clear(&msg);
    return rc;
}

/* The next message: 0 with code and data (in out), -1 closed, -2 timed out, -3 undecodable. */
int hs_recv_msg(sess *s, uint64_t *code, ethp2p_buffer *out, int timeout_ms)
{
    uint8_t hdr[ETHP2P_RLPX_HEADER_SIZE];
    int rc = hs_recv_exact(s->fd, hdr, sizeof(hdr), timeout_ms);
    if (rc) return rc;
    size_t size, body;
    if (ethp2p_rlpx_frame_read_header(&s->codec, hdr, &size, &body)) return -3;
    uint8_t *b = malloc(body ? body : 1);
    if (!b) return -3;
    if ((rc = hs_recv_exact(s->fd, b, body, timeout_ms)) || ethp2p_rlpx_frame_read_body(&s->codec, b, body)) {
        free(b);
        return rc ? rc : -3;
    }
    const uint8_t *d;
    size_t dn;
    ethp2p_buffer dec;
    ethp2p_buffer_init(&dec, 0);
    rc = ethp2p_p2p_msg_decode(b, size, s->snappy, code, &d, &dn, &dec) ? -3 : 0;
    ethp2p_buffer_reset(out);
    if (!rc && ethp2p_buffer_append(out, d, dn)) rc = -3;
    ethp2p_buffer_clear(&dec);
    free(b);
    return rc;
}

/* Reads until a Disconnect or the close: its reason, -1 for a close without one, -2 still open. */
int hs_await_disconnect(sess *s, int timeout_ms, long *ms)
{
    uint64_t t0 = hs_now_ms(), end = t0 + (uint64_t)timeout_ms;
    ethp2p_buffer m;
    ethp2p_buffer_init(&m, 0);
    int reason = -2;
    for (;;) {
        uint64_t t = hs_now_ms();
        if (t >= end) break;
        uint64_t code;
        int rc = hs_recv_msg(s, &code, &m, (int)(end - t));
        if (rc == -2) break;
        if (rc) {
            reason = -1;
            break;
        }
        if (code == ETHP2P_P2P_DISCONNECT) {
            reason = ethp2p_disconnect_decode(m.data, m.len);
            break;
        }
    }
    *ms = (long)(hs_now_ms() - t0);
    ethp2p_buffer_clear(&m);
    return reason;
}

/* Our Hello (eth/68), then theirs: 0, snappy on. */
int hs_hello(sess *s)
{
    ethp2p_hello h;
    memset(&h, 0, sizeof(h));
    h.version = ETHP2P_P2P_VERSION;
    snprintf(h.name, sizeof(h.name), "hostile/v0");
    snprintf(h.caps[0].name, sizeof(h.caps[0].name), "eth");
    h.caps[0].version = 68;
    h.ncaps = 1;
    if (ethp2p_privkey_to_pubkey(&s->key, &h.id)) return -1;
    ethp2p_buffer b, m;
    ethp2p_buffer_init(&b, 0);
    ethp2p_buffer_init(&m, 0);
    int rc = ethp2p_hello_encode(&h, &b) || hs_send_msg(s, ETHP2P_P2P_HELLO, b.data, b.len) ? -1 : 0;
    uint64_t code;
    while (!rc && !(rc = hs_recv_msg(s, &code, &m, 5000)) && code != ETHP2P_P2P_HELLO) {}
    ethp2p_buffer_clear(&b);
    ethp2p_buffer_clear(&m);
    if (!rc) s->snappy = 1;
    return rc;
}

/* Hello, then the node's Status (eth/68): 0 with it in st. */
int hs_eth_open(sess *s, ethp2p_eth_status *st)
{
    if (hs_handshake(s) || hs_hello(s)) return -1;
    ethp2p_buffer m;
    ethp2p_buffer_init(&m, 0);
    uint64_t code;
    int rc;
    while (!(rc = hs_recv_msg(s, &code, &m, 5000)) && code != ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_STATUS) {}
    if (!rc) rc = ethp2p_eth_status_decode(m.data, m.len, 68, st) ? -1 : 0;
    ethp2p_buffer_clear(&m);
    return rc;
}

int hs_send_status(sess *s, const ethp2p_eth_status *st)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *d;
    size_t n;
    int rc = ethp2p_eth_status_encode(st, &w) || ethp2p_rlp_writer_finish(&w, &d, &n) ||
                     hs_send_msg(s, ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_STATUS, d, n)
                 ? -1
                 : 0;
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

/* A peer that completed Status both ways. */
int hs_eth_ready(sess *s)
{
    ethp2p_eth_status st;
    return hs_eth_open(s, &st) || hs_send_status(s, &st) ? -1 : 0;
}


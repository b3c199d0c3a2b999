/*
 * discv4 on a libuv UDP socket. The driver does three things: hands received
 * datagrams to the core, sends what the core emits with uv_udp_try_send (a
 * datagram the kernel cannot take right now is dropped and counted: UDP may
 * lose packets anyway, and queueing would only add latency and memory), and
 * keeps one timer armed at the core's next deadline.
 *
 * discv5 shares the socket (ethp2p_discv4_udp_enable_v5), as in the
 * reference: every datagram goes to the v5 core first, and what is not a
 * discv5 packet for us goes on to discv4.
 */
#include "ethp2p/io.h"
#include "io_internal.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define LOG_MOD "udp"
/* Neighbours may exceed 1280 bytes (see v4wire.h); anything larger is refused. */
#define RECV_BUFFER_SIZE (ETHP2P_V4_MAX_NEIGHBOURS_PACKET + 1)

struct ethp2p_discv4_udp {
    uv_udp_t udp;
    uv_timer_t timer;
    ethp2p_discv4 *core;
    ethp2p_discv5 *v5;
    ethp2p_enr *v5_boot;        /* the bootnodes as records, for the v5 core's lifetime */
    ethp2p_privkey key;
    uint16_t port;
    uint64_t errors;
    int closing, handles_open;
    char buf[RECV_BUFFER_SIZE];
};

uint64_t ethp2p_io_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ethp2p_io_parse_hostport(const char *text, ethp2p_ip *ip, uint16_t *port)
{
    char host[64];
    const char *colon;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':' || (size_t)(close - text - 1) >= sizeof(host)) return ETHP2P_EFORMAT;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon || (size_t)(colon - text) >= sizeof(host)) return ETHP2P_EFORMAT;
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = '\0';
    }
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || p > 65535) return ETHP2P_EFORMAT;
    *port = (uint16_t)p;
    if (host[0] == '\0') { /* ":30303" = all interfaces */
        memset(ip, 0, sizeof(*ip));
        ip->family = 4;
        return 0;
    }
    return ethp2p_ip_parse(host, ip);
}

static void udp_send(void *ctx, const ethp2p_udp_addr *to, const uint8_t *data, size_t len)
{
    ethp2p_discv4_udp *u = ctx;
    if (u->closing) return;
    struct sockaddr_storage ss;
    io_to_sockaddr(&to->ip, to->port, &ss);
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
    int r = uv_udp_try_send(&u->udp, &b, 1, (const struct sockaddr *)&ss);
    if (r < 0) {
        u->errors++;
        ETHP2P_DEBUG(LOG_MOD, "send failed", "port=%u err=\"%s\"", to->port, uv_strerror(r));
    }
}

static void on_timer(uv_timer_t *t);

void ethp2p_discv4_udp_poke(ethp2p_discv4_udp *u)
{
    if (u->closing) return;
    uint64_t now = ethp2p_io_now_ms();
    uint64_t next = ethp2p_discv4_tick(u->core, now);
    if (u->v5) {
        uint64_t n5 = ethp2p_discv5_tick(u->v5, now);
        if (n5 < next) next = n5;
    }
    if (next == UINT64_MAX) {
        uv_timer_stop(&u->timer);
        return;
    }
    uv_timer_start(&u->timer, on_timer, next > now ? next - now : 0, 0);
}

static void on_timer(uv_timer_t *t) { ethp2p_discv4_udp_poke(t->data); }

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    ethp2p_discv4_udp *u = h->data;
    *buf = uv_buf_init(u->buf, sizeof(u->buf));
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr, unsigned flags)
{
    ethp2p_discv4_udp *u = h->data;
    if (nread <= 0 || !addr || u->closing) return;
    ethp2p_udp_addr from;
    if (io_from_sockaddr(addr, &from.ip, &from.port)) return;
    if ((flags & UV_UDP_PARTIAL) || (size_t)nread > ETHP2P_V4_MAX_NEIGHBOURS_PACKET) {
        u->errors++;
        ETHP2P_DEBUG(LOG_MOD, "drop oversized datagram", "port=%u", from.port);
        return;
    }
    uint64_t now = ethp2p_io_now_ms();
    if (!u->v5 || ethp2p_discv5_handle_packet(u->v5, &from, (const uint8_t *)buf->base, (size_t)nread, now) ==
                      ETHP2P_V5_ENOTV5)
        ethp2p_discv4_handle_packet(u->core, &from, (const uint8_t *)buf->base, (size_t)nread, now);
    ethp2p_discv4_udp_poke(u);
}

int ethp2p_discv4_udp_open(struct uv_loop_s *loop, const ethp2p_discv4_config *cfg, const ethp2p_ip *bind_ip,
                           uint16_t port, ethp2p_discv4_udp **out)
{
    ethp2p_discv4_udp *u = calloc(1, sizeof(*u));
    if (!u) return ETHP2P_ENOMEM;
    uv_udp_init(loop, &u->udp);
    uv_timer_init(loop, &u->timer);
    u->udp.data = u->timer.data = u;
    u->handles_open = 2;
    struct sockaddr_storage ss;
    io_to_sockaddr(bind_ip, port, &ss);
    int r = uv_udp_bind(&u->udp, (const struct sockaddr *)&ss, 0);
    if (r == 0) r = uv_udp_recv_start(&u->udp, on_alloc, on_recv);
    if (r) {
        char ip[64];
        ethp2p_ip_format(bind_ip, ip, sizeof(ip));
        ETHP2P_ERROR(LOG_MOD, "cannot bind UDP socket", "addr=%s:%u err=\"%s\"", ip, port, uv_strerror(r));
        u->core = NULL;
        ethp2p_discv4_udp_close(u);
        return ETHP2P_EIO;
    }
    struct sockaddr_storage bound;
    int blen = sizeof(bound);
    uv_udp_getsockname(&u->udp, (struct sockaddr *)&bound, &blen);
    ethp2p_udp_addr ba;
    memset(&ba, 0, sizeof(ba));
    (void)io_from_sockaddr((struct sockaddr *)&bound, &ba.ip, &ba.port);
    u->port = ba.port;
    ethp2p_discv4_config c = *cfg;
    u->key = cfg->key;
    c.io_ctx = u;
    c.send = udp_send;
    if (!c.udp_port) c.udp_port = u->port;
    if (!(u->core = ethp2p_discv4_new(&c, ethp2p_io_now_ms()))) {
        ethp2p_discv4_udp_close(u);
        return ETHP2P_EKEY;
    }
    *out = u;
    return 0;
}

int ethp2p_discv4_udp_enable_v5(ethp2p_discv4_udp *u, const ethp2p_discv5_config *extra)
{
    if (u->v5) return 0;
    ethp2p_discv5_config c;
    memset(&c, 0, sizeof(c));
    if (extra) c = *extra;
    c.key = u->key;
    if (!c.record) c.record = ethp2p_discv4_local_record(u->core);
    c.ctx = u;
    c.send = udp_send;
    return (u->v5 = ethp2p_discv5_new(&c)) ? 0 : ETHP2P_ENOMEM;
}

int ethp2p_discv4_udp_run_v5(ethp2p_discv4_udp *u, const ethp2p_enode *bootnodes, size_t n)
{
    if (u->v5) return 0;
    ethp2p_discv5_config c;
    memset(&c, 0, sizeof(c));
    c.background = 1;
    if (n) {
        if (!(u->v5_boot = calloc(n, sizeof(*u->v5_boot)))) return ETHP2P_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (!ethp2p_discv5_record_of(&bootnodes[i], &u->v5_boot[c.nbootnodes])) c.nbootnodes++;
        c.bootnodes = u->v5_boot;
    }
    ethp2p_random_seed_u64(&c.seed);
    int rc = ethp2p_discv4_udp_enable_v5(u, &c);
    if (rc) return rc;
    ethp2p_discv5_start(u->v5, ethp2p_io_now_ms());
    ethp2p_discv4_udp_poke(u);
    return 0;
}

ethp2p_discv5 *ethp2p_discv4_udp_v5(ethp2p_discv4_udp *u) { return u->v5; }
ethp2p_discv4 *ethp2p_discv4_udp_core(ethp2p_discv4_udp *u) { return u->core; }
uint16_t ethp2p_discv4_udp_port(const ethp2p_discv4_udp *u) { return u->port; }
uint64_t ethp2p_discv4_udp_errors(const ethp2p_discv4_udp *u) { return u->errors; }

static void on_closed(uv_handle_t *h)
{
    ethp2p_discv4_udp *u = h->data;
    if (--u->handles_open == 0) {
        ethp2p_discv5_free(u->v5);
        free(u->v5_boot);
        ethp2p_discv4_free(u->core);
        free(u);
    }
}

void ethp2p_discv4_udp_close(ethp2p_discv4_udp *u)
{
    if (u->closing) return;
    u->closing = 1;
    uv_timer_stop(&u->timer);
    uv_close((uv_handle_t *)&u->udp, on_closed);
    uv_close((uv_handle_t *)&u->timer, on_closed);
}

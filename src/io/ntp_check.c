/*
 * The SNTP check on libuv: ETHP2P_NTP_QUERIES queries one after another on a
 * fresh socket, each with its own timeout, then the median offset. The server
 * name is resolved once per check (getaddrinfo, synchronously: checks are rare
 * and only start after minutes of timeouts).
 */
#include "ethp2p/log.h"
#include "ethp2p/ntp.h"
#include "ethp2p/io.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define LOG_MOD "ntp"

typedef struct ntp_check {
    uv_udp_t udp;
    uv_timer_t timer;
    struct sockaddr_storage server;
    char name[256];
    uint8_t req[ETHP2P_NTP_PACKET_SIZE];
    uint8_t buf[512];
    uint64_t sent_ms;
    int64_t samples[ETHP2P_NTP_QUERIES];
    int nsamples, attempts, closing, open_handles;
    ethp2p_ntp_cb cb;
    void *arg;
} ntp_check;

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static void on_closed(uv_handle_t *h)
{
    ntp_check *c = h->data;
    if (--c->open_handles == 0) free(c);
}

static void finish(ntp_check *c)
{
    if (c->closing) return;
    c->closing = 1;
    int64_t median = 0;
    if (c->nsamples) {
        qsort(c->samples, (size_t)c->nsamples, sizeof(c->samples[0]), cmp_i64);
        median = c->samples[c->nsamples / 2];
        int64_t drift = median < 0 ? -median : median;
        if (drift > ETHP2P_NTP_DRIFT_WARN_MS)
            ETHP2P_WARN(LOG_MOD, "system clock seems off; discovery needs it within 20 s", "server=%s drift_ms=%lld",
                        c->name, (long long)median);
        else
            ETHP2P_INFO(LOG_MOD, "clock checked", "server=%s offset_ms=%lld", c->name, (long long)median);
    } else {
        ETHP2P_WARN(LOG_MOD, "clock check failed: no NTP reply", "server=%s", c->name);
    }
    if (c->cb) c->cb(c->arg, c->nsamples ? 0 : ETHP2P_ETIMEDOUT, median, c->nsamples);
    uv_close((uv_handle_t *)&c->udp, on_closed);
    uv_close((uv_handle_t *)&c->timer, on_closed);
}

static void send_query(ntp_check *c);

static void on_timeout(uv_timer_t *t)
{
    ntp_check *c = t->data;
    ETHP2P_DEBUG(LOG_MOD, "no reply", "server=%s attempt=%d", c->name, c->attempts);
    send_query(c);
}

static void send_query(ntp_check *c)
{
    if (c->attempts >= ETHP2P_NTP_QUERIES) {
        finish(c);
        return;
    }
    c->attempts++;
    c->sent_ms = ethp2p_io_now_ms();
    ethp2p_ntp_request(c->req, c->sent_ms);
    uv_buf_t b = uv_buf_init((char *)c->req, sizeof(c->req));
    if (uv_udp_try_send(&c->udp, &b, 1, (const struct sockaddr *)&c->server) < 0)
        ETHP2P_DEBUG(LOG_MOD, "send failed", "server=%s", c->name);
    uv_timer_start(&c->timer, on_timeout, ETHP2P_NTP_TIMEOUT_MS, 0);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    ntp_check *c = h->data;
    *buf = uv_buf_init((char *)c->buf, sizeof(c->buf));
}

static void on_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *addr, unsigned flags)
{
    ntp_check *c = h->data;
    if (nread <= 0 || !addr || c->closing) return;
    int64_t off;
    int rc = ethp2p_ntp_parse((const uint8_t *)buf->base, (size_t)nread, c->sent_ms, ethp2p_io_now_ms(), &off);
    if (rc) {
        ETHP2P_DEBUG(LOG_MOD, "drop reply", "server=%s reason=\"%s\"", c->name, ethp2p_strerror(rc));
        return;
    }
    c->samples[c->nsamples++] = off;
    uv_timer_stop(&c->timer);
    send_query(c);
}

int ethp2p_ntp_check(struct uv_loop_s *loop, const char *server, ethp2p_ntp_cb cb, void *arg)
{
    ntp_check *c = calloc(1, sizeof(*c));
    if (!c) return ETHP2P_ENOMEM;
    snprintf(c->name, sizeof(c->name), "%s", server);
    char host[256];
    const char *colon = strrchr(server, ':');
    const char *port = colon ? colon + 1 : "123";
    size_t hl = colon ? (size_t)(colon - server) : strlen(server);
    if (hl >= sizeof(host)) hl = sizeof(host) - 1;
    memcpy(host, server, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 1 && host[hl - 1] == ']') { /* [v6]:port */
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(host, port, &hints, &res) != 0 || !res) {
        ETHP2P_WARN(LOG_MOD, "cannot resolve NTP server", "server=%s", server);
        free(c);
        return ETHP2P_ERESOLVE;
    }
    memcpy(&c->server, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    c->cb = cb;
    c->arg = arg;
    uv_udp_init(loop, &c->udp);
    uv_timer_init(loop, &c->timer);
    c->udp.data = c->timer.data = c;
    c->open_handles = 2;
    struct sockaddr_storage any;
    memset(&any, 0, sizeof(any));
    any.ss_family = c->server.ss_family; /* the wildcard address of the server's family */
    if (uv_udp_bind(&c->udp, (struct sockaddr *)&any, 0) || uv_udp_recv_start(&c->udp, on_alloc, on_recv)) {
        ETHP2P_WARN(LOG_MOD, "cannot open a UDP socket for NTP", "server=%s", server);
        c->closing = 1;
        uv_close((uv_handle_t *)&c->udp, on_closed);
        uv_close((uv_handle_t *)&c->timer, on_closed);
        return ETHP2P_EIO;
    }
    send_query(c);
    return 0;
}

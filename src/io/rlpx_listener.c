/*
 * The RLPx listener: accepts TCP connections and asks its owner, for each,
 * whether it may start its handshake now, must wait, or is refused.
 *
 * Connections told to wait are kept accepted but unread, oldest first, in a
 * bounded list: our own backlog, where (unlike the kernel's) we know each
 * one's address. A slot that frees (ethp2p_rlpx_listener_retry) goes to the
 * oldest waiting connection its owner now admits, so one busy address cannot
 * starve another. The list holds at most ETHP2P_RLPX_WAITING_MAX connections,
 * ETHP2P_RLPX_WAITING_PER_IP of one address and ETHP2P_RLPX_WAITING_PER_SUBNET
 * of one /24 (IPv4) or /64 (IPv6); beyond that a newcomer is closed, and a
 * connection that waited ETHP2P_RLPX_WAITING_MS is closed too (its dialler has
 * given up by then).
 */
#include "ethp2p/io.h"
#include "ethp2p/log.h"
#include "io_internal.h"
#include "rlpx_tcp_internal.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "rlpx"
#define LISTEN_BACKLOG 1024
#define SWEEP_MS 500

struct ethp2p_rlpx_listener {
    uv_tcp_t tcp;
    uv_timer_t sweep;
    ethp2p_rlpx_accept_cb accept;
    ethp2p_rlpx_tcp_done_cb done;
    void *arg;
    uint16_t port;
    int handles, closing;
    int retrying, retry_again;
    ethp2p_rlpx_tcp *waiting[ETHP2P_RLPX_WAITING_MAX]; /* oldest first */
    size_t nwaiting;
    ethp2p_rlpx_listener_stats stats;
};

static void on_listener_closed(uv_handle_t *h)
{
    ethp2p_rlpx_listener *l = h->data;
    if (--l->handles == 0) free(l);
}

/* Closes an accepted socket that never started a session. */
static void discard(ethp2p_rlpx_tcp *t) { uv_close((uv_handle_t *)&t->tcp, rlpx_free_on_close); }

static void remove_waiting(ethp2p_rlpx_listener *l, size_t i)
{
    memmove(&l->waiting[i], &l->waiting[i + 1], (l->nwaiting - i - 1) * sizeof(l->waiting[0]));
    l->nwaiting--;
}

/* Whether the waiting list has room for one more from ip. */
static int may_wait(const ethp2p_rlpx_listener *l, const ethp2p_ip *ip)
{
    if (l->nwaiting >= ETHP2P_RLPX_WAITING_MAX) return 0;
    size_t same_ip = 0, same_net = 0;
    for (size_t i = 0; i < l->nwaiting; i++) {
        const ethp2p_ip *w = &l->waiting[i]->peer_ip;
        same_ip += ethp2p_ip_equal(w, ip);
        same_net += ethp2p_ip_same_subnet(w, ip);
    }
    return same_ip < ETHP2P_RLPX_WAITING_PER_IP && same_net < ETHP2P_RLPX_WAITING_PER_SUBNET;
}

/* Asks the owner about t; starts it, keeps it waiting or closes it. Returns the decision. */
static int offer(ethp2p_rlpx_listener *l, ethp2p_rlpx_tcp *t)
{
    ethp2p_conn_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    int d = l->accept(l->arg, t, &cfg);
    if (d == ETHP2P_RLPX_ACCEPT) {
        rlpx_tcp_start_accepted(t, &cfg, l->done, l->arg);
        return d;
    }
    if (d == ETHP2P_RLPX_WAIT) return d;
    discard(t);
    return ETHP2P_RLPX_REFUSE;
}

static void on_connection(uv_stream_t *server, int status)
{
    ethp2p_rlpx_listener *l = server->data;
    if (status < 0 || l->closing) return;
    ethp2p_rlpx_tcp *t = calloc(1, sizeof(*t));
    if (!t) return;
    /* Accept first, so a refused peer's socket is closed rather than left pending. */
    uv_tcp_init(server->loop, &t->tcp);
    t->tcp.data = t;
    if (uv_accept(server, (uv_stream_t *)&t->tcp) != 0) {
        discard(t);
        return;
    }
    /* The peer's address first: the owner's admission (per-IP limits) needs it. */
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&t->tcp, (struct sockaddr *)&ss, &len) == 0)
        (void)io_from_sockaddr((struct sockaddr *)&ss, &t->peer_ip, &t->peer_port);
    l->stats.accepted++;
    if (offer(l, t) != ETHP2P_RLPX_WAIT) return;
    if (!may_wait(l, &t->peer_ip)) {
        l->stats.wait_refused++;
        ETHP2P_DEBUG(LOG_MOD, "inbound refused: its address has enough connections waiting", "port=%u",
                     t->peer_port);
        discard(t);
        return;
    }
    t->waited = 1;
    t->waiting_since = ethp2p_io_now_ms();
    l->waiting[l->nwaiting++] = t;
    l->stats.waited++;
}

void ethp2p_rlpx_listener_retry(ethp2p_rlpx_listener *l)
{
    if (l->retrying) { /* a start below closed a socket and its owner asked again */
        l->retry_again = 1;
        return;
    }
    l->retrying = 1;
    do {
        l->retry_again = 0;
        for (size_t i = 0; i < l->nwaiting && !l->closing;) {
            ethp2p_rlpx_tcp *t = l->waiting[i];
            remove_waiting(l, i); /* out of the list while the owner decides (it may start, close or keep it) */
            if (offer(l, t) == ETHP2P_RLPX_WAIT) {
                if (l->closing) { /* closed from a callback: the list was emptied without it */
                    discard(t);
                    break;
                }
                memmove(&l->waiting[i + 1], &l->waiting[i], (l->nwaiting - i) * sizeof(l->waiting[0]));
                l->waiting[i] = t;
                l->nwaiting++;
                i++;
            }
        }
    } while (l->retry_again && !l->closing);
    l->retrying = 0;
}

static void on_sweep(uv_timer_t *h)
{
    ethp2p_rlpx_listener *l = h->data;
    uint64_t now = ethp2p_io_now_ms();
    while (l->nwaiting && now - l->waiting[0]->waiting_since >= ETHP2P_RLPX_WAITING_MS) {
        ethp2p_rlpx_tcp *t = l->waiting[0];
        remove_waiting(l, 0);
        l->stats.wait_expired++;
        ETHP2P_DEBUG(LOG_MOD, "inbound closed: waited too long for a handshake slot", "port=%u", t->peer_port);
        discard(t);
    }
}

int ethp2p_rlpx_listen(uv_loop_t *loop, const ethp2p_ip *ip, uint16_t port, ethp2p_rlpx_accept_cb accept,
                       ethp2p_rlpx_tcp_done_cb done, void *arg, ethp2p_rlpx_listener **out)
{
    ethp2p_io_ignore_sigpipe();
    ethp2p_rlpx_listener *l = calloc(1, sizeof(*l));
    if (!l) return ETHP2P_ENOMEM;
    l->accept = accept;
    l->done = done;
    l->arg = arg;
    uv_tcp_init(loop, &l->tcp);
    uv_timer_init(loop, &l->sweep);
    l->tcp.data = l->sweep.data = l;
    l->handles = 2;
    struct sockaddr_storage ss;
    io_to_sockaddr(ip, port, &ss);
    int r = uv_tcp_bind(&l->tcp, (struct sockaddr *)&ss, 0);
    if (!r) r = uv_listen((uv_stream_t *)&l->tcp, LISTEN_BACKLOG, on_connection);
    if (r) {
        char ipt[64];
        ethp2p_ip_format(ip, ipt, sizeof(ipt));
        ETHP2P_ERROR(LOG_MOD, "cannot listen", "addr=%s:%u err=\"%s\"", ipt, port, uv_strerror(r));
        l->closing = 1;
        uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
        uv_close((uv_handle_t *)&l->sweep, on_listener_closed);
        return ETHP2P_EIO;
    }
    uv_timer_start(&l->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
    uv_unref((uv_handle_t *)&l->sweep); /* the listening socket keeps the loop alive, not its sweeper */
    int len = sizeof(ss);
    ethp2p_ip bound;
    uv_tcp_getsockname(&l->tcp, (struct sockaddr *)&ss, &len);
    (void)io_from_sockaddr((struct sockaddr *)&ss, &bound, &l->port);
    *out = l;
    return 0;
}

uint16_t ethp2p_rlpx_listener_port(const ethp2p_rlpx_listener *l) { return l->port; }

size_t ethp2p_rlpx_listener_waiting(const ethp2p_rlpx_listener *l) { return l->nwaiting; }

const ethp2p_rlpx_listener_stats *ethp2p_rlpx_listener_get_stats(const ethp2p_rlpx_listener *l) { return &l->stats; }

int ethp2p_rlpx_tcp_waited(const ethp2p_rlpx_tcp *t) { return t->waited; }

void ethp2p_rlpx_listener_close(ethp2p_rlpx_listener *l)
{
    l->closing = 1;
    for (size_t i = 0; i < l->nwaiting; i++) discard(l->waiting[i]);
    l->nwaiting = 0;
    uv_timer_stop(&l->sweep);
    uv_close((uv_handle_t *)&l->sweep, on_listener_closed);
    uv_close((uv_handle_t *)&l->tcp, on_listener_closed);
}

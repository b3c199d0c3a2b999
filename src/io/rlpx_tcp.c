/*
 * RLPx connections on libuv TCP streams. The driver owns the socket, one
 * timer, and the write accounting; the sans-I/O connection owns the protocol.
 *
 * Closing is graceful: pending writes (our Disconnect) are flushed and the
 * write side shut (uv_shutdown: FIN), then the socket lingers, reading and
 * discarding what the peer still sends until it closes its side, for at most
 * LINGER_MS and LINGER_BYTES. Closing a socket with unread input makes the
 * kernel send a reset instead of FIN, and a peer in the middle of writing (a
 * 2 MiB Hello we refused) would see a broken pipe instead of our Disconnect.
 */
#include "ethp2p/conn.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"
#include "io_internal.h"
#include "rlpx_tcp_internal.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define LOG_MOD "rlpx"
#define READ_CHUNK 65536
/* A peer whose replies pile up unread (more than this queued) is not read from until they drain
 * to half: it cannot make us buffer answers (Pongs, responses) faster than it takes them. */
#define READ_PAUSE_QUEUED (1u << 20)
/* How long, and how much, a closing connection keeps reading before it closes. */
#define LINGER_MS 2000
#define LINGER_BYTES (4u * 1024 * 1024)

typedef struct write_req {
    uv_write_t req;
    ethp2p_rlpx_tcp *t;
    size_t len;
    char data[];
} write_req;

static uint64_t now_ms(void) { return ethp2p_io_now_ms(); }

/* Frees the object a handle is embedded in (its data pointer). */
void rlpx_free_on_close(uv_handle_t *h) { free(h->data); }

static void on_handle_closed(uv_handle_t *h)
{
    ethp2p_rlpx_tcp *t = h->data;
    if (--t->handles > 0) return;
    /* The connection goes first: its owner (done) may free what the connection refers to,
     * such as a shared receive budget. */
    ethp2p_conn_free(t->conn);
    t->conn = NULL;
    if (t->done) t->done(t->done_arg, t);
    free(t);
}

static void close_socket(ethp2p_rlpx_tcp *t)
{
    if (t->closing) return;
    t->closing = 1;
    uv_timer_stop(&t->timer);
    uv_close((uv_handle_t *)&t->timer, on_handle_closed);
    uv_close((uv_handle_t *)&t->tcp, on_handle_closed);
}

/* Our side is shut: the socket closes when the peer closes its side, or at the linger bound. */
static void on_shutdown(uv_shutdown_t *req, int status)
{
    ethp2p_rlpx_tcp *t = req->data;
    if (status < 0 || !t->lingering) close_socket(t);
}

static void on_linger_timeout(uv_timer_t *h) { close_socket(h->data); }

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);

/* A write that fails (the peer reset the connection) ends the connection at
 * once: a node that has stopped reading would otherwise learn of it only at
 * its write timeout. Writes cancelled by our own close are not news. */
static void write_failed(ethp2p_rlpx_tcp *t, int status)
{
    if (t->closing || status == UV_ECANCELED) return;
    ETHP2P_DEBUG(LOG_MOD, "write failed", "port=%u err=\"%s\"", t->peer_port, uv_strerror(status));
    ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
}

static void on_write(uv_write_t *req, int status)
{
    write_req *w = (write_req *)req;
    ethp2p_rlpx_tcp *t = w->t;
    t->queued -= w->len;
    t->write_progress_ms = now_ms();
    free(w);
    if (status < 0) {
        write_failed(t, status);
        return;
    }
    if (t->backpressured && t->queued <= READ_PAUSE_QUEUED / 2 && !t->closing && !t->lingering) {
        t->backpressured = 0;
        if (!t->paused) uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read);
    }
}

static void tcp_send(void *ctx, const uint8_t *data, size_t len)
{
    ethp2p_rlpx_tcp *t = ctx;
    if (t->closing || t->lingering) return;
    if (t->queued + len > ETHP2P_RLPX_TCP_WRITE_LIMIT) {
        ETHP2P_DEBUG(LOG_MOD, "peer does not read: dropping", "queued=%zu", t->queued);
        ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
        return;
    }
    write_req *w = malloc(sizeof(*w) + len);
    if (!w) {
        ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR); /* a lost frame breaks the MAC chain */
        return;
    }
    w->t = t;
    w->len = len;
    memcpy(w->data, data, len);
    uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
    if (!t->queued) t->write_progress_ms = now_ms();
    t->queued += len;
    int r = uv_write(&w->req, (uv_stream_t *)&t->tcp, &b, 1, on_write);
    if (r != 0) {
        t->queued -= len;
        free(w);
        write_failed(t, r);
    }
}

static int fwd_hello(void *ctx, const ethp2p_hello *h)
{
    ethp2p_rlpx_tcp *t = ctx;
    return t->user.on_hello ? t->user.on_hello(t->user.ctx, h) : 0;
}

static void fwd_active(void *ctx)
{
    ethp2p_rlpx_tcp *t = ctx;
    if (t->user.on_active) t->user.on_active(t->user.ctx);
}

static void fwd_message(void *ctx, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *d, size_t n)
{
    ethp2p_rlpx_tcp *t = ctx;
    if (t->user.on_message) t->user.on_message(t->user.ctx, cap, code, d, n);
}

static void fwd_close(void *ctx, int reason, int by_remote)
{
    ethp2p_rlpx_tcp *t = ctx;
    if (t->user.on_close) t->user.on_close(t->user.ctx, reason, by_remote);
    /* Flush what was queued (our Disconnect), shut our side, and linger (see the top). */
    if (t->closing || t->lingering) return;
    t->shutdown_req.data = t;
    if (!t->connected || uv_shutdown(&t->shutdown_req, (uv_stream_t *)&t->tcp, on_shutdown) != 0) {
        close_socket(t);
        return;
    }
    t->lingering = 1;
    uv_timer_stop(&t->timer);
    uv_timer_start(&t->timer, on_linger_timeout, LINGER_MS, 0);
    if (t->paused || t->backpressured) {
        t->paused = t->backpressured = 0;
        uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read);
    }
}

static void on_timer(uv_timer_t *h);

void ethp2p_rlpx_tcp_poke(ethp2p_rlpx_tcp *t)
{
    if (t->closing || t->lingering) return;
    uint64_t now = now_ms();
    uint64_t wt = t->write_timeout_ms ? t->write_timeout_ms : ETHP2P_RLPX_TCP_WRITE_TIMEOUT_MS;
    if (t->queued && now - t->write_progress_ms >= wt) {
        ETHP2P_DEBUG(LOG_MOD, "write timeout: dropping", "queued=%zu", t->queued);
        ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
        return;
    }
    uint64_t next = ethp2p_conn_tick(t->conn, now);
    if (t->closing || next == UINT64_MAX) return;
    if (t->queued && t->write_progress_ms + wt < next) next = t->write_progress_ms + wt;
    uv_timer_start(&t->timer, on_timer, next > now ? next - now : 0, 0);
}

static void on_timer(uv_timer_t *h) { ethp2p_rlpx_tcp_poke(h->data); }

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    buf->base = malloc(READ_CHUNK);
    buf->len = buf->base ? READ_CHUNK : 0;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    ethp2p_rlpx_tcp *t = s->data;
    if (t->lingering && !t->closing) {
        /* Closed: what still arrives is discarded; the peer's end (or too much) closes. */
        if (n > 0) t->discarded += (size_t)n;
        if (n < 0 || t->discarded > LINGER_BYTES) {
            ETHP2P_DEBUG(LOG_MOD, "closed after draining", "port=%u discarded=%zu", t->peer_port, t->discarded);
            close_socket(t);
        }
    } else if (n > 0 && !t->closing) {
        ethp2p_conn_receive(t->conn, (const uint8_t *)buf->base, (size_t)n, now_ms());
        ethp2p_rlpx_tcp_poke(t);
        if (t->queued > READ_PAUSE_QUEUED && !t->closing && !t->lingering && !t->backpressured) {
            t->backpressured = 1;
            if (!t->paused) uv_read_stop((uv_stream_t *)&t->tcp);
        }
    } else if (n < 0 && !t->closing) {
        ETHP2P_DEBUG(LOG_MOD, "connection lost", "err=\"%s\"", uv_strerror((int)n));
        if (ethp2p_conn_state(t->conn) != ETHP2P_CONN_CLOSED) ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
        close_socket(t);
    }
    free(buf->base);
}

/* Creates the connection: the owner's config, with the driver between it and the socket. */
static int attach_conn(ethp2p_rlpx_tcp *t, const ethp2p_conn_config *cfg, ethp2p_rlpx_tcp_done_cb done, void *arg)
{
    t->user = *cfg;
    t->done = done;
    t->done_arg = arg;
    ethp2p_conn_config c = *cfg;
    c.ctx = t;
    c.send = tcp_send;
    c.on_hello = fwd_hello;
    c.on_active = fwd_active;
    c.on_message = fwd_message;
    c.on_close = fwd_close;
    t->conn = ethp2p_conn_new(&c, now_ms());
    return t->conn ? 0 : ETHP2P_ENOMEM;
}

static ethp2p_rlpx_tcp *tcp_new(uv_loop_t *loop, const ethp2p_conn_config *cfg, ethp2p_rlpx_tcp_done_cb done, void *arg)
{
    ethp2p_rlpx_tcp *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    if (attach_conn(t, cfg, done, arg)) {
        free(t);
        return NULL;
    }
    uv_tcp_init(loop, &t->tcp);
    uv_timer_init(loop, &t->timer);
    t->tcp.data = t->timer.data = t;
    t->handles = 2;
    return t;
}

static void start_session(ethp2p_rlpx_tcp *t)
{
    t->connected = 1;
    uv_tcp_nodelay(&t->tcp, 1);
    uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read);
    if (ethp2p_conn_start(t->conn, now_ms())) ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
    ethp2p_rlpx_tcp_poke(t);
}

static void on_connect(uv_connect_t *req, int status)
{
    ethp2p_rlpx_tcp *t = req->data;
    if (status < 0) {
        ETHP2P_DEBUG(LOG_MOD, "dial failed", "port=%u err=\"%s\"", t->peer_port, uv_strerror(status));
        ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
        close_socket(t);
        return;
    }
    start_session(t);
}


void rlpx_tcp_start_accepted(ethp2p_rlpx_tcp *t, const ethp2p_conn_config *cfg, ethp2p_rlpx_tcp_done_cb done,
                             void *arg)
{
    ethp2p_conn_config c = *cfg;
    c.initiator = 0;
    if (attach_conn(t, &c, done, arg)) {
        uv_close((uv_handle_t *)&t->tcp, rlpx_free_on_close);
        return;
    }
    uv_timer_init(t->tcp.loop, &t->timer);
    t->timer.data = t;
    t->handles = 2;
    start_session(t);
}

int ethp2p_rlpx_tcp_dial(uv_loop_t *loop, const ethp2p_conn_config *cfg, const ethp2p_ip *ip, uint16_t port,
                         ethp2p_rlpx_tcp_done_cb done, void *arg, ethp2p_rlpx_tcp **out)
{
    return ethp2p_rlpx_tcp_dial_from(loop, cfg, NULL, ip, port, done, arg, out);
}

int ethp2p_rlpx_tcp_dial_from(uv_loop_t *loop, const ethp2p_conn_config *cfg, const ethp2p_ip *local,
                              const ethp2p_ip *ip, uint16_t port, ethp2p_rlpx_tcp_done_cb done, void *arg,
                              ethp2p_rlpx_tcp **out)
{
    if (!cfg->initiator) return ETHP2P_EINVAL;
    ethp2p_io_ignore_sigpipe();
    ethp2p_rlpx_tcp *t = tcp_new(loop, cfg, done, arg);
    if (!t) return ETHP2P_ENOMEM;
    if (out) *out = t; /* before connecting: a failure below still reports through done */
    t->peer_ip = *ip;
    t->peer_port = port;
    struct sockaddr_storage ss;
    int r = 0;
    if (local && local->family) {
        io_to_sockaddr(local, 0, &ss);
        r = uv_tcp_bind(&t->tcp, (struct sockaddr *)&ss, 0);
    }
    io_to_sockaddr(ip, port, &ss);
    t->connect_req.data = t;
    if (!r) r = uv_tcp_connect(&t->connect_req, &t->tcp, (struct sockaddr *)&ss, on_connect);
    if (r) {
        ETHP2P_DEBUG(LOG_MOD, "dial failed", "port=%u err=\"%s\"", port, uv_strerror(r));
        ethp2p_conn_abort(t->conn, ETHP2P_DISC_NETWORK_ERROR);
        close_socket(t);
        return ETHP2P_EIO;
    }
    return 0;
}

ethp2p_conn *ethp2p_rlpx_tcp_conn(ethp2p_rlpx_tcp *t) { return t->conn; }
void ethp2p_rlpx_tcp_peer(const ethp2p_rlpx_tcp *t, ethp2p_ip *ip, uint16_t *port)
{
    *ip = t->peer_ip;
    *port = t->peer_port;
}

int ethp2p_rlpx_tcp_local(const ethp2p_rlpx_tcp *t, ethp2p_ip *ip, uint16_t *port)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    memset(ip, 0, sizeof(*ip));
    *port = 0;
    if (!t->connected || uv_tcp_getsockname(&t->tcp, (struct sockaddr *)&ss, &len) != 0) return ETHP2P_EIO;
    return io_from_sockaddr((struct sockaddr *)&ss, ip, port);
}

size_t ethp2p_rlpx_tcp_queued(const ethp2p_rlpx_tcp *t) { return t->queued; }

void ethp2p_rlpx_tcp_set_write_timeout(ethp2p_rlpx_tcp *t, uint64_t ms) { t->write_timeout_ms = ms; }

void ethp2p_rlpx_tcp_pause(ethp2p_rlpx_tcp *t, int paused)
{
    if (t->closing || t->lingering || !t->connected || t->paused == !!paused) return;
    t->paused = !!paused;
    if (paused) uv_read_stop((uv_stream_t *)&t->tcp);
    else if (!t->backpressured) uv_read_start((uv_stream_t *)&t->tcp, on_alloc, on_read);
}

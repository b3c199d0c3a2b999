/*
 * JSON-RPC over the IPC socket (a Unix socket in the data directory), as the
 * reference: a stream of JSON values in, one answer per value out, each on its
 * own line; subscriptions push notifications on the same stream. Every
 * module is available here.
 */
#include "rpc_internal.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MOD "rpc"
#define MAX_PENDING (RPC_HTTP_BODY_LIMIT + 8192) /* bytes of an unfinished request */
#define MAX_DEPTH 1024                          /* nesting a request may have (jansson allows 2048) */
#define MAX_BACKLOG (64u * 1024 * 1024)         /* answers a client has not read yet; past it, it is cut */

typedef struct ipc_client {
    uv_pipe_t pipe;
    rpc *r;
    rpc_conn conn;
    char *buf;
    size_t len, cap;
    int hanging_up;
    /* Framing: how far the buffer has been scanned for the end of the first value, and the
     * scanner's state there, so that each byte is looked at once however it arrives. */
    size_t scanned;
    int depth, in_string, escaped;
    uint8_t arrays[MAX_DEPTH / 8]; /* bit d: the opener at depth d was '[' (else '{') */
    struct ipc_client *next;
} ipc_client;

static void unlink_client(ipc_client *c)
{
    for (ipc_client **p = &c->r->clients; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
}

static void on_client_closed(uv_handle_t *h)
{
    ipc_client *c = h->data;
    free(c->buf);
    free(c);
}

static void close_client(ipc_client *c)
{
    if (uv_is_closing((uv_handle_t *)&c->pipe)) return;
    rpc_conn_closed(c->r, &c->conn);
    unlink_client(c);
    uv_close((uv_handle_t *)&c->pipe, on_client_closed);
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    ipc_client *c = req->handle->data;
    free(req);
    close_client(c);
}

/* Closes once what is queued has been written. */
static void hang_up(ipc_client *c)
{
    c->hanging_up = 1;
    uv_read_stop((uv_stream_t *)&c->pipe);
    uv_shutdown_t *req = malloc(sizeof(*req));
    if (!req || uv_shutdown(req, (uv_stream_t *)&c->pipe, on_shutdown)) {
        free(req);
        close_client(c);
    }
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

/* Queues text plus a newline; takes text. */
static void write_line(ipc_client *c, char *text, size_t len)
{
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > MAX_BACKLOG) {
        ETHP2P_WARN(LOG_MOD, "IPC client does not read its answers: closing", "queued=%zu",
                    uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe));
        free(text);
        close_client(c);
        return;
    }
    uv_write_t *w = malloc(sizeof(*w));
    char *t = realloc(text, len + 1);
    if (!w || !t) {
        free(w);
        free(t ? t : text);
        return;
    }
    t[len] = '\n';
    w->data = t;
    uv_buf_t b = uv_buf_init(t, (unsigned)(len + 1));
    if (uv_write(w, (uv_stream_t *)&c->pipe, &b, 1, on_written)) {
        free(t);
        free(w);
    }
}

static void notify(void *transport, const char *text, size_t len)
{
    ipc_client *c = transport;
    char *copy = malloc(len + 1);
    if (!copy) return;
    memcpy(copy, text, len);
    write_line(c, copy, len);
}

/* Scans on from c->scanned for the end of the first value (an object or an array); returns
 * its length, or 0 if it is not complete yet. A closer that does not match its opener, or
 * nesting past MAX_DEPTH, ends the value there: the parser then says what is wrong. */
static size_t frame_end(ipc_client *c)
{
    for (size_t i = c->scanned; i < c->len; i++) {
        char ch = c->buf[i];
        if (c->in_string) {
            if (c->escaped) c->escaped = 0;
            else if (ch == '\\') c->escaped = 1;
            else if (ch == '"') c->in_string = 0;
        } else if (ch == '"') {
            c->in_string = 1;
        } else if (ch == '{' || ch == '[') {
            if (c->depth == MAX_DEPTH) return c->scanned = 0, i + 1;
            if (ch == '[') c->arrays[c->depth / 8] |= (uint8_t)(1u << (c->depth % 8));
            else c->arrays[c->depth / 8] &= (uint8_t)~(1u << (c->depth % 8));
            c->depth++;
        } else if (ch == '}' || ch == ']') {
            int is_array = (c->arrays[(c->depth - 1) / 8] >> ((c->depth - 1) % 8)) & 1;
            if (is_array != (ch == ']') || --c->depth == 0) return c->scanned = 0, i + 1;
        }
    }
    c->scanned = c->len;
    return 0;
}

/* A request that cannot be JSON: answer the parse error and hang up (the stream cannot resync). */
static void refuse(ipc_client *c, const char *why)
{
    ETHP2P_DEBUG(LOG_MOD, "IPC request is not JSON: closing", "err=\"%s\"", why);
    char *out = rpc_handle_value(c->r, &c->conn, NULL);
    if (out) write_line(c, out, strlen(out));
    c->len = 0;
    hang_up(c);
}

/* Answers every complete JSON value in the buffer, each parsed once. */
static void serve(ipc_client *c)
{
    for (;;) {
        if (c->scanned == 0) { /* at the start of a value: skip what separates values */
            size_t skip = 0;
            while (skip < c->len && strchr(" \t\r\n", c->buf[skip])) skip++;
            memmove(c->buf, c->buf + skip, c->len - skip);
            c->len -= skip;
            if (!c->len) return;
            if (c->buf[0] != '{' && c->buf[0] != '[') {
                refuse(c, "a request is an object or an array");
                return;
            }
        }
        size_t used = frame_end(c);
        if (!used) return; /* incomplete: wait for more */
        json_error_t e;
        json_t *v = json_loadb(c->buf, used, 0, &e);
        if (!v) {
            refuse(c, e.text);
            return;
        }
        char *out = rpc_handle_value(c->r, &c->conn, v);
        json_decref(v);
        if (out) write_line(c, out, strlen(out));
        if (uv_is_closing((uv_handle_t *)&c->pipe) || c->hanging_up) return;
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
        c->depth = c->in_string = c->escaped = 0;
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    ipc_client *c = s->data;
    if (nread < 0 || c->len + (size_t)nread > MAX_PENDING) {
        if (nread > 0) ETHP2P_DEBUG(LOG_MOD, "IPC request too large: closing", "bytes=%zu", c->len + (size_t)nread);
        free(buf->base);
        close_client(c);
        return;
    }
    if (c->len + (size_t)nread + 1 > c->cap) {
        size_t cap = (c->len + (size_t)nread + 1) * 2;
        char *b = realloc(c->buf, cap);
        if (!b) {
            free(buf->base);
            close_client(c);
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, buf->base, (size_t)nread);
    c->len += (size_t)nread;
    free(buf->base);
    serve(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    rpc *r = server->data;
    if (status) return;
    ipc_client *c = calloc(1, sizeof(*c));
    if (!c) return;
    c->r = r;
    c->conn = (rpc_conn){RPC_ALL, c, notify};
    uv_pipe_init(r->loop, &c->pipe, 0);
    c->pipe.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
        uv_close((uv_handle_t *)&c->pipe, on_client_closed);
        return;
    }
    c->next = r->clients;
    r->clients = c;
    uv_read_start((uv_stream_t *)&c->pipe, on_alloc, on_read);
}

int rpc_ipc_open(rpc *r, const char *path)
{
    ethp2p_io_ignore_sigpipe(); /* a client that leaves before its answer must not end the node */
    unlink(path);               /* a stale socket from an earlier run */
    uv_pipe_init(r->loop, &r->ipc, 0);
    r->ipc.data = r;
    int e = uv_pipe_bind(&r->ipc, path);
    if (!e) e = uv_listen((uv_stream_t *)&r->ipc, 16, on_connection);
    r->has_ipc = 1; /* even on failure: rpc_stop closes the handle */
    if (e) {
        ETHP2P_ERROR(LOG_MOD, "cannot open the IPC socket", "path=%s err=\"%s\"", path, uv_strerror(e));
        return e;
    }
    r->ipc_path = strdup(path);
    ETHP2P_INFO(LOG_MOD, "IPC endpoint opened", "path=%s", path);
    return 0;
}

void rpc_ipc_close(rpc *r, uv_close_cb done)
{
    while (r->clients) close_client(r->clients);
    if (r->ipc_path) unlink(r->ipc_path);
    free(r->ipc_path);
    r->ipc_path = NULL;
    r->has_ipc = 0;
    uv_close((uv_handle_t *)&r->ipc, done);
}

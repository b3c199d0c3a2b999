/* HTTP on libuv over libmicrohttpd; see httpd.h. */
#include "httpd.h"
#include "ethp2p/log.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MOD "http"
#define MAX_CONNECTIONS 128
#define IDLE_TIMEOUT_S 30

struct httpd {
    uv_loop_t *loop;
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t timer;
    size_t max_body;
    httpd_handler handler;
    void *ctx;
    uint16_t port;
    int closing, open_handles;
};

/* A request being received. */
typedef struct pending {
    char *body;
    size_t len, cap;
    int too_big;
} pending;

static void run(httpd *d);

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    run(p->data);
}

static void on_timer(uv_timer_t *t) { run(t->data); }

/* Lets libmicrohttpd do what is ready, then waits for its next deadline. */
static void run(httpd *d)
{
    if (d->closing) return;
    MHD_run(d->mhd);
    MHD_UNSIGNED_LONG_LONG ms;
    if (MHD_get_timeout(d->mhd, &ms) == MHD_YES) uv_timer_start(&d->timer, on_timer, ms, 0);
    else uv_timer_stop(&d->timer);
}

static enum MHD_Result answer(struct MHD_Connection *c, int status, const char *type, char *body, size_t len,
                              const char *const (*headers)[2])
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    if (type) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    for (size_t i = 0; headers && i < 8 && headers[i][0]; i++) MHD_add_response_header(r, headers[i][0], headers[i][1]);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result text_answer(struct MHD_Connection *c, int status, const char *msg)
{
    char *b = strdup(msg);
    return b ? answer(c, status, "text/plain; charset=utf-8", b, strlen(b), NULL) : MHD_NO;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                 const char *version, const char *upload, size_t *upload_len, void **state)
{
    (void)version;
    httpd *d = cls;
    pending *p = *state;
    if (!p) {
        p = calloc(1, sizeof(*p));
        if (!p) return MHD_NO;
        *state = p;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > d->max_body) {
            p->too_big = 1;
            char msg[96];
            snprintf(msg, sizeof(msg), "content length too large (%s>%zu)\n", cl, d->max_body);
            return text_answer(c, MHD_HTTP_CONTENT_TOO_LARGE, msg);
        }
        return MHD_YES;
    }
    if (*upload_len) {
        if (!p->too_big && p->len + *upload_len > d->max_body) {
            p->too_big = 1;
            *upload_len = 0;
            return text_answer(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large\n");
        }
        if (!p->too_big) {
            if (p->len + *upload_len + 1 > p->cap) {
                size_t cap = (p->len + *upload_len + 1) * 2;
                if (cap > d->max_body + 1) cap = d->max_body + 1;
                char *nb = realloc(p->body, cap);
                if (!nb) return MHD_NO;
                p->body = nb;
                p->cap = cap;
            }
            memcpy(p->body + p->len, upload, *upload_len);
            p->len += *upload_len;
        }
        *upload_len = 0;
        return MHD_YES;
    }
    if (p->too_big) return MHD_YES; /* answered already */
    httpd_request req = {
        .method = method,
        .path = url,
        .host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
        .origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .body = p->body ? p->body : "",
        .body_len = p->len,
    };
    httpd_response resp;
    memset(&resp, 0, sizeof(resp));
    d->handler(d->ctx, &req, &resp);
    if (!resp.body) resp.body = strdup("");
    return answer(c, resp.status ? resp.status : 200, resp.content_type, resp.body, resp.body_len,
                  (const char *const(*)[2])resp.headers);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    pending *p = *state;
    if (p) {
        free(p->body);
        free(p);
        *state = NULL;
    }
}

httpd *httpd_start(uv_loop_t *loop, const ethp2p_ip *ip, uint16_t port, size_t max_body, httpd_handler h, void *ctx,
                   char *err, size_t errlen)
{
    httpd *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->loop = loop;
    d->max_body = max_body;
    d->handler = h;
    d->ctx = ctx;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL;
    if (ip->family == 6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        memcpy(&a->sin6_addr, ip->b, 16);
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        memcpy(&a->sin_addr, ip->b, 4);
    }
    d->mhd = MHD_start_daemon(flags, port, NULL, NULL, on_access, d, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
                              (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, on_completed, d, MHD_OPTION_END);
    if (!d->mhd) {
        snprintf(err, errlen, "cannot listen on port %u (in use, or the address is not local)", port);
        free(d);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    const union MHD_DaemonInfo *pi = MHD_get_daemon_info(d->mhd, MHD_DAEMON_INFO_BIND_PORT);
    d->port = pi ? pi->port : port;
    uv_poll_init(loop, &d->poll, info->epoll_fd);
    uv_timer_init(loop, &d->timer);
    d->poll.data = d->timer.data = d;
    uv_poll_start(&d->poll, UV_READABLE, on_poll);
    run(d);
    return d;
}

uint16_t httpd_port(const httpd *d) { return d->port; }

/* Both handles live in d: it goes when the second has closed (libuv's order is not ours). */
static void on_closed(uv_handle_t *h)
{
    httpd *d = h->data;
    if (--d->open_handles == 0) free(d);
}

void httpd_stop(httpd *d)
{
    if (!d || d->closing) return;
    d->closing = 1;
    d->open_handles = 2;
    uv_poll_stop(&d->poll);
    uv_close((uv_handle_t *)&d->poll, on_closed);
    MHD_stop_daemon(d->mhd);
    uv_close((uv_handle_t *)&d->timer, on_closed);
}

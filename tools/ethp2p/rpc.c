/* JSON-RPC over IPC and HTTP for `ethp2p node`; see rpc.h. */
#include "rpc.h"
#include "cli.h"
#include "ethp2p/hex.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_MOD "rpc"
#define MAX_REQUEST (4u * 1024 * 1024) /* a blob transaction with its sidecar fits */

struct rpc {
    uv_loop_t *loop;
    ethp2p_node *node;
    uv_pipe_t ipc;
    uv_tcp_t http;
    int has_ipc, has_http;
    char *ipc_path;
};

typedef struct client {
    union {
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } h;
    rpc *r;
    int http;
    char *buf;
    size_t len, cap;
} client;

/* ---- methods ---- */

static json_t *err_obj(int code, const char *msg)
{
    return json_pack("{s:i,s:s}", "code", code, "message", msg);
}

static json_t *hex_json(const uint8_t *b, size_t n)
{
    char *s = cli_hex(b, n);
    if (!s) return NULL;
    json_t *j = json_string(s);
    free(s);
    return j;
}

static json_t *qty(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "0x%llx", (unsigned long long)v);
    return json_string(s);
}

static json_t *raw_json(const ethp2p_buffer *b)
{
    json_error_t e;
    return json_loadb((const char *)b->data, b->len, 0, &e);
}

/* Returns the result, or NULL with *error set. */
static json_t *call(rpc *r, const char *method, json_t *params, json_t **error)
{
    ethp2p_eth *eth = ethp2p_node_eth(r->node);
    ethp2p_server *srv = ethp2p_node_server(r->node);
    if (strcmp(method, "eth_sendRawTransaction") == 0) {
        const char *hex = json_string_value(json_array_get(params, 0));
        if (!hex) return *error = err_obj(-32602, "expected the transaction as a hex string"), NULL;
        size_t tl = strlen(hex), n;
        uint8_t *raw = malloc(tl / 2 + 1);
        if (!raw || ethp2p_hex_decode(hex, tl, raw, tl / 2 + 1, &n)) {
            free(raw);
            return *error = err_obj(-32602, "invalid hex"), NULL;
        }
        uint8_t h[32];
        int rc = ethp2p_node_submit(r->node, raw, n, h);
        free(raw);
        if (rc) {
            char msg[128];
            snprintf(msg, sizeof(msg), "invalid transaction: %s", rc == ETHP2P_EINVAL ? "wrong chain ID" : ethp2p_tx_error_name(rc));
            return *error = err_obj(-32000, msg), NULL;
        }
        return hex_json(h, 32);
    }
    if (strcmp(method, "admin_nodeInfo") == 0) {
        ethp2p_node_info ni;
        ethp2p_server_node_info(srv, &ni);
        ethp2p_buffer b;
        ethp2p_buffer_init(&b, 0);
        ethp2p_node_info_json(&ni, &b);
        json_t *j = raw_json(&b);
        ethp2p_buffer_clear(&b);
        return j;
    }
    if (strcmp(method, "admin_peers") == 0) {
        json_t *arr = json_array();
        ethp2p_peer *ps[512];
        size_t n = ethp2p_server_peers(srv, ps, 512);
        for (size_t i = 0; i < n && i < 512; i++) {
            ethp2p_peer_info pi;
            ethp2p_server_peer_info(ps[i], &pi);
            ethp2p_buffer b;
            ethp2p_buffer_init(&b, 0);
            ethp2p_peer_info_json(&pi, &b);
            json_t *j = raw_json(&b);
            if (j) json_array_append_new(arr, j);
            ethp2p_buffer_clear(&b);
        }
        return arr;
    }
    if (strcmp(method, "admin_addPeer") == 0 || strcmp(method, "admin_addTrustedPeer") == 0) {
        const char *url = json_string_value(json_array_get(params, 0));
        ethp2p_enode n;
        if (!url || ethp2p_enode_parse(url, &n, NULL, 0)) return *error = err_obj(-32602, "expected an enode URL with an IP"), NULL;
        int rc = method[9] == 'P' ? ethp2p_server_add_static(srv, &n) : ethp2p_server_add_trusted(srv, &n.id);
        return json_boolean(rc == 0);
    }
    if (strcmp(method, "net_peerCount") == 0) return qty(ethp2p_server_peers(srv, NULL, 0));
    if (strcmp(method, "eth_chainId") == 0) return qty(ethp2p_eth_get_chain(eth)->chain_id);
    if (strcmp(method, "net_version") == 0) {
        char s[24];
        snprintf(s, sizeof(s), "%llu", (unsigned long long)ethp2p_eth_get_chain(eth)->network_id);
        return json_string(s);
    }
    if (strcmp(method, "web3_clientVersion") == 0) {
        char name[128];
        ethp2p_client_name(NULL, name, sizeof(name));
        return json_string(name);
    }
    if (strcmp(method, "eth_blockNumber") == 0) {
        ethp2p_chain *c = ethp2p_node_chain(r->node);
        return qty(c ? ethp2p_chain_head(c)->number : 0);
    }
    if (strcmp(method, "ethp2p_submitBlock") == 0) {
        const char *hex = json_string_value(json_array_get(params, 0));
        size_t tl = hex ? strlen(hex) : 0, n;
        uint8_t *raw = hex ? malloc(tl / 2 + 1) : NULL;
        if (!raw || ethp2p_hex_decode(hex, tl, raw, tl / 2 + 1, &n)) {
            free(raw);
            return *error = err_obj(-32602, "expected the block RLP as a hex string"), NULL;
        }
        int rc = ethp2p_node_submit_block(r->node, raw, n);
        free(raw);
        if (rc) {
            char msg[128];
            snprintf(msg, sizeof(msg), "block not imported: %s",
                     rc == ETHP2P_EINVAL ? "this network has no chain here" : ethp2p_chain_error_name(rc));
            return *error = err_obj(-32000, msg), NULL;
        }
        return json_true();
    }
    if (strcmp(method, "ethp2p_stats") == 0) {
        const ethp2p_eth_stats *st = ethp2p_eth_get_stats(eth);
        json_t *o = json_object();
#define F(x) json_object_set_new(o, #x, json_integer((json_int_t)st->x))
        F(txs_new); F(txs_local); F(txs_dup); F(txs_invalid); F(full_in); F(full_out); F(announced_in);
        F(announced_out); F(fetch_requests); F(fetch_timeouts); F(fetched); F(dup_full_same_peer);
        F(queue_drops); F(peers_dropped); F(blocks_new); F(blocks_in); F(blocks_out); F(block_hashes_out);
        F(block_fetches); F(blocks_waiting); F(blocks_waiting_bytes);
#undef F
        json_object_set_new(o, "eth_peers", json_integer((json_int_t)ethp2p_eth_peer_count(eth)));
        json_object_set_new(o, "peers", json_integer((json_int_t)ethp2p_server_peers(srv, NULL, 0)));
        return o;
    }
    if (strcmp(method, "txpool_status") == 0)
        return json_pack("{s:o,s:o}", "pending", qty(ethp2p_txpool_len(ethp2p_eth_pool(eth))), "queued", qty(0));
    *error = err_obj(-32601, "method not found");
    return NULL;
}

static json_t *handle_one(rpc *r, json_t *req)
{
    json_t *id = json_object_get(req, "id");
    const char *method = json_string_value(json_object_get(req, "method"));
    json_t *params = json_object_get(req, "params"), *none = NULL;
    json_t *error = NULL, *result = NULL;
    if (!params) params = none = json_array();
    if (!json_is_object(req) || !method) error = err_obj(-32600, "invalid request");
    else result = call(r, method, params, &error);
    json_decref(none);
    json_t *resp = json_pack("{s:s,s:O}", "jsonrpc", "2.0", "id", id ? id : json_null());
    if (error) json_object_set_new(resp, "error", error);
    else json_object_set_new(resp, "result", result ? result : json_null());
    return resp;
}

char *rpc_handle_text(rpc *r, const char *text, size_t len)
{
    json_error_t e;
    json_t *req = json_loadb(text, len, 0, &e), *resp;
    if (!req) {
        resp = json_pack("{s:s,s:n,s:o}", "jsonrpc", "2.0", "id", "error", err_obj(-32700, "parse error"));
    } else if (json_is_array(req)) {
        resp = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(req, i, x) json_array_append_new(resp, handle_one(r, x));
    } else {
        resp = handle_one(r, req);
    }
    json_decref(req);
    char *out = json_dumps(resp, JSON_COMPACT);
    json_decref(resp);
    return out;
}

/* ---- transports ---- */

static void on_client_closed(uv_handle_t *h)
{
    client *c = h->data;
    free(c->buf);
    free(c);
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

static void write_text(client *c, char *text, size_t len)
{
    uv_write_t *w = malloc(sizeof(*w));
    if (!w) {
        free(text);
        return;
    }
    w->data = text;
    uv_buf_t b = uv_buf_init(text, (unsigned)len);
    if (uv_write(w, (uv_stream_t *)&c->h, &b, 1, on_written)) {
        free(text);
        free(w);
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    buf->base = malloc(suggested);
    buf->len = buf->base ? suggested : 0;
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    uv_handle_t *h = (uv_handle_t *)req->handle;
    if (!uv_is_closing(h)) uv_close(h, on_client_closed);
    free(req);
}

/* IPC: consecutive JSON values on the stream. */
static void serve_ipc(client *c)
{
    for (;;) {
        size_t skip = 0;
        while (skip < c->len && (c->buf[skip] == ' ' || c->buf[skip] == '\n' || c->buf[skip] == '\r' || c->buf[skip] == '\t')) skip++;
        memmove(c->buf, c->buf + skip, c->len - skip);
        c->len -= skip;
        if (!c->len) return;
        json_error_t e;
        json_t *v = json_loadb(c->buf, c->len, JSON_DISABLE_EOF_CHECK, &e);
        if (!v) {
            if ((size_t)e.position >= c->len) return; /* incomplete: wait for more */
            /* A syntax error before the end: answer it and hang up (the stream cannot resync). */
            static const char perr[] = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}\n";
            char *out = strdup(perr);
            if (out) write_text(c, out, sizeof(perr) - 1);
            c->len = 0;
            uv_shutdown_t *sd = malloc(sizeof(*sd));
            if (sd && uv_shutdown(sd, (uv_stream_t *)&c->h, on_shutdown)) free(sd);
            return;
        }
        size_t used = (size_t)e.position;
        json_decref(v);
        char *out = rpc_handle_text(c->r, c->buf, used);
        size_t ol = strlen(out);
        out = realloc(out, ol + 2);
        out[ol] = '\n';
        write_text(c, out, ol + 1);
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
}

/* HTTP: one POST with a Content-Length, answered, then the connection closes. */
static void serve_http(client *c)
{
    char *end = NULL;
    for (size_t i = 3; i < c->len; i++)
        if (memcmp(c->buf + i - 3, "\r\n\r\n", 4) == 0) {
            end = c->buf + i + 1;
            break;
        }
    if (!end) return;
    size_t hlen = (size_t)(end - c->buf), clen = 0;
    for (char *p = c->buf; p < end; p++)
        if (strncasecmp(p, "\ncontent-length:", 16) == 0) clen = strtoul(p + 16, NULL, 10);
    if (clen > MAX_REQUEST) {
        uv_close((uv_handle_t *)&c->h, on_client_closed);
        return;
    }
    if (c->len < hlen + clen) return;
    char *body = rpc_handle_text(c->r, end, clen);
    size_t bl = strlen(body);
    char head[160];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", bl);
    char *out = malloc((size_t)n + bl);
    memcpy(out, head, (size_t)n);
    memcpy(out + n, body, bl);
    free(body);
    write_text(c, out, (size_t)n + bl);
    c->len = 0;
    uv_shutdown_t *sd = malloc(sizeof(*sd));
    if (sd && uv_shutdown(sd, (uv_stream_t *)&c->h, on_shutdown)) free(sd);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    client *c = s->data;
    if (nread < 0) {
        free(buf->base);
        if (!uv_is_closing((uv_handle_t *)s)) uv_close((uv_handle_t *)s, on_client_closed);
        return;
    }
    if (c->len + (size_t)nread > MAX_REQUEST + 8192) {
        free(buf->base);
        ETHP2P_DEBUG(LOG_MOD, "request too large: closing", "bytes=%zu", c->len + (size_t)nread);
        uv_close((uv_handle_t *)s, on_client_closed);
        return;
    }
    if (c->len + (size_t)nread + 1 > c->cap) {
        size_t cap = (c->len + (size_t)nread + 1) * 2;
        char *b = realloc(c->buf, cap);
        if (!b) {
            free(buf->base);
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, buf->base, (size_t)nread);
    c->len += (size_t)nread;
    c->buf[c->len] = '\0';
    free(buf->base);
    if (c->http) serve_http(c);
    else serve_ipc(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    rpc *r = server->data;
    if (status) return;
    client *c = calloc(1, sizeof(*c));
    if (!c) return;
    c->r = r;
    c->http = server == (uv_stream_t *)&r->http;
    if (c->http) uv_tcp_init(r->loop, &c->h.tcp);
    else uv_pipe_init(r->loop, &c->h.pipe, 0);
    c->h.pipe.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->h)) {
        uv_close((uv_handle_t *)&c->h, on_client_closed);
        return;
    }
    uv_read_start((uv_stream_t *)&c->h, on_alloc, on_read);
}

rpc *rpc_start(uv_loop_t *loop, ethp2p_node *node, const char *ipc_path, uint16_t http_port)
{
    ethp2p_io_ignore_sigpipe(); /* a client that leaves before its answer must not end the node */
    rpc *r = calloc(1, sizeof(*r));
    if (!r) return NULL;
    r->loop = loop;
    r->node = node;
    if (ipc_path) {
        unlink(ipc_path); /* a stale socket from an earlier run */
        uv_pipe_init(loop, &r->ipc, 0);
        r->ipc.data = r;
        int e = uv_pipe_bind(&r->ipc, ipc_path);
        if (!e) e = uv_listen((uv_stream_t *)&r->ipc, 16, on_connection);
        if (e) {
            ETHP2P_ERROR(LOG_MOD, "cannot open the IPC socket", "path=%s err=\"%s\"", ipc_path, uv_strerror(e));
            uv_close((uv_handle_t *)&r->ipc, NULL);
        } else {
            r->has_ipc = 1;
            r->ipc_path = strdup(ipc_path);
            ETHP2P_INFO(LOG_MOD, "IPC endpoint opened", "path=%s", ipc_path);
        }
    }
    if (http_port) {
        uv_tcp_init(loop, &r->http);
        r->http.data = r;
        struct sockaddr_in a;
        uv_ip4_addr("127.0.0.1", http_port, &a);
        int e = uv_tcp_bind(&r->http, (const struct sockaddr *)&a, 0);
        if (!e) e = uv_listen((uv_stream_t *)&r->http, 64, on_connection);
        if (e) {
            ETHP2P_ERROR(LOG_MOD, "cannot listen for HTTP", "addr=127.0.0.1:%u err=\"%s\"", http_port, uv_strerror(e));
            uv_close((uv_handle_t *)&r->http, NULL);
        } else {
            r->has_http = 1;
            ETHP2P_INFO(LOG_MOD, "HTTP endpoint opened", "url=http://127.0.0.1:%u", http_port);
        }
    }
    return r;
}

static void free_rpc(uv_handle_t *h) { free(h->data); }

void rpc_stop(rpc *r)
{
    if (!r) return;
    if (r->ipc_path) unlink(r->ipc_path);
    free(r->ipc_path);
    r->ipc_path = NULL;
    int pending = r->has_ipc + r->has_http;
    if (!pending) {
        free(r);
        return;
    }
    /* The last listener to close frees r. */
    if (r->has_ipc && r->has_http) {
        uv_close((uv_handle_t *)&r->ipc, NULL);
        r->http.data = r;
        uv_close((uv_handle_t *)&r->http, free_rpc);
    } else if (r->has_ipc) {
        r->ipc.data = r;
        uv_close((uv_handle_t *)&r->ipc, free_rpc);
    } else {
        r->http.data = r;
        uv_close((uv_handle_t *)&r->http, free_rpc);
    }
}

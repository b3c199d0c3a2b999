/*
 * The JSON-RPC core for `ethp2p node`; see rpc.h. Requests (single or batch)
 * are parsed, checked and dispatched to the method table (rpc_methods.c)
 * according to the modules the connection may use; subscriptions are kept
 * here and fed by the node's peer events. The transports are rpc_ipc.c and
 * rpc_http.c.
 */
#include "rpc_internal.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"
#include "ethp2p/metrics.h"
#include "ethp2p/random.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MOD "rpc"

json_t *rpc_error(int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return json_pack("{s:i,s:s}", "code", code, "message", msg);
}

const rpc_module rpc_module_names[RPC_NMODULES] = {
    {"admin", RPC_ADMIN}, {"net", RPC_NET}, {"web3", RPC_WEB3}, {"eth", RPC_ETH},
    {"txpool", RPC_TXPOOL}, {"ethp2p", RPC_ETHP2P}, {"rpc", RPC_RPC},
};

unsigned rpc_modules_mask(const char *list)
{
    unsigned mask = RPC_RPC; /* rpc_modules is always there, as in the reference */
    char *copy = strdup(list ? list : "");
    for (char *save, *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        size_t i = 0;
        while (i < RPC_NMODULES && strcmp(rpc_module_names[i].name, tok)) i++;
        if (i < RPC_NMODULES) mask |= rpc_module_names[i].bit;
        else ETHP2P_WARN(LOG_MOD, "unknown API module ignored", "module=\"%s\"", tok);
    }
    free(copy);
    return mask;
}

/* An id is a number, a string or null; objects and arrays are not ids. */
static int valid_id(const json_t *id) { return json_is_string(id) || json_is_number(id) || json_is_null(id); }

static json_t *response(json_t *id, json_t *result, json_t *error)
{
    json_t *resp = json_pack("{s:s,s:O}", "jsonrpc", "2.0", "id", id ? id : json_null());
    if (error) json_object_set_new(resp, "error", error);
    else json_object_set_new(resp, "result", result ? result : json_null());
    return resp;
}

static void count_call(rpc *r, const rpc_method *m, int ok)
{
    if (!m) {
        r->unknown_calls++;
        return;
    }
    rpc_call_count *c = &r->calls[m - rpc_methods];
    if (ok) c->ok++;
    else c->failed++;
}

/* One call: its response, or NULL for a notification. */
static json_t *handle_one(rpc *r, rpc_conn *c, json_t *req)
{
    if (!json_is_object(req)) return response(NULL, NULL, rpc_error(RPC_E_INVALID_REQUEST, "invalid request"));
    json_t *id = json_object_get(req, "id");
    json_t *mj = json_object_get(req, "method");
    const char *method = json_string_value(mj);
    if (id && !valid_id(id)) return response(NULL, NULL, rpc_error(RPC_E_INVALID_REQUEST, "invalid request"));
    if (!method || !*method) return response(id, NULL, rpc_error(RPC_E_INVALID_REQUEST, "invalid request"));
    json_t *params = json_object_get(req, "params"), *none = NULL;
    json_t *error = NULL, *result = NULL;
    const rpc_method *m = NULL;
    for (const rpc_method *x = rpc_methods; x->name; x++)
        if (strcmp(x->name, method) == 0) {
            m = x;
            break;
        }
    if (!m || !(c->modules & m->module)) {
        error = rpc_error(RPC_E_NOT_FOUND, "the method %.100s does not exist/is not available", method);
        m = NULL;
    } else if (params && !json_is_array(params) && !json_is_null(params)) {
        error = rpc_error(RPC_E_INVALID_PARAMS, "non-array args");
    } else {
        if (!params || json_is_null(params)) params = none = json_array();
        result = m->fn(r, c, params, &error);
        json_decref(none);
    }
    count_call(r, m, error == NULL);
    if (!id) { /* a notification: done, nothing to answer */
        json_decref(result);
        json_decref(error);
        return NULL;
    }
    return response(id, result, error);
}

static char *dump(json_t *resp)
{
    char *out = resp ? json_dumps(resp, JSON_COMPACT) : NULL;
    json_decref(resp);
    return out;
}

char *rpc_handle(rpc *r, rpc_conn *c, const char *text, size_t len)
{
    json_error_t e;
    json_t *req = json_loadb(text, len, 0, &e);
    if (!req) ETHP2P_DEBUG(LOG_MOD, "request is not JSON", "bytes=%zu err=\"%s\"", len, e.text);
    char *out = rpc_handle_value(r, c, req);
    json_decref(req);
    return out;
}

char *rpc_handle_value(rpc *r, rpc_conn *c, json_t *req)
{
    json_t *resp = NULL;
    if (!req) {
        resp = response(NULL, NULL, rpc_error(RPC_E_PARSE, "parse error"));
    } else if (json_is_array(req)) {
        size_t n = json_array_size(req);
        if (n == 0) resp = response(NULL, NULL, rpc_error(RPC_E_INVALID_REQUEST, "empty batch"));
        else if (n > RPC_BATCH_LIMIT) resp = response(NULL, NULL, rpc_error(RPC_E_INVALID_REQUEST, "batch too large"));
        else {
            resp = json_array();
            size_t i;
            json_t *x;
            json_array_foreach(req, i, x) {
                json_t *one = handle_one(r, c, x);
                if (one) json_array_append_new(resp, one);
            }
            if (json_array_size(resp) == 0) { /* only notifications */
                json_decref(resp);
                resp = NULL;
            }
        }
    } else {
        resp = handle_one(r, c, req);
    }
    return dump(resp);
}

char *rpc_handle_text(rpc *r, const char *text, size_t len)
{
    rpc_conn c = {RPC_ALL, NULL, NULL};
    return rpc_handle(r, &c, text, len);
}

/* ---- subscriptions ---- */

json_t *rpc_subscribe(rpc *r, rpc_conn *c, json_t *params, json_t **error)
{
    const char *kind = json_string_value(json_array_get(params, 0));
    if (!c->notify) return *error = rpc_error(RPC_E_NOT_FOUND, "notifications not supported"), NULL;
    if (!kind || strcmp(kind, "peerEvents"))
        return *error = rpc_error(RPC_E_NOT_FOUND, "no \"%.60s\" subscription in admin namespace", kind ? kind : ""), NULL;
    if (r->nsubs == RPC_MAX_SUBS) return *error = rpc_error(RPC_E_SERVER, "too many subscriptions"), NULL;
    rpc_sub *s = &r->subs[r->nsubs++];
    uint8_t rnd[16];
    (void)!ethp2p_random_bytes(rnd, sizeof(rnd));
    s->id[0] = '0';
    s->id[1] = 'x';
    ethp2p_hex_encode(rnd, sizeof(rnd), s->id + 2);
    s->conn = c;
    return json_string(s->id);
}

json_t *rpc_unsubscribe(rpc *r, rpc_conn *c, json_t *params, json_t **error)
{
    const char *id = json_string_value(json_array_get(params, 0));
    for (size_t i = 0; id && i < r->nsubs; i++)
        if (r->subs[i].conn == c && strcmp(r->subs[i].id, id) == 0) {
            r->subs[i] = r->subs[--r->nsubs];
            return json_true();
        }
    return *error = rpc_error(RPC_E_SERVER, "subscription not found"), NULL;
}

void rpc_conn_closed(rpc *r, rpc_conn *c)
{
    for (size_t i = 0; i < r->nsubs;)
        if (r->subs[i].conn == c) r->subs[i] = r->subs[--r->nsubs];
        else i++;
}

void rpc_peer_event(rpc *r, const ethp2p_node_event *ev)
{
    if (!r || !r->nsubs || !ev->peer) return;
    if (ev->type != ETHP2P_NODE_EV_PEER_ADDED && ev->type != ETHP2P_NODE_EV_PEER_DROPPED) return;
    ethp2p_peer_info pi;
    ethp2p_server_peer_info(ev->peer, &pi);
    json_t *res = json_pack("{s:s,s:s,s:s,s:s}", "type", ev->type == ETHP2P_NODE_EV_PEER_ADDED ? "add" : "drop", "peer", pi.id,
                            "local", pi.local_address, "remote", pi.remote_address);
    if (ev->type == ETHP2P_NODE_EV_PEER_DROPPED)
        json_object_set_new(res, "error", json_string(ethp2p_disconnect_reason_name(ev->reason)));
    for (size_t i = 0; i < r->nsubs; i++) {
        json_t *n = json_pack("{s:s,s:s,s:{s:s,s:O}}", "jsonrpc", "2.0", "method", "admin_subscription", "params",
                              "subscription", r->subs[i].id, "result", res);
        char *text = dump(n);
        if (text) {
            r->subs[i].conn->notify(r->subs[i].conn->transport, text, strlen(text));
            free(text);
        }
    }
    json_decref(res);
}

/* ---- metrics ---- */

void rpc_metrics(const rpc *r, ethp2p_buffer *out)
{
    ethp2p_metrics_family(out, "ethp2p_rpc_calls_total", "counter", "JSON-RPC calls by method and outcome.");
    for (size_t i = 0; rpc_methods[i].name; i++) {
        const rpc_call_count *c = &r->calls[i];
        if (c->ok) {
            const char *l[] = {"method", rpc_methods[i].name, "outcome", "ok", NULL};
            ethp2p_metrics_sample(out, "ethp2p_rpc_calls_total", l, (double)c->ok);
        }
        if (c->failed) {
            const char *l[] = {"method", rpc_methods[i].name, "outcome", "error", NULL};
            ethp2p_metrics_sample(out, "ethp2p_rpc_calls_total", l, (double)c->failed);
        }
    }
    const char *l[] = {"method", "unknown", "outcome", "error", NULL};
    ethp2p_metrics_sample(out, "ethp2p_rpc_calls_total", l, (double)r->unknown_calls);
    ethp2p_metrics_family(out, "ethp2p_rpc_http_requests_total", "counter", "HTTP requests, by whether they were served.");
    const char *ok[] = {"outcome", "served", NULL}, *rej[] = {"outcome", "rejected", NULL};
    ethp2p_metrics_sample(out, "ethp2p_rpc_http_requests_total", ok, (double)(r->http_requests - r->http_rejected));
    ethp2p_metrics_sample(out, "ethp2p_rpc_http_requests_total", rej, (double)r->http_rejected);
}

/* ---- start and stop ---- */

rpc *rpc_start(uv_loop_t *loop, ethp2p_node *node, const rpc_config *cfg)
{
    rpc *r = calloc(1, sizeof(*r));
    size_t nm = 0;
    while (rpc_methods[nm].name) nm++;
    if (!r || !(r->calls = calloc(nm, sizeof(*r->calls)))) {
        free(r);
        return NULL;
    }
    r->loop = loop;
    r->node = node;
    r->cfg = *cfg;
    r->datadir = strdup(cfg->datadir ? cfg->datadir : "");
    r->corsdomain = cfg->corsdomain ? strdup(cfg->corsdomain) : NULL;
    r->vhosts = strdup(cfg->vhosts ? cfg->vhosts : "localhost");
    r->cfg.datadir = r->datadir;
    r->cfg.corsdomain = r->corsdomain;
    r->cfg.vhosts = r->vhosts;
    r->cfg.http_api = NULL;
    r->cfg.ipc_path = NULL;
    int failed = 0;
    if (cfg->ipc_path && rpc_ipc_open(r, cfg->ipc_path)) failed = 1;
    if (!failed && cfg->http) {
        r->http_modules = rpc_modules_mask(cfg->http_api ? cfg->http_api : "eth,net,web3");
        ethp2p_ip ip = cfg->http_ip;
        if (!ip.family) ip = (ethp2p_ip){4, {127, 0, 0, 1}};
        char err[160], ipt[46];
        ethp2p_ip_format(&ip, ipt, sizeof(ipt));
        r->http = httpd_start(loop, &ip, cfg->http_port, RPC_HTTP_BODY_LIMIT, rpc_http_serve, r, err, sizeof(err));
        if (!r->http) {
            ETHP2P_ERROR(LOG_MOD, "cannot open the HTTP endpoint", "addr=%s err=\"%s\"", ipt, err);
            failed = 1;
        } else {
            ETHP2P_INFO(LOG_MOD, "HTTP endpoint opened", "url=http://%s%s%s:%u/ api=%s vhosts=%s cors=%s",
                        ip.family == 6 ? "[" : "", ipt, ip.family == 6 ? "]" : "", httpd_port(r->http),
                        cfg->http_api ? cfg->http_api : "eth,net,web3", r->vhosts, r->corsdomain ? r->corsdomain : "");
        }
    }
    if (failed) {
        rpc_stop(r);
        return NULL;
    }
    return r;
}

uint16_t rpc_http_port(const rpc *r) { return r && r->http ? httpd_port(r->http) : 0; }

static void free_rpc(rpc *r)
{
    free(r->calls);
    free(r->datadir);
    free(r->corsdomain);
    free(r->vhosts);
    free(r);
}

static void on_ipc_closed(uv_handle_t *h) { free_rpc(h->data); }

void rpc_stop(rpc *r)
{
    if (!r) return;
    httpd_stop(r->http);
    r->http = NULL;
    if (r->has_ipc) rpc_ipc_close(r, on_ipc_closed);
    else free_rpc(r);
}

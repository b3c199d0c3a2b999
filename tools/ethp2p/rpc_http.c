/*
 * JSON-RPC over HTTP, checked as the reference checks it: POST with a JSON
 * content type (415 otherwise), PUT and DELETE refused (405), bodies over 5 MiB
 * refused (413, by httpd), a Host header that is an IP address or one of
 * --http.vhosts (403 otherwise), CORS headers only for origins in
 * --http.corsdomain, and an empty GET answered 200 for health checks. Only the
 * modules in --http.api are callable.
 */
#include "rpc_internal.h"
#include "ethp2p/enode.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_MOD "rpc"

/* Whether item (case-insensitive) is in a comma-separated list, or the list holds "*". */
static int in_list(const char *list, const char *item, size_t item_len)
{
    if (!list) return 0;
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && t[-1] == ' ') t--;
        size_t n = (size_t)(t - p);
        if ((n == 1 && *p == '*') || (n == item_len && n && strncasecmp(p, item, n) == 0)) return 1;
        p = e;
    }
    return 0;
}

/* The Host header without its port is an IP address, or a name in vhosts. */
static int host_allowed(const char *vhosts, const char *host)
{
    if (!host) return 1; /* HTTP/1.0 without Host: as the reference, nothing to check */
    char h[256];
    size_t n = strnlen(host, sizeof(h) - 1);
    memcpy(h, host, n);
    h[n] = '\0';
    char *name = h;
    if (*name == '[') { /* [v6]:port */
        char *end = strchr(name, ']');
        if (end) *end = '\0';
        name++;
    } else {
        char *colon = strchr(name, ':');
        if (colon && !strchr(colon + 1, ':')) *colon = '\0';
    }
    ethp2p_ip ip;
    if (ethp2p_ip_parse(name, &ip) == 0) return 1;
    return in_list(vhosts, name, strlen(name));
}

static void set_text(httpd_response *resp, int status, const char *msg)
{
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = strdup(msg);
    resp->body_len = resp->body ? strlen(resp->body) : 0;
}

static int json_content_type(const char *ct)
{
    if (!ct) return 0;
    size_t n = strcspn(ct, "; ");
    static const char *const ok[] = {"application/json", "application/json-rpc", "application/jsonrequest"};
    for (size_t i = 0; i < 3; i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0) return 1;
    return 0;
}

void rpc_http_serve(void *ctx, const httpd_request *req, httpd_response *resp)
{
    rpc *r = ctx;
    r->http_requests++;
    size_t h = 0;
    if (req->origin && r->corsdomain && in_list(r->corsdomain, req->origin, strlen(req->origin))) {
        resp->headers[h][0] = "Access-Control-Allow-Origin";
        resp->headers[h++][1] = strcmp(r->corsdomain, "*") == 0 ? "*" : req->origin;
        resp->headers[h][0] = "Vary";
        resp->headers[h++][1] = "Origin";
    }
    if (!host_allowed(r->vhosts, req->host)) {
        r->http_rejected++;
        ETHP2P_DEBUG(LOG_MOD, "HTTP request refused: host not in --http.vhosts", "host=\"%.64s\"", req->host);
        set_text(resp, 403, "invalid host specified\n");
        return;
    }
    if (strcmp(req->method, "OPTIONS") == 0) { /* a CORS preflight */
        resp->headers[h][0] = "Access-Control-Allow-Methods";
        resp->headers[h++][1] = "POST, GET";
        resp->headers[h][0] = "Access-Control-Allow-Headers";
        resp->headers[h++][1] = "Content-Type";
        resp->headers[h][0] = "Access-Control-Max-Age";
        resp->headers[h++][1] = "600";
        set_text(resp, 200, "");
        return;
    }
    if (strcmp(req->method, "GET") == 0 && req->body_len == 0 && !strchr(req->path, '?')) {
        set_text(resp, 200, ""); /* health checks, as the reference permits */
        return;
    }
    if (strcmp(req->method, "PUT") == 0 || strcmp(req->method, "DELETE") == 0) {
        r->http_rejected++;
        set_text(resp, 405, "method not allowed\n");
        return;
    }
    if (!json_content_type(req->content_type)) {
        r->http_rejected++;
        set_text(resp, 415, "invalid content type, only application/json is supported\n");
        return;
    }
    rpc_conn c = {r->http_modules, NULL, NULL};
    char *out = rpc_handle(r, &c, req->body, req->body_len);
    resp->status = 200;
    resp->content_type = "application/json";
    resp->body = out ? out : strdup("");
    resp->body_len = resp->body ? strlen(resp->body) : 0;
}

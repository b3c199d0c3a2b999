/* The /metrics endpoint of `ethp2p node`; see metrics_http.h. */
#include "metrics_http.h"
#include "httpd.h"
#include "ethp2p/log.h"
#include "ethp2p/metrics.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "metrics"

struct metrics_http {
    httpd *http;
    ethp2p_node *node;
    rpc *rpc;
    uint64_t scrapes;
};

static void serve(void *ctx, const httpd_request *req, httpd_response *resp)
{
    metrics_http *m = ctx;
    if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
        resp->status = 405;
        resp->body = strdup("method not allowed\n");
    } else if (strcmp(req->path, "/metrics") && strcmp(req->path, "/debug/metrics/prometheus")) {
        resp->status = 404;
        resp->body = strdup("not found: the metrics are at /metrics\n");
    } else {
        m->scrapes++;
        ethp2p_buffer b;
        ethp2p_buffer_init(&b, 0);
        ethp2p_node_metrics(m->node, &b);
        if (m->rpc) rpc_metrics(m->rpc, &b);
        ethp2p_metrics_family(&b, "ethp2p_metrics_scrapes_total", "counter", "Scrapes of this endpoint.");
        ethp2p_metrics_sample(&b, "ethp2p_metrics_scrapes_total", NULL, (double)m->scrapes);
        resp->body = malloc(b.len + 1);
        if (resp->body) {
            memcpy(resp->body, b.data, b.len);
            resp->body_len = b.len;
        }
        ethp2p_buffer_clear(&b);
        resp->content_type = ETHP2P_METRICS_CONTENT_TYPE;
        return;
    }
    resp->content_type = "text/plain; charset=utf-8";
    resp->body_len = resp->body ? strlen(resp->body) : 0;
}

metrics_http *metrics_http_start(uv_loop_t *loop, ethp2p_node *node, rpc *r, const ethp2p_ip *ip, uint16_t port)
{
    metrics_http *m = calloc(1, sizeof(*m));
    if (!m) return NULL;
    m->node = node;
    m->rpc = r;
    char err[160], ipt[46];
    ethp2p_ip_format(ip, ipt, sizeof(ipt));
    m->http = httpd_start(loop, ip, port, 4096, serve, m, err, sizeof(err));
    if (!m->http) {
        ETHP2P_ERROR(LOG_MOD, "cannot open the metrics endpoint", "addr=%s err=\"%s\"", ipt, err);
        free(m);
        return NULL;
    }
    ETHP2P_INFO(LOG_MOD, "metrics endpoint opened", "url=http://%s%s%s:%u/metrics", ip->family == 6 ? "[" : "", ipt,
                ip->family == 6 ? "]" : "", httpd_port(m->http));
    return m;
}

uint16_t metrics_http_port(const metrics_http *m) { return m ? httpd_port(m->http) : 0; }

void metrics_http_stop(metrics_http *m)
{
    if (!m) return;
    httpd_stop(m->http);
    free(m);
}

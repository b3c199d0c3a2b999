/*
 * A small HTTP/1.1 server on a libuv loop, over libmicrohttpd driven from the
 * loop (its epoll descriptor is polled; no thread). Keep-alive, a body size
 * limit (413 past it), connection and idle limits. Serves the JSON-RPC
 * endpoint and /metrics.
 */
#ifndef ETHP2P_CLI_HTTPD_H
#define ETHP2P_CLI_HTTPD_H

#include "ethp2p/enode.h"
#include <stddef.h>
#include <uv.h>

typedef struct httpd httpd;

/** One request, complete. Header values are NULL when absent. */
typedef struct httpd_request {
    const char *method, *path, *host, *origin, *content_type;
    const char *body;
    size_t body_len;
} httpd_request;

/** The answer the handler fills: status (200 if left 0), body (malloc'd, taken), headers. */
typedef struct httpd_response {
    int status;
    const char *content_type;
    char *body;
    size_t body_len;
    const char *headers[8][2]; /* extra headers, name and value, unused ones NULL */
} httpd_response;

typedef void (*httpd_handler)(void *ctx, const httpd_request *req, httpd_response *resp);

/** Listens on ip:port; max_body bounds a request's body. NULL on failure, with err set. */
httpd *httpd_start(uv_loop_t *loop, const ethp2p_ip *ip, uint16_t port, size_t max_body, httpd_handler h, void *ctx,
                   char *err, size_t errlen);
/** The port it listens on (useful with port 0). */
uint16_t httpd_port(const httpd *d);
/** Stops listening, ends every connection, frees; run the loop to finish closing. */
void httpd_stop(httpd *d);

#endif

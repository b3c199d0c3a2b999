/* Shared by the JSON-RPC core (rpc.c), its methods (rpc_methods.c) and transports (rpc_ipc.c, rpc_http.c). */
#ifndef ETHP2P_CLI_RPC_INTERNAL_H
#define ETHP2P_CLI_RPC_INTERNAL_H

#include "httpd.h"
#include "rpc.h"
#include <jansson.h>

enum { RPC_ADMIN = 1, RPC_NET = 2, RPC_WEB3 = 4, RPC_ETH = 8, RPC_TXPOOL = 16, RPC_ETHP2P = 32, RPC_RPC = 64, RPC_ALL = 127 };

/* The reference's error codes. */
enum {
    RPC_E_PARSE = -32700, RPC_E_INVALID_REQUEST = -32600, RPC_E_NOT_FOUND = -32601, RPC_E_INVALID_PARAMS = -32602,
    RPC_E_SERVER = -32000
};

/** A client connection as the core sees it: which modules, and how to push notifications (NULL: cannot). */
typedef struct rpc_conn {
    unsigned modules;
    void *transport;
    void (*notify)(void *transport, const char *text, size_t len);
} rpc_conn;

typedef struct rpc_method {
    const char *name;
    unsigned module;
    /* Returns the result, or NULL with *error set (rpc_error()). */
    json_t *(*fn)(rpc *r, rpc_conn *c, json_t *params, json_t **error);
} rpc_method;

#define RPC_MAX_SUBS 64

typedef struct rpc_sub {
    char id[35];
    rpc_conn *conn;
} rpc_sub;

typedef struct rpc_call_count {
    const char *method;
    uint64_t ok, failed;
} rpc_call_count;

struct rpc {
    uv_loop_t *loop;
    ethp2p_node *node;
    rpc_config cfg;
    char *datadir;
    /* IPC */
    uv_pipe_t ipc;
    int has_ipc;
    char *ipc_path;
    struct ipc_client *clients; /* open IPC connections, closed on stop */
    /* HTTP */
    httpd *http;
    unsigned http_modules;
    char *corsdomain, *vhosts;
    /* peerEvents subscriptions */
    rpc_sub subs[RPC_MAX_SUBS];
    size_t nsubs;
    /* metrics */
    rpc_call_count *calls; /* one per method of the table, same order */
    uint64_t unknown_calls, http_requests, http_rejected;
};

/** The modules by name (the --http.api words and what rpc_modules lists). */
#define RPC_NMODULES 7
typedef struct rpc_module {
    const char *name;
    unsigned bit;
} rpc_module;
extern const rpc_module rpc_module_names[RPC_NMODULES];

/** The method table, NULL-name terminated. */
extern const rpc_method rpc_methods[];
/** An error object {code, message}. */
json_t *rpc_error(int code, const char *fmt, ...);
/** Module mask of a comma-separated list of names (unknown names logged and ignored). */
unsigned rpc_modules_mask(const char *list);
/** The core: one request text from conn, answered (malloc'd) or NULL (nothing to answer). */
char *rpc_handle(rpc *r, rpc_conn *c, const char *text, size_t len);
/** admin_subscribe / admin_unsubscribe (rpc.c keeps the subscriptions). */
json_t *rpc_subscribe(rpc *r, rpc_conn *c, json_t *params, json_t **error);
json_t *rpc_unsubscribe(rpc *r, rpc_conn *c, json_t *params, json_t **error);
/** eth_getBlockByNumber / eth_getBlockByHash (rpc_blocks.c). */
json_t *rpc_get_block_by_number(rpc *r, rpc_conn *c, json_t *params, json_t **error);
json_t *rpc_get_block_by_hash(rpc *r, rpc_conn *c, json_t *params, json_t **error);
/** The same for a request already parsed (NULL: it was not JSON); req stays the caller's. */
char *rpc_handle_value(rpc *r, rpc_conn *c, json_t *req);
/** Forgets a connection's subscriptions (it closed). */
void rpc_conn_closed(rpc *r, rpc_conn *c);

/** IPC transport (rpc_ipc.c): 0 or a libuv error. */
int rpc_ipc_open(rpc *r, const char *path);
void rpc_ipc_close(rpc *r, uv_close_cb done);
/** HTTP transport (rpc_http.c): the handler given to httpd. */
void rpc_http_serve(void *ctx, const httpd_request *req, httpd_response *resp);

#endif

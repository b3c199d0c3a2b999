/*
 * ethp2p rlpx ping | listen.
 *   ping ENODE     connect, complete the handshake and Hello, print the
 *                  remote Hello as JSON, disconnect with "client quitting".
 *   listen         accept connections and print one JSON line per event
 *                  (hello, disconnect) until SIGINT/SIGTERM.
 */
#include "cli.h"
#include "ethp2p/conn.h"
#include "ethp2p/hex.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DEFAULT_TIMEOUT_MS 10000
/* Our Hello name, like "ethp2p/v0.1.0/linux-amd64/gcc12". */
static const char *client_name(void)
{
    static char name[96];
    if (!name[0]) ethp2p_client_name(NULL, name, sizeof(name));
    return name;
}
#define MAX_LISTEN_PEERS 256

static json_t *hello_json(const ethp2p_hello *h)
{
    json_t *o = json_object();
    json_object_set_new(o, "version", json_integer((json_int_t)h->version));
    json_object_set_new(o, "name", json_string(h->name));
    json_t *caps = json_array();
    for (size_t i = 0; i < h->ncaps; i++) {
        char c[32];
        snprintf(c, sizeof(c), "%s/%u", h->caps[i].name, h->caps[i].version);
        json_array_append_new(caps, json_string(c));
    }
    json_object_set_new(o, "caps", caps);
    json_object_set_new(o, "listenPort", json_integer(h->listen_port));
    char id[129];
    ethp2p_hex_encode(h->id.b, 64, id);
    json_object_set_new(o, "id", json_string(id));
    return o;
}

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_decref(o);
}

/* Parses "eth/68,snap/1" into protocol specs (message-code counts by name). */
static int parse_caps(const char *text, ethp2p_protocol_spec *specs, char names[][ETHP2P_P2P_CAP_NAME_MAX + 1], size_t *n)
{
    *n = 0;
    const char *p = text;
    while (*p && *n < ETHP2P_CONN_MAX_PROTOCOLS) {
        size_t len = strcspn(p, ",");
        const char *slash = memchr(p, '/', len);
        if (!slash || slash == p || (size_t)(slash - p) > ETHP2P_P2P_CAP_NAME_MAX) goto bad;
        memcpy(names[*n], p, (size_t)(slash - p));
        names[*n][slash - p] = '\0';
        char *end;
        unsigned long v = strtoul(slash + 1, &end, 10);
        if (end != p + len || v == 0) goto bad;
        specs[*n].name = names[*n];
        specs[*n].version = (uint32_t)v;
        /* eth/66-68 use 17 codes, eth/69 18; other names get 16 unless known. */
        specs[*n].length = strcmp(names[*n], "eth") == 0 ? (v >= 69 ? 18 : 17) : strcmp(names[*n], "snap") == 0 ? 8 : 16;
        (*n)++;
        p += len;
        if (*p == ',') p++;
    }
    return 0;
bad:
    cli_error("--caps: '%s' is not a list like eth/68,snap/1", text);
    return -1;
}

/* ---- ping ---- */

typedef struct ping_state {
    uv_timer_t timeout;
    ethp2p_rlpx_tcp *t;
    int got_hello, closed, reason, by_remote, timed_out;
    json_t *hello;
} ping_state;

static int ping_on_hello(void *ctx, const ethp2p_hello *h)
{
    ping_state *p = ctx;
    p->got_hello = 1;
    p->hello = hello_json(h);
    return ETHP2P_DISC_CLIENT_QUITTING; /* we only came for the Hello */
}

static void ping_on_close(void *ctx, int reason, int by_remote)
{
    ping_state *p = ctx;
    p->closed = 1;
    p->reason = reason;
    p->by_remote = by_remote;
}

static void ping_done(void *arg, ethp2p_rlpx_tcp *t)
{
    ping_state *p = arg;
    p->t = NULL;
    uv_timer_stop(&p->timeout);
    uv_close((uv_handle_t *)&p->timeout, NULL);
}

static void ping_on_timeout(uv_timer_t *h)
{
    ping_state *p = h->data;
    p->timed_out = 1;
    if (p->t) ethp2p_conn_abort(ethp2p_rlpx_tcp_conn(p->t), ETHP2P_DISC_READ_TIMEOUT);
}

static int rlpx_ping(int argc, char **argv)
{
    cli_flag flags[] = {
        {"timeout", "DURATION", "give up after this long (default 10s)", NULL},
        {"nodekey", "FILE", "use this node key (default: a new random one)", NULL},
        {"caps", "LIST", "capabilities to advertise, like eth/68 (default: none)", NULL},
        {"verbosity", "N", "log level 0-5 (default 1: errors)", NULL},
        {"bind", "IP", "connect from this local address (default: the system's choice)", NULL},
    };
    cli_command cmd = {"ethp2p rlpx ping ENODE [--timeout DURATION] [--bind IP]",
                       "Connects over RLPx, completes the handshake and Hello, prints the remote Hello as\n"
                       "JSON {version, name, caps, listenPort, id}, and disconnects (client quitting).",
                       flags, 5, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    if (flags[3].value && cli_set_verbosity(flags[3].value)) return CLI_USAGE;
    ethp2p_ip local;
    memset(&local, 0, sizeof(local));
    if (flags[4].value && ethp2p_ip_parse(flags[4].value, &local)) {
        cli_error("--bind: '%s' is not an IP address", flags[4].value);
        return CLI_USAGE;
    }
    uint64_t timeout = DEFAULT_TIMEOUT_MS;
    if (flags[0].value && cli_parse_duration_ms("timeout", flags[0].value, &timeout)) return CLI_USAGE;
    ethp2p_enode target;
    rc = ethp2p_enode_resolve(pos[0], &target);
    if (rc == 0 && target.ip.family == 0) rc = ETHP2P_EFORMAT;
    if (rc) {
        cli_error("'%s' is not a usable enode URL: %s", pos[0], ethp2p_strerror(rc));
        return CLI_USAGE;
    }
    ethp2p_protocol_spec specs[ETHP2P_CONN_MAX_PROTOCOLS];
    char names[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_P2P_CAP_NAME_MAX + 1];
    size_t nspecs = 0;
    if (flags[2].value && parse_caps(flags[2].value, specs, names, &nspecs)) return CLI_USAGE;
    ethp2p_conn_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    rc = flags[1].value ? ethp2p_nodekey_load(flags[1].value, &cfg.key) : ethp2p_privkey_generate(&cfg.key);
    if (rc) {
        cli_error("cannot load node key: %s", ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    ping_state p;
    memset(&p, 0, sizeof(p));
    cfg.initiator = 1;
    cfg.remote = target.pubkey;
    cfg.client_name = client_name();
    cfg.protocols = specs;
    cfg.nprotocols = nspecs;
    cfg.ctx = &p;
    cfg.on_hello = ping_on_hello;
    cfg.on_close = ping_on_close;
    uv_loop_t *loop = uv_default_loop();
    uv_timer_init(loop, &p.timeout);
    p.timeout.data = &p;
    uv_timer_start(&p.timeout, ping_on_timeout, timeout, 0);
    if (ethp2p_rlpx_tcp_dial_from(loop, &cfg, &local, &target.ip, target.tcp, ping_done, &p, &p.t)) {
        cli_error("cannot connect to %s", pos[0]);
        uv_run(loop, UV_RUN_DEFAULT);
        return CLI_FAIL;
    }
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    if (p.got_hello) {
        print_json(p.hello);
        return CLI_OK;
    }
    if (p.timed_out) cli_error("no Hello within %llu ms", (unsigned long long)timeout);
    else if (p.closed && p.by_remote)
        cli_error("remote disconnected: %s", ethp2p_disconnect_reason_name(p.reason));
    else cli_error("connection failed: %s", ethp2p_disconnect_reason_name(p.reason));
    return CLI_FAIL;
}

/* ---- listen ---- */

typedef struct listen_peer {
    struct listen_state *ls;
    ethp2p_rlpx_tcp *t;
    char id[17];
    int active;
} listen_peer;

typedef struct listen_state {
    ethp2p_privkey key;
    ethp2p_protocol_spec specs[ETHP2P_CONN_MAX_PROTOCOLS];
    size_t nspecs;
    uint16_t port;
    listen_peer *peers[MAX_LISTEN_PEERS];
    size_t npeers;
    ethp2p_rlpx_listener *listener;
    uv_signal_t sigint, sigterm;
} listen_state;

static int listen_on_hello(void *ctx, const ethp2p_hello *h)
{
    listen_peer *lp = ctx;
    ethp2p_hex_encode(h->id.b, 8, lp->id);
    json_t *o = hello_json(h);
    json_object_set_new(o, "event", json_string("hello"));
    print_json(o);
    lp->active = 1;
    return 0;
}

static void listen_on_close(void *ctx, int reason, int by_remote)
{
    listen_peer *lp = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "event", json_string("disconnect"));
    json_object_set_new(o, "id", json_string(lp->id));
    json_object_set_new(o, "reason", json_integer(reason));
    json_object_set_new(o, "reasonName", json_string(ethp2p_disconnect_reason_name(reason)));
    json_object_set_new(o, "byRemote", json_boolean(by_remote));
    print_json(o);
}

static void listen_done(void *arg, ethp2p_rlpx_tcp *t)
{
    listen_state *ls = arg;
    for (size_t i = 0; i < ls->npeers; i++)
        if (ls->peers[i]->t == t) {
            free(ls->peers[i]);
            ls->peers[i] = ls->peers[--ls->npeers];
            return;
        }
}

static int listen_accept(void *arg, ethp2p_rlpx_tcp *t, ethp2p_conn_config *cfg)
{
    listen_state *ls = arg;
    if (ls->npeers == MAX_LISTEN_PEERS) return 1;
    listen_peer *lp = calloc(1, sizeof(*lp));
    if (!lp) return 1;
    lp->ls = ls;
    lp->t = t;
    strcpy(lp->id, "?");
    ls->peers[ls->npeers++] = lp;
    cfg->key = ls->key;
    cfg->client_name = client_name();
    cfg->listen_port = ls->port;
    cfg->protocols = ls->specs;
    cfg->nprotocols = ls->nspecs;
    cfg->ctx = lp;
    cfg->on_hello = listen_on_hello;
    cfg->on_close = listen_on_close;
    return 0;
}

static void listen_on_signal(uv_signal_t *s, int signum)
{
    listen_state *ls = s->data;
    for (size_t i = ls->npeers; i-- > 0;) {
        ethp2p_rlpx_tcp *t = ls->peers[i]->t;
        ethp2p_conn_disconnect(ethp2p_rlpx_tcp_conn(t), ETHP2P_DISC_CLIENT_QUITTING);
    }
    ethp2p_rlpx_listener_close(ls->listener);
    uv_close((uv_handle_t *)&ls->sigint, NULL);
    uv_close((uv_handle_t *)&ls->sigterm, NULL);
}

static int rlpx_listen(int argc, char **argv)
{
    cli_flag flags[] = {
        {"nodekey", "FILE", "node key file (required)", NULL},
        {"addr", "IP:PORT", "TCP address to listen on (default 0.0.0.0:30303)", NULL},
        {"caps", "LIST", "capabilities to advertise, like eth/68 (default: none)", NULL},
        {"verbosity", "N", "log level 0-5 (default 3)", NULL},
    };
    cli_command cmd = {"ethp2p rlpx listen --nodekey FILE [--addr IP:PORT] [--caps LIST]",
                       "Accepts RLPx connections and prints one JSON line per event (hello, disconnect).\n"
                       "Prints its enode URL first. Stops on SIGINT/SIGTERM, saying 'client quitting'.",
                       flags, 4, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (flags[3].value && cli_set_verbosity(flags[3].value)) return CLI_USAGE;
    static listen_state ls;
    memset(&ls, 0, sizeof(ls));
    static char names[ETHP2P_CONN_MAX_PROTOCOLS][ETHP2P_P2P_CAP_NAME_MAX + 1];
    if (flags[2].value && parse_caps(flags[2].value, ls.specs, names, &ls.nspecs)) return CLI_USAGE;
    if (!flags[0].value) {
        cli_error("--nodekey is required");
        return CLI_USAGE;
    }
    if ((rc = ethp2p_nodekey_load(flags[0].value, &ls.key))) {
        cli_error("cannot load node key %s: %s", flags[0].value, ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    ethp2p_ip ip;
    const char *addr = flags[1].value ? flags[1].value : "0.0.0.0:30303";
    if (ethp2p_io_parse_hostport(addr, &ip, &ls.port)) {
        cli_error("--addr: '%s' is not IP:PORT", addr);
        return CLI_USAGE;
    }
    uv_loop_t *loop = uv_default_loop();
    if (ethp2p_rlpx_listen(loop, &ip, ls.port, listen_accept, listen_done, &ls, &ls.listener)) return CLI_FAIL;
    ls.port = ethp2p_rlpx_listener_port(ls.listener);
    ethp2p_pubkey pub;
    ethp2p_enode self;
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_privkey_to_pubkey(&ls.key, &pub) || ethp2p_enode_init(&self, &pub, &ip, ls.port, ls.port) ||
        ethp2p_enode_format(&self, url, sizeof(url)))
        return CLI_FAIL;
    printf("%s\n", url);
    fflush(stdout);
    uv_signal_init(loop, &ls.sigint);
    uv_signal_init(loop, &ls.sigterm);
    ls.sigint.data = ls.sigterm.data = &ls;
    uv_signal_start(&ls.sigint, listen_on_signal, SIGINT);
    uv_signal_start(&ls.sigterm, listen_on_signal, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return CLI_OK;
}

int cmd_rlpx(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"ping", rlpx_ping, "connect, exchange Hellos, print the remote Hello"},
        {"listen", rlpx_listen, "accept RLPx connections and print their Hellos"},
    };
    return cli_dispatch("rlpx", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

/*
 * ethp2p discv4 ping | requestenr | resolve: one question to the network,
 * retried until it is answered or the timeout passes (UDP loses packets).
 */
#include "cli.h"
#include "session.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 5000
#define RETRY_SPACING_MS 1000

enum { F_TIMEOUT, F_ADDR, F_NODEKEY, F_VERBOSITY, F_BOOTNODES, F_COUNT };

typedef struct oneshot {
    session s;
    ethp2p_enode target;
    uint64_t started;
    uv_timer_t retry;
    int attempts;
    void (*send)(struct oneshot *o); /* the question, asked again on every retry */
} oneshot;

/* Parses flags and the ENODE argument shared by the three commands. */
static int parse_common(cli_command *cmd, cli_flag *flags, int argc, char **argv, ethp2p_enode *target,
                        uint64_t *timeout)
{
    char *pos[1];
    int npos, rc = cli_parse(cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    else if (!flags[F_VERBOSITY].value) ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    *timeout = DEFAULT_TIMEOUT_MS;
    if (flags[F_TIMEOUT].value && cli_parse_duration_ms("timeout", flags[F_TIMEOUT].value, timeout)) return CLI_USAGE;
    rc = ethp2p_enode_resolve(pos[0], target);
    if (rc == 0 && target->ip.family == 0) rc = ETHP2P_EFORMAT;
    if (rc) {
        cli_error("'%s' is not a usable enode URL: %s", pos[0],
                  rc == ETHP2P_EFORMAT ? "expected enode://<128 hex>@host:port" : ethp2p_strerror(rc));
        return CLI_USAGE;
    }
    return -1;
}

#define COMMON_FLAGS                                                                                   \
    [F_TIMEOUT] = {"timeout", "DURATION", "give up after this long (default 5s)", NULL},               \
    [F_ADDR] = {"addr", "IP:PORT", "local UDP address (default: an ephemeral port)", NULL},            \
    [F_NODEKEY] = {"nodekey", "FILE", "use this node key (default: a new random one)", NULL},           \
    [F_VERBOSITY] = {"verbosity", "N", "log level 0-5 (default 1: errors)", NULL}

/* ---- ping ---- */

static void on_retry(uv_timer_t *t)
{
    oneshot *o = t->data;
    if (!o->s.finished) o->send(o);
}

/*
 * Opens the session and asks o->send's question now and every `spacing` ms
 * until an answer finishes the session or the timeout passes. Returns -1 when
 * it ran (the caller reports through session_run), or an exit status.
 */
static int ask_until_answered(oneshot *o, cli_flag *flags, uint64_t timeout, uint64_t spacing)
{
    int rc = session_open(&o->s, flags[F_NODEKEY].value, flags[F_ADDR].value, &o->target.ip, NULL, 0, 0, timeout);
    if (rc) return rc;
    uv_timer_init(o->s.loop, &o->retry);
    o->retry.data = o;
    uv_timer_start(&o->retry, on_retry, spacing, spacing);
    o->send(o);
    while (!o->s.finished && uv_run(o->s.loop, UV_RUN_ONCE)) {}
    uv_close((uv_handle_t *)&o->retry, NULL);
    return -1;
}

/* ---- ping ---- */

static void on_pong(void *arg, int err, uint64_t seq)
{
    oneshot *o = arg;
    if (o->s.finished || err) return; /* a lost Pong: the retry timer asks again */
    char url[ETHP2P_ENODE_URL_MAX];
    (void)!ethp2p_enode_format(&o->target, url, sizeof(url));
    printf("pong from %s rtt=%llums enr-seq=%llu\n", url, (unsigned long long)(ethp2p_io_now_ms() - o->started),
           (unsigned long long)seq);
    session_finish(&o->s, CLI_OK);
}

static void ping_send(oneshot *o)
{
    o->attempts++;
    o->started = ethp2p_io_now_ms();
    if (ethp2p_discv4_ping(o->s.core, &o->target, o->started, on_pong, o) == 0) ethp2p_discv4_udp_poke(o->s.udp);
}

static int discv4_ping(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {COMMON_FLAGS};
    cli_command cmd = {"ethp2p discv4 ping ENODE [--timeout DURATION]",
                       "Sends discv4 Pings to a node until it answers; prints the round trip.", flags, F_VERBOSITY + 1,
                       1, 1};
    oneshot o;
    memset(&o, 0, sizeof(o));
    o.send = ping_send;
    uint64_t timeout;
    int rc = parse_common(&cmd, flags, argc, argv, &o.target, &timeout);
    if (rc >= 0) return rc;
    if ((rc = ask_until_answered(&o, flags, timeout, RETRY_SPACING_MS)) >= 0) return rc;
    char msg[128];
    snprintf(msg, sizeof(msg), "no pong after %d pings in %llu ms", o.attempts, (unsigned long long)timeout);
    return session_run(&o.s, msg);
}

/* ---- requestenr ---- */

static void on_enr(void *arg, int err, const ethp2p_enr *rec)
{
    oneshot *o = arg;
    if (o->s.finished) return;
    if (err) {
        ETHP2P_DEBUG("discv4", "ENR request failed", "err=\"%s\"", ethp2p_strerror(err));
        return; /* retried */
    }
    char text[ETHP2P_ENR_TEXT_MAX];
    if (ethp2p_enr_to_text(rec, text, sizeof(text)) == 0) printf("%s\n", text);
    session_finish(&o->s, CLI_OK);
}

static void enr_send(oneshot *o)
{
    o->attempts++;
    if (ethp2p_discv4_request_enr(o->s.core, &o->target, ethp2p_io_now_ms(), on_enr, o) == 0)
        ethp2p_discv4_udp_poke(o->s.udp);
}

static int discv4_requestenr(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {COMMON_FLAGS};
    cli_command cmd = {"ethp2p discv4 requestenr ENODE [--timeout DURATION]",
                       "Asks a node for its record (EIP-868) and prints it as enr:...\n"
                       "Bonds first (Ping/Pong both ways) as the protocol requires.", flags, F_VERBOSITY + 1, 1, 1};
    oneshot o;
    memset(&o, 0, sizeof(o));
    o.send = enr_send;
    uint64_t timeout;
    int rc = parse_common(&cmd, flags, argc, argv, &o.target, &timeout);
    if (rc >= 0) return rc;
    /* Each request may bond first (Ping, 500 ms grace): space retries wider. */
    if ((rc = ask_until_answered(&o, flags, timeout, 2 * RETRY_SPACING_MS)) >= 0) return rc;
    char msg[160];
    snprintf(msg, sizeof(msg), "no ENR response after %d requests in %llu ms (does the node support EIP-868?)",
             o.attempts, (unsigned long long)timeout);
    return session_run(&o.s, msg);
}

/* ---- resolve ---- */

static void on_resolve_enr(void *arg, int err, const ethp2p_enr *rec)
{
    oneshot *o = arg;
    if (o->s.finished) return;
    if (!err) {
        char text[ETHP2P_ENR_TEXT_MAX];
        if (ethp2p_enr_to_text(rec, text, sizeof(text)) == 0) printf("%s\n", text);
        session_finish(&o->s, CLI_OK);
        return;
    }
    /* No record (no EIP-868): the newest endpoint the lookup found is the answer. */
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(&o->target, url, sizeof(url)) == 0) printf("%s\n", url);
    session_finish(&o->s, CLI_OK);
}

static void on_resolve_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    oneshot *o = arg;
    if (o->s.finished) return;
    for (size_t i = 0; i < n; i++)
        if (memcmp(nodes[i].id.b, o->target.id.b, 32) == 0) o->target = nodes[i];
    if (ethp2p_discv4_request_enr(o->s.core, &o->target, ethp2p_io_now_ms(), on_resolve_enr, o) != 0)
        session_finish(&o->s, CLI_FAIL);
    else
        ethp2p_discv4_udp_poke(o->s.udp);
}

static int discv4_resolve(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {
        COMMON_FLAGS, [F_BOOTNODES] = {"bootnodes", "LIST", "also look the node up through these", NULL}};
    cli_command cmd = {"ethp2p discv4 resolve ENODE [--bootnodes LIST] [--timeout DURATION]",
                       "Looks the node up in the network and prints its newest record (enr:...),\n"
                       "or its newest enode URL when it serves no record.", flags, F_COUNT, 1, 1};
    oneshot o;
    memset(&o, 0, sizeof(o));
    uint64_t timeout;
    int rc = parse_common(&cmd, flags, argc, argv, &o.target, &timeout);
    if (rc >= 0) return rc;
    ethp2p_enode *boot = NULL;
    int nboot = 0;
    if (flags[F_BOOTNODES].value && (nboot = cli_parse_enodes("bootnodes", flags[F_BOOTNODES].value, &boot)) < 0)
        return CLI_USAGE;
    ethp2p_enode *all = calloc((size_t)nboot + 1, sizeof(*all));
    if (!all) return CLI_FAIL;
    all[0] = o.target;
    if (nboot) memcpy(all + 1, boot, (size_t)nboot * sizeof(*all));
    free(boot);
    if ((rc = session_open(&o.s, flags[F_NODEKEY].value, flags[F_ADDR].value, &o.target.ip, all, (size_t)nboot + 1, 0,
                           timeout))) {
        free(all);
        return rc;
    }
    ethp2p_discv4_start(o.s.core, ethp2p_io_now_ms()); /* seeds the table with the bootnodes */
    if (ethp2p_discv4_lookup(o.s.core, &o.target.pubkey, ethp2p_io_now_ms(), on_resolve_lookup, &o) == 0)
        ethp2p_discv4_udp_poke(o.s.udp);
    rc = session_run(&o.s, "no answer from the network before the timeout");
    free(all);
    return rc;
}

int cmd_discv4(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"ping", discv4_ping, "ping a node"},
        {"requestenr", discv4_requestenr, "ask a node for its record"},
        {"resolve", discv4_resolve, "find a node's newest record through the network"},
        {"crawl", cmd_crawl, "crawl the network and write nodes.json"},
    };
    return cli_dispatch("discv4", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

/*
 * ethp2p discv5 ping|requestenr|findnode|talk: one discv5 request to a node
 * given by its record (enr:...), on a socket that also speaks discv4, as a
 * node's does. Each prints its answer and exits 0, or exits 1 after the
 * timeout. Requests are retried every second (a datagram may be lost).
 */
#include "cli.h"
#include "session.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RETRY_MS 1000

enum { F_TIMEOUT, F_ADDR, F_NODEKEY, F_VERBOSITY, F_DISTANCE, F_PROTO, F_COUNT };

typedef struct v5shot {
    session s;
    ethp2p_discv5 *v5;
    ethp2p_enr target;
    int kind; /* 0 ping, 1 requestenr, 2 findnode, 3 talk */
    uint16_t distances[ETHP2P_V5_MAX_DISTANCES];
    size_t ndist;
    const char *proto, *req;
    uv_timer_t retry;
    int attempts;
    uint64_t sent_at;
} v5shot;

/* Ends the session and the retry timer (the loop then runs dry). */
static void finish(v5shot *o, int status)
{
    session_finish(&o->s, status);
    if (!uv_is_closing((uv_handle_t *)&o->retry)) uv_close((uv_handle_t *)&o->retry, NULL);
}

static void on_pong(void *arg, int err, uint64_t seq, const ethp2p_udp_addr *seen)
{
    v5shot *o = arg;
    if (err || o->s.finished) return;
    char ip[64];
    ethp2p_ip_format(&seen->ip, ip, sizeof(ip));
    printf("pong rtt=%llums enr-seq=%llu seen-as=%s:%u\n", (unsigned long long)(ethp2p_io_now_ms() - o->sent_at),
           (unsigned long long)seq, ip, seen->port);
    finish(o, CLI_OK);
}

static void on_nodes(void *arg, int err, const ethp2p_enr *recs, size_t n)
{
    v5shot *o = arg;
    if (err || o->s.finished) return;
    for (size_t i = 0; i < n; i++) {
        char text[ETHP2P_ENR_TEXT_MAX];
        if (ethp2p_enr_to_text(&recs[i], text, sizeof(text)) == 0) printf("%s\n", text);
    }
    if (o->kind == 1 && n == 0) return; /* requestenr: wait for the record */
    finish(o, CLI_OK);
}

static void on_talk(void *arg, int err, const uint8_t *resp, size_t len)
{
    v5shot *o = arg;
    if (err || o->s.finished) return;
    char *hex = cli_hex(resp, len);
    printf("%s\n", hex ? hex : "");
    free(hex);
    finish(o, CLI_OK);
}

static void send_request(v5shot *o)
{
    uint64_t now = ethp2p_io_now_ms();
    int rc = 0;
    o->attempts++;
    o->sent_at = now;
    if (o->kind == 0) rc = ethp2p_discv5_ping(o->v5, &o->target, now, on_pong, o);
    else if (o->kind == 3)
        rc = ethp2p_discv5_talkreq(o->v5, &o->target, o->proto, (const uint8_t *)o->req, strlen(o->req), now, on_talk, o);
    else rc = ethp2p_discv5_findnode(o->v5, &o->target, o->distances, o->ndist, now, on_nodes, o);
    if (rc) ETHP2P_DEBUG("discv5", "request not sent", "err=\"%s\"", ethp2p_strerror(rc));
    ethp2p_discv4_udp_poke(o->s.udp);
}

static void on_retry(uv_timer_t *t)
{
    v5shot *o = t->data;
    if (o->s.finished) {
        if (!uv_is_closing((uv_handle_t *)t)) uv_close((uv_handle_t *)t, NULL); /* the session timed out */
        return;
    }
    send_request(o);
}

static int run(int kind, int argc, char **argv)
{
    static const char *const usage[] = {"ethp2p discv5 ping ENR [--timeout DURATION]",
                                        "ethp2p discv5 requestenr ENR [--timeout DURATION]",
                                        "ethp2p discv5 findnode ENR --distance N[,N...] [--timeout DURATION]",
                                        "ethp2p discv5 talk ENR --proto NAME REQUEST [--timeout DURATION]"};
    static const char *const summary[] = {
        "Pings a node over discv5 (handshake first) and prints the round trip and how it saw us",
        "Asks a node for its own record (FINDNODE at distance 0) and prints it",
        "Asks a node for the records it holds at these log-distances (1-256) and prints them",
        "Sends a TALKREQ for a protocol and prints the answer in hex"};
    cli_flag flags[F_COUNT] = {
        [F_TIMEOUT] = {"timeout", "DURATION", "give up after this long (default 5s)", NULL},
        [F_ADDR] = {"addr", "IP:PORT", "local UDP address (default: an ephemeral port)", NULL},
        [F_NODEKEY] = {"nodekey", "FILE", "use this node key (default: a new random one)", NULL},
        [F_VERBOSITY] = {"verbosity", "N", "log level 0-5 (default 1: errors)", NULL},
        [F_DISTANCE] = {"distance", "N[,N...]", "log-distances for findnode", NULL},
        [F_PROTO] = {"proto", "NAME", "protocol name for talk", NULL},
    };
    cli_command cmd = {usage[kind], summary[kind], flags, F_COUNT, kind == 3 ? 2 : 1, kind == 3 ? 2 : 1};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    uint64_t timeout = 5000;
    if (flags[F_TIMEOUT].value && cli_parse_duration_ms("timeout", flags[F_TIMEOUT].value, &timeout)) return CLI_USAGE;
    v5shot o;
    memset(&o, 0, sizeof(o));
    o.kind = kind;
    if (ethp2p_enr_from_text(pos[0], &o.target) || ethp2p_enr_verify(&o.target)) {
        cli_error("not a valid signed record (enr:...): %s", pos[0]);
        return CLI_USAGE;
    }
    if (kind == 1) o.ndist = 1; /* distance 0: its own record */
    if (kind == 2) {
        const char *p = flags[F_DISTANCE].value;
        while (p && *p && o.ndist < ETHP2P_V5_MAX_DISTANCES) {
            char *end;
            unsigned long v = strtoul(p, &end, 10);
            if (end == p || v > 256 || (*end && *end != ',')) break;
            o.distances[o.ndist++] = (uint16_t)v;
            p = *end ? end + 1 : end;
        }
        if (!o.ndist || (p && *p)) {
            cli_error("--distance takes log-distances 0-256, comma-separated");
            return CLI_USAGE;
        }
    }
    if (kind == 3) {
        if (!flags[F_PROTO].value) {
            cli_error("--proto is required");
            return CLI_USAGE;
        }
        o.proto = flags[F_PROTO].value;
        o.req = pos[1];
    }
    ethp2p_enode en;
    if (ethp2p_enr_to_enode(&o.target, &en)) {
        cli_error("the record has no IP address and UDP port");
        return CLI_USAGE;
    }
    if ((rc = session_open(&o.s, flags[F_NODEKEY].value, flags[F_ADDR].value, &en.ip, NULL, 0, 0, timeout))) return rc;
    if (ethp2p_discv4_udp_enable_v5(o.s.udp, NULL) || !(o.v5 = ethp2p_discv4_udp_v5(o.s.udp))) {
        cli_error("cannot start discv5");
        return CLI_FAIL;
    }
    uv_timer_init(o.s.loop, &o.retry);
    o.retry.data = &o;
    send_request(&o);
    uv_timer_start(&o.retry, on_retry, RETRY_MS, RETRY_MS);
    char msg[128];
    snprintf(msg, sizeof(msg), "no answer after %d requests in %llu ms", o.attempts, (unsigned long long)timeout);
    return session_run(&o.s, msg);
}

static int v5_ping(int argc, char **argv) { return run(0, argc, argv); }
static int v5_requestenr(int argc, char **argv) { return run(1, argc, argv); }
static int v5_findnode(int argc, char **argv) { return run(2, argc, argv); }
static int v5_talk(int argc, char **argv) { return run(3, argc, argv); }

int cmd_discv5(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"ping", v5_ping, "PING a node (handshake first); prints the round trip"},
        {"requestenr", v5_requestenr, "ask a node for its record"},
        {"findnode", v5_findnode, "ask a node for records at log-distances"},
        {"talk", v5_talk, "send a TALKREQ and print the answer"},
        {"crawl", cmd_discv5_crawl, "walk the discv5 network; write nodes.json"},
    };
    return cli_dispatch("discv5", subs, 5, argc, argv);
}

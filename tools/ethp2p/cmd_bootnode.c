/*
 * ethp2p bootnode: a discovery-only node. Prints its enode URL as the first
 * line of stdout (scripts read it), logs on stderr, and runs until SIGINT or
 * SIGTERM. With --nodedb it remembers the network across restarts.
 */
#include "cli.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"
#include "ethp2p/nodedb.h"
#include "ethp2p/ntp.h"
#include "ethp2p/random.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define STATUS_INTERVAL_MS 30000

enum { F_NODEKEY, F_ADDR, F_NAT, F_VERBOSITY, F_BOOTNODES, F_NODEDB, F_NETRESTRICT, F_STATUS, F_NTP, F_V5, F_COUNT };

typedef struct bootnode {
    uv_loop_t *loop;
    const char *ntp_server;
    ethp2p_discv4_udp *udp;
    uv_signal_t sigint, sigterm;
    uv_timer_t status, reach;
    size_t nbootnodes;
    ethp2p_nodedb *db;
} bootnode;

static void on_signal(uv_signal_t *s, int signum)
{
    bootnode *b = s->data;
    ETHP2P_INFO("bootnode", "shutting down", "signal=%d", signum);
    ethp2p_discv4_udp_close(b->udp);
    uv_close((uv_handle_t *)&b->sigint, NULL);
    uv_close((uv_handle_t *)&b->sigterm, NULL);
    uv_close((uv_handle_t *)&b->status, NULL);
    uv_close((uv_handle_t *)&b->reach, NULL);
}

/* Ten seconds in: if bootnodes were given and none answered, say so plainly. */
static void on_reach_check(uv_timer_t *t)
{
    bootnode *b = t->data;
    ethp2p_discv4 *d = ethp2p_discv4_udp_core(b->udp);
    if (b->nbootnodes && ethp2p_discv4_get_stats(d)->in_by_type[ETHP2P_V4_PONG] == 0)
        ETHP2P_WARN("bootnode",
                    "no bootnode answered: check the addresses and that UDP reaches them; without internet, "
                    "run a local network (see README: 'Without internet')",
                    "bootnodes=%zu", b->nbootnodes);
}

static void on_status(uv_timer_t *t)
{
    bootnode *b = t->data;
    ethp2p_discv4 *d = ethp2p_discv4_udp_core(b->udp);
    const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
    ethp2p_discv5 *v5 = ethp2p_discv4_udp_v5(b->udp);
    ETHP2P_INFO("bootnode", "status", "table=%zu table5=%zu in=%llu out=%llu dropped=%llu timeouts=%llu",
                ethp2p_table_len(ethp2p_discv4_table(d)), v5 ? ethp2p_discv5_table_len(v5) : 0,
                (unsigned long long)st->packets_in,
                (unsigned long long)st->packets_out,
                (unsigned long long)(st->drop_malformed + st->drop_bad_hash + st->drop_bad_sig + st->drop_expired +
                                     st->drop_unsolicited + st->drop_no_bond + st->drop_too_big + st->drop_unknown_type),
                (unsigned long long)st->timeouts);
}

/* Replies keep timing out: the usual cause is a wrong clock (expired packets). */
static void on_clock_suspect(void *ctx)
{
    bootnode *b = ctx;
    ETHP2P_INFO("bootnode", "many reply timeouts; checking the clock", "server=%s", b->ntp_server);
    (void)ethp2p_ntp_check(b->loop, b->ntp_server, NULL, NULL);
}

int cmd_bootnode(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {
        [F_NODEKEY] = {"nodekey", "FILE", "node key file (64 hex characters; see 'ethp2p key generate')", NULL},
        [F_ADDR] = {"addr", "IP:PORT", "UDP address to listen on (default 0.0.0.0:30301)", NULL},
        [F_NAT] = {"nat", "none|extip:IP", "how to learn the address others reach us at (default none)", NULL},
        [F_VERBOSITY] = {"verbosity", "N", "log level 0-5: silent, error, warn, info, debug, trace (default 3)", NULL},
        [F_BOOTNODES] = {"bootnodes", "LIST", "comma-separated enode URLs to join through", NULL},
        [F_NODEDB] = {"nodedb", "PATH", "SQLite file remembering nodes across restarts (default: memory)", NULL},
        [F_NETRESTRICT] = {"netrestrict", "CIDRS", "only accept and hand out nodes in these ranges", NULL},
        [F_STATUS] = {"status", "DURATION", "how often to log a status line (default 30s)", NULL},
        [F_NTP] = {"ntp", "HOST:PORT", "NTP server for the clock check after repeated timeouts (default " ETHP2P_NTP_DEFAULT_SERVER ")", NULL},
        [F_V5] = {"discovery.v5", "BOOL", "also serve discv5 on the same port (default true)", NULL},
    };
    cli_command cmd = {"ethp2p bootnode --nodekey FILE [--addr IP:PORT] [--nat none|extip:IP] [flags]",
                       "Runs a discovery-only node (discv4, and discv5 on the same port). Prints its enode URL\n"
                       "as the first line of stdout and its record (enr:...) as the second;\n"
                       "logs go to stderr. Stops on SIGINT or SIGTERM.",
                       flags, F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (!flags[F_NODEKEY].value) {
        cli_error("--nodekey is required (create one with 'ethp2p key generate FILE')");
        return CLI_USAGE;
    }
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    const char *v5flag = flags[F_V5].value;
    if (v5flag && strcmp(v5flag, "true") && strcmp(v5flag, "false")) {
        cli_error("--discovery.v5 takes true or false");
        return CLI_USAGE;
    }
    int v5 = !v5flag || !strcmp(v5flag, "true");
    uint64_t status_ms = STATUS_INTERVAL_MS;
    if (flags[F_STATUS].value && (cli_parse_duration_ms("status", flags[F_STATUS].value, &status_ms) || !status_ms)) {
        if (!status_ms) cli_error("--status: must be above zero");
        return CLI_USAGE;
    }
    ethp2p_ip bind_ip, adv;
    uint16_t port;
    const char *addr = flags[F_ADDR].value ? flags[F_ADDR].value : "0.0.0.0:30301";
    if (ethp2p_io_parse_hostport(addr, &bind_ip, &port)) {
        cli_error("--addr: '%s' is not IP:PORT", addr);
        return CLI_USAGE;
    }
    if (cli_parse_nat(flags[F_NAT].value, &bind_ip, &adv, NULL)) return CLI_USAGE;
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    ethp2p_netlist netrestrict;
    if (flags[F_NETRESTRICT].value) {
        if (cli_parse_netlist("netrestrict", flags[F_NETRESTRICT].value, &netrestrict)) return CLI_USAGE;
        cfg.netrestrict = &netrestrict;
    }
    if ((rc = ethp2p_nodekey_load(flags[F_NODEKEY].value, &cfg.key))) {
        cli_error("cannot load node key %s: %s", flags[F_NODEKEY].value, ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    ethp2p_enode *boot = NULL;
    if (flags[F_BOOTNODES].value) {
        int n = cli_parse_enodes("bootnodes", flags[F_BOOTNODES].value, &boot);
        if (n < 0) return CLI_USAGE;
        cfg.bootnodes = boot;
        cfg.nbootnodes = (size_t)n;
    }
    bootnode b;
    memset(&b, 0, sizeof(b));
    ethp2p_pubkey pub;
    ethp2p_node_id id;
    (void)!ethp2p_privkey_to_pubkey(&cfg.key, &pub);
    ethp2p_node_id_from_pubkey(&pub, &id);
    if (flags[F_NODEDB].value) {
        if (!(b.db = ethp2p_nodedb_open(flags[F_NODEDB].value, &id, &rc))) {
            cli_error("cannot open node database %s", flags[F_NODEDB].value);
            free(boot);
            return CLI_FAIL;
        }
        cfg.db = b.db;
        cfg.enr_seq = ethp2p_nodedb_local_seq(b.db) + 1;
        (void)ethp2p_nodedb_set_local_seq(b.db, cfg.enr_seq);
    }
    b.loop = uv_default_loop();
    b.ntp_server = flags[F_NTP].value ? flags[F_NTP].value : ETHP2P_NTP_DEFAULT_SERVER;
    cfg.hook_ctx = &b;
    cfg.on_clock_suspect = on_clock_suspect;
    cfg.ip = adv;
    cfg.udp_port = port; /* 0: the bound port */
    cfg.tcp_port = port;
    ethp2p_random_seed_u64(&cfg.seed);
    uv_loop_t *loop = b.loop;
    if (ethp2p_discv4_udp_open(loop, &cfg, &bind_ip, port, &b.udp)) {
        uv_run(loop, UV_RUN_DEFAULT);
        ethp2p_nodedb_close(b.db);
        free(boot);
        return CLI_FAIL;
    }
    ethp2p_discv4 *d = ethp2p_discv4_udp_core(b.udp);
    if (v5 && ethp2p_discv4_udp_run_v5(b.udp, cfg.bootnodes, cfg.nbootnodes))
        cli_error("discv5 could not start; serving discv4 only");
    ethp2p_enode self = *ethp2p_discv4_self(d);
    if (self.ip.family == 0) self.ip = bind_ip; /* print something dialable on this host */
    char url[ETHP2P_ENODE_URL_MAX];
    char enr[ETHP2P_ENR_TEXT_MAX] = "";
    if (ethp2p_enr_to_text(ethp2p_discv4_local_record(d), enr, sizeof(enr))) enr[0] = '\0';
    if (ethp2p_enode_format(&self, url, sizeof(url)) == 0) {
        printf("%s\n%s\n", url, enr);
        fflush(stdout);
    }
    ETHP2P_INFO("bootnode", "discovery started", "self=%s udp=%u bootnodes=%zu discv5=%s enr=%s", url,
                ethp2p_discv4_udp_port(b.udp), cfg.nbootnodes, ethp2p_discv4_udp_v5(b.udp) ? "on" : "off", enr);
    ethp2p_discv4_start(d, ethp2p_io_now_ms());
    ethp2p_discv4_udp_poke(b.udp);
    uv_signal_init(loop, &b.sigint);
    uv_signal_init(loop, &b.sigterm);
    b.sigint.data = b.sigterm.data = &b;
    uv_signal_start(&b.sigint, on_signal, SIGINT);
    uv_signal_start(&b.sigterm, on_signal, SIGTERM);
    uv_timer_init(loop, &b.status);
    b.status.data = &b;
    uv_timer_start(&b.status, on_status, status_ms, status_ms);
    b.nbootnodes = cfg.nbootnodes;
    uv_timer_init(loop, &b.reach);
    b.reach.data = &b;
    uv_timer_start(&b.reach, on_reach_check, 10000, 0);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    ethp2p_nodedb_close(b.db);
    free(boot);
    return CLI_OK;
}

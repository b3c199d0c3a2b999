/*
 * ethp2p node: joins an Ethereum network (mainnet by default) and relays
 * what it hears: discovery, RLPx peers, the eth protocol, transactions.
 * Prints its enode URL as the first line of stdout (scripts read it).
 * Logs on stderr (one start line with self, network, genesis and fork ID;
 * then a status line at each --status interval); --events writes one JSON
 * object per line; JSON-RPC on the IPC socket and, with --http, on HTTP.
 */
#include "cli.h"
#include "metrics_http.h"
#include "node_events.h"
#include "rpc.h"
#include "ethp2p/genesis.h"
#include "ethp2p/dnsdisc_io.h"
#include "ethp2p/hex.h"
#include "ethp2p/json.h"
#include "ethp2p/log.h"
#include "ethp2p/nat.h"
#include "ethp2p/node.h"
#include "ethp2p/nodedb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define STATUS_INTERVAL_MS 10000

enum {
    F_DATADIR, F_NODEKEY, F_PORT, F_DISCPORT, F_LISTEN, F_BOOTNODES, F_NODISCOVER, F_MAXPEERS, F_MAXPEND, F_NAT,
    F_NETRESTRICT, F_MAINNET, F_SEPOLIA, F_HOLESKY, F_HOODI, F_DEVNET, F_GENESIS, F_NETWORKID, F_IDENTITY,
    F_VERBOSITY, F_IMPORT, F_EVENTS, F_HTTP, F_HTTPPORT, F_NOIPC, F_STATIC, F_TRUSTED, F_STATUS, F_DNS, F_DNSSERVER,
    F_V5, F_HTTPADDR, F_HTTPAPI, F_CORS, F_VHOSTS, F_METRICS, F_METRICSADDR, F_METRICSPORT, F_CONFIG, F_LOGFMT, F_VMODULE,
    F_NATLEASE, F_COUNT
};

typedef struct noderun {
    uv_loop_t *loop;
    ethp2p_node *node;
    rpc *rpc;
    metrics_http *metrics;
    ethp2p_nat *nat;
    FILE *events;
    uv_timer_t deadline;
    uv_signal_t sigint, sigterm;
    uv_timer_t status, reach;
    uint64_t last_txs, last_ms, eth_peers, last_blocks, last_ms_blocks;
    size_t nbootnodes;
    ethp2p_nodedb *db;
    ethp2p_dns_discovery *dns;
    uint64_t dns_nodes;
    int stopping;
} noderun;

static void on_event(void *ctx, const ethp2p_node_event *ev)
{
    noderun *r = ctx;
    if (ev->type == ETHP2P_NODE_EV_STATUS) r->eth_peers++;
    rpc_peer_event(r->rpc, ev);
    if (r->events) node_event_write(r->events, ev);
}

static void on_status(uv_timer_t *t)
{
    noderun *r = t->data;
    ethp2p_server *srv = ethp2p_node_server(r->node);
    ethp2p_eth *eth = ethp2p_node_eth(r->node);
    const ethp2p_eth_stats *st = ethp2p_eth_get_stats(eth);
    ethp2p_discv4 *d = ethp2p_server_discv4(srv);
    uint64_t now = ethp2p_io_now_ms(), txs = st->txs_new;
    double rate = now > r->last_ms ? (double)(txs - r->last_txs) * 1000.0 / (double)(now - r->last_ms) : 0;
    r->last_txs = txs;
    r->last_ms = now;
    uint64_t blocks = st->blocks_new;
    double brate = now > r->last_ms_blocks ? (double)(blocks - r->last_blocks) * 1000.0 / (double)(now - r->last_ms_blocks) : 0;
    r->last_blocks = blocks;
    r->last_ms_blocks = now;
    ethp2p_chain *chain = ethp2p_node_chain(r->node);
    ETHP2P_INFO("node", "status",
                "peers=%zu eth_peers=%zu known_nodes=%zu txs_seen=%llu txs_per_s=%.1f pool=%zu blocks_seen=%llu "
                "blocks_per_s=%.2f head=%llu dns_nodes=%llu",
                ethp2p_server_peers(srv, NULL, 0), ethp2p_eth_peer_count(eth), d ? ethp2p_table_len(ethp2p_discv4_table(d)) : 0,
                (unsigned long long)txs, rate, ethp2p_txpool_len(ethp2p_eth_pool(eth)), (unsigned long long)blocks, brate,
                (unsigned long long)(chain ? ethp2p_chain_head(chain)->number : 0), (unsigned long long)r->dns_nodes);
}

/* The gateway told us our external address: advertise it. */
static void on_external(void *ctx, const ethp2p_ip *ip, const char *how)
{
    noderun *r = ctx;
    char t[46];
    ethp2p_ip_format(ip, t, sizeof(t));
    ethp2p_server *srv = ethp2p_node_server(r->node);
    if (ethp2p_server_set_external_ip(srv, ip)) ETHP2P_WARN("node", "could not advertise the external address", "ip=%s", t);
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(ethp2p_server_self(srv), url, sizeof(url))) url[0] = '\0';
    ETHP2P_INFO("node", "external address", "ip=%s via=%s self=%s", t, how, url);
}

static void on_reach(uv_timer_t *t)
{
    noderun *r = t->data;
    ethp2p_discv4 *d = ethp2p_server_discv4(ethp2p_node_server(r->node));
    if (d && r->nbootnodes && ethp2p_discv4_get_stats(d)->in_by_type[ETHP2P_V4_PONG] == 0)
        ETHP2P_WARN("node",
                    "no bootnode answered: no internet here? Run the offline devnet instead: "
                    "'make devnet' (or scripts/devnet.sh; see README, 'Without internet')",
                    "bootnodes=%zu", r->nbootnodes);
}

/* A node from a DNS node list: a dial candidate. */
static void on_dns_node(void *ctx, const ethp2p_enr *rec, const char *domain)
{
    (void)domain;
    noderun *r = ctx;
    ethp2p_enode n;
    if (r->stopping || ethp2p_enr_to_enode(rec, &n)) return;
    r->dns_nodes++;
    ethp2p_server_add_candidate(ethp2p_node_server(r->node), &n);
}

/* --discovery.dns: the given lists, or the network's well-known ones; none with --nodiscover. */
static int start_dns(noderun *r, const char *flag, const char *server, const char *net, int nodiscover)
{
    if (nodiscover || (flag && !*flag)) return 0;
    const char *urls[16];
    size_t n = 0;
    char *copy = flag ? strdup(flag) : NULL;
    if (flag) {
        for (char *save, *tok = strtok_r(copy, ",", &save); tok && n < 16; tok = strtok_r(NULL, ",", &save)) urls[n++] = tok;
    } else {
        size_t k;
        const char *const *known = ethp2p_chain_dns_lists(net, &k);
        for (size_t i = 0; i < k && n < 16; i++) urls[n++] = known[i];
    }
    int rc = n ? ethp2p_dns_discovery_start(r->loop, urls, n, server, on_dns_node, r, &r->dns) : 0;
    if (rc) cli_error("--discovery.dns: %s", ethp2p_strerror(rc));
    else if (n) ETHP2P_INFO("node", "DNS node lists", "lists=%zu first=%s", n, urls[0]);
    free(copy);
    return rc;
}

/* The shutdown took too long (a peer that does not read, a stuck write): end anyway. */
static void on_deadline(uv_timer_t *t)
{
    noderun *r = t->data;
    ETHP2P_WARN("node", "shutdown took over 5 s: exiting now", "%s", "");
    ethp2p_nodedb_close(r->db);
    exit(CLI_OK);
}

static void on_signal(uv_signal_t *s, int signum)
{
    noderun *r = s->data;
    if (r->stopping) {
        ETHP2P_WARN("node", "second signal: exiting at once", "signal=%d", signum);
        _exit(CLI_FAIL);
    }
    r->stopping = 1;
    ETHP2P_INFO("node", "shutting down", "signal=%d", signum);
    rpc_stop(r->rpc);
    r->rpc = NULL;
    metrics_http_stop(r->metrics);
    r->metrics = NULL;
    ethp2p_dns_discovery_stop(r->dns);
    r->dns = NULL;
    ethp2p_nat_stop(r->nat, NULL, NULL); /* the mappings are removed on the thread pool */
    r->nat = NULL;
    ethp2p_node_stop(r->node); /* Disconnect (client quitting) to every peer */
    /* The signal handles stay, unreferenced, to catch a second signal. */
    uv_unref((uv_handle_t *)&r->sigint);
    uv_unref((uv_handle_t *)&r->sigterm);
    uv_close((uv_handle_t *)&r->status, NULL);
    uv_close((uv_handle_t *)&r->reach, NULL);
    uv_timer_init(r->loop, &r->deadline);
    r->deadline.data = r;
    uv_timer_start(&r->deadline, on_deadline, 5000, 0);
    uv_unref((uv_handle_t *)&r->deadline);
}

static int mkdir_p(const char *path)
{
    char tmp[1024];
    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0700) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0700) && errno != EEXIST ? -1 : 0;
}

/* Which network: exactly one of the network flags, mainnet by default. */
static int pick_network(cli_flag *flags, const char **name)
{
    static const int which[] = {F_MAINNET, F_SEPOLIA, F_HOLESKY, F_HOODI, F_DEVNET};
    static const char *names[] = {"mainnet", "sepolia", "holesky", "hoodi", "devnet"};
    int count = 0;
    *name = "mainnet";
    for (int i = 0; i < 5; i++)
        if (flags[which[i]].value) {
            *name = names[i];
            count++;
        }
    if (flags[F_GENESIS].value) {
        count++;
        *name = "custom";
    }
    if (count > 1) {
        cli_error("choose one network: --mainnet, --sepolia, --holesky, --hoodi, --devnet or --genesis");
        return -1;
    }
    return 0;
}

/* Sockets for the peers, the handshakes under way, the listener's backlog and the RPC clients: the soft
 * descriptor limit (often 1,024) is raised towards the hard one, as the reference does. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rlim_t want = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
    if (rl.rlim_cur >= want) return;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) ETHP2P_WARN("node", "cannot raise the descriptor limit", "want=%llu", (unsigned long long)want);
}

static int node_main(int argc, char **argv, int dump)
{
    cli_flag flags[F_COUNT] = {
        [F_DATADIR] = {"datadir", "DIR", "data directory: node key, node database, IPC socket (default ~/.ethp2p/NETWORK)", NULL},
        [F_NODEKEY] = {"nodekey", "FILE", "node key file (default DATADIR/nodekey, created on first start)", NULL},
        [F_PORT] = {"port", "PORT", "TCP and UDP port (default 30303; 0 = any free port)", NULL},
        [F_DISCPORT] = {"discovery.port", "PORT", "UDP discovery port (default: the same as --port)", NULL},
        [F_LISTEN] = {"listenaddr", "IP", "address to listen on (default 0.0.0.0)", NULL},
        [F_BOOTNODES] = {"bootnodes", "ENODES", "comma-separated enode URLs (default: the network's public bootnodes)", NULL},
        [F_NODISCOVER] = {"nodiscover", NULL, "no discovery: only static peers and inbound connections", NULL},
        [F_MAXPEERS] = {"maxpeers", "N", "maximum number of peers (default 50)", NULL},
        [F_MAXPEND] = {"maxpendpeers", "N", "maximum handshakes under way (default 50)", NULL},
        [F_NAT] = {"nat", "MODE", "none, any, upnp, pmp, stun[:HOST:PORT] or extip:IP: how to learn and advertise our address (default none)", NULL},
        [F_NETRESTRICT] = {"netrestrict", "CIDRS", "only connect to and accept these ranges", NULL},
        [F_MAINNET] = {"mainnet", NULL, "Ethereum mainnet (the default)", NULL},
        [F_SEPOLIA] = {"sepolia", NULL, "the Sepolia test network", NULL},
        [F_HOLESKY] = {"holesky", NULL, "the Holesky test network", NULL},
        [F_HOODI] = {"hoodi", NULL, "the Hoodi test network", NULL},
        [F_DEVNET] = {"devnet", NULL, "the offline loopback devnet (network 1337; see scripts/devnet.sh)", NULL},
        [F_GENESIS] = {"genesis", "FILE", "a custom network from a genesis.json (the reference client's format)", NULL},
        [F_NETWORKID] = {"networkid", "N", "network ID (default: the network's)", NULL},
        [F_IDENTITY] = {"identity", "NAME", "custom node name, shown in the client name", NULL},
        [F_VERBOSITY] = {"verbosity", "LEVEL", "0-5 or error|warn|info|debug|trace (default info)", NULL},
        [F_IMPORT] = {"import", "FILE", "import a chain file (concatenated blocks, as geth export writes) at start", NULL},
        [F_EVENTS] = {"events", "FILE", "write one JSON object per line per event ('-' for stdout)", NULL},
        [F_HTTP] = {"http", NULL, "serve JSON-RPC over HTTP on 127.0.0.1", NULL},
        [F_HTTPPORT] = {"http.port", "PORT", "HTTP JSON-RPC port (default 8545)", NULL},
        [F_NOIPC] = {"ipcdisable", NULL, "no IPC socket", NULL},
        [F_STATIC] = {"staticnodes", "ENODES", "nodes to always stay connected to", NULL},
        [F_TRUSTED] = {"trustednodes", "ENODES", "nodes admitted above the peer limits", NULL},
        [F_STATUS] = {"status", "DURATION", "status line interval (default 10s)", NULL},
        [F_DNS] = {"discovery.dns", "URLS", "DNS node lists (enrtree://…, comma-separated; \"\" for none; default: the network's)",
                   NULL},
        [F_DNSSERVER] = {"discovery.dns.server", "IP[:PORT]", "DNS server for the node lists (default: the system's)", NULL},
        [F_V5] = {"discovery.v5", "BOOL", "also run discv5 on the discovery port (default true)", NULL},
        [F_HTTPADDR] = {"http.addr", "IP", "HTTP JSON-RPC address (default 127.0.0.1)", NULL},
        [F_HTTPAPI] = {"http.api", "MODULES", "modules over HTTP: admin,net,web3,eth,txpool,ethp2p (default eth,net,web3)", NULL},
        [F_CORS] = {"http.corsdomain", "ORIGINS", "origins browsers may call from (comma-separated, '*': any; default none)", NULL},
        [F_VHOSTS] = {"http.vhosts", "HOSTS", "Host names accepted (comma-separated, '*': any; default localhost)", NULL},
        [F_METRICS] = {"metrics", NULL, "serve Prometheus metrics at /metrics", NULL},
        [F_METRICSADDR] = {"metrics.addr", "IP", "metrics address (default 127.0.0.1)", NULL},
        [F_METRICSPORT] = {"metrics.port", "PORT", "metrics port (default 6060)", NULL},
        [F_CONFIG] = {"config", "FILE", "a JSON file of settings named as these flags; flags override it", NULL},
        [F_LOGFMT] = {"log.format", "FORMAT", "logfmt or json (default logfmt)", NULL},
        [F_VMODULE] = {"log.vmodule", "SPEC", "per-module levels, e.g. discv4=5,rlpx=4", NULL},
        [F_NATLEASE] = {"nat.lease", "DURATION", "UPnP/NAT-PMP mapping lifetime, renewed at 3/4 of it (default 20m)", NULL},
    };
    /* The defaults dumpconfig prints (those the help gives). */
    const char *defs[F_COUNT] = {
        [F_PORT] = "30303", [F_MAXPEERS] = "50", [F_MAXPEND] = "50", [F_LISTEN] = "0.0.0.0", [F_NAT] = "none",
        [F_VERBOSITY] = "3", [F_HTTPPORT] = "8545", [F_STATUS] = "10s", [F_V5] = "true", [F_HTTPADDR] = "127.0.0.1",
        [F_HTTPAPI] = "eth,net,web3", [F_VHOSTS] = "localhost", [F_METRICSADDR] = "127.0.0.1", [F_METRICSPORT] = "6060",
        [F_LOGFMT] = "logfmt", [F_NATLEASE] = "20m",
    };
    cli_command cmd = {"ethp2p node [flags]", "join an Ethereum network and relay transactions", flags, F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (flags[F_CONFIG].value && cli_config_load(flags[F_CONFIG].value, flags, F_COUNT)) return CLI_USAGE;
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    if (flags[F_LOGFMT].value) {
        if (strcmp(flags[F_LOGFMT].value, "json") == 0) ethp2p_log_set_format(ETHP2P_LOG_JSON);
        else if (strcmp(flags[F_LOGFMT].value, "logfmt") == 0) ethp2p_log_set_format(ETHP2P_LOG_LOGFMT);
        else {
            cli_error("--log.format: '%s' is neither logfmt nor json", flags[F_LOGFMT].value);
            return CLI_USAGE;
        }
    }
    if (flags[F_VMODULE].value && ethp2p_log_set_vmodule(flags[F_VMODULE].value)) {
        cli_error("--log.vmodule: '%s' is not a list of module=level (levels 0-5)", flags[F_VMODULE].value);
        return CLI_USAGE;
    }
    const char *net;
    if (pick_network(flags, &net)) return CLI_USAGE;
    ethp2p_node_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    uint64_t v;
    uint16_t port = 30303;
    if (flags[F_PORT].value && cli_parse_port("port", flags[F_PORT].value, &port)) return CLI_USAGE;
    if (flags[F_DISCPORT].value && cli_parse_port("discovery.port", flags[F_DISCPORT].value, &cfg.server.discovery_port))
        return CLI_USAGE;
    cfg.server.port = port;
    cfg.server.max_peers = 50;
    if (flags[F_MAXPEERS].value) {
        if (cli_parse_u64("maxpeers", flags[F_MAXPEERS].value, &v)) return CLI_USAGE;
        cfg.server.max_peers = (size_t)v;
    }
    if (flags[F_MAXPEND].value) {
        if (cli_parse_u64("maxpendpeers", flags[F_MAXPEND].value, &v)) return CLI_USAGE;
        cfg.server.max_pending = (size_t)v;
    }
    const char *listen = flags[F_LISTEN].value ? flags[F_LISTEN].value : "0.0.0.0";
    if (ethp2p_ip_parse(listen, &cfg.server.listen_ip)) {
        cli_error("--listenaddr: '%s' is not an IP address", listen);
        return CLI_USAGE;
    }
    ethp2p_nat_spec nat;
    if (cli_parse_nat(flags[F_NAT].value, &cfg.server.listen_ip, &cfg.server.advertise_ip, &nat)) return CLI_USAGE;
    uint64_t lease_ms = 0;
    if (flags[F_NATLEASE].value &&
        (cli_parse_duration_ms("nat.lease", flags[F_NATLEASE].value, &lease_ms) || lease_ms < 2000 || lease_ms > 86400000)) {
        if (lease_ms) cli_error("--nat.lease: between 2s and 24h");
        return CLI_USAGE;
    }
    nat.lease_s = (uint32_t)(lease_ms / 1000);
    ethp2p_netlist netrestrict;
    if (flags[F_NETRESTRICT].value) {
        if (cli_parse_netlist("netrestrict", flags[F_NETRESTRICT].value, &netrestrict)) return CLI_USAGE;
        cfg.server.netrestrict = &netrestrict;
    }
    cfg.server.no_discovery = flags[F_NODISCOVER].value != NULL;
    if (flags[F_V5].value && strcmp(flags[F_V5].value, "true") && strcmp(flags[F_V5].value, "false")) {
        cli_error("--discovery.v5 takes true or false");
        return CLI_USAGE;
    }
    cfg.server.no_discovery_v5 = flags[F_V5].value && !strcmp(flags[F_V5].value, "false");
    rpc_config rcfg;
    memset(&rcfg, 0, sizeof(rcfg));
    rcfg.http = flags[F_HTTP].value != NULL;
    rcfg.http_port = 8545;
    if (flags[F_HTTPPORT].value && cli_parse_port("http.port", flags[F_HTTPPORT].value, &rcfg.http_port)) return CLI_USAGE;
    if (flags[F_HTTPADDR].value && ethp2p_ip_parse(flags[F_HTTPADDR].value, &rcfg.http_ip)) {
        cli_error("--http.addr: '%s' is not an IP address", flags[F_HTTPADDR].value);
        return CLI_USAGE;
    }
    rcfg.http_api = flags[F_HTTPAPI].value;
    rcfg.corsdomain = flags[F_CORS].value;
    rcfg.vhosts = flags[F_VHOSTS].value;
    uint16_t metrics_port = 6060;
    ethp2p_ip metrics_ip = {4, {127, 0, 0, 1}};
    if (flags[F_METRICSPORT].value && cli_parse_port("metrics.port", flags[F_METRICSPORT].value, &metrics_port))
        return CLI_USAGE;
    if (flags[F_METRICSADDR].value && ethp2p_ip_parse(flags[F_METRICSADDR].value, &metrics_ip)) {
        cli_error("--metrics.addr: '%s' is not an IP address", flags[F_METRICSADDR].value);
        return CLI_USAGE;
    }
    uint64_t status_ms = STATUS_INTERVAL_MS;
    if (flags[F_STATUS].value && (cli_parse_duration_ms("status", flags[F_STATUS].value, &status_ms) || !status_ms)) {
        if (!status_ms) cli_error("--status: must be above zero");
        return CLI_USAGE;
    }
    /* Custom networks and the devnet come from a genesis.json: their genesis header starts the chain. */
    ethp2p_genesis_info gi;
    memset(&gi, 0, sizeof(gi));
    char gerr[160];
    if (flags[F_GENESIS].value || strcmp(net, "devnet") == 0) {
        int grc = flags[F_GENESIS].value
                      ? ethp2p_genesis_load(flags[F_GENESIS].value, &cfg.chain, &gi, gerr, sizeof(gerr))
                      : ethp2p_genesis_parse(ethp2p_devnet_genesis(), strlen(ethp2p_devnet_genesis()), &cfg.chain, &gi,
                                             gerr, sizeof(gerr));
        if (grc) {
            cli_error("--genesis %s: %s", flags[F_GENESIS].value ? flags[F_GENESIS].value : "(devnet)", gerr);
            return CLI_USAGE;
        }
        if (!flags[F_GENESIS].value) strcpy(cfg.chain.name, "devnet");
        net = cfg.chain.name;
        cfg.genesis_header = gi.header;
        cfg.genesis_header_len = gi.header_len;
    } else if (ethp2p_chain_builtin(net, &cfg.chain)) {
        return CLI_FAIL;
    }
    cfg.import_file = flags[F_IMPORT].value;
    if (flags[F_NETWORKID].value && cli_parse_u64("networkid", flags[F_NETWORKID].value, &cfg.chain.network_id)) {
        ethp2p_genesis_info_clear(&gi);
        return CLI_USAGE;
    }
    /* Peers lists. */
    ethp2p_enode *boot = NULL, *stat = NULL, *trusted = NULL;
    int n;
    if (flags[F_BOOTNODES].value) {
        if ((n = cli_parse_enodes("bootnodes", flags[F_BOOTNODES].value, &boot)) < 0) goto usage;
        cfg.server.nbootnodes = (size_t)n;
    } else {
        size_t nb;
        const char *const *urls = ethp2p_chain_bootnodes(net, &nb);
        boot = calloc(nb ? nb : 1, sizeof(*boot));
        for (size_t i = 0; i < nb; i++)
            if (ethp2p_enode_parse(urls[i], &boot[cfg.server.nbootnodes], NULL, 0) == 0) cfg.server.nbootnodes++;
    }
    cfg.server.bootnodes = boot;
    if (flags[F_STATIC].value) {
        if ((n = cli_parse_enodes("staticnodes", flags[F_STATIC].value, &stat)) < 0) goto usage;
        cfg.server.static_nodes = stat;
        cfg.server.nstatic = (size_t)n;
    }
    if (flags[F_TRUSTED].value) {
        if ((n = cli_parse_enodes("trustednodes", flags[F_TRUSTED].value, &trusted)) < 0) goto usage;
        cfg.server.trusted_nodes = trusted;
        cfg.server.ntrusted = (size_t)n;
    }
    /* Data directory, key, node database. */
    char datadir[900], path[1024];
    if (flags[F_DATADIR].value) snprintf(datadir, sizeof(datadir), "%s", flags[F_DATADIR].value);
    else snprintf(datadir, sizeof(datadir), "%s/.ethp2p/%s", getenv("HOME") ? getenv("HOME") : ".", net);
    if (dump) { /* dumpconfig: the effective settings, checked, in the config file's form */
        defs[F_DATADIR] = datadir;
        static const int skip[] = {F_CONFIG, -1};
        cli_config_dump(flags, defs, F_COUNT, skip);
        ethp2p_genesis_info_clear(&gi);
        free(boot);
        free(stat);
        free(trusted);
        return CLI_OK;
    }
    if (mkdir_p(datadir)) {
        cli_error("cannot create the data directory %s: %s", datadir, strerror(errno));
        goto fail;
    }
    const char *keypath = flags[F_NODEKEY].value;
    if (!keypath) {
        snprintf(path, sizeof(path), "%s/nodekey", datadir);
        keypath = path;
        if (access(keypath, F_OK) != 0) {
            ethp2p_privkey k;
            if (ethp2p_privkey_generate(&k) || ethp2p_nodekey_save(keypath, &k)) {
                cli_error("cannot create the node key %s", keypath);
                goto fail;
            }
        }
    }
    if ((rc = ethp2p_nodekey_load(keypath, &cfg.server.key))) {
        cli_error("cannot load node key %s: %s", keypath, ethp2p_strerror(rc));
        goto fail;
    }
    noderun r;
    memset(&r, 0, sizeof(r));
    int exit_code = CLI_OK;
    ethp2p_pubkey pub;
    ethp2p_node_id id;
    (void)!ethp2p_privkey_to_pubkey(&cfg.server.key, &pub);
    ethp2p_node_id_from_pubkey(&pub, &id);
    char dbpath[1024];
    snprintf(dbpath, sizeof(dbpath), "%s/nodes.db", datadir);
    if (!(r.db = ethp2p_nodedb_open(dbpath, &id, &rc))) {
        cli_error("cannot open node database %s", dbpath);
        goto fail;
    }
    cfg.server.db = r.db;
    char name[160];
    ethp2p_client_name(flags[F_IDENTITY].value, name, sizeof(name));
    cfg.server.client_name = name;
    if (flags[F_EVENTS].value) {
        if (strcmp(flags[F_EVENTS].value, "-") == 0) r.events = stdout;
        else if (!(r.events = fopen(flags[F_EVENTS].value, "a"))) {
            cli_error("cannot open --events file %s: %s", flags[F_EVENTS].value, strerror(errno));
            goto fail;
        }
    }
    cfg.ctx = &r;
    cfg.on_event = on_event;
    raise_fd_limit();
    r.loop = uv_default_loop();
    char serr[200];
    if (ethp2p_node_start(r.loop, &cfg, &r.node, serr, sizeof(serr))) {
        if (serr[0]) cli_error("%s", serr);
        uv_run(r.loop, UV_RUN_NOWAIT);
        goto fail;
    }
    /* The start line: what we joined. */
    ethp2p_enode self = *ethp2p_server_self(ethp2p_node_server(r.node));
    if (!self.ip.family) self.ip = cfg.server.listen_ip.family && !ethp2p_ip_is_unspecified(&cfg.server.listen_ip)
                                       ? cfg.server.listen_ip
                                       : (ethp2p_ip){4, {127, 0, 0, 1}};
    char url[ETHP2P_ENODE_URL_MAX], genesis[65];
    if (ethp2p_enode_format(&self, url, sizeof(url))) url[0] = '\0';
    ethp2p_hex_encode(cfg.chain.genesis_hash, 32, genesis);
    ethp2p_forkid fid;
    ethp2p_node_forkid(r.node, &fid);
    ETHP2P_INFO("node", "started",
                "self=%s network=%llu chain=%s genesis=0x%s forkid=0x%02x%02x%02x%02x/%llu name=\"%s\" datadir=%s", url,
                (unsigned long long)cfg.chain.network_id, net, genesis, fid.hash[0], fid.hash[1], fid.hash[2], fid.hash[3],
                (unsigned long long)fid.next, name, datadir);
    printf("%s\n", url); /* the first stdout line: scripts read our address */
    fflush(stdout);
    snprintf(path, sizeof(path), "%s/ethp2p.ipc", datadir);
    rcfg.ipc_path = flags[F_NOIPC].value ? NULL : path;
    rcfg.datadir = datadir;
    r.rpc = rpc_start(r.loop, r.node, &rcfg);
    if (nat.mode == ETHP2P_NAT_UPNP || nat.mode == ETHP2P_NAT_PMP || nat.mode == ETHP2P_NAT_ANY || nat.mode == ETHP2P_NAT_STUN) {
        const ethp2p_enode *me = ethp2p_server_self(ethp2p_node_server(r.node));
        if (ethp2p_nat_start(r.loop, &nat, me->tcp, cfg.server.no_discovery ? 0 : me->udp, on_external, &r, &r.nat))
            exit_code = CLI_FAIL;
    }
    if (flags[F_METRICS].value) r.metrics = metrics_http_start(r.loop, r.node, r.rpc, &metrics_ip, metrics_port);
    if ((!r.rpc && (rcfg.ipc_path || rcfg.http)) || (flags[F_METRICS].value && !r.metrics)) {
        cli_error("an endpoint could not open (see the log); stopping");
        exit_code = CLI_FAIL;
    }
    uv_signal_init(r.loop, &r.sigint);
    uv_signal_init(r.loop, &r.sigterm);
    r.sigint.data = r.sigterm.data = &r;
    uv_signal_start(&r.sigint, on_signal, SIGINT);
    uv_signal_start(&r.sigterm, on_signal, SIGTERM);
    uv_timer_init(r.loop, &r.status);
    r.status.data = &r;
    r.last_ms = ethp2p_io_now_ms();
    uv_timer_start(&r.status, on_status, status_ms, status_ms);
    r.nbootnodes = cfg.server.no_discovery ? 0 : cfg.server.nbootnodes;
    if (!exit_code && start_dns(&r, flags[F_DNS].value, flags[F_DNSSERVER].value, net, cfg.server.no_discovery))
        exit_code = CLI_FAIL;
    uv_timer_init(r.loop, &r.reach);
    r.reach.data = &r;
    uv_timer_start(&r.reach, on_reach, 10000, 0);
    if (exit_code) on_signal(&r.sigterm, 0); /* something could not start: stop what did */
    uv_run(r.loop, UV_RUN_DEFAULT);
    if (r.stopping) { /* the unreferenced handles left */
        uv_close((uv_handle_t *)&r.sigint, NULL);
        uv_close((uv_handle_t *)&r.sigterm, NULL);
        uv_close((uv_handle_t *)&r.deadline, NULL);
        uv_run(r.loop, UV_RUN_DEFAULT);
    }
    uv_loop_close(r.loop);
    if (r.events && r.events != stdout) fclose(r.events);
    ethp2p_nodedb_close(r.db);
    ETHP2P_INFO("node", "stopped", "code=%d", exit_code);
    ethp2p_genesis_info_clear(&gi);
    free(boot);
    free(stat);
    free(trusted);
    return exit_code;
usage:
    ethp2p_genesis_info_clear(&gi);
    free(boot);
    free(stat);
    free(trusted);
    return CLI_USAGE;
fail:
    ethp2p_genesis_info_clear(&gi);
    free(boot);
    free(stat);
    free(trusted);
    return CLI_FAIL;
}

int cmd_node(int argc, char **argv) { return node_main(argc, argv, 0); }
int cmd_dumpconfig(int argc, char **argv) { return node_main(argc, argv, 1); }

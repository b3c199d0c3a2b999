/*
 * p2p_node: a devp2p server (discovery + RLPx) with one placeholder
 * capability, for multi-process tests of the transport layer until
 * `ethp2p node` exists. Prints its enode URL as the first line of stdout and
 * a status line (peers=N inbound=M) on stderr every --status-ms.
 *   p2p_node --nodekey FILE --port N [--bootnodes LIST] [--maxpeers N] [--status-ms N]
 */
#include "ethp2p/server.h"
#include "ethp2p/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

static const ethp2p_protocol_spec caps[] = {{"tst", 1, 4}};
static ethp2p_server *srv;
static uv_timer_t status;
static uv_signal_t sigterm;

static void on_status(uv_timer_t *t)
{
    ethp2p_peer *peers[256];
    size_t n = ethp2p_server_peers(srv, peers, 256), in = 0;
    for (size_t i = 0; i < n && i < 256; i++) in += (size_t)peers[i]->inbound;
    size_t table = ethp2p_table_len(ethp2p_discv4_table(ethp2p_server_discv4(srv)));
    fprintf(stderr, "status peers=%zu inbound=%zu table=%zu\n", n, in, table);
}

static void on_term(uv_signal_t *s, int sig)
{
    ethp2p_server_stop(srv);
    uv_timer_stop(&status);
    uv_close((uv_handle_t *)&status, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
}

int main(int argc, char **argv)
{
    const char *key = NULL, *boot = NULL;
    unsigned port = 0, maxpeers = 10, status_ms = 1000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--nodekey")) key = argv[i + 1];
        else if (!strcmp(argv[i], "--port")) port = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bootnodes")) boot = argv[i + 1];
        else if (!strcmp(argv[i], "--maxpeers")) maxpeers = (unsigned)atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--status-ms")) status_ms = (unsigned)atoi(argv[i + 1]);
        else {
            fprintf(stderr, "unknown flag %s\n", argv[i]);
            return 2;
        }
    }
    if (getenv("ETHP2P_VERBOSITY")) ethp2p_log_set_level(atoi(getenv("ETHP2P_VERBOSITY")));
    ethp2p_server_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    if (!key || ethp2p_nodekey_load(key, &cfg.key)) {
        fprintf(stderr, "need --nodekey FILE\n");
        return 2;
    }
    ethp2p_enode bootnodes[8];
    size_t nboot = 0;
    if (boot) {
        char *list = strdup(boot), *save = NULL;
        for (char *tok = strtok_r(list, ",", &save); tok && nboot < 8; tok = strtok_r(NULL, ",", &save))
            if (ethp2p_enode_parse(tok, &bootnodes[nboot], NULL, 0) == 0) nboot++;
        free(list);
    }
    cfg.client_name = "ethp2p-test/p2p_node";
    (void)!ethp2p_ip_parse("127.0.0.1", &cfg.listen_ip);
    cfg.port = (uint16_t)port;
    cfg.max_peers = maxpeers;
    cfg.bootnodes = bootnodes;
    cfg.nbootnodes = nboot;
    cfg.protocols = caps;
    cfg.nprotocols = 1;
    uv_loop_t *loop = uv_default_loop();
    if (ethp2p_server_start(loop, &cfg, &srv)) return 1;
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(ethp2p_server_self(srv), url, sizeof(url)) == 0) printf("%s\n", url);
    fflush(stdout);
    uv_timer_init(loop, &status);
    uv_timer_start(&status, on_status, status_ms, status_ms);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, on_term, SIGTERM);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return 0;
}

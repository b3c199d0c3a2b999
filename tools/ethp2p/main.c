/*
 * ethp2p: the command-line tool. One file per command group; this file only
 * dispatches on the first word.
 */
#include "cli.h"
#include "ethp2p/common.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"key", cmd_key, "node keys: generate, to-id, to-enode, to-enr"},
    {"enr", cmd_enr, "Ethereum Node Records: decode"},
    {"rlpdump", cmd_rlpdump, "print the structure of RLP data"},
    {"node", cmd_node, "join an Ethereum network and relay transactions (mainnet by default)"},
    {"dumpconfig", cmd_dumpconfig, "print the effective 'ethp2p node' configuration (flags and --config) as JSON"},
    {"bootnode", cmd_bootnode, "run a discovery-only node (discv4)"},
    {"tx", cmd_tx, "transactions: make (sign a transfer), decode"},
    {"chain", cmd_chain, "chain files: make (blocks for devnets and tests)"},
    {"rpc", cmd_rpc, "one JSON-RPC call to a running node over its IPC socket"},
    {"dns", cmd_dns, "DNS node lists (EIP-1459): build, sign, to-txt, sync"},
    {"discv5", cmd_discv5, "discv5 tools: ping, requestenr, findnode, talk, crawl"},
    {"discv4", cmd_discv4, "discv4 tools: ping, requestenr, resolve, crawl"},
    {"rlpx", cmd_rlpx, "RLPx tools: ping (exchange Hellos), listen"},
    {"sim", cmd_sim, "simulate many nodes in one process"},
    {"ntp", cmd_ntp, "check the system clock against an NTP server"},
};

static void usage(FILE *out)
{
    fprintf(out, "ethp2p %s - Ethereum devp2p networking tool\n\nUsage: ethp2p COMMAND [ARGS...]\n\nCommands:\n",
            ethp2p_version());
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version", "print the version");
    fprintf(out, "\nRun 'ethp2p COMMAND --help' for a command's flags.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("ethp2p %s\n", ethp2p_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0) return commands[i].run(argc - 2, argv + 2);
    cli_error("unknown command '%s' (see 'ethp2p --help')", cmd);
    return CLI_USAGE;
}

/*
 * ethp2p key: node key files and the identities derived from them.
 *   generate FILE   write a new key (never overwrites)
 *   to-id FILE      print the 64-hex node ID
 *   to-enode FILE   print the enode URL
 *   to-enr FILE     print a signed ENR
 */
#include "cli.h"
#include "ethp2p/enr.h"
#include "ethp2p/hex.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int load_key(const char *path, ethp2p_privkey *key)
{
    int rc = ethp2p_nodekey_load(path, key);
    if (rc == ETHP2P_EIO) cli_error("cannot read key file %s: %s", path, strerror(errno));
    else if (rc) cli_error("invalid key file %s: %s (want 64 hex characters)", path, ethp2p_strerror(rc));
    return rc;
}

static int key_generate(int argc, char **argv)
{
    cli_command cmd = {"ethp2p key generate FILE",
                       "Writes a new secp256k1 node key to FILE (64 hex characters, mode 0600).\n"
                       "Refuses to overwrite an existing file.",
                       NULL, 0, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_privkey key;
    if ((rc = ethp2p_privkey_generate(&key))) {
        cli_error("cannot generate key: %s", ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    rc = ethp2p_nodekey_save(pos[0], &key);
    memset(&key, 0, sizeof(key));
    if (rc == ETHP2P_EEXIST) {
        cli_error("%s already exists; not overwriting it", pos[0]);
        return CLI_FAIL;
    }
    if (rc) {
        cli_error("cannot write %s: %s", pos[0], rc == ETHP2P_EIO ? strerror(errno) : ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int key_to_id(int argc, char **argv)
{
    cli_command cmd = {"ethp2p key to-id FILE", "Prints the node ID (keccak256 of the public key) in hex.",
                       NULL, 0, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_privkey key;
    ethp2p_pubkey pub;
    if (load_key(pos[0], &key) || ethp2p_privkey_to_pubkey(&key, &pub)) return CLI_FAIL;
    ethp2p_node_id id;
    ethp2p_node_id_from_pubkey(&pub, &id);
    char hex[65];
    ethp2p_hex_encode(id.b, sizeof(id.b), hex);
    printf("%s\n", hex);
    return CLI_OK;
}

/* Flags shared by to-enode and to-enr. */
enum { F_IP, F_TCP, F_UDP, F_SEQ };

static int endpoint_from_flags(cli_flag *flags, ethp2p_ip *ip, uint16_t *tcp, uint16_t *udp)
{
    const char *iptext = flags[F_IP].value ? flags[F_IP].value : "127.0.0.1";
    if (ethp2p_ip_parse(iptext, ip)) {
        cli_error("--ip: '%s' is not an IPv4 or IPv6 address", iptext);
        return -1;
    }
    *tcp = *udp = 30303;
    if (flags[F_TCP].value && cli_parse_port("tcp", flags[F_TCP].value, tcp)) return -1;
    if (flags[F_UDP].value && cli_parse_port("udp", flags[F_UDP].value, udp)) return -1;
    return 0;
}

static int key_to_enode(int argc, char **argv)
{
    cli_flag flags[] = {
        [F_IP] = {"ip", "IP", "IP address (default 127.0.0.1)", NULL},
        [F_TCP] = {"tcp", "PORT", "TCP (RLPx) port (default 30303)", NULL},
        [F_UDP] = {"udp", "PORT", "UDP (discovery) port (default 30303)", NULL},
    };
    cli_command cmd = {"ethp2p key to-enode FILE [--ip IP] [--tcp PORT] [--udp PORT]",
                       "Prints the enode URL of the key in FILE.", flags, 3, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_ip ip;
    uint16_t tcp, udp;
    if (endpoint_from_flags(flags, &ip, &tcp, &udp)) return CLI_USAGE;
    ethp2p_privkey key;
    ethp2p_pubkey pub;
    ethp2p_enode node;
    char url[ETHP2P_ENODE_URL_MAX];
    if (load_key(pos[0], &key) || ethp2p_privkey_to_pubkey(&key, &pub)) return CLI_FAIL;
    if (ethp2p_enode_init(&node, &pub, &ip, tcp, udp) || ethp2p_enode_format(&node, url, sizeof(url)))
        return CLI_FAIL;
    printf("%s\n", url);
    return CLI_OK;
}

static int key_to_enr(int argc, char **argv)
{
    cli_flag flags[] = {
        [F_IP] = {"ip", "IP", "IP address, IPv4 or IPv6 (default 127.0.0.1)", NULL},
        [F_TCP] = {"tcp", "PORT", "TCP (RLPx) port (default 30303)", NULL},
        [F_UDP] = {"udp", "PORT", "UDP (discovery) port (default 30303)", NULL},
        [F_SEQ] = {"seq", "N", "record sequence number (default 1)", NULL},
    };
    cli_command cmd = {"ethp2p key to-enr FILE [--ip IP] [--tcp PORT] [--udp PORT] [--seq N]",
                       "Prints a signed node record (enr:...) for the key in FILE.", flags, 4, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_ip ip;
    uint16_t tcp, udp;
    uint64_t seq = 1;
    if (endpoint_from_flags(flags, &ip, &tcp, &udp)) return CLI_USAGE;
    if (flags[F_SEQ].value && cli_parse_u64("seq", flags[F_SEQ].value, &seq)) return CLI_USAGE;
    ethp2p_privkey key;
    if (load_key(pos[0], &key)) return CLI_FAIL;
    ethp2p_enr r;
    ethp2p_enr_init(&r);
    r.seq = seq;
    int v6 = ip.family == 6;
    rc = ethp2p_enr_set_ip(&r, &ip);
    if (!rc) rc = ethp2p_enr_set_port(&r, v6 ? "tcp6" : "tcp", tcp);
    if (!rc) rc = ethp2p_enr_set_port(&r, v6 ? "udp6" : "udp", udp);
    if (!rc) rc = ethp2p_enr_sign(&r, &key);
    char text[ETHP2P_ENR_TEXT_MAX];
    if (!rc) rc = ethp2p_enr_to_text(&r, text, sizeof(text));
    if (rc) {
        cli_error("cannot build record: %s", ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    printf("%s\n", text);
    return CLI_OK;
}

int cmd_key(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"generate", key_generate, "write a new node key file"},
        {"to-id", key_to_id, "print the node ID of a key file"},
        {"to-enode", key_to_enode, "print the enode URL of a key file"},
        {"to-enr", key_to_enr, "print a signed ENR for a key file"},
    };
    return cli_dispatch("key", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

/*
 * ethp2p tx: make (sign a transfer for test traffic) and decode (what a relay
 * sees in a transaction: hash, type, size, chain, nonce, sender).
 * ethp2p rpc: one JSON-RPC call over a node's IPC socket.
 */
#include "cli.h"
#include "ethp2p/hex.h"
#include "ethp2p/tx.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int tx_make(int argc, char **argv)
{
    enum { F_KEY, F_CHAIN, F_NONCE, F_TO, F_VALUE, F_N, F_DATA, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_KEY] = {"key", "FILE", "private key file (64 hex characters)", NULL},
        [F_CHAIN] = {"chainid", "N", "chain ID (default 1337, the devnet)", NULL},
        [F_NONCE] = {"nonce", "N", "sender nonce (default 0)", NULL},
        [F_TO] = {"to", "ADDRESS", "recipient (default 0x00..01)", NULL},
        [F_VALUE] = {"value", "WEI", "amount in wei (default 1)", NULL},
        [F_N] = {"count", "N", "make N transactions with consecutive nonces, one per line (default 1)", NULL},
        [F_DATA] = {"datasize", "BYTES", "call data of this many bytes (default 0; over 4 KiB is announced, not pushed)", NULL},
    };
    cli_command cmd = {"ethp2p tx make --key FILE [flags]", "sign an EIP-1559 transfer; prints its binary form as hex",
                       flags, F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (!flags[F_KEY].value) {
        cli_error("--key is required (create one with 'ethp2p key generate FILE')");
        return CLI_USAGE;
    }
    uint64_t chain = 1337, nonce = 0, value = 1, count = 1, datasize = 0;
    uint8_t to[20] = {0};
    to[19] = 1;
    if ((flags[F_CHAIN].value && cli_parse_u64("chainid", flags[F_CHAIN].value, &chain)) ||
        (flags[F_NONCE].value && cli_parse_u64("nonce", flags[F_NONCE].value, &nonce)) ||
        (flags[F_VALUE].value && cli_parse_u64("value", flags[F_VALUE].value, &value)) ||
        (flags[F_N].value && cli_parse_u64("count", flags[F_N].value, &count)) ||
        (flags[F_DATA].value && cli_parse_u64("datasize", flags[F_DATA].value, &datasize)))
        return CLI_USAGE;
    if (flags[F_TO].value && ethp2p_hex_decode_fixed(flags[F_TO].value, strlen(flags[F_TO].value), to, 20)) {
        cli_error("--to: '%s' is not a 20-byte hex address", flags[F_TO].value);
        return CLI_USAGE;
    }
    ethp2p_privkey key;
    if ((rc = ethp2p_nodekey_load(flags[F_KEY].value, &key))) {
        cli_error("cannot load key %s: %s", flags[F_KEY].value, ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    if (datasize > 128 * 1024) {
        cli_error("--datasize: at most 131072 (the pool limit of the reference client)");
        return CLI_USAGE;
    }
    uint8_t *data = calloc(1, datasize + 1);
    if (!data) return CLI_FAIL;
    for (uint64_t i = 0; i < datasize; i++) data[i] = (uint8_t)(i * 31 + 7);
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    for (uint64_t i = 0; i < count; i++) {
        ethp2p_buffer_reset(&b);
        if (ethp2p_tx_make_transfer(&key, chain, nonce + i, to, value, data, datasize, &b)) {
            free(data);
            ethp2p_buffer_clear(&b);
            return CLI_FAIL;
        }
        char *hex = cli_hex(b.data, b.len);
        if (hex) printf("%s\n", hex);
        free(hex);
    }
    free(data);
    ethp2p_buffer_clear(&b);
    return CLI_OK;
}

static int tx_decode(int argc, char **argv)
{
    cli_command cmd = {"ethp2p tx decode HEX", "decode a transaction (binary form) and print it as JSON", NULL, 0, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    size_t tl = strlen(pos[0]), n;
    uint8_t *raw = malloc(tl / 2 + 1);
    if (!raw || ethp2p_hex_decode(pos[0], tl, raw, tl / 2 + 1, &n)) {
        free(raw);
        cli_error("not hex: %.20s...", pos[0]);
        return CLI_USAGE;
    }
    ethp2p_tx tx;
    if ((rc = ethp2p_tx_decode_binary(raw, n, &tx))) {
        cli_error("invalid transaction: %s", ethp2p_tx_error_name(rc));
        free(raw);
        return CLI_FAIL;
    }
    char h[65], from[41];
    ethp2p_hex_encode(tx.hash, 32, h);
    ethp2p_hex_encode(tx.sender, 20, from);
    printf("{\"hash\":\"0x%s\",\"type\":%u,\"size\":%llu,\"chainId\":%llu,\"nonce\":%llu,\"from\":\"0x%s\"}\n", h, tx.type,
           (unsigned long long)tx.size, (unsigned long long)tx.chain_id, (unsigned long long)tx.nonce, from);
    free(raw);
    return CLI_OK;
}

int cmd_tx(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"make", tx_make, "sign a transfer (test traffic)"},
        {"decode", tx_decode, "decode a transaction"},
    };
    return cli_dispatch("tx", subs, 2, argc, argv);
}

/* ethp2p rpc --ipc PATH METHOD [PARAMS-JSON] */
int cmd_rpc(int argc, char **argv)
{
    enum { F_IPC, F_EACH, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_IPC] = {"ipc", "PATH", "the node's IPC socket (DATADIR/ethp2p.ipc)", NULL},
        [F_EACH] = {"each-line", "FILE", "call METHOD once per line of FILE ('-': stdin), the line as its only parameter", NULL},
    };
    cli_command cmd = {"ethp2p rpc --ipc PATH METHOD [PARAMS]",
                       "JSON-RPC calls to a running node over its IPC socket; prints the replies", flags, F_COUNT, 1, 2};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (!flags[F_IPC].value) {
        cli_error("--ipc is required");
        return CLI_USAGE;
    }
    json_error_t e;
    json_t *req;
    if (flags[F_EACH].value) {
        /* One batch of calls, one per line. */
        FILE *in = strcmp(flags[F_EACH].value, "-") == 0 ? stdin : fopen(flags[F_EACH].value, "r");
        if (!in) {
            cli_error("cannot read %s", flags[F_EACH].value);
            return CLI_FAIL;
        }
        req = json_array();
        char line[1 << 16];
        int id = 1;
        while (fgets(line, sizeof(line), in)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (!line[0]) continue;
            json_array_append_new(req, json_pack("{s:s,s:i,s:s,s:[s]}", "jsonrpc", "2.0", "id", id++, "method", pos[0],
                                                 "params", line));
        }
        if (in != stdin) fclose(in);
    } else {
        json_t *params = npos > 1 ? json_loads(pos[1], 0, &e) : json_array();
        if (!params) {
            cli_error("PARAMS: not JSON: %s", e.text);
            return CLI_USAGE;
        }
        req = json_pack("{s:s,s:i,s:s,s:o}", "jsonrpc", "2.0", "id", 1, "method", pos[0], "params", params);
    }
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", flags[F_IPC].value);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        cli_error("cannot connect to %s: is the node running?", flags[F_IPC].value);
        if (fd >= 0) close(fd);
        free(text);
        return CLI_FAIL;
    }
    size_t tl = strlen(text);
    int ok = write(fd, text, tl) == (ssize_t)tl;
    free(text);
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap);
    while (ok && buf) {
        if (got + 1 == cap) buf = realloc(buf, cap *= 2);
        ssize_t r = read(fd, buf + got, cap - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
        if (buf[got - 1] == '\n') break; /* one reply per line */
    }
    close(fd);
    if (!buf) return CLI_FAIL;
    buf[got] = '\0';
    fputs(buf, stdout);
    json_t *resp = json_loads(buf, 0, &e);
    int status = resp ? CLI_OK : CLI_FAIL;
    if (json_is_object(resp) && json_object_get(resp, "error")) status = CLI_FAIL;
    size_t i;
    json_t *x;
    if (json_is_array(resp))
        json_array_foreach(resp, i, x) if (json_object_get(x, "error")) status = CLI_FAIL;
    json_decref(resp);
    free(buf);
    return status;
}

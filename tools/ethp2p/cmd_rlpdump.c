/*
 * ethp2p rlpdump: prints RLP readably. The whole input is validated first, so
 * invalid data is reported with the offset of the offending item and the
 * reason, and nothing half-printed is left on stdout.
 */
#include "cli.h"
#include "ethp2p/hex.h"
#include "ethp2p/rlp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RLPDUMP_INPUT_MAX (16u << 20) /* hex characters read from stdin */

static void dump_item(const ethp2p_rlp_item *item, int depth)
{
    printf("%*s", 2 * depth, "");
    if (item->kind == ETHP2P_RLP_LIST) {
        ethp2p_rlp_iter it;
        ethp2p_rlp_item sub;
        if (item->payload_len == 0) {
            printf("[]\n");
            return;
        }
        printf("[\n");
        (void)!ethp2p_rlp_iter_list(item, &it);
        while (ethp2p_rlp_iter_next(&it, &sub) == 1) dump_item(&sub, depth + 1);
        printf("%*s]\n", 2 * depth, "");
        return;
    }
    if (item->payload_len == 0) {
        printf("\"\"\n");
        return;
    }
    char *hex = cli_hex(item->payload, item->payload_len);
    if (!hex) return;
    int printable = 1;
    for (size_t i = 0; i < item->payload_len; i++)
        printable &= item->payload[i] >= 0x20 && item->payload[i] < 0x7f;
    if (printable) printf("%s \"%.*s\"\n", hex, (int)item->payload_len, (const char *)item->payload);
    else printf("%s\n", hex);
    free(hex);
}

static char *read_stdin(size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (r == 0) break;
        if (n == cap) {
            if (cap >= RLPDUMP_INPUT_MAX) break;
            char *p = realloc(buf, cap * 2);
            if (!p) { free(buf); return NULL; }
            buf = p;
            cap *= 2;
        }
    }
    while (buf && n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) n--;
    *len = n;
    return buf;
}

/* --split FILE: a binary file of concatenated items (a chain file), one item per line in hex. */
static int split_file(const char *path)
{
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    int rc = ethp2p_buffer_read_file(&b, path, 0);
    if (rc) {
        cli_error("cannot read %s: %s", path, ethp2p_strerror(rc));
        ethp2p_buffer_clear(&b);
        return CLI_FAIL;
    }
    size_t pos = 0;
    while (pos < b.len) {
        ethp2p_rlp_item item;
        size_t rest;
        if ((rc = ethp2p_rlp_decode_prefix(b.data + pos, b.len - pos, &item, &rest))) {
            cli_error("invalid RLP at byte offset %zu: %s", pos, ethp2p_strerror(rc));
            ethp2p_buffer_clear(&b);
            return CLI_FAIL;
        }
        char *hex = cli_hex(item.raw, item.raw_len);
        if (hex) printf("%s\n", hex);
        free(hex);
        pos += item.raw_len;
    }
    ethp2p_buffer_clear(&b);
    return CLI_OK;
}

int cmd_rlpdump(int argc, char **argv)
{
    enum { F_SPLIT, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_SPLIT] = {"split", NULL, "HEX names a binary file of concatenated items (a chain file): print each in hex", NULL},
    };
    cli_command cmd = {"ethp2p rlpdump HEX | --split FILE",
                       "Prints the structure of RLP data given in hex (\"-\" reads hex from stdin).\n"
                       "Lists are indented; strings print as hex, and as text when printable.",
                       flags, F_COUNT, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (flags[F_SPLIT].value) return split_file(pos[0]);
    size_t tlen;
    char *text = NULL;
    if (strcmp(pos[0], "-") == 0) {
        text = read_stdin(&tlen);
        if (!text) {
            cli_error("cannot read stdin");
            return CLI_FAIL;
        }
    }
    const char *hex = text ? text : pos[0];
    if (!text) tlen = strlen(hex);
    uint8_t *data = malloc(tlen / 2 + 1);
    size_t n = 0;
    rc = data ? ethp2p_hex_decode(hex, tlen, data, tlen / 2 + 1, &n) : ETHP2P_ENOMEM;
    free(text);
    if (rc) {
        cli_error("invalid hex input: %s", ethp2p_strerror(rc));
        free(data);
        return CLI_FAIL;
    }
    size_t off = 0;
    rc = ethp2p_rlp_validate(data, n, ETHP2P_RLP_MAX_DEPTH, &off);
    if (rc) {
        cli_error("invalid RLP at byte offset %zu: %s", off, ethp2p_strerror(rc));
        free(data);
        return CLI_FAIL;
    }
    ethp2p_rlp_item item;
    (void)!ethp2p_rlp_decode(data, n, &item);
    dump_item(&item, 0);
    free(data);
    return CLI_OK;
}

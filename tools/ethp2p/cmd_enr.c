/*
 * ethp2p enr decode: prints a node record as one JSON object. The shape is
 * part of the interface (scripts parse it): seq, id, nodeId, the endpoint
 * keys that are present, publicKey, signatureValid, and pairs with every
 * key's raw RLP value in hex.
 */
#include "cli.h"
#include "ethp2p/enr.h"
#include "ethp2p/hex.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accepts "enr:<base64url>" or the record's RLP in hex. */
static int parse_record(const char *text, ethp2p_enr *r)
{
    if (strncmp(text, "enr:", 4) == 0) return ethp2p_enr_from_text(text, r);
    uint8_t raw[ETHP2P_ENR_MAX_SIZE];
    size_t n;
    int rc = ethp2p_hex_decode(text, strlen(text), raw, sizeof(raw), &n);
    if (rc == ETHP2P_ENOSPACE) return ETHP2P_ERECORD_SIZE;
    if (rc) return rc;
    return ethp2p_enr_decode(raw, n, r);
}

static void set_hex(json_t *obj, const char *key, const uint8_t *data, size_t len)
{
    char hex[2 * ETHP2P_ENR_MAX_SIZE + 3] = "0x";
    ethp2p_hex_encode(data, len, hex + 2);
    json_object_set_new(obj, key, json_string(hex));
}

/* A key as JSON text: itself when printable ASCII, else 0x-prefixed hex. */
static void key_text(const uint8_t *k, size_t n, char *out, size_t cap)
{
    int printable = n > 0;
    for (size_t i = 0; i < n; i++) printable &= k[i] >= 0x20 && k[i] < 0x7f;
    if (printable && n < cap) {
        memcpy(out, k, n);
        out[n] = '\0';
    } else {
        memcpy(out, "0x", 3);
        ethp2p_hex_encode(k, n, out + 2);
    }
}

static int enr_decode(int argc, char **argv)
{
    cli_command cmd = {"ethp2p enr decode ENR",
                       "Prints a node record (\"enr:...\" or its RLP in hex) as JSON: seq, id,\n"
                       "nodeId, ip, tcp, udp, ip6, tcp6, udp6 (those present), publicKey,\n"
                       "signatureValid, and pairs (every key -> hex of its raw RLP value).",
                       NULL, 0, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_enr r;
    if ((rc = parse_record(pos[0], &r))) {
        cli_error("invalid record: %s", ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)r.seq));
    char scheme[64];
    if (ethp2p_enr_get_id_scheme(&r, scheme, sizeof(scheme)) == 0) json_object_set_new(o, "id", json_string(scheme));
    ethp2p_node_id id;
    if (ethp2p_enr_node_id(&r, &id) == 0) set_hex(o, "nodeId", id.b, sizeof(id.b));
    char ipt[64];
    ethp2p_ip ip;
    uint16_t port;
    if (ethp2p_enr_get_ip(&r, 4, &ip) == 0) {
        ethp2p_ip_format(&ip, ipt, sizeof(ipt));
        json_object_set_new(o, "ip", json_string(ipt));
    }
    static const char *ports[] = {"tcp", "udp"};
    for (int i = 0; i < 2; i++)
        if (ethp2p_enr_get_port(&r, ports[i], &port) == 0) json_object_set_new(o, ports[i], json_integer(port));
    if (ethp2p_enr_get_ip(&r, 6, &ip) == 0) {
        ethp2p_ip_format(&ip, ipt, sizeof(ipt));
        json_object_set_new(o, "ip6", json_string(ipt));
    }
    /* Only keys present in the record (no tcp6 -> tcp fallback here). */
    static const char *ports6[] = {"tcp6", "udp6"};
    const uint8_t *raw;
    size_t rawlen;
    for (int i = 0; i < 2; i++)
        if (ethp2p_enr_get_raw(&r, ports6[i], &raw, &rawlen) == 0 && ethp2p_enr_get_port(&r, ports6[i], &port) == 0)
            json_object_set_new(o, ports6[i], json_integer(port));
    ethp2p_pubkey pk;
    uint8_t comp[33];
    if (ethp2p_enr_get_pubkey(&r, &pk) == 0 && ethp2p_pubkey_compress(&pk, comp) == 0)
        set_hex(o, "publicKey", comp, sizeof(comp));
    json_object_set_new(o, "signatureValid", json_boolean(ethp2p_enr_verify(&r) == 0));
    json_t *pairs = json_object();
    for (size_t i = 0; i < r.npairs; i++) {
        char k[2 * ETHP2P_ENR_MAX_SIZE + 3];
        key_text(r.kv + r.pairs[i].key_off, r.pairs[i].key_len, k, sizeof(k));
        set_hex(pairs, k, r.kv + r.pairs[i].val_off, r.pairs[i].val_len);
    }
    json_object_set_new(o, "pairs", pairs);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return CLI_OK;
}

int cmd_enr(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"decode", enr_decode, "print a node record as JSON"},
    };
    return cli_dispatch("enr", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

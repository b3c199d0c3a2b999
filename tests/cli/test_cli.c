/* The ethp2p command line, run as a user would run it: outputs, exit statuses, error messages. */
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static char keyfile[128];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/ethp2p-clitest-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(keyfile, sizeof(keyfile), "%s/nodekey", dir);
    return 0;
}

static int teardown(void **state)
{
    unlink(keyfile);
    rmdir(dir);
    return 0;
}

static void write_vector_key(void)
{
    unlink(keyfile);
    FILE *f = fopen(keyfile, "w");
    fputs("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291\n", f);
    fclose(f);
}

static void test_key_generate(void **state)
{
    unlink(keyfile);
    char *out, *err;
    assert_int_equal(tu_run_cli(&out, &err, "key", "generate", keyfile, NULL), 0);
    struct stat st;
    assert_int_equal(stat(keyfile, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(out);
    free(err);
    /* Refuses to overwrite. */
    assert_int_equal(tu_run_cli(NULL, &err, "key", "generate", keyfile, NULL), 1);
    assert_non_null(strstr(err, "already exists"));
    free(err);
}

static void test_key_to_id_enode_enr(void **state)
{
    write_vector_key();
    char *out;
    assert_int_equal(tu_run_cli(&out, NULL, "key", "to-id", keyfile, NULL), 0);
    assert_string_equal(out, "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7\n");
    free(out);
    assert_int_equal(tu_run_cli(&out, NULL, "key", "to-enode", keyfile, "--ip", "10.0.0.1", "--tcp", "30303",
                                "--udp=30301", NULL), 0);
    assert_string_equal(out, "enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@10.0.0.1:30303?discport=30301\n");
    free(out);
    /* The published ENR has ip 127.0.0.1 and udp 30303 but no tcp: to-enr always sets
     * tcp, so compare the decoded fields instead of the text. */
    assert_int_equal(tu_run_cli(&out, NULL, "key", "to-enr", keyfile, "--seq", "3", "--udp", "30305", NULL), 0);
    assert_true(strncmp(out, "enr:", 4) == 0);
    out[strcspn(out, "\n")] = '\0';
    char *json;
    assert_int_equal(tu_run_cli(&json, NULL, "enr", "decode", out, NULL), 0);
    json_error_t e;
    json_t *o = json_loads(json, 0, &e);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "seq")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "udp")), 30305);
    assert_int_equal(json_integer_value(json_object_get(o, "tcp")), 30303);
    assert_string_equal(json_string_value(json_object_get(o, "ip")), "127.0.0.1");
    assert_true(json_is_true(json_object_get(o, "signatureValid")));
    assert_string_equal(json_string_value(json_object_get(o, "nodeId")),
                        "0xa448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7");
    json_decref(o);
    free(json);
    free(out);
}

static void test_enr_decode_vector(void **state)
{
    json_t *v = tu_load_json("vectors/enr.json");
    char *out;
    assert_int_equal(tu_run_cli(&out, NULL, "enr", "decode", tu_str(v, "enr_text"), NULL), 0);
    json_error_t e;
    json_t *o = json_loads(out, 0, &e);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "seq")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "id")), "v4");
    assert_string_equal(json_string_value(json_object_get(o, "ip")), "127.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(o, "udp")), 30303);
    assert_null(json_object_get(o, "tcp"));
    assert_null(json_object_get(o, "udp6"));
    assert_string_equal(json_string_value(json_object_get(o, "publicKey")),
                        "0x03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138");
    assert_true(json_is_true(json_object_get(o, "signatureValid")));
    json_t *pairs = json_object_get(o, "pairs");
    assert_int_equal(json_object_size(pairs), 4);
    assert_string_equal(json_string_value(json_object_get(pairs, "udp")), "0x82765f");
    json_decref(o);
    free(out);
    /* The same record given as RLP hex. */
    assert_int_equal(tu_run_cli(&out, NULL, "enr", "decode",
                                tu_str(json_object_get(v, "derived"), "rlp_hex"), NULL), 0);
    assert_non_null(strstr(out, "\"signatureValid\": true"));
    free(out);
    json_decref(v);
}

static void test_enr_decode_errors(void **state)
{
    char *out, *err;
    assert_int_equal(tu_run_cli(&out, &err, "enr", "decode", "enr:AAAA", NULL), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "invalid record"));
    free(out);
    free(err);
    /* A well-formed record with a broken signature decodes, reporting signatureValid false. */
    json_t *v = tu_load_json("vectors/enr.json");
    char hex[700];
    snprintf(hex, sizeof(hex), "%s", tu_str(json_object_get(v, "derived"), "rlp_hex"));
    hex[10] = hex[10] == '0' ? '1' : '0'; /* inside the signature */
    assert_int_equal(tu_run_cli(&out, NULL, "enr", "decode", hex, NULL), 0);
    assert_non_null(strstr(out, "\"signatureValid\": false"));
    free(out);
    json_decref(v);
}

static void test_rlpdump(void **state)
{
    char *out, *err;
    assert_int_equal(tu_run_cli(&out, NULL, "rlpdump", "c98363617483646f6780", NULL), 0);
    assert_string_equal(out, "[\n  0x636174 \"cat\"\n  0x646f67 \"dog\"\n  \"\"\n]\n");
    free(out);
    assert_int_equal(tu_run_cli(&out, &err, "rlpdump", "c3c28105", NULL), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "offset 2"));
    assert_non_null(strstr(err, "single byte"));
    free(out);
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "rlpdump", "zz", NULL), 1);
    assert_non_null(strstr(err, "invalid hex"));
    free(err);
}

static void test_usage_errors_and_help(void **state)
{
    char *out, *err;
    assert_int_equal(tu_run_cli(NULL, &err, "key", "to-id", keyfile, "--bogus", NULL), 2);
    assert_non_null(strstr(err, "unknown flag --bogus"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "key", "to-enode", keyfile, "--tcp", "70000", NULL), 2);
    assert_non_null(strstr(err, "out of range"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "nosuch", NULL), 2);
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "key", "to-id", "/nonexistent/key", NULL), 1);
    assert_non_null(strstr(err, "/nonexistent/key"));
    free(err);
    static const char *cmds[][3] = {{"key", "generate", NULL}, {"key", "to-id", NULL},
                                    {"key", "to-enode", NULL}, {"key", "to-enr", NULL},
                                    {"enr", "decode", NULL}, {"rlpdump", NULL, NULL},
                                    {"bootnode", NULL, NULL}, {"discv4", "ping", NULL},
                                    {"discv4", "requestenr", NULL}, {"discv4", "resolve", NULL},
                                    {"discv4", "crawl", NULL}, {"sim", "discv4", NULL}};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        int rc = cmds[i][1] ? tu_run_cli(&out, NULL, cmds[i][0], cmds[i][1], "--help", NULL)
                            : tu_run_cli(&out, NULL, cmds[i][0], "--help", NULL);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "Usage: ethp2p"));
        free(out);
    }
    assert_int_equal(tu_run_cli(&out, NULL, "--help", NULL), 0);
    assert_non_null(strstr(out, "rlpdump"));
    free(out);
}

static void test_discv4_commands_fail_clearly(void **state)
{
    char *out, *err;
    /* Nobody listens on port 9 of loopback: a clear timeout, exit 1. */
    assert_int_equal(tu_run_cli(&out, &err, "discv4", "ping",
                                "enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@127.0.0.1:9",
                                "--timeout", "300ms", NULL), 1);
    assert_string_equal(out, "");
    assert_non_null(strstr(err, "no pong"));
    free(out);
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "discv4", "requestenr", "enode://nothex@127.0.0.1:1", NULL), 2);
    assert_non_null(strstr(err, "not a usable enode URL"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "discv4", "ping", "enode://x", "--timeout", "soon", NULL), 2);
    assert_non_null(strstr(err, "not a duration"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "bootnode", "--addr", "127.0.0.1:1", NULL), 2);
    assert_non_null(strstr(err, "--nodekey is required"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "discv4", "crawl", "out.json", NULL), 2);
    assert_non_null(strstr(err, "--bootnodes is required"));
    free(err);
    /* A bootnode list entry that is not an enode URL is named in the error. */
    assert_int_equal(tu_run_cli(NULL, &err, "discv4", "crawl", "--bootnodes", "enode://abc@1.2.3.4:5", "x.json", NULL), 2);
    assert_non_null(strstr(err, "enode://abc@1.2.3.4:5"));
    free(err);
}

static void test_sim_discv4_prints_json(void **state)
{
    char *out;
    assert_int_equal(tu_run_cli(&out, NULL, "sim", "discv4", "--nodes", "24", "--seed", "3", "--duration", "30s",
                                "--lookups", "10", NULL), 0);
    json_error_t e;
    json_t *o = json_loads(out, 0, &e);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "nodes")), 24);
    json_t *lk = json_object_get(o, "lookups");
    assert_true(json_real_value(json_object_get(lk, "successRate")) >= 0.8);
    assert_true(json_integer_value(json_object_get(json_object_get(o, "tableFill"), "min")) >= 16);
    /* The same seed replays the same run. */
    char *again;
    assert_int_equal(tu_run_cli(&again, NULL, "sim", "discv4", "--nodes", "24", "--seed", "3", "--duration", "30s",
                                "--lookups", "10", NULL), 0);
    json_t *o2 = json_loads(again, 0, &e);
    assert_true(json_integer_value(json_object_get(json_object_get(o, "packets"), "sent")) ==
                json_integer_value(json_object_get(json_object_get(o2, "packets"), "sent")));
    json_decref(o);
    json_decref(o2);
    free(out);
    free(again);
}

/* A simulator's report without what depends on the machine (wall time, memory), as canonical JSON text. */
static char *sim_report(const char *kind, const char *seed)
{
    char *out;
    if (strcmp(kind, "discv4") == 0)
        assert_int_equal(tu_run_cli(&out, NULL, "sim", "discv4", "--nodes", "40", "--seed", seed, "--duration", "40s",
                                    "--lookups", "20", NULL), 0);
    else
        assert_int_equal(tu_run_cli(&out, NULL, "sim", "broadcast", "--nodes", "40", "--txs", "20", "--seed", seed, NULL), 0);
    json_error_t e;
    json_t *o = json_loads(out, 0, &e);
    assert_non_null(o);
    assert_int_equal(json_object_del(o, "wallSeconds"), 0);
    assert_int_equal(json_object_del(o, "peakRssMiB"), 0);
    char *text = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(o);
    free(out);
    return text;
}

/* Both simulators replay a seed exactly: the whole report (convergence, lookups, hops, packets;
 * latencies, messages, duplicates) is the same; another seed gives another report. */
static void test_sims_are_deterministic(void **state)
{
    (void)state;
    static const char *kinds[] = {"discv4", "broadcast"};
    for (int k = 0; k < 2; k++) {
        char *a = sim_report(kinds[k], "5"), *b = sim_report(kinds[k], "5"), *c = sim_report(kinds[k], "6");
        assert_string_equal(a, b);
        assert_string_not_equal(a, c);
        free(a);
        free(b);
        free(c);
    }
}

static void test_tx_chain_node_usage(void **state)
{
    (void)state;
    char *out, *err;
    write_vector_key();
    /* tx make -> tx decode: the sender is the key's address, the chain and nonce as asked. */
    assert_int_equal(tu_run_cli(&out, NULL, "tx", "make", "--key", keyfile, "--chainid", "5", "--nonce", "7", NULL), 0);
    out[strcspn(out, "\n")] = '\0';
    char *dec;
    assert_int_equal(tu_run_cli(&dec, NULL, "tx", "decode", out, NULL), 0);
    assert_non_null(strstr(dec, "\"chainId\":5"));
    assert_non_null(strstr(dec, "\"nonce\":7"));
    assert_non_null(strstr(dec, "\"type\":2"));
    free(dec);
    free(out);
    /* Three transactions with --count: three lines, consecutive nonces. */
    assert_int_equal(tu_run_cli(&out, NULL, "tx", "make", "--key", keyfile, "--count", "3", NULL), 0);
    int lines = 0;
    for (char *p = out; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 3);
    free(out);
    /* Errors: exit 2 for usage, 1 for bad data, each with a message. */
    assert_int_equal(tu_run_cli(NULL, &err, "tx", "make", NULL), 2);
    assert_non_null(strstr(err, "--key"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "tx", "decode", "0x02c0", NULL), 1);
    assert_non_null(strstr(err, "invalid transaction"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "chain", "make", NULL), 2);
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "node", "--mainnet", "--sepolia", NULL), 2);
    assert_non_null(strstr(err, "choose one network"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "node", "--genesis", "/nonexistent/genesis.json", NULL), 2);
    assert_non_null(strstr(err, "cannot read"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "node", "--devnet", "--netrestrict", "10.0.0.0/33", NULL), 2);
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "rpc", "net_version", NULL), 2);
    free(err);
    char ipc[160];
    snprintf(ipc, sizeof(ipc), "%s/none.ipc", dir);
    assert_int_equal(tu_run_cli(NULL, &err, "rpc", "--ipc", ipc, "net_version", NULL), 1);
    assert_non_null(strstr(err, "is the node running"));
    free(err);
    assert_int_equal(tu_run_cli(NULL, &err, "sim", "broadcast", "--nodes", "1", NULL), 2);
    free(err);
    /* A chain file for the devnet, written and reported. */
    char chain[160];
    snprintf(chain, sizeof(chain), "%s/chain.rlp", dir);
    assert_int_equal(tu_run_cli(&out, NULL, "chain", "make", "--blocks", "4", "--txs", "2", "--key", keyfile, "--out", chain, NULL), 0);
    assert_non_null(strstr(out, "\"number\":4"));
    free(out);
    struct stat st;
    assert_int_equal(stat(chain, &st), 0);
    assert_true(st.st_size > 4 * 500);
    unlink(chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_generate),
        cmocka_unit_test(test_key_to_id_enode_enr),
        cmocka_unit_test(test_enr_decode_vector),
        cmocka_unit_test(test_enr_decode_errors),
        cmocka_unit_test(test_rlpdump),
        cmocka_unit_test(test_usage_errors_and_help),
        cmocka_unit_test(test_tx_chain_node_usage),
        cmocka_unit_test(test_discv4_commands_fail_clearly),
        cmocka_unit_test(test_sim_discv4_prints_json),
        cmocka_unit_test(test_sims_are_deterministic),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

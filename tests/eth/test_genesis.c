/* Merkle-Patricia trie roots (ethereum/tests vectors) and genesis hashes from genesis.json. */
#include "test_util.h"
#include "ethp2p/genesis.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"

#include <stdlib.h>
#include <string.h>

static void test_trie_vectors(void **state)
{
    (void)state;
    json_t *v = tu_load_json("vectors/trieanyorder.json");
    size_t i, count = 0;
    json_t *tc;
    json_array_foreach(json_object_get(v, "tests"), i, tc) {
        json_t *in = json_object_get(tc, "in");
        int secure = json_is_true(json_object_get(tc, "secure"));
        size_t n = json_object_size(in), k = 0;
        ethp2p_trie_kv *kv = calloc(n, sizeof(*kv));
        uint8_t(*hk)[32] = calloc(n, 32);
        const char *key;
        json_t *val;
        json_object_foreach(in, key, val) {
            kv[k].key = (const uint8_t *)key;
            kv[k].key_len = strlen(key);
            if (secure) {
                ethp2p_keccak256(key, strlen(key), hk[k]);
                kv[k].key = hk[k];
                kv[k].key_len = 32;
            }
            kv[k].value = (const uint8_t *)json_string_value(val);
            kv[k].value_len = strlen(json_string_value(val));
            k++;
        }
        uint8_t root[32], want[32];
        assert_int_equal(ethp2p_trie_root(kv, n, root), 0);
        tu_hex_fixed(tu_str(tc, "root"), want, 32);
        if (memcmp(root, want, 32)) fail_msg("trie test '%s': root differs", tu_str(tc, "name"));
        free(kv);
        free(hk);
        count++;
    }
    assert_int_equal(count, 8);
    json_decref(v);
    /* Empty; a repeated key. */
    uint8_t root[32];
    assert_int_equal(ethp2p_trie_root(NULL, 0, root), 0);
    assert_memory_equal(root, ETHP2P_EMPTY_TRIE_ROOT, 32);
    uint8_t e[32];
    ethp2p_keccak256("\x80", 1, e);
    assert_memory_equal(e, ETHP2P_EMPTY_TRIE_ROOT, 32);
    ethp2p_trie_kv dup[2] = {{(const uint8_t *)"a", 1, (const uint8_t *)"x", 1}, {(const uint8_t *)"a", 1, (const uint8_t *)"y", 1}};
    assert_int_equal(ethp2p_trie_root(dup, 2, root), ETHP2P_EINVAL);
}

/* The reference client's TestSetupGenesis "customg": Homestead at 3, one account {1} with balance 1
 * and storage {1}: {1}; the header fields left to their defaults. */
static const char *customg =
    "{\"config\":{\"chainId\":1337,\"homesteadBlock\":3},"
    "\"alloc\":{\"0x0100000000000000000000000000000000000000\":{\"balance\":\"0x1\",\"storage\":{"
    "\"0x0100000000000000000000000000000000000000000000000000000000000000\":"
    "\"0x0100000000000000000000000000000000000000000000000000000000000000\"}}}}";

static void test_genesis_hash(void **state)
{
    (void)state;
    ethp2p_chain_config c;
    ethp2p_genesis_info gi;
    char err[128];
    assert_int_equal(ethp2p_genesis_parse(customg, strlen(customg), &c, &gi, err, sizeof(err)), 0);
    uint8_t want[32];
    tu_hex_fixed("0x89c99d90b79719238d2645c7642f2c9295246e80775b38cfd162b696817fbd50", want, 32);
    assert_memory_equal(gi.header_hash, want, 32);
    assert_memory_equal(c.genesis_hash, want, 32);
    assert_true(c.chain_id == 1337 && c.network_id == 1337);
    assert_int_equal(c.nblock_forks, 1);
    assert_true(c.block_forks[0] == 3);
    assert_false(c.post_merge);
    assert_true(gi.gas_limit == 4712388);
    assert_int_equal(gi.accounts, 1);
    uint8_t hh[32];
    ethp2p_keccak256(gi.header, gi.header_len, hh);
    assert_memory_equal(hh, want, 32);
    ethp2p_genesis_info_clear(&gi);
    /* Decimal and hex balances agree; changing a storage value changes the hash. */
    const char *dec = "{\"config\":{\"chainId\":1337,\"homesteadBlock\":3},"
                      "\"alloc\":{\"0100000000000000000000000000000000000000\":{\"balance\":\"1\",\"storage\":{"
                      "\"0x0100000000000000000000000000000000000000000000000000000000000000\":"
                      "\"0x0100000000000000000000000000000000000000000000000000000000000000\"}}}}";
    ethp2p_genesis_info g2;
    assert_int_equal(ethp2p_genesis_parse(dec, strlen(dec), &c, &g2, err, sizeof(err)), 0);
    assert_memory_equal(g2.header_hash, want, 32);
    ethp2p_genesis_info_clear(&g2);
    /* A post-merge genesis (Prague at genesis): every fork's header field is present, so
     * the hash differs from the same alloc before London; the chain is past the merge. */
    const char *prague =
        "{\"config\":{\"chainId\":7,\"homesteadBlock\":0,\"londonBlock\":0,\"terminalTotalDifficulty\":0,"
        "\"shanghaiTime\":0,\"cancunTime\":0,\"pragueTime\":0,\"osakaTime\":1900000000},"
        "\"timestamp\":\"0x10\",\"gasLimit\":\"0x1c9c380\",\"difficulty\":\"0x0\","
        "\"alloc\":{\"0x1111111111111111111111111111111111111111\":{\"balance\":\"0xde0b6b3a7640000\",\"nonce\":\"0x1\","
        "\"code\":\"0x6000\"}}}";
    assert_int_equal(ethp2p_genesis_parse(prague, strlen(prague), &c, &g2, err, sizeof(err)), 0);
    assert_true(c.post_merge);
    assert_int_equal(c.ntime_forks, 4);
    ethp2p_forkid id;
    ethp2p_forkid_compute(&c, 0, 16, &id);
    assert_true(id.next == 1900000000); /* time forks at genesis are not counted; Osaka is next */
    ethp2p_genesis_info_clear(&g2);
    /* Malformed files say why. */
    const char *bad[] = {"", "[]", "{\"alloc\":{}}", "{\"config\":{}}", "{\"config\":{\"chainId\":\"x\"}}",
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0xzz\":{}}}",
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0x01\":{\"balance\":\"-1\"}}}",
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0x01\":{\"code\":\"0xabc\"}}}",
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0x01\":{\"balance\":\"0x1\"},\"0x0000000000000000000000000000000000000001\":{}}}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (ethp2p_genesis_parse(bad[i], strlen(bad[i]), &c, &g2, err, sizeof(err)) == 0) fail_msg("case %zu parsed", i);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(ethp2p_genesis_load("/nonexistent/genesis.json", &c, &g2, err, sizeof(err)), ETHP2P_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trie_vectors),
        cmocka_unit_test(test_genesis_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

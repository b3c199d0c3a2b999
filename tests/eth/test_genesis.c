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
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0x01\":{\"balance\":\"0x1\"},\"0x0000000000000000000000000000000000000001\":{}}}",
                         /* one storage slot named twice (found by fuzz_chain: refused without a reason) */
                         "{\"config\":{\"chainId\":1},\"alloc\":{\"0x01\":{\"storage\":{\"0x01\":\"0x2\",\"0x0000000000000000000000000000000000000000000000000000000000000001\":\"0x3\"}}}}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (ethp2p_genesis_parse(bad[i], strlen(bad[i]), &c, &g2, err, sizeof(err)) == 0) fail_msg("case %zu parsed", i);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(ethp2p_genesis_load("/nonexistent/genesis.json", &c, &g2, err, sizeof(err)), ETHP2P_EIO);
}

/* Integers of any size, in every form the reference reads, keep their exact value. */
static void test_big_integers(void **state)
{
    (void)state;
    ethp2p_chain_config c;
    ethp2p_genesis_info gi;
    char err[160];
    /* Mainnet's TTD (58,750,000,000,000,000,000,000) as a JSON number, a decimal string and hex. */
    const char *forms[] = {"58750000000000000000000", "\"58750000000000000000000\"", "\"0xc70d808a128d7380000\""};
    uint8_t want_ttd[32] = {0};
    tu_hex_fixed("0x0c70d808a128d7380000", want_ttd + 22, 10);
    uint8_t first_hash[32];
    for (size_t i = 0; i < 3; i++) {
        char text[512];
        /* The balance, 10^24 wei, is over 64 bits too: each form gives the same state root. */
        const char *bal[] = {"1000000000000000000000000", "\"1000000000000000000000000\"", "\"0xd3c21bcecceda1000000\""};
        snprintf(text, sizeof(text),
                 "{\"config\":{\"chainId\":1,\"londonBlock\":12965000,\"terminalTotalDifficulty\":%s},"
                 "\"difficulty\":\"0x400000000\",\"alloc\":{\"0x0100000000000000000000000000000000000000\":{\"balance\":%s}}}",
                 forms[i], bal[i]);
        if (ethp2p_genesis_parse(text, strlen(text), &c, &gi, err, sizeof(err))) fail_msg("form %zu: %s", i, err);
        assert_true(c.has_ttd);
        assert_memory_equal(c.ttd, want_ttd, 32);
        assert_true(c.has_london && c.london_block == 12965000);
        /* The TTD is set but far from reached: before the merge, until the head's TD reaches it. */
        assert_false(c.post_merge);
        assert_false(ethp2p_chain_config_merged(&c, gi.difficulty, 0));
        assert_true(ethp2p_chain_config_merged(&c, want_ttd, 0));
        if (i == 0) memcpy(first_hash, gi.header_hash, 32);
        else assert_memory_equal(gi.header_hash, first_hash, 32);
        ethp2p_genesis_info_clear(&gi);
    }
    /* One unit more than 2^256 - 1 is refused, and so is a number with a fraction or exponent:
     * the reference's integer fields take neither, and a double would round. */
    const char *bad[] = {
        "{\"config\":{\"chainId\":1,\"terminalTotalDifficulty\":"
        "115792089237316195423570985008687907853269984665640564039457584007913129639936}}",
        "{\"config\":{\"chainId\":1,\"terminalTotalDifficulty\":5.875e22}}",
        "{\"config\":{\"chainId\":1},\"gasLimit\":30000000.5}",
        "{\"config\":{\"chainId\":1},\"gasLimit\":18446744073709551616}", /* 2^64 in a 64-bit field */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ethp2p_genesis_parse(bad[i], strlen(bad[i]), &c, &gi, err, sizeof(err)) == 0) fail_msg("bad %zu parsed", i);
    /* 2^64 - 1 still fits a 64-bit field, as a bare number too. */
    const char *max64 = "{\"config\":{\"chainId\":18446744073709551615}}";
    assert_int_equal(ethp2p_genesis_parse(max64, strlen(max64), &c, &gi, err, sizeof(err)), 0);
    assert_true(c.chain_id == UINT64_MAX);
    ethp2p_genesis_info_clear(&gi);
    /* Long digit runs inside strings are left alone. */
    const char *in_string = "{\"config\":{\"chainId\":5,\"x\":\"12345678901234567890123\"},\"extraData\":\"0x\"}";
    assert_int_equal(ethp2p_genesis_parse(in_string, strlen(in_string), &c, &gi, err, sizeof(err)), 0);
    ethp2p_genesis_info_clear(&gi);
}

/* Which chains are past the merge (the reference's rules). */
static void test_merge_rules(void **state)
{
    (void)state;
    ethp2p_chain_config c;
    ethp2p_genesis_info gi;
    char err[160];
    /* terminalTotalDifficultyPassed with no TTD: a sync hint only; still proof of work. */
    const char *passed_only = "{\"config\":{\"chainId\":9,\"londonBlock\":0,\"terminalTotalDifficultyPassed\":true}}";
    assert_int_equal(ethp2p_genesis_parse(passed_only, strlen(passed_only), &c, &gi, err, sizeof(err)), 0);
    assert_false(c.post_merge);
    assert_false(ethp2p_chain_config_merged(&c, gi.difficulty, 1u << 30));
    ethp2p_genesis_info_clear(&gi);
    /* TTD reached by the genesis difficulty itself. */
    const char *at_genesis = "{\"config\":{\"chainId\":9,\"terminalTotalDifficulty\":131072},\"difficulty\":\"0x20000\"}";
    assert_int_equal(ethp2p_genesis_parse(at_genesis, strlen(at_genesis), &c, &gi, err, sizeof(err)), 0);
    assert_true(c.post_merge);
    ethp2p_genesis_info_clear(&gi);
    /* TTD one above the genesis difficulty: not yet. */
    const char *above = "{\"config\":{\"chainId\":9,\"terminalTotalDifficulty\":131073},\"difficulty\":\"0x20000\"}";
    assert_int_equal(ethp2p_genesis_parse(above, strlen(above), &c, &gi, err, sizeof(err)), 0);
    assert_false(c.post_merge);
    ethp2p_genesis_info_clear(&gi);
    /* No TTD but Shanghai scheduled: merged once the head's time reaches it. */
    const char *shanghai = "{\"config\":{\"chainId\":9,\"shanghaiTime\":1000},\"timestamp\":\"0x10\"}";
    assert_int_equal(ethp2p_genesis_parse(shanghai, strlen(shanghai), &c, &gi, err, sizeof(err)), 0);
    assert_false(c.post_merge);
    assert_false(ethp2p_chain_config_merged(&c, NULL, 999));
    assert_true(ethp2p_chain_config_merged(&c, NULL, 1000));
    ethp2p_genesis_info_clear(&gi);
    /* The post-merge test chain's genesis (the reference's ethtest data): merged at genesis,
     * and its hash is the parent of block 1 in chain.rlp. */
    assert_int_equal(ethp2p_genesis_load(ETHP2P_TEST_DATA "/chain-postmerge/genesis.json", &c, &gi, err, sizeof(err)), 0);
    assert_true(c.post_merge);
    assert_true(c.chain_id == 3503995874084926ULL);
    ethp2p_buffer chain;
    ethp2p_buffer_init(&chain, 0);
    assert_int_equal(ethp2p_buffer_read_file(&chain, ETHP2P_TEST_DATA "/chain-postmerge/chain.rlp", 0), 0);
    /* Block 1's header starts after two list headers; its first field is the parent hash. */
    ethp2p_rlp_item blk, hdr, parent;
    ethp2p_rlp_iter it, ht;
    size_t rest;
    assert_int_equal(ethp2p_rlp_decode_prefix(chain.data, chain.len, &blk, &rest), 0);
    assert_int_equal(ethp2p_rlp_iter_list(&blk, &it), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&it, &hdr), 0);
    assert_int_equal(ethp2p_rlp_iter_list(&hdr, &ht), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&ht, &parent), 0);
    assert_int_equal(parent.payload_len, 32);
    assert_memory_equal(parent.payload, gi.header_hash, 32);
    ethp2p_buffer_clear(&chain);
    ethp2p_genesis_info_clear(&gi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trie_vectors),
        cmocka_unit_test(test_genesis_hash),
        cmocka_unit_test(test_big_integers),
        cmocka_unit_test(test_merge_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* EIP-2124 fork IDs against the published vectors (go-ethereum's forkid tests). */
#include "test_util.h"
#include "ethp2p/forkid.h"

#include <stdlib.h>
#include <string.h>

TU_VECTORS_FIXTURE("vectors/forkid.json")

static uint32_t be32(const uint8_t h[4]) { return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3]; }

#define u64 tu_u64

static void test_builtin_configs_match_vectors(void **state)
{
    (void)state;
    static const char *names[][2] = {{"Mainnet", "mainnet"}, {"Sepolia", "sepolia"}, {"Holesky", "holesky"}, {"Hoodi", "hoodi"}};
    for (size_t k = 0; k < 4; k++) {
        ethp2p_chain_config c;
        assert_int_equal(ethp2p_chain_builtin(names[k][1], &c), 0);
        json_t *chain = json_object_get(json_object_get(tu_vectors, "chains"), names[k][0]);
        uint8_t g[32];
        tu_hex_fixed(tu_str(chain, "genesis_hash"), g, 32);
        assert_memory_equal(c.genesis_hash, g, 32);
        /* Every non-zero fork in the vectors is in our config. */
        const char *kinds[] = {"block_forks", "time_forks"};
        for (int t = 0; t < 2; t++) {
            const char *key;
            json_t *v;
            json_object_foreach(json_object_get(chain, kinds[t]), key, v) {
                (void)v;
                uint64_t f = u64(json_object_get(chain, kinds[t]), key);
                const uint64_t *list = t ? c.time_forks : c.block_forks;
                size_t n = t ? c.ntime_forks : c.nblock_forks, found = 0;
                for (size_t i = 0; i < n; i++) found |= list[i] == f;
                if (!found) fail_msg("%s %s %s=%llu missing", names[k][1], kinds[t], key, (unsigned long long)f);
            }
        }
    }
    ethp2p_chain_config c;
    assert_int_equal(ethp2p_chain_builtin("goerli", &c), ETHP2P_ENOTFOUND);
}

static void test_creation(void **state)
{
    (void)state;
    static const char *names[][2] = {{"Mainnet", "mainnet"}, {"Sepolia", "sepolia"}, {"Holesky", "holesky"}, {"Hoodi", "hoodi"}};
    size_t checked = 0;
    for (size_t k = 0; k < 4; k++) {
        ethp2p_chain_config c;
        assert_int_equal(ethp2p_chain_builtin(names[k][1], &c), 0);
        json_t *cases = json_object_get(json_object_get(tu_vectors, "creation"), names[k][0]);
        size_t i;
        json_t *tc;
        json_array_foreach(cases, i, tc) {
            ethp2p_forkid id;
            ethp2p_forkid_compute(&c, u64(tc, "head"), u64(tc, "time"), &id);
            uint8_t want[4];
            tu_hex_fixed(tu_str(tc, "fork_hash"), want, 4);
            if (memcmp(id.hash, want, 4) || id.next != u64(tc, "fork_next"))
                fail_msg("%s %s: got %08x/%llu", names[k][1], tu_str(tc, "comment"), be32(id.hash),
                         (unsigned long long)id.next);
            checked++;
        }
    }
    assert_int_equal(checked, 38 + 16 + 14 + 10);
}

static void test_validation(void **state)
{
    (void)state;
    ethp2p_chain_config full, legacy;
    assert_int_equal(ethp2p_chain_builtin("mainnet", &full), 0);
    legacy = full;
    legacy.ntime_forks = 0;
    size_t i, n = 0;
    json_t *tc;
    json_array_foreach(json_object_get(tu_vectors, "validation"), i, tc) {
        const ethp2p_chain_config *c = strcmp(tu_str(tc, "local_config"), "mainnet") == 0 ? &full : &legacy;
        ethp2p_forkid remote;
        tu_hex_fixed(tu_str(tc, "remote_fork_hash"), remote.hash, 4);
        remote.next = u64(tc, "remote_fork_next");
        int got = ethp2p_forkid_validate(c, u64(tc, "local_head"), u64(tc, "local_time"), &remote);
        const char *exp = tu_str(tc, "expected");
        int want = strcmp(exp, "accept") == 0                  ? ETHP2P_FORKID_OK
                   : strcmp(exp, "ErrRemoteStale") == 0        ? ETHP2P_FORKID_REMOTE_STALE
                                                               : ETHP2P_FORKID_LOCAL_INCOMPATIBLE;
        if (got != want) fail_msg("case %zu (%s): got %s, want %s", i, tu_str(tc, "comment"), ethp2p_forkid_error_name(got), exp);
        n++;
    }
    assert_int_equal(n, 45);
}

static void test_encoding(void **state)
{
    (void)state;
    size_t i;
    json_t *tc;
    json_array_foreach(json_object_get(tu_vectors, "encoding"), i, tc) {
        ethp2p_forkid id, back;
        tu_hex_fixed(tu_str(tc, "fork_hash"), id.hash, 4);
        id.next = u64(tc, "fork_next");
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        assert_int_equal(ethp2p_forkid_encode(&id, &w), 0);
        const uint8_t *enc;
        size_t len, wantlen;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
        uint8_t *want = tu_hex(tu_str(tc, "rlp"), &wantlen);
        assert_int_equal(len, wantlen);
        assert_memory_equal(enc, want, len);
        ethp2p_rlp_item item;
        assert_int_equal(ethp2p_rlp_decode(enc, len, &item), 0);
        assert_int_equal(ethp2p_forkid_decode(&item, &back), 0);
        assert_memory_equal(back.hash, id.hash, 4);
        assert_true(back.next == id.next);
        free(want);
        ethp2p_rlp_writer_clear(&w);
    }
    /* Malformed: a 3-byte hash, a string instead of a list, a missing next. */
    const char *bad[] = {"c583aabbcc80", "8400000000", "c58400000000"};
    for (size_t k = 0; k < 3; k++) {
        size_t len;
        uint8_t *b = tu_hex(bad[k], &len);
        ethp2p_rlp_item item;
        ethp2p_forkid id;
        assert_int_equal(ethp2p_rlp_decode(b, len, &item), 0);
        assert_int_not_equal(ethp2p_forkid_decode(&item, &id), 0);
        free(b);
    }
}

static void test_crc32(void **state)
{
    (void)state;
    /* The standard check value of CRC-32/ISO-HDLC, and continuation. */
    assert_int_equal(ethp2p_crc32(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
    uint32_t part = ethp2p_crc32(0, (const uint8_t *)"1234", 4);
    assert_int_equal(ethp2p_crc32(part, (const uint8_t *)"56789", 5), 0xcbf43926u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_builtin_configs_match_vectors),
        cmocka_unit_test(test_creation),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_encoding),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

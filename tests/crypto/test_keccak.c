/* Keccak-256: known digests, streaming at every split, peek, and both permutations agreeing. */
#include "test_util.h"
#include "crypto/keccak_internal.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"

#include <stdlib.h>
#include <string.h>

static void check_digest(const void *data, size_t len, const char *hex)
{
    uint8_t got[32], want[32];
    ethp2p_keccak256(data, len, got);
    tu_hex_fixed(hex, want, 32);
    assert_memory_equal(got, want, 32);
}

static void test_known_digests(void **state)
{
    /* Legacy Keccak-256 (not SHA3-256, whose empty digest is a7ffc6f8...). */
    check_digest("", 0, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    check_digest("abc", 3, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
    /* The ENR vector's signed content and its published signing hash. */
    json_t *v = tu_load_json("vectors/enr.json");
    json_t *d = json_object_get(v, "derived");
    size_t len;
    uint8_t *content = tu_hex(tu_str(d, "signed_content_rlp_hex"), &len);
    check_digest(content, len, tu_str(d, "signing_hash_keccak256"));
    free(content);
    /* Node ID = keccak256(uncompressed public key). */
    uint8_t pub[64];
    tu_hex_fixed(tu_str(d, "uncompressed_pubkey"), pub, 64);
    check_digest(pub, 64, tu_str(json_object_get(v, "published_fields"), "node_id"));
    json_decref(v);
}

static void test_streaming_matches_oneshot(void **state)
{
    /* Lengths around the 136-byte rate, split at every point. */
    uint8_t data[3 * ETHP2P_KECCAK256_RATE + 7];
    tu_rng rng = {7};
    tu_rand_bytes(&rng, data, sizeof(data));
    static const size_t lens[] = {0, 1, 135, 136, 137, 271, 272, 273, sizeof(data)};
    for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
        size_t len = lens[li];
        uint8_t want[32];
        ethp2p_keccak256(data, len, want);
        for (size_t cut = 0; cut <= len; cut++) {
            ethp2p_keccak256_ctx ctx;
            uint8_t got[32];
            ethp2p_keccak256_init(&ctx);
            ethp2p_keccak256_update(&ctx, data, cut);
            ethp2p_keccak256_update(&ctx, data + cut, len - cut);
            ethp2p_keccak256_final(&ctx, got);
            assert_memory_equal(got, want, 32);
        }
    }
}

/* The sponge written the slow, obvious way: one byte at a time into the state. */
static void naive_keccak256(const uint8_t *data, size_t len, uint8_t out[32])
{
    uint64_t lanes[25] = {0};
    size_t pos = 0;
    for (size_t i = 0; i < len; i++) {
        lanes[pos / 8] ^= (uint64_t)data[i] << (8 * (pos % 8));
        if (++pos == ETHP2P_KECCAK256_RATE) ethp2p_keccakf1600_portable(lanes), pos = 0;
    }
    lanes[pos / 8] ^= (uint64_t)0x01 << (8 * (pos % 8));
    lanes[(ETHP2P_KECCAK256_RATE - 1) / 8] ^= (uint64_t)0x80 << (8 * ((ETHP2P_KECCAK256_RATE - 1) % 8));
    ethp2p_keccakf1600_portable(lanes);
    for (size_t i = 0; i < 32; i++) out[i] = (uint8_t)(lanes[i / 8] >> (8 * (i % 8)));
}

/* Every length up to three blocks, absorbed in chunks of every size from 1 to 20 bytes (the lane-wise
 * paths meet partial lanes at every offset), equals the naive sponge. */
static void test_chunked_matches_naive(void **state)
{
    (void)state;
    uint8_t data[3 * ETHP2P_KECCAK256_RATE + 9];
    tu_rng rng = {11};
    tu_rand_bytes(&rng, data, sizeof(data));
    for (size_t len = 0; len <= sizeof(data); len++) {
        uint8_t want[32], got[32];
        naive_keccak256(data, len, want);
        ethp2p_keccak256(data, len, got);
        assert_memory_equal(got, want, 32);
        ethp2p_keccak256_using(ethp2p_keccakf1600_portable, data, len, got);
        assert_memory_equal(got, want, 32);
        for (size_t chunk = 1; chunk <= 20; chunk++) {
            ethp2p_keccak256_ctx ctx;
            ethp2p_keccak256_init(&ctx);
            for (size_t at = 0; at < len; at += chunk) ethp2p_keccak256_update(&ctx, data + at, at + chunk <= len ? chunk : len - at);
            ethp2p_keccak256_final(&ctx, got);
            assert_memory_equal(got, want, 32);
        }
    }
}

static void test_peek_leaves_state_running(void **state)
{
    ethp2p_keccak256_ctx ctx;
    uint8_t a[32], b[32], c[32];
    ethp2p_keccak256_init(&ctx);
    ethp2p_keccak256_update(&ctx, "foo", 3);
    ethp2p_keccak256_peek(&ctx, a);
    ethp2p_keccak256("foo", 3, b);
    assert_memory_equal(a, b, 32);
    ethp2p_keccak256_update(&ctx, "bar", 3);
    ethp2p_keccak256_peek(&ctx, a);
    ethp2p_keccak256("foobar", 6, c);
    assert_memory_equal(a, c, 32);
    /* The context is a plain value: a copy continues independently. */
    ethp2p_keccak256_ctx copy = ctx;
    ethp2p_keccak256_update(&copy, "!", 1);
    ethp2p_keccak256_final(&ctx, b);
    assert_memory_equal(b, c, 32);
}

static void test_permutations_agree(void **state)
{
    tu_rng rng = {99};
    for (int i = 0; i < 200; i++) {
        uint64_t a[25], b[25];
        for (int k = 0; k < 25; k++) a[k] = b[k] = tu_rand(&rng);
        ethp2p_keccakf1600_portable(a);
        ethp2p_keccakf1600_nettle(b);
        assert_memory_equal(a, b, sizeof(a));
    }
    /* Both one-shot sponges agree with the library's streaming hash. */
    uint8_t data[300], h1[32], h2[32], h3[32];
    tu_rand_bytes(&rng, data, sizeof(data));
    for (size_t len = 0; len <= sizeof(data); len += 17) {
        ethp2p_keccak256(data, len, h1);
        ethp2p_keccak256_using(ethp2p_keccakf1600_portable, data, len, h2);
        ethp2p_keccak256_using(ethp2p_keccakf1600_nettle, data, len, h3);
        assert_memory_equal(h1, h2, 32);
        assert_memory_equal(h1, h3, 32);
    }
    assert_true(strcmp(ethp2p_keccak_backend(), "portable") == 0 ||
                strcmp(ethp2p_keccak_backend(), "nettle") == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_digests),
        cmocka_unit_test(test_streaming_matches_oneshot),
        cmocka_unit_test(test_chunked_matches_naive),
        cmocka_unit_test(test_peek_leaves_state_running),
        cmocka_unit_test(test_permutations_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

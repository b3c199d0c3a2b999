/* Tests for src/base: hex, base64url, buffer, error strings. */
#include "test_util.h"
#include "ethp2p/json.h"
#include "ethp2p/buffer.h"
#include "ethp2p/hex.h"
#include "ethp2p/random.h"
#include "base/hashset.h"

#include <string.h>

static void test_hex_roundtrip(void **state)
{
    const uint8_t data[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    char text[13];
    ethp2p_hex_encode(data, sizeof(data), text);
    assert_string_equal(text, "00017f80abff");
    uint8_t back[6];
    size_t n;
    assert_int_equal(ethp2p_hex_decode("0x00017F80ABff", 14, back, sizeof(back), &n), 0);
    assert_int_equal(n, 6);
    assert_memory_equal(back, data, 6);
}

static void test_hex_rejects(void **state)
{
    uint8_t out[4];
    size_t n;
    assert_int_equal(ethp2p_hex_decode("abc", 3, out, 4, &n), ETHP2P_EFORMAT);   /* odd */
    assert_int_equal(ethp2p_hex_decode("zz", 2, out, 4, &n), ETHP2P_EFORMAT);    /* alphabet */
    assert_int_equal(ethp2p_hex_decode("0011223344", 10, out, 4, &n), ETHP2P_ENOSPACE);
    assert_int_equal(ethp2p_hex_decode_fixed("001122", 6, out, 4), ETHP2P_EFORMAT); /* short */
    assert_int_equal(ethp2p_hex_decode_fixed("00112233", 8, out, 4), 0);
}

/* RFC 4648 section 10 vectors, in the URL-safe alphabet without padding. */
static void test_base64url_rfc4648(void **state)
{
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char out[16];
        size_t len = strlen(plain[i]);
        assert_int_equal(ethp2p_base64url_encoded_len(len), strlen(enc[i]));
        ethp2p_base64url_encode((const uint8_t *)plain[i], len, out);
        assert_string_equal(out, enc[i]);
        uint8_t back[16];
        size_t n;
        assert_int_equal(ethp2p_base64url_decode(enc[i], strlen(enc[i]), back, sizeof(back), &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(back, plain[i], len);
    }
    /* The URL-safe characters. */
    const uint8_t bytes[] = {0xfb, 0xff};
    char out[8];
    ethp2p_base64url_encode(bytes, 2, out);
    assert_string_equal(out, "-_8");
}

static void test_base64url_strict(void **state)
{
    uint8_t out[16];
    size_t n;
    assert_int_equal(ethp2p_base64url_decode("Zg==", 4, out, sizeof(out), &n), ETHP2P_EFORMAT); /* padding */
    assert_int_equal(ethp2p_base64url_decode("+/8", 3, out, sizeof(out), &n), ETHP2P_EFORMAT);  /* std alphabet */
    assert_int_equal(ethp2p_base64url_decode("Z", 1, out, sizeof(out), &n), ETHP2P_EFORMAT);    /* impossible length */
    assert_int_equal(ethp2p_base64url_decode("Zh", 2, out, sizeof(out), &n), ETHP2P_EFORMAT);   /* non-zero spare bits */
    assert_int_equal(ethp2p_base64url_decode("Zm 9v", 5, out, sizeof(out), &n), ETHP2P_EFORMAT);
    assert_int_equal(ethp2p_base64url_decode("Zm9vYmFy", 8, out, 5, &n), ETHP2P_ENOSPACE);
}

static void test_base64url_random_roundtrip(void **state)
{
    tu_rng rng = {42};
    for (int iter = 0; iter < 500; iter++) {
        uint8_t data[64], back[64];
        char text[100];
        size_t len = tu_rand_below(&rng, sizeof(data) + 1), n;
        tu_rand_bytes(&rng, data, len);
        ethp2p_base64url_encode(data, len, text);
        assert_int_equal(strlen(text), ethp2p_base64url_encoded_len(len));
        assert_int_equal(ethp2p_base64url_decode(text, strlen(text), back, sizeof(back), &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(back, data, len);
    }
}

static void test_buffer_limit_and_sticky_error(void **state)
{
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 10);
    assert_int_equal(ethp2p_buffer_append(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(ethp2p_buffer_push(&b, 'x'), ETHP2P_ENOSPACE);
    /* Sticky: a later small append fails too, and len is unchanged. */
    assert_int_equal(ethp2p_buffer_append(&b, "", 0), ETHP2P_ENOSPACE);
    assert_int_equal(ethp2p_buffer_error(&b), ETHP2P_ENOSPACE);
    assert_int_equal(b.len, 10);
    ethp2p_buffer_reset(&b);
    assert_int_equal(ethp2p_buffer_push(&b, 'y'), 0);
    assert_int_equal(b.data[0], 'y');
    ethp2p_buffer_clear(&b);
}

static void test_buffer_growth(void **state)
{
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    for (int i = 0; i < 100000; i++) assert_int_equal(ethp2p_buffer_push(&b, (uint8_t)i), 0);
    assert_int_equal(b.len, 100000);
    for (int i = 0; i < 100000; i++) assert_int_equal(b.data[i], (uint8_t)i);
    ethp2p_buffer_clear(&b);
}

static void test_strerror_covers_every_code(void **state)
{
    /* Every code from -1 to the last defined one has its own string. */
    int defined[] = {ETHP2P_EINVAL, ETHP2P_ENOMEM, ETHP2P_EIO, ETHP2P_EEXIST, ETHP2P_ENOSPACE,
                     ETHP2P_EFORMAT, ETHP2P_ERANDOM, ETHP2P_ETIMEDOUT, ETHP2P_EBUSY, ETHP2P_ECANCELED, ETHP2P_ERLP_EMPTY, ETHP2P_ERLP_TRUNCATED,
                     ETHP2P_ERLP_LEADING_ZERO, ETHP2P_ERLP_NONCANON_SIZE, ETHP2P_ERLP_NONCANON_BYTE,
                     ETHP2P_ERLP_SIZE_OVERFLOW, ETHP2P_ERLP_TRAILING, ETHP2P_ERLP_EXPECTED_LIST,
                     ETHP2P_ERLP_EXPECTED_STRING, ETHP2P_ERLP_INT_LEADING_ZERO, ETHP2P_ERLP_INT_OVERFLOW,
                     ETHP2P_ERLP_TOO_DEEP, ETHP2P_ERLP_WRONG_SIZE, ETHP2P_ERLP_TOO_FEW, ETHP2P_EKEY,
                     ETHP2P_ESIG, ETHP2P_EMAC, ETHP2P_ECIPHERTEXT, ETHP2P_ERECORD_SIZE, ETHP2P_ERECORD_KEYS,
                     ETHP2P_ERECORD_SCHEME, ETHP2P_ERECORD_FIELD, ETHP2P_ENOTFOUND, ETHP2P_EHOSTNAME,
                     ETHP2P_ERESOLVE};
    for (size_t i = 0; i < sizeof(defined) / sizeof(defined[0]); i++) {
        const char *s = ethp2p_strerror(defined[i]);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++) assert_string_not_equal(s, ethp2p_strerror(defined[j]));
    }
    assert_string_equal(ethp2p_strerror(-9999), "unknown error");
}

static void test_random_differs(void **state)
{
    uint8_t a[32], b[32];
    assert_int_equal(ethp2p_random_bytes(a, sizeof(a)), 0);
    assert_int_equal(ethp2p_random_bytes(b, sizeof(b)), 0);
    assert_memory_not_equal(a, b, sizeof(a));
}

static void test_json_strings(void **state)
{
    (void)state;
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    ethp2p_json_string(&b, "a\"b\\c\n\x01\x7f/\xc3\xa9");
    assert_int_equal(ethp2p_buffer_push(&b, 0), 0);
    assert_string_equal((char *)b.data, "\"a\\\"b\\\\c\\u000a\\u0001\\u007f/\xc3\xa9\"");
    ethp2p_buffer_reset(&b);
    ethp2p_json_raw(&b, "{");
    ethp2p_json_kv_str(&b, 1, "k", "v");
    ethp2p_json_kv_str(&b, 0, "n", "");
    ethp2p_json_raw(&b, ",\"x\":%d}", 42);
    assert_int_equal(ethp2p_buffer_push(&b, 0), 0);
    assert_string_equal((char *)b.data, "{\"k\":\"v\",\"n\":\"\",\"x\":42}");
    ethp2p_buffer_clear(&b);
}

static void fill_hash(uint8_t h[32], uint64_t i)
{
    uint64_t st = i * 0x9e3779b97f4a7c15ULL + 7;
    for (int k = 0; k < 32; k += 8) {
        uint64_t z = ethp2p_splitmix64(&st);
        memcpy(h + k, &z, 8);
    }
}

/* Adds, marks, lookups, and the bound: a full set forgets one entry per new one. */
static void test_hashset_bound_and_mark(void **state)
{
    (void)state;
    hashset s;
    hashset_init(&s, 1000);
    uint8_t h[32];
    for (uint64_t i = 0; i < 1000; i++) {
        fill_hash(h, i);
        assert_int_equal(hashset_add(&s, h), 1);
        assert_int_equal(hashset_add(&s, h), 0);
    }
    assert_int_equal(hashset_len(&s), 1000);
    /* 3/4 full at most, and more than half full (growth by half, not doubling): 8-byte slots. */
    size_t bytes = hashset_heap_bytes(&s);
    assert_true(bytes * 3 >= 1000 * 8 * 4 && bytes < 1000 * 8 * 2);
    for (uint64_t i = 0; i < 1000; i++) {
        fill_hash(h, i);
        assert_true(hashset_has(&s, h));
    }
    fill_hash(h, 5000);
    assert_false(hashset_has(&s, h));
    /* The mark: first time 0 (and the entry stays), second time 1. */
    fill_hash(h, 7);
    assert_int_equal(hashset_mark(&s, h), 0);
    assert_int_equal(hashset_mark(&s, h), 1);
    assert_int_equal(hashset_add(&s, h), 0);
    fill_hash(h, 9000); /* marking an absent hash adds it (forgetting one: the set is full) */
    assert_int_equal(hashset_mark(&s, h), 0);
    assert_true(hashset_has(&s, h));
    assert_int_equal(hashset_len(&s), 1000);
    /* 1,000 more: the set stays at 1,000 and every entry still present is findable. */
    for (uint64_t i = 10000; i < 11000; i++) {
        fill_hash(h, i);
        assert_int_equal(hashset_add(&s, h), 1);
        assert_true(hashset_has(&s, h));
    }
    assert_int_equal(hashset_len(&s), 1000);
    size_t kept_old = 0, kept_new = 0;
    for (uint64_t i = 0; i < 1000; i++) {
        fill_hash(h, i);
        kept_old += (size_t)hashset_has(&s, h);
        fill_hash(h, 10000 + i);
        kept_new += (size_t)hashset_has(&s, h);
    }
    /* Every entry the set holds is still found after the deletions' shifts. */
    fill_hash(h, 9000);
    assert_int_equal(kept_old + kept_new + (size_t)hashset_has(&s, h), 1000);
    assert_true(kept_old > 100 && kept_old < 700); /* random forgetting: some of each */
    assert_int_equal(hashset_heap_bytes(&s), bytes); /* no growth once full */
    hashset_clear(&s);
    assert_int_equal(hashset_len(&s), 0);
    fill_hash(h, 10500);
    assert_false(hashset_has(&s, h));
    assert_int_equal(hashset_add(&s, h), 1);
    hashset_clear(&s);
}

/* The same calls forget the same entries (simulations replay a seed). */
static void test_hashset_deterministic(void **state)
{
    (void)state;
    hashset a, b;
    hashset_init(&a, 64);
    hashset_init(&b, 64);
    uint8_t h[32];
    for (uint64_t i = 0; i < 500; i++) {
        fill_hash(h, i);
        assert_int_equal(hashset_add(&a, h), 1);
        assert_int_equal(hashset_add(&b, h), 1);
    }
    for (uint64_t i = 0; i < 500; i++) {
        fill_hash(h, i);
        assert_int_equal(hashset_has(&a, h), hashset_has(&b, h));
    }
    hashset_clear(&a);
    hashset_clear(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hex_roundtrip),
        cmocka_unit_test(test_hex_rejects),
        cmocka_unit_test(test_base64url_rfc4648),
        cmocka_unit_test(test_base64url_strict),
        cmocka_unit_test(test_base64url_random_roundtrip),
        cmocka_unit_test(test_buffer_limit_and_sticky_error),
        cmocka_unit_test(test_buffer_growth),
        cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_random_differs),
        cmocka_unit_test(test_json_strings),
        cmocka_unit_test(test_hashset_bound_and_mark),
        cmocka_unit_test(test_hashset_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* RLP reader and writer: each rejection reason, integers, nesting, and a random-tree property. */
#include "test_util.h"
#include "ethp2p/rlp.h"
#include "rlp/rlp_reencode.h"

#include <stdlib.h>
#include <string.h>

static int decode_hex(const char *hex)
{
    size_t len;
    uint8_t *d = tu_hex(hex, &len);
    ethp2p_rlp_item item;
    int rc = ethp2p_rlp_decode(d, len, &item);
    free(d);
    return rc;
}

static void test_reject_reasons(void **state)
{
    assert_int_equal(decode_hex(""), ETHP2P_ERLP_EMPTY);
    assert_int_equal(decode_hex("83abcd"), ETHP2P_ERLP_TRUNCATED);
    assert_int_equal(decode_hex("b9"), ETHP2P_ERLP_TRUNCATED);           /* size bytes missing */
    assert_int_equal(decode_hex("b800"), ETHP2P_ERLP_LEADING_ZERO);
    assert_int_equal(decode_hex("b90040"), ETHP2P_ERLP_LEADING_ZERO);
    assert_int_equal(decode_hex("b801ff"), ETHP2P_ERLP_NONCANON_SIZE);
    assert_int_equal(decode_hex("f803112233"), ETHP2P_ERLP_NONCANON_SIZE);
    assert_int_equal(decode_hex("8105"), ETHP2P_ERLP_NONCANON_BYTE);
    assert_int_equal(decode_hex("817f"), ETHP2P_ERLP_NONCANON_BYTE);
    assert_int_equal(decode_hex("8180"), 0);                             /* 0x80 must be wrapped */
    assert_int_equal(decode_hex("0102"), ETHP2P_ERLP_TRAILING);
    assert_int_equal(decode_hex("c0c0"), ETHP2P_ERLP_TRAILING);
    /* A size larger than any buffer: rejected before any arithmetic overflows. */
    assert_int_equal(decode_hex("bfffffffffffffffff00"), ETHP2P_ERLP_TRUNCATED);
    assert_int_equal(decode_hex("ffffffffffffffffff00"), ETHP2P_ERLP_TRUNCATED);
}

static void test_nested_error_is_found_with_offset(void **state)
{
    /* [ "a", [ 0x81 0x05 ] ]: the bad string sits at offset 3. */
    size_t len, off = 99;
    uint8_t *d = tu_hex("c461c28105", &len);
    ethp2p_rlp_item item;
    assert_int_equal(ethp2p_rlp_decode(d, len, &item), 0); /* outer header is fine */
    assert_int_equal(ethp2p_rlp_validate(d, len, 8, &off), ETHP2P_ERLP_NONCANON_BYTE);
    assert_int_equal(off, 3);
    free(d);
}

static void test_depth_limit(void **state)
{
    uint8_t deep[50];
    for (int i = 0; i < 50; i++) deep[i] = (uint8_t)(0xc0 + 49 - i); /* 50 nested lists */
    assert_int_equal(ethp2p_rlp_validate(deep, sizeof(deep), 50, NULL), 0);
    assert_int_equal(ethp2p_rlp_validate(deep, sizeof(deep), 49, NULL), ETHP2P_ERLP_TOO_DEEP);
}

static void test_integers(void **state)
{
    ethp2p_rlp_item item;
    uint64_t v;
    uint8_t enc[] = {0x88, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_int_equal(ethp2p_rlp_decode(enc, sizeof(enc), &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(ethp2p_rlp_get_uint(&item, 65535, &v), ETHP2P_ERLP_INT_OVERFLOW);

    uint8_t nine[] = {0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_int_equal(ethp2p_rlp_decode(nine, sizeof(nine), &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), ETHP2P_ERLP_INT_OVERFLOW);

    uint8_t lead[] = {0x82, 0x00, 0x01};
    assert_int_equal(ethp2p_rlp_decode(lead, sizeof(lead), &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), ETHP2P_ERLP_INT_LEADING_ZERO);

    uint8_t zero_byte[] = {0x00}; /* zero must be 0x80, never 0x00 */
    assert_int_equal(ethp2p_rlp_decode(zero_byte, 1, &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), ETHP2P_ERLP_INT_LEADING_ZERO);

    uint8_t empty[] = {0x80};
    assert_int_equal(ethp2p_rlp_decode(empty, 1, &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), 0);
    assert_int_equal(v, 0);

    uint8_t list[] = {0xc0};
    assert_int_equal(ethp2p_rlp_decode(list, 1, &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint64(&item, &v), ETHP2P_ERLP_EXPECTED_STRING);

    uint8_t big[32];
    uint8_t be[] = {0x82, 0x01, 0x00};
    assert_int_equal(ethp2p_rlp_decode(be, sizeof(be), &item), 0);
    assert_int_equal(ethp2p_rlp_get_uint_be(&item, big, sizeof(big)), 0);
    assert_int_equal(big[30], 1);
    assert_int_equal(big[31], 0);
    assert_int_equal(big[0], 0);
}

static void test_writer_integers_are_canonical(void **state)
{
    static const struct { uint64_t v; const char *hex; } cases[] = {
        {0, "80"}, {1, "01"}, {0x7f, "7f"}, {0x80, "8180"}, {0x100, "820100"},
        {UINT64_MAX, "88ffffffffffffffff"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        ethp2p_rlp_put_uint(&w, cases[i].v);
        const uint8_t *enc;
        size_t len, wl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
        uint8_t *want = tu_hex(cases[i].hex, &wl);
        assert_int_equal(len, wl);
        assert_memory_equal(enc, want, wl);
        free(want);
        ethp2p_rlp_writer_clear(&w);
    }
    /* Big-endian input with leading zeros is stripped. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    uint8_t be[4] = {0, 0, 0x04, 0x00};
    ethp2p_rlp_put_uint_be(&w, be, 4);
    const uint8_t *enc;
    size_t len;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
    assert_int_equal(len, 3);
    assert_int_equal(enc[0], 0x82);
    ethp2p_rlp_writer_clear(&w);
}

static void test_writer_misuse_and_limit(void **state)
{
    ethp2p_rlp_writer w;
    const uint8_t *enc;
    size_t len;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), ETHP2P_EINVAL); /* list left open */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_rlp_list_end(&w), ETHP2P_EINVAL);                  /* nothing open */
    ethp2p_rlp_writer_clear(&w);

    ethp2p_rlp_writer_init(&w, 16);
    uint8_t big[32] = {1};
    assert_int_equal(ethp2p_rlp_put_bytes(&w, big, sizeof(big)), ETHP2P_ENOSPACE);
    assert_int_equal(ethp2p_rlp_put_uint(&w, 1), ETHP2P_ENOSPACE); /* sticky */
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), ETHP2P_ENOSPACE);
    ethp2p_rlp_writer_clear(&w);
}

/* Random trees: generate, encode, validate, decode, re-encode, compare. */
static void gen_tree(tu_rng *rng, ethp2p_rlp_writer *w, int depth)
{
    uint64_t kind = tu_rand_below(rng, depth > 4 ? 2 : 4);
    if (kind >= 2) {
        ethp2p_rlp_list_begin(w);
        uint64_t n = tu_rand_below(rng, 6);
        for (uint64_t i = 0; i < n; i++) gen_tree(rng, w, depth + 1);
        ethp2p_rlp_list_end(w);
    } else if (kind == 1) {
        ethp2p_rlp_put_uint(w, tu_rand(rng) >> tu_rand_below(rng, 64));
    } else {
        /* Lengths around the 1-byte, 55/56 and 255/256 boundaries. */
        static const size_t lens[] = {0, 1, 2, 55, 56, 57, 255, 256, 1000};
        uint8_t buf[1000];
        size_t len = lens[tu_rand_below(rng, 9)];
        tu_rand_bytes(rng, buf, len);
        ethp2p_rlp_put_bytes(w, buf, len);
    }
}

static void test_random_tree_roundtrip(void **state)
{
    tu_rng rng = {20261125};
    for (int iter = 0; iter < 2000; iter++) {
        ethp2p_rlp_writer a, b;
        ethp2p_rlp_writer_init(&a, 0);
        ethp2p_rlp_writer_init(&b, 0);
        gen_tree(&rng, &a, 0);
        const uint8_t *ea, *eb;
        size_t la, lb;
        assert_int_equal(ethp2p_rlp_writer_finish(&a, &ea, &la), 0);
        assert_int_equal(ethp2p_rlp_validate(ea, la, ETHP2P_RLP_MAX_DEPTH, NULL), 0);
        ethp2p_rlp_item item;
        assert_int_equal(ethp2p_rlp_decode(ea, la, &item), 0);
        assert_int_equal(item.raw_len, la);
        assert_int_equal(rlp_reencode(&b, &item), 0);
        assert_int_equal(ethp2p_rlp_writer_finish(&b, &eb, &lb), 0);
        assert_int_equal(la, lb);
        assert_memory_equal(ea, eb, la);
        /* Every strict prefix of a valid encoding is rejected. */
        size_t cut = tu_rand_below(&rng, la);
        assert_int_not_equal(ethp2p_rlp_validate(ea, cut, ETHP2P_RLP_MAX_DEPTH, NULL), 0);
        ethp2p_rlp_writer_clear(&a);
        ethp2p_rlp_writer_clear(&b);
    }
}

static void test_iter_expect_and_prefix(void **state)
{
    uint8_t d[] = {0xc2, 0x01, 0x02, 0xaa};
    ethp2p_rlp_item list, item;
    size_t rest;
    assert_int_equal(ethp2p_rlp_decode_prefix(d, sizeof(d), &list, &rest), 0);
    assert_int_equal(rest, 1);
    ethp2p_rlp_iter it;
    assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&it, &item), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&it, &item), 0);
    assert_true(ethp2p_rlp_iter_done(&it));
    assert_int_equal(ethp2p_rlp_iter_expect(&it, &item), ETHP2P_ERLP_TOO_FEW);
    uint8_t out[2];
    assert_int_equal(ethp2p_rlp_get_fixed(&item, out, 2), ETHP2P_ERLP_WRONG_SIZE);
    assert_int_equal(ethp2p_rlp_iter_list(&item, &it), ETHP2P_ERLP_EXPECTED_LIST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reject_reasons),
        cmocka_unit_test(test_nested_error_is_found_with_offset),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_writer_integers_are_canonical),
        cmocka_unit_test(test_writer_misuse_and_limit),
        cmocka_unit_test(test_random_tree_roundtrip),
        cmocka_unit_test(test_iter_expect_and_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The ethereum/tests RLP vectors (tests/data/vectors/rlp): every valid case
 * is encoded from its JSON description and compared byte for byte, then
 * decoded and re-encoded; every invalid case must be rejected by the reader.
 */
#include "test_util.h"
#include "ethp2p/hex.h"
#include "ethp2p/rlp.h"
#include "rlp/rlp_reencode.h"

#include <stdlib.h>
#include <string.h>

/* Converts a decimal string to big-endian bytes (for "#<decimal>" bigints). */
static size_t decimal_to_be(const char *dec, uint8_t *out, size_t cap)
{
    memset(out, 0, cap);
    for (const char *p = dec; *p; p++) {
        assert_true(*p >= '0' && *p <= '9');
        unsigned carry = (unsigned)(*p - '0');
        for (size_t i = cap; i-- > 0;) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
        assert_int_equal(carry, 0);
    }
    return cap;
}

static void encode_json(ethp2p_rlp_writer *w, const json_t *v)
{
    if (json_is_array(v)) {
        ethp2p_rlp_list_begin(w);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) encode_json(w, e);
        ethp2p_rlp_list_end(w);
    } else if (json_is_integer(v)) {
        assert_true(json_integer_value(v) >= 0);
        ethp2p_rlp_put_uint(w, (uint64_t)json_integer_value(v));
    } else if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (s[0] == '#') {
            uint8_t be[64];
            decimal_to_be(s + 1, be, sizeof(be));
            ethp2p_rlp_put_uint_be(w, be, sizeof(be));
        } else {
            ethp2p_rlp_put_bytes(w, s, json_string_length(v));
        }
    } else {
        fail_msg("unexpected JSON type in vector");
    }
}

/* Checks that a decoded item matches the JSON input it was made from. */
static void check_decoded(const ethp2p_rlp_item *item, const json_t *v)
{
    if (json_is_array(v)) {
        assert_int_equal(item->kind, ETHP2P_RLP_LIST);
        assert_int_equal(ethp2p_rlp_list_count(item), json_array_size(v));
        ethp2p_rlp_iter it;
        ethp2p_rlp_item sub;
        assert_int_equal(ethp2p_rlp_iter_list(item, &it), 0);
        for (size_t i = 0; i < json_array_size(v); i++) {
            assert_int_equal(ethp2p_rlp_iter_next(&it, &sub), 1);
            check_decoded(&sub, json_array_get(v, i));
        }
    } else if (json_is_integer(v)) {
        uint64_t got;
        assert_int_equal(ethp2p_rlp_get_uint64(item, &got), 0);
        assert_int_equal(got, (uint64_t)json_integer_value(v));
    } else if (json_string_value(v)[0] == '#') {
        uint8_t want[64], got[64];
        decimal_to_be(json_string_value(v) + 1, want, sizeof(want));
        assert_int_equal(ethp2p_rlp_get_uint_be(item, got, sizeof(got)), 0);
        assert_memory_equal(got, want, sizeof(want));
    } else {
        assert_int_equal(item->kind, ETHP2P_RLP_STRING);
        assert_int_equal(item->payload_len, json_string_length(v));
        assert_memory_equal(item->payload, json_string_value(v), item->payload_len);
    }
}

static void test_valid_vectors(void **state)
{
    json_t *all = tu_load_json("vectors/rlp/rlptest.json");
    const char *name;
    json_t *tc;
    int count = 0;
    json_object_foreach(all, name, tc) {
        size_t want_len;
        uint8_t *want = tu_hex(tu_str(tc, "out"), &want_len);
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        encode_json(&w, json_object_get(tc, "in"));
        const uint8_t *enc;
        size_t len;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
        if (len != want_len || memcmp(enc, want, len) != 0) fail_msg("encoding mismatch in vector %s", name);

        assert_int_equal(ethp2p_rlp_validate(want, want_len, ETHP2P_RLP_MAX_DEPTH, NULL), 0);
        ethp2p_rlp_item item;
        assert_int_equal(ethp2p_rlp_decode(want, want_len, &item), 0);
        check_decoded(&item, json_object_get(tc, "in"));
        ethp2p_rlp_writer_reset(&w);
        assert_int_equal(rlp_reencode(&w, &item), 0);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
        assert_int_equal(len, want_len);
        assert_memory_equal(enc, want, len);
        ethp2p_rlp_writer_clear(&w);
        free(want);
        count++;
    }
    assert_int_equal(count, 28); /* every case in the upstream file */
    json_decref(all);
}

static void test_invalid_vectors(void **state)
{
    json_t *all = tu_load_json("vectors/rlp/invalidRLPTest.json");
    const char *name;
    json_t *tc;
    int count = 0;
    json_object_foreach(all, name, tc) {
        assert_string_equal(tu_str(tc, "in"), "INVALID");
        size_t len;
        uint8_t *data = tu_hex(tu_str(tc, "out"), &len);
        size_t off = 0;
        int rc = ethp2p_rlp_validate(data, len, ETHP2P_RLP_MAX_DEPTH, &off);
        if (rc == 0) fail_msg("invalid vector %s was accepted", name);
        assert_true(off <= len);
        free(data);
        count++;
    }
    assert_int_equal(count, 26);
    json_decref(all);
}

static void test_random_example_vector(void **state)
{
    json_t *all = tu_load_json("vectors/rlp/RandomRLPTests-example.json");
    const char *name;
    json_t *tc;
    json_object_foreach(all, name, tc) {
        assert_string_equal(tu_str(tc, "in"), "VALID");
        size_t len;
        uint8_t *data = tu_hex(tu_str(tc, "out"), &len);
        assert_int_equal(ethp2p_rlp_validate(data, len, ETHP2P_RLP_MAX_DEPTH, NULL), 0);
        free(data);
    }
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_vectors),
        cmocka_unit_test(test_invalid_vectors),
        cmocka_unit_test(test_random_example_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

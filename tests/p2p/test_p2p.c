/* Base protocol: Hello (EIP-8 vector), Disconnect shapes, snappy messages and limits, capability matching. */
#include "test_util.h"
#include "ethp2p/p2p.h"

#include <stdlib.h>
#include <string.h>

static void test_hello_eip8_vector(void **state)
{
    json_t *v = tu_load_json("vectors/rlpx-eip8.json");
    size_t len;
    uint8_t *raw = tu_hex(tu_str(json_object_get(v, "devp2p_hello_eip8"), "hex"), &len);
    ethp2p_hello h;
    assert_int_equal(ethp2p_hello_decode(raw, len, &h), 0);
    assert_int_equal(h.version, 55);
    assert_string_equal(h.name, "kneth/v0.91/plan9");
    assert_int_equal(h.ncaps, 2);
    assert_string_equal(h.caps[0].name, "eth");
    assert_int_equal(h.caps[0].version, 61);
    assert_string_equal(h.caps[1].name, "mork");
    assert_int_equal(h.caps[1].version, 22);
    assert_int_equal(h.listen_port, 9999);
    ethp2p_pubkey a;
    tu_hex_fixed(tu_str(json_object_get(v, "derived_pubkeys"), "static_pub_A"), a.b, 64);
    assert_memory_equal(h.id.b, a.b, 64);
    free(raw);
    json_decref(v);
}

static void test_hello_roundtrip_and_rejects(void **state)
{
    ethp2p_hello h, back;
    memset(&h, 0, sizeof(h));
    h.version = ETHP2P_P2P_VERSION;
    strcpy(h.name, "ethp2p/v0.1.0/linux-amd64/gcc");
    strcpy(h.caps[0].name, "eth");
    h.caps[0].version = 68;
    strcpy(h.caps[1].name, "snap");
    h.caps[1].version = 1;
    h.ncaps = 2;
    h.listen_port = 30303;
    memset(h.id.b, 0xab, 64);
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    assert_int_equal(ethp2p_hello_encode(&h, &b), 0);
    assert_int_equal(ethp2p_hello_decode(b.data, b.len, &back), 0);
    assert_string_equal(back.name, h.name);
    assert_int_equal(back.ncaps, 2);
    assert_string_equal(back.caps[1].name, "snap");
    assert_int_equal(back.listen_port, 30303);
    /* All-zero identity: refused (answer "invalid node identity"). */
    memset(h.id.b, 0, 64);
    ethp2p_buffer_reset(&b);
    assert_int_equal(ethp2p_hello_encode(&h, &b), 0);
    assert_int_equal(ethp2p_hello_decode(b.data, b.len, &back), ETHP2P_EKEY);
    /* Too many capabilities, and oversized Hellos. */
    memset(h.id.b, 1, 64);
    h.ncaps = ETHP2P_P2P_MAX_CAPS;
    for (size_t i = 0; i < h.ncaps; i++) {
        strcpy(h.caps[i].name, "x");
        h.caps[i].version = (uint32_t)i;
    }
    ethp2p_buffer_reset(&b);
    assert_int_equal(ethp2p_hello_encode(&h, &b), 0);
    assert_int_equal(ethp2p_hello_decode(b.data, b.len, &back), 0);
    uint8_t big[ETHP2P_P2P_MAX_HELLO + 1];
    memset(big, 0, sizeof(big));
    assert_int_equal(ethp2p_hello_decode(big, sizeof(big), &back), ETHP2P_ENOSPACE);
    /* Control characters in the client name are made safe to log. */
    h.ncaps = 0;
    strcpy(h.name, "evil\x1b[31mname\n");
    ethp2p_buffer_reset(&b);
    assert_int_equal(ethp2p_hello_encode(&h, &b), 0);
    assert_int_equal(ethp2p_hello_decode(b.data, b.len, &back), 0);
    assert_null(strchr(back.name, '\x1b'));
    assert_null(strchr(back.name, '\n'));
    ethp2p_buffer_clear(&b);
}

static int disc(const char *hex)
{
    size_t len;
    uint8_t *d = tu_hex(hex, &len);
    int r = ethp2p_disconnect_decode(d, len);
    free(d);
    return r;
}

static void test_disconnect_shapes(void **state)
{
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    assert_int_equal(ethp2p_disconnect_encode(ETHP2P_DISC_CLIENT_QUITTING, &b), 0);
    assert_int_equal(b.len, 2);
    assert_int_equal(b.data[0], 0xc1);
    assert_int_equal(b.data[1], 0x08);
    ethp2p_buffer_clear(&b);
    assert_int_equal(disc("c108"), 8);     /* [8]: the spec */
    assert_int_equal(disc("08"), 8);       /* bare integer: @ethereumjs/devp2p */
    assert_int_equal(disc("80"), 0);       /* bare zero */
    assert_int_equal(disc("c0"), 0);       /* empty list */
    assert_int_equal(disc("c180"), 0);
    assert_int_equal(disc("c20401"), 4);   /* extra elements ignored */
    assert_true(disc("c1c0") < 0);         /* nonsense */
    assert_true(disc("") < 0);
    assert_string_equal(ethp2p_disconnect_reason_name(ETHP2P_DISC_TOO_MANY_PEERS), "too many peers");
    assert_string_equal(ethp2p_disconnect_reason_name(ETHP2P_DISC_USELESS_PEER), "useless peer");
    assert_string_equal(ethp2p_disconnect_reason_name(0x42), "unknown reason");
    for (int r = 0; r <= 0x0b; r++) assert_string_not_equal(ethp2p_disconnect_reason_name(r), "unknown reason");
}

static void test_messages_and_snappy(void **state)
{
    ethp2p_buffer b, tmp;
    ethp2p_buffer_init(&b, 0);
    ethp2p_buffer_init(&tmp, 0);
    uint8_t data[3000];
    for (size_t i = 0; i < sizeof(data); i++) data[i] = (uint8_t)(i % 7); /* compressible */
    const uint8_t *out;
    size_t olen;
    uint64_t code;
    for (int snappy = 0; snappy < 2; snappy++) {
        ethp2p_buffer_reset(&b);
        assert_int_equal(ethp2p_p2p_msg_encode(0x12, data, sizeof(data), snappy, &b), 0);
        assert_int_equal(b.data[0], 0x12);
        if (snappy) assert_true(b.len < sizeof(data) / 2);
        assert_int_equal(ethp2p_p2p_msg_decode(b.data, b.len, snappy, &code, &out, &olen, &tmp), 0);
        assert_int_equal(code, 0x12);
        assert_int_equal(olen, sizeof(data));
        assert_memory_equal(out, data, olen);
    }
    /* Code 0 is the empty string 0x80, never 0x00. */
    ethp2p_buffer_reset(&b);
    assert_int_equal(ethp2p_p2p_msg_encode(0, data, 4, 0, &b), 0);
    assert_int_equal(b.data[0], 0x80);
    /* A snappy block claiming 17 MiB is refused before anything is decoded. */
    uint8_t huge[] = {0x02, 0x80, 0x80, 0xc4, 0x08, 0x00};
    assert_int_equal(ethp2p_p2p_msg_decode(huge, sizeof(huge), 1, &code, &out, &olen, &tmp), ETHP2P_ENOSPACE);
    assert_true(tmp.cap < 1024 * 1024);
    /* Corrupt snappy data and a bad code. */
    uint8_t bad[] = {0x02, 0x05, 0xff, 0xff};
    assert_int_equal(ethp2p_p2p_msg_decode(bad, sizeof(bad), 1, &code, &out, &olen, &tmp), ETHP2P_EFORMAT);
    uint8_t badcode[] = {0x81, 0x05};
    assert_int_equal(ethp2p_p2p_msg_decode(badcode, sizeof(badcode), 0, &code, &out, &olen, &tmp),
                     ETHP2P_ERLP_NONCANON_BYTE);
    ethp2p_buffer_clear(&b);
    ethp2p_buffer_clear(&tmp);
}

static void test_capability_matching(void **state)
{
    static const ethp2p_protocol_spec ours[] = {
        {"eth", 66, 17}, {"eth", 67, 17}, {"eth", 68, 17}, {"snap", 1, 8}, {"Eth", 1, 5}};
    ethp2p_cap theirs[] = {{"les", 4}, {"snap", 1}, {"eth", 67}, {"eth", 68}, {"eth", 69}, {"Eth", 1}};
    ethp2p_shared_cap shared[8];
    size_t n = ethp2p_caps_match(ours, 5, theirs, 6, shared, 8);
    assert_int_equal(n, 3);
    /* Case-sensitive alphabetical order: "Eth" < "eth" < "snap". */
    assert_string_equal(shared[0].spec->name, "Eth");
    assert_int_equal(shared[0].offset, 0x10);
    assert_string_equal(shared[1].spec->name, "eth");
    assert_int_equal(shared[1].spec->version, 68); /* highest common, not 69 (ours lacks it) */
    assert_int_equal(shared[1].offset, 0x15);
    assert_string_equal(shared[2].spec->name, "snap");
    assert_int_equal(shared[2].offset, 0x15 + 17);
    ethp2p_cap none[] = {{"les", 4}};
    assert_int_equal(ethp2p_caps_match(ours, 5, none, 1, shared, 8), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_eip8_vector),
        cmocka_unit_test(test_hello_roundtrip_and_rejects),
        cmocka_unit_test(test_disconnect_shapes),
        cmocka_unit_test(test_messages_and_snappy),
        cmocka_unit_test(test_capability_matching),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

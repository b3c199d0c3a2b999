/*
 * --nat parsing and STUN messages: the RFC 5769 sample responses (IPv4 and
 * IPv6; their MESSAGE-INTEGRITY bytes zeroed, as integrity is not checked),
 * the request we send, and hostile responses (truncated, lying lengths, wrong
 * transaction, no address) refused.
 */
#include "test_util.h"
#include "ethp2p/nat.h"

#include <string.h>

static const uint8_t tid[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

/* RFC 5769 2.2: SOFTWARE "test vector ", XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT. */
static const uint8_t v4_response[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
};

/* RFC 5769 2.3: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853. */
static const uint8_t v6_response[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
    0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20,
    0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
    0xbe, 0xd2, 0xb9, 0xd9,
    0x00, 0x08, 0x00, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
};

static void test_rfc5769_responses(void **state)
{
    (void)state;
    ethp2p_ip ip, want;
    uint16_t port = 0;
    assert_int_equal(ethp2p_stun_parse(v4_response, sizeof(v4_response), tid, &ip, &port), 0);
    assert_int_equal(ethp2p_ip_parse("192.0.2.1", &want), 0);
    assert_true(ethp2p_ip_equal(&ip, &want));
    assert_int_equal(port, 32853);
    assert_int_equal(ethp2p_stun_parse(v6_response, sizeof(v6_response), tid, &ip, &port), 0);
    assert_int_equal(ethp2p_ip_parse("2001:db8:1234:5678:11:2233:4455:6677", &want), 0);
    assert_true(ethp2p_ip_equal(&ip, &want));
    assert_int_equal(port, 32853);
}

static void test_request(void **state)
{
    (void)state;
    uint8_t req[ETHP2P_STUN_REQUEST_SIZE];
    ethp2p_stun_request(req, tid);
    static const uint8_t head[8] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
    assert_memory_equal(req, head, 8);
    assert_memory_equal(req + 8, tid, 12);
}

static void test_hostile_responses(void **state)
{
    (void)state;
    ethp2p_ip ip;
    uint16_t port;
    uint8_t m[sizeof(v4_response)];
    /* every truncation */
    for (size_t n = 0; n < 48; n++) assert_int_not_equal(ethp2p_stun_parse(v4_response, n, tid, &ip, &port), 0);
    /* another transaction, a request type, a wrong cookie */
    uint8_t other[12];
    memcpy(other, tid, 12);
    other[11] ^= 1;
    assert_int_not_equal(ethp2p_stun_parse(v4_response, sizeof(v4_response), other, &ip, &port), 0);
    memcpy(m, v4_response, sizeof(m));
    m[1] = 0x11; /* an error response */
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
    memcpy(m, v4_response, sizeof(m));
    m[7] ^= 1;
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
    /* a message length past the datagram, an attribute length past the message */
    memcpy(m, v4_response, sizeof(m));
    m[3] = 0x40;
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
    memcpy(m, v4_response, sizeof(m));
    m[22] = 0xff; /* SOFTWARE claims 65,291 bytes */
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
    /* an address attribute too short for its family, an unknown family: no address */
    memcpy(m, v4_response, sizeof(m));
    m[39] = 0x04;
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
    memcpy(m, v4_response, sizeof(m));
    m[41] = 0x07;
    assert_int_not_equal(ethp2p_stun_parse(m, sizeof(m), tid, &ip, &port), 0);
}

static void test_nat_flag(void **state)
{
    (void)state;
    ethp2p_nat_spec s;
    assert_int_equal(ethp2p_nat_parse("none", &s), 0);
    assert_int_equal(s.mode, ETHP2P_NAT_NONE);
    assert_int_equal(ethp2p_nat_parse("any", &s), 0);
    assert_int_equal(s.mode, ETHP2P_NAT_ANY);
    assert_int_equal(ethp2p_nat_parse("upnp", &s), 0);
    assert_int_equal(ethp2p_nat_parse("pmp", &s), 0);
    assert_int_equal(s.mode, ETHP2P_NAT_PMP);
    assert_int_equal(ethp2p_nat_parse("extip:203.0.113.5", &s), 0);
    assert_int_equal(s.mode, ETHP2P_NAT_EXTIP);
    assert_int_equal(s.ip.b[3], 5);
    assert_int_equal(ethp2p_nat_parse("stun", &s), 0);
    assert_string_equal(s.stun_server, ETHP2P_NAT_DEFAULT_STUN);
    assert_int_equal(ethp2p_nat_parse("stun:127.0.0.1:3478", &s), 0);
    assert_string_equal(s.stun_server, "127.0.0.1:3478");
    assert_int_not_equal(ethp2p_nat_parse("extip:nope", &s), 0);
    assert_int_not_equal(ethp2p_nat_parse("stun:noport", &s), 0);
    assert_int_not_equal(ethp2p_nat_parse("upnp2", &s), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc5769_responses),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_hostile_responses),
        cmocka_unit_test(test_nat_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

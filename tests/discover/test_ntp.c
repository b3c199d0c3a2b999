/* SNTP codec: request layout, offset arithmetic, and the replies we refuse. */
#include "test_util.h"
#include "ethp2p/ntp.h"

#include <string.h>

#define T1 1800000000123ULL /* Unix ms */

static void put_ts(uint8_t *p, uint64_t unix_ms)
{
    uint64_t secs = unix_ms / 1000 + 2208988800ULL, frac = ((unix_ms % 1000) << 32) / 1000;
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(secs >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) p[4 + i] = (uint8_t)(frac >> (24 - 8 * i));
}

/* A server reply to `req`, with the server's clock `skew_ms` ahead of ours. */
static void make_reply(const uint8_t *req, uint8_t *rep, int64_t skew_ms, uint64_t t1, uint64_t rtt_ms)
{
    memset(rep, 0, ETHP2P_NTP_PACKET_SIZE);
    rep[0] = 4 << 3 | 4; /* version 4, server */
    rep[1] = 2;          /* stratum */
    memcpy(rep + 24, req + 40, 8); /* origin = our transmit */
    put_ts(rep + 32, (uint64_t)((int64_t)t1 + (int64_t)rtt_ms / 2 + skew_ms));
    put_ts(rep + 40, (uint64_t)((int64_t)t1 + (int64_t)rtt_ms / 2 + skew_ms));
}

static void test_request_layout(void **state)
{
    uint8_t req[ETHP2P_NTP_PACKET_SIZE];
    ethp2p_ntp_request(req, T1);
    assert_int_equal(req[0], 0x23); /* LI 0, version 4, mode 3 (client) */
    uint32_t secs = (uint32_t)req[40] << 24 | (uint32_t)req[41] << 16 | (uint32_t)req[42] << 8 | req[43];
    assert_int_equal(secs, T1 / 1000 + 2208988800ULL);
    for (int i = 1; i < 40; i++) assert_int_equal(req[i], 0);
}

static void test_offsets(void **state)
{
    uint8_t req[ETHP2P_NTP_PACKET_SIZE], rep[ETHP2P_NTP_PACKET_SIZE];
    static const int64_t skews[] = {0, 15000, -15000, 250, -3600000};
    for (size_t i = 0; i < sizeof(skews) / sizeof(skews[0]); i++) {
        ethp2p_ntp_request(req, T1);
        make_reply(req, rep, skews[i], T1, 40);
        int64_t off = 0;
        assert_int_equal(ethp2p_ntp_parse(rep, sizeof(rep), T1, T1 + 40, &off), 0);
        assert_true(off >= skews[i] - 2 && off <= skews[i] + 2); /* ms rounding of 32.32 fractions */
    }
}

static void test_rejects(void **state)
{
    uint8_t req[ETHP2P_NTP_PACKET_SIZE], rep[ETHP2P_NTP_PACKET_SIZE];
    int64_t off;
    ethp2p_ntp_request(req, T1);
    make_reply(req, rep, 0, T1, 10);
    assert_int_equal(ethp2p_ntp_parse(rep, 47, T1, T1 + 10, &off), ETHP2P_EINVAL);
    rep[1] = 0; /* kiss-of-death */
    assert_int_equal(ethp2p_ntp_parse(rep, sizeof(rep), T1, T1 + 10, &off), ETHP2P_EFORMAT);
    rep[1] = 2;
    rep[0] = 4 << 3 | 3; /* a client packet, not a reply */
    assert_int_equal(ethp2p_ntp_parse(rep, sizeof(rep), T1, T1 + 10, &off), ETHP2P_EFORMAT);
    rep[0] = 4 << 3 | 4;
    /* A reply that does not echo our transmit time answers someone else (or is forged). */
    assert_int_equal(ethp2p_ntp_parse(rep, sizeof(rep), T1 + 1000, T1 + 1010, &off), ETHP2P_EFORMAT);
    assert_int_equal(ethp2p_ntp_parse(rep, sizeof(rep), T1, T1 + 10, &off), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_layout),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * SNTP codec (RFC 4330). NTP timestamps count seconds since 1900 in 32.32
 * fixed point; we convert to and from Unix milliseconds.
 */
#include "ethp2p/ntp.h"

#include <string.h>

#define NTP_UNIX_EPOCH_DELTA 2208988800ULL /* seconds from 1900 to 1970 */
enum { NTP_MODE_CLIENT = 3, NTP_MODE_SERVER = 4, NTP_VERSION = 4 };
enum { OFF_ORIGIN = 24, OFF_RECEIVE = 32, OFF_TRANSMIT = 40 };

static void put_ts(uint8_t *p, uint64_t unix_ms)
{
    uint64_t secs = unix_ms / 1000 + NTP_UNIX_EPOCH_DELTA;
    uint64_t frac = ((unix_ms % 1000) << 32) / 1000;
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(secs >> (24 - 8 * i));
    for (int i = 0; i < 4; i++) p[4 + i] = (uint8_t)(frac >> (24 - 8 * i));
}

static int64_t get_ts_ms(const uint8_t *p)
{
    uint64_t secs = 0, frac = 0;
    for (int i = 0; i < 4; i++) secs = secs << 8 | p[i];
    for (int i = 0; i < 4; i++) frac = frac << 8 | p[4 + i];
    return ((int64_t)secs - (int64_t)NTP_UNIX_EPOCH_DELTA) * 1000 + (int64_t)((frac * 1000) >> 32);
}

void ethp2p_ntp_request(uint8_t out[ETHP2P_NTP_PACKET_SIZE], uint64_t now_ms)
{
    memset(out, 0, ETHP2P_NTP_PACKET_SIZE);
    out[0] = (uint8_t)(NTP_VERSION << 3 | NTP_MODE_CLIENT); /* LI 0 */
    put_ts(out + OFF_TRANSMIT, now_ms);
}

int ethp2p_ntp_parse(const uint8_t *reply, size_t len, uint64_t sent_ms, uint64_t recv_ms, int64_t *offset_ms)
{
    if (len < ETHP2P_NTP_PACKET_SIZE) return ETHP2P_EINVAL;
    if ((reply[0] & 7) != NTP_MODE_SERVER) return ETHP2P_EFORMAT;
    if (reply[1] == 0) return ETHP2P_EFORMAT; /* stratum 0: kiss-of-death, no time */
    uint8_t expect[8];
    put_ts(expect, sent_ms);
    if (memcmp(reply + OFF_ORIGIN, expect, 8) != 0) return ETHP2P_EFORMAT;
    int64_t t1 = (int64_t)sent_ms, t2 = get_ts_ms(reply + OFF_RECEIVE), t3 = get_ts_ms(reply + OFF_TRANSMIT),
            t4 = (int64_t)recv_ms;
    *offset_ms = ((t2 - t1) + (t3 - t4)) / 2;
    return 0;
}

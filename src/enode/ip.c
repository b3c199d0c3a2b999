/*
 * IP addresses as plain values (family + 16 bytes), so that records, tables
 * and packets can hold them without sockaddr. Parsing is numeric only
 * (inet_pton), so it never blocks on DNS.
 */
#include "ethp2p/enode.h"

#include <arpa/inet.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ethp2p_ip_parse(const char *text, ethp2p_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->b) == 1) {
        out->family = 4;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out->b) == 1) {
        if (memcmp(out->b, v4_mapped_prefix, 12) == 0) {
            memmove(out->b, out->b + 12, 4);
            memset(out->b + 4, 0, 12);
            out->family = 4;
        } else {
            out->family = 6;
        }
        return 0;
    }
    return ETHP2P_EFORMAT;
}

void ethp2p_ip_format(const ethp2p_ip *ip, char *out, size_t cap)
{
    if (cap == 0) return;
    out[0] = '\0';
    if (ip->family == 4) inet_ntop(AF_INET, ip->b, out, (socklen_t)cap);
    else if (ip->family == 6) inet_ntop(AF_INET6, ip->b, out, (socklen_t)cap);
}

int ethp2p_ip_is_loopback(const ethp2p_ip *ip)
{
    static const uint8_t v6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (ip->family == 4) return ip->b[0] == 127;
    if (ip->family == 6) return memcmp(ip->b, v6_loopback, 16) == 0;
    return 0;
}

int ethp2p_ip_equal(const ethp2p_ip *a, const ethp2p_ip *b)
{
    if (a->family != b->family) return 0;
    return memcmp(a->b, b->b, a->family == 4 ? 4 : 16) == 0;
}

/*
 * IP addresses as plain values (family + 16 bytes), so that records, tables
 * and packets can hold them without sockaddr. Parsing is numeric only
 * (inet_pton), so it never blocks on DNS.
 */
#include "ethp2p/enode.h"

#include <arpa/inet.h>
#include <stdlib.h>
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

/* A CIDR range in the form the checks below need. */
typedef struct ip_range {
    uint8_t family;
    uint8_t prefix[16];
    int bits;
} ip_range;

static int in_range(const ethp2p_ip *ip, const ip_range *r)
{
    if (ip->family != r->family) return 0;
    int full = r->bits / 8, rem = r->bits % 8;
    if (memcmp(ip->b, r->prefix, (size_t)full) != 0) return 0;
    if (rem == 0) return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rem));
    return (ip->b[full] & mask) == (r->prefix[full] & mask);
}

static int in_any(const ethp2p_ip *ip, const ip_range *ranges, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (in_range(ip, &ranges[i])) return 1;
    return 0;
}

/* The reference's LAN ranges (p2p/netutil): private IPv4, link-local, ULA. */
static const ip_range lan_ranges[] = {
    {4, {0}, 8},            {4, {10}, 8},           {4, {172, 16}, 12},     {4, {192, 168}, 16},
    {6, {0xfe, 0x80}, 10},  {6, {0xfc}, 7},
};

/* Ranges that are never a node's public address (RFC 6890 and friends). */
static const ip_range special_ranges[] = {
    {4, {0}, 8},                  {4, {169, 254}, 16},         {4, {192, 0, 0}, 24},
    {4, {192, 0, 2}, 24},         {4, {198, 18}, 15},          {4, {198, 51, 100}, 24},
    {4, {203, 0, 113}, 24},       {4, {224}, 4},               {4, {240}, 4},
    {6, {0x01, 0x00}, 64},        {6, {0x20, 0x01, 0x0d, 0xb8}, 32}, {6, {0xff}, 8},
};

int ethp2p_ip_is_lan(const ethp2p_ip *ip)
{
    return ethp2p_ip_is_loopback(ip) || in_any(ip, lan_ranges, sizeof(lan_ranges) / sizeof(lan_ranges[0]));
}

int ethp2p_ip_is_unspecified(const ethp2p_ip *ip)
{
    static const uint8_t zero[16] = {0};
    if (ip->family == 4) return memcmp(ip->b, zero, 4) == 0;
    if (ip->family == 6) return memcmp(ip->b, zero, 16) == 0;
    return 1;
}

int ethp2p_ip_is_special(const ethp2p_ip *ip)
{
    if (ip->family == 4 && memcmp(ip->b, "\xff\xff\xff\xff", 4) == 0) return 1;
    return in_any(ip, special_ranges, sizeof(special_ranges) / sizeof(special_ranges[0]));
}

const char *ethp2p_ip_relay_problem(const ethp2p_ip *sender, const ethp2p_ip *addr)
{
    if (addr->family != 4 && addr->family != 6) return "no address";
    if (ethp2p_ip_is_unspecified(addr)) return "unspecified";
    if (ethp2p_ip_is_loopback(addr)) return ethp2p_ip_is_loopback(sender) ? NULL : "loopback";
    if (ethp2p_ip_is_special(addr)) return "special";
    if (ethp2p_ip_is_lan(addr) && !ethp2p_ip_is_lan(sender)) return "lan";
    return NULL;
}

int ethp2p_ip_same_prefix(const ethp2p_ip *a, const ethp2p_ip *b, int bits)
{
    if (a->family != b->family || a->family == 0) return 0;
    ip_range r = {a->family, {0}, bits};
    memcpy(r.prefix, a->b, 16);
    return in_range(b, &r);
}

int ethp2p_ip_same_subnet(const ethp2p_ip *a, const ethp2p_ip *b)
{
    return ethp2p_ip_same_prefix(a, b, a->family == 4 ? 24 : 64);
}

int ethp2p_netlist_parse(const char *text, ethp2p_netlist *out)
{
    memset(out, 0, sizeof(*out));
    const char *p = text;
    while (*p) {
        size_t len = strcspn(p, ",");
        char buf[64];
        if (len == 0 || len >= sizeof(buf) || out->n == ETHP2P_NETLIST_MAX) return ETHP2P_EFORMAT;
        memcpy(buf, p, len);
        buf[len] = '\0';
        char *slash = strchr(buf, '/');
        if (!slash || slash[1] < '0' || slash[1] > '9') return ETHP2P_EFORMAT;
        *slash = '\0';
        char *end;
        unsigned long b = strtoul(slash + 1, &end, 10);
        ethp2p_ip *ip = &out->net[out->n];
        if (*end || ethp2p_ip_parse(buf, ip) || b > (ip->family == 4 ? 32u : 128u)) return ETHP2P_EFORMAT;
        out->bits[out->n++] = (uint8_t)b;
        p += len;
        if (*p == ',' && p[1]) p++;
        else if (*p == ',') return ETHP2P_EFORMAT;
    }
    return out->n ? 0 : ETHP2P_EFORMAT;
}

int ethp2p_netlist_contains(const ethp2p_netlist *l, const ethp2p_ip *ip)
{
    if (!l || !l->n) return 1;
    for (size_t i = 0; i < l->n; i++)
        if (ethp2p_ip_same_prefix(&l->net[i], ip, l->bits[i])) return 1;
    return 0;
}

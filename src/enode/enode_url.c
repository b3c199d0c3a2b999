/*
 * enode URL parsing and formatting. The grammar is small enough to parse by
 * hand, which keeps every length bounded and keeps DNS out of the parser:
 *
 *   enode://<128 hex>[@<host>:<port>[?discport=<port>[&...]]]
 *   host = IPv4 | "[" IPv6 "]" | DNS name
 *
 * Unknown query parameters are ignored, as the reference client does.
 * A missing discport means the UDP port equals the TCP port.
 */
#include "enode/enode_internal.h"
#include "ethp2p/hex.h"

#include <stdio.h>
#include <string.h>

#define ENODE_SCHEME "enode://"
#define ENODE_URL_INPUT_MAX 1024 /* far above any real URL; bounds the work */

static int parse_port(const char *s, size_t len, uint16_t *out)
{
    if (len == 0 || len > 5) return ETHP2P_EFORMAT;
    uint32_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return ETHP2P_EFORMAT;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    if (v > 65535) return ETHP2P_EFORMAT;
    *out = (uint16_t)v;
    return 0;
}

static int valid_hostname(const char *h, size_t len)
{
    if (len == 0 || len > 253) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int parse_query(const char *q, enode_url_parts *out)
{
    while (*q) {
        const char *amp = strchr(q, '&');
        size_t len = amp ? (size_t)(amp - q) : strlen(q);
        static const char key[] = "discport=";
        if (len >= sizeof(key) - 1 && memcmp(q, key, sizeof(key) - 1) == 0) {
            int rc = parse_port(q + sizeof(key) - 1, len - (sizeof(key) - 1), &out->udp);
            if (rc) return rc;
        }
        q += len;
        if (*q == '&') q++;
    }
    return 0;
}

int enode_url_split(const char *url, enode_url_parts *out)
{
    memset(out, 0, sizeof(*out));
    size_t total = strnlen(url, ENODE_URL_INPUT_MAX + 1);
    if (total > ENODE_URL_INPUT_MAX) return ETHP2P_EFORMAT;
    size_t slen = strlen(ENODE_SCHEME);
    if (total < slen || memcmp(url, ENODE_SCHEME, slen) != 0) return ETHP2P_EFORMAT;
    const char *p = url + slen;
    const char *at = strchr(p, '@');
    size_t idlen = at ? (size_t)(at - p) : strlen(p);
    if (idlen != 2 * ETHP2P_PUBKEY_SIZE) return ETHP2P_EFORMAT;
    if (ethp2p_hex_decode_fixed(p, idlen, out->pubkey.b, ETHP2P_PUBKEY_SIZE)) return ETHP2P_EFORMAT;
    if (!at) return 0;

    p = at + 1;
    const char *host, *host_end, *after;
    if (*p == '[') {
        host = p + 1;
        host_end = strchr(host, ']');
        if (!host_end) return ETHP2P_EFORMAT;
        after = host_end + 1;
    } else {
        host = p;
        host_end = host + strcspn(host, ":?");
        after = host_end;
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0 || hlen >= sizeof(out->host)) return ETHP2P_EFORMAT;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    out->has_host = 1;

    if (*after != ':') return ETHP2P_EFORMAT; /* the TCP port is required */
    const char *port = after + 1;
    size_t plen = strcspn(port, "?");
    int rc = parse_port(port, plen, &out->tcp);
    if (rc) return rc;
    out->udp = out->tcp;
    if (port[plen] == '?') return parse_query(port + plen + 1, out);
    return 0;
}

int ethp2p_enode_init(ethp2p_enode *n, const ethp2p_pubkey *key, const ethp2p_ip *ip,
                      uint16_t tcp, uint16_t udp)
{
    if (ethp2p_pubkey_check(key)) return ETHP2P_EKEY;
    memset(n, 0, sizeof(*n));
    n->pubkey = *key;
    ethp2p_node_id_from_pubkey(key, &n->id);
    if (ip) n->ip = *ip;
    n->tcp = tcp;
    n->udp = udp;
    return 0;
}

int ethp2p_enode_parse(const char *url, ethp2p_enode *out, char *host, size_t host_cap)
{
    enode_url_parts parts;
    int rc = enode_url_split(url, &parts);
    if (rc) return rc;
    ethp2p_ip ip = {0};
    if (parts.has_host && ethp2p_ip_parse(parts.host, &ip) != 0) {
        if (!valid_hostname(parts.host, strlen(parts.host))) return ETHP2P_EFORMAT;
        if (host && host_cap) snprintf(host, host_cap, "%s", parts.host);
        return ETHP2P_EHOSTNAME;
    }
    return ethp2p_enode_init(out, &parts.pubkey, parts.has_host ? &ip : NULL, parts.tcp, parts.udp);
}

int ethp2p_enode_format(const ethp2p_enode *n, char *out, size_t cap)
{
    char id[2 * ETHP2P_PUBKEY_SIZE + 1];
    ethp2p_hex_encode(n->pubkey.b, sizeof(n->pubkey.b), id);
    int w;
    if (n->ip.family == 0) {
        w = snprintf(out, cap, "enode://%s", id);
    } else {
        char ip[64];
        ethp2p_ip_format(&n->ip, ip, sizeof(ip));
        const char *lb = n->ip.family == 6 ? "[" : "", *rb = n->ip.family == 6 ? "]" : "";
        if (n->udp != n->tcp)
            w = snprintf(out, cap, "enode://%s@%s%s%s:%u?discport=%u", id, lb, ip, rb, n->tcp, n->udp);
        else
            w = snprintf(out, cap, "enode://%s@%s%s%s:%u", id, lb, ip, rb, n->tcp);
    }
    if (w < 0 || (size_t)w >= cap) return ETHP2P_ENOSPACE;
    return 0;
}

/* STUN Binding requests and responses (RFC 5389), sans-I/O; see ethp2p/nat.h. */
#include "ethp2p/nat.h"

#include <string.h>

#define STUN_MAGIC 0x2112A442u
#define BINDING_REQUEST 0x0001
#define BINDING_SUCCESS 0x0101
#define ATTR_MAPPED 0x0001
#define ATTR_XOR_MAPPED 0x0020

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

void ethp2p_stun_request(uint8_t out[ETHP2P_STUN_REQUEST_SIZE], const uint8_t tid[12])
{
    out[0] = 0;
    out[1] = BINDING_REQUEST;
    out[2] = out[3] = 0; /* no attributes */
    out[4] = 0x21, out[5] = 0x12, out[6] = 0xA4, out[7] = 0x42;
    memcpy(out + 8, tid, 12);
}

/* An address attribute's value: family, port, address (XORed with the cookie and ID if xor). */
static int read_address(const uint8_t *v, size_t n, int xor, const uint8_t *header, ethp2p_ip *ip, uint16_t *port)
{
    if (n < 4) return -1;
    uint8_t fam = v[1];
    size_t alen = fam == 1 ? 4 : fam == 2 ? 16 : 0;
    if (!alen || n < 4 + alen) return -1;
    *port = be16(v + 2);
    memset(ip, 0, sizeof(*ip));
    ip->family = fam == 1 ? 4 : 6;
    memcpy(ip->b, v + 4, alen);
    if (xor) {
        *port ^= (uint16_t)(STUN_MAGIC >> 16);
        for (size_t i = 0; i < alen; i++) ip->b[i] ^= header[4 + i]; /* the cookie, then the transaction ID */
    }
    return 0;
}

int ethp2p_stun_parse(const uint8_t *msg, size_t len, const uint8_t tid[12], ethp2p_ip *ip, uint16_t *port)
{
    if (len < 20 || be16(msg) != BINDING_SUCCESS || be32(msg + 4) != STUN_MAGIC || memcmp(msg + 8, tid, 12))
        return ETHP2P_EFORMAT;
    size_t body = be16(msg + 2);
    if (body % 4 || 20 + body > len) return ETHP2P_EFORMAT;
    int found = 0; /* 2: XOR-MAPPED-ADDRESS, 1: MAPPED-ADDRESS */
    for (size_t off = 20; off + 4 <= 20 + body;) {
        uint16_t type = be16(msg + off), n = be16(msg + off + 2);
        if (off + 4 + n > 20 + body) return ETHP2P_EFORMAT;
        const uint8_t *v = msg + off + 4;
        if (type == ATTR_XOR_MAPPED && found < 2 && read_address(v, n, 1, msg, ip, port) == 0) found = 2;
        else if (type == ATTR_MAPPED && found < 1 && read_address(v, n, 0, msg, ip, port) == 0) found = 1;
        off += 4 + (((size_t)n + 3) & ~(size_t)3); /* attributes are padded to 4 bytes */
    }
    return found ? 0 : ETHP2P_EFORMAT;
}

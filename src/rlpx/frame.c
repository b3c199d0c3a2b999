/*
 * RLPx frames (rlpx.md, "Framing"). Each direction has its own AES-256-CTR
 * keystream (key aes-secret, IV zero) running across every header and body,
 * and its own keccak MAC state updated as:
 *   header: seed = AES-ECB(mac-secret, digest[:16]) XOR header-ciphertext;
 *           update(seed); header-mac = digest[:16]
 *   body:   update(body-ciphertext); seed = AES-ECB(digest[:16]) XOR digest[:16];
 *           update(seed); frame-mac = digest[:16]
 * Readers check each MAC before decrypting what it covers.
 */
#include "ethp2p/rlpx.h"

#include <nettle/ctr.h>
#include <nettle/memops.h>
#include <string.h>

/* The header-data every implementation sends: RLP [capability-id 0, context-id 0]. */
static const uint8_t header_data[3] = {0xc2, 0x80, 0x80};

void ethp2p_rlpx_frame_init(ethp2p_rlpx_frame_codec *c, const ethp2p_rlpx_secrets *s)
{
    memset(c, 0, sizeof(*c));
    aes256_set_encrypt_key(&c->enc, s->aes);
    aes256_set_encrypt_key(&c->mac_cipher, s->mac);
    c->egress_mac = s->egress_mac;
    c->ingress_mac = s->ingress_mac;
}

static void ctr_apply(const struct aes256_ctx *k, uint8_t ctr[16], uint8_t *data, size_t len)
{
    ctr_crypt(k, (nettle_cipher_func *)aes256_encrypt, 16, ctr, len, data, data);
}

/* Absorbs seed = AES-ECB(digest[:16]) XOR with, then returns digest[:16] in mac. */
static void mac_update(const struct aes256_ctx *mac_cipher, ethp2p_keccak256_ctx *m, const uint8_t with[16],
                       uint8_t mac[16])
{
    uint8_t d[32], seed[16];
    ethp2p_keccak256_peek(m, d);
    aes256_encrypt(mac_cipher, 16, seed, d);
    for (int i = 0; i < 16; i++) seed[i] ^= with[i];
    ethp2p_keccak256_update(m, seed, 16);
    ethp2p_keccak256_peek(m, d);
    memcpy(mac, d, 16);
}

/* The body MAC: absorb the ciphertext, then seed with the digest itself. */
static void mac_body(const struct aes256_ctx *mac_cipher, ethp2p_keccak256_ctx *m, const uint8_t *ct, size_t len,
                     uint8_t mac[16])
{
    uint8_t d[32];
    ethp2p_keccak256_update(m, ct, len);
    ethp2p_keccak256_peek(m, d);
    mac_update(mac_cipher, m, d, mac);
}

int ethp2p_rlpx_frame_write(ethp2p_rlpx_frame_codec *c, const uint8_t *data, size_t len, ethp2p_buffer *out)
{
    if (len > ETHP2P_RLPX_MAX_FRAME_SIZE) return ETHP2P_EINVAL;
    size_t padded = (len + 15) & ~(size_t)15;
    int rc = ethp2p_buffer_reserve(out, ETHP2P_RLPX_HEADER_SIZE + padded + ETHP2P_RLPX_MAC_SIZE);
    if (rc) return rc;
    uint8_t *p = out->data + out->len;
    memset(p, 0, 16);
    p[0] = (uint8_t)(len >> 16);
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    memcpy(p + 3, header_data, sizeof(header_data));
    ctr_apply(&c->enc, c->egress_ctr, p, 16);
    mac_update(&c->mac_cipher, &c->egress_mac, p, p + 16);
    uint8_t *body = p + 32;
    memcpy(body, data, len);
    memset(body + len, 0, padded - len);
    ctr_apply(&c->enc, c->egress_ctr, body, padded);
    mac_body(&c->mac_cipher, &c->egress_mac, body, padded, body + padded);
    out->len += ETHP2P_RLPX_HEADER_SIZE + padded + ETHP2P_RLPX_MAC_SIZE;
    return 0;
}

int ethp2p_rlpx_frame_read_header(ethp2p_rlpx_frame_codec *c, uint8_t header[32], size_t *frame_size, size_t *body_len)
{
    uint8_t mac[16];
    ethp2p_keccak256_ctx saved = c->ingress_mac;
    mac_update(&c->mac_cipher, &c->ingress_mac, header, mac);
    if (!memeql_sec(mac, header + 16, 16)) {
        c->ingress_mac = saved;
        return ETHP2P_EMAC;
    }
    ctr_apply(&c->enc, c->ingress_ctr, header, 16);
    size_t size = (size_t)header[0] << 16 | (size_t)header[1] << 8 | header[2];
    *frame_size = size;
    *body_len = ((size + 15) & ~(size_t)15) + ETHP2P_RLPX_MAC_SIZE;
    return 0;
}

int ethp2p_rlpx_frame_read_body(ethp2p_rlpx_frame_codec *c, uint8_t *body, size_t body_len)
{
    if (body_len < ETHP2P_RLPX_MAC_SIZE || (body_len - ETHP2P_RLPX_MAC_SIZE) % 16) return ETHP2P_EINVAL;
    size_t padded = body_len - ETHP2P_RLPX_MAC_SIZE;
    uint8_t mac[16];
    mac_body(&c->mac_cipher, &c->ingress_mac, body, padded, mac);
    if (!memeql_sec(mac, body + padded, 16)) return ETHP2P_EMAC;
    ctr_apply(&c->enc, c->ingress_ctr, body, padded);
    return 0;
}

/*
 * RLPx handshake (rlpx.md, "Initial Handshake"; EIP-8). Pure: no sockets.
 *
 * Telling the formats apart: a legacy message is a bare ECIES ciphertext,
 * which starts with 0x04 (the uncompressed ephemeral point); an EIP-8
 * message starts with its 2-byte size. A size prefix may also start with
 * 0x04 (1024..1279 bytes), so a 0x04 start is tried as legacy first and read
 * as EIP-8 if that fails, as EIP-8 recommends.
 */
#include "ethp2p/ecies.h"
#include "ethp2p/random.h"
#include "ethp2p/rlp.h"
#include "ethp2p/rlpx.h"

#include <string.h>

enum {
    AUTH_LEGACY_PLAIN = 194, /* sig 65 | keccak(eph) 32 | pubkey 64 | nonce 32 | token flag 1 */
    ACK_LEGACY_PLAIN = 97,   /* eph pubkey 64 | nonce 32 | token flag 1 */
};

int ethp2p_rlpx_handshake_init(ethp2p_rlpx_handshake *hs, int initiator, const ethp2p_privkey *static_key,
                               const ethp2p_pubkey *remote)
{
    memset(hs, 0, sizeof(*hs));
    if (initiator && !remote) return ETHP2P_EINVAL;
    hs->initiator = initiator;
    hs->static_key = *static_key;
    if (remote) hs->remote_static = *remote;
    int rc = ethp2p_privkey_generate(&hs->eph_key);
    if (!rc) rc = ethp2p_random_bytes(initiator ? hs->init_nonce : hs->resp_nonce, 32);
    return rc;
}

/* The value the initiator's ephemeral key signs: static ECDH secret XOR nonce. */
static int signed_value(const ethp2p_rlpx_handshake *hs, uint8_t out[32])
{
    int rc = ethp2p_ecdh(&hs->static_key, &hs->remote_static, out);
    if (rc) return rc;
    for (int i = 0; i < 32; i++) out[i] ^= hs->init_nonce[i];
    return 0;
}

/* Encrypts an EIP-8 body: RLP, random padding, size prefix as MAC data. */
static int write_eip8(const ethp2p_pubkey *to, ethp2p_rlp_writer *w, uint8_t *out, size_t *len)
{
    const uint8_t *body;
    size_t blen;
    int rc = ethp2p_rlp_writer_finish(w, &body, &blen);
    if (rc) return rc;
    uint8_t r;
    if ((rc = ethp2p_random_bytes(&r, 1))) return rc;
    size_t pad = ETHP2P_RLPX_MIN_PADDING + r % (ETHP2P_RLPX_MAX_PADDING - ETHP2P_RLPX_MIN_PADDING);
    uint8_t plain[ETHP2P_RLPX_MAX_HANDSHAKE];
    if (blen + pad + ETHP2P_ECIES_OVERHEAD > ETHP2P_RLPX_MAX_HANDSHAKE) return ETHP2P_ENOSPACE;
    memcpy(plain, body, blen);
    if ((rc = ethp2p_random_bytes(plain + blen, pad))) return rc;
    size_t ctlen = blen + pad + ETHP2P_ECIES_OVERHEAD;
    out[0] = (uint8_t)(ctlen >> 8);
    out[1] = (uint8_t)ctlen;
    if ((rc = ethp2p_ecies_encrypt(to, plain, blen + pad, out, 2, out + 2))) return rc;
    *len = 2 + ctlen;
    return 0;
}

/*
 * Reads one handshake message: legacy (legacy_size bytes) or EIP-8. Returns
 * 0, 1 (need *used bytes), or an error; plain receives the plaintext.
 */
static int read_message(const ethp2p_privkey *key, const uint8_t *in, size_t len, size_t legacy_size, uint8_t *plain,
                        size_t *plen, size_t *used, int *legacy)
{
    if (len < 2) {
        *used = 2;
        return 1;
    }
    if (in[0] == 0x04) {
        if (len < legacy_size) {
            *used = legacy_size;
            return 1;
        }
        if (ethp2p_ecies_decrypt(key, in, legacy_size, NULL, 0, plain, plen) == 0) {
            *legacy = 1;
            *used = legacy_size;
            return 0;
        }
    }
    size_t size = (size_t)in[0] << 8 | in[1];
    if (size > ETHP2P_RLPX_MAX_HANDSHAKE) return ETHP2P_EINVAL;
    if (len < 2 + size) {
        *used = 2 + size;
        return 1;
    }
    int rc = ethp2p_ecies_decrypt(key, in + 2, size, in, 2, plain, plen);
    if (rc) return rc;
    *legacy = 0;
    *used = 2 + size;
    return 0;
}

int ethp2p_rlpx_auth_write(ethp2p_rlpx_handshake *hs, uint8_t *out, size_t *len)
{
    uint8_t value[32], sig[65];
    ethp2p_pubkey pub;
    int rc = signed_value(hs, value);
    if (!rc) rc = ethp2p_sign_recoverable(&hs->eph_key, value, sig);
    if (!rc) rc = ethp2p_privkey_to_pubkey(&hs->static_key, &pub);
    if (rc) return rc;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, ETHP2P_RLPX_MAX_HANDSHAKE);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, sig, 65);
    ethp2p_rlp_put_bytes(&w, pub.b, 64);
    ethp2p_rlp_put_bytes(&w, hs->init_nonce, 32);
    ethp2p_rlp_put_uint(&w, ETHP2P_RLPX_HANDSHAKE_VERSION);
    ethp2p_rlp_list_end(&w);
    rc = write_eip8(&hs->remote_static, &w, out, len);
    ethp2p_rlp_writer_clear(&w);
    if (rc) return rc;
    memcpy(hs->auth, out, *len);
    hs->auth_len = *len;
    return 0;
}

int ethp2p_rlpx_auth_read(ethp2p_rlpx_handshake *hs, const uint8_t *in, size_t len, size_t *used)
{
    uint8_t plain[ETHP2P_RLPX_MAX_HANDSHAKE], sig[65];
    size_t plen;
    int rc = read_message(&hs->static_key, in, len, ETHP2P_RLPX_AUTH_LEGACY_SIZE, plain, &plen, used, &hs->legacy);
    if (rc) return rc;
    if (hs->legacy) {
        if (plen != AUTH_LEGACY_PLAIN) return ETHP2P_ECIPHERTEXT;
        memcpy(sig, plain, 65);
        memcpy(hs->remote_static.b, plain + 97, 64);
        memcpy(hs->init_nonce, plain + 161, 32);
    } else {
        /* EIP-8: [sig, pubkey, nonce, version, ...] then padding; extra elements ignored. */
        ethp2p_rlp_item list, item;
        ethp2p_rlp_iter it;
        if ((rc = ethp2p_rlp_decode_prefix(plain, plen, &list, NULL)) || (rc = ethp2p_rlp_iter_list(&list, &it)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_fixed(&item, sig, 65)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_fixed(&item, hs->remote_static.b, 64)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_fixed(&item, hs->init_nonce, 32)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item))) /* version: any value (EIP-8) */
            return rc;
    }
    if (ethp2p_pubkey_check(&hs->remote_static)) return ETHP2P_EKEY;
    uint8_t value[32];
    if ((rc = signed_value(hs, value))) return rc;
    if (ethp2p_recover(value, sig, &hs->remote_eph)) return ETHP2P_ESIG;
    if (hs->legacy) {
        uint8_t h[32];
        ethp2p_keccak256(hs->remote_eph.b, 64, h);
        if (memcmp(h, plain + 65, 32) != 0) return ETHP2P_ESIG;
    }
    memcpy(hs->auth, in, *used);
    hs->auth_len = *used;
    return 0;
}

int ethp2p_rlpx_ack_write(ethp2p_rlpx_handshake *hs, uint8_t *out, size_t *len)
{
    ethp2p_pubkey eph;
    int rc = ethp2p_privkey_to_pubkey(&hs->eph_key, &eph);
    if (rc) return rc;
    if (hs->legacy) {
        uint8_t plain[ACK_LEGACY_PLAIN] = {0};
        memcpy(plain, eph.b, 64);
        memcpy(plain + 64, hs->resp_nonce, 32);
        if ((rc = ethp2p_ecies_encrypt(&hs->remote_static, plain, sizeof(plain), NULL, 0, out))) return rc;
        *len = ETHP2P_RLPX_ACK_LEGACY_SIZE;
    } else {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, ETHP2P_RLPX_MAX_HANDSHAKE);
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_bytes(&w, eph.b, 64);
        ethp2p_rlp_put_bytes(&w, hs->resp_nonce, 32);
        ethp2p_rlp_put_uint(&w, ETHP2P_RLPX_HANDSHAKE_VERSION);
        ethp2p_rlp_list_end(&w);
        rc = write_eip8(&hs->remote_static, &w, out, len);
        ethp2p_rlp_writer_clear(&w);
        if (rc) return rc;
    }
    memcpy(hs->ack, out, *len);
    hs->ack_len = *len;
    return 0;
}

int ethp2p_rlpx_ack_read(ethp2p_rlpx_handshake *hs, const uint8_t *in, size_t len, size_t *used)
{
    uint8_t plain[ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t plen;
    int legacy;
    int rc = read_message(&hs->static_key, in, len, ETHP2P_RLPX_ACK_LEGACY_SIZE, plain, &plen, used, &legacy);
    if (rc) return rc;
    if (legacy) {
        if (plen != ACK_LEGACY_PLAIN) return ETHP2P_ECIPHERTEXT;
        memcpy(hs->remote_eph.b, plain, 64);
        memcpy(hs->resp_nonce, plain + 64, 32);
    } else {
        ethp2p_rlp_item list, item;
        ethp2p_rlp_iter it;
        if ((rc = ethp2p_rlp_decode_prefix(plain, plen, &list, NULL)) || (rc = ethp2p_rlp_iter_list(&list, &it)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_fixed(&item, hs->remote_eph.b, 64)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &item)) || (rc = ethp2p_rlp_get_fixed(&item, hs->resp_nonce, 32)))
            return rc;
    }
    if (ethp2p_pubkey_check(&hs->remote_eph)) return ETHP2P_EKEY;
    memcpy(hs->ack, in, *used);
    hs->ack_len = *used;
    return 0;
}

/* keccak256(a || b) */
static void keccak2(const uint8_t a[32], const uint8_t b[32], uint8_t out[32])
{
    ethp2p_keccak256_ctx k;
    ethp2p_keccak256_init(&k);
    ethp2p_keccak256_update(&k, a, 32);
    ethp2p_keccak256_update(&k, b, 32);
    ethp2p_keccak256_final(&k, out);
}

/* A MAC state: keccak256 absorbing (mac-secret XOR nonce) || message. */
static void mac_init(ethp2p_keccak256_ctx *m, const uint8_t mac[32], const uint8_t nonce[32], const uint8_t *msg,
                     size_t len)
{
    uint8_t x[32];
    for (int i = 0; i < 32; i++) x[i] = mac[i] ^ nonce[i];
    ethp2p_keccak256_init(m);
    ethp2p_keccak256_update(m, x, 32);
    ethp2p_keccak256_update(m, msg, len);
}

int ethp2p_rlpx_secrets_derive(const ethp2p_rlpx_handshake *hs, ethp2p_rlpx_secrets *out)
{
    if (!hs->auth_len || !hs->ack_len) return ETHP2P_EINVAL;
    uint8_t eph[32], h[32], shared[32];
    int rc = ethp2p_ecdh(&hs->eph_key, &hs->remote_eph, eph);
    if (rc) return rc;
    /* rlpx.md: shared-secret = keccak(ephemeral-key || keccak(nonce || initiator-nonce)) */
    keccak2(hs->resp_nonce, hs->init_nonce, h);
    keccak2(eph, h, shared);
    keccak2(eph, shared, out->aes);
    keccak2(eph, out->aes, out->mac);
    if (hs->initiator) {
        mac_init(&out->egress_mac, out->mac, hs->resp_nonce, hs->auth, hs->auth_len);
        mac_init(&out->ingress_mac, out->mac, hs->init_nonce, hs->ack, hs->ack_len);
    } else {
        mac_init(&out->egress_mac, out->mac, hs->init_nonce, hs->ack, hs->ack_len);
        mac_init(&out->ingress_mac, out->mac, hs->resp_nonce, hs->auth, hs->auth_len);
    }
    out->remote = hs->remote_static;
    return 0;
}

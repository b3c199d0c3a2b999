/*
 * ECIES for RLPx. AES, SHA-256 and HMAC come from nettle; the construction is
 * assembled here because no library implements RLPx's exact variant (the MAC
 * key is SHA-256 of the KDF's second half, and the size prefix is
 * authenticated as shared MAC data).
 *
 * Decryption checks, in this order: length, the 0x04 prefix, that R is on the
 * curve (libsecp256k1's parser enforces it; without this an invalid-curve
 * oracle leaks the static key), the tag in constant time, and only then
 * decrypts.
 */
#include "crypto/ecies_internal.h"
#include "ethp2p/random.h"

#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/sha2.h>
#include <string.h>

enum {
    ECIES_R_SIZE = 65,
    ECIES_IV_SIZE = 16,
    ECIES_TAG_SIZE = 32,
    ECIES_KEY_SIZE = 16, /* AES-128 */
};

void ethp2p_concat_kdf_sha256(const uint8_t *z, size_t z_len, uint8_t *out, size_t out_len)
{
    uint32_t counter = 1;
    while (out_len > 0) {
        uint8_t ctr_be[4] = {(uint8_t)(counter >> 24), (uint8_t)(counter >> 16),
                             (uint8_t)(counter >> 8), (uint8_t)counter};
        struct sha256_ctx h;
        sha256_init(&h);
        sha256_update(&h, sizeof(ctr_be), ctr_be);
        sha256_update(&h, z_len, z);
        uint8_t block[SHA256_DIGEST_SIZE];
        sha256_digest(&h, sizeof(block), block);
        size_t n = out_len < sizeof(block) ? out_len : sizeof(block);
        memcpy(out, block, n);
        out += n;
        out_len -= n;
        counter++;
    }
}

/* Derives kE (AES key) and kM (HMAC key) from the ECDH X coordinate. */
static void derive_keys(const uint8_t shared_x[32], uint8_t ke[16], uint8_t km[32])
{
    uint8_t k[32];
    ethp2p_concat_kdf_sha256(shared_x, 32, k, sizeof(k));
    memcpy(ke, k, ECIES_KEY_SIZE);
    struct sha256_ctx h;
    sha256_init(&h);
    sha256_update(&h, 16, k + 16);
    sha256_digest(&h, 32, km);
}

static void compute_tag(const uint8_t km[32], const uint8_t *iv_and_ct, size_t len,
                        const uint8_t *mac_data, size_t mac_len, uint8_t tag[32])
{
    struct hmac_sha256_ctx h;
    hmac_sha256_set_key(&h, 32, km);
    hmac_sha256_update(&h, len, iv_and_ct);
    if (mac_len) hmac_sha256_update(&h, mac_len, mac_data);
    hmac_sha256_digest(&h, 32, tag);
}

static void aes128_ctr(const uint8_t key[16], const uint8_t iv[16], const uint8_t *in, size_t len,
                       uint8_t *out)
{
    struct aes128_ctx aes;
    aes128_set_encrypt_key(&aes, key);
    uint8_t ctr[16];
    memcpy(ctr, iv, 16);
    ctr_crypt(&aes, (nettle_cipher_func *)aes128_encrypt, 16, ctr, len, out, in);
}

int ethp2p_ecies_encrypt_with(const ethp2p_pubkey *to, const ethp2p_privkey *ephemeral,
                              const uint8_t iv[16], const uint8_t *msg, size_t msg_len,
                              const uint8_t *mac_data, size_t mac_len, uint8_t *out)
{
    ethp2p_pubkey r;
    uint8_t shared[32], ke[16], km[32];
    int rc = ethp2p_privkey_to_pubkey(ephemeral, &r);
    if (!rc) rc = ethp2p_ecdh(ephemeral, to, shared);
    if (rc) return rc;
    derive_keys(shared, ke, km);
    out[0] = 0x04;
    memcpy(out + 1, r.b, 64);
    uint8_t *ivp = out + ECIES_R_SIZE;
    memcpy(ivp, iv, ECIES_IV_SIZE);
    aes128_ctr(ke, iv, msg, msg_len, ivp + ECIES_IV_SIZE);
    compute_tag(km, ivp, ECIES_IV_SIZE + msg_len, mac_data, mac_len, ivp + ECIES_IV_SIZE + msg_len);
    memset(shared, 0, sizeof(shared));
    return 0;
}

int ethp2p_ecies_encrypt(const ethp2p_pubkey *to, const uint8_t *msg, size_t msg_len,
                         const uint8_t *mac_data, size_t mac_len, uint8_t *out)
{
    ethp2p_privkey eph;
    uint8_t iv[16];
    int rc = ethp2p_privkey_generate(&eph);
    if (!rc) rc = ethp2p_random_bytes(iv, sizeof(iv));
    if (!rc) rc = ethp2p_ecies_encrypt_with(to, &eph, iv, msg, msg_len, mac_data, mac_len, out);
    memset(&eph, 0, sizeof(eph));
    return rc;
}

int ethp2p_ecies_decrypt(const ethp2p_privkey *key, const uint8_t *ct, size_t ct_len,
                         const uint8_t *mac_data, size_t mac_len, uint8_t *out, size_t *out_len)
{
    if (ct_len < ETHP2P_ECIES_OVERHEAD || ct[0] != 0x04) return ETHP2P_ECIPHERTEXT;
    ethp2p_pubkey r;
    memcpy(r.b, ct + 1, 64);
    uint8_t shared[32], ke[16], km[32], tag[32];
    /* ethp2p_ecdh parses R with libsecp256k1, which rejects points off the curve. */
    if (ethp2p_ecdh(key, &r, shared)) return ETHP2P_ECIPHERTEXT;
    derive_keys(shared, ke, km);
    memset(shared, 0, sizeof(shared));
    size_t body = ct_len - ETHP2P_ECIES_OVERHEAD;
    const uint8_t *ivp = ct + ECIES_R_SIZE;
    compute_tag(km, ivp, ECIES_IV_SIZE + body, mac_data, mac_len, tag);
    if (!memeql_sec(tag, ivp + ECIES_IV_SIZE + body, ECIES_TAG_SIZE)) return ETHP2P_EMAC;
    aes128_ctr(ke, ivp, ivp + ECIES_IV_SIZE, body, out);
    *out_len = body;
    return 0;
}

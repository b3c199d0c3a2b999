/*
 * secp256k1 through libsecp256k1. One process-wide context, created on first
 * use (pthread_once) and randomised against side channels; libsecp256k1
 * contexts are safe to share for signing and verification once created.
 */
#include "ethp2p/key.h"
#include "ethp2p/random.h"

#include <pthread.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>
#include <string.h>

static secp256k1_context *secp_ctx;
static pthread_once_t secp_once = PTHREAD_ONCE_INIT;

static void secp_context_create(void)
{
    secp_ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
    uint8_t seed[32];
    if (ethp2p_random_bytes(seed, sizeof(seed)) == 0) {
        /* Blinding is a defence, not a requirement: carry on if it fails. */
        (void)!secp256k1_context_randomize(secp_ctx, seed);
    }
}

static const secp256k1_context *ctx(void)
{
    pthread_once(&secp_once, secp_context_create);
    return secp_ctx;
}

static int parse_pubkey(const ethp2p_pubkey *key, secp256k1_pubkey *out)
{
    uint8_t full[65];
    full[0] = 0x04;
    memcpy(full + 1, key->b, 64);
    return secp256k1_ec_pubkey_parse(ctx(), out, full, sizeof(full)) ? 0 : ETHP2P_EKEY;
}

static void serialize_pubkey(const secp256k1_pubkey *pk, ethp2p_pubkey *out)
{
    uint8_t full[65];
    size_t len = sizeof(full);
    secp256k1_ec_pubkey_serialize(ctx(), full, &len, pk, SECP256K1_EC_UNCOMPRESSED);
    memcpy(out->b, full + 1, 64);
}

int ethp2p_privkey_check(const ethp2p_privkey *key)
{
    return secp256k1_ec_seckey_verify(ctx(), key->b) ? 0 : ETHP2P_EKEY;
}

int ethp2p_privkey_generate(ethp2p_privkey *out)
{
    /* A random 256-bit value is out of range with probability ~2^-128; retry anyway. */
    for (int attempt = 0; attempt < 16; attempt++) {
        int rc = ethp2p_random_bytes(out->b, sizeof(out->b));
        if (rc) return rc;
        if (ethp2p_privkey_check(out) == 0) return 0;
    }
    return ETHP2P_ERANDOM;
}

int ethp2p_privkey_to_pubkey(const ethp2p_privkey *key, ethp2p_pubkey *out)
{
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx(), &pk, key->b)) return ETHP2P_EKEY;
    serialize_pubkey(&pk, out);
    return 0;
}

int ethp2p_pubkey_check(const ethp2p_pubkey *key)
{
    secp256k1_pubkey pk;
    return parse_pubkey(key, &pk);
}

int ethp2p_pubkey_compress(const ethp2p_pubkey *key, uint8_t out[33])
{
    secp256k1_pubkey pk;
    if (parse_pubkey(key, &pk)) return ETHP2P_EKEY;
    size_t len = 33;
    secp256k1_ec_pubkey_serialize(ctx(), out, &len, &pk, SECP256K1_EC_COMPRESSED);
    return 0;
}

int ethp2p_pubkey_decompress(const uint8_t in[33], ethp2p_pubkey *out)
{
    secp256k1_pubkey pk;
    if (in[0] != 0x02 && in[0] != 0x03) return ETHP2P_EKEY;
    if (!secp256k1_ec_pubkey_parse(ctx(), &pk, in, 33)) return ETHP2P_EKEY;
    serialize_pubkey(&pk, out);
    return 0;
}

int ethp2p_sign_recoverable(const ethp2p_privkey *key, const uint8_t hash[32], uint8_t sig[65])
{
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_sign_recoverable(ctx(), &rs, hash, key->b, NULL, NULL)) return ETHP2P_EKEY;
    int recid;
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx(), sig, &recid, &rs);
    sig[64] = (uint8_t)recid;
    return 0;
}

int ethp2p_recover(const uint8_t hash[32], const uint8_t sig[65], ethp2p_pubkey *out)
{
    /* discv4.md and rlpx.md: V is the recovery id, 0 or 1. */
    if (sig[64] > 1) return ETHP2P_ESIG;
    secp256k1_ecdsa_recoverable_signature rs;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx(), &rs, sig, sig[64])) return ETHP2P_ESIG;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recover(ctx(), &pk, &rs, hash)) return ETHP2P_ESIG;
    serialize_pubkey(&pk, out);
    return 0;
}

int ethp2p_sign_compact(const ethp2p_privkey *key, const uint8_t hash[32], uint8_t sig[64])
{
    secp256k1_ecdsa_signature s;
    if (!secp256k1_ecdsa_sign(ctx(), &s, hash, key->b, NULL, NULL)) return ETHP2P_EKEY;
    secp256k1_ecdsa_signature_serialize_compact(ctx(), sig, &s);
    return 0;
}

int ethp2p_verify_compact(const ethp2p_pubkey *key, const uint8_t hash[32], const uint8_t sig[64])
{
    secp256k1_pubkey pk;
    if (parse_pubkey(key, &pk)) return ETHP2P_EKEY;
    secp256k1_ecdsa_signature s;
    if (!secp256k1_ecdsa_signature_parse_compact(ctx(), &s, sig)) return ETHP2P_ESIG;
    /* secp256k1_ecdsa_verify rejects high-S signatures, as go-ethereum's VerifySignature does. */
    return secp256k1_ecdsa_verify(ctx(), &s, hash, &pk) ? 0 : ETHP2P_ESIG;
}

static int ecdh_copy_x(unsigned char *output, const unsigned char *x32, const unsigned char *y32,
                       void *data)
{
    memcpy(output, x32, 32);
    return 1;
}

/* The shared point in compressed form, as discv5 hashes it (discv5-wire.md, "ecdh"). */
static int ecdh_compressed(unsigned char *output, const unsigned char *x32, const unsigned char *y32, void *data)
{
    (void)data;
    output[0] = (unsigned char)(0x02 | (y32[31] & 1));
    memcpy(output + 1, x32, 32);
    return 1;
}

int ethp2p_ecdh_compressed(const ethp2p_privkey *key, const ethp2p_pubkey *peer, uint8_t shared[33])
{
    secp256k1_pubkey pk;
    if (parse_pubkey(peer, &pk)) return ETHP2P_EKEY;
    if (!secp256k1_ecdh(ctx(), shared, &pk, key->b, ecdh_compressed, NULL)) return ETHP2P_EKEY;
    return 0;
}

int ethp2p_ecdh(const ethp2p_privkey *key, const ethp2p_pubkey *peer, uint8_t shared_x[32])
{
    secp256k1_pubkey pk;
    if (parse_pubkey(peer, &pk)) return ETHP2P_EKEY;
    if (!secp256k1_ecdh(ctx(), shared_x, &pk, key->b, ecdh_copy_x, NULL)) return ETHP2P_EKEY;
    return 0;
}

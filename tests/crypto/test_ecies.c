/* ECIES: decrypting the EIP-8 handshake vectors, tampering, invalid points, random round trips. */
#include "test_util.h"
#include "crypto/ecies_internal.h"
#include "ethp2p/rlp.h"

#include <stdlib.h>
#include <string.h>

TU_VECTORS_FIXTURE("vectors/rlpx-eip8.json")
#define vectors tu_vectors

static void vec_priv(const char *name, ethp2p_privkey *k) { tu_vec_hex("keys", name, k->b, 32); }

/* Decrypts vector message `index`; EIP-8 messages authenticate their 2-byte size prefix. */
static uint8_t *decrypt_vector(size_t index, size_t *plen, int *eip8)
{
    json_t *m = json_array_get(json_object_get(vectors, "messages"), index);
    assert_non_null(m);
    size_t len;
    uint8_t *wire = tu_hex(tu_str(m, "hex"), &len);
    ethp2p_privkey key;
    vec_priv(tu_str(m, "decrypt_with"), &key);
    *eip8 = wire[0] != 0x04;
    const uint8_t *ct = wire, *mac = NULL;
    size_t ctlen = len, maclen = 0;
    if (*eip8) {
        assert_int_equal((size_t)(wire[0] << 8 | wire[1]), len - 2);
        mac = wire;
        maclen = 2;
        ct = wire + 2;
        ctlen = len - 2;
    }
    uint8_t *plain = malloc(ctlen);
    assert_int_equal(ethp2p_ecies_decrypt(&key, ct, ctlen, mac, maclen, plain, plen), 0);
    assert_int_equal(*plen, ctlen - ETHP2P_ECIES_OVERHEAD);
    /* Without the size prefix as MAC data, an EIP-8 message must not authenticate. */
    if (*eip8) {
        uint8_t *scratch = malloc(ctlen);
        size_t n;
        assert_int_equal(ethp2p_ecies_decrypt(&key, ct, ctlen, NULL, 0, scratch, &n), ETHP2P_EMAC);
        free(scratch);
    }
    free(wire);
    return plain;
}

static void test_decrypt_all_handshake_vectors(void **state)
{
    json_t *msgs = json_object_get(vectors, "messages");
    assert_int_equal(json_array_size(msgs), 6);
    uint8_t want[65];
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        json_t *m = json_array_get(msgs, i);
        const char *name = tu_str(m, "name");
        json_t *expect = json_object_get(m, "expect");
        size_t plen;
        int eip8;
        uint8_t *plain = decrypt_vector(i, &plen, &eip8);
        int is_auth = name[0] == 'a' && name[1] == 'u';
        if (!eip8 && is_auth) {
            /* legacy auth: sig(65) || keccak(eph)(32) || pubkey(64) || nonce(32) || flag */
            assert_int_equal(plen, 194);
            tu_hex_fixed(tu_str(expect, "signature"), want, 65);
            assert_memory_equal(plain, want, 65);
            tu_hex_fixed(tu_str(expect, "initiator_pubkey"), want, 64);
            assert_memory_equal(plain + 97, want, 64);
        } else if (!eip8) {
            /* legacy ack: eph pubkey(64) || nonce(32) || flag */
            assert_int_equal(plen, 97);
            tu_hex_fixed(tu_str(expect, "recipient_ephemeral_pubkey"), want, 64);
            assert_memory_equal(plain, want, 64);
        } else {
            /* EIP-8: an RLP list followed by random padding. */
            ethp2p_rlp_item list, first;
            ethp2p_rlp_iter it;
            size_t rest;
            assert_int_equal(ethp2p_rlp_decode_prefix(plain, plen, &list, &rest), 0);
            assert_true(rest > 0);
            assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
            assert_int_equal(ethp2p_rlp_iter_expect(&it, &first), 0);
            json_t *fields = json_object_get(expect, "body_rlp_decoded_hex");
            if (fields) {
                size_t wl;
                uint8_t *w = tu_hex(json_string_value(json_array_get(fields, 0)), &wl);
                assert_int_equal(first.payload_len, wl);
                assert_memory_equal(first.payload, w, wl);
                free(w);
            }
        }
        free(plain);
    }
}

static void make_key(tu_rng *rng, ethp2p_privkey *k)
{
    do tu_rand_bytes(rng, k->b, 32);
    while (ethp2p_privkey_check(k) != 0);
}

static void test_tampering_is_detected(void **state)
{
    tu_rng rng = {5};
    ethp2p_privkey k, eph;
    ethp2p_pubkey pub;
    make_key(&rng, &k);
    make_key(&rng, &eph);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
    uint8_t msg[100], iv[16], mac[2] = {0x01, 0x02};
    tu_rand_bytes(&rng, msg, sizeof(msg));
    tu_rand_bytes(&rng, iv, sizeof(iv));
    uint8_t ct[sizeof(msg) + ETHP2P_ECIES_OVERHEAD], out[sizeof(msg)];
    size_t n;
    assert_int_equal(ethp2p_ecies_encrypt_with(&pub, &eph, iv, msg, sizeof(msg), mac, 2, ct), 0);
    assert_int_equal(ethp2p_ecies_decrypt(&k, ct, sizeof(ct), mac, 2, out, &n), 0);
    assert_memory_equal(out, msg, sizeof(msg));

    /* Any flipped bit in IV, ciphertext or tag fails the MAC. */
    for (size_t pos = 65; pos < sizeof(ct); pos += 7) {
        ct[pos] ^= 0x10;
        assert_int_equal(ethp2p_ecies_decrypt(&k, ct, sizeof(ct), mac, 2, out, &n), ETHP2P_EMAC);
        ct[pos] ^= 0x10;
    }
    mac[1] ^= 1;
    assert_int_equal(ethp2p_ecies_decrypt(&k, ct, sizeof(ct), mac, 2, out, &n), ETHP2P_EMAC);
    mac[1] ^= 1;

    /* The wrong recipient key fails the MAC. */
    ethp2p_privkey other;
    make_key(&rng, &other);
    assert_int_equal(ethp2p_ecies_decrypt(&other, ct, sizeof(ct), mac, 2, out, &n), ETHP2P_EMAC);

    /* An ephemeral point off the curve is refused before any ECDH. */
    ct[64] ^= 1;
    assert_int_equal(ethp2p_ecies_decrypt(&k, ct, sizeof(ct), mac, 2, out, &n), ETHP2P_ECIPHERTEXT);
    ct[64] ^= 1;
    ct[0] = 0x03;
    assert_int_equal(ethp2p_ecies_decrypt(&k, ct, sizeof(ct), mac, 2, out, &n), ETHP2P_ECIPHERTEXT);
    ct[0] = 0x04;
    assert_int_equal(ethp2p_ecies_decrypt(&k, ct, ETHP2P_ECIES_OVERHEAD - 1, mac, 2, out, &n),
                     ETHP2P_ECIPHERTEXT);
    /* An empty message is legal: overhead only. */
    uint8_t empty_ct[ETHP2P_ECIES_OVERHEAD];
    assert_int_equal(ethp2p_ecies_encrypt(&pub, NULL, 0, NULL, 0, empty_ct), 0);
    assert_int_equal(ethp2p_ecies_decrypt(&k, empty_ct, sizeof(empty_ct), NULL, 0, out, &n), 0);
    assert_int_equal(n, 0);
}

static void test_random_roundtrips(void **state)
{
    tu_rng rng = {0xec1e5};
    for (int iter = 0; iter < 100; iter++) {
        ethp2p_privkey k, eph;
        ethp2p_pubkey pub;
        make_key(&rng, &k);
        make_key(&rng, &eph);
        assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
        size_t len = tu_rand_below(&rng, 2048), maclen = tu_rand_below(&rng, 4);
        uint8_t *msg = malloc(len + 1), *ct = malloc(len + ETHP2P_ECIES_OVERHEAD),
                *ct2 = malloc(len + ETHP2P_ECIES_OVERHEAD), *out = malloc(len + 1);
        uint8_t iv[16], mac[4];
        tu_rand_bytes(&rng, msg, len);
        tu_rand_bytes(&rng, iv, 16);
        tu_rand_bytes(&rng, mac, maclen);
        assert_int_equal(ethp2p_ecies_encrypt_with(&pub, &eph, iv, msg, len, mac, maclen, ct), 0);
        /* Deterministic given the ephemeral key and IV. */
        assert_int_equal(ethp2p_ecies_encrypt_with(&pub, &eph, iv, msg, len, mac, maclen, ct2), 0);
        assert_memory_equal(ct, ct2, len + ETHP2P_ECIES_OVERHEAD);
        size_t n;
        assert_int_equal(ethp2p_ecies_decrypt(&k, ct, len + ETHP2P_ECIES_OVERHEAD, mac, maclen, out, &n), 0);
        assert_int_equal(n, len);
        if (len) assert_memory_equal(out, msg, len);
        /* The randomised public API round-trips as well, with different bytes each time. */
        assert_int_equal(ethp2p_ecies_encrypt(&pub, msg, len, mac, maclen, ct2), 0);
        assert_memory_not_equal(ct, ct2, 65);
        assert_int_equal(ethp2p_ecies_decrypt(&k, ct2, len + ETHP2P_ECIES_OVERHEAD, mac, maclen, out, &n), 0);
        if (len) assert_memory_equal(out, msg, len);
        free(msg);
        free(ct);
        free(ct2);
        free(out);
    }
}

static void test_kdf_counter_blocks(void **state)
{
    /* Output longer than one SHA-256 block must continue with counter 2, not repeat block 1. */
    uint8_t z[32] = {9}, out64[64], out32[32];
    ethp2p_concat_kdf_sha256(z, 32, out64, 64);
    ethp2p_concat_kdf_sha256(z, 32, out32, 32);
    assert_memory_equal(out64, out32, 32);
    assert_memory_not_equal(out64, out64 + 32, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decrypt_all_handshake_vectors),
        cmocka_unit_test(test_tampering_is_detected),
        cmocka_unit_test(test_random_roundtrips),
        cmocka_unit_test(test_kdf_counter_blocks),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

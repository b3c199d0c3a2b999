/* secp256k1 wrapper: vectors from rlpx-eip8.json, both signature forms, ECDH, node key files. */
#include "test_util.h"
#include "ethp2p/key.h"
#include "ethp2p/keccak.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *secp256k1_order_hex = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

TU_VECTORS_FIXTURE("vectors/rlpx-eip8.json")
#define vectors tu_vectors

static void vec_priv(const char *name, ethp2p_privkey *k) { tu_vec_hex("keys", name, k->b, 32); }

static void vec_pub(const char *name, ethp2p_pubkey *p) { tu_vec_hex("derived_pubkeys", name, p->b, 64); }

static void test_pubkey_derivation(void **state)
{
    static const char *pairs[][2] = {{"static_key_A", "static_pub_A"}, {"static_key_B", "static_pub_B"},
                                     {"ephemeral_key_A", "ephemeral_pub_A"}, {"ephemeral_key_B", "ephemeral_pub_B"}};
    for (int i = 0; i < 4; i++) {
        ethp2p_privkey k;
        ethp2p_pubkey want, got;
        vec_priv(pairs[i][0], &k);
        vec_pub(pairs[i][1], &want);
        assert_int_equal(ethp2p_privkey_to_pubkey(&k, &got), 0);
        assert_memory_equal(got.b, want.b, 64);
    }
}

/* rlpx.md: the auth signature signs ecdh(static) XOR nonce with the ephemeral key. */
static void test_published_auth_signature_recovers(void **state)
{
    ethp2p_privkey a;
    ethp2p_pubkey b_pub, eph_a, got;
    uint8_t shared[32], nonce[32], sig[65];
    vec_priv("static_key_A", &a);
    vec_pub("static_pub_B", &b_pub);
    vec_pub("ephemeral_pub_A", &eph_a);
    tu_hex_fixed(tu_str(json_object_get(vectors, "keys"), "nonce_A"), nonce, 32);
    tu_hex_fixed(tu_str(vectors, "auth_signature_published_in_go_ethereum"), sig, 65);
    assert_int_equal(ethp2p_ecdh(&a, &b_pub, shared), 0);
    for (int i = 0; i < 32; i++) shared[i] ^= nonce[i];
    assert_int_equal(ethp2p_recover(shared, sig, &got), 0);
    assert_memory_equal(got.b, eph_a.b, 64);
}

/* ECDH must give the raw X coordinate: check against the published RLPx secrets. */
static void test_ecdh_raw_x_gives_published_secrets(void **state)
{
    ethp2p_privkey eph_a, eph_b;
    ethp2p_pubkey pub_a, pub_b;
    uint8_t x1[32], x2[32], nonces[64], h[32], buf[64], shared[32], aes[32], mac[32], want[32];
    vec_priv("ephemeral_key_A", &eph_a);
    vec_priv("ephemeral_key_B", &eph_b);
    vec_pub("ephemeral_pub_A", &pub_a);
    vec_pub("ephemeral_pub_B", &pub_b);
    assert_int_equal(ethp2p_ecdh(&eph_b, &pub_a, x1), 0);
    assert_int_equal(ethp2p_ecdh(&eph_a, &pub_b, x2), 0);
    assert_memory_equal(x1, x2, 32);
    json_t *keys = json_object_get(vectors, "keys");
    tu_hex_fixed(tu_str(keys, "nonce_B"), nonces, 32);
    tu_hex_fixed(tu_str(keys, "nonce_A"), nonces + 32, 32);
    ethp2p_keccak256(nonces, 64, h);
    memcpy(buf, x1, 32);
    memcpy(buf + 32, h, 32);
    ethp2p_keccak256(buf, 64, shared);
    memcpy(buf + 32, shared, 32);
    ethp2p_keccak256(buf, 64, aes);
    memcpy(buf + 32, aes, 32);
    ethp2p_keccak256(buf, 64, mac);
    json_t *pub = json_object_get(json_object_get(vectors, "expected_secrets_auth2_ack2"), "published");
    tu_hex_fixed(tu_str(pub, "aes_secret"), want, 32);
    assert_memory_equal(aes, want, 32);
    tu_hex_fixed(tu_str(pub, "mac_secret"), want, 32);
    assert_memory_equal(mac, want, 32);
}

static void test_recoverable_roundtrip_and_v(void **state)
{
    tu_rng rng = {1};
    for (int i = 0; i < 50; i++) {
        ethp2p_privkey k;
        ethp2p_pubkey pub, got;
        uint8_t hash[32], sig[65];
        assert_int_equal(ethp2p_privkey_generate(&k), 0);
        assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
        tu_rand_bytes(&rng, hash, 32);
        assert_int_equal(ethp2p_sign_recoverable(&k, hash, sig), 0);
        assert_true(sig[64] <= 1);
        assert_int_equal(ethp2p_recover(hash, sig, &got), 0);
        assert_memory_equal(got.b, pub.b, 64);
        hash[0] ^= 1; /* another hash recovers another key (or none) */
        if (ethp2p_recover(hash, sig, &got) == 0) assert_memory_not_equal(got.b, pub.b, 64);
        hash[0] ^= 1;
        sig[64] += 27; /* Ethereum transaction style V is not devp2p's */
        assert_int_equal(ethp2p_recover(hash, sig, &got), ETHP2P_ESIG);
    }
}

/* s' = n - s: the malleable twin of a valid signature. */
static void negate_s(uint8_t sig[64])
{
    uint8_t n[32];
    tu_hex_fixed(secp256k1_order_hex, n, 32);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - sig[32 + i] - borrow;
        borrow = d < 0;
        sig[32 + i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
}

static void test_compact_sign_verify(void **state)
{
    ethp2p_privkey k, other;
    ethp2p_pubkey pub, opub;
    uint8_t hash[32] = {1, 2, 3}, sig[64];
    assert_int_equal(ethp2p_privkey_generate(&k), 0);
    assert_int_equal(ethp2p_privkey_generate(&other), 0);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
    assert_int_equal(ethp2p_privkey_to_pubkey(&other, &opub), 0);
    assert_int_equal(ethp2p_sign_compact(&k, hash, sig), 0);
    assert_int_equal(ethp2p_verify_compact(&pub, hash, sig), 0);
    assert_int_equal(ethp2p_verify_compact(&opub, hash, sig), ETHP2P_ESIG);
    hash[5] ^= 0x40;
    assert_int_equal(ethp2p_verify_compact(&pub, hash, sig), ETHP2P_ESIG);
    hash[5] ^= 0x40;
    negate_s(sig);
    assert_int_equal(ethp2p_verify_compact(&pub, hash, sig), ETHP2P_ESIG); /* high S */
}

static void test_key_validation_and_compression(void **state)
{
    ethp2p_privkey zero = {{0}}, order;
    tu_hex_fixed(secp256k1_order_hex, order.b, 32);
    assert_int_equal(ethp2p_privkey_check(&zero), ETHP2P_EKEY);
    assert_int_equal(ethp2p_privkey_check(&order), ETHP2P_EKEY);
    ethp2p_pubkey pub, back;
    assert_int_equal(ethp2p_privkey_to_pubkey(&zero, &pub), ETHP2P_EKEY);

    ethp2p_privkey k;
    vec_priv("static_key_B", &k);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
    uint8_t comp[33];
    assert_int_equal(ethp2p_pubkey_compress(&pub, comp), 0);
    assert_true(comp[0] == 2 || comp[0] == 3);
    assert_memory_equal(comp + 1, pub.b, 32);
    assert_int_equal(ethp2p_pubkey_decompress(comp, &back), 0);
    assert_memory_equal(back.b, pub.b, 64);
    comp[0] = 0x04;
    assert_int_equal(ethp2p_pubkey_decompress(comp, &back), ETHP2P_EKEY);

    ethp2p_pubkey off = pub;
    off.b[63] ^= 1; /* y no longer matches x */
    assert_int_equal(ethp2p_pubkey_check(&off), ETHP2P_EKEY);
    uint8_t x[32];
    assert_int_equal(ethp2p_ecdh(&k, &off, x), ETHP2P_EKEY);
}

static void test_nodekey_file(void **state)
{
    char dir[] = "/tmp/ethp2p-keytest-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/nodekey", dir);

    ethp2p_privkey k, loaded;
    assert_int_equal(ethp2p_privkey_generate(&k), 0);
    assert_int_equal(ethp2p_nodekey_save(path, &k), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 64);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), 0);
    assert_memory_equal(loaded.b, k.b, 32);

    /* Never overwrite: the file keeps the first key. */
    ethp2p_privkey k2;
    assert_int_equal(ethp2p_privkey_generate(&k2), 0);
    assert_int_equal(ethp2p_nodekey_save(path, &k2), ETHP2P_EEXIST);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), 0);
    assert_memory_equal(loaded.b, k.b, 32);

    /* Reference-client files written with a trailing newline load too. */
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\n", "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291");
    fclose(f);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), 0);
    assert_int_equal(loaded.b[0], 0xb7);

    f = fopen(path, "w");
    fprintf(f, "not a key");
    fclose(f);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), ETHP2P_EFORMAT);
    f = fopen(path, "w");
    fprintf(f, "%064d", 0); /* 64 hex zeros: well formed but not a valid key */
    fclose(f);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), ETHP2P_EKEY);
    unlink(path);
    assert_int_equal(ethp2p_nodekey_load(path, &loaded), ETHP2P_EIO);
    assert_int_equal(errno, ENOENT);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pubkey_derivation),
        cmocka_unit_test(test_published_auth_signature_recovers),
        cmocka_unit_test(test_ecdh_raw_x_gives_published_secrets),
        cmocka_unit_test(test_recoverable_roundtrip_and_v),
        cmocka_unit_test(test_compact_sign_verify),
        cmocka_unit_test(test_key_validation_and_compression),
        cmocka_unit_test(test_nodekey_file),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

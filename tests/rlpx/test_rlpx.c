/* RLPx handshake and frames: the EIP-8 vectors, the published secrets, round trips, tampering. */
#include "test_util.h"
#include "ethp2p/ecies.h"
#include "ethp2p/rlpx.h"

#include <stdlib.h>
#include <string.h>

TU_VECTORS_FIXTURE("vectors/rlpx-eip8.json")

static ethp2p_rlpx_handshake hs, hs2; /* large: keep off the stack */

static void key(const char *name, ethp2p_privkey *k) { tu_vec_hex("keys", name, k->b, 32); }
static void pub(const char *name, ethp2p_pubkey *p) { tu_vec_hex("derived_pubkeys", name, p->b, 64); }

static uint8_t *message(const char *name, size_t *len)
{
    json_t *msgs = json_object_get(tu_vectors, "messages");
    for (size_t i = 0; i < json_array_size(msgs); i++)
        if (strcmp(tu_str(json_array_get(msgs, i), "name"), name) == 0)
            return tu_hex(tu_str(json_array_get(msgs, i), "hex"), len);
    fail_msg("no vector %s", name);
    return NULL;
}

/* B as recipient, with the vector's ephemeral key and nonce. */
static void recipient_b(void)
{
    ethp2p_privkey b;
    key("static_key_B", &b);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 0, &b, NULL), 0);
    key("ephemeral_key_B", &hs.eph_key);
    tu_vec_hex("keys", "nonce_B", hs.resp_nonce, 32);
}

static void test_auth_vectors(void **state)
{
    static const char *names[] = {"auth1", "auth2", "auth3"};
    for (int i = 0; i < 3; i++) {
        recipient_b();
        size_t len, used;
        uint8_t *m = message(names[i], &len);
        assert_int_equal(ethp2p_rlpx_auth_read(&hs, m, len, &used), 0);
        assert_int_equal(used, len);
        assert_int_equal(hs.legacy, i == 0);
        ethp2p_pubkey want;
        pub("ephemeral_pub_A", &want);
        assert_memory_equal(hs.remote_eph.b, want.b, 64);
        pub("static_pub_A", &want);
        assert_memory_equal(hs.remote_static.b, want.b, 64);
        uint8_t nonce[32];
        tu_vec_hex("keys", "nonce_A", nonce, 32);
        assert_memory_equal(hs.init_nonce, nonce, 32);
        /* Fed byte by byte, the reader asks for exactly what it needs. */
        size_t have = 0;
        int rc;
        recipient_b();
        while ((rc = ethp2p_rlpx_auth_read(&hs, m, have, &used)) == 1) {
            assert_true(used > have && used <= len);
            have = used;
        }
        assert_int_equal(rc, 0);
        free(m);
    }
}

static void test_ack_vectors(void **state)
{
    static const char *names[] = {"ack1", "ack2", "ack3"};
    for (int i = 0; i < 3; i++) {
        ethp2p_privkey a;
        ethp2p_pubkey b;
        key("static_key_A", &a);
        pub("static_pub_B", &b);
        assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 1, &a, &b), 0);
        size_t len, used;
        uint8_t *m = message(names[i], &len);
        assert_int_equal(ethp2p_rlpx_ack_read(&hs, m, len, &used), 0);
        assert_int_equal(used, len);
        ethp2p_pubkey want;
        pub("ephemeral_pub_B", &want);
        assert_memory_equal(hs.remote_eph.b, want.b, 64);
        uint8_t nonce[32];
        tu_vec_hex("keys", "nonce_B", nonce, 32);
        assert_memory_equal(hs.resp_nonce, nonce, 32);
        free(m);
    }
}

static void test_published_secrets(void **state)
{
    recipient_b();
    size_t len, used, alen;
    uint8_t *auth = message("auth2", &len);
    assert_int_equal(ethp2p_rlpx_auth_read(&hs, auth, len, &used), 0);
    uint8_t *ack = message("ack2", &alen);
    memcpy(hs.ack, ack, alen); /* the ack as B sent it in the vector */
    hs.ack_len = alen;
    ethp2p_rlpx_secrets s;
    assert_int_equal(ethp2p_rlpx_secrets_derive(&hs, &s), 0);
    json_t *p = json_object_get(json_object_get(tu_vectors, "expected_secrets_auth2_ack2"), "published");
    uint8_t want[32];
    tu_hex_fixed(tu_str(p, "aes_secret"), want, 32);
    assert_memory_equal(s.aes, want, 32);
    tu_hex_fixed(tu_str(p, "mac_secret"), want, 32);
    assert_memory_equal(s.mac, want, 32);
    ethp2p_keccak256_update(&s.ingress_mac, "foo", 3);
    uint8_t got[32];
    ethp2p_keccak256_peek(&s.ingress_mac, got);
    tu_hex_fixed(tu_str(p, "ingress_mac_of_foo_on_B"), want, 32);
    assert_memory_equal(got, want, 32);
    free(auth);
    free(ack);
}

/* A full handshake between two fresh nodes; returns both sides' secrets. */
static void handshake(int legacy_auth, ethp2p_rlpx_secrets *sa, ethp2p_rlpx_secrets *sb)
{
    ethp2p_privkey a, b;
    ethp2p_pubkey pa, pb;
    assert_int_equal(ethp2p_privkey_generate(&a), 0);
    assert_int_equal(ethp2p_privkey_generate(&b), 0);
    assert_int_equal(ethp2p_privkey_to_pubkey(&a, &pa), 0);
    assert_int_equal(ethp2p_privkey_to_pubkey(&b, &pb), 0);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 1, &a, &pb), 0);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs2, 0, &b, NULL), 0);
    uint8_t buf[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t len, used;
    if (!legacy_auth) {
        assert_int_equal(ethp2p_rlpx_auth_write(&hs, buf, &len), 0);
        assert_true(len >= 2 + 113 + 100 && len <= 2 + ETHP2P_RLPX_MAX_HANDSHAKE);
        memcpy(hs.auth, buf, len);
        hs.auth_len = len;
    } else {
        /* An old peer's auth: sig | keccak(eph) | pubkey | nonce | 0, ECIES without prefix. */
        uint8_t plain[194] = {0}, value[32];
        ethp2p_pubkey eph;
        assert_int_equal(ethp2p_ecdh(&a, &pb, value), 0);
        for (int i = 0; i < 32; i++) value[i] ^= hs.init_nonce[i];
        assert_int_equal(ethp2p_sign_recoverable(&hs.eph_key, value, plain), 0);
        assert_int_equal(ethp2p_privkey_to_pubkey(&hs.eph_key, &eph), 0);
        ethp2p_keccak256(eph.b, 64, plain + 65);
        memcpy(plain + 97, pa.b, 64);
        memcpy(plain + 161, hs.init_nonce, 32);
        assert_int_equal(ethp2p_ecies_encrypt(&pb, plain, sizeof(plain), NULL, 0, buf), 0);
        len = ETHP2P_RLPX_AUTH_LEGACY_SIZE;
        memcpy(hs.auth, buf, len);
        hs.auth_len = len;
    }
    assert_int_equal(ethp2p_rlpx_auth_read(&hs2, buf, len, &used), 0);
    assert_int_equal(hs2.legacy, legacy_auth);
    assert_memory_equal(hs2.remote_static.b, pa.b, 64);
    assert_int_equal(ethp2p_rlpx_ack_write(&hs2, buf, &len), 0);
    if (legacy_auth) assert_int_equal(len, ETHP2P_RLPX_ACK_LEGACY_SIZE); /* answered in kind */
    assert_int_equal(ethp2p_rlpx_ack_read(&hs, buf, len, &used), 0);
    assert_int_equal(ethp2p_rlpx_secrets_derive(&hs, sa), 0);
    assert_int_equal(ethp2p_rlpx_secrets_derive(&hs2, sb), 0);
}

static void test_handshake_roundtrip(void **state)
{
    for (int legacy = 0; legacy < 2; legacy++) {
        ethp2p_rlpx_secrets sa, sb;
        handshake(legacy, &sa, &sb);
        assert_memory_equal(sa.aes, sb.aes, 32);
        assert_memory_equal(sa.mac, sb.mac, 32);
        uint8_t d1[32], d2[32];
        ethp2p_keccak256_peek(&sa.egress_mac, d1);
        ethp2p_keccak256_peek(&sb.ingress_mac, d2);
        assert_memory_equal(d1, d2, 32);
        ethp2p_keccak256_peek(&sa.ingress_mac, d1);
        ethp2p_keccak256_peek(&sb.egress_mac, d2);
        assert_memory_equal(d1, d2, 32);
    }
}

static void test_handshake_rejects(void **state)
{
    ethp2p_privkey b;
    key("static_key_B", &b);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 0, &b, NULL), 0);
    uint8_t buf[3000];
    size_t used;
    memset(buf, 0x55, sizeof(buf));
    buf[0] = 0x08; /* size 0x0855 > 2048 */
    assert_int_equal(ethp2p_rlpx_auth_read(&hs, buf, sizeof(buf), &used), ETHP2P_EINVAL);
    buf[0] = 0x01; /* size 0x0155: plausible, but not ECIES for us */
    assert_true(ethp2p_rlpx_auth_read(&hs, buf, sizeof(buf), &used) < 0);
    /* An auth meant for someone else (A's key cannot decrypt it). */
    size_t len;
    uint8_t *m = message("auth2", &len);
    ethp2p_privkey a;
    key("static_key_A", &a);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 0, &a, NULL), 0);
    assert_int_equal(ethp2p_rlpx_auth_read(&hs, m, len, &used), ETHP2P_EMAC);
    free(m);
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 1, &a, NULL), ETHP2P_EINVAL); /* initiator needs a remote */
}

static void test_frame_vector_cipher_layout(void **state)
{
    /* go-ethereum's TestFrameReadWrite: aes and mac secrets = keccak256(""), header
     * and body ciphertexts as published (its MACs come from a fake hash, so only
     * the cipher and layout are comparable). */
    json_t *v = json_object_get(tu_vectors, "frame_vector");
    ethp2p_rlpx_secrets s;
    memset(&s, 0, sizeof(s));
    ethp2p_keccak256("", 0, s.aes);
    ethp2p_keccak256("", 0, s.mac);
    ethp2p_rlpx_frame_codec c;
    ethp2p_rlpx_frame_init(&c, &s);
    size_t dlen, flen;
    uint8_t *data = tu_hex(tu_str(v, "frame_data"), &dlen);
    uint8_t *want = tu_hex(tu_str(v, "frame_hex"), &flen);
    ethp2p_buffer out;
    ethp2p_buffer_init(&out, 0);
    assert_int_equal(ethp2p_rlpx_frame_write(&c, data, dlen, &out), 0);
    assert_int_equal(out.len, flen);
    assert_memory_equal(out.data, want, 16);            /* header ciphertext */
    assert_memory_equal(out.data + 32, want + 32, 16);  /* body ciphertext */
    ethp2p_buffer_clear(&out);
    free(data);
    free(want);
}

static void test_frames_roundtrip_and_tampering(void **state)
{
    ethp2p_rlpx_secrets sa, sb;
    handshake(0, &sa, &sb);
    ethp2p_rlpx_frame_codec ca, cb;
    ethp2p_rlpx_frame_init(&ca, &sa);
    ethp2p_rlpx_frame_init(&cb, &sb);
    tu_rng rng = {17};
    ethp2p_buffer wire;
    ethp2p_buffer_init(&wire, 0);
    for (int i = 0; i < 200; i++) {
        size_t len = tu_rand_below(&rng, 5000);
        uint8_t *msg = malloc(len + 1);
        tu_rand_bytes(&rng, msg, len);
        ethp2p_buffer_reset(&wire);
        ethp2p_rlpx_frame_codec *w = (i % 2) ? &cb : &ca, *r = (i % 2) ? &ca : &cb;
        assert_int_equal(ethp2p_rlpx_frame_write(w, msg, len, &wire), 0);
        size_t fsize, blen;
        assert_int_equal(ethp2p_rlpx_frame_read_header(r, wire.data, &fsize, &blen), 0);
        assert_int_equal(fsize, len);
        assert_int_equal(32 + blen, wire.len);
        assert_int_equal(ethp2p_rlpx_frame_read_body(r, wire.data + 32, blen), 0);
        if (len) assert_memory_equal(wire.data + 32, msg, len);
        free(msg);
    }
    /* Any flipped bit in header, header MAC, body or body MAC is refused. */
    static const size_t spots[] = {0, 5, 16, 31, 32, 40, 47, 48, 63};
    for (size_t k = 0; k < sizeof(spots) / sizeof(spots[0]); k++) {
        ethp2p_rlpx_frame_codec wa = ca, rb = cb;
        ethp2p_buffer_reset(&wire);
        uint8_t msg[16] = {1, 2, 3}; /* one block: header 32 + body 16 + MAC 16 */
        assert_int_equal(ethp2p_rlpx_frame_write(&wa, msg, sizeof(msg), &wire), 0);
        assert_int_equal(wire.len, 64);
        wire.data[spots[k]] ^= 0x04;
        size_t fsize, blen;
        int rc = ethp2p_rlpx_frame_read_header(&rb, wire.data, &fsize, &blen);
        if (spots[k] < 32) {
            assert_int_equal(rc, ETHP2P_EMAC);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(ethp2p_rlpx_frame_read_body(&rb, wire.data + 32, blen), ETHP2P_EMAC);
        }
    }
    ethp2p_buffer_clear(&wire);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_vectors),
        cmocka_unit_test(test_ack_vectors),
        cmocka_unit_test(test_published_secrets),
        cmocka_unit_test(test_handshake_roundtrip),
        cmocka_unit_test(test_handshake_rejects),
        cmocka_unit_test(test_frame_vector_cipher_layout),
        cmocka_unit_test(test_frames_roundtrip_and_tampering),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

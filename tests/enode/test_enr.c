/* ENR (EIP-778): the published vector, strict decoding, signing, setters, and random records. */
#include "test_util.h"
#include "ethp2p/enr.h"
#include "ethp2p/hex.h"
#include "ethp2p/rlp.h"

#include <stdlib.h>
#include <string.h>

TU_VECTORS_FIXTURE("vectors/enr.json")
#define vec tu_vectors

static void test_published_record(void **state)
{
    ethp2p_enr r;
    json_t *pub = json_object_get(vec, "published_fields"), *der = json_object_get(vec, "derived");
    assert_int_equal(ethp2p_enr_from_text(tu_str(vec, "enr_text"), &r), 0);
    assert_int_equal(ethp2p_enr_verify(&r), 0);
    assert_int_equal(r.seq, 1);
    char scheme[8];
    assert_int_equal(ethp2p_enr_get_id_scheme(&r, scheme, sizeof(scheme)), 0);
    assert_string_equal(scheme, "v4");
    ethp2p_ip ip;
    assert_int_equal(ethp2p_enr_get_ip(&r, 4, &ip), 0);
    assert_int_equal(ip.b[0], 127);
    assert_int_equal(ip.b[3], 1);
    uint16_t port;
    assert_int_equal(ethp2p_enr_get_port(&r, "udp", &port), 0);
    assert_int_equal(port, 30303);
    assert_int_equal(ethp2p_enr_get_port(&r, "tcp", &port), ETHP2P_ENOTFOUND); /* expected_tcp: absent */
    assert_int_equal(ethp2p_enr_get_port(&r, "udp6", &port), 0);                /* falls back to udp */
    assert_int_equal(port, 30303);
    ethp2p_node_id id, want;
    assert_int_equal(ethp2p_enr_node_id(&r, &id), 0);
    tu_hex_fixed(tu_str(pub, "node_id"), want.b, 32);
    assert_memory_equal(id.b, want.b, 32);
    uint8_t sig[64];
    tu_hex_fixed(tu_str(pub, "signature"), sig, 64);
    assert_int_equal(r.signature_len, 64);
    assert_memory_equal(r.signature, sig, 64);
    /* Keys in the published order. */
    json_t *order = json_object_get(pub, "key_order");
    assert_int_equal(r.npairs, json_array_size(order));
    for (size_t i = 0; i < r.npairs; i++) {
        const char *k = json_string_value(json_array_get(order, i));
        assert_int_equal(r.pairs[i].key_len, strlen(k));
        assert_memory_equal(r.kv + r.pairs[i].key_off, k, strlen(k));
    }
    /* Re-encoding gives the same bytes and the same text. */
    uint8_t enc[300];
    size_t len, wl;
    assert_int_equal(ethp2p_enr_encode(&r, enc, sizeof(enc), &len), 0);
    uint8_t *w = tu_hex(tu_str(der, "rlp_hex"), &wl);
    assert_int_equal(len, wl);
    assert_memory_equal(enc, w, wl);
    free(w);
    char text[ETHP2P_ENR_TEXT_MAX];
    assert_int_equal(ethp2p_enr_to_text(&r, text, sizeof(text)), 0);
    assert_string_equal(text, tu_str(vec, "enr_text"));
    uint8_t hash[32], wanthash[32];
    assert_int_equal(ethp2p_enr_signing_hash(&r, hash), 0);
    tu_hex_fixed(tu_str(der, "signing_hash_keccak256"), wanthash, 32);
    assert_memory_equal(hash, wanthash, 32);
}

static void test_sign_reproduces_published_record(void **state)
{
    /* RFC 6979 nonces make signing deterministic: building the same record
     * with the published key must give the published bytes. */
    ethp2p_privkey key;
    tu_hex_fixed(tu_str(vec, "private_key"), key.b, 32);
    ethp2p_enr r;
    ethp2p_enr_init(&r);
    r.seq = 1;
    ethp2p_ip ip;
    assert_int_equal(ethp2p_ip_parse("127.0.0.1", &ip), 0);
    assert_int_equal(ethp2p_enr_set_port(&r, "udp", 30303), 0);
    assert_int_equal(ethp2p_enr_set_ip(&r, &ip), 0);
    assert_int_equal(ethp2p_enr_sign(&r, &key), 0);
    assert_int_equal(ethp2p_enr_verify(&r), 0);
    char text[ETHP2P_ENR_TEXT_MAX];
    assert_int_equal(ethp2p_enr_to_text(&r, text, sizeof(text)), 0);
    assert_string_equal(text, tu_str(vec, "enr_text"));
}

/* Builds a record from (key, value-RLP-hex) pairs in the order given, with a fake signature. */
static size_t build_raw(uint8_t *out, const char *const *kv, size_t n, uint64_t seq)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    uint8_t sig[64] = {1};
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, sig, 64);
    ethp2p_rlp_put_uint(&w, seq);
    for (size_t i = 0; i < n; i++) {
        if (i % 2 == 0) {
            ethp2p_rlp_put_str(&w, kv[i]);
        } else {
            uint8_t v[512];
            size_t vl;
            assert_int_equal(ethp2p_hex_decode(kv[i], strlen(kv[i]), v, sizeof(v), &vl), 0);
            ethp2p_rlp_put_raw(&w, v, vl);
        }
    }
    ethp2p_rlp_list_end(&w);
    const uint8_t *enc;
    size_t len;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &enc, &len), 0);
    memcpy(out, enc, len);
    ethp2p_rlp_writer_clear(&w);
    return len;
}

static void test_decode_rejects(void **state)
{
    ethp2p_enr r;
    uint8_t buf[1024];
    size_t len;
    const char *sorted[] = {"id", "827634", "ip", "847f000001"};
    len = build_raw(buf, sorted, 4, 1);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), 0);

    const char *unsorted[] = {"ip", "847f000001", "id", "827634"};
    len = build_raw(buf, unsorted, 4, 1);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), ETHP2P_ERECORD_KEYS);

    const char *dup[] = {"id", "827634", "id", "827634"};
    len = build_raw(buf, dup, 4, 1);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), ETHP2P_ERECORD_KEYS);

    const char *odd[] = {"id", "827634", "ip"};
    len = build_raw(buf, odd, 3, 1);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), ETHP2P_ERLP_TOO_FEW);

    /* A proper prefix sorts first: "ip" < "ip6". */
    const char *prefix[] = {"ip", "847f000001", "ip6", "9000000000000000000000000000000001"};
    len = build_raw(buf, prefix, 4, 1);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), 0);

    /* Over 300 bytes. */
    char big[6 + 2 * 260 + 1] = "b90104";
    memset(big + 6, 'a', 2 * 260);
    big[6 + 2 * 260] = '\0';
    const char *large[] = {"z", big};
    len = build_raw(buf, large, 2, 1);
    assert_true(len > 300);
    assert_int_equal(ethp2p_enr_decode(buf, len, &r), ETHP2P_ERECORD_SIZE);

    /* Not a list; trailing bytes; non-canonical seq. */
    uint8_t s[] = {0x80};
    assert_int_equal(ethp2p_enr_decode(s, 1, &r), ETHP2P_ERLP_EXPECTED_LIST);
    len = build_raw(buf, sorted, 4, 1);
    buf[len] = 0x00;
    assert_int_equal(ethp2p_enr_decode(buf, len + 1, &r), ETHP2P_ERLP_TRAILING);
    uint8_t badseq[] = {0xc4, 0x80, 0x82, 0x00, 0x01};
    assert_int_equal(ethp2p_enr_decode(badseq, sizeof(badseq), &r), ETHP2P_ERLP_INT_LEADING_ZERO);
    /* A list where a key belongs. */
    uint8_t listkey[] = {0xc4, 0x80, 0x01, 0xc0, 0x80};
    assert_int_equal(ethp2p_enr_decode(listkey, sizeof(listkey), &r), ETHP2P_ERLP_EXPECTED_STRING);

    /* Text form: missing prefix, padding. */
    assert_int_equal(ethp2p_enr_from_text("-IS4QHCY", &r), ETHP2P_EFORMAT);
    char padded[ETHP2P_ENR_TEXT_MAX + 4];
    snprintf(padded, sizeof(padded), "%s=", tu_str(vec, "enr_text"));
    assert_int_not_equal(ethp2p_enr_from_text(padded, &r), 0);
}

static void test_verify_failures(void **state)
{
    ethp2p_enr r, t;
    assert_int_equal(ethp2p_enr_from_text(tu_str(vec, "enr_text"), &r), 0);
    t = r;
    t.signature[10] ^= 1;
    assert_int_equal(ethp2p_enr_verify(&t), ETHP2P_ESIG);
    t = r;
    t.seq = 2; /* changed content, old signature */
    assert_int_equal(ethp2p_enr_verify(&t), ETHP2P_ESIG);
    t = r;
    t.signature_len = 63;
    assert_int_equal(ethp2p_enr_verify(&t), ETHP2P_ESIG);
    t = r;
    uint8_t v5[] = {0x82, 'v', '5'};
    assert_int_equal(ethp2p_enr_set_raw(&t, "id", v5, sizeof(v5)), 0);
    assert_int_equal(ethp2p_enr_verify(&t), ETHP2P_ERECORD_SCHEME);
    t = r;
    assert_int_equal(ethp2p_enr_remove(&t, "secp256k1"), 0);
    assert_int_equal(ethp2p_enr_verify(&t), ETHP2P_ERECORD_FIELD);
    assert_int_equal(ethp2p_enr_remove(&t, "secp256k1"), ETHP2P_ENOTFOUND);
    /* Setters invalidate the signature; encoding an unsigned record is refused. */
    uint8_t out[300];
    size_t n;
    assert_int_equal(ethp2p_enr_encode(&t, out, sizeof(out), &n), ETHP2P_ESIG);
}

static void test_setters_keep_order_and_unknown_keys(void **state)
{
    ethp2p_privkey key;
    assert_int_equal(ethp2p_privkey_generate(&key), 0);
    ethp2p_enr r, back;
    ethp2p_enr_init(&r);
    r.seq = 7;
    uint8_t eth[] = {0xc7, 0xc6, 0x84, 0xfc, 0x64, 0xec, 0x04, 0x80}; /* eth = [[forkhash, next]] */
    assert_int_equal(ethp2p_enr_set_raw(&r, "eth", eth, sizeof(eth)), 0);
    assert_int_equal(ethp2p_enr_set_port(&r, "udp", 0), 0);
    assert_int_equal(ethp2p_enr_set_port(&r, "tcp", 30303), 0);
    ethp2p_ip ip6;
    assert_int_equal(ethp2p_ip_parse("2001:db8::1", &ip6), 0);
    assert_int_equal(ethp2p_enr_set_ip(&r, &ip6), 0);
    assert_int_equal(ethp2p_enr_set_port(&r, "tcp", 30304), 0); /* replace */
    uint8_t bad[] = {0x82, 0x01};
    assert_int_equal(ethp2p_enr_set_raw(&r, "x", bad, sizeof(bad)), ETHP2P_EINVAL);
    assert_int_equal(ethp2p_enr_sign(&r, &key), 0);
    char text[ETHP2P_ENR_TEXT_MAX];
    assert_int_equal(ethp2p_enr_to_text(&r, text, sizeof(text)), 0);
    assert_int_equal(ethp2p_enr_from_text(text, &back), 0);
    assert_int_equal(ethp2p_enr_verify(&back), 0);
    assert_int_equal(back.seq, 7);
    static const char *order[] = {"eth", "id", "ip6", "secp256k1", "tcp", "udp"};
    assert_int_equal(back.npairs, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(back.pairs[i].key_len, strlen(order[i]));
        assert_memory_equal(back.kv + back.pairs[i].key_off, order[i], strlen(order[i]));
    }
    const uint8_t *v;
    size_t vl;
    assert_int_equal(ethp2p_enr_get_raw(&back, "eth", &v, &vl), 0);
    assert_int_equal(vl, sizeof(eth));
    assert_memory_equal(v, eth, vl);
    uint16_t port;
    assert_int_equal(ethp2p_enr_get_port(&back, "tcp", &port), 0);
    assert_int_equal(port, 30304);
    assert_int_equal(ethp2p_enr_get_port(&back, "tcp6", &port), 0); /* falls back to tcp */
    assert_int_equal(port, 30304);
    assert_int_equal(ethp2p_enr_get_port(&back, "udp", &port), 0);
    assert_int_equal(port, 0);
    assert_int_equal(ethp2p_enr_get_raw(&back, "udp", &v, &vl), 0);
    assert_int_equal(v[0], 0x80); /* port 0 is the empty string, canonically */
    ethp2p_enode node;
    assert_int_equal(ethp2p_enr_to_enode(&back, &node), 0);
    assert_int_equal(node.ip.family, 6);
    assert_int_equal(node.tcp, 30304);
    ethp2p_pubkey pub;
    assert_int_equal(ethp2p_privkey_to_pubkey(&key, &pub), 0);
    assert_memory_equal(node.pubkey.b, pub.b, 64);

    /* A record that would exceed 300 bytes cannot be signed. */
    uint8_t blob[260];
    blob[0] = 0xb9;
    blob[1] = 0x01;
    blob[2] = 0x01;
    memset(blob + 3, 0xab, sizeof(blob) - 3);
    assert_int_equal(ethp2p_enr_set_raw(&r, "zz", blob, 3 + 257), ETHP2P_ERECORD_SIZE);
    uint8_t mid[] = {0xb8, 0xc8};
    uint8_t midv[2 + 200];
    memcpy(midv, mid, 2);
    memset(midv + 2, 1, 200);
    assert_int_equal(ethp2p_enr_set_raw(&r, "zz", midv, sizeof(midv)), 0);
    assert_int_equal(ethp2p_enr_sign(&r, &key), ETHP2P_ERECORD_SIZE);
}

static void test_random_records_roundtrip(void **state)
{
    tu_rng rng = {778};
    for (int iter = 0; iter < 200; iter++) {
        ethp2p_privkey key;
        do tu_rand_bytes(&rng, key.b, 32);
        while (ethp2p_privkey_check(&key));
        ethp2p_enr r, back;
        ethp2p_enr_init(&r);
        r.seq = tu_rand(&rng) >> tu_rand_below(&rng, 64);
        int nkeys = (int)tu_rand_below(&rng, 6);
        for (int k = 0; k < nkeys; k++) {
            char name[8];
            size_t nl = 1 + tu_rand_below(&rng, 6);
            for (size_t c = 0; c < nl; c++) name[c] = (char)('a' + tu_rand_below(&rng, 26));
            name[nl] = '\0';
            uint8_t val[40];
            size_t vl = tu_rand_below(&rng, 20);
            val[0] = (uint8_t)(0x80 + vl);
            tu_rand_bytes(&rng, val + 1, vl);
            if (vl == 1 && val[1] < 0x80) { val[0] = val[1]; vl = 0; }
            assert_int_equal(ethp2p_enr_set_raw(&r, name, val, vl + 1), 0);
        }
        ethp2p_ip ip = {4, {(uint8_t)tu_rand(&rng), 1, 2, 3}};
        assert_int_equal(ethp2p_enr_set_ip(&r, &ip), 0);
        assert_int_equal(ethp2p_enr_set_port(&r, "udp", (uint16_t)tu_rand(&rng)), 0);
        assert_int_equal(ethp2p_enr_sign(&r, &key), 0);
        char text[ETHP2P_ENR_TEXT_MAX];
        assert_int_equal(ethp2p_enr_to_text(&r, text, sizeof(text)), 0);
        assert_int_equal(ethp2p_enr_from_text(text, &back), 0);
        assert_int_equal(ethp2p_enr_verify(&back), 0);
        assert_true(back.seq == r.seq);
        assert_int_equal(back.npairs, r.npairs);
        uint8_t e1[300], e2[300];
        size_t l1, l2;
        assert_int_equal(ethp2p_enr_encode(&r, e1, sizeof(e1), &l1), 0);
        assert_int_equal(ethp2p_enr_encode(&back, e2, sizeof(e2), &l2), 0);
        assert_int_equal(l1, l2);
        assert_memory_equal(e1, e2, l1);
        for (size_t i = 1; i < back.npairs; i++) { /* strictly sorted */
            const ethp2p_enr_pair *a = &back.pairs[i - 1], *b = &back.pairs[i];
            size_t m = a->key_len < b->key_len ? a->key_len : b->key_len;
            int c = memcmp(back.kv + a->key_off, back.kv + b->key_off, m);
            assert_true(c < 0 || (c == 0 && a->key_len < b->key_len));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_record),
        cmocka_unit_test(test_sign_reproduces_published_record),
        cmocka_unit_test(test_decode_rejects),
        cmocka_unit_test(test_verify_failures),
        cmocka_unit_test(test_setters_keep_order_and_unknown_keys),
        cmocka_unit_test(test_random_records_roundtrip),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

/* discv4 codec: the EIP-8 vectors, round trips of all six packets, and every rejection. */
#include "test_util.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"
#include "ethp2p/v4wire.h"

#include <stdlib.h>
#include <string.h>

TU_VECTORS_FIXTURE("vectors/discv4-packets.json")

static ethp2p_v4_packet pkt; /* large (ENR in a union): keep it off the stack */
static ethp2p_v4_packet pkt2;

static void test_eip8_vectors(void **state)
{
    json_t *packets = json_object_get(tu_vectors, "packets");
    assert_int_equal(json_array_size(packets), 5);
    ethp2p_node_id want_id;
    tu_vec_hex(NULL, "expected_sender_node_id", want_id.b, 32);
    for (size_t i = 0; i < json_array_size(packets); i++) {
        json_t *v = json_array_get(packets, i);
        size_t len;
        uint8_t *raw = tu_hex(tu_str(v, "packet"), &len);
        ethp2p_v4_meta meta;
        int rc = ethp2p_v4_decode(raw, len, &pkt, &meta);
        if (rc) fail_msg("vector %s rejected: %s", tu_str(v, "name"), ethp2p_strerror(rc));
        json_t *d = json_object_get(v, "derived");
        assert_int_equal(pkt.type, json_integer_value(json_object_get(d, "packet_type")));
        assert_memory_equal(meta.sender_id.b, want_id.b, 32);
        uint8_t hash[32];
        tu_hex_fixed(tu_str(d, "hash"), hash, 32);
        assert_memory_equal(meta.hash, hash, 32);
        assert_int_equal(pkt.expiration, 1136239445);
        const char *name = tu_str(v, "name");
        if (strcmp(name, "ping_v4_extra_elements") == 0) {
            assert_int_equal(pkt.u.ping.version, 4);
            assert_int_equal(pkt.u.ping.from.ip.family, 4);
            assert_int_equal(pkt.u.ping.from.udp, 3322);
            assert_int_equal(pkt.u.ping.from.tcp, 5544);
            assert_int_equal(pkt.u.ping.to.ip.family, 6);
            assert_int_equal(pkt.u.ping.to.udp, 2222);
            assert_int_equal(pkt.u.ping.to.tcp, 3333);
            assert_true(pkt.u.ping.has_enr_seq); /* as the reference reads it: ENRSeq = 1 */
            assert_int_equal(pkt.u.ping.enr_seq, 1);
        } else if (strcmp(name, "ping_v555_extra_elements_and_data") == 0) {
            assert_int_equal(pkt.u.ping.version, 555);
            assert_false(pkt.u.ping.has_enr_seq); /* a list sits in that slot */
        } else if (strcmp(name, "pong_extra_elements_and_data") == 0) {
            assert_int_equal(pkt.u.pong.to.udp, 2222);
            assert_int_equal(pkt.u.pong.to.tcp, 33338);
            assert_int_equal(pkt.u.pong.ping_hash[0], 0xfb);
        } else if (strcmp(name, "findnode_extra_elements_and_data") == 0) {
            assert_int_equal(pkt.u.findnode.target.b[0], 0xca);
        } else if (strcmp(name, "neighbours_extra_elements_and_data") == 0) {
            assert_int_equal(pkt.u.neighbours.count, 4);
            assert_int_equal(pkt.u.neighbours.skipped, 0);
            assert_int_equal(pkt.u.neighbours.nodes[0].ep.ip.b[0], 0x63);
            assert_int_equal(pkt.u.neighbours.nodes[0].ep.udp, 0x115c);
            assert_int_equal(pkt.u.neighbours.nodes[1].ep.udp, 1); /* single-byte port */
            assert_int_equal(pkt.u.neighbours.nodes[2].ep.ip.family, 6);
            assert_int_equal(pkt.u.neighbours.nodes[3].ep.tcp, 1000);
        }
        /* Any flipped byte is caught: in the hash, the signature or the body. */
        for (size_t pos = 0; pos < len; pos += 13) {
            raw[pos] ^= 0x01;
            assert_int_not_equal(ethp2p_v4_decode(raw, len, &pkt, &meta), 0);
            raw[pos] ^= 0x01;
        }
        free(raw);
    }
}

static ethp2p_privkey key;
static ethp2p_pubkey pub;

static int make_key(void)
{
    tu_hex_fixed("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291", key.b, 32);
    return ethp2p_privkey_to_pubkey(&key, &pub);
}

static void roundtrip(const ethp2p_v4_packet *in, ethp2p_v4_packet *out)
{
    uint8_t buf[ETHP2P_V4_MAX_PACKET], hash[32];
    size_t len;
    ethp2p_v4_meta meta;
    assert_int_equal(ethp2p_v4_encode(&key, in, buf, &len, hash), 0);
    assert_true(len <= ETHP2P_V4_MAX_PACKET);
    assert_int_equal(ethp2p_v4_decode(buf, len, out, &meta), 0);
    assert_memory_equal(meta.hash, hash, 32);
    assert_memory_equal(meta.sender.b, pub.b, 64);
    assert_int_equal(out->type, in->type);
    assert_true(out->expiration == in->expiration);
}

static void test_roundtrip_all_types(void **state)
{
    assert_int_equal(make_key(), 0);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PING;
    pkt.expiration = 2000000000;
    pkt.u.ping.version = 4;
    assert_int_equal(ethp2p_ip_parse("127.0.0.1", &pkt.u.ping.from.ip), 0);
    pkt.u.ping.from.udp = 30303;
    pkt.u.ping.from.tcp = 30304;
    assert_int_equal(ethp2p_ip_parse("::1", &pkt.u.ping.to.ip), 0);
    pkt.u.ping.to.udp = 1;
    pkt.u.ping.has_enr_seq = 1;
    pkt.u.ping.enr_seq = 42;
    roundtrip(&pkt, &pkt2);
    assert_int_equal(pkt2.u.ping.from.tcp, 30304);
    assert_int_equal(pkt2.u.ping.to.ip.family, 6);
    assert_int_equal(pkt2.u.ping.to.udp, 1);
    assert_int_equal(pkt2.u.ping.to.tcp, 0);
    assert_int_equal(pkt2.u.ping.enr_seq, 42);

    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PONG;
    pkt.expiration = 7;
    memset(pkt.u.pong.ping_hash, 0xab, 32);
    roundtrip(&pkt, &pkt2);
    assert_false(pkt2.u.pong.has_enr_seq);
    assert_int_equal(pkt2.u.pong.ping_hash[31], 0xab);
    assert_int_equal(pkt2.u.pong.to.ip.family, 0); /* an empty endpoint stays empty */

    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_FINDNODE;
    pkt.u.findnode.target = pub;
    roundtrip(&pkt, &pkt2);
    assert_memory_equal(pkt2.u.findnode.target.b, pub.b, 64);

    /* 12 IPv6 neighbours (the most we pack) fit in 1280 bytes. */
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_NEIGHBOURS;
    pkt.u.neighbours.count = ETHP2P_V4_MAX_NEIGHBOURS_PER_PACKET;
    for (size_t i = 0; i < pkt.u.neighbours.count; i++) {
        ethp2p_v4_neighbour *n = &pkt.u.neighbours.nodes[i];
        assert_int_equal(ethp2p_ip_parse("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", &n->ep.ip), 0);
        n->ep.udp = n->ep.tcp = (uint16_t)(65000 + i);
        n->key = pub;
        n->key.b[0] ^= (uint8_t)i;
    }
    roundtrip(&pkt, &pkt2);
    assert_int_equal(pkt2.u.neighbours.count, 12);
    assert_int_equal(pkt2.u.neighbours.nodes[11].ep.udp, 65011);
    assert_int_equal(pkt2.u.neighbours.nodes[11].key.b[0], pub.b[0] ^ 11);

    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRREQUEST;
    pkt.expiration = 123;
    roundtrip(&pkt, &pkt2);

    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRRESPONSE;
    memset(pkt.u.enrresponse.request_hash, 0x11, 32);
    ethp2p_enr_init(&pkt.u.enrresponse.record);
    pkt.u.enrresponse.record.seq = 9;
    assert_int_equal(ethp2p_enr_sign(&pkt.u.enrresponse.record, &key), 0);
    roundtrip(&pkt, &pkt2);
    assert_int_equal(pkt2.u.enrresponse.record.seq, 9);
    assert_int_equal(ethp2p_enr_verify(&pkt2.u.enrresponse.record), 0);
    assert_int_equal(pkt2.u.enrresponse.request_hash[0], 0x11);
}

/* Builds a signed packet from a raw body, to test what our encoder never writes. */
static size_t sign_bytes(uint8_t type, const uint8_t *body, size_t blen, uint8_t *out)
{
    out[97] = type;
    memcpy(out + 98, body, blen);
    uint8_t h[32];
    ethp2p_keccak256(out + 97, 1 + blen, h);
    assert_int_equal(ethp2p_sign_recoverable(&key, h, out + 32), 0);
    ethp2p_keccak256(out + 32, 66 + blen, out);
    return 98 + blen;
}

static size_t sign_raw(uint8_t type, const char *body_hex, uint8_t *out)
{
    size_t blen;
    uint8_t *body = tu_hex(body_hex, &blen);
    size_t n = sign_bytes(type, body, blen, out);
    free(body);
    return n;
}

static void test_lenient_fields(void **state)
{
    assert_int_equal(make_key(), 0);
    uint8_t buf[2100];
    ethp2p_v4_meta meta;
    /* Ping whose from is garbage (a string) and whose ports carry leading zeros:
     * version 4, from "xx", to [127.0.0.1, 0x0001, 0x0000], expiration 5. */
    size_t len = sign_raw(ETHP2P_V4_PING, "d104827878cb847f00000182000182000005", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), 0);
    assert_int_equal(pkt.u.ping.from.ip.family, 0);
    assert_int_equal(pkt.u.ping.to.udp, 1);
    assert_int_equal(pkt.u.ping.to.tcp, 0);
    /* The expiration stays strict: a leading zero is malformed. */
    len = sign_raw(ETHP2P_V4_PING, "d304827878cb847f000001820001820000820005", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_INT_LEADING_ZERO);
}

static void test_rejects(void **state)
{
    assert_int_equal(make_key(), 0);
    uint8_t buf[2200];
    ethp2p_v4_meta meta;
    memset(buf, 0, sizeof(buf));
    assert_int_equal(ethp2p_v4_decode(buf, 97, &pkt, &meta), ETHP2P_EINVAL);          /* too short */
    size_t len = sign_raw(ETHP2P_V4_ENRREQUEST, "c105", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), 0);
    /* Over 1280 bytes: rejected for every type but Neighbours. */
    char big[2 * 1300 + 16];
    strcpy(big, "f90514");
    memset(big + 6, '0', 2 * 1300);
    memcpy(big + 6, "b90510", 6);
    big[6 + 2 * 1300 - 4] = '\0';
    len = sign_raw(ETHP2P_V4_ENRREQUEST, big, buf);
    assert_true(len > ETHP2P_V4_MAX_PACKET);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_EINVAL);
    /* Unknown type: reported as such so the caller can drop it silently. */
    len = sign_raw(0x07, "c105", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ENOTFOUND);
    /* Body problems. */
    len = sign_raw(ETHP2P_V4_ENRREQUEST, "05", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_EXPECTED_LIST);
    len = sign_raw(ETHP2P_V4_ENRREQUEST, "c0", buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_TOO_FEW);
    len = sign_raw(ETHP2P_V4_ENRREQUEST, "c3820005", buf); /* expiration with a leading zero */
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_INT_LEADING_ZERO);
    len = sign_raw(ETHP2P_V4_FINDNODE, "c583aabbcc05", buf); /* 3-byte target */
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_WRONG_SIZE);
    len = sign_raw(ETHP2P_V4_PONG, "c4c0800505", buf);      /* empty ping hash */
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ERLP_WRONG_SIZE);
    /* A bad Neighbours entry (a 1-byte IP) is skipped and counted, not the packet. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_list_begin(&w);
    static const uint8_t ip_bad[1] = {1}, ip_good[4] = {10, 0, 0, 1};
    for (int i = 0; i < 2; i++) {
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_bytes(&w, i ? ip_good : ip_bad, i ? 4 : 1);
        ethp2p_rlp_put_uint(&w, 30303);
        ethp2p_rlp_put_uint(&w, 30303);
        ethp2p_rlp_put_bytes(&w, pub.b, 64);
        ethp2p_rlp_list_end(&w);
    }
    ethp2p_rlp_list_end(&w);
    ethp2p_rlp_put_uint(&w, 5);
    ethp2p_rlp_list_end(&w);
    const uint8_t *body;
    size_t blen;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &body, &blen), 0);
    len = sign_bytes(ETHP2P_V4_NEIGHBOURS, body, blen, buf);
    ethp2p_rlp_writer_clear(&w);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), 0);
    assert_int_equal(pkt.u.neighbours.count, 1);
    assert_int_equal(pkt.u.neighbours.skipped, 1);
    assert_int_equal(pkt.u.neighbours.nodes[0].ep.ip.b[0], 10);
    /* A broken signature (V = 2) is caught after the body checks. */
    len = sign_raw(ETHP2P_V4_ENRREQUEST, "c105", buf);
    buf[32 + 64] = 2;
    ethp2p_keccak256(buf + 32, len - 32, buf);
    assert_int_equal(ethp2p_v4_decode(buf, len, &pkt, &meta), ETHP2P_ESIG);
}

static void test_simulated_signatures_never_pass_real_decoding(void **state)
{
    assert_int_equal(make_key(), 0);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRREQUEST;
    pkt.expiration = 99;
    uint8_t buf[ETHP2P_V4_MAX_PACKET];
    size_t len;
    assert_int_equal(ethp2p_v4_encode_with(&ethp2p_v4_simulated_signer, &key, &pub, &pkt, buf, &len, NULL), 0);
    ethp2p_v4_meta meta;
    /* The stand-in decodes its own packets, with the right sender... */
    assert_int_equal(ethp2p_v4_decode_with(&ethp2p_v4_simulated_signer, buf, len, &pkt2, &meta), 0);
    assert_memory_equal(meta.sender.b, pub.b, 64);
    /* ...but a real node either rejects them or recovers someone else: never the claimed key. */
    int rc = ethp2p_v4_decode(buf, len, &pkt2, &meta);
    if (rc == 0) assert_memory_not_equal(meta.sender.b, pub.b, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eip8_vectors),
        cmocka_unit_test(test_roundtrip_all_types),
        cmocka_unit_test(test_lenient_fields),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_simulated_signatures_never_pass_real_decoding),
    };
    return cmocka_run_group_tests(tests, tu_vectors_setup, tu_vectors_teardown);
}

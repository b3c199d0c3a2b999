/*
 * discv5 wire vectors: the four v5.1 packets of go-ethereum's
 * p2p/discover/v5wire/testdata (ping message, WHOAREYOU, handshake, and
 * handshake with a record) decoded, decrypted and re-encoded byte for byte;
 * the crypto vectors of discv5-wire-test-vectors.md (ECDH, key derivation,
 * identity proof, AES-GCM); message encodings; and malformed packets.
 * Node A's key is eef77acb…547f (ID aaaa8419…), node B's 66fb62bf…e628 (ID bbbb9d04…).
 */
#include "test_util.h"
#include "ethp2p/enode.h"
#include "ethp2p/hex.h"
#include "ethp2p/v5wire.h"

#include <string.h>

static ethp2p_privkey key_a, key_b;
static ethp2p_pubkey pub_a, pub_b;
static uint8_t id_a[32], id_b[32];

static void hexb(const char *hex, uint8_t *out, size_t n)
{
    size_t got;
    assert_int_equal(ethp2p_hex_decode(hex, strlen(hex), out, n, &got), 0);
    assert_int_equal(got, n);
}

static size_t hexv(const char *hex, uint8_t *out, size_t cap)
{
    size_t got;
    assert_int_equal(ethp2p_hex_decode(hex, strlen(hex), out, cap, &got), 0);
    return got;
}

static int setup(void **state)
{
    (void)state;
    hexb("eef77acb6c6a6eebc5b363a475ac583ec7eccdb42b6481424c60f59aa326547f", key_a.b, 32);
    hexb("66fb62bfbd66b9177a138c1e5cddbe4f7c30c343e94e68df8769459cb1cde628", key_b.b, 32);
    if (ethp2p_privkey_to_pubkey(&key_a, &pub_a) || ethp2p_privkey_to_pubkey(&key_b, &pub_b)) return -1;
    ethp2p_node_id a, b;
    ethp2p_node_id_from_pubkey(&pub_a, &a);
    ethp2p_node_id_from_pubkey(&pub_b, &b);
    memcpy(id_a, a.b, 32);
    memcpy(id_b, b.b, 32);
    return 0;
}

static const char *ping_packet =
    "00000000000000000000000000000000088b3d4342774649325f313964a39e55ea96c005ad52be8c7560413a7008f16c9e6d2f43bbea8814a5"
    "46b7409ce783d34c4f53245d08dab84102ed931f66d1492acb308fa1c6715b9d139b81acbdcc";
static const char *whoareyou_packet =
    "00000000000000000000000000000000088b3d434277464933a1ccc59f5967ad1d6035f15e528627dde75cd68292f9e6c27d6b66c8100a873f"
    "cbaed4e16b8d";
static const char *handshake_packet =
    "00000000000000000000000000000000088b3d4342774649305f313964a39e55ea96c005ad521d8c7560413a7008f16c9e6d2f43bbea8814a5"
    "46b7409ce783d34c4f53245d08da4bb252012b2cba3f4f374a90a75cff91f142fa9be3e0a5f3ef268ccb9065aeecfd67a999e7fdc137e062b2"
    "ec4a0eb92947f0d9a74bfbf44dfba776b21301f8b65efd5796706adff216ab862a9186875f9494150c4ae06fa4d1f0396c93f215fa4ef524f1"
    "eadf5f0f4126b79336671cbcf7a885b1f8bd2a5d839cf8";
static const char *handshake_enr_packet =
    "00000000000000000000000000000000088b3d4342774649305f313964a39e55ea96c005ad539c8c7560413a7008f16c9e6d2f43bbea8814a5"
    "46b7409ce783d34c4f53245d08da4bb23698868350aaad22e3ab8dd034f548a1c43cd246be98562fafa0a1fa86d8e7a3b95ae78cc2b988ded6"
    "a5b59eb83ad58097252188b902b21481e30e5e285f19735796706adff216ab862a9186875f9494150c4ae06fa4d1f0396c93f215fa4ef524e0"
    "ed04c3c21e39b1868e1ca8105e585ec17315e755e6cfc4dd6cb7fd8e1a1f55e49b4b5eb024221482105346f3c82b15fdaae36a3bb12a494683"
    "b4a3c7f2ae41306252fed84785e2bbff3b022812d0882f06978df84a80d443972213342d04b9048fc3b1d5fcb1df0f822152eced6da4d3f6df"
    "27e70e4539717307a0208cd208d65093ccab5aa596a34d7511401987662d8cf62b139471";

static void test_node_ids(void **state)
{
    (void)state;
    uint8_t want[32];
    hexb("aaaa8419e9f49d0083561b48287df592939a8d19947d8c0ef88f2a4856a69fbb", want, 32);
    assert_memory_equal(id_a, want, 32);
    hexb("bbbb9d047f0488c0b5a93c1c3f2d8bafc7c8ff337024a55434a0d0555de64db9", want, 32);
    assert_memory_equal(id_b, want, 32);
}

static void test_ping_message_packet(void **state)
{
    (void)state;
    uint8_t pkt[ETHP2P_V5_MAX_PACKET], key[16] = {0}, pt[ETHP2P_V5_MAX_PACKET], nonce[12];
    size_t len = hexv(ping_packet, pkt, sizeof(pkt)), ptlen;
    ethp2p_v5_header h;
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, len, &h), 0);
    assert_int_equal(h.flag, ETHP2P_V5_FLAG_MESSAGE);
    assert_memory_equal(h.src_id, id_a, 32);
    memset(nonce, 0xff, 12);
    assert_memory_equal(h.nonce, nonce, 12);
    assert_int_equal(ethp2p_v5_decrypt(&h, key, pt, &ptlen), 0);
    ethp2p_v5_msg m;
    assert_int_equal(ethp2p_v5_msg_decode(pt, ptlen, &m), 0);
    assert_int_equal(m.type, ETHP2P_V5_PING);
    assert_int_equal(m.req_id_len, 4);
    assert_memory_equal(m.req_id, "\x00\x00\x00\x01", 4);
    assert_true(m.enr_seq == 2);
    /* Encoded again from its parts: the same bytes. */
    uint8_t out[ETHP2P_V5_MAX_PACKET];
    size_t olen;
    assert_int_equal(ethp2p_v5_encode(id_b, h.iv, 0, h.nonce, id_a, 32, key, pt, ptlen, out, &olen), 0);
    assert_int_equal(olen, len);
    assert_memory_equal(out, pkt, len);
    /* With another key the message does not open; for another recipient the header is noise. */
    key[0] = 1;
    assert_int_equal(ethp2p_v5_decrypt(&h, key, pt, &ptlen), ETHP2P_EMAC);
    assert_int_equal(ethp2p_v5_decode_header(id_a, pkt, len, &h), ETHP2P_V5_ENOTV5);
}

/* The WHOAREYOU the handshakes answer: iv 0, request nonce 0102…0c, id-nonce 0102…10, enr-seq given. */
static size_t whoareyou(uint64_t seq, uint8_t *challenge)
{
    uint8_t iv[16] = {0}, nonce[12], idn[16], auth[24], out[ETHP2P_V5_MAX_PACKET];
    for (int i = 0; i < 12; i++) nonce[i] = (uint8_t)(i + 1);
    for (int i = 0; i < 16; i++) idn[i] = (uint8_t)(i + 1);
    ethp2p_v5_whoareyou_authdata(idn, seq, auth);
    size_t olen;
    assert_int_equal(ethp2p_v5_encode(id_a, iv, 1, nonce, auth, 24, NULL, NULL, 0, out, &olen), 0);
    ethp2p_v5_header h;
    assert_int_equal(ethp2p_v5_decode_header(id_a, out, olen, &h), 0);
    memcpy(challenge, h.iv, 16);
    memcpy(challenge + 16, h.raw, h.raw_len);
    return 16 + h.raw_len;
}

static void test_whoareyou_packet(void **state)
{
    (void)state;
    uint8_t pkt[ETHP2P_V5_MAX_PACKET], out[ETHP2P_V5_MAX_PACKET];
    size_t len = hexv(whoareyou_packet, pkt, sizeof(pkt)), olen;
    ethp2p_v5_header h;
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, len, &h), 0);
    assert_int_equal(h.flag, ETHP2P_V5_FLAG_WHOAREYOU);
    assert_true(h.enr_seq == 0);
    for (int i = 0; i < 16; i++) assert_int_equal(h.id_nonce[i], i + 1);
    for (int i = 0; i < 12; i++) assert_int_equal(h.nonce[i], i + 1);
    assert_int_equal(h.message_len, 0);
    /* Its challenge data (masking-iv || header) as the vector gives it. */
    uint8_t cdata[63], want_cdata[63];
    size_t clen = whoareyou(0, cdata);
    assert_int_equal(clen, hexv("000000000000000000000000000000006469736376350001010102030405060708090a0b0c0018010203040506"
                                "0708090a0b0c0d0e0f100000000000000000",
                                want_cdata, sizeof(want_cdata)));
    assert_memory_equal(cdata, want_cdata, clen);
    assert_int_equal(ethp2p_v5_encode(id_b, h.iv, 1, h.nonce, h.authdata, h.authdata_len, NULL, NULL, 0, out, &olen), 0);
    assert_int_equal(olen, len);
    assert_memory_equal(out, pkt, len);
}

/* Both handshake vectors: B derives the keys from A's ephemeral key, checks A's identity
 * proof, reads the PING; then A's side, from the same inputs, writes the very same packet. */
static void handshake(const char *hex, uint64_t whoareyou_seq, int with_record, const char *read_key)
{
    uint8_t pkt[ETHP2P_V5_MAX_PACKET], challenge[64], pt[ETHP2P_V5_MAX_PACKET], want_key[16];
    size_t len = hexv(hex, pkt, sizeof(pkt)), clen = whoareyou(whoareyou_seq, challenge), ptlen;
    ethp2p_v5_header h;
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, len, &h), 0);
    assert_int_equal(h.flag, ETHP2P_V5_FLAG_HANDSHAKE);
    assert_memory_equal(h.src_id, id_a, 32);
    assert_int_equal(h.id_sig_len, 64);
    assert_int_equal(h.eph_key_len, 33);
    uint8_t eph_pub_want[33];
    hexb("039a003ba6517b473fa0cd74aefe99dadfdb34627f90fec6362df85803908f53a5", eph_pub_want, 33);
    assert_memory_equal(h.eph_key, eph_pub_want, 33);
    assert_int_equal(h.record_len != 0, with_record);
    ethp2p_pubkey eph;
    assert_int_equal(ethp2p_pubkey_decompress(h.eph_key, &eph), 0);
    assert_int_equal(ethp2p_v5_id_verify(&pub_a, challenge, clen, h.eph_key, id_b, h.id_sig), 0);
    assert_int_equal(ethp2p_v5_id_verify(&pub_b, challenge, clen, h.eph_key, id_b, h.id_sig), ETHP2P_ESIG);
    uint8_t ik[16], rk[16];
    assert_int_equal(ethp2p_v5_derive_keys(&key_b, &eph, id_a, id_b, challenge, clen, ik, rk), 0);
    hexb(read_key, want_key, 16);
    assert_memory_equal(ik, want_key, 16); /* A wrote with the initiator key: B reads with it */
    assert_int_equal(ethp2p_v5_decrypt(&h, ik, pt, &ptlen), 0);
    ethp2p_v5_msg m;
    assert_int_equal(ethp2p_v5_msg_decode(pt, ptlen, &m), 0);
    assert_int_equal(m.type, ETHP2P_V5_PING);
    assert_true(m.enr_seq == 1);
    if (with_record) {
        ethp2p_enr rec;
        ethp2p_node_id rid;
        assert_int_equal(ethp2p_enr_decode(h.record, h.record_len, &rec), 0);
        assert_int_equal(ethp2p_enr_verify(&rec), 0);
        assert_int_equal(ethp2p_enr_node_id(&rec, &rid), 0);
        assert_memory_equal(rid.b, id_a, 32);
    }
    /* A's side: the ephemeral key of the vector, the same keys, the same packet. */
    ethp2p_privkey ephk;
    hexb("0288ef00023598499cb6c940146d050d2b1fb914198c327f76aad590bead68b6", ephk.b, 32);
    uint8_t ik2[16], rk2[16], sig[64], auth[ETHP2P_V5_MAX_AUTHDATA], out[ETHP2P_V5_MAX_PACKET];
    assert_int_equal(ethp2p_v5_derive_keys(&ephk, &pub_b, id_a, id_b, challenge, clen, ik2, rk2), 0);
    assert_memory_equal(ik2, ik, 16);
    assert_memory_equal(rk2, rk, 16);
    assert_int_equal(ethp2p_v5_id_sign(&key_a, challenge, clen, eph_pub_want, id_b, sig), 0);
    assert_memory_equal(sig, h.id_sig, 64);
    size_t alen, olen;
    assert_int_equal(ethp2p_v5_handshake_authdata(id_a, sig, eph_pub_want, h.record, h.record_len, auth, sizeof(auth), &alen), 0);
    assert_int_equal(ethp2p_v5_encode(id_b, h.iv, 2, h.nonce, auth, alen, ik2, pt, ptlen, out, &olen), 0);
    assert_int_equal(olen, len);
    assert_memory_equal(out, pkt, len);
}

static void test_handshake_packets(void **state)
{
    (void)state;
    handshake(handshake_packet, 1, 0, "4f9fac6de7567d1e3b1241dffe90f662");
    handshake(handshake_enr_packet, 0, 1, "53b1c075f41876423154e157470c2f48");
}

static void test_crypto_vectors(void **state)
{
    (void)state;
    /* ECDH: the compressed shared point. */
    ethp2p_privkey k;
    hexb("fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736", k.b, 32);
    uint8_t comp[33], shared[33], want[64];
    ethp2p_pubkey pub;
    hexb("039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231", comp, 33);
    assert_int_equal(ethp2p_pubkey_decompress(comp, &pub), 0);
    assert_int_equal(ethp2p_ecdh_compressed(&k, &pub, shared), 0);
    hexb("033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e", want, 33);
    assert_memory_equal(shared, want, 33);
    /* Key derivation with B's public key and the vector's challenge. */
    uint8_t cdata[63], ik[16], rk[16];
    size_t clen = hexv("000000000000000000000000000000006469736376350001010102030405060708090a0b0c00180102030405060708"
                       "090a0b0c0d0e0f100000000000000000",
                       cdata, sizeof(cdata));
    assert_int_equal(ethp2p_v5_derive_keys(&k, &pub_b, id_a, id_b, cdata, clen, ik, rk), 0);
    hexb("dccc82d81bd610f4f76d3ebe97a40571", want, 16);
    assert_memory_equal(ik, want, 16);
    hexb("ac74bb8773749920b0d3a8881c173ec5", want, 16);
    assert_memory_equal(rk, want, 16);
    /* Identity proof. */
    uint8_t sig[64];
    assert_int_equal(ethp2p_v5_id_sign(&k, cdata, clen, comp, id_b, sig), 0);
    hexb("94852a1e2318c4e5e9d422c98eaf19d1d90d876b29cd06ca7cb7546d0fff7b484fe86c09a064fe72bdbef73ba8e9c34df0cd2b53e9d65"
         "528c2c7f336d5dfc6e6",
         want, 64);
    assert_memory_equal(sig, want, 64);
}

static void test_messages(void **state)
{
    (void)state;
    /* discv5-wire-test-vectors.md, "Protocol Message Encodings" (its FINDNODE vector is v5.0's
     * single distance; v5.1 takes a list of distances, so that one is written here). */
    struct {
        const char *hex;
        int type;
    } vectors[] = {
        {"01c20101", ETHP2P_V5_PING},
        {"02ca0101847f000001821388", ETHP2P_V5_PONG},
        {"03c501c3820100", ETHP2P_V5_FINDNODE},
        {"04c30101c0", ETHP2P_V5_NODES},
    };
    for (size_t i = 0; i < 4; i++) {
        uint8_t in[64];
        size_t n = hexv(vectors[i].hex, in, sizeof(in));
        ethp2p_v5_msg m;
        assert_int_equal(ethp2p_v5_msg_decode(in, n, &m), 0);
        assert_int_equal(m.type, vectors[i].type);
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        assert_int_equal(ethp2p_v5_msg_encode(&m, &w), 0);
        const uint8_t *d;
        size_t dl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &dl), 0);
        assert_int_equal(dl, n);
        assert_memory_equal(d, in, n);
        ethp2p_rlp_writer_clear(&w);
        if (m.type == ETHP2P_V5_PONG) assert_true(m.port == 5000 && m.ip.family == 4 && m.ip.b[0] == 127);
        if (m.type == ETHP2P_V5_FINDNODE) assert_true(m.ndistances == 1 && m.distances[0] == 256);
    }
    /* TALKREQ / TALKRESP round trip. */
    ethp2p_v5_msg t;
    memset(&t, 0, sizeof(t));
    t.type = ETHP2P_V5_TALKREQ;
    t.req_id[0] = 7;
    t.req_id_len = 1;
    t.proto = (const uint8_t *)"echo";
    t.proto_len = 4;
    t.data = (const uint8_t *)"hello";
    t.data_len = 5;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    assert_int_equal(ethp2p_v5_msg_encode(&t, &w), 0);
    const uint8_t *d;
    size_t dl;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &dl), 0);
    ethp2p_v5_msg back;
    assert_int_equal(ethp2p_v5_msg_decode(d, dl, &back), 0);
    assert_true(back.proto_len == 4 && !memcmp(back.proto, "echo", 4) && back.data_len == 5);
    ethp2p_rlp_writer_clear(&w);
    /* Refused: unknown type, a 9-byte request ID, distance 257, 17 distances, a 5-byte IP. */
    const char *bad[] = {"07c20101", "01ca89010203040506070809 01", "03c501c3820101", "03d401c0", "02cb0101857f00000001821388"};
    for (size_t i = 0; i < 5; i++) {
        uint8_t in[64];
        char clean[80];
        size_t o = 0;
        for (const char *p = bad[i]; *p; p++)
            if (*p != ' ') clean[o++] = *p;
        clean[o] = '\0';
        size_t n = hexv(clean, in, sizeof(in));
        ethp2p_v5_msg m;
        if (i == 3) { /* 17 distances */
            uint8_t many[40] = {0x03, 0xd4, 0x01, 0xd1};
            for (int k = 0; k < 17; k++) many[4 + k] = 0x01;
            n = 21;
            memcpy(in, many, n);
        }
        if (ethp2p_v5_msg_decode(in, n, &m) == 0) fail_msg("bad message %zu decoded", i);
    }
}

static void test_malformed_packets(void **state)
{
    (void)state;
    uint8_t pkt[ETHP2P_V5_MAX_PACKET + 8];
    size_t len = hexv(ping_packet, pkt, sizeof(pkt));
    ethp2p_v5_header h;
    /* Too short or too long: not discv5 (it may be discv4). */
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, 62, &h), ETHP2P_V5_ENOTV5);
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, ETHP2P_V5_MAX_PACKET + 1, &h), ETHP2P_V5_ENOTV5);
    /* A flipped byte in the masked protocol ID. */
    pkt[16] ^= 1;
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, len, &h), ETHP2P_V5_ENOTV5);
    pkt[16] ^= 1;
    /* A flipped byte in the message: the tag catches it. */
    pkt[len - 1] ^= 1;
    assert_int_equal(ethp2p_v5_decode_header(id_b, pkt, len, &h), 0);
    uint8_t key[16] = {0}, pt[ETHP2P_V5_MAX_PACKET];
    size_t ptlen;
    assert_int_equal(ethp2p_v5_decrypt(&h, key, pt, &ptlen), ETHP2P_EMAC);
    pkt[len - 1] ^= 1;
    /* Authdata sizes that do not fit their flag, or the packet. */
    uint8_t iv[16] = {0}, nonce[12] = {0}, auth[64] = {0}, out[ETHP2P_V5_MAX_PACKET];
    size_t olen;
    assert_int_equal(ethp2p_v5_encode(id_b, iv, 0, nonce, auth, 31, key, pt, 4, out, &olen), 0);
    assert_int_equal(ethp2p_v5_decode_header(id_b, out, olen, &h), ETHP2P_V5_EAUTHDATA);
    assert_int_equal(ethp2p_v5_encode(id_b, iv, 2, nonce, auth, 34, key, pt, 4, out, &olen), 0);
    auth[32] = 64; /* claims a 64-byte signature it does not hold */
    assert_int_equal(ethp2p_v5_encode(id_b, iv, 2, nonce, auth, 40, key, pt, 4, out, &olen), 0);
    assert_int_equal(ethp2p_v5_decode_header(id_b, out, olen, &h), ETHP2P_V5_EAUTHDATA);
    assert_int_equal(ethp2p_v5_encode(id_b, iv, 3, nonce, auth, 24, key, pt, 4, out, &olen), ETHP2P_EINVAL);
    /* A message that would pass 1280 bytes is not written. */
    assert_int_equal(ethp2p_v5_encode(id_b, iv, 0, nonce, id_a, 32, key, pt, 1200, out, &olen), ETHP2P_ENOSPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_ids),         cmocka_unit_test(test_ping_message_packet),
        cmocka_unit_test(test_whoareyou_packet), cmocka_unit_test(test_handshake_packets),
        cmocka_unit_test(test_crypto_vectors),   cmocka_unit_test(test_messages),
        cmocka_unit_test(test_malformed_packets),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

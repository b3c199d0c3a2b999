/* Transaction decoding: the EIP-155 example, every typed form signed here, and malformed input. */
#include "test_util.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"
#include "ethp2p/tx.h"

#include <stdlib.h>
#include <string.h>

/* EIP-155's worked example: nonce 9, 20 gwei, 21000 gas, to 0x35..35, 1 ether, chain 1,
 * signed with key 0x46..46 (address 0x9d8a62f6...). */
static const char *eip155_tx =
    "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939"
    "bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb19"
    "66a3b6d83";

static void test_eip155_example(void **state)
{
    (void)state;
    size_t len;
    uint8_t *raw = tu_hex(eip155_tx, &len);
    ethp2p_tx tx;
    assert_int_equal(ethp2p_tx_decode_binary(raw, len, &tx), 0);
    assert_int_equal(tx.type, ETHP2P_TX_LEGACY);
    assert_true(tx.chain_id == 1 && tx.nonce == 9);
    uint8_t want[20], h[32];
    tu_hex_fixed("9d8a62f656a8d1615c1294fd71e9cfb3e4855a4f", want, 20);
    assert_memory_equal(tx.sender, want, 20);
    ethp2p_keccak256(raw, len, h);
    assert_memory_equal(tx.hash, h, 32);
    assert_int_equal(tx.size, len);
    /* Flip one bit of s: another (or no) sender, never the same. */
    raw[len - 1] ^= 1;
    if (ethp2p_tx_decode_binary(raw, len, &tx) == 0) assert_memory_not_equal(tx.sender, want, 20);
    free(raw);
}

static ethp2p_privkey key;
static uint8_t key_addr[20];

static int setup(void **state)
{
    (void)state;
    memset(key.b, 0x46, 32);
    ethp2p_pubkey pub;
    assert_int_equal(ethp2p_privkey_to_pubkey(&key, &pub), 0);
    uint8_t h[32];
    ethp2p_keccak256(pub.b, 64, h);
    memcpy(key_addr, h + 12, 20);
    return 0;
}

/* Writes the unsigned fields of a typed transaction of `type`. */
static void put_fields(ethp2p_rlp_writer *w, uint8_t type, uint64_t chain, uint64_t nonce)
{
    static const uint8_t to[20] = {0x35, 0x35};
    static const uint8_t slot[32] = {1};
    ethp2p_rlp_put_uint(w, chain);
    ethp2p_rlp_put_uint(w, nonce);
    ethp2p_rlp_put_uint(w, 1000000000); /* gas price, or max priority fee */
    if (type >= 2) ethp2p_rlp_put_uint(w, 30000000000ULL); /* max fee */
    ethp2p_rlp_put_uint(w, 21000);
    ethp2p_rlp_put_bytes(w, to, 20);
    ethp2p_rlp_put_uint(w, 12345);
    ethp2p_rlp_put_bytes(w, "\x01\x02", 2);
    ethp2p_rlp_list_begin(w); /* access list: one address with one slot */
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, to, 20);
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, slot, 32);
    ethp2p_rlp_list_end(w);
    ethp2p_rlp_list_end(w);
    ethp2p_rlp_list_end(w);
    if (type == 3) {
        ethp2p_rlp_put_uint(w, 7); /* max fee per blob gas */
        ethp2p_rlp_list_begin(w);
        uint8_t vh[32] = {0x01, 0xaa};
        ethp2p_rlp_put_bytes(w, vh, 32);
        ethp2p_rlp_list_end(w);
    }
    if (type == 4) {
        ethp2p_rlp_list_begin(w); /* one authorization */
        ethp2p_rlp_list_begin(w);
        ethp2p_rlp_put_uint(w, chain);
        ethp2p_rlp_put_bytes(w, to, 20);
        ethp2p_rlp_put_uint(w, 3);
        ethp2p_rlp_put_uint(w, 1);
        ethp2p_rlp_put_uint(w, 0x1234);
        ethp2p_rlp_put_uint(w, 0x5678);
        ethp2p_rlp_list_end(w);
        ethp2p_rlp_list_end(w);
    }
}

/* Builds type || rlp([fields..., yParity, r, s]) signed with key; returns malloc'd bytes. */
static uint8_t *make_typed(uint8_t type, uint64_t chain, uint64_t nonce, size_t *len, int break_sig)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    put_fields(&w, type, chain, nonce);
    ethp2p_rlp_list_end(&w);
    const uint8_t *f;
    size_t flen;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &f, &flen), 0);
    uint8_t *pre = malloc(flen + 1), sighash[32], sig[65];
    pre[0] = type;
    memcpy(pre + 1, f, flen);
    ethp2p_keccak256(pre, flen + 1, sighash);
    free(pre);
    assert_int_equal(ethp2p_sign_recoverable(&key, sighash, sig), 0);
    if (break_sig == 1) sig[64] = 2;       /* yParity out of range */
    if (break_sig == 2) memset(sig, 0, 32); /* r = 0 */
    ethp2p_rlp_writer_reset(&w);
    ethp2p_rlp_list_begin(&w);
    put_fields(&w, type, chain, nonce);
    ethp2p_rlp_put_uint(&w, sig[64]);
    ethp2p_rlp_put_uint_be(&w, sig, 32);
    ethp2p_rlp_put_uint_be(&w, sig + 32, 32);
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &f, &flen), 0);
    uint8_t *out = malloc(flen + 1);
    out[0] = type;
    memcpy(out + 1, f, flen);
    *len = flen + 1;
    ethp2p_rlp_writer_clear(&w);
    return out;
}

/* The list-element form of a typed transaction: an RLP string around its
 * binary form, written into w (which item then points into). */
static void as_list_element(ethp2p_rlp_writer *w, const uint8_t *raw, size_t len, ethp2p_rlp_item *item)
{
    ethp2p_rlp_writer_reset(w);
    ethp2p_rlp_put_bytes(w, raw, len);
    const uint8_t *e;
    size_t elen;
    assert_int_equal(ethp2p_rlp_writer_finish(w, &e, &elen), 0);
    assert_int_equal(ethp2p_rlp_decode(e, elen, item), 0);
}

static const uint8_t *known_hash; /* what is_known says is held */
static int is_known(void *ctx, const uint8_t hash[32])
{
    (void)ctx;
    return known_hash && memcmp(hash, known_hash, 32) == 0;
}

static void test_typed_round_trip(void **state)
{
    (void)state;
    for (uint8_t type = 1; type <= 4; type++) {
        if (type == 3) continue; /* blobs: below, they need the network form */
        size_t len;
        uint8_t *raw = make_typed(type, 11155111, 42, &len, 0);
        ethp2p_tx tx;
        assert_int_equal(ethp2p_tx_decode_binary(raw, len, &tx), 0);
        assert_int_equal(tx.type, type);
        assert_true(tx.chain_id == 11155111 && tx.nonce == 42);
        assert_memory_equal(tx.sender, key_addr, 20);
        uint8_t h[32];
        ethp2p_keccak256(raw, len, h);
        assert_memory_equal(tx.hash, h, 32);
        assert_int_equal(tx.size, len);
        /* The list-element form: an RLP string around the binary form. */
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        ethp2p_rlp_item item;
        as_list_element(&w, raw, len, &item);
        ethp2p_tx tx2;
        assert_int_equal(ethp2p_tx_decode_elem(&item, 1, &tx2), 0);
        assert_memory_equal(tx2.hash, tx.hash, 32);
        assert_int_equal(tx2.elem_len, item.raw_len);
        assert_true(item.raw_len > len);
        /* A transaction the caller already holds: recognised by its hash before any other work (these
         * very bytes were checked when it was pooled); hash, type and size are filled, nothing else. */
        known_hash = tx.hash;
        ethp2p_tx tx3;
        assert_int_equal(ethp2p_tx_decode_elem_unless(&item, 1, is_known, NULL, &tx3), ETHP2P_TX_KNOWN);
        assert_memory_equal(tx3.hash, tx.hash, 32);
        assert_true(tx3.type == type && tx3.size == tx.size && tx3.nonce == 0 && tx3.chain_id == 0);
        static const uint8_t no_sender[20];
        assert_memory_equal(tx3.sender, no_sender, 20);
        known_hash = NULL; /* not held: decoded in full */
        assert_int_equal(ethp2p_tx_decode_elem_unless(&item, 1, is_known, NULL, &tx3), 0);
        assert_memory_equal(tx3.sender, key_addr, 20);
        /* With the hash a first pass computed: the same decoding, the hash taken as given (a
         * different one shows it was not recomputed). */
        ethp2p_tx tx4;
        assert_int_equal(ethp2p_tx_decode_elem_hashed(&item, 1, tx.hash, &tx4), 0);
        assert_memory_equal(tx4.hash, tx.hash, 32);
        assert_memory_equal(tx4.sender, key_addr, 20);
        assert_true(tx4.nonce == 42 && tx4.chain_id == 11155111 && tx4.size == tx.size && tx4.type == type);
        uint8_t other[32] = {7};
        assert_int_equal(ethp2p_tx_decode_elem_hashed(&item, 1, other, &tx4), 0);
        assert_memory_equal(tx4.hash, other, 32);
        ethp2p_rlp_writer_clear(&w);
        /* Broken signatures. */
        for (int b = 1; b <= 2; b++) {
            free(raw);
            raw = make_typed(type, 1, 1, &len, b);
            assert_int_equal(ethp2p_tx_decode_binary(raw, len, &tx), ETHP2P_TX_ESIG);
        }
        free(raw);
    }
}

static void test_blob_forms(void **state)
{
    (void)state;
    size_t len;
    uint8_t *bare = make_typed(3, 1, 5, &len, 0);
    ethp2p_tx tx;
    /* Bare (as in blocks): refused where the network form is required, accepted where not. */
    assert_int_equal(ethp2p_tx_decode_binary(bare, len, &tx), ETHP2P_TX_ENO_SIDECAR);
    ethp2p_rlp_item item;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    as_list_element(&w, bare, len, &item);
    assert_int_equal(ethp2p_tx_decode_elem(&item, 0, &tx), 0);
    uint8_t want_hash[32];
    ethp2p_keccak256(bare, len, want_hash);
    assert_memory_equal(tx.hash, want_hash, 32);
    assert_memory_equal(tx.sender, key_addr, 20);
    /* Network forms: 0x03 || rlp([tx, blobs, commitments, proofs]) and the cell-proof
     * form with a version 1; the hash is still over the bare transaction. */
    for (int version = 0; version <= 1; version++) {
        ethp2p_rlp_writer_reset(&w);
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_raw(&w, bare + 1, len - 1);
        if (version) ethp2p_rlp_put_uint(&w, 1);
        uint8_t blob[256] = {0}, comm[48] = {0}, proof[48] = {0};
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_bytes(&w, blob, sizeof(blob));
        ethp2p_rlp_list_end(&w);
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_bytes(&w, comm, sizeof(comm));
        ethp2p_rlp_list_end(&w);
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_bytes(&w, proof, sizeof(proof));
        ethp2p_rlp_list_end(&w);
        ethp2p_rlp_list_end(&w);
        const uint8_t *body;
        size_t blen;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &body, &blen), 0);
        uint8_t *net = malloc(blen + 1);
        net[0] = 3;
        memcpy(net + 1, body, blen);
        assert_int_equal(ethp2p_tx_decode_binary(net, blen + 1, &tx), 0);
        assert_true(tx.has_sidecar);
        assert_memory_equal(tx.hash, want_hash, 32);
        assert_memory_equal(tx.sender, key_addr, 20);
        assert_true(tx.size > len + 256 && tx.size <= blen + 1 + 8);
        free(net);
    }
    ethp2p_rlp_writer_clear(&w);
    free(bare);
}

static void test_malformed(void **state)
{
    (void)state;
    const char *bad[] = {
        "",                   /* nothing */
        "05c0",               /* unknown type */
        "02",                 /* type without payload */
        "02c0",               /* no fields */
        "02c3010203",         /* too few fields */
        "f86b098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939"
        "bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb19"
        "66a3b6d83", /* list length one short */
        "cb0980825208808080801c8080", /* v = 28, r = s = 0 */
        "c9098082520880808080", /* no signature */
        "01c0ff",             /* trailing byte */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len;
        uint8_t *b = tu_hex(bad[i], &len);
        ethp2p_tx tx;
        int rc = ethp2p_tx_decode_binary(b, len, &tx);
        if (rc == 0) fail_msg("case %zu decoded", i);
        assert_non_null(ethp2p_tx_error_name(rc));
        free(b);
    }
    /* High-S (EIP-2): the EIP-155 example with s replaced by n - s. */
    size_t len;
    uint8_t *raw = tu_hex(eip155_tx, &len);
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                  0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
    uint8_t *s = raw + len - 32;
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = n[i] - s[i] - borrow;
        borrow = d < 0;
        s[i] = (uint8_t)(d + (borrow ? 256 : 0));
    }
    raw[len - 67] ^= 1; /* v 37 <-> 38: the flipped S needs the other parity */
    ethp2p_tx tx;
    assert_int_equal(ethp2p_tx_decode_binary(raw, len, &tx), ETHP2P_TX_ESIG);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eip155_example),
        cmocka_unit_test(test_typed_round_trip),
        cmocka_unit_test(test_blob_forms),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/* Blocks and the chain store: decoding, the valid-child rule, serving headers and bodies, chain files. */
#include "test_util.h"
#include "ethp2p/chain.h"
#include "ethp2p/genesis.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"
#include "ethp2p/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ethp2p_genesis_info gi;
static ethp2p_chain_config cc;

static int setup(void **state)
{
    (void)state;
    char err[64];
    return ethp2p_genesis_parse(ethp2p_devnet_genesis(), strlen(ethp2p_devnet_genesis()), &cc, &gi, err, sizeof(err));
}
static int teardown(void **state)
{
    (void)state;
    ethp2p_genesis_info_clear(&gi);
    return 0;
}

/* A child of c's head with n transfers, in w. */
static void child(ethp2p_chain *c, size_t n, ethp2p_rlp_writer *w)
{
    ethp2p_privkey k;
    memset(k.b, 0x31, 32);
    uint8_t *txs[8];
    size_t lens[8];
    uint8_t to[20] = {1};
    for (size_t i = 0; i < n; i++) {
        ethp2p_buffer b;
        ethp2p_buffer_init(&b, 0);
        assert_int_equal(ethp2p_tx_make_transfer(&k, cc.chain_id, ethp2p_chain_head(c)->number * 8 + i, to, 1, NULL, 0, &b), 0);
        txs[i] = b.data;
        lens[i] = b.len;
    }
    ethp2p_rlp_writer_reset(w);
    assert_int_equal(ethp2p_chain_make_child(c, (const uint8_t *const *)txs, lens, n, w), 0);
    for (size_t i = 0; i < n; i++) free(txs[i]);
}

static void test_chain_rules(void **state)
{
    (void)state;
    ethp2p_chain *c = ethp2p_chain_new(gi.header, gi.header_len);
    assert_non_null(c);
    assert_memory_equal(ethp2p_chain_head(c)->hash, cc.genesis_hash, 32);
    assert_true(ethp2p_chain_head(c)->number == 0);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *b;
    size_t bl;
    /* Three valid children, with 0, 3 and 8 transactions. */
    size_t sizes[] = {0, 3, 8};
    for (int i = 0; i < 3; i++) {
        child(c, sizes[i], &w);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        ethp2p_block blk;
        assert_int_equal(ethp2p_block_decode(b, bl, &blk), 0);
        assert_int_equal(blk.ntxs, sizes[i]);
        ethp2p_header h;
        assert_int_equal(ethp2p_chain_insert(c, b, bl, &h), 1);
        assert_true(h.number == (uint64_t)i + 1);
        assert_int_equal(ethp2p_chain_insert(c, b, bl, NULL), 0); /* known */
    }
    assert_true(ethp2p_chain_head(c)->number == 3);
    /* TD: four times the difficulty 131,072. */
    uint8_t td[32], want[32] = {0};
    ethp2p_chain_td(c, td);
    want[29] = 0x08;
    assert_memory_equal(td, want, 32);
    /* A block whose body does not match its transactions root. */
    child(c, 2, &w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    uint8_t *bad = malloc(bl);
    memcpy(bad, b, bl);
    bad[bl - 10] ^= 1; /* inside the last transaction's signature */
    assert_int_equal(ethp2p_chain_insert(c, bad, bl, NULL), ETHP2P_CHAIN_EROOT);
    free(bad);
    /* A body of 10,000 one-byte "transactions": refused as a whole, before any per-item work. */
    {
        ethp2p_block blk2;
        assert_int_equal(ethp2p_block_decode(b, bl, &blk2), 0);
        ethp2p_rlp_writer junk;
        ethp2p_rlp_writer_init(&junk, 0);
        ethp2p_rlp_list_begin(&junk);
        ethp2p_rlp_put_raw(&junk, blk2.header_rlp, blk2.header_len);
        ethp2p_rlp_list_begin(&junk);
        for (int k = 0; k < 10000; k++) ethp2p_rlp_put_uint(&junk, 1);
        ethp2p_rlp_list_end(&junk);
        ethp2p_rlp_list_begin(&junk);
        ethp2p_rlp_list_end(&junk);
        ethp2p_rlp_list_end(&junk);
        const uint8_t *jb;
        size_t jl;
        assert_int_equal(ethp2p_rlp_writer_finish(&junk, &jb, &jl), 0);
        assert_int_equal(ethp2p_block_decode(jb, jl, &blk2), ETHP2P_EFORMAT);
        ethp2p_rlp_writer_clear(&junk);
    }
    /* Not a child: a block built on block 3, offered after a sibling took its place. */
    assert_int_equal(ethp2p_chain_insert(c, b, bl, NULL), 1);
    assert_int_equal(ethp2p_chain_insert(c, b, bl, NULL), 0);
    ethp2p_chain *other = ethp2p_chain_new(gi.header, gi.header_len);
    ethp2p_rlp_writer w2;
    ethp2p_rlp_writer_init(&w2, 0);
    child(other, 1, &w2); /* differs from our block 1 (no transactions) */
    const uint8_t *ob;
    size_t obl;
    assert_int_equal(ethp2p_rlp_writer_finish(&w2, &ob, &obl), 0);
    assert_int_equal(ethp2p_chain_insert(c, ob, obl, NULL), ETHP2P_CHAIN_ENOTCHILD);
    ethp2p_chain_free(other);
    ethp2p_rlp_writer_clear(&w2);
    /* Serving headers: forward, reverse, with skips, by hash; bodies. */
    ethp2p_rlp_writer_reset(&w);
    ethp2p_rlp_list_begin(&w);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, 1, 3, 0, 0, &w), 3);
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    ethp2p_rlp_item list, x;
    ethp2p_rlp_iter it;
    assert_int_equal(ethp2p_rlp_decode(b, bl, &list), 0);
    assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
    for (uint64_t n = 1; n <= 3; n++) {
        ethp2p_header h;
        assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
        assert_int_equal(ethp2p_header_decode(x.raw, x.raw_len, &h), 0);
        assert_true(h.number == n);
    }
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_serve_headers(c, ethp2p_chain_head(c)->hash, 0, 10, 1, 1, &w), 3); /* 4, 2, 0 */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, 0, 2000, 0, 0, &w), 5); /* capped by the chain */
    ethp2p_rlp_writer_reset(&w);
    uint8_t unknown[32] = {9};
    assert_int_equal(ethp2p_chain_serve_headers(c, unknown, 0, 1, 0, 0, &w), 0);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, 99, 1, 0, 0, &w), 0);
    size_t hl;
    assert_non_null(ethp2p_chain_body_rlp(c, 2, &hl));
    assert_null(ethp2p_chain_header_rlp(c, 5, &hl));
    /* The full block comes back byte for byte. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_block_rlp(c, 4, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    ethp2p_block blk;
    assert_int_equal(ethp2p_block_decode(b, bl, &blk), 0);
    assert_memory_equal(blk.header.hash, ethp2p_chain_head(c)->hash, 32);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_chain_free(c);
}

/* Header + body bytes held for numbers oldest..head. */
static size_t held_bytes(const ethp2p_chain *c)
{
    size_t total = 0, l;
    for (uint64_t n = ethp2p_chain_oldest(c); n && n <= ethp2p_chain_head(c)->number; n++) {
        assert_non_null(ethp2p_chain_header_rlp(c, n, &l));
        total += l;
        assert_non_null(ethp2p_chain_body_rlp(c, n, &l));
        total += l;
    }
    return total;
}

static void test_chain_window(void **state)
{
    (void)state;
    /* Seals are not checked, so a peer could feed valid-looking children without end:
     * the chain keeps genesis and a bounded window of the newest blocks. */
    ethp2p_chain *c = ethp2p_chain_new(gi.header, gi.header_len);
    assert_non_null(c);
    assert_true(ethp2p_chain_oldest(c) == 0);
    ethp2p_chain_set_limits(c, 10, 1u << 30);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    uint8_t hashes[41][32];
    memcpy(hashes[0], cc.genesis_hash, 32);
    for (int i = 1; i <= 40; i++) {
        child(c, 0, &w);
        const uint8_t *b;
        size_t bl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        ethp2p_header h;
        assert_int_equal(ethp2p_chain_insert(c, b, bl, &h), 1);
        memcpy(hashes[i], h.hash, 32);
        uint64_t held = h.number - ethp2p_chain_oldest(c) + 1;
        assert_true(held >= 1 && held <= 10);
    }
    uint64_t oldest = ethp2p_chain_oldest(c);
    assert_true(ethp2p_chain_head(c)->number == 40);
    assert_true(oldest >= 31 && oldest <= 32); /* shrinks to 9 past 10 */
    /* TD still counts every block: 41 x 131,072. */
    uint8_t td[32], want[32] = {0};
    ethp2p_chain_td(c, td);
    uint64_t v = 41ull * 131072;
    for (int i = 31; i >= 24; i--, v >>= 8) want[i] = (uint8_t)v;
    assert_memory_equal(td, want, 32);
    /* Forgotten blocks are gone from every lookup; genesis and the window are not. */
    size_t l;
    for (uint64_t n = 1; n < oldest; n++) {
        assert_true(ethp2p_chain_number_of(c, hashes[n]) == -1);
        assert_null(ethp2p_chain_header_rlp(c, n, &l));
        assert_null(ethp2p_chain_body_rlp(c, n, &l));
        assert_int_equal(ethp2p_chain_block_rlp(c, n, &w), ETHP2P_ENOTFOUND);
    }
    for (uint64_t n = oldest; n <= 40; n++) assert_true(ethp2p_chain_number_of(c, hashes[n]) == (int64_t)n);
    assert_true(ethp2p_chain_number_of(c, hashes[0]) == 0);
    assert_non_null(ethp2p_chain_header_rlp(c, 0, &l));
    /* Serving: nothing from a forgotten origin; from the oldest, up to the head. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_serve_headers(c, hashes[5], 0, 100, 0, 0, &w), 0);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, 5, 100, 0, 0, &w), 0);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, oldest, 100, 0, 0, &w), 40 - oldest + 1);
    /* Reverse from the head stops where the window ends. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_serve_headers(c, NULL, 40, 100, 0, 1, &w), 40 - oldest + 1);
    /* A byte bound: blocks of 8 transactions, at most ~3 of them. */
    ethp2p_rlp_writer_reset(&w);
    child(c, 8, &w);
    const uint8_t *b;
    size_t bl;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    size_t cap = 3 * bl + bl / 2;
    ethp2p_chain_set_limits(c, 1000, cap);
    for (int i = 0; i < 10; i++) {
        child(c, 8, &w);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        assert_int_equal(ethp2p_chain_insert(c, b, bl, NULL), 1);
        assert_true(held_bytes(c) <= cap);
    }
    assert_true(ethp2p_chain_head(c)->number == 50);
    assert_true(ethp2p_chain_oldest(c) >= 47); /* three at most */
    /* The head stays whatever the bound. */
    ethp2p_chain_set_limits(c, 1, 0);
    assert_true(ethp2p_chain_oldest(c) == 50);
    assert_non_null(ethp2p_chain_header_rlp(c, 50, &l));
    ethp2p_rlp_writer_clear(&w);
    ethp2p_chain_free(c);
}

static void test_import_file(void **state)
{
    (void)state;
    ethp2p_chain *src = ethp2p_chain_new(gi.header, gi.header_len);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    char path[] = "/tmp/ethp2p-chain-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    /* The genesis block first, as `geth export` writes it: skipped on import. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_block_rlp(src, 0, &w), 0);
    const uint8_t *b;
    size_t bl;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    fwrite(b, 1, bl, f);
    for (int i = 0; i < 20; i++) {
        child(src, (size_t)(i % 4), &w);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        assert_int_equal(ethp2p_chain_insert(src, b, bl, NULL), 1);
        fwrite(b, 1, bl, f);
    }
    fclose(f);
    ethp2p_chain *dst = ethp2p_chain_new(gi.header, gi.header_len);
    size_t imported;
    char err[128];
    assert_int_equal(ethp2p_chain_import_file(dst, path, &imported, err, sizeof(err)), 0);
    assert_int_equal(imported, 20);
    assert_memory_equal(ethp2p_chain_head(dst)->hash, ethp2p_chain_head(src)->hash, 32);
    /* Again: nothing new. A truncated file stops at the cut with a reason. */
    assert_int_equal(ethp2p_chain_import_file(dst, path, &imported, err, sizeof(err)), 0);
    assert_int_equal(imported, 0);
    assert_int_equal(truncate(path, 700), 0);
    ethp2p_chain *cut = ethp2p_chain_new(gi.header, gi.header_len);
    assert_int_not_equal(ethp2p_chain_import_file(cut, path, &imported, err, sizeof(err)), 0);
    assert_true(strstr(err, "offset") != NULL);
    unlink(path);
    assert_int_equal(ethp2p_chain_import_file(cut, path, &imported, err, sizeof(err)), ETHP2P_EIO);
    ethp2p_chain_free(cut);
    ethp2p_chain_free(dst);
    ethp2p_chain_free(src);
    ethp2p_rlp_writer_clear(&w);
}

/* The header rules that need no state, one at a time, on a London chain before the merge. */
static void test_header_rules(void **state)
{
    (void)state;
    ethp2p_chain_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.has_london = 1;
    cfg.london_block = 10;
    cfg.has_ttd = 1;
    memset(cfg.ttd, 0xff, 32); /* never reached */
    ethp2p_header parent, h;
    memset(&parent, 0, sizeof(parent));
    parent.number = 20;
    parent.time = 1000;
    parent.gas_limit = 30000000;
    parent.gas_used = 20000000; /* over the 15M target: the base fee rises */
    parent.has_base_fee = 1;
    parent.base_fee[31] = 100; /* 100 wei */
    parent.difficulty[31] = 1;
    memset(parent.hash, 0x11, 32);
    uint8_t td[32] = {0};
    td[31] = 50;
    h = parent;
    memcpy(h.parent, parent.hash, 32);
    h.number = 21;
    h.time = 1012;
    h.gas_used = 0;
    /* 100 + 100 * 5M / 15M / 8 = 104 */
    uint64_t fee;
    assert_int_equal(ethp2p_header_next_base_fee(&parent, &fee), 0);
    assert_true(fee == 104);
    memset(h.base_fee, 0, 32);
    h.base_fee[31] = 104;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &h), 0);
    ethp2p_header x = h;
    x.base_fee[31] = 103;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EBASEFEE);
    x = h;
    x.has_base_fee = 0;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EBASEFEE);
    x = h;
    x.extra_len = 33;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EEXTRA);
    x.extra_len = 32;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), 0);
    x = h;
    x.gas_used = x.gas_limit + 1;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EGASUSED);
    /* Gas limit: strictly less than parent/1024 (29,296) away. */
    x = h;
    x.gas_limit = parent.gas_limit + parent.gas_limit / 1024 - 1;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), 0);
    x.gas_limit = parent.gas_limit + parent.gas_limit / 1024;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EGASLIMIT);
    x.gas_limit = parent.gas_limit - parent.gas_limit / 1024;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EGASLIMIT);
    ethp2p_header small = parent;
    small.gas_limit = 5000;
    small.gas_used = 0;
    x = h;
    x.gas_limit = 4999;
    assert_int_equal(ethp2p_header_verify(&cfg, &small, td, &x), ETHP2P_CHAIN_EGASLIMIT);
    x = h;
    x.time = parent.time;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_ETIME);
    x = h;
    memset(x.difficulty, 0, 32); /* proof of work needs one */
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EMERGED);
    /* The London block itself: 1 gwei, and its gas limit compared with twice the parent's. */
    ethp2p_header pre = parent;
    pre.number = 9;
    pre.has_base_fee = 0;
    pre.gas_limit = 15000000;
    x = h;
    x.number = 10;
    x.gas_limit = 30000000;
    memset(x.base_fee, 0, 32);
    x.base_fee[28] = 0x3b, x.base_fee[29] = 0x9a, x.base_fee[30] = 0xca, x.base_fee[31] = 0x00;
    assert_int_equal(ethp2p_header_verify(&cfg, &pre, td, &x), 0);
    /* Before London a base fee is wrong. */
    pre.number = 5;
    x.number = 6;
    x.gas_limit = 15000000;
    assert_int_equal(ethp2p_header_verify(&cfg, &pre, td, &x), ETHP2P_CHAIN_EBASEFEE);
    /* Past the TTD: difficulty must be 0 and the nonce 0. */
    memset(cfg.ttd, 0, 32);
    cfg.ttd[31] = 50;
    x = h;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EMERGED);
    memset(x.difficulty, 0, 32);
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EMERGED); /* ommers hash not empty */
    memcpy(x.ommers_hash, ETHP2P_EMPTY_OMMERS_HASH, 32);
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), 0);
    x.nonce[7] = 1;
    assert_int_equal(ethp2p_header_verify(&cfg, &parent, td, &x), ETHP2P_CHAIN_EMERGED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_rules),
        cmocka_unit_test(test_chain_window),
        cmocka_unit_test(test_import_file),
        cmocka_unit_test(test_header_rules),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

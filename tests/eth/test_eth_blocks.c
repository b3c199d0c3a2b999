/*
 * eth block propagation before the merge, between hand-wired handlers: NewBlock
 * to floor(sqrt(n)) peers and hashes to the rest, fetching announced blocks,
 * blocks that arrive before their parent, invalid bodies, the peer set's view
 * of heads, the bound on blocks waiting for their parent, and eth/69's
 * BlockRangeUpdate.
 */
#include "eth_harness.h"
#include "ethp2p/genesis.h"
#include "ethp2p/tx.h"

#include <stdlib.h>
#include <string.h>

/* The devnet (before the merge): its chain config and genesis header. */
static void devnet(ethp2p_chain_config *dev, ethp2p_genesis_info *gi)
{
    char err[64];
    assert_int_equal(ethp2p_genesis_parse(ethp2p_devnet_genesis(), strlen(ethp2p_devnet_genesis()), dev, gi, err, sizeof(err)), 0);
    assert_false(dev->post_merge);
}

/* n sides on the devnet, the first nchains following blocks (chains[i]). */
static void devnet_sides(int n, int nchains, ethp2p_genesis_info *gi, ethp2p_chain_config *dev)
{
    devnet(dev, gi);
    reset_sides();
    for (int i = 0; i < n; i++) {
        if (i < nchains) {
            chains[i] = ethp2p_chain_new(gi->header, gi->header_len);
            ethp2p_chain_set_config(chains[i], dev); /* the devnet's London rules hold */
        }
        make_side(i, dev);
    }
}

static void end_sides(int n, ethp2p_genesis_info *gi)
{
    free_sides(n);
    for (int i = 0; i < n; i++) {
        ethp2p_chain_free(chains[i]);
        chains[i] = NULL;
    }
    ethp2p_genesis_info_clear(gi);
}

static void test_block_propagation(void **state)
{
    (void)state;
    ethp2p_genesis_info gi;
    ethp2p_chain_config dev;
    devnet_sides(4, 4, &gi, &dev);
    /* A star: 0 in the middle. */
    connect_sides(0, 1, 68);
    connect_sides(0, 2, 68);
    connect_sides(0, 3, 68);
    deliver(T0);
    for (int i = 1; i < 4; i++) assert_true(S[i].ready);
    /* A block made at 0: three peers lack it, so floor(sqrt(3)) = 1 gets it in full, two get its hash. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    assert_int_equal(ethp2p_chain_make_child(chains[0], NULL, NULL, 0, &w), 0);
    const uint8_t *b;
    size_t bl;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    assert_int_equal(ethp2p_eth_submit_block(S[0].eth, b, bl, T0), 0);
    int full = 0, hashes = 0;
    for (size_t i = 0; i < nbox; i++) {
        full += box[i].code == ETHP2P_ETH_NEW_BLOCK;
        hashes += box[i].code == ETHP2P_ETH_NEW_BLOCK_HASHES;
    }
    assert_int_equal(full, 1);
    assert_int_equal(hashes, 2);
    deliver(T0); /* NewBlock imported; hash receivers ask for the header and the body */
    deliver(T0); /* 0 answers */
    deliver(T0); /* they assemble, check and import it */
    for (int i = 0; i < 4; i++) {
        assert_true(ethp2p_chain_head(chains[i])->number == 1);
        assert_memory_equal(ethp2p_chain_head(chains[i])->hash, ethp2p_chain_head(chains[0])->hash, 32);
    }
    assert_int_equal(S[1].blocks + S[2].blocks + S[3].blocks, 3);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->blocks_out, 1);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->block_hashes_out, 2);
    /* The peer set: nobody lacks block 1 now; an unknown hash is lacked by all three. */
    void *lack[4];
    uint8_t other_hash[32] = {0x77};
    assert_int_equal(ethp2p_eth_peers_without(S[0].eth, ethp2p_chain_head(chains[0])->hash, 1, lack, 4), 0);
    assert_int_equal(ethp2p_eth_peers_without(S[0].eth, other_hash, 1, lack, 4), 3);
    assert_int_equal(ethp2p_eth_peers_without(S[0].eth, other_hash, 0, lack, 4), 3);
    /* Side 2 makes block 2: its NewBlock raises its total difficulty in 0's view: the best peer. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_make_child(chains[2], NULL, NULL, 0, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    assert_int_equal(ethp2p_eth_submit_block(S[2].eth, b, bl, T0), 0);
    deliver(T0);
    assert_ptr_equal(ethp2p_eth_best_peer(S[0].eth), &S[2]);
    assert_true(ethp2p_chain_head(chains[0])->number == 2);
    deliver(T0);
    deliver(T0);
    deliver(T0);
    for (int i = 0; i < 4; i++) assert_true(ethp2p_chain_head(chains[i])->number == 2);
    /* Out of order: side 1 gets block 4 before block 3 (as when block 3's hash came first
     * and its fetch is slower); block 4 waits and goes in right after block 3. */
    {
        ethp2p_chain *solo = ethp2p_chain_new(gi.header, gi.header_len);
        for (uint64_t n = 1; n <= 2; n++) {
            ethp2p_rlp_writer_reset(&w);
            assert_int_equal(ethp2p_chain_block_rlp(chains[0], n, &w), 0);
            assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
            assert_int_equal(ethp2p_chain_insert(solo, b, bl, NULL), 1);
        }
        uint8_t *blk[2];
        size_t blen[2];
        for (int k = 0; k < 2; k++) {
            ethp2p_rlp_writer_reset(&w);
            assert_int_equal(ethp2p_chain_make_child(solo, NULL, NULL, 0, &w), 0);
            assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
            blk[k] = malloc(bl);
            memcpy(blk[k], b, bl);
            blen[k] = bl;
            assert_int_equal(ethp2p_chain_insert(solo, b, bl, NULL), 1);
        }
        /* As NewBlock messages from side 0, block 4 first. */
        for (int k = 1; k >= 0; k--) {
            ethp2p_rlp_writer m;
            ethp2p_rlp_writer_init(&m, 0);
            ethp2p_rlp_list_begin(&m);
            ethp2p_rlp_put_raw(&m, blk[k], blen[k]);
            ethp2p_rlp_put_uint(&m, 1);
            ethp2p_rlp_list_end(&m);
            const uint8_t *md;
            size_t ml;
            assert_int_equal(ethp2p_rlp_writer_finish(&m, &md, &ml), 0);
            ethp2p_eth_receive(S[1].eth, view[1][0], ETHP2P_ETH_NEW_BLOCK, md, ml, T0);
            if (k == 1) assert_true(ethp2p_chain_head(chains[1])->number == 2); /* waits */
            ethp2p_rlp_writer_clear(&m);
        }
        assert_true(ethp2p_chain_head(chains[1])->number == 4);
        assert_memory_equal(ethp2p_chain_head(chains[1])->hash, ethp2p_chain_head(solo)->hash, 32);
        assert_false(S[1].dropped);
        free(blk[0]);
        free(blk[1]);
        ethp2p_chain_free(solo);
    }
    /* A NewBlock whose ommers do not match its header's ommers hash: the sender is dropped. */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_chain_make_child(chains[1], NULL, NULL, 0, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
    ethp2p_block blk;
    assert_int_equal(ethp2p_block_decode(b, bl, &blk), 0);
    ethp2p_rlp_writer m;
    ethp2p_rlp_writer_init(&m, 0);
    ethp2p_rlp_list_begin(&m);
    ethp2p_rlp_list_begin(&m); /* [header, txs, [[]]] */
    ethp2p_rlp_put_raw(&m, blk.header_rlp, blk.header_len);
    ethp2p_rlp_put_raw(&m, blk.body_txs, blk.txs_len);
    ethp2p_rlp_list_begin(&m);
    ethp2p_rlp_list_begin(&m);
    ethp2p_rlp_list_end(&m);
    ethp2p_rlp_list_end(&m);
    ethp2p_rlp_list_end(&m);
    ethp2p_rlp_put_uint(&m, 1); /* td */
    ethp2p_rlp_list_end(&m);
    const uint8_t *md;
    size_t ml;
    assert_int_equal(ethp2p_rlp_writer_finish(&m, &md, &ml), 0);
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_NEW_BLOCK, md, ml, T0);
    assert_true(S[0].dropped);
    ethp2p_rlp_writer_clear(&m);
    ethp2p_rlp_writer_clear(&w);
    end_sides(4, &gi);
}

/* Block n of chains[0] reaches side 1 as a NewBlock from side 0. */
static void feed_block(uint64_t n)
{
    ethp2p_rlp_writer m;
    ethp2p_rlp_writer_init(&m, 0);
    ethp2p_rlp_list_begin(&m);
    assert_int_equal(ethp2p_chain_block_rlp(chains[0], n, &m), 0);
    ethp2p_rlp_put_uint(&m, 1); /* td */
    ethp2p_rlp_list_end(&m);
    const uint8_t *md;
    size_t ml;
    assert_int_equal(ethp2p_rlp_writer_finish(&m, &md, &ml), 0);
    ethp2p_eth_receive(S[1].eth, view[1][0], ETHP2P_ETH_NEW_BLOCK, md, ml, T0);
    ethp2p_rlp_writer_clear(&m);
}

static void test_waiting_blocks_bounded(void **state)
{
    (void)state;
    /* Blocks ahead of the head wait for their parent, but not without bound: 31
     * blocks of 1.1 MiB (2..32, all within 32 of the head) pass the 32 MiB the
     * waiting blocks may hold, so the oldest go. When block 1 lands, the chain
     * moves only as far as what was kept allows. */
    ethp2p_genesis_info gi;
    ethp2p_chain_config dev;
    devnet_sides(2, 2, &gi, &dev);
    connect_sides(0, 1, 68);
    deliver(T0);
    assert_true(S[1].ready);
    /* Nine transfers of 128 KiB each go in every block. */
    ethp2p_privkey k;
    memset(k.b, 0x44, 32);
    uint8_t to[20] = {2}, *data = calloc(1, 128 * 1024);
    const uint8_t *txs[9];
    size_t lens[9];
    ethp2p_buffer tb[9];
    for (int i = 0; i < 9; i++) {
        ethp2p_buffer_init(&tb[i], 0);
        assert_int_equal(ethp2p_tx_make_transfer(&k, dev.chain_id, (uint64_t)i, to, 1, data, 128 * 1024, &tb[i]), 0);
        txs[i] = tb[i].data;
        lens[i] = tb[i].len;
    }
    free(data);
    /* Side 0 makes blocks 1..32 on its own chain (nobody hears of them). */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    for (int n = 1; n <= 32; n++) {
        const uint8_t *b;
        size_t bl;
        ethp2p_rlp_writer_reset(&w);
        assert_int_equal(ethp2p_chain_make_child(chains[0], txs, lens, 9, &w), 0);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        assert_true(bl > 1100000);
        assert_int_equal(ethp2p_chain_insert(chains[0], b, bl, NULL), 1);
    }
    ethp2p_rlp_writer_clear(&w);
    /* Blocks 2..32 reach side 1 first. */
    const ethp2p_eth_stats *st = ethp2p_eth_get_stats(S[1].eth);
    for (uint64_t n = 2; n <= 32; n++) {
        feed_block(n);
        assert_true(st->blocks_waiting_bytes <= 32u * 1024 * 1024);
        assert_true(st->blocks_waiting <= n - 1);
    }
    assert_true(st->blocks_waiting >= 25 && st->blocks_waiting < 31); /* some went: the byte bound, not the count */
    uint64_t kept_from = 33 - st->blocks_waiting;
    assert_true(kept_from > 2);
    assert_true(ethp2p_chain_head(chains[1])->number == 0);
    /* Block 1 arrives: nothing joins it, as block 2 was dropped. */
    feed_block(1);
    assert_true(ethp2p_chain_head(chains[1])->number == 1);
    assert_false(S[1].dropped);
    /* Blocks up to the oldest kept one: the waiting ones then follow at once. */
    for (uint64_t n = 2; n < kept_from; n++) feed_block(n);
    assert_true(ethp2p_chain_head(chains[1])->number == 32);
    assert_int_equal(st->blocks_waiting, 0);
    assert_int_equal(st->blocks_waiting_bytes, 0);
    for (int i = 0; i < 9; i++) ethp2p_buffer_clear(&tb[i]);
    ethp2p_rlp_writer_clear(&w);
    end_sides(2, &gi);
}

static void test_range_update_eth69(void **state)
{
    (void)state;
    /* eth/69 on a pre-merge chain: no NewBlock; BlockRangeUpdate once the head moved 32 blocks.
     * Side 0 keeps 20 blocks, so its range starts where its window does. */
    ethp2p_genesis_info gi;
    ethp2p_chain_config dev;
    devnet_sides(2, 1, &gi, &dev);
    ethp2p_chain_set_limits(chains[0], 20, 1u << 30);
    connect_sides(0, 1, 69);
    deliver(T0);
    assert_true(S[0].ready && S[1].ready);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    int ranges = 0, newblocks = 0;
    for (int i = 1; i <= 40; i++) {
        ethp2p_rlp_writer_reset(&w);
        assert_int_equal(ethp2p_chain_make_child(chains[0], NULL, NULL, 0, &w), 0);
        const uint8_t *b;
        size_t bl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        assert_int_equal(ethp2p_eth_submit_block(S[0].eth, b, bl, T0), 0);
        for (size_t k = 0; k < nbox; k++) {
            if (box[k].code == ETHP2P_ETH_BLOCK_RANGE_UPDATE) {
                uint64_t earliest, latest;
                uint8_t hash[32];
                assert_int_equal(ethp2p_eth_range_decode(box[k].data, box[k].len, &earliest, &latest, hash), 0);
                assert_true(latest == 32);
                assert_true(earliest == ethp2p_chain_oldest(chains[0]) && earliest > 1);
                ranges++;
            }
            newblocks += box[k].code == ETHP2P_ETH_NEW_BLOCK || box[k].code == ETHP2P_ETH_NEW_BLOCK_HASHES;
        }
        deliver(T0);
        assert_false(S[1].dropped); /* a valid update */
        if (i == 31) assert_int_equal(ranges, 0);
    }
    assert_int_equal(ranges, 1); /* at block 32 */
    assert_int_equal(newblocks, 0);
    ethp2p_rlp_writer_clear(&w);
    end_sides(2, &gi);
}

/* NewBlock with a message from `from` to `to`: the block and a total difficulty of `td_len` bytes. */
static void new_block(int to, int from, const uint8_t *b, size_t bl, const uint8_t *td, size_t td_len)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_raw(&w, b, bl);
    ethp2p_rlp_put_bytes(&w, td, td_len);
    ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    size_t n;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[to].eth, view[to][from], ETHP2P_ETH_NEW_BLOCK, d, n, T0);
    ethp2p_rlp_writer_clear(&w);
}

static size_t count_code(uint64_t code)
{
    size_t k = 0;
    for (size_t i = 0; i < nbox; i++) k += box[i].code == code;
    return k;
}

/* An empty child of side i's head, in w (b, bl point into it). */
static void empty_child(int i, ethp2p_rlp_writer *w, const uint8_t **b, size_t *bl)
{
    ethp2p_rlp_writer_reset(w);
    assert_int_equal(ethp2p_chain_make_child(chains[i], NULL, NULL, 0, w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(w, b, bl), 0);
}

/* n sides in a line 0 - 1 - ... - n-1 at eth/68, Status exchanged. */
static void line(int n)
{
    for (int i = 0; i + 1 < n; i++) connect_sides(i, i + 1, 68);
    deliver(T0);
    deliver(T0);
}

/* What the reference refuses before it relays: a NewBlock whose total difficulty is over
 * 100 bits is a breach (the peer is dropped, the block not taken), checked before anything
 * else; an announced block whose header shows an empty body is complete from its header. */
static void test_td_bound_and_empty_bodies(void **state)
{
    (void)state;
    ethp2p_genesis_info gi;
    ethp2p_chain_config dev;
    devnet_sides(3, 3, &gi, &dev);
    line(3);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *b;
    size_t bl;
    empty_child(0, &w, &b, &bl);
    assert_int_equal(ethp2p_chain_insert(chains[0], b, bl, NULL), 1);
    /* 2^100: 101 bits. Refused before the block is looked at: even a valid block stays out. */
    uint8_t td[13] = {0x10};
    new_block(1, 0, b, bl, td, sizeof(td));
    assert_true(S[1].dropped);
    assert_true(ethp2p_chain_head(chains[1])->number == 0);
    assert_int_equal(nbox, 0); /* nothing relayed */
    /* 2^100 - 1 is the largest allowed: the same block goes in and on. */
    free_sides(3);
    for (int i = 0; i < 3; i++) ethp2p_chain_free(chains[i]);
    ethp2p_genesis_info_clear(&gi);
    devnet_sides(3, 3, &gi, &dev);
    line(3);
    assert_int_equal(ethp2p_chain_insert(chains[0], b, bl, NULL), 1);
    memset(td, 0xff, sizeof(td));
    td[0] = 0x0f;
    new_block(1, 0, b, bl, td, sizeof(td));
    assert_false(S[1].dropped);
    assert_true(ethp2p_chain_head(chains[1])->number == 1);
    deliver(T0);
    assert_true(ethp2p_chain_head(chains[2])->number == 1);
    /* Block 2, empty, announced by hash from 0 to 1: 1 asks for the header only. */
    empty_child(0, &w, &b, &bl);
    ethp2p_header h2;
    assert_int_equal(ethp2p_chain_insert(chains[0], b, bl, &h2), 1);
    lose_all();
    ethp2p_rlp_writer_reset(&w);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, h2.hash, 32);
    ethp2p_rlp_put_uint(&w, 2);
    ethp2p_rlp_list_end(&w);
    ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    size_t n;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[1].eth, view[1][0], ETHP2P_ETH_NEW_BLOCK_HASHES, d, n, T0);
    assert_int_equal(count_code(ETHP2P_ETH_GET_BLOCK_HEADERS), 1);
    assert_int_equal(count_code(ETHP2P_ETH_GET_BLOCK_BODIES), 0);
    deliver(T0); /* 0 answers the header */
    deliver(T0); /* 1 completes the block from it, imports it and passes it on to 2 */
    assert_true(ethp2p_chain_head(chains[1])->number == 2);
    assert_int_equal(ethp2p_eth_get_stats(S[1].eth)->block_empty_bodies, 1);
    assert_true(count_code(ETHP2P_ETH_NEW_BLOCK) + count_code(ETHP2P_ETH_NEW_BLOCK_HASHES) >= 1);
    assert_int_equal(count_code(ETHP2P_ETH_GET_BLOCK_BODIES), 0);
    for (int k = 0; k < 3; k++) deliver(T0);
    assert_true(ethp2p_chain_head(chains[2])->number == 2);
    ethp2p_rlp_writer_clear(&w);
    end_sides(3, &gi);
}

/* A chain whose imported history stops before the merge, on a network a time fork has
 * since passed (by the clock: the harness's head time is 2,000,000,000): past the merge,
 * so NewBlock is not taken; the same chain without the time fork takes it. */
static void test_merge_by_clock(void **state)
{
    (void)state;
    for (int with_fork = 0; with_fork < 2; with_fork++) {
        ethp2p_genesis_info gi;
        ethp2p_chain_config dev;
        devnet(&dev, &gi);
        if (with_fork) dev.time_forks[dev.ntime_forks++] = 1000000000; /* "Shanghai", long ago by the clock */
        reset_sides();
        for (int i = 0; i < 2; i++) {
            chains[i] = ethp2p_chain_new(gi.header, gi.header_len);
            make_side(i, &dev);
        }
        line(2);
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        const uint8_t *b;
        size_t bl;
        empty_child(0, &w, &b, &bl);
        uint8_t td[1] = {0x04};
        new_block(1, 0, b, bl, td, sizeof(td));
        assert_true(ethp2p_chain_head(chains[1])->number == (with_fork ? 0 : 1));
        ethp2p_rlp_writer_clear(&w);
        end_sides(2, &gi);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_propagation),
        cmocka_unit_test(test_waiting_blocks_bounded),
        cmocka_unit_test(test_range_update_eth69),
        cmocka_unit_test(test_td_bound_and_empty_bodies),
        cmocka_unit_test(test_merge_by_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

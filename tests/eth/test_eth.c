/*
 * The eth protocol: message codecs per version, the Status handshake and its
 * refusals, the penalties for bad transaction messages, fetching with
 * timeouts and retries, and propagation through a simulated network.
 */
#include "eth_harness.h"
#include "ethp2p/ethsim.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_chain_config chain;

static int setup(void **state)
{
    (void)state;
    return ethp2p_chain_builtin("sepolia", &chain);
}

/* ---- codecs ---- */

static void test_status_codec(void **state)
{
    (void)state;
    for (uint32_t v = 66; v <= 69; v++) {
        ethp2p_eth_status s, back;
        memset(&s, 0, sizeof(s));
        s.version = v;
        s.network_id = 11155111;
        s.td[31] = 1;
        memset(s.head, 0xab, 32);
        memcpy(s.genesis, chain.genesis_hash, 32);
        ethp2p_forkid_compute(&chain, 0, 2000000000, &s.forkid);
        s.latest = v >= 69 ? 77 : 0;
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        assert_int_equal(ethp2p_eth_status_encode(&s, &w), 0);
        const uint8_t *d;
        size_t n;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
        assert_int_equal(ethp2p_eth_status_decode(d, n, v, &back), 0);
        assert_int_equal(back.version, v);
        assert_true(back.network_id == 11155111);
        assert_memory_equal(back.genesis, s.genesis, 32);
        assert_memory_equal(back.head, s.head, 32);
        assert_memory_equal(back.forkid.hash, s.forkid.hash, 4);
        assert_true(back.latest == s.latest);
        if (v < 69) assert_memory_equal(back.td, s.td, 32);
        /* Read with the other form's layout: refused, never misread. */
        assert_int_not_equal(ethp2p_eth_status_decode(d, n, v >= 69 ? 68 : 69, &back), 0);
        /* Truncated. */
        assert_int_not_equal(ethp2p_eth_status_decode(d, n - 1, v, &back), 0);
        ethp2p_rlp_writer_clear(&w);
    }
    /* eth/69: earliest above latest is refused. */
    size_t n;
    ethp2p_eth_status s;
    memset(&s, 0, sizeof(s));
    s.version = 69;
    s.earliest = 10;
    s.latest = 5;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    assert_int_equal(ethp2p_eth_status_encode(&s, &w), 0);
    const uint8_t *d;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    assert_int_equal(ethp2p_eth_status_decode(d, n, 69, &s), ETHP2P_EFORMAT);
    ethp2p_rlp_writer_clear(&w);
}

static void test_announce_and_range_codecs(void **state)
{
    (void)state;
    ethp2p_eth_announce a[3], b[4];
    for (int i = 0; i < 3; i++) {
        memset(a[i].hash, 0x10 + i, 32);
        a[i].type = (uint8_t)i;
        a[i].size = 100u * (unsigned)(i + 1);
    }
    for (uint32_t v = 67; v <= 68; v++) {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        assert_int_equal(ethp2p_eth_announce_encode(v, a, 3, &w), 0);
        const uint8_t *d;
        size_t n, got;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
        assert_int_equal(ethp2p_eth_announce_decode(v, d, n, b, 4, &got), 0);
        assert_int_equal(got, 3);
        for (int i = 0; i < 3; i++) {
            assert_memory_equal(b[i].hash, a[i].hash, 32);
            if (v >= 68) assert_true(b[i].type == a[i].type && b[i].size == a[i].size);
        }
        assert_int_equal(ethp2p_eth_announce_decode(v, d, n, b, 2, &got), ETHP2P_ENOSPACE);
        ethp2p_rlp_writer_clear(&w);
    }
    /* eth/68 lists of different lengths: two types, one size, two hashes. */
    size_t n, got;
    {
        ethp2p_rlp_writer m;
        ethp2p_rlp_writer_init(&m, 0);
        ethp2p_rlp_list_begin(&m);
        ethp2p_rlp_put_bytes(&m, "\x00\x01", 2);
        ethp2p_rlp_list_begin(&m);
        ethp2p_rlp_put_uint(&m, 1);
        ethp2p_rlp_list_end(&m);
        ethp2p_rlp_list_begin(&m);
        ethp2p_rlp_put_bytes(&m, a[0].hash, 32);
        ethp2p_rlp_put_bytes(&m, a[1].hash, 32);
        ethp2p_rlp_list_end(&m);
        ethp2p_rlp_list_end(&m);
        const uint8_t *md;
        assert_int_equal(ethp2p_rlp_writer_finish(&m, &md, &n), 0);
        assert_int_equal(ethp2p_eth_announce_decode(68, md, n, b, 4, &got), ETHP2P_EFORMAT);
        ethp2p_rlp_writer_clear(&m);
    }
    /* BlockRangeUpdate: zero hash or earliest > latest refused. */
    uint8_t h[32] = {1}, zero[32] = {0}, back[32];
    uint64_t lo, hi;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *d;
    assert_int_equal(ethp2p_eth_range_encode(3, 9, h, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    assert_int_equal(ethp2p_eth_range_decode(d, n, &lo, &hi, back), 0);
    assert_true(lo == 3 && hi == 9);
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_eth_range_encode(3, 9, zero, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    assert_int_equal(ethp2p_eth_range_decode(d, n, &lo, &hi, back), ETHP2P_EFORMAT);
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(ethp2p_eth_range_encode(10, 9, h, &w), 0);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    assert_int_equal(ethp2p_eth_range_decode(d, n, &lo, &hi, back), ETHP2P_EFORMAT);
    ethp2p_rlp_writer_clear(&w);
    /* Codes per version. */
    assert_true(ethp2p_eth_code_valid(68, ETHP2P_ETH_NEW_BLOCK));
    assert_false(ethp2p_eth_code_valid(69, ETHP2P_ETH_NEW_BLOCK));
    assert_false(ethp2p_eth_code_valid(68, ETHP2P_ETH_BLOCK_RANGE_UPDATE));
    assert_true(ethp2p_eth_code_valid(69, ETHP2P_ETH_BLOCK_RANGE_UPDATE));
    assert_false(ethp2p_eth_code_valid(67, 0x0d));
    assert_false(ethp2p_eth_code_valid(69, 0x12));
}

/* ---- handlers wired by hand (eth_harness.h) ---- */

static void test_status_handshake(void **state)
{
    (void)state;
    for (uint32_t v = 66; v <= 69; v++) {
        make_pair(v, &chain, &chain);
        deliver(T0);
        assert_true(S[0].ready && S[1].ready);
        assert_false(S[0].dropped || S[1].dropped);
        assert_int_equal(ethp2p_eth_peer_count(S[0].eth), 1);
        free_sides(2);
    }
    /* Another network, another genesis, a fork ID from the future of another chain: refused. */
    ethp2p_chain_config other = chain, gen = chain, fork = chain;
    other.network_id = 5;
    gen.genesis_hash[0] ^= 1;
    fork.time_forks[fork.ntime_forks++] = 1900000000; /* a fork we do not know, already passed */
    const ethp2p_chain_config *bad[] = {&other, &gen, &fork};
    for (int k = 0; k < 3; k++) {
        make_pair(69, &chain, bad[k]);
        deliver(T0);
        assert_true(S[0].dropped);
        assert_int_equal(S[0].reason, ETHP2P_DISC_SUBPROTOCOL_ERROR);
        assert_false(S[0].ready);
        free_sides(2);
    }
    /* No Status within 5 s. */
    make_pair(68, &chain, &chain);
    lose_all();
    ethp2p_eth_tick(S[0].eth, T0 + 4999);
    assert_false(S[0].dropped);
    ethp2p_eth_tick(S[0].eth, T0 + 5000);
    assert_true(S[0].dropped);
    assert_int_equal(S[0].reason, ETHP2P_DISC_READ_TIMEOUT);
    free_sides(2);
    /* A message before Status. */
    make_pair(68, &chain, &chain);
    lose_all();
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, (const uint8_t *)"\xc0", 1, T0);
    assert_true(S[0].dropped);
    free_sides(2);
}

static ethp2p_buffer txbuf;

/* A signed transfer for the chain, nonce n; its binary form in txbuf. */
static void make_tx(uint64_t chain_id, uint64_t nonce)
{
    ethp2p_privkey k;
    memset(k.b, 0x77, 32);
    uint8_t to[20] = {0x01};
    ethp2p_buffer_reset(&txbuf);
    assert_int_equal(ethp2p_tx_make_transfer(&k, chain_id, nonce, to, 1000, NULL, 0, &txbuf), 0);
}

/* Builds a Transactions message from n typed transactions (i-th nonce = first + i; dup repeats one). */
static void transactions_msg(ethp2p_rlp_writer *w, uint64_t first, size_t n, int dup)
{
    ethp2p_rlp_list_begin(w);
    for (size_t i = 0; i < n; i++) {
        make_tx(chain.chain_id, first + (dup && i == n - 1 ? 0 : i));
        ethp2p_rlp_put_bytes(w, txbuf.data, txbuf.len);
    }
    ethp2p_rlp_list_end(w);
}

/* A transaction over the reference's pool limit (128 KiB) is neither pooled nor relayed nor
 * announced; one just under it is all three. The peer that sent it is kept. */
static void test_transaction_size_limit(void **state)
{
    (void)state;
    ethp2p_privkey k;
    memset(k.b, 0x77, 32);
    uint8_t to[20] = {0x01};
    static uint8_t data[ETHP2P_ETH_TX_POOL_MAX_SIZE];
    ethp2p_buffer big, ok;
    ethp2p_buffer_init(&big, 0);
    ethp2p_buffer_init(&ok, 0);
    assert_int_equal(ethp2p_tx_make_transfer(&k, chain.chain_id, 0, to, 1, data, sizeof(data), &big), 0);
    assert_int_equal(ethp2p_tx_make_transfer(&k, chain.chain_id, 1, to, 1, data, sizeof(data) - 512, &ok), 0);
    reset_sides();
    make_side(0, &chain);
    make_side(1, &chain);
    make_side(2, &chain);
    connect_sides(0, 1, 68);
    connect_sides(1, 2, 68);
    deliver(T0);
    deliver(T0);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, big.data, big.len);
    ethp2p_rlp_put_bytes(&w, ok.data, ok.len);
    ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    size_t n;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[1].eth, view[1][0], ETHP2P_ETH_TRANSACTIONS, d, n, T0);
    assert_false(S[1].dropped);
    assert_int_equal(S[1].txs, 1);
    assert_int_equal(ethp2p_eth_get_stats(S[1].eth)->txs_oversize, 1);
    assert_int_equal(ethp2p_txpool_len(ethp2p_eth_pool(S[1].eth)), 1);
    /* What side 1 passes on to side 2: only the one within the limit (announced, then fetched). */
    for (uint64_t t = T0; t < T0 + 3000; t += 100) {
        ethp2p_eth_tick(S[1].eth, t);
        ethp2p_eth_tick(S[2].eth, t);
        deliver(t);
    }
    assert_int_equal(S[2].txs, 1);
    assert_int_equal(ethp2p_txpool_len(ethp2p_eth_pool(S[2].eth)), 1);
    /* Submitted locally, it is refused outright. */
    uint8_t h[32];
    assert_int_equal(ethp2p_eth_submit(S[0].eth, big.data, big.len, T0, h), ETHP2P_EINVAL);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_buffer_clear(&big);
    ethp2p_buffer_clear(&ok);
    free_sides(3);
}

static void test_transaction_penalties(void **state)
{
    (void)state;
    ethp2p_buffer_init(&txbuf, 0);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *d;
    size_t n;
    struct {
        size_t count;
        int dup;
        int want_drop;
    } cases[] = {{3, 0, 0}, {3, 1, 1}, {ETHP2P_ETH_MAX_TXS_PER_MESSAGE + 1, 0, 1}};
    for (int k = 0; k < 3; k++) {
        make_pair(68, &chain, &chain);
        deliver(T0);
        transactions_msg(&w, 0, cases[k].count, cases[k].dup);
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
        ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, d, n, T0);
        assert_int_equal(S[0].dropped, cases[k].want_drop);
        if (!cases[k].want_drop) {
            assert_int_equal(S[0].txs, 3);
            /* The same message again: a repeat across messages is a duplicate, not a violation
             * (the handler's per-message scratch set starts empty each time). */
            ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, d, n, T0);
            assert_false(S[0].dropped);
            assert_int_equal(S[0].txs, 3);
            assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->txs_dup, 3);
        }
        ethp2p_rlp_writer_reset(&w);
        free_sides(2);
    }
    /* An invalid transaction (another chain, an unknown type) is dropped, the peer kept. */
    make_pair(68, &chain, &chain);
    deliver(T0);
    ethp2p_rlp_list_begin(&w);
    make_tx(1, 0); /* mainnet */
    ethp2p_rlp_put_bytes(&w, txbuf.data, txbuf.len);
    ethp2p_rlp_put_bytes(&w, "\x05\xc1\x80", 3); /* an unknown type */
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, d, n, T0);
    ethp2p_rlp_writer_reset(&w);
    assert_false(S[0].dropped);
    assert_int_equal(S[0].txs, 0);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->txs_invalid, 2);
    /* Malformed RLP: dropped. */
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, (const uint8_t *)"\xc5\x01", 2, T0);
    assert_true(S[0].dropped);
    free_sides(2);
    /* A blob transaction (type 3) inside Transactions: dropped. What came before it in the
     * message still counts, in order: a pooled copy, a new one, an invalid one (the message is
     * read in two passes, and the second must act as a single one would). */
    make_pair(68, &chain, &chain);
    deliver(T0);
    ethp2p_rlp_list_begin(&w);
    make_tx(chain.chain_id, 7);
    ethp2p_rlp_put_bytes(&w, txbuf.data, txbuf.len);
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, d, n, T0); /* nonce 7 pooled */
    ethp2p_rlp_writer_reset(&w);
    assert_int_equal(S[0].txs, 1);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, txbuf.data, txbuf.len); /* nonce 7 again */
    make_tx(chain.chain_id, 8);
    ethp2p_rlp_put_bytes(&w, txbuf.data, txbuf.len);
    ethp2p_rlp_put_bytes(&w, "\x05\xc1\x80", 3); /* an unknown type */
    ethp2p_rlp_put_bytes(&w, "\x03\xc0", 2);
    make_tx(chain.chain_id, 9); /* after the blob: never read */
    ethp2p_rlp_put_bytes(&w, txbuf.data, txbuf.len);
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, d, n, T0);
    assert_true(S[0].dropped);
    assert_int_equal(S[0].txs, 2); /* nonce 8 imported; 9 not */
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->txs_dup, 1);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->txs_invalid, 1);
    ethp2p_rlp_writer_reset(&w);
    free_sides(2);
    /* A message over 10 MiB: dropped before it is parsed. */
    make_pair(68, &chain, &chain);
    deliver(T0);
    uint8_t *huge = calloc(1, ETHP2P_ETH_MAX_MESSAGE + 1);
    ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_TRANSACTIONS, huge, ETHP2P_ETH_MAX_MESSAGE + 1, T0);
    free(huge);
    assert_true(S[0].dropped);
    free_sides(2);
    /* Post-merge: a peer that keeps sending NewBlock is dropped. */
    make_pair(68, &chain, &chain);
    deliver(T0);
    for (int i = 0; i <= ETHP2P_ETH_MAX_BLOCK_MSGS_POST_MERGE; i++) {
        assert_false(S[0].dropped);
        ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_NEW_BLOCK, (const uint8_t *)"\xc0", 1, T0);
    }
    assert_true(S[0].dropped);
    free_sides(2);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_buffer_clear(&txbuf);
}

/* An announcement of n distinct hashes in the shape of version (67: hashes; 68: types, sizes, hashes). */
static void announce_many(ethp2p_rlp_writer *w, uint32_t version, size_t n)
{
    ethp2p_rlp_writer_reset(w);
    ethp2p_rlp_list_begin(w);
    if (version >= 68) {
        uint8_t *types = malloc(n);
        memset(types, 2, n);
        ethp2p_rlp_put_bytes(w, types, n);
        free(types);
        ethp2p_rlp_list_begin(w);
        for (size_t i = 0; i < n; i++) ethp2p_rlp_put_uint(w, 120);
        ethp2p_rlp_list_end(w);
        ethp2p_rlp_list_begin(w);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t h[32] = {0xaa};
        memcpy(h + 24, &i, sizeof(i));
        ethp2p_rlp_put_bytes(w, h, 32);
    }
    if (version >= 68) ethp2p_rlp_list_end(w);
    ethp2p_rlp_list_end(w);
}

static void test_announcement_bound(void **state)
{
    (void)state;
    /* Up to 16,384 hashes in one announcement are taken (each needs a fetch entry, so
     * the bound keeps one message's work finite); one more drops the peer. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *d;
    size_t n;
    for (uint32_t version = 67; version <= 68; version++) {
        for (int over = 0; over <= 1; over++) {
            make_pair(version, &chain, &chain);
            deliver(T0);
            announce_many(&w, version, 16384 + (size_t)over);
            assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
            ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_NEW_POOLED_TX_HASHES, d, n, T0);
            assert_int_equal(S[0].dropped, over);
            assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->announced_in, over ? 0 : 16384);
            /* A small one after a large one still decodes (the scratch is reused). */
            if (!over) {
                announce_many(&w, version, 3);
                assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
                ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_NEW_POOLED_TX_HASHES, d, n, T0);
                assert_false(S[0].dropped);
                assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->announced_in, 16387);
            }
            free_sides(2);
        }
    }
    ethp2p_rlp_writer_clear(&w);
}

static void announce_one(int to, int from, uint32_t version, uint8_t type, uint32_t size)
{
    ethp2p_eth_announce a;
    memset(&a, 0, sizeof(a));
    ethp2p_tx tx;
    assert_int_equal(ethp2p_tx_decode_binary(txbuf.data, txbuf.len, &tx), 0);
    memcpy(a.hash, tx.hash, 32);
    a.type = type;
    a.size = size;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    assert_int_equal(ethp2p_eth_announce_encode(version, &a, 1, &w), 0);
    const uint8_t *d;
    size_t n;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &d, &n), 0);
    ethp2p_eth_receive(S[to].eth, view[to][from], ETHP2P_ETH_NEW_POOLED_TX_HASHES, d, n, T0);
    ethp2p_rlp_writer_clear(&w);
}

static void test_fetch(void **state)
{
    (void)state;
    ethp2p_buffer_init(&txbuf, 0);
    /* Side 1 holds a transaction and announces it to side 0: 0 waits 500 ms, asks, gets it. */
    make_pair(68, &chain, &chain);
    deliver(T0);
    make_tx(chain.chain_id, 9);
    uint8_t h[32];
    assert_int_equal(ethp2p_eth_submit(S[1].eth, txbuf.data, txbuf.len, T0, h), 0);
    assert_int_equal(nbox, 0); /* queued until the tick */
    ethp2p_eth_tick(S[1].eth, T0);
    /* Side 1 pushes in full to its only peer (sqrt(1) = 1): deliver and check, then test announcements. */
    deliver(T0);
    assert_int_equal(S[0].txs, 1);
    assert_non_null(ethp2p_txpool_get(ethp2p_eth_pool(S[0].eth), h));
    free_sides(2);

    make_pair(68, &chain, &chain);
    deliver(T0);
    make_tx(chain.chain_id, 10);
    assert_int_equal(ethp2p_eth_submit(S[1].eth, txbuf.data, txbuf.len, T0, h), 0);
    ethp2p_eth_tick(S[1].eth, T0);
    lose_all(); /* lose the push: only the announcement below arrives */
    ethp2p_tx tx;
    assert_int_equal(ethp2p_tx_decode_binary(txbuf.data, txbuf.len, &tx), 0);
    announce_one(0, 1, 68, tx.type, (uint32_t)tx.size);
    ethp2p_eth_tick(S[0].eth, T0 + 499);
    assert_int_equal(nbox, 0); /* waits for a push first */
    ethp2p_eth_tick(S[0].eth, T0 + ETHP2P_ETH_FETCH_WAIT_MS);
    assert_int_equal(nbox, 1);
    assert_int_equal(box[0].code, ETHP2P_ETH_GET_POOLED_TXS);
    deliver(T0 + 500); /* side 1 answers */
    deliver(T0 + 500); /* side 0 receives */
    assert_int_equal(S[0].txs, 1);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->fetched, 1);
    free_sides(2);

    /* The announced size is 100 bytes off: the delivering peer is dropped. */
    make_pair(68, &chain, &chain);
    deliver(T0);
    make_tx(chain.chain_id, 11);
    assert_int_equal(ethp2p_eth_submit(S[1].eth, txbuf.data, txbuf.len, T0, h), 0);
    ethp2p_eth_tick(S[1].eth, T0);
    lose_all();
    assert_int_equal(ethp2p_tx_decode_binary(txbuf.data, txbuf.len, &tx), 0);
    announce_one(0, 1, 68, tx.type, (uint32_t)tx.size + 100);
    ethp2p_eth_tick(S[0].eth, T0 + 500);
    deliver(T0 + 500);
    deliver(T0 + 500);
    assert_true(S[0].dropped);
    assert_int_equal(S[0].txs, 0);
    free_sides(2);
    ethp2p_buffer_clear(&txbuf);
}

static void test_fetch_timeout_retries_other_announcer(void **state)
{
    (void)state;
    ethp2p_buffer_init(&txbuf, 0);
    reset_sides();
    for (int i = 0; i < 3; i++) make_side(i, &chain);
    connect_sides(0, 1, 68);
    connect_sides(0, 2, 68);
    deliver(T0);
    make_tx(chain.chain_id, 12);
    uint8_t h[32];
    /* Both 1 and 2 hold it (2 gets it by submission too); both announce to 0. */
    assert_int_equal(ethp2p_eth_submit(S[1].eth, txbuf.data, txbuf.len, T0, h), 0);
    assert_int_equal(ethp2p_eth_submit(S[2].eth, txbuf.data, txbuf.len, T0, h), 0);
    lose_all();
    ethp2p_tx tx;
    assert_int_equal(ethp2p_tx_decode_binary(txbuf.data, txbuf.len, &tx), 0);
    announce_one(0, 1, 68, tx.type, (uint32_t)tx.size);
    announce_one(0, 2, 68, tx.type, (uint32_t)tx.size);
    ethp2p_eth_tick(S[0].eth, T0 + 500);
    assert_int_equal(nbox, 1); /* one request, to one announcer */
    int first = box[0].to;
    lose_all(); /* the request is lost: no answer */
    ethp2p_eth_tick(S[0].eth, T0 + 5499);
    assert_int_equal(nbox, 0);
    ethp2p_eth_tick(S[0].eth, T0 + 5500); /* timeout: ask the other one */
    assert_int_equal(nbox, 1);
    assert_int_equal(box[0].code, ETHP2P_ETH_GET_POOLED_TXS);
    assert_int_not_equal(box[0].to, first);
    assert_int_equal(ethp2p_eth_get_stats(S[0].eth)->fetch_timeouts, 1);
    deliver(T0 + 5500);
    deliver(T0 + 5500);
    assert_int_equal(S[0].txs, 1);
    free_sides(3);
    ethp2p_buffer_clear(&txbuf);
}

static void test_backpressure(void **state)
{
    (void)state;
    ethp2p_buffer_init(&txbuf, 0);
    make_pair(68, &chain, &chain);
    deliver(T0);
    S[1].busy = 1; /* side 0 cannot send to side 1 for now */
    uint8_t h[32];
    for (uint64_t i = 0; i < 5; i++) {
        make_tx(chain.chain_id, 100 + i);
        assert_int_equal(ethp2p_eth_submit(S[0].eth, txbuf.data, txbuf.len, T0, h), 0);
    }
    assert_int_equal(nbox, 0);
    uint64_t next = ethp2p_eth_tick(S[0].eth, T0 + 10);
    assert_int_equal(nbox, 0); /* busy */
    assert_true(next <= T0 + 100); /* it will retry soon */
    S[1].busy = 0;
    ethp2p_eth_tick(S[0].eth, next);
    assert_int_equal(nbox, 1); /* all five in one Transactions message */
    deliver(next);
    assert_int_equal(S[1].txs, 5);
    free_sides(2);
    ethp2p_buffer_clear(&txbuf);
}

/* ---- simulated network ---- */

static void test_propagation_sim(void **state)
{
    (void)state;
    ethp2p_ethsim_config sc = {.nodes = 100, .degree = 4, .version = 68, .seed = 7, .latency_ms = 20, .jitter_ms = 30};
    ethp2p_ethsim *sim = ethp2p_ethsim_new(&sc, &chain);
    assert_non_null(sim);
    ethp2p_ethsim_run_until(sim, 1000);
    ethp2p_ethsim_stats st;
    ethp2p_ethsim_get_stats(sim, &st);
    assert_int_equal(ethp2p_ethsim_ready_links(sim), st.links);
    ethp2p_buffer_init(&txbuf, 0);
    enum { NTX = 200 };
    uint8_t hashes[NTX][32];
    for (int i = 0; i < NTX; i++) {
        ethp2p_privkey k;
        memset(k.b, 0x20 + (i % 50), 32); /* 50 senders */
        uint8_t to[20] = {0x02};
        ethp2p_buffer_reset(&txbuf);
        assert_int_equal(ethp2p_tx_make_transfer(&k, chain.chain_id, (uint64_t)i, to, 1, NULL, 0, &txbuf), 0);
        assert_int_equal(ethp2p_ethsim_submit(sim, (size_t)(i * 37) % sc.nodes, txbuf.data, txbuf.len, hashes[i]), 0);
    }
    ethp2p_ethsim_run_until(sim, 20000);
    for (int i = 0; i < NTX; i++)
        for (size_t n = 0; n < sc.nodes; n++)
            if (ethp2p_ethsim_seen_at(sim, n, hashes[i]) == UINT64_MAX) fail_msg("tx %d never reached node %zu", i, n);
    ethp2p_ethsim_get_stats(sim, &st);
    assert_int_equal(st.dup_full_same_peer, 0);
    assert_int_equal(st.drops, 0);
    /* Every node got every transaction once in full (pushed or fetched), except where it began. */
    assert_true(st.full_txs + 0 >= (uint64_t)NTX * (sc.nodes - 1));
    /* Announcements replace most pushes: far fewer full copies than links x transactions. */
    assert_true(st.full_txs < (uint64_t)NTX * st.links);
    ethp2p_ethsim_free(sim);
    ethp2p_buffer_clear(&txbuf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_codec),
        cmocka_unit_test(test_announce_and_range_codecs),
        cmocka_unit_test(test_status_handshake),
        cmocka_unit_test(test_transaction_penalties),
        cmocka_unit_test(test_transaction_size_limit),
        cmocka_unit_test(test_announcement_bound),
        cmocka_unit_test(test_fetch),
        cmocka_unit_test(test_fetch_timeout_retries_other_announcer),
        cmocka_unit_test(test_backpressure),
        cmocka_unit_test(test_propagation_sim),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

/*
 * Today's chains: the reference's post-merge test chain (600 blocks, Shanghai
 * at genesis, Cancun at 60, Prague at 120; typed and blob transactions,
 * withdrawals) imported, refused where a block breaks a rule, and served over
 * eth/69 and eth/68 byte for byte as chain.rlp holds it.
 */
#include "eth_harness.h"
#include "ethp2p/chain.h"
#include "ethp2p/genesis.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIR ETHP2P_TEST_DATA "/chain-postmerge/"
#define NBLOCKS 600

static ethp2p_genesis_info gi;
static ethp2p_chain_config cc;
static ethp2p_buffer file;                 /* chain.rlp */
static ethp2p_rlp_item blocks[NBLOCKS + 1]; /* blocks[n]: block n's RLP within file */

static int setup(void **state)
{
    (void)state;
    char err[160];
    if (ethp2p_genesis_load(DIR "genesis.json", &cc, &gi, err, sizeof(err))) return -1;
    ethp2p_buffer_init(&file, 0);
    if (ethp2p_buffer_read_file(&file, DIR "chain.rlp", 0)) return -1;
    size_t pos = 0, rest;
    for (int n = 1; n <= NBLOCKS; n++) {
        if (ethp2p_rlp_decode_prefix(file.data + pos, file.len - pos, &blocks[n], &rest)) return -1;
        pos += blocks[n].raw_len;
    }
    return pos == file.len ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ethp2p_genesis_info_clear(&gi);
    ethp2p_buffer_clear(&file);
    return 0;
}

static ethp2p_chain *new_chain(void)
{
    ethp2p_chain *c = ethp2p_chain_new(gi.header, gi.header_len);
    assert_non_null(c);
    ethp2p_chain_set_config(c, &cc);
    return c;
}

/* The header and the body items (everything after the header) of block n, as chain.rlp holds them. */
static void parts(int n, ethp2p_rlp_item *header, const uint8_t **body_items, size_t *body_len)
{
    ethp2p_rlp_iter it;
    assert_int_equal(ethp2p_rlp_iter_list(&blocks[n], &it), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&it, header), 0);
    *body_items = header->raw + header->raw_len;
    *body_len = (size_t)(blocks[n].payload + blocks[n].payload_len - *body_items);
}

static void test_import_and_head(void **state)
{
    (void)state;
    assert_true(cc.post_merge);
    ethp2p_chain *c = new_chain();
    size_t imported;
    char err[160] = "";
    assert_int_equal(ethp2p_chain_import_file(c, DIR "chain.rlp", &imported, err, sizeof(err)), 0);
    assert_int_equal(imported, NBLOCKS);
    const ethp2p_header *head = ethp2p_chain_head(c);
    assert_true(head->number == NBLOCKS);
    json_t *hb = tu_load_json("chain-postmerge/headblock.json");
    uint8_t want[32];
    tu_hex_fixed(tu_str(hb, "hash"), want, 32);
    assert_memory_equal(head->hash, want, 32);
    json_decref(hb);
    assert_true(ethp2p_chain_merged(c));
    /* Every header and body is held exactly as the file has it. */
    size_t withdrawals = 0, prague = 0;
    for (int n = 1; n <= NBLOCKS; n++) {
        ethp2p_rlp_item h;
        const uint8_t *body;
        size_t bl, hl, sl;
        parts(n, &h, &body, &bl);
        const uint8_t *hs = ethp2p_chain_header_rlp(c, (uint64_t)n, &hl);
        assert_non_null(hs);
        assert_int_equal(hl, h.raw_len);
        assert_memory_equal(hs, h.raw, hl);
        const uint8_t *bs = ethp2p_chain_body_rlp(c, (uint64_t)n, &sl);
        ethp2p_rlp_item stored;
        assert_int_equal(ethp2p_rlp_decode(bs, sl, &stored), 0);
        assert_int_equal(stored.payload_len, bl);
        assert_memory_equal(stored.payload, body, bl);
        const ethp2p_header *d = ethp2p_chain_header(c, (uint64_t)n);
        withdrawals += d->has_withdrawals;
        prague += d->nfields >= 21;
    }
    assert_int_equal(withdrawals, NBLOCKS); /* Shanghai from genesis */
    assert_true(prague > 400);               /* Prague from time 120: the requests hash is read */
    ethp2p_chain_free(c);
}

/* Writes blocks 1..NBLOCKS to path with block `bad` replaced by `repl`. */
static void write_with(const char *path, int bad, const uint8_t *repl, size_t rl)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int n = 1; n <= NBLOCKS; n++) {
        if (n == bad) assert_int_equal(fwrite(repl, 1, rl, f), rl);
        else assert_int_equal(fwrite(blocks[n].raw, 1, blocks[n].raw_len, f), blocks[n].raw_len);
    }
    fclose(f);
}

/* Block n rebuilt: header field `field` replaced by raw RLP `val` (field < 0: header kept),
 * and the body's item `item` (0 txs, 1 ommers, 2 withdrawals) by `body_val` (NULL: kept). */
static void rebuild(int n, int field, const uint8_t *val, size_t vl, int item, const uint8_t *body_val, size_t bvl,
                    ethp2p_rlp_writer *w)
{
    ethp2p_rlp_item h, x;
    ethp2p_rlp_iter it, ht;
    assert_int_equal(ethp2p_rlp_iter_list(&blocks[n], &it), 0);
    assert_int_equal(ethp2p_rlp_iter_expect(&it, &h), 0);
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_list_begin(w);
    assert_int_equal(ethp2p_rlp_iter_list(&h, &ht), 0);
    for (int i = 0; !ethp2p_rlp_iter_done(&ht); i++) {
        assert_int_equal(ethp2p_rlp_iter_expect(&ht, &x), 0);
        if (i == field) ethp2p_rlp_put_raw(w, val, vl);
        else ethp2p_rlp_put_raw(w, x.raw, x.raw_len);
    }
    ethp2p_rlp_list_end(w);
    for (int i = 0; !ethp2p_rlp_iter_done(&it); i++) {
        assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
        if (i == item && body_val) ethp2p_rlp_put_raw(w, body_val, bvl);
        else ethp2p_rlp_put_raw(w, x.raw, x.raw_len);
    }
    ethp2p_rlp_list_end(w);
}

/* A block that breaks a rule is refused with its number and the reason; nothing after it goes in. */
static void test_refused_blocks(void **state)
{
    (void)state;
    char path[] = "/tmp/ethp2p-chain-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    static const uint8_t empty_list[] = {0xc0}, one[] = {0x01}, nonce1[] = {0x88, 0, 0, 0, 0, 0, 0, 0, 1},
                         big_extra[34] = {0xa1}, gas_hi[] = {0x84, 0x7f, 0xff, 0xff, 0xff};
    struct {
        int block, field, item;
        const uint8_t *val;
        size_t vl;
        const char *why;
    } cases[] = {
        {77, 7, -1, one, 1, "merge"},                          /* difficulty 1 after the merge */
        {78, 14, -1, nonce1, sizeof(nonce1), "merge"},         /* a nonce after the merge */
        {80, 12, -1, big_extra, sizeof(big_extra), "extra"},   /* 33 bytes of extra data */
        {81, 10, -1, gas_hi, sizeof(gas_hi), "gas used"},      /* gas used over the limit */
        {82, 15, -1, one, 1, "base fee"},                      /* base fee not EIP-1559's */
        {93, -1, 2, empty_list, 1, "withdrawals"},             /* block 93 has one withdrawal: dropped */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        if (cases[i].field >= 0) rebuild(cases[i].block, cases[i].field, cases[i].val, cases[i].vl, -1, NULL, 0, &w);
        else rebuild(cases[i].block, -1, NULL, 0, cases[i].item, cases[i].val, cases[i].vl, &w);
        const uint8_t *b;
        size_t bl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        write_with(path, cases[i].block, b, bl);
        ethp2p_rlp_writer_clear(&w);
        ethp2p_chain *c = new_chain();
        size_t imported;
        char err[200] = "", want[32];
        if (ethp2p_chain_import_file(c, path, &imported, err, sizeof(err)) >= 0) fail_msg("case %zu imported", i);
        snprintf(want, sizeof(want), "block %d:", cases[i].block);
        if (imported != (size_t)cases[i].block - 1 || !strstr(err, want) || !strstr(err, cases[i].why))
            fail_msg("case %zu: imported %zu, error \"%s\"", i, imported, err);
        assert_true(ethp2p_chain_head(c)->number == (uint64_t)cases[i].block - 1);
        ethp2p_chain_free(c);
    }
    /* An ommer after the merge, with an ommers hash that matches it. */
    {
        ethp2p_rlp_item oh;
        const uint8_t *ob;
        size_t obl;
        parts(5, &oh, &ob, &obl);
        ethp2p_rlp_writer ol, w;
        ethp2p_rlp_writer_init(&ol, 0);
        ethp2p_rlp_writer_init(&w, 0);
        ethp2p_rlp_list_begin(&ol);
        ethp2p_rlp_put_raw(&ol, oh.raw, oh.raw_len);
        ethp2p_rlp_list_end(&ol);
        const uint8_t *ommers, *b;
        size_t olen, bl2;
        assert_int_equal(ethp2p_rlp_writer_finish(&ol, &ommers, &olen), 0);
        uint8_t hash[33] = {0xa0};
        ethp2p_keccak256(ommers, olen, hash + 1);
        /* Header field 1 and body item 1 both replaced: rebuild twice over a copy. */
        ethp2p_rlp_writer w1;
        ethp2p_rlp_writer_init(&w1, 0);
        rebuild(79, 1, hash, sizeof(hash), -1, NULL, 0, &w1);
        assert_int_equal(ethp2p_rlp_writer_finish(&w1, &b, &bl2), 0);
        ethp2p_rlp_item saved = blocks[79];
        assert_int_equal(ethp2p_rlp_decode(b, bl2, &blocks[79]), 0);
        rebuild(79, -1, NULL, 0, 1, ommers, olen, &w);
        blocks[79] = saved;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl2), 0);
        ethp2p_chain *oc = new_chain();
        for (int n = 1; n < 79; n++) assert_int_equal(ethp2p_chain_insert(oc, blocks[n].raw, blocks[n].raw_len, NULL), 1);
        assert_int_equal(ethp2p_chain_insert(oc, b, bl2, NULL), ETHP2P_CHAIN_EMERGED);
        ethp2p_chain_free(oc);
        ethp2p_rlp_writer_clear(&w);
        ethp2p_rlp_writer_clear(&w1);
        ethp2p_rlp_writer_clear(&ol);
    }
    /* Without its withdrawals at all (the header still has their root). */
    ethp2p_rlp_item h;
    const uint8_t *body;
    size_t bl;
    parts(84, &h, &body, &bl);
    ethp2p_chain *c = new_chain();
    for (int n = 1; n < 84; n++) assert_int_equal(ethp2p_chain_insert(c, blocks[n].raw, blocks[n].raw_len, NULL), 1);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    ethp2p_rlp_item txs, ommers;
    assert_int_equal(ethp2p_rlp_decode_prefix(body, bl, &txs, &bl), 0);
    assert_int_equal(ethp2p_rlp_decode_prefix(txs.raw + txs.raw_len, bl, &ommers, &bl), 0);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_raw(&w, h.raw, h.raw_len);
    ethp2p_rlp_put_raw(&w, txs.raw, txs.raw_len);
    ethp2p_rlp_put_raw(&w, ommers.raw, ommers.raw_len);
    ethp2p_rlp_list_end(&w);
    const uint8_t *b;
    size_t len;
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &len), 0);
    assert_int_equal(ethp2p_chain_insert(c, b, len, NULL), ETHP2P_CHAIN_EWITHDRAWALS);
    /* A header with a later fork's extra item is still read and hashed whole. */
    ethp2p_rlp_writer_reset(&w);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_raw(&w, h.payload, h.payload_len);
    ethp2p_rlp_put_bytes(&w, (const uint8_t *)"future", 6);
    ethp2p_rlp_list_end(&w);
    assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &len), 0);
    ethp2p_header fut;
    assert_int_equal(ethp2p_header_decode(b, len, &fut), 0);
    assert_int_equal(fut.nfields, 22);
    assert_true(fut.number == 84);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_chain_free(c);
    unlink(path);
}

/* Children made on the post-merge genesis carry each fork's fields from its time on
 * (Cancun at 60 s, Prague at 120 s; a block every 12 s) and pass every rule; a header with
 * Cancun's fields before Cancun, or without Prague's after Prague, is refused. */
static void test_make_children(void **state)
{
    (void)state;
    ethp2p_chain *c = new_chain();
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    for (int n = 1; n <= 12; n++) {
        ethp2p_rlp_writer_reset(&w);
        assert_int_equal(ethp2p_chain_make_child(c, NULL, NULL, 0, &w), 0);
        const uint8_t *b;
        size_t bl;
        assert_int_equal(ethp2p_rlp_writer_finish(&w, &b, &bl), 0);
        ethp2p_header h;
        assert_int_equal(ethp2p_chain_insert(c, b, bl, &h), 1);
        assert_true(h.has_withdrawals);
        assert_int_equal(h.has_blob_gas, h.time >= 60);
        assert_int_equal(h.nfields > 20, h.time >= 120);
        static const uint8_t zero[32];
        assert_memory_equal(h.difficulty, zero, 32);
    }
    ethp2p_header parent = *ethp2p_chain_header(c, 4), x = *ethp2p_chain_header(c, 5); /* times 48, 60 */
    uint8_t td[32] = {0};
    assert_int_equal(ethp2p_header_verify(&cc, &parent, td, &x), 0);
    x.has_blob_gas = 0;
    assert_int_equal(ethp2p_header_verify(&cc, &parent, td, &x), ETHP2P_CHAIN_EFIELDS);
    parent = *ethp2p_chain_header(c, 3);
    x = *ethp2p_chain_header(c, 4);
    x.has_blob_gas = 1;
    assert_int_equal(ethp2p_header_verify(&cc, &parent, td, &x), ETHP2P_CHAIN_EFIELDS);
    parent = *ethp2p_chain_header(c, 9);
    x = *ethp2p_chain_header(c, 10); /* time 120: Prague */
    assert_int_equal(ethp2p_header_verify(&cc, &parent, td, &x), 0);
    x.nfields = 20;
    assert_int_equal(ethp2p_header_verify(&cc, &parent, td, &x), ETHP2P_CHAIN_EFIELDS);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_chain_free(c);
}

/* One request from side 1 to side 0, answered into the box; returns the answer's list. */
static msg *ask(uint64_t code, uint64_t id, ethp2p_rlp_writer *q, ethp2p_rlp_item *list)
{
    const uint8_t *d;
    size_t n;
    assert_int_equal(ethp2p_rlp_writer_finish(q, &d, &n), 0);
    lose_all();
    ethp2p_eth_receive(S[0].eth, view[0][1], code, d, n, T0 + 10);
    ethp2p_rlp_writer_reset(q);
    assert_int_equal(nbox, 1);
    uint64_t got;
    assert_int_equal(ethp2p_eth_response_decode(box[0].data, box[0].len, &got, list), 0);
    assert_true(got == id);
    return &box[0];
}

/* Serving the imported chain to a peer, at eth/69 and eth/68: Status with the true head,
 * every header (by number and by hash, skip and reverse) and every body byte for byte,
 * receipts for what we hold, and no block taken from NewBlock after the merge. */
static void serve_at(uint32_t version)
{
    ethp2p_chain *c = new_chain();
    size_t imported;
    char err[160];
    assert_int_equal(ethp2p_chain_import_file(c, DIR "chain.rlp", &imported, err, sizeof(err)), 0);
    reset_sides();
    chains[0] = c;
    chains[1] = NULL;
    make_side(0, &cc);
    make_side(1, &cc);
    connect_sides(0, 1, version);
    /* Side 0's Status (the first message in the box) tells the true head. */
    assert_true(nbox >= 1 && box[0].from == 0 && box[0].code == ETHP2P_ETH_STATUS);
    ethp2p_eth_status st;
    assert_int_equal(ethp2p_eth_status_decode(box[0].data, box[0].len, version, &st), 0);
    const ethp2p_header *head = ethp2p_chain_head(c);
    assert_memory_equal(st.head, head->hash, 32);
    if (version >= 69) {
        assert_true(st.latest == NBLOCKS && st.earliest == 0);
    } else {
        uint8_t td[32] = {0};
        td[29] = 0x02; /* 131,072: the genesis difficulty, and no difficulty after it */
        assert_memory_equal(st.td, td, 32);
    }
    deliver(T0);
    deliver(T0);
    assert_true(S[0].ready && S[1].ready);
    ethp2p_rlp_writer q;
    ethp2p_rlp_writer_init(&q, 0);
    ethp2p_rlp_item list, x;
    ethp2p_rlp_iter it;
    /* Every header, in batches by number. */
    int n = 0;
    for (uint64_t from = 0; from <= NBLOCKS;) {
        ethp2p_rlp_list_begin(&q);
        ethp2p_rlp_put_uint(&q, 100 + from);
        ethp2p_rlp_list_begin(&q);
        ethp2p_rlp_put_uint(&q, from);
        ethp2p_rlp_put_uint(&q, 256);
        ethp2p_rlp_put_uint(&q, 0);
        ethp2p_rlp_put_uint(&q, 0);
        ethp2p_rlp_list_end(&q);
        ethp2p_rlp_list_end(&q);
        ask(ETHP2P_ETH_GET_BLOCK_HEADERS, 100 + from, &q, &list);
        assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
        size_t got = 0;
        while (!ethp2p_rlp_iter_done(&it)) {
            assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
            if (from + got == 0) {
                assert_int_equal(x.raw_len, gi.header_len);
                assert_memory_equal(x.raw, gi.header, gi.header_len);
            } else {
                ethp2p_rlp_item h;
                const uint8_t *b;
                size_t bl;
                parts((int)(from + got), &h, &b, &bl);
                assert_int_equal(x.raw_len, h.raw_len);
                assert_memory_equal(x.raw, h.raw, h.raw_len);
                n++;
            }
            got++;
        }
        assert_true(got == 256 || from + got == NBLOCKS + 1);
        from += got;
    }
    assert_int_equal(n, NBLOCKS);
    /* By hash, reverse, skip 9: the head, then 590, 580, ... */
    ethp2p_rlp_list_begin(&q);
    ethp2p_rlp_put_uint(&q, 7);
    ethp2p_rlp_list_begin(&q);
    ethp2p_rlp_put_bytes(&q, head->hash, 32);
    ethp2p_rlp_put_uint(&q, 5);
    ethp2p_rlp_put_uint(&q, 9);
    ethp2p_rlp_put_uint(&q, 1);
    ethp2p_rlp_list_end(&q);
    ethp2p_rlp_list_end(&q);
    ask(ETHP2P_ETH_GET_BLOCK_HEADERS, 7, &q, &list);
    assert_int_equal(ethp2p_rlp_list_count(&list), 5);
    assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
    for (int k = 0; k < 5; k++) {
        ethp2p_header h;
        assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
        assert_int_equal(ethp2p_header_decode(x.raw, x.raw_len, &h), 0);
        assert_true(h.number == (uint64_t)(NBLOCKS - 10 * k));
    }
    /* Every body, 100 hashes a request, withdrawals and all. */
    for (int from = 1; from <= NBLOCKS; from += 100) {
        ethp2p_rlp_list_begin(&q);
        ethp2p_rlp_put_uint(&q, 9);
        ethp2p_rlp_list_begin(&q);
        for (int k = from; k < from + 100; k++) ethp2p_rlp_put_bytes(&q, ethp2p_chain_header(c, (uint64_t)k)->hash, 32);
        ethp2p_rlp_list_end(&q);
        ethp2p_rlp_list_end(&q);
        ask(ETHP2P_ETH_GET_BLOCK_BODIES, 9, &q, &list);
        assert_int_equal(ethp2p_rlp_list_count(&list), 100);
        assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
        for (int k = from; k < from + 100; k++) {
            ethp2p_rlp_item h;
            const uint8_t *b;
            size_t bl;
            parts(k, &h, &b, &bl);
            assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
            assert_int_equal(x.payload_len, bl);
            assert_memory_equal(x.payload, b, bl);
        }
    }
    /* Receipts: an empty list for each block without transactions; the others are not held. */
    ethp2p_rlp_list_begin(&q);
    ethp2p_rlp_put_uint(&q, 11);
    ethp2p_rlp_list_begin(&q);
    size_t empty = 0;
    for (int k = 1; k <= NBLOCKS; k++) {
        const ethp2p_header *h = ethp2p_chain_header(c, (uint64_t)k);
        ethp2p_rlp_put_bytes(&q, h->hash, 32);
        empty += memcmp(h->receipts_root, ETHP2P_EMPTY_TRIE_ROOT, 32) == 0;
    }
    ethp2p_rlp_list_end(&q);
    ethp2p_rlp_list_end(&q);
    ask(ETHP2P_ETH_GET_RECEIPTS, 11, &q, &list);
    assert_true(empty > 0 && empty < NBLOCKS);
    assert_int_equal(ethp2p_rlp_list_count(&list), (long)empty);
    assert_int_equal(ethp2p_rlp_iter_list(&list, &it), 0);
    while (!ethp2p_rlp_iter_done(&it)) {
        assert_int_equal(ethp2p_rlp_iter_expect(&it, &x), 0);
        assert_true(x.kind == ETHP2P_RLP_LIST && x.payload_len == 0);
    }
    /* After the merge a NewBlock (eth/68) is not imported, and a peer that keeps sending them is dropped. */
    if (version < 69) {
        uint64_t head_before = ethp2p_chain_head(c)->number;
        for (int k = 0; k <= ETHP2P_ETH_MAX_BLOCK_MSGS_POST_MERGE; k++) {
            ethp2p_rlp_list_begin(&q);
            ethp2p_rlp_put_raw(&q, blocks[NBLOCKS].raw, blocks[NBLOCKS].raw_len);
            ethp2p_rlp_put_uint(&q, 131072);
            ethp2p_rlp_list_end(&q);
            const uint8_t *d;
            size_t dl;
            assert_int_equal(ethp2p_rlp_writer_finish(&q, &d, &dl), 0);
            ethp2p_eth_receive(S[0].eth, view[0][1], ETHP2P_ETH_NEW_BLOCK, d, dl, T0 + 20);
            ethp2p_rlp_writer_reset(&q);
        }
        assert_true(ethp2p_chain_head(c)->number == head_before);
        assert_true(S[0].dropped);
    }
    ethp2p_rlp_writer_clear(&q);
    free_sides(2);
    chains[0] = NULL;
    ethp2p_chain_free(c);
}

static void test_serve_eth69(void **state)
{
    (void)state;
    serve_at(69);
}

static void test_serve_eth68(void **state)
{
    (void)state;
    serve_at(68);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_and_head),
        cmocka_unit_test(test_refused_blocks),
        cmocka_unit_test(test_make_children),
        cmocka_unit_test(test_serve_eth69),
        cmocka_unit_test(test_serve_eth68),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * The discv5 core, two or more instances wired through a hand-delivered
 * mailbox: the handshake on a first request (random packet, WHOAREYOU,
 * handshake), then PING/PONG, FINDNODE (own record, records at a distance,
 * split over several NODES messages), TALKREQ, sessions reused, a lost
 * session re-established, and the defences: WHOAREYOU bounded per IP, no
 * answer without a handshake, bad identity proofs, garbage, discv4 passed on.
 */
#include "test_util.h"
#include "ethp2p/discv5.h"
#include "ethp2p/v4wire.h"
#include "ethp2p/log.h"
#include "discover/discv5_internal.h" /* v5_keep_record: plants a record a server would not keep */

#include <stdlib.h>
#include <string.h>

#define T0 1000000ULL
#define NODES 48
#define BOX 16384

typedef struct pkt {
    int from, to;
    uint8_t data[ETHP2P_V5_MAX_PACKET];
    size_t len;
} pkt;

static pkt box[BOX];
static size_t nbox;
static ethp2p_discv5 *V[NODES];
static ethp2p_enr R[NODES];
static ethp2p_privkey K[NODES];
static ethp2p_udp_addr A[NODES];
static int ctxs[NODES];

static void on_send(void *ctx, const ethp2p_udp_addr *to, const uint8_t *data, size_t len)
{
    int from = *(int *)ctx, dest = -1;
    for (int i = 0; i < NODES; i++)
        if (to->port == A[i].port) dest = i;
    assert_true(dest >= 0 && nbox < BOX);
    box[nbox].from = from;
    box[nbox].to = dest;
    memcpy(box[nbox].data, data, len);
    box[nbox].len = len;
    nbox++;
}

/* Delivers until nothing is left (bounded); returns how many packets moved. */
static size_t deliver(uint64_t now)
{
    size_t moved = 0;
    for (int round = 0; nbox && round < 50; round++) {
        static pkt batch[BOX];
        size_t n = nbox;
        memcpy(batch, box, n * sizeof(pkt));
        nbox = 0;
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(ethp2p_discv5_handle_packet(V[batch[i].to], &A[batch[i].from], batch[i].data, batch[i].len, now), 0);
            moved++;
        }
    }
    return moved;
}

static void make_node_bg(int i, const ethp2p_enr *boot, size_t nboot);
static void make_node(int i) { make_node_bg(i, NULL, 0); }

static void make_node_bg(int i, const ethp2p_enr *boot, size_t nboot)
{
    memset(K[i].b, 0x40 + i, 32);
    ethp2p_enr_init(&R[i]);
    R[i].seq = 3;
    assert_int_equal(ethp2p_ip_parse("127.0.0.1", &A[i].ip), 0);
    A[i].port = (uint16_t)(40000 + i);
    assert_int_equal(ethp2p_enr_set_ip(&R[i], &A[i].ip), 0);
    assert_int_equal(ethp2p_enr_set_port(&R[i], "udp", A[i].port), 0);
    assert_int_equal(ethp2p_enr_sign(&R[i], &K[i]), 0);
    ethp2p_discv5_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.key = K[i];
    cfg.record = &R[i];
    ctxs[i] = i;
    cfg.ctx = &ctxs[i];
    cfg.send = on_send;
    cfg.seed = 77 + (uint64_t)i;
    cfg.background = boot != NULL;
    cfg.bootnodes = boot;
    cfg.nbootnodes = nboot;
    cfg.refresh_ms = 2000;
    V[i] = ethp2p_discv5_new(&cfg);
    assert_non_null(V[i]);
}

static int setup(void **state)
{
    (void)state;
    if (getenv("V5_DEBUG")) ethp2p_log_set_level(ETHP2P_LOG_DEBUG);
    nbox = 0;
    for (int i = 0; i < 4; i++) make_node(i);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NODES; i++) {
        ethp2p_discv5_free(V[i]);
        V[i] = NULL;
    }
    return 0;
}

static struct {
    int calls, err;
    uint64_t seq;
    ethp2p_udp_addr seen;
    size_t nrecs;
    ethp2p_enr recs[32];
    uint8_t resp[64];
    size_t resp_len;
} got;

static void pong_cb(void *arg, int err, uint64_t seq, const ethp2p_udp_addr *seen)
{
    (void)arg;
    got.calls++;
    got.err = err;
    got.seq = seq;
    if (seen) got.seen = *seen;
}

static void nodes_cb(void *arg, int err, const ethp2p_enr *recs, size_t n)
{
    (void)arg;
    got.calls++;
    got.err = err;
    got.nrecs = n < 32 ? n : 32;
    memcpy(got.recs, recs, got.nrecs * sizeof(*recs));
}

static void talk_cb(void *arg, int err, const uint8_t *resp, size_t len)
{
    (void)arg;
    got.calls++;
    got.err = err;
    got.resp_len = len < 64 ? len : 64;
    if (resp) memcpy(got.resp, resp, got.resp_len);
}

static void echo(void *ctx, const uint8_t from_id[32], const uint8_t *req, size_t len, uint8_t *resp, size_t cap, size_t *rl)
{
    (void)ctx;
    (void)from_id;
    *rl = len < cap ? len : cap;
    memcpy(resp, req, *rl);
    for (size_t i = 0; i < *rl; i++) resp[i] ^= 0x20; /* upper case for letters */
}

static void test_handshake_and_requests(void **state)
{
    (void)state;
    memset(&got, 0, sizeof(got));
    /* A pings B: random packet, WHOAREYOU, handshake with PING, PONG. */
    assert_int_equal(ethp2p_discv5_ping(V[0], &R[1], T0, pong_cb, NULL), 0);
    assert_int_equal(nbox, 1);
    size_t moved = deliver(T0);
    assert_int_equal(moved, 4);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
    assert_true(got.seq == R[1].seq);
    assert_true(got.seen.port == A[0].port); /* B saw A at its address */
    assert_int_equal(ethp2p_discv5_get_stats(V[0])->handshakes_done, 1);
    assert_int_equal(ethp2p_discv5_get_stats(V[1])->handshakes_done, 1);
    /* Again: the session is reused, two packets. */
    assert_int_equal(ethp2p_discv5_ping(V[0], &R[1], T0 + 10, pong_cb, NULL), 0);
    assert_int_equal(deliver(T0 + 10), 2);
    assert_int_equal(got.calls, 2);
    /* Messages by type (the metrics read them): two PINGs out of A into B, two PONGs back. */
    assert_int_equal(ethp2p_discv5_get_stats(V[0])->msgs_out[ETHP2P_V5_PING], 2);
    assert_int_equal(ethp2p_discv5_get_stats(V[1])->msgs_in[ETHP2P_V5_PING], 2);
    assert_int_equal(ethp2p_discv5_get_stats(V[1])->msgs_out[ETHP2P_V5_PONG], 2);
    assert_int_equal(ethp2p_discv5_get_stats(V[0])->msgs_in[ETHP2P_V5_PONG], 2);
    /* B learned A's record from the handshake: B can reach A in the opposite direction too. */
    assert_int_equal(ethp2p_discv5_ping(V[1], &R[0], T0 + 20, pong_cb, NULL), 0);
    deliver(T0 + 20);
    assert_int_equal(got.calls, 3);
    assert_int_equal(got.err, 0);
    /* FINDNODE distance 0: B's own record. */
    uint16_t d0 = 0;
    assert_int_equal(ethp2p_discv5_findnode(V[0], &R[1], &d0, 1, T0 + 30, nodes_cb, NULL), 0);
    deliver(T0 + 30);
    assert_int_equal(got.calls, 4);
    assert_int_equal(got.nrecs, 1);
    uint8_t e1[ETHP2P_ENR_MAX_SIZE], e2[ETHP2P_ENR_MAX_SIZE];
    size_t l1, l2;
    assert_int_equal(ethp2p_enr_encode(&got.recs[0], e1, sizeof(e1), &l1), 0);
    assert_int_equal(ethp2p_enr_encode(&R[1], e2, sizeof(e2), &l2), 0);
    assert_int_equal(l1, l2);
    assert_memory_equal(e1, e2, l1);
    /* TALKREQ: a registered protocol answers, an unknown one gets an empty answer. */
    assert_int_equal(ethp2p_discv5_register_talk(V[1], "echo", echo, NULL), 0);
    assert_int_equal(ethp2p_discv5_talkreq(V[0], &R[1], "echo", (const uint8_t *)"hello", 5, T0 + 40, talk_cb, NULL), 0);
    deliver(T0 + 40);
    assert_int_equal(got.calls, 5);
    assert_int_equal(got.resp_len, 5);
    assert_memory_equal(got.resp, "HELLO", 5);
    assert_int_equal(ethp2p_discv5_talkreq(V[0], &R[1], "nope", (const uint8_t *)"x", 1, T0 + 50, talk_cb, NULL), 0);
    deliver(T0 + 50);
    assert_int_equal(got.calls, 6);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.resp_len, 0);
}

static void test_findnode_distances_and_many_nodes(void **state)
{
    (void)state;
    memset(&got, 0, sizeof(got));
    /* B knows 12 more records; A asks for the distances they are at. */
    ethp2p_enr extra[12];
    uint16_t dist[16];
    size_t nd = 0;
    ethp2p_node_id bid;
    assert_int_equal(ethp2p_enr_node_id(&R[1], &bid), 0);
    for (int i = 0; i < 12; i++) {
        ethp2p_privkey k;
        memset(k.b, 0x60 + i, 32);
        ethp2p_enr_init(&extra[i]);
        assert_int_equal(ethp2p_enr_set_ip(&extra[i], &A[2].ip), 0);
        assert_int_equal(ethp2p_enr_set_port(&extra[i], "udp", (uint16_t)(41000 + i)), 0);
        assert_int_equal(ethp2p_enr_sign(&extra[i], &k), 0);
        assert_int_equal(ethp2p_discv5_add_node(V[1], &extra[i]), 0);
        ethp2p_node_id id;
        assert_int_equal(ethp2p_enr_node_id(&extra[i], &id), 0);
        uint16_t dd = (uint16_t)ethp2p_discv5_log_distance(id.b, bid.b);
        int seen = 0;
        for (size_t k2 = 0; k2 < nd; k2++) seen |= dist[k2] == dd;
        if (!seen && nd < 16) dist[nd++] = dd;
    }
    assert_int_equal(ethp2p_discv5_findnode(V[0], &R[1], dist, nd, T0 + 100, nodes_cb, NULL), 0);
    deliver(T0 + 100);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
    assert_int_equal(got.nrecs, 12); /* over several NODES messages (each under 1280 bytes) */
    /* Asking only one distance returns only the records at it. */
    memset(&got, 0, sizeof(got));
    assert_int_equal(ethp2p_discv5_findnode(V[0], &R[1], &dist[0], 1, T0 + 200, nodes_cb, NULL), 0);
    deliver(T0 + 200);
    for (size_t i = 0; i < got.nrecs; i++) {
        ethp2p_node_id id;
        assert_int_equal(ethp2p_enr_node_id(&got.recs[i], &id), 0);
        assert_int_equal(ethp2p_discv5_log_distance(id.b, bid.b), dist[0]);
    }
    assert_true(got.nrecs >= 1);
}

/* A record in a NODES answer whose signature does not verify is refused, also when the
 * asker keeps a genuine record of the same node (only the very bytes kept skip the check). */
static void test_forged_records_refused(void **state)
{
    (void)state;
    ethp2p_privkey kx;
    memset(kx.b, 0x77, 32);
    ethp2p_enr x;
    ethp2p_enr_init(&x);
    x.seq = 5;
    assert_int_equal(ethp2p_enr_set_ip(&x, &A[2].ip), 0);
    assert_int_equal(ethp2p_enr_set_port(&x, "udp", 42000), 0);
    assert_int_equal(ethp2p_enr_sign(&x, &kx), 0);
    ethp2p_node_id xid, bid;
    assert_int_equal(ethp2p_enr_node_id(&x, &xid), 0);
    assert_int_equal(ethp2p_enr_node_id(&R[1], &bid), 0);
    uint16_t dist = (uint16_t)ethp2p_discv5_log_distance(xid.b, bid.b);
    /* B knows the genuine record: A gets it (verified). */
    assert_int_equal(ethp2p_discv5_add_node(V[1], &x), 0);
    memset(&got, 0, sizeof(got));
    assert_int_equal(ethp2p_discv5_findnode(V[0], &R[1], &dist, 1, T0 + 250, nodes_cb, NULL), 0);
    deliver(T0 + 250);
    assert_int_equal(got.calls, 1);
    int have = 0;
    for (size_t i = 0; i < got.nrecs; i++) {
        ethp2p_node_id id;
        assert_int_equal(ethp2p_enr_node_id(&got.recs[i], &id), 0);
        have |= !memcmp(id.b, xid.b, 32);
    }
    assert_true(have);
    /* B now serves a forgery: seq 6, another port, the old signature. */
    ethp2p_enr forged = x;
    forged.seq = 6;
    uint8_t enc[ETHP2P_ENR_MAX_SIZE];
    size_t len;
    assert_int_equal(ethp2p_enr_encode(&forged, enc, sizeof(enc), &len), 0);
    assert_int_equal(ethp2p_enr_decode(enc, len, &forged), 0);
    assert_int_not_equal(ethp2p_enr_verify(&forged), 0);
    v5_keep_record(V[1], &forged);
    memset(&got, 0, sizeof(got));
    assert_int_equal(ethp2p_discv5_findnode(V[0], &R[1], &dist, 1, T0 + 260, nodes_cb, NULL), 0);
    deliver(T0 + 260);
    assert_int_equal(got.calls, 1);
    for (size_t i = 0; i < got.nrecs; i++) {
        ethp2p_node_id id;
        assert_int_equal(ethp2p_enr_node_id(&got.recs[i], &id), 0);
        assert_memory_not_equal(id.b, xid.b, 32);
    }
    /* A still keeps seq 5. */
    static ethp2p_enr kept[ETHP2P_DISCV5_MAX_RECORDS];
    size_t n = ethp2p_discv5_records(V[0], kept, ETHP2P_DISCV5_MAX_RECORDS);
    int seq5 = 0;
    for (size_t i = 0; i < n; i++) {
        ethp2p_node_id id;
        if (ethp2p_enr_node_id(&kept[i], &id) == 0 && !memcmp(id.b, xid.b, 32)) seq5 = kept[i].seq == 5;
    }
    assert_true(seq5);
}

static void test_lost_session_and_timeouts(void **state)
{
    (void)state;
    memset(&got, 0, sizeof(got));
    /* B forgets everything (a restart): A's next request in the old session gets a
     * WHOAREYOU, and the handshake runs again with the same request. */
    ethp2p_discv5_free(V[1]);
    make_node(1);
    assert_int_equal(ethp2p_discv5_ping(V[0], &R[1], T0 + 300, pong_cb, NULL), 0);
    assert_int_equal(deliver(T0 + 300), 4);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
    /* A request lost on the way times out after 700 ms (plus the handshake time when new). */
    assert_int_equal(ethp2p_discv5_ping(V[0], &R[3], T0 + 400, pong_cb, NULL), 0);
    nbox = 0;
    assert_true(ethp2p_discv5_tick(V[0], T0 + 401) <= T0 + 400 + 1700);
    ethp2p_discv5_tick(V[0], T0 + 400 + 1700);
    assert_int_equal(got.calls, 2);
    assert_int_equal(got.err, ETHP2P_ETIMEDOUT);
}

static void test_defences(void **state)
{
    (void)state;
    /* Not discv5 (a discv4 Ping): handed back. */
    ethp2p_v4_packet p;
    memset(&p, 0, sizeof(p));
    p.type = ETHP2P_V4_PING;
    p.u.ping.version = 4;
    p.expiration = T0 / 1000 + 20;
    uint8_t v4[ETHP2P_V4_MAX_PACKET];
    size_t v4len;
    assert_int_equal(ethp2p_v4_encode(&K[0], &p, v4, &v4len, NULL), 0);
    assert_int_equal(ethp2p_discv5_handle_packet(V[2], &A[0], v4, v4len, T0), ETHP2P_V5_ENOTV5);
    /* Packets from one IP claiming 50 different node IDs: at most 8 challenges outstanding. */
    nbox = 0;
    ethp2p_node_id cid;
    assert_int_equal(ethp2p_enr_node_id(&R[2], &cid), 0);
    for (int i = 0; i < 50; i++) {
        uint8_t iv[16] = {(uint8_t)i}, nonce[12] = {(uint8_t)i}, src[32], key[16] = {0}, junk[20] = {0}, out[200];
        memset(src, i + 1, 32);
        size_t len;
        assert_int_equal(ethp2p_v5_encode(cid.b, iv, 0, nonce, src, 32, key, junk, 20, out, &len), 0);
        assert_int_equal(ethp2p_discv5_handle_packet(V[2], &A[3], out, len, T0), 0);
    }
    assert_int_equal(nbox, ETHP2P_DISCV5_CHALLENGES_PER_IP);
    assert_int_equal(ethp2p_discv5_get_stats(V[2])->whoareyou_limited, 50 - ETHP2P_DISCV5_CHALLENGES_PER_IP);
    nbox = 0;
    const ethp2p_discv5_stats *st = ethp2p_discv5_get_stats(V[2]);
    ethp2p_discv5_tick(V[2], T0 + 5000); /* the flood's challenges expire */
    /* A handshake whose identity proof was altered on the way is refused: no session, no answer. */
    memset(&got, 0, sizeof(got));
    assert_int_equal(ethp2p_discv5_ping(V[3], &R[2], T0 + 5000, pong_cb, NULL), 0);
    for (int step = 0; step < 2; step++) { /* random packet -> WHOAREYOU -> handshake */
        pkt b = box[0];
        nbox = 0;
        assert_int_equal(ethp2p_discv5_handle_packet(V[b.to], &A[b.from], b.data, b.len, T0 + 5000), 0);
    }
    assert_int_equal(nbox, 1);
    box[0].data[16 + 23 + 34 + 5] ^= 0x01; /* a byte of the signature (the mask is a stream cipher) */
    uint64_t failed = st->handshakes_failed;
    deliver(T0 + 5000);
    assert_true(st->handshakes_failed == failed + 1);
    assert_int_equal(got.calls, 0);
    failed = st->handshakes_failed;
    ethp2p_discv5_tick(V[3], T0 + 8000);
    ethp2p_discv5_tick(V[2], T0 + 8000);
    /* An honest handshake from the flooded IP still works. */
    memset(&got, 0, sizeof(got));
    assert_int_equal(ethp2p_discv5_ping(V[3], &R[2], T0 + 8000, pong_cb, NULL), 0);
    deliver(T0 + 8000);
    assert_int_equal(got.calls, 1);
    assert_int_equal(got.err, 0);
    /* Garbage of every size: counted, no crash, no answer. */
    uint8_t junk[1400];
    memset(junk, 0x5a, sizeof(junk));
    for (size_t n = 0; n < sizeof(junk); n += 97) (void)ethp2p_discv5_handle_packet(V[2], &A[0], junk, n, T0 + 6000);
    assert_int_equal(nbox, 0);
    assert_true(st->handshakes_failed == failed);
    /* A WHOAREYOU nobody asked for: dropped. */
    uint8_t iv[16] = {0}, nonce[12] = {9}, auth[24] = {0}, out[200];
    size_t len;
    assert_int_equal(ethp2p_v5_encode(cid.b, iv, 1, nonce, auth, 24, NULL, NULL, 0, out, &len), 0);
    uint64_t malformed = st->malformed;
    assert_int_equal(ethp2p_discv5_handle_packet(V[2], &A[0], out, len, T0 + 6000), 0);
    assert_true(st->malformed == malformed + 1);
    assert_int_equal(nbox, 0);
}

static void lookup_cb(void *arg, const ethp2p_enr *closest, size_t n, const ethp2p_discv5_lookup_info *info)
{
    assert_true(info->replies <= info->queries);
    const uint8_t *want = arg;
    got.calls++;
    got.nrecs = 0;
    for (size_t i = 0; i < n; i++) {
        ethp2p_node_id id;
        if (ethp2p_enr_node_id(&closest[i], &id) == 0 && !memcmp(id.b, want, 32)) got.nrecs = 1;
    }
}

/* 48 nodes that know only node 0 (by its enode, as a bootnode list gives it): after their
 * background lookups every table holds most of the network, and a lookup for any node's
 * ID finds that node. */
static void test_lookups_fill_tables(void **state)
{
    (void)state;
    for (int i = 0; i < NODES; i++) ethp2p_discv5_free(V[i]);
    nbox = 0;
    make_node_bg(0, NULL, 0);
    ethp2p_enode boot_enode;
    ethp2p_enr boot;
    assert_int_equal(ethp2p_enr_to_enode(&R[0], &boot_enode), 0);
    assert_int_equal(ethp2p_discv5_record_of(&boot_enode, &boot), 0);
    for (int i = 1; i < NODES; i++) make_node_bg(i, &boot, 1);
    for (int i = 0; i < NODES; i++) ethp2p_discv5_start(V[i], T0);
    for (uint64_t t = T0; t < T0 + 30000; t += 250) {
        deliver(t);
        for (int i = 0; i < NODES; i++) ethp2p_discv5_tick(V[i], t);
        deliver(t);
    }
    size_t min = NODES, sum = 0;
    for (int i = 0; i < NODES; i++) {
        size_t n = ethp2p_discv5_table_len(V[i]);
        if (n < min) min = n;
        sum += n;
    }
    print_message("tables: min %zu, mean %.1f of %d\n", min, (double)sum / NODES, NODES - 1);
    assert_true(min >= NODES / 2);
    /* Lookups for other nodes' IDs, from nodes that did not start knowing them. */
    int found = 0;
    for (int k = 0; k < 8; k++) {
        int from = 1 + k * 5, to = NODES - 1 - k;
        ethp2p_node_id id;
        assert_int_equal(ethp2p_enr_node_id(&R[to], &id), 0);
        memset(&got, 0, sizeof(got));
        assert_int_equal(ethp2p_discv5_lookup(V[from], id.b, T0 + 30000, lookup_cb, id.b), 0);
        for (uint64_t t = T0 + 30000; t < T0 + 35000 && !got.calls; t += 100) {
            deliver(t);
            ethp2p_discv5_tick(V[from], t);
        }
        assert_int_equal(got.calls, 1);
        found += (int)got.nrecs;
    }
    assert_int_equal(found, 8);
}

/* ---- sessions under pressure: more clients than the session bound ---- */

#define CLIENTS (ETHP2P_DISCV5_MAX_SESSIONS + 76)
static pkt last[8];
static size_t nlast;
static void to_last(void *ctx, const ethp2p_udp_addr *to, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)to;
    assert_true(nlast < 8);
    memcpy(last[nlast].data, data, len);
    last[nlast].len = len;
    nlast++;
}

/* One exchange between client c (at caddr) and the server (V[2]) until neither sends;
 * returns how many packets crossed. */
static size_t exchange(ethp2p_discv5 *c, const ethp2p_udp_addr *caddr, uint64_t now)
{
    size_t moved = 0;
    int to_server = 1;
    while (nlast && moved < 16) {
        pkt p = last[0];
        nlast = 0;
        moved++;
        if (to_server) (void)ethp2p_discv5_handle_packet(V[2], caddr, p.data, p.len, now);
        else (void)ethp2p_discv5_handle_packet(c, &A[2], p.data, p.len, now);
        to_server = !to_server;
    }
    return moved;
}

static void test_sessions_under_pressure(void **state)
{
    (void)state;
    ethp2p_discv5_free(V[2]);
    ethp2p_discv5_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.key = K[2];
    cfg.record = &R[2];
    cfg.send = to_last;
    cfg.seed = 5;
    V[2] = ethp2p_discv5_new(&cfg);
    assert_non_null(V[2]);
    ethp2p_discv5 *first = NULL;
    ethp2p_udp_addr first_addr;
    memset(&got, 0, sizeof(got));
    for (int i = 0; i < CLIENTS; i++) {
        ethp2p_discv5_config cc;
        ethp2p_enr rec;
        memset(&cc, 0, sizeof(cc));
        memset(cc.key.b, 0x71, 32);
        cc.key.b[30] = (uint8_t)(i >> 8);
        cc.key.b[31] = (uint8_t)i;
        ethp2p_udp_addr a = {{4, {10, (uint8_t)(i >> 8), (uint8_t)i, 1}}, 30303};
        ethp2p_enr_init(&rec);
        rec.seq = 1;
        assert_int_equal(ethp2p_enr_set_ip(&rec, &a.ip), 0);
        assert_int_equal(ethp2p_enr_set_port(&rec, "udp", a.port), 0);
        assert_int_equal(ethp2p_enr_sign(&rec, &cc.key), 0);
        cc.record = &rec;
        cc.send = to_last;
        cc.seed = (uint64_t)i + 1;
        ethp2p_discv5 *c = ethp2p_discv5_new(&cc);
        assert_non_null(c);
        nlast = 0;
        assert_int_equal(ethp2p_discv5_ping(c, &R[2], T0 + (uint64_t)i, pong_cb, NULL), 0);
        assert_int_equal(exchange(c, &a, T0 + (uint64_t)i), 4); /* random, WHOAREYOU, handshake, PONG */
        if (i == 0) {
            first = c;
            first_addr = a;
        } else if (i < CLIENTS - 1) {
            ethp2p_discv5_free(c);
        } else {
            /* The newest client's session is kept: a PING goes straight through. */
            nlast = 0;
            assert_int_equal(ethp2p_discv5_ping(c, &R[2], T0 + 5000, pong_cb, NULL), 0);
            assert_int_equal(exchange(c, &a, T0 + 5000), 2);
            ethp2p_discv5_free(c);
        }
    }
    assert_int_equal(got.calls, CLIENTS + 1);
    assert_true(ethp2p_discv5_get_stats(V[2])->sessions == CLIENTS);
    /* The first client's session was the least recently used: evicted, so its next PING is
     * challenged and the handshake runs again (4 packets), and it is still answered. */
    nlast = 0;
    assert_int_equal(ethp2p_discv5_ping(first, &R[2], T0 + 6000, pong_cb, NULL), 0);
    assert_int_equal(exchange(first, &first_addr, T0 + 6000), 4);
    assert_int_equal(got.calls, CLIENTS + 2);
    assert_int_equal(got.err, 0);
    ethp2p_discv5_free(first);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_and_requests),
        cmocka_unit_test(test_findnode_distances_and_many_nodes),
        cmocka_unit_test(test_forged_records_refused),
        cmocka_unit_test(test_lost_session_and_timeouts),
        cmocka_unit_test(test_defences),
        cmocka_unit_test(test_lookups_fill_tables),
        cmocka_unit_test(test_sessions_under_pressure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * The discv4 core's rules, one packet at a time: a core under test sends into
 * a capture buffer, and the test plays the remote side with real signed
 * packets from its own key.
 */
#include "test_util.h"
#include "ethp2p/discv4.h"
#include "ethp2p/iptrack.h"
#include "ethp2p/keccak.h"

#include <stdlib.h>
#include <string.h>

#define T0 1800000000000ULL /* virtual Unix ms */

typedef struct sent_packet {
    ethp2p_udp_addr to;
    uint8_t data[ETHP2P_V4_MAX_PACKET];
    size_t len;
} sent_packet;

static sent_packet sent[64];
static size_t nsent;

static void capture(void *ctx, const ethp2p_udp_addr *to, const uint8_t *data, size_t len)
{
    assert_true(nsent < 64);
    sent[nsent].to = *to;
    memcpy(sent[nsent].data, data, len);
    sent[nsent].len = len;
    nsent++;
}

static ethp2p_privkey core_key, remote_key;
static ethp2p_pubkey remote_pub;
static ethp2p_udp_addr remote_addr;
static ethp2p_enode remote_node;
static ethp2p_v4_packet pkt, got;

static void setup_remote(void)
{
    memset(remote_key.b, 0x42, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&remote_key, &remote_pub), 0);
    assert_int_equal(ethp2p_ip_parse("10.0.0.2", &remote_addr.ip), 0);
    remote_addr.port = 30304;
    assert_int_equal(ethp2p_enode_init(&remote_node, &remote_pub, &remote_addr.ip, 30305, 30304), 0);
}

static ethp2p_discv4 *make_core(void)
{
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(core_key.b, 0x21, 32);
    cfg.key = core_key;
    assert_int_equal(ethp2p_ip_parse("10.0.0.1", &cfg.ip), 0);
    cfg.udp_port = cfg.tcp_port = 30303;
    cfg.enr_seq = 5;
    cfg.no_background = 1;
    cfg.send = capture;
    cfg.seed = 1;
    setup_remote();
    nsent = 0;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0);
    assert_non_null(d);
    return d;
}

/* Sends a packet from the remote to the core; returns its hash. */
static void remote_send(ethp2p_discv4 *d, ethp2p_v4_packet *p, uint64_t now, uint8_t hash[32])
{
    uint8_t buf[ETHP2P_V4_MAX_PACKET];
    size_t len;
    if (p->type != ETHP2P_V4_ENRRESPONSE && p->expiration == 0) p->expiration = now / 1000 + 20;
    assert_int_equal(ethp2p_v4_encode(&remote_key, p, buf, &len, hash), 0);
    ethp2p_discv4_handle_packet(d, &remote_addr, buf, len, now);
}

/* Decodes what the core sent as packet i. */
static ethp2p_v4_packet *sent_packet_at(size_t i, ethp2p_v4_meta *meta)
{
    assert_true(i < nsent);
    assert_int_equal(ethp2p_v4_decode(sent[i].data, sent[i].len, &got, meta), 0);
    return &got;
}

/* The remote asks for the nodes closest to its own key. */
static void findnode_from_remote(ethp2p_discv4 *d, uint64_t now)
{
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_FINDNODE;
    pkt.u.findnode.target = remote_pub;
    remote_send(d, &pkt, now, NULL);
}

/* A node whose private key is `seed` repeated, at ip:30303. */
static ethp2p_enode seeded_node(uint8_t seed, ethp2p_ip ip)
{
    ethp2p_privkey k;
    ethp2p_pubkey p;
    ethp2p_enode n;
    memset(k.b, seed, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &p), 0);
    assert_int_equal(ethp2p_enode_init(&n, &p, &ip, 30303, 30303), 0);
    return n;
}

static void ping_from_remote(ethp2p_discv4 *d, uint64_t now, uint8_t hash[32])
{
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PING;
    pkt.u.ping.version = 4;
    pkt.u.ping.from.ip = remote_addr.ip;
    pkt.u.ping.from.udp = 1111; /* deliberately wrong: the UDP source counts */
    pkt.u.ping.from.tcp = 30305;
    remote_send(d, &pkt, now, hash);
}

static void pong_from_remote(ethp2p_discv4 *d, const uint8_t ping_hash[32], uint64_t seq, uint64_t now)
{
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PONG;
    memcpy(pkt.u.pong.ping_hash, ping_hash, 32);
    pkt.u.pong.has_enr_seq = 1;
    pkt.u.pong.enr_seq = seq;
    remote_send(d, &pkt, now, NULL);
}

/* Completes the endpoint proof: the remote pings, the core pongs and pings back, the remote pongs. */
static void bond(ethp2p_discv4 *d, uint64_t now)
{
    uint8_t h[32];
    nsent = 0;
    ping_from_remote(d, now, h);
    assert_int_equal(nsent, 2); /* pong + ping back */
    ethp2p_v4_meta meta;
    ethp2p_v4_packet *ping = sent_packet_at(1, &meta);
    assert_int_equal(ping->type, ETHP2P_V4_PING);
    pong_from_remote(d, meta.hash, 1, now + 10);
    nsent = 0;
}

static void test_ping_is_answered_and_pinged_back(void **state)
{
    ethp2p_discv4 *d = make_core();
    uint8_t h[32];
    ping_from_remote(d, T0, h);
    assert_int_equal(nsent, 2);
    ethp2p_v4_meta meta;
    ethp2p_v4_packet *pong = sent_packet_at(0, &meta);
    assert_int_equal(pong->type, ETHP2P_V4_PONG);
    assert_memory_equal(pong->u.pong.ping_hash, h, 32);
    /* Pong.to mirrors the UDP source (port 30304), not the Ping's `from` (1111). */
    assert_int_equal(pong->u.pong.to.udp, 30304);
    assert_int_equal(pong->u.pong.to.tcp, 30305);
    assert_true(pong->u.pong.has_enr_seq);
    assert_int_equal(pong->u.pong.enr_seq, 5);
    assert_int_equal(sent[0].to.port, 30304);
    /* Unknown pinger: pinged back at its UDP source before it enters the table. */
    ethp2p_v4_packet *ping = sent_packet_at(1, &meta);
    assert_int_equal(ping->type, ETHP2P_V4_PING);
    assert_int_equal(sent[1].to.port, 30304);
    assert_int_equal(ethp2p_table_len(ethp2p_discv4_table(d)), 0);
    pong_from_remote(d, meta.hash, 1, T0 + 50);
    ethp2p_table_node *tn = ethp2p_table_get(ethp2p_discv4_table(d), &remote_node.id);
    assert_non_null(tn);
    assert_int_equal(tn->udp, 30304);
    assert_int_equal(tn->tcp, 30305);
    /* Once bonded, a second ping is answered without another ping back. */
    nsent = 0;
    ping_from_remote(d, T0 + 1000, h);
    assert_int_equal(nsent, 1);
    ethp2p_discv4_free(d);
}

static void test_findnode_needs_endpoint_proof(void **state)
{
    ethp2p_discv4 *d = make_core();
    findnode_from_remote(d, T0);
    assert_int_equal(nsent, 0); /* no amplification for strangers */
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_no_bond, 1);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRREQUEST;
    remote_send(d, &pkt, T0, NULL);
    assert_int_equal(nsent, 0);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_no_bond, 2);

    bond(d, T0);
    /* Fill the table with 20 nodes so the answer needs two packets. */
    for (int i = 0; i < 20; i++) {
        ethp2p_enode n = seeded_node((uint8_t)(0x50 + i), (ethp2p_ip){4, {10, 1, 0, (uint8_t)(i + 1)}});
        ethp2p_table_add(ethp2p_discv4_table(d), &n, ETHP2P_TABLE_FOUND, T0);
    }
    findnode_from_remote(d, T0 + 100);
    /* 16 closest (the remote itself among the 21), 12 per packet: two packets. */
    assert_int_equal(nsent, 2);
    ethp2p_v4_meta meta;
    size_t total = 0;
    for (size_t i = 0; i < nsent; i++) {
        ethp2p_v4_packet *nb = sent_packet_at(i, &meta);
        assert_int_equal(nb->type, ETHP2P_V4_NEIGHBOURS);
        assert_true(sent[i].len <= ETHP2P_V4_MAX_PACKET);
        total += nb->u.neighbours.count;
    }
    assert_int_equal(total, 16);
    /* ENRRequest is answered with our record and the request's hash. */
    nsent = 0;
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRREQUEST;
    uint8_t h[32];
    remote_send(d, &pkt, T0 + 200, h);
    assert_int_equal(nsent, 1);
    ethp2p_v4_packet *resp = sent_packet_at(0, &meta);
    assert_int_equal(resp->type, ETHP2P_V4_ENRRESPONSE);
    assert_memory_equal(resp->u.enrresponse.request_hash, h, 32);
    assert_int_equal(ethp2p_enr_verify(&resp->u.enrresponse.record), 0);
    assert_int_equal(resp->u.enrresponse.record.seq, 5);
    /* The proof is per IP: the same node from another address is a stranger. */
    nsent = 0;
    ethp2p_udp_addr saved = remote_addr;
    assert_int_equal(ethp2p_ip_parse("10.0.0.99", &remote_addr.ip), 0);
    findnode_from_remote(d, T0 + 300);
    assert_int_equal(nsent, 0);
    remote_addr = saved;
    /* ...and it lapses after 24 hours. */
    remote_send(d, &pkt, T0 + ETHP2P_DISCV4_BOND_EXPIRATION_MS + 1000, NULL);
    assert_int_equal(nsent, 0);
    ethp2p_discv4_free(d);
}

static void test_neighbours_relay_rules(void **state)
{
    /* A LAN node in our table is not handed to a public asker. */
    ethp2p_discv4 *d = make_core();
    assert_int_equal(ethp2p_ip_parse("8.8.8.8", &remote_addr.ip), 0);
    assert_int_equal(ethp2p_enode_init(&remote_node, &remote_pub, &remote_addr.ip, 30305, 30304), 0);
    bond(d, T0);
    ethp2p_enode lan = seeded_node(0x77, (ethp2p_ip){4, {192, 168, 1, 1}});
    ethp2p_table_add(ethp2p_discv4_table(d), &lan, ETHP2P_TABLE_FOUND, T0);
    ethp2p_enode pub = seeded_node(0x78, (ethp2p_ip){4, {9, 9, 9, 9}});
    ethp2p_table_add(ethp2p_discv4_table(d), &pub, ETHP2P_TABLE_FOUND, T0);
    findnode_from_remote(d, T0 + 100);
    assert_int_equal(nsent, 1);
    ethp2p_v4_meta meta;
    ethp2p_v4_packet *nb = sent_packet_at(0, &meta);
    for (size_t i = 0; i < nb->u.neighbours.count; i++) assert_int_not_equal(nb->u.neighbours.nodes[i].ep.ip.b[0], 192);
    ethp2p_discv4_free(d);
}

static int lookup_calls;
static ethp2p_enode lookup_nodes[16];
static size_t lookup_n;
static void on_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    lookup_calls++;
    lookup_n = n;
    memcpy(lookup_nodes, nodes, n * sizeof(nodes[0]));
}

static void test_findnode_reply_collection_and_filtering(void **state)
{
    ethp2p_discv4 *d = make_core();
    bond(d, T0); /* the remote pinged us recently: no new bonding needed */
    ethp2p_table_add(ethp2p_discv4_table(d), &remote_node, ETHP2P_TABLE_FOUND, T0);
    lookup_calls = 0;
    assert_int_equal(ethp2p_discv4_lookup(d, &remote_pub, T0 + 100, on_lookup, NULL), 0);
    assert_int_equal(nsent, 1);
    ethp2p_v4_meta meta;
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_FINDNODE);
    /* Neighbours: a good node, a loopback node (we are not loopback), a low port,
     * the sender itself, and our own ID: only the first survives. */
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_NEIGHBOURS;
    ethp2p_privkey k;
    ethp2p_pubkey good, lo, low;
    memset(k.b, 0x31, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &good), 0);
    memset(k.b, 0x32, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &lo), 0);
    memset(k.b, 0x33, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &low), 0);
    ethp2p_pubkey self_pub;
    assert_int_equal(ethp2p_privkey_to_pubkey(&core_key, &self_pub), 0);
    ethp2p_v4_neighbour *nb = pkt.u.neighbours.nodes;
    nb[0] = (ethp2p_v4_neighbour){{{4, {10, 0, 0, 7}}, 30303, 30303}, good};
    nb[1] = (ethp2p_v4_neighbour){{{4, {127, 0, 0, 1}}, 30303, 30303}, lo};
    nb[2] = (ethp2p_v4_neighbour){{{4, {10, 0, 0, 8}}, 53, 53}, low};
    nb[3] = (ethp2p_v4_neighbour){{{4, {10, 0, 0, 2}}, 30304, 30305}, remote_pub};
    nb[4] = (ethp2p_v4_neighbour){{{4, {10, 0, 0, 1}}, 30303, 30303}, self_pub};
    pkt.u.neighbours.count = 5;
    remote_send(d, &pkt, T0 + 150, NULL);
    assert_int_equal(ethp2p_discv4_get_stats(d)->neighbours_rejected, 4);
    assert_int_equal(lookup_calls, 0); /* still collecting until the deadline */
    nsent = 0;
    ethp2p_discv4_tick(d, T0 + 100 + ETHP2P_DISCV4_REPLY_TIMEOUT_MS);
    /* The good node is asked next (it needs a bond first: a Ping goes out). */
    assert_int_equal(nsent, 1);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_PING);
    /* Let everything time out: the lookup ends with the two nodes it knows. */
    for (uint64_t t = T0 + 1000; t < T0 + 10000; t += 100) ethp2p_discv4_tick(d, t);
    assert_int_equal(lookup_calls, 1);
    assert_int_equal(lookup_n, 2);
    ethp2p_discv4_free(d);
}

static void test_drops(void **state)
{
    ethp2p_discv4 *d = make_core();
    uint8_t h[32];
    /* Expired: no reply. */
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PING;
    pkt.u.ping.version = 4;
    pkt.expiration = T0 / 1000 - 1;
    remote_send(d, &pkt, T0, h);
    assert_int_equal(nsent, 0);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_expired, 1);
    /* Unsolicited Pong and Neighbours. */
    pong_from_remote(d, h, 1, T0);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_NEIGHBOURS;
    remote_send(d, &pkt, T0, NULL);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_unsolicited, 2);
    /* Garbage of every size is counted and dropped. */
    uint8_t junk[1500];
    memset(junk, 0xee, sizeof(junk));
    ethp2p_discv4_handle_packet(d, &remote_addr, junk, 10, T0);
    ethp2p_discv4_handle_packet(d, &remote_addr, junk, 200, T0);
    ethp2p_discv4_handle_packet(d, &remote_addr, junk, 1500, T0);
    const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
    assert_int_equal(st->drop_too_big, 2);
    assert_int_equal(st->drop_bad_hash, 1);
    assert_int_equal(nsent, 0);
    ethp2p_discv4_free(d);
}

static int ping_err = 99;
static uint64_t ping_seq;
static void on_ping(void *arg, int err, uint64_t seq)
{
    ping_err = err;
    ping_seq = seq;
}

/* Expirations are signed times (the reference's time.Unix(int64(ts))): 2^64 - now - 20 s,
 * a negative time written as uint64, is long past. Ping and FindNode both get no answer. */
static void test_expiration_is_a_signed_time(void **state)
{
    (void)state;
    ethp2p_discv4 *d = make_core();
    uint8_t h[32];
    uint64_t negative = UINT64_MAX - (T0 / 1000 + 20) + 1;
    assert_true(ethp2p_v4_expired(negative, T0 / 1000));
    assert_true(ethp2p_v4_expired((uint64_t)INT64_MAX + 1, T0 / 1000));
    assert_false(ethp2p_v4_expired(T0 / 1000 + 20, T0 / 1000));
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PING;
    pkt.u.ping.version = 4;
    pkt.expiration = negative;
    remote_send(d, &pkt, T0, h);
    assert_int_equal(nsent, 0);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_expired, 1);
    /* After a real bond, a FindNode with such an expiration is still not answered. */
    bond(d, T0);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_FINDNODE;
    pkt.u.findnode.target = remote_pub;
    pkt.expiration = negative;
    remote_send(d, &pkt, T0 + 100, NULL);
    assert_int_equal(nsent, 0);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_expired, 2);
    /* The same FindNode with a future time is answered: the bond is good. */
    findnode_from_remote(d, T0 + 200);
    assert_true(nsent >= 1);
    ethp2p_discv4_free(d);
}

static void test_ping_matching(void **state)
{
    ethp2p_discv4 *d = make_core();
    ping_err = 99;
    assert_int_equal(ethp2p_discv4_ping(d, &remote_node, T0, on_ping, NULL), 0);
    assert_int_equal(nsent, 1);
    ethp2p_v4_meta meta;
    ethp2p_v4_packet *ping = sent_packet_at(0, &meta);
    assert_int_equal(ping->u.ping.version, 4);
    assert_int_equal(ping->u.ping.from.udp, 30303);
    assert_int_equal(ping->u.ping.to.udp, 30304);
    assert_true(ping->u.ping.has_enr_seq);
    assert_true(ping->expiration >= T0 / 1000 + 19);
    uint8_t good_hash[32];
    memcpy(good_hash, meta.hash, 32);
    /* A Pong with the wrong hash is no proof and does not complete the ping. */
    uint8_t wrong[32];
    memset(wrong, 1, 32);
    pong_from_remote(d, wrong, 3, T0 + 10);
    assert_int_equal(ping_err, 99);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_unsolicited, 1);
    pong_from_remote(d, good_hash, 3, T0 + 20);
    assert_int_equal(ping_err, 0);
    assert_int_equal(ping_seq, 3);
    /* No answer: ETHP2P_ETIMEDOUT after 500 ms, not before. */
    ping_err = 99;
    assert_int_equal(ethp2p_discv4_ping(d, &remote_node, T0 + 1000, on_ping, NULL), 0);
    uint64_t next = ethp2p_discv4_tick(d, T0 + 1499);
    assert_int_equal(ping_err, 99);
    assert_true(next == T0 + 1500);
    ethp2p_discv4_tick(d, T0 + 1500);
    assert_int_equal(ping_err, ETHP2P_ETIMEDOUT);
    /* Freeing with a request outstanding completes it as canceled. */
    ping_err = 99;
    assert_int_equal(ethp2p_discv4_ping(d, &remote_node, T0 + 2000, on_ping, NULL), 0);
    ethp2p_discv4_free(d);
    assert_int_equal(ping_err, ETHP2P_ECANCELED);
}

static int fn_calls, fn_err;
static void on_findnode(void *arg, int err, const ethp2p_enode *nodes, size_t n)
{
    fn_calls++;
    fn_err = err;
}

static void test_rebond_rules(void **state)
{
    ethp2p_discv4 *d = make_core();
    ethp2p_v4_meta meta;
    bond(d, T0);
    /* Bonded recently: FindNode goes straight out. */
    assert_int_equal(ethp2p_discv4_findnode(d, &remote_node, &remote_pub, T0 + 1000, on_findnode, NULL), 0);
    assert_int_equal(nsent, 1);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_FINDNODE);
    /* 13 hours later (the spec's 12 h have passed): Ping first. */
    nsent = 0;
    uint64_t later = T0 + 13ULL * 3600 * 1000;
    assert_int_equal(ethp2p_discv4_findnode(d, &remote_node, &remote_pub, later, on_findnode, NULL), 0);
    assert_int_equal(nsent, 1);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_PING);
    ethp2p_discv4_free(d);

    /* A failed FindNode (maybe our Pong was lost and the remote holds no proof of
     * us): bond again before the next one, not only after the reference's 5. */
    d = make_core();
    bond(d, T0);
    fn_calls = 0;
    nsent = 0;
    assert_int_equal(ethp2p_discv4_findnode(d, &remote_node, &remote_pub, T0 + 1000, on_findnode, NULL), 0);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_FINDNODE);
    ethp2p_discv4_tick(d, T0 + 1600);
    assert_int_equal(fn_calls, 1);
    assert_int_equal(fn_err, ETHP2P_ETIMEDOUT);
    nsent = 0;
    assert_int_equal(ethp2p_discv4_findnode(d, &remote_node, &remote_pub, T0 + 2000, on_findnode, NULL), 0);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_PING);
    ethp2p_discv4_free(d);

    /* Five failures in a row remove the node from the table. */
    d = make_core();
    bond(d, T0);
    ethp2p_table_add(ethp2p_discv4_table(d), &remote_node, ETHP2P_TABLE_FOUND, T0);
    uint64_t t = T0 + 1000;
    fn_calls = 0;
    for (int i = 1; i <= ETHP2P_DISCV4_MAX_FINDNODE_FAILURES; i++) {
        assert_non_null(ethp2p_table_get(ethp2p_discv4_table(d), &remote_node.id));
        assert_int_equal(ethp2p_discv4_findnode(d, &remote_node, &remote_pub, t, on_findnode, NULL), 0);
        /* Run until this request completes (a re-bonding Ping, the grace, the FindNode). */
        while (fn_calls < i) ethp2p_discv4_tick(d, t += 100);
        assert_int_equal(fn_err, ETHP2P_ETIMEDOUT);
    }
    assert_null(ethp2p_table_get(ethp2p_discv4_table(d), &remote_node.id));
    ethp2p_discv4_free(d);
}

static void test_empty_table_answers_one_empty_packet(void **state)
{
    ethp2p_discv4 *d = make_core();
    bond(d, T0);
    (void)ethp2p_table_remove(ethp2p_discv4_table(d), &remote_node.id, T0);
    findnode_from_remote(d, T0 + 100);
    assert_int_equal(nsent, 1);
    ethp2p_v4_meta meta;
    ethp2p_v4_packet *nb = sent_packet_at(0, &meta);
    assert_int_equal(nb->type, ETHP2P_V4_NEIGHBOURS);
    assert_int_equal(nb->u.neighbours.count, 0);
    ethp2p_discv4_free(d);
}

static void test_netrestrict(void **state)
{
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.no_background = 1;
    cfg.send = capture;
    ethp2p_netlist allowed;
    assert_int_equal(ethp2p_netlist_parse("10.0.0.0/24", &allowed), 0);
    cfg.netrestrict = &allowed;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0);
    setup_remote(); /* 10.0.0.2: inside */
    nsent = 0;
    uint8_t h[32];
    ping_from_remote(d, T0, h);
    assert_int_equal(nsent, 2); /* answered */
    nsent = 0;
    assert_int_equal(ethp2p_ip_parse("10.0.1.2", &remote_addr.ip), 0); /* outside */
    ping_from_remote(d, T0, h);
    assert_int_equal(nsent, 0);
    ethp2p_discv4_free(d);
}

static int enr_err = 99;
static uint64_t enr_seq_got;
static void on_enr(void *arg, int err, const ethp2p_enr *rec)
{
    enr_err = err;
    enr_seq_got = rec ? rec->seq : 0;
}

static void enr_response_from_remote(ethp2p_discv4 *d, const uint8_t req_hash[32], uint64_t seq, uint64_t now)
{
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_ENRRESPONSE;
    memcpy(pkt.u.enrresponse.request_hash, req_hash, 32);
    ethp2p_enr_init(&pkt.u.enrresponse.record);
    pkt.u.enrresponse.record.seq = seq;
    assert_int_equal(ethp2p_enr_set_ip(&pkt.u.enrresponse.record, &remote_addr.ip), 0);
    assert_int_equal(ethp2p_enr_set_port(&pkt.u.enrresponse.record, "udp", 30304), 0);
    assert_int_equal(ethp2p_enr_sign(&pkt.u.enrresponse.record, &remote_key), 0);
    remote_send(d, &pkt, now, NULL);
}

static void test_enr_responses(void **state)
{
    ethp2p_discv4 *d = make_core();
    bond(d, T0);
    ethp2p_v4_meta meta;
    /* A valid record, signed by the node: delivered and recorded in the table. */
    assert_int_equal(ethp2p_discv4_request_enr(d, &remote_node, T0 + 100, on_enr, NULL), 0);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_ENRREQUEST);
    enr_response_from_remote(d, meta.hash, 9, T0 + 110);
    assert_int_equal(enr_err, 0);
    assert_int_equal(enr_seq_got, 9);
    assert_int_equal(ethp2p_table_get(ethp2p_discv4_table(d), &remote_node.id)->seq, 9);
    /* An older record than known is not accepted. */
    nsent = 0;
    enr_err = 99;
    assert_int_equal(ethp2p_discv4_request_enr(d, &remote_node, T0 + 200, on_enr, NULL), 0);
    assert_int_equal(sent_packet_at(0, &meta)->type, ETHP2P_V4_ENRREQUEST);
    enr_response_from_remote(d, meta.hash, 3, T0 + 210);
    assert_int_not_equal(enr_err, 0);
    assert_int_not_equal(enr_err, 99);
    /* A response to a request we never made is dropped. */
    uint8_t other[32] = {7};
    uint64_t before = ethp2p_discv4_get_stats(d)->drop_unsolicited;
    enr_response_from_remote(d, other, 10, T0 + 300);
    assert_int_equal(ethp2p_discv4_get_stats(d)->drop_unsolicited, before + 1);
    ethp2p_discv4_free(d);
}

static void test_revalidation_pong_with_newer_seq_fetches_record(void **state)
{
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.ip = (ethp2p_ip){4, {10, 0, 0, 1}};
    cfg.udp_port = cfg.tcp_port = 30303;
    cfg.send = capture;
    cfg.seed = 3;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0); /* background on, not started: revalidation only */
    setup_remote();
    bond(d, T0);
    /* Tick until the revalidation Ping to the remote goes out. */
    ethp2p_v4_meta meta;
    int found = 0;
    for (uint64_t t = T0 + 1; t < T0 + 20000 && !found; t += 50) {
        nsent = 0;
        ethp2p_discv4_tick(d, t);
        for (size_t i = 0; i < nsent && !found; i++)
            if (sent[i].to.port == 30304 && sent_packet_at(i, &meta)->type == ETHP2P_V4_PING) {
                found = 1;
                nsent = 0;
                pong_from_remote(d, meta.hash, 4, t + 5); /* seq 4 > the 0 we know */
                assert_true(nsent >= 1);
                assert_int_equal(sent_packet_at(nsent - 1, &meta)->type, ETHP2P_V4_ENRREQUEST);
            }
    }
    assert_true(found);
    ethp2p_discv4_free(d);
}

static int clock_suspects;
static void on_clock(void *ctx) { clock_suspects++; }

static void test_clock_suspect_after_many_timeouts(void **state)
{
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.no_background = 1;
    cfg.send = capture;
    cfg.on_clock_suspect = on_clock;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0);
    setup_remote();
    clock_suspects = 0;
    uint64_t t = T0 + ETHP2P_DISCV4_NTP_MIN_INTERVAL_MS;
    for (int i = 0; i < ETHP2P_DISCV4_NTP_TIMEOUT_THRESHOLD + 1; i++) {
        nsent = 0;
        assert_int_equal(ethp2p_discv4_ping(d, &remote_node, t, NULL, NULL), 0);
        t += 600;
        ethp2p_discv4_tick(d, t);
        assert_int_equal(clock_suspects, i == ETHP2P_DISCV4_NTP_TIMEOUT_THRESHOLD ? 1 : 0);
    }
    ethp2p_discv4_free(d);
}


/* ---- the external endpoint, predicted from what Pongs say they see ---- */

static int endpoint_calls;
static void on_endpoint(void *ctx, const ethp2p_enode *self)
{
    (void)ctx;
    (void)self;
    endpoint_calls++;
}

/* Remote `i` (its own key and address) answers our ping with a Pong that says it sees us at ip:port. */
static void pong_saying(ethp2p_discv4 *d, int i, const char *ip, uint16_t port, uint64_t now)
{
    ethp2p_privkey k;
    ethp2p_pubkey pub;
    ethp2p_enode n;
    ethp2p_udp_addr from;
    memset(k.b, 0x50 + i, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &pub), 0);
    char addr[32];
    snprintf(addr, sizeof(addr), "10.0.1.%d", i + 1);
    assert_int_equal(ethp2p_ip_parse(addr, &from.ip), 0);
    from.port = 30304;
    assert_int_equal(ethp2p_enode_init(&n, &pub, &from.ip, 30304, 30304), 0);
    nsent = 0;
    assert_int_equal(ethp2p_discv4_ping(d, &n, now, on_ping, NULL), 0);
    ethp2p_v4_meta meta;
    sent_packet_at(0, &meta);
    memset(&pkt, 0, sizeof(pkt));
    pkt.type = ETHP2P_V4_PONG;
    memcpy(pkt.u.pong.ping_hash, meta.hash, 32);
    assert_int_equal(ethp2p_ip_parse(ip, &pkt.u.pong.to.ip), 0);
    pkt.u.pong.to.udp = port;
    pkt.expiration = now / 1000 + 20;
    uint8_t buf[ETHP2P_V4_MAX_PACKET];
    size_t len;
    assert_int_equal(ethp2p_v4_encode(&k, &pkt, buf, &len, NULL), 0);
    ethp2p_discv4_handle_packet(d, &from, buf, len, now);
}

static void test_endpoint_predicted_from_pongs(void **state)
{
    (void)state;
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.udp_port = cfg.tcp_port = 30303; /* no IP: behind a NAT, not configured */
    cfg.no_background = 1;
    cfg.send = capture;
    cfg.seed = 1;
    cfg.track_endpoint = 1;
    cfg.on_endpoint = on_endpoint;
    endpoint_calls = 0;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0);
    assert_non_null(d);
    uint64_t seq0 = ethp2p_discv4_local_record(d)->seq;
    /* Three hosts say one thing, nine another: below ten statements nothing changes. */
    for (int i = 0; i < 3; i++) pong_saying(d, i, "198.51.100.9", 41000, T0 + (uint64_t)i);
    for (int i = 3; i < 9; i++) pong_saying(d, i, "203.0.113.7", 40000, T0 + (uint64_t)i);
    ethp2p_ip ip;
    assert_int_not_equal(ethp2p_enr_get_ip(ethp2p_discv4_local_record(d), 4, &ip), 0);
    assert_int_equal(endpoint_calls, 0);
    /* The tenth statement: the majority's endpoint goes into the record, sequence bumped. */
    pong_saying(d, 9, "203.0.113.7", 40000, T0 + 9);
    assert_int_equal(endpoint_calls, 1);
    assert_int_equal(ethp2p_enr_get_ip(ethp2p_discv4_local_record(d), 4, &ip), 0);
    ethp2p_ip want;
    assert_int_equal(ethp2p_ip_parse("203.0.113.7", &want), 0);
    assert_true(ethp2p_ip_equal(&ip, &want));
    uint16_t udp;
    assert_int_equal(ethp2p_enr_get_port(ethp2p_discv4_local_record(d), "udp", &udp), 0);
    assert_int_equal(udp, 40000);
    assert_int_equal(ethp2p_discv4_local_record(d)->seq, seq0 + 1);
    assert_int_equal(ethp2p_enr_verify(ethp2p_discv4_local_record(d)), 0);
    /* A host repeating itself counts once; the same prediction changes nothing. */
    for (int k = 0; k < 5; k++) pong_saying(d, 0, "198.51.100.9", 41000, T0 + 20 + (uint64_t)k);
    assert_int_equal(endpoint_calls, 1);
    ethp2p_discv4_free(d);
}

static void test_iptrack_window_and_hosts(void **state)
{
    (void)state;
    ethp2p_iptrack t;
    ethp2p_iptrack_init(&t, 1000, 3);
    ethp2p_ip h[4], a, b, pred;
    uint16_t port;
    for (int i = 0; i < 4; i++) {
        char s[16];
        snprintf(s, sizeof(s), "10.0.0.%d", i + 1);
        assert_int_equal(ethp2p_ip_parse(s, &h[i]), 0);
    }
    assert_int_equal(ethp2p_ip_parse("192.0.2.1", &a), 0);
    assert_int_equal(ethp2p_ip_parse("192.0.2.2", &b), 0);
    assert_int_equal(ethp2p_iptrack_add(&t, &h[0], &a, 1, 0), 1);
    assert_int_equal(ethp2p_iptrack_add(&t, &h[1], &a, 1, 100), 1);
    assert_int_equal(ethp2p_iptrack_add(&t, &h[1], &a, 1, 100), 0); /* a repeat changes no tally */
    assert_int_equal(ethp2p_iptrack_predict(&t, 200, &pred, &port), 0); /* two hosts: too few */
    assert_int_equal(ethp2p_iptrack_add(&t, &h[2], &b, 2, 300), 1);
    assert_int_equal(ethp2p_iptrack_predict(&t, 300, &pred, &port), 1);
    assert_true(ethp2p_ip_equal(&pred, &a) && port == 1);
    /* h0 changes its mind: one statement per host, the latest. */
    assert_int_equal(ethp2p_iptrack_add(&t, &h[0], &b, 2, 400), 1);
    assert_int_equal(ethp2p_iptrack_predict(&t, 400, &pred, &port), 1);
    assert_true(ethp2p_ip_equal(&pred, &b) && port == 2);
    /* Past the window, old statements are gone: h1's (at 100) expires at 1101. */
    assert_int_equal(ethp2p_iptrack_predict(&t, 1150, &pred, &port), 0);
    assert_int_equal(ethp2p_iptrack_add(&t, &h[3], &b, 2, 1200), 1); /* a new host */
    assert_int_equal(ethp2p_iptrack_predict(&t, 1200, &pred, &port), 1);
    assert_true(ethp2p_ip_equal(&pred, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ping_is_answered_and_pinged_back),
        cmocka_unit_test(test_findnode_needs_endpoint_proof),
        cmocka_unit_test(test_neighbours_relay_rules),
        cmocka_unit_test(test_findnode_reply_collection_and_filtering),
        cmocka_unit_test(test_drops),
        cmocka_unit_test(test_ping_matching),
        cmocka_unit_test(test_expiration_is_a_signed_time),
        cmocka_unit_test(test_clock_suspect_after_many_timeouts),
        cmocka_unit_test(test_rebond_rules),
        cmocka_unit_test(test_empty_table_answers_one_empty_packet),
        cmocka_unit_test(test_netrestrict),
        cmocka_unit_test(test_enr_responses),
        cmocka_unit_test(test_revalidation_pong_with_newer_seq_fetches_record),
        cmocka_unit_test(test_endpoint_predicted_from_pongs),
        cmocka_unit_test(test_iptrack_window_and_hosts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The routing table: buckets, replacements, IP limits, revalidation on a virtual clock, closest. */
#include "test_util.h"
#include "ethp2p/random.h"
#include "ethp2p/table.h"

#include <stdio.h>
#include <string.h>

static ethp2p_node_id self_id; /* all zero: a node's distance is the bit length of its ID */

/* A node whose ID has log distance `dist` from self, made unique by `tag`. */
static ethp2p_enode node_at(int dist, uint32_t tag, const char *ip)
{
    ethp2p_enode n;
    memset(&n, 0, sizeof(n));
    int bit = dist - 1; /* highest set bit */
    n.id.b[31 - bit / 8] = (uint8_t)(1u << (bit % 8));
    /* the tag goes in low bytes below the top bit */
    n.id.b[31] |= (uint8_t)tag;
    n.id.b[30] |= (uint8_t)(tag >> 8);
    assert_int_equal(ethp2p_node_id_logdist(&self_id, &n.id), dist);
    assert_int_equal(ethp2p_ip_parse(ip, &n.ip), 0);
    n.udp = n.tcp = 30303;
    return n;
}

static void test_bucket_index(void **state)
{
    ethp2p_table *t = ethp2p_table_new(&self_id, 1);
    ethp2p_enode n = node_at(256, 0, "1.1.1.1");
    assert_int_equal(ethp2p_table_bucket_index(t, &n.id), 16);
    n = node_at(241, 0, "1.1.1.1");
    assert_int_equal(ethp2p_table_bucket_index(t, &n.id), 1);
    n = node_at(240, 0, "1.1.1.1");
    assert_int_equal(ethp2p_table_bucket_index(t, &n.id), 0);
    n = node_at(20, 0, "1.1.1.1"); /* close nodes are kept in bucket 0, not dropped */
    assert_int_equal(ethp2p_table_bucket_index(t, &n.id), 0);
    assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    ethp2p_enode me;
    memset(&me, 0, sizeof(me));
    assert_int_equal(ethp2p_table_add(t, &me, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_SELF);
    ethp2p_table_free(t);
}

static void test_full_bucket_goes_to_replacements(void **state)
{
    ethp2p_table *t = ethp2p_table_new(&self_id, 2);
    char ip[32];
    for (uint32_t i = 0; i < ETHP2P_TABLE_BUCKET_SIZE; i++) {
        snprintf(ip, sizeof(ip), "1.%u.0.1", i); /* distinct /24s */
        ethp2p_enode n = node_at(256, i, ip);
        assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    }
    size_t repl;
    assert_int_equal(ethp2p_table_bucket_len(t, 16, &repl), 16);
    assert_int_equal(repl, 0);
    for (uint32_t i = 0; i < 12; i++) {
        snprintf(ip, sizeof(ip), "2.%u.0.1", i);
        ethp2p_enode n = node_at(256, 100 + i, ip);
        assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_REPLACEMENT);
    }
    assert_int_equal(ethp2p_table_bucket_len(t, 16, &repl), 16);
    assert_int_equal(repl, ETHP2P_TABLE_REPLACEMENTS); /* the two oldest were dropped */
    assert_int_equal(ethp2p_table_len(t), 16);

    /* Removing an entry promotes a replacement; the first two replacements were dropped. */
    ethp2p_enode victim = node_at(256, 3, "1.3.0.1");
    assert_int_equal(ethp2p_table_remove(t, &victim.id, 10), 0);
    assert_null(ethp2p_table_get(t, &victim.id));
    assert_int_equal(ethp2p_table_bucket_len(t, 16, &repl), 16);
    assert_int_equal(repl, ETHP2P_TABLE_REPLACEMENTS - 1);
    ethp2p_enode dropped = node_at(256, 100, "2.0.0.1");
    assert_null(ethp2p_table_get(t, &dropped.id));
    assert_int_equal(ethp2p_table_remove(t, &victim.id, 10), ETHP2P_ENOTFOUND);
    ethp2p_table_free(t);
}

/* All buckets share one array of slots: adds and removals across buckets, in a
 * scrambled order, must leave every bucket holding exactly what a per-bucket
 * model of entries and replacements (newest first, ten kept) says. */
static void test_buckets_share_slots(void **state)
{
    enum { DISTS = 16, PER = 40 };
    ethp2p_table *t = ethp2p_table_new(&self_id, 7);
    uint32_t ent[DISTS][ETHP2P_TABLE_BUCKET_SIZE], rep[DISTS][ETHP2P_TABLE_REPLACEMENTS];
    size_t ne[DISTS] = {0}, nr[DISTS] = {0};
    char ip[32];
    uint64_t rng = 99;
    for (int step = 0; step < 4000; step++) {
        int b = (int)(ethp2p_splitmix64(&rng) % DISTS), dist = 241 + b;
        uint32_t tag = (uint32_t)(ethp2p_splitmix64(&rng) % PER);
        snprintf(ip, sizeof(ip), "10.%d.%u.1", b, tag); /* LAN: no IP limits */
        ethp2p_enode n = node_at(dist, tag, ip);
        size_t i;
        if (ethp2p_splitmix64(&rng) % 3) { /* add */
            int r = ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0);
            for (i = 0; i < ne[b] && ent[b][i] != tag; i++) {}
            if (i < ne[b]) {
                assert_int_equal(r, ETHP2P_TABLE_UPDATED);
                continue;
            }
            size_t k;
            for (k = 0; k < nr[b] && rep[b][k] != tag; k++) {}
            if (ne[b] < ETHP2P_TABLE_BUCKET_SIZE) {
                assert_int_equal(r, ETHP2P_TABLE_ADDED);
                ent[b][ne[b]++] = tag;
                if (k < nr[b]) memmove(&rep[b][k], &rep[b][k + 1], (--nr[b] - k) * sizeof(rep[b][0]));
                continue;
            }
            assert_int_equal(r, ETHP2P_TABLE_REPLACEMENT);
            if (k == nr[b]) k = nr[b] < ETHP2P_TABLE_REPLACEMENTS ? nr[b]++ : nr[b] - 1;
            memmove(&rep[b][1], &rep[b][0], k * sizeof(rep[b][0])); /* to the front */
            rep[b][0] = tag;
        } else { /* remove */
            int r = ethp2p_table_remove(t, &n.id, 0);
            for (i = 0; i < ne[b] && ent[b][i] != tag; i++) {}
            if (i == ne[b]) {
                assert_int_equal(r, ETHP2P_ENOTFOUND);
                continue;
            }
            assert_int_equal(r, 0);
            ent[b][i] = ent[b][--ne[b]];
            if (nr[b]) { /* one replacement, at random, was promoted: find which */
                size_t promoted = nr[b];
                for (size_t k = 0; k < nr[b]; k++) {
                    snprintf(ip, sizeof(ip), "10.%d.%u.1", b, rep[b][k]);
                    ethp2p_enode c = node_at(dist, rep[b][k], ip);
                    if (ethp2p_table_get(t, &c.id)) {
                        assert_int_equal(promoted, nr[b]); /* only one */
                        promoted = k;
                    }
                }
                assert_true(promoted < nr[b]);
                ent[b][ne[b]++] = rep[b][promoted];
                memmove(&rep[b][promoted], &rep[b][promoted + 1], (--nr[b] - promoted) * sizeof(rep[b][0]));
            }
        }
        if (step % 97) continue;
        size_t total = 0;
        for (int c = 0; c < DISTS; c++) { /* every bucket matches its model */
            size_t repl;
            assert_int_equal(ethp2p_table_bucket_len(t, 1 + c, &repl), ne[c]);
            assert_int_equal(repl, nr[c]);
            total += ne[c];
            for (size_t k = 0; k < ne[c]; k++) {
                snprintf(ip, sizeof(ip), "10.%d.%u.1", c, ent[c][k]);
                ethp2p_enode e = node_at(241 + c, ent[c][k], ip);
                const ethp2p_table_node *tn = ethp2p_table_get(t, &e.id);
                assert_non_null(tn);
                assert_true(ethp2p_ip_equal(&tn->ip, &e.ip));
            }
        }
        assert_int_equal(ethp2p_table_len(t), total);
    }
    ethp2p_table_free(t);
}

static void test_ip_limits(void **state)
{
    ethp2p_table *t = ethp2p_table_new(&self_id, 3);
    /* Two per /24 per bucket. */
    ethp2p_enode a = node_at(256, 1, "5.6.7.1"), b = node_at(256, 2, "5.6.7.2"), c = node_at(256, 3, "5.6.7.3");
    assert_int_equal(ethp2p_table_add(t, &a, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    assert_int_equal(ethp2p_table_add(t, &b, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    assert_int_equal(ethp2p_table_add(t, &c, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_IP_LIMITED);
    /* Ten per /24 in the whole table: 2 per bucket over buckets 16..12 fill it. */
    int added = 2;
    for (int dist = 255; dist >= 250; dist--)
        for (uint32_t k = 0; k < 2; k++) {
            ethp2p_enode n = node_at(dist, 10 + k, "5.6.7.9");
            int r = ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0);
            if (added < ETHP2P_TABLE_IP_LIMIT) {
                assert_int_equal(r, ETHP2P_TABLE_ADDED);
                added++;
            } else {
                assert_int_equal(r, ETHP2P_TABLE_IP_LIMITED);
            }
        }
    assert_int_equal(added, ETHP2P_TABLE_IP_LIMIT);
    /* LAN and loopback addresses are exempt. */
    for (uint32_t k = 0; k < 5; k++) {
        ethp2p_enode n = node_at(249, 20 + k, "192.168.1.5");
        assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
        n = node_at(248, 20 + k, "127.0.0.1");
        assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    }
    /* Removing one frees a place in the subnet. */
    assert_int_equal(ethp2p_table_remove(t, &a.id, 0), 0);
    assert_int_equal(ethp2p_table_add(t, &c, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    ethp2p_table_free(t);
}

static void test_endpoint_updates(void **state)
{
    ethp2p_table *t = ethp2p_table_new(&self_id, 4);
    ethp2p_enode n = node_at(256, 1, "8.8.8.8");
    assert_int_equal(ethp2p_table_add(t, &n, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    ethp2p_enode moved = n;
    assert_int_equal(ethp2p_ip_parse("9.9.9.9", &moved.ip), 0);
    /* A third party's claim does not move a known node... */
    assert_int_equal(ethp2p_table_add(t, &moved, ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_UPDATED);
    assert_int_equal(ethp2p_table_get(t, &n.id)->ip.b[0], 8);
    /* ...the node itself pinging from the new address does. */
    assert_int_equal(ethp2p_table_add(t, &moved, ETHP2P_TABLE_INBOUND, 0), ETHP2P_TABLE_UPDATED);
    assert_int_equal(ethp2p_table_get(t, &n.id)->ip.b[0], 9);
    /* A newer record moves it and reports the change; an older one does nothing. */
    ethp2p_enode rec = n;
    assert_int_equal(ethp2p_table_update_record(t, &rec, 5), 1);
    assert_int_equal(ethp2p_table_get(t, &n.id)->ip.b[0], 8);
    assert_int_equal(ethp2p_table_update_record(t, &moved, 4), 0);
    assert_int_equal(ethp2p_table_get(t, &n.id)->seq, 5);
    ethp2p_table_free(t);
}

static void test_revalidation(void **state)
{
    ethp2p_table *t = ethp2p_table_new(&self_id, 5);
    ethp2p_enode a = node_at(256, 1, "8.8.8.8");
    uint64_t now = 1000000, next;
    ethp2p_enode due[2];
    assert_int_equal(ethp2p_table_reval_due(t, now, due, &next), 0);
    assert_true(next == UINT64_MAX); /* nothing to check */
    assert_int_equal(ethp2p_table_add(t, &a, ETHP2P_TABLE_FOUND, now), ETHP2P_TABLE_ADDED);
    assert_int_equal(ethp2p_table_reval_due(t, now - 1, due, &next), 0);
    assert_true(next >= now && next < now + ETHP2P_TABLE_REVAL_FAST_MS); /* fast list */
    assert_int_equal(ethp2p_table_reval_due(t, next, due, &next), 1);
    assert_memory_equal(due[0].id.b, a.id.b, 32);
    /* While a check runs, the node is not handed out again. */
    uint64_t later;
    assert_int_equal(ethp2p_table_reval_due(t, next, due, &later), 0);
    /* Answers: liveness 1, validated, moved to the slow list. */
    assert_int_equal(ethp2p_table_reval_done(t, &a.id, 1, 0, now), 0);
    ethp2p_table_node *tn = ethp2p_table_get(t, &a.id);
    assert_int_equal(tn->liveness_checks, 1);
    assert_int_equal(tn->validated_live, 1);
    assert_int_equal(tn->reval_list, 1);
    /* Build up liveness to 7, then fail: 7/3 = 2, kept, back to fast; fail: 0 -> removed. */
    for (int i = 0; i < 6; i++) {
        tn->reval_active = 1;
        assert_int_equal(ethp2p_table_reval_done(t, &a.id, 1, 0, now), 0);
    }
    assert_int_equal(tn->liveness_checks, 7);
    assert_int_equal(ethp2p_table_reval_done(t, &a.id, 0, 0, now), 0);
    assert_int_equal(tn->liveness_checks, 2);
    assert_int_equal(tn->reval_list, 0);
    assert_int_equal(ethp2p_table_reval_done(t, &a.id, 0, 0, now), 1);
    assert_null(ethp2p_table_get(t, &a.id));
    /* A never-answering new node goes at its first failed check. */
    ethp2p_enode b = node_at(255, 1, "8.8.4.4");
    assert_int_equal(ethp2p_table_add(t, &b, ETHP2P_TABLE_FOUND, now), ETHP2P_TABLE_ADDED);
    assert_int_equal(ethp2p_table_reval_done(t, &b.id, 0, 0, now), 1);
    /* A node that answered a query starts out live. */
    assert_int_equal(ethp2p_table_add(t, &b, ETHP2P_TABLE_LIVE, now), ETHP2P_TABLE_ADDED);
    assert_int_equal(ethp2p_table_get(t, &b.id)->liveness_checks, 1);
    /* An endpoint change keeps the node in (or moves it to) the fast list, not validated. */
    assert_int_equal(ethp2p_table_reval_done(t, &b.id, 1, 1, now), 0);
    assert_int_equal(ethp2p_table_get(t, &b.id)->reval_list, 0);
    assert_int_equal(ethp2p_table_get(t, &b.id)->validated_live, 0);
    ethp2p_table_free(t);
}

static void test_revalidation_schedule_over_time(void **state)
{
    /* With nodes in both lists, checks come at the lists' rates on a virtual clock. */
    ethp2p_table *t = ethp2p_table_new(&self_id, 6);
    char ip[32];
    for (uint32_t i = 0; i < 20; i++) {
        snprintf(ip, sizeof(ip), "3.%u.0.1", i);
        ethp2p_enode n = node_at(256 - (int)(i % 4), i, ip);
        assert_int_equal(ethp2p_table_add(t, &n, i < 10 ? ETHP2P_TABLE_LIVE : ETHP2P_TABLE_FOUND, 0),
                         ETHP2P_TABLE_ADDED);
        if (i < 10) assert_int_equal(ethp2p_table_reval_done(t, &n.id, 1, 0, 0), 0); /* to slow */
    }
    uint64_t now = 0, next = 0;
    size_t checks = 0;
    const uint64_t span = 10 * 60 * 1000; /* ten virtual minutes */
    while (now < span) {
        ethp2p_enode due[2];
        size_t k = ethp2p_table_reval_due(t, now, due, &next);
        for (size_t i = 0; i < k; i++) assert_int_equal(ethp2p_table_reval_done(t, &due[i].id, 1, 0, now), 0);
        checks += k;
        assert_true(next > now);
        now = next;
    }
    /* Everything answered, so all end in the slow list: about one check per 4.5 s
     * (mean of a uniform draw over 9 s). Allow wide margins: this checks the
     * schedule's order of magnitude, not its jitter. */
    double per_second = (double)checks / (span / 1000.0);
    assert_true(per_second > 0.1 && per_second < 0.8);
    ethp2p_table_free(t);
}

static void test_closest_matches_brute_force(void **state)
{
    tu_rng rng = {7};
    ethp2p_node_id me;
    tu_rand_bytes(&rng, me.b, 32);
    ethp2p_table *t = ethp2p_table_new(&me, 7);
    ethp2p_enode all[200];
    size_t n = 0;
    for (int i = 0; i < 400 && n < 200; i++) {
        ethp2p_enode e;
        memset(&e, 0, sizeof(e));
        tu_rand_bytes(&rng, e.id.b, 32);
        e.ip.family = 4;
        e.ip.b[0] = 10; /* LAN: no IP limits */
        e.ip.b[1] = (uint8_t)i;
        if (ethp2p_table_add(t, &e, ETHP2P_TABLE_FOUND, 0) == ETHP2P_TABLE_ADDED) all[n++] = e;
    }
    assert_int_equal(ethp2p_table_len(t), n);
    ethp2p_node_id target;
    tu_rand_bytes(&rng, target.b, 32);
    ethp2p_enode got[16];
    size_t k = ethp2p_table_closest(t, &target, 16, 0, got);
    assert_int_equal(k, n < 16 ? n : 16);
    /* Every returned node is at least as close as every node not returned, and in order. */
    for (size_t i = 1; i < k; i++) assert_true(ethp2p_node_id_distcmp(&target, &got[i - 1].id, &got[i].id) < 0);
    for (size_t j = 0; j < n; j++) {
        int returned = 0;
        for (size_t i = 0; i < k; i++) returned |= memcmp(got[i].id.b, all[j].id.b, 32) == 0;
        if (!returned) assert_true(ethp2p_node_id_distcmp(&target, &got[k - 1].id, &all[j].id) < 0);
    }
    /* prefer_live: once one node is live, only live nodes are served. */
    assert_int_equal(ethp2p_table_add(t, &all[5], ETHP2P_TABLE_LIVE, 0), ETHP2P_TABLE_UPDATED);
    k = ethp2p_table_closest(t, &target, 16, 1, got);
    assert_int_equal(k, 1);
    assert_memory_equal(got[0].id.b, all[5].id.b, 32);
    /* random: distinct entries */
    ethp2p_enode r[30];
    k = ethp2p_table_random(t, 30, r);
    assert_int_equal(k, 30);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++) assert_memory_not_equal(r[i].id.b, r[j].id.b, 32);
    ethp2p_table_free(t);
}

/* Two tables sharing a pool store each identity once, hand back the right key, and give it back
 * when the last entry naming it goes (removal, a replacement pushed out, freeing the table). */
static void test_shared_identities(void **state)
{
    (void)state;
    ethp2p_idpool *pool = ethp2p_idpool_new();
    ethp2p_node_id other_self;
    memset(other_self.b, 0xff, 32);
    ethp2p_table *a = ethp2p_table_new_pooled(&self_id, 1, pool), *b = ethp2p_table_new_pooled(&other_self, 2, pool);
    ethp2p_enode n[12];
    for (int i = 0; i < 12; i++) {
        char ip[32];
        snprintf(ip, sizeof(ip), "10.%d.0.1", i);
        n[i] = node_at(250, (uint32_t)i + 1, ip);
        memset(n[i].pubkey.b, i + 1, 64);
        assert_int_equal(ethp2p_table_add(a, &n[i], ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
        assert_int_equal(ethp2p_table_add(b, &n[i], ETHP2P_TABLE_FOUND, 0), ETHP2P_TABLE_ADDED);
    }
    assert_int_equal(ethp2p_idpool_len(pool), 12);
    for (int i = 0; i < 12; i++) {
        ethp2p_table_node *ta = ethp2p_table_get(a, &n[i].id), *tb = ethp2p_table_get(b, &n[i].id);
        assert_ptr_equal(ta->ident, tb->ident);
        ethp2p_enode e;
        ethp2p_table_node_enode(ta, &e);
        assert_memory_equal(e.pubkey.b, n[i].pubkey.b, 64);
        assert_memory_equal(e.id.b, n[i].id.b, 32);
        assert_true(ethp2p_ip_equal(&e.ip, &n[i].ip));
    }
    /* Gone from one table: still held by the other. Gone from both: freed. */
    assert_int_equal(ethp2p_table_remove(a, &n[0].id, 0), 0);
    assert_int_equal(ethp2p_idpool_len(pool), 12);
    assert_int_equal(ethp2p_table_remove(b, &n[0].id, 0), 0);
    assert_int_equal(ethp2p_idpool_len(pool), 11);
    /* A reference taken outside the tables keeps its identity alive after both are gone. */
    const ethp2p_ident *kept = ethp2p_table_get(b, &n[5].id)->ident;
    ethp2p_idpool_ref(kept);
    ethp2p_table_free(a);
    assert_int_equal(ethp2p_idpool_len(pool), 11);
    ethp2p_table_free(b);
    assert_int_equal(ethp2p_idpool_len(pool), 1);
    assert_memory_equal(kept->pubkey.b, n[5].pubkey.b, 64);
    ethp2p_idpool_put(pool, kept);
    assert_int_equal(ethp2p_idpool_len(pool), 0);
    ethp2p_idpool_free(pool);
}

/* The pool under churn: thousands of identities taken and dropped in a scrambled order; every
 * one still held is found again (removal's backward shifts keep the probe runs intact). */
static void test_idpool_churn(void **state)
{
    (void)state;
    enum { N = 3000 };
    ethp2p_idpool *pool = ethp2p_idpool_new();
    static ethp2p_pubkey keys[N];
    static ethp2p_node_id ids[N];
    static const ethp2p_ident *held[N];
    tu_rng rng = {7};
    for (int i = 0; i < N; i++) {
        tu_rand_bytes(&rng, keys[i].b, 64);
        ethp2p_node_id_from_pubkey(&keys[i], &ids[i]);
        held[i] = ethp2p_idpool_get(pool, &keys[i], &ids[i]);
        assert_non_null(held[i]);
    }
    assert_int_equal(ethp2p_idpool_len(pool), N);
    /* A second reference to every third one; then drop one reference of every other one. */
    for (int i = 0; i < N; i += 3) assert_ptr_equal(ethp2p_idpool_get(pool, &keys[i], &ids[i]), held[i]);
    size_t left = N;
    for (int i = 0; i < N; i += 2) {
        ethp2p_idpool_put(pool, held[i]);
        if (i % 3) left--;
    }
    assert_int_equal(ethp2p_idpool_len(pool), left);
    for (int i = 0; i < N; i++) {
        int alive = i % 2 || i % 3 == 0;
        if (!alive) continue;
        assert_ptr_equal(ethp2p_idpool_get(pool, &keys[i], &ids[i]), held[i]);
        assert_memory_equal(held[i]->pubkey.b, keys[i].b, 64);
        ethp2p_idpool_put(pool, held[i]);
    }
    assert_int_equal(ethp2p_idpool_len(pool), left);
    ethp2p_idpool_free(pool); /* frees what is still held */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_index),
        cmocka_unit_test(test_full_bucket_goes_to_replacements),
        cmocka_unit_test(test_buckets_share_slots),
        cmocka_unit_test(test_ip_limits),
        cmocka_unit_test(test_endpoint_updates),
        cmocka_unit_test(test_revalidation),
        cmocka_unit_test(test_revalidation_schedule_over_time),
        cmocka_unit_test(test_closest_matches_brute_force),
        cmocka_unit_test(test_shared_identities),
        cmocka_unit_test(test_idpool_churn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

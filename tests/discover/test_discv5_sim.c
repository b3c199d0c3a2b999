/*
 * discv5 in simulation: real discv5 cores (handshakes, sessions, signed
 * records) on the virtual network, everyone knowing only node 0's record.
 * Tables fill, lookups for other nodes' IDs end at the node itself, the
 * background self-lookups fill the nearest buckets, and runs replay from
 * their seed.
 */
#include "test_util.h"
#include "ethp2p/simnet.h"

#include <stdlib.h>
#include <string.h>

#define T0 1800000000000ULL

static ethp2p_simnet *build(int nodes, uint64_t seed, double loss)
{
    ethp2p_simnet_config sc = {.seed = seed, .start_ms = T0, .latency_ms = 20, .jitter_ms = 60, .loss = loss};
    ethp2p_simnet *net = ethp2p_simnet_new(&sc);
    assert_non_null(net);
    tu_rng rng = {seed};
    ethp2p_discv5_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.background = 1;
    for (int i = 0; i < nodes; i++) {
        ethp2p_privkey k;
        do tu_rand_bytes(&rng, k.b, 32);
        while (ethp2p_privkey_check(&k));
        if (i == 1) {
            cfg.bootnodes = ethp2p_simnet_record(net, 0);
            cfg.nbootnodes = 1;
        }
        assert_int_equal(ethp2p_simnet_add_v5(net, &k, &cfg), i);
        assert_null(ethp2p_simnet_node(net, i));
        assert_non_null(ethp2p_simnet_node_v5(net, i));
        assert_int_equal(ethp2p_enr_verify(ethp2p_simnet_record(net, i)), 0);
    }
    for (int i = 0; i < nodes; i++) ethp2p_simnet_start(net, i);
    return net;
}

static int lookup_done;
static ethp2p_node_id lookup_first;
static ethp2p_discv5_lookup_info lookup_info;
static void on_lookup(void *arg, const ethp2p_enr *recs, size_t n, const ethp2p_discv5_lookup_info *info)
{
    (void)arg;
    lookup_done = 1;
    lookup_info = *info;
    memset(&lookup_first, 0, sizeof(lookup_first));
    if (n) assert_int_equal(ethp2p_enr_node_id(&recs[0], &lookup_first), 0);
}

static void test_convergence(void **state)
{
    const int N = 150;
    ethp2p_simnet *net = build(N, 21, 0.01);
    ethp2p_simnet_run_until(net, T0 + 3 * 60 * 1000);
    size_t min_fill = SIZE_MAX, total = 0;
    for (int i = 0; i < N; i++) {
        size_t len = ethp2p_discv5_table_len(ethp2p_simnet_node_v5(net, i));
        total += len;
        if (len < min_fill) min_fill = len;
        assert_true(ethp2p_discv5_get_stats(ethp2p_simnet_node_v5(net, i))->handshakes_done > 0);
    }
    print_message("tables: min %zu, mean %zu of %d\n", min_fill, total / N, N - 1);
    assert_true(min_fill >= 20);
    assert_true(total / N >= 30);
    tu_rng rng = {7};
    int found = 0, tries = 30;
    size_t queries = 0;
    for (int t = 0; t < tries; t++) {
        int from = (int)tu_rand_below(&rng, N), target = (int)tu_rand_below(&rng, N);
        if (from == target) target = (target + 1) % N;
        lookup_done = 0;
        const ethp2p_enode *te = ethp2p_simnet_enode(net, target);
        assert_int_equal(ethp2p_discv5_lookup(ethp2p_simnet_node_v5(net, from), te->id.b, ethp2p_simnet_now(net),
                                              on_lookup, NULL),
                         0);
        ethp2p_simnet_poke(net, from);
        ethp2p_simnet_run_until(net, ethp2p_simnet_now(net) + 20000);
        assert_true(lookup_done);
        assert_true(lookup_info.replies <= lookup_info.queries && lookup_info.queries > 0);
        queries += lookup_info.queries;
        found += memcmp(lookup_first.b, te->id.b, 32) == 0;
    }
    print_message("lookups: %d of %d found their target, %.1f queries each\n", found, tries, (double)queries / tries);
    assert_true(found >= tries * 9 / 10);
    const ethp2p_simnet_stats *st = ethp2p_simnet_get_stats(net);
    assert_true(st->lost > 0 && st->delivered > st->lost * 20);
    ethp2p_simnet_free(net);
}

/* Each node's own ID is looked up in the background: after a few minutes every node is
 * in the table of its nearest neighbour (whose nearest bucket only such lookups fill;
 * lookups for random IDs rarely end there). */
static void test_nearest_neighbours_known(void **state)
{
    enum { N = 100 };
    ethp2p_simnet *net = build(N, 22, 0);
    ethp2p_simnet_run_until(net, T0 + 3 * 60 * 1000);
    static ethp2p_enode tab[N];
    int known = 0;
    for (int i = 0; i < N; i++) {
        const ethp2p_node_id *id = &ethp2p_simnet_enode(net, i)->id;
        int nearest = -1, best = 257;
        for (int j = 0; j < N; j++) {
            int dist = j == i ? 257 : ethp2p_discv5_log_distance(id->b, ethp2p_simnet_enode(net, j)->id.b);
            if (dist < best) best = dist, nearest = j;
        }
        size_t n = ethp2p_discv5_random_nodes(ethp2p_simnet_node_v5(net, nearest), tab, N);
        for (size_t r = 0; r < n; r++)
            if (!memcmp(tab[r].id.b, id->b, 32)) {
                known++;
                break;
            }
    }
    print_message("%d of %d nodes in their nearest neighbour's table\n", known, N);
    assert_int_equal(known, N);
    ethp2p_simnet_free(net);
}

static void test_replays_from_seed(void **state)
{
    uint64_t sent[2];
    size_t fill[2];
    for (int run = 0; run < 2; run++) {
        ethp2p_simnet *net = build(25, 99, 0.05);
        ethp2p_simnet_run_until(net, T0 + 60 * 1000);
        sent[run] = ethp2p_simnet_get_stats(net)->sent;
        fill[run] = ethp2p_discv5_table_len(ethp2p_simnet_node_v5(net, 3));
        ethp2p_simnet_free(net);
    }
    assert_true(sent[0] > 0 && sent[0] == sent[1]);
    assert_int_equal(fill[0], fill[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convergence),
        cmocka_unit_test(test_nearest_neighbours_known),
        cmocka_unit_test(test_replays_from_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

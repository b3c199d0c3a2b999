/*
 * discv4 in simulation: many real cores on a virtual network with latency and
 * loss. Tables fill, lookups converge on their target, a node that goes down
 * is revalidated out of the others' tables, and runs replay from their seed.
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
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    for (int i = 0; i < nodes; i++) {
        ethp2p_privkey k;
        do tu_rand_bytes(&rng, k.b, 32);
        while (ethp2p_privkey_check(&k));
        if (i == 1) { /* everyone after the bootnode knows it */
            cfg.bootnodes = ethp2p_simnet_enode(net, 0);
            cfg.nbootnodes = 1;
        }
        assert_int_equal(ethp2p_simnet_add(net, &k, &cfg), i);
    }
    for (int i = 0; i < nodes; i++) ethp2p_simnet_start(net, i);
    return net;
}

static int lookup_done;
static ethp2p_node_id lookup_first;
static int lookup_hops;
static void on_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    lookup_done = 1;
    lookup_hops = info->hops;
    if (n) lookup_first = nodes[0].id;
    else memset(&lookup_first, 0, sizeof(lookup_first));
}

static void test_convergence(void **state)
{
    const int N = 120;
    ethp2p_simnet *net = build(N, 11, 0.01);
    ethp2p_simnet_run_until(net, T0 + 3 * 60 * 1000);
    size_t min_fill = SIZE_MAX, total = 0;
    for (int i = 0; i < N; i++) {
        size_t len = ethp2p_table_len(ethp2p_discv4_table(ethp2p_simnet_node(net, i)));
        total += len;
        if (len < min_fill) min_fill = len;
    }
    /* In 120 nodes the top buckets hold 16 + 16 + ~15 + ...: every table well above a bucket. */
    assert_true(min_fill >= 20);
    assert_true(total / N >= 30);
    /* Lookups for random nodes' keys from random nodes find the node itself. */
    tu_rng rng = {5};
    int found = 0, tries = 30;
    for (int t = 0; t < tries; t++) {
        int from = (int)tu_rand_below(&rng, N), target = (int)tu_rand_below(&rng, N);
        if (from == target) target = (target + 1) % N;
        lookup_done = 0;
        assert_int_equal(ethp2p_discv4_lookup(ethp2p_simnet_node(net, from), &ethp2p_simnet_enode(net, target)->pubkey,
                                              ethp2p_simnet_now(net), on_lookup, NULL), 0);
        ethp2p_simnet_poke(net, from);
        ethp2p_simnet_run_until(net, ethp2p_simnet_now(net) + 20000);
        assert_true(lookup_done);
        found += memcmp(lookup_first.b, ethp2p_simnet_enode(net, target)->id.b, 32) == 0;
    }
    assert_true(found >= tries * 9 / 10);
    const ethp2p_simnet_stats *st = ethp2p_simnet_get_stats(net);
    assert_true(st->lost > 0 && st->delivered > st->lost * 20);
    ethp2p_simnet_free(net);
}

static void test_dead_node_is_revalidated_away(void **state)
{
    const int N = 30;
    ethp2p_simnet *net = build(N, 12, 0);
    ethp2p_simnet_run_until(net, T0 + 2 * 60 * 1000);
    const ethp2p_node_id *victim = &ethp2p_simnet_enode(net, 7)->id;
    int holders = 0;
    for (int i = 0; i < N; i++)
        holders += ethp2p_table_get(ethp2p_discv4_table(ethp2p_simnet_node(net, i)), victim) != NULL;
    assert_true(holders >= N / 2);
    ethp2p_simnet_set_down(net, 7, 1);
    /* Liveness counts fall by a factor of 3 per failed check: a few minutes of
     * slow-list checks remove it everywhere. */
    ethp2p_simnet_run_until(net, ethp2p_simnet_now(net) + 20 * 60 * 1000);
    holders = 0;
    for (int i = 0; i < N; i++)
        if (i != 7) holders += ethp2p_table_get(ethp2p_discv4_table(ethp2p_simnet_node(net, i)), victim) != NULL;
    assert_int_equal(holders, 0);
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
        fill[run] = ethp2p_table_len(ethp2p_discv4_table(ethp2p_simnet_node(net, 3)));
        ethp2p_simnet_free(net);
    }
    assert_true(sent[0] == sent[1]);
    assert_int_equal(fill[0], fill[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convergence),
        cmocka_unit_test(test_dead_node_is_revalidated_away),
        cmocka_unit_test(test_replays_from_seed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

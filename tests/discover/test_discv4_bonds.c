/*
 * discv4's internals: the bond store (src/discover/discv4_bonds.c; endpoint
 * proofs by (node ID, IP), kept compact for simulations of 100,000 nodes) and
 * the refresh schedule.
 */
#include "test_util.h"
#include "ethp2p/random.h"
#include "discover/discv4_internal.h"

#include <string.h>

#define T0 1800000000000ULL /* virtual Unix ms */

static void next_id(uint64_t *rng, ethp2p_node_id *id)
{
    for (int k = 0; k < 32; k += 8) {
        uint64_t z = ethp2p_splitmix64(rng);
        memcpy(id->b + k, &z, 8);
    }
}

/* The bond store: 5,000 (ID, IP) entries, times kept in whole seconds, every
 * entry found after growth; expiring half (backward shifts over any slot
 * count) keeps the other half reachable; a known ID at a new IP starts afresh. */
static void test_bond_store(void **state)
{
    (void)state;
    bond_store s = {0};
    const uint8_t key[16] = {1, 2, 3};
    bonds_init(&s, key);
    ethp2p_ip ip = {4, {1, 2, 3, 4}}, ip2 = {4, {5, 6, 7, 8}};
    ethp2p_node_id id;
    uint64_t rng = 42;
    for (int i = 0; i < 5000; i++) {
        next_id(&rng, &id);
        bond_entry *e = bonds_get(&s, &id, &ip, 1);
        assert_non_null(e);
        e->last_ping_s = bond_secs(T0 + (uint64_t)i * 1000 + 999); /* whole seconds: the 999 ms go */
    }
    assert_int_equal(s.count, 5000);
    assert_true(s.cap * 7 >= 5000 * 8 && s.cap * 7 < 5000 * 12); /* 7/12 to 7/8 full (dense growth) */
    rng = 42;
    for (int i = 0; i < 5000; i++) {
        next_id(&rng, &id);
        bond_entry *e = bonds_get(&s, &id, &ip, 0);
        assert_non_null(e);
        assert_int_equal(bond_ms(e->last_ping_s), T0 - T0 % 1000 + (uint64_t)i * 1000);
        assert_int_equal(bond_age(e->last_ping_s, bond_ms(e->last_ping_s) + 5), 5);
        assert_null(bonds_get(&s, &id, &ip2, 0)); /* another IP: no proof */
        assert_ptr_equal(bonds_find(&s, bonds_key(&s, &id, &ip), 0), e); /* the key, computed once, finds it */
    }
    /* Expire the first 2,500 (older than the 2,500th second). */
    bonds_expire(&s, T0 - T0 % 1000 + 2500 * 1000);
    assert_int_equal(s.count, 2500);
    rng = 42;
    for (int i = 0; i < 5000; i++) {
        next_id(&rng, &id);
        bond_entry *e = bonds_get(&s, &id, &ip, 0);
        if (i < 2500) assert_null(e);
        else assert_non_null(e);
    }
    /* The same ID at a new IP: a fresh entry (no proof carries over); the old address keeps its own. */
    bond_entry *e = bonds_get(&s, &id, &ip2, 1);
    assert_non_null(e);
    assert_int_equal(e->last_ping_s, 0);
    assert_int_equal(bond_age(e->last_ping_s, T0), UINT64_MAX);
    assert_int_equal(s.count, 2501);
    assert_int_equal(bond_ms(bonds_get(&s, &id, &ip, 0)->last_ping_s), T0 - T0 % 1000 + 4999 * 1000);
    /* FindNode failures live in the key's low byte: counting them never loses the entry. */
    for (unsigned k = 1; k <= 300; k++) bond_set_fails(e, bond_fails(e) + 1);
    assert_int_equal(bond_fails(e), 255);
    assert_ptr_equal(bonds_get(&s, &id, &ip2, 0), e);
    bond_set_fails(e, 0);
    assert_ptr_equal(bonds_get(&s, &id, &ip2, 0), e);
    /* Another key, another layout: the hash is keyed, yet every entry is found the same. */
    bond_store s2 = {0};
    const uint8_t key2[16] = {9};
    bonds_init(&s2, key2);
    assert_non_null(bonds_get(&s2, &id, &ip, 1));
    assert_true(bonds_get(&s2, &id, &ip, 1)->key != bonds_get(&s, &id, &ip, 0)->key);
    assert_int_equal(s2.count, 1);
    bonds_clear(&s2);
    bonds_clear(&s);
}

static void discard(void *ctx, const ethp2p_udp_addr *to, const uint8_t *p, size_t n)
{
    (void)ctx;
    (void)to;
    (void)p;
    (void)n;
}

/* The next refresh comes 15 to 30 minutes after one starts, at random, as the reference's
 * nextRefreshTime: spread over the whole range, never outside it. */
static void test_refresh_delay_is_random_between_15_and_30_minutes(void **state)
{
    (void)state;
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x21, 32);
    cfg.send = discard;
    cfg.no_background = 1;
    cfg.seed = 3;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, T0);
    assert_non_null(d);
    const uint64_t min = 15 * 60 * 1000, max = 30 * 60 * 1000;
    uint64_t lo = UINT64_MAX, hi = 0;
    int quarters[4] = {0};
    for (int i = 0; i < 4000; i++) {
        uint64_t t = discv4_next_refresh_delay(d);
        assert_true(t >= min && t < max);
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
        quarters[(t - min) * 4 / (max - min)]++;
    }
    assert_true(lo < min + 60 * 1000 && hi > max - 60 * 1000);
    for (int q = 0; q < 4; q++) assert_true(quarters[q] > 800); /* about 1,000 each */
    ethp2p_discv4_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bond_store),
        cmocka_unit_test(test_refresh_delay_is_random_between_15_and_30_minutes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

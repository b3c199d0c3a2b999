/* Dial scheduling and admission on a virtual clock: static first, history, slots, limits, throttle, races. */
#include "test_util.h"
#include "ethp2p/dial.h"

#include <string.h>

#define T0 1800000000000ULL

static ethp2p_enode node(uint8_t tag)
{
    ethp2p_enode n;
    memset(&n, 0, sizeof(n));
    n.id.b[0] = tag;
    n.id.b[31] = 1;
    n.ip.family = 4;
    n.ip.b[0] = 8;
    n.ip.b[3] = tag;
    n.tcp = n.udp = 30303;
    return n;
}

static ethp2p_dialer *dialer(size_t max_peers, size_t max_active)
{
    ethp2p_dialer_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.self.b[0] = 0x80;
    cfg.max_peers = max_peers;
    cfg.max_active = max_active;
    ethp2p_dialer *d = ethp2p_dialer_new(&cfg);
    assert_non_null(d);
    return d;
}

static void test_slots_and_shares(void **state)
{
    ethp2p_dialer *d = dialer(50, 100);
    assert_int_equal(ethp2p_dialer_max_outbound(d), 16); /* 50 / 3 */
    assert_int_equal(ethp2p_dialer_max_inbound(d), 34);
    /* Offer 40 candidates: only the outbound share is dialled. */
    for (int i = 1; i <= 40; i++) ethp2p_dialer_offer(d, &(ethp2p_enode){0}, T0); /* no address: refused */
    for (uint8_t i = 1; i <= 40; i++) {
        ethp2p_enode n = node(i);
        assert_int_equal(ethp2p_dialer_offer(d, &n, T0), 1);
    }
    ethp2p_enode out;
    int is_static, dials = 0;
    while (ethp2p_dialer_next(d, T0, &out, &is_static)) {
        assert_false(is_static);
        dials++;
    }
    assert_int_equal(dials, 16);
    assert_false(ethp2p_dialer_wants_candidates(d));
    ethp2p_dialer_free(d);
    /* Tiny limits: at least one dial slot. */
    d = dialer(2, 0);
    assert_int_equal(ethp2p_dialer_max_outbound(d), 1);
    ethp2p_dialer_free(d);
}

static void test_static_first_history_and_redial(void **state)
{
    ethp2p_dialer *d = dialer(30, 2);
    ethp2p_enode s1 = node(1), dyn = node(2);
    assert_int_equal(ethp2p_dialer_add_static(d, &s1), 0);
    assert_int_equal(ethp2p_dialer_offer(d, &dyn, T0), 1);
    ethp2p_enode out;
    int is_static;
    assert_int_equal(ethp2p_dialer_next(d, T0, &out, &is_static), 1);
    assert_true(is_static);
    assert_int_equal(out.id.b[0], 1);
    assert_int_equal(ethp2p_dialer_next(d, T0, &out, &is_static), 1);
    assert_false(is_static);
    /* Both dials fail. Nobody is redialled within 35 s... */
    ethp2p_dialer_dial_done(d, &s1.id);
    ethp2p_dialer_dial_done(d, &dyn.id);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 34999, &out, &is_static), 0);
    assert_int_equal(ethp2p_dialer_offer(d, &dyn, T0 + 1000), 0); /* recently dialed */
    assert_true(ethp2p_dialer_next_deadline(d) == T0 + ETHP2P_DIAL_HISTORY_MS);
    /* ...then the static node comes back by itself; the dynamic one only if offered again. */
    assert_int_equal(ethp2p_dialer_next(d, T0 + 35000, &out, &is_static), 1);
    assert_true(is_static);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 35000, &out, &is_static), 0);
    assert_int_equal(ethp2p_dialer_offer(d, &dyn, T0 + 35000), 1);
    /* Concurrency: the static dial still runs, one slot left of two. */
    assert_int_equal(ethp2p_dialer_next(d, T0 + 35000, &out, &is_static), 1);
    ethp2p_enode other = node(3);
    assert_int_equal(ethp2p_dialer_offer(d, &other, T0 + 35000), 1);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 35000, &out, &is_static), 0); /* 2 dials active */
    /* A connected peer is never dialled; a static peer that drops is redialled after its history. */
    ethp2p_dialer_dial_done(d, &s1.id);
    ethp2p_dialer_peer_added(d, &s1.id, 0);
    assert_true(ethp2p_dialer_is_connected(d, &s1.id));
    assert_int_equal(ethp2p_dialer_next(d, T0 + 200000, &out, &is_static), 1);
    assert_int_not_equal(out.id.b[0], 1);
    ethp2p_dialer_peer_removed(d, &s1.id, 0);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 200000, &out, &is_static), 0); /* both slots busy */
    ethp2p_dialer_dial_done(d, &dyn.id);
    ethp2p_dialer_dial_done(d, &other.id);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 200000, &out, &is_static), 1);
    assert_true(is_static);
    assert_int_equal(out.id.b[0], 1);
    ethp2p_dialer_free(d);
}

static void test_admission(void **state)
{
    ethp2p_dialer *d = dialer(6, 0); /* 2 outbound, 4 inbound */
    ethp2p_enode self;
    memset(&self, 0, sizeof(self));
    self.id.b[0] = 0x80;
    assert_int_equal(ethp2p_dialer_admit(d, &self.id, 1, 0), 0x0a); /* self */
    for (uint8_t i = 1; i <= 4; i++) {
        ethp2p_enode n = node(i);
        assert_int_equal(ethp2p_dialer_admit(d, &n.id, 1, 0), 0);
        ethp2p_dialer_peer_added(d, &n.id, 1);
    }
    ethp2p_enode n5 = node(5), n1 = node(1), t = node(9);
    assert_int_equal(ethp2p_dialer_admit(d, &n5.id, 1, 0), 0x04);  /* inbound share full */
    assert_int_equal(ethp2p_dialer_admit(d, &n5.id, 0, 0), 0);     /* a dial still fits */
    assert_int_equal(ethp2p_dialer_admit(d, &n1.id, 0, 0), 0x05);  /* already connected */
    assert_int_equal(ethp2p_dialer_admit(d, &t.id, 1, 1), 0);      /* trusted: always in */
    ethp2p_dialer_peer_added(d, &n5.id, 0);
    ethp2p_enode n6 = node(6);
    ethp2p_dialer_peer_added(d, &n6.id, 0);
    assert_int_equal(ethp2p_dialer_admit(d, &t.id, 0, 0), 0x04);   /* max peers */
    assert_int_equal(ethp2p_dialer_admit(d, &t.id, 0, 1), 0);
    size_t in;
    assert_int_equal(ethp2p_dialer_peer_count(d, &in), 6);
    assert_int_equal(in, 4);
    ethp2p_dialer_free(d);
}

static void test_inbound_throttle(void **state)
{
    ethp2p_inbound_throttle *t = ethp2p_inbound_throttle_new();
    ethp2p_ip pub = {4, {8, 8, 8, 8}}, other = {4, {9, 9, 9, 9}}, lo = {4, {127, 0, 0, 1}}, lan = {4, {10, 0, 0, 5}};
    assert_int_equal(ethp2p_inbound_throttle_check(t, &pub, T0), 0);
    assert_int_equal(ethp2p_inbound_throttle_check(t, &pub, T0 + 29999), 1);
    assert_int_equal(ethp2p_inbound_throttle_check(t, &other, T0 + 1), 0);
    assert_int_equal(ethp2p_inbound_throttle_check(t, &pub, T0 + 30000), 0);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(ethp2p_inbound_throttle_check(t, &lo, T0 + (uint64_t)i), 0);  /* exempt */
        assert_int_equal(ethp2p_inbound_throttle_check(t, &lan, T0 + (uint64_t)i), 0);
    }
    ethp2p_inbound_throttle_free(t);
}

/* One address holds at most an eighth of the pending slots, one /24 half; the total caps everyone. */
static void test_inbound_pending_shares(void **state)
{
    (void)state;
    assert_int_equal(ethp2p_inbound_pending_per_ip(50), 6);
    assert_int_equal(ethp2p_inbound_pending_per_subnet(50), 25);
    assert_int_equal(ethp2p_inbound_pending_per_ip(3), 1); /* never zero: a small node still takes peers */
    assert_int_equal(ethp2p_inbound_pending_per_subnet(1), 1);
    assert_true(ethp2p_inbound_may_start(0, 0, 0, 50));
    assert_true(ethp2p_inbound_may_start(10, 5, 5, 50));
    assert_false(ethp2p_inbound_may_start(10, 6, 6, 50));   /* its address has its share */
    assert_true(ethp2p_inbound_may_start(30, 0, 24, 50));   /* a neighbour in the /24 still may */
    assert_false(ethp2p_inbound_may_start(30, 0, 25, 50));  /* until the /24 has half */
    assert_false(ethp2p_inbound_may_start(50, 0, 0, 50));   /* all slots taken: even a newcomer waits */
    assert_false(ethp2p_inbound_may_start(0, 0, 0, 0));
    /* The subnets: /24 for IPv4, /64 for IPv6. */
    ethp2p_ip a, b, c, d, e;
    assert_int_equal(ethp2p_ip_parse("127.0.0.2", &a), 0);
    assert_int_equal(ethp2p_ip_parse("127.0.0.250", &b), 0);
    assert_int_equal(ethp2p_ip_parse("127.0.1.2", &c), 0);
    assert_true(ethp2p_ip_same_subnet(&a, &b));
    assert_false(ethp2p_ip_same_subnet(&a, &c));
    assert_int_equal(ethp2p_ip_parse("2001:db8:1:2::1", &d), 0);
    assert_int_equal(ethp2p_ip_parse("2001:db8:1:2:ffff::9", &e), 0);
    assert_true(ethp2p_ip_same_subnet(&d, &e));
    assert_int_equal(ethp2p_ip_parse("2001:db8:1:3::1", &e), 0);
    assert_false(ethp2p_ip_same_subnet(&d, &e));
    assert_false(ethp2p_ip_same_subnet(&a, &d));
}

static void test_dial_race_resolution(void **state)
{
    /* Both sides must keep the same connection: the one the lower ID initiated. */
    tu_rng rng = {5};
    for (int i = 0; i < 100; i++) {
        ethp2p_node_id a, b;
        tu_rand_bytes(&rng, a.b, 32);
        tu_rand_bytes(&rng, b.b, 32);
        int a_keeps_own = ethp2p_dial_keep_outbound(&a, &b);
        int b_keeps_own = ethp2p_dial_keep_outbound(&b, &a);
        assert_int_equal(a_keeps_own, !b_keeps_own); /* A keeps A's dial iff B keeps A's dial (its inbound) */
    }
    /* The loser is redialled soon: race losses clear the history entry. */
    ethp2p_dialer *d = dialer(30, 4);
    ethp2p_enode n = node(7);
    assert_int_equal(ethp2p_dialer_offer(d, &n, T0), 1);
    ethp2p_enode out;
    int is_static;
    assert_int_equal(ethp2p_dialer_next(d, T0, &out, &is_static), 1);
    ethp2p_dialer_dial_done(d, &n.id);
    ethp2p_dialer_peer_added(d, &n.id, 0);
    ethp2p_dialer_peer_removed(d, &n.id, 1);
    assert_int_equal(ethp2p_dialer_offer(d, &n, T0 + 100), 1);
    assert_int_equal(ethp2p_dialer_next(d, T0 + 100, &out, &is_static), 1);
    ethp2p_dialer_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slots_and_shares),
        cmocka_unit_test(test_static_first_history_and_redial),
        cmocka_unit_test(test_admission),
        cmocka_unit_test(test_inbound_throttle),
        cmocka_unit_test(test_inbound_pending_shares),
        cmocka_unit_test(test_dial_race_resolution),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Node IDs and Kademlia distances. */
#include "test_util.h"
#include "ethp2p/enode.h"

#include <string.h>

static void test_id_from_pubkey_vector(void **state)
{
    json_t *v = tu_load_json("vectors/enr.json");
    ethp2p_pubkey pub;
    ethp2p_node_id id, want;
    tu_hex_fixed(tu_str(json_object_get(v, "derived"), "uncompressed_pubkey"), pub.b, 64);
    tu_hex_fixed(tu_str(json_object_get(v, "published_fields"), "node_id"), want.b, 32);
    ethp2p_node_id_from_pubkey(&pub, &id);
    assert_memory_equal(id.b, want.b, 32);
    json_decref(v);
}

static void test_logdist(void **state)
{
    ethp2p_node_id a = {{0}}, b = {{0}};
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 0);
    b.b[31] = 1;
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 1);
    b.b[31] = 0x80;
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 8);
    b.b[30] = 1;
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 9);
    b.b[0] = 0x80;
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 256);
    b.b[0] = 0x01;
    assert_int_equal(ethp2p_node_id_logdist(&a, &b), 249);
    /* Symmetric, and equal to the bit length of the XOR, for random pairs. */
    tu_rng rng = {3};
    for (int i = 0; i < 1000; i++) {
        tu_rand_bytes(&rng, a.b, 32);
        b = a;
        int bit = (int)tu_rand_below(&rng, 256); /* flip bit `bit` (0 = least significant) and lower bits */
        b.b[31 - bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (bit > 0) b.b[31] ^= (uint8_t)tu_rand(&rng) & (bit >= 8 ? 0xff : (uint8_t)((1u << bit) - 1));
        assert_int_equal(ethp2p_node_id_logdist(&a, &b), bit + 1);
        assert_int_equal(ethp2p_node_id_logdist(&b, &a), bit + 1);
    }
}

static void test_distcmp(void **state)
{
    ethp2p_node_id t = {{0}}, a = {{0}}, b = {{0}};
    a.b[31] = 1;
    b.b[31] = 2;
    assert_true(ethp2p_node_id_distcmp(&t, &a, &b) < 0);
    assert_true(ethp2p_node_id_distcmp(&t, &b, &a) > 0);
    assert_int_equal(ethp2p_node_id_distcmp(&t, &a, &a), 0);
    /* XOR, not numeric difference: with target 0x..03, 0x..02 (xor 1) beats 0x..04 (xor 7). */
    t.b[31] = 3;
    a.b[31] = 2;
    b.b[31] = 4;
    assert_true(ethp2p_node_id_distcmp(&t, &a, &b) < 0);
    t.b[0] = 0xff; /* a high byte dominates */
    a.b[0] = 0x00;
    b.b[0] = 0xfe;
    assert_true(ethp2p_node_id_distcmp(&t, &b, &a) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_from_pubkey_vector),
        cmocka_unit_test(test_logdist),
        cmocka_unit_test(test_distcmp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

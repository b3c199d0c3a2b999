/* Two RLPx connections wired in memory: handshake, Hello, messages, keep-alive, timeouts, refusals. */
#include "test_util.h"
#include "ethp2p/conn.h"

#include <stdlib.h>
#include <string.h>

#define T0 1800000000000ULL

typedef struct side {
    ethp2p_conn *conn;
    ethp2p_buffer outbox;     /* bytes this side sent, not yet delivered */
    int closed, close_reason, by_remote, hellos;
    uint64_t last_code;
    size_t last_len, messages;
    int reject_with;
} side;

static side A, B;
static const ethp2p_protocol_spec protos[] = {{"eth", 68, 17}, {"snap", 1, 8}};

static void on_send(void *ctx, const uint8_t *d, size_t n) { assert_int_equal(ethp2p_buffer_append(&((side *)ctx)->outbox, d, n), 0); }
static int on_hello(void *ctx, const ethp2p_hello *h)
{
    side *s = ctx;
    s->hellos++;
    return s->reject_with;
}
static void on_message(void *ctx, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *d, size_t n)
{
    side *s = ctx;
    s->messages++;
    s->last_code = code;
    s->last_len = n;
}
static void on_close(void *ctx, int reason, int by_remote)
{
    side *s = ctx;
    assert_int_equal(s->closed, 0); /* exactly once */
    s->closed = 1;
    s->close_reason = reason;
    s->by_remote = by_remote;
}

static ethp2p_privkey ka, kb;
static ethp2p_conn_budget *use_budget; /* given to the connections make() creates */

static void make(side *s, int initiator, const ethp2p_privkey *key, const ethp2p_pubkey *remote,
                 const ethp2p_protocol_spec *p, size_t np)
{
    ethp2p_buffer_clear(&s->outbox);
    memset(s, 0, sizeof(*s));
    ethp2p_buffer_init(&s->outbox, 0);
    ethp2p_conn_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.key = *key;
    cfg.initiator = initiator;
    if (remote) cfg.remote = *remote;
    cfg.client_name = initiator ? "test/a" : "test/b";
    cfg.listen_port = 30303;
    cfg.protocols = p;
    cfg.nprotocols = np;
    cfg.ctx = s;
    cfg.send = on_send;
    cfg.on_hello = on_hello;
    cfg.on_message = on_message;
    cfg.on_close = on_close;
    cfg.budget = use_budget;
    s->conn = ethp2p_conn_new(&cfg, T0);
    assert_non_null(s->conn);
}

/* Moves bytes between the sides in chunks of `chunk` until nothing moves. */
static void pump(size_t chunk, uint64_t now)
{
    for (int moved = 1; moved;) {
        moved = 0;
        side *pairs[2][2] = {{&A, &B}, {&B, &A}};
        for (int k = 0; k < 2; k++) {
            side *from = pairs[k][0], *to = pairs[k][1];
            if (!from->outbox.len) continue;
            size_t n = from->outbox.len < chunk ? from->outbox.len : chunk;
            uint8_t *tmp = malloc(n);
            memcpy(tmp, from->outbox.data, n);
            memmove(from->outbox.data, from->outbox.data + n, from->outbox.len - n);
            from->outbox.len -= n;
            ethp2p_conn_receive(to->conn, tmp, n, now);
            free(tmp);
            moved = 1;
        }
    }
}

static void pair(size_t np_b, const ethp2p_privkey *b_key_for_a)
{
    ethp2p_pubkey pb;
    assert_int_equal(ethp2p_privkey_to_pubkey(b_key_for_a, &pb), 0);
    make(&A, 1, &ka, &pb, protos, 2);
    make(&B, 0, &kb, NULL, protos, np_b);
    assert_int_equal(ethp2p_conn_start(A.conn, T0), 0);
}

static void done(void)
{
    ethp2p_conn_free(A.conn);
    ethp2p_conn_free(B.conn);
    ethp2p_buffer_clear(&A.outbox);
    ethp2p_buffer_clear(&B.outbox);
}

static int setup(void **state)
{
    memset(ka.b, 0xa1, 32);
    memset(kb.b, 0xb2, 32);
    return 0;
}

static void test_session(void **state)
{
    static const size_t chunks[] = {1, 7, 100, 100000};
    for (size_t c = 0; c < 4; c++) {
        pair(2, &kb);
        pump(chunks[c], T0 + 10);
        assert_int_equal(ethp2p_conn_state(A.conn), ETHP2P_CONN_ACTIVE);
        assert_int_equal(ethp2p_conn_state(B.conn), ETHP2P_CONN_ACTIVE);
        assert_int_equal(A.hellos, 1);
        assert_string_equal(ethp2p_conn_remote_hello(A.conn)->name, "test/b");
        assert_true(ethp2p_conn_snappy(A.conn));
        const ethp2p_shared_cap *caps;
        assert_int_equal(ethp2p_conn_shared(A.conn, &caps), 2);
        assert_string_equal(caps[0].spec->name, "eth");
        assert_int_equal(caps[1].offset, 0x10 + 17);
        /* Sub-protocol messages both ways, with relative codes. */
        uint8_t payload[5000];
        memset(payload, 7, sizeof(payload));
        assert_int_equal(ethp2p_conn_send(A.conn, &caps[1], 3, payload, sizeof(payload)), 0);
        pump(chunks[c], T0 + 20);
        assert_int_equal(B.messages, 1);
        assert_int_equal(B.last_code, 3);
        assert_int_equal(B.last_len, sizeof(payload));
        const ethp2p_shared_cap *bcaps;
        assert_int_equal(ethp2p_conn_shared(B.conn, &bcaps), 2);
        assert_int_equal(ethp2p_conn_send(B.conn, &bcaps[0], 16, payload, 10), 0);
        pump(chunks[c], T0 + 30);
        assert_int_equal(A.messages, 1);
        assert_int_equal(A.last_code, 16);
        assert_int_equal(ethp2p_conn_send(A.conn, &caps[0], 17, payload, 1), ETHP2P_EINVAL); /* out of range */
        done();
    }
}

static void test_keepalive_and_read_timeout(void **state)
{
    pair(2, &kb);
    pump(1000, T0);
    /* Pings every 15 s keep both alive far beyond the 30 s read timeout. */
    uint64_t t = T0;
    for (int i = 0; i < 20; i++) {
        t += 5000;
        ethp2p_conn_tick(A.conn, t);
        ethp2p_conn_tick(B.conn, t);
        pump(1000, t);
    }
    assert_int_equal(ethp2p_conn_state(A.conn), ETHP2P_CONN_ACTIVE);
    /* B goes silent: A drops it after 30 s without a frame. */
    ethp2p_buffer_reset(&B.outbox);
    uint64_t next = ethp2p_conn_tick(A.conn, t + 1);
    while (!A.closed) {
        t = next;
        next = ethp2p_conn_tick(A.conn, t);
        ethp2p_buffer_reset(&B.outbox);
    }
    assert_int_equal(A.close_reason, ETHP2P_DISC_READ_TIMEOUT);
    done();
}

static void test_refusals(void **state)
{
    /* No shared capability: "useless peer", and the other side hears why. */
    static const ethp2p_protocol_spec other[] = {{"les", 4, 21}};
    ethp2p_pubkey pb;
    assert_int_equal(ethp2p_privkey_to_pubkey(&kb, &pb), 0);
    make(&A, 1, &ka, &pb, protos, 2);
    make(&B, 0, &kb, NULL, other, 1);
    assert_int_equal(ethp2p_conn_start(A.conn, T0), 0);
    pump(1000, T0);
    assert_true(A.closed && B.closed);
    assert_int_equal(A.close_reason, ETHP2P_DISC_USELESS_PEER);
    done();
    /* The owner refuses (too many peers): the remote learns the reason. */
    pair(2, &kb);
    B.reject_with = ETHP2P_DISC_TOO_MANY_PEERS;
    pump(1000, T0);
    assert_true(A.closed);
    assert_int_equal(A.close_reason, ETHP2P_DISC_TOO_MANY_PEERS);
    assert_int_equal(A.by_remote, 1);
    assert_int_equal(B.by_remote, 0);
    done();
    /* A dials a key that is not B's: B cannot read the auth and closes; A times out. */
    ethp2p_privkey other_key;
    memset(other_key.b, 0xc3, 32);
    pair(2, &other_key);
    pump(1000, T0);
    assert_true(B.closed);
    assert_false(A.closed);
    ethp2p_conn_tick(A.conn, T0 + ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS);
    assert_true(A.closed);
    assert_int_equal(A.close_reason, ETHP2P_DISC_READ_TIMEOUT);
    done();
}

static void test_connected_to_self(void **state)
{
    /* Dialling our own key (e.g. our address came back from discovery): both ends
     * see their own ID in the remote Hello and refuse with "connected to self". */
    ethp2p_pubkey pa;
    assert_int_equal(ethp2p_privkey_to_pubkey(&ka, &pa), 0);
    make(&A, 1, &ka, &pa, protos, 2);
    make(&B, 0, &ka, NULL, protos, 2);
    assert_int_equal(ethp2p_conn_start(A.conn, T0), 0);
    pump(1000, T0);
    assert_true(A.closed && B.closed);
    assert_int_equal(A.close_reason, ETHP2P_DISC_SELF);
    assert_int_equal(B.close_reason, ETHP2P_DISC_SELF);
    assert_int_equal(A.hellos + B.hellos, 0); /* never reached the owner */
    done();
}

/* Plays B by hand: answers A's auth with B's key kb, then sends a Hello that
 * claims `claimed` as B's ID. A conn never lies, so B is built from the pure
 * handshake and frame API. */
static void hand_made_b(const ethp2p_pubkey *claimed)
{
    ethp2p_rlpx_handshake hs;
    size_t used, acklen = 0;
    uint8_t ack[2 + 2048];
    assert_int_equal(ethp2p_rlpx_handshake_init(&hs, 0, &kb, NULL), 0);
    assert_int_equal(ethp2p_rlpx_auth_read(&hs, A.outbox.data, A.outbox.len, &used), 0);
    assert_int_equal(ethp2p_rlpx_ack_write(&hs, ack, &acklen), 0);
    ethp2p_rlpx_secrets sec;
    assert_int_equal(ethp2p_rlpx_secrets_derive(&hs, &sec), 0);
    ethp2p_rlpx_frame_codec codec;
    ethp2p_rlpx_frame_init(&codec, &sec);
    ethp2p_hello h;
    memset(&h, 0, sizeof(h));
    h.version = 5;
    strcpy(h.name, "test/hand-made");
    strcpy(h.caps[0].name, "eth");
    h.caps[0].version = 68;
    h.ncaps = 1;
    h.id = *claimed;
    ethp2p_buffer payload, msg, wire;
    ethp2p_buffer_init(&payload, 0);
    ethp2p_buffer_init(&msg, 0);
    ethp2p_buffer_init(&wire, 0);
    assert_int_equal(ethp2p_hello_encode(&h, &payload), 0);
    assert_int_equal(ethp2p_p2p_msg_encode(ETHP2P_P2P_HELLO, payload.data, payload.len, 0, &msg), 0);
    assert_int_equal(ethp2p_buffer_append(&wire, ack, acklen), 0);
    assert_int_equal(ethp2p_rlpx_frame_write(&codec, msg.data, msg.len, &wire), 0);
    ethp2p_conn_receive(A.conn, wire.data, wire.len, T0);
    ethp2p_buffer_clear(&payload);
    ethp2p_buffer_clear(&msg);
    ethp2p_buffer_clear(&wire);
}

static void test_unexpected_identity(void **state)
{
    /* B completes the handshake with its real key, then claims another node's
     * ID in its Hello: A refuses with "unexpected identity" (0x09). */
    ethp2p_pubkey pb, pc;
    ethp2p_privkey kc;
    memset(kc.b, 0xc4, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&kb, &pb), 0);
    assert_int_equal(ethp2p_privkey_to_pubkey(&kc, &pc), 0);
    make(&A, 1, &ka, &pb, protos, 2);
    assert_int_equal(ethp2p_conn_start(A.conn, T0), 0);
    hand_made_b(&pc);
    assert_true(A.closed);
    assert_int_equal(A.close_reason, ETHP2P_DISC_UNEXPECTED_IDENTITY);
    assert_int_equal(A.by_remote, 0);
    assert_int_equal(A.hellos, 0);
    ethp2p_conn_free(A.conn);

    /* The same Hello with B's real ID passes. */
    make(&A, 1, &ka, &pb, protos, 2);
    assert_int_equal(ethp2p_conn_start(A.conn, T0), 0);
    hand_made_b(&pb);
    assert_false(A.closed);
    assert_int_equal(A.hellos, 1);
    assert_int_equal(ethp2p_conn_state(A.conn), ETHP2P_CONN_ACTIVE);
    ethp2p_conn_free(A.conn);
    ethp2p_buffer_clear(&A.outbox);
}

static void test_receive_budget(void **state)
{
    (void)state;
    /* Connections share a 256 KiB receive budget. B is fed the first 300 KiB of a 600 KiB
     * message: over the budget and over its 16 KiB share, it drops the peer. */
    ethp2p_conn_budget budget = {0, 256 * 1024, 0};
    use_budget = &budget;
    pair(2, &kb);
    pump(1000, T0);
    assert_int_equal(ethp2p_conn_state(A.conn), ETHP2P_CONN_ACTIVE);
    assert_int_equal(budget.used, 0); /* nothing held between frames */
    const ethp2p_shared_cap *caps;
    assert_int_equal(ethp2p_conn_shared(A.conn, &caps), 2);
    size_t big = 600 * 1024;
    uint8_t *payload = malloc(big);
    tu_rng rng = {7};
    tu_rand_bytes(&rng, payload, big); /* incompressible */
    assert_int_equal(ethp2p_conn_send(A.conn, &caps[0], 1, payload, big), 0);
    free(payload);
    ethp2p_conn_receive(B.conn, A.outbox.data, 300 * 1024, T0);
    assert_true(B.closed);
    assert_int_equal(B.close_reason, ETHP2P_DISC_PROTOCOL_ERROR);
    assert_int_equal(budget.refusals, 1);
    assert_int_equal(budget.used, 0);
    done();
    /* The same message delivered whole, under a budget that fits it: accepted, and the
     * budget is back to zero once the frame is handled. */
    budget.limit = 1 << 20;
    pair(2, &kb);
    pump(1000, T0);
    payload = malloc(big);
    tu_rand_bytes(&rng, payload, big);
    assert_int_equal(ethp2p_conn_shared(A.conn, &caps), 2);
    assert_int_equal(ethp2p_conn_send(A.conn, &caps[0], 1, payload, big), 0);
    free(payload);
    pump(64 * 1024, T0);
    assert_false(B.closed);
    assert_int_equal(B.last_len, big);
    assert_int_equal(budget.used, 0);
    assert_int_equal(budget.refusals, 1);
    done();
    use_budget = NULL;
}

static void test_tampering_and_garbage(void **state)
{
    pair(2, &kb);
    pump(1000, T0);
    const ethp2p_shared_cap *caps;
    ethp2p_conn_shared(A.conn, &caps);
    uint8_t payload[64] = {1};
    assert_int_equal(ethp2p_conn_send(A.conn, &caps[0], 1, payload, sizeof(payload)), 0);
    A.outbox.data[40] ^= 1; /* inside the body */
    pump(1000, T0);
    assert_true(B.closed);
    assert_int_equal(B.close_reason, ETHP2P_DISC_PROTOCOL_ERROR);
    assert_int_equal(B.messages, 0);
    done();
    /* Garbage instead of an auth. */
    pair(2, &kb);
    ethp2p_buffer_reset(&A.outbox);
    uint8_t junk[600];
    memset(junk, 0x01, sizeof(junk)); /* size prefix 0x0101 = 257 */
    ethp2p_conn_receive(B.conn, junk, sizeof(junk), T0);
    assert_true(B.closed);
    done();
    /* Silence after connecting: the recipient's handshake times out too. */
    make(&B, 0, &kb, NULL, protos, 2);
    assert_int_equal(ethp2p_conn_tick(B.conn, T0), T0 + ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS);
    ethp2p_conn_tick(B.conn, T0 + ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS);
    assert_true(B.closed);
    ethp2p_conn_free(B.conn);
    ethp2p_buffer_clear(&B.outbox);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session),
        cmocka_unit_test(test_keepalive_and_read_timeout),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_connected_to_self),
        cmocka_unit_test(test_unexpected_identity),
        cmocka_unit_test(test_receive_budget),
        cmocka_unit_test(test_tampering_and_garbage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}

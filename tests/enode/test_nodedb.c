/* The node database on a real SQLite file: persistence across reopen, seeds, expiry, key change, crash. */
#include "test_util.h"
#include "ethp2p/nodedb.h"

#include <sqlite3.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DAY (24ULL * 3600 * 1000)
#define T0 1800000000000ULL

static char dir[64], path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/ethp2p-nodedb-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(path, sizeof(path), "%s/nodes.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static ethp2p_enode make_node(int i)
{
    ethp2p_privkey k;
    ethp2p_pubkey p;
    memset(k.b, 0x10 + i, 32);
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &p), 0);
    ethp2p_ip ip = {4, {1, 2, 3, (uint8_t)i}};
    ethp2p_enode n;
    assert_int_equal(ethp2p_enode_init(&n, &p, &ip, 30303, (uint16_t)(30000 + i)), 0);
    return n;
}

static ethp2p_node_id self_id(uint8_t b)
{
    ethp2p_node_id id;
    memset(id.b, b, 32);
    return id;
}

static void test_persists_across_reopen(void **state)
{
    ethp2p_node_id me = self_id(1);
    int err;
    ethp2p_nodedb *db = ethp2p_nodedb_open(path, &me, &err);
    assert_non_null(db);
    ethp2p_enode a = make_node(1), b = make_node(2);
    ethp2p_privkey k;
    memset(k.b, 0x11, 32);
    ethp2p_enr rec;
    ethp2p_enr_init(&rec);
    rec.seq = 7;
    assert_int_equal(ethp2p_enr_sign(&rec, &k), 0);
    assert_int_equal(ethp2p_nodedb_update_node(db, &a, &rec, T0), 0);
    assert_int_equal(ethp2p_nodedb_update_node(db, &b, NULL, T0), 0);
    ethp2p_nodedb_endpoint e = {T0 - 5, T0 - 3, 2};
    assert_int_equal(ethp2p_nodedb_set_endpoint(db, &a.id, &a.ip, &e), 0);
    assert_int_equal(ethp2p_nodedb_set_local_seq(db, 42), 0);
    ethp2p_nodedb_close(db);

    db = ethp2p_nodedb_open(path, &me, &err);
    assert_non_null(db);
    assert_int_equal(ethp2p_nodedb_count(db), 2);
    assert_true(ethp2p_nodedb_local_seq(db) == 42);
    ethp2p_enode got;
    ethp2p_enr grec;
    assert_int_equal(ethp2p_nodedb_get_node(db, &a.id, &got, &grec), 0);
    assert_memory_equal(got.pubkey.b, a.pubkey.b, 64);
    assert_int_equal(got.udp, 30001);
    assert_int_equal(grec.seq, 7);
    assert_int_equal(ethp2p_enr_verify(&grec), 0);
    /* Updating without a record keeps the stored one. */
    assert_int_equal(ethp2p_nodedb_update_node(db, &a, NULL, T0 + 1), 0);
    assert_int_equal(ethp2p_nodedb_get_node(db, &a.id, &got, &grec), 0);
    assert_int_equal(grec.seq, 7);
    ethp2p_nodedb_endpoint ge;
    assert_int_equal(ethp2p_nodedb_get_endpoint(db, &a.id, &a.ip, &ge), 0);
    assert_true(ge.last_pong_ms == T0 - 3 && ge.last_ping_ms == T0 - 5 && ge.find_fails == 2);
    /* Endpoint data is per IP. */
    ethp2p_ip other = {4, {9, 9, 9, 9}};
    assert_int_equal(ethp2p_nodedb_get_endpoint(db, &a.id, &other, &ge), ETHP2P_ENOTFOUND);
    ethp2p_enode absent = make_node(9);
    assert_int_equal(ethp2p_nodedb_get_node(db, &absent.id, &got, NULL), ETHP2P_ENOTFOUND);
    ethp2p_nodedb_close(db);

    /* Another node key: the database starts over. */
    ethp2p_node_id other_me = self_id(2);
    db = ethp2p_nodedb_open(path, &other_me, &err);
    assert_non_null(db);
    assert_int_equal(ethp2p_nodedb_count(db), 0);
    assert_true(ethp2p_nodedb_local_seq(db) == 0);
    ethp2p_nodedb_close(db);
}

static void test_seeds_and_expiry(void **state)
{
    ethp2p_node_id me = self_id(3);
    unlink(path);
    ethp2p_nodedb *db = ethp2p_nodedb_open(path, &me, NULL);
    assert_non_null(db);
    /* Node i answered i days ago (i = 0..7). */
    for (int i = 0; i < 8; i++) {
        ethp2p_enode n = make_node(i + 1);
        assert_int_equal(ethp2p_nodedb_update_node(db, &n, NULL, T0), 0);
        ethp2p_nodedb_endpoint e = {0, T0 - (uint64_t)i * DAY - 1000, 0};
        assert_int_equal(ethp2p_nodedb_set_endpoint(db, &n.id, &n.ip, &e), 0);
    }
    ethp2p_enode seeds[ETHP2P_NODEDB_SEED_COUNT];
    size_t n = ethp2p_nodedb_seeds(db, seeds, ETHP2P_NODEDB_SEED_COUNT, T0);
    assert_int_equal(n, 5); /* answered within 5 days: i = 0..4 */
    for (size_t i = 0; i < n; i++) assert_true(seeds[i].ip.b[3] >= 1 && seeds[i].ip.b[3] <= 5);
    assert_int_equal(ethp2p_nodedb_seeds(db, seeds, 2, T0), 2);
    /* Expiry drops nodes without a pong in the last day: only node 1 stays. */
    assert_int_equal(ethp2p_nodedb_expire(db, T0), 7);
    assert_int_equal(ethp2p_nodedb_count(db), 1);
    ethp2p_nodedb_close(db);
}

/* A node made from a sequence number (any number of distinct, valid keys). */
static ethp2p_enode seq_node(uint64_t seq)
{
    ethp2p_privkey k;
    memset(k.b, 0x5a, 32);
    k.b[0] = 0x01;
    for (int i = 0; i < 8; i++) k.b[24 + i] = (uint8_t)(seq >> (56 - 8 * i));
    ethp2p_pubkey p;
    ethp2p_enode n;
    memset(&n, 0, sizeof(n));
    if (ethp2p_privkey_to_pubkey(&k, &p)) return n;
    ethp2p_ip ip = {4, {10, (uint8_t)(seq >> 16), (uint8_t)(seq >> 8), (uint8_t)seq}};
    if (ethp2p_enode_init(&n, &p, &ip, 30303, 30303)) memset(&n, 0, sizeof(n));
    return n;
}

/* SQLite's own check of the file, on a connection of its own. */
static void assert_integrity(const char *file)
{
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(file, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

/*
 * kill -9 during writes, 50 times: a child opens the database and goes on from
 * the sequence number stored in it, writing for each number a node, its
 * endpoint and then the number, each in its own transaction, until SIGKILL
 * comes at a random moment: from its start in odd rounds (opening included),
 * once it is writing in even rounds. After every kill the file
 * opens, SQLite's integrity check passes, and every write committed before
 * the kill is there: the nodes 1..seq with their endpoints, and at most the one
 * node after them. The next child continues from there.
 */
static void test_survives_kill_mid_write(void **state)
{
    (void)state;
    ethp2p_node_id me = self_id(4);
    unlink(path);
    uint64_t prev_seq = 0, rounds_with_progress = 0;
    srand(12345);
    for (int round = 0; round < 50; round++) {
        int ready[2];
        assert_int_equal(pipe(ready), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(ready[0]);
            ethp2p_nodedb *c = ethp2p_nodedb_open(path, &me, NULL);
            if (!c) _exit(1);
            for (uint64_t seq = ethp2p_nodedb_local_seq(c) + 1;; seq++) {
                ethp2p_enode n = seq_node(seq);
                ethp2p_nodedb_endpoint e = {T0 + seq, T0 + seq, (uint32_t)seq};
                if (ethp2p_nodedb_update_node(c, &n, NULL, T0 + seq) || ethp2p_nodedb_set_endpoint(c, &n.id, &n.ip, &e) ||
                    ethp2p_nodedb_set_local_seq(c, seq))
                    _exit(2);
                if (ready[1] >= 0) { /* the first number is written: the parent may aim among the writes */
                    if (write(ready[1], "r", 1) != 1) _exit(3);
                    close(ready[1]);
                    ready[1] = -1;
                }
            }
        }
        close(ready[1]);
        /* Odd rounds: a random moment from the start (the open included). Even rounds: a random moment
         * once the child is writing, however slow the machine (or Valgrind) makes it. */
        if (round % 2 == 0) {
            char c;
            assert_int_equal(read(ready[0], &c, 1), 1);
            usleep((useconds_t)(rand() % 20000));
        } else {
            usleep((useconds_t)(rand() % 40000));
        }
        close(ready[0]);
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL); /* it never stopped on an error */
        assert_integrity(path);
        ethp2p_nodedb *db = ethp2p_nodedb_open(path, &me, NULL);
        assert_non_null(db);
        uint64_t seq = ethp2p_nodedb_local_seq(db);
        long count = ethp2p_nodedb_count(db);
        assert_true(seq >= prev_seq);
        assert_true(count >= (long)seq && count <= (long)seq + 1);
        if (seq > prev_seq) {
            rounds_with_progress++;
            /* The newest committed and a few older ones read back whole. */
            for (uint64_t j = seq; j > prev_seq && j + 5 > seq; j--) {
                ethp2p_enode want = seq_node(j), got;
                ethp2p_nodedb_endpoint e;
                assert_int_equal(ethp2p_nodedb_get_node(db, &want.id, &got, NULL), 0);
                assert_memory_equal(got.pubkey.b, want.pubkey.b, 64);
                assert_int_equal(ethp2p_nodedb_get_endpoint(db, &want.id, &want.ip, &e), 0);
                assert_int_equal(e.last_pong_ms, T0 + j);
                assert_int_equal(e.find_fails, (uint32_t)j);
            }
        }
        prev_seq = seq;
        ethp2p_nodedb_close(db);
    }
    print_message("nodedb: 50 kills, %llu writes of node+endpoint+seq committed, %llu rounds made progress\n",
                  (unsigned long long)prev_seq, (unsigned long long)rounds_with_progress);
    assert_true(rounds_with_progress >= 25); /* every even round killed the child among its writes */
}

static void test_open_failure_is_reported(void **state)
{
    ethp2p_node_id me = self_id(5);
    int err = 0;
    assert_null(ethp2p_nodedb_open("/nonexistent-dir/x/nodes.db", &me, &err));
    assert_int_equal(err, ETHP2P_EIO);
    /* In-memory databases work without a file. */
    ethp2p_nodedb *db = ethp2p_nodedb_open(NULL, &me, &err);
    assert_non_null(db);
    assert_int_equal(ethp2p_nodedb_count(db), 0);
    ethp2p_nodedb_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_persists_across_reopen),
        cmocka_unit_test(test_seeds_and_expiry),
        cmocka_unit_test(test_survives_kill_mid_write),
        cmocka_unit_test(test_open_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

/*
 * Node database on SQLite. Three tables: nodes (one row per node ID), endpoints
 * (one row per node ID and IP: Ping/Pong times, FindNode failures) and meta
 * (schema version, the local node ID and record sequence number). Statements
 * are prepared once. Node IDs and IPs are BLOBs; times are Unix milliseconds.
 */
#include "ethp2p/nodedb.h"
#include "ethp2p/log.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define NODEDB_SCHEMA_VERSION 1
#define LOG_MOD "nodedb"

enum {
    Q_UPSERT_NODE, Q_GET_NODE, Q_DELETE_NODE, Q_DELETE_ENDPOINTS, Q_COUNT, Q_GET_EP, Q_SET_EP, Q_SEEDS,
    Q_EXPIRE_ENDPOINTS, Q_EXPIRE_NODES, Q_GET_META, Q_SET_META, Q_COUNT_STMTS
};

static const char *const sql_text[Q_COUNT_STMTS] = {
    [Q_UPSERT_NODE] = "INSERT INTO nodes(id, pubkey, ip, udp, tcp, seq, record, first_seen, last_seen) "
                      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8) ON CONFLICT(id) DO UPDATE SET "
                      "pubkey=?2, ip=?3, udp=?4, tcp=?5, "
                      "seq=CASE WHEN ?7 IS NOT NULL THEN ?6 ELSE seq END, "
                      "record=COALESCE(?7, record), last_seen=?8",
    [Q_GET_NODE] = "SELECT pubkey, ip, udp, tcp, record FROM nodes WHERE id=?1",
    [Q_DELETE_NODE] = "DELETE FROM nodes WHERE id=?1",
    [Q_DELETE_ENDPOINTS] = "DELETE FROM endpoints WHERE id=?1",
    [Q_COUNT] = "SELECT COUNT(*) FROM nodes",
    [Q_GET_EP] = "SELECT last_ping, last_pong, find_fails FROM endpoints WHERE id=?1 AND ip=?2",
    [Q_SET_EP] = "INSERT INTO endpoints(id, ip, last_ping, last_pong, find_fails) VALUES(?1, ?2, ?3, ?4, ?5) "
                 "ON CONFLICT(id, ip) DO UPDATE SET last_ping=?3, last_pong=?4, find_fails=?5",
    [Q_SEEDS] = "SELECT n.pubkey, n.ip, n.udp, n.tcp FROM nodes n "
                "WHERE EXISTS (SELECT 1 FROM endpoints e WHERE e.id=n.id AND e.last_pong>=?1) "
                "ORDER BY RANDOM() LIMIT ?2",
    [Q_EXPIRE_ENDPOINTS] = "DELETE FROM endpoints WHERE last_pong<?1 AND last_ping<?1",
    [Q_EXPIRE_NODES] = "DELETE FROM nodes WHERE NOT EXISTS "
                       "(SELECT 1 FROM endpoints e WHERE e.id=nodes.id AND e.last_pong>=?1)",
    [Q_GET_META] = "SELECT value FROM meta WHERE key=?1",
    [Q_SET_META] = "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value=?2",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB);"
    "CREATE TABLE IF NOT EXISTS nodes(id BLOB PRIMARY KEY, pubkey BLOB NOT NULL, ip BLOB, udp INTEGER, "
    "  tcp INTEGER, seq INTEGER, record BLOB, first_seen INTEGER, last_seen INTEGER);"
    "CREATE TABLE IF NOT EXISTS endpoints(id BLOB NOT NULL, ip BLOB NOT NULL, last_ping INTEGER DEFAULT 0, "
    "  last_pong INTEGER DEFAULT 0, find_fails INTEGER DEFAULT 0, PRIMARY KEY(id, ip));"
    "CREATE INDEX IF NOT EXISTS endpoints_pong ON endpoints(last_pong);";

struct ethp2p_nodedb {
    sqlite3 *db;
    sqlite3_stmt *st[Q_COUNT_STMTS];
};

static int fail(ethp2p_nodedb *db, const char *what)
{
    ETHP2P_ERROR(LOG_MOD, "database error", "op=%s err=\"%s\"", what, sqlite3_errmsg(db->db));
    return ETHP2P_EIO;
}

static sqlite3_stmt *stmt(ethp2p_nodedb *db, int q)
{
    sqlite3_stmt *s = db->st[q];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static int ip_len(const ethp2p_ip *ip) { return ip->family == 4 ? 4 : ip->family == 6 ? 16 : 0; }

static int meta_get_blob(ethp2p_nodedb *db, const char *key, void *out, size_t n)
{
    sqlite3_stmt *s = stmt(db, Q_GET_META);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW || (size_t)sqlite3_column_bytes(s, 0) != n) return ETHP2P_ENOTFOUND;
    memcpy(out, sqlite3_column_blob(s, 0), n);
    return 0;
}

static int meta_set_blob(ethp2p_nodedb *db, const char *key, const void *v, size_t n)
{
    sqlite3_stmt *s = stmt(db, Q_SET_META);
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, v, (int)n, SQLITE_STATIC);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : fail(db, "set meta");
}

ethp2p_nodedb *ethp2p_nodedb_open(const char *path, const ethp2p_node_id *self, int *err)
{
    ethp2p_nodedb *db = calloc(1, sizeof(*db));
    int rc = ETHP2P_ENOMEM;
    if (!db) goto out;
    rc = ETHP2P_EIO;
    if (sqlite3_open_v2(path ? path : ":memory:", &db->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        ETHP2P_ERROR(LOG_MOD, "cannot open database", "path=%s err=\"%s\"", path ? path : ":memory:",
                     db->db ? sqlite3_errmsg(db->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db->db, 2000);
    if (sqlite3_exec(db->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        fail(db, "schema");
        goto out;
    }
    for (int i = 0; i < Q_COUNT_STMTS; i++)
        if (sqlite3_prepare_v3(db->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
            fail(db, "prepare");
            goto out;
        }
    /* A database of another version or another node key starts empty. */
    uint8_t version[4] = {0}, stored_id[32];
    int same = meta_get_blob(db, "version", version, 4) == 0 && version[3] == NODEDB_SCHEMA_VERSION &&
               meta_get_blob(db, "self", stored_id, 32) == 0 && memcmp(stored_id, self->b, 32) == 0;
    if (!same) {
        if (sqlite3_exec(db->db, "DELETE FROM nodes; DELETE FROM endpoints; DELETE FROM meta;", NULL, NULL, NULL) !=
            SQLITE_OK) {
            fail(db, "reset");
            goto out;
        }
        uint8_t v[4] = {0, 0, 0, NODEDB_SCHEMA_VERSION};
        if (meta_set_blob(db, "version", v, 4) || meta_set_blob(db, "self", self->b, 32)) goto out;
    }
    if (err) *err = 0;
    return db;
out:
    if (err) *err = rc;
    ethp2p_nodedb_close(db);
    return NULL;
}

void ethp2p_nodedb_close(ethp2p_nodedb *db)
{
    if (!db) return;
    for (int i = 0; i < Q_COUNT_STMTS; i++) sqlite3_finalize(db->st[i]);
    sqlite3_close(db->db);
    free(db);
}

int ethp2p_nodedb_update_node(ethp2p_nodedb *db, const ethp2p_enode *n, const ethp2p_enr *record, uint64_t now_ms)
{
    uint8_t rec[ETHP2P_ENR_MAX_SIZE];
    size_t rlen = 0;
    if (record && ethp2p_enr_encode(record, rec, sizeof(rec), &rlen)) record = NULL;
    sqlite3_stmt *s = stmt(db, Q_UPSERT_NODE);
    sqlite3_bind_blob(s, 1, n->id.b, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, n->pubkey.b, 64, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, n->ip.b, ip_len(&n->ip), SQLITE_STATIC);
    sqlite3_bind_int(s, 4, n->udp);
    sqlite3_bind_int(s, 5, n->tcp);
    sqlite3_bind_int64(s, 6, record ? (sqlite3_int64)record->seq : 0);
    if (record) sqlite3_bind_blob(s, 7, rec, (int)rlen, SQLITE_STATIC);
    else sqlite3_bind_null(s, 7);
    sqlite3_bind_int64(s, 8, (sqlite3_int64)now_ms);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : fail(db, "update node");
}

/* Reads pubkey, ip, udp, tcp from columns 0..3 into an enode. */
static int row_to_enode(sqlite3_stmt *s, ethp2p_enode *out)
{
    if (sqlite3_column_bytes(s, 0) != 64) return ETHP2P_EFORMAT;
    ethp2p_pubkey pk;
    memcpy(pk.b, sqlite3_column_blob(s, 0), 64);
    ethp2p_ip ip = {0};
    int il = sqlite3_column_bytes(s, 1);
    if (il == 4 || il == 16) {
        ip.family = il == 4 ? 4 : 6;
        memcpy(ip.b, sqlite3_column_blob(s, 1), (size_t)il);
    }
    return ethp2p_enode_init(out, &pk, ip.family ? &ip : NULL, (uint16_t)sqlite3_column_int(s, 3),
                             (uint16_t)sqlite3_column_int(s, 2));
}

int ethp2p_nodedb_get_node(ethp2p_nodedb *db, const ethp2p_node_id *id, ethp2p_enode *out, ethp2p_enr *record)
{
    sqlite3_stmt *s = stmt(db, Q_GET_NODE);
    sqlite3_bind_blob(s, 1, id->b, 32, SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE) return ETHP2P_ENOTFOUND;
    if (r != SQLITE_ROW) return fail(db, "get node");
    int rc = row_to_enode(s, out);
    if (rc) return rc;
    if (record) {
        ethp2p_enr_init(record);
        int rl = sqlite3_column_bytes(s, 4);
        if (rl > 0 && ethp2p_enr_decode(sqlite3_column_blob(s, 4), (size_t)rl, record) != 0) ethp2p_enr_init(record);
    }
    return 0;
}

int ethp2p_nodedb_delete_node(ethp2p_nodedb *db, const ethp2p_node_id *id)
{
    sqlite3_stmt *s = stmt(db, Q_DELETE_NODE);
    sqlite3_bind_blob(s, 1, id->b, 32, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE) return fail(db, "delete node");
    s = stmt(db, Q_DELETE_ENDPOINTS);
    sqlite3_bind_blob(s, 1, id->b, 32, SQLITE_STATIC);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : fail(db, "delete endpoints");
}

long ethp2p_nodedb_count(ethp2p_nodedb *db)
{
    sqlite3_stmt *s = stmt(db, Q_COUNT);
    return sqlite3_step(s) == SQLITE_ROW ? (long)sqlite3_column_int64(s, 0) : fail(db, "count");
}

int ethp2p_nodedb_get_endpoint(ethp2p_nodedb *db, const ethp2p_node_id *id, const ethp2p_ip *ip,
                               ethp2p_nodedb_endpoint *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = stmt(db, Q_GET_EP);
    sqlite3_bind_blob(s, 1, id->b, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, ip->b, ip_len(ip), SQLITE_STATIC);
    int r = sqlite3_step(s);
    if (r == SQLITE_DONE) return ETHP2P_ENOTFOUND;
    if (r != SQLITE_ROW) return fail(db, "get endpoint");
    out->last_ping_ms = (uint64_t)sqlite3_column_int64(s, 0);
    out->last_pong_ms = (uint64_t)sqlite3_column_int64(s, 1);
    out->find_fails = (uint32_t)sqlite3_column_int(s, 2);
    return 0;
}

int ethp2p_nodedb_set_endpoint(ethp2p_nodedb *db, const ethp2p_node_id *id, const ethp2p_ip *ip,
                               const ethp2p_nodedb_endpoint *e)
{
    sqlite3_stmt *s = stmt(db, Q_SET_EP);
    sqlite3_bind_blob(s, 1, id->b, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, ip->b, ip_len(ip), SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)e->last_ping_ms);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)e->last_pong_ms);
    sqlite3_bind_int(s, 5, (int)e->find_fails);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : fail(db, "set endpoint");
}

size_t ethp2p_nodedb_seeds(ethp2p_nodedb *db, ethp2p_enode *out, size_t max, uint64_t now_ms)
{
    sqlite3_stmt *s = stmt(db, Q_SEEDS);
    uint64_t cutoff = now_ms > ETHP2P_NODEDB_SEED_MAX_AGE_MS ? now_ms - ETHP2P_NODEDB_SEED_MAX_AGE_MS : 0;
    sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
    size_t n = 0;
    while (n < max && sqlite3_step(s) == SQLITE_ROW)
        if (row_to_enode(s, &out[n]) == 0) n++;
    return n;
}

long ethp2p_nodedb_expire(ethp2p_nodedb *db, uint64_t now_ms)
{
    uint64_t cutoff = now_ms > ETHP2P_NODEDB_NODE_EXPIRATION_MS ? now_ms - ETHP2P_NODEDB_NODE_EXPIRATION_MS : 0;
    sqlite3_stmt *s = stmt(db, Q_EXPIRE_NODES);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
    if (sqlite3_step(s) != SQLITE_DONE) return fail(db, "expire nodes");
    long gone = sqlite3_changes(db->db);
    s = stmt(db, Q_EXPIRE_ENDPOINTS);
    sqlite3_bind_int64(s, 1, (sqlite3_int64)cutoff);
    if (sqlite3_step(s) != SQLITE_DONE) return fail(db, "expire endpoints");
    return gone;
}

uint64_t ethp2p_nodedb_local_seq(ethp2p_nodedb *db)
{
    uint8_t b[8];
    if (meta_get_blob(db, "seq", b, 8)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | b[i];
    return v;
}

int ethp2p_nodedb_set_local_seq(ethp2p_nodedb *db, uint64_t seq)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(seq >> (56 - 8 * i));
    return meta_set_blob(db, "seq", b, 8);
}

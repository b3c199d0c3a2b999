/*
 * ethp2p/nodedb.h - the persistent node database (SQLite, WAL mode).
 *
 * What discovery remembers across restarts: known nodes (endpoint, newest
 * record, first and last seen), per (node, IP) the last Ping and Pong times
 * and FindNode failures, and the local node's key and record sequence number.
 * Nodes whose last Pong is older than a day are expired (call
 * ethp2p_nodedb_expire hourly); seeds are random nodes answered within 5 days.
 *
 * A database made for another node key is emptied when opened, as the
 * reference does: its bonds describe someone else's relationships.
 * Writes are single statements in autocommit mode; with WAL and
 * synchronous=NORMAL a crash loses at most the last few updates and never
 * corrupts the file.
 */
#ifndef ETHP2P_NODEDB_H
#define ETHP2P_NODEDB_H

#include "ethp2p/enr.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_NODEDB_SEED_COUNT 30
#define ETHP2P_NODEDB_SEED_MAX_AGE_MS (5ULL * 24 * 3600 * 1000)
#define ETHP2P_NODEDB_NODE_EXPIRATION_MS (24ULL * 3600 * 1000)

typedef struct ethp2p_nodedb ethp2p_nodedb;

/**
 * Opens (creating if needed) the database at path; NULL path = in memory.
 * self is the local node ID. *err (may be NULL) receives ETHP2P_EIO on failure.
 */
ethp2p_nodedb *ethp2p_nodedb_open(const char *path, const ethp2p_node_id *self, int *err);
void ethp2p_nodedb_close(ethp2p_nodedb *db);

/** Stores or updates a node (record may be NULL). first_seen is kept, last_seen set to now. */
int ethp2p_nodedb_update_node(ethp2p_nodedb *db, const ethp2p_enode *n, const ethp2p_enr *record, uint64_t now_ms);
/** Loads a node; record (may be NULL) receives its record if one is stored (else seq 0, unsigned). */
int ethp2p_nodedb_get_node(ethp2p_nodedb *db, const ethp2p_node_id *id, ethp2p_enode *out, ethp2p_enr *record);
/** Removes a node and its endpoint data. */
int ethp2p_nodedb_delete_node(ethp2p_nodedb *db, const ethp2p_node_id *id);
/** Number of stored nodes. */
long ethp2p_nodedb_count(ethp2p_nodedb *db);

/** Endpoint data for (id, ip). Missing values read as 0. */
typedef struct ethp2p_nodedb_endpoint {
    uint64_t last_ping_ms, last_pong_ms;
    uint32_t find_fails;
} ethp2p_nodedb_endpoint;
int ethp2p_nodedb_get_endpoint(ethp2p_nodedb *db, const ethp2p_node_id *id, const ethp2p_ip *ip,
                               ethp2p_nodedb_endpoint *out);
int ethp2p_nodedb_set_endpoint(ethp2p_nodedb *db, const ethp2p_node_id *id, const ethp2p_ip *ip,
                               const ethp2p_nodedb_endpoint *e);

/** Up to max random stored nodes with a Pong within 5 days of now. Returns the count. */
size_t ethp2p_nodedb_seeds(ethp2p_nodedb *db, ethp2p_enode *out, size_t max, uint64_t now_ms);
/** Deletes nodes with no Pong in the last day. Returns how many went, or an error. */
long ethp2p_nodedb_expire(ethp2p_nodedb *db, uint64_t now_ms);

/** The local record's sequence number (0 if none stored). */
uint64_t ethp2p_nodedb_local_seq(ethp2p_nodedb *db);
int ethp2p_nodedb_set_local_seq(ethp2p_nodedb *db, uint64_t seq);

#ifdef __cplusplus
}
#endif
#endif

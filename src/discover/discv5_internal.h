/*
 * discv5 internals shared by discv5.c (sessions, handshake, packets) and
 * discv5_messages.c (requests and answers).
 */
#ifndef ETHP2P_DISCV5_INTERNAL_H
#define ETHP2P_DISCV5_INTERNAL_H

#include "ethp2p/discv5.h"
#include "base/hmap.h"
#include "ethp2p/table.h"

typedef struct session {
    int active;
    uint8_t id[32];
    ethp2p_udp_addr addr;
    uint8_t wkey[16], rkey[16];
    uint64_t used;
} session;

typedef struct challenge {
    int active;
    uint8_t id[32];
    ethp2p_udp_addr addr;
    uint8_t data[ETHP2P_V5_IV + ETHP2P_V5_STATIC_HEADER + ETHP2P_V5_WHOAREYOU_AUTHDATA];
    uint64_t at;
} challenge;

typedef struct request {
    int active;
    uint8_t type;
    uint8_t req_id[8];
    uint8_t id[32];
    ethp2p_pubkey key;
    ethp2p_udp_addr addr;
    uint8_t nonce[ETHP2P_V5_NONCE];
    uint8_t pt[ETHP2P_V5_MAX_PACKET];
    size_t ptlen;
    uint64_t deadline;
    uint16_t distances[ETHP2P_V5_MAX_DISTANCES];
    size_t ndist;
    void *cb, *arg;
    ethp2p_enr *recs;
    size_t nrecs, caprecs;
    uint64_t total, messages;
} request;

typedef struct talk {
    char proto[32];
    ethp2p_discv5_talk_handler handler;
    void *ctx;
} talk;

/* A node record as received (encoded), with what lookups need decoded. */
typedef struct stored_rec {
    uint8_t id[32];
    uint64_t seq;
    uint16_t len;
    uint8_t enc[ETHP2P_ENR_MAX_SIZE];
} stored_rec;

struct ethp2p_discv5 {
    ethp2p_discv5_config cfg;
    ethp2p_enr self;
    uint8_t self_id[32];
    /* Each grows on demand up to its bound (a node with few peers stays small); slots
     * are reused when inactive. Pointers into them last only until the next growth. */
    session *sessions;
    size_t nsessions;
    challenge *challenges;
    size_t nchallenges;
    request *requests;
    size_t nrequests;
    stored_rec *records;
    size_t nrecords, next_record;
    hmap record_index;        /* node ID -> index + 1 into records */
    talk talks[ETHP2P_DISCV5_MAX_TALK];
    size_t ntalks;
    ethp2p_table *table;      /* the same Kademlia table code as discv4, an instance for v5 */
    uint64_t now;             /* the latest time we were given */
    uint64_t next_refresh;    /* background: the next lookup */
    uint64_t refreshes;       /* background lookups started (every third is for our own ID) */
    int startup_left;         /* random lookups still to run right after the first (self) one */
    int lookups_running;
    int closing;              /* being freed: no new requests */
    uint64_t rng[2];
    ethp2p_discv5_stats stats;
};

uint64_t v5_rnd(ethp2p_discv5 *d);
/* Ends every request under way with ETHP2P_ECANCELED (their callbacks run; lookups end). */
void v5_cancel_requests(ethp2p_discv5 *d);
/* Grows *arr (of *n elements of size elem) by one zeroed element if n < max; NULL at the bound. */
void *v5_grow(void **arr, size_t *n, size_t elem, size_t max);
void v5_rnd_bytes(ethp2p_discv5 *d, uint8_t *out, size_t n);
int v5_same_addr(const ethp2p_udp_addr *a, const ethp2p_udp_addr *b);
/* The node ID, key and (if addr) UDP endpoint of a record. */
int v5_record_addr(const ethp2p_enr *r, ethp2p_udp_addr *addr, ethp2p_pubkey *key, uint8_t id[32]);
const stored_rec *v5_find_record(const ethp2p_discv5 *d, const uint8_t id[32]);
void v5_keep_record(ethp2p_discv5 *d, const ethp2p_enr *r);
session *v5_find_session(ethp2p_discv5 *d, const uint8_t id[32], const ethp2p_udp_addr *addr);
void v5_send_in_session(ethp2p_discv5 *d, session *s, const uint8_t *pt, size_t ptlen, uint8_t *nonce_out, uint64_t now);
void v5_send_random(ethp2p_discv5 *d, request *r);
void v5_encode_msg(const ethp2p_v5_msg *m, uint8_t *out, size_t cap, size_t *len);
/* A node answered us (or we it, inside a session): it is live in the table. */
void v5_mark_live(ethp2p_discv5 *d, const uint8_t id[32]);
/* The background work's deadline (discv5_lookup.c). */
uint64_t v5_background(ethp2p_discv5 *d, uint64_t now_ms);
/* A decrypted message from the node of session s. */
void v5_handle_message(ethp2p_discv5 *d, session *s, const uint8_t *pt, size_t ptlen, uint64_t now);

#endif

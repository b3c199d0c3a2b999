/*
 * discv5 requests and answers (discv5-wire.md, "Protocol Messages"): PING
 * and PONG, FINDNODE answered with our records at the asked distances in
 * NODES messages under 1280 bytes, TALKREQ handed to a registered protocol
 * (unknown protocols get an empty TALKRESP), and our own requests matched to
 * their answers by request ID and node, with a 700 ms deadline.
 */
#include "discv5_internal.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "discv5"
#define NODES_BYTES 1000 /* record bytes in one NODES message: the packet stays under 1280 */

/* ---- answering ---- */

/* An answer of this type to request q: same request ID, the rest zero. */
static void reply_to(const ethp2p_v5_msg *q, uint8_t type, ethp2p_v5_msg *m)
{
    memset(m, 0, sizeof(*m));
    m->type = type;
    memcpy(m->req_id, q->req_id, q->req_id_len);
    m->req_id_len = q->req_id_len;
}

static void answer(ethp2p_discv5 *d, session *s, const ethp2p_v5_msg *m, uint64_t now)
{
    uint8_t pt[ETHP2P_V5_MAX_PACKET];
    size_t len;
    v5_encode_msg(m, pt, sizeof(pt), &len);
    if (len) {
        if (m->type < 7) d->stats.msgs_out[m->type]++;
        v5_send_in_session(d, s, pt, len, NULL, now);
    }
}

/* NODES: the records at the asked distances (0 = ours), at most 16, in as many messages
 * as their size needs; `total` says how many. */
static void answer_findnode(ethp2p_discv5 *d, session *s, const ethp2p_v5_msg *q, uint64_t now)
{
    const uint8_t *enc[ETHP2P_DISCV5_MAX_NODES_ANSWER];
    size_t lens[ETHP2P_DISCV5_MAX_NODES_ANSWER], n = 0;
    uint8_t self_enc[ETHP2P_ENR_MAX_SIZE];
    size_t self_len = 0;
    if (ethp2p_enr_encode(&d->self, self_enc, sizeof(self_enc), &self_len)) self_len = 0;
    for (size_t k = 0; k < q->ndistances && n < ETHP2P_DISCV5_MAX_NODES_ANSWER; k++) {
        if (q->distances[k] == 0) {
            if (self_len) enc[n] = self_enc, lens[n++] = self_len;
            continue;
        }
        for (size_t i = 0; i < d->nrecords && n < ETHP2P_DISCV5_MAX_NODES_ANSWER; i++) {
            const stored_rec *r = &d->records[i];
            if (ethp2p_discv5_log_distance(r->id, d->self_id) == q->distances[k] && memcmp(r->id, s->id, 32))
                enc[n] = r->enc, lens[n++] = r->len;
        }
    }
    /* Pack: as many records per message as fit NODES_BYTES. */
    size_t groups[ETHP2P_DISCV5_MAX_NODES_ANSWER + 1], ngroups = 0, bytes = 0;
    groups[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (bytes && bytes + lens[i] > NODES_BYTES) groups[++ngroups] = i, bytes = 0;
        bytes += lens[i];
    }
    groups[++ngroups] = n;
    for (size_t g = 0; g < ngroups; g++) {
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        ethp2p_rlp_list_begin(&w);
        for (size_t i = groups[g]; i < groups[g + 1]; i++) ethp2p_rlp_put_raw(&w, enc[i], lens[i]);
        ethp2p_rlp_list_end(&w);
        const uint8_t *list;
        size_t llen;
        ethp2p_v5_msg m;
        reply_to(q, ETHP2P_V5_NODES, &m);
        m.total = ngroups;
        if (ethp2p_rlp_writer_finish(&w, &list, &llen) == 0 && ethp2p_rlp_decode(list, llen, &m.records) == 0)
            answer(d, s, &m, now);
        ethp2p_rlp_writer_clear(&w);
    }
}

static void answer_talk(ethp2p_discv5 *d, session *s, const ethp2p_v5_msg *q, uint64_t now)
{
    uint8_t resp[ETHP2P_V5_MAX_PACKET - 200];
    size_t rlen = 0;
    for (size_t i = 0; i < d->ntalks; i++)
        if (strlen(d->talks[i].proto) == q->proto_len && !memcmp(d->talks[i].proto, q->proto, q->proto_len)) {
            d->talks[i].handler(d->talks[i].ctx, s->id, q->data, q->data_len, resp, sizeof(resp), &rlen);
            if (rlen > sizeof(resp)) rlen = 0;
            break;
        }
    ethp2p_v5_msg m;
    reply_to(q, ETHP2P_V5_TALKRESP, &m);
    m.data = resp;
    m.data_len = rlen;
    answer(d, s, &m, now);
}

/* ---- answers to our requests ---- */

static request *find_request(ethp2p_discv5 *d, const session *s, const ethp2p_v5_msg *m)
{
    for (size_t i = 0; i < d->nrequests; i++) {
        request *r = &d->requests[i];
        if (r->active && m->req_id_len == 8 && !memcmp(r->req_id, m->req_id, 8) && !memcmp(r->id, s->id, 32)) return r;
    }
    return NULL;
}

/* Ends a request. The slot is released before the callback runs (which may start a new
 * request in it), so what the callback needs is taken out first. */
static void finish(ethp2p_discv5 *d, request *r, int err)
{
    (void)d;
    ethp2p_enr *recs = r->recs;
    size_t nrecs = r->nrecs;
    uint8_t type = r->type;
    void *cb = r->cb, *arg = r->arg;
    r->active = 0;
    r->recs = NULL;
    r->nrecs = r->caprecs = 0;
    switch (type) {
    case ETHP2P_V5_FINDNODE: ((ethp2p_discv5_nodes_cb)cb)(arg, err, recs, nrecs); break;
    case ETHP2P_V5_PING:
        if (err) ((ethp2p_discv5_pong_cb)cb)(arg, err, 0, NULL);
        break;
    case ETHP2P_V5_TALKREQ:
        if (err) ((ethp2p_discv5_talk_cb)cb)(arg, err, NULL, 0);
        break;
    default: break;
    }
    free(recs);
}

/* A NODES answer: records verified, at one of the asked distances, not ourselves. */
static void take_nodes(ethp2p_discv5 *d, request *r, const ethp2p_v5_msg *m)
{
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    if (ethp2p_rlp_iter_list(&m->records, &it)) return;
    while (!ethp2p_rlp_iter_done(&it) && r->nrecs < ETHP2P_DISCV5_MAX_NODES_ANSWER * ETHP2P_DISCV5_MAX_NODES_MESSAGES) {
        ethp2p_enr rec;
        ethp2p_node_id id;
        if (ethp2p_rlp_iter_expect(&it, &x)) break;
        if (ethp2p_enr_decode(x.raw, x.raw_len, &rec) || ethp2p_enr_node_id(&rec, &id)) {
            ETHP2P_DEBUG(LOG_MOD, "record refused", "reason=\"malformed\"");
            continue;
        }
        int dist = ethp2p_discv5_log_distance(id.b, r->id), asked = 0;
        for (size_t k = 0; k < r->ndist; k++) asked |= r->distances[k] == dist;
        if (!asked || !memcmp(id.b, d->self_id, 32)) {
            ETHP2P_DEBUG(LOG_MOD, "record refused", "reason=\"not at an asked distance\" distance=%d", dist);
            continue;
        }
        /* The signature is checked unless these are the very bytes of a record we keep
         * (verified when it was kept): lookups hear the same records again and again. */
        const stored_rec *known = v5_find_record(d, id.b);
        int same = known && known->len == x.raw_len && !memcmp(known->enc, x.raw, x.raw_len);
        if (!same && ethp2p_enr_verify(&rec)) {
            ETHP2P_DEBUG(LOG_MOD, "record refused", "reason=\"does not verify\"");
            continue;
        }
        if (r->nrecs == r->caprecs) { /* doubling from 16: one allocation for a usual answer */
            size_t cap = r->caprecs ? 2 * r->caprecs : ETHP2P_DISCV5_MAX_NODES_ANSWER;
            ethp2p_enr *v = realloc(r->recs, cap * sizeof(*v));
            if (!v) break;
            r->recs = v;
            r->caprecs = cap;
        }
        r->recs[r->nrecs++] = rec;
        v5_keep_record(d, &rec);
    }
}

void v5_handle_message(ethp2p_discv5 *d, session *s, const uint8_t *pt, size_t ptlen, uint64_t now)
{
    ethp2p_v5_msg m;
    int rc = ethp2p_v5_msg_decode(pt, ptlen, &m);
    if (rc) {
        d->stats.malformed++;
        ETHP2P_DEBUG(LOG_MOD, "drop message", "type=%s reason=\"%s\"", ptlen ? ethp2p_v5_msg_name(pt[0]) : "?",
                     ethp2p_strerror(rc));
        return;
    }
    if (m.type < 7) d->stats.msgs_in[m.type]++;
    v5_mark_live(d, s->id); /* it spoke inside a session */
    ethp2p_v5_msg a;
    switch (m.type) {
    case ETHP2P_V5_PING:
        d->stats.requests_in++;
        reply_to(&m, ETHP2P_V5_PONG, &a);
        a.enr_seq = d->self.seq;
        a.ip = s->addr.ip;
        a.port = s->addr.port;
        answer(d, s, &a, now);
        return;
    case ETHP2P_V5_FINDNODE:
        d->stats.requests_in++;
        answer_findnode(d, s, &m, now);
        return;
    case ETHP2P_V5_TALKREQ:
        d->stats.requests_in++;
        answer_talk(d, s, &m, now);
        return;
    default: break;
    }
    request *r = find_request(d, s, &m);
    if (!r || (r->type == ETHP2P_V5_PING) != (m.type == ETHP2P_V5_PONG) ||
        (r->type == ETHP2P_V5_FINDNODE) != (m.type == ETHP2P_V5_NODES)) {
        ETHP2P_DEBUG(LOG_MOD, "drop message", "type=%s reason=\"unsolicited\"", ethp2p_v5_msg_name(m.type));
        return;
    }
    if (m.type == ETHP2P_V5_PONG) {
        ethp2p_udp_addr seen = {m.ip, m.port};
        r->active = 0;
        ((ethp2p_discv5_pong_cb)r->cb)(r->arg, 0, m.enr_seq, &seen); /* cb, arg read before any reuse */
    } else if (m.type == ETHP2P_V5_TALKRESP) {
        r->active = 0;
        ((ethp2p_discv5_talk_cb)r->cb)(r->arg, 0, m.data, m.data_len);
    } else {
        size_t ri = (size_t)(r - d->requests);
        take_nodes(d, r, &m);
        r = &d->requests[ri]; /* a hook run by take_nodes may have grown the array */
        uint64_t total = m.total < ETHP2P_DISCV5_MAX_NODES_MESSAGES ? m.total : ETHP2P_DISCV5_MAX_NODES_MESSAGES;
        if (++r->messages >= total) finish(d, r, 0);
    }
}

/* ---- our requests ---- */

void v5_cancel_requests(ethp2p_discv5 *d)
{
    for (size_t i = 0; i < d->nrequests; i++)
        if (d->requests[i].active) finish(d, &d->requests[i], ETHP2P_ECANCELED);
}

static request *start_request(ethp2p_discv5 *d, const ethp2p_enr *node, ethp2p_v5_msg *m, void *cb, void *arg,
                              uint64_t now, int *rc)
{
    request *r = NULL;
    if (d->closing) {
        *rc = ETHP2P_ECANCELED;
        return NULL;
    }
    for (size_t i = 0; i < d->nrequests && !r; i++)
        if (!d->requests[i].active) r = &d->requests[i];
    if (!r) r = v5_grow((void **)&d->requests, &d->nrequests, sizeof(request), ETHP2P_DISCV5_MAX_PENDING);
    *rc = r ? 0 : ETHP2P_EBUSY;
    if (!r) return NULL;
    memset(r, 0, sizeof(*r));
    if ((*rc = v5_record_addr(node, &r->addr, &r->key, r->id))) return NULL;
    if (ethp2p_enr_verify(node) == 0) v5_keep_record(d, node);
    v5_rnd_bytes(d, r->req_id, 8);
    memcpy(m->req_id, r->req_id, 8);
    m->req_id_len = 8;
    v5_encode_msg(m, r->pt, sizeof(r->pt), &r->ptlen);
    if (r->ptlen && m->type < 7) d->stats.msgs_out[m->type]++; /* counted once, resends not */
    if (!r->ptlen) {
        *rc = ETHP2P_EINVAL;
        return NULL;
    }
    r->active = 1;
    r->type = m->type;
    r->cb = cb;
    r->arg = arg;
    d->stats.requests_out++;
    session *s = v5_find_session(d, r->id, &r->addr);
    if (s) {
        r->deadline = now + ETHP2P_DISCV5_REQUEST_TIMEOUT_MS;
        v5_send_in_session(d, s, r->pt, r->ptlen, r->nonce, now);
    } else {
        r->deadline = now + ETHP2P_DISCV5_HANDSHAKE_TIMEOUT_MS + ETHP2P_DISCV5_REQUEST_TIMEOUT_MS;
        v5_send_random(d, r); /* its WHOAREYOU starts the handshake (discv5.c) */
    }
    return r;
}

int ethp2p_discv5_ping(ethp2p_discv5 *d, const ethp2p_enr *node, uint64_t now_ms, ethp2p_discv5_pong_cb cb, void *arg)
{
    ethp2p_v5_msg m;
    memset(&m, 0, sizeof(m));
    m.type = ETHP2P_V5_PING;
    m.enr_seq = d->self.seq;
    int rc;
    start_request(d, node, &m, (void *)cb, arg, now_ms, &rc);
    return rc;
}

int ethp2p_discv5_findnode(ethp2p_discv5 *d, const ethp2p_enr *node, const uint16_t *distances, size_t n,
                           uint64_t now_ms, ethp2p_discv5_nodes_cb cb, void *arg)
{
    if (n == 0 || n > ETHP2P_V5_MAX_DISTANCES) return ETHP2P_EINVAL;
    ethp2p_v5_msg m;
    memset(&m, 0, sizeof(m));
    m.type = ETHP2P_V5_FINDNODE;
    for (size_t i = 0; i < n; i++) {
        if (distances[i] > 256) return ETHP2P_EINVAL;
        m.distances[i] = distances[i];
    }
    m.ndistances = n;
    int rc;
    request *r = start_request(d, node, &m, (void *)cb, arg, now_ms, &rc);
    if (r) {
        memcpy(r->distances, distances, n * sizeof(*distances));
        r->ndist = n;
    }
    return rc;
}

int ethp2p_discv5_talkreq(ethp2p_discv5 *d, const ethp2p_enr *node, const char *proto, const uint8_t *req, size_t len,
                          uint64_t now_ms, ethp2p_discv5_talk_cb cb, void *arg)
{
    ethp2p_v5_msg m;
    memset(&m, 0, sizeof(m));
    m.type = ETHP2P_V5_TALKREQ;
    m.proto = (const uint8_t *)proto;
    m.proto_len = strlen(proto);
    m.data = req;
    m.data_len = len;
    int rc;
    start_request(d, node, &m, (void *)cb, arg, now_ms, &rc);
    return rc;
}

uint64_t ethp2p_discv5_tick(ethp2p_discv5 *d, uint64_t now_ms)
{
    d->now = now_ms;
    for (size_t i = 0; i < d->nrequests; i++) {
        request *r = &d->requests[i];
        if (r->active && now_ms >= r->deadline) {
            d->stats.timeouts++;
            /* Some NODES arrived: what came is the answer. */
            finish(d, r, r->type == ETHP2P_V5_FINDNODE && r->messages ? 0 : ETHP2P_ETIMEDOUT);
        }
    }
    /* After the timeouts, which may have ended a lookup the background work waits for;
     * then the deadlines, including those of requests it just started. */
    uint64_t next = v5_background(d, now_ms);
    for (size_t i = 0; i < d->nrequests; i++)
        if (d->requests[i].active && d->requests[i].deadline < next) next = d->requests[i].deadline;
    /* Challenges expire with the handshake timeout. */
    for (size_t i = 0; i < d->nchallenges; i++) {
        challenge *c = &d->challenges[i];
        if (!c->active) continue;
        if (now_ms >= c->at + ETHP2P_DISCV5_HANDSHAKE_TIMEOUT_MS) c->active = 0;
        else if (c->at + ETHP2P_DISCV5_HANDSHAKE_TIMEOUT_MS < next) next = c->at + ETHP2P_DISCV5_HANDSHAKE_TIMEOUT_MS;
    }
    return next;
}

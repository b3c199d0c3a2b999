/*
 * discv5: sessions and the handshake (discv5-theory.md, "Handshake Steps"),
 * requests and answers. See discv5.h for the contract.
 *
 * State: sessions by (node ID, address); challenges we sent (WHOAREYOU) by
 * (node ID, address), each remembered with its challenge data until the
 * handshake answers it; our requests under way, each with the plaintext it
 * must resend inside a handshake and the nonce of its last packet (a
 * WHOAREYOU names it); node records we learned, for FINDNODE answers. Every
 * collection is bounded: sessions are evicted least recently used first,
 * challenges and records oldest first.
 */
#include "discv5_internal.h"
#include "ethp2p/keccak.h"
#include "ethp2p/random.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "discv5"
#define RANDOM_MSG 20 /* the bytes of a packet that starts a handshake */

/* ---- small helpers ---- */

uint64_t v5_rnd(ethp2p_discv5 *d)
{
    /* xorshift128+: nonces must not repeat under one key; IDs need not be secret. */
    uint64_t s1 = d->rng[0], s0 = d->rng[1];
    d->rng[0] = s0;
    s1 ^= s1 << 23;
    d->rng[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return d->rng[1] + s0;
}

void v5_rnd_bytes(ethp2p_discv5 *d, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = v5_rnd(d);
        for (size_t k = 0; k < 8 && i + k < n; k++) out[i + k] = (uint8_t)(v >> (8 * k));
    }
}

void *v5_grow(void **arr, size_t *n, size_t elem, size_t max)
{
    if (*n >= max) return NULL;
    /* Capacity doubles: powers of two from 8, so a realloc happens only at those sizes. */
    size_t cap = 8;
    while (cap < *n + 1) cap *= 2;
    if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
        void *v = realloc(*arr, (cap < max ? cap : max) * elem);
        if (!v) return NULL;
        *arr = v;
    }
    uint8_t *slot = (uint8_t *)*arr + *n * elem;
    memset(slot, 0, elem);
    (*n)++;
    return slot;
}

int v5_same_addr(const ethp2p_udp_addr *a, const ethp2p_udp_addr *b)
{
    return a->port == b->port && a->ip.family == b->ip.family && !memcmp(a->ip.b, b->ip.b, a->ip.family == 4 ? 4 : 16);
}

int ethp2p_discv5_log_distance(const uint8_t a[32], const uint8_t b[32])
{
    for (int i = 0; i < 32; i++) {
        uint8_t x = a[i] ^ b[i];
        if (x) {
            int bits = 8;
            while (!(x & 0x80)) x <<= 1, bits--;
            return (31 - i) * 8 + bits;
        }
    }
    return 0;
}

int v5_record_addr(const ethp2p_enr *r, ethp2p_udp_addr *addr, ethp2p_pubkey *key, uint8_t id[32])
{
    ethp2p_node_id nid;
    if (ethp2p_enr_get_pubkey(r, key) || ethp2p_enr_node_id(r, &nid)) return ETHP2P_EKEY;
    memcpy(id, nid.b, 32);
    if (!addr) return 0;
    memset(addr, 0, sizeof(*addr));
    if (ethp2p_enr_get_ip(r, 4, &addr->ip) == 0 && ethp2p_enr_get_port(r, "udp", &addr->port) == 0) return 0;
    if (ethp2p_enr_get_ip(r, 6, &addr->ip) == 0 && ethp2p_enr_get_port(r, "udp6", &addr->port) == 0) return 0;
    return ETHP2P_ENOTFOUND;
}

/* ---- records ---- */

const stored_rec *v5_find_record(const ethp2p_discv5 *d, const uint8_t id[32])
{
    uintptr_t at = (uintptr_t)hmap_get(&d->record_index, hmap_key(id));
    if (!at || at > d->nrecords || memcmp(d->records[at - 1].id, id, 32)) return NULL;
    return &d->records[at - 1];
}

/* Keeps a verified record (a newer one replaces the old); the oldest goes when full. */
void v5_keep_record(ethp2p_discv5 *d, const ethp2p_enr *r)
{
    ethp2p_node_id nid;
    stored_rec s;
    size_t len;
    if (ethp2p_enr_node_id(r, &nid) || !memcmp(nid.b, d->self_id, 32) || ethp2p_enr_encode(r, s.enc, sizeof(s.enc), &len))
        return;
    memcpy(s.id, nid.b, 32);
    s.seq = r->seq;
    s.len = (uint16_t)len;
    stored_rec *old = (stored_rec *)v5_find_record(d, nid.b);
    if (old) {
        if (r->seq > old->seq) *old = s;
        return;
    }
    stored_rec *slot = v5_grow((void **)&d->records, &d->nrecords, sizeof(stored_rec), ETHP2P_DISCV5_MAX_RECORDS);
    if (!slot) { /* full: the oldest goes */
        slot = &d->records[d->next_record];
        (void)hmap_del(&d->record_index, hmap_key(slot->id));
        d->next_record = (d->next_record + 1) % ETHP2P_DISCV5_MAX_RECORDS;
    }
    *slot = s;
    if (hmap_put(&d->record_index, hmap_key(s.id), (void *)(uintptr_t)(slot - d->records + 1))) return;
    ethp2p_enode n;
    if (ethp2p_enr_to_enode(r, &n) == 0 && n.udp) (void)ethp2p_table_add(d->table, &n, ETHP2P_TABLE_FOUND, d->now);
    if (d->cfg.on_node) d->cfg.on_node(d->cfg.hook_ctx, r);
}

void v5_mark_live(ethp2p_discv5 *d, const uint8_t id[32])
{
    /* Every message in a session lands here: a node already in the table costs a lookup, not a
     * record decode (whose key decompression made PINGs 8x slower). */
    ethp2p_node_id nid;
    memcpy(nid.b, id, 32);
    ethp2p_table_node *tn = ethp2p_table_get(d->table, &nid);
    if (tn) {
        if (!tn->validated_live) {
            ethp2p_enode n;
            ethp2p_table_node_enode(tn, &n);
            (void)ethp2p_table_add(d->table, &n, ETHP2P_TABLE_LIVE, d->now);
        }
        return;
    }
    const stored_rec *sr = v5_find_record(d, id);
    ethp2p_enr r;
    ethp2p_enode n;
    if (sr && ethp2p_enr_decode(sr->enc, sr->len, &r) == 0 && ethp2p_enr_to_enode(&r, &n) == 0 && n.udp)
        (void)ethp2p_table_add(d->table, &n, ETHP2P_TABLE_LIVE, d->now);
}

int ethp2p_discv5_add_node(ethp2p_discv5 *d, const ethp2p_enr *rec)
{
    if (ethp2p_enr_verify(rec)) return ETHP2P_ESIG;
    v5_keep_record(d, rec);
    return 0;
}

size_t ethp2p_discv5_records(const ethp2p_discv5 *d, ethp2p_enr *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < d->nrecords && n < max; i++)
        if (ethp2p_enr_decode(d->records[i].enc, d->records[i].len, &out[n]) == 0) n++;
    return n;
}

/* ---- sessions and challenges ---- */

session *v5_find_session(ethp2p_discv5 *d, const uint8_t id[32], const ethp2p_udp_addr *addr)
{
    for (size_t i = 0; i < d->nsessions; i++) {
        session *s = &d->sessions[i];
        if (s->active && !memcmp(s->id, id, 32) && v5_same_addr(&s->addr, addr)) return s;
    }
    return NULL;
}

static session *new_session(ethp2p_discv5 *d, const uint8_t id[32], const ethp2p_udp_addr *addr, uint64_t now)
{
    session *s = v5_find_session(d, id, addr), *lru = NULL;
    for (size_t i = 0; !s && i < d->nsessions; i++) {
        session *c = &d->sessions[i];
        if (!c->active) {
            s = c;
            break;
        }
        if (!lru || c->used < lru->used) lru = c;
    }
    if (!s) s = v5_grow((void **)&d->sessions, &d->nsessions, sizeof(session), ETHP2P_DISCV5_MAX_SESSIONS);
    if (!s) s = lru; /* at the bound: the least recently used goes; its node is challenged again */
    if (!s) return NULL;
    if (!s->active || memcmp(s->id, id, 32) || !v5_same_addr(&s->addr, addr)) d->stats.sessions++; /* a new one */
    memset(s, 0, sizeof(*s));
    s->active = 1;
    memcpy(s->id, id, 32);
    s->addr = *addr;
    s->used = now;
    return s;
}

static challenge *find_challenge(ethp2p_discv5 *d, const uint8_t id[32], const ethp2p_udp_addr *addr)
{
    for (size_t i = 0; i < d->nchallenges; i++) {
        challenge *c = &d->challenges[i];
        if (c->active && !memcmp(c->id, id, 32) && v5_same_addr(&c->addr, addr)) return c;
    }
    return NULL;
}

/* ---- sending ---- */

static void send_packet(ethp2p_discv5 *d, const ethp2p_udp_addr *to, const uint8_t *p, size_t len)
{
    d->stats.packets_out++;
    d->cfg.send(d->cfg.ctx, to, p, len);
}

/* An ordinary message in a session; its nonce goes to nonce_out (may be NULL). */
void v5_send_in_session(ethp2p_discv5 *d, session *s, const uint8_t *pt, size_t ptlen, uint8_t *nonce_out,
                            uint64_t now)
{
    uint8_t iv[16], nonce[12], out[ETHP2P_V5_MAX_PACKET];
    size_t len;
    v5_rnd_bytes(d, iv, 16);
    v5_rnd_bytes(d, nonce, 12);
    if (ethp2p_v5_encode(s->id, iv, ETHP2P_V5_FLAG_MESSAGE, nonce, d->self_id, 32, s->wkey, pt, ptlen, out, &len)) return;
    if (nonce_out) memcpy(nonce_out, nonce, 12);
    s->used = now;
    send_packet(d, &s->addr, out, len);
}

/* A packet the node cannot read (no session yet): it answers with WHOAREYOU. */
void v5_send_random(ethp2p_discv5 *d, request *r)
{
    uint8_t iv[16], key[16], junk[RANDOM_MSG], out[ETHP2P_V5_MAX_PACKET];
    size_t len;
    v5_rnd_bytes(d, iv, 16);
    v5_rnd_bytes(d, r->nonce, 12);
    v5_rnd_bytes(d, key, 16);
    v5_rnd_bytes(d, junk, sizeof(junk));
    if (ethp2p_v5_encode(r->id, iv, ETHP2P_V5_FLAG_MESSAGE, r->nonce, d->self_id, 32, key, junk, sizeof(junk), out, &len))
        return;
    send_packet(d, &r->addr, out, len);
}

static void send_whoareyou(ethp2p_discv5 *d, const ethp2p_udp_addr *to, const ethp2p_v5_header *h, uint64_t now)
{
    /* Bounded work per address: at most a few challenges outstanding per IP. */
    size_t per_ip = 0, slot = SIZE_MAX, oldest = 0;
    for (size_t i = 0; i < d->nchallenges; i++) {
        challenge *c = &d->challenges[i];
        if (!c->active) {
            if (slot == SIZE_MAX) slot = i;
            continue;
        }
        if (c->addr.ip.family == to->ip.family && !memcmp(c->addr.ip.b, to->ip.b, 16)) per_ip++;
        if (c->at < d->challenges[oldest].at || !d->challenges[oldest].active) oldest = i;
    }
    if (per_ip >= ETHP2P_DISCV5_CHALLENGES_PER_IP) {
        d->stats.whoareyou_limited++;
        return;
    }
    challenge *c = find_challenge(d, h->src_id, to);
    if (!c && slot != SIZE_MAX) c = &d->challenges[slot];
    if (!c) c = v5_grow((void **)&d->challenges, &d->nchallenges, sizeof(challenge), ETHP2P_DISCV5_MAX_CHALLENGES);
    if (!c && d->nchallenges) c = &d->challenges[oldest]; /* at the bound: the oldest goes */
    if (!c) return;
    uint8_t iv[16], idn[16], auth[24], out[ETHP2P_V5_MAX_PACKET];
    size_t len;
    v5_rnd_bytes(d, iv, 16);
    v5_rnd_bytes(d, idn, 16);
    const stored_rec *known = v5_find_record(d, h->src_id);
    ethp2p_v5_whoareyou_authdata(idn, known ? known->seq : 0, auth);
    if (ethp2p_v5_encode(h->src_id, iv, ETHP2P_V5_FLAG_WHOAREYOU, h->nonce, auth, 24, NULL, NULL, 0, out, &len)) return;
    c->active = 1;
    memcpy(c->id, h->src_id, 32);
    c->addr = *to;
    c->at = now;
    /* The challenge is the packet as sent, unmasked: masking-iv || header. */
    memcpy(c->data, iv, 16);
    memcpy(c->data + 16, "discv5\x00\x01\x01", 9);
    memcpy(c->data + 25, h->nonce, 12);
    c->data[37] = 0;
    c->data[38] = 24;
    memcpy(c->data + 39, auth, 24);
    d->stats.whoareyou_sent++;
    send_packet(d, to, out, len);
}

void v5_encode_msg(const ethp2p_v5_msg *m, uint8_t *out, size_t cap, size_t *len)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    const uint8_t *p;
    *len = 0;
    if (ethp2p_v5_msg_encode(m, &w) == 0 && ethp2p_rlp_writer_finish(&w, &p, len) == 0 && *len <= cap) memcpy(out, p, *len);
    else *len = 0;
    ethp2p_rlp_writer_clear(&w);
}


/* ---- packets in ---- */

static void on_whoareyou(ethp2p_discv5 *d, const ethp2p_udp_addr *from, const ethp2p_v5_header *h, uint64_t now)
{
    request *r = NULL;
    for (size_t i = 0; i < d->nrequests && !r; i++)
        if (d->requests[i].active && !memcmp(d->requests[i].nonce, h->nonce, 12) && v5_same_addr(&d->requests[i].addr, from))
            r = &d->requests[i];
    if (!r) {
        d->stats.malformed++;
        ETHP2P_DEBUG(LOG_MOD, "drop packet", "type=whoareyou reason=\"unsolicited\"");
        return;
    }
    /* The handshake: an ephemeral key, keys from it and the node's static key, our proof. */
    uint8_t challenge_data[sizeof(((challenge *)0)->data)], eph_pub[33], sig[64], wkey[16], rkey[16];
    size_t clen = ETHP2P_V5_IV + h->raw_len;
    memcpy(challenge_data, h->iv, 16);
    memcpy(challenge_data + 16, h->raw, h->raw_len);
    ethp2p_privkey eph;
    ethp2p_pubkey ephp;
    do v5_rnd_bytes(d, eph.b, 32);
    while (ethp2p_privkey_to_pubkey(&eph, &ephp));
    uint8_t rec[ETHP2P_ENR_MAX_SIZE];
    size_t reclen = 0;
    if (ethp2p_pubkey_compress(&ephp, eph_pub) || ethp2p_v5_derive_keys(&eph, &r->key, d->self_id, r->id, challenge_data, clen, wkey, rkey) ||
        ethp2p_v5_id_sign(&d->cfg.key, challenge_data, clen, eph_pub, r->id, sig) ||
        ((h->enr_seq == 0 || h->enr_seq < d->self.seq) && ethp2p_enr_encode(&d->self, rec, sizeof(rec), &reclen))) {
        d->stats.handshakes_failed++;
        return;
    }
    uint8_t auth[ETHP2P_V5_MAX_AUTHDATA], iv[16], out[ETHP2P_V5_MAX_PACKET];
    size_t alen, len;
    v5_rnd_bytes(d, iv, 16);
    v5_rnd_bytes(d, r->nonce, 12);
    if (ethp2p_v5_handshake_authdata(d->self_id, sig, eph_pub, rec, reclen, auth, sizeof(auth), &alen) ||
        ethp2p_v5_encode(r->id, iv, ETHP2P_V5_FLAG_HANDSHAKE, r->nonce, auth, alen, wkey, r->pt, r->ptlen, out, &len)) {
        d->stats.handshakes_failed++;
        return;
    }
    session *s = new_session(d, r->id, from, now);
    if (!s) return;
    memcpy(s->wkey, wkey, 16);
    memcpy(s->rkey, rkey, 16);
    d->stats.handshakes_done++;
    r->deadline = now + ETHP2P_DISCV5_REQUEST_TIMEOUT_MS;
    send_packet(d, from, out, len);
}

static void on_handshake(ethp2p_discv5 *d, const ethp2p_udp_addr *from, const ethp2p_v5_header *h, uint64_t now)
{
    challenge *c = find_challenge(d, h->src_id, from);
    const char *why = NULL;
    ethp2p_pubkey their, eph;
    ethp2p_enr rec;
    int have_rec = 0;
    if (!c) why = "no challenge for this node and address";
    else if (h->id_sig_len != 64 || h->eph_key_len != 33) why = "signature or key of the wrong size";
    else if (ethp2p_pubkey_decompress(h->eph_key, &eph)) why = "bad ephemeral key";
    if (!why && h->record_len) {
        ethp2p_node_id nid;
        if (h->record_len > ETHP2P_ENR_MAX_SIZE || ethp2p_enr_decode(h->record, h->record_len, &rec) ||
            ethp2p_enr_verify(&rec) || ethp2p_enr_node_id(&rec, &nid) || memcmp(nid.b, h->src_id, 32))
            why = "record does not verify or is not the sender's";
        else have_rec = 1;
    }
    if (!why && !have_rec) {
        const stored_rec *known = v5_find_record(d, h->src_id);
        if (!known || ethp2p_enr_decode(known->enc, known->len, &rec)) why = "no record for the sender";
    }
    if (!why && ethp2p_enr_get_pubkey(&rec, &their)) why = "sender record without a key";
    uint8_t ikey[16], rkey[16], pt[ETHP2P_V5_MAX_PACKET];
    size_t ptlen;
    if (!why && ethp2p_v5_id_verify(&their, c->data, sizeof(c->data), h->eph_key, d->self_id, h->id_sig))
        why = "identity proof does not verify";
    if (!why && ethp2p_v5_derive_keys(&d->cfg.key, &eph, h->src_id, d->self_id, c->data, sizeof(c->data), ikey, rkey))
        why = "key agreement failed";
    if (!why && ethp2p_v5_decrypt(h, ikey, pt, &ptlen)) why = "message does not open";
    if (why) {
        d->stats.handshakes_failed++;
        ETHP2P_DEBUG(LOG_MOD, "drop packet", "type=handshake reason=\"%s\"", why);
        return;
    }
    c->active = 0;
    if (have_rec) v5_keep_record(d, &rec);
    v5_mark_live(d, h->src_id);
    session *s = new_session(d, h->src_id, from, now);
    if (!s) return;
    memcpy(s->rkey, ikey, 16); /* the handshake's sender writes with the initiator key */
    memcpy(s->wkey, rkey, 16);
    d->stats.handshakes_done++;
    v5_handle_message(d, s, pt, ptlen, now);
}

int ethp2p_discv5_handle_packet(ethp2p_discv5 *d, const ethp2p_udp_addr *from, const uint8_t *data, size_t len,
                                uint64_t now_ms)
{
    ethp2p_v5_header h;
    d->now = now_ms;
    int rc = ethp2p_v5_decode_header(d->self_id, data, len, &h);
    if (rc == ETHP2P_V5_ENOTV5) {
        d->stats.not_v5++;
        return rc;
    }
    d->stats.packets_in++;
    if (rc) {
        d->stats.malformed++;
        ETHP2P_DEBUG(LOG_MOD, "drop packet", "reason=\"%s\" len=%zu", rc == ETHP2P_V5_EAUTHDATA ? "bad authdata" : "malformed", len);
        return 0;
    }
    switch (h.flag) {
    case ETHP2P_V5_FLAG_WHOAREYOU: on_whoareyou(d, from, &h, now_ms); break;
    case ETHP2P_V5_FLAG_HANDSHAKE: on_handshake(d, from, &h, now_ms); break;
    default: {
        session *s = v5_find_session(d, h.src_id, from);
        uint8_t pt[ETHP2P_V5_MAX_PACKET];
        size_t ptlen;
        if (s && ethp2p_v5_decrypt(&h, s->rkey, pt, &ptlen) == 0) {
            s->used = now_ms;
            v5_handle_message(d, s, pt, ptlen, now_ms);
        } else {
            d->stats.undecryptable++;
            send_whoareyou(d, from, &h, now_ms); /* no session (or a stale one): challenge it */
        }
    }
    }
    return 0;
}

/* ---- life cycle ---- */

ethp2p_discv5 *ethp2p_discv5_new(const ethp2p_discv5_config *cfg)
{
    ethp2p_discv5 *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    d->cfg = *cfg;
    ethp2p_pubkey pub;
    ethp2p_node_id id;
    if (!cfg->record || ethp2p_privkey_to_pubkey(&cfg->key, &pub)) {
        ethp2p_discv5_free(d);
        return NULL;
    }
    d->self = *cfg->record;
    ethp2p_node_id_from_pubkey(&pub, &id);
    memcpy(d->self_id, id.b, 32);
    if (!(d->table = ethp2p_table_new(&id, cfg->seed ? cfg->seed : 1))) {
        ethp2p_discv5_free(d);
        return NULL;
    }
    d->rng[0] = cfg->seed ? cfg->seed : 0;
    if (!cfg->seed && ethp2p_random_bytes(d->rng, sizeof(d->rng))) d->rng[0] = 0x9e3779b97f4a7c15ULL;
    d->rng[1] = d->rng[0] ^ 0xda942042e4dd58b5ULL;
    if (!d->rng[0] && !d->rng[1]) d->rng[1] = 1;
    return d;
}

void ethp2p_discv5_free(ethp2p_discv5 *d)
{
    if (!d) return;
    d->closing = 1;
    v5_cancel_requests(d); /* frees what their callbacks own (a lookup's queries, say) */
    if (d->requests)
        for (size_t i = 0; i < d->nrequests; i++) free(d->requests[i].recs);
    free(d->requests);
    free(d->sessions);
    free(d->challenges);
    free(d->records);
    hmap_clear(&d->record_index);
    ethp2p_table_free(d->table);
    free(d);
}

const ethp2p_discv5_stats *ethp2p_discv5_get_stats(const ethp2p_discv5 *d) { return &d->stats; }

int ethp2p_discv5_register_talk(ethp2p_discv5 *d, const char *proto, ethp2p_discv5_talk_handler handler, void *ctx)
{
    if (d->ntalks == ETHP2P_DISCV5_MAX_TALK || strlen(proto) >= sizeof(d->talks[0].proto)) return ETHP2P_EINVAL;
    talk *t = &d->talks[d->ntalks++];
    strcpy(t->proto, proto);
    t->handler = handler;
    t->ctx = ctx;
    return 0;
}

int ethp2p_discv5_set_record(ethp2p_discv5 *d, const ethp2p_enr *rec)
{
    ethp2p_node_id id;
    if (ethp2p_enr_verify(rec) || ethp2p_enr_node_id(rec, &id) || memcmp(id.b, d->self_id, 32)) return ETHP2P_EINVAL;
    d->self = *rec;
    return 0;
}

/*
 * discv4 packet codec. The checks run cheapest first so that junk costs little:
 * size, hash, type, body structure, and only then public-key recovery (the
 * one expensive step, ~45 us).
 *
 * Leniency, decided per field (discv4.md says little; go-ethereum is strict RLP):
 *   - Ping.from/to and Pong.to are informational (the reference replies to the
 *     UDP source): a malformed endpoint is decoded as zero, never a drop.
 *   - Ports are read as big-endian byte strings of up to 2 bytes, leading zeros
 *     allowed, because @ethereumjs/devp2p always writes two bytes (port 1 as
 *     0x820001, port 0 as 0x820000). We always send canonical integers.
 *   - The EIP-868 enr-seq slot holding something other than an integer is
 *     treated as absent (EIP-8 vectors put a list there).
 */
#include "ethp2p/v4wire.h"
#include "ethp2p/keccak.h"
#include "ethp2p/rlp.h"

#include <string.h>

enum { V4_HASH_OFF = 0, V4_SIG_OFF = 32, V4_TYPE_OFF = 97, V4_DATA_OFF = 98 };

int ethp2p_v4_expired(uint64_t expiration, uint64_t now_s)
{
    if (expiration > (uint64_t)INT64_MAX) return 1; /* negative as int64: before 1970 */
    return expiration < now_s;
}

const char *ethp2p_v4_type_name(int type)
{
    switch (type) {
    case ETHP2P_V4_PING: return "ping";
    case ETHP2P_V4_PONG: return "pong";
    case ETHP2P_V4_FINDNODE: return "findnode";
    case ETHP2P_V4_NEIGHBOURS: return "neighbours";
    case ETHP2P_V4_ENRREQUEST: return "enrrequest";
    case ETHP2P_V4_ENRRESPONSE: return "enrresponse";
    }
    return "unknown";
}

/* A port: up to two big-endian bytes, leading zeros tolerated (see top). */
static int read_port(const ethp2p_rlp_item *item, uint16_t *port)
{
    if (item->kind != ETHP2P_RLP_STRING || item->payload_len > 2) return ETHP2P_ERLP_INT_OVERFLOW;
    uint16_t v = 0;
    for (size_t i = 0; i < item->payload_len; i++) v = (uint16_t)(v << 8 | item->payload[i]);
    *port = v;
    return 0;
}

static int read_ip(const ethp2p_rlp_item *item, ethp2p_ip *ip)
{
    memset(ip, 0, sizeof(*ip));
    if (item->kind != ETHP2P_RLP_STRING) return ETHP2P_ERLP_EXPECTED_STRING;
    if (item->payload_len == 4) ip->family = 4;
    else if (item->payload_len == 16) ip->family = 6;
    else return ETHP2P_ERLP_WRONG_SIZE;
    memcpy(ip->b, item->payload, item->payload_len);
    return 0;
}

/* [ip, udp, tcp] */
static int read_endpoint(const ethp2p_rlp_item *item, ethp2p_v4_endpoint *ep)
{
    memset(ep, 0, sizeof(*ep));
    ethp2p_rlp_iter it;
    ethp2p_rlp_item ip, udp, tcp;
    int rc = ethp2p_rlp_iter_list(item, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &ip);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &udp);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &tcp);
    if (!rc) rc = read_ip(&ip, &ep->ip);
    if (!rc) rc = read_port(&udp, &ep->udp);
    if (!rc) rc = read_port(&tcp, &ep->tcp);
    if (rc) memset(ep, 0, sizeof(*ep));
    return rc;
}

/* The optional EIP-868 enr-seq: present only if it is a canonical integer. */
static void read_optional_seq(ethp2p_rlp_iter *it, uint64_t *seq, int *has)
{
    ethp2p_rlp_item item;
    *has = 0;
    *seq = 0;
    if (ethp2p_rlp_iter_next(it, &item) == 1 && ethp2p_rlp_get_uint64(&item, seq) == 0) *has = 1;
    else *seq = 0;
}

static int decode_body(uint8_t type, const ethp2p_rlp_item *list, ethp2p_v4_packet *p)
{
    ethp2p_rlp_iter it;
    ethp2p_rlp_item a, b, c, d;
    int rc = ethp2p_rlp_iter_list(list, &it);
    if (rc) return rc;
    switch (type) {
    case ETHP2P_V4_PING:
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_expect(&it, &b)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &c)) || (rc = ethp2p_rlp_iter_expect(&it, &d)))
            return rc;
        if ((rc = ethp2p_rlp_get_uint64(&a, &p->u.ping.version))) return rc;
        (void)read_endpoint(&b, &p->u.ping.from);
        (void)read_endpoint(&c, &p->u.ping.to);
        if ((rc = ethp2p_rlp_get_uint64(&d, &p->expiration))) return rc;
        read_optional_seq(&it, &p->u.ping.enr_seq, &p->u.ping.has_enr_seq);
        return 0;
    case ETHP2P_V4_PONG:
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_expect(&it, &b)) ||
            (rc = ethp2p_rlp_iter_expect(&it, &c)))
            return rc;
        (void)read_endpoint(&a, &p->u.pong.to);
        if ((rc = ethp2p_rlp_get_fixed(&b, p->u.pong.ping_hash, 32))) return rc;
        if ((rc = ethp2p_rlp_get_uint64(&c, &p->expiration))) return rc;
        read_optional_seq(&it, &p->u.pong.enr_seq, &p->u.pong.has_enr_seq);
        return 0;
    case ETHP2P_V4_FINDNODE:
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_expect(&it, &b))) return rc;
        if ((rc = ethp2p_rlp_get_fixed(&a, p->u.findnode.target.b, 64))) return rc;
        return ethp2p_rlp_get_uint64(&b, &p->expiration);
    case ETHP2P_V4_NEIGHBOURS: {
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_expect(&it, &b))) return rc;
        if ((rc = ethp2p_rlp_get_uint64(&b, &p->expiration))) return rc;
        ethp2p_rlp_iter nodes;
        if ((rc = ethp2p_rlp_iter_list(&a, &nodes))) return rc;
        p->u.neighbours.count = p->u.neighbours.skipped = 0;
        ethp2p_rlp_item node;
        while ((rc = ethp2p_rlp_iter_next(&nodes, &node)) == 1) {
            ethp2p_rlp_iter f;
            ethp2p_rlp_item ip, udp, tcp, key;
            ethp2p_v4_neighbour nb;
            int bad = ethp2p_rlp_iter_list(&node, &f) || ethp2p_rlp_iter_expect(&f, &ip) ||
                      ethp2p_rlp_iter_expect(&f, &udp) || ethp2p_rlp_iter_expect(&f, &tcp) ||
                      ethp2p_rlp_iter_expect(&f, &key) || read_ip(&ip, &nb.ep.ip) ||
                      read_port(&udp, &nb.ep.udp) || read_port(&tcp, &nb.ep.tcp) ||
                      ethp2p_rlp_get_fixed(&key, nb.key.b, 64);
            if (bad || p->u.neighbours.count == ETHP2P_V4_MAX_NEIGHBOURS_DECODE) {
                p->u.neighbours.skipped++;
                continue;
            }
            p->u.neighbours.nodes[p->u.neighbours.count++] = nb;
        }
        return rc; /* 0 at the end of the list, negative if the list itself is broken */
    }
    case ETHP2P_V4_ENRREQUEST:
        if ((rc = ethp2p_rlp_iter_expect(&it, &a))) return rc;
        return ethp2p_rlp_get_uint64(&a, &p->expiration);
    case ETHP2P_V4_ENRRESPONSE:
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_expect(&it, &b))) return rc;
        if ((rc = ethp2p_rlp_get_fixed(&a, p->u.enrresponse.request_hash, 32))) return rc;
        p->expiration = 0;
        return ethp2p_enr_decode(b.raw, b.raw_len, &p->u.enrresponse.record);
    }
    return ETHP2P_ENOTFOUND;
}

static int sim_sign(void *ctx, const ethp2p_privkey *key, const ethp2p_pubkey *pub, const uint8_t hash[32],
                    uint8_t sig[65])
{
    memcpy(sig, pub->b, 64);
    sig[64] = 0;
    return 0;
}

static int sim_recover(void *ctx, const uint8_t hash[32], const uint8_t sig[65], ethp2p_pubkey *out)
{
    memcpy(out->b, sig, 64);
    return sig[64] == 0 ? 0 : ETHP2P_ESIG;
}

const ethp2p_v4_signer ethp2p_v4_simulated_signer = {sim_sign, sim_recover, NULL};

int ethp2p_v4_decode(const uint8_t *buf, size_t len, ethp2p_v4_packet *out, ethp2p_v4_meta *meta)
{
    return ethp2p_v4_decode_with(NULL, buf, len, out, meta);
}

int ethp2p_v4_decode_with(const ethp2p_v4_signer *s, const uint8_t *buf, size_t len, ethp2p_v4_packet *out,
                          ethp2p_v4_meta *meta)
{
    if (len < ETHP2P_V4_HEADER_SIZE || len > ETHP2P_V4_MAX_NEIGHBOURS_PACKET) return ETHP2P_EINVAL;
    uint8_t type = buf[V4_TYPE_OFF];
    if (len > ETHP2P_V4_MAX_PACKET && type != ETHP2P_V4_NEIGHBOURS) return ETHP2P_EINVAL;
    ethp2p_keccak256(buf + V4_SIG_OFF, len - V4_SIG_OFF, meta->hash);
    if (memcmp(meta->hash, buf + V4_HASH_OFF, 32) != 0) return ETHP2P_EMAC;
    if (type < ETHP2P_V4_PING || type > ETHP2P_V4_ENRRESPONSE) return ETHP2P_ENOTFOUND;

    /* EIP-8: bytes after the body's list are ignored. */
    ethp2p_rlp_item list;
    int rc = ethp2p_rlp_decode_prefix(buf + V4_DATA_OFF, len - V4_DATA_OFF, &list, NULL);
    if (rc) return rc;
    if (list.kind != ETHP2P_RLP_LIST) return ETHP2P_ERLP_EXPECTED_LIST;
    out->type = type;
    if ((rc = decode_body(type, &list, out))) return rc;

    uint8_t sighash[32];
    ethp2p_keccak256(buf + V4_TYPE_OFF, len - V4_TYPE_OFF, sighash);
    int bad = s ? s->recover(s->ctx, sighash, buf + V4_SIG_OFF, &meta->sender)
                : ethp2p_recover(sighash, buf + V4_SIG_OFF, &meta->sender);
    if (bad) return ETHP2P_ESIG;
    ethp2p_node_id_from_pubkey(&meta->sender, &meta->sender_id);
    return 0;
}

static void write_endpoint(ethp2p_rlp_writer *w, const ethp2p_v4_endpoint *ep)
{
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, ep->ip.b, ep->ip.family == 4 ? 4 : ep->ip.family == 6 ? 16 : 0);
    ethp2p_rlp_put_uint(w, ep->udp);
    ethp2p_rlp_put_uint(w, ep->tcp);
    ethp2p_rlp_list_end(w);
}

static int encode_body(const ethp2p_v4_packet *p, ethp2p_rlp_writer *w)
{
    ethp2p_rlp_list_begin(w);
    switch (p->type) {
    case ETHP2P_V4_PING:
        ethp2p_rlp_put_uint(w, p->u.ping.version);
        write_endpoint(w, &p->u.ping.from);
        write_endpoint(w, &p->u.ping.to);
        ethp2p_rlp_put_uint(w, p->expiration);
        if (p->u.ping.has_enr_seq) ethp2p_rlp_put_uint(w, p->u.ping.enr_seq);
        break;
    case ETHP2P_V4_PONG:
        write_endpoint(w, &p->u.pong.to);
        ethp2p_rlp_put_bytes(w, p->u.pong.ping_hash, 32);
        ethp2p_rlp_put_uint(w, p->expiration);
        if (p->u.pong.has_enr_seq) ethp2p_rlp_put_uint(w, p->u.pong.enr_seq);
        break;
    case ETHP2P_V4_FINDNODE:
        ethp2p_rlp_put_bytes(w, p->u.findnode.target.b, 64);
        ethp2p_rlp_put_uint(w, p->expiration);
        break;
    case ETHP2P_V4_NEIGHBOURS:
        if (p->u.neighbours.count > ETHP2P_V4_MAX_NEIGHBOURS_DECODE) return ETHP2P_EINVAL;
        ethp2p_rlp_list_begin(w);
        for (size_t i = 0; i < p->u.neighbours.count; i++) {
            const ethp2p_v4_neighbour *n = &p->u.neighbours.nodes[i];
            ethp2p_rlp_list_begin(w);
            ethp2p_rlp_put_bytes(w, n->ep.ip.b, n->ep.ip.family == 4 ? 4 : 16);
            ethp2p_rlp_put_uint(w, n->ep.udp);
            ethp2p_rlp_put_uint(w, n->ep.tcp);
            ethp2p_rlp_put_bytes(w, n->key.b, 64);
            ethp2p_rlp_list_end(w);
        }
        ethp2p_rlp_list_end(w);
        ethp2p_rlp_put_uint(w, p->expiration);
        break;
    case ETHP2P_V4_ENRREQUEST:
        ethp2p_rlp_put_uint(w, p->expiration);
        break;
    case ETHP2P_V4_ENRRESPONSE: {
        uint8_t rec[ETHP2P_ENR_MAX_SIZE];
        size_t n;
        int rc = ethp2p_enr_encode(&p->u.enrresponse.record, rec, sizeof(rec), &n);
        if (rc) return rc;
        ethp2p_rlp_put_bytes(w, p->u.enrresponse.request_hash, 32);
        ethp2p_rlp_put_raw(w, rec, n);
        break;
    }
    default:
        return ETHP2P_EINVAL;
    }
    return ethp2p_rlp_list_end(w);
}

int ethp2p_v4_encode(const ethp2p_privkey *key, const ethp2p_v4_packet *p, uint8_t *out, size_t *len,
                     uint8_t hash[32])
{
    return ethp2p_v4_encode_with(NULL, key, NULL, p, out, len, hash);
}

int ethp2p_v4_encode_with(const ethp2p_v4_signer *s, const ethp2p_privkey *key, const ethp2p_pubkey *pub,
                          const ethp2p_v4_packet *p, uint8_t *out, size_t *len, uint8_t hash[32])
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, ETHP2P_V4_MAX_PACKET - V4_DATA_OFF);
    const uint8_t *body;
    size_t blen;
    int rc = encode_body(p, &w);
    if (!rc) rc = ethp2p_rlp_writer_finish(&w, &body, &blen);
    if (rc) {
        ethp2p_rlp_writer_clear(&w);
        return rc;
    }
    out[V4_TYPE_OFF] = p->type;
    memcpy(out + V4_DATA_OFF, body, blen);
    ethp2p_rlp_writer_clear(&w);
    size_t total = V4_DATA_OFF + blen;
    uint8_t sighash[32];
    ethp2p_keccak256(out + V4_TYPE_OFF, total - V4_TYPE_OFF, sighash);
    rc = s ? s->sign(s->ctx, key, pub, sighash, out + V4_SIG_OFF) : ethp2p_sign_recoverable(key, sighash, out + V4_SIG_OFF);
    if (rc) return rc;
    ethp2p_keccak256(out + V4_SIG_OFF, total - V4_SIG_OFF, out + V4_HASH_OFF);
    if (hash) memcpy(hash, out + V4_HASH_OFF, 32);
    *len = total;
    return 0;
}

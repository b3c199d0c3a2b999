/*
 * discv4: what arrives. Requests (Ping, FindNode, ENRRequest) are served;
 * replies (Pong, Neighbours, ENRResponse) are handed to the request they
 * answer or dropped as unsolicited. Every drop is counted and logged at debug
 * level with the sender and the reason.
 */
#include "discover/discv4_internal.h"
#include "ethp2p/keccak.h"
#include "ethp2p/log.h"

#include <string.h>

#define LOG_MOD "discv4"

/* True if (id, ip) answered our Ping within the reference's 24 h. */
static int has_endpoint_proof(ethp2p_discv4 *d, const ethp2p_node_id *id, const ethp2p_ip *ip, uint64_t now)
{
    bond_entry *b = discv4_bond(d, id, ip, 0);
    return b && bond_age(b->last_pong_s, now) < ETHP2P_DISCV4_BOND_EXPIRATION_MS;
}

static void pingback_done(ethp2p_discv4 *d, pending *p, int err, const ethp2p_v4_packet *reply, uint64_t now)
{
    if (!err) (void)ethp2p_table_add(d->table, &p->node, ETHP2P_TABLE_INBOUND, now);
}

static void handle_ping(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_meta *meta,
                        const ethp2p_v4_packet *pkt, uint64_t now)
{
    /* Pong.to mirrors the UDP source; the Ping's own `from` is only informational. */
    ethp2p_v4_packet pong;
    memset(&pong, 0, sizeof(pong));
    pong.type = ETHP2P_V4_PONG;
    pong.u.pong.to.ip = from->ip;
    pong.u.pong.to.udp = from->port;
    pong.u.pong.to.tcp = pkt->u.ping.from.tcp;
    memcpy(pong.u.pong.ping_hash, meta->hash, 32);
    pong.u.pong.has_enr_seq = 1;
    pong.u.pong.enr_seq = d->record_seq;
    (void)discv4_send(d, from, &pong, now, NULL);

    /* The node as we will use it: UDP source IP and port, TCP port from the Ping. */
    /* The decoder recovered the key (so it is on the curve) and hashed the ID already. */
    ethp2p_enode n = {.pubkey = meta->sender, .id = meta->sender_id, .ip = from->ip,
                      .tcp = pkt->u.ping.from.tcp, .udp = from->port};
    int proven = has_endpoint_proof(d, &n.id, &from->ip, now);
    bond_entry *b = discv4_bond(d, &n.id, &from->ip, 1);
    if (b) {
        b->last_ping_s = bond_secs(now);
        discv4_bond_persist(d, &n.id, &from->ip, b);
    }
    if (!proven) {
        /* Unknown pinger: ping back before trusting it with a table slot. */
        (void)discv4_send_ping(d, &n, now, pingback_done, NULL, NULL);
    } else {
        (void)ethp2p_table_add(d->table, &n, ETHP2P_TABLE_INBOUND, now);
    }
}

static void handle_findnode(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_meta *meta,
                            const ethp2p_v4_packet *pkt, uint64_t now)
{
    if (!has_endpoint_proof(d, &meta->sender_id, &from->ip, now)) {
        d->stats.drop_no_bond++;
        discv4_log_drop(from, "findnode", "no endpoint proof");
        return;
    }
    ethp2p_node_id target;
    ethp2p_keccak256(pkt->u.findnode.target.b, 64, target.b);
    ethp2p_enode closest[ETHP2P_TABLE_BUCKET_SIZE];
    size_t n = ethp2p_table_closest(d->table, &target, ETHP2P_TABLE_BUCKET_SIZE, 1, closest);
    ethp2p_v4_packet out;
    memset(&out, 0, sizeof(out));
    out.type = ETHP2P_V4_NEIGHBOURS;
    int sent = 0;
    for (size_t i = 0; i < n; i++) {
        if (ethp2p_ip_relay_problem(&from->ip, &closest[i].ip)) continue; /* e.g. LAN nodes to a public asker */
        ethp2p_v4_neighbour *nb = &out.u.neighbours.nodes[out.u.neighbours.count++];
        nb->ep.ip = closest[i].ip;
        nb->ep.udp = closest[i].udp;
        nb->ep.tcp = closest[i].tcp;
        nb->key = closest[i].pubkey;
        if (out.u.neighbours.count == ETHP2P_V4_MAX_NEIGHBOURS_PER_PACKET) {
            (void)discv4_send(d, from, &out, now, NULL);
            out.u.neighbours.count = 0;
            sent = 1;
        }
    }
    /* The reference always answers with at least one (possibly empty) packet. */
    if (out.u.neighbours.count > 0 || !sent) (void)discv4_send(d, from, &out, now, NULL);
}

static void handle_enrrequest(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const ethp2p_v4_meta *meta,
                              uint64_t now)
{
    if (!has_endpoint_proof(d, &meta->sender_id, &from->ip, now)) {
        d->stats.drop_no_bond++;
        discv4_log_drop(from, "enrrequest", "no endpoint proof");
        return;
    }
    static _Thread_local ethp2p_v4_packet out; /* holds a record: keep the stack small; one per thread */
    memset(&out, 0, sizeof(out));
    out.type = ETHP2P_V4_ENRRESPONSE;
    memcpy(out.u.enrresponse.request_hash, meta->hash, 32);
    if (discv4_local_record(d, &out.u.enrresponse.record) == 0) (void)discv4_send(d, from, &out, now, NULL);
}

void ethp2p_discv4_handle_packet(ethp2p_discv4 *d, const ethp2p_udp_addr *from, const uint8_t *data, size_t len,
                                 uint64_t now_ms)
{
    static _Thread_local ethp2p_v4_packet pkt; /* ~6 KiB off the stack; one per thread, so cores on different threads do not share it */
    ethp2p_v4_meta meta;
    d->stats.packets_in++;
    int rc = ethp2p_v4_decode_with(d->cfg.signer, data, len, &pkt, &meta);
    if (rc) {
        const char *why = ethp2p_strerror(rc);
        switch (rc) {
        case ETHP2P_EINVAL: d->stats.drop_too_big++; why = len < ETHP2P_V4_HEADER_SIZE ? "too short" : "too large"; break;
        case ETHP2P_EMAC: d->stats.drop_bad_hash++; why = "hash mismatch"; break;
        case ETHP2P_ESIG: d->stats.drop_bad_sig++; why = "bad signature"; break;
        case ETHP2P_ENOTFOUND: d->stats.drop_unknown_type++; why = "unknown packet type"; break;
        default: d->stats.drop_malformed++; break;
        }
        discv4_log_drop(from, len > 97 ? ethp2p_v4_type_name(data[97]) : "?", why);
        return;
    }
    d->stats.in_by_type[pkt.type]++;
    if (memcmp(meta.sender_id.b, d->self.id.b, 32) == 0) {
        d->stats.drop_self++;
        discv4_log_drop(from, ethp2p_v4_type_name(pkt.type), "from ourselves");
        return;
    }
    if (!discv4_netrestrict_allows(d, &from->ip)) {
        d->stats.drop_no_bond++;
        discv4_log_drop(from, ethp2p_v4_type_name(pkt.type), "outside netrestrict");
        return;
    }
    /* Expired requests get no reply; expired replies are not trusted either.
     * ENRResponse has no expiration field (discv4.md). The time is signed, as the
     * reference reads it: a top-bit value is before 1970 (protocol-notes.md). */
    if (pkt.type != ETHP2P_V4_ENRRESPONSE && ethp2p_v4_expired(pkt.expiration, now_ms / 1000)) {
        d->stats.drop_expired++;
        discv4_log_drop(from, ethp2p_v4_type_name(pkt.type), "expired");
        return;
    }
    switch (pkt.type) {
    case ETHP2P_V4_PING: handle_ping(d, from, &meta, &pkt, now_ms); return;
    case ETHP2P_V4_FINDNODE: handle_findnode(d, from, &meta, &pkt, now_ms); return;
    case ETHP2P_V4_ENRREQUEST: handle_enrrequest(d, from, &meta, now_ms); return;
    default:
        if (!discv4_match_reply(d, from, &meta, &pkt, now_ms)) {
            d->stats.drop_unsolicited++;
            discv4_log_drop(from, ethp2p_v4_type_name(pkt.type), "unsolicited reply");
        }
    }
}

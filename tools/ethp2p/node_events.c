/* `ethp2p node --events`: one JSON object per line per node event; see node_events.h. */
#include "node_events.h"
#include "ethp2p/hex.h"
#include "ethp2p/json.h"

#include <time.h>

static void id_hex(const ethp2p_peer *p, char out[65]) { ethp2p_hex_encode(p->node.id.b, 32, out); }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void node_event_write(FILE *out, const ethp2p_node_event *ev)
{
    char id[65] = "";
    if (ev->peer) id_hex(ev->peer, id);
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    static const char *how[] = {"local", "broadcast", "fetched"};
    switch (ev->type) {
    case ETHP2P_NODE_EV_PEER_ADDED:
        ethp2p_json_raw(&b, "{\"event\":\"peer_added\",\"time\":%.3f", now_s());
        ethp2p_json_kv_str(&b, 0, "peer", id);
        ethp2p_json_kv_str(&b, 0, "name", ev->peer->name);
        ethp2p_json_raw(&b, ",\"inbound\":%s}", ev->peer->inbound ? "true" : "false");
        break;
    case ETHP2P_NODE_EV_PEER_DROPPED:
        ethp2p_json_raw(&b, "{\"event\":\"peer_dropped\",\"time\":%.3f", now_s());
        ethp2p_json_kv_str(&b, 0, "peer", id);
        ethp2p_json_kv_str(&b, 0, "reason", ethp2p_disconnect_reason_name(ev->reason));
        ethp2p_json_raw(&b, ",\"code\":%d,\"by_remote\":%s,\"msgs_in\":%llu,\"msgs_out\":%llu}", ev->reason,
                        ev->by_remote ? "true" : "false", (unsigned long long)ev->peer->msgs_in,
                        (unsigned long long)ev->peer->msgs_out);
        break;
    case ETHP2P_NODE_EV_STATUS: {
        const ethp2p_eth_status *s = ev->status;
        ethp2p_json_raw(&b, "{\"event\":\"status\",\"time\":%.3f", now_s());
        ethp2p_json_kv_str(&b, 0, "peer", id);
        ethp2p_json_raw(&b, ",\"version\":%u,\"network\":%llu,\"forkid\":\"0x%02x%02x%02x%02x\",\"next\":%llu}",
                        s->version, (unsigned long long)s->network_id, s->forkid.hash[0], s->forkid.hash[1],
                        s->forkid.hash[2], s->forkid.hash[3], (unsigned long long)s->forkid.next);
        break;
    }
    case ETHP2P_NODE_EV_TX: {
        char h[67] = "0x", from[43] = "0x";
        ethp2p_hex_encode(ev->tx->hash, 32, h + 2);
        ethp2p_hex_encode(ev->tx->sender, 20, from + 2);
        ethp2p_json_raw(&b, "{\"event\":\"tx\",\"time\":%.3f", now_s());
        ethp2p_json_kv_str(&b, 0, "hash", h);
        ethp2p_json_raw(&b, ",\"type\":%u,\"size\":%llu,\"nonce\":%llu", ev->tx->type, (unsigned long long)ev->tx->size,
                        (unsigned long long)ev->tx->nonce);
        ethp2p_json_kv_str(&b, 0, "from", from);
        if (ev->peer) ethp2p_json_kv_str(&b, 0, "peer", id);
        else ethp2p_json_raw(&b, ",\"peer\":null");
        ethp2p_json_kv_str(&b, 0, "how", how[ev->how]);
        ethp2p_json_raw(&b, "}");
        break;
    }
    case ETHP2P_NODE_EV_BLOCK: {
        char h[67] = "0x";
        ethp2p_hex_encode(ev->block->hash, 32, h + 2);
        ethp2p_json_raw(&b, "{\"event\":\"block\",\"time\":%.3f", now_s());
        ethp2p_json_kv_str(&b, 0, "hash", h);
        ethp2p_json_raw(&b, ",\"number\":%llu", (unsigned long long)ev->block->number);
        if (ev->peer) ethp2p_json_kv_str(&b, 0, "peer", id);
        else ethp2p_json_raw(&b, ",\"peer\":null");
        ethp2p_json_kv_str(&b, 0, "how", how[ev->how]);
        ethp2p_json_raw(&b, "}");
        break;
    }
    default: break;
    }
    if (b.len) {
        fwrite(b.data, 1, b.len, out);
        fputc('\n', out);
        fflush(out);
    }
    ethp2p_buffer_clear(&b);
}


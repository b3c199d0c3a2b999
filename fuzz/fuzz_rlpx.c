/*
 * Fuzzes what a remote can send over RLPx. The first byte picks the target:
 *   0 auth message, 1 ack message (fixed keys; must fail cleanly or parse)
 *   2 Hello, 3 Disconnect, 4 a snappy-compressed message (size checked first)
 *   5 frames: the input is framed by one side and read by the other, and must
 *     come back unchanged; then one input-chosen bit is flipped and the
 *     reader must refuse the frame.
 *   6 a whole connection: a real handshake with a recipient ethp2p_conn (eth/68
 *     and snap/1), a valid Hello, then the rest as messages a peer sends, each
 *     [flags][len hi][len lo][bytes]: flags bit 0 frames the bytes as they are
 *     (a frame whose content is not a message), else bytes[0] is the code and
 *     the rest the payload, snappy-compressed unless flags bit 1; bits 2-7 let
 *     time pass (n * 1 s, so the Ping and read timeouts fire). The connection
 *     must end cleanly or stay up; it may never send unbounded amounts.
 */
#include "ethp2p/conn.h"
#include "ethp2p/p2p.h"
#include "ethp2p/rlpx.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_rlpx_handshake hs;
static ethp2p_rlpx_secrets sa, sb;
static int ready;

static void setup(void)
{
    memset(&sa, 0, sizeof(sa));
    for (int i = 0; i < 32; i++) sa.aes[i] = (uint8_t)i, sa.mac[i] = (uint8_t)(i * 7);
    ethp2p_keccak256_init(&sa.egress_mac);
    ethp2p_keccak256_update(&sa.egress_mac, "a", 1);
    ethp2p_keccak256_init(&sa.ingress_mac);
    ethp2p_keccak256_update(&sa.ingress_mac, "b", 1);
    sb = sa; /* mirror: B's ingress is A's egress */
    sb.egress_mac = sa.ingress_mac;
    sb.ingress_mac = sa.egress_mac;
    ready = 1;
}

/* ---- mode 6: a whole connection ---- */

static ethp2p_buffer conn_out; /* what the recipient sent */
static int conn_closed;

static void conn_send(void *ctx, const uint8_t *d, size_t n)
{
    (void)ctx;
    if (ethp2p_buffer_append(&conn_out, d, n)) abort();
}

static void conn_on_close(void *ctx, int reason, int by_remote)
{
    (void)ctx;
    (void)reason;
    (void)by_remote;
    conn_closed = 1;
}

static void conn_on_message(void *ctx, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *d, size_t n)
{
    (void)ctx;
    if (!cap || code >= cap->spec->length || n > ETHP2P_P2P_MAX_MESSAGE) abort(); /* only what the cap owns */
    (void)d;
}

static void fuzz_conn(const uint8_t *data, size_t size)
{
    static const ethp2p_protocol_spec protos[] = {{"eth", 68, 17}, {"snap", 1, 8}};
    ethp2p_privkey ka, kb;
    ethp2p_pubkey pa, pb;
    memset(ka.b, 0x42, 32);
    memset(kb.b, 0x43, 32);
    if (ethp2p_privkey_to_pubkey(&ka, &pa) || ethp2p_privkey_to_pubkey(&kb, &pb)) abort();
    ethp2p_conn_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.key = kb;
    cfg.client_name = "fuzz";
    cfg.protocols = protos;
    cfg.nprotocols = 2;
    cfg.send = conn_send;
    cfg.on_message = conn_on_message;
    cfg.on_close = conn_on_close;
    uint64_t now = 1000000;
    ethp2p_buffer_init(&conn_out, 0);
    conn_closed = 0;
    ethp2p_conn *b = ethp2p_conn_new(&cfg, now);
    if (!b || ethp2p_conn_start(b, now)) abort();
    /* The handshake, as a dialler does it. */
    uint8_t auth[2 + 2048];
    size_t alen = sizeof(auth), used;
    if (ethp2p_rlpx_handshake_init(&hs, 1, &ka, &pb) || ethp2p_rlpx_auth_write(&hs, auth, &alen)) abort();
    ethp2p_conn_receive(b, auth, alen, now);
    if (ethp2p_rlpx_ack_read(&hs, conn_out.data, conn_out.len, &used) != 0) abort();
    ethp2p_rlpx_secrets sec;
    if (ethp2p_rlpx_secrets_derive(&hs, &sec)) abort();
    ethp2p_rlpx_frame_codec w;
    ethp2p_rlpx_frame_init(&w, &sec);
    ethp2p_buffer msg, wire;
    ethp2p_buffer_init(&msg, 0);
    ethp2p_buffer_init(&wire, 0);
    ethp2p_hello h;
    memset(&h, 0, sizeof(h));
    h.version = 5;
    strcpy(h.name, "fuzzer");
    strcpy(h.caps[0].name, "eth");
    h.caps[0].version = 68;
    strcpy(h.caps[1].name, "snap");
    h.caps[1].version = 1;
    h.ncaps = 2;
    h.id = pa;
    ethp2p_buffer body;
    ethp2p_buffer_init(&body, 0);
    if (ethp2p_hello_encode(&h, &body) || ethp2p_p2p_msg_encode(0, body.data, body.len, 0, &msg) ||
        ethp2p_rlpx_frame_write(&w, msg.data, msg.len, &wire))
        abort();
    ethp2p_conn_receive(b, wire.data, wire.len, now);
    size_t off = 0, sent_in = wire.len;
    while (off + 3 <= size && !conn_closed) {
        uint8_t flags = data[off];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off) n = size - off;
        const uint8_t *m = data + off;
        off += n;
        now += (uint64_t)(flags >> 2) * 1000;
        ethp2p_conn_tick(b, now);
        ethp2p_buffer_reset(&msg);
        ethp2p_buffer_reset(&wire);
        if (flags & 1) {
            if (ethp2p_buffer_append(&msg, m, n)) abort();
        } else if (n) {
            if (ethp2p_p2p_msg_encode(m[0], m + 1, n - 1, !(flags & 2), &msg)) continue;
        }
        if (ethp2p_rlpx_frame_write(&w, msg.data, msg.len, &wire)) abort();
        ethp2p_conn_receive(b, wire.data, wire.len, now);
        sent_in += wire.len;
    }
    ethp2p_conn_tick(b, now + 60000);
    /* Answers are bounded by what came in: Pongs, a Disconnect, the Hello and ack. */
    if (conn_out.len > 4096 + 64 * sent_in) abort();
    ethp2p_conn_free(b);
    ethp2p_buffer_clear(&conn_out);
    ethp2p_buffer_clear(&msg);
    ethp2p_buffer_clear(&wire);
    ethp2p_buffer_clear(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) setup();
    if (size < 1) return 0;
    int mode = data[0] % 7;
    data++;
    size--;
    ethp2p_privkey key;
    ethp2p_pubkey remote;
    memset(key.b, 0x42, 32);
    switch (mode) {
    case 0:
    case 1: {
        if (ethp2p_privkey_to_pubkey(&key, &remote)) abort();
        if (ethp2p_rlpx_handshake_init(&hs, mode == 1, &key, &remote)) abort();
        size_t used;
        int rc = mode == 0 ? ethp2p_rlpx_auth_read(&hs, data, size, &used) : ethp2p_rlpx_ack_read(&hs, data, size, &used);
        if (rc == 1 && used <= size) abort(); /* "need more" must ask for more than we have */
        if (rc == 0 && used > size) abort();
        return 0;
    }
    case 2: {
        ethp2p_hello h;
        (void)!ethp2p_hello_decode(data, size, &h);
        return 0;
    }
    case 3:
        (void)ethp2p_disconnect_decode(data, size);
        return 0;
    case 4: {
        ethp2p_buffer out;
        ethp2p_buffer_init(&out, 0);
        uint64_t code;
        const uint8_t *d;
        size_t n;
        if (ethp2p_p2p_msg_decode(data, size, 1, &code, &d, &n, &out) == 0 && n > ETHP2P_P2P_MAX_MESSAGE) abort();
        ethp2p_buffer_clear(&out);
        return 0;
    }
    case 6:
        fuzz_conn(data, size);
        return 0;
    default: {
        ethp2p_rlpx_frame_codec w, r;
        ethp2p_rlpx_frame_init(&w, &sa);
        ethp2p_rlpx_frame_init(&r, &sb);
        ethp2p_buffer wire;
        ethp2p_buffer_init(&wire, 0);
        if (ethp2p_rlpx_frame_write(&w, data, size, &wire)) abort();
        ethp2p_rlpx_frame_codec r2 = r;
        size_t fs, bl;
        if (ethp2p_rlpx_frame_read_header(&r, wire.data, &fs, &bl) || fs != size || 32 + bl != wire.len ||
            ethp2p_rlpx_frame_read_body(&r, wire.data + 32, bl) || (size && memcmp(wire.data + 32, data, size)))
            abort();
        /* Re-frame and flip one bit: refused. */
        ethp2p_rlpx_frame_init(&w, &sa);
        ethp2p_buffer_reset(&wire);
        if (ethp2p_rlpx_frame_write(&w, data, size, &wire)) abort();
        size_t pos = size ? (data[0] * 131u + size) % wire.len : 3;
        wire.data[pos] ^= (uint8_t)(1u << (size ? data[size - 1] % 8 : 0));
        int ok = ethp2p_rlpx_frame_read_header(&r2, wire.data, &fs, &bl) == 0 && 32 + bl <= wire.len &&
                 ethp2p_rlpx_frame_read_body(&r2, wire.data + 32, bl) == 0;
        if (ok) abort();
        ethp2p_buffer_clear(&wire);
        return 0;
    }
    }
}

/*
 * Fuzzes what a remote can send over RLPx. The first byte picks the target:
 *   0 auth message, 1 ack message (fixed keys; must fail cleanly or parse)
 *   2 Hello, 3 Disconnect, 4 a snappy-compressed message (size checked first)
 *   5 frames: the input is framed by one side and read by the other, and must
 *     come back unchanged; then one input-chosen bit is flipped and the
 *     reader must refuse the frame.
 */
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) setup();
    if (size < 1) return 0;
    int mode = data[0] % 6;
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

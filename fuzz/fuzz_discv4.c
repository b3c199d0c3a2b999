/*
 * Fuzzes a whole discv4 instance with what anyone can send to its UDP port,
 * not only the packet codec (fuzz_v4wire): bonding, FindNode answers,
 * Neighbours handling, ENR requests, the table and the timers all see the
 * bytes. A fuzzer cannot forge signatures, so the harness signs for it.
 *
 * The input is a list of packets, each [ctl][len][len bytes]:
 *   ctl bits 0-1  which of four remote nodes sends it (key and address fixed)
 *   ctl bit  2    0: the bytes are type||RLP, hashed and signed by the harness
 *                    with the sender's key (reaches every handler); the
 *                    single byte 0x02 is the Pong to our latest Ping to that
 *                    sender (the fuzzer cannot guess its hash), so bonds form;
 *                 1: the bytes are a whole packet (the hash is fixed up, the
 *                    signature is whatever the input carries)
 *   ctl bits 3-7  time passes before it arrives: n * 250 ms (timers run)
 * A new instance per input, so every finding replays from its input alone.
 * Nothing may crash, leak, or send more than a few packets per packet in.
 */
#include "ethp2p/discv4.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"
#include "ethp2p/log.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SENDERS 4

static ethp2p_privkey keys[SENDERS];
static ethp2p_udp_addr from[SENDERS];
static int ready;
static size_t out_bytes, out_packets;
static uint8_t last_ping[SENDERS][32]; /* the hash of our latest Ping to each sender */

static void on_send(void *ctx, const ethp2p_udp_addr *to, const uint8_t *p, size_t len)
{
    (void)ctx;
    if (len > ETHP2P_V4_MAX_PACKET) abort(); /* we never send more than a datagram may carry */
    out_bytes += len;
    out_packets++;
    for (int i = 0; i < SENDERS; i++)
        if (len > 97 && p[97] == 1 && to->port == from[i].port && ethp2p_ip_equal(&to->ip, &from[i].ip))
            memcpy(last_ping[i], p, 32);
}

/* The Pong a live sender i would send to our latest Ping: [to, ping hash, expiration, seq]. */
static size_t auto_pong(int i, uint64_t now_ms, uint8_t *out)
{
    uint8_t *w = out;
    uint64_t exp = now_ms / 1000 + 20;
    *w++ = 0x02;
    uint8_t *lenp = w++; /* a short list: 51 bytes of payload */
    uint8_t *start = w;
    *w++ = 0xcb; /* [ip(4), udp, tcp]: 0x84 ip, 0x82 port, 0x82 port = 5 + 3 + 3 */
    *w++ = 0x84;
    *w++ = 10, *w++ = 0, *w++ = 0, *w++ = 100;
    *w++ = 0x82, *w++ = 0x76, *w++ = 0x5f;
    *w++ = 0x82, *w++ = 0x76, *w++ = 0x5f;
    *w++ = 0xa0;
    memcpy(w, last_ping[i], 32);
    w += 32;
    *w++ = 0x84;
    for (int k = 3; k >= 0; k--) *w++ = (uint8_t)(exp >> (8 * k));
    *w++ = 0x01; /* enr seq 1 */
    *lenp = (uint8_t)(0xc0 + (w - start));
    return (size_t)(w - out);
}

static void setup(void)
{
    ethp2p_log_set_level(0); /* quiet: drops are counted, the output is the fuzzer's */
    for (int i = 0; i < SENDERS; i++) {
        memset(keys[i].b, 0x21 + i, 32);
        from[i].port = (uint16_t)(30303 + i);
        from[i].ip.family = 4;
        from[i].ip.b[0] = 10;
        from[i].ip.b[3] = (uint8_t)(1 + i);
    }
    ready = 1;
}

/* type||rlp signed as sender i would: hash(32) sig(65) type rlp. */
static size_t sign_packet(int i, const uint8_t *body, size_t len, uint8_t *out)
{
    uint8_t h[32];
    ethp2p_keccak256(body, len, h);
    if (ethp2p_sign_recoverable(&keys[i], h, out + 32) != 0) return 0;
    memcpy(out + 97, body, len);
    ethp2p_keccak256(out + 32, 65 + len, out);
    return 97 + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) setup();
    if (size > 64 * 1024) return 0;
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    memset(cfg.key.b, 0x11, 32);
    cfg.ip.family = 4;
    cfg.ip.b[0] = 10;
    cfg.ip.b[3] = 100;
    cfg.udp_port = cfg.tcp_port = 30303;
    cfg.seed = 1;
    cfg.send = on_send;
    uint64_t now = 1700000000000ULL;
    ethp2p_discv4 *d = ethp2p_discv4_new(&cfg, now);
    if (!d) abort();
    ethp2p_discv4_start(d, now);
    out_bytes = out_packets = 0;
    memset(last_ping, 0, sizeof(last_ping));
    size_t npackets = 0;
    uint8_t pkt[ETHP2P_V4_MAX_PACKET + 128];
    size_t off = 0;
    while (off + 2 <= size && npackets < 64) {
        uint8_t ctl = data[off], len = data[off + 1];
        off += 2;
        size_t n = len;
        if (n > size - off) n = size - off;
        const uint8_t *b = data + off;
        off += n;
        int who = ctl & 3;
        size_t plen;
        if (ctl & 4) {
            memcpy(pkt, b, n);
            if (n >= 32) ethp2p_keccak256(pkt + 32, n - 32, pkt);
            plen = n;
        } else {
            uint8_t pong[128];
            if (n == 1 && b[0] == 0x02) {
                b = pong;
                n = auto_pong(who, now, pong);
            }
            if (!n || !(plen = sign_packet(who, b, n, pkt))) continue;
        }
        now += (uint64_t)(ctl >> 3) * 250;
        ethp2p_discv4_tick(d, now);
        ethp2p_discv4_handle_packet(d, &from[who], pkt, plen, now);
        npackets++;
    }
    /* Let the timers finish what the packets started (reply timeouts, revalidation). */
    for (int i = 0; i < 8; i++) {
        now += 1000;
        ethp2p_discv4_tick(d, now);
    }
    const ethp2p_discv4_stats *st = ethp2p_discv4_get_stats(d);
    if (st->packets_in > npackets) abort();
    /* A packet makes us send a handful (Pong, a Ping to bond, two Neighbours, Pings to the nodes a
     * Neighbours brought): never an unbounded stream. */
    if (out_packets > 64 * (npackets + 1)) abort();
    ethp2p_discv4_free(d);
    return 0;
}

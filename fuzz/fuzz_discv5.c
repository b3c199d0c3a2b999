/*
 * Fuzzes discv5 with what anyone can send to its UDP port: the input goes to
 * a whole discv5 core (keyed as node B of the wire vectors, so the seeds'
 * headers unmask), and through the stand-alone header and message decoders.
 * Nothing may crash, leak or answer with more than it may (the core's sends
 * are counted and bounded by what came in).
 */
#include "ethp2p/discv5.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_discv5 *core;
static ethp2p_enr rec;
static size_t sent_bytes;

static void on_send(void *ctx, const ethp2p_udp_addr *to, const uint8_t *p, size_t len)
{
    (void)ctx;
    (void)to;
    (void)p;
    sent_bytes += len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!core) {
        ethp2p_discv5_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        static const uint8_t key_b[32] = {0x66, 0xfb, 0x62, 0xbf, 0xbd, 0x66, 0xb9, 0x17, 0x7a, 0x13, 0x8c,
                                          0x1e, 0x5c, 0xdd, 0xbe, 0x4f, 0x7c, 0x30, 0xc3, 0x43, 0xe9, 0x4e,
                                          0x68, 0xdf, 0x87, 0x69, 0x45, 0x9c, 0xb1, 0xcd, 0xe6, 0x28};
        memcpy(cfg.key.b, key_b, 32);
        ethp2p_enr_init(&rec);
        rec.seq = 1;
        if (ethp2p_enr_sign(&rec, &cfg.key)) abort();
        cfg.record = &rec;
        cfg.send = on_send;
        cfg.seed = 1;
        if (!(core = ethp2p_discv5_new(&cfg))) abort();
    }
    ethp2p_udp_addr from;
    memset(&from, 0, sizeof(from));
    from.ip.family = 4;
    from.ip.b[0] = 127;
    from.ip.b[3] = 1;
    from.port = 30303;
    sent_bytes = 0;
    (void)ethp2p_discv5_handle_packet(core, &from, data, size, 1000);
    (void)ethp2p_discv5_tick(core, 5000);
    /* One packet in never makes more than one packet out (a WHOAREYOU or an answer). */
    if (sent_bytes > ETHP2P_V5_MAX_PACKET) abort();
    ethp2p_v5_msg m;
    (void)ethp2p_v5_msg_decode(data, size, &m);
    return 0;
}

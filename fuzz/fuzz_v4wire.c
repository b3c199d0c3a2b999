/*
 * Fuzzes the discv4 packet decoder. A fuzzer cannot forge keccak hashes, so for
 * inputs whose first byte is odd the harness writes the correct outer hash
 * before decoding: the body decoder is then reached (the signature still fails
 * unless the input carries a real one, which the seed corpus does).
 * A packet that decodes is re-encoded with our key and must decode again to
 * the same type and expiration.
 */
#include "ethp2p/keccak.h"
#include "ethp2p/v4wire.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_v4_packet pkt, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > ETHP2P_V4_MAX_NEIGHBOURS_PACKET + 1) return 0;
    int fix_hash = data[0] & 1;
    uint8_t buf[ETHP2P_V4_MAX_NEIGHBOURS_PACKET];
    size_t len = size - 1;
    memcpy(buf, data + 1, len);
    if (fix_hash && len >= ETHP2P_V4_HEADER_SIZE) ethp2p_keccak256(buf + 32, len - 32, buf);
    ethp2p_v4_meta meta;
    if (ethp2p_v4_decode(buf, len, &pkt, &meta) != 0) return 0;
    ethp2p_privkey key;
    memset(key.b, 0x11, 32);
    uint8_t out[ETHP2P_V4_MAX_PACKET];
    size_t olen;
    if (ethp2p_v4_encode(&key, &pkt, out, &olen, NULL) != 0) return 0; /* e.g. 16 neighbours > 1280 */
    if (ethp2p_v4_decode(out, olen, &again, &meta) != 0) abort();
    if (again.type != pkt.type || again.expiration != pkt.expiration) abort();
    return 0;
}

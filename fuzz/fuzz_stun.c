/*
 * Fuzzes the STUN response reader (--nat stun reads what a server, or anyone
 * spoofing it, sends). The first 12 bytes are the transaction ID awaited; an
 * accepted response yields an IPv4 or IPv6 address.
 */
#include "ethp2p/nat.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12) return 0;
    ethp2p_ip ip;
    uint16_t port;
    if (ethp2p_stun_parse(data + 12, size - 12, data, &ip, &port) == 0 && ip.family != 4 && ip.family != 6) abort();
    return 0;
}

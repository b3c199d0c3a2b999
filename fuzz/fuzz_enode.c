/*
 * Fuzzes the enode URL parser. A URL that parses formats to a URL that parses
 * to the same node (key, address, ports).
 */
#include "ethp2p/enode.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    ethp2p_enode a, b;
    char host[300];
    int rc = ethp2p_enode_parse(s, &a, host, sizeof(host));
    free(s);
    if (rc) return 0;
    char url[ETHP2P_ENODE_URL_MAX];
    if (ethp2p_enode_format(&a, url, sizeof(url))) abort();
    if (ethp2p_enode_parse(url, &b, NULL, 0)) abort();
    if (memcmp(a.pubkey.b, b.pubkey.b, 64) || memcmp(a.id.b, b.id.b, 32) || !ethp2p_ip_equal(&a.ip, &b.ip) ||
        a.tcp != b.tcp || (a.ip.family && a.udp != b.udp))
        abort();
    return 0;
}

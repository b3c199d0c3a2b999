/*
 * Fuzzes the ENR decoder, binary and text. For any record that decodes:
 * every accessor runs, verify runs, and re-encoding gives the input back
 * (values are kept verbatim and the structure is canonical).
 * The first byte picks the form: even = RLP bytes, odd = "enr:" text.
 */
#include "ethp2p/enr.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    ethp2p_enr r;
    int text = data[0] & 1;
    data++;
    size--;
    if (text) {
        char *s = malloc(size + 5);
        memcpy(s, "enr:", 4);
        memcpy(s + 4, data, size);
        s[size + 4] = '\0';
        int rc = ethp2p_enr_from_text(s, &r);
        free(s);
        if (rc) return 0;
    } else if (ethp2p_enr_decode(data, size, &r)) {
        return 0;
    }
    (void)!ethp2p_enr_verify(&r);
    char scheme[32];
    ethp2p_ip ip;
    uint16_t port;
    ethp2p_node_id id;
    ethp2p_enode node;
    (void)!ethp2p_enr_get_id_scheme(&r, scheme, sizeof(scheme));
    (void)!ethp2p_enr_get_ip(&r, 4, &ip);
    (void)!ethp2p_enr_get_ip(&r, 6, &ip);
    (void)!ethp2p_enr_get_port(&r, "tcp6", &port);
    (void)!ethp2p_enr_get_port(&r, "udp6", &port);
    (void)!ethp2p_enr_node_id(&r, &id);
    (void)!ethp2p_enr_to_enode(&r, &node);
    if (!text && r.signature_len > 0) {
        uint8_t out[ETHP2P_ENR_MAX_SIZE];
        size_t n;
        if (ethp2p_enr_encode(&r, out, sizeof(out), &n)) abort();
        if (n != size || memcmp(out, data, n) != 0) abort();
    }
    return 0;
}

/*
 * Fuzzes ECIES decryption with a fixed recipient key.
 *   mode 0: the input is a ciphertext (2-byte MAC data first): must fail
 *           cleanly or decrypt, never crash or read out of bounds.
 *   mode 1: the input is a message; it is encrypted with an ephemeral key and
 *           IV derived from it, optionally one bit is flipped at an input-chosen
 *           position; decryption must return the message, or fail if flipped.
 */
#include "crypto/ecies_internal.h"
#include "ethp2p/keccak.h"

#include <stdlib.h>
#include <string.h>

static ethp2p_privkey recipient;
static ethp2p_pubkey recipient_pub;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!recipient_pub.b[0]) {
        memset(recipient.b, 0x42, 32);
        if (ethp2p_privkey_to_pubkey(&recipient, &recipient_pub)) abort();
    }
    if (size < 3) return 0;
    int mode = data[0] & 1;
    const uint8_t *mac = data + 1;
    data += 3;
    size -= 3;
    if (mode == 0) {
        uint8_t *out = malloc(size + 1);
        size_t n;
        if (ethp2p_ecies_decrypt(&recipient, data, size, mac, 2, out, &n) == 0 &&
            n != size - ETHP2P_ECIES_OVERHEAD)
            abort();
        free(out);
        return 0;
    }
    uint8_t seed[32];
    ethp2p_keccak256(data, size, seed);
    ethp2p_privkey eph;
    memcpy(eph.b, seed, 32);
    if (ethp2p_privkey_check(&eph)) return 0;
    uint8_t *ct = malloc(size + ETHP2P_ECIES_OVERHEAD), *out = malloc(size + 1);
    if (ethp2p_ecies_encrypt_with(&recipient_pub, &eph, seed, data, size, mac, 2, ct)) abort();
    size_t n, flip = (size_t)seed[0] << 8 | seed[1];
    int flipped = mac[0] & 0x80;
    if (flipped) ct[flip % (size + ETHP2P_ECIES_OVERHEAD)] ^= (uint8_t)(1u << (seed[2] & 7));
    int rc = ethp2p_ecies_decrypt(&recipient, ct, size + ETHP2P_ECIES_OVERHEAD, mac, 2, out, &n);
    if (flipped && rc == 0) abort();
    if (!flipped && (rc != 0 || n != size || memcmp(out, data, size) != 0)) abort();
    free(ct);
    free(out);
    return 0;
}

/*
 * base32 without padding (RFC 4648 section 6, the standard alphabet), as
 * EIP-1459 DNS node lists spell hashes and public keys. Upper case only, as
 * the reference writes it; decoding accepts exactly what encoding produces
 * plus the impossible-length and trailing-bit checks that make one spelling
 * per value.
 */
#include "ethp2p/hex.h"

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t ethp2p_base32_encoded_len(size_t len) { return (len * 8 + 4) / 5; }

void ethp2p_base32_encode(const uint8_t *data, size_t len, char *out)
{
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        acc = acc << 8 | data[i];
        bits += 8;
        while (bits >= 5) {
            out[o++] = b32_alphabet[acc >> (bits - 5) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out[o++] = b32_alphabet[acc << (5 - bits) & 31];
    out[o] = '\0';
}

int ethp2p_base32_decode(const char *text, size_t textlen, uint8_t *out, size_t cap, size_t *outlen)
{
    /* Lengths mod 8 of 1, 3 and 6 characters cannot come from whole bytes. */
    size_t rem = textlen % 8;
    if (rem == 1 || rem == 3 || rem == 6) return ETHP2P_EFORMAT;
    size_t n = textlen * 5 / 8;
    if (n > cap) return ETHP2P_ENOSPACE;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < textlen; i++) {
        char c = text[i];
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= '2' && c <= '7') v = c - '2' + 26;
        else return ETHP2P_EFORMAT;
        acc = acc << 5 | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            out[o++] = (uint8_t)(acc >> (bits - 8));
            bits -= 8;
        }
    }
    if (bits && (acc & ((1u << bits) - 1))) return ETHP2P_EFORMAT; /* unused bits must be zero */
    *outlen = o;
    return 0;
}

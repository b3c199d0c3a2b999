/*
 * base64url without padding (RFC 4648 section 5), as the ENR text form uses it
 * (enr.md: "URL-safe base64 encoding, without padding").
 *
 * Written here rather than taken from nettle because the decoder must be
 * strict in ways a general decoder is not: the reference client rejects
 * padding and non-canonical trailing bits, and a record's text form should
 * have exactly one spelling.
 */
#include "ethp2p/hex.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t ethp2p_base64url_encoded_len(size_t len)
{
    return (len / 3) * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
}

void ethp2p_base64url_encode(const uint8_t *data, size_t len, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)data[i] << 16;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

int ethp2p_base64url_decode(const char *text, size_t textlen, uint8_t *out, size_t cap, size_t *outlen)
{
    if (textlen % 4 == 1) return ETHP2P_EFORMAT; /* no byte count gives this length */
    size_t n = (textlen / 4) * 3 + (textlen % 4 == 0 ? 0 : textlen % 4 - 1);
    if (n > cap) return ETHP2P_ENOSPACE;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < textlen; i++) {
        int v = b64url_value(text[i]);
        if (v < 0) return ETHP2P_EFORMAT;
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    /* Leftover bits must be zero, or two texts would decode to the same bytes. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return ETHP2P_EFORMAT;
    *outlen = o;
    return 0;
}

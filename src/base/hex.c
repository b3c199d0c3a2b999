/*
 * Hex encoding and decoding. Decoding is strict about length and alphabet,
 * because hex arrives from users (keys, enode URLs, CLI arguments) and a
 * silently truncated key is worse than an error.
 */
#include "ethp2p/hex.h"

#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

void ethp2p_hex_encode(const uint8_t *data, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex_digits[data[i] >> 4];
        out[2 * i + 1] = hex_digits[data[i] & 0x0f];
    }
    out[2 * len] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void skip_0x(const char **text, size_t *len)
{
    if (*len >= 2 && (*text)[0] == '0' && ((*text)[1] == 'x' || (*text)[1] == 'X')) {
        *text += 2;
        *len -= 2;
    }
}

int ethp2p_hex_decode(const char *text, size_t textlen, uint8_t *out, size_t cap, size_t *outlen)
{
    skip_0x(&text, &textlen);
    if (textlen % 2 != 0) return ETHP2P_EFORMAT;
    size_t n = textlen / 2;
    if (n > cap) return ETHP2P_ENOSPACE;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return ETHP2P_EFORMAT;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *outlen = n;
    return 0;
}

int ethp2p_hex_decode_fixed(const char *text, size_t textlen, uint8_t *out, size_t outlen)
{
    skip_0x(&text, &textlen);
    if (textlen != 2 * outlen) return ETHP2P_EFORMAT;
    size_t got;
    return ethp2p_hex_decode(text, textlen, out, outlen, &got);
}

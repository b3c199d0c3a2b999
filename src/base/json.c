/* JSON string escaping and appending (RFC 8259 section 7). */
#include "ethp2p/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ethp2p_json_string(ethp2p_buffer *b, const char *s)
{
    (void)ethp2p_buffer_push(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            (void)ethp2p_buffer_append(b, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            int n = snprintf(esc, sizeof(esc), "\\u%04x", *p);
            (void)ethp2p_buffer_append(b, esc, (size_t)n);
        } else {
            (void)ethp2p_buffer_push(b, *p);
        }
    }
    (void)ethp2p_buffer_push(b, '"');
}

void ethp2p_json_raw(ethp2p_buffer *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || ethp2p_buffer_reserve(b, (size_t)n + 1)) return;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ethp2p_json_kv_str(ethp2p_buffer *b, int first, const char *key, const char *value)
{
    if (!first) (void)ethp2p_buffer_push(b, ',');
    ethp2p_json_string(b, key);
    (void)ethp2p_buffer_push(b, ':');
    ethp2p_json_string(b, value);
}

/* A JSON scanner just good enough to find number tokens outside strings. */
int ethp2p_json_quote_big_ints(const char *in, size_t len, ethp2p_buffer *out)
{
    int in_string = 0;
    for (size_t i = 0; i < len;) {
        char c = in[i];
        if (in_string) {
            if (c == '\\' && i + 1 < len) {
                if (ethp2p_buffer_append(out, in + i, 2)) return ETHP2P_ENOMEM;
                i += 2;
                continue;
            }
            if (c == '"') in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if ((c >= '0' && c <= '9') || c == '-') {
            size_t end = i + (c == '-');
            while (end < len && in[end] >= '0' && in[end] <= '9') end++;
            size_t digits = end - i - (c == '-');
            int plain = end == len || (in[end] != '.' && in[end] != 'e' && in[end] != 'E');
            /* 19 digits or more may not fit an int64: hand it over as its exact text. */
            if (plain && c != '-' && digits >= 19) {
                if (ethp2p_buffer_push(out, '"') || ethp2p_buffer_append(out, in + i, digits) ||
                    ethp2p_buffer_push(out, '"'))
                    return ETHP2P_ENOMEM;
                i = end;
                continue;
            }
            if (ethp2p_buffer_append(out, in + i, end - i)) return ETHP2P_ENOMEM;
            i = end;
            continue;
        }
        if (ethp2p_buffer_push(out, (uint8_t)c)) return ETHP2P_ENOMEM;
        i++;
    }
    return 0;
}

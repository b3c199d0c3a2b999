/* The Prometheus text exposition format; see ethp2p/metrics.h. */
#include "ethp2p/metrics.h"

#include <stdio.h>
#include <string.h>

void ethp2p_metrics_family(ethp2p_buffer *b, const char *name, const char *type, const char *help)
{
    char line[512];
    int n = snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    if (n > 0) (void)ethp2p_buffer_append(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void append_escaped(ethp2p_buffer *b, const char *v)
{
    for (const char *p = v; *p; p++) {
        if (*p == '\\') (void)ethp2p_buffer_append(b, "\\\\", 2);
        else if (*p == '"') (void)ethp2p_buffer_append(b, "\\\"", 2);
        else if (*p == '\n') (void)ethp2p_buffer_append(b, "\\n", 2);
        else (void)ethp2p_buffer_append(b, p, 1);
    }
}

void ethp2p_metrics_sample(ethp2p_buffer *b, const char *name, const char *const *labels, double value)
{
    (void)ethp2p_buffer_append(b, name, strlen(name));
    if (labels && labels[0]) {
        (void)ethp2p_buffer_append(b, "{", 1);
        for (size_t i = 0; labels[i] && labels[i + 1]; i += 2) {
            if (i) (void)ethp2p_buffer_append(b, ",", 1);
            (void)ethp2p_buffer_append(b, labels[i], strlen(labels[i]));
            (void)ethp2p_buffer_append(b, "=\"", 2);
            append_escaped(b, labels[i + 1]);
            (void)ethp2p_buffer_append(b, "\"", 1);
        }
        (void)ethp2p_buffer_append(b, "}", 1);
    }
    char num[48];
    int n;
    if (value >= 0 && value < 9.007199254740992e15 && (double)(uint64_t)value == value) n = snprintf(num, sizeof(num), " %.0f\n", value);
    else n = snprintf(num, sizeof(num), " %.17g\n", value);
    (void)ethp2p_buffer_append(b, num, (size_t)n);
}

void ethp2p_metrics_client_label(const char *client_name, char out[33])
{
    size_t n = 0;
    for (const char *p = client_name; p && *p && *p != '/' && n < 32; p++) {
        char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            out[n++] = c;
    }
    out[n] = '\0';
    if (!n) strcpy(out, "unknown");
}

/*
 * The logger: logfmt or JSON lines, a global level and per-module levels.
 * Single-threaded by design (one event loop per node), so the settings are
 * plain globals; a line is formatted into a local buffer and written with one
 * fwrite so lines from several processes sharing a terminal do not
 * interleave mid-line.
 */
#include "ethp2p/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define MAX_MODULES 32

static int log_level = ETHP2P_LOG_INFO;
static int log_max = ETHP2P_LOG_INFO; /* the most verbose of the global and module levels */
static int log_format = ETHP2P_LOG_LOGFMT;
static FILE *log_stream;
static struct { char name[24]; int level; } modules[MAX_MODULES];
static size_t nmodules;

static void recompute_max(void)
{
    log_max = log_level;
    for (size_t i = 0; i < nmodules; i++)
        if (modules[i].level > log_max) log_max = modules[i].level;
}

void ethp2p_log_set_level(int level)
{
    log_level = level;
    recompute_max();
}
int ethp2p_log_get_level(void) { return log_level; }
void ethp2p_log_set_stream(FILE *f) { log_stream = f; }
void ethp2p_log_set_format(int format) { log_format = format; }
int ethp2p_log_enabled(int level) { return level <= log_max; }

int ethp2p_log_enabled_for(int level, const char *module)
{
    if (level > log_max) return 0;
    for (size_t i = 0; i < nmodules; i++)
        if (strcmp(modules[i].name, module) == 0) return level <= modules[i].level;
    return level <= log_level;
}

int ethp2p_log_set_module_level(const char *module, int level)
{
    size_t i = 0;
    while (i < nmodules && strcmp(modules[i].name, module)) i++;
    if (i == nmodules) {
        if (nmodules == MAX_MODULES || strlen(module) >= sizeof(modules[0].name)) return -1;
        snprintf(modules[nmodules++].name, sizeof(modules[0].name), "%s", module);
    }
    modules[i].level = level;
    recompute_max();
    return 0;
}

int ethp2p_log_set_vmodule(const char *spec)
{
    const char *p = spec;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p || (size_t)(eq - p) >= 24) return -1;
        char name[24], *end;
        memcpy(name, p, (size_t)(eq - p));
        name[eq - p] = '\0';
        long lvl = strtol(eq + 1, &end, 10);
        if (end == eq + 1 || end != p + len || lvl < 0 || lvl > 5) return -1;
        if (ethp2p_log_set_module_level(name, (int)lvl)) return -1;
        p += len;
        if (*p == ',') p++;
    }
    return 0;
}

static const char *level_name(int level)
{
    switch (level) {
    case ETHP2P_LOG_ERROR: return "error";
    case ETHP2P_LOG_WARN: return "warn";
    case ETHP2P_LOG_INFO: return "info";
    case ETHP2P_LOG_DEBUG: return "debug";
    default: return "trace";
    }
}

/* Appends s as a JSON string body (no quotes) to out[*len..cap). */
static void json_escape(char *out, size_t *len, size_t cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *len + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[(*len)++] = '\\';
            out[(*len)++] = (char)c;
        } else if (c < 0x20) {
            *len += (size_t)snprintf(out + *len, cap - *len, "\\u%04x", c);
        } else {
            out[(*len)++] = (char)c;
        }
    }
}

/* Turns logfmt pairs (key=value, key="quoted \"value\"") into JSON members. */
static void pairs_to_json(char *out, size_t *len, size_t cap, const char *kv)
{
    const char *p = kv;
    while (*p) {
        while (*p == ' ') p++;
        const char *k = p;
        while (*p && *p != '=' && *p != ' ') p++;
        if (*p != '=' || p == k) { /* not a pair: skip the word */
            while (*p && *p != ' ') p++;
            continue;
        }
        size_t klen = (size_t)(p - k);
        p++;
        char val[1024];
        size_t vl = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"' && vl < sizeof(val) - 1) {
                if (*p == '\\' && p[1]) p++;
                val[vl++] = *p++;
            }
            if (*p == '"') p++;
        } else {
            while (*p && *p != ' ' && vl < sizeof(val) - 1) val[vl++] = *p++;
        }
        if (*len + 8 >= cap) return;
        out[(*len)++] = ',';
        out[(*len)++] = '"';
        json_escape(out, len, cap, k, klen);
        if (*len + 4 >= cap) return;
        out[(*len)++] = '"';
        out[(*len)++] = ':';
        out[(*len)++] = '"';
        json_escape(out, len, cap, val, vl);
        if (*len + 2 >= cap) return;
        out[(*len)++] = '"';
    }
}

void ethp2p_log(int level, const char *module, const char *msg, const char *fmt, ...)
{
    if (!ethp2p_log_enabled_for(level, module)) return;
    char kv[2048] = "";
    if (fmt && fmt[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(kv, sizeof(kv), fmt, ap);
        va_end(ap);
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    char line[4096];
    size_t len;
    if (log_format == ETHP2P_LOG_JSON) {
        int n = snprintf(line, sizeof(line), "{\"t\":\"%s\",\"lvl\":\"%s\",\"mod\":\"", ts, level_name(level));
        len = n > 0 ? (size_t)n : 0;
        json_escape(line, &len, sizeof(line), module, strlen(module));
        len += (size_t)snprintf(line + len, sizeof(line) - len, "\",\"msg\":\"");
        json_escape(line, &len, sizeof(line), msg, strlen(msg));
        if (len + 1 < sizeof(line)) line[len++] = '"';
        pairs_to_json(line, &len, sizeof(line) - 3, kv);
        line[len++] = '}';
    } else {
        int n = snprintf(line, sizeof(line), "t=%s lvl=%s mod=%s msg=\"%s\"%s%s", ts, level_name(level), module, msg,
                         kv[0] ? " " : "", kv);
        if (n < 0) return;
        len = (size_t)n < sizeof(line) - 1 ? (size_t)n : sizeof(line) - 2;
    }
    line[len++] = '\n';
    FILE *out = log_stream ? log_stream : stderr;
    fwrite(line, 1, len, out);
    fflush(out);
}

/*
 * logfmt logger. Single-threaded by design (one event loop per node), so the
 * level and stream are plain globals; a line is formatted into a local buffer
 * and written with one fwrite so lines from several processes sharing a
 * terminal do not interleave mid-line.
 */
#include "ethp2p/log.h"

#include <stdarg.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static int log_level = ETHP2P_LOG_INFO;
static FILE *log_stream;

void ethp2p_log_set_level(int level) { log_level = level; }
int ethp2p_log_get_level(void) { return log_level; }
void ethp2p_log_set_stream(FILE *f) { log_stream = f; }
int ethp2p_log_enabled(int level) { return level <= log_level; }

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

void ethp2p_log(int level, const char *module, const char *msg, const char *fmt, ...)
{
    if (!ethp2p_log_enabled(level)) return;
    char line[2048];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof(line), "t=%04d-%02d-%02dT%02d:%02d:%02d.%03dZ lvl=%s mod=%s msg=\"%s\"",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(tv.tv_usec / 1000), level_name(level), module, msg);
    if (n < 0) return;
    size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    if (fmt && fmt[0] && len < sizeof(line) - 2) {
        line[len++] = ' ';
        va_list ap;
        va_start(ap, fmt);
        int m = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
        va_end(ap);
        if (m > 0) len += (size_t)m < sizeof(line) - len ? (size_t)m : sizeof(line) - len - 1;
    }
    if (len >= sizeof(line) - 1) len = sizeof(line) - 2;
    line[len++] = '\n';
    FILE *out = log_stream ? log_stream : stderr;
    fwrite(line, 1, len, out);
    fflush(out);
}

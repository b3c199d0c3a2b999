/*
 * ethp2p/log.h - logfmt logging (key=value), in the reference client's levels.
 *
 * Lines look like:
 *   t=2026-11-25T13:05:35.120Z lvl=debug mod=discv4 msg="drop packet" from=1.2.3.4:30303 reason="..."
 * The caller writes the key=value pairs after the message; ethp2p_log_quote()
 * helps with values that need quoting. Output goes to stderr unless a sink is set.
 */
#ifndef ETHP2P_LOG_H
#define ETHP2P_LOG_H

#include "ethp2p/common.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ethp2p_log_level {
    ETHP2P_LOG_ERROR = 1,
    ETHP2P_LOG_WARN = 2,
    ETHP2P_LOG_INFO = 3,
    ETHP2P_LOG_DEBUG = 4,
    ETHP2P_LOG_TRACE = 5,
};

/** Sets the most verbose level that is written (default INFO). */
void ethp2p_log_set_level(int level);
/** The current level. */
int ethp2p_log_get_level(void);
/** Sets the output stream (default stderr). NULL restores stderr. */
void ethp2p_log_set_stream(FILE *f);
/** True if a line at this level would be written by some module (to skip costly formatting). */
int ethp2p_log_enabled(int level);
/** True if a line at this level from this module would be written (per-module levels apply). */
int ethp2p_log_enabled_for(int level, const char *module);

/**
 * Sets one module's level ("discv4", "rlpx", ...), above or below the global one, as the
 * reference's --log.vmodule. At most 32 modules; returns -1 when full.
 */
int ethp2p_log_set_module_level(const char *module, int level);
/** Parses "mod=level,mod=level" (levels 0-5) and applies it; -1 on a bad entry (nothing applied after it). */
int ethp2p_log_set_vmodule(const char *spec);

enum ethp2p_log_format {
    ETHP2P_LOG_LOGFMT = 0, /* t=... lvl=... mod=... msg="..." key=value */
    ETHP2P_LOG_JSON = 1,   /* {"t":"...","lvl":"...","mod":"...","msg":"...","key":"value"} */
};
/** Sets the line format (default logfmt). */
void ethp2p_log_set_format(int format);

/**
 * Writes one line: timestamp, level, module, quoted message, then the printf-
 * formatted key=value pairs in fmt (may be NULL or "").
 */
void ethp2p_log(int level, const char *module, const char *msg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define ETHP2P_LOG_AT(lvl, mod, msg, ...) \
    do { if (ethp2p_log_enabled_for(lvl, mod)) ethp2p_log((lvl), (mod), (msg), __VA_ARGS__); } while (0)
#define ETHP2P_ERROR(mod, msg, ...) ETHP2P_LOG_AT(ETHP2P_LOG_ERROR, mod, msg, __VA_ARGS__)
#define ETHP2P_WARN(mod, msg, ...)  ETHP2P_LOG_AT(ETHP2P_LOG_WARN, mod, msg, __VA_ARGS__)
#define ETHP2P_INFO(mod, msg, ...)  ETHP2P_LOG_AT(ETHP2P_LOG_INFO, mod, msg, __VA_ARGS__)
#define ETHP2P_DEBUG(mod, msg, ...) ETHP2P_LOG_AT(ETHP2P_LOG_DEBUG, mod, msg, __VA_ARGS__)
#define ETHP2P_TRACE(mod, msg, ...) ETHP2P_LOG_AT(ETHP2P_LOG_TRACE, mod, msg, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/json.h - the little JSON the library itself writes (NodeInfo,
 * PeersInfo, events): strings escaped per RFC 8259, appended to a buffer.
 */
#ifndef ETHP2P_JSON_H
#define ETHP2P_JSON_H

#include "ethp2p/buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Appends s as a quoted JSON string (control characters, quotes and backslashes escaped). */
void ethp2p_json_string(ethp2p_buffer *b, const char *s);
/** Appends printf-formatted raw text (the caller keeps it valid JSON). */
void ethp2p_json_raw(ethp2p_buffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Appends "key": and the escaped string value, with a leading comma unless first. */
void ethp2p_json_kv_str(ethp2p_buffer *b, int first, const char *key, const char *value);

#ifdef __cplusplus
}
#endif
#endif

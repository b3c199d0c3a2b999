/*
 * ethp2p/json.h - the little JSON the library itself writes (NodeInfo,
 * PeersInfo, events): strings escaped per RFC 8259, appended to a buffer;
 * and one step before reading JSON whose integers may pass 64 bits.
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

/**
 * Copies JSON text to out with every non-negative integer of 19 digits or
 * more written as a string of the same digits ("58750000000000000000000"),
 * so that a parser with 64-bit integers (jansson) keeps its exact value
 * instead of failing or rounding it to a double. Strings, other numbers and
 * the rest are copied unchanged; the text is not otherwise validated.
 * Returns 0 or ETHP2P_ENOMEM.
 */
ETHP2P_WARN_UNUSED int ethp2p_json_quote_big_ints(const char *in, size_t len, ethp2p_buffer *out);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/hex.h - hexadecimal, base64url (RFC 4648 section 5) and base32
 * (section 6, standard alphabet) text, without padding.
 */
#ifndef ETHP2P_HEX_H
#define ETHP2P_HEX_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Writes 2*len lowercase hex digits and a NUL to out.
 * In: data, len. Out: out, which must hold 2*len+1 bytes.
 */
void ethp2p_hex_encode(const uint8_t *data, size_t len, char *out);

/**
 * Decodes hex text of exactly 2*outlen digits (an optional "0x" prefix is
 * skipped; upper and lower case are accepted). textlen is the text's length.
 * Returns 0, or ETHP2P_EFORMAT for a wrong length or a non-hex character.
 */
ETHP2P_WARN_UNUSED int ethp2p_hex_decode_fixed(const char *text, size_t textlen,
                                               uint8_t *out, size_t outlen);

/**
 * Decodes hex text of any even length (optional "0x" prefix) into out, which
 * holds cap bytes. *outlen receives the decoded length.
 * Returns 0, ETHP2P_EFORMAT, or ETHP2P_ENOSPACE.
 */
ETHP2P_WARN_UNUSED int ethp2p_hex_decode(const char *text, size_t textlen,
                                         uint8_t *out, size_t cap, size_t *outlen);

/** Length of the base64url text (no padding) for len bytes, without the NUL. */
size_t ethp2p_base64url_encoded_len(size_t len);

/** Writes base64url text without padding and a NUL; out holds encoded_len+1. */
void ethp2p_base64url_encode(const uint8_t *data, size_t len, char *out);

/**
 * Decodes base64url text without padding. Padding, the standard alphabet's
 * '+' and '/', whitespace, an impossible length, and non-zero unused trailing
 * bits are all rejected with ETHP2P_EFORMAT. ETHP2P_ENOSPACE if cap is short.
 */
ETHP2P_WARN_UNUSED int ethp2p_base64url_decode(const char *text, size_t textlen,
                                               uint8_t *out, size_t cap, size_t *outlen);

/** Length of the base32 text (no padding) for len bytes, without the NUL. */
size_t ethp2p_base32_encoded_len(size_t len);
/** Writes upper-case base32 text without padding and a NUL; out holds encoded_len+1. */
void ethp2p_base32_encode(const uint8_t *data, size_t len, char *out);
/**
 * Decodes upper-case base32 text without padding. Other characters, padding,
 * an impossible length and non-zero unused trailing bits are ETHP2P_EFORMAT;
 * ETHP2P_ENOSPACE if cap is short.
 */
ETHP2P_WARN_UNUSED int ethp2p_base32_decode(const char *text, size_t textlen, uint8_t *out, size_t cap,
                                            size_t *outlen);

#ifdef __cplusplus
}
#endif
#endif

/*
 * ethp2p/common.h - error codes and shared attributes for every ethp2p module.
 *
 * Every fallible function returns an int: 0 on success, a negative ETHP2P_E*
 * code on failure. Decoders return the most specific code available, so that a
 * caller can log *why* input from the network was rejected together with the
 * peer it came from. ethp2p_strerror() gives a short human-readable reason.
 */
#ifndef ETHP2P_COMMON_H
#define ETHP2P_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define ETHP2P_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define ETHP2P_WARN_UNUSED
#endif

/** Error codes. Grouped by the layer that produces them. */
enum ethp2p_error {
    ETHP2P_OK = 0,

    /* general */
    ETHP2P_EINVAL = -1,        /* invalid argument */
    ETHP2P_ENOMEM = -2,        /* allocation failed */
    ETHP2P_EIO = -3,           /* operating-system I/O error (errno is kept) */
    ETHP2P_EEXIST = -4,        /* file exists and will not be overwritten */
    ETHP2P_ENOSPACE = -5,      /* output buffer too small */
    ETHP2P_EFORMAT = -6,       /* malformed text (hex, base64, URL, key file) */
    ETHP2P_ERANDOM = -7,       /* the OS random source failed */
    ETHP2P_ETIMEDOUT = -8,     /* no reply in time */
    ETHP2P_EBUSY = -9,         /* too many operations under way */
    ETHP2P_ECANCELED = -10,    /* the owner shut down before the operation completed */

    /* RLP */
    ETHP2P_ERLP_EMPTY = -20,        /* no input where a value was expected */
    ETHP2P_ERLP_TRUNCATED = -21,    /* declared length runs past the input */
    ETHP2P_ERLP_LEADING_ZERO = -22, /* length-of-length has leading zero bytes */
    ETHP2P_ERLP_NONCANON_SIZE = -23,/* long form used for a payload under 56 bytes */
    ETHP2P_ERLP_NONCANON_BYTE = -24,/* single byte < 0x80 wrapped as a string */
    ETHP2P_ERLP_SIZE_OVERFLOW = -25,/* length does not fit in the address space */
    ETHP2P_ERLP_TRAILING = -26,     /* bytes left after the value */
    ETHP2P_ERLP_EXPECTED_LIST = -27,
    ETHP2P_ERLP_EXPECTED_STRING = -28,
    ETHP2P_ERLP_INT_LEADING_ZERO = -29, /* integer with leading zero bytes */
    ETHP2P_ERLP_INT_OVERFLOW = -30, /* integer larger than the target type */
    ETHP2P_ERLP_TOO_DEEP = -31,     /* nesting deeper than the caller allows */
    ETHP2P_ERLP_WRONG_SIZE = -32,   /* string of the wrong length for a fixed field */
    ETHP2P_ERLP_TOO_FEW = -33,      /* list has fewer elements than required */

    /* crypto */
    ETHP2P_EKEY = -40,         /* invalid private or public key */
    ETHP2P_ESIG = -41,         /* invalid or non-matching signature */
    ETHP2P_EMAC = -42,         /* message authentication failed */
    ETHP2P_ECIPHERTEXT = -43,  /* ciphertext too short or malformed */

    /* records and addresses */
    ETHP2P_ERECORD_SIZE = -50, /* ENR over 300 bytes */
    ETHP2P_ERECORD_KEYS = -51, /* ENR keys not sorted or not unique */
    ETHP2P_ERECORD_SCHEME = -52, /* unknown or missing identity scheme */
    ETHP2P_ERECORD_FIELD = -53,/* a known ENR key with a malformed value */
    ETHP2P_ENOTFOUND = -54,    /* key not present */
    ETHP2P_EHOSTNAME = -55,    /* a host name where only an IP is accepted */
    ETHP2P_ERESOLVE = -56,     /* a host name did not resolve */
};

/**
 * Returns a short, static, human-readable description of an error code.
 * Never returns NULL; unknown codes give "unknown error".
 */
const char *ethp2p_strerror(int err);

/** The library's version string, e.g. "0.1.0" (ETHP2P_VERSION_STRING in ethp2p/version.h is the headers'). */
const char *ethp2p_version(void);

#ifdef __cplusplus
}
#endif
#endif

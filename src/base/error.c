/*
 * Error strings. One table, indexed by the negated code, so that adding a code
 * in common.h without a string here is caught by the unit test that walks all
 * codes.
 */
#include "ethp2p/common.h"

const char *ethp2p_strerror(int err)
{
    switch (err) {
    case ETHP2P_OK: return "success";
    case ETHP2P_EINVAL: return "invalid argument";
    case ETHP2P_ENOMEM: return "out of memory";
    case ETHP2P_EIO: return "I/O error";
    case ETHP2P_EEXIST: return "file exists";
    case ETHP2P_ENOSPACE: return "output buffer too small";
    case ETHP2P_EFORMAT: return "malformed text";
    case ETHP2P_ERANDOM: return "random source failed";
    case ETHP2P_ETIMEDOUT: return "timed out";
    case ETHP2P_EBUSY: return "too many operations under way";
    case ETHP2P_ECANCELED: return "canceled";
    case ETHP2P_ERLP_EMPTY: return "rlp: empty input";
    case ETHP2P_ERLP_TRUNCATED: return "rlp: value size exceeds available input";
    case ETHP2P_ERLP_LEADING_ZERO: return "rlp: size has leading zero bytes";
    case ETHP2P_ERLP_NONCANON_SIZE: return "rlp: non-canonical size (long form for a payload under 56 bytes)";
    case ETHP2P_ERLP_NONCANON_BYTE: return "rlp: non-canonical string (single byte below 0x80 wrapped)";
    case ETHP2P_ERLP_SIZE_OVERFLOW: return "rlp: size overflows";
    case ETHP2P_ERLP_TRAILING: return "rlp: trailing bytes after value";
    case ETHP2P_ERLP_EXPECTED_LIST: return "rlp: expected list";
    case ETHP2P_ERLP_EXPECTED_STRING: return "rlp: expected string";
    case ETHP2P_ERLP_INT_LEADING_ZERO: return "rlp: non-canonical integer (leading zero bytes)";
    case ETHP2P_ERLP_INT_OVERFLOW: return "rlp: integer too large";
    case ETHP2P_ERLP_TOO_DEEP: return "rlp: nesting too deep";
    case ETHP2P_ERLP_WRONG_SIZE: return "rlp: string has the wrong size";
    case ETHP2P_ERLP_TOO_FEW: return "rlp: too few list elements";
    case ETHP2P_EKEY: return "invalid key";
    case ETHP2P_ESIG: return "invalid signature";
    case ETHP2P_EMAC: return "message authentication failed";
    case ETHP2P_ECIPHERTEXT: return "malformed ciphertext";
    case ETHP2P_ERECORD_SIZE: return "enr: record larger than 300 bytes";
    case ETHP2P_ERECORD_KEYS: return "enr: keys not sorted or not unique";
    case ETHP2P_ERECORD_SCHEME: return "enr: unknown or missing identity scheme";
    case ETHP2P_ERECORD_FIELD: return "enr: malformed value for a known key";
    case ETHP2P_ENOTFOUND: return "not found";
    case ETHP2P_EHOSTNAME: return "host name given where an IP address is required";
    case ETHP2P_ERESOLVE: return "host name did not resolve";
    }
    return "unknown error";
}

/*
 * ethp2p/enode.h - node identity, IP addresses and enode URLs.
 *
 * Node ID = keccak256(uncompressed public key without the 0x04 prefix).
 * Kademlia distance is the XOR of two IDs; its "log distance" is the bit
 * length of that XOR (0 for equal IDs, 256 at most).
 *
 * enode URL: enode://<128 hex public key>@<ip>:<tcp port>[?discport=<udp port>]
 * IPv6 addresses are written in brackets. "enode://<hex>" alone names a node
 * without an address. ethp2p_enode_parse() never touches DNS: a host name is
 * reported as ETHP2P_EHOSTNAME. ethp2p_enode_resolve() is the call for
 * user configuration (bootnodes, static and trusted nodes), which may block
 * once in getaddrinfo.
 */
#ifndef ETHP2P_ENODE_H
#define ETHP2P_ENODE_H

#include "ethp2p/key.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_NODE_ID_SIZE 32
/* Longest URL ethp2p_enode_format writes, with the NUL. */
#define ETHP2P_ENODE_URL_MAX 200

typedef struct ethp2p_node_id { uint8_t b[ETHP2P_NODE_ID_SIZE]; } ethp2p_node_id;

/** An IP address: family 0 (none), 4 or 6; IPv4 in b[0..3]. */
typedef struct ethp2p_ip {
    uint8_t family;
    uint8_t b[16];
} ethp2p_ip;

/** A node: public key, derived ID, and optional endpoint. */
typedef struct ethp2p_enode {
    ethp2p_pubkey pubkey;
    ethp2p_node_id id;
    ethp2p_ip ip;  /* family 0: no address */
    uint16_t tcp;
    uint16_t udp;
} ethp2p_enode;

/** Computes the node ID of a public key. */
void ethp2p_node_id_from_pubkey(const ethp2p_pubkey *key, ethp2p_node_id *out);
/** Log distance: bit length of a XOR b, 0..256. */
int ethp2p_node_id_logdist(const ethp2p_node_id *a, const ethp2p_node_id *b);
/** Compares distances to target: <0 if a is closer, 0 if equal, >0 if b is closer. */
int ethp2p_node_id_distcmp(const ethp2p_node_id *target, const ethp2p_node_id *a,
                           const ethp2p_node_id *b);

/**
 * Parses a numeric IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4).
 * Returns 0 or ETHP2P_EFORMAT. Never resolves names.
 */
ETHP2P_WARN_UNUSED int ethp2p_ip_parse(const char *text, ethp2p_ip *out);
/** Formats an address (no brackets) into out (at least 46 bytes). */
void ethp2p_ip_format(const ethp2p_ip *ip, char *out, size_t cap);
/** True for 127.0.0.0/8 and ::1. */
int ethp2p_ip_is_loopback(const ethp2p_ip *ip);
/** True for private and link-local ranges and loopback (what the reference calls LAN). */
int ethp2p_ip_is_lan(const ethp2p_ip *ip);
/** True for the unspecified address (0.0.0.0, ::) or no address. */
int ethp2p_ip_is_unspecified(const ethp2p_ip *ip);
/** True for ranges that are never a node's address: multicast, documentation, reserved, ... */
int ethp2p_ip_is_special(const ethp2p_ip *ip);
/**
 * The relay rule for addresses learned from a third party (Neighbours entries,
 * and nodes we hand out): returns NULL if `addr` may be relayed by/to `sender`,
 * else a short reason ("unspecified", "special", "loopback", "lan").
 */
const char *ethp2p_ip_relay_problem(const ethp2p_ip *sender, const ethp2p_ip *addr);
/** True when a and b share their first `bits` bits (same family). */
int ethp2p_ip_same_prefix(const ethp2p_ip *a, const ethp2p_ip *b, int bits);
/** True when a and b are in the same /24 (IPv4) or /64 (IPv6): what one operator is taken to hold. */
int ethp2p_ip_same_subnet(const ethp2p_ip *a, const ethp2p_ip *b);

/** A list of CIDR ranges (the reference's netutil.Netlist), for --netrestrict. */
#define ETHP2P_NETLIST_MAX 64
typedef struct ethp2p_netlist {
    ethp2p_ip net[ETHP2P_NETLIST_MAX];
    uint8_t bits[ETHP2P_NETLIST_MAX];
    size_t n;
} ethp2p_netlist;

/**
 * Parses a comma-separated list like "10.0.0.0/8,fd00::/8" (at most 64
 * ranges). Returns 0 or ETHP2P_EFORMAT.
 */
ETHP2P_WARN_UNUSED int ethp2p_netlist_parse(const char *text, ethp2p_netlist *out);
/** True when ip lies in one of the ranges. An empty list or NULL contains everything. */
int ethp2p_netlist_contains(const ethp2p_netlist *l, const ethp2p_ip *ip);

/** True when both addresses are equal (same family and bytes). */
int ethp2p_ip_equal(const ethp2p_ip *a, const ethp2p_ip *b);

/**
 * Fills an enode from a public key and endpoint (ip may be NULL).
 * Returns 0 or ETHP2P_EKEY if the key is not on the curve.
 */
ETHP2P_WARN_UNUSED int ethp2p_enode_init(ethp2p_enode *n, const ethp2p_pubkey *key,
                                         const ethp2p_ip *ip, uint16_t tcp, uint16_t udp);

/**
 * Parses an enode URL with a numeric IP (or none). Returns 0, ETHP2P_EFORMAT
 * (syntax), ETHP2P_EKEY (key not on the curve), or ETHP2P_EHOSTNAME when the
 * host is a name; in that case host (cap bytes, may be NULL) receives it.
 */
ETHP2P_WARN_UNUSED int ethp2p_enode_parse(const char *url, ethp2p_enode *out, char *host,
                                          size_t host_cap);

/**
 * Parses an enode URL, resolving a host name with getaddrinfo (may block).
 * Returns as ethp2p_enode_parse, or ETHP2P_ERESOLVE for a name that does
 * not resolve.
 */
ETHP2P_WARN_UNUSED int ethp2p_enode_resolve(const char *url, ethp2p_enode *out);

/** Formats an enode URL into out (ETHP2P_ENODE_URL_MAX bytes suffice). */
ETHP2P_WARN_UNUSED int ethp2p_enode_format(const ethp2p_enode *n, char *out, size_t cap);

#ifdef __cplusplus
}
#endif
#endif

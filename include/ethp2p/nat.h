/*
 * ethp2p/nat.h - the node's address behind a NAT (the reference's --nat):
 *   none        advertise the listen address (or what peers report, ethp2p/iptrack.h)
 *   extip:IP    advertise IP
 *   upnp        ask the gateway (UPnP IGD, miniupnpc) for its external address and to
 *               forward our TCP and UDP ports
 *   pmp         the same with NAT-PMP (libnatpmp), the gateway found from the default route
 *   any         UPnP, else NAT-PMP
 *   stun[:HOST:PORT]  ask a STUN server (RFC 5389 Binding) what address it sees; no port is
 *               mapped (for full-cone NATs and hosts with a public address), checked again
 *               every 15 minutes. Without a server, stun.l.google.com:19302.
 * Mappings are leased for 20 minutes (lease_s) and renewed at three quarters of the lease, retried every minute
 * while the gateway cannot be found, and removed when the NAT is stopped. The
 * gateway's blocking protocols run on libuv's thread pool; callbacks run on the loop.
 */
#ifndef ETHP2P_NAT_H
#define ETHP2P_NAT_H

#include "ethp2p/enode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_NAT_LEASE_S 1200         /* mapping lifetime asked of the gateway */
#define ETHP2P_NAT_RETRY_MS (60ULL * 1000)

typedef enum ethp2p_nat_mode {
    ETHP2P_NAT_NONE = 0,
    ETHP2P_NAT_EXTIP,
    ETHP2P_NAT_UPNP,
    ETHP2P_NAT_PMP,
    ETHP2P_NAT_ANY,
    ETHP2P_NAT_STUN,
} ethp2p_nat_mode;

#define ETHP2P_NAT_DEFAULT_STUN "stun.l.google.com:19302"

typedef struct ethp2p_nat_spec {
    ethp2p_nat_mode mode;
    ethp2p_ip ip;          /* EXTIP */
    char stun_server[256]; /* STUN: host:port */
    uint32_t lease_s;      /* UPNP, PMP, ANY: mapping lifetime asked for (0: ETHP2P_NAT_LEASE_S); renewed at 3/4 of it */
} ethp2p_nat_spec;

/** Parses "none", "any", "upnp", "pmp", "extip:IP" or "stun[:HOST:PORT]" (as the reference's --nat). 0 or ETHP2P_EINVAL. */
int ethp2p_nat_parse(const char *text, ethp2p_nat_spec *out);
/** "none", "extip", "upnp", "pmp", "any" or "stun". */
const char *ethp2p_nat_mode_name(ethp2p_nat_mode m);

typedef struct ethp2p_nat ethp2p_nat;
struct uv_loop_s;

/**
 * Starts mapping tcp_port and udp_port (0: not mapped) through the gateway (UPNP, PMP, ANY),
 * or asking the STUN server (STUN). on_external runs on the loop each time the external
 * address is learned or changes, with how ("upnp", "pmp" or "stun"). Returns 0 or an error.
 */
int ethp2p_nat_start(struct uv_loop_s *loop, const ethp2p_nat_spec *spec, uint16_t tcp_port, uint16_t udp_port,
                     void (*on_external)(void *ctx, const ethp2p_ip *ip, const char *how), void *ctx, ethp2p_nat **out);
/** The external address found so far (0), or ETHP2P_ENOTFOUND. */
int ethp2p_nat_external(const ethp2p_nat *n, ethp2p_ip *out);
/**
 * Removes the mappings (on the thread pool), then frees; done (optional) runs on the loop
 * when they are gone. No callback runs after this returns except done.
 */
void ethp2p_nat_stop(ethp2p_nat *n, void (*done)(void *ctx), void *ctx);

/* ---- STUN messages (RFC 5389), sans-I/O ---- */

#define ETHP2P_STUN_REQUEST_SIZE 20

/** A Binding request with transaction ID tid. */
void ethp2p_stun_request(uint8_t out[ETHP2P_STUN_REQUEST_SIZE], const uint8_t tid[12]);
/**
 * Reads a Binding success response to tid: the XOR-MAPPED-ADDRESS (or, from older
 * servers, MAPPED-ADDRESS), IPv4 or IPv6. Every length is checked; 0, or
 * ETHP2P_EFORMAT for anything else (wrong type, cookie or ID, truncated, no address).
 */
int ethp2p_stun_parse(const uint8_t *msg, size_t len, const uint8_t tid[12], ethp2p_ip *ip, uint16_t *port);

#ifdef __cplusplus
}
#endif

#endif

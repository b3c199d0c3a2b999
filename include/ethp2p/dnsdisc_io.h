/*
 * ethp2p/dnsdisc_io.h - DNS node lists on the libuv loop: TXT lookups with
 * c-ares, and a runner that drives the sans-I/O list client
 * (ethp2p/dnsdisc.h) with them. Used by `ethp2p dns sync` and by
 * `ethp2p node --discovery.dns`, whose nodes it hands to the dialer.
 */
#ifndef ETHP2P_DNSDISC_IO_H
#define ETHP2P_DNSDISC_IO_H

#include "ethp2p/dnsdisc.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uv_loop_s;

typedef struct ethp2p_dns_resolver ethp2p_dns_resolver;
/** A lookup's result: the TXT records of name (each record's strings joined), or err. */
typedef void (*ethp2p_dns_txt_cb)(void *arg, const char *name, const char *const *txts, const size_t *lens,
                                  size_t n, int err);

/**
 * A resolver on loop. servers: "IP[:PORT],…" to ask (NULL: the system's, from
 * /etc/resolv.conf); timeout_ms per try (0: 5 s), two tries.
 */
ETHP2P_WARN_UNUSED int ethp2p_dns_resolver_new(struct uv_loop_s *loop, const char *servers, uint64_t timeout_ms,
                                               ethp2p_dns_resolver **out);
/** Looks up the TXT records of name; cb runs once, from the loop. */
ETHP2P_WARN_UNUSED int ethp2p_dns_resolver_txt(ethp2p_dns_resolver *r, const char *name, ethp2p_dns_txt_cb cb,
                                               void *arg);
/** Cancels what is under way (their callbacks run with ETHP2P_ECANCELED) and frees it once its handles closed. */
void ethp2p_dns_resolver_free(ethp2p_dns_resolver *r);

typedef struct ethp2p_dns_discovery ethp2p_dns_discovery;
typedef void (*ethp2p_dns_node_cb)(void *ctx, const ethp2p_enr *rec, const char *domain);

/**
 * Follows the lists at urls (enrtree://…) on loop, asking servers (NULL: the
 * system's resolvers); every verified node record goes to on_node. Problems
 * in a list are logged (mod=dns) and skipped. 0, ETHP2P_EFORMAT (a bad URL
 * or server list) or ETHP2P_ENOMEM.
 */
ETHP2P_WARN_UNUSED int ethp2p_dns_discovery_start(struct uv_loop_s *loop, const char *const *urls, size_t n,
                                                  const char *servers, ethp2p_dns_node_cb on_node, void *ctx,
                                                  ethp2p_dns_discovery **out);
/** Whether every list is walked at its current root, with no lookup under way. */
int ethp2p_dns_discovery_idle(const ethp2p_dns_discovery *d);
const ethp2p_dns_client_stats *ethp2p_dns_discovery_stats(const ethp2p_dns_discovery *d);
/** Stops and frees (after the loop has run the handles' closing). */
void ethp2p_dns_discovery_stop(ethp2p_dns_discovery *d);

#ifdef __cplusplus
}
#endif
#endif

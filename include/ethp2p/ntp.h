/*
 * ethp2p/ntp.h - the SNTP clock-drift check (RFC 4330).
 *
 * discv4 packets carry expirations in wall-clock seconds, so a node whose
 * clock is off by more than ~20 s sees every reply as expired and every
 * request of its own rejected. The reference client notices this as a run of
 * reply timeouts (ethp2p_discv4_config.on_clock_suspect) and then asks an NTP
 * server; so do we, and warn above 10 s of drift.
 *
 * The codec is pure; ethp2p_ntp_check runs the queries on a libuv loop.
 */
#ifndef ETHP2P_NTP_H
#define ETHP2P_NTP_H

#include "ethp2p/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_NTP_PACKET_SIZE 48
#define ETHP2P_NTP_DRIFT_WARN_MS 10000   /* the reference warns above 10 s */
#define ETHP2P_NTP_QUERIES 3             /* samples per check; the median counts */
#define ETHP2P_NTP_TIMEOUT_MS 5000
#define ETHP2P_NTP_DEFAULT_SERVER "pool.ntp.org:123"

/** Writes a client request stamped with now_ms (Unix ms) as its transmit time. */
void ethp2p_ntp_request(uint8_t out[ETHP2P_NTP_PACKET_SIZE], uint64_t now_ms);

/**
 * Parses a server reply to the request sent at sent_ms, received at recv_ms.
 * Checks length, mode (server), a non-zero stratum (0 is a kiss-of-death),
 * and that the reply's origin timestamp echoes our request (else it is not
 * an answer to us). *offset_ms = how far our clock is behind the server's
 * (positive: we are slow). Returns 0, ETHP2P_EINVAL or ETHP2P_EFORMAT.
 */
int ethp2p_ntp_parse(const uint8_t *reply, size_t len, uint64_t sent_ms, uint64_t recv_ms, int64_t *offset_ms);

struct uv_loop_s;
/** Called once with the median offset of the samples, or err != 0 when none came back. */
typedef void (*ethp2p_ntp_cb)(void *arg, int err, int64_t offset_ms, int samples);
/**
 * Queries server ("host:port"; a name is resolved here, once) ETHP2P_NTP_QUERIES
 * times, one after another, each with a 5 s timeout. Logs a warning when the
 * drift exceeds 10 s. Returns 0 or an error (the callback is then not called).
 */
int ethp2p_ntp_check(struct uv_loop_s *loop, const char *server, ethp2p_ntp_cb cb, void *arg);

#ifdef __cplusplus
}
#endif
#endif

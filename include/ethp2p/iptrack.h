/*
 * ethp2p/iptrack.h - predicts our external endpoint from what other nodes say
 * they see (the "to" endpoint of their Pongs), as the reference's IP tracker:
 * each reporting host counts once (its latest statement), statements older
 * than the window are forgotten, and the endpoint most hosts agree on is the
 * prediction once at least min_statements hosts have spoken. Sans-I/O.
 */
#ifndef ETHP2P_IPTRACK_H
#define ETHP2P_IPTRACK_H

#include "ethp2p/enode.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ETHP2P_IPTRACK_WINDOW_MS (5ULL * 60 * 1000) /* the reference's statement window */
#define ETHP2P_IPTRACK_MIN_STATEMENTS 10            /* the reference's minimum before predicting */
#define ETHP2P_IPTRACK_MAX_HOSTS 256                /* reporting hosts remembered (oldest replaced) */

typedef struct ethp2p_iptrack_statement {
    ethp2p_ip host;      /* who said it */
    ethp2p_ip ip;        /* what it saw: our address and port */
    uint16_t port;
    uint64_t at_ms;
} ethp2p_iptrack_statement;

typedef struct ethp2p_iptrack {
    ethp2p_iptrack_statement s[ETHP2P_IPTRACK_MAX_HOSTS];
    size_t n;
    uint64_t window_ms;
    size_t min_statements;
} ethp2p_iptrack;

/** Starts empty; window_ms 0 and min 0 take the reference's values. */
void ethp2p_iptrack_init(ethp2p_iptrack *t, uint64_t window_ms, size_t min_statements);
/**
 * Records that host sees us at ip:port (replacing its earlier statement). Returns 1 when the
 * tally may have changed (a new host, a different endpoint, statements expired), 0 when the
 * host only repeated itself: a caller may skip predicting again then.
 */
int ethp2p_iptrack_add(ethp2p_iptrack *t, const ethp2p_ip *host, const ethp2p_ip *ip, uint16_t port, uint64_t now_ms);
/**
 * The endpoint most current statements agree on: 1 with ip/port set, or 0 when
 * fewer than min_statements hosts have spoken within the window.
 */
int ethp2p_iptrack_predict(ethp2p_iptrack *t, uint64_t now_ms, ethp2p_ip *ip, uint16_t *port);

#ifdef __cplusplus
}
#endif

#endif

/* A one-shot discv4 session for the CLI tools: a socket, a core, a deadline. */
#ifndef ETHP2P_CLI_SESSION_H
#define ETHP2P_CLI_SESSION_H

#include "ethp2p/io.h"
#include <uv.h>

typedef struct session {
    uv_loop_t *loop;
    ethp2p_discv4_udp *udp;
    ethp2p_discv4 *core;
    uv_timer_t deadline;
    uint64_t end_ms;
    int finished;
    int status; /* exit status */
} session;

/**
 * Opens a session: key from nodekey (or random), bound to addr ("IP:PORT", or
 * NULL for an ephemeral port on the address that routes to `toward`), with
 * the given bootnodes. background enables refresh and revalidation.
 * Returns 0, or prints the problem and returns an exit status.
 */
int session_open(session *s, const char *nodekey, const char *addr, const ethp2p_ip *toward,
                 const ethp2p_enode *bootnodes, size_t nboot, int background, uint64_t timeout_ms);
/** Runs until session_finish() or the deadline; returns the exit status. */
int session_run(session *s, const char *what);
/** Ends the session with an exit status. */
void session_finish(session *s, int status);
/** Milliseconds left before the deadline. */
uint64_t session_left(const session *s);

#endif

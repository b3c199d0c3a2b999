/*
 * hostile: attacks a running node over real sockets, one scenario per run,
 * from a chosen local address, and checks how the node answers. Used by
 * tests/net/test_hostile.sh, which samples the node's RSS and keeps honest
 * traffic going meanwhile. Prints one JSON line of figures; exits 0 when the
 * node behaved as it must, 1 when not, 2 on a usage or set-up error.
 *
 *   hostile SCENARIO ENODE [--from IP] [--n N]
 *
 * The RLPx side is hostile_session.c.
 *
 * RLPx (before and after the handshake):
 *   idle          N connections that never send a byte: each closed within the 5 s handshake timeout
 *                 (after at most 5 s in the node's backlog: one address has 6 of the 50 slots)
 *   partial-auth  N send half an auth message and stall: closed within the same bounds
 *   no-hello      N (at most one address's 6 slots) complete the handshake and never send a
 *                 Hello: closed within the handshake timeout
 *   bad-auth-mac  N send an auth whose ECIES MAC is wrong: closed at once, no ack
 *   bad-frame-mac N send a Hello frame with a wrong MAC: closed at once
 *   huge-frame    N announce a 16 MiB frame before their Hello: Disconnect (protocol error) at once
 *   snappy-bomb   N send a message whose snappy header claims 4 GiB: Disconnect (protocol error) at once
 *   ping-flood    one peer sends N Pings (reading the Pongs as it goes): all answered, the rate printed
 *   ping-noread   Pings without ever reading: the node stops reading while 1 MiB of Pongs wait, and
 *                 drops the peer at its 20 s write timeout
 * eth (after the Hello, eth/68):
 *   bad-status    garbage Status: Disconnect 0x10 (subprotocol error)
 *   wrong-network a Status for another network: Disconnect 0x10
 *   wrong-forkid  a Status with another fork ID: Disconnect 0x10
 *   no-status     never send a Status: dropped within 5 s (read timeout, 0x0b)
 *   big-announce  announce N transaction hashes in one message: up to 16,384 taken, more drop the peer
 *   huge-range    GetBlockHeaders for 2^62 headers: at most 1,024 come back, the peer is kept
 *   dup-tx-flood  the same transaction N times, one per message: absorbed, the peer is kept
 *   unanswered    announce N hashes and never answer the node's requests: it asks, gives up after
 *                 its 5 s timeout, and keeps the peer (as the reference's fetcher does)
 * discv4 (UDP; hostile_v4.c): v4-garbage v4-badsig v4-expired v4-oversized v4-unsolicited v4-findnode
 */
#define _GNU_SOURCE
#include "hostile_session.h"
#include "hostile_v4.h"
#include "ethp2p/key.h"
#include "ethp2p/p2p.h"
#include "ethp2p/random.h"
#include "ethp2p/rlp.h"
#include "ethp2p/tx.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define HANDSHAKE_TIMEOUT_MS 5000
#define MARGIN_MS 2500 /* the node's timer granularity and a loaded machine */
/* A connection beyond its address's share of handshake slots waits up to 5 s in the node's
 * backlog (ETHP2P_RLPX_WAITING_MS), then has the handshake timeout like any other. */
#define WAIT_MS 5000

static int ok = 1;

#define CHECK(cond, ...)                                                                                   \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            fprintf(stderr, "hostile: FAIL: " __VA_ARGS__);                                                \
            fprintf(stderr, "\n");                                                                         \
            ok = 0;                                                                                        \
        }                                                                                                  \
    } while (0)

/* Waits for every fd to be closed by the node; returns how many were, *max_ms the slowest. */
static size_t wait_all_closed(int *fds, size_t n, int timeout_ms, long *max_ms, size_t *bytes_in)
{
    uint64_t t0 = hs_now_ms(), end = t0 + (uint64_t)timeout_ms;
    struct pollfd *pf = calloc(n, sizeof(*pf));
    size_t open = 0, closed = 0;
    for (size_t i = 0; i < n; i++) {
        pf[i].fd = fds[i];
        pf[i].events = POLLIN;
        open += fds[i] >= 0;
    }
    *max_ms = 0;
    uint8_t buf[4096];
    while (open && hs_now_ms() < end) {
        if (poll(pf, n, (int)(end - hs_now_ms())) <= 0) continue;
        for (size_t i = 0; i < n; i++) {
            if (pf[i].fd < 0 || !pf[i].revents) continue;
            ssize_t got = recv(pf[i].fd, buf, sizeof(buf), 0);
            if (got > 0) {
                *bytes_in += (size_t)got;
                continue;
            }
            close(pf[i].fd);
            fds[i] = pf[i].fd = -1;
            open--;
            closed++;
            *max_ms = (long)(hs_now_ms() - t0);
        }
    }
    free(pf);
    return closed;
}

static void close_all(int *fds, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fds[i] >= 0) close(fds[i]);
}

/* N connections each brought to a stall by prepare(); all must be closed within the handshake timeout. */
static void stall(const char *name, size_t n, int (*prepare)(int fd))
{
    int *fds = calloc(n, sizeof(int));
    size_t opened = 0;
    for (size_t i = 0; i < n; i++) {
        fds[i] = hs_dial();
        if (fds[i] >= 0 && prepare && prepare(fds[i])) {
            close(fds[i]);
            fds[i] = -1;
        }
        opened += fds[i] >= 0;
    }
    long max_ms;
    size_t in = 0;
    size_t closed = wait_all_closed(fds, n, WAIT_MS + HANDSHAKE_TIMEOUT_MS + MARGIN_MS + 2000, &max_ms, &in);
    printf("{\"attack\":\"%s\",\"connections\":%zu,\"closed_by_node\":%zu,\"slowest_close_ms\":%ld,\"bytes_from_node\":%zu}\n",
           name, opened, closed, max_ms, in);
    CHECK(opened == n, "%s: only %zu of %zu connections opened", name, opened, n);
    CHECK(closed == opened, "%s: %zu connections still open", name, opened - closed);
    CHECK(max_ms <= WAIT_MS + HANDSHAKE_TIMEOUT_MS + MARGIN_MS, "%s: the slowest close took %ld ms", name, max_ms);
    close_all(fds, n);
    free(fds);
}

static int half_auth(int fd)
{
    sess s;
    ethp2p_rlpx_handshake hs;
    uint8_t auth[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t alen;
    if (hs_auth_bytes(&s, &hs, auth, &alen)) return -1;
    return hs_send_all(fd, auth, alen / 2);
}

/* no-hello: the handshake completes and then nothing. */
static void no_hello(size_t n)
{
    int *fds = calloc(n, sizeof(int));
    size_t opened = 0;
    for (size_t i = 0; i < n; i++) {
        sess s;
        fds[i] = -1;
        if (hs_handshake(&s) == 0) fds[i] = s.fd, opened++;
        else if (s.fd >= 0) close(s.fd);
    }
    long max_ms;
    size_t in = 0;
    size_t closed = wait_all_closed(fds, n, HANDSHAKE_TIMEOUT_MS + MARGIN_MS + 2000, &max_ms, &in);
    printf("{\"attack\":\"no-hello\",\"connections\":%zu,\"closed_by_node\":%zu,\"slowest_close_ms\":%ld}\n", opened, closed, max_ms);
    CHECK(opened == n, "no-hello: %zu of %zu handshakes completed", opened, n);
    CHECK(closed == opened && max_ms <= HANDSHAKE_TIMEOUT_MS + MARGIN_MS, "no-hello: %zu closed, slowest %ld ms", closed, max_ms);
    close_all(fds, n);
    free(fds);
}

/* bad-auth-mac: one byte of the ECIES MAC (the auth's last 32 bytes) flipped. */
static void bad_auth_mac(size_t n)
{
    size_t closed = 0, answered = 0;
    long worst = 0;
    for (size_t i = 0; i < n; i++) {
        sess s;
        ethp2p_rlpx_handshake hs;
        uint8_t auth[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
        size_t alen, in = 0;
        int fd = hs_dial();
        if (fd < 0 || hs_auth_bytes(&s, &hs, auth, &alen)) continue;
        auth[alen - 1] ^= 0x01;
        if (hs_send_all(fd, auth, alen) == 0) {
            long ms = hs_wait_closed(fd, 3000, &in);
            if (ms >= 0) closed++, worst = ms > worst ? ms : worst;
            answered += in > 0;
        }
        close(fd);
    }
    printf("{\"attack\":\"bad-auth-mac\",\"connections\":%zu,\"closed_by_node\":%zu,\"answered\":%zu,\"slowest_close_ms\":%ld}\n",
           n, closed, answered, worst);
    CHECK(closed == n && answered == 0 && worst < 1000, "bad-auth-mac: %zu closed, %zu answered, slowest %ld ms", closed, answered, worst);
}

/* bad-frame-mac: the handshake passes, the first frame's header MAC is wrong. */
static void bad_frame_mac(size_t n)
{
    size_t closed = 0;
    long worst = 0;
    for (size_t i = 0; i < n; i++) {
        sess s;
        if (hs_handshake(&s)) continue;
        ethp2p_buffer wire;
        ethp2p_buffer_init(&wire, 0);
        uint8_t msg[] = {0x80, 0xc0};
        if (ethp2p_rlpx_frame_write(&s.codec, msg, sizeof(msg), &wire) == 0) {
            wire.data[20] ^= 0x40; /* in the header MAC */
            if (hs_send_all(s.fd, wire.data, wire.len) == 0) {
                long ms = hs_wait_closed(s.fd, 3000, NULL);
                if (ms >= 0) closed++, worst = ms > worst ? ms : worst;
            }
        }
        ethp2p_buffer_clear(&wire);
        close(s.fd);
    }
    printf("{\"attack\":\"bad-frame-mac\",\"connections\":%zu,\"closed_by_node\":%zu,\"slowest_close_ms\":%ld}\n", n, closed, worst);
    CHECK(closed == n && worst < 1000, "bad-frame-mac: %zu of %zu closed, slowest %ld ms", closed, n, worst);
}

/* A frame header announcing size bytes (the body is never sent). */
static int send_claim(sess *s, size_t size)
{
    uint8_t *big = calloc(1, size);
    ethp2p_buffer wire;
    ethp2p_buffer_init(&wire, 0);
    int rc = !big || ethp2p_rlpx_frame_write(&s->codec, big, size, &wire) ||
             hs_send_all(s->fd, wire.data, ETHP2P_RLPX_HEADER_SIZE);
    ethp2p_buffer_clear(&wire);
    free(big);
    return rc;
}

/* huge-frame: before the Hello, a header announcing a 16 MiB frame. */
static int huge_frame_send(sess *s) { return hs_handshake(s) || send_claim(s, 0xffffff); }

/* snappy-bomb: after the Hellos, a Ping whose snappy header claims 4 GiB of output. */
static int snappy_bomb_send(sess *s)
{
    /* rlp(code) || snappy data: a varint of 2^32 - 1, then a literal that is far too short. */
    uint8_t msg[] = {ETHP2P_P2P_PING, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0xc0};
    return hs_handshake(s) || hs_hello(s) || hs_send_frame(s, msg, sizeof(msg));
}

/* N connections that each send(): every one must get Disconnect(protocol error) within a second. */
static void protocol_error(const char *name, size_t n, int (*send)(sess *s))
{
    size_t right = 0;
    long worst = 0;
    int last = -3;
    for (size_t i = 0; i < n; i++) {
        sess s = {.fd = -1};
        long ms = 0;
        if (send(&s) == 0) {
            last = hs_await_disconnect(&s, 3000, &ms);
            right += last == ETHP2P_DISC_PROTOCOL_ERROR;
            worst = ms > worst ? ms : worst;
        }
        if (s.fd >= 0) close(s.fd);
    }
    printf("{\"attack\":\"%s\",\"connections\":%zu,\"disconnect_protocol_error\":%zu,\"last_reason\":%d,\"slowest_ms\":%ld}\n",
           name, n, right, last, worst);
    CHECK(right == n && worst < 1000, "%s: %zu of %zu got Disconnect(protocol error), last reason %d", name, right, n, last);
}

/* ping-flood: N Pings as fast as the node answers them (we read the Pongs as we go, at most 4,096 behind). */
static void ping_flood(size_t n)
{
    sess s;
    if (hs_eth_ready(&s)) {
        CHECK(0, "ping-flood: could not connect");
        return;
    }
    uint64_t t0 = hs_now_ms();
    size_t sent = 0, pongs = 0;
    uint8_t empty[] = {0xc0};
    ethp2p_buffer m;
    ethp2p_buffer_init(&m, 0);
    int reason = -2;
    while (pongs < n && reason == -2) {
        while (sent < n && sent - pongs < 4096 && hs_send_msg(&s, ETHP2P_P2P_PING, empty, 1) == 0) sent++;
        uint64_t code;
        int rc = hs_recv_msg(&s, &code, &m, 5000);
        if (rc) reason = -1;
        else if (code == ETHP2P_P2P_PONG) pongs++;
        else if (code == ETHP2P_P2P_DISCONNECT) reason = ethp2p_disconnect_decode(m.data, m.len);
    }
    uint64_t ms = hs_now_ms() - t0;
    ethp2p_buffer_clear(&m);
    close(s.fd);
    printf("{\"attack\":\"ping-flood\",\"pings\":%zu,\"pongs\":%zu,\"ms\":%llu,\"pongs_per_s\":%.0f,\"disconnect\":%d}\n",
           sent, pongs, (unsigned long long)ms, ms ? pongs * 1000.0 / (double)ms : 0.0, reason);
    CHECK(pongs == n, "ping-flood: %zu Pongs for %zu Pings", pongs, sent);
}

/* ping-noread: Pings without ever reading a Pong. The node stops reading from us once 1 MiB of
 * Pongs wait, so our writes stall; with no progress for its 20 s write timeout it drops us. */
static void ping_noread(size_t n)
{
    sess s;
    if (hs_eth_ready(&s)) { /* a full eth peer: no Status timer cuts it short */
        CHECK(0, "ping-noread: could not connect");
        return;
    }
    struct timeval tv = {35, 0};
    setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    uint64_t t0 = hs_now_ms();
    size_t sent = 0;
    uint8_t empty[] = {0xc0};
    while (sent < n && hs_send_msg(&s, ETHP2P_P2P_PING, empty, 1) == 0) sent++;
    uint64_t ms = hs_now_ms() - t0;
    long closed_ms = hs_wait_closed(s.fd, 30000, NULL);
    close(s.fd);
    printf("{\"attack\":\"ping-noread\",\"pings_sent\":%zu,\"dropped_after_ms\":%llu,\"dropped\":%d}\n", sent,
           (unsigned long long)ms, closed_ms >= 0);
    CHECK(sent < n, "ping-noread: all %zu Pings were taken: nothing held us back", sent);
    /* Dropped at the write timeout (20 s without progress), not before: it was a valid peer. */
    CHECK(closed_ms >= 0 && ms >= 15000 && ms < 30000, "ping-noread: dropped after %llu ms", (unsigned long long)ms);
}

/* The eth scenarios that must end in a particular Disconnect. */
static void eth_refused(const char *name, int want, void (*spoil)(ethp2p_eth_status *st), int garbage, int silent)
{
    sess s;
    ethp2p_eth_status st;
    if (hs_eth_open(&s, &st)) {
        CHECK(0, "%s: no Status from the node", name);
        return;
    }
    if (garbage) {
        uint8_t junk[] = {0xc5, 0x01, 0x02, 0xc1, 0xff, 0x05};
        (void)hs_send_msg(&s, ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_STATUS, junk, sizeof(junk));
    } else if (!silent) {
        spoil(&st);
        (void)hs_send_status(&s, &st);
    }
    long ms = 0;
    int reason = hs_await_disconnect(&s, silent ? HANDSHAKE_TIMEOUT_MS + MARGIN_MS + 2000 : 3000, &ms);
    close(s.fd);
    printf("{\"attack\":\"%s\",\"disconnect\":%d,\"reason\":\"%s\",\"after_ms\":%ld}\n", name, reason,
           reason >= 0 ? ethp2p_disconnect_reason_name(reason) : "none", ms);
    CHECK(reason == want, "%s: Disconnect %d, want %d", name, reason, want);
}

static void other_network(ethp2p_eth_status *st) { st->network_id ^= 0x55; }
static void other_fork(ethp2p_eth_status *st) { st->forkid.hash[0] ^= 0xff; }

/* After Status both ways: whether the node still answers (a Ping gets a Pong) and keeps us. */
static int still_peer(sess *s)
{
    uint8_t empty[] = {0xc0};
    if (hs_send_msg(s, ETHP2P_P2P_PING, empty, 1)) return 0;
    ethp2p_buffer m;
    ethp2p_buffer_init(&m, 0);
    uint64_t code;
    int rc, pong = 0;
    while (!pong && (rc = hs_recv_msg(s, &code, &m, 5000)) == 0) {
        if (code == ETHP2P_P2P_DISCONNECT) break;
        pong = code == ETHP2P_P2P_PONG;
    }
    ethp2p_buffer_clear(&m);
    return pong;
}

/*
 * One NewPooledTransactionHashes (eth/68: types, sizes, hashes) of n random hashes; *len its size.
 * Written by hand: the library's encoder stops at what we send (4,096), attacks go past it.
 */
static int send_announcement(sess *s, size_t n, size_t *len)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    uint8_t *types = malloc(n ? n : 1), h[32];
    if (!types) return -1;
    memset(types, 2, n);
    (void)ethp2p_rlp_list_begin(&w);
    (void)ethp2p_rlp_put_bytes(&w, types, n);
    (void)ethp2p_rlp_list_begin(&w);
    for (size_t i = 0; i < n; i++) (void)ethp2p_rlp_put_uint(&w, 120);
    (void)ethp2p_rlp_list_end(&w);
    (void)ethp2p_rlp_list_begin(&w);
    for (size_t i = 0; i < n; i++) {
        if (ethp2p_random_bytes(h, 32)) memset(h, (int)i, 32);
        (void)ethp2p_rlp_put_bytes(&w, h, 32);
    }
    (void)ethp2p_rlp_list_end(&w);
    (void)ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    int rc = ethp2p_rlp_writer_finish(&w, &d, len) ||
             hs_send_msg(s, ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_NEW_POOLED_TX_HASHES, d, *len);
    ethp2p_rlp_writer_clear(&w);
    free(types);
    return rc ? -1 : 0;
}

/* big-announce: N hashes in one NewPooledTransactionHashes. */
static void big_announce(size_t n)
{
    sess s;
    if (hs_eth_ready(&s)) {
        CHECK(0, "big-announce: no eth session");
        return;
    }
    size_t len = 0;
    int sent = send_announcement(&s, n, &len) == 0;
    int kept = sent && still_peer(&s);
    close(s.fd);
    printf("{\"attack\":\"big-announce\",\"hashes\":%zu,\"bytes\":%zu,\"peer_kept\":%d}\n", n, len, kept);
    CHECK(sent, "big-announce: could not send");
    /* Up to 16,384 hashes are taken (the fetcher keeps its own bounds); more drop the peer (protocol-notes.md). */
    CHECK(kept == (n <= 16384), "big-announce: %zu hashes, peer kept %d", n, kept);
}

/* huge-range: GetBlockHeaders [id, [origin 0, amount 2^62, skip 0, reverse 0]]. */
static void huge_range(void)
{
    sess s;
    if (hs_eth_ready(&s)) {
        CHECK(0, "huge-range: no eth session");
        return;
    }
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    (void)ethp2p_rlp_list_begin(&w);
    (void)ethp2p_rlp_put_uint(&w, 7);
    (void)ethp2p_rlp_list_begin(&w);
    (void)ethp2p_rlp_put_uint(&w, 0);
    (void)ethp2p_rlp_put_uint(&w, 1ULL << 62);
    (void)ethp2p_rlp_put_uint(&w, 0);
    (void)ethp2p_rlp_put_uint(&w, 0);
    (void)ethp2p_rlp_list_end(&w);
    (void)ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    size_t len;
    long headers = -1;
    uint64_t t0 = hs_now_ms();
    if (ethp2p_rlp_writer_finish(&w, &d, &len) == 0 &&
        hs_send_msg(&s, ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_GET_BLOCK_HEADERS, d, len) == 0) {
        ethp2p_buffer m;
        ethp2p_buffer_init(&m, 0);
        uint64_t code, id;
        while (hs_recv_msg(&s, &code, &m, 5000) == 0) {
            if (code != ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_BLOCK_HEADERS) continue;
            ethp2p_rlp_item list;
            if (ethp2p_eth_response_decode(m.data, m.len, &id, &list) == 0 && id == 7) headers = ethp2p_rlp_list_count(&list);
            break;
        }
        ethp2p_buffer_clear(&m);
    }
    ethp2p_rlp_writer_clear(&w);
    int kept = headers >= 0 && still_peer(&s);
    close(s.fd);
    printf("{\"attack\":\"huge-range\",\"asked\":%llu,\"headers_returned\":%ld,\"ms\":%llu,\"peer_kept\":%d}\n",
           1ULL << 62, headers, (unsigned long long)(hs_now_ms() - t0), kept);
    CHECK(headers > 0 && headers <= 1024, "huge-range: %ld headers", headers);
    CHECK(kept, "huge-range: the peer was dropped");
}

/* dup-tx-flood: one valid transaction sent n times, one per Transactions message. */
static void dup_tx_flood(size_t n, uint64_t chain_id)
{
    sess s;
    if (hs_eth_ready(&s)) {
        CHECK(0, "dup-tx-flood: no eth session");
        return;
    }
    ethp2p_privkey k;
    if (ethp2p_privkey_generate(&k)) return;
    uint8_t to[20] = {1};
    ethp2p_buffer tx;
    ethp2p_buffer_init(&tx, 0);
    if (ethp2p_tx_make_transfer(&k, chain_id, 0, to, 1, NULL, 0, &tx)) return;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    (void)ethp2p_rlp_list_begin(&w);
    (void)ethp2p_rlp_put_bytes(&w, tx.data, tx.len);
    (void)ethp2p_rlp_list_end(&w);
    const uint8_t *d;
    size_t len, sent = 0;
    uint64_t t0 = hs_now_ms();
    if (ethp2p_rlp_writer_finish(&w, &d, &len) == 0)
        while (sent < n && hs_send_msg(&s, ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_TRANSACTIONS, d, len) == 0) sent++;
    uint64_t ms = hs_now_ms() - t0;
    int kept = still_peer(&s);
    close(s.fd);
    ethp2p_rlp_writer_clear(&w);
    ethp2p_buffer_clear(&tx);
    printf("{\"attack\":\"dup-tx-flood\",\"sent\":%zu,\"send_ms\":%llu,\"per_s\":%.0f,\"peer_kept\":%d}\n", sent,
           (unsigned long long)ms, ms ? sent * 1000.0 / (double)ms : 0.0, kept);
    CHECK(sent == n, "dup-tx-flood: only %zu sent", sent);
    CHECK(kept, "dup-tx-flood: the peer was dropped for duplicates");
}

/* unanswered: announce n hashes (one per message) and never answer what the node asks for. */
static void unanswered(size_t n)
{
    sess s;
    if (hs_eth_ready(&s)) {
        CHECK(0, "unanswered: no eth session");
        return;
    }
    size_t requests = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        (void)send_announcement(&s, 1, &len);
    }
    /* Read for a while: count the node's requests, answer none. */
    ethp2p_buffer m;
    ethp2p_buffer_init(&m, 0);
    uint64_t code, end = hs_now_ms() + 3000;
    int reason = -2;
    while (hs_now_ms() < end && hs_recv_msg(&s, &code, &m, 500) != -1) {
        if (code == ETHP2P_P2P_BASE_CODES + ETHP2P_ETH_GET_POOLED_TXS) requests++;
        if (code == ETHP2P_P2P_DISCONNECT) {
            reason = ethp2p_disconnect_decode(m.data, m.len);
            break;
        }
        code = 0;
    }
    ethp2p_buffer_clear(&m);
    sleep(3); /* past the node's 5 s request timeout */
    int kept = reason == -2 && still_peer(&s);
    close(s.fd);
    printf("{\"attack\":\"unanswered\",\"announced\":%zu,\"requests_from_node\":%zu,\"peer_kept\":%d}\n", n, requests, kept);
    CHECK(requests > 0, "unanswered: the node asked for nothing");
    CHECK(kept, "unanswered: the peer was dropped");
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hostile SCENARIO ENODE [--from IP] [--n N] [--chain-id ID] [--rate PACKETS/S]\n");
        return 2;
    }
    const char *sc = argv[1];
    size_t n = 0;
    uint64_t chain_id = 1337;
    unsigned rate = 20000;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--from")) hs_from_ip = argv[i + 1];
        else if (!strcmp(argv[i], "--n")) n = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--chain-id")) chain_id = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--rate")) rate = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else return 2;
    }
    if (ethp2p_enode_parse(argv[2], &hs_target, NULL, 0) || hs_target.ip.family != 4) {
        fprintf(stderr, "hostile: not an IPv4 enode URL: %s\n", argv[2]);
        return 2;
    }
    if (!strncmp(sc, "v4-", 3)) return hostile_v4(sc, n ? n : 50000, rate ? rate : 1);
    if (!strcmp(sc, "idle")) stall("idle", n ? n : 200, NULL);
    else if (!strcmp(sc, "partial-auth")) stall("partial-auth", n ? n : 100, half_auth);
    else if (!strcmp(sc, "no-hello")) no_hello(n ? n : 6);
    else if (!strcmp(sc, "bad-auth-mac")) bad_auth_mac(n ? n : 100);
    else if (!strcmp(sc, "bad-frame-mac")) bad_frame_mac(n ? n : 50);
    else if (!strcmp(sc, "huge-frame")) protocol_error("huge-frame", n ? n : 20, huge_frame_send);
    else if (!strcmp(sc, "snappy-bomb")) protocol_error("snappy-bomb", n ? n : 20, snappy_bomb_send);
    else if (!strcmp(sc, "ping-flood")) ping_flood(n ? n : 200000);
    else if (!strcmp(sc, "ping-noread")) ping_noread(n ? n : 5000000);
    else if (!strcmp(sc, "bad-status")) eth_refused("bad-status", ETHP2P_DISC_SUBPROTOCOL_ERROR, NULL, 1, 0);
    else if (!strcmp(sc, "wrong-network")) eth_refused("wrong-network", ETHP2P_DISC_SUBPROTOCOL_ERROR, other_network, 0, 0);
    else if (!strcmp(sc, "wrong-forkid")) eth_refused("wrong-forkid", ETHP2P_DISC_SUBPROTOCOL_ERROR, other_fork, 0, 0);
    else if (!strcmp(sc, "no-status")) eth_refused("no-status", ETHP2P_DISC_READ_TIMEOUT, NULL, 0, 1);
    else if (!strcmp(sc, "big-announce")) big_announce(n ? n : 20000);
    else if (!strcmp(sc, "huge-range")) huge_range();
    else if (!strcmp(sc, "dup-tx-flood")) dup_tx_flood(n ? n : 20000, chain_id);
    else if (!strcmp(sc, "unanswered")) unanswered(n ? n : 200);
    else {
        fprintf(stderr, "hostile: unknown scenario %s\n", sc);
        return 2;
    }
    fflush(stdout);
    return ok ? 0 : 1;
}

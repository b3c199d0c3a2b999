/*
 * The discv4 attacks of tests/hostile: datagrams to the node's UDP port from
 * the attack address, and what comes back. Each prints one JSON line: packets
 * and bytes sent, their rate, and the bytes the node sent back (for FindNode
 * from strangers, the amplification: bytes out per byte in).
 *
 *   v4-garbage    random datagrams of 1..1280 bytes
 *   v4-badsig     Pings whose signature is not the sender's (the hash made to match)
 *   v4-expired    correctly signed Pings that expired a minute ago
 *   v4-oversized  1,500-byte datagrams (the limit is 1,280)
 *   v4-unsolicited correctly signed Pongs and Neighbours nobody asked for
 *   v4-findnode   FindNode from 256 identities that never bonded: nothing may come back
 *   v4-sybil      N identities, each from its own address of the attack address's /24 (the
 *                 host part counts up from it), ping the node and answer its Pings back, so
 *                 all bond; the table's IP limits must keep at most 10 of them (the test reads
 *                 the table size; the addresses must not be LAN ones, which are exempt)
 * None may be answered; the node's counters (the test reads /metrics) show each drop's reason.
 * Datagrams go out at a given rate (packets per second), so that what the
 * node handles is measured, not what the kernel drops for it.
 */
#include "hostile_v4.h"
#include "hostile_session.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"
#include "ethp2p/random.h"
#include "ethp2p/v4wire.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEYS 256

typedef struct v4_packet {
    uint8_t b[1500];
    size_t n;
} v4_packet;

static int udp_socket(struct sockaddr_in *to)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (fd < 0 || inet_pton(AF_INET, hs_from_ip, &a.sin_addr) != 1 || bind(fd, (struct sockaddr *)&a, sizeof(a))) return -1;
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
    memset(to, 0, sizeof(*to));
    to->sin_family = AF_INET;
    to->sin_port = htons(hs_target.udp);
    memcpy(&to->sin_addr, hs_target.ip.b, 4);
    return fd;
}

static ethp2p_v4_endpoint endpoint(uint8_t last, uint16_t port)
{
    ethp2p_v4_endpoint e = {.udp = port, .tcp = port};
    e.ip.family = 4;
    e.ip.b[0] = 127, e.ip.b[3] = last;
    return e;
}

/* A correctly signed packet of the given type from key i; what varies is decided by the scenario. */
static int signed_packet(const char *sc, size_t i, v4_packet *out)
{
    ethp2p_privkey k;
    memset(k.b, 0x31, 32);
    k.b[0] = 0x01;
    k.b[31] = (uint8_t)(i % KEYS);
    k.b[30] = (uint8_t)(i % KEYS >> 8);
    ethp2p_v4_packet p;
    memset(&p, 0, sizeof(p));
    uint64_t now = (uint64_t)time(NULL);
    p.expiration = now + 60;
    if (!strcmp(sc, "v4-badsig") || !strcmp(sc, "v4-expired")) {
        p.type = ETHP2P_V4_PING;
        p.u.ping.version = 4;
        p.u.ping.from = endpoint(2, 30303);
        p.u.ping.to = endpoint(1, hs_target.udp);
        if (!strcmp(sc, "v4-expired")) p.expiration = now - 60;
    } else if (!strcmp(sc, "v4-unsolicited")) {
        if (i % 2) {
            p.type = ETHP2P_V4_PONG;
            p.u.pong.to = endpoint(2, 30303);
            memset(p.u.pong.ping_hash, (int)i, 32);
        } else {
            p.type = ETHP2P_V4_NEIGHBOURS;
            p.u.neighbours.count = 12;
            for (size_t j = 0; j < 12; j++) {
                p.u.neighbours.nodes[j].ep = endpoint((uint8_t)(10 + j), 30303);
                memset(p.u.neighbours.nodes[j].key.b, (int)(i + j), 64);
            }
        }
    } else { /* v4-findnode */
        p.type = ETHP2P_V4_FINDNODE;
        memset(p.u.findnode.target.b, (int)i, 64);
    }
    out->n = sizeof(out->b);
    if (ethp2p_v4_encode(&k, &p, out->b, &out->n, NULL)) return -1;
    if (!strcmp(sc, "v4-badsig")) { /* a recovery ID no signature has, and the outer hash made to match it */
        out->b[32 + 64] = 0x1f;
        ethp2p_keccak256(out->b + 32, out->n - 32, out->b);
    }
    return 0;
}

static ethp2p_privkey sybil_key(size_t i)
{
    ethp2p_privkey k;
    memset(k.b, 0x47, 32);
    k.b[0] = 0x01;
    k.b[31] = (uint8_t)i;
    return k;
}

/* v4-sybil: n identities on n addresses, each bonding with the node. */
static int sybil(size_t n)
{
    if (n > 250) n = 250;
    struct in_addr base;
    if (inet_pton(AF_INET, hs_from_ip, &base) != 1) return 2;
    int *fds = calloc(n, sizeof(int));
    struct sockaddr_in to;
    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons(hs_target.udp);
    memcpy(&to.sin_addr, hs_target.ip.b, 4);
    size_t pinged = 0, answered = 0, pongs_in = 0;
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(30303)};
        a.sin_addr.s_addr = htonl(ntohl(base.s_addr) + (uint32_t)i);
        fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof(a))) {
            fprintf(stderr, "hostile: v4-sybil: cannot bind address %zu of the /24\n", i);
            return 2;
        }
        ethp2p_privkey k = sybil_key(i);
        ethp2p_v4_packet p;
        memset(&p, 0, sizeof(p));
        p.type = ETHP2P_V4_PING;
        p.expiration = (uint64_t)time(NULL) + 60;
        p.u.ping.version = 4;
        p.u.ping.from.ip.family = 4;
        memcpy(p.u.ping.from.ip.b, &a.sin_addr, 4);
        p.u.ping.from.udp = p.u.ping.from.tcp = 30303;
        p.u.ping.to.ip = hs_target.ip;
        p.u.ping.to.udp = hs_target.udp;
        uint8_t out[ETHP2P_V4_MAX_PACKET];
        size_t len = sizeof(out);
        if (ethp2p_v4_encode(&k, &p, out, &len, NULL) == 0 &&
            sendto(fds[i], out, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
            pinged++;
    }
    /* Answer the node's Pings (and only those) for 3 s: every identity bonds. */
    struct pollfd *pf = calloc(n, sizeof(*pf));
    for (size_t i = 0; i < n; i++) pf[i].fd = fds[i], pf[i].events = POLLIN;
    uint64_t end = hs_now_ms() + 3000;
    while (hs_now_ms() < end) {
        if (poll(pf, n, 100) <= 0) continue;
        for (size_t i = 0; i < n; i++) {
            if (!pf[i].revents) continue;
            uint8_t buf[2048];
            ssize_t got = recv(fds[i], buf, sizeof(buf), 0);
            ethp2p_v4_packet in, reply;
            ethp2p_v4_meta meta;
            if (got <= 0 || ethp2p_v4_decode(buf, (size_t)got, &in, &meta)) continue;
            if (in.type == ETHP2P_V4_PONG) pongs_in++;
            if (in.type != ETHP2P_V4_PING) continue;
            memset(&reply, 0, sizeof(reply));
            reply.type = ETHP2P_V4_PONG;
            reply.expiration = (uint64_t)time(NULL) + 60;
            reply.u.pong.to.ip = hs_target.ip;
            reply.u.pong.to.udp = hs_target.udp;
            memcpy(reply.u.pong.ping_hash, meta.hash, 32);
            ethp2p_privkey k = sybil_key(i);
            uint8_t out[ETHP2P_V4_MAX_PACKET];
            size_t len = sizeof(out);
            if (ethp2p_v4_encode(&k, &reply, out, &len, NULL) == 0 &&
                sendto(fds[i], out, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
                answered++;
        }
    }
    for (size_t i = 0; i < n; i++) close(fds[i]);
    free(fds);
    free(pf);
    printf("{\"attack\":\"v4-sybil\",\"identities\":%zu,\"pinged\":%zu,\"pongs_from_node\":%zu,\"pings_from_node_answered\":%zu}\n",
           n, pinged, pongs_in, answered);
    int ok = pinged == n && answered >= n * 9 / 10;
    if (!ok) fprintf(stderr, "hostile: FAIL: v4-sybil: %zu pinged, %zu bonds completed\n", pinged, answered);
    return ok ? 0 : 1;
}

int hostile_v4(const char *sc, size_t n, unsigned rate)
{
    if (!strcmp(sc, "v4-sybil")) return sybil(n);
    struct sockaddr_in to;
    int fd = udp_socket(&to);
    if (fd < 0) return 2;
    /* What is sent: built once (signing is slow), then sent round-robin. */
    size_t distinct = n < KEYS ? n : KEYS;
    v4_packet *pk = calloc(distinct, sizeof(*pk));
    if (!pk) return 2;
    for (size_t i = 0; i < distinct; i++) {
        if (!strcmp(sc, "v4-garbage")) {
            pk[i].n = 1 + (size_t)(i * 7919 % 1280);
            if (ethp2p_random_bytes(pk[i].b, pk[i].n)) return 2;
        } else if (!strcmp(sc, "v4-oversized")) {
            pk[i].n = 1500;
            if (ethp2p_random_bytes(pk[i].b, pk[i].n)) return 2;
            ethp2p_keccak256(pk[i].b + 32, pk[i].n - 32, pk[i].b);
        } else if (signed_packet(sc, i, &pk[i])) {
            fprintf(stderr, "hostile: cannot build %s packets\n", sc);
            return 2;
        }
    }
    uint64_t t0 = hs_now_ms();
    size_t sent = 0, bytes_out = 0, bytes_back = 0, packets_back = 0;
    uint8_t buf[2048];
    for (size_t i = 0; i < n; i++) {
        const v4_packet *p = &pk[i % distinct];
        if (sendto(fd, p->b, p->n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)p->n) sent++, bytes_out += p->n;
        /* Drain what comes back as we go, and keep to the rate. */
        if (i % 64 == 63) {
            ssize_t got;
            while ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) bytes_back += (size_t)got, packets_back++;
            uint64_t due = t0 + (uint64_t)(i + 1) * 1000 / rate, t = hs_now_ms();
            if (due > t) usleep((useconds_t)(due - t) * 1000);
        }
    }
    uint64_t ms = hs_now_ms() - t0;
    uint64_t end = hs_now_ms() + 1000; /* late answers */
    while (hs_now_ms() < end) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, 100) <= 0) continue;
        ssize_t got = recv(fd, buf, sizeof(buf), 0);
        if (got > 0) bytes_back += (size_t)got, packets_back++;
    }
    close(fd);
    free(pk);
    printf("{\"attack\":\"%s\",\"packets\":%zu,\"bytes\":%zu,\"ms\":%llu,\"packets_per_s\":%.0f,"
           "\"packets_back\":%zu,\"bytes_back\":%zu,\"amplification\":%.4f}\n",
           sc, sent, bytes_out, (unsigned long long)ms, ms ? sent * 1000.0 / (double)ms : 0.0, packets_back, bytes_back,
           bytes_out ? (double)bytes_back / (double)bytes_out : 0.0);
    int ok = sent == n && packets_back == 0;
    if (!ok) fprintf(stderr, "hostile: FAIL: %s: %zu of %zu sent, %zu packets came back\n", sc, sent, n, packets_back);
    return ok ? 0 : 1;
}

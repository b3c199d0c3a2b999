/*
 * RLPx figures in the shape of go-ethereum's p2p/rlpx BenchmarkThroughput and
 * handshake benchmark, so they can be set beside the numbers Go users know:
 *   - a loopback TCP pair, a real handshake (the library's sans-I/O pieces on
 *     blocking sockets), then a writer thread sending messages of random bytes
 *     and a reader thread reading, decoding and decompressing them; MB/s of
 *     message data at the reader. 1 KiB with snappy (the Go benchmark's case),
 *     1 KiB without, 16 KiB with.
 *   - handshakes per second, both sides on loopback TCP in one process
 *     (connect, accept, auth, ack, secrets), one after another.
 * No bound: these are for comparison with other stacks (docs/benchmarks.md).
 */
#include "bench_util.h"
#include "ethp2p/buffer.h"
#include "ethp2p/key.h"
#include "ethp2p/p2p.h"
#include "ethp2p/random.h"
#include "ethp2p/rlpx.h"
#include "ethp2p/version.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0) return -1;
        p += r, n -= (size_t)r;
    }
    return 0;
}

/* A connected loopback pair: *a dialled, *b accepted. */
static int tcp_pair(int lfd, const struct sockaddr_in *at, int *a, int *b)
{
    *a = socket(AF_INET, SOCK_STREAM, 0);
    if (*a < 0 || connect(*a, (const struct sockaddr *)at, sizeof(*at))) return -1;
    if ((*b = accept(lfd, NULL, NULL)) < 0) return -1;
    int one = 1;
    setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return 0;
}

/* Reads one EIP-8 handshake message (2-byte size prefix) into buf. */
static int read_hs_msg(int fd, uint8_t *buf, size_t *len)
{
    if (recv_all(fd, buf, 2)) return -1;
    size_t n = (size_t)buf[0] << 8 | buf[1];
    if (n > ETHP2P_RLPX_MAX_HANDSHAKE || recv_all(fd, buf + 2, n)) return -1;
    *len = n + 2;
    return 0;
}

/* The full handshake over the pair: the initiator on a, the recipient on b; secrets out. */
static int handshake(int a, int b, const ethp2p_privkey *ka, const ethp2p_privkey *kb, const ethp2p_pubkey *pb,
                     ethp2p_rlpx_secrets *sa, ethp2p_rlpx_secrets *sb)
{
    ethp2p_rlpx_handshake hi, hr;
    uint8_t buf[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t len = sizeof(buf), used;
    if (ethp2p_rlpx_handshake_init(&hi, 1, ka, pb) || ethp2p_rlpx_handshake_init(&hr, 0, kb, NULL) ||
        ethp2p_rlpx_auth_write(&hi, buf, &len) || send_all(a, buf, len) || read_hs_msg(b, buf, &len) ||
        ethp2p_rlpx_auth_read(&hr, buf, len, &used))
        return -1;
    len = sizeof(buf);
    if (ethp2p_rlpx_ack_write(&hr, buf, &len) || send_all(b, buf, len) || read_hs_msg(a, buf, &len) ||
        ethp2p_rlpx_ack_read(&hi, buf, len, &used))
        return -1;
    return ethp2p_rlpx_secrets_derive(&hi, sa) || ethp2p_rlpx_secrets_derive(&hr, sb) ? -1 : 0;
}

typedef struct writer {
    int fd;
    ethp2p_rlpx_secrets sec;
    size_t size, count;
    int snappy;
    int failed;
} writer;

static void *write_loop(void *arg)
{
    writer *w = arg;
    ethp2p_rlpx_frame_codec c;
    ethp2p_rlpx_frame_init(&c, &w->sec);
    uint8_t *data = malloc(w->size);
    ethp2p_buffer msg, wire;
    ethp2p_buffer_init(&msg, 0);
    ethp2p_buffer_init(&wire, 0);
    if (!data || ethp2p_random_bytes(data, w->size)) w->failed = 1;
    for (size_t i = 0; i < w->count && !w->failed; i++) {
        ethp2p_buffer_reset(&msg);
        ethp2p_buffer_reset(&wire);
        if (ethp2p_p2p_msg_encode(0x10, data, w->size, w->snappy, &msg) ||
            ethp2p_rlpx_frame_write(&c, msg.data, msg.len, &wire) || send_all(w->fd, wire.data, wire.len))
            w->failed = 1;
    }
    ethp2p_buffer_clear(&msg);
    ethp2p_buffer_clear(&wire);
    free(data);
    return NULL;
}

/* count messages of size bytes from the writer thread; MB/s of message data at the reader (this thread). */
static double throughput(int lfd, const struct sockaddr_in *at, size_t size, size_t count, int snappy)
{
    ethp2p_privkey ka, kb;
    ethp2p_pubkey pb;
    int a, b;
    ethp2p_rlpx_secrets sa, sb;
    if (ethp2p_privkey_generate(&ka) || ethp2p_privkey_generate(&kb) || ethp2p_privkey_to_pubkey(&kb, &pb) ||
        tcp_pair(lfd, at, &a, &b) || handshake(a, b, &ka, &kb, &pb, &sa, &sb))
        return -1;
    writer w = {a, sa, size, count, snappy, 0};
    ethp2p_rlpx_frame_codec c;
    ethp2p_rlpx_frame_init(&c, &sb);
    pthread_t th;
    double t0 = bench_now();
    if (pthread_create(&th, NULL, write_loop, &w)) return -1;
    uint8_t hdr[ETHP2P_RLPX_HEADER_SIZE];
    uint8_t *body = malloc(size + 4096);
    ethp2p_buffer dec;
    ethp2p_buffer_init(&dec, 0);
    size_t got = 0, bytes = 0;
    for (; got < count; got++) {
        size_t fsize, blen;
        uint64_t code;
        const uint8_t *d;
        size_t dn;
        if (recv_all(b, hdr, sizeof(hdr)) || ethp2p_rlpx_frame_read_header(&c, hdr, &fsize, &blen) ||
            blen > size + 4096 || recv_all(b, body, blen) || ethp2p_rlpx_frame_read_body(&c, body, blen))
            break;
        ethp2p_buffer_reset(&dec);
        if (ethp2p_p2p_msg_decode(body, fsize, snappy, &code, &d, &dn, &dec) || dn != size) break;
        bytes += dn;
    }
    double t = bench_now() - t0;
    pthread_join(th, NULL);
    ethp2p_buffer_clear(&dec);
    free(body);
    close(a);
    close(b);
    return got == count && !w.failed ? (double)bytes / t / 1e6 : -1;
}

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    printf("# ethp2p %s RLPx over loopback TCP in the shape of go-ethereum's p2p/rlpx benchmarks%s\n",
           ethp2p_version(), quick ? " [quick]" : "");
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in at = {.sin_family = AF_INET};
    socklen_t alen = sizeof(at);
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&at, sizeof(at)) || listen(lfd, 64) ||
        getsockname(lfd, (struct sockaddr *)&at, &alen)) {
        perror("bench_throughput: listen");
        return 1;
    }
    size_t n1 = quick ? 2000 : 200000, n16 = quick ? 200 : 20000;
    double v[3] = {throughput(lfd, &at, 1024, n1, 1), throughput(lfd, &at, 1024, n1, 0), throughput(lfd, &at, 16384, n16, 1)};
    if (v[0] < 0 || v[1] < 0 || v[2] < 0) {
        fprintf(stderr, "bench_throughput: a transfer failed\n");
        return 1;
    }
    bench_row("RLPx throughput 1 KiB, snappy (Go BenchmarkThroughput shape)", v[0], "MB/s", 0, "");
    bench_row("RLPx throughput 1 KiB, no snappy", v[1], "MB/s", 0, "");
    bench_row("RLPx throughput 16 KiB, snappy", v[2], "MB/s", 0, "");
    /* Handshakes: both sides over loopback TCP, one after another. */
    size_t hs = quick ? 20 : 1000;
    ethp2p_privkey ka, kb;
    ethp2p_pubkey pb;
    if (ethp2p_privkey_generate(&ka) || ethp2p_privkey_generate(&kb) || ethp2p_privkey_to_pubkey(&kb, &pb)) return 1;
    double t0 = bench_now();
    for (size_t i = 0; i < hs; i++) {
        int a, b;
        ethp2p_rlpx_secrets sa, sb;
        if (tcp_pair(lfd, &at, &a, &b) || handshake(a, b, &ka, &kb, &pb, &sa, &sb)) {
            fprintf(stderr, "bench_throughput: a handshake failed\n");
            return 1;
        }
        close(a);
        close(b);
    }
    bench_row("RLPx handshakes over loopback TCP (both sides)", (double)hs / (bench_now() - t0), "hs/s", 0, "");
    close(lfd);
    return 0;
}

/*
 * One-shot discv4 sessions for the CLI. The advertised address matters:
 * @ethereumjs/devp2p pings back the address in our Ping's `from`, not the UDP
 * source, so we learn which local address routes to the target (a connected
 * UDP socket tells, without sending anything) and advertise that.
 */
#include "session.h"
#include "cli.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int local_ip_toward(const ethp2p_ip *to, ethp2p_ip *out)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof(ss));
    int fam = to->family == 6 ? AF_INET6 : AF_INET;
    if (fam == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(9);
        memcpy(&s4->sin_addr, to->b, 4);
        len = sizeof(*s4);
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(9);
        memcpy(&s6->sin6_addr, to->b, 16);
        len = sizeof(*s6);
    }
    int fd = socket(fam, SOCK_DGRAM, 0);
    if (fd < 0) return -1;
    int ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
    len = sizeof(ss);
    ok = ok && getsockname(fd, (struct sockaddr *)&ss, &len) == 0;
    close(fd);
    if (!ok) return -1;
    memset(out, 0, sizeof(*out));
    out->family = (uint8_t)(fam == AF_INET ? 4 : 6);
    if (fam == AF_INET) memcpy(out->b, &((struct sockaddr_in *)&ss)->sin_addr, 4);
    else memcpy(out->b, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
    return 0;
}

static void on_deadline(uv_timer_t *t)
{
    session *s = t->data;
    session_finish(s, CLI_FAIL);
}

void session_finish(session *s, int status)
{
    if (s->finished) return;
    s->finished = 1;
    s->status = status;
    uv_timer_stop(&s->deadline);
    uv_close((uv_handle_t *)&s->deadline, NULL);
    ethp2p_discv4_udp_close(s->udp);
}

uint64_t session_left(const session *s)
{
    uint64_t now = ethp2p_io_now_ms();
    return now < s->end_ms ? s->end_ms - now : 0;
}

int session_open(session *s, const char *nodekey, const char *addr, const ethp2p_ip *toward,
                 const ethp2p_enode *bootnodes, size_t nboot, int background, uint64_t timeout_ms)
{
    memset(s, 0, sizeof(*s));
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    int rc = nodekey ? ethp2p_nodekey_load(nodekey, &cfg.key) : ethp2p_privkey_generate(&cfg.key);
    if (rc) {
        cli_error("cannot load node key %s: %s", nodekey ? nodekey : "(random)", ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    ethp2p_ip bind_ip = {4, {0}};
    uint16_t port = 0;
    if (addr && ethp2p_io_parse_hostport(addr, &bind_ip, &port)) {
        cli_error("--addr: '%s' is not IP:PORT", addr);
        return CLI_USAGE;
    }
    if (!addr && toward && toward->family == 6) bind_ip.family = 6;
    if (!ethp2p_ip_is_unspecified(&bind_ip)) cfg.ip = bind_ip;
    else if (toward && local_ip_toward(toward, &cfg.ip)) memset(&cfg.ip, 0, sizeof(cfg.ip));
    cfg.bootnodes = bootnodes;
    cfg.nbootnodes = nboot;
    cfg.no_background = !background;
    ethp2p_random_seed_u64(&cfg.seed);
    s->loop = uv_default_loop();
    if (ethp2p_discv4_udp_open(s->loop, &cfg, &bind_ip, port, &s->udp)) {
        uv_run(s->loop, UV_RUN_DEFAULT);
        return CLI_FAIL;
    }
    s->core = ethp2p_discv4_udp_core(s->udp);
    s->end_ms = ethp2p_io_now_ms() + timeout_ms;
    uv_timer_init(s->loop, &s->deadline);
    s->deadline.data = s;
    uv_timer_start(&s->deadline, on_deadline, timeout_ms, 0);
    return 0;
}

int session_run(session *s, const char *what)
{
    uv_run(s->loop, UV_RUN_DEFAULT);
    uv_loop_close(s->loop);
    if (s->status == CLI_FAIL && what) cli_error("%s", what);
    return s->status;
}

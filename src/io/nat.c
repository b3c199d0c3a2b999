/*
 * Port mappings through the gateway, UPnP IGD (miniupnpc) or NAT-PMP
 * (libnatpmp), or the address a STUN server sees; see ethp2p/nat.h. Both protocols block (discovery waits up to
 * two seconds), so each round (find the gateway, read its external address,
 * map both ports) runs as work on libuv's thread pool, touching only its own
 * job; the loop takes the result, reports a new address, and schedules the
 * renewal. Stopping queues a last job that deletes the mappings.
 */
#include "ethp2p/nat.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <arpa/inet.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#define ENABLE_STRNATPMPERR 1 /* Debian builds libnatpmp with it */
#include <natpmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define LOG_MOD "nat"
#define UPNP_DISCOVER_MS 2000

/* One round on the thread pool: inputs, then what it found. */
typedef struct nat_job {
    uv_work_t work;
    ethp2p_nat *nat;
    int unmap;               /* delete instead of map */
    /* results */
    int ok;
    const char *how;         /* "upnp" or "pmp" */
    ethp2p_ip external;
    char error[160];
} nat_job;

struct ethp2p_nat {
    uv_loop_t *loop;
    ethp2p_nat_spec spec;
    uint16_t tcp, udp;
    uint32_t lease_s;
    void (*on_external)(void *ctx, const ethp2p_ip *ip, const char *how);
    void *ctx;
    uv_timer_t timer;
    int busy, stopping, timer_closed, mapped, checked;
    const char *how;         /* the protocol that worked last */
    char rootdesc[512];      /* the UPnP gateway's description URL, once found (the jobs' alone) */
    ethp2p_ip external;
    int have_external;
    void (*done)(void *ctx);
    void *done_ctx;
};

int ethp2p_nat_parse(const char *text, ethp2p_nat_spec *out)
{
    memset(out, 0, sizeof(*out));
    if (!text || !strcmp(text, "none") || !*text) out->mode = ETHP2P_NAT_NONE;
    else if (!strcmp(text, "any")) out->mode = ETHP2P_NAT_ANY;
    else if (!strcmp(text, "upnp")) out->mode = ETHP2P_NAT_UPNP;
    else if (!strcmp(text, "pmp")) out->mode = ETHP2P_NAT_PMP;
    else if (!strncmp(text, "extip:", 6) && ethp2p_ip_parse(text + 6, &out->ip) == 0) out->mode = ETHP2P_NAT_EXTIP;
    else if (!strcmp(text, "stun") || (!strncmp(text, "stun:", 5) && strchr(text + 5, ':') && strlen(text + 5) < sizeof(out->stun_server))) {
        out->mode = ETHP2P_NAT_STUN;
        snprintf(out->stun_server, sizeof(out->stun_server), "%s", text[4] ? text + 5 : ETHP2P_NAT_DEFAULT_STUN);
    } else return ETHP2P_EINVAL;
    return 0;
}

const char *ethp2p_nat_mode_name(ethp2p_nat_mode m)
{
    static const char *const names[] = {"none", "extip", "upnp", "pmp", "any", "stun"};
    return (unsigned)m < 6 ? names[m] : "?";
}

/* ---- UPnP (thread pool) ---- */

static int upnp_round(nat_job *j)
{
    ethp2p_nat *n = j->nat;
    struct UPNPUrls urls;
    struct IGDdatas data;
    char lan[64] = "";
    /* Renewals go straight to the gateway found before (jobs run one at a time: n->rootdesc is
     * only touched by them); the first round, or one after a failure, discovers it. */
    int igd = n->rootdesc[0] && UPNP_GetIGDFromUrl(n->rootdesc, &urls, &data, lan, sizeof(lan)) == 1 ? 1 : 0;
    if (!igd) {
        n->rootdesc[0] = '\0';
        int err = 0;
        struct UPNPDev *devs = upnpDiscover(UPNP_DISCOVER_MS, NULL, NULL, 0, 0, 2, &err);
        if (!devs) {
            snprintf(j->error, sizeof(j->error), "upnp: no gateway answered (error %d)", err);
            return -1;
        }
        igd = UPNP_GetValidIGD(devs, &urls, &data, lan, sizeof(lan));
        freeUPNPDevlist(devs);
        if (igd != 1) {
            if (igd) FreeUPNPUrls(&urls);
            snprintf(j->error, sizeof(j->error), "upnp: no connected Internet gateway (%d)", igd);
            return -1;
        }
        if (urls.rootdescURL) snprintf(n->rootdesc, sizeof(n->rootdesc), "%s", urls.rootdescURL);
    }
    int rc = 0;
    char ext[40] = "";
    if (j->unmap) n->rootdesc[0] = '\0';
    if (!j->unmap && (UPNP_GetExternalIPAddress(urls.controlURL, data.first.servicetype, ext) != 0 ||
                      ethp2p_ip_parse(ext, &j->external))) {
        snprintf(j->error, sizeof(j->error), "upnp: the gateway gave no external address ('%s')", ext);
        rc = -1;
    }
    const char *protos[2] = {"TCP", "UDP"};
    uint16_t ports[2] = {n->tcp, n->udp};
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (!ports[i]) continue;
        char port[8], lease[12];
        snprintf(port, sizeof(port), "%u", ports[i]);
        snprintf(lease, sizeof(lease), "%u", n->lease_s);
        int r = j->unmap ? UPNP_DeletePortMapping(urls.controlURL, data.first.servicetype, port, protos[i], NULL)
                         : UPNP_AddPortMapping(urls.controlURL, data.first.servicetype, port, port, lan, "ethp2p",
                                               protos[i], NULL, lease);
        if (r != 0) {
            snprintf(j->error, sizeof(j->error), "upnp: %s %s %s: %s", j->unmap ? "unmapping" : "mapping", protos[i], port,
                     strupnperror(r));
            rc = -1;
        }
    }
    FreeUPNPUrls(&urls);
    if (rc) n->rootdesc[0] = '\0'; /* the next round looks for the gateway again */
    return rc;
}

/* ---- NAT-PMP (thread pool) ---- */

/* Waits for the answer to the request just sent; 0 with *resp, or -1. */
static int pmp_wait(natpmp_t *p, natpmpresp_t *resp, nat_job *j)
{
    int r;
    do {
        fd_set fds;
        struct timeval tv;
        FD_ZERO(&fds);
        FD_SET(p->s, &fds);
        if (getnatpmprequesttimeout(p, &tv) < 0) break;
        select(p->s + 1, &fds, NULL, NULL, &tv);
        r = readnatpmpresponseorretry(p, resp);
    } while (r == NATPMP_TRYAGAIN);
    if (r < 0) snprintf(j->error, sizeof(j->error), "pmp: %s", strnatpmperr(r));
    return r < 0 ? -1 : 0;
}

static int pmp_round(nat_job *j)
{
    ethp2p_nat *n = j->nat;
    natpmp_t p;
    natpmpresp_t resp;
    int r = initnatpmp(&p, 0, 0);
    if (r < 0) {
        snprintf(j->error, sizeof(j->error), "pmp: no gateway: %s", strnatpmperr(r));
        return -1;
    }
    int rc = 0;
    if (!j->unmap) {
        if (sendpublicaddressrequest(&p) < 0 || pmp_wait(&p, &resp, j)) rc = -1;
        else {
            j->external.family = 4;
            memcpy(j->external.b, &resp.pnu.publicaddress.addr, 4);
        }
    }
    int protos[2] = {NATPMP_PROTOCOL_TCP, NATPMP_PROTOCOL_UDP};
    uint16_t ports[2] = {n->tcp, n->udp};
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (!ports[i]) continue;
        /* Lifetime 0 deletes the mapping. */
        if (sendnewportmappingrequest(&p, protos[i], ports[i], ports[i], j->unmap ? 0 : n->lease_s) < 0 ||
            pmp_wait(&p, &resp, j))
            rc = -1;
    }
    closenatpmp(&p);
    return rc;
}

/* ---- STUN (thread pool) ---- */

static int stun_round(nat_job *j)
{
    char host[256];
    snprintf(host, sizeof(host), "%s", j->nat->spec.stun_server);
    char *colon = strrchr(host, ':');
    if (!colon) return -1;
    *colon = '\0';
    const char *name = host;
    if (*name == '[') { /* [v6]:port */
        name++;
        char *end = strchr(host, ']');
        if (end) *end = '\0';
    }
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    int gai = getaddrinfo(name, colon + 1, &hints, &ai);
    if (gai || !ai) {
        snprintf(j->error, sizeof(j->error), "stun: cannot resolve %.100s: %s", j->nat->spec.stun_server, gai_strerror(gai));
        return -1;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM, 0), rc = -1;
    struct timeval tv = {1, 0};
    if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    for (int attempt = 0; fd >= 0 && attempt < 3 && rc; attempt++) {
        uint8_t tid[12], req[ETHP2P_STUN_REQUEST_SIZE], resp[1024];
        if (ethp2p_random_bytes(tid, sizeof(tid))) break;
        ethp2p_stun_request(req, tid);
        if (sendto(fd, req, sizeof(req), 0, ai->ai_addr, ai->ai_addrlen) != (ssize_t)sizeof(req)) continue;
        ssize_t n;
        while ((n = recv(fd, resp, sizeof(resp), 0)) > 0) { /* a stray datagram does not end the attempt */
            uint16_t port;
            if (ethp2p_stun_parse(resp, (size_t)n, tid, &j->external, &port) == 0) {
                rc = 0;
                break;
            }
        }
    }
    if (rc) snprintf(j->error, sizeof(j->error), "stun: no answer from %.100s", j->nat->spec.stun_server);
    if (fd >= 0) close(fd);
    freeaddrinfo(ai);
    return rc;
}

static void job_run(uv_work_t *w)
{
    nat_job *j = w->data;
    ethp2p_nat_mode m = j->nat->spec.mode;
    if (m == ETHP2P_NAT_STUN) {
        if (!j->unmap && stun_round(j) == 0) {
            j->ok = 1;
            j->how = "stun";
        }
        return;
    }
    if (j->unmap && j->nat->how) m = strcmp(j->nat->how, "upnp") == 0 ? ETHP2P_NAT_UPNP : ETHP2P_NAT_PMP;
    if ((m == ETHP2P_NAT_UPNP || m == ETHP2P_NAT_ANY) && upnp_round(j) == 0) {
        j->ok = 1;
        j->how = "upnp";
        return;
    }
    if (m == ETHP2P_NAT_PMP || m == ETHP2P_NAT_ANY) {
        char upnp_error[160];
        memcpy(upnp_error, j->error, sizeof(upnp_error));
        if (pmp_round(j) == 0) {
            j->ok = 1;
            j->how = "pmp";
        } else if (m == ETHP2P_NAT_ANY) {
            char pmp_error[160];
            memcpy(pmp_error, j->error, sizeof(pmp_error));
            snprintf(j->error, sizeof(j->error), "%.70s; %.70s", upnp_error, pmp_error);
        }
    }
}

/* ---- on the loop ---- */

static void schedule(ethp2p_nat *n);
static void on_timer(uv_timer_t *t);

static void finish(ethp2p_nat *n)
{
    if (n->busy || !n->timer_closed) return;
    void (*done)(void *) = n->done;
    void *ctx = n->done_ctx;
    free(n);
    if (done) done(ctx);
}

static void job_done(uv_work_t *w, int status)
{
    nat_job *j = w->data;
    ethp2p_nat *n = j->nat;
    n->busy = 0;
    if (j->unmap) {
        if (j->ok) ETHP2P_INFO(LOG_MOD, "mappings removed", "via=%s tcp=%u udp=%u", j->how, n->tcp, n->udp);
        else ETHP2P_WARN(LOG_MOD, "could not remove the mappings", "err=\"%s\"", j->error);
        free(j);
        finish(n);
        return;
    }
    if (status == 0 && j->ok) {
        n->mapped = n->spec.mode != ETHP2P_NAT_STUN; /* STUN maps nothing: nothing to remove */
        n->checked = 1;
        n->how = j->how;
        char ip[46];
        ethp2p_ip_format(&j->external, ip, sizeof(ip));
        int changed = !n->have_external || !ethp2p_ip_equal(&n->external, &j->external);
        if (changed && !n->mapped)
            ETHP2P_INFO(LOG_MOD, "external address learned", "via=%s external=%s server=%s", j->how, ip, n->spec.stun_server);
        else if (changed)
            ETHP2P_INFO(LOG_MOD, "ports mapped", "via=%s external=%s tcp=%u udp=%u lease=%us", j->how, ip, n->tcp, n->udp,
                        n->lease_s);
        else if (n->mapped)
            ETHP2P_DEBUG(LOG_MOD, "mappings renewed", "via=%s external=%s lease=%us", j->how, ip, n->lease_s);
        n->external = j->external;
        n->have_external = 1;
        if (changed && !n->stopping && n->on_external) n->on_external(n->ctx, &n->external, n->how);
    } else {
        ETHP2P_WARN(LOG_MOD, "no port mapping", "mode=%s err=\"%s\" retry_s=%llu", ethp2p_nat_mode_name(n->spec.mode),
                    j->error, (unsigned long long)(ETHP2P_NAT_RETRY_MS / 1000));
    }
    free(j);
    if (n->stopping) {
        schedule(n); /* the unmapping round */
        return;
    }
    uv_timer_start(&n->timer, on_timer, n->checked ? (uint64_t)n->lease_s * 750 : ETHP2P_NAT_RETRY_MS, 0);
}

/* Starts a round: mapping (renewal), or unmapping when stopping. */
static void schedule(ethp2p_nat *n)
{
    if (n->busy) return;
    if (n->stopping && !n->mapped) {
        finish(n);
        return;
    }
    nat_job *j = calloc(1, sizeof(*j));
    if (!j) return;
    j->nat = n;
    j->unmap = n->stopping;
    j->work.data = j;
    if (n->stopping) n->mapped = 0;
    n->busy = 1;
    if (uv_queue_work(n->loop, &j->work, job_run, job_done)) {
        n->busy = 0;
        free(j);
        if (n->stopping) finish(n);
    }
}

static void on_timer(uv_timer_t *t) { schedule(t->data); }

int ethp2p_nat_start(uv_loop_t *loop, const ethp2p_nat_spec *spec, uint16_t tcp_port, uint16_t udp_port,
                     void (*on_external)(void *ctx, const ethp2p_ip *ip, const char *how), void *ctx, ethp2p_nat **out)
{
    if (spec->mode != ETHP2P_NAT_UPNP && spec->mode != ETHP2P_NAT_PMP && spec->mode != ETHP2P_NAT_ANY &&
        spec->mode != ETHP2P_NAT_STUN)
        return ETHP2P_EINVAL;
    ethp2p_nat *n = calloc(1, sizeof(*n));
    if (!n) return ETHP2P_ENOMEM;
    n->loop = loop;
    n->spec = *spec;
    n->tcp = tcp_port;
    n->udp = udp_port;
    n->lease_s = spec->lease_s ? spec->lease_s : ETHP2P_NAT_LEASE_S;
    n->on_external = on_external;
    n->ctx = ctx;
    uv_timer_init(loop, &n->timer);
    n->timer.data = n;
    ETHP2P_INFO(LOG_MOD, "looking for the gateway", "mode=%s tcp=%u udp=%u", ethp2p_nat_mode_name(spec->mode), tcp_port,
                udp_port);
    schedule(n);
    *out = n;
    return 0;
}

int ethp2p_nat_external(const ethp2p_nat *n, ethp2p_ip *out)
{
    if (!n || !n->have_external) return ETHP2P_ENOTFOUND;
    *out = n->external;
    return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
    ethp2p_nat *n = h->data;
    n->timer_closed = 1;
    finish(n);
}

void ethp2p_nat_stop(ethp2p_nat *n, void (*done)(void *ctx), void *ctx)
{
    if (!n || n->stopping) return;
    n->stopping = 1;
    n->done = done;
    n->done_ctx = ctx;
    uv_timer_stop(&n->timer);
    if (!n->busy) schedule(n); /* else job_done starts the unmapping */
    uv_close((uv_handle_t *)&n->timer, on_timer_closed);
}

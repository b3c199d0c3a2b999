/*
 * TXT lookups with c-ares on the libuv loop: c-ares tells us which sockets to
 * watch (ARES_OPT_SOCK_STATE_CB) and when it next needs time (ares_timeout);
 * libuv polls them and runs the timer. The strings of one TXT record are
 * joined (a record over 255 bytes is sent as several strings), as the
 * reference's resolver returns them.
 */
#include "ethp2p/dnsdisc_io.h"
#include "ethp2p/log.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define LOG_MOD "dns"
#define MAX_SOCKS 16

typedef struct sock_watch {
    uv_poll_t poll;
    int fd; /* -1: free */
    struct ethp2p_dns_resolver *r;
} sock_watch;

struct ethp2p_dns_resolver {
    uv_loop_t *loop;
    ares_channel channel;
    uv_timer_t timer;
    sock_watch socks[MAX_SOCKS];
    int closing, open_handles;
};

typedef struct lookup {
    ethp2p_dns_resolver *r;
    ethp2p_dns_txt_cb cb;
    void *arg;
    char name[];
} lookup;

static void arm(ethp2p_dns_resolver *r);

static void on_poll(uv_poll_t *h, int status, int events)
{
    sock_watch *w = h->data;
    ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;
    if (status < 0 || (events & UV_READABLE)) rfd = w->fd;
    if (status < 0 || (events & UV_WRITABLE)) wfd = w->fd;
    ares_process_fd(w->r->channel, rfd, wfd);
    arm(w->r);
}

static void on_poll_closed(uv_handle_t *h)
{
    sock_watch *w = h->data;
    w->fd = -1;
    ethp2p_dns_resolver *r = w->r;
    if (--r->open_handles == 0 && r->closing) free(r);
}

/* c-ares says which of its sockets to watch, and for what. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    ethp2p_dns_resolver *r = data;
    sock_watch *w = NULL, *free_slot = NULL;
    for (int i = 0; i < MAX_SOCKS; i++) {
        if (r->socks[i].fd == fd && !uv_is_closing((uv_handle_t *)&r->socks[i].poll)) w = &r->socks[i];
        else if (r->socks[i].fd == -1 && !free_slot) free_slot = &r->socks[i];
    }
    if (!readable && !writable) {
        if (w) {
            uv_poll_stop(&w->poll);
            uv_close((uv_handle_t *)&w->poll, on_poll_closed);
        }
        return;
    }
    if (!w) {
        if (!free_slot || uv_poll_init_socket(r->loop, &free_slot->poll, fd)) return;
        w = free_slot;
        w->fd = fd;
        w->r = r;
        w->poll.data = w;
        r->open_handles++;
    }
    uv_poll_start(&w->poll, (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0), on_poll);
}

static void on_timer(uv_timer_t *t)
{
    ethp2p_dns_resolver *r = t->data;
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts and retries */
    arm(r);
}

static void arm(ethp2p_dns_resolver *r)
{
    if (r->closing) return;
    struct timeval tv, *tvp = ares_timeout(r->channel, NULL, &tv);
    if (!tvp) {
        uv_timer_stop(&r->timer);
        return;
    }
    uint64_t ms = (uint64_t)tvp->tv_sec * 1000 + (uint64_t)tvp->tv_usec / 1000;
    uv_timer_start(&r->timer, on_timer, ms ? ms : 1, 0);
}

static void on_timer_closed(uv_handle_t *h)
{
    ethp2p_dns_resolver *r = h->data;
    if (--r->open_handles == 0 && r->closing) free(r);
}

int ethp2p_dns_resolver_new(uv_loop_t *loop, const char *servers, uint64_t timeout_ms, ethp2p_dns_resolver **out)
{
    static int library_ready;
    if (!library_ready) {
        if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) return ETHP2P_EIO;
        library_ready = 1;
    }
    ethp2p_dns_resolver *r = calloc(1, sizeof(*r));
    if (!r) return ETHP2P_ENOMEM;
    r->loop = loop;
    for (int i = 0; i < MAX_SOCKS; i++) r->socks[i].fd = -1;
    struct ares_options o;
    memset(&o, 0, sizeof(o));
    o.sock_state_cb = sock_state;
    o.sock_state_cb_data = r;
    o.timeout = (int)(timeout_ms ? timeout_ms : 5000);
    o.tries = 2;
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    if (ares_init_options(&r->channel, &o, mask) != ARES_SUCCESS) {
        free(r);
        return ETHP2P_EIO;
    }
    if (servers && *servers && ares_set_servers_ports_csv(r->channel, servers) != ARES_SUCCESS) {
        ares_destroy(r->channel);
        free(r);
        return ETHP2P_EFORMAT;
    }
    uv_timer_init(loop, &r->timer);
    r->timer.data = r;
    r->open_handles = 1;
    *out = r;
    return 0;
}

static void on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    (void)timeouts;
    lookup *l = arg;
    struct ares_txt_ext *head = NULL;
    int err = 0;
    if (status == ARES_SUCCESS) {
        if (ares_parse_txt_reply_ext(abuf, alen, &head) != ARES_SUCCESS) err = ETHP2P_EFORMAT;
    } else {
        err = status == ARES_ENOTFOUND || status == ARES_ENODATA ? ETHP2P_ENOTFOUND
              : status == ARES_ETIMEOUT                          ? ETHP2P_ETIMEDOUT
              : status == ARES_EDESTRUCTION || status == ARES_ECANCELLED ? ETHP2P_ECANCELED
                                                                          : ETHP2P_ERESOLVE;
        if (err != ETHP2P_ECANCELED)
            ETHP2P_DEBUG(LOG_MOD, "lookup failed", "name=%s err=\"%s\"", l->name, ares_strerror(status));
    }
    /* Join the strings of each record. */
    size_t nrec = 0;
    for (struct ares_txt_ext *t = head; t; t = t->next) nrec += t->record_start != 0;
    char **txts = calloc(nrec + 1, sizeof(*txts));
    size_t *lens = calloc(nrec + 1, sizeof(*lens)), k = 0;
    if (!txts || !lens) err = ETHP2P_ENOMEM;
    for (struct ares_txt_ext *t = head; t && !err; t = t->next) {
        if (t->record_start || k == 0) {
            if (t->record_start) k++;
            else k = 1;
        }
        size_t i = k - 1;
        char *grown = realloc(txts[i], lens[i] + t->length + 1);
        if (!grown) {
            err = ETHP2P_ENOMEM;
            break;
        }
        memcpy(grown + lens[i], t->txt, t->length);
        lens[i] += t->length;
        grown[lens[i]] = '\0';
        txts[i] = grown;
    }
    if (head) ares_free_data(head);
    if (err == ETHP2P_ECANCELED || !l->r->closing) l->cb(l->arg, l->name, (const char *const *)txts, lens, err ? 0 : k, err);
    for (size_t i = 0; txts && i < nrec; i++) free(txts[i]);
    free(txts);
    free(lens);
    free(l);
}

int ethp2p_dns_resolver_txt(ethp2p_dns_resolver *r, const char *name, ethp2p_dns_txt_cb cb, void *arg)
{
    if (r->closing) return ETHP2P_ECANCELED;
    size_t n = strlen(name);
    lookup *l = malloc(sizeof(*l) + n + 1);
    if (!l) return ETHP2P_ENOMEM;
    l->r = r;
    l->cb = cb;
    l->arg = arg;
    memcpy(l->name, name, n + 1);
    ares_query(r->channel, name, ns_c_in, ns_t_txt, on_reply, l);
    arm(r);
    return 0;
}

void ethp2p_dns_resolver_free(ethp2p_dns_resolver *r)
{
    if (!r || r->closing) return;
    ares_cancel(r->channel);  /* callbacks run now, with ETHP2P_ECANCELED */
    r->closing = 1;
    ares_destroy(r->channel); /* closes its sockets: the state callback closes their polls */
    for (int i = 0; i < MAX_SOCKS; i++)
        if (r->socks[i].fd != -1 && !uv_is_closing((uv_handle_t *)&r->socks[i].poll))
            uv_close((uv_handle_t *)&r->socks[i].poll, on_poll_closed);
    uv_timer_stop(&r->timer);
    uv_close((uv_handle_t *)&r->timer, on_timer_closed);
}

/*
 * DNS node lists on the loop: the sans-I/O list client asks for names, the
 * c-ares resolver looks them up, and a timer brings the roots' rechecks.
 */
#include "ethp2p/dnsdisc_io.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <stdlib.h>
#include <uv.h>

#define LOG_MOD "dns"

struct ethp2p_dns_discovery {
    ethp2p_dns_client *client;
    ethp2p_dns_resolver *resolver;
    uv_timer_t timer;
    ethp2p_dns_node_cb on_node;
    void *ctx;
};

static void on_txt(void *arg, const char *name, const char *const *txts, const size_t *lens, size_t n, int err)
{
    ethp2p_dns_discovery *d = arg;
    if (err == ETHP2P_ECANCELED) return;
    ethp2p_dns_client_answer(d->client, name, txts, lens, n, err, ethp2p_io_now_ms());
}

static void ask(void *ctx, const char *name)
{
    ethp2p_dns_discovery *d = ctx;
    int rc = ethp2p_dns_resolver_txt(d->resolver, name, on_txt, d);
    if (rc) ethp2p_dns_client_answer(d->client, name, NULL, NULL, 0, rc, ethp2p_io_now_ms());
}

static void found(void *ctx, const ethp2p_enr *rec, const char *domain)
{
    ethp2p_dns_discovery *d = ctx;
    if (d->on_node) d->on_node(d->ctx, rec, domain);
}

static void refused(void *ctx, const char *name, int err, const char *why)
{
    (void)ctx;
    ETHP2P_WARN(LOG_MOD, "DNS node list entry skipped", "name=%s why=\"%s\" err=\"%s\"", name, why,
                ethp2p_dns_error_name(err));
}

static void on_timer(uv_timer_t *t)
{
    ethp2p_dns_discovery *d = t->data;
    uint64_t now = ethp2p_io_now_ms(), next = ethp2p_dns_client_tick(d->client, now);
    if (next != UINT64_MAX) uv_timer_start(&d->timer, on_timer, next > now ? next - now : 1, 0);
}

int ethp2p_dns_discovery_start(uv_loop_t *loop, const char *const *urls, size_t n, const char *servers,
                               ethp2p_dns_node_cb on_node, void *ctx, ethp2p_dns_discovery **out)
{
    ethp2p_dns_discovery *d = calloc(1, sizeof(*d));
    if (!d) return ETHP2P_ENOMEM;
    d->on_node = on_node;
    d->ctx = ctx;
    int rc = ethp2p_dns_resolver_new(loop, servers, 0, &d->resolver);
    if (rc) {
        free(d);
        return rc;
    }
    ethp2p_dns_client_config cfg = {0};
    cfg.ctx = d;
    cfg.query = ask;
    cfg.on_node = found;
    cfg.on_error = refused;
    (void)!ethp2p_random_bytes(&cfg.seed, sizeof(cfg.seed));
    if (!(d->client = ethp2p_dns_client_new(&cfg))) {
        ethp2p_dns_resolver_free(d->resolver);
        free(d);
        return ETHP2P_ENOMEM;
    }
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    *out = d;
    uint64_t now = ethp2p_io_now_ms();
    for (size_t i = 0; i < n; i++)
        if ((rc = ethp2p_dns_client_add(d->client, urls[i], now)))
            ETHP2P_WARN(LOG_MOD, "DNS node list not followed", "url=%s err=\"%s\"", urls[i], ethp2p_dns_error_name(rc));
    on_timer(&d->timer);
    return 0;
}

int ethp2p_dns_discovery_idle(const ethp2p_dns_discovery *d) { return ethp2p_dns_client_idle(d->client); }
const ethp2p_dns_client_stats *ethp2p_dns_discovery_stats(const ethp2p_dns_discovery *d)
{
    return ethp2p_dns_client_get_stats(d->client);
}

static void on_closed(uv_handle_t *h) { free(h->data); }

void ethp2p_dns_discovery_stop(ethp2p_dns_discovery *d)
{
    if (!d) return;
    ethp2p_dns_resolver_free(d->resolver); /* cancelled lookups are ignored in on_txt */
    ethp2p_dns_client_free(d->client);
    d->client = NULL;
    uv_timer_stop(&d->timer);
    uv_close((uv_handle_t *)&d->timer, on_closed);
}

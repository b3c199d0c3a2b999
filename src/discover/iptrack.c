/* The external endpoint predicted from peers' statements; see ethp2p/iptrack.h. */
#include "ethp2p/iptrack.h"

#include <string.h>

void ethp2p_iptrack_init(ethp2p_iptrack *t, uint64_t window_ms, size_t min_statements)
{
    memset(t, 0, sizeof(*t));
    t->window_ms = window_ms ? window_ms : ETHP2P_IPTRACK_WINDOW_MS;
    t->min_statements = min_statements ? min_statements : ETHP2P_IPTRACK_MIN_STATEMENTS;
}

/* Forgets statements older than the window; returns how many went. */
static size_t expire(ethp2p_iptrack *t, uint64_t now)
{
    size_t n0 = t->n;
    for (size_t i = 0; i < t->n;)
        if (t->s[i].at_ms + t->window_ms < now) t->s[i] = t->s[--t->n];
        else i++;
    return n0 - t->n;
}

int ethp2p_iptrack_add(ethp2p_iptrack *t, const ethp2p_ip *host, const ethp2p_ip *ip, uint16_t port, uint64_t now)
{
    int changed = expire(t, now) > 0;
    size_t i = 0;
    while (i < t->n && !ethp2p_ip_equal(&t->s[i].host, host)) i++;
    if (i < t->n && t->s[i].port == port && ethp2p_ip_equal(&t->s[i].ip, ip)) {
        t->s[i].at_ms = now; /* the same statement again: only fresher */
        return changed;
    }
    if (i == t->n) {
        if (t->n < ETHP2P_IPTRACK_MAX_HOSTS) t->n++;
        else { /* full: the oldest statement goes */
            i = 0;
            for (size_t k = 1; k < t->n; k++)
                if (t->s[k].at_ms < t->s[i].at_ms) i = k;
        }
    }
    t->s[i] = (ethp2p_iptrack_statement){*host, *ip, port, now};
    return 1;
}

int ethp2p_iptrack_predict(ethp2p_iptrack *t, uint64_t now, ethp2p_ip *ip, uint16_t *port)
{
    expire(t, now);
    if (t->n < t->min_statements) return 0;
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < t->n; i++) {
        size_t count = 0;
        for (size_t k = 0; k < t->n; k++)
            count += t->s[k].port == t->s[i].port && ethp2p_ip_equal(&t->s[k].ip, &t->s[i].ip);
        /* ties: the endpoint stated most recently wins */
        if (count > best_count || (count == best_count && t->s[i].at_ms > t->s[best].at_ms)) {
            best = i;
            best_count = count;
        }
    }
    *ip = t->s[best].ip;
    *port = t->s[best].port;
    return 1;
}

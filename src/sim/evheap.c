/* The simulations' event heap; see evheap.h. */
#include "evheap.h"

#include <stdlib.h>
#include <string.h>

static int ev_less(const sim_event *a, const sim_event *b)
{
    return a->time < b->time || (a->time == b->time && a->order < b->order);
}

int sim_heap_push(sim_heap *h, sim_event ev)
{
    if (h->len == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 1024;
        sim_event *v = realloc(h->ev, ncap * sizeof(*v));
        if (!v) return ETHP2P_ENOMEM;
        h->ev = v;
        h->cap = ncap;
    }
    ev.order = h->order++;
    size_t i = h->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!ev_less(&ev, &h->ev[parent])) break;
        h->ev[i] = h->ev[parent];
        i = parent;
    }
    h->ev[i] = ev;
    return 0;
}

sim_event sim_heap_pop(sim_heap *h)
{
    sim_event top = h->ev[0], last = h->ev[--h->len];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->len) break;
        if (c + 1 < h->len && ev_less(&h->ev[c + 1], &h->ev[c])) c++;
        if (!ev_less(&h->ev[c], &last)) break;
        h->ev[i] = h->ev[c];
        i = c;
    }
    if (h->len) h->ev[i] = last;
    return top;
}

void sim_heap_clear(sim_heap *h)
{
    for (size_t i = 0; i < h->len; i++) free(h->ev[i].data);
    free(h->ev);
    memset(h, 0, sizeof(*h));
}

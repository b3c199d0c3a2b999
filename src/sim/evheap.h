/*
 * The simulations' event queue: a binary min-heap ordered by virtual time and
 * then by insertion order, so equal times resolve the same way on every run.
 */
#ifndef ETHP2P_SIM_EVHEAP_H
#define ETHP2P_SIM_EVHEAP_H

#include "ethp2p/discv4.h"

typedef struct sim_event {
    uint64_t time, order;
    int type;
    int node;
    int aux;                /* the sender (ethsim: link index) */
    uint64_t code;          /* ethsim: message code */
    ethp2p_udp_addr from;   /* simnet: the datagram's source */
    uint8_t *data;
    size_t len;
} sim_event;

typedef struct sim_heap {
    sim_event *ev;
    size_t len, cap;
    uint64_t order;
} sim_heap;

int sim_heap_push(sim_heap *h, sim_event ev);
sim_event sim_heap_pop(sim_heap *h);
/** Frees queued events' data and the heap. */
void sim_heap_clear(sim_heap *h);

#endif

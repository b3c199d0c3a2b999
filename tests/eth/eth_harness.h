/*
 * Up to four eth handlers wired by hand for the eth tests: sends land in a
 * mailbox, and deliver() hands each message to its receiver's handler, so a
 * test decides what arrives, when, and what is lost.
 */
#ifndef ETHP2P_TEST_ETH_HARNESS_H
#define ETHP2P_TEST_ETH_HARNESS_H

#include "test_util.h"
#include "ethp2p/eth_handler.h"

#define T0 1000000ULL
#define SIDES 4
#define BOX 4096

typedef struct msg {
    int from, to;
    uint64_t code;
    uint8_t *data;
    size_t len;
} msg;

typedef struct side {
    ethp2p_eth *eth;
    int dropped, reason, ready, txs, blocks;
    int busy; /* its peers' sends to it answer EBUSY */
} side;

extern side S[SIDES];
extern ethp2p_chain *chains[SIDES];          /* set before make_side: that side follows blocks */
extern ethp2p_eth_peer *view[SIDES][SIDES];  /* view[a][b]: a's peer object for b */
extern msg box[BOX];
extern size_t nbox;

/** A handler for side i on chain c (and chains[i] if set). */
void make_side(int i, const ethp2p_chain_config *c);
/** Connects a and b at an eth version: both send their Status (into the box). */
void connect_sides(int a, int b, uint32_t version);
/** Delivers everything in the box to its receivers, in order. */
void deliver(uint64_t now);
/** Loses everything in the box. */
void lose_all(void);
/** An empty box and no connections (before make_side calls). */
void reset_sides(void);
/** Sides 0 and 1 on chains ca / cb, connected. */
void make_pair(uint32_t version, const ethp2p_chain_config *ca, const ethp2p_chain_config *cb);
/** Drains the box and frees sides 0..n-1. */
void free_sides(int n);

#endif

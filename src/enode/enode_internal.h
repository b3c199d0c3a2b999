/* Shared between the enode URL parser and the resolver. */
#ifndef ETHP2P_ENODE_INTERNAL_H
#define ETHP2P_ENODE_INTERNAL_H

#include "ethp2p/enode.h"

#define ENODE_HOST_MAX 254 /* a DNS name is at most 253 characters */

typedef struct enode_url_parts {
    ethp2p_pubkey pubkey;
    int has_host;
    char host[ENODE_HOST_MAX]; /* numeric address or name, without brackets */
    uint16_t tcp, udp;
} enode_url_parts;

/** Splits and checks a URL's syntax; the key is decoded but not yet checked. */
int enode_url_split(const char *url, enode_url_parts *out);

#endif

/* Helpers shared by the libuv drivers: socket addresses to and from ethp2p_ip. */
#ifndef ETHP2P_IO_INTERNAL_H
#define ETHP2P_IO_INTERNAL_H

#include "ethp2p/enode.h"

#include <sys/socket.h>

void io_to_sockaddr(const ethp2p_ip *ip, uint16_t port, struct sockaddr_storage *ss);
/** IPv4-mapped IPv6 addresses come out as IPv4. Returns 0 or ETHP2P_EINVAL (another family). */
int io_from_sockaddr(const struct sockaddr *sa, ethp2p_ip *ip, uint16_t *port);

#endif

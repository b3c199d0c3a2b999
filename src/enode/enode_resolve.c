/*
 * Resolving enode URLs that name a host. Kept apart from the parser so that
 * code on the network path can never reach getaddrinfo by accident: only
 * configuration (bootnodes, static and trusted nodes) calls this, once, when
 * it is read.
 */
#include "enode/enode_internal.h"
#include "ethp2p/log.h"

#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int ethp2p_enode_resolve(const char *url, ethp2p_enode *out)
{
    int rc = ethp2p_enode_parse(url, out, NULL, 0);
    if (rc != ETHP2P_EHOSTNAME) return rc;
    enode_url_parts parts;
    rc = enode_url_split(url, &parts);
    if (rc) return rc;

    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    int gai = getaddrinfo(parts.host, NULL, &hints, &res);
    if (gai != 0 || !res) {
        ETHP2P_ERROR("enode", "cannot resolve host", "host=%s err=\"%s\"", parts.host, gai_strerror(gai));
        if (res) freeaddrinfo(res);
        return ETHP2P_ERESOLVE;
    }
    /* Prefer IPv4, as most of the network is reachable over it. */
    ethp2p_ip ip = {0};
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            ip.family = 4;
            memcpy(ip.b, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
            break;
        }
        if (ai->ai_family == AF_INET6 && ip.family == 0) {
            ip.family = 6;
            memcpy(ip.b, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
        }
    }
    freeaddrinfo(res);
    if (ip.family == 0) return ETHP2P_ERESOLVE;
    return ethp2p_enode_init(out, &parts.pubkey, &ip, parts.tcp, parts.udp);
}

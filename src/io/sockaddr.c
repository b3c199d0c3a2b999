/* Conversions between ethp2p_ip + port and the socket API's addresses, and
 * the process-wide SIGPIPE setting every stream socket needs. */
#include "io_internal.h"
#include "ethp2p/io.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>

/*
 * libuv writes to stream sockets with write(2), so on Linux a peer that
 * resets the connection while bytes are going out raises SIGPIPE, whose
 * default action ends the process without a word. A P2P node sees such
 * peers all the time: the write must fail with EPIPE instead (the connection
 * then closes like any other network error). A handler or SIG_IGN that the
 * application installed itself is left alone. One syscall per connection,
 * so it is checked every time rather than once.
 */
void ethp2p_io_ignore_sigpipe(void)
{
    struct sigaction cur;
    if (sigaction(SIGPIPE, NULL, &cur) == 0 && cur.sa_handler == SIG_DFL && !(cur.sa_flags & SA_SIGINFO)) {
        struct sigaction ign;
        memset(&ign, 0, sizeof(ign));
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        (void)sigaction(SIGPIPE, &ign, NULL);
    }
}

void io_to_sockaddr(const ethp2p_ip *ip, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof(*ss));
    if (ip->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        memcpy(&s6->sin6_addr, ip->b, 16);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        memcpy(&s4->sin_addr, ip->b, 4);
    }
}

int io_from_sockaddr(const struct sockaddr *sa, ethp2p_ip *ip, uint16_t *port)
{
    memset(ip, 0, sizeof(*ip));
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        ip->family = 4;
        memcpy(ip->b, &s4->sin_addr, 4);
        *port = ntohs(s4->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
            ip->family = 4;
            memcpy(ip->b, (const uint8_t *)&s6->sin6_addr + 12, 4);
        } else {
            ip->family = 6;
            memcpy(ip->b, &s6->sin6_addr, 16);
        }
        *port = ntohs(s6->sin6_port);
        return 0;
    }
    return ETHP2P_EINVAL;
}

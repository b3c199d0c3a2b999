/*
 * OS randomness through getrandom(2), retried on EINTR and short reads. Falls
 * back to /dev/urandom where the syscall is missing (old kernels, seccomp).
 */
#include "ethp2p/random.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static int urandom_fill(uint8_t *p, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ETHP2P_ERANDOM;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            close(fd);
            return ETHP2P_ERANDOM;
        }
        p += r;
        n -= (size_t)r;
    }
    close(fd);
    return 0;
}

int ethp2p_random_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOSYS || errno == EPERM) return urandom_fill(p, n);
            return ETHP2P_ERANDOM;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

void ethp2p_random_seed_u64(uint64_t *out)
{
    if (ethp2p_random_bytes(out, sizeof(*out)) != 0) *out = 0;
}

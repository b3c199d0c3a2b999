/*
 * Node key files in the reference client's format: the private key as 64 hex
 * characters. Saving never overwrites (a lost node key changes the node's
 * identity) and never leaves a partial file: write to a temporary name with
 * mode 0600, fsync, then link() into place, which fails if the target exists.
 */
#include "ethp2p/hex.h"
#include "ethp2p/key.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ethp2p_nodekey_load(const char *path, ethp2p_privkey *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ETHP2P_EIO;
    char text[80];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, text + got, sizeof(text) - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return ETHP2P_EIO;
        }
        if (r == 0) break;
        got += (size_t)r;
        if (got == sizeof(text)) break;
    }
    close(fd);
    /* Accept one trailing newline (files written by editors and `echo`). */
    if (got > 0 && text[got - 1] == '\n') got--;
    if (got > 0 && text[got - 1] == '\r') got--;
    if (got != 2 * ETHP2P_PRIVKEY_SIZE) return ETHP2P_EFORMAT;
    int rc = ethp2p_hex_decode_fixed(text, got, out->b, sizeof(out->b));
    if (rc) return rc;
    return ethp2p_privkey_check(out);
}

int ethp2p_nodekey_save(const char *path, const ethp2p_privkey *key)
{
    if (ethp2p_privkey_check(key)) return ETHP2P_EKEY;
    if (access(path, F_OK) == 0) return ETHP2P_EEXIST;
    char tmp[4096];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) return ETHP2P_EINVAL;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return ETHP2P_EIO;
    char text[2 * ETHP2P_PRIVKEY_SIZE + 1];
    ethp2p_hex_encode(key->b, sizeof(key->b), text);
    int rc = 0;
    size_t len = 2 * ETHP2P_PRIVKEY_SIZE, off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) { rc = ETHP2P_EIO; break; }
        off += (size_t)w;
    }
    if (!rc && fsync(fd) != 0) rc = ETHP2P_EIO;
    int e = errno;
    close(fd);
    if (!rc && link(tmp, path) != 0) {
        e = errno;
        rc = (e == EEXIST) ? ETHP2P_EEXIST : ETHP2P_EIO;
    }
    unlink(tmp);
    errno = e;
    return rc;
}

/* Test helpers; see test_util.h. */
#include "test_util.h"
#include "ethp2p/hex.h"
#include "ethp2p/random.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

json_t *tu_load_json(const char *relpath)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", ETHP2P_TEST_DATA, relpath);
    json_error_t e;
    json_t *j = json_load_file(path, JSON_ALLOW_NUL, &e);
    /* Files with integers above 2^63 (uint64 maxima) load with every number as a real. */
    if (!j && strstr(e.text, "too big integer")) j = json_load_file(path, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &e);
    if (!j) fail_msg("cannot load %s: %s (line %d)", path, e.text, e.line);
    return j;
}

uint64_t tu_u64(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v) && json_integer_value(v) >= 0) return (uint64_t)json_integer_value(v);
    if (json_is_real(v) && json_real_value(v) >= 0) return json_real_value(v) >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)json_real_value(v);
    fail_msg("no unsigned integer '%s' in test data", key);
    return 0;
}

uint8_t *tu_hex(const char *hex, size_t *len)
{
    size_t tl = strlen(hex);
    uint8_t *out = malloc(tl / 2 + 1);
    assert_non_null(out);
    if (ethp2p_hex_decode(hex, tl, out, tl / 2 + 1, len) != 0) fail_msg("bad hex in test data: %.40s", hex);
    return out;
}

void tu_hex_fixed(const char *hex, uint8_t *out, size_t n)
{
    if (ethp2p_hex_decode_fixed(hex, strlen(hex), out, n) != 0) fail_msg("bad fixed hex (%zu bytes): %.40s", n, hex);
}

const char *tu_str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (!s) fail_msg("missing string member '%s'", key);
    return s;
}

json_t *tu_vectors;

void tu_vec_hex(const char *section, const char *name, uint8_t *out, size_t n)
{
    const json_t *obj = section ? json_object_get(tu_vectors, section) : tu_vectors;
    tu_hex_fixed(tu_str(obj, name), out, n);
}

uint64_t tu_rand(tu_rng *r) { return ethp2p_splitmix64(&r->s); }

uint64_t tu_rand_below(tu_rng *r, uint64_t n) { return n ? tu_rand(r) % n : 0; }

void tu_rand_bytes(tu_rng *r, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)tu_rand(r);
}

static char *slurp_fd(int fd)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r <= 0) break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    return buf;
}

int tu_run_cli(char **out, char **err, const char *arg0, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)ETHP2P_CLI_PATH;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 31; a = va_arg(ap, const char *)) argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    /* stdout and stderr go to temporary files: no risk of a pipe deadlock. */
    char opath[] = "/tmp/ethp2p-test-outXXXXXX", epath[] = "/tmp/ethp2p-test-errXXXXXX";
    int ofd = mkstemp(opath), efd = mkstemp(epath);
    assert_true(ofd >= 0 && efd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(ofd, 1);
        dup2(efd, 2);
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) dup2(nul, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    char *o = slurp_fd(ofd), *e = slurp_fd(efd);
    close(ofd);
    close(efd);
    unlink(opath);
    unlink(epath);
    if (out) *out = o; else free(o);
    if (err) *err = e; else free(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

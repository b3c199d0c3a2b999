/* enode URLs: parsing, formatting, rejections, host names. */
#define _GNU_SOURCE /* unshare(2) */
#include "test_util.h"
#include "ethp2p/enode.h"

#include "ethp2p/log.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Public key of the EIP-8 / ENR vector key b71c...f291. */
#define PUB "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"

static void roundtrip(const char *url, const char *want_ip, uint16_t tcp, uint16_t udp)
{
    ethp2p_enode n;
    assert_int_equal(ethp2p_enode_parse(url, &n, NULL, 0), 0);
    char ip[64], out[ETHP2P_ENODE_URL_MAX];
    ethp2p_ip_format(&n.ip, ip, sizeof(ip));
    assert_string_equal(ip, want_ip);
    assert_int_equal(n.tcp, tcp);
    assert_int_equal(n.udp, udp);
    assert_int_equal(ethp2p_enode_format(&n, out, sizeof(out)), 0);
    assert_string_equal(out, url);
}

static void test_parse_and_format(void **state)
{
    roundtrip("enode://" PUB "@127.0.0.1:30303", "127.0.0.1", 30303, 30303);
    roundtrip("enode://" PUB "@10.3.58.6:30303?discport=30301", "10.3.58.6", 30303, 30301);
    roundtrip("enode://" PUB "@[::1]:30303", "::1", 30303, 30303);
    roundtrip("enode://" PUB "@[2001:db8::7]:1?discport=0", "2001:db8::7", 1, 0);
    roundtrip("enode://" PUB, "", 0, 0); /* ID only */

    ethp2p_enode n;
    /* The node ID is keccak256 of the key (checked against the ENR vector's node ID). */
    assert_int_equal(ethp2p_enode_parse("enode://" PUB "@1.2.3.4:5", &n, NULL, 0), 0);
    assert_int_equal(n.id.b[0], 0xa4);
    assert_int_equal(n.id.b[31], 0xf7);
    /* IPv4-mapped IPv6 is treated as IPv4; unknown query parameters are ignored. */
    assert_int_equal(ethp2p_enode_parse("enode://" PUB "@[::ffff:1.2.3.4]:5?x=1&discport=6", &n, NULL, 0), 0);
    assert_int_equal(n.ip.family, 4);
    assert_int_equal(n.udp, 6);
    /* Upper-case hex is accepted. */
    char upper[300];
    snprintf(upper, sizeof(upper), "enode://%s@1.2.3.4:5", PUB);
    for (char *p = upper + 8; *p != '@'; p++) if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 32);
    assert_int_equal(ethp2p_enode_parse(upper, &n, NULL, 0), 0);
}

static void test_rejects(void **state)
{
    ethp2p_enode n;
    static const char *bad[] = {
        "",
        "enode:/" PUB "@1.2.3.4:5",
        "enr://" PUB "@1.2.3.4:5",
        "enode://" PUB "00@1.2.3.4:5",            /* key too long */
        "enode://" PUB "@1.2.3.4",                /* no port */
        "enode://" PUB "@1.2.3.4:",               /* empty port */
        "enode://" PUB "@1.2.3.4:65536",          /* port out of range */
        "enode://" PUB "@1.2.3.4:-1",
        "enode://" PUB "@1.2.3.4:5?discport=70000",
        "enode://" PUB "@1.2.3.4:5?discport=",
        "enode://" PUB "@[::1:30303",             /* unclosed bracket */
        "enode://" PUB "@:30303",                 /* empty host */
        "enode://" PUB "@bad_host!:30303",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = ethp2p_enode_parse(bad[i], &n, NULL, 0);
        if (rc != ETHP2P_EFORMAT) fail_msg("accepted or misreported (%d): %s", rc, bad[i]);
    }
    /* Right length, not on the curve. */
    char off[300];
    snprintf(off, sizeof(off), "enode://%s@1.2.3.4:5", PUB);
    off[8 + 127] = off[8 + 127] == '0' ? '1' : '0';
    assert_int_equal(ethp2p_enode_parse(off, &n, NULL, 0), ETHP2P_EKEY);
    /* An overlong input is refused without scanning it all. */
    char longurl[3000];
    memset(longurl, 'a', sizeof(longurl) - 1);
    longurl[sizeof(longurl) - 1] = '\0';
    memcpy(longurl, "enode://", 8);
    assert_int_equal(ethp2p_enode_parse(longurl, &n, NULL, 0), ETHP2P_EFORMAT);
}

static void test_hostnames(void **state)
{
    ethp2p_enode n;
    char host[256];
    /* The parser never resolves: it reports the name. */
    assert_int_equal(ethp2p_enode_parse("enode://" PUB "@boot.example.org:30303", &n, host, sizeof(host)),
                     ETHP2P_EHOSTNAME);
    assert_string_equal(host, "boot.example.org");
    /* The resolver handles numeric addresses without lookups, and names from /etc/hosts. */
    assert_int_equal(ethp2p_enode_resolve("enode://" PUB "@127.0.0.2:1", &n), 0);
    assert_int_equal(n.ip.b[3], 2);
    assert_int_equal(ethp2p_enode_resolve("enode://" PUB "@localhost:30303?discport=30304", &n), 0);
    assert_true(ethp2p_ip_is_loopback(&n.ip));
    assert_int_equal(n.tcp, 30303);
    assert_int_equal(n.udp, 30304);
}

/*
 * A name that does not resolve is an error that names it. The lookup runs in a
 * child inside a new network namespace (only a downed loopback), so no DNS query
 * can leave the machine: the resolver fails at once.
 */
static void test_unresolvable_name_is_named(void **state)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) _exit(77);
        FILE *log = fdopen(fds[1], "w");
        ethp2p_log_set_stream(log);
        ethp2p_enode n;
        int rc = ethp2p_enode_resolve("enode://" PUB "@no-such-host.ethp2p.invalid:30303", &n);
        fflush(log);
        _exit(rc == ETHP2P_ERESOLVE ? 0 : 1);
    }
    close(fds[1]);
    char buf[2048] = {0};
    size_t got = 0;
    ssize_t r;
    while (got < sizeof(buf) - 1 && (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0) got += (size_t)r;
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) skip(); /* no namespaces here: the lookup would leave the machine */
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(buf, "host=no-such-host.ethp2p.invalid"));
    assert_non_null(strstr(buf, "lvl=error"));
}

static void test_ip_helpers(void **state)
{
    ethp2p_ip a, b;
    assert_int_equal(ethp2p_ip_parse("127.5.6.7", &a), 0);
    assert_true(ethp2p_ip_is_loopback(&a));
    assert_int_equal(ethp2p_ip_parse("::1", &b), 0);
    assert_true(ethp2p_ip_is_loopback(&b));
    assert_false(ethp2p_ip_equal(&a, &b));
    assert_int_equal(ethp2p_ip_parse("8.8.8.8", &b), 0);
    assert_false(ethp2p_ip_is_loopback(&b));
    assert_int_equal(ethp2p_ip_parse("1.2.3", &b), ETHP2P_EFORMAT);
    assert_int_equal(ethp2p_ip_parse("localhost", &b), ETHP2P_EFORMAT);
}

static ethp2p_ip ip_of(const char *s)
{
    ethp2p_ip ip;
    assert_int_equal(ethp2p_ip_parse(s, &ip), 0);
    return ip;
}

static void test_ip_classes_and_relay_rule(void **state)
{
    static const char *lan[] = {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.0.1", "127.0.0.1",
                                "fe80::1", "fd00::1", "::1"};
    static const char *not_lan[] = {"172.32.0.1", "8.8.8.8", "2a00::1", "11.0.0.1"};
    for (size_t i = 0; i < sizeof(lan) / sizeof(lan[0]); i++) {
        ethp2p_ip ip = ip_of(lan[i]);
        if (!ethp2p_ip_is_lan(&ip)) fail_msg("%s should be LAN", lan[i]);
    }
    for (size_t i = 0; i < sizeof(not_lan) / sizeof(not_lan[0]); i++) {
        ethp2p_ip ip = ip_of(not_lan[i]);
        if (ethp2p_ip_is_lan(&ip)) fail_msg("%s should not be LAN", not_lan[i]);
    }
    static const char *special[] = {"224.0.0.1", "255.255.255.255", "192.0.2.7", "198.51.100.1", "203.0.113.9",
                                    "169.254.1.1", "240.0.0.1", "2001:db8::1", "ff02::1"};
    for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
        ethp2p_ip ip = ip_of(special[i]);
        if (!ethp2p_ip_is_special(&ip)) fail_msg("%s should be special", special[i]);
    }
    ethp2p_ip pub = ip_of("8.8.8.8"), loop = ip_of("127.0.0.1"), lanip = ip_of("192.168.1.1"),
              zero = ip_of("0.0.0.0"), mc = ip_of("224.0.0.1");
    assert_null(ethp2p_ip_relay_problem(&pub, &pub));
    assert_string_equal(ethp2p_ip_relay_problem(&pub, &loop), "loopback");
    assert_null(ethp2p_ip_relay_problem(&loop, &loop));          /* loopback sender may name loopback */
    assert_string_equal(ethp2p_ip_relay_problem(&pub, &lanip), "lan");
    assert_null(ethp2p_ip_relay_problem(&lanip, &lanip));
    assert_null(ethp2p_ip_relay_problem(&loop, &lanip));         /* loopback counts as LAN */
    assert_string_equal(ethp2p_ip_relay_problem(&pub, &zero), "unspecified");
    assert_string_equal(ethp2p_ip_relay_problem(&pub, &mc), "special");
    ethp2p_ip a = ip_of("1.2.3.4"), b = ip_of("1.2.3.200"), c = ip_of("1.2.4.4");
    assert_true(ethp2p_ip_same_prefix(&a, &b, 24));
    assert_false(ethp2p_ip_same_prefix(&a, &c, 24));
    assert_true(ethp2p_ip_same_prefix(&a, &c, 16));
}

static void test_netlist(void **state)
{
    (void)state;
    ethp2p_netlist l;
    ethp2p_ip ip;
    assert_int_equal(ethp2p_netlist_parse("10.0.0.0/8,192.168.1.0/24,fd00::/8", &l), 0);
    assert_int_equal(l.n, 3);
    const struct { const char *ip; int in; } cases[] = {
        {"10.1.2.3", 1}, {"11.0.0.1", 0}, {"192.168.1.77", 1}, {"192.168.2.1", 0},
        {"fd12::1", 1}, {"fe80::1", 0}, {"127.0.0.1", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ethp2p_ip_parse(cases[i].ip, &ip), 0);
        assert_int_equal(ethp2p_netlist_contains(&l, &ip), cases[i].in);
    }
    /* No list: everything passes. */
    assert_int_equal(ethp2p_netlist_contains(NULL, &ip), 1);
    assert_int_equal(ethp2p_netlist_parse("0.0.0.0/0", &l), 0);
    assert_int_equal(ethp2p_netlist_contains(&l, &ip), 1); /* 127.0.0.1 */
    assert_int_equal(ethp2p_ip_parse("fe80::1", &ip), 0);
    assert_int_equal(ethp2p_netlist_contains(&l, &ip), 0); /* an IPv4 range holds no IPv6 address */
    const char *bad[] = {"", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/8,", ",10.0.0.0/8", "10.0.0.0/x",
                         "10.0.0.0/", "::/129", "host/8", "10.0.0.0/8,,1.0.0.0/8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ethp2p_netlist_parse(bad[i], &l), ETHP2P_EFORMAT);
    /* At most 64 ranges. */
    char many[65 * 16] = "";
    for (int i = 0; i < 65; i++) sprintf(many + strlen(many), "%s10.%d.0.0/16", i ? "," : "", i);
    assert_int_equal(ethp2p_netlist_parse(many, &l), ETHP2P_EFORMAT);
    *strrchr(many, ',') = '\0';
    assert_int_equal(ethp2p_netlist_parse(many, &l), 0);
    assert_int_equal(l.n, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_hostnames),
        cmocka_unit_test(test_unresolvable_name_is_named),
        cmocka_unit_test(test_ip_helpers),
        cmocka_unit_test(test_ip_classes_and_relay_rule),
        cmocka_unit_test(test_netlist),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

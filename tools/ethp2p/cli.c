/*
 * Flag parsing for the CLI. Hand-written (getopt_long cannot express
 * "unknown flags are errors, flags may follow positionals, --flag=value")
 * and shared by every sub-command so that help output looks the same.
 */
#include "cli.h"
#include "ethp2p/nat.h"
#include "ethp2p/enode.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("ethp2p: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_print_help(const cli_command *cmd)
{
    printf("Usage: %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->nflags) printf("\nFlags:\n");
    for (size_t i = 0; i < cmd->nflags; i++) {
        char left[64];
        snprintf(left, sizeof(left), "--%s%s%s", cmd->flags[i].name, cmd->flags[i].arg ? " " : "",
                 cmd->flags[i].arg ? cmd->flags[i].arg : "");
        printf("  %-24s %s\n", left, cmd->flags[i].help);
    }
    printf("  %-24s %s\n", "--help", "show this help");
}

int cli_parse(const cli_command *cmd, int argc, char **argv, char **pos, int *npos)
{
    *npos = 0;
    int only_positional = 0;
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (!only_positional && a[0] == '-' && a[1] != '\0') {
            const char *name = a + (a[1] == '-' ? 2 : 1);
            if (strcmp(name, "help") == 0 || strcmp(name, "h") == 0) {
                cli_print_help(cmd);
                return CLI_OK;
            }
            const char *eq = strchr(name, '=');
            size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
            cli_flag *f = NULL;
            for (size_t k = 0; k < cmd->nflags; k++)
                if (strlen(cmd->flags[k].name) == nlen && strncmp(cmd->flags[k].name, name, nlen) == 0)
                    f = &cmd->flags[k];
            if (!f) {
                cli_error("unknown flag %s (see --help)", a);
                return CLI_USAGE;
            }
            if (f->arg) {
                if (eq) f->value = eq + 1;
                else if (i + 1 < argc) f->value = argv[++i];
                else {
                    cli_error("flag --%s needs a value %s", f->name, f->arg);
                    return CLI_USAGE;
                }
            } else {
                if (eq) {
                    cli_error("flag --%s takes no value", f->name);
                    return CLI_USAGE;
                }
                f->value = "";
            }
            continue;
        }
        if (*npos >= cmd->max_args) {
            cli_error("unexpected argument '%s' (see --help)", a);
            return CLI_USAGE;
        }
        pos[(*npos)++] = a;
    }
    if (*npos < cmd->min_args) {
        cli_error("missing argument (usage: %s)", cmd->usage);
        return CLI_USAGE;
    }
    return -1;
}

int cli_parse_u64(const char *name, const char *text, uint64_t *out)
{
    if (!text[0] || text[0] == '-' || text[0] == '+') goto bad;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end) goto bad;
    *out = v;
    return 0;
bad:
    cli_error("--%s: '%s' is not a non-negative integer", name, text);
    return -1;
}

int cli_parse_port(const char *name, const char *text, uint16_t *out)
{
    uint64_t v;
    if (cli_parse_u64(name, text, &v)) return -1;
    if (v > 65535) {
        cli_error("--%s: port %s is out of range (0-65535)", name, text);
        return -1;
    }
    *out = (uint16_t)v;
    return 0;
}

int cli_dispatch(const char *group, const cli_subcommand *subs, size_t nsubs, int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
        FILE *out = argc < 1 ? stderr : stdout;
        fprintf(out, "Usage: ethp2p %s SUBCOMMAND ...\n\nSubcommands:\n", group);
        for (size_t i = 0; i < nsubs; i++) fprintf(out, "  %-10s %s\n", subs[i].name, subs[i].summary);
        fprintf(out, "\nRun 'ethp2p %s SUBCOMMAND --help' for its flags.\n", group);
        return argc < 1 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < nsubs; i++)
        if (strcmp(argv[0], subs[i].name) == 0) return subs[i].run(argc - 1, argv + 1);
    cli_error("unknown %s subcommand '%s' (see 'ethp2p %s --help')", group, argv[0], group);
    return CLI_USAGE;
}

int cli_parse_duration_ms(const char *name, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    double mult = 1000;
    if (errno || end == text || v < 0) goto bad;
    if (strcmp(end, "ms") == 0) mult = 1;
    else if (strcmp(end, "s") == 0 || *end == '\0') mult = 1000;
    else if (strcmp(end, "m") == 0) mult = 60000;
    else if (strcmp(end, "h") == 0) mult = 3600000;
    else goto bad;
    if (v * mult > 1e15) goto bad;
    *out = (uint64_t)(v * mult);
    return 0;
bad:
    cli_error("--%s: '%s' is not a duration (like 500ms, 10s, 5m, 1h)", name, text);
    return -1;
}

int cli_set_verbosity(const char *text)
{
    uint64_t v;
    if (cli_parse_u64("verbosity", text, &v)) return -1;
    if (v > 5) {
        cli_error("--verbosity: %s is out of range (0-5)", text);
        return -1;
    }
    ethp2p_log_set_level((int)v);
    return 0;
}

int cli_parse_enodes(const char *flag, const char *list, struct ethp2p_enode **out)
{
    size_t cap = 1;
    for (const char *p = list; *p; p++) cap += *p == ',';
    ethp2p_enode *arr = calloc(cap, sizeof(*arr));
    if (!arr) return -1;
    int n = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        if (len > 0) {
            char *one = strndup(p, len);
            int rc = one ? ethp2p_enode_resolve(one, &arr[n]) : ETHP2P_ENOMEM;
            if (rc == 0 && arr[n].ip.family == 0) rc = ETHP2P_EFORMAT;
            if (rc) {
                cli_error("--%s: cannot use '%s': %s", flag, one ? one : "?",
                          rc == ETHP2P_EFORMAT ? "not an enode URL with an address (enode://<128 hex>@host:port)"
                                               : ethp2p_strerror(rc));
                free(one);
                free(arr);
                return -1;
            }
            free(one);
            n++;
        }
        p += len;
        if (*p == ',') p++;
    }
    *out = arr;
    return n;
}

int cli_parse_nat(const char *text, const ethp2p_ip *bind_ip, ethp2p_ip *adv, ethp2p_nat_spec *spec)
{
    ethp2p_nat_spec sp;
    if (ethp2p_nat_parse(text, &sp)) {
        cli_error("--nat: '%s' is not any, none, upnp, pmp, stun[:HOST:PORT] or extip:IP", text);
        return -1;
    }
    if (!spec && sp.mode != ETHP2P_NAT_NONE && sp.mode != ETHP2P_NAT_EXTIP) {
        cli_error("--nat: this command takes none or extip:IP");
        return -1;
    }
    if (spec) *spec = sp;
    if (sp.mode == ETHP2P_NAT_EXTIP) *adv = sp.ip;
    else {
        *adv = *bind_ip;
        if (ethp2p_ip_is_unspecified(adv)) memset(adv, 0, sizeof(*adv)); /* unknown: sent empty (or learned) */
    }
    return 0;
}

int cli_parse_netlist(const char *name, const char *text, ethp2p_netlist *out)
{
    if (ethp2p_netlist_parse(text, out) == 0) return 0;
    cli_error("--%s: '%s' is not a list of CIDR ranges (like 10.0.0.0/8,192.168.0.0/16)", name, text);
    return -1;
}

char *cli_hex(const uint8_t *data, size_t len)
{
    char *s = malloc(2 * len + 3);
    if (!s) return NULL;
    s[0] = '0';
    s[1] = 'x';
    ethp2p_hex_encode(data, len, s + 2);
    return s;
}

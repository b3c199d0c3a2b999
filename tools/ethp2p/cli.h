/* Shared helpers for the ethp2p command-line tool. */
#ifndef ETHP2P_CLI_H
#define ETHP2P_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses: 0 success, 1 failure (bad input, timeout, I/O), 2 usage error. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

typedef struct cli_flag {
    const char *name;   /* without the leading "--" */
    const char *arg;    /* value placeholder for help ("IP"), NULL for a boolean flag */
    const char *help;
    const char *value;  /* set by cli_parse: the value, or "" for a boolean */
} cli_flag;

typedef struct cli_command {
    const char *usage;       /* "ethp2p key to-enode FILE [flags]" */
    const char *summary;     /* one line */
    cli_flag *flags;
    size_t nflags;
    int min_args, max_args;  /* positional arguments */
} cli_command;

/**
 * Parses argv (after the command words) into flags and positional args.
 * Returns -1 to continue, or an exit status: CLI_OK after printing --help,
 * CLI_USAGE after printing an error about unknown flags or argument counts.
 */
int cli_parse(const cli_command *cmd, int argc, char **argv, char **pos, int *npos);

/** Prints the command's help to stdout. */
void cli_print_help(const cli_command *cmd);

/** Parses a decimal port 0..65535 for flag `name`; prints an error and returns -1 if bad. */
int cli_parse_port(const char *name, const char *text, uint16_t *out);
/** Parses a decimal uint64 for flag `name`; prints an error and returns -1 if bad. */
int cli_parse_u64(const char *name, const char *text, uint64_t *out);

/** Parses a duration: "500ms", "5s", "2m", "1h", or plain seconds. -1 with a message if bad. */
int cli_parse_duration_ms(const char *name, const char *text, uint64_t *out);
/** Sets the log level from --verbosity 0..5 (0 silent .. 5 trace). -1 with a message if bad. */
int cli_set_verbosity(const char *text);

struct ethp2p_enode;
struct ethp2p_ip;
struct ethp2p_netlist;
/**
 * Parses a comma-separated list of enode URLs, resolving host names once.
 * Returns the count (malloc'd array in *out), or -1 after printing which entry failed and why.
 */
int cli_parse_enodes(const char *flag, const char *list, struct ethp2p_enode **out);

/** Prints "ethp2p: <fmt>" and a newline to stderr. */
struct ethp2p_nat_spec;
/**
 * Parses --nat (ethp2p/nat.h): adv is extip's IP, else the bind IP if specific. spec NULL:
 * only none and extip are accepted (commands that map no ports).
 */
int cli_parse_nat(const char *text, const struct ethp2p_ip *bind_ip, struct ethp2p_ip *adv, struct ethp2p_nat_spec *spec);
/** Parses a CIDR list flag (--netrestrict); prints the error. */
int cli_parse_netlist(const char *name, const char *text, struct ethp2p_netlist *out);
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** "0x" and the lowercase hex of data, malloc'd (NULL when out of memory): free it. */
char *cli_hex(const uint8_t *data, size_t len);

/**
 * Reads a configuration file (a JSON object whose keys are flag names without "--") into the
 * flags the command line left unset: flags override the file. Strings and numbers give a
 * flag's value, arrays of strings a comma-separated one, true/false a boolean flag. Unknown
 * keys and wrong types are errors (printed). The values live until the process ends.
 */
int cli_config_load(const char *path, cli_flag *flags, size_t nflags);
/**
 * Prints the effective configuration in the same form: each flag's value, else its default
 * (defs: one per flag, NULL for none; booleans print false). skip: flag indexes left out, -1 ended.
 */
void cli_config_dump(const cli_flag *flags, const char *const *defs, size_t nflags, const int *skip);

typedef struct cli_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_subcommand;

/** Runs the sub-command named by argv[0], or prints the group's help. */
int cli_dispatch(const char *group, const cli_subcommand *subs, size_t nsubs, int argc, char **argv);

int cmd_key(int argc, char **argv);
int cmd_enr(int argc, char **argv);
int cmd_rlpdump(int argc, char **argv);
int cmd_node(int argc, char **argv);
/** ethp2p dumpconfig [node flags]: the effective `ethp2p node` configuration as JSON. */
int cmd_dumpconfig(int argc, char **argv);
int cmd_tx(int argc, char **argv);
int cmd_chain(int argc, char **argv);
int cmd_dns(int argc, char **argv);
int cmd_discv5(int argc, char **argv);
int cmd_discv5_crawl(int argc, char **argv);
int cmd_rpc(int argc, char **argv);
int cmd_bootnode(int argc, char **argv);
int cmd_discv4(int argc, char **argv);
int cmd_crawl(int argc, char **argv);
int cmd_sim(int argc, char **argv);
int cmd_ntp(int argc, char **argv);
int cmd_rlpx(int argc, char **argv);

#endif

/*
 * ethp2p ntp: the clock-drift check on demand. Prints one JSON object with the
 * median offset of three SNTP queries; exits 1 if no reply came back.
 */
#include "cli.h"
#include "ethp2p/log.h"
#include "ethp2p/ntp.h"

#include <stdio.h>
#include <uv.h>

typedef struct ntp_result {
    int done, err, samples;
    int64_t offset;
} ntp_result;

static void on_result(void *arg, int err, int64_t offset_ms, int samples)
{
    ntp_result *r = arg;
    r->done = 1;
    r->err = err;
    r->offset = offset_ms;
    r->samples = samples;
}

int cmd_ntp(int argc, char **argv)
{
    cli_flag flags[] = {
        {"server", "HOST:PORT", "NTP server (default " ETHP2P_NTP_DEFAULT_SERVER ")", NULL},
        {"verbosity", "N", "log level 0-5 (default 2: warnings)", NULL},
    };
    cli_command cmd = {"ethp2p ntp [--server HOST:PORT]",
                       "Checks the system clock against an NTP server, as discovery does after many\n"
                       "reply timeouts, and prints {server, offsetMs, samples, driftWarning} as JSON.",
                       flags, 2, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_log_set_level(ETHP2P_LOG_WARN);
    if (flags[1].value && cli_set_verbosity(flags[1].value)) return CLI_USAGE;
    const char *server = flags[0].value ? flags[0].value : ETHP2P_NTP_DEFAULT_SERVER;
    ntp_result r = {0};
    uv_loop_t *loop = uv_default_loop();
    if ((rc = ethp2p_ntp_check(loop, server, on_result, &r))) {
        cli_error("cannot query %s: %s", server, ethp2p_strerror(rc));
        uv_run(loop, UV_RUN_DEFAULT);
        return CLI_FAIL;
    }
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    if (r.err) {
        cli_error("no reply from NTP server %s (is UDP to it allowed? without internet, use --server with a local one)",
                  server);
        return CLI_FAIL;
    }
    long long off = (long long)r.offset;
    printf("{\"server\": \"%s\", \"offsetMs\": %lld, \"samples\": %d, \"driftWarning\": %s}\n", server, off, r.samples,
           (off > ETHP2P_NTP_DRIFT_WARN_MS || off < -ETHP2P_NTP_DRIFT_WARN_MS) ? "true" : "false");
    return CLI_OK;
}

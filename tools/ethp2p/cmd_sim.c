/*
 * ethp2p sim discv4 / discv5: N discovery nodes in one process on a virtual
 * network (the same cores as the real node, driven by src/sim). Prints one
 * JSON object: when the tables converged, how full they are, and how lookups
 * for random nodes fare (success rate, hop counts, queries).
 */
#include "cli.h"
#include "ethp2p/random.h"
#include "ethp2p/simnet.h"
#include "ethp2p/ethsim.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SIM_START_MS 1800000000000ULL
#define SAMPLE_EVERY_MS 10000

enum { F_NODES, F_SEED, F_DURATION, F_LATENCY, F_JITTER, F_LOSS, F_LOOKUPS, F_SIGNATURES, F_COUNT };

typedef struct lookup_result {
    ethp2p_node_id target;
    int done, found, hops;
    size_t queries;
} lookup_result;

static void on_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    lookup_result *r = arg;
    r->done = 1;
    r->hops = info->hops;
    r->queries = info->queries;
    /* Success: the target itself is the nearest node the lookup returns. */
    r->found = n > 0 && memcmp(nodes[0].id.b, r->target.b, 32) == 0;
    if (getenv("ETHP2P_SIM_DEBUG") && !r->found)
        fprintf(stderr, "lookup missed: n=%zu queries=%zu hops=%d nearest at distance %d\n", n, info->queries,
                info->hops, n ? ethp2p_node_id_logdist(&nodes[0].id, &r->target) : -1);
}

static void on_lookup_v5(void *arg, const ethp2p_enr *recs, size_t n, const ethp2p_discv5_lookup_info *info)
{
    lookup_result *r = arg;
    ethp2p_node_id id;
    r->done = 1;
    r->hops = info->hops;
    r->queries = info->queries;
    r->found = n > 0 && ethp2p_enr_node_id(&recs[0], &id) == 0 && memcmp(id.b, r->target.b, 32) == 0;
    if (getenv("ETHP2P_SIM_DEBUG") && !r->found)
        fprintf(stderr, "lookup missed: n=%zu queries=%zu replies=%zu nearest at distance %d\n", n, info->queries,
                info->replies, n ? ethp2p_discv5_log_distance(id.b, r->target.b) : -1);
}

static size_t table_len(ethp2p_simnet *net, int i)
{
    ethp2p_discv5 *v5 = ethp2p_simnet_node_v5(net, i);
    return v5 ? ethp2p_discv5_table_len(v5) : ethp2p_table_len(ethp2p_discv4_table(ethp2p_simnet_node(net, i)));
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int sim_discovery(int argc, char **argv, int v5)
{
    cli_flag flags[F_COUNT] = {
        [F_NODES] = {"nodes", "N", "number of nodes (default 100, at most 524288)", NULL},
        [F_SEED] = {"seed", "S", "random seed; the same seed replays the same run (default 1)", NULL},
        [F_DURATION] = {"duration", "DURATION", "virtual time to run before measuring (default 5m)", NULL},
        [F_LATENCY] = {"latency", "DURATION", "minimum one-way latency (default 20ms)", NULL},
        [F_JITTER] = {"jitter", "DURATION", "extra random latency up to this (default 80ms)", NULL},
        [F_LOSS] = {"loss", "P", "packet loss probability 0..1 (default 0.01)", NULL},
        [F_LOOKUPS] = {"lookups", "K", "random lookups measured after the run (default 200)", NULL},
        [F_SIGNATURES] = {"signatures", "real|simulated", "discv4: secp256k1, or a stand-in that skips ECDSA (default: real up to 2000 nodes); discv5 is always real", NULL},
    };
    cli_command cmd = {v5 ? "ethp2p sim discv5 --nodes N --seed S [flags]" : "ethp2p sim discv4 --nodes N --seed S [flags]",
                       v5 ? "Runs N discv5 nodes (real handshakes and records) on a simulated network and prints\n"
                            "JSON: time to converge, table fill, lookup hop counts and success rate for random targets."
                          : "Runs N discv4 nodes on a simulated network and prints JSON: time to converge,\n"
                            "table fill, lookup hop counts and success rate for random targets.",
                       flags, F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    uint64_t nodes = 100, seed = 1, duration = 5 * 60 * 1000, latency = 20, jitter = 80, lookups = 200;
    double loss = 0.01;
    if ((flags[F_NODES].value && cli_parse_u64("nodes", flags[F_NODES].value, &nodes)) ||
        (flags[F_SEED].value && cli_parse_u64("seed", flags[F_SEED].value, &seed)) ||
        (flags[F_DURATION].value && cli_parse_duration_ms("duration", flags[F_DURATION].value, &duration)) ||
        (flags[F_LATENCY].value && cli_parse_duration_ms("latency", flags[F_LATENCY].value, &latency)) ||
        (flags[F_JITTER].value && cli_parse_duration_ms("jitter", flags[F_JITTER].value, &jitter)) ||
        (flags[F_LOOKUPS].value && cli_parse_u64("lookups", flags[F_LOOKUPS].value, &lookups)))
        return CLI_USAGE;
    if (flags[F_LOSS].value) {
        char *end;
        loss = strtod(flags[F_LOSS].value, &end);
        if (*end || loss < 0 || loss > 1) {
            cli_error("--loss: '%s' is not a probability between 0 and 1", flags[F_LOSS].value);
            return CLI_USAGE;
        }
    }
    int simulated = !v5 && nodes > 2000;
    if (flags[F_SIGNATURES].value) {
        if (strcmp(flags[F_SIGNATURES].value, "real") == 0) simulated = 0;
        else if (v5) {
            cli_error("--signatures: discv5 runs real handshakes and records only");
            return CLI_USAGE;
        }
        else if (strcmp(flags[F_SIGNATURES].value, "simulated") == 0) simulated = 1;
        else {
            cli_error("--signatures: '%s' is not 'real' or 'simulated'", flags[F_SIGNATURES].value);
            return CLI_USAGE;
        }
    }
    if (nodes < 2 || nodes > ETHP2P_SIMNET_MAX_NODES) {
        cli_error("--nodes: %llu is out of range (2-%d)", (unsigned long long)nodes, ETHP2P_SIMNET_MAX_NODES);
        return CLI_USAGE;
    }
    double t0 = wall_seconds();
    ethp2p_simnet_config sc = {.seed = seed, .start_ms = SIM_START_MS, .latency_ms = (uint32_t)latency,
                               .jitter_ms = (uint32_t)jitter, .loss = loss, .simulated_signatures = simulated};
    ethp2p_simnet *net = ethp2p_simnet_new(&sc);
    if (!net) return CLI_FAIL;
    uint64_t krng = seed * 0x9e3779b97f4a7c15ULL + 1;
    ethp2p_discv4_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    ethp2p_discv5_config cfg5;
    memset(&cfg5, 0, sizeof(cfg5));
    cfg5.background = 1;
    /* Nodes join over the first minute, all through node 0, as a network grows. */
    for (uint64_t i = 0; i < nodes; i++) {
        ethp2p_privkey k;
        do {
            for (int b = 0; b < 32; b += 8) {
                uint64_t z = ethp2p_splitmix64(&krng);
                memcpy(k.b + b, &z, 8);
            }
        } while (ethp2p_privkey_check(&k));
        if (i == 1) {
            cfg.bootnodes = ethp2p_simnet_enode(net, 0);
            cfg.nbootnodes = 1;
            cfg5.bootnodes = ethp2p_simnet_record(net, 0);
            cfg5.nbootnodes = 1;
        }
        if ((v5 ? ethp2p_simnet_add_v5(net, &k, &cfg5) : ethp2p_simnet_add(net, &k, &cfg)) < 0) {
            cli_error("cannot create node %llu", (unsigned long long)i);
            ethp2p_simnet_free(net);
            return CLI_FAIL;
        }
    }
    uint64_t join_span = 60000;
    for (uint64_t i = 0; i < nodes; i++) {
        ethp2p_simnet_run_until(net, SIM_START_MS + join_span * i / nodes);
        ethp2p_simnet_start(net, (int)i);
    }
    /* Converged: the mean table fill changed by under 1% over the last sample
     * and every node knows at least min(16, N-1) others. */
    uint64_t converged_at = 0;
    double prev_mean = -1;
    size_t need = nodes - 1 < 16 ? nodes - 1 : 16;
    for (uint64_t t = SIM_START_MS + join_span; t <= SIM_START_MS + join_span + duration; t += SAMPLE_EVERY_MS) {
        ethp2p_simnet_run_until(net, t);
        size_t sum = 0, minfill = SIZE_MAX;
        for (uint64_t i = 0; i < nodes; i++) {
            size_t len = table_len(net, (int)i);
            sum += len;
            if (len < minfill) minfill = len;
        }
        double mean = (double)sum / (double)nodes;
        if (!converged_at && prev_mean > 0 && minfill >= need && mean - prev_mean < 0.01 * mean)
            converged_at = t - SIM_START_MS;
        prev_mean = mean;
    }
    size_t minfill = SIZE_MAX, maxfill = 0, sum = 0, under = 0;
    for (uint64_t i = 0; i < nodes; i++) {
        size_t len = table_len(net, (int)i);
        sum += len;
        if (len < minfill) minfill = len;
        if (len > maxfill) maxfill = len;
        if (len < need) {
            under++;
            if (getenv("ETHP2P_SIM_DEBUG") && !v5) {
                const ethp2p_discv4_stats *ds = ethp2p_discv4_get_stats(ethp2p_simnet_node(net, (int)i));
                fprintf(stderr,
                        "sparse table: node %llu has %zu; in=%llu out=%llu timeouts=%llu unsolicited=%llu "
                        "nobond=%llu expired=%llu lookups=%llu ping/pong/find/nb in %llu/%llu/%llu/%llu out %llu/%llu/%llu/%llu\n",
                        (unsigned long long)i, len, (unsigned long long)ds->packets_in, (unsigned long long)ds->packets_out,
                        (unsigned long long)ds->timeouts, (unsigned long long)ds->drop_unsolicited,
                        (unsigned long long)ds->drop_no_bond, (unsigned long long)ds->drop_expired,
                        (unsigned long long)ds->lookups_done, (unsigned long long)ds->in_by_type[1],
                        (unsigned long long)ds->in_by_type[2], (unsigned long long)ds->in_by_type[3],
                        (unsigned long long)ds->in_by_type[4], (unsigned long long)ds->out_by_type[1],
                        (unsigned long long)ds->out_by_type[2], (unsigned long long)ds->out_by_type[3],
                        (unsigned long long)ds->out_by_type[4]);
            }
        }
    }
    /* Lookups for random existing nodes, from random nodes, one after another. */
    int *hops = calloc(lookups ? lookups : 1, sizeof(int));
    uint64_t lrng = seed ^ 0xabcdef;
    size_t found = 0, total_queries = 0, nh = 0;
    for (uint64_t l = 0; l < lookups; l++) {
        lrng = lrng * 6364136223846793005ULL + 1442695040888963407ULL;
        int from = (int)((lrng >> 33) % nodes);
        lrng = lrng * 6364136223846793005ULL + 1442695040888963407ULL;
        int target = (int)((lrng >> 33) % nodes);
        if (target == from) target = (target + 1) % (int)nodes;
        lookup_result r = {0};
        const ethp2p_enode *te = ethp2p_simnet_enode(net, target);
        r.target = te->id;
        if (v5 ? ethp2p_discv5_lookup(ethp2p_simnet_node_v5(net, from), te->id.b, ethp2p_simnet_now(net), on_lookup_v5, &r)
               : ethp2p_discv4_lookup(ethp2p_simnet_node(net, from), &te->pubkey, ethp2p_simnet_now(net), on_lookup, &r))
            continue;
        ethp2p_simnet_poke(net, from);
        uint64_t limit = ethp2p_simnet_now(net) + 60000;
        while (!r.done && ethp2p_simnet_now(net) < limit) ethp2p_simnet_run_until(net, ethp2p_simnet_now(net) + 100);
        int ok = r.done && r.found;
        if (!ok && !v5 && getenv("ETHP2P_SIM_DEBUG")) {
            size_t holders = 0, live = 0, closer = 0;
            for (uint64_t i = 0; i < nodes; i++) {
                const ethp2p_table_node *tn = ethp2p_table_get(ethp2p_discv4_table(ethp2p_simnet_node(net, (int)i)), &te->id);
                holders += tn != NULL;
                live += tn && tn->validated_live;
                closer += ethp2p_node_id_logdist(&ethp2p_simnet_enode(net, (int)i)->id, &te->id) <= 244;
            }
            fprintf(stderr, "lookup miss %llu: target %d (table %zu) held by %zu tables (%zu checked live); %zu nodes within distance 244\n",
                    (unsigned long long)l, target, table_len(net, target), holders, live, closer);
        }
        found += (size_t)ok;
        total_queries += r.queries;
        if (ok) hops[nh++] = r.hops;
    }
    qsort(hops, nh, sizeof(int), cmp_int);
    double hop_mean = 0;
    for (size_t i = 0; i < nh; i++) hop_mean += hops[i];
    if (nh) hop_mean /= (double)nh;
    const ethp2p_simnet_stats *st = ethp2p_simnet_get_stats(net);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *o = json_object();
    json_object_set_new(o, "protocol", json_string(v5 ? "discv5" : "discv4"));
    json_object_set_new(o, "nodes", json_integer((json_int_t)nodes));
    json_object_set_new(o, "seed", json_integer((json_int_t)seed));
    json_object_set_new(o, "signatures", json_string(simulated ? "simulated" : "secp256k1"));
    json_object_set_new(o, "virtualSeconds", json_real((double)(ethp2p_simnet_now(net) - SIM_START_MS) / 1000.0));
    json_object_set_new(o, "convergedAfterSeconds", converged_at ? json_real((double)converged_at / 1000.0) : json_null());
    json_t *fill = json_object();
    json_object_set_new(fill, "min", json_integer((json_int_t)minfill));
    json_object_set_new(fill, "mean", json_real((double)sum / (double)nodes));
    json_object_set_new(fill, "max", json_integer((json_int_t)maxfill));
    json_object_set_new(fill, "nodesUnder16", json_integer((json_int_t)under));
    json_object_set_new(o, "tableFill", fill);
    json_t *lk = json_object();
    json_object_set_new(lk, "count", json_integer((json_int_t)lookups));
    json_object_set_new(lk, "successRate", json_real(lookups ? (double)found / (double)lookups : 0));
    json_object_set_new(lk, "meanQueries", json_real(lookups ? (double)total_queries / (double)lookups : 0));
    json_t *h = json_object();
    json_object_set_new(h, "mean", json_real(hop_mean));
    json_object_set_new(h, "p50", json_integer(nh ? hops[nh / 2] : 0));
    json_object_set_new(h, "p90", json_integer(nh ? hops[nh * 9 / 10] : 0));
    json_object_set_new(h, "max", json_integer(nh ? hops[nh - 1] : 0));
    json_object_set_new(lk, "hops", h);
    json_object_set_new(o, "lookups", lk);
    json_t *pk = json_object();
    json_object_set_new(pk, "sent", json_integer((json_int_t)st->sent));
    json_object_set_new(pk, "delivered", json_integer((json_int_t)st->delivered));
    json_object_set_new(pk, "lost", json_integer((json_int_t)st->lost));
    json_object_set_new(o, "packets", pk);
    json_object_set_new(o, "wallSeconds", json_real(wall_seconds() - t0));
    json_object_set_new(o, "peakRssMiB", json_real((double)ru.ru_maxrss / 1024.0));
    char *text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    printf("%s\n", text);
    free(text);
    json_decref(o);
    free(hops);
    ethp2p_simnet_free(net);
    return CLI_OK;
}

static int sim_discv4(int argc, char **argv) { return sim_discovery(argc, argv, 0); }
static int sim_discv5(int argc, char **argv) { return sim_discovery(argc, argv, 1); }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * ethp2p sim broadcast: N eth handlers linked at random (each dials `degree`
 * others), K signed transactions submitted at one node, run until every node
 * has every transaction. Prints one JSON object: coverage, latency
 * percentiles over (transaction, node) pairs, sends per transaction, and the
 * duplicate-receipt check.
 */
static int sim_broadcast(int argc, char **argv)
{
    enum { B_NODES, B_DEGREE, B_TXS, B_SENDERS, B_SEED, B_LATENCY, B_JITTER, B_VERSION, B_COUNT };
    cli_flag flags[B_COUNT] = {
        [B_NODES] = {"nodes", "N", "number of nodes (default 1000)", NULL},
        [B_DEGREE] = {"degree", "D", "peers each node dials (default 12: about 24 peers each)", NULL},
        [B_TXS] = {"txs", "K", "transactions submitted at node 0 (default 1000)", NULL},
        [B_SENDERS] = {"senders", "S", "distinct senders (default 10)", NULL},
        [B_SEED] = {"seed", "S", "random seed (default 1)", NULL},
        [B_LATENCY] = {"latency", "DURATION", "minimum one-way latency (default 20ms)", NULL},
        [B_JITTER] = {"jitter", "DURATION", "extra random latency up to this (default 80ms)", NULL},
        [B_VERSION] = {"eth", "VERSION", "eth version on every link, 66..69 (default 69)", NULL},
    };
    cli_command cmd = {"ethp2p sim broadcast --nodes N [flags]", "simulate transaction propagation", flags, B_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    uint64_t nodes = 1000, degree = 12, ntx = 1000, senders = 10, seed = 1, latency = 20, jitter = 80, version = 69;
    if ((flags[B_NODES].value && cli_parse_u64("nodes", flags[B_NODES].value, &nodes)) ||
        (flags[B_DEGREE].value && cli_parse_u64("degree", flags[B_DEGREE].value, &degree)) ||
        (flags[B_TXS].value && cli_parse_u64("txs", flags[B_TXS].value, &ntx)) ||
        (flags[B_SENDERS].value && cli_parse_u64("senders", flags[B_SENDERS].value, &senders)) ||
        (flags[B_SEED].value && cli_parse_u64("seed", flags[B_SEED].value, &seed)) ||
        (flags[B_LATENCY].value && cli_parse_duration_ms("latency", flags[B_LATENCY].value, &latency)) ||
        (flags[B_JITTER].value && cli_parse_duration_ms("jitter", flags[B_JITTER].value, &jitter)) ||
        (flags[B_VERSION].value && cli_parse_u64("eth", flags[B_VERSION].value, &version)))
        return CLI_USAGE;
    if (nodes < 2 || nodes > 100000 || !ntx || !senders || version < 66 || version > 69 || degree >= nodes) {
        cli_error("need 2..100000 nodes, degree below nodes, at least one transaction and sender, eth 66..69");
        return CLI_USAGE;
    }
    ethp2p_chain_config chain;
    if (ethp2p_chain_builtin("devnet", &chain)) return CLI_FAIL;
    ethp2p_ethsim_config sc = {.nodes = nodes, .degree = degree, .version = (uint32_t)version, .seed = seed,
                               .latency_ms = (uint32_t)latency, .jitter_ms = (uint32_t)jitter};
    double t_start = wall_seconds();
    ethp2p_ethsim *sim = ethp2p_ethsim_new(&sc, &chain);
    if (!sim) return CLI_FAIL;
    ethp2p_ethsim_run_until(sim, 5000); /* Status handshakes */
    size_t links_ready = ethp2p_ethsim_ready_links(sim);
    uint8_t(*hashes)[32] = malloc(ntx * 32);
    uint64_t *submitted = malloc(ntx * sizeof(uint64_t));
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    uint8_t to[20] = {0x99};
    uint64_t t0 = ethp2p_ethsim_now(sim);
    for (uint64_t i = 0; i < ntx; i++) {
        ethp2p_privkey k;
        memset(k.b, 0, 32);
        k.b[31] = (uint8_t)(1 + i % senders);
        k.b[30] = (uint8_t)((1 + i % senders) >> 8);
        ethp2p_buffer_reset(&b);
        if (ethp2p_tx_make_transfer(&k, chain.chain_id, i / senders, to, 1, NULL, 0, &b) ||
            ethp2p_ethsim_submit(sim, 0, b.data, b.len, hashes[i]))
            return CLI_FAIL;
        submitted[i] = ethp2p_ethsim_now(sim);
    }
    ethp2p_buffer_clear(&b);
    /* Run in steps until covered (bounded by 10 virtual minutes). */
    size_t missing = 0;
    uint64_t t = t0;
    do {
        t += 1000;
        ethp2p_ethsim_run_until(sim, t);
        missing = 0;
        for (uint64_t i = 0; i < ntx && !missing; i++)
            for (uint64_t n = 0; n < nodes && !missing; n++) missing += ethp2p_ethsim_seen_at(sim, n, hashes[i]) == UINT64_MAX;
    } while (missing && t < t0 + 600000);
    /* Latencies over every (transaction, node other than the submitter). */
    size_t nlat = (size_t)ntx * (nodes - 1), k = 0, never = 0;
    uint64_t *lat = malloc(nlat * sizeof(uint64_t)), full_at = 0;
    for (uint64_t i = 0; i < ntx; i++)
        for (uint64_t n = 1; n < nodes; n++) {
            uint64_t at = ethp2p_ethsim_seen_at(sim, n, hashes[i]);
            if (at == UINT64_MAX) {
                never++;
                continue;
            }
            lat[k++] = at - submitted[i];
            if (at > full_at) full_at = at;
        }
    qsort(lat, k, sizeof(*lat), cmp_u64);
    ethp2p_ethsim_stats st;
    ethp2p_ethsim_get_stats(sim, &st);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    json_t *o = json_object();
    json_object_set_new(o, "nodes", json_integer((json_int_t)nodes));
    json_object_set_new(o, "links", json_integer((json_int_t)st.links));
    json_object_set_new(o, "linksReady", json_integer((json_int_t)links_ready));
    json_object_set_new(o, "eth", json_integer((json_int_t)version));
    json_object_set_new(o, "txs", json_integer((json_int_t)ntx));
    json_object_set_new(o, "allCovered", json_boolean(never == 0));
    json_object_set_new(o, "pairsNeverReached", json_integer((json_int_t)never));
    json_object_set_new(o, "fullCoverageMs", json_integer((json_int_t)(full_at ? full_at - t0 : 0)));
    if (k) {
        json_object_set_new(o, "latencyMs", json_pack("{s:I,s:I,s:I,s:I,s:I}", "p50", (json_int_t)lat[k / 2], "p90",
                                                      (json_int_t)lat[k * 9 / 10], "p99", (json_int_t)lat[k * 99 / 100],
                                                      "max", (json_int_t)lat[k - 1], "min", (json_int_t)lat[0]));
    }
    json_object_set_new(o, "perTx", json_pack("{s:f,s:f,s:f,s:f}", "fullSends", (double)st.full_txs / (double)ntx,
                                              "announcements", (double)st.announced_hashes / (double)ntx,
                                              "fetchRequests", (double)st.requests / (double)ntx,
                                              "messages", (double)st.messages / (double)ntx));
    json_object_set_new(o, "dupFullSamePeer", json_integer((json_int_t)st.dup_full_same_peer));
    json_object_set_new(o, "peersDropped", json_integer((json_int_t)st.drops));
    json_object_set_new(o, "wallSeconds", json_real(wall_seconds() - t_start));
    json_object_set_new(o, "peakRssMiB", json_real((double)ru.ru_maxrss / 1024.0));
    json_dumpf(o, stdout, JSON_INDENT(2));
    printf("\n");
    json_decref(o);
    free(lat);
    free(hashes);
    free(submitted);
    ethp2p_ethsim_free(sim);
    return never == 0 && st.dup_full_same_peer == 0 ? CLI_OK : CLI_FAIL;
}

int cmd_sim(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"discv4", sim_discv4, "simulate a discv4 network"},
        {"discv5", sim_discv5, "simulate a discv5 network"},
        {"broadcast", sim_broadcast, "simulate transaction propagation over eth"},
    };
    return cli_dispatch("sim", subs, sizeof(subs) / sizeof(subs[0]), argc, argv);
}

/*
 * ethp2p dns: DNS node lists (EIP-1459), in the reference tool's layout so
 * that lists made by either tool are interchangeable. A list definition is a
 * directory holding enrtree-info.json ({url, seq, signature, links,
 * lastModified}) and nodes.json (node ID -> {seq, record, ...}, the crawl
 * output's shape).
 *
 *   build NODES.json DIR   a definition from crawl output (optionally only a network's nodes)
 *   sign DIR KEYFILE       builds the tree, bumps seq, signs it: url and signature in enrtree-info.json
 *   to-txt DIR [FILE]      the TXT records as JSON {name: text} (root at the domain)
 *   sync URL [DIR]         walks a published list over DNS; prints its records, or writes DIR
 *
 * The signing key is a node key file (64 hex characters, `ethp2p key
 * generate`); the reference reads an encrypted keystore file instead.
 */
#include "cli.h"
#include "ethp2p/dnsdisc_io.h"
#include "ethp2p/forkid.h"
#include "ethp2p/hex.h"
#include "ethp2p/io.h"
#include "ethp2p/log.h"

#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uv.h>

typedef struct definition {
    json_t *info;   /* enrtree-info.json (an empty object when absent) */
    json_t *nodes;  /* nodes.json */
    ethp2p_enr *recs;
    size_t n;
} definition;

static void def_clear(definition *d)
{
    json_decref(d->info);
    json_decref(d->nodes);
    free(d->recs);
    memset(d, 0, sizeof(*d));
}

static void path_in(char *out, size_t cap, const char *dir, const char *file) { snprintf(out, cap, "%s/%s", dir, file); }

/* The signed records of a nodes.json object (entries without one are skipped, and said). */
static int load_records(json_t *nodes, ethp2p_enr **out, size_t *n)
{
    *out = calloc(json_object_size(nodes) + 1, sizeof(**out));
    *n = 0;
    if (!*out) return -1;
    const char *id;
    json_t *v;
    json_object_foreach(nodes, id, v) {
        const char *text = json_string_value(json_object_get(v, "record"));
        if (!text || strncmp(text, "enr:", 4)) {
            fprintf(stderr, "dns: node %.16s… has no node record (only an enode URL): left out\n", id);
            continue;
        }
        if (ethp2p_enr_from_text(text, &(*out)[*n]) || ethp2p_enr_verify(&(*out)[*n])) {
            cli_error("nodes.json: node %s: record does not decode or verify", id);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

static int def_load(const char *dir, definition *d)
{
    memset(d, 0, sizeof(*d));
    char path[4096];
    json_error_t e;
    path_in(path, sizeof(path), dir, "enrtree-info.json");
    struct stat st;
    d->info = stat(path, &st) == 0 ? json_load_file(path, 0, &e) : json_object();
    if (!json_is_object(d->info)) {
        cli_error("%s: %s", path, d->info ? "not a JSON object" : e.text);
        def_clear(d);
        return -1;
    }
    path_in(path, sizeof(path), dir, "nodes.json");
    d->nodes = json_load_file(path, 0, &e);
    if (!json_is_object(d->nodes)) {
        cli_error("%s: %s", path, d->nodes ? "not a JSON object" : e.text);
        def_clear(d);
        return -1;
    }
    if (load_records(d->nodes, &d->recs, &d->n)) {
        def_clear(d);
        return -1;
    }
    return 0;
}

/* The links of the definition as C strings (owned by d->info). */
static size_t def_links(const definition *d, const char **out, size_t cap)
{
    size_t n = 0, i;
    json_t *l;
    json_array_foreach(json_object_get(d->info, "links"), i, l) if (json_is_string(l) && n < cap) out[n++] =
        json_string_value(l);
    return n;
}

static int write_json(json_t *o, const char *path)
{
    int rc = path && strcmp(path, "-") ? json_dump_file(o, path, JSON_INDENT(2) | JSON_SORT_KEYS)
                                       : json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!path || !strcmp(path, "-")) putchar('\n');
    if (rc) cli_error("cannot write %s", path);
    return rc ? CLI_FAIL : CLI_OK;
}

/* Builds the definition's tree; checks its signature when it has one. */
static int def_tree(definition *d, uint64_t seq, ethp2p_dns_tree **t)
{
    const char *links[64];
    size_t nl = def_links(d, links, 64);
    int rc = ethp2p_dns_tree_make(seq, d->recs, d->n, links, nl, t);
    if (rc) cli_error("cannot build the tree: %s", ethp2p_dns_error_name(rc));
    return rc;
}

static int dns_sign(int argc, char **argv)
{
    enum { F_DOMAIN, F_SEQ, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_DOMAIN] = {"domain", "NAME", "the list's domain (default: the url's, else the directory's name)", NULL},
        [F_SEQ] = {"seq", "N", "the new sequence number (default: the last one + 1)", NULL},
    };
    cli_command cmd = {"ethp2p dns sign DIR KEYFILE [--domain NAME] [--seq N]",
                       "Builds the tree of DIR's nodes.json and links, signs it, writes url and signature", flags,
                       F_COUNT, 2, 2};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    uint64_t seq = 0;
    if (flags[F_SEQ].value && cli_parse_u64("seq", flags[F_SEQ].value, &seq)) return CLI_USAGE;
    ethp2p_privkey key;
    if ((rc = ethp2p_nodekey_load(pos[1], &key))) {
        cli_error("cannot load key %s: %s", pos[1], ethp2p_strerror(rc));
        return CLI_FAIL;
    }
    definition d;
    if (def_load(pos[0], &d)) return CLI_FAIL;
    ethp2p_dns_url url;
    memset(&url, 0, sizeof(url));
    const char *old = json_string_value(json_object_get(d.info, "url"));
    char dirbuf[4096];
    snprintf(dirbuf, sizeof(dirbuf), "%s", pos[0]);
    char *real = realpath(pos[0], NULL);
    const char *domain = flags[F_DOMAIN].value;
    if (!domain && old && ethp2p_dns_url_parse(old, &url) == 0) domain = url.domain;
    if (!domain) domain = basename(real ? real : dirbuf);
    snprintf(url.domain, sizeof(url.domain), "%s", domain);
    free(real);
    if (!flags[F_SEQ].value) seq = (uint64_t)json_integer_value(json_object_get(d.info, "seq")) + 1;
    ethp2p_dns_tree *t = NULL;
    char text[ETHP2P_DNS_URL_MAX], sig[100];
    rc = def_tree(&d, seq, &t);
    if (!rc) rc = ethp2p_dns_tree_sign(t, &key);
    if (!rc) rc = ethp2p_privkey_to_pubkey(&key, &url.key);
    if (!rc) rc = ethp2p_dns_url_format(&url, text, sizeof(text));
    if (rc) {
        cli_error("cannot sign: %s", ethp2p_dns_error_name(rc));
        ethp2p_dns_tree_free(t);
        def_clear(&d);
        return CLI_FAIL;
    }
    ethp2p_base64url_encode(ethp2p_dns_tree_root(t)->sig, 65, sig);
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_object_set_new(d.info, "url", json_string(text));
    json_object_set_new(d.info, "seq", json_integer((json_int_t)seq));
    json_object_set_new(d.info, "signature", json_string(sig));
    json_object_set_new(d.info, "lastModified", json_string(when));
    char path[4096];
    path_in(path, sizeof(path), pos[0], "enrtree-info.json");
    rc = write_json(d.info, path);
    if (rc == CLI_OK) printf("%s\n", text);
    fprintf(stderr, "dns: signed %s: seq=%llu nodes=%zu entries=%zu\n", url.domain, (unsigned long long)seq, d.n,
            ethp2p_dns_tree_count(t) + 1);
    ethp2p_dns_tree_free(t);
    def_clear(&d);
    return rc;
}

static int dns_to_txt(int argc, char **argv)
{
    cli_command cmd = {"ethp2p dns to-txt DIR [FILE]",
                       "Writes the signed list's DNS TXT records as JSON {name: text} (FILE or stdout)", NULL, 0, 1, 2};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    definition d;
    if (def_load(pos[0], &d)) return CLI_FAIL;
    ethp2p_dns_url url;
    const char *u = json_string_value(json_object_get(d.info, "url"));
    const char *sig = json_string_value(json_object_get(d.info, "signature"));
    if (!u || ethp2p_dns_url_parse(u, &url) || !sig) {
        cli_error("%s/enrtree-info.json: missing or bad url or signature: run 'ethp2p dns sign' first", pos[0]);
        def_clear(&d);
        return CLI_FAIL;
    }
    ethp2p_dns_tree *t = NULL;
    rc = def_tree(&d, (uint64_t)json_integer_value(json_object_get(d.info, "seq")), &t);
    if (!rc && (rc = ethp2p_dns_tree_set_signature(t, &url.key, sig)))
        cli_error("the signature does not match the tree: run 'ethp2p dns sign' to update it");
    if (rc) {
        ethp2p_dns_tree_free(t);
        def_clear(&d);
        return CLI_FAIL;
    }
    json_t *o = json_object();
    char root[300], name[512];
    if (ethp2p_dns_root_format(ethp2p_dns_tree_root(t), 1, root, sizeof(root)) == 0)
        json_object_set_new(o, url.domain, json_string(root));
    for (size_t i = 0; i < ethp2p_dns_tree_count(t); i++) {
        const char *hash, *e = ethp2p_dns_tree_entry(t, i, &hash);
        snprintf(name, sizeof(name), "%s.%s", hash, url.domain);
        json_object_set_new(o, name, json_string(e));
    }
    rc = write_json(o, npos > 1 ? pos[1] : NULL);
    json_decref(o);
    ethp2p_dns_tree_free(t);
    def_clear(&d);
    return rc;
}

/* Whether a record's "eth" entry names a fork ID this network accepts now. */
static int on_network(const ethp2p_enr *rec, const ethp2p_chain_config *chain)
{
    const uint8_t *v;
    size_t len;
    ethp2p_rlp_item top, inner;
    ethp2p_rlp_iter it;
    ethp2p_forkid id;
    if (ethp2p_enr_get_raw(rec, "eth", &v, &len) || ethp2p_rlp_decode(v, len, &top) || ethp2p_rlp_iter_list(&top, &it) ||
        ethp2p_rlp_iter_expect(&it, &inner) || ethp2p_forkid_decode(&inner, &id))
        return 0;
    uint64_t head = 0, now = (uint64_t)time(NULL);
    for (size_t i = 0; i < chain->nblock_forks; i++)
        if (chain->block_forks[i] > head) head = chain->block_forks[i];
    return ethp2p_forkid_validate(chain, head, now, &id) == ETHP2P_FORKID_OK;
}

static int dns_build(int argc, char **argv)
{
    enum { F_NETWORK, F_LIMIT, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_NETWORK] = {"network", "NAME", "only nodes whose ENR 'eth' fork ID this network accepts (mainnet, sepolia, ...)",
                       NULL},
        [F_LIMIT] = {"limit", "N", "at most N nodes, the best scored first", NULL},
    };
    cli_command cmd = {"ethp2p dns build NODES.json DIR [--network NAME] [--limit N]",
                       "Makes a list definition in DIR from crawl output (keeps DIR's enrtree-info.json)", flags,
                       F_COUNT, 2, 2};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    uint64_t limit = UINT64_MAX;
    if (flags[F_LIMIT].value && cli_parse_u64("limit", flags[F_LIMIT].value, &limit)) return CLI_USAGE;
    ethp2p_chain_config chain;
    if (flags[F_NETWORK].value && ethp2p_chain_builtin(flags[F_NETWORK].value, &chain)) {
        cli_error("--network: unknown network '%s'", flags[F_NETWORK].value);
        return CLI_USAGE;
    }
    json_error_t e;
    json_t *in = json_load_file(pos[0], 0, &e);
    if (!json_is_object(in)) {
        cli_error("%s: %s", pos[0], in ? "not a JSON object" : e.text);
        json_decref(in);
        return CLI_FAIL;
    }
    /* Best scored first (the crawler's score counts answers), then by ID for a stable order. */
    json_t *out = json_object();
    size_t kept = 0, skipped = 0;
    for (int64_t want_score = INT32_MAX; kept < limit && json_object_size(out) < json_object_size(in);) {
        int64_t next = -1;
        const char *id;
        json_t *v;
        json_object_foreach(in, id, v) {
            int64_t score = json_integer_value(json_object_get(v, "score"));
            if (score > want_score || json_object_get(out, id)) continue;
            if (score < want_score) {
                if (score > next) next = score;
                continue;
            }
            ethp2p_enr rec;
            const char *text = json_string_value(json_object_get(v, "record"));
            int ok = text && !ethp2p_enr_from_text(text, &rec) && !ethp2p_enr_verify(&rec) &&
                     (!flags[F_NETWORK].value || on_network(&rec, &chain));
            if (ok && kept < limit) {
                json_object_set(out, id, v);
                kept++;
            } else {
                json_object_set_new(out, id, json_null()); /* seen; removed below */
                skipped++;
            }
        }
        if (next < 0) break;
        want_score = next;
    }
    const char *id;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(out, tmp, id, v) if (json_is_null(v)) json_object_del(out, id);
    mkdir(pos[1], 0755);
    char path[4096];
    path_in(path, sizeof(path), pos[1], "nodes.json");
    rc = write_json(out, path);
    fprintf(stderr, "dns: %zu nodes in %s (%zu left out)\n", kept, path, skipped);
    json_decref(out);
    json_decref(in);
    return rc;
}

/* ---- sync: walk a published list ---- */

typedef struct sync_state {
    json_t *nodes;
    size_t found;
} sync_state;

static void on_node(void *ctx, const ethp2p_enr *rec, const char *domain)
{
    (void)domain;
    sync_state *s = ctx;
    char text[ETHP2P_ENR_TEXT_MAX], id[65];
    ethp2p_node_id nid;
    if (ethp2p_enr_to_text(rec, text, sizeof(text)) || ethp2p_enr_node_id(rec, &nid)) return;
    ethp2p_hex_encode(nid.b, 32, id);
    if (json_object_get(s->nodes, id)) return;
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)rec->seq));
    json_object_set_new(o, "record", json_string(text));
    json_object_set_new(s->nodes, id, o);
    s->found++;
}

typedef struct sync_wait {
    ethp2p_dns_discovery *d;
    uint64_t deadline;
    int timed_out;
} sync_wait;

static void on_check(uv_timer_t *t)
{
    sync_wait *w = t->data;
    if (ethp2p_dns_discovery_idle(w->d) || ethp2p_io_now_ms() >= w->deadline) {
        w->timed_out = !ethp2p_dns_discovery_idle(w->d);
        uv_timer_stop(t);
        uv_stop(t->loop);
    }
}

static int dns_sync(int argc, char **argv)
{
    enum { F_SERVER, F_TIMEOUT, F_VERBOSITY, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_SERVER] = {"server", "IP[:PORT]", "DNS server(s) to ask, comma-separated (default: the system's)", NULL},
        [F_TIMEOUT] = {"timeout", "DURATION", "give up after this long (default 60s)", NULL},
        [F_VERBOSITY] = {"verbosity", "N", "log level 0-5 (default 2: warnings)", NULL},
    };
    cli_command cmd = {"ethp2p dns sync URL [DIR] [--server IP:PORT] [--timeout DURATION]",
                       "Walks the DNS node list at URL (enrtree://KEY@DOMAIN) and its links: writes DIR's\n"
                       "nodes.json and enrtree-info.json, or prints each record on a line",
                       flags, F_COUNT, 1, 2};
    char *pos[2];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    ethp2p_log_set_level(ETHP2P_LOG_WARN);
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    uint64_t timeout = 60000;
    if (flags[F_TIMEOUT].value && cli_parse_duration_ms("timeout", flags[F_TIMEOUT].value, &timeout)) return CLI_USAGE;
    ethp2p_dns_url url;
    if (ethp2p_dns_url_parse(pos[0], &url)) {
        cli_error("not an enrtree:// URL: %s", pos[0]);
        return CLI_USAGE;
    }
    uv_loop_t *loop = uv_default_loop();
    sync_state s = {json_object(), 0};
    ethp2p_dns_discovery *d;
    const char *urls[1] = {pos[0]};
    if ((rc = ethp2p_dns_discovery_start(loop, urls, 1, flags[F_SERVER].value, on_node, &s, &d))) {
        cli_error("cannot start: %s", ethp2p_strerror(rc));
        json_decref(s.nodes);
        return CLI_USAGE;
    }
    sync_wait w = {d, ethp2p_io_now_ms() + timeout, 0};
    uv_timer_t t;
    uv_timer_init(loop, &t);
    t.data = &w;
    uv_timer_start(&t, on_check, 20, 20);
    uv_run(loop, UV_RUN_DEFAULT);
    const ethp2p_dns_client_stats *st = ethp2p_dns_discovery_stats(d);
    fprintf(stderr, "dns: %s: %zu nodes from %llu lists, %llu lookups, %llu entries refused%s\n", url.domain, s.found,
            (unsigned long long)st->lists, (unsigned long long)st->queries, (unsigned long long)st->errors,
            w.timed_out ? " (timed out before the walk ended)" : "");
    int failed = s.found == 0 || w.timed_out;
    ethp2p_dns_discovery_stop(d);
    uv_close((uv_handle_t *)&t, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    if (npos > 1) {
        mkdir(pos[1], 0755);
        char path[4096];
        path_in(path, sizeof(path), pos[1], "nodes.json");
        rc = write_json(s.nodes, path);
        json_t *info = json_object();
        json_object_set_new(info, "url", json_string(pos[0]));
        path_in(path, sizeof(path), pos[1], "enrtree-info.json");
        if (rc == CLI_OK) rc = write_json(info, path);
        json_decref(info);
    } else {
        const char *id;
        json_t *v;
        json_object_foreach(s.nodes, id, v) printf("%s\n", json_string_value(json_object_get(v, "record")));
        rc = CLI_OK;
    }
    json_decref(s.nodes);
    if (failed) cli_error("%s", s.found ? "the walk did not finish in time" : "no node found in the list");
    return failed ? CLI_FAIL : rc;
}

int cmd_dns(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"build", dns_build, "make a list definition from crawl output (nodes.json)"},
        {"sign", dns_sign, "build and sign a list definition's tree"},
        {"to-txt", dns_to_txt, "write a signed list's TXT records as JSON"},
        {"sync", dns_sync, "walk a published list over DNS"},
    };
    return cli_dispatch("dns", subs, 4, argc, argv);
}

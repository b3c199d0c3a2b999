/*
 * ethp2p discv4 crawl: walks the network and writes nodes.json in the shape
 * of the reference tool's (node ID -> {seq, record, score, firstResponse,
 * lastResponse, lastCheck}).
 *
 * Every node named in any Neighbours reply is checked once: a Ping (does it
 * answer?), then a request for its record, then two FindNodes (for its own ID
 * and a random target) that name further nodes. Random lookups run alongside.
 * Unlike the reference crawler, nodes that answer Ping but serve no record
 * (no EIP-868, e.g. @ethereumjs/devp2p) are kept, with their enode URL as the
 * record: they are part of the network too. Nodes that never answer are left out.
 *
 * Like the reference crawler, the crawl uses its whole --timeout: random
 * lookups keep running, and every node that answered is asked again (Ping,
 * then FindNodes) every CRAWL_RECHECK_MS, so nodes that a bootnode starts
 * serving only after it revalidated them, or that join later, are found.
 * --until-idle ends it as soon as nothing is left to ask.
 */
#include "cli.h"
#include "crawl_json.h"
#include "session.h"
#include "ethp2p/hex.h"
#include "ethp2p/log.h"
#include "ethp2p/random.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CRAWL_DEFAULT_TIMEOUT_MS (30ULL * 60 * 1000)
#define CRAWL_MAX_INFLIGHT 32     /* nodes being checked at once */
#define CRAWL_LOOKUPS 2           /* random lookups kept running */
#define CRAWL_MAX_NODES 200000    /* bounds memory on a hostile network */
#define PROGRESS_EVERY_MS 2000
#define CRAWL_RECHECK_MS 5000     /* a node that answered is asked again this often */

enum { F_BOOTNODES, F_TIMEOUT, F_UNTIL_IDLE, F_ADDR, F_NODEKEY, F_VERBOSITY, F_COUNT };

typedef struct crawl_node {
    ethp2p_enode node;
    char *record;            /* enr:... text, or NULL */
    uint64_t seq;
    uint64_t first_response, last_response, last_check;
    int score;
    int state;               /* 0 queued, 1 checking, 2 done */
    int outstanding;         /* requests in flight for this node */
} crawl_node;

typedef struct crawler {
    session s;
    crawl_node *nodes;
    size_t count, cap, next_queued, checking, responded, records;
    int lookups_running;
    uv_timer_t progress;
    uint64_t started;
    int idle_ticks;
    int until_idle;          /* end when nothing is left to ask, before the timeout */
    uint64_t rechecks;
} crawler;

static crawl_node *find(crawler *c, const ethp2p_node_id *id)
{
    for (size_t i = 0; i < c->count; i++)
        if (memcmp(c->nodes[i].node.id.b, id->b, 32) == 0) return &c->nodes[i];
    return NULL;
}

static void on_found(void *ctx, const ethp2p_enode *n)
{
    crawler *c = ctx;
    if (find(c, &n->id) || c->count >= CRAWL_MAX_NODES) return;
    if (c->count == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 256;
        crawl_node *p = realloc(c->nodes, ncap * sizeof(*p));
        if (!p) return;
        c->nodes = p;
        c->cap = ncap;
    }
    memset(&c->nodes[c->count], 0, sizeof(c->nodes[0]));
    c->nodes[c->count++].node = *n;
}

/* Node i may have moved in memory (realloc): callbacks carry the index. */
typedef struct req {
    crawler *c;
    size_t index;
} req;

static req *new_req(crawler *c, size_t i)
{
    req *r = malloc(sizeof(*r));
    if (r) {
        r->c = c;
        r->index = i;
        c->nodes[i].outstanding++;
    }
    return r;
}

static void request_done(crawler *c, size_t i)
{
    crawl_node *n = &c->nodes[i];
    if (--n->outstanding == 0 && n->state == 1) {
        n->state = 2;
        c->checking--;
    }
}

static void on_findnode(void *arg, int err, const ethp2p_enode *nodes, size_t n)
{
    req *r = arg;
    if (!err) {
        crawl_node *cn = &r->c->nodes[r->index];
        cn->last_response = ethp2p_io_now_ms();
        cn->score++;
    }
    request_done(r->c, r->index);
    free(r);
}

static void on_enr(void *arg, int err, const ethp2p_enr *rec)
{
    req *r = arg;
    crawl_node *cn = &r->c->nodes[r->index];
    if (!err && rec) {
        char text[ETHP2P_ENR_TEXT_MAX];
        if (ethp2p_enr_to_text(rec, text, sizeof(text)) == 0) {
            if (!cn->record) r->c->records++; /* rechecks fetch it again */
            free(cn->record);
            cn->record = strdup(text);
            cn->seq = rec->seq;
        }
    }
    request_done(r->c, r->index);
    free(r);
}

static void on_pong(void *arg, int err, uint64_t seq)
{
    req *r = arg;
    crawler *c = r->c;
    crawl_node *cn = &c->nodes[r->index];
    uint64_t now = ethp2p_io_now_ms();
    cn->last_check = now;
    if (!err && !c->s.finished) {
        if (!cn->first_response) {
            cn->first_response = now;
            c->responded++;
        }
        cn->last_response = now;
        cn->score++;
        ethp2p_enode node = cn->node;
        req *r1 = new_req(c, r->index), *r2 = new_req(c, r->index), *r3 = new_req(c, r->index);
        ethp2p_pubkey random_target;
        (void)!ethp2p_random_bytes(random_target.b, sizeof(random_target.b));
        if (r1 && ethp2p_discv4_request_enr(c->s.core, &node, now, on_enr, r1)) on_enr(r1, ETHP2P_EBUSY, NULL);
        if (r2 && ethp2p_discv4_findnode(c->s.core, &node, &node.pubkey, now, on_findnode, r2))
            on_findnode(r2, ETHP2P_EBUSY, NULL, 0);
        if (r3 && ethp2p_discv4_findnode(c->s.core, &node, &random_target, now, on_findnode, r3))
            on_findnode(r3, ETHP2P_EBUSY, NULL, 0);
    }
    request_done(c, r->index);
    free(r);
}

static void on_lookup(void *arg, const ethp2p_enode *nodes, size_t n, const ethp2p_discv4_lookup_info *info)
{
    crawler *c = arg;
    c->lookups_running--;
}

/* Checks node i: a Ping, and on its Pong the record and two FindNodes (on_pong). */
static void check_node(crawler *c, size_t i, uint64_t now)
{
    c->nodes[i].state = 1;
    c->checking++;
    req *r = new_req(c, i);
    ethp2p_enode node = c->nodes[i].node;
    if (!r) return;
    if (ethp2p_discv4_ping(c->s.core, &node, now, on_pong, r)) on_pong(r, ETHP2P_EBUSY, 0);
}

/* Nodes that answered before are asked again once CRAWL_RECHECK_MS has passed. */
static void recheck(crawler *c, uint64_t now)
{
    for (size_t i = 0; i < c->next_queued && c->checking < CRAWL_MAX_INFLIGHT; i++) {
        crawl_node *n = &c->nodes[i];
        if (n->state != 2 || !n->first_response || now - n->last_check < CRAWL_RECHECK_MS) continue;
        c->rechecks++;
        check_node(c, i, now);
    }
}

/* Starts checks for queued nodes and keeps lookups going. */
static void pump(crawler *c)
{
    if (c->s.finished) return;
    uint64_t now = ethp2p_io_now_ms();
    while (c->checking < CRAWL_MAX_INFLIGHT && c->next_queued < c->count) check_node(c, c->next_queued++, now);
    /* Lookups run until the timeout; with --until-idle only while checks do, so that
     * the crawl ends once everything known is checked and nobody new was named. */
    int busy = !c->until_idle || c->checking > 0 || c->next_queued < c->count;
    while (busy && c->lookups_running < CRAWL_LOOKUPS) {
        ethp2p_pubkey t;
        (void)!ethp2p_random_bytes(t.b, sizeof(t.b));
        c->lookups_running++;
        if (ethp2p_discv4_lookup(c->s.core, &t, now, on_lookup, c)) {
            c->lookups_running--;
            break;
        }
    }
    ethp2p_discv4_udp_poke(c->s.udp);
}

static void on_progress(uv_timer_t *t)
{
    crawler *c = t->data;
    if (c->s.finished) return;
    uint64_t now = ethp2p_io_now_ms();
    fprintf(stderr, "crawl: found=%zu responded=%zu records=%zu checking=%zu rechecks=%llu elapsed=%llus\n", c->count,
            c->responded, c->records, c->checking, (unsigned long long)c->rechecks,
            (unsigned long long)((now - c->started) / 1000));
    if (c->until_idle) {
        /* Idle twice in a row (nothing queued, nothing in flight): the crawl is complete. */
        int idle = c->checking == 0 && c->next_queued == c->count && c->lookups_running == 0;
        c->idle_ticks = idle ? c->idle_ticks + 1 : 0;
        if (c->idle_ticks >= 2) {
            session_finish(&c->s, CLI_OK);
            return;
        }
    } else {
        recheck(c, now);
    }
    pump(c);
}

static void on_tick(uv_check_t *h)
{
    pump(h->data);
}

static int write_json(crawler *c, const char *path)
{
    json_t *root = json_object();
    for (size_t i = 0; i < c->count; i++) {
        crawl_node *n = &c->nodes[i];
        if (!n->first_response) continue;
        char buf[ETHP2P_ENODE_URL_MAX];
        const char *record = n->record ? n->record : ethp2p_enode_format(&n->node, buf, sizeof(buf)) == 0 ? buf : NULL;
        crawl_json_add(root, n->node.id.b, n->seq, record, n->score, n->first_response, n->last_response,
                       n->last_check);
    }
    return crawl_json_write(root, path);
}

int cmd_crawl(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {
        [F_BOOTNODES] = {"bootnodes", "LIST", "comma-separated enode URLs to start from (required)", NULL},
        [F_TIMEOUT] = {"timeout", "DURATION", "crawl this long (default 30m), re-asking nodes that answered", NULL},
        [F_UNTIL_IDLE] = {"until-idle", NULL, "end early, once nothing is left to ask", NULL},
        [F_ADDR] = {"addr", "IP:PORT", "local UDP address (default: an ephemeral port)", NULL},
        [F_NODEKEY] = {"nodekey", "FILE", "use this node key (default: a new random one)", NULL},
        [F_VERBOSITY] = {"verbosity", "N", "log level 0-5 (default 1: errors)", NULL},
    };
    cli_command cmd = {"ethp2p discv4 crawl --bootnodes LIST [--timeout DURATION] [--until-idle] FILE",
                       "Crawls the discv4 network and writes FILE as JSON: node ID -> {seq, record, score,\n"
                       "firstResponse, lastResponse, lastCheck}. Progress goes to stderr.",
                       flags, F_COUNT, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (!flags[F_BOOTNODES].value) {
        cli_error("--bootnodes is required");
        return CLI_USAGE;
    }
    if (flags[F_VERBOSITY].value) {
        if (cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    } else {
        ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    }
    uint64_t timeout = CRAWL_DEFAULT_TIMEOUT_MS;
    if (flags[F_TIMEOUT].value && cli_parse_duration_ms("timeout", flags[F_TIMEOUT].value, &timeout)) return CLI_USAGE;
    ethp2p_enode *boot;
    int nboot = cli_parse_enodes("bootnodes", flags[F_BOOTNODES].value, &boot);
    if (nboot <= 0) {
        if (nboot == 0) cli_error("--bootnodes: no enode URLs given");
        return CLI_USAGE;
    }
    crawler c;
    memset(&c, 0, sizeof(c));
    c.until_idle = flags[F_UNTIL_IDLE].value != NULL;
    if ((rc = session_open(&c.s, flags[F_NODEKEY].value, flags[F_ADDR].value, &boot[0].ip, boot, (size_t)nboot, 0,
                           timeout))) {
        free(boot);
        return rc;
    }
    for (int i = 0; i < nboot; i++) on_found(&c, &boot[i]);
    ethp2p_discv4_set_found_hook(c.s.core, on_found, &c);
    c.started = ethp2p_io_now_ms();
    ethp2p_discv4_start(c.s.core, c.started);
    uv_timer_init(c.s.loop, &c.progress);
    c.progress.data = &c;
    uv_timer_start(&c.progress, on_progress, PROGRESS_EVERY_MS, PROGRESS_EVERY_MS);
    uv_check_t check;
    uv_check_init(c.s.loop, &check);
    check.data = &c;
    uv_check_start(&check, on_tick);
    pump(&c);
    while (!c.s.finished && uv_run(c.s.loop, UV_RUN_ONCE)) {}
    uv_close((uv_handle_t *)&c.progress, NULL);
    uv_close((uv_handle_t *)&check, NULL);
    int status = session_run(&c.s, NULL);
    (void)status; /* a crawl that hits its timeout is still a result */
    fprintf(stderr, "crawl: done: found=%zu responded=%zu records=%zu in %llus\n", c.count, c.responded, c.records,
            (unsigned long long)((ethp2p_io_now_ms() - c.started) / 1000));
    rc = write_json(&c, pos[0]);
    if (rc == CLI_OK && c.responded == 0) {
        cli_error("no node answered: check the bootnodes and that UDP reaches them");
        rc = CLI_FAIL;
    }
    for (size_t i = 0; i < c.count; i++) free(c.nodes[i].record);
    free(c.nodes);
    free(boot);
    return rc;
}

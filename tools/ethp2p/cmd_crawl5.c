/*
 * ethp2p discv5 crawl: walks the discv5 network and writes nodes.json in the
 * same shape as the discv4 crawl (node ID -> {seq, record, score,
 * firstResponse, lastResponse, lastCheck}).
 *
 * Every record learned (from the bootnodes and from every NODES answer) is
 * checked once: FINDNODE for all 16 distances of the Kademlia buckets that
 * hold nodes (241..256), which also proves the node answers; random lookups
 * run alongside. Like the discv4 crawl, it uses its whole --timeout, asking
 * nodes that answered again every 5 s; --until-idle ends it once nothing is
 * left to ask. Only nodes that answered are written.
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

#define CRAWL5_MAX_NODES 100000
#define CRAWL5_INFLIGHT 16
#define CRAWL5_RECHECK_MS 5000
#define CRAWL5_TICK_MS 500

enum { F_BOOTNODES, F_TIMEOUT, F_UNTIL_IDLE, F_ADDR, F_NODEKEY, F_VERBOSITY, F_COUNT };

typedef struct c5node {
    uint8_t id[32];
    ethp2p_enr rec;
    uint64_t first, last, checked;
    int score, state; /* 0 queued, 1 asking, 2 done */
} c5node;

typedef struct crawler5 {
    session s;
    ethp2p_discv5 *v5;
    c5node *nodes;
    size_t n, cap, asking, responded;
    int until_idle, idle_ticks;
    uv_timer_t tick;
    uint64_t started;
} crawler5;

static void found(void *ctx, const ethp2p_enr *rec)
{
    crawler5 *c = ctx;
    ethp2p_node_id id;
    if (ethp2p_enr_node_id(rec, &id)) return;
    for (size_t i = 0; i < c->n; i++)
        if (!memcmp(c->nodes[i].id, id.b, 32)) {
            if (rec->seq > c->nodes[i].rec.seq) c->nodes[i].rec = *rec;
            return;
        }
    if (c->n >= CRAWL5_MAX_NODES) return;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        c5node *v = realloc(c->nodes, cap * sizeof(*v));
        if (!v) return;
        c->nodes = v;
        c->cap = cap;
    }
    memset(&c->nodes[c->n], 0, sizeof(c5node));
    memcpy(c->nodes[c->n].id, id.b, 32);
    c->nodes[c->n].rec = *rec;
    c->n++;
}

typedef struct ask_ctx {
    crawler5 *c;
    uint8_t id[32];
} ask_ctx;

static c5node *by_id(crawler5 *c, const uint8_t id[32])
{
    for (size_t i = 0; i < c->n; i++)
        if (!memcmp(c->nodes[i].id, id, 32)) return &c->nodes[i];
    return NULL;
}

static void on_nodes(void *arg, int err, const ethp2p_enr *recs, size_t n)
{
    (void)recs;
    (void)n; /* every verified record was handed to found() on arrival */
    ask_ctx *a = arg;
    crawler5 *c = a->c;
    c5node *nd = by_id(c, a->id);
    uint64_t now = ethp2p_io_now_ms();
    if (nd) {
        nd->state = 2;
        nd->checked = now;
        if (!err) {
            if (!nd->first) {
                nd->first = now;
                c->responded++;
            }
            nd->last = now;
            nd->score++;
        }
    }
    c->asking--;
    free(a);
}

/* Asks node i for all its buckets. The request may add nodes (and move the array): the
 * record is copied first and the node found again by index after. */
static void ask(crawler5 *c, size_t i, uint64_t now)
{
    static const uint16_t buckets[16] = {241, 242, 243, 244, 245, 246, 247, 248,
                                         249, 250, 251, 252, 253, 254, 255, 256};
    ask_ctx *a = malloc(sizeof(*a));
    if (!a) return;
    a->c = c;
    memcpy(a->id, c->nodes[i].id, 32);
    ethp2p_enr rec = c->nodes[i].rec;
    c->nodes[i].state = 1;
    c->asking++;
    if (ethp2p_discv5_findnode(c->v5, &rec, buckets, 16, now, on_nodes, a)) {
        c->nodes[i].state = 2;
        c->nodes[i].checked = now;
        c->asking--;
        free(a);
    }
}

static void on_tick(uv_timer_t *t)
{
    crawler5 *c = t->data;
    if (c->s.finished) {
        if (!uv_is_closing((uv_handle_t *)t)) uv_close((uv_handle_t *)t, NULL);
        return;
    }
    uint64_t now = ethp2p_io_now_ms();
    int queued = 0;
    for (size_t i = 0; i < c->n && c->asking < CRAWL5_INFLIGHT; i++) {
        c5node *nd = &c->nodes[i];
        int due = nd->state == 0 || (!c->until_idle && nd->state == 2 && nd->first && now - nd->checked >= CRAWL5_RECHECK_MS);
        if (nd->state == 0) queued = 1;
        if (due) ask(c, i, now);
    }
    if (!c->until_idle && c->asking < CRAWL5_INFLIGHT) {
        uint8_t target[32];
        if (ethp2p_random_bytes(target, 32) == 0) (void)!ethp2p_discv5_lookup(c->v5, target, now, NULL, NULL);
    }
    ethp2p_discv4_udp_poke(c->s.udp);
    int idle = !queued && c->asking == 0;
    c->idle_ticks = idle ? c->idle_ticks + 1 : 0;
    if (c->until_idle && c->idle_ticks >= 4) {
        session_finish(&c->s, CLI_OK);
        uv_close((uv_handle_t *)t, NULL);
    }
}

static int write_nodes(crawler5 *c, const char *path)
{
    json_t *root = json_object();
    for (size_t i = 0; i < c->n; i++) {
        c5node *nd = &c->nodes[i];
        char text[ETHP2P_ENR_TEXT_MAX];
        if (!nd->first || ethp2p_enr_to_text(&nd->rec, text, sizeof(text))) continue;
        crawl_json_add(root, nd->id, nd->rec.seq, text, nd->score, nd->first, nd->last, nd->checked);
    }
    return crawl_json_write(root, path);
}

int cmd_discv5_crawl(int argc, char **argv)
{
    cli_flag flags[F_COUNT] = {
        [F_BOOTNODES] = {"bootnodes", "LIST", "comma-separated records (enr:...) to start from (required)", NULL},
        [F_TIMEOUT] = {"timeout", "DURATION", "crawl this long (default 30m), re-asking nodes that answered", NULL},
        [F_UNTIL_IDLE] = {"until-idle", NULL, "end early, once nothing is left to ask", NULL},
        [F_ADDR] = {"addr", "IP:PORT", "local UDP address (default: an ephemeral port)", NULL},
        [F_NODEKEY] = {"nodekey", "FILE", "use this node key (default: a new random one)", NULL},
        [F_VERBOSITY] = {"verbosity", "N", "log level 0-5 (default 1: errors)", NULL},
    };
    cli_command cmd = {"ethp2p discv5 crawl --bootnodes ENRS [--timeout DURATION] [--until-idle] FILE",
                       "Crawls the discv5 network and writes FILE as JSON in the discv4 crawl's shape.\n"
                       "Progress goes to stderr.",
                       flags, F_COUNT, 1, 1};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    if (!flags[F_BOOTNODES].value) {
        cli_error("--bootnodes is required");
        return CLI_USAGE;
    }
    ethp2p_log_set_level(ETHP2P_LOG_ERROR);
    if (flags[F_VERBOSITY].value && cli_set_verbosity(flags[F_VERBOSITY].value)) return CLI_USAGE;
    uint64_t timeout = 30ULL * 60 * 1000;
    if (flags[F_TIMEOUT].value && cli_parse_duration_ms("timeout", flags[F_TIMEOUT].value, &timeout)) return CLI_USAGE;
    static crawler5 c;
    memset(&c, 0, sizeof(c));
    c.until_idle = flags[F_UNTIL_IDLE].value != NULL;
    /* The bootnode records. */
    char *list = strdup(flags[F_BOOTNODES].value);
    ethp2p_enr boot[16];
    size_t nboot = 0;
    for (char *save, *tok = strtok_r(list, ",", &save); tok && nboot < 16; tok = strtok_r(NULL, ",", &save)) {
        if (ethp2p_enr_from_text(tok, &boot[nboot]) || ethp2p_enr_verify(&boot[nboot])) {
            cli_error("--bootnodes: not a signed record: %.40s", tok);
            free(list);
            return CLI_USAGE;
        }
        nboot++;
    }
    free(list);
    ethp2p_enode first;
    if (!nboot || ethp2p_enr_to_enode(&boot[0], &first)) {
        cli_error("--bootnodes: no usable record");
        return CLI_USAGE;
    }
    if ((rc = session_open(&c.s, flags[F_NODEKEY].value, flags[F_ADDR].value, &first.ip, NULL, 0, 0, timeout))) return rc;
    ethp2p_discv5_config extra;
    memset(&extra, 0, sizeof(extra));
    extra.hook_ctx = &c;
    extra.on_node = found;
    if (ethp2p_discv4_udp_enable_v5(c.s.udp, &extra) || !(c.v5 = ethp2p_discv4_udp_v5(c.s.udp))) {
        cli_error("cannot start discv5");
        return CLI_FAIL;
    }
    for (size_t i = 0; i < nboot; i++) found(&c, &boot[i]);
    c.started = ethp2p_io_now_ms();
    uv_timer_init(c.s.loop, &c.tick);
    c.tick.data = &c;
    uv_timer_start(&c.tick, on_tick, 0, CRAWL5_TICK_MS);
    (void)session_run(&c.s, NULL); /* the timeout is the normal end */
    fprintf(stderr, "crawl: done: found=%zu responded=%zu in %llus\n", c.n, c.responded,
            (unsigned long long)((ethp2p_io_now_ms() - c.started) / 1000));
    rc = write_nodes(&c, pos[0]);
    if (rc == CLI_OK && c.responded == 0) {
        cli_error("no node answered: check the bootnodes and that UDP reaches them");
        rc = CLI_FAIL;
    }
    free(c.nodes);
    return rc;
}

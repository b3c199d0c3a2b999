/*
 * DNS node lists (EIP-1459): the example tree of dnsdisc.md as vectors (URL
 * key, entry hashes, root signature, and our builder producing the very same
 * records), and the client walking trees served from a name -> TXT map:
 * every node found, links followed, and a tampered entry, a bad signature,
 * an older root and loops each refused or ended.
 */
#include "test_util.h"
#include "ethp2p/dnsdisc.h"
#include "ethp2p/hex.h"
#include "ethp2p/keccak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dnsdisc.md, "URL Scheme" and "DNS Record Structure". */
static const char *spec_url = "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@nodes.example.org";
/* The key the URL names, compressed. The spec's prose gives 0x049f88…c2b6 as "the public
 * key" of this URL, but the URL's base32 decodes to another key (the one of the linked list,
 * morenodes.example.org). The example root is signed by the prose's key, whose URL form is
 * enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@… (the reference's
 * client test verifies the same root with it): protocol-notes.md. */
static const char *spec_pub = "033a514176466fa815ed481ffad09110a2d344f6c9b78c1d14afc351c3a51be33d";
static const char *signer_url = "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org";
static const char *signer_pub =
    "049f88229042fef9200246f49f94d9b77c4e954721442714e85850cb6d9e5daf2d880ea0e53cb3ac1a75f9923c2726a4f941f7d326781baa6380754a360de5c2b6";
static const char *spec_root =
    "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 "
    "sig=o908WmNp7LibOfPsr4btQwatZJ5URBr2ZAuxvK4UWHlsB9sUOTJQaGAlLPVAhM__XJesCHxLISo94z5Z2a463gA";
static const char *spec_entries[][2] = {
    {"C7HRFPF3BLGF3YR4DY5KX3SMBE", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org"},
    {"JWXYDBPXYWG6FX3GMDIBFA6CJ4", "enrtree-branch:2XS2367YHAXJFGLZHVAWLQD4ZY,H4FHT4B454P6UXFD7JCYQ5PWDY,MHTDO6TMUBRIA2XWG5LUDACK24"},
    {"2XS2367YHAXJFGLZHVAWLQD4ZY",
     "enr:-HW4QOFzoVLaFJnNhbgMoDXPnOvcdVuj7pDpqRvh6BRDO68aVi5ZcjB3vzQRZH2IcLBGHzo8uUN3snqmgTiE56CH3AMBgmlkgnY0iXNlY3AyNTZrMaECC2_24YYkYHEgdzxlSNKQEnHhuNAbNlMlWJxrJxbAFvA"},
    {"H4FHT4B454P6UXFD7JCYQ5PWDY",
     "enr:-HW4QAggRauloj2SDLtIHN1XBkvhFZ1vtf1raYQp9TBW2RD5EEawDzbtSmlXUfnaHcvwOizhVYLtr7e6vw7NAf6mTuoCgmlkgnY0iXNlY3AyNTZrMaECjrXI8TLNXU0f8cthpAMxEshUyQlK-AM0PW2wfrnacNI"},
    {"MHTDO6TMUBRIA2XWG5LUDACK24",
     "enr:-HW4QLAYqmrwllBEnzWWs7I5Ev2IAs7x_dZlbYdRdMUx5EyKHDXp7AV5CkuPGUPdvbv1_Ms1CPfhcGCvSElSosZmyoqAgmlkgnY0iXNlY3AyNTZrMaECriawHKWdDRk2xeZkrOXBQ0dfMFLHY4eENZwdufn1S1o"},
};

static void test_spec_example(void **state)
{
    (void)state;
    ethp2p_dns_url u;
    assert_int_equal(ethp2p_dns_url_parse(spec_url, &u), 0);
    assert_string_equal(u.domain, "nodes.example.org");
    uint8_t want[33], comp[33];
    assert_int_equal(ethp2p_hex_decode_fixed(spec_pub, strlen(spec_pub), want, 33), 0);
    assert_int_equal(ethp2p_pubkey_compress(&u.key, comp), 0);
    assert_memory_equal(comp, want, 33);
    char back[ETHP2P_DNS_URL_MAX];
    assert_int_equal(ethp2p_dns_url_format(&u, back, sizeof(back)), 0);
    assert_string_equal(back, spec_url);
    ethp2p_dns_url signer;
    uint8_t sp[65];
    assert_int_equal(ethp2p_dns_url_parse(signer_url, &signer), 0);
    assert_int_equal(ethp2p_hex_decode_fixed(signer_pub, strlen(signer_pub), sp, 65), 0);
    assert_memory_equal(signer.key.b, sp + 1, 64);
    /* Every entry is named by its hash. */
    for (size_t i = 0; i < 5; i++) {
        char h[ETHP2P_DNS_HASH_TEXT];
        ethp2p_dns_entry_hash(spec_entries[i][1], strlen(spec_entries[i][1]), h);
        assert_string_equal(h, spec_entries[i][0]);
        assert_int_equal(ethp2p_dns_entry_check(spec_entries[i][0], spec_entries[i][1], strlen(spec_entries[i][1])), 0);
    }
    assert_int_equal(ethp2p_dns_entry_check(spec_entries[0][0], spec_entries[1][1], strlen(spec_entries[1][1])),
                     ETHP2P_DNS_EHASH);
    /* The root parses, prints back the same, and verifies with the URL's key only. */
    ethp2p_dns_root r;
    assert_int_equal(ethp2p_dns_root_parse(spec_root, strlen(spec_root), &r), 0);
    assert_true(r.seq == 1);
    char text[300];
    assert_int_equal(ethp2p_dns_root_format(&r, 1, text, sizeof(text)), 0);
    assert_string_equal(text, spec_root);
    assert_int_equal(ethp2p_dns_root_verify(&r, &signer.key), 0);
    assert_int_equal(ethp2p_dns_root_verify(&r, &u.key), ETHP2P_DNS_ESIG); /* another key */
    r.seq = 2;
    assert_int_equal(ethp2p_dns_root_verify(&r, &signer.key), ETHP2P_DNS_ESIG); /* another root */
    /* Our builder, given the same three records and link at seq 1, writes the same tree. */
    ethp2p_enr recs[3];
    for (int i = 0; i < 3; i++) assert_int_equal(ethp2p_enr_from_text(spec_entries[2 + i][1], &recs[i]), 0);
    ethp2p_enr shuffled[3] = {recs[2], recs[0], recs[1]};
    const char *link = spec_entries[0][1];
    ethp2p_dns_tree *t;
    assert_int_equal(ethp2p_dns_tree_make(1, shuffled, 3, &link, 1, &t), 0);
    assert_string_equal(ethp2p_dns_tree_root(t)->eroot, "JWXYDBPXYWG6FX3GMDIBFA6CJ4");
    assert_string_equal(ethp2p_dns_tree_root(t)->lroot, "C7HRFPF3BLGF3YR4DY5KX3SMBE");
    assert_int_equal(ethp2p_dns_tree_count(t), 5);
    for (size_t i = 0; i < 5; i++) {
        const char *hash, *e = ethp2p_dns_tree_entry(t, i, &hash);
        int found = 0;
        for (size_t k = 0; k < 5; k++) found |= !strcmp(hash, spec_entries[k][0]) && !strcmp(e, spec_entries[k][1]);
        if (!found) fail_msg("entry %s=%s is not in the spec's tree", hash, e);
    }
    /* The spec's signature is accepted for this root; a corrupted one is not. */
    const char *sig = strstr(spec_root, "sig=") + 4;
    assert_int_equal(ethp2p_dns_tree_set_signature(t, &u.key, sig), ETHP2P_DNS_ESIG);
    assert_int_equal(ethp2p_dns_tree_set_signature(t, &signer.key, sig), 0);
    char bad[120];
    snprintf(bad, sizeof(bad), "%s", sig);
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    assert_int_equal(ethp2p_dns_tree_set_signature(t, &signer.key, bad), ETHP2P_DNS_ESIG);
    ethp2p_dns_tree_free(t);
    /* Malformed URLs and roots. */
    const char *bad_urls[] = {"enrtree://@x.org", "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2",
                              "https://x.org", "enrtree://am5fcqlwizx2qfpnjap7vuerccrngrhwzg3yyhiuv7bvdq5fdprt2@x.org",
                              "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@bad domain"};
    for (size_t i = 0; i < sizeof(bad_urls) / sizeof(*bad_urls); i++)
        if (ethp2p_dns_url_parse(bad_urls[i], &u) == 0) fail_msg("url %zu parsed", i);
    const char *bad_roots[] = {"enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1",
                               "enrtree-root:v2 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=AA",
                               "enrtree-root:v1 e=JWXY l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=1 sig=AA",
                               "enrtree-root:v1 e=JWXYDBPXYWG6FX3GMDIBFA6CJ4 l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=x sig=AA"};
    for (size_t i = 0; i < sizeof(bad_roots) / sizeof(*bad_roots); i++)
        if (ethp2p_dns_root_parse(bad_roots[i], strlen(bad_roots[i]), &r) == 0) fail_msg("root %zu parsed", i);
}

/* ---- a zone: name -> TXT, and a client walking it ---- */

#define ZONE_MAX 4096
static struct {
    char name[300];
    char txt[1100];
} zone[ZONE_MAX];
static size_t nzone;
static char asked[4096][300];
static size_t nasked, nfound, nerrors;
static int last_err;

static void zone_add(const char *name, const char *txt)
{
    assert_true(nzone < ZONE_MAX);
    snprintf(zone[nzone].name, sizeof(zone[nzone].name), "%s", name);
    snprintf(zone[nzone].txt, sizeof(zone[nzone].txt), "%s", txt);
    nzone++;
}

static void zone_publish(const ethp2p_dns_tree *t, const char *domain)
{
    char root[300], name[300];
    assert_int_equal(ethp2p_dns_root_format(ethp2p_dns_tree_root(t), 1, root, sizeof(root)), 0);
    zone_add(domain, "v=spf1 -all"); /* another TXT record at the same name is ignored */
    zone_add(domain, root);
    for (size_t i = 0; i < ethp2p_dns_tree_count(t); i++) {
        const char *hash, *e = ethp2p_dns_tree_entry(t, i, &hash);
        snprintf(name, sizeof(name), "%s.%s", hash, domain);
        zone_add(name, e);
    }
}

static void q_cb(void *ctx, const char *name)
{
    (void)ctx;
    assert_true(nasked < 4096);
    snprintf(asked[nasked++], sizeof(asked[0]), "%s", name);
}
static void node_cb(void *ctx, const ethp2p_enr *rec, const char *domain)
{
    (void)ctx;
    (void)rec;
    (void)domain;
    nfound++;
}
static void err_cb(void *ctx, const char *name, int err, const char *why)
{
    (void)ctx;
    (void)name;
    (void)why;
    nerrors++;
    last_err = err;
}

/* Answers every question from the zone until none is left (bounded). */
static void serve(ethp2p_dns_client *c)
{
    for (int rounds = 0; nasked && rounds < 100000; rounds++) {
        char name[300];
        snprintf(name, sizeof(name), "%s", asked[--nasked]);
        const char *txts[4];
        size_t lens[4], n = 0;
        for (size_t i = 0; i < nzone && n < 4; i++)
            if (!strcmp(zone[i].name, name)) txts[n] = zone[i].txt, lens[n] = strlen(zone[i].txt), n++;
        ethp2p_dns_client_answer(c, name, txts, lens, n, n ? 0 : ETHP2P_ENOTFOUND, 1000);
    }
}

static ethp2p_dns_client *new_client(void)
{
    nasked = nfound = nerrors = 0;
    last_err = 0;
    ethp2p_dns_client_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.query = q_cb;
    cfg.on_node = node_cb;
    cfg.on_error = err_cb;
    cfg.seed = 7;
    ethp2p_dns_client *c = ethp2p_dns_client_new(&cfg);
    assert_non_null(c);
    return c;
}

/* n records signed by keys seeded from base. */
static ethp2p_enr *records(size_t n, uint8_t base)
{
    ethp2p_enr *v = calloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        ethp2p_privkey k;
        memset(k.b, base, 32);
        k.b[30] = (uint8_t)(i >> 8);
        k.b[31] = (uint8_t)(i + 1);
        ethp2p_enr_init(&v[i]);
        ethp2p_ip ip;
        assert_int_equal(ethp2p_ip_parse("127.0.0.1", &ip), 0);
        assert_int_equal(ethp2p_enr_set_ip(&v[i], &ip), 0);
        assert_int_equal(ethp2p_enr_set_port(&v[i], "udp", (uint16_t)(30000 + i)), 0);
        assert_int_equal(ethp2p_enr_sign(&v[i], &k), 0);
    }
    return v;
}

static ethp2p_dns_tree *signed_tree(uint64_t seq, ethp2p_enr *recs, size_t n, const char *link, uint8_t keybyte,
                                    const char *domain, char url[ETHP2P_DNS_URL_MAX])
{
    ethp2p_dns_tree *t;
    assert_int_equal(ethp2p_dns_tree_make(seq, recs, n, link ? &link : NULL, link ? 1 : 0, &t), 0);
    ethp2p_privkey k;
    memset(k.b, keybyte, 32);
    assert_int_equal(ethp2p_dns_tree_sign(t, &k), 0);
    ethp2p_dns_url u;
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &u.key), 0);
    snprintf(u.domain, sizeof(u.domain), "%s", domain);
    assert_int_equal(ethp2p_dns_url_format(&u, url, ETHP2P_DNS_URL_MAX), 0);
    return t;
}

static void test_client_walks_and_follows_links(void **state)
{
    (void)state;
    nzone = 0;
    /* Two lists: A (400 nodes: three levels of branches) links to B (25 nodes). */
    ethp2p_enr *ra = records(400, 0x11), *rb = records(25, 0x22);
    char url_a[ETHP2P_DNS_URL_MAX], url_b[ETHP2P_DNS_URL_MAX];
    ethp2p_dns_tree *tb = signed_tree(3, rb, 25, NULL, 0xb0, "b.example.org", url_b);
    ethp2p_dns_tree *ta = signed_tree(9, ra, 400, url_b, 0xa0, "a.example.org", url_a);
    zone_publish(ta, "a.example.org");
    zone_publish(tb, "b.example.org");
    ethp2p_dns_client *c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, url_a, 0), 0);
    serve(c);
    assert_true(ethp2p_dns_client_idle(c));
    assert_int_equal(nfound, 425);
    assert_int_equal(nerrors, 0);
    const ethp2p_dns_client_stats *st = ethp2p_dns_client_get_stats(c);
    assert_int_equal(st->lists, 2);
    assert_int_equal(st->links, 1);
    assert_true(st->branches >= 25);
    /* The same root again, at the recheck: nothing is walked twice. */
    (void)ethp2p_dns_client_tick(c, 31 * 60 * 1000);
    assert_int_equal(nasked, 2);
    serve(c);
    assert_int_equal(nfound, 425);
    ethp2p_dns_client_free(c);
    ethp2p_dns_tree_free(ta);
    ethp2p_dns_tree_free(tb);
    free(ra);
    free(rb);
}

static void test_client_refusals(void **state)
{
    (void)state;
    ethp2p_enr *ra = records(30, 0x33);
    char url[ETHP2P_DNS_URL_MAX], other[ETHP2P_DNS_URL_MAX];
    /* A tampered leaf: every other node is still found, that one is refused for its hash. */
    nzone = 0;
    ethp2p_dns_tree *t = signed_tree(1, ra, 30, NULL, 0xa1, "t.example.org", url);
    zone_publish(t, "t.example.org");
    for (size_t i = 0; i < nzone; i++)
        if (!strncmp(zone[i].txt, "enr:", 4)) {
            zone[i].txt[10] = zone[i].txt[10] == 'A' ? 'B' : 'A';
            break;
        }
    ethp2p_dns_client *c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, url, 0), 0);
    serve(c);
    assert_int_equal(nfound, 29);
    assert_int_equal(nerrors, 1);
    assert_int_equal(last_err, ETHP2P_DNS_EHASH);
    ethp2p_dns_client_free(c);
    /* A root signed by another key: nothing is walked. */
    ethp2p_dns_tree *t2 = signed_tree(1, ra, 30, NULL, 0xa2, "t.example.org", other);
    c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, other, 0), 0); /* key a2 expected, zone signed by a1 */
    serve(c);
    assert_int_equal(nfound, 0);
    assert_int_equal(last_err, ETHP2P_DNS_ESIG);
    ethp2p_dns_client_free(c);
    /* An older root after a newer one: refused. */
    c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, url, 0), 0);
    serve(c);
    nzone = 0;
    ethp2p_dns_tree *old = signed_tree(0, ra, 30, NULL, 0xa1, "t.example.org", url);
    zone_publish(old, "t.example.org");
    nerrors = 0;
    (void)ethp2p_dns_client_tick(c, 31 * 60 * 1000);
    serve(c);
    assert_int_equal(last_err, ETHP2P_DNS_ESEQ);
    ethp2p_dns_client_free(c);
    /* Hashes cannot form a cycle (a branch cannot hold its own hash), but one entry can be
     * named twice: branch Y names the leaf and branch X, X names the leaf again. Taken once. */
    nzone = 0;
    char root[300], ytext[200], xtext[200], h[ETHP2P_DNS_HASH_TEXT], name[300];
    ethp2p_privkey k;
    memset(k.b, 0xa3, 32);
    ethp2p_dns_url u;
    assert_int_equal(ethp2p_privkey_to_pubkey(&k, &u.key), 0);
    snprintf(u.domain, sizeof(u.domain), "loop.example.org");
    char leaf[ETHP2P_ENR_TEXT_MAX], hl[ETHP2P_DNS_HASH_TEXT], hx[ETHP2P_DNS_HASH_TEXT], hy[ETHP2P_DNS_HASH_TEXT];
    assert_int_equal(ethp2p_enr_to_text(&ra[0], leaf, sizeof(leaf)), 0);
    ethp2p_dns_entry_hash(leaf, strlen(leaf), hl);
    snprintf(xtext, sizeof(xtext), "enrtree-branch:%s", hl);
    ethp2p_dns_entry_hash(xtext, strlen(xtext), hx);
    snprintf(ytext, sizeof(ytext), "enrtree-branch:%s,%s", hl, hx);
    ethp2p_dns_entry_hash(ytext, strlen(ytext), hy);
    ethp2p_dns_root r;
    memset(&r, 0, sizeof(r));
    snprintf(r.eroot, sizeof(r.eroot), "%s", hy);
    char empty[] = "enrtree-branch:";
    ethp2p_dns_entry_hash(empty, strlen(empty), h);
    snprintf(r.lroot, sizeof(r.lroot), "%s", h);
    r.seq = 1;
    assert_int_equal(ethp2p_dns_root_format(&r, 0, root, sizeof(root)), 0);
    uint8_t digest[32];
    ethp2p_keccak256(root, strlen(root), digest);
    assert_int_equal(ethp2p_sign_recoverable(&k, digest, r.sig), 0);
    assert_int_equal(ethp2p_dns_root_format(&r, 1, root, sizeof(root)), 0);
    zone_add("loop.example.org", root);
    snprintf(name, sizeof(name), "%s.loop.example.org", hx), zone_add(name, xtext);
    snprintf(name, sizeof(name), "%s.loop.example.org", hy), zone_add(name, ytext);
    snprintf(name, sizeof(name), "%s.loop.example.org", hl), zone_add(name, leaf);
    snprintf(name, sizeof(name), "%s.loop.example.org", h), zone_add(name, empty);
    char loop_url[ETHP2P_DNS_URL_MAX];
    assert_int_equal(ethp2p_dns_url_format(&u, loop_url, sizeof(loop_url)), 0);
    c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, loop_url, 0), 0);
    serve(c);
    assert_true(ethp2p_dns_client_idle(c));
    assert_int_equal(nfound, 1); /* the leaf named twice is taken once */
    ethp2p_dns_client_free(c);
    /* Two lists linking each other: each is walked once. */
    nzone = 0;
    char url_p[ETHP2P_DNS_URL_MAX], url_q[ETHP2P_DNS_URL_MAX];
    ethp2p_dns_tree *tq0 = signed_tree(1, ra + 10, 5, NULL, 0xc2, "q.example.org", url_q);
    ethp2p_dns_tree *tp = signed_tree(1, ra, 5, url_q, 0xc1, "p.example.org", url_p);
    ethp2p_dns_tree *tq = signed_tree(1, ra + 10, 5, url_p, 0xc2, "q.example.org", url_q);
    zone_publish(tp, "p.example.org");
    zone_publish(tq, "q.example.org");
    c = new_client();
    assert_int_equal(ethp2p_dns_client_add(c, url_p, 0), 0);
    serve(c);
    assert_true(ethp2p_dns_client_idle(c));
    assert_int_equal(nfound, 10);
    assert_int_equal(ethp2p_dns_client_get_stats(c)->lists, 2);
    ethp2p_dns_client_free(c);
    ethp2p_dns_tree_free(t);
    ethp2p_dns_tree_free(t2);
    ethp2p_dns_tree_free(old);
    ethp2p_dns_tree_free(tp);
    ethp2p_dns_tree_free(tq);
    ethp2p_dns_tree_free(tq0);
    free(ra);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_client_walks_and_follows_links),
        cmocka_unit_test(test_client_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

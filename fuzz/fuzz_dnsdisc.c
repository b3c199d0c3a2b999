/*
 * Fuzzes DNS node list parsing and the list client with what a DNS server
 * (or anyone on the path) can answer: the input is split at newlines into
 * TXT records; the client, following a list, gets them as the root's answer
 * and then as the answer to every name it asks next. Nothing may crash, leak
 * or loop; the stand-alone parsers see the same bytes.
 */
#include "ethp2p/dnsdisc.h"

#include <stdlib.h>
#include <string.h>

static const char *url = "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n";
static char asked[64][320];
static size_t nasked;

static void q(void *ctx, const char *name)
{
    (void)ctx;
    if (nasked < 64) {
        strncpy(asked[nasked], name, sizeof(asked[0]) - 1);
        asked[nasked][sizeof(asked[0]) - 1] = '\0';
        nasked++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txts[16];
    size_t lens[16], n = 0, start = 0;
    for (size_t i = 0; i <= size && n < 16; i++)
        if (i == size || data[i] == '\n') {
            txts[n] = (const char *)data + start;
            lens[n++] = i - start;
            start = i + 1;
        }
    ethp2p_dns_root r;
    for (size_t i = 0; i < n; i++) {
        (void)ethp2p_dns_root_parse(txts[i], lens[i], &r);
        char h[ETHP2P_DNS_HASH_TEXT], copy[400];
        ethp2p_dns_entry_hash(txts[i], lens[i], h);
        size_t l = lens[i] < sizeof(copy) - 1 ? lens[i] : sizeof(copy) - 1;
        memcpy(copy, txts[i], l);
        copy[l] = '\0';
        ethp2p_dns_url u;
        (void)ethp2p_dns_url_parse(copy, &u);
        (void)ethp2p_dns_entry_check(copy, txts[i], lens[i]);
    }
    ethp2p_dns_client_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.query = q;
    cfg.max_entries = 256;
    nasked = 0;
    ethp2p_dns_client *c = ethp2p_dns_client_new(&cfg);
    if (!c || ethp2p_dns_client_add(c, url, 0)) abort();
    /* Every question gets the same records, a bounded number of times. */
    for (int rounds = 0; nasked && rounds < 300; rounds++) {
        char name[320];
        memcpy(name, asked[--nasked], sizeof(name));
        ethp2p_dns_client_answer(c, name, txts, lens, n, 0, 1);
    }
    ethp2p_dns_client_free(c);
    return 0;
}

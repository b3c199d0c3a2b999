/*
 * Fuzzes the files a user hands the node, which may come from anyone:
 * genesis.json and chain files (RLP blocks back to back, as `--import` and the
 * reference's export write them). The first input byte picks:
 *   even: the rest is genesis.json; if it parses, a chain is made from its
 *         genesis header and the configuration applied
 *   odd:  the rest is a chain file imported on top of the post-merge test
 *         chain's genesis (tests/data/chain-postmerge), through the same
 *         file reader `ethp2p node --import` uses
 * Nothing may crash or leak; an import stops at the first bad block with a
 * reason, and what was imported must be a valid chain from the genesis.
 */
#define _GNU_SOURCE
#include "ethp2p/chain.h"
#include "ethp2p/genesis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_DATA_DIR
#error "FUZZ_DATA_DIR: the repository's tests/data"
#endif

static ethp2p_chain_config cc;
static ethp2p_genesis_info gi;
static int ready, memfd = -1;

static void setup(void)
{
    char err[256];
    if (ethp2p_genesis_load(FUZZ_DATA_DIR "/chain-postmerge/genesis.json", &cc, &gi, err, sizeof(err))) {
        fprintf(stderr, "fuzz_chain: %s\n", err);
        abort();
    }
    memfd = memfd_create("fuzz_chain", 0);
    if (memfd < 0) abort();
    ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready) setup();
    if (size < 1 || size > 4 * 1024 * 1024) return 0;
    char err[256];
    if (!(data[0] & 1)) {
        ethp2p_chain_config c2;
        ethp2p_genesis_info g2;
        if (ethp2p_genesis_parse((const char *)data + 1, size - 1, &c2, &g2, err, sizeof(err)) == 0) {
            ethp2p_chain *ch = ethp2p_chain_new(g2.header, g2.header_len);
            if (ch) {
                ethp2p_chain_set_config(ch, &c2);
                if (ethp2p_chain_head(ch)->number != 0) abort();
                ethp2p_chain_free(ch);
            }
            ethp2p_genesis_info_clear(&g2);
        } else if (!err[0]) {
            abort(); /* a refusal always says why */
        }
        return 0;
    }
    if (ftruncate(memfd, 0) || pwrite(memfd, data + 1, size - 1, 0) != (ssize_t)(size - 1)) abort();
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
    ethp2p_chain *ch = ethp2p_chain_new(gi.header, gi.header_len);
    if (!ch) abort();
    ethp2p_chain_set_config(ch, &cc);
    size_t imported = 0;
    err[0] = '\0';
    int rc = ethp2p_chain_import_file(ch, path, &imported, err, sizeof(err));
    if (rc && !err[0]) abort();
    /* What was taken links back to the genesis, number by number. */
    const ethp2p_header *head = ethp2p_chain_head(ch);
    if (head->number < imported) abort();
    uint64_t low = ethp2p_chain_oldest(ch); /* older blocks may have been let go (the chain's bounds) */
    for (uint64_t n = head->number; n > (low > 1 ? low : 0); n--) {
        const ethp2p_header *h = ethp2p_chain_header(ch, n), *p = ethp2p_chain_header(ch, n - 1);
        if (!h || !p) abort();
        if (memcmp(h->parent, p->hash, 32) != 0) abort();
    }
    ethp2p_chain_free(ch);
    return 0;
}

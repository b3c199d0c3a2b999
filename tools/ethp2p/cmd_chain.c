/*
 * ethp2p chain genesis: a network's identity (genesis hash, fork ID, merge
 * state) from a genesis.json or a built-in network, to check a genesis file
 * against a network or another client.
 *
 * ethp2p chain make: a chain file of N blocks on a devnet or custom genesis
 * (each a valid child of the last, optionally carrying signed transfers), for
 * `ethp2p node --import`, tests and simulations. Blocks are not sealed: the
 * relay checks linkage, time and the transactions root, not proof of work.
 */
#include "cli.h"
#include "ethp2p/chain.h"
#include "ethp2p/genesis.h"
#include "ethp2p/hex.h"
#include "ethp2p/tx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int chain_genesis(int argc, char **argv)
{
    enum { F_GENESIS, F_MAINNET, F_SEPOLIA, F_HOLESKY, F_HOODI, F_DEVNET, F_BLOCK, F_TIME, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_GENESIS] = {"genesis", "FILE", "a genesis.json (the reference client's format)", NULL},
        [F_MAINNET] = {"mainnet", NULL, "the built-in mainnet", NULL},
        [F_SEPOLIA] = {"sepolia", NULL, "the built-in Sepolia", NULL},
        [F_HOLESKY] = {"holesky", NULL, "the built-in Holesky", NULL},
        [F_HOODI] = {"hoodi", NULL, "the built-in Hoodi", NULL},
        [F_DEVNET] = {"devnet", NULL, "the offline devnet", NULL},
        [F_BLOCK] = {"block", "N", "head block for the fork ID (default: past every block fork)", NULL},
        [F_TIME] = {"time", "UNIX", "head time for the fork ID (default: now)", NULL},
    };
    cli_command cmd = {"ethp2p chain genesis (--genesis FILE | --mainnet | ...) [--block N] [--time T]",
                       "print a network's genesis hash, fork ID and merge state as JSON", flags, F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    static const char *const names[] = {[F_MAINNET] = "mainnet", [F_SEPOLIA] = "sepolia", [F_HOLESKY] = "holesky",
                                        [F_HOODI] = "hoodi", [F_DEVNET] = "devnet"};
    const char *builtin = NULL;
    int chosen = flags[F_GENESIS].value != NULL;
    for (int f = F_MAINNET; f <= F_DEVNET; f++)
        if (flags[f].value) builtin = names[f], chosen++;
    uint64_t block = 0, t = (uint64_t)time(NULL);
    if ((flags[F_BLOCK].value && cli_parse_u64("block", flags[F_BLOCK].value, &block)) ||
        (flags[F_TIME].value && cli_parse_u64("time", flags[F_TIME].value, &t)))
        return CLI_USAGE;
    if (chosen != 1) {
        cli_error("choose one network: --genesis FILE, --mainnet, --sepolia, --holesky, --hoodi or --devnet");
        return CLI_USAGE;
    }
    ethp2p_chain_config cc;
    ethp2p_genesis_info gi;
    memset(&gi, 0, sizeof(gi));
    char err[200];
    if (builtin) rc = ethp2p_chain_builtin(builtin, &cc), snprintf(err, sizeof(err), "%s", ethp2p_strerror(rc));
    else rc = ethp2p_genesis_load(flags[F_GENESIS].value, &cc, &gi, err, sizeof(err));
    if (rc) {
        cli_error("genesis: %s", err);
        return CLI_FAIL;
    }
    if (!flags[F_BLOCK].value)
        for (size_t i = 0; i < cc.nblock_forks; i++)
            if (cc.block_forks[i] > block) block = cc.block_forks[i];
    ethp2p_forkid id;
    ethp2p_forkid_compute(&cc, block, t, &id);
    char hash[65], ttd[65] = "";
    ethp2p_hex_encode(cc.genesis_hash, 32, hash);
    if (cc.has_ttd) ethp2p_hex_encode(cc.ttd, 32, ttd);
    size_t z = 0;
    while (ttd[z] == '0' && ttd[z + 1]) z++;
    printf("{\"chainId\":%llu,\"networkId\":%llu,\"genesis\":\"0x%s\",\"forkid\":\"0x%02x%02x%02x%02x\","
           "\"next\":%llu,\"block\":%llu,\"time\":%llu,\"postMerge\":%s,\"ttd\":%s%s%s}\n",
           (unsigned long long)cc.chain_id, (unsigned long long)cc.network_id, hash, id.hash[0], id.hash[1], id.hash[2],
           id.hash[3], (unsigned long long)id.next, (unsigned long long)block, (unsigned long long)t,
           cc.post_merge ? "true" : "false", cc.has_ttd ? "\"0x" : "null", cc.has_ttd ? ttd + z : "",
           cc.has_ttd ? "\"" : "");
    ethp2p_genesis_info_clear(&gi);
    return CLI_OK;
}

static int chain_make(int argc, char **argv)
{
    enum { F_GENESIS, F_BLOCKS, F_TXS, F_KEY, F_OUT, F_COUNT };
    cli_flag flags[F_COUNT] = {
        [F_GENESIS] = {"genesis", "FILE", "genesis.json (default: the devnet's)", NULL},
        [F_BLOCKS] = {"blocks", "N", "number of blocks (default 10)", NULL},
        [F_TXS] = {"txs", "K", "transfers per block, signed with --key (default 0)", NULL},
        [F_KEY] = {"key", "FILE", "sender key for the transfers", NULL},
        [F_OUT] = {"out", "FILE", "the chain file to write", NULL},
    };
    cli_command cmd = {"ethp2p chain make --out FILE [flags]", "write a chain file of valid (unsealed) blocks", flags,
                       F_COUNT, 0, 0};
    char *pos[1];
    int npos, rc = cli_parse(&cmd, argc, argv, pos, &npos);
    if (rc >= 0) return rc;
    uint64_t nblocks = 10, ntxs = 0;
    if ((flags[F_BLOCKS].value && cli_parse_u64("blocks", flags[F_BLOCKS].value, &nblocks)) ||
        (flags[F_TXS].value && cli_parse_u64("txs", flags[F_TXS].value, &ntxs)))
        return CLI_USAGE;
    if (!flags[F_OUT].value || (ntxs && !flags[F_KEY].value) || ntxs > 1000) {
        cli_error("--out is required; --txs needs --key (and at most 1000 per block)");
        return CLI_USAGE;
    }
    ethp2p_chain_config cc;
    ethp2p_genesis_info gi;
    char err[160];
    rc = flags[F_GENESIS].value ? ethp2p_genesis_load(flags[F_GENESIS].value, &cc, &gi, err, sizeof(err))
                                : ethp2p_genesis_parse(ethp2p_devnet_genesis(), strlen(ethp2p_devnet_genesis()), &cc, &gi,
                                                       err, sizeof(err));
    if (rc) {
        cli_error("genesis: %s", err);
        return CLI_USAGE;
    }
    ethp2p_privkey key;
    if (ntxs && (rc = ethp2p_nodekey_load(flags[F_KEY].value, &key))) {
        cli_error("cannot load key %s: %s", flags[F_KEY].value, ethp2p_strerror(rc));
        ethp2p_genesis_info_clear(&gi);
        return CLI_FAIL;
    }
    ethp2p_chain *c = ethp2p_chain_new(gi.header, gi.header_len);
    if (c) ethp2p_chain_set_config(c, &cc); /* the blocks it writes obey the genesis's forks */
    FILE *out = fopen(flags[F_OUT].value, "wb");
    if (!c || !out) {
        cli_error("cannot write %s", flags[F_OUT].value);
        ethp2p_chain_free(c);
        ethp2p_genesis_info_clear(&gi);
        if (out) fclose(out);
        return CLI_FAIL;
    }
    uint8_t **txs = calloc(ntxs + 1, sizeof(*txs));
    size_t *lens = calloc(ntxs + 1, sizeof(*lens));
    ethp2p_buffer tb;
    ethp2p_buffer_init(&tb, 0);
    uint64_t nonce = 0;
    uint8_t to[20] = {0x42};
    for (uint64_t b = 0; b < nblocks && rc == 0; b++) {
        for (uint64_t i = 0; i < ntxs; i++) {
            ethp2p_buffer_reset(&tb);
            if ((rc = ethp2p_tx_make_transfer(&key, cc.chain_id, nonce++, to, 1, NULL, 0, &tb))) break;
            free(txs[i]);
            txs[i] = malloc(tb.len);
            memcpy(txs[i], tb.data, tb.len);
            lens[i] = tb.len;
        }
        ethp2p_rlp_writer w;
        ethp2p_rlp_writer_init(&w, 0);
        const uint8_t *blk;
        size_t bl;
        if (!rc) rc = ethp2p_chain_make_child(c, (const uint8_t *const *)txs, lens, ntxs, &w);
        if (!rc) rc = ethp2p_rlp_writer_finish(&w, &blk, &bl);
        if (!rc && (rc = ethp2p_chain_insert(c, blk, bl, NULL)) == 1) rc = 0;
        if (!rc && fwrite(blk, 1, bl, out) != bl) rc = ETHP2P_EIO;
        ethp2p_rlp_writer_clear(&w);
    }
    for (uint64_t i = 0; i < ntxs; i++) free(txs[i]);
    free(txs);
    free(lens);
    ethp2p_buffer_clear(&tb);
    fclose(out);
    if (!rc) {
        char h[65];
        ethp2p_hex_encode(ethp2p_chain_head(c)->hash, 32, h);
        printf("{\"blocks\":%llu,\"head\":\"0x%s\",\"number\":%llu,\"file\":\"%s\"}\n", (unsigned long long)nblocks, h,
               (unsigned long long)ethp2p_chain_head(c)->number, flags[F_OUT].value);
    } else {
        cli_error("could not build the chain: %s", ethp2p_chain_error_name(rc));
    }
    ethp2p_chain_free(c);
    ethp2p_genesis_info_clear(&gi);
    return rc ? CLI_FAIL : CLI_OK;
}

int cmd_chain(int argc, char **argv)
{
    static const cli_subcommand subs[] = {
        {"genesis", chain_genesis, "print a network's genesis hash, fork ID and merge state"},
        {"make", chain_make, "write a chain file of valid (unsealed) blocks"},
    };
    return cli_dispatch("chain", subs, 2, argc, argv);
}

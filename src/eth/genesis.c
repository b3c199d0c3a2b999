/*
 * genesis.json: the chain configuration and the genesis block, as the
 * reference client builds it (core/genesis.go ToBlock): defaults for an
 * absent gas limit (4,712,388) and difficulty (131,072 unless a mix hash is
 * given), then the header fields of the forks active at genesis:
 * London base fee (1 gwei unless given), Shanghai withdrawals root, Cancun
 * blob gas fields and parent beacon root, Prague requests hash.
 */
#include "ethp2p/genesis.h"
#include "ethp2p/chain.h"
#include "ethp2p/hex.h"
#include "ethp2p/json.h"
#include "ethp2p/keccak.h"
#include "ethp2p/trie.h"

#include <jansson.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENESIS_GAS_LIMIT 4712388
#define GENESIS_DIFFICULTY 131072



#define FAIL(...)                                                                                                      \
    do {                                                                                                               \
        snprintf(err, cap, __VA_ARGS__);                                                                               \
        rc = ETHP2P_EFORMAT;                                                                                           \
        goto out;                                                                                                      \
    } while (0)

/* A 256-bit unsigned number from a JSON integer of any size, a decimal string or a 0x-hex string. */
static int parse_u256(const json_t *v, uint8_t out[32])
{
    memset(out, 0, 32);
    if (!v || json_is_null(v)) return 0;
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) return -1;
        uint64_t x = (uint64_t)json_integer_value(v);
        for (int i = 0; i < 8; i++) out[31 - i] = (uint8_t)(x >> (8 * i));
        return 0;
    }
    /* A fraction or exponent is no integer (the reference's big.Int and uint64 fields
     * refuse it too); integers too long for jansson arrive as strings of their digits
     * (ethp2p_json_quote_big_ints), exact. */
    if (json_is_real(v)) return -1;
    const char *s = json_string_value(v);
    if (!s) return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t n = strlen(s + 2);
        if (n > 64) return -1;
        char buf[66] = "0";
        /* Left-pad to an even number of digits. */
        snprintf(buf, sizeof(buf), "%s%s", n & 1 ? "0" : "", s + 2);
        size_t bl = strlen(buf), got;
        uint8_t tmp[32];
        if (bl == 0) return 0;
        if (ethp2p_hex_decode(buf, bl, tmp, 32, &got)) return -1;
        memcpy(out + 32 - got, tmp, got);
        return 0;
    }
    if (!*s) return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return -1;
        unsigned carry = (unsigned)(*p - '0');
        for (int i = 31; i >= 0; i--) {
            unsigned x = out[i] * 10u + carry;
            out[i] = (uint8_t)x;
            carry = x >> 8;
        }
        if (carry) return -1; /* over 2^256 */
    }
    return 0;
}

static int parse_u64(const json_t *v, uint64_t *out, int *present)
{
    uint8_t b[32];
    *present = v && !json_is_null(v);
    if (parse_u256(v, b)) return -1;
    for (int i = 0; i < 24; i++)
        if (b[i]) return -1;
    *out = 0;
    for (int i = 24; i < 32; i++) *out = *out << 8 | b[i];
    return 0;
}

/* Hex bytes from a string (0x optional); exact length when want > 0. */
static int parse_hex(const json_t *v, uint8_t *out, size_t cap, size_t want, size_t *got)
{
    const char *s = json_string_value(v);
    *got = 0;
    if (!v || json_is_null(v)) return want ? 1 : 0; /* absent */
    if (!s) return -1;
    if (ethp2p_hex_decode(s, strlen(s), out, cap, got)) return -1;
    if (want && *got != want) {
        /* Short values are left-padded (hashes and addresses written without leading zeros). */
        if (*got > want) return -1;
        memmove(out + want - *got, out, *got);
        memset(out, 0, want - *got);
        *got = want;
    }
    return 0;
}

static size_t trimmed(const uint8_t *b, size_t n)
{
    size_t i = 0;
    while (i < n && b[i] == 0) i++;
    return i;
}

typedef struct account_enc {
    uint8_t hash[32];
    uint8_t *rlp;
    size_t len;
} account_enc;

/* The storage root of an account's storage object. */
static int storage_root(const json_t *storage, uint8_t root[32], char *err, size_t cap)
{
    size_t n = json_object_size(storage), i = 0;
    ethp2p_trie_kv *kv = calloc(n ? n : 1, sizeof(*kv));
    uint8_t(*keys)[32] = calloc(n ? n : 1, 32);
    uint8_t(*vals)[33] = calloc(n ? n : 1, 33);
    int rc = 0;
    const char *k;
    json_t *v;
    if (!kv || !keys || !vals) {
        snprintf(err, cap, "out of memory");
        rc = ETHP2P_ENOMEM;
        goto out;
    }
    json_object_foreach((json_t *)storage, k, v) {
        uint8_t slot[32], val[32];
        size_t got;
        json_t *ks = json_string(k);
        int bad = parse_hex(ks, slot, 32, 32, &got) != 0 || parse_u256(v, val) != 0;
        json_decref(ks);
        if (bad) FAIL("bad storage entry %s", k);
        ethp2p_keccak256(slot, 32, keys[i]);
        size_t z = trimmed(val, 32);
        if (z == 32) continue; /* zero: not stored */
        /* The value: rlp(trimmed big-endian bytes). */
        size_t vl = 32 - z;
        if (vl == 1 && val[31] < 0x80) {
            vals[i][0] = val[31];
            kv[i].value_len = 1;
        } else {
            vals[i][0] = (uint8_t)(0x80 + vl);
            memcpy(vals[i] + 1, val + z, vl);
            kv[i].value_len = vl + 1;
        }
        kv[i].key = keys[i];
        kv[i].key_len = 32;
        kv[i].value = vals[i];
        i++;
    }
    /* Two keys naming one slot ("0x1" and "0x01") hash alike: the trie refuses them. */
    if ((rc = ethp2p_trie_root(kv, i, root))) FAIL("two storage entries for one slot");
out:
    free(kv);
    free(keys);
    free(vals);
    return rc;
}

static const char *const block_fork_names[] = {
    "homesteadBlock", "daoForkBlock", "eip150Block", "eip155Block", "eip158Block", "byzantiumBlock",
    "constantinopleBlock", "petersburgBlock", "istanbulBlock", "muirGlacierBlock", "berlinBlock", "londonBlock",
    "arrowGlacierBlock", "grayGlacierBlock", "mergeNetsplitBlock",
};
static const char *const time_fork_names[] = {
    "shanghaiTime", "cancunTime", "pragueTime", "osakaTime", "bpo1Time", "bpo2Time", "bpo3Time", "bpo4Time",
    "bpo5Time", "amsterdamTime", "verkleTime",
};

/* Active at genesis: a block fork at 0, a time fork at or before the genesis time. */
static int active(const json_t *cfg, const char *name, uint64_t genesis_time, int is_time)
{
    uint64_t v;
    int present;
    if (parse_u64(json_object_get(cfg, name), &v, &present) || !present) return 0;
    return is_time ? v <= genesis_time : v == 0;
}

int ethp2p_genesis_parse(const char *text, size_t len, ethp2p_chain_config *chain, ethp2p_genesis_info *info,
                         char *err, size_t cap)
{
    json_error_t je;
    ethp2p_buffer exact;
    ethp2p_buffer_init(&exact, 0);
    json_t *g = NULL;
    if (ethp2p_json_quote_big_ints(text, len, &exact) == 0)
        g = json_loadb((const char *)exact.data, exact.len, 0, &je);
    else snprintf(je.text, sizeof(je.text), "out of memory"), je.line = 0;
    ethp2p_buffer_clear(&exact);
    int rc = 0;
    ethp2p_trie_kv *kv = NULL;
    account_enc *acc = NULL;
    size_t nacc = 0;
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    memset(chain, 0, sizeof(*chain));
    memset(info, 0, sizeof(*info));
    if (!g) FAIL("not JSON: %s (line %d)", je.text, je.line);
    json_t *cfg = json_object_get(g, "config");
    if (!json_is_object(cfg)) FAIL("no \"config\" object");
    int present;
    if (parse_u64(json_object_get(cfg, "chainId"), &chain->chain_id, &present) || !present)
        FAIL("config.chainId is missing or not a number");
    chain->network_id = chain->chain_id;
    snprintf(chain->name, sizeof(chain->name), "custom-%llu", (unsigned long long)chain->chain_id);
    uint64_t ts;
    if (parse_u64(json_object_get(g, "timestamp"), &ts, &present)) FAIL("bad timestamp");
    chain->genesis_time = info->timestamp = ts;
    for (size_t i = 0; i < sizeof(block_fork_names) / sizeof(*block_fork_names); i++) {
        uint64_t v;
        if (parse_u64(json_object_get(cfg, block_fork_names[i]), &v, &present)) FAIL("bad config.%s", block_fork_names[i]);
        if (present && chain->nblock_forks < ETHP2P_CHAIN_MAX_FORKS) chain->block_forks[chain->nblock_forks++] = v;
    }
    for (size_t i = 0; i < sizeof(time_fork_names) / sizeof(*time_fork_names); i++) {
        uint64_t v;
        if (parse_u64(json_object_get(cfg, time_fork_names[i]), &v, &present)) FAIL("bad config.%s", time_fork_names[i]);
        if (present && chain->ntime_forks < ETHP2P_CHAIN_MAX_FORKS) chain->time_forks[chain->ntime_forks++] = v;
    }
    /* The forks some header rules need by name. */
    json_t *ttdv = json_object_get(cfg, "terminalTotalDifficulty");
    if (parse_u256(ttdv, chain->ttd)) FAIL("bad config.terminalTotalDifficulty");
    chain->has_ttd = ttdv && !json_is_null(ttdv);
    if (parse_u64(json_object_get(cfg, "londonBlock"), &chain->london_block, &chain->has_london)) FAIL("bad config.londonBlock");
    if (parse_u64(json_object_get(cfg, "shanghaiTime"), &chain->shanghai_time, &chain->has_shanghai))
        FAIL("bad config.shanghaiTime");
    if (parse_u64(json_object_get(cfg, "cancunTime"), &chain->cancun_time, &chain->has_cancun) ||
        parse_u64(json_object_get(cfg, "pragueTime"), &chain->prague_time, &chain->has_prague))
        FAIL("bad config.cancunTime or pragueTime");

    /* State: one account per alloc entry. */
    json_t *alloc = json_object_get(g, "alloc");
    if (alloc && !json_is_object(alloc)) FAIL("\"alloc\" is not an object");
    size_t n = json_object_size(alloc);
    kv = calloc(n ? n : 1, sizeof(*kv));
    acc = calloc(n ? n : 1, sizeof(*acc));
    if (!kv || !acc) FAIL("out of memory");
    const char *addr_text;
    json_t *a;
    json_object_foreach(alloc, addr_text, a) {
        uint8_t addr[20], balance[32], sroot[32], code_hash[32];
        uint64_t nonce = 0;
        size_t got;
        json_t *as = json_string(addr_text);
        int bad = parse_hex(as, addr, 20, 20, &got);
        json_decref(as);
        if (bad) FAIL("alloc: '%s' is not an address", addr_text);
        if (parse_u256(json_object_get(a, "balance"), balance)) FAIL("alloc %s: bad balance", addr_text);
        if (parse_u64(json_object_get(a, "nonce"), &nonce, &present)) FAIL("alloc %s: bad nonce", addr_text);
        const char *code = json_string_value(json_object_get(a, "code"));
        if (code) {
            size_t cl = strlen(code);
            uint8_t *cb = malloc(cl / 2 + 1);
            if (!cb || ethp2p_hex_decode(code, cl, cb, cl / 2 + 1, &got)) {
                free(cb);
                FAIL("alloc %s: bad code", addr_text);
            }
            ethp2p_keccak256(cb, got, code_hash);
            free(cb);
        } else {
            ethp2p_keccak256(NULL, 0, code_hash);
        }
        json_t *storage = json_object_get(a, "storage");
        if (storage && !json_is_object(storage)) FAIL("alloc %s: storage is not an object", addr_text);
        if ((rc = storage_root(storage, sroot, err, cap))) goto out;
        ethp2p_rlp_writer_reset(&w);
        ethp2p_rlp_list_begin(&w);
        ethp2p_rlp_put_uint(&w, nonce);
        ethp2p_rlp_put_uint_be(&w, balance, 32);
        ethp2p_rlp_put_bytes(&w, sroot, 32);
        ethp2p_rlp_put_bytes(&w, code_hash, 32);
        ethp2p_rlp_list_end(&w);
        const uint8_t *enc;
        size_t el;
        if (ethp2p_rlp_writer_finish(&w, &enc, &el) || !(acc[nacc].rlp = malloc(el))) FAIL("out of memory");
        memcpy(acc[nacc].rlp, enc, el);
        acc[nacc].len = el;
        ethp2p_keccak256(addr, 20, acc[nacc].hash);
        kv[nacc] = (ethp2p_trie_kv){acc[nacc].hash, 32, acc[nacc].rlp, el};
        nacc++;
    }
    if ((rc = ethp2p_trie_root(kv, nacc, info->state_root))) FAIL("two alloc entries for one address");
    info->accounts = nacc;

    /* The header. */
    uint8_t parent[32] = {0}, coinbase[20] = {0}, mix[32] = {0}, nonce8[8] = {0}, extra[1024], diff[32], basefee[32];
    size_t extra_len = 0, got;
    uint64_t gas_limit, gas_used = 0, number = 0;
    if (parse_hex(json_object_get(g, "parentHash"), parent, 32, 32, &got) < 0) FAIL("bad parentHash");
    if (parse_hex(json_object_get(g, "coinbase"), coinbase, 20, 20, &got) < 0) FAIL("bad coinbase");
    if (parse_hex(json_object_get(g, "mixHash"), mix, 32, 32, &got) < 0) FAIL("bad mixHash");
    if (parse_hex(json_object_get(g, "extraData"), extra, sizeof(extra), 0, &extra_len) < 0) FAIL("bad extraData");
    uint64_t nonce_v;
    if (parse_u64(json_object_get(g, "nonce"), &nonce_v, &present)) FAIL("bad nonce");
    for (int i = 0; i < 8; i++) nonce8[7 - i] = (uint8_t)(nonce_v >> (8 * i));
    if (parse_u64(json_object_get(g, "gasLimit"), &gas_limit, &present)) FAIL("bad gasLimit");
    if (!gas_limit) gas_limit = GENESIS_GAS_LIMIT;
    if (parse_u64(json_object_get(g, "gasUsed"), &gas_used, &present)) FAIL("bad gasUsed");
    if (parse_u64(json_object_get(g, "number"), &number, &present)) FAIL("bad number");
    json_t *dv = json_object_get(g, "difficulty");
    if (parse_u256(dv, diff)) FAIL("bad difficulty");
    static const uint8_t zero32[32];
    if ((!dv || json_is_null(dv)) && memcmp(mix, zero32, 32) == 0) {
        memset(diff, 0, 32);
        diff[29] = (GENESIS_DIFFICULTY >> 16) & 0xff;
        diff[30] = (GENESIS_DIFFICULTY >> 8) & 0xff;
        diff[31] = GENESIS_DIFFICULTY & 0xff;
    }
    info->gas_limit = gas_limit;
    memcpy(info->difficulty, diff, 32);
    /* Past the merge at genesis: the terminal total difficulty is set and the genesis
     * difficulty reaches it, or a time fork (Shanghai or later) is active at genesis.
     * terminalTotalDifficultyPassed alone is only a sync hint in the reference: such a
     * proof-of-work chain still propagates blocks (protocol-notes.md). */
    chain->post_merge = ethp2p_chain_config_merged(chain, diff, ts);
    info->post_merge = chain->post_merge;
    ethp2p_rlp_writer_reset(&w);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_bytes(&w, parent, 32);
    ethp2p_rlp_put_bytes(&w, ETHP2P_EMPTY_OMMERS_HASH, 32);
    ethp2p_rlp_put_bytes(&w, coinbase, 20);
    ethp2p_rlp_put_bytes(&w, info->state_root, 32);
    ethp2p_rlp_put_bytes(&w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* transactions */
    ethp2p_rlp_put_bytes(&w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* receipts */
    uint8_t bloom[256] = {0};
    ethp2p_rlp_put_bytes(&w, bloom, 256);
    ethp2p_rlp_put_uint_be(&w, diff, 32);
    ethp2p_rlp_put_uint(&w, number);
    ethp2p_rlp_put_uint(&w, gas_limit);
    ethp2p_rlp_put_uint(&w, gas_used);
    ethp2p_rlp_put_uint(&w, ts);
    ethp2p_rlp_put_bytes(&w, extra, extra_len);
    ethp2p_rlp_put_bytes(&w, mix, 32);
    ethp2p_rlp_put_bytes(&w, nonce8, 8);
    if (active(cfg, "londonBlock", ts, 0)) {
        json_t *bf = json_object_get(g, "baseFeePerGas");
        if (parse_u256(bf, basefee)) FAIL("bad baseFeePerGas");
        if (!bf || json_is_null(bf)) {
            memset(basefee, 0, 32);
            for (int i = 0; i < 8; i++) basefee[31 - i] = (uint8_t)(ETHP2P_CHAIN_INITIAL_BASE_FEE >> (8 * i));
        }
        ethp2p_rlp_put_uint_be(&w, basefee, 32);
    }
    if (active(cfg, "shanghaiTime", ts, 1)) ethp2p_rlp_put_bytes(&w, ETHP2P_EMPTY_TRIE_ROOT, 32); /* withdrawals */
    if (active(cfg, "cancunTime", ts, 1)) {
        uint64_t blob_used = 0, excess = 0;
        if (parse_u64(json_object_get(g, "blobGasUsed"), &blob_used, &present) ||
            parse_u64(json_object_get(g, "excessBlobGas"), &excess, &present))
            FAIL("bad blob gas fields");
        ethp2p_rlp_put_uint(&w, blob_used);
        ethp2p_rlp_put_uint(&w, excess);
        ethp2p_rlp_put_bytes(&w, zero32, 32); /* parent beacon block root */
    }
    if (active(cfg, "pragueTime", ts, 1)) {
        uint8_t requests[32];
        struct sha256_ctx sc; /* the hash of no requests: sha256 of nothing */
        sha256_init(&sc);
        sha256_digest(&sc, 32, requests);
        ethp2p_rlp_put_bytes(&w, requests, 32);
    }
    ethp2p_rlp_list_end(&w);
    const uint8_t *hdr;
    size_t hl;
    if (ethp2p_rlp_writer_finish(&w, &hdr, &hl) || !(info->header = malloc(hl))) FAIL("out of memory");
    memcpy(info->header, hdr, hl);
    info->header_len = hl;
    ethp2p_keccak256(hdr, hl, info->header_hash);
    memcpy(chain->genesis_hash, info->header_hash, 32);
out:
    if (rc) ethp2p_genesis_info_clear(info);
    for (size_t i = 0; i < nacc; i++) free(acc[i].rlp);
    free(acc);
    free(kv);
    ethp2p_rlp_writer_clear(&w);
    json_decref(g);
    return rc;
}

void ethp2p_genesis_info_clear(ethp2p_genesis_info *info)
{
    free(info->header);
    info->header = NULL;
    info->header_len = 0;
}

int ethp2p_genesis_load(const char *path, ethp2p_chain_config *chain, ethp2p_genesis_info *info, char *err, size_t cap)
{
    ethp2p_buffer b;
    ethp2p_buffer_init(&b, 0);
    int rc = ethp2p_buffer_read_file(&b, path, 256u << 20); /* far beyond any real genesis */
    if (rc) snprintf(err, cap, "cannot read %s: %s", path, ethp2p_strerror(rc));
    else rc = ethp2p_genesis_parse((const char *)b.data, b.len, chain, info, err, cap);
    ethp2p_buffer_clear(&b);
    return rc;
}

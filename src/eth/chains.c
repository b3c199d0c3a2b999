/*
 * The built-in networks. Fork points as in the reference client's chain
 * configurations (params/config.go): every fork field counts, including DAO,
 * Petersburg, the difficulty-bomb delays and the blob-parameter-only forks.
 */
#include "ethp2p/forkid.h"
#include "ethp2p/hex.h"

#include <string.h>

typedef struct builtin {
    const char *name, *genesis;
    uint64_t network_id, genesis_time;
    uint64_t blocks[16], times[16];
} builtin;

static const builtin builtins[] = {
    {"mainnet", "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3", 1, 0,
     /* homestead, DAO, EIP-150, EIP-155/158, byzantium, constantinople+petersburg, istanbul,
      * muir glacier, berlin, london, arrow glacier, gray glacier */
     {1150000, 1920000, 2463000, 2675000, 4370000, 7280000, 9069000, 9200000, 12244000, 12965000, 13773000,
      15050000},
     /* shanghai, cancun, prague, osaka, bpo1, bpo2 */
     {1681338455, 1710338135, 1746612311, 1764798551, 1765290071, 1767747671}},
    {"sepolia", "25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9", 11155111, 1633267481,
     {1735371}, /* merge netsplit; every earlier fork is at genesis */
     {1677557088, 1706655072, 1741159776, 1760427360, 1761017184, 1761607008}},
    {"holesky", "b5f7f912443c940f21fd611f12828d75b534364ed9e95ca4e307729a4661bde4", 17000, 1695902400,
     {0},
     {1696000704, 1707305664, 1740434112, 1759308480, 1759800000, 1760389824}},
    {"hoodi", "bbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b", 560048, 1742212800,
     {0},
     {0, 0, 1742999832, 1761677592, 1762365720, 1762955544}}, /* shanghai and cancun at genesis */
};

static size_t count(const uint64_t *v, size_t cap)
{
    size_t n = cap;
    while (n && v[n - 1] == 0) n--;
    return n;
}

int ethp2p_chain_builtin(const char *name, ethp2p_chain_config *c)
{
    const builtin *b = NULL;
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (strcmp(name, builtins[i].name) == 0) b = &builtins[i];
    if (!b) return ETHP2P_ENOTFOUND;
    memset(c, 0, sizeof(*c));
    strncpy(c->name, b->name, sizeof(c->name) - 1);
    c->network_id = c->chain_id = b->network_id;
    if (ethp2p_hex_decode_fixed(b->genesis, 64, c->genesis_hash, 32)) return ETHP2P_EINVAL;
    c->genesis_time = b->genesis_time;
    c->nblock_forks = count(b->blocks, 16);
    memcpy(c->block_forks, b->blocks, c->nblock_forks * sizeof(uint64_t));
    c->ntime_forks = count(b->times, 16);
    memcpy(c->time_forks, b->times, c->ntime_forks * sizeof(uint64_t));
    c->post_merge = 1;
    return 0;
}

/*
 * The built-in networks. Fork points as in the reference client's chain
 * configurations (params/config.go): every fork field counts, including DAO,
 * Petersburg, the difficulty-bomb delays and the blob-parameter-only forks.
 */
#include "ethp2p/forkid.h"
#include "ethp2p/hex.h"
#include "ethp2p/genesis.h"

#include <string.h>

typedef struct builtin {
    const char *name, *genesis;
    uint64_t network_id, genesis_time;
    uint64_t blocks[16], times[16];
    const char *ttd;        /* terminal total difficulty, hex */
    uint64_t london_block;
} builtin;

static const builtin builtins[] = {
    {"mainnet", "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3", 1, 0,
     /* homestead, DAO, EIP-150, EIP-155/158, byzantium, constantinople+petersburg, istanbul,
      * muir glacier, berlin, london, arrow glacier, gray glacier */
     {1150000, 1920000, 2463000, 2675000, 4370000, 7280000, 9069000, 9200000, 12244000, 12965000, 13773000,
      15050000},
     /* shanghai, cancun, prague, osaka, bpo1, bpo2 */
     {1681338455, 1710338135, 1746612311, 1764798551, 1765290071, 1767747671},
     "0c70d808a128d7380000", 12965000}, /* TTD 58,750,000,000,000,000,000,000 */
    {"sepolia", "25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9", 11155111, 1633267481,
     {1735371}, /* merge netsplit; every earlier fork is at genesis */
     {1677557088, 1706655072, 1741159776, 1760427360, 1761017184, 1761607008},
     "3c6568f12e8000", 0}, /* TTD 17,000,000,000,000,000 */
    {"holesky", "b5f7f912443c940f21fd611f12828d75b534364ed9e95ca4e307729a4661bde4", 17000, 1695902400,
     {0},
     {1696000704, 1707305664, 1740434112, 1759308480, 1759800000, 1760389824},
     "00", 0},
    {"hoodi", "bbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b", 560048, 1742212800,
     {0},
     {0, 0, 1742999832, 1761677592, 1762365720, 1762955544}, /* shanghai and cancun at genesis */
     "00", 0},
};

static size_t count(const uint64_t *v, size_t cap)
{
    size_t n = cap;
    while (n && v[n - 1] == 0) n--;
    return n;
}

int ethp2p_chain_builtin(const char *name, ethp2p_chain_config *c)
{
    if (strcmp(name, "devnet") == 0) {
        ethp2p_genesis_info gi;
        char err[64];
        const char *g = ethp2p_devnet_genesis();
        if (ethp2p_genesis_parse(g, strlen(g), c, &gi, err, sizeof(err))) return ETHP2P_EINVAL;
        ethp2p_genesis_info_clear(&gi);
        strcpy(c->name, "devnet");
        return 0;
    }
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
    size_t tl = strlen(b->ttd), got;
    uint8_t ttd[32];
    if (ethp2p_hex_decode(b->ttd, tl, ttd, sizeof(ttd), &got)) return ETHP2P_EINVAL;
    memcpy(c->ttd + 32 - got, ttd, got);
    c->has_ttd = 1;
    c->has_london = 1;
    c->london_block = b->london_block;
    c->has_shanghai = 1;
    c->shanghai_time = b->times[0];
    c->has_cancun = c->has_prague = 1;
    c->cancun_time = b->times[1];
    c->prague_time = b->times[2];
    return 0;
}

/* The public bootnodes (the reference client's lists). */
static const char *const mainnet_boot[] = {
    "enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@18.138.108.67:30303",
    "enode://22a8232c3abc76a16ae9d6c3b164f98775fe226f0917b0ca871128a74a8e9630b458460865bab457221f1d448dd9791d24c4e5d88786180ac185df813a68d4de@3.209.45.79:30303",
    "enode://2b252ab6a1d0f971d9722cb839a42cb81db019ba44c08754628ab4a823487071b5695317c8ccd085219c3a03af063495b2f1da8d18218da2d6a82981b45e6ffc@65.108.70.101:30303",
    "enode://4aeb4ab6c14b23e2c4cfdce879c04b0748a20d8e9b59e25ded2a08143e265c6c25936e74cbc8e641e3312ca288673d91f2f93f8e277de3cfa444ecdaaf982052@157.90.35.166:30303",
};
static const char *const sepolia_boot[] = {
    "enode://4e5e92199ee224a01932a377160aa432f31d0b351f84ab413a8e0a42f4f36476f8fb1cbe914af0d9aef0d51665c214cf653c651c4bbd9d5550a934f241f1682b@138.197.51.181:30303",
    "enode://143e11fb766781d22d92a2e33f8f104cddae4411a122295ed1fdb6638de96a6ce65f5b7c964ba3763bba27961738fef7d3ecc739268f3e5e771fb4c87b6234ba@146.190.1.103:30303",
    "enode://8b61dc2d06c3f96fddcbebb0efb29d60d3598650275dc469c22229d3e5620369b0d3dedafd929835fe7f489618f19f456fe7c0df572bf2d914a9f4e006f783a9@170.64.250.88:30303",
    "enode://10d62eff032205fcef19497f35ca8477bea0eadfff6d769a147e895d8b2b8f8ae6341630c645c30f5df6e67547c03494ced3d9c5764e8622a26587b083b028e8@139.59.49.206:30303",
    "enode://9e9492e2e8836114cc75f5b929784f4f46c324ad01daf87d956f98b3b6c5fcba95524d6e5cf9861dc96a2c8a171ea7105bb554a197455058de185fa870970c7c@138.68.123.152:30303",
};
static const char *const holesky_boot[] = {
    "enode://ac906289e4b7f12df423d654c5a962b6ebe5b3a74cc9e06292a85221f9a64a6f1cfdd6b714ed6dacef51578f92b34c60ee91e9ede9c7f8fadc4d347326d95e2b@146.190.13.128:30303",
    "enode://a3435a0155a3e837c02f5e7f5662a2f1fbc25b48e4dc232016e1c51b544cb5b4510ef633ea3278c0e970fa8ad8141e2d4d0f9f95456c537ff05fdf9b31c15072@178.128.136.233:30303",
};
static const char *const hoodi_boot[] = {
    "enode://2112dd3839dd752813d4df7f40936f06829fc54c0e051a93967c26e5f5d27d99d886b57b4ffcc3c475e930ec9e79c56ef1dbb7d86ca5ee83a9d2ccf36e5c240c@134.209.138.84:30303",
    "enode://60203fcb3524e07c5df60a14ae1c9c5b24023ea5d47463dfae051d2c9f3219f309657537576090ca0ae641f73d419f53d8e8000d7a464319d4784acd7d2abc41@209.38.124.160:30303",
    "enode://8ae4a48101b2299597341263da0deb47cc38aa4d3ef4b7430b897d49bfa10eb1ccfe1655679b1ed46928ef177fbf21b86837bd724400196c508427a6f41602cd@134.199.184.23:30303",
};

const char *const *ethp2p_chain_bootnodes(const char *name, size_t *n)
{
#define LIST(x) (*n = sizeof(x) / sizeof(x[0]), x)
    if (strcmp(name, "mainnet") == 0) return LIST(mainnet_boot);
    if (strcmp(name, "sepolia") == 0) return LIST(sepolia_boot);
    if (strcmp(name, "holesky") == 0) return LIST(holesky_boot);
    if (strcmp(name, "hoodi") == 0) return LIST(hoodi_boot);
#undef LIST
    *n = 0;
    return NULL;
}

/* The reference's well-known DNS node lists (params.KnownDNSNetwork, "all" protocol). */
#define DNS_PREFIX "enrtree://AKA3AM6LPBYEUDMVNU3BSVQJ5AD45Y7YPOHJLEF6W26QOE4VTUDPE@all."
static const char *const mainnet_dns[] = {DNS_PREFIX "mainnet.ethdisco.net"};
static const char *const sepolia_dns[] = {DNS_PREFIX "sepolia.ethdisco.net"};
static const char *const holesky_dns[] = {DNS_PREFIX "holesky.ethdisco.net"};
static const char *const hoodi_dns[] = {DNS_PREFIX "hoodi.ethdisco.net"};

const char *const *ethp2p_chain_dns_lists(const char *name, size_t *n)
{
    *n = 1;
    if (strcmp(name, "mainnet") == 0) return mainnet_dns;
    if (strcmp(name, "sepolia") == 0) return sepolia_dns;
    if (strcmp(name, "holesky") == 0) return holesky_dns;
    if (strcmp(name, "hoodi") == 0) return hoodi_dns;
    *n = 0;
    return NULL;
}

const char *ethp2p_devnet_genesis(void)
{
    /* Chain 1337; every block fork from genesis up to London; before the merge, so blocks
     * propagate over eth/66-68; no accounts. */
    return "{\"config\":{\"chainId\":1337,\"homesteadBlock\":0,\"eip150Block\":0,\"eip155Block\":0,"
           "\"eip158Block\":0,\"byzantiumBlock\":0,\"constantinopleBlock\":0,\"petersburgBlock\":0,"
           "\"istanbulBlock\":0,\"berlinBlock\":0,\"londonBlock\":0},"
           "\"timestamp\":\"0x0\",\"gasLimit\":\"0x1c9c380\",\"difficulty\":\"0x20000\","
           "\"extraData\":\"0x657468703270206465766e6574\",\"alloc\":{}}";
}

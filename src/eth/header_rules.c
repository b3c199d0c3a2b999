/*
 * The header rules that need no state, as the reference's consensus engines
 * check them (consensus/ethash and beacon VerifyHeader, misc/eip1559,
 * core/types): what a relay can verify of a block without executing it.
 * Seals (proof of work) are not verified: no live network needs ethash, and
 * docs/security.md says what trust that leaves.
 */
#include "ethp2p/chain.h"
#include "ethp2p/trie.h"

#include <string.h>

enum {
    MAX_EXTRA_DATA = 32,             /* params.MaximumExtraDataSize */
    MIN_GAS_LIMIT = 5000,            /* params.MinGasLimit */
    GAS_LIMIT_BOUND_DIVISOR = 1024,  /* a child's gas limit moves less than parent/1024 */
    ELASTICITY = 2,                  /* EIP-1559: gas target = gas limit / 2 */
    BASE_FEE_CHANGE_DENOMINATOR = 8, /* EIP-1559: at most 12.5% a block */
};

static int is_zero(const uint8_t *b, size_t n)
{
    while (n--)
        if (*b++) return 0;
    return 1;
}

/* A 256-bit big-endian number that fits 64 bits, or 0 with *ok cleared. */
static uint64_t u64_of(const uint8_t b[32], int *ok)
{
    *ok = is_zero(b, 24);
    uint64_t v = 0;
    for (int i = 24; i < 32; i++) v = v << 8 | b[i];
    return v;
}

int ethp2p_header_next_base_fee(const ethp2p_header *parent, uint64_t *out)
{
    int ok;
    uint64_t pbf = u64_of(parent->base_fee, &ok);
    if (!ok) return -1; /* beyond any real chain: refuse rather than overflow */
    uint64_t target = parent->gas_limit / ELASTICITY;
    if (target == 0) return -1;
    if (parent->gas_used == target) {
        *out = pbf;
    } else if (parent->gas_used > target) {
        unsigned __int128 d = (unsigned __int128)pbf * (parent->gas_used - target) / target / BASE_FEE_CHANGE_DENOMINATOR;
        if (d < 1) d = 1;
        unsigned __int128 v = pbf + d;
        if (v > UINT64_MAX) return -1;
        *out = (uint64_t)v;
    } else {
        unsigned __int128 d = (unsigned __int128)pbf * (target - parent->gas_used) / target / BASE_FEE_CHANGE_DENOMINATOR;
        *out = d >= pbf ? 0 : pbf - (uint64_t)d;
    }
    return 0;
}

int ethp2p_header_verify(const ethp2p_chain_config *cfg, const ethp2p_header *parent, const uint8_t parent_td[32],
                         const ethp2p_header *h)
{
    if (memcmp(h->parent, parent->hash, 32) || h->number != parent->number + 1) return ETHP2P_CHAIN_ENOTCHILD;
    if (h->time <= parent->time) return ETHP2P_CHAIN_ETIME;
    if (h->extra_len > MAX_EXTRA_DATA) return ETHP2P_CHAIN_EEXTRA;
    if (h->gas_used > h->gas_limit) return ETHP2P_CHAIN_EGASUSED;
    int london = cfg && cfg->has_london && h->number >= cfg->london_block;
    /* The London block doubles the limit's meaning (the target is half of it): compare
     * with the parent's limit times the elasticity there, as the reference does. */
    uint64_t plimit = parent->gas_limit;
    if (london && h->number == cfg->london_block) plimit *= ELASTICITY;
    uint64_t diff = h->gas_limit > plimit ? h->gas_limit - plimit : plimit - h->gas_limit;
    if (diff >= plimit / GAS_LIMIT_BOUND_DIVISOR || h->gas_limit < MIN_GAS_LIMIT) return ETHP2P_CHAIN_EGASLIMIT;
    if (london) {
        uint64_t want;
        int ok;
        if (!h->has_base_fee) return ETHP2P_CHAIN_EBASEFEE;
        if (h->number == cfg->london_block) want = ETHP2P_CHAIN_INITIAL_BASE_FEE;
        else if (!parent->has_base_fee || ethp2p_header_next_base_fee(parent, &want)) return ETHP2P_CHAIN_EBASEFEE;
        if (u64_of(h->base_fee, &ok) != want || !ok) return ETHP2P_CHAIN_EBASEFEE;
    } else if (cfg && h->has_base_fee) {
        return ETHP2P_CHAIN_EBASEFEE; /* a base fee before London */
    }
    /* After the merge (the parent's TD reached the TTD, or a time fork is active at this
     * block's time): no difficulty, no nonce, no ommers (EIP-3675). */
    if (cfg && ethp2p_chain_config_merged(cfg, parent_td, h->time)) {

        if (!is_zero(h->difficulty, 32) || !is_zero(h->nonce, 8) || memcmp(h->ommers_hash, ETHP2P_EMPTY_OMMERS_HASH, 32))
            return ETHP2P_CHAIN_EMERGED;
    } else if (cfg && is_zero(h->difficulty, 32)) {
        return ETHP2P_CHAIN_EMERGED; /* proof of work needs a difficulty */
    }
    /* Each fork's fields exactly from its time on: withdrawals (Shanghai), blob gas and
     * the beacon root (Cancun), the requests hash (Prague). */
    if (cfg && h->has_withdrawals != (cfg->has_shanghai && h->time >= cfg->shanghai_time))
        return ETHP2P_CHAIN_EWITHDRAWALS;
    if (cfg && h->has_blob_gas != (cfg->has_cancun && h->time >= cfg->cancun_time)) return ETHP2P_CHAIN_EFIELDS;
    if (cfg && h->has_blob_gas && (h->nfields > 20) != (cfg->has_prague && h->time >= cfg->prague_time))
        return ETHP2P_CHAIN_EFIELDS;
    return 0;
}

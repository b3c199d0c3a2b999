/*
 * Node IDs and Kademlia distances. Distances are computed on the 32-byte IDs
 * (keccak256 of the public key), never on the keys themselves.
 */
#include "ethp2p/enode.h"
#include "ethp2p/keccak.h"

void ethp2p_node_id_from_pubkey(const ethp2p_pubkey *key, ethp2p_node_id *out)
{
    ethp2p_keccak256(key->b, sizeof(key->b), out->b);
}

int ethp2p_node_id_logdist(const ethp2p_node_id *a, const ethp2p_node_id *b)
{
    for (int i = 0; i < ETHP2P_NODE_ID_SIZE; i++) {
        uint8_t x = a->b[i] ^ b->b[i];
        if (x) {
            int bits = 8;
            while (!(x & 0x80)) {
                x <<= 1;
                bits--;
            }
            return (ETHP2P_NODE_ID_SIZE - 1 - i) * 8 + bits;
        }
    }
    return 0;
}

int ethp2p_node_id_distcmp(const ethp2p_node_id *target, const ethp2p_node_id *a,
                           const ethp2p_node_id *b)
{
    for (int i = 0; i < ETHP2P_NODE_ID_SIZE; i++) {
        uint8_t da = a->b[i] ^ target->b[i], db = b->b[i] ^ target->b[i];
        if (da != db) return da < db ? -1 : 1;
    }
    return 0;
}

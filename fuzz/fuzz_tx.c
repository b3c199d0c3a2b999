/*
 * Fuzzes transaction decoding, both forms: the first byte picks the binary
 * form (eth_sendRawTransaction) or a list element (a Transactions entry, with
 * or without the blob sidecar). A transaction that decodes must hash to the
 * Keccak of its own bytes and point inside the input.
 */
#include "ethp2p/keccak.h"
#include "ethp2p/tx.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int mode = data[0] % 3;
    data++;
    size--;
    ethp2p_tx tx;
    if (mode == 0) {
        if (ethp2p_tx_decode_binary(data, size, &tx) != 0) return 0;
    } else {
        ethp2p_rlp_item item;
        if (ethp2p_rlp_decode(data, size, &item) != 0) return 0;
        if (ethp2p_tx_decode_elem(&item, mode == 1, &tx) != 0) return 0;
    }
    if (tx.binary < data || tx.binary + tx.binary_len > data + size) abort();
    if (!tx.has_sidecar) {
        uint8_t h[32];
        ethp2p_keccak256(tx.binary, tx.binary_len, h);
        if (memcmp(h, tx.hash, 32) != 0) abort();
        if (tx.size != tx.binary_len) abort();
    }
    if (tx.type > ETHP2P_TX_SET_CODE) abort();
    return 0;
}

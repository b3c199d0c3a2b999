/*
 * Re-encodes a decoded RLP item element by element through the writer. Used by
 * the RLP tests and the RLP fuzzer to check that decoding is exact: for input
 * the reader accepts, the result must equal the input byte for byte.
 * Returns 0, or the iterator's error if a nested item is malformed.
 */
#ifndef ETHP2P_TEST_RLP_REENCODE_H
#define ETHP2P_TEST_RLP_REENCODE_H

#include "ethp2p/rlp.h"

static inline int rlp_reencode(ethp2p_rlp_writer *w, const ethp2p_rlp_item *item)
{
    if (item->kind == ETHP2P_RLP_STRING) return ethp2p_rlp_put_bytes(w, item->payload, item->payload_len);
    ethp2p_rlp_iter it;
    ethp2p_rlp_item sub;
    int rc = ethp2p_rlp_iter_list(item, &it);
    if (rc) return rc;
    ethp2p_rlp_list_begin(w);
    while ((rc = ethp2p_rlp_iter_next(&it, &sub)) == 1)
        if ((rc = rlp_reencode(w, &sub)) != 0) return rc;
    if (rc < 0) return rc;
    return ethp2p_rlp_list_end(w);
}

#endif

/*
 * Fuzzes the RLP reader. Properties checked on every input:
 *   - validate never reads out of bounds (ASan) and reports an offset inside the input;
 *   - an input that validates re-encodes, item by item through the writer, to itself
 *     (the reader accepts only canonical encodings, so decode is injective).
 */
#include "ethp2p/rlp.h"

#include <stdlib.h>
#include <string.h>

static void reencode(ethp2p_rlp_writer *w, const ethp2p_rlp_item *item)
{
    if (item->kind == ETHP2P_RLP_STRING) {
        ethp2p_rlp_put_bytes(w, item->payload, item->payload_len);
        return;
    }
    ethp2p_rlp_iter it;
    ethp2p_rlp_item sub;
    if (ethp2p_rlp_iter_list(item, &it)) abort();
    ethp2p_rlp_list_begin(w);
    int rc;
    while ((rc = ethp2p_rlp_iter_next(&it, &sub)) == 1) reencode(w, &sub);
    if (rc != 0) abort(); /* validate said the tree was fine */
    ethp2p_rlp_list_end(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    int rc = ethp2p_rlp_validate(data, size, ETHP2P_RLP_MAX_DEPTH, &off);
    if (rc) {
        if (off > size) abort();
        return 0;
    }
    ethp2p_rlp_item item;
    if (ethp2p_rlp_decode(data, size, &item)) abort();
    uint64_t v;
    (void)!ethp2p_rlp_get_uint64(&item, &v);
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    reencode(&w, &item);
    const uint8_t *enc;
    size_t len;
    if (ethp2p_rlp_writer_finish(&w, &enc, &len)) abort();
    if (len != size || memcmp(enc, data, size) != 0) abort();
    ethp2p_rlp_writer_clear(&w);
    return 0;
}

/*
 * Fuzzes the RLP reader. Properties checked on every input:
 *   - validate never reads out of bounds (ASan) and reports an offset inside the input;
 *   - an input that validates re-encodes, item by item through the writer, to itself
 *     (the reader accepts only canonical encodings, so decode is injective).
 */
#include "ethp2p/rlp.h"
#include "rlp/rlp_reencode.h"

#include <stdlib.h>
#include <string.h>

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
    if (rlp_reencode(&w, &item)) abort(); /* validate said the tree was fine */
    const uint8_t *enc;
    size_t len;
    if (ethp2p_rlp_writer_finish(&w, &enc, &len)) abort();
    if (len != size || memcmp(enc, data, size) != 0) abort();
    ethp2p_rlp_writer_clear(&w);
    return 0;
}

/*
 * The ENR text form: "enr:" followed by the record's RLP in URL-safe base64
 * without padding (enr.md, "Text Encoding").
 */
#include "ethp2p/enr.h"
#include "ethp2p/hex.h"

#include <string.h>

static const char enr_prefix[] = "enr:";

int ethp2p_enr_to_text(const ethp2p_enr *r, char *out, size_t cap)
{
    uint8_t enc[ETHP2P_ENR_MAX_SIZE];
    size_t n;
    int rc = ethp2p_enr_encode(r, enc, sizeof(enc), &n);
    if (rc) return rc;
    size_t plen = sizeof(enr_prefix) - 1;
    if (plen + ethp2p_base64url_encoded_len(n) + 1 > cap) return ETHP2P_ENOSPACE;
    memcpy(out, enr_prefix, plen);
    ethp2p_base64url_encode(enc, n, out + plen);
    return 0;
}

int ethp2p_enr_from_text(const char *text, ethp2p_enr *r)
{
    size_t plen = sizeof(enr_prefix) - 1;
    if (strncmp(text, enr_prefix, plen) != 0) return ETHP2P_EFORMAT;
    const char *b64 = text + plen;
    size_t len = strnlen(b64, ETHP2P_ENR_TEXT_MAX + 1);
    if (len > ETHP2P_ENR_TEXT_MAX) return ETHP2P_ERECORD_SIZE;
    uint8_t raw[ETHP2P_ENR_TEXT_MAX];
    size_t n;
    int rc = ethp2p_base64url_decode(b64, len, raw, sizeof(raw), &n);
    if (rc) return rc == ETHP2P_ENOSPACE ? ETHP2P_ERECORD_SIZE : rc;
    return ethp2p_enr_decode(raw, n, r);
}

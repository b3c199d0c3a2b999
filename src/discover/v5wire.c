/*
 * discv5 wire codec (discv5-wire.md): masked headers (AES-128-CTR keyed by
 * the destination's node ID), AES-128-GCM messages, the handshake's HKDF and
 * identity proof, and the six messages. Every length is checked against the
 * packet and the protocol's bounds before use; a packet that is not discv5
 * at all (wrong size, protocol ID or version) says so, so that a shared
 * socket can hand it to discv4.
 */
#include "ethp2p/v5wire.h"

#include <nettle/aes.h>
#include <nettle/ctr.h>
#include <nettle/gcm.h>
#include <nettle/hkdf.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <string.h>

static const uint8_t protocol_id[6] = {'d', 'i', 's', 'c', 'v', '5'};
#define VERSION 0x0001
#define ID_PROOF "discovery v5 identity proof"
#define KEY_AGREEMENT "discovery v5 key agreement"
#define SRC_ID 32
#define HANDSHAKE_HEAD (SRC_ID + 2)

/* AES-128-CTR of len bytes with the masking key (destination ID[0:16]) and iv. */
static void mask(const uint8_t dest_id[32], const uint8_t iv[16], uint8_t *out, const uint8_t *in, size_t len)
{
    struct aes128_ctx aes;
    uint8_t ctr[16];
    aes128_set_encrypt_key(&aes, dest_id);
    memcpy(ctr, iv, 16);
    ctr_crypt(&aes, (nettle_cipher_func *)aes128_encrypt, 16, ctr, len, out, in);
}

static int parse_authdata(ethp2p_v5_header *h)
{
    const uint8_t *a = h->authdata;
    size_t n = h->authdata_len;
    switch (h->flag) {
    case ETHP2P_V5_FLAG_MESSAGE:
        if (n != SRC_ID) return ETHP2P_V5_EAUTHDATA;
        memcpy(h->src_id, a, SRC_ID);
        return 0;
    case ETHP2P_V5_FLAG_WHOAREYOU:
        if (n != ETHP2P_V5_WHOAREYOU_AUTHDATA) return ETHP2P_V5_EAUTHDATA;
        memcpy(h->id_nonce, a, ETHP2P_V5_ID_NONCE);
        h->enr_seq = 0;
        for (int i = 0; i < 8; i++) h->enr_seq = h->enr_seq << 8 | a[ETHP2P_V5_ID_NONCE + i];
        return 0;
    case ETHP2P_V5_FLAG_HANDSHAKE: {
        if (n < HANDSHAKE_HEAD) return ETHP2P_V5_EAUTHDATA;
        memcpy(h->src_id, a, SRC_ID);
        size_t sig = a[SRC_ID], eph = a[SRC_ID + 1];
        if (n < HANDSHAKE_HEAD + sig + eph) return ETHP2P_V5_EAUTHDATA;
        h->id_sig = a + HANDSHAKE_HEAD;
        h->id_sig_len = sig;
        h->eph_key = h->id_sig + sig;
        h->eph_key_len = eph;
        h->record = h->eph_key + eph;
        h->record_len = n - HANDSHAKE_HEAD - sig - eph;
        return 0;
    }
    default: return ETHP2P_V5_EAUTHDATA;
    }
}

int ethp2p_v5_decode_header(const uint8_t local_id[32], const uint8_t *packet, size_t len, ethp2p_v5_header *out)
{
    memset(out, 0, sizeof(*out));
    if (len < ETHP2P_V5_MIN_PACKET || len > ETHP2P_V5_MAX_PACKET) return ETHP2P_V5_ENOTV5;
    memcpy(out->iv, packet, ETHP2P_V5_IV);
    /* The static header first: its authdata-size says how much more to unmask. One CTR
     * stream runs over the whole header, so unmask it in one call once the size is known. */
    uint8_t st[ETHP2P_V5_STATIC_HEADER];
    mask(local_id, out->iv, st, packet + ETHP2P_V5_IV, sizeof(st));
    if (memcmp(st, protocol_id, 6) || (st[6] << 8 | st[7]) != VERSION) return ETHP2P_V5_ENOTV5;
    size_t alen = (size_t)st[21] << 8 | st[22];
    if (alen > len - ETHP2P_V5_IV - ETHP2P_V5_STATIC_HEADER) return ETHP2P_V5_EAUTHDATA;
    out->raw_len = ETHP2P_V5_STATIC_HEADER + alen;
    mask(local_id, out->iv, out->raw, packet + ETHP2P_V5_IV, out->raw_len);
    out->flag = st[8];
    memcpy(out->nonce, st + 9, ETHP2P_V5_NONCE);
    out->authdata = out->raw + ETHP2P_V5_STATIC_HEADER;
    out->authdata_len = alen;
    out->message = packet + ETHP2P_V5_IV + out->raw_len;
    out->message_len = len - ETHP2P_V5_IV - out->raw_len;
    int rc = parse_authdata(out);
    if (rc) return rc;
    if (out->flag == ETHP2P_V5_FLAG_WHOAREYOU ? out->message_len != 0 : out->message_len < ETHP2P_V5_TAG)
        return ETHP2P_EFORMAT;
    return 0;
}

int ethp2p_v5_encode(const uint8_t dest_id[32], const uint8_t iv[ETHP2P_V5_IV], uint8_t flag,
                     const uint8_t nonce[ETHP2P_V5_NONCE], const uint8_t *authdata, size_t alen,
                     const uint8_t key[ETHP2P_V5_KEY], const uint8_t *pt, size_t ptlen, uint8_t *out, size_t *outlen)
{
    int has_msg = flag != ETHP2P_V5_FLAG_WHOAREYOU;
    if (flag > ETHP2P_V5_FLAG_HANDSHAKE || alen > 0xffff || (has_msg && !key)) return ETHP2P_EINVAL;
    size_t hlen = ETHP2P_V5_STATIC_HEADER + alen, total = ETHP2P_V5_IV + hlen + (has_msg ? ptlen + ETHP2P_V5_TAG : 0);
    if (total > ETHP2P_V5_MAX_PACKET) return ETHP2P_ENOSPACE;
    uint8_t header[ETHP2P_V5_MAX_PACKET];
    memcpy(header, protocol_id, 6);
    header[6] = VERSION >> 8;
    header[7] = VERSION & 0xff;
    header[8] = flag;
    memcpy(header + 9, nonce, ETHP2P_V5_NONCE);
    header[21] = (uint8_t)(alen >> 8);
    header[22] = (uint8_t)alen;
    memcpy(header + ETHP2P_V5_STATIC_HEADER, authdata, alen);
    memcpy(out, iv, ETHP2P_V5_IV);
    mask(dest_id, iv, out + ETHP2P_V5_IV, header, hlen);
    if (has_msg) {
        /* AD = masking-iv || the header in the clear. */
        struct gcm_aes128_ctx g;
        gcm_aes128_set_key(&g, key);
        gcm_aes128_set_iv(&g, ETHP2P_V5_NONCE, nonce);
        gcm_aes128_update(&g, ETHP2P_V5_IV, iv);
        gcm_aes128_update(&g, hlen, header);
        uint8_t *m = out + ETHP2P_V5_IV + hlen;
        gcm_aes128_encrypt(&g, ptlen, m, pt);
        gcm_aes128_digest(&g, ETHP2P_V5_TAG, m + ptlen);
    }
    *outlen = total;
    return 0;
}

int ethp2p_v5_decrypt(const ethp2p_v5_header *h, const uint8_t key[ETHP2P_V5_KEY], uint8_t *pt, size_t *ptlen)
{
    if (h->message_len < ETHP2P_V5_TAG) return ETHP2P_EFORMAT;
    size_t n = h->message_len - ETHP2P_V5_TAG;
    struct gcm_aes128_ctx g;
    uint8_t tag[ETHP2P_V5_TAG];
    gcm_aes128_set_key(&g, key);
    gcm_aes128_set_iv(&g, ETHP2P_V5_NONCE, h->nonce);
    gcm_aes128_update(&g, ETHP2P_V5_IV, h->iv);
    gcm_aes128_update(&g, h->raw_len, h->raw);
    gcm_aes128_decrypt(&g, n, pt, h->message);
    gcm_aes128_digest(&g, ETHP2P_V5_TAG, tag);
    /* Compared in full and without an early exit. */
    uint8_t diff = 0;
    for (int i = 0; i < ETHP2P_V5_TAG; i++) diff |= tag[i] ^ h->message[n + i];
    if (diff) {
        memset(pt, 0, n);
        return ETHP2P_EMAC;
    }
    *ptlen = n;
    return 0;
}

void ethp2p_v5_whoareyou_authdata(const uint8_t id_nonce[ETHP2P_V5_ID_NONCE], uint64_t enr_seq, uint8_t out[24])
{
    memcpy(out, id_nonce, ETHP2P_V5_ID_NONCE);
    for (int i = 0; i < 8; i++) out[ETHP2P_V5_ID_NONCE + i] = (uint8_t)(enr_seq >> (56 - 8 * i));
}

int ethp2p_v5_handshake_authdata(const uint8_t src_id[32], const uint8_t sig[64], const uint8_t eph_pub[33],
                                 const uint8_t *record, size_t record_len, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = HANDSHAKE_HEAD + 64 + 33 + record_len;
    if (n > cap) return ETHP2P_ENOSPACE;
    memcpy(out, src_id, SRC_ID);
    out[SRC_ID] = 64;
    out[SRC_ID + 1] = 33;
    memcpy(out + HANDSHAKE_HEAD, sig, 64);
    memcpy(out + HANDSHAKE_HEAD + 64, eph_pub, 33);
    if (record_len) memcpy(out + HANDSHAKE_HEAD + 97, record, record_len);
    *len = n;
    return 0;
}

static void id_proof_hash(const uint8_t *challenge, size_t clen, const uint8_t eph_pub[33], const uint8_t dest_id[32],
                          uint8_t out[32])
{
    struct sha256_ctx s;
    sha256_init(&s);
    sha256_update(&s, sizeof(ID_PROOF) - 1, (const uint8_t *)ID_PROOF);
    sha256_update(&s, clen, challenge);
    sha256_update(&s, 33, eph_pub);
    sha256_update(&s, 32, dest_id);
    sha256_digest(&s, 32, out);
}

int ethp2p_v5_id_sign(const ethp2p_privkey *key, const uint8_t *challenge, size_t clen, const uint8_t eph_pub[33],
                      const uint8_t dest_id[32], uint8_t sig[64])
{
    uint8_t h[32];
    id_proof_hash(challenge, clen, eph_pub, dest_id, h);
    return ethp2p_sign_compact(key, h, sig);
}

int ethp2p_v5_id_verify(const ethp2p_pubkey *key, const uint8_t *challenge, size_t clen, const uint8_t eph_pub[33],
                        const uint8_t dest_id[32], const uint8_t sig[64])
{
    uint8_t h[32];
    id_proof_hash(challenge, clen, eph_pub, dest_id, h);
    return ethp2p_verify_compact(key, h, sig) ? ETHP2P_ESIG : 0;
}

int ethp2p_v5_derive_keys(const ethp2p_privkey *priv, const ethp2p_pubkey *pub, const uint8_t id_a[32],
                          const uint8_t id_b[32], const uint8_t *challenge, size_t clen,
                          uint8_t initiator_key[ETHP2P_V5_KEY], uint8_t recipient_key[ETHP2P_V5_KEY])
{
    uint8_t dh[33], prk[32], info[sizeof(KEY_AGREEMENT) - 1 + 64], keys[32];
    int rc = ethp2p_ecdh_compressed(priv, pub, dh);
    if (rc) return rc;
    struct hmac_sha256_ctx h;
    hmac_sha256_set_key(&h, clen, challenge); /* HKDF-Extract: salt = challenge */
    hkdf_extract(&h, (nettle_hash_update_func *)hmac_sha256_update, (nettle_hash_digest_func *)hmac_sha256_digest,
                 SHA256_DIGEST_SIZE, sizeof(dh), dh, prk);
    memcpy(info, KEY_AGREEMENT, sizeof(KEY_AGREEMENT) - 1);
    memcpy(info + sizeof(KEY_AGREEMENT) - 1, id_a, 32);
    memcpy(info + sizeof(KEY_AGREEMENT) - 1 + 32, id_b, 32);
    hmac_sha256_set_key(&h, sizeof(prk), prk);
    hkdf_expand(&h, (nettle_hash_update_func *)hmac_sha256_update, (nettle_hash_digest_func *)hmac_sha256_digest,
                SHA256_DIGEST_SIZE, sizeof(info), info, sizeof(keys), keys);
    memcpy(initiator_key, keys, ETHP2P_V5_KEY);
    memcpy(recipient_key, keys + ETHP2P_V5_KEY, ETHP2P_V5_KEY);
    memset(keys, 0, sizeof(keys));
    memset(prk, 0, sizeof(prk));
    return 0;
}

/* ---- messages ---- */

const char *ethp2p_v5_msg_name(int type)
{
    static const char *const names[] = {NULL, "ping", "pong", "findnode", "nodes", "talkreq", "talkresp"};
    return type >= 1 && type <= 6 ? names[type] : "unknown";
}

int ethp2p_v5_msg_decode(const uint8_t *pt, size_t len, ethp2p_v5_msg *m)
{
    memset(m, 0, sizeof(*m));
    if (len < 2) return ETHP2P_EFORMAT;
    m->type = pt[0];
    if (m->type < ETHP2P_V5_PING || m->type > ETHP2P_V5_TALKRESP) return ETHP2P_ENOTFOUND;
    ethp2p_rlp_item top, x;
    ethp2p_rlp_iter it;
    int rc = ethp2p_rlp_decode(pt + 1, len - 1, &top);
    if (!rc) rc = ethp2p_rlp_iter_list(&top, &it);
    if (!rc) rc = ethp2p_rlp_iter_expect(&it, &x);
    if (rc) return rc;
    if (x.kind != ETHP2P_RLP_STRING || x.payload_len > ETHP2P_V5_MAX_REQ_ID) return ETHP2P_EFORMAT;
    memcpy(m->req_id, x.payload, x.payload_len);
    m->req_id_len = x.payload_len;
    switch (m->type) {
    case ETHP2P_V5_PING:
        if (!(rc = ethp2p_rlp_iter_expect(&it, &x))) rc = ethp2p_rlp_get_uint64(&x, &m->enr_seq);
        return rc;
    case ETHP2P_V5_PONG: {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &m->enr_seq))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc;
        if (x.kind != ETHP2P_RLP_STRING || (x.payload_len != 4 && x.payload_len != 16)) return ETHP2P_EFORMAT;
        m->ip.family = x.payload_len == 4 ? 4 : 6;
        memcpy(m->ip.b, x.payload, x.payload_len);
        uint64_t port;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint(&x, 65535, &port))) return rc;
        m->port = (uint16_t)port;
        return 0;
    }
    case ETHP2P_V5_FINDNODE: {
        ethp2p_rlp_iter dl;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_iter_list(&x, &dl))) return rc;
        while (!ethp2p_rlp_iter_done(&dl)) {
            uint64_t d;
            if (m->ndistances == ETHP2P_V5_MAX_DISTANCES) return ETHP2P_EFORMAT;
            if ((rc = ethp2p_rlp_iter_expect(&dl, &x)) || (rc = ethp2p_rlp_get_uint(&x, 256, &d))) return rc;
            m->distances[m->ndistances++] = (uint16_t)d;
        }
        return 0;
    }
    case ETHP2P_V5_NODES:
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &m->total))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &m->records))) return rc;
        return m->records.kind == ETHP2P_RLP_LIST ? 0 : ETHP2P_ERLP_EXPECTED_LIST;
    case ETHP2P_V5_TALKREQ:
        if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_bytes(&x, &m->proto, &m->proto_len))) return rc;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc;
        return ethp2p_rlp_get_bytes(&x, &m->data, &m->data_len);
    case ETHP2P_V5_TALKRESP:
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc;
        return ethp2p_rlp_get_bytes(&x, &m->data, &m->data_len);
    default: return ETHP2P_ENOTFOUND;
    }
}

int ethp2p_v5_msg_encode(const ethp2p_v5_msg *m, ethp2p_rlp_writer *w)
{
    if (m->type < ETHP2P_V5_PING || m->type > ETHP2P_V5_TALKRESP || m->req_id_len > ETHP2P_V5_MAX_REQ_ID)
        return ETHP2P_EINVAL;
    ethp2p_rlp_put_raw(w, &m->type, 1);
    ethp2p_rlp_list_begin(w);
    ethp2p_rlp_put_bytes(w, m->req_id, m->req_id_len);
    switch (m->type) {
    case ETHP2P_V5_PING: ethp2p_rlp_put_uint(w, m->enr_seq); break;
    case ETHP2P_V5_PONG:
        ethp2p_rlp_put_uint(w, m->enr_seq);
        ethp2p_rlp_put_bytes(w, m->ip.b, m->ip.family == 6 ? 16 : 4);
        ethp2p_rlp_put_uint(w, m->port);
        break;
    case ETHP2P_V5_FINDNODE:
        ethp2p_rlp_list_begin(w);
        for (size_t i = 0; i < m->ndistances; i++) ethp2p_rlp_put_uint(w, m->distances[i]);
        ethp2p_rlp_list_end(w);
        break;
    case ETHP2P_V5_NODES:
        ethp2p_rlp_put_uint(w, m->total);
        if (m->records.raw) ethp2p_rlp_put_raw(w, m->records.raw, m->records.raw_len);
        else ethp2p_rlp_list_begin(w), ethp2p_rlp_list_end(w);
        break;
    case ETHP2P_V5_TALKREQ:
        ethp2p_rlp_put_bytes(w, m->proto, m->proto_len);
        ethp2p_rlp_put_bytes(w, m->data, m->data_len);
        break;
    case ETHP2P_V5_TALKRESP: ethp2p_rlp_put_bytes(w, m->data, m->data_len); break;
    default: break;
    }
    return ethp2p_rlp_list_end(w);
}

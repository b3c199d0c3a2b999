/*
 * Transaction decoding: field shapes per type, the signing hash, and sender
 * recovery. Values (fees, amounts) are checked as canonical 256-bit integers
 * and otherwise not interpreted: a relay needs the hash, type, size, chain
 * ID, nonce and sender.
 */
#include "ethp2p/tx.h"
#include "ethp2p/keccak.h"
#include "ethp2p/key.h"

#include <string.h>

const char *ethp2p_tx_error_name(int err)
{
    switch (err) {
    case ETHP2P_TX_EUNKNOWN_TYPE: return "unknown transaction type";
    case ETHP2P_TX_EFIELDS: return "malformed transaction fields";
    case ETHP2P_TX_ESIG: return "invalid signature";
    case ETHP2P_TX_ETOO_BIG: return "transaction too big";
    case ETHP2P_TX_ENO_SIDECAR: return "blob transaction without (or with unexpected) sidecar";
    default: return ethp2p_strerror(err);
    }
}

/* Field kinds of the signed payloads. */
enum { F_UINT, F_UINT64, F_TO, F_ADDR, F_BYTES, F_ACCESS, F_HASHES, F_AUTHS };

typedef struct layout {
    const uint8_t *kinds;
    size_t n;          /* fields before the signature */
    int chain_id_at;   /* index of chainId, -1 for legacy */
    int nonce_at;
} layout;

static const uint8_t k_legacy[] = {F_UINT64, F_UINT, F_UINT64, F_TO, F_UINT, F_BYTES};
static const uint8_t k_2930[] = {F_UINT64, F_UINT64, F_UINT, F_UINT64, F_TO, F_UINT, F_BYTES, F_ACCESS};
static const uint8_t k_1559[] = {F_UINT64, F_UINT64, F_UINT, F_UINT, F_UINT64, F_TO, F_UINT, F_BYTES, F_ACCESS};
static const uint8_t k_4844[] = {F_UINT64, F_UINT64, F_UINT, F_UINT, F_UINT64, F_ADDR, F_UINT, F_BYTES, F_ACCESS, F_UINT, F_HASHES};
static const uint8_t k_7702[] = {F_UINT64, F_UINT64, F_UINT, F_UINT, F_UINT64, F_ADDR, F_UINT, F_BYTES, F_ACCESS, F_AUTHS};

static int get_layout(uint8_t type, layout *l)
{
    switch (type) {
    case ETHP2P_TX_LEGACY: *l = (layout){k_legacy, 6, -1, 0}; return 0;
    case ETHP2P_TX_ACCESS_LIST: *l = (layout){k_2930, 8, 0, 1}; return 0;
    case ETHP2P_TX_DYNAMIC_FEE: *l = (layout){k_1559, 9, 0, 1}; return 0;
    case ETHP2P_TX_BLOB: *l = (layout){k_4844, 11, 0, 1}; return 0;
    case ETHP2P_TX_SET_CODE: *l = (layout){k_7702, 10, 0, 1}; return 0;
    default: return ETHP2P_TX_EUNKNOWN_TYPE;
    }
}

static int check_uint256(const ethp2p_rlp_item *it)
{
    uint8_t tmp[32];
    return ethp2p_rlp_get_uint_be(it, tmp, 32);
}

static int check_fixed_list(const ethp2p_rlp_item *list, size_t size)
{
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x;
    int rc = ethp2p_rlp_iter_list(list, &it);
    while (!rc && !ethp2p_rlp_iter_done(&it)) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) break;
        if (x.kind != ETHP2P_RLP_STRING || x.payload_len != size) rc = ETHP2P_TX_EFIELDS;
    }
    return rc;
}

static int check_access_list(const ethp2p_rlp_item *list)
{
    ethp2p_rlp_iter it, t;
    ethp2p_rlp_item entry, addr, keys;
    int rc = ethp2p_rlp_iter_list(list, &it);
    while (!rc && !ethp2p_rlp_iter_done(&it)) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &entry)) || (rc = ethp2p_rlp_iter_list(&entry, &t))) break;
        if ((rc = ethp2p_rlp_iter_expect(&t, &addr)) || (rc = ethp2p_rlp_iter_expect(&t, &keys))) break;
        if (addr.kind != ETHP2P_RLP_STRING || addr.payload_len != 20 || !ethp2p_rlp_iter_done(&t)) rc = ETHP2P_TX_EFIELDS;
        else rc = check_fixed_list(&keys, 32);
    }
    return rc;
}

/* [[chainId, address, nonce, yParity, r, s], ...] */
static int check_auths(const ethp2p_rlp_item *list)
{
    ethp2p_rlp_iter it, f;
    ethp2p_rlp_item a, x;
    int rc = ethp2p_rlp_iter_list(list, &it);
    while (!rc && !ethp2p_rlp_iter_done(&it)) {
        if ((rc = ethp2p_rlp_iter_expect(&it, &a)) || (rc = ethp2p_rlp_iter_list(&a, &f))) break;
        for (int i = 0; i < 6 && !rc; i++) {
            if ((rc = ethp2p_rlp_iter_expect(&f, &x))) break;
            if (i == 1) rc = x.kind == ETHP2P_RLP_STRING && x.payload_len == 20 ? 0 : ETHP2P_TX_EFIELDS;
            else rc = check_uint256(&x);
        }
        if (!rc && !ethp2p_rlp_iter_done(&f)) rc = ETHP2P_TX_EFIELDS;
    }
    return rc;
}

static int check_field(uint8_t kind, const ethp2p_rlp_item *x, uint64_t *u64)
{
    switch (kind) {
    case F_UINT64: return ethp2p_rlp_get_uint64(x, u64);
    case F_UINT: return check_uint256(x);
    case F_TO: return x->kind == ETHP2P_RLP_STRING && (x->payload_len == 0 || x->payload_len == 20) ? 0 : ETHP2P_TX_EFIELDS;
    case F_ADDR: return x->kind == ETHP2P_RLP_STRING && x->payload_len == 20 ? 0 : ETHP2P_TX_EFIELDS;
    case F_BYTES: return x->kind == ETHP2P_RLP_STRING ? 0 : ETHP2P_ERLP_EXPECTED_STRING;
    case F_ACCESS: return check_access_list(x);
    case F_HASHES: return check_fixed_list(x, 32);
    case F_AUTHS: return check_auths(x);
    default: return ETHP2P_TX_EFIELDS;
    }
}

/* secp256k1 order / 2, for the low-S rule (EIP-2). */
static const uint8_t half_n[32] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
                                   0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

static int is_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* Recovers the sender from the signing hash and r, s, recid. */
static int recover_sender(const uint8_t sighash[32], const ethp2p_rlp_item *r, const ethp2p_rlp_item *s, int recid,
                          uint8_t sender[20])
{
    uint8_t sig[65];
    if (ethp2p_rlp_get_uint_be(r, sig, 32) || ethp2p_rlp_get_uint_be(s, sig + 32, 32)) return ETHP2P_TX_ESIG;
    if (is_zero(sig, 32) || is_zero(sig + 32, 32) || memcmp(sig + 32, half_n, 32) > 0) return ETHP2P_TX_ESIG;
    sig[64] = (uint8_t)recid;
    ethp2p_pubkey pub;
    if (ethp2p_recover(sighash, sig, &pub)) return ETHP2P_TX_ESIG;
    uint8_t h[32];
    ethp2p_keccak256(pub.b, 64, h);
    memcpy(sender, h + 12, 20);
    return 0;
}

/* Whose transactions need no sender (see ethp2p_tx_decode_elem_unless); NULL: recover always. */
typedef struct known_hook {
    int (*known)(void *ctx, const uint8_t hash[32]); /* NULL: none */
    void *ctx;
    const uint8_t *hash; /* the hash of these bytes, computed before: not computed again */
} known_hook;

/* The transaction hash of bytes (a prefix byte, then the rest), unless the hook brings it. */
static void tx_hash(const known_hook *k, const uint8_t *pre, size_t prelen, const uint8_t *b, size_t len,
                    uint8_t out[32])
{
    if (k && k->hash) {
        memcpy(out, k->hash, 32);
        return;
    }
    ethp2p_keccak256_ctx kc;
    ethp2p_keccak256_init(&kc);
    if (prelen) ethp2p_keccak256_update(&kc, pre, prelen);
    ethp2p_keccak256_update(&kc, b, len);
    ethp2p_keccak256_final(&kc, out);
}

/*
 * Decodes a signed payload list (legacy: the transaction itself; typed: the
 * payload after the type byte). Fills chain ID, nonce and sender; a transaction
 * the hook knows is ETHP2P_TX_KNOWN at once.
 */
static int decode_signed(uint8_t type, const ethp2p_rlp_item *list, ethp2p_tx *tx, const known_hook *k)
{
    /* Pooled already (tx->hash is set by the caller): these very bytes were checked in full when
     * it was pooled (the hash covers all of them but a blob sidecar, whose shape the caller checked). */
    if (k && k->known && k->known(k->ctx, tx->hash)) return ETHP2P_TX_KNOWN;
    layout l;
    int rc = get_layout(type, &l);
    if (rc) return rc;
    ethp2p_rlp_iter it;
    ethp2p_rlp_item x, v, r, s;
    if ((rc = ethp2p_rlp_iter_list(list, &it))) return rc;
    const uint8_t *fields_end = it.pos;
    for (size_t i = 0; i < l.n; i++) {
        uint64_t u = 0;
        if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc == ETHP2P_ERLP_TOO_FEW ? ETHP2P_TX_EFIELDS : rc;
        if ((rc = check_field(l.kinds[i], &x, &u))) return rc;
        if ((int)i == l.chain_id_at) tx->chain_id = u;
        if ((int)i == l.nonce_at) tx->nonce = u;
        fields_end = x.raw + x.raw_len;
    }
    if ((rc = ethp2p_rlp_iter_expect(&it, &v)) || (rc = ethp2p_rlp_iter_expect(&it, &r)) ||
        (rc = ethp2p_rlp_iter_expect(&it, &s)))
        return rc == ETHP2P_ERLP_TOO_FEW ? ETHP2P_TX_EFIELDS : rc;
    if (!ethp2p_rlp_iter_done(&it)) return ETHP2P_TX_EFIELDS;
    uint64_t vv;
    if (ethp2p_rlp_get_uint64(&v, &vv)) return ETHP2P_TX_ESIG;
    int recid;
    if (type != ETHP2P_TX_LEGACY) {
        if (vv > 1) return ETHP2P_TX_ESIG;
        recid = (int)vv;
    } else if (vv == 27 || vv == 28) {
        recid = (int)(vv - 27);
        tx->chain_id = 0;
    } else if (vv >= 35) {
        recid = (int)((vv - 35) & 1);
        tx->chain_id = (vv - 35) / 2;
    } else {
        return ETHP2P_TX_ESIG;
    }
    /* The signing hash: keccak(rlp(fields)) for legacy (plus chainId, 0, 0 with EIP-155),
     * keccak(type || rlp(fields)) for typed transactions. */
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    if (type != ETHP2P_TX_LEGACY) (void)ethp2p_buffer_push(&w.buf, type);
    ethp2p_rlp_list_begin(&w);
    ethp2p_rlp_put_raw(&w, list->payload, (size_t)(fields_end - list->payload));
    if (type == ETHP2P_TX_LEGACY && tx->chain_id) {
        ethp2p_rlp_put_uint(&w, tx->chain_id);
        ethp2p_rlp_put_uint(&w, 0);
        ethp2p_rlp_put_uint(&w, 0);
    }
    ethp2p_rlp_list_end(&w);
    const uint8_t *pre;
    size_t prelen;
    uint8_t sighash[32];
    rc = ethp2p_rlp_writer_finish(&w, &pre, &prelen);
    if (!rc) {
        ethp2p_keccak256(pre, prelen, sighash);
        rc = recover_sender(sighash, &r, &s, recid, tx->sender);
    }
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

/* Decodes type || payload (a typed transaction's binary form). */
static int decode_typed(const uint8_t *b, size_t len, int blob_network_form, ethp2p_tx *tx, const known_hook *k)
{
    if (len < 2) return ETHP2P_TX_EFIELDS;
    uint8_t type = b[0];
    if (type == 0 || type > ETHP2P_TX_SET_CODE) return ETHP2P_TX_EUNKNOWN_TYPE;
    ethp2p_rlp_item outer;
    int rc = ethp2p_rlp_decode(b + 1, len - 1, &outer);
    if (rc) return rc;
    if (outer.kind != ETHP2P_RLP_LIST) return ETHP2P_ERLP_EXPECTED_LIST;
    tx->type = type;
    ethp2p_rlp_item inner = outer;
    if (type == ETHP2P_TX_BLOB) {
        /* Network form [tx, blobs, commitments, proofs] or [tx, 1, blobs, commitments, cell_proofs];
         * told from the bare form by its first element being a list. */
        ethp2p_rlp_iter it;
        ethp2p_rlp_item first;
        if ((rc = ethp2p_rlp_iter_list(&outer, &it)) || (rc = ethp2p_rlp_iter_expect(&it, &first))) return rc;
        int network = first.kind == ETHP2P_RLP_LIST;
        if (network != blob_network_form) return ETHP2P_TX_ENO_SIDECAR;
        if (network) {
            ethp2p_rlp_item x;
            long n = ethp2p_rlp_list_count(&outer);
            if (n != 4 && n != 5) return ETHP2P_TX_EFIELDS;
            if (n == 5) {
                uint64_t version;
                if ((rc = ethp2p_rlp_iter_expect(&it, &x)) || (rc = ethp2p_rlp_get_uint64(&x, &version))) return rc;
                if (version != 1) return ETHP2P_TX_EFIELDS;
            }
            for (int i = 0; i < 3; i++) {
                if ((rc = ethp2p_rlp_iter_expect(&it, &x))) return rc;
                if (x.kind != ETHP2P_RLP_LIST) return ETHP2P_TX_EFIELDS;
            }
            inner = first;
            tx->has_sidecar = 1;
            /* The reference's size: inner tx + the sidecar as its own list + the type byte. */
            size_t sc = outer.payload_len - first.raw_len;
            tx->size = 1 + first.raw_len + ethp2p_rlp_header_size(sc) + sc;
        }
    }
    if (!tx->has_sidecar) tx->size = len;
    tx_hash(k, &type, 1, inner.raw, inner.raw_len, tx->hash);
    tx->binary = b;
    tx->binary_len = len;
    return decode_signed(type, &inner, tx, k);
}

static int decode_legacy(const ethp2p_rlp_item *list, ethp2p_tx *tx, const known_hook *k)
{
    tx->type = ETHP2P_TX_LEGACY;
    tx->size = list->raw_len;
    tx_hash(k, NULL, 0, list->raw, list->raw_len, tx->hash);
    tx->binary = tx->elem = list->raw;
    tx->binary_len = tx->elem_len = list->raw_len;
    return decode_signed(ETHP2P_TX_LEGACY, list, tx, k);
}

static int decode_elem(const ethp2p_rlp_item *elem, int blob_network_form, ethp2p_tx *out, const known_hook *k)
{
    memset(out, 0, sizeof(*out));
    if (elem->raw_len > ETHP2P_TX_MAX_SIZE) return ETHP2P_TX_ETOO_BIG;
    if (elem->kind == ETHP2P_RLP_LIST) return decode_legacy(elem, out, k);
    out->elem = elem->raw;
    out->elem_len = elem->raw_len;
    return decode_typed(elem->payload, elem->payload_len, blob_network_form, out, k);
}

int ethp2p_tx_decode_elem(const ethp2p_rlp_item *elem, int blob_network_form, ethp2p_tx *out)
{
    return decode_elem(elem, blob_network_form, out, NULL);
}

int ethp2p_tx_decode_elem_unless(const ethp2p_rlp_item *elem, int blob_network_form,
                                 int (*known)(void *ctx, const uint8_t hash[32]), void *ctx, ethp2p_tx *out)
{
    known_hook k = {known, ctx, NULL};
    return decode_elem(elem, blob_network_form, out, &k);
}

int ethp2p_tx_decode_elem_hashed(const ethp2p_rlp_item *elem, int blob_network_form, const uint8_t hash[32],
                                 ethp2p_tx *out)
{
    known_hook k = {NULL, NULL, hash};
    return decode_elem(elem, blob_network_form, out, &k);
}

int ethp2p_tx_decode_binary(const uint8_t *data, size_t len, ethp2p_tx *out)
{
    memset(out, 0, sizeof(*out));
    if (len > ETHP2P_TX_MAX_SIZE) return ETHP2P_TX_ETOO_BIG;
    if (len == 0) return ETHP2P_ERLP_EMPTY;
    if (data[0] >= 0xc0) {
        ethp2p_rlp_item list;
        int rc = ethp2p_rlp_decode(data, len, &list);
        return rc ? rc : decode_legacy(&list, out, NULL);
    }
    /* elem stays NULL: the caller wraps the binary form as a string to relay it. */
    return decode_typed(data, len, 1, out, NULL);
}

static void put_transfer_fields(ethp2p_rlp_writer *w, uint64_t chain_id, uint64_t nonce, const uint8_t to[20],
                                uint64_t value, const uint8_t *data, size_t data_len)
{
    ethp2p_rlp_put_uint(w, chain_id);
    ethp2p_rlp_put_uint(w, nonce);
    ethp2p_rlp_put_uint(w, 1000000000ULL);   /* max priority fee: 1 gwei */
    ethp2p_rlp_put_uint(w, 100000000000ULL); /* max fee: 100 gwei */
    ethp2p_rlp_put_uint(w, 21000 + 16 * (uint64_t)data_len);
    ethp2p_rlp_put_bytes(w, to, 20);
    ethp2p_rlp_put_uint(w, value);
    ethp2p_rlp_put_bytes(w, data, data_len);
    ethp2p_rlp_list_begin(w); /* no access list */
    ethp2p_rlp_list_end(w);
}

int ethp2p_tx_make_transfer(const ethp2p_privkey *key, uint64_t chain_id, uint64_t nonce, const uint8_t to[20],
                            uint64_t value, const uint8_t *data, size_t data_len, ethp2p_buffer *out)
{
    ethp2p_rlp_writer w;
    ethp2p_rlp_writer_init(&w, 0);
    (void)ethp2p_buffer_push(&w.buf, ETHP2P_TX_DYNAMIC_FEE);
    ethp2p_rlp_list_begin(&w);
    put_transfer_fields(&w, chain_id, nonce, to, value, data, data_len);
    ethp2p_rlp_list_end(&w);
    const uint8_t *pre;
    size_t prelen;
    uint8_t h[32], sig[65];
    int rc = ethp2p_rlp_writer_finish(&w, &pre, &prelen);
    if (!rc) {
        ethp2p_keccak256(pre, prelen, h);
        rc = ethp2p_sign_recoverable(key, h, sig);
    }
    if (!rc) {
        ethp2p_rlp_writer_reset(&w);
        (void)ethp2p_buffer_push(&w.buf, ETHP2P_TX_DYNAMIC_FEE);
        ethp2p_rlp_list_begin(&w);
        put_transfer_fields(&w, chain_id, nonce, to, value, data, data_len);
        ethp2p_rlp_put_uint(&w, sig[64]);
        ethp2p_rlp_put_uint_be(&w, sig, 32);
        ethp2p_rlp_put_uint_be(&w, sig + 32, 32);
        ethp2p_rlp_list_end(&w);
        rc = ethp2p_rlp_writer_finish(&w, &pre, &prelen);
    }
    if (!rc) rc = ethp2p_buffer_append(out, pre, prelen);
    ethp2p_rlp_writer_clear(&w);
    return rc;
}

/* ECIES with caller-chosen ephemeral key and IV: for test vectors and fuzz seeds only. */
#ifndef ETHP2P_ECIES_INTERNAL_H
#define ETHP2P_ECIES_INTERNAL_H

#include "ethp2p/ecies.h"

int ethp2p_ecies_encrypt_with(const ethp2p_pubkey *to, const ethp2p_privkey *ephemeral,
                              const uint8_t iv[16], const uint8_t *msg, size_t msg_len,
                              const uint8_t *mac_data, size_t mac_len, uint8_t *out);

/** The concatenation KDF (SP 800-56A 5.8.1) with SHA-256 and empty other-info. */
void ethp2p_concat_kdf_sha256(const uint8_t *z, size_t z_len, uint8_t *out, size_t out_len);

#endif

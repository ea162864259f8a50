/* Helpers pop.c, bad_input.c and measure.c share. */
#ifndef COMMON_H
#define COMMON_H

#include <string.h>

#include "vectors.h"

/* Loads a vector's key: PEM text, or DER when it has a length. */
static inline taap_status load_key(const struct vector_case *c, taap_private_key **key)
{
    if (c->key_der_len != 0)
        return taap_private_key_from_der(c->key, c->key_der_len, NULL, key);
    return taap_private_key_from_pem((const char *)c->key, NULL, key);
}

/* Builds a vector's token with its iat, ttl and jti bytes. */
static inline taap_status build_token(const struct vector_case *c, const taap_private_key *key, char **token)
{
    taap_build_options options = {
        .ttl_secs = c->ttl_secs,
        .iat = c->iat,
        .jti_random = c->jti_random,
    };
    return taap_pop_token_build(key, c->ehts, c->ehts_len, &options, token);
}

/* The test's stand-in for a secure element (an SE050, the nRF9160's CryptoCell through PSA's
 * psa_sign_hash): it holds the vector's signature and hands it out when asked to sign the digest
 * of that vector's signing input; any other digest fails, as the wrong key would. `context` is
 * the vector case. A real one signs the digest with a key it never lets out. */
static inline int32_t secure_element_sign(void *context, const uint8_t *digest, uint8_t *signature,
                                          size_t *signature_len)
{
    const struct vector_case *c = context;
    if (memcmp(digest, c->digest, 32) != 0 || c->signature_len > *signature_len)
        return -1;
    memcpy(signature, c->signature, c->signature_len);
    *signature_len = c->signature_len;
    return 0;
}

/* Loads a vector's public key: PEM text, or DER when it has a length. */
static inline taap_status load_public_key(const struct vector_case *c, taap_public_key **key)
{
    if (c->public_key_der_len != 0)
        return taap_public_key_from_der(c->public_key, c->public_key_der_len, key);
    return taap_public_key_from_pem((const char *)c->public_key, key);
}

/* A callback signer for the key of `public_of` (a vector case), signing through `sign`. */
static inline taap_status make_signer(const struct vector_case *public_of, taap_sign_digest_fn sign, void *context,
                                      taap_signer **signer)
{
    taap_public_key *public_key = NULL;
    taap_status status = load_public_key(public_of, &public_key);
    if (status == TAAP_OK)
        status = taap_signer_from_callback(public_key, sign, context, NULL, signer);
    taap_public_key_free(public_key); /* the signer keeps its own copy */
    return status;
}

/* Builds a vector's token with its iat, ttl and jti bytes, signed through `signer`. */
static inline taap_status build_token_with_signer(const struct vector_case *c, const taap_signer *signer,
                                                  char **token)
{
    taap_build_options options = {
        .ttl_secs = c->ttl_secs,
        .iat = c->iat,
        .jti_random = c->jti_random,
    };
    return taap_pop_token_build_with_signer(signer, c->ehts, c->ehts_len, &options, token);
}

#endif

/* Helpers pop.c, bad_input.c and measure.c share. */
#ifndef COMMON_H
#define COMMON_H

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

#endif

/* The test board for the READMEs' microcontroller examples (readme.sh, make test-embedded):
 * what a real board supplies, fixed so that readme.sh can check the token each example prints.
 * The key is the README key pair's private key (build/readme_key.inc, made from
 * tests/keys/tmobile/readme-private-pkcs8.pem); the clock and the RNG are constants that
 * check-output.py's `readme` mode expects in the token's `iat` and `jti`. */
#include <stddef.h>
#include <stdint.h>

const char device_key_pem[] =
#include "readme_key.inc"
    ;

/* 2026-01-01T00:00:00Z, the conformance vectors' iat. */
int64_t rtc_epoch_seconds(void)
{
    return 1767225600;
}

/* Bytes 0, 1, 2, … : the jti 00010203-0405-4607-8809-0a0b0c0d0e0f once made a UUID v4. */
int32_t hardware_rng(void *context, uint8_t *out, size_t len)
{
    (void)context;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)i;
    return 0;
}

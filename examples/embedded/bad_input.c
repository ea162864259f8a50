/* Feeds taap wrong input and prints "CASE STATUS" for each: make test-embedded compares the
 * statuses with the ones check-output.py expects. Any fault stops QEMU with "HARDFAULT". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void report(const char *name, taap_status status)
{
    const char *text = taap_status_name(status);
    printf("%s %s\n", name, text != NULL ? text : "UNKNOWN");
}

static int32_t failing_rng(void *context, uint8_t *out, size_t len)
{
    (void)context;
    (void)out;
    (void)len;
    return -1;
}

/* Hands out the bytes in `context`: the same jti as the vector, to check the RNG path. */
static int32_t replay_rng(void *context, uint8_t *out, size_t len)
{
    memcpy(out, context, len);
    return 0;
}

/* A secure element that misbehaves as `fault` says; `c` is the vector it otherwise signs for. */
enum element_fault { ELEMENT_FAILS, ELEMENT_SAYS_CONFIG, ELEMENT_SHORT, ELEMENT_OVERLONG, ELEMENT_CORRUPTS };

struct faulty_element {
    const struct vector_case *c;
    enum element_fault fault;
};

static int32_t faulty_sign(void *context, const uint8_t *digest, uint8_t *signature, size_t *signature_len)
{
    const struct faulty_element *element = context;
    size_t size = *signature_len;
    if (element->fault == ELEMENT_FAILS)
        return -1;
    if (element->fault == ELEMENT_SAYS_CONFIG)
        return TAAP_CONFIG;
    int32_t failed = secure_element_sign((void *)element->c, digest, signature, signature_len);
    if (failed != 0)
        return failed;
    if (element->fault == ELEMENT_SHORT)
        *signature_len -= 1;
    else if (element->fault == ELEMENT_OVERLONG)
        *signature_len = size + 1;
    else if (element->fault == ELEMENT_CORRUPTS)
        signature[10] ^= 1;
    return 0;
}

/* One build through a callback signer for `public_of`'s public key; a token written despite a
 * failure is reported as TOKEN_WRITTEN. */
static const char *build_signed(const struct vector_case *c, const struct vector_case *public_of,
                                taap_sign_digest_fn sign, void *context)
{
    taap_signer *signer = NULL;
    char *token = NULL;
    taap_status status = make_signer(public_of, sign, context, &signer);
    if (status == TAAP_OK)
        status = build_token_with_signer(c, signer, &token);
    const char *outcome = taap_status_name(status);
    if (status != TAAP_OK && token != NULL)
        outcome = "TOKEN_WRITTEN";
    taap_string_free(token);
    taap_signer_free(signer);
    return outcome;
}

static void *plain_alloc(void *context, size_t size, size_t align)
{
    (void)context;
    (void)align;
    return malloc(size);
}

static void plain_free(void *context, void *ptr, size_t size, size_t align)
{
    (void)context;
    (void)size;
    (void)align;
    free(ptr);
}

static taap_status load_pem(const char *pem)
{
    taap_private_key *key = NULL;
    taap_status status = taap_private_key_from_pem(pem, NULL, &key);
    taap_private_key_free(key);
    return status;
}

static taap_status load_der(const uint8_t *der, size_t len)
{
    taap_private_key *key = NULL;
    taap_status status = taap_private_key_from_der(der, len, NULL, &key);
    taap_private_key_free(key);
    return status;
}

static taap_status build(const taap_private_key *key, const taap_ehts_entry *ehts, size_t len,
                         const taap_build_options *options)
{
    char *token = NULL;
    taap_status status = taap_pop_token_build(key, ehts, len, options, &token);
    taap_string_free(token);
    return status;
}

static void key_cases(void)
{
    taap_private_key *key = NULL;
    report("pem-malformed", load_pem("-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n"));
    report("pem-no-block", load_pem("just text"));
    report("pem-empty", load_pem(""));
    report("pem-encrypted", load_pem(bad_key_encrypted));
    report("pem-too-small", load_pem(bad_key_small));
    report("pem-ec", load_pem(bad_key_ec));
    report("der-too-large", load_der(bad_key_large_der, bad_key_large_der_len));
    report("der-zero-length", load_der((const uint8_t *)"\x30", 0));
    report("der-truncated", load_der(bad_key_large_der, 100));
    report("pem-null", taap_private_key_from_pem(NULL, NULL, &key));
    report("der-null", taap_private_key_from_der(NULL, 10, NULL, &key));
    report("pem-out-null", taap_private_key_from_pem(bad_key_small, NULL, NULL));
}

static void build_cases(const struct vector_case *c, const taap_private_key *key)
{
    taap_build_options good = {.ttl_secs = c->ttl_secs, .iat = c->iat, .jti_random = c->jti_random};
    taap_build_options options;
    char *token = NULL;
    const taap_ehts_entry duplicate[] = {{"uri", "/a"}, {"uri", "/b"}};
    const taap_ehts_entry null_value[] = {{"uri", NULL}};
    const taap_ehts_entry bad_utf8[] = {{"\xff\xfe", "x"}};

    report("build-key-null", build(NULL, c->ehts, c->ehts_len, &good));
    report("build-options-null", build(key, c->ehts, c->ehts_len, NULL));
    report("build-out-null", taap_pop_token_build(key, c->ehts, c->ehts_len, &good, NULL));
    report("build-ehts-null", build(key, NULL, 3, &good));
    report("build-ehts-empty", build(key, c->ehts, 0, &good));
    report("build-ehts-duplicate", build(key, duplicate, 2, &good));
    report("build-ehts-value-null", build(key, null_value, 1, &good));
    report("build-ehts-name-not-utf8", build(key, bad_utf8, 1, &good));

    options = good;
    options.ttl_secs = 3601;
    report("build-ttl-too-long", build(key, c->ehts, c->ehts_len, &options));
    options = good;
    options.iat = -1;
    report("build-iat-negative", build(key, c->ehts, c->ehts_len, &options));
    options = good;
    options.jti_random = NULL;
    report("build-no-randomness", build(key, c->ehts, c->ehts_len, &options));
    options.rng = failing_rng;
    report("build-rng-fails", build(key, c->ehts, c->ehts_len, &options));
    options.jti_random = c->jti_random;
    report("build-random-and-rng", build(key, c->ehts, c->ehts_len, &options));

    /* The RNG path gives the vector's token when the RNG hands out the vector's bytes. */
    options = good;
    options.jti_random = NULL;
    options.rng = replay_rng;
    options.rng_context = (void *)c->jti_random;
    taap_status status = taap_pop_token_build(key, c->ehts, c->ehts_len, &options, &token);
    if (status == TAAP_OK)
        printf("rng-token %s %s\n", c->name, token);
    else
        report("rng-token", status);
    taap_string_free(token);
}

static void report_text(const char *name, const char *outcome)
{
    printf("%s %s\n", name, outcome);
}

/* The callback signer's wrong inputs: each gets its status and no token. */
static void signer_cases(const struct vector_case *c)
{
    const struct vector_case *other = NULL;
    for (size_t i = 0; i < vector_case_count && other == NULL; i++)
        if (vector_cases[i].public_key != c->public_key)
            other = &vector_cases[i];
    struct faulty_element element = {c, ELEMENT_FAILS};
    taap_public_key *public_key = NULL;
    taap_signer *signer = NULL;
    char *token = NULL;
    taap_build_options options = {.ttl_secs = c->ttl_secs, .iat = c->iat, .jti_random = c->jti_random};

    report_text("signer-callback-fails", build_signed(c, c, faulty_sign, &element));
    element.fault = ELEMENT_SAYS_CONFIG;
    report_text("signer-callback-status", build_signed(c, c, faulty_sign, &element));
    element.fault = ELEMENT_SHORT;
    report_text("signer-signature-short", build_signed(c, c, faulty_sign, &element));
    element.fault = ELEMENT_OVERLONG;
    report_text("signer-signature-overlong", build_signed(c, c, faulty_sign, &element));
    element.fault = ELEMENT_CORRUPTS;
    report_text("signer-signature-corrupted", build_signed(c, c, faulty_sign, &element));
    /* The element signs with the vector's key; the signer was given another key's public key. */
    report_text("signer-other-public-key", build_signed(c, other, secure_element_sign, (void *)c));
    report("public-key-pem-malformed", taap_public_key_from_pem("just text", &public_key));
    report("public-key-pem-private-key", taap_public_key_from_pem(bad_key_small, &public_key));
    report("public-key-der-truncated", taap_public_key_from_der(bad_key_large_der, 100, &public_key));
    report("public-key-pem-null", taap_public_key_from_pem(NULL, &public_key));
    report("public-key-der-null", taap_public_key_from_der(NULL, 10, &public_key));
    report("signer-public-key-null", taap_signer_from_callback(NULL, secure_element_sign, NULL, NULL, &signer));
    report("signer-callback-null", make_signer(c, NULL, NULL, &signer));
    report("signer-out-null", make_signer(c, secure_element_sign, (void *)c, NULL));
    report("build-signer-null", taap_pop_token_build_with_signer(NULL, c->ehts, c->ehts_len, &options, &token));
    if (public_key != NULL || signer != NULL || token != NULL)
        report_text("signer-outputs-untouched", "WRITTEN");
}

int main(void)
{
    const struct vector_case *c = &vector_cases[0];
    taap_private_key *key = NULL;
    key_cases();
    if (load_key(c, &key) != TAAP_OK) {
        printf("cannot load %s\n", c->name);
        return 1;
    }
    build_cases(c, key);
    taap_private_key_free(key);
    signer_cases(c);
    /* Allocations have happened: the allocator can no longer change. */
    report("allocator-null", taap_set_allocator(NULL, plain_free, NULL));
    report("allocator-after-use", taap_set_allocator(plain_alloc, plain_free, NULL));
    printf("done\n");
    return 0;
}

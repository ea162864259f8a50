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
    /* Allocations have happened: the allocator can no longer change. */
    report("allocator-null", taap_set_allocator(NULL, plain_free, NULL));
    report("allocator-after-use", taap_set_allocator(plain_alloc, plain_free, NULL));
    printf("done\n");
    return 0;
}

/* The embedded column of the bad-input matrix: runs every case of build/matrix_cases.c and
 * prints "ID STATUS MS" (MS: QEMU's virtual time by SysTick at the board's 25 MHz), then
 * "done". check-output.py turns it into $CARGO_TARGET_DIR/bad-input/embedded.jsonl. */
#include <stdio.h>
#include <string.h>

#include "matrix.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define TICKS_PER_MS 25000u

static volatile uint32_t systick_wraps;

void SysTick_Handler(void) { systick_wraps++; }

static uint64_t ticks(void)
{
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    return (uint64_t)wraps * 0x1000000u + (0xFFFFFFu - value);
}

static taap_status key_case(const struct matrix_case *c)
{
    taap_private_key *key = NULL;
    taap_status status = c->key_len > 0 && c->key[0] == 0x30
                             ? taap_private_key_from_der(c->key, c->key_len, c->password, &key)
                             : taap_private_key_from_pem((const char *)c->key, c->password, &key);
    taap_private_key_free(key);
    return status;
}

static taap_status build_case(const struct matrix_case *c, const taap_private_key *key)
{
    /* Fixed bytes are fine here: these tokens only show how wrong input is refused. */
    static const uint8_t random[16] = {0x6d, 0x61, 0x74, 0x72, 0x69, 0x78};
    taap_build_options options = {.ttl_secs = c->ttl_secs, .iat = c->iat, .jti_random = random};
    char *token = NULL;
    taap_status status = taap_pop_token_build(key, c->ehts, c->ehts_len, &options, &token);
    taap_string_free(token);
    return status;
}

/* The signing function of a signer_callback case: the case's answer, or a failure. */
static int32_t answer_sign(void *context, const uint8_t *digest, uint8_t *signature, size_t *signature_len)
{
    const struct matrix_case *c = context;
    (void)digest;
    if (c->fails)
        return -1;
    memcpy(signature, c->key, c->key_len < *signature_len ? c->key_len : *signature_len);
    *signature_len = c->key_len;
    return 0;
}

static taap_status signer_case(const struct matrix_case *c)
{
    static const uint8_t random[16] = {0x6d, 0x61, 0x74, 0x72, 0x69, 0x78};
    static const taap_ehts_entry ehts[] = {{"uri", "/"}};
    taap_build_options options = {.ttl_secs = c->ttl_secs, .iat = c->iat, .jti_random = random};
    taap_public_key *public_key = NULL;
    taap_signer *signer = NULL;
    char *token = NULL;
    taap_status status = taap_public_key_from_pem(matrix_public_key, &public_key);
    if (status == TAAP_OK)
        status = taap_signer_from_callback(public_key, answer_sign, (void *)c, NULL, &signer);
    if (status == TAAP_OK)
        status = taap_pop_token_build_with_signer(signer, ehts, 1, &options, &token);
    taap_string_free(token);
    taap_signer_free(signer);
    taap_public_key_free(public_key);
    return status;
}

int main(void)
{
    taap_private_key *signing_key = NULL;
    if (taap_private_key_from_pem(matrix_signing_key, NULL, &signing_key) != TAAP_OK) {
        printf("the signing key does not load\n");
        return 1;
    }
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7;
    while (SYST_CVR == 0) {
    }
    for (size_t i = 0; i < matrix_case_count; i++) {
        const struct matrix_case *c = &matrix_cases[i];
        uint64_t before = ticks();
        taap_status status = c->op == MATRIX_BUILD            ? build_case(c, signing_key)
                             : c->op == MATRIX_SIGNER_CALLBACK ? signer_case(c)
                                                               : key_case(c);
        uint64_t elapsed = ticks() - before;
        const char *name = taap_status_name(status);
        printf("%s %s %lu\n", c->id, name != NULL ? name : "UNKNOWN", (unsigned long)(elapsed / TICKS_PER_MS));
    }
    taap_private_key_free(signing_key);
    printf("done\n");
    return 0;
}

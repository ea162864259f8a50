/* Prints "NAME TOKEN" for every vector case it carries, then "done": make test-embedded
 * compares each token byte for byte with tests/vectors/tokens.json. Each token is built twice,
 * with the in-memory key and with a callback signer (the secure element of common.h, given the
 * digest): the two must be identical, and the printed one is the callback signer's. */
#include <stdio.h>
#include <string.h>

#include "common.h"

int main(void)
{
    int failures = 0;
    for (size_t i = 0; i < vector_case_count; i++) {
        const struct vector_case *c = &vector_cases[i];
        taap_private_key *key = NULL;
        taap_signer *signer = NULL;
        char *token = NULL, *signed_token = NULL;
        taap_status status = load_key(c, &key);
        if (status == TAAP_OK)
            status = build_token(c, key, &token);
        if (status == TAAP_OK)
            status = make_signer(c, secure_element_sign, (void *)c, &signer);
        if (status == TAAP_OK)
            status = build_token_with_signer(c, signer, &signed_token);
        if (status == TAAP_OK && strcmp(token, signed_token) == 0) {
            printf("%s %s\n", c->name, signed_token);
        } else if (status == TAAP_OK) {
            printf("%s FAILED the in-memory key and the callback signer made different tokens\n", c->name);
            failures++;
        } else {
            printf("%s FAILED %s\n", c->name, taap_status_name(status));
            failures++;
        }
        taap_string_free(signed_token);
        taap_string_free(token);
        taap_signer_free(signer);
        taap_private_key_free(key);
    }
    printf("done\n");
    return failures == 0 ? 0 : 1;
}

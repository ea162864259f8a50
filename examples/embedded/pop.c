/* Prints "NAME TOKEN" for every vector case it carries, then "done": make test-embedded
 * compares each token byte for byte with tests/vectors/tokens.json. */
#include <stdio.h>

#include "common.h"

int main(void)
{
    int failures = 0;
    for (size_t i = 0; i < vector_case_count; i++) {
        const struct vector_case *c = &vector_cases[i];
        taap_private_key *key = NULL;
        char *token = NULL;
        taap_status status = load_key(c, &key);
        if (status == TAAP_OK)
            status = build_token(c, key, &token);
        if (status == TAAP_OK) {
            printf("%s %s\n", c->name, token);
        } else {
            printf("%s FAILED %s\n", c->name, taap_status_name(status));
            failures++;
        }
        taap_string_free(token);
        taap_private_key_free(key);
    }
    printf("done\n");
    return failures == 0 ? 0 : 1;
}

/* The README's C quick start with the docs-orders-post vector's fixed iat and jti; prints
 * TAAP_VERSION, taap_version() and the token for scripts/test-dist.sh to compare. */
#include <stdio.h>
#include <stdlib.h>
#include <taap.h>

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s KEY.pem IAT JTI\n", argv[0]);
        return 2;
    }
    taap_private_key *key = NULL;
    taap_status s = taap_private_key_from_file(argv[1], NULL, &key);
    const taap_ehts_entry ehts[] = {{"Content-Type", "application/json"},
                                    {"Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"},
                                    {"uri", "/commerce/v1/orders"},
                                    {"http-method", "POST"},
                                    {"body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"}};
    taap_build_options options = {0};
    options.iat = strtoll(argv[2], NULL, 10);
    options.iat_is_set = true;
    options.jti = argv[3];
    char *token = NULL;
    if (s == TAAP_OK) s = taap_pop_token_build(key, ehts, 5, &options, &token);
    if (s != TAAP_OK) {
        fprintf(stderr, "%s: %s\n", taap_status_name(s), taap_last_error_message());
        taap_private_key_free(key);
        return 1;
    }
    printf("%s %s %s\n", TAAP_VERSION, taap_version(), token);
    taap_string_free(token);
    taap_private_key_free(key);
    return 0;
}

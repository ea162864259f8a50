/* Prints the PoP token for a POST to T-Mobile's orders API.
 *   ./pop KEY.pem [IAT JTI]   (IAT and JTI reproduce a known token; an encrypted key's
 *                              password comes from TAAP_KEY_PASSWORD) */
#include <stdio.h>
#include <stdlib.h>
#include <taap.h>

int main(int argc, char **argv) {
    if (argc != 2 && argc != 4) return fprintf(stderr, "usage: %s KEY.pem [IAT JTI]\n", argv[0]), 2;
    const taap_ehts_entry ehts[] = {
        {"Content-Type", "application/json"}, {"Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"},
        {"uri", "/commerce/v1/orders"}, {"http-method", "POST"},
        {"body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"},
    };
    taap_build_options options = {0}; /* zeroed: 120 s validity, the clock, a random jti */
    if (argc == 4) options = (taap_build_options){.iat = atoll(argv[2]), .iat_is_set = true, .jti = argv[3]};

    taap_private_key *key = NULL; /* parse once, then sign any number of tokens from any thread */
    char *token = NULL;
    taap_status status = taap_private_key_from_file(argv[1], getenv("TAAP_KEY_PASSWORD"), &key);
    if (status == TAAP_OK) status = taap_pop_token_build(key, ehts, 5, &options, &token);
    if (status == TAAP_OK) puts(token);
    else fprintf(stderr, "pop: %s: %s\n", taap_status_name(status), taap_last_error_message());
    taap_string_free(token);
    taap_private_key_free(key);
    return status == TAAP_OK ? 0 : 1;
}

/* The C side of the benchmark: taap_pop_token_build tokens per second of thread CPU time
 * (building and freeing each token, as a caller does) with the same key, ehts and iteration
 * count as core.rs.
 *   pop_bench KEY.pem ITERATIONS */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "taap.h"

static const taap_ehts_entry EHTS[] = {
    {"Content-Type", "application/json"},
    {"Authorization", "Bearer UtKV75JJbVAewOrkHMXhLbiQ11SS"},
    {"uri", "/commerce/v1/orders"},
    {"http-method", "POST"},
    {"body", "{\"orderId\": 100, \"product\": \"Mobile Phone\"}"},
};

static int build(const taap_private_key *key) {
    char *token = NULL;
    taap_status status = taap_pop_token_build(key, EHTS, sizeof EHTS / sizeof EHTS[0], NULL, &token);
    taap_string_free(token);
    return status == TAAP_OK ? 0 : 1;
}

int main(int argc, char **argv) {
    long iterations = argc == 3 ? strtol(argv[2], NULL, 10) : 0;
    if (iterations <= 0) {
        fprintf(stderr, "usage: %s KEY.pem ITERATIONS\n", argv[0]);
        return 2;
    }
    taap_private_key *key = NULL;
    if (taap_private_key_from_file(argv[1], NULL, &key) != TAAP_OK) {
        fprintf(stderr, "pop_bench: %s\n", taap_last_error_message());
        return 1;
    }
    int failures = 0;
    for (long i = 0; i < iterations / 10; i++) {
        failures += build(key);
    }
    struct timespec start, end;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    for (long i = 0; i < iterations; i++) {
        failures += build(key);
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
    taap_private_key_free(key);
    if (failures != 0) {
        fprintf(stderr, "pop_bench: %d builds failed\n", failures);
        return 1;
    }
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    printf("tokens_per_sec=%.1f\n", (double)iterations / seconds);
    return 0;
}

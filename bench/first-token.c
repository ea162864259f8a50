/* Times one fresh process for bench/first-token.sh through libtaap: key load, the first token,
 * the second token, in microseconds, as one JSON line (the Rust probe's format). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <taap.h>

static long long micros_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000000LL + (now.tv_nsec - start->tv_nsec) / 1000;
}

static char *read_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    static char text[16384];
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = '\0';
    return text;
}

int main(int argc, char **argv) {
    const char *pem = argc == 2 ? read_file(argv[1]) : NULL;
    if (!pem) return fprintf(stderr, "usage: %s KEY.pem\n", argv[0]), 2;
    const taap_ehts_entry ehts[] = {{"uri", "/commerce/v1/orders"}, {"http-method", "POST"}, {"body", "{}"}};
    taap_private_key *key = NULL;
    char *first = NULL, *second = NULL;
    struct timespec start;

    clock_gettime(CLOCK_MONOTONIC, &start);
    taap_status status = taap_private_key_from_pem(pem, NULL, &key);
    long long load = micros_since(&start);
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (status == TAAP_OK) status = taap_pop_token_build(key, ehts, 3, NULL, &first);
    long long first_token = micros_since(&start);
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (status == TAAP_OK) status = taap_pop_token_build(key, ehts, 3, NULL, &second);
    long long second_token = micros_since(&start);
    if (status != TAAP_OK) return fprintf(stderr, "%s\n", taap_last_error_message()), 1;
    printf("{\"load_us\":%lld,\"first_token_us\":%lld,\"second_token_us\":%lld}\n", load, first_token, second_token);
    taap_string_free(first);
    taap_string_free(second);
    taap_private_key_free(key);
    return 0;
}

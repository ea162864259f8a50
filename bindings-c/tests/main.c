/* The C test suite of libtaap: conformance vectors, error paths, threads, the TAAP client.
 *
 *   taap_test TESTS_DIR [THREADS [TOKENS_PER_THREAD]]
 *
 * TESTS_DIR is the repository's tests/ directory (vectors/ and keys/). Prints one line per
 * failed check and ends with "N passed, N failed"; exits non-zero on any failure. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static unsigned count_argument(const char *text, unsigned fallback) {
    if (text == NULL) {
        return fallback;
    }
    char *end = NULL;
    unsigned long value = strtoul(text, &end, 10);
    return (*end == '\0' && value > 0 && value <= 1000) ? (unsigned)value : fallback;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s TESTS_DIR [THREADS [TOKENS_PER_THREAD]]\n", argv[0]);
        return 2;
    }
    const char *tests_dir = argv[1];
    unsigned threads = count_argument(argc > 2 ? argv[2] : NULL, 8);
    unsigned tokens = count_argument(argc > 3 ? argv[3] : NULL, 25);
    printf("libtaap %s: conformance vectors, error paths, %u threads x %u tokens\n", taap_version(), threads,
           tokens);
    test_vectors(tests_dir);
    test_request_rules(tests_dir);
    test_explain(tests_dir);
    test_gate(tests_dir);
    test_key_source(tests_dir);
    test_api_cases(tests_dir);
    test_errors(tests_dir);
    test_threads(tests_dir, threads, tokens);
    test_signer(tests_dir);
    test_client(tests_dir);
    test_hygiene(tests_dir);
    return check_summary();
}

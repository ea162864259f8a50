/* A minimal test harness for the taap C tests: checks count passes and failures, failures
 * are printed with their place and the library's last error message. */
#ifndef TAAP_TEST_CHECK_H
#define TAAP_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "taap.h"

/* Records a boolean outcome; `what` says what was expected. */
bool check_true(bool ok, const char *file, int line, const char *what);
/* Records whether a call returned the expected status. */
bool check_status(taap_status got, taap_status want, const char *file, int line, const char *what);
/* Records whether a string equals the expected one (NULL equals only NULL). */
bool check_string(const char *got, const char *want, const char *file, int line, const char *what);
/* Prints "N passed, N failed" and returns the process exit code. */
int check_summary(void);

#define CHECK(cond, what) check_true((cond), __FILE__, __LINE__, (what))
#define CHECK_STATUS(call, want, what) check_status((call), (want), __FILE__, __LINE__, (what))
#define CHECK_STRING(got, want, what) check_string((got), (want), __FILE__, __LINE__, (what))

/* Reads a whole file into a NUL-terminated buffer (free it); NULL if it cannot be read. */
char *read_file(const char *path, size_t *len);

/* Suites; `tests_dir` is the repository's tests/ directory. */
void test_vectors(const char *tests_dir);
void test_errors(const char *tests_dir);
void test_threads(const char *tests_dir, unsigned threads, unsigned tokens_per_thread);
/* The signing policy (policy.json) and the gateway-side request adapter (request.json). */
void test_request_rules(const char *tests_dir);
/* taap_explain and the `uri` forms of taap_validator_validate_request_as, for a real mismatch. */
void test_explain(const char *tests_dir);
void test_api_cases(const char *tests_dir);
/* taap_pop_gate: the core's middleware check, its options, client id rule and exact answers. */
void test_gate(const char *tests_dir);
/* taap_key_source with taap_pop_gate_check_with_source: several keys, a key file re-read when it
 * changes, a JWK set URL (a server in a thread on a loopback port, and a closed port: 503). */
void test_key_source(const char *tests_dir);
/* taap_signer: the vectors through callback signers, their failures, kinds and labels, and a
 * `pkcs11:` key in the SoftHSM2 token named by TAAP_TEST_PKCS11_URI and TAAP_TEST_PKCS11_PIN. */
void test_signer(const char *tests_dir);
/* Needs a running `taap serve` named by TAAP_TEST_GATEWAY, TAAP_TEST_CLIENT_ID and
 * TAAP_TEST_CLIENT_SECRET; says so and does nothing without them. */
void test_client(const char *tests_dir);
/* Secrets never in messages or the gateway's log (TAAP_TEST_GATEWAY_LOG); freed key buffers
 * wiped (inspected only in a build with TAAP_TEST_WRAP_FREE and -Wl,--wrap=free,--wrap=realloc). */
void test_hygiene(const char *tests_dir);

#endif

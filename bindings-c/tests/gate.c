/* taap_pop_gate, the core's middleware check (taap::validate::PopGate) for a C server: its
 * options (snake_case JSON, the schema's messages), the client id rule and the exact answers
 * (status, headers, JSON body) it gives instead of the application's, as core/tests/gate.rs
 * checks them in Rust. The gate reads the clock, so the tokens are fresh ones from
 * taap_pop_token_build (the vector tokens carry a fixed iat long past); that the builder's
 * tokens are T-Mobile's is what vectors.c checks. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define TARGET "/items/42?a=1"
#define JSON_TYPE "[\"content-type\",\"application/json\"]"
#define CHALLENGE "[\"www-authenticate\",\"PoP realm=\\\"taap\\\"\"]"
/* The 401 answer for an error kind and message (the message as JSON string content). */
#define REFUSAL(kind, message)                                                                                    \
    "{\"status\":401,\"headers\":[" JSON_TYPE "," CHALLENGE "],\"body\":\"{\\\"error\\\":\\\"" kind               \
    "\\\",\\\"message\\\":\\\"" message "\\\"}\"}"

/* A fresh token (the clock's iat, a random jti) over the request line of `uri`. */
static char *fresh_token(const taap_private_key *key, const char *uri) {
    const taap_ehts_entry ehts[] = {{"uri", uri}, {"http-method", "GET"}};
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_build(key, ehts, 2, NULL, &token), TAAP_OK, "a fresh token");
    return token;
}

static taap_pop_gate *gate_of(const char *options) {
    taap_pop_gate *gate = NULL;
    CHECK_STATUS(taap_pop_gate_from_json(options, &gate), TAAP_OK, options ? options : "NULL options");
    return gate;
}

/* Checks GET TARGET carrying `token` (NULL: none) and `body`; compares the answer (NULL: pass). */
static void check_answer(const taap_pop_gate *gate, const taap_public_key *key, const char *token, const char *body,
                         const char *want, const char *what) {
    const taap_ehts_entry headers[] = {{"Accept", "application/json"}, {"X-Authorization", token}};
    char *answer = NULL;
    if (CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, headers, token ? 2 : 1, (const uint8_t *)body,
                                         strlen(body), NULL, &answer),
                     TAAP_OK, what)) {
        CHECK_STRING(answer, want, what);
    }
    taap_string_free(answer);
}

static void check_requests(const taap_private_key *private_key, const taap_public_key *key) {
    taap_pop_gate *gate = gate_of(NULL);
    char *token = fresh_token(private_key, TARGET);
    if (gate != NULL && token != NULL) {
        check_answer(gate, key, token, "", NULL, "a signed request passes (NULL answer)");
        check_answer(gate, key, token, "",
                     REFUSAL("Replay", "replayed PoP token: this jti was already used; build a fresh token for every "
                                       "call"),
                     "its replay is refused");
        check_answer(gate, key, NULL, "",
                     REFUSAL("InvalidToken", "invalid PoP token: X-Authorization (the PoP token) is missing"),
                     "a missing token");
    }
    taap_string_free(token);
    /* Another target than the signed one: refused with the kind the core names. */
    token = fresh_token(private_key, "/items/43?a=1");
    char *answer = NULL;
    const taap_ehts_entry headers[] = {{"x-authorization", token}};
    if (gate != NULL && token != NULL &&
        CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, headers, 1, NULL, 0, "decoded", &answer), TAAP_OK,
                     "a tampered target")) {
        CHECK(answer != NULL && strstr(answer, "\\\"error\\\":\\\"EdtsMismatch\\\"") != NULL,
              "a tampered target is an EdtsMismatch 401");
    }
    taap_string_free(answer);
    taap_string_free(token);

    /* Bad arguments are statuses, not answers, and leave the output alone. */
    answer = (char *)"untouched";
    CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, NULL, 0, NULL, 0, NULL, NULL), TAAP_NULL_ARGUMENT,
                 "NULL out_answer");
    CHECK_STRING(taap_last_error_message(), "out_answer is NULL", "the message names out_answer");
    CHECK_STATUS(taap_pop_gate_check(gate, NULL, "GET", TARGET, NULL, 0, NULL, 0, NULL, &answer), TAAP_NULL_ARGUMENT,
                 "NULL key");
    CHECK_STRING(taap_last_error_message(), "key is NULL", "the message names key");
    CHECK_STATUS(taap_pop_gate_check(NULL, key, "GET", TARGET, NULL, 0, NULL, 0, NULL, &answer), TAAP_NULL_ARGUMENT,
                 "NULL gate");
    CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, NULL, 0, NULL, 3, NULL, &answer), TAAP_NULL_ARGUMENT,
                 "NULL body with a length");
    CHECK_STRING(taap_last_error_message(), "body (with body_len 3) is NULL", "the message names body");
    CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, NULL, 0, NULL, 0, "raw", &answer), TAAP_CONFIG,
                 "an unknown uri form");
    CHECK_STATUS(taap_pop_gate_check(gate, key, "G\xff", TARGET, NULL, 0, NULL, 0, NULL, &answer), TAAP_INVALID_UTF8,
                 "a method that is not UTF-8");
    CHECK_STRING(answer, "untouched", "nothing written on failure");
    taap_pop_gate_free(gate);
}

static void check_body_limit(const taap_public_key *key) {
    taap_pop_gate *gate = gate_of("{\"max_body\": 4}");
    uint64_t max_body = 0;
    CHECK_STATUS(taap_pop_gate_max_body(gate, &max_body), TAAP_OK, "max_body");
    CHECK(max_body == 4, "max_body is the option's");
    const char *too_large = "{\"status\":413,\"headers\":[" JSON_TYPE "],\"body\":\"{\\\"error\\\":\\\"RequestTooLarge\\\","
                            "\\\"message\\\":\\\"the body is larger than 4 bytes\\\"}\"}";
    check_answer(gate, key, NULL, "12345", too_large, "a body over max_body is 413 before any check");
    char *answer = NULL;
    if (CHECK_STATUS(taap_pop_gate_too_large(gate, &answer), TAAP_OK, "the 413 answer")) {
        CHECK_STRING(answer, too_large, "taap_pop_gate_too_large gives the same answer");
    }
    taap_string_free(answer);
    CHECK_STATUS(taap_pop_gate_max_body(gate, NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STATUS(taap_pop_gate_max_body(NULL, &max_body), TAAP_NULL_ARGUMENT, "NULL gate");
    taap_pop_gate_free(gate);
    gate = gate_of(NULL);
    CHECK_STATUS(taap_pop_gate_max_body(gate, &max_body), TAAP_OK, "the default max_body");
    CHECK(max_body == 1048576, "the default max_body is 1 MiB");
    taap_pop_gate_free(gate);
}

/* taap_pop_gate_client_id for `headers`; compares the id or the answer (the other must be NULL). */
static void check_client_id(const taap_pop_gate *gate, const taap_ehts_entry *headers, size_t count,
                            const char *want_id, const char *want_answer, const char *what) {
    char *id = (char *)"stale", *answer = (char *)"stale";
    if (CHECK_STATUS(taap_pop_gate_client_id(gate, headers, count, &id, &answer), TAAP_OK, what)) {
        CHECK_STRING(id, want_id, what);
        CHECK_STRING(answer, want_answer, what);
        taap_string_free(id);
        taap_string_free(answer);
    }
}

static void check_client_ids(void) {
    taap_pop_gate *gate = gate_of("{\"client_id_header\": \"X-Partner\", \"replay_store\": false}");
    const taap_ehts_entry known[] = {{"Accept", "*/*"}, {"X-PARTNER", "acme"}};
    check_client_id(gate, known, 2, "acme", NULL, "a known client id (any case of the header)");
    const taap_ehts_entry twice[] = {{"x-partner", "acme"}, {"X-Partner", "evil"}};
    check_client_id(gate, twice, 2, NULL,
                    REFUSAL("InvalidToken", "invalid PoP token: the x-partner header appears 2 times; send it once"),
                    "a duplicated client id");
    const taap_ehts_entry other[] = {{"x-client-id", "acme"}};
    check_client_id(gate, other, 1, NULL,
                    REFUSAL("InvalidToken", "invalid PoP token: the x-partner header (the client id) is missing"),
                    "a missing client id");
    check_client_id(gate, NULL, 0, NULL,
                    REFUSAL("InvalidToken", "invalid PoP token: the x-partner header (the client id) is missing"),
                    "no headers at all");
    const taap_ehts_entry bad[] = {{"x-partner", "\xff"}};
    check_client_id(gate, bad, 1, NULL,
                    REFUSAL("InvalidToken", "invalid PoP token: the x-partner header is not valid UTF-8"),
                    "a client id that is not UTF-8");
    char *answer = NULL;
    if (CHECK_STATUS(taap_pop_gate_unknown_client(gate, &answer), TAAP_OK, "unknown client")) {
        CHECK_STRING(answer,
                     REFUSAL("InvalidToken", "invalid PoP token: no public key is registered for this client id"),
                     "the unknown client's answer");
    }
    taap_string_free(answer);
    answer = NULL;
    char *id = NULL;
    CHECK_STATUS(taap_pop_gate_client_id(gate, known, 2, &id, NULL), TAAP_NULL_ARGUMENT, "NULL out_answer");
    CHECK_STRING(taap_last_error_message(), "out_answer is NULL", "the message names out_answer");
    CHECK_STATUS(taap_pop_gate_client_id(gate, NULL, 1, &id, &answer), TAAP_NULL_ARGUMENT, "NULL headers with a count");
    CHECK(id == NULL && answer == NULL, "nothing written on failure");
    CHECK_STATUS(taap_pop_gate_unknown_client(NULL, &answer), TAAP_NULL_ARGUMENT, "NULL gate");
    taap_pop_gate_free(gate);
}

static void check_refused(const char *options, taap_status want, const char *message) {
    taap_pop_gate *gate = NULL;
    CHECK_STATUS(taap_pop_gate_from_json(options, &gate), want, options);
    CHECK_STRING(taap_last_error_message(), message, options);
    CHECK(gate == NULL, "no gate on failure");
}

static void check_options(void) {
    check_refused("{\"max_age\": 0}", TAAP_CONFIG, "invalid configuration: option max_age is 0; choose 1 to 3600 seconds");
    check_refused("{\"leeway\": 301}", TAAP_CONFIG,
                  "invalid configuration: option leeway is 301; choose 0 to 300 seconds");
    taap_pop_gate *gate = NULL;
    CHECK_STATUS(taap_pop_gate_from_json("{\"maxAge\": 60}", &gate), TAAP_CONFIG, "a camelCase name");
    const char *message = taap_last_error_message();
    const char *prefix = "invalid configuration: unknown option maxAge; the middleware takes ";
    CHECK(message != NULL && strncmp(message, prefix, strlen(prefix)) == 0, "C names options in snake_case");
    CHECK_STATUS(taap_pop_gate_from_json("{\"a\xff\": 1}", &gate), TAAP_INVALID_UTF8, "options that are not UTF-8");
    CHECK_STATUS(taap_pop_gate_from_json("[1]", &gate), TAAP_CONFIG, "options that are not an object");
    CHECK_STATUS(taap_pop_gate_from_json(NULL, NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STRING(taap_last_error_message(), "out is NULL", "the message names out");
    CHECK(gate == NULL, "no gate on failure");
    taap_pop_gate_free(NULL);
}

/* A redis replay store nothing listens on (port 1 of loopback): the check fails closed. */
static void check_store_down(const taap_private_key *private_key, const taap_public_key *key) {
    taap_pop_gate *gate = gate_of("{\"replay_store\": \"redis://127.0.0.1:1\"}");
    char *token = fresh_token(private_key, TARGET);
    const taap_ehts_entry headers[] = {{"X-Authorization", token}};
    char *answer = NULL;
    if (gate != NULL && token != NULL &&
        CHECK_STATUS(taap_pop_gate_check(gate, key, "GET", TARGET, headers, 1, NULL, 0, NULL, &answer), TAAP_OK,
                     "a check with the store down")) {
        const char *head = "{\"status\":503,\"headers\":[" JSON_TYPE ",[\"retry-after\",\"1\"]],\"body\":"
                           "\"{\\\"error\\\":\\\"replay_store_unavailable\\\",\\\"store\\\":\\\"redis\\\","
                           "\\\"message\\\":\\\"the replay store (redis) is unavailable: ";
        CHECK(answer != NULL && strncmp(answer, head, strlen(head)) == 0, "503, its headers and body");
        json_error_t error;
        json_t *root = answer ? json_loads(answer, 0, &error) : NULL;
        json_t *body = root ? json_loads(json_string_value(json_object_get(root, "body")), 0, &error) : NULL;
        const char *text = json_string_value(json_object_get(body, "message"));
        const char *tail = "; retry shortly";
        CHECK(text != NULL && strlen(text) > strlen(tail) && strcmp(text + strlen(text) - strlen(tail), tail) == 0,
              "the 503's message says to retry");
        json_decref(body);
        json_decref(root);
    }
    taap_string_free(answer);
    taap_string_free(token);
    taap_pop_gate_free(gate);
}

void test_gate(const char *tests_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    taap_private_key *private_key = NULL;
    taap_public_key *key = NULL;
    if (CHECK_STATUS(taap_private_key_from_file(path, NULL, &private_key), TAAP_OK, path) &&
        CHECK_STATUS(taap_private_key_public_key(private_key, &key), TAAP_OK, "public key")) {
        check_requests(private_key, key);
        check_body_limit(key);
        check_store_down(private_key, key);
    }
    check_client_ids();
    check_options();
    taap_public_key_free(key);
    taap_private_key_free(private_key);
}

/* Runs every conformance vector in tests/vectors/ (made by T-Mobile's official JavaScript
 * builder) through the C API, the way core/tests/conformance.rs runs them through the core. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_ENTRIES 128
#define PATH_SIZE 1024

/* The C status of each error kind name the vectors use (the design's taxonomy). */
static const struct {
    const char *kind;
    taap_status status;
} KINDS[] = {
    {"ok", TAAP_OK},
    {"InvalidKey", TAAP_INVALID_KEY},
    {"KeyDecrypt", TAAP_KEY_DECRYPT},
    {"InvalidEhts", TAAP_INVALID_EHTS},
    {"InvalidToken", TAAP_INVALID_TOKEN},
    {"TokenExpired", TAAP_TOKEN_EXPIRED},
    {"TokenTooOld", TAAP_TOKEN_TOO_OLD},
    {"SignatureInvalid", TAAP_SIGNATURE_INVALID},
    {"EdtsMismatch", TAAP_EDTS_MISMATCH},
    {"MissingEhtsValue", TAAP_MISSING_EHTS_VALUE},
    {"Replay", TAAP_REPLAY},
    {"OAuth", TAAP_OAUTH},
    {"Transport", TAAP_TRANSPORT},
    {"Config", TAAP_CONFIG},
};

static taap_status status_of_kind(const char *kind) {
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (strcmp(KINDS[i].kind, kind) == 0) {
            return KINDS[i].status;
        }
    }
    CHECK(false, "the vectors name an error kind this test does not know");
    return TAAP_PANIC;
}

static json_t *load_vectors(const char *tests_dir, const char *file) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/vectors/%s", tests_dir, file);
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    if (!CHECK(root != NULL, "a vector file loads")) {
        fprintf(stderr, "     %s: %s (line %d)\n", path, error.text, error.line);
    }
    return root;
}

static const char *text(const json_t *object, const char *member) {
    return json_string_value(json_object_get(object, member));
}

static void key_path(char *path, const char *tests_dir, const char *relative) {
    snprintf(path, PATH_SIZE, "%s/keys/%s", tests_dir, relative);
}

static bool ends_with(const char *text, const char *suffix) {
    size_t text_len = strlen(text), suffix_len = strlen(suffix);
    return text_len >= suffix_len && strcmp(text + text_len - suffix_len, suffix) == 0;
}

/* Loads a private key from the bytes of its file: DER or PEM, as a caller holding them would. */
static taap_status load_private_key_bytes(const char *path, const char *password, taap_private_key **out) {
    size_t len = 0;
    char *data = read_file(path, &len);
    if (!CHECK(data != NULL, "a key file is readable")) {
        return TAAP_INVALID_KEY;
    }
    taap_status status = ends_with(path, ".der")
                             ? taap_private_key_from_der((const uint8_t *)data, len, password, out)
                             : taap_private_key_from_pem(data, password, out);
    free(data);
    return status;
}

/* Loads a public key from its file's text: a JWK (.json) or PEM. */
static taap_status load_public_key_text(const char *path, taap_public_key **out) {
    char *data = read_file(path, NULL);
    if (!CHECK(data != NULL, "a key file is readable")) {
        return TAAP_INVALID_KEY;
    }
    taap_status status =
        ends_with(path, ".json") ? taap_public_key_from_jwk(data, out) : taap_public_key_from_pem(data, out);
    free(data);
    return status;
}

/* Fills `entries` from a JSON array of [name, value] pairs; returns the count. */
static size_t entries_of(const json_t *pairs, taap_ehts_entry *entries) {
    size_t count = json_array_size(pairs);
    if (!CHECK(count <= MAX_ENTRIES, "a vector has at most MAX_ENTRIES pairs")) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *pair = json_array_get(pairs, i);
        entries[i].name = json_string_value(json_array_get(pair, 0));
        entries[i].value = json_string_value(json_array_get(pair, 1));
    }
    return count;
}

static taap_build_options pinned_options(const json_t *vector) {
    taap_build_options options = {0};
    options.ttl_secs = json_integer_value(json_object_get(vector, "ttl_secs"));
    options.iat = json_integer_value(json_object_get(vector, "iat"));
    options.iat_is_set = true;
    options.jti = text(vector, "jti");
    return options;
}

/* A freshly built token decodes to the claims it was built with. */
static void check_claims(const char *token, const json_t *vector, const char *expected_ehts) {
    taap_pop_token *decoded = NULL;
    if (!CHECK_STATUS(taap_pop_token_decode(token, &decoded), TAAP_OK, text(vector, "name"))) {
        return;
    }
    const taap_claims *claims = taap_pop_token_claims(decoded);
    json_int_t iat = json_integer_value(json_object_get(vector, "iat"));
    CHECK(claims->iat == iat, "decoded iat");
    CHECK(claims->exp == iat + json_integer_value(json_object_get(vector, "ttl_secs")), "decoded exp");
    CHECK_STRING(claims->jti, text(vector, "jti"), "decoded jti");
    CHECK_STRING(claims->v, "1", "decoded v");
    if (expected_ehts != NULL) {
        CHECK_STRING(claims->ehts, expected_ehts, "decoded ehts");
    }
    taap_pop_token_free(decoded);
}

static void run_tokens(const char *tests_dir) {
    json_t *root = load_vectors(tests_dir, "tokens.json");
    const json_t *cases = json_object_get(root, "cases");
    CHECK(json_array_size(cases) >= 50, "tokens.json has at least 50 cases");
    size_t index;
    const json_t *vector;
    json_array_foreach(cases, index, vector) {
        char path[PATH_SIZE];
        key_path(path, tests_dir, text(vector, "key"));
        taap_private_key *key = NULL;
        if (!CHECK_STATUS(load_private_key_bytes(path, text(vector, "password"), &key), TAAP_OK, path)) {
            continue;
        }
        taap_ehts_entry entries[MAX_ENTRIES];
        size_t count = entries_of(json_object_get(vector, "ehts"), entries);
        taap_build_options options = pinned_options(vector);
        char *token = NULL;
        if (CHECK_STATUS(taap_pop_token_build(key, entries, count, &options, &token), TAAP_OK, text(vector, "name"))) {
            CHECK_STRING(token, text(vector, "token"), text(vector, "name"));
            check_claims(token, vector, NULL);
        }
        taap_string_free(token);
        taap_private_key_free(key);
    }
    json_decref(root);
}

/* The request token validates against the values the gateway sees: the headers, the
 * expected `uri`, the upper-cased method and the body. */
static void check_request_values(const char *token, const taap_private_key *key, const json_t *vector,
                                 const taap_ehts_entry *headers, size_t count) {
    char method[16] = {0};
    const char *given = text(vector, "method");
    for (size_t i = 0; i + 1 < sizeof method && given[i] != '\0'; i++) {
        method[i] = (char)toupper((unsigned char)given[i]);
    }
    taap_ehts_entry values[MAX_ENTRIES + 3];
    memcpy(values, headers, count * sizeof *headers);
    values[count] = (taap_ehts_entry){"uri", text(vector, "expected_uri")};
    values[count + 1] = (taap_ehts_entry){"http-method", method};
    values[count + 2] = (taap_ehts_entry){"body", text(vector, "body")};
    taap_validate_options options = {0};
    options.now = json_integer_value(json_object_get(vector, "iat"));
    taap_public_key *public_key = NULL;
    if (CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key")) {
        CHECK_STATUS(taap_pop_token_validate(token, public_key, values, count + 3, &options), TAAP_OK,
                     text(vector, "expected_uri"));
    }
    taap_public_key_free(public_key);
}

static void run_requests(const char *tests_dir) {
    json_t *root = load_vectors(tests_dir, "request.json");
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        const char *name = text(vector, "name");
        char path[PATH_SIZE];
        key_path(path, tests_dir, text(vector, "key"));
        taap_private_key *key = NULL;
        if (!CHECK_STATUS(taap_private_key_from_file(path, text(vector, "password"), &key), TAAP_OK, path)) {
            continue;
        }
        taap_ehts_entry headers[MAX_ENTRIES];
        size_t count = entries_of(json_object_get(vector, "headers"), headers);
        const char *body = text(vector, "body");
        taap_build_options options = pinned_options(vector);
        char *token = NULL;
        taap_status status = taap_pop_token_for_request_with(key, text(vector, "method"), text(vector, "url"), headers,
                                                             count, (const uint8_t *)body, strlen(body), &options, &token);
        if (CHECK_STATUS(status, TAAP_OK, name)) {
            CHECK_STRING(token, text(vector, "token"), name);
            check_claims(token, vector, text(vector, "expected_ehts"));
            check_request_values(token, key, vector, headers, count);
        }
        taap_string_free(token);
        taap_private_key_free(key);
    }
    json_decref(root);
}

/* Reads a validator option from the case, falling back to the file's defaults. */
static int64_t option(const json_t *vector, const json_t *defaults, const char *name) {
    const json_t *value = json_object_get(json_object_get(vector, "options"), name);
    return json_integer_value(value != NULL ? value : json_object_get(defaults, name));
}

static void run_validator_case(const char *tests_dir, const json_t *vector, const json_t *defaults) {
    const char *name = text(vector, "name");
    const json_t *required_json = json_object_get(json_object_get(vector, "options"), "required");
    const char *required[MAX_ENTRIES];
    size_t required_len = json_array_size(required_json);
    for (size_t i = 0; i < required_len && i < MAX_ENTRIES; i++) {
        required[i] = json_string_value(json_array_get(required_json, i));
    }
    taap_validate_options options = {0};
    options.leeway_secs = option(vector, defaults, "leeway_secs");
    options.leeway_is_set = true;
    options.max_age_secs = option(vector, defaults, "max_age_secs");
    options.now = json_integer_value(json_object_get(vector, "now"));
    options.required = required;
    options.required_len = required_len;
    options.replay_cache = (size_t)json_integer_value(json_object_get(json_object_get(vector, "options"), "replay_cache"));

    char path[PATH_SIZE];
    key_path(path, tests_dir, text(vector, "public_key"));
    taap_public_key *key = NULL;
    if (!CHECK_STATUS(load_public_key_text(path, &key), TAAP_OK, path)) {
        return;
    }
    taap_ehts_entry values[MAX_ENTRIES];
    size_t count = entries_of(json_object_get(vector, "ehts"), values);
    const char *token = text(vector, "token");
    taap_status expected = status_of_kind(text(vector, "expect"));

    taap_validator *validator = NULL;
    if (CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_OK, name)) {
        CHECK_STATUS(taap_validator_validate(validator, token, key, values, count, NULL), expected, name);
        const char *repeat = text(vector, "repeat_expect");
        if (repeat != NULL) {
            CHECK_STATUS(taap_validator_validate(validator, token, key, values, count, NULL), status_of_kind(repeat),
                         name);
        }
    }
    taap_validator_free(validator);
    if (options.replay_cache == 0) {
        CHECK_STATUS(taap_pop_token_validate(token, key, values, count, &options), expected, name);
    }
    taap_public_key_free(key);
}

static void run_validator(const char *tests_dir) {
    json_t *root = load_vectors(tests_dir, "validator.json");
    const json_t *defaults = json_object_get(root, "defaults");
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        run_validator_case(tests_dir, vector, defaults);
    }
    json_decref(root);
}

/* Whether two public keys are the same key, compared by RFC 7638 thumbprint. */
static bool same_key(const taap_public_key *a, const taap_public_key *b) {
    char *first = NULL, *second = NULL;
    bool same = taap_public_key_thumbprint(a, &first) == TAAP_OK && taap_public_key_thumbprint(b, &second) == TAAP_OK &&
                strcmp(first, second) == 0;
    taap_string_free(first);
    taap_string_free(second);
    return same;
}

static void check_same_public_key(const char *tests_dir, const json_t *vector, const taap_public_key *key) {
    const char *same_as = text(vector, "same_public_key_as");
    if (same_as == NULL) {
        return;
    }
    char path[PATH_SIZE];
    key_path(path, tests_dir, same_as);
    taap_public_key *other = NULL;
    if (CHECK_STATUS(taap_public_key_from_file(path, &other), TAAP_OK, path)) {
        CHECK(same_key(key, other), text(vector, "file"));
    }
    taap_public_key_free(other);
}

static void run_private_key_case(const char *tests_dir, const json_t *vector) {
    char path[PATH_SIZE];
    key_path(path, tests_dir, text(vector, "file"));
    const char *password = text(vector, "password");
    taap_status expected = status_of_kind(text(vector, "expect"));
    taap_private_key *key = NULL;
    if (!CHECK_STATUS(taap_private_key_from_file(path, password, &key), expected, path)) {
        taap_private_key_free(key);
        return;
    }
    CHECK((key != NULL) == (expected == TAAP_OK), "a key is written exactly on success");
    CHECK((taap_last_error_message() == NULL) == (expected == TAAP_OK), "an error message exactly on failure");
    taap_private_key *from_bytes = NULL;
    CHECK_STATUS(load_private_key_bytes(path, password, &from_bytes), expected, path);
    if (key != NULL && from_bytes != NULL) {
        taap_public_key *public_key = NULL, *public_from_bytes = NULL;
        CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, path);
        CHECK_STATUS(taap_private_key_public_key(from_bytes, &public_from_bytes), TAAP_OK, path);
        CHECK(same_key(public_key, public_from_bytes), "file and bytes give the same key");
        check_same_public_key(tests_dir, vector, public_key);
        taap_public_key_free(public_key);
        taap_public_key_free(public_from_bytes);
    }
    taap_private_key_free(from_bytes);
    taap_private_key_free(key);
}

static void run_public_key_case(const char *tests_dir, const json_t *vector) {
    char path[PATH_SIZE];
    key_path(path, tests_dir, text(vector, "file"));
    taap_public_key *key = NULL;
    if (CHECK_STATUS(taap_public_key_from_file(path, &key), status_of_kind(text(vector, "expect")), path) &&
        key != NULL) {
        check_same_public_key(tests_dir, vector, key);
    }
    taap_public_key_free(key);
}

static void run_keys(const char *tests_dir) {
    json_t *root = load_vectors(tests_dir, "keys.json");
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "private_keys"), index, vector) {
        run_private_key_case(tests_dir, vector);
    }
    json_array_foreach(json_object_get(root, "public_keys"), index, vector) {
        run_public_key_case(tests_dir, vector);
    }
    json_decref(root);
}

void test_vectors(const char *tests_dir) {
    run_tokens(tests_dir);
    run_requests(tests_dir);
    run_validator(tests_dir);
    run_keys(tests_dir);
}

/* The core's request rules through the C API: tests/vectors/policy.json (tokens from
 * T-Mobile's official builder) through taap_pop_token_sign_request and the taap_sign_policy
 * handles, and tests/vectors/request.json through taap_request_uri and
 * taap_validator_validate_request, the way core/tests/request_rules.rs runs them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_HEADERS 16

static json_t *load(const char *tests_dir, const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/vectors/%s", tests_dir, file);
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    CHECK(root != NULL, "a vector file loads");
    return root;
}

static const char *member(const json_t *object, const char *name) {
    return json_string_value(json_object_get(object, name));
}

/* The vector's headers as entries; room is left for one more (the PoP token). */
static size_t headers_of(const json_t *vector, taap_ehts_entry *entries) {
    const json_t *pairs = json_object_get(vector, "headers");
    size_t count = json_array_size(pairs);
    if (!CHECK(count < MAX_HEADERS, "a vector has fewer than MAX_HEADERS headers")) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        entries[i].name = json_string_value(json_array_get(json_array_get(pairs, i), 0));
        entries[i].value = json_string_value(json_array_get(json_array_get(pairs, i), 1));
    }
    return count;
}

/* Replaces *policy by `next` (made from it by a call that returned `status`), freeing the old one. */
static bool replace(taap_sign_policy **policy, taap_status status, taap_sign_policy *next, const char *what) {
    if (!CHECK_STATUS(status, TAAP_OK, what)) {
        return false;
    }
    taap_sign_policy_free(*policy);
    *policy = next;
    return true;
}

/* The policy a vector describes: `headers` or `all` (else the default), then `with`, `without`. */
static taap_sign_policy *policy_of(const json_t *spec) {
    taap_sign_policy *policy = NULL;
    const json_t *headers = json_object_get(spec, "headers");
    taap_status status;
    if (json_is_true(json_object_get(spec, "all"))) {
        status = taap_sign_policy_new_all_headers(&policy);
    } else if (json_is_array(headers)) {
        const char *names[MAX_HEADERS];
        size_t count = json_array_size(headers) < MAX_HEADERS ? json_array_size(headers) : MAX_HEADERS;
        for (size_t i = 0; i < count; i++) {
            names[i] = json_string_value(json_array_get(headers, i));
        }
        status = taap_sign_policy_new_headers(names, count, &policy);
    } else {
        status = taap_sign_policy_new_default(&policy);
    }
    if (!CHECK_STATUS(status, TAAP_OK, "a policy")) {
        return NULL;
    }
    size_t index;
    const json_t *name;
    json_array_foreach(json_object_get(spec, "with"), index, name) {
        taap_sign_policy *next = NULL;
        taap_status changed = taap_sign_policy_with_header(policy, json_string_value(name), &next);
        if (!replace(&policy, changed, next, "with")) {
            break;
        }
    }
    json_array_foreach(json_object_get(spec, "without"), index, name) {
        taap_sign_policy *next = NULL;
        taap_status changed = taap_sign_policy_without_header(policy, json_string_value(name), &next);
        if (!replace(&policy, changed, next, "without")) {
            break;
        }
    }
    return policy;
}

static taap_build_options pinned(const json_t *vector) {
    taap_build_options options = {0};
    options.ttl_secs = json_integer_value(json_object_get(vector, "ttl_secs"));
    options.iat = json_integer_value(json_object_get(vector, "iat"));
    options.iat_is_set = true;
    options.jti = member(vector, "jti");
    return options;
}

static taap_private_key *readme_key(const char *tests_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    taap_private_key *key = NULL;
    CHECK_STATUS(taap_private_key_from_file(path, NULL, &key), TAAP_OK, path);
    return key;
}

static void run_policy_vectors(const char *tests_dir, const taap_private_key *key) {
    json_t *root = load(tests_dir, "policy.json");
    const json_t *cases = json_object_get(root, "cases");
    CHECK(json_array_size(cases) == 11, "policy.json has 11 cases");
    size_t index;
    const json_t *vector;
    json_array_foreach(cases, index, vector) {
        const char *name = member(vector, "name");
        taap_sign_policy *policy = policy_of(json_object_get(vector, "policy"));
        taap_ehts_entry headers[MAX_HEADERS];
        size_t count = headers_of(vector, headers);
        const char *body = member(vector, "body");
        taap_build_options options = pinned(vector);
        char *token = NULL;
        taap_status status = taap_pop_token_sign_request(key, policy, member(vector, "method"), member(vector, "url"),
                                                         headers, count, (const uint8_t *)body, strlen(body), &options,
                                                         &token);
        if (CHECK_STATUS(status, TAAP_OK, name)) {
            CHECK_STRING(token, member(vector, "token"), name);
        }
        taap_string_free(token);
        taap_sign_policy_free(policy);
    }
    json_decref(root);
}

static void check_policy_edges(const taap_private_key *key) {
    /* A NULL policy is the docs' default: the same token as an explicit default policy. */
    taap_ehts_entry headers[] = {{"Accept", "*/*"}, {"content-type", " application/json "}};
    taap_build_options options = {0};
    options.iat = 1767225600;
    options.jti = "fixed";
    taap_sign_policy *docs = NULL;
    char *with_null = NULL;
    char *with_docs = NULL;
    CHECK_STATUS(taap_sign_policy_new_default(&docs), TAAP_OK, "default policy");
    CHECK_STATUS(taap_pop_token_sign_request(key, NULL, "post", "/a", headers, 2, NULL, 0, &options, &with_null),
                 TAAP_OK, "NULL policy");
    CHECK_STATUS(taap_pop_token_sign_request(key, docs, "post", "/a", headers, 2, NULL, 0, &options, &with_docs),
                 TAAP_OK, "default policy signs");
    CHECK_STRING(with_null, with_docs, "a NULL policy is the default policy");
    taap_pop_token *decoded = NULL;
    if (CHECK_STATUS(taap_pop_token_decode(with_null, &decoded), TAAP_OK, "decode")) {
        CHECK_STRING(taap_pop_token_claims(decoded)->ehts, "content-type;uri;http-method;body", "default ehts");
    }
    taap_pop_token_free(decoded);
    taap_string_free(with_null);
    taap_string_free(with_docs);

    /* Bad input: typed statuses, no output written, the policy untouched. */
    taap_sign_policy *out = NULL;
    CHECK_STATUS(taap_sign_policy_with_header(docs, "a;b", &out), TAAP_CONFIG, "a name with ';'");
    CHECK(out == NULL, "no policy on failure");
    CHECK(strstr(taap_last_error_message(), "is not a header name a PoP token can sign") != NULL, "config message");
    CHECK_STATUS(taap_sign_policy_without_header(docs, "", &out), TAAP_CONFIG, "an empty name");
    CHECK_STATUS(taap_sign_policy_with_header(NULL, "Accept", &out), TAAP_NULL_ARGUMENT, "NULL policy");
    CHECK_STATUS(taap_sign_policy_with_header(docs, NULL, &out), TAAP_NULL_ARGUMENT, "NULL name");
    CHECK_STATUS(taap_sign_policy_with_header(docs, "Accept", NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STATUS(taap_sign_policy_new_headers(NULL, 1, &out), TAAP_NULL_ARGUMENT, "NULL names");
    const char *names[] = {"Accept", NULL};
    CHECK_STATUS(taap_sign_policy_new_headers(names, 2, &out), TAAP_NULL_ARGUMENT, "a NULL name");
    CHECK_STATUS(taap_sign_policy_new_headers(names, 1, &out), TAAP_OK, "one name");
    taap_sign_policy_free(out);
    CHECK_STATUS(taap_sign_policy_new_headers(NULL, 0, &out), TAAP_OK, "no names");
    taap_sign_policy_free(out);
    taap_sign_policy_free(NULL);
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_sign_request(key, docs, "G T", "/a", NULL, 0, NULL, 0, NULL, &token),
                 TAAP_INVALID_EHTS, "a bad method");
    CHECK_STATUS(taap_pop_token_sign_request(key, docs, "GET", "ftp://h/a", NULL, 0, NULL, 0, NULL, &token),
                 TAAP_INVALID_EHTS, "a bad URL");
    CHECK_STATUS(taap_pop_token_sign_request(NULL, docs, "GET", "/a", NULL, 0, NULL, 0, NULL, &token),
                 TAAP_NULL_ARGUMENT, "NULL key");
    CHECK(token == NULL, "no token on failure");
    taap_sign_policy_free(docs);
}

static void run_request_vectors(const char *tests_dir, const taap_private_key *key) {
    json_t *root = load(tests_dir, "request.json");
    taap_public_key *public_key = NULL;
    taap_validator *validator = NULL;
    if (!CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key") ||
        !CHECK_STATUS(taap_validator_new(NULL, &validator), TAAP_OK, "validator")) {
        json_decref(root);
        taap_public_key_free(public_key);
        return;
    }
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        const char *name = member(vector, "name");
        char *uri = NULL;
        if (CHECK_STATUS(taap_request_uri(member(vector, "url"), &uri), TAAP_OK, name)) {
            CHECK_STRING(uri, member(vector, "expected_uri"), name);
        }
        taap_string_free(uri);

        /* The validator's clock is fixed per call through a validator made with `now`. */
        taap_validate_options options = {0};
        options.now = json_integer_value(json_object_get(vector, "iat")) + 1;
        taap_validator *at_iat = NULL;
        if (!CHECK_STATUS(taap_validator_new(&options, &at_iat), TAAP_OK, name)) {
            continue;
        }
        taap_ehts_entry headers[MAX_HEADERS];
        size_t count = headers_of(vector, headers);
        headers[count] = (taap_ehts_entry){"x-authorization", member(vector, "token")};
        const char *method = member(vector, "method");
        const char *url = member(vector, "target");
        const char *body = member(vector, "body");
        taap_pop_token *decoded = NULL;
        if (CHECK_STATUS(taap_validator_validate_request(at_iat, public_key, method, url, headers, count + 1,
                                                         (const uint8_t *)body, strlen(body), &decoded),
                         TAAP_OK, name)) {
            CHECK_STRING(taap_pop_token_claims(decoded)->ehts, member(vector, "expected_ehts"), name);
        }
        taap_pop_token_free(decoded);
        CHECK_STATUS(taap_validator_validate_request(at_iat, public_key, method, url, headers, count + 1,
                                                     (const uint8_t *)"tampered", 8, NULL),
                     TAAP_EDTS_MISMATCH, name);
        CHECK_STATUS(taap_validator_validate_request(at_iat, public_key, method, url, headers, count,
                                                     (const uint8_t *)body, strlen(body), NULL),
                     TAAP_INVALID_TOKEN, name);
        CHECK(strstr(taap_last_error_message(), "X-Authorization") != NULL, "the missing token is named");
        taap_validator_free(at_iat);
    }
    /* The real clock: the vectors' tokens are long expired. */
    const json_t *first = json_array_get(json_object_get(root, "cases"), 0);
    taap_ehts_entry headers[MAX_HEADERS];
    size_t count = headers_of(first, headers);
    headers[count] = (taap_ehts_entry){"X-Authorization", member(first, "token")};
    const char *body = member(first, "body");
    CHECK_STATUS(taap_validator_validate_request(validator, public_key, member(first, "method"), member(first, "url"),
                                                 headers, count + 1, (const uint8_t *)body, strlen(body), NULL),
                 TAAP_TOKEN_EXPIRED, "an old token by the clock");
    CHECK_STATUS(taap_validator_validate_request(validator, public_key, "GET", "ftp://h/x", NULL, 0, NULL, 0, NULL),
                 TAAP_INVALID_EHTS, "a bad target");
    CHECK_STATUS(taap_validator_validate_request(NULL, public_key, "GET", "/", NULL, 0, NULL, 0, NULL),
                 TAAP_NULL_ARGUMENT, "NULL validator");
    CHECK_STATUS(taap_validator_validate_request(validator, public_key, "GET", "/", NULL, 1, NULL, 0, NULL),
                 TAAP_NULL_ARGUMENT, "NULL headers with a count");

    char *text = NULL;
    CHECK_STATUS(taap_request_uri("/a?b=%00", &text), TAAP_INVALID_EHTS, "a NUL in the decoded query");
    CHECK_STATUS(taap_request_uri("ftp://h/x", &text), TAAP_INVALID_EHTS, "an ftp URL");
    CHECK_STATUS(taap_request_uri(NULL, &text), TAAP_NULL_ARGUMENT, "NULL url");
    CHECK(text == NULL, "no uri on failure");
    if (CHECK_STATUS(taap_request_method("patch", &text), TAAP_OK, "a method")) {
        CHECK_STRING(text, "PATCH", "the method upper-cased");
    }
    taap_string_free(text);
    text = NULL;
    CHECK_STATUS(taap_request_method("GE T", &text), TAAP_INVALID_EHTS, "a bad method");
    taap_validator_free(validator);
    taap_public_key_free(public_key);
    json_decref(root);
}

void test_request_rules(const char *tests_dir) {
    taap_private_key *key = readme_key(tests_dir);
    if (key == NULL) {
        return;
    }
    run_policy_vectors(tests_dir, key);
    check_policy_edges(key);
    run_request_vectors(tests_dir, key);
    taap_private_key_free(key);
}

/* taap_explain and the `uri` form of taap_validator_validate_request_as, with a token whose
 * signer wrote `uri` with the query as sent ("/a?q=a%20b") where the docs decode it
 * ("/a?q=a b"): the common real-world mismatch. The expected edts values were computed
 * outside taap: base64url(SHA-256(values joined)), e.g. with Python's hashlib. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

#define IAT 1767225600
#define JTI "4a2c0e6e-2f1b-4c59-9a7e-1d1d2f3a4b5c"
#define BEARER "Bearer s3cr3t-access-token-value"
#define URL "https://h/a?q=a%20b"
/* base64url(SHA-256(BEARER "/a?q=a%20b" "GET" "")): what the signer hashed. */
#define EDTS_SIGNED "peY3CvL7O9jQQ2ZD_F7bxvBu4XI6j9bscN9CZvbhK20"
/* base64url(SHA-256(BEARER "/a?q=a b" "GET" "")): what the docs' rules give the request. */
#define EDTS_DOCS "a_TMLEU-4i4mUOdEhqAvaukq-MGxEajJYimaFleBQ4A"

static const taap_ehts_entry SENT_HEADERS[] = {{"authorization", BEARER}};

/* A token over the ehts an SDK that keeps the query encoded signs. */
static char *encoded_uri_token(const taap_private_key *key) {
    const taap_ehts_entry ehts[] = {
        {"Authorization", BEARER}, {"uri", "/a?q=a%20b"}, {"http-method", "GET"}, {"body", ""}};
    taap_build_options options = {.iat = IAT, .jti = JTI};
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_build(key, ehts, 4, &options, &token), TAAP_OK, "the encoded-uri token");
    return token;
}

static const char *text_at(const json_t *root, const char *object, const char *member) {
    return json_string_value(json_object_get(object ? json_object_get(root, object) : root, member));
}

static json_int_t int_at(const json_t *root, const char *object, const char *member) {
    return json_integer_value(json_object_get(json_object_get(root, object), member));
}

/* Each signed value in order, masked where secret, with its length in bytes. */
static void check_entries(const json_t *entries) {
    const char *names[] = {"Authorization", "uri", "http-method", "body"};
    const char *values[] = {"Bearer ****", "/a?q=a b", "GET", ""};
    const json_int_t bytes[] = {32, 8, 3, 0};
    CHECK(json_array_size(entries) == 4, "four entries");
    for (size_t i = 0; i < 4 && i < json_array_size(entries); i++) {
        const json_t *entry = json_array_get(entries, i);
        CHECK_STRING(text_at(entry, NULL, "name"), names[i], "an entry's name");
        CHECK_STRING(text_at(entry, NULL, "value"), values[i], "an entry's shown value");
        CHECK(json_integer_value(json_object_get(entry, "bytes")) == bytes[i], "an entry's length");
    }
}

static void check_explanation(const char *text) {
    CHECK(strstr(text, "s3cr3t") == NULL, "the bearer token is masked in the whole explanation");
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (!CHECK(root != NULL, "the explanation is JSON")) {
        return;
    }
    CHECK(json_is_false(json_object_get(root, "valid")), "valid: false");
    CHECK_STRING(text_at(root, "header", "alg"), "RS256", "header.alg");
    CHECK_STRING(text_at(root, "claims", "jti"), JTI, "claims.jti");
    CHECK(int_at(root, "claims", "iat") == IAT && int_at(root, "claims", "exp") == IAT + 120, "claims iat, exp");
    CHECK(int_at(root, "time", "now") == IAT + 5 && int_at(root, "time", "expires_in") == 115, "time now, expires_in");
    CHECK(int_at(root, "time", "age") == 5 && json_is_true(json_object_get(json_object_get(root, "time"), "ok")),
          "time age, ok");
    check_entries(json_object_get(root, "entries"));
    CHECK_STRING(text_at(root, "edts", "claimed"), EDTS_SIGNED, "edts.claimed");
    CHECK_STRING(text_at(root, "edts", "computed"), EDTS_DOCS, "edts.computed");
    CHECK(json_is_false(json_object_get(json_object_get(root, "edts"), "matches")), "edts.matches: false");
    CHECK_STRING(text_at(root, NULL, "signature"), "valid", "signature");
    CHECK_STRING(text_at(root, "variant", "id"), "uri-encoded", "variant.id");
    CHECK_STRING(text_at(root, "variant", "description"),
                 "the signer hashed uri with the query as sent, not percent-decoded", "variant.description");
    const json_t *problems = json_object_get(root, "problems");
    CHECK(json_array_size(problems) == 1, "one problem");
    CHECK_STRING(json_string_value(json_array_get(problems, 0)),
                 "edts mismatch: the signer hashed uri with the query as sent, not percent-decoded (uri-encoded)",
                 "the problem");
    json_decref(root);
}

static void check_explain(const char *token, const taap_public_key *public_key) {
    taap_explain_options options = {.public_key = public_key, .now = IAT + 5};
    char *json = NULL;
    if (CHECK_STATUS(taap_explain(token, "GET", URL, SENT_HEADERS, 1, NULL, 0, &options, &json), TAAP_OK,
                     "explain a mismatch")) {
        check_explanation(json);
    }
    taap_string_free(json);
    json = NULL;
    /* Without options: the clock and no key; the signature is then not checked. */
    if (CHECK_STATUS(taap_explain(token, "GET", URL, SENT_HEADERS, 1, NULL, 0, NULL, &json), TAAP_OK,
                     "explain with the defaults")) {
        CHECK(strstr(json, "\"signature\":\"not-checked\"") != NULL, "no key: signature not checked");
    }
    taap_string_free(json);
    json = NULL;
    CHECK_STATUS(taap_explain("not-a-token", "GET", URL, NULL, 0, NULL, 0, NULL, &json), TAAP_INVALID_TOKEN,
                 "a token that does not decode");
    CHECK_STATUS(taap_explain(token, "GET", "ftp://h/a", NULL, 0, NULL, 0, NULL, &json), TAAP_INVALID_EHTS,
                 "an unusable URL");
    CHECK_STATUS(taap_explain(token, NULL, URL, NULL, 0, NULL, 0, NULL, &json), TAAP_NULL_ARGUMENT, "NULL method");
    CHECK_STRING(taap_last_error_message(), "method is NULL", "the message names the argument");
    CHECK_STATUS(taap_explain(token, "GET", URL, NULL, 2, NULL, 0, NULL, &json), TAAP_NULL_ARGUMENT,
                 "NULL headers with a count");
    CHECK_STATUS(taap_explain(token, "GET", URL, NULL, 0, NULL, 0, NULL, NULL), TAAP_NULL_ARGUMENT, "NULL out_json");
    CHECK(json == NULL, "nothing written on failure");
}

/* The same token through the validator: rejected with the docs' decoded `uri`, accepted when
 * the gateway is told the signer's form. */
static void check_uri_forms(const char *token, const taap_public_key *public_key) {
    taap_validate_options options = {.now = IAT + 1};
    taap_validator *validator = NULL;
    if (!CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_OK, "validator")) {
        return;
    }
    const taap_ehts_entry headers[] = {{"Authorization", BEARER}, {"X-Authorization", token}};
    CHECK_STATUS(taap_validator_validate_request(validator, public_key, "GET", "/a?q=a%20b", headers, 2, NULL, 0,
                                                 NULL),
                 TAAP_EDTS_MISMATCH, "the docs' form rejects it");
    const char *forms[] = {NULL, "decoded", "encoded"};
    const taap_status wanted[] = {TAAP_EDTS_MISMATCH, TAAP_EDTS_MISMATCH, TAAP_OK};
    for (size_t i = 0; i < 3; i++) {
        taap_pop_token *decoded = NULL;
        taap_status status = taap_validator_validate_request_as(validator, public_key, "GET", "/a?q=a%20b", headers,
                                                                2, NULL, 0, forms[i], &decoded);
        if (CHECK_STATUS(status, wanted[i], forms[i] ? forms[i] : "NULL form") && status == TAAP_OK) {
            CHECK_STRING(taap_pop_token_claims(decoded)->ehts, "Authorization;uri;http-method;body",
                         "the decoded token of the encoded form");
        }
        CHECK((status == TAAP_OK) == (decoded != NULL), "a decoded token only on success");
        taap_pop_token_free(decoded);
    }
    CHECK_STATUS(taap_validator_validate_request_as(validator, public_key, "GET", "/a?q=a%20b", headers, 2, NULL, 0,
                                                    "raw", NULL),
                 TAAP_CONFIG, "an unknown form");
    CHECK_STRING(taap_last_error_message(),
                 "invalid configuration: uri_form is \"raw\"; choose decoded (the docs) or encoded (the query as sent)",
                 "the message names the choices");
    CHECK_STATUS(taap_validator_validate_request_as(validator, public_key, "GET", "/a?q=a%20b", headers, 2, NULL, 0,
                                                    "enc\xff", NULL),
                 TAAP_INVALID_UTF8, "a form that is not UTF-8");
    taap_validator_free(validator);
}

void test_explain(const char *tests_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    taap_private_key *key = NULL;
    taap_public_key *public_key = NULL;
    if (CHECK_STATUS(taap_private_key_from_file(path, NULL, &key), TAAP_OK, path) &&
        CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key")) {
        char *token = encoded_uri_token(key);
        if (token != NULL) {
            check_explain(token, public_key);
            check_uri_forms(token, public_key);
        }
        taap_string_free(token);
    }
    taap_public_key_free(public_key);
    taap_private_key_free(key);
}

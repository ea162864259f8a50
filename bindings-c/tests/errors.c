/* Every error path of the C API: NULL arguments, corrupt keys, wrong passwords, bad ehts,
 * invalid UTF-8, bad options, and the ownership rules (frees accept NULL, outputs are written
 * only on success, objects outlive the ones they came from). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PATH_SIZE 1024

/* An output value that no call may write on failure. */
#define UNTOUCHED ((void *)0x5a5a5a5a)

static const char *const BAD_UTF8 = "caf\xc3\x28";

static const taap_ehts_entry ORDER[] = {
    {"Content-Type", "application/json"},
    {"uri", "/commerce/v1/orders"},
    {"http-method", "POST"},
    {"body", "{\"orderId\": 100}"},
};
#define ORDER_LEN (sizeof ORDER / sizeof ORDER[0])

static char *read_key(const char *tests_dir, const char *relative) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/keys/%s", tests_dir, relative);
    char *pem = read_file(path, NULL);
    CHECK(pem != NULL, path);
    return pem;
}

static bool message_contains(const char *needle) {
    const char *message = taap_last_error_message();
    return message != NULL && strstr(message, needle) != NULL;
}

/* Every status with its ABI value and name; the descriptions come from the core's error table,
 * which the Rust unit tests compare with taap.h. */
static const struct {
    taap_status status;
    unsigned value;
    const char *name;
} STATUSES[] = {
    {TAAP_OK, 0, "TAAP_OK"},
    {TAAP_INVALID_KEY, 1, "TAAP_INVALID_KEY"},
    {TAAP_KEY_DECRYPT, 2, "TAAP_KEY_DECRYPT"},
    {TAAP_INVALID_EHTS, 3, "TAAP_INVALID_EHTS"},
    {TAAP_INVALID_TOKEN, 4, "TAAP_INVALID_TOKEN"},
    {TAAP_TOKEN_EXPIRED, 5, "TAAP_TOKEN_EXPIRED"},
    {TAAP_TOKEN_TOO_OLD, 6, "TAAP_TOKEN_TOO_OLD"},
    {TAAP_SIGNATURE_INVALID, 7, "TAAP_SIGNATURE_INVALID"},
    {TAAP_EDTS_MISMATCH, 8, "TAAP_EDTS_MISMATCH"},
    {TAAP_MISSING_EHTS_VALUE, 9, "TAAP_MISSING_EHTS_VALUE"},
    {TAAP_REPLAY, 10, "TAAP_REPLAY"},
    {TAAP_OAUTH, 11, "TAAP_OAUTH"},
    {TAAP_TRANSPORT, 12, "TAAP_TRANSPORT"},
    {TAAP_CONFIG, 13, "TAAP_CONFIG"},
    {TAAP_KEY_SOURCE_UNAVAILABLE, 14, "TAAP_KEY_SOURCE_UNAVAILABLE"},
    {TAAP_NULL_ARGUMENT, 100, "TAAP_NULL_ARGUMENT"},
    {TAAP_INVALID_UTF8, 101, "TAAP_INVALID_UTF8"},
    {TAAP_PANIC, 102, "TAAP_PANIC"},
};

static void test_status_names(void) {
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++) {
        CHECK((unsigned)STATUSES[i].status == STATUSES[i].value, STATUSES[i].name);
        CHECK_STRING(taap_status_name(STATUSES[i].status), STATUSES[i].name, "status name");
        const char *description = taap_status_description(STATUSES[i].status);
        CHECK(description != NULL && strlen(description) > 0, STATUSES[i].name);
    }
    CHECK_STRING(taap_status_description(TAAP_TOKEN_EXPIRED), "The token's `exp` lies in the past, beyond the leeway.",
                 "description of TAAP_TOKEN_EXPIRED");
    CHECK_STRING(taap_status_description(TAAP_OK), "The call succeeded.", "description of TAAP_OK");
    CHECK_STRING(taap_status_name((taap_status)15), NULL, "no name for an unused value");
    CHECK_STRING(taap_status_name((taap_status)9999), NULL, "no name for a value out of range");
    CHECK_STRING(taap_status_description((taap_status)15), NULL, "no description for an unused value");
    CHECK_STRING(taap_version(), TAAP_EXPECTED_VERSION, "taap_version");
}

static void test_null_key_arguments(const char *pem) {
    taap_private_key *key = UNTOUCHED;
    taap_public_key *public_key = UNTOUCHED;
    CHECK_STATUS(taap_private_key_from_pem(NULL, NULL, &key), TAAP_NULL_ARGUMENT, "from_pem(NULL pem)");
    CHECK(message_contains("pem is NULL"), "the message names the argument");
    CHECK_STATUS(taap_private_key_from_pem(pem, NULL, NULL), TAAP_NULL_ARGUMENT, "from_pem(NULL out)");
    CHECK_STATUS(taap_private_key_from_pem_cached(NULL, NULL, &key), TAAP_NULL_ARGUMENT, "from_pem_cached");
    CHECK_STATUS(taap_private_key_from_der(NULL, 10, NULL, &key), TAAP_NULL_ARGUMENT, "from_der(NULL, 10)");
    CHECK_STATUS(taap_private_key_from_file(NULL, NULL, &key), TAAP_NULL_ARGUMENT, "from_file(NULL path)");
    CHECK_STATUS(taap_private_key_generate(2048, NULL), TAAP_NULL_ARGUMENT, "generate(NULL out)");
    CHECK_STATUS(taap_private_key_public_key(NULL, &public_key), TAAP_NULL_ARGUMENT, "public_key(NULL)");
    CHECK_STATUS(taap_public_key_from_pem(NULL, &public_key), TAAP_NULL_ARGUMENT, "public from_pem(NULL)");
    CHECK_STATUS(taap_public_key_from_jwk(NULL, &public_key), TAAP_NULL_ARGUMENT, "from_jwk(NULL)");
    CHECK_STATUS(taap_public_key_from_der(NULL, 1, &public_key), TAAP_NULL_ARGUMENT, "public from_der(NULL, 1)");
    CHECK_STATUS(taap_public_key_from_file(NULL, &public_key), TAAP_NULL_ARGUMENT, "public from_file(NULL)");
    char *text = UNTOUCHED;
    CHECK_STATUS(taap_public_key_to_pem(NULL, &text), TAAP_NULL_ARGUMENT, "to_pem(NULL)");
    CHECK_STATUS(taap_public_key_to_jwk(NULL, &text), TAAP_NULL_ARGUMENT, "to_jwk(NULL)");
    CHECK_STATUS(taap_public_key_thumbprint(NULL, &text), TAAP_NULL_ARGUMENT, "thumbprint(NULL)");
    CHECK_STATUS(taap_private_key_to_pem(NULL, &text), TAAP_NULL_ARGUMENT, "private to_pem(NULL)");
    CHECK(key == UNTOUCHED && public_key == UNTOUCHED && text == UNTOUCHED, "outputs untouched on failure");
    CHECK(taap_private_key_bits(NULL) == 0 && taap_public_key_bits(NULL) == 0, "bits of NULL is 0");
}

static void test_null_token_arguments(const taap_private_key *key, const taap_public_key *public_key) {
    char *token = UNTOUCHED;
    taap_ehts_entry null_name[] = {{"uri", "/"}, {NULL, "x"}};
    taap_ehts_entry null_value[] = {{"uri", NULL}};
    CHECK_STATUS(taap_pop_token_build(NULL, ORDER, ORDER_LEN, NULL, &token), TAAP_NULL_ARGUMENT, "build(NULL key)");
    CHECK(message_contains("key is NULL"), "the message names the key");
    CHECK_STATUS(taap_pop_token_build(key, NULL, 3, NULL, &token), TAAP_NULL_ARGUMENT, "build(NULL ehts, 3)");
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, NULL, NULL), TAAP_NULL_ARGUMENT, "build(NULL out)");
    CHECK_STATUS(taap_pop_token_build(key, null_name, 2, NULL, &token), TAAP_NULL_ARGUMENT, "build(NULL name)");
    CHECK(message_contains("ehts[1].name is NULL"), "the message names the entry");
    CHECK_STATUS(taap_pop_token_build(key, null_value, 1, NULL, &token), TAAP_NULL_ARGUMENT, "build(NULL value)");
    CHECK_STATUS(taap_pop_token_for_request(key, NULL, "/x", NULL, 0, NULL, 0, &token), TAAP_NULL_ARGUMENT,
                 "for_request(NULL method)");
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", NULL, NULL, 0, NULL, 0, &token), TAAP_NULL_ARGUMENT,
                 "for_request(NULL url)");
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", "/x", NULL, 0, NULL, 5, &token), TAAP_NULL_ARGUMENT,
                 "for_request(NULL body, 5)");
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", "/x", NULL, 2, NULL, 0, &token), TAAP_NULL_ARGUMENT,
                 "for_request(NULL headers, 2)");
    CHECK(token == UNTOUCHED, "no token written on failure");

    taap_pop_token *decoded = UNTOUCHED;
    CHECK_STATUS(taap_pop_token_decode(NULL, &decoded), TAAP_NULL_ARGUMENT, "decode(NULL)");
    CHECK(decoded == UNTOUCHED, "no decoded token written on failure");
    CHECK(taap_pop_token_claims(NULL) == NULL, "claims of NULL is NULL");
    CHECK_STATUS(taap_pop_token_validate(NULL, public_key, ORDER, ORDER_LEN, NULL), TAAP_NULL_ARGUMENT,
                 "validate(NULL token)");
    CHECK_STATUS(taap_pop_token_validate("a.b.c", NULL, ORDER, ORDER_LEN, NULL), TAAP_NULL_ARGUMENT,
                 "validate(NULL key)");
    taap_validator *validator = UNTOUCHED;
    CHECK_STATUS(taap_validator_new(NULL, NULL), TAAP_NULL_ARGUMENT, "validator_new(NULL out)");
    CHECK_STATUS(taap_validator_validate(NULL, "a.b.c", public_key, ORDER, ORDER_LEN, NULL), TAAP_NULL_ARGUMENT,
                 "validator_validate(NULL validator)");
    CHECK(validator == UNTOUCHED, "no validator written on failure");
}

static void test_corrupt_keys(const char *tests_dir, const char *pem) {
    taap_private_key *key = UNTOUCHED;
    taap_public_key *public_key = UNTOUCHED;
    CHECK_STATUS(taap_private_key_from_pem("", NULL, &key), TAAP_INVALID_KEY, "empty PEM");
    CHECK_STATUS(taap_private_key_from_pem("not a key at all", NULL, &key), TAAP_INVALID_KEY, "text PEM");

    char *truncated = strdup(pem);
    truncated[strlen(truncated) / 2] = '\0';
    CHECK_STATUS(taap_private_key_from_pem(truncated, NULL, &key), TAAP_INVALID_KEY, "truncated PEM");
    free(truncated);

    /* Swap one base64 character in the middle of the key body. */
    char *corrupted = strdup(pem);
    char *middle = corrupted + strlen(corrupted) / 2;
    *middle = *middle == 'A' ? 'B' : 'A';
    CHECK_STATUS(taap_private_key_from_pem(corrupted, NULL, &key), TAAP_INVALID_KEY, "corrupted PEM");
    free(corrupted);

    const uint8_t garbage[] = {0x30, 0x82, 0x01, 0x00, 0xff};
    CHECK_STATUS(taap_private_key_from_der(garbage, sizeof garbage, NULL, &key), TAAP_INVALID_KEY, "garbage DER");
    CHECK_STATUS(taap_private_key_from_der(garbage, 0, NULL, &key), TAAP_INVALID_KEY, "empty DER");

    char *public_pem = read_key(tests_dir, "tmobile/readme-public.pem");
    CHECK_STATUS(taap_private_key_from_pem(public_pem, NULL, &key), TAAP_INVALID_KEY, "a public key as private");
    CHECK_STATUS(taap_public_key_from_pem(pem, &public_key), TAAP_INVALID_KEY, "a private key as public");
    free(public_pem);

    CHECK_STATUS(taap_public_key_from_jwk("{}", &public_key), TAAP_INVALID_KEY, "empty JWK");
    CHECK_STATUS(taap_public_key_from_jwk("not json", &public_key), TAAP_INVALID_KEY, "JWK not JSON");
    CHECK_STATUS(taap_public_key_from_jwk("{\"kty\":\"EC\",\"crv\":\"P-256\"}", &public_key), TAAP_INVALID_KEY,
                 "EC JWK");
    CHECK_STATUS(taap_private_key_from_file("/nonexistent/taap/key.pem", NULL, &key), TAAP_INVALID_KEY,
                 "missing key file");
    CHECK_STATUS(taap_private_key_generate(1024, &key), TAAP_CONFIG, "generate(1024)");
    CHECK(key == UNTOUCHED && public_key == UNTOUCHED, "outputs untouched on failure");
}

static void test_passwords(const char *tests_dir) {
    char *encrypted = read_key(tests_dir, "tmobile/pbes2-aes256-a-private.pem");
    taap_private_key *key = UNTOUCHED;
    CHECK_STATUS(taap_private_key_from_pem(encrypted, "wrong-password", &key), TAAP_KEY_DECRYPT, "wrong password");
    CHECK(taap_last_error_message() != NULL && !message_contains("wrong-password"),
          "the message does not repeat the password");
    CHECK_STATUS(taap_private_key_from_pem(encrypted, NULL, &key), TAAP_KEY_DECRYPT, "missing password");
    CHECK_STATUS(taap_private_key_from_pem(encrypted, "", &key), TAAP_KEY_DECRYPT, "empty password");
    CHECK(key == UNTOUCHED, "no key written on failure");
    CHECK_STATUS(taap_private_key_from_pem(encrypted, "foobar", &key), TAAP_OK, "right password");
    CHECK(taap_last_error_message() == NULL, "success clears the last error");
    taap_private_key_free(key);
    free(encrypted);
}

static void test_bad_ehts(const taap_private_key *key) {
    char *token = UNTOUCHED;
    const taap_ehts_entry duplicate[] = {{"uri", "/a"}, {"uri", "/b"}};
    const taap_ehts_entry semicolon[] = {{"a;b", "x"}};
    const taap_ehts_entry blank[] = {{"uri", "/"}, {"  ", "x"}};
    CHECK_STATUS(taap_pop_token_build(key, ORDER, 0, NULL, &token), TAAP_INVALID_EHTS, "no entries");
    CHECK_STATUS(taap_pop_token_build(key, NULL, 0, NULL, &token), TAAP_INVALID_EHTS, "NULL with no entries");
    CHECK_STATUS(taap_pop_token_build(key, duplicate, 2, NULL, &token), TAAP_INVALID_EHTS, "duplicate name");
    CHECK(message_contains("entry 1 (\"uri\") repeats the name of entry 0"), "the message names the entry");
    CHECK_STATUS(taap_pop_token_build(key, semicolon, 1, NULL, &token), TAAP_INVALID_EHTS, "';' in a name");
    CHECK_STATUS(taap_pop_token_build(key, blank, 2, NULL, &token), TAAP_INVALID_EHTS, "blank name");

    static char names[101][8];
    taap_ehts_entry many[101];
    for (int i = 0; i < 101; i++) {
        snprintf(names[i], sizeof names[i], "h%d", i);
        many[i].name = names[i];
        many[i].value = "";
    }
    CHECK_STATUS(taap_pop_token_build(key, many, 101, NULL, &token), TAAP_INVALID_EHTS, "101 entries");
    CHECK(token == UNTOUCHED, "no token written on failure");
    CHECK_STATUS(taap_pop_token_build(key, many, 100, NULL, &token), TAAP_OK, "100 entries");
    taap_string_free(token);

    token = UNTOUCHED;
    const taap_ehts_entry header_named_uri[] = {{"uri", "/y"}};
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", "/x", header_named_uri, 1, NULL, 0, &token),
                 TAAP_INVALID_EHTS, "a header named uri");
    CHECK_STATUS(taap_pop_token_for_request(key, "GE T", "/x", NULL, 0, NULL, 0, &token), TAAP_INVALID_EHTS,
                 "a method with a space");
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", "ftp://h/x", NULL, 0, NULL, 0, &token), TAAP_INVALID_EHTS,
                 "an ftp URL");
    CHECK(token == UNTOUCHED, "no token written on failure");
}

static void test_invalid_utf8(const taap_private_key *key, const taap_public_key *public_key) {
    char *token = UNTOUCHED;
    const taap_ehts_entry bad_name[] = {{"uri", "/"}, {BAD_UTF8, "x"}};
    CHECK_STATUS(taap_pop_token_build(key, bad_name, 2, NULL, &token), TAAP_INVALID_UTF8, "name not UTF-8");
    CHECK(message_contains("ehts[1].name is not valid UTF-8"), "the message names the entry");
    const taap_ehts_entry latin1_value[] = {{"X-Name", "J\xfcrgen"}};
    CHECK_STATUS(taap_pop_token_build(key, latin1_value, 1, NULL, &token), TAAP_OK, "values are signed as bytes");
    taap_string_free(token);

    token = UNTOUCHED;
    CHECK_STATUS(taap_pop_token_for_request(key, BAD_UTF8, "/x", NULL, 0, NULL, 0, &token), TAAP_INVALID_UTF8,
                 "method not UTF-8");
    CHECK_STATUS(taap_pop_token_for_request(key, "GET", BAD_UTF8, NULL, 0, NULL, 0, &token), TAAP_INVALID_UTF8,
                 "url not UTF-8");
    taap_build_options options = {0};
    options.jti = BAD_UTF8;
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, &options, &token), TAAP_INVALID_UTF8, "jti not UTF-8");
    CHECK(token == UNTOUCHED, "no token written on failure");

    taap_public_key *from_jwk = UNTOUCHED;
    CHECK_STATUS(taap_public_key_from_jwk(BAD_UTF8, &from_jwk), TAAP_INVALID_UTF8, "JWK not UTF-8");
    CHECK(from_jwk == UNTOUCHED, "no key written on failure");
    CHECK_STATUS(taap_pop_token_validate(BAD_UTF8, public_key, ORDER, ORDER_LEN, NULL), TAAP_INVALID_UTF8,
                 "token not UTF-8");
    taap_pop_token *decoded = UNTOUCHED;
    CHECK_STATUS(taap_pop_token_decode(BAD_UTF8, &decoded), TAAP_INVALID_UTF8, "decode of a token not UTF-8");
    CHECK(decoded == UNTOUCHED, "no decoded token written on failure");
}

static void test_options(const taap_private_key *key, const taap_public_key *public_key) {
    char *token = UNTOUCHED;
    taap_build_options build = {0};
    build.ttl_secs = 3601;
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, &build, &token), TAAP_CONFIG, "ttl above an hour");
    build.ttl_secs = -5;
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, &build, &token), TAAP_CONFIG, "negative ttl");
    build.ttl_secs = 0;
    build.iat = -1;
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, &build, &token), TAAP_CONFIG, "negative iat");
    build.iat = 0;
    build.jti = "";
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, &build, &token), TAAP_CONFIG, "empty jti");
    CHECK(token == UNTOUCHED, "no token written on failure");

    taap_validator *validator = UNTOUCHED;
    taap_validate_options options = {0};
    options.leeway_secs = 301;
    CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_CONFIG, "leeway above 300 s");
    options.leeway_secs = 0;
    options.max_age_secs = 3601;
    CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_CONFIG, "max age above an hour");
    options.max_age_secs = 0;
    const char *required[] = {"uri", "a;b"};
    options.required = required;
    options.required_len = 2;
    CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_CONFIG, "a required name with ';'");
    options.required = NULL;
    CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_NULL_ARGUMENT, "NULL required with a length");
    const char *bad_required[] = {BAD_UTF8};
    options.required = bad_required;
    options.required_len = 1;
    CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_INVALID_UTF8, "a required name not UTF-8");
    CHECK(validator == UNTOUCHED, "no validator written on failure");
    options.required_len = 0;
    options.replay_cache = 16;
    CHECK_STATUS(taap_pop_token_validate("a.b.c", public_key, ORDER, ORDER_LEN, &options), TAAP_CONFIG,
                 "a replay cache on a one-shot validation");
}

/* Tokens build with the defaults, validate, decode, and fail exactly when they should. */
static void test_round_trip(const taap_private_key *key, const taap_public_key *public_key) {
    char *token = NULL;
    if (!CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, NULL, &token), TAAP_OK, "build with defaults")) {
        return;
    }
    CHECK(taap_last_error_message() == NULL, "no message after success");
    CHECK_STATUS(taap_pop_token_validate(token, public_key, ORDER, ORDER_LEN, NULL), TAAP_OK, "validate");
    taap_ehts_entry changed[ORDER_LEN];
    memcpy(changed, ORDER, sizeof changed);
    changed[3].value = "{\"orderId\": 101}";
    CHECK_STATUS(taap_pop_token_validate(token, public_key, changed, ORDER_LEN, NULL), TAAP_EDTS_MISMATCH,
                 "a changed body");
    CHECK_STATUS(taap_pop_token_validate(token, public_key, ORDER, ORDER_LEN - 1, NULL), TAAP_MISSING_EHTS_VALUE,
                 "a missing body");
    taap_validate_options later = {0};
    later.now = (int64_t)1e10;
    CHECK_STATUS(taap_pop_token_validate(token, public_key, ORDER, ORDER_LEN, &later), TAAP_TOKEN_EXPIRED,
                 "validated far in the future");

    taap_pop_token *decoded = NULL;
    if (CHECK_STATUS(taap_pop_token_decode(token, &decoded), TAAP_OK, "decode")) {
        const taap_claims *claims = taap_pop_token_claims(decoded);
        CHECK_STRING(claims->ehts, "Content-Type;uri;http-method;body", "decoded ehts");
        CHECK(claims->exp - claims->iat == 120, "default validity is 120 s");
        CHECK(strlen(claims->jti) == 36 && claims->jti[14] == '4', "default jti is a UUID v4");
        taap_pop_token_free(decoded);
    }

    char *second = NULL;
    CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, NULL, &second), TAAP_OK, "build again");
    CHECK(second != NULL && strcmp(token, second) != 0, "every token is fresh");
    taap_string_free(second);

    taap_pop_token *out = NULL;
    CHECK_STATUS(taap_pop_token_decode("a.b", &out), TAAP_INVALID_TOKEN, "two-part token");
    CHECK_STATUS(taap_pop_token_validate("", public_key, ORDER, ORDER_LEN, NULL), TAAP_INVALID_TOKEN, "empty token");
    taap_string_free(token);
}

/* A validator keeps decoded tokens and replay state; its outputs outlive it. */
static void test_validator_ownership(const taap_private_key *key, const taap_public_key *public_key) {
    char *token = NULL;
    taap_validate_options options = {0};
    options.replay_cache = 4;
    taap_validator *validator = NULL;
    if (!CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, NULL, &token), TAAP_OK, "build") ||
        !CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_OK, "validator_new")) {
        taap_string_free(token);
        return;
    }
    taap_pop_token *decoded = NULL;
    CHECK_STATUS(taap_validator_validate(validator, token, public_key, ORDER, ORDER_LEN, &decoded), TAAP_OK,
                 "first use");
    taap_pop_token *replayed = UNTOUCHED;
    CHECK_STATUS(taap_validator_validate(validator, token, public_key, ORDER, ORDER_LEN, &replayed), TAAP_REPLAY,
                 "replay");
    CHECK(replayed == UNTOUCHED, "no decoded token written for a replay");
    taap_validator_free(validator);
    const taap_claims *claims = taap_pop_token_claims(decoded);
    CHECK(claims != NULL && strcmp(claims->v, "1") == 0, "a decoded token outlives its validator");
    taap_pop_token_free(decoded);
    taap_string_free(token);
}

/* Frees accept NULL; objects made from others stay valid after those are freed. */
static void test_ownership(const char *pem) {
    taap_private_key_free(NULL);
    taap_public_key_free(NULL);
    taap_pop_token_free(NULL);
    taap_validator_free(NULL);
    taap_string_free(NULL);

    taap_private_key *key = NULL;
    taap_public_key *public_key = NULL;
    char *token = NULL;
    if (!CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, "load") ||
        !CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key") ||
        !CHECK_STATUS(taap_pop_token_build(key, ORDER, ORDER_LEN, NULL, &token), TAAP_OK, "build")) {
        taap_private_key_free(key);
        taap_public_key_free(public_key);
        return;
    }
    taap_private_key_free(key);
    key = NULL; /* the pattern the header recommends: a second free is then harmless */
    taap_private_key_free(key);
    CHECK_STATUS(taap_pop_token_validate(token, public_key, ORDER, ORDER_LEN, NULL), TAAP_OK,
                 "the public key and token outlive the private key");
    taap_string_free(token);
    taap_public_key_free(public_key);

    taap_private_key *cached = NULL, *again = NULL;
    CHECK_STATUS(taap_private_key_from_pem_cached(pem, NULL, &cached), TAAP_OK, "cached load");
    CHECK_STATUS(taap_private_key_from_pem_cached(pem, NULL, &again), TAAP_OK, "cached load again");
    taap_private_key_cache_clear();
    CHECK(taap_private_key_bits(cached) == 2048 && taap_private_key_bits(again) == 2048,
          "cached keys stay valid after the cache is cleared");
    taap_private_key_free(cached);
    taap_private_key_free(again);
}

/* A generated key exports to PEM that loads back to the same key. */
static void test_generate(void) {
    taap_private_key *key = NULL, *reloaded = NULL;
    taap_public_key *public_key = NULL, *public_reloaded = NULL;
    char *pem = NULL, *first = NULL, *second = NULL, *jwk = NULL;
    if (CHECK_STATUS(taap_private_key_generate(0, &key), TAAP_OK, "generate the default size") &&
        CHECK(taap_private_key_bits(key) == 2048, "the default size is 2048 bits") &&
        CHECK_STATUS(taap_private_key_to_pem(key, &pem), TAAP_OK, "export") &&
        CHECK(strncmp(pem, "-----BEGIN PRIVATE KEY-----", 27) == 0, "PKCS#8 PEM") &&
        CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &reloaded), TAAP_OK, "reload") &&
        CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key") &&
        CHECK_STATUS(taap_private_key_public_key(reloaded, &public_reloaded), TAAP_OK, "public key again") &&
        CHECK_STATUS(taap_public_key_thumbprint(public_key, &first), TAAP_OK, "thumbprint") &&
        CHECK_STATUS(taap_public_key_thumbprint(public_reloaded, &second), TAAP_OK, "thumbprint again") &&
        CHECK_STATUS(taap_public_key_to_jwk(public_key, &jwk), TAAP_OK, "JWK")) {
        CHECK_STRING(first, second, "the reloaded key is the same key");
        CHECK(strstr(jwk, "\"kty\":\"RSA\"") != NULL, "the JWK is an RSA JWK");
    }
    taap_string_free(jwk);
    taap_string_free(first);
    taap_string_free(second);
    taap_string_free(pem);
    taap_public_key_free(public_key);
    taap_public_key_free(public_reloaded);
    taap_private_key_free(reloaded);
    taap_private_key_free(key);
}

void test_errors(const char *tests_dir) {
    char *pem = read_key(tests_dir, "tmobile/readme-private-pkcs8.pem");
    taap_private_key *key = NULL;
    taap_public_key *public_key = NULL;
    if (pem == NULL || !CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, "load the test key") ||
        !CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "its public key")) {
        free(pem);
        return;
    }
    test_status_names();
    test_null_key_arguments(pem);
    test_null_token_arguments(key, public_key);
    test_corrupt_keys(tests_dir, pem);
    test_passwords(tests_dir);
    test_bad_ehts(key);
    test_invalid_utf8(key, public_key);
    test_options(key, public_key);
    test_round_trip(key, public_key);
    test_validator_ownership(key, public_key);
    test_ownership(pem);
    test_generate();
    taap_public_key_free(public_key);
    taap_private_key_free(key);
    free(pem);
}

/* taap_signer through the C API: every token vector (tokens.json), request vector
 * (request.json) and policy vector (policy.json) built through taap_signer_from_callback,
 * whose callback answers with the vector's own signature (the token's third part) after
 * checking that the digest it is given is the SHA-256 of the vector's signing input, computed
 * here without taap; the callback's failures and bad signatures; in-memory signers; and, when
 * scripts/test.sh made a SoftHSM2 token (TAAP_TEST_PKCS11_URI, TAAP_TEST_PKCS11_PIN; it also sets
 * TAAP_TEST_REQUIRE_PKCS11, so that its runs fail rather than skip without them),
 * taap_signer_open on a `pkcs11:` URI giving the vectors' bytes, its label never showing a PIN,
 * and a client signing with it against the test gateway. */
#define _POSIX_C_SOURCE 200809L /* setenv, unsetenv */

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MAX_PAIRS 128
#define MAX_SIGNATURE 1024
#define PATH_SIZE 1024
#define README_KEY "tmobile/readme-private-pkcs8.pem"

/* ---- SHA-256 (FIPS 180-4), to check the digest taap hands the callback independently ---- */

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_block(uint32_t h[8], const uint8_t block[64]) {
    uint32_t w[64];
    for (int i = 0; i < 16; i++) {
        w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 | (uint32_t)block[4 * i + 2] << 8 |
               (uint32_t)block[4 * i + 3];
    }
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    size_t done = 0;
    for (; len - done >= 64; done += 64) {
        sha256_block(h, data + done);
    }
    uint8_t tail[128] = {0};
    size_t rest = len - done;
    memcpy(tail, data + done, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++) {
        tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    }
    for (size_t at = 0; at < tail_len; at += 64) {
        sha256_block(h, tail + at);
    }
    for (int i = 0; i < 32; i++) {
        out[i] = (uint8_t)(h[i / 4] >> (24 - 8 * (i % 4)));
    }
}

/* base64url without padding into `out` (at most `capacity` bytes); the byte count, or 0. */
static size_t base64url_decode(const char *text, uint8_t *out, size_t capacity) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint32_t buffer = 0;
    unsigned bits = 0;
    size_t len = 0;
    for (const char *at = text; *at != '\0'; at++) {
        const char *found = strchr(alphabet, *at);
        if (found == NULL) {
            return 0;
        }
        buffer = buffer << 6 | (uint32_t)(found - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (len == capacity) {
                return 0;
            }
            out[len++] = (uint8_t)(buffer >> bits);
        }
    }
    return len;
}

/* ---- the callback ---- */

enum answer { ANSWER_SIGNATURE, ANSWER_FAIL, ANSWER_SHORT, ANSWER_CORRUPT, ANSWER_OVERLONG };

/* What the callback expects and answers: the vector's digest and signature. */
struct expected {
    uint8_t digest[32];
    uint8_t signature[MAX_SIGNATURE];
    size_t signature_len;
    enum answer answer;
    int32_t fail_code;
    unsigned calls;
    bool digest_mismatch;
    bool buffer_mismatch;
};

static int32_t sign_from_vector(void *context, const uint8_t *digest, uint8_t *signature, size_t *signature_len) {
    struct expected *expected = context;
    expected->calls++;
    if (memcmp(digest, expected->digest, 32) != 0) {
        expected->digest_mismatch = true;
        return 77;
    }
    if (*signature_len != expected->signature_len) {
        expected->buffer_mismatch = true;
        return 78;
    }
    switch (expected->answer) {
    case ANSWER_FAIL:
        return expected->fail_code;
    case ANSWER_SHORT:
        /* A device that drops the leading byte (as some strip leading zeros). */
        memcpy(signature, expected->signature + 1, expected->signature_len - 1);
        *signature_len = expected->signature_len - 1;
        return 0;
    case ANSWER_OVERLONG:
        *signature_len = expected->signature_len + 1;
        return 0;
    case ANSWER_CORRUPT:
        memcpy(signature, expected->signature, expected->signature_len);
        signature[expected->signature_len / 2] ^= 0x01;
        return 0;
    case ANSWER_SIGNATURE:
        break;
    }
    memcpy(signature, expected->signature, expected->signature_len);
    return 0;
}

/* Fills `expected` from a vector's token: the digest of its signing input (the text before
 * the second '.') and its signature (the third part). */
static bool expect_token(struct expected *expected, const char *token) {
    memset(expected, 0, sizeof *expected);
    const char *first = token == NULL ? NULL : strchr(token, '.');
    const char *second = first == NULL ? NULL : strchr(first + 1, '.');
    if (!CHECK(second != NULL, "a vector token has three parts")) {
        return false;
    }
    sha256((const uint8_t *)token, (size_t)(second - token), expected->digest);
    expected->signature_len = base64url_decode(second + 1, expected->signature, sizeof expected->signature);
    return CHECK(expected->signature_len >= 128, "a vector token's signature decodes");
}

/* ---- helpers ---- */

static json_t *load(const char *tests_dir, const char *file) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/vectors/%s", tests_dir, file);
    json_error_t error;
    json_t *root = json_load_file(path, 0, &error);
    CHECK(root != NULL, "a vector file loads");
    return root;
}

static const char *member(const json_t *object, const char *name) {
    return json_string_value(json_object_get(object, name));
}

static size_t pairs_of(const json_t *pairs, taap_ehts_entry *entries) {
    size_t count = json_array_size(pairs);
    if (!CHECK(count <= MAX_PAIRS, "a vector has at most MAX_PAIRS pairs")) {
        return 0;
    }
    for (size_t i = 0; i < count; i++) {
        entries[i].name = json_string_value(json_array_get(json_array_get(pairs, i), 0));
        entries[i].value = json_string_value(json_array_get(json_array_get(pairs, i), 1));
    }
    return count;
}

static taap_build_options pinned(const json_t *vector) {
    taap_build_options options = {0};
    options.ttl_secs = json_integer_value(json_object_get(vector, "ttl_secs"));
    options.iat = json_integer_value(json_object_get(vector, "iat"));
    options.iat_is_set = true;
    options.jti = member(vector, "jti");
    return options;
}

/* The public key of the vector's private key file. */
static taap_public_key *public_key_of(const char *tests_dir, const char *key, const char *password) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/keys/%s", tests_dir, key != NULL ? key : README_KEY);
    taap_private_key *private_key = NULL;
    taap_public_key *public_key = NULL;
    if (CHECK_STATUS(taap_private_key_from_file(path, password, &private_key), TAAP_OK, path)) {
        CHECK_STATUS(taap_private_key_public_key(private_key, &public_key), TAAP_OK, path);
    }
    taap_private_key_free(private_key);
    return public_key;
}

static taap_signer *callback_signer(const taap_public_key *public_key, struct expected *expected, const char *label) {
    taap_signer *signer = NULL;
    CHECK_STATUS(taap_signer_from_callback(public_key, sign_from_vector, expected, label, &signer), TAAP_OK,
                 "a callback signer");
    return signer;
}

static void check_one_call(const struct expected *expected, const char *name) {
    CHECK(expected->calls == 1, name);
    CHECK(!expected->digest_mismatch, "the callback gets the SHA-256 of the signing input");
    CHECK(!expected->buffer_mismatch, "the callback's buffer is the modulus length");
}

static void check_string_and_free(char *got, const char *want, const char *what) {
    CHECK_STRING(got, want, what);
    taap_string_free(got);
}

/* ---- the vectors through callback signers ---- */

static void run_token_vectors(const char *tests_dir) {
    json_t *root = load(tests_dir, "tokens.json");
    const json_t *cases = json_object_get(root, "cases");
    CHECK(json_array_size(cases) >= 50, "tokens.json has at least 50 cases");
    size_t index;
    const json_t *vector;
    json_array_foreach(cases, index, vector) {
        const char *name = member(vector, "name");
        struct expected expected;
        taap_public_key *public_key = public_key_of(tests_dir, member(vector, "key"), member(vector, "password"));
        taap_signer *signer = NULL;
        if (public_key != NULL && expect_token(&expected, member(vector, "token"))) {
            signer = callback_signer(public_key, &expected, NULL);
        }
        taap_ehts_entry entries[MAX_PAIRS];
        size_t count = pairs_of(json_object_get(vector, "ehts"), entries);
        taap_build_options options = pinned(vector);
        char *token = NULL;
        if (signer != NULL &&
            CHECK_STATUS(taap_pop_token_build_with_signer(signer, entries, count, &options, &token), TAAP_OK, name)) {
            CHECK_STRING(token, member(vector, "token"), name);
            check_one_call(&expected, name);
        }
        taap_string_free(token);
        taap_signer_free(signer);
        taap_public_key_free(public_key);
    }
    json_decref(root);
}

static void run_request_vectors(const char *tests_dir) {
    json_t *root = load(tests_dir, "request.json");
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        const char *name = member(vector, "name");
        struct expected expected;
        taap_public_key *public_key = public_key_of(tests_dir, member(vector, "key"), member(vector, "password"));
        taap_signer *signer = NULL;
        if (public_key != NULL && expect_token(&expected, member(vector, "token"))) {
            signer = callback_signer(public_key, &expected, "request vectors");
        }
        taap_ehts_entry headers[MAX_PAIRS];
        size_t count = pairs_of(json_object_get(vector, "headers"), headers);
        const char *body = member(vector, "body");
        taap_build_options options = pinned(vector);
        char *token = NULL;
        if (signer != NULL &&
            CHECK_STATUS(taap_pop_token_for_request_with_signer(signer, member(vector, "method"), member(vector, "url"),
                                                                headers, count, (const uint8_t *)body, strlen(body),
                                                                &options, &token),
                         TAAP_OK, name)) {
            CHECK_STRING(token, member(vector, "token"), name);
            check_one_call(&expected, name);
        }
        taap_string_free(token);
        taap_signer_free(signer);
        taap_public_key_free(public_key);
    }
    json_decref(root);
}

/* The policy a policy.json case names, enough of it for the vectors: the docs' default,
 * `all`, or `headers`, then `with` and `without`. */
static taap_sign_policy *policy_of(const json_t *spec) {
    taap_sign_policy *policy = NULL;
    const json_t *headers = json_object_get(spec, "headers");
    if (json_is_true(json_object_get(spec, "all"))) {
        CHECK_STATUS(taap_sign_policy_new_all_headers(&policy), TAAP_OK, "all headers");
    } else if (json_is_array(headers)) {
        const char *names[MAX_PAIRS];
        size_t count = json_array_size(headers) < MAX_PAIRS ? json_array_size(headers) : MAX_PAIRS;
        for (size_t i = 0; i < count; i++) {
            names[i] = json_string_value(json_array_get(headers, i));
        }
        CHECK_STATUS(taap_sign_policy_new_headers(names, count, &policy), TAAP_OK, "headers");
    } else {
        CHECK_STATUS(taap_sign_policy_new_default(&policy), TAAP_OK, "default policy");
    }
    const char *changes[] = {"with", "without"};
    for (size_t change = 0; change < 2; change++) {
        size_t index;
        const json_t *name;
        json_array_foreach(json_object_get(spec, changes[change]), index, name) {
            taap_sign_policy *next = NULL;
            taap_status status = change == 0 ? taap_sign_policy_with_header(policy, json_string_value(name), &next)
                                             : taap_sign_policy_without_header(policy, json_string_value(name), &next);
            if (CHECK_STATUS(status, TAAP_OK, changes[change])) {
                taap_sign_policy_free(policy);
                policy = next;
            }
        }
    }
    return policy;
}

static void run_policy_vectors(const char *tests_dir) {
    json_t *root = load(tests_dir, "policy.json");
    taap_public_key *public_key = public_key_of(tests_dir, README_KEY, NULL);
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        const char *name = member(vector, "name");
        struct expected expected;
        taap_signer *signer = NULL;
        if (public_key != NULL && expect_token(&expected, member(vector, "token"))) {
            signer = callback_signer(public_key, &expected, "policy vectors");
        }
        taap_sign_policy *policy = policy_of(json_object_get(vector, "policy"));
        taap_ehts_entry headers[MAX_PAIRS];
        size_t count = pairs_of(json_object_get(vector, "headers"), headers);
        const char *body = member(vector, "body");
        taap_build_options options = pinned(vector);
        char *token = NULL;
        if (signer != NULL &&
            CHECK_STATUS(taap_pop_token_sign_request_with_signer(signer, policy, member(vector, "method"),
                                                                 member(vector, "url"), headers, count,
                                                                 (const uint8_t *)body, strlen(body), &options, &token),
                         TAAP_OK, name)) {
            CHECK_STRING(token, member(vector, "token"), name);
            check_one_call(&expected, name);
        }
        taap_string_free(token);
        taap_sign_policy_free(policy);
        taap_signer_free(signer);
    }
    taap_public_key_free(public_key);
    json_decref(root);
}

/* ---- failures ---- */

/* The docs-orders-post vector: its ehts, options and token. */
struct docs_vector {
    json_t *root;
    const json_t *vector;
    taap_ehts_entry ehts[MAX_PAIRS];
    size_t count;
    taap_build_options options;
    const char *token;
};

static bool docs_vector(const char *tests_dir, struct docs_vector *docs) {
    memset(docs, 0, sizeof *docs);
    docs->root = load(tests_dir, "tokens.json");
    size_t index;
    const json_t *vector;
    json_array_foreach(json_object_get(docs->root, "cases"), index, vector) {
        if (strcmp(member(vector, "name"), "docs-orders-post") == 0) {
            docs->vector = vector;
            docs->count = pairs_of(json_object_get(vector, "ehts"), docs->ehts);
            docs->options = pinned(vector);
            docs->token = member(vector, "token");
        }
    }
    return CHECK(docs->vector != NULL, "tokens.json has docs-orders-post");
}

/* Builds the docs vector through a callback answering `answer`; checks the status and message. */
static void check_answer(const taap_public_key *public_key, const struct docs_vector *docs, enum answer answer,
                         int32_t fail_code, taap_status want, const char *message, const char *what) {
    struct expected expected;
    if (!expect_token(&expected, docs->token)) {
        return;
    }
    expected.answer = answer;
    expected.fail_code = fail_code;
    taap_signer *signer = callback_signer(public_key, &expected, "se050:0xF0000100");
    char *token = (char *)"untouched";
    CHECK_STATUS(taap_pop_token_build_with_signer(signer, docs->ehts, docs->count, &docs->options, &token), want, what);
    CHECK_STRING(taap_last_error_message(), message, what);
    CHECK(strcmp(token, "untouched") == 0, "no token is written on failure");
    CHECK(expected.calls == 1, "the callback is called once");
    taap_signer_free(signer);
}

static void check_failures(const char *tests_dir, const struct docs_vector *docs) {
    taap_public_key *public_key = public_key_of(tests_dir, README_KEY, NULL);
    check_answer(public_key, docs, ANSWER_FAIL, 42, TAAP_TRANSPORT,
                 "transport error: the callback signer (se050:0xF0000100) returned 42; no token was made with it",
                 "a callback returning 42");
    check_answer(public_key, docs, ANSWER_FAIL, -1, TAAP_TRANSPORT,
                 "transport error: the callback signer (se050:0xF0000100) returned -1; no token was made with it",
                 "a callback returning -1");
    check_answer(public_key, docs, ANSWER_FAIL, 1, TAAP_TRANSPORT,
                 "transport error: the callback signer (se050:0xF0000100) returned 1; no token was made with it",
                 "a callback returning 1");
    check_answer(public_key, docs, ANSWER_SHORT, 0, TAAP_SIGNATURE_INVALID,
                 "PoP token signature invalid: the callback signer (se050:0xF0000100) returned 255 bytes; an RS256 "
                 "signature under its 2048-bit public key is 256 bytes; no token was made with it",
                 "a short signature");
    check_answer(public_key, docs, ANSWER_CORRUPT, 0, TAAP_SIGNATURE_INVALID,
                 "PoP token signature invalid: the callback signer (se050:0xF0000100) returned a signature that does "
                 "not verify under its public key (another key, another hash or padding, or a corrupted signature); "
                 "no token was made with it",
                 "a corrupted signature");
    check_answer(public_key, docs, ANSWER_OVERLONG, 0, TAAP_SIGNATURE_INVALID,
                 "PoP token signature invalid: the callback signer (se050:0xF0000100) claimed 257 bytes in a buffer "
                 "of 256; no token was made with it",
                 "a signature longer than its buffer");

    /* A signature made with another key: right length, does not verify. */
    taap_public_key *other = public_key_of(tests_dir, "openssl/pkcs8-private.pem", NULL);
    struct expected expected;
    if (other != NULL && expect_token(&expected, docs->token)) {
        taap_signer *signer = NULL;
        if (CHECK_STATUS(taap_signer_from_callback(other, sign_from_vector, &expected, NULL, &signer), TAAP_OK,
                         "a signer for another key")) {
            char *token = NULL;
            CHECK_STATUS(taap_pop_token_build_with_signer(signer, docs->ehts, docs->count, &docs->options, &token),
                         TAAP_SIGNATURE_INVALID, "another key's signature");
            CHECK(token == NULL, "no token for another key's signature");
        }
        taap_signer_free(signer);
    }
    taap_public_key_free(other);

    /* Bad arguments. */
    taap_signer *signer = (taap_signer *)0x5a5a5a5a;
    taap_signer *const untouched = signer;
    CHECK_STATUS(taap_signer_from_callback(NULL, sign_from_vector, NULL, NULL, &signer), TAAP_NULL_ARGUMENT,
                 "NULL public key");
    CHECK_STRING(taap_last_error_message(), "public_key is NULL", "named");
    CHECK_STATUS(taap_signer_from_callback(public_key, NULL, NULL, NULL, &signer), TAAP_NULL_ARGUMENT, "NULL sign");
    CHECK_STRING(taap_last_error_message(), "sign is NULL", "named");
    CHECK_STATUS(taap_signer_from_callback(public_key, sign_from_vector, NULL, NULL, NULL), TAAP_NULL_ARGUMENT,
                 "NULL out");
    CHECK_STATUS(taap_signer_from_callback(public_key, sign_from_vector, NULL, "caf\xc3\x28", &signer),
                 TAAP_INVALID_UTF8, "a label that is not UTF-8");
    CHECK_STATUS(taap_signer_open(NULL, NULL, 0, &signer), TAAP_NULL_ARGUMENT, "NULL spec");
    CHECK_STATUS(taap_signer_open("keys/none.pem", NULL, 0, NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STATUS(taap_signer_open("/nonexistent/key.pem", NULL, 4, &signer), TAAP_INVALID_KEY,
                 "a missing file (a NULL password with a length is none)");
    CHECK_STATUS(taap_signer_open("pkcs11:token=t?module-path=/no/libpkcs11.so", NULL, 0, &signer), TAAP_CONFIG,
                 "a pkcs11: URI naming no key");
    /* aws-kms: with no region anywhere, refused before any network traffic. */
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    unsetenv("AWS_PROFILE");
    setenv("AWS_CONFIG_FILE", "/nonexistent/aws-config", 1);
    CHECK_STATUS(taap_signer_open("aws-kms:alias/taap-test", NULL, 0, &signer), TAAP_CONFIG, "an aws-kms: key");
    /* The core's message; a libtaap built without `aws-kms` (the rustcrypto ARM run) says so. */
    const char *message = taap_last_error_message();
    if (message != NULL && strstr(message, "this build of taap cannot open aws-kms: keys") != NULL) {
        CHECK_STRING(message,
                     "invalid configuration: this build of taap cannot open aws-kms: keys; build it with the "
                     "`aws-kms` feature (the taap command has it)",
                     "a libtaap without aws-kms");
    } else {
        CHECK_STRING(message, "invalid configuration: no AWS region: set AWS_REGION, or name the key by its ARN",
                     "the core's aws-kms message");
    }
    CHECK(signer == untouched, "no signer is written on failure");
    char *text = NULL;
    CHECK_STATUS(taap_signer_kind(NULL, &text), TAAP_NULL_ARGUMENT, "kind of NULL");
    CHECK_STATUS(taap_signer_label(NULL, &text), TAAP_NULL_ARGUMENT, "label of NULL");
    CHECK(text == NULL, "no string on failure");
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_build_with_signer(NULL, docs->ehts, docs->count, NULL, &token), TAAP_NULL_ARGUMENT,
                 "NULL signer");
    CHECK_STRING(taap_last_error_message(), "signer is NULL", "named");
    CHECK_STATUS(taap_pop_token_for_request_with_signer(NULL, "GET", "/", NULL, 0, NULL, 0, NULL, &token),
                 TAAP_NULL_ARGUMENT, "NULL signer for a request");
    CHECK_STATUS(taap_pop_token_sign_request_with_signer(NULL, NULL, "GET", "/", NULL, 0, NULL, 0, NULL, &token),
                 TAAP_NULL_ARGUMENT, "NULL signer for a policy");
    taap_signer_free(NULL);
    taap_public_key_free(public_key);
}

/* ---- kinds, labels, in-memory signers, files ---- */

static void check_kinds_and_labels(const char *tests_dir, const struct docs_vector *docs) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/keys/%s", tests_dir, README_KEY);
    taap_private_key *key = NULL;
    taap_signer *in_memory = NULL, *from_file = NULL, *callback = NULL;
    taap_public_key *public_key = NULL, *signer_public = NULL;
    char *text = NULL, *thumbprint = NULL, *token = NULL;
    CHECK_STATUS(taap_private_key_from_file(path, NULL, &key), TAAP_OK, path);
    CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key");
    CHECK_STATUS(taap_public_key_thumbprint(public_key, &thumbprint), TAAP_OK, "thumbprint");

    CHECK_STATUS(taap_signer_from_private_key(key, &in_memory), TAAP_OK, "an in-memory signer");
    taap_private_key_free(key); /* the signer keeps its own reference */
    CHECK_STATUS(taap_signer_kind(in_memory, &text), TAAP_OK, "kind");
    check_string_and_free(text, "in-memory", "an in-memory signer's kind");
    char want[256];
    snprintf(want, sizeof want, "RSA-2048 key %s", thumbprint);
    CHECK_STATUS(taap_signer_label(in_memory, &text), TAAP_OK, "label");
    check_string_and_free(text, want, "an in-memory signer's label");
    if (CHECK_STATUS(taap_pop_token_build_with_signer(in_memory, docs->ehts, docs->count, &docs->options, &token),
                     TAAP_OK, "in-memory")) {
        check_string_and_free(token, docs->token, "an in-memory signer gives the vector");
    }
    CHECK_STATUS(taap_signer_public_key(in_memory, &signer_public), TAAP_OK, "the signer's public key");
    CHECK_STATUS(taap_public_key_thumbprint(signer_public, &text), TAAP_OK, "its thumbprint");
    check_string_and_free(text, thumbprint, "the signer's public key is the key's");

    /* A key file, opened the way a pkcs11: URI would be. */
    CHECK_STATUS(taap_signer_open(path, NULL, 0, &from_file), TAAP_OK, "a key file as a signer");
    token = NULL;
    if (CHECK_STATUS(taap_pop_token_build_with_signer(from_file, docs->ehts, docs->count, &docs->options, &token),
                     TAAP_OK, "from a file")) {
        check_string_and_free(token, docs->token, "a key file's signer gives the vector");
    }
    char encrypted[PATH_SIZE];
    snprintf(encrypted, sizeof encrypted, "%s/keys/openssl/pbes2-aes256-private.pem", tests_dir);
    taap_signer *decrypted = NULL;
    CHECK_STATUS(taap_signer_open(encrypted, (const uint8_t *)"wrong", 5, &decrypted), TAAP_KEY_DECRYPT,
                 "a wrong password");
    CHECK(decrypted == NULL, "no signer for a wrong password");

    /* A callback signer's default label and kind. */
    struct expected expected;
    memset(&expected, 0, sizeof expected);
    CHECK_STATUS(taap_signer_from_callback(public_key, sign_from_vector, &expected, NULL, &callback), TAAP_OK,
                 "a callback signer");
    CHECK_STATUS(taap_signer_kind(callback, &text), TAAP_OK, "kind");
    check_string_and_free(text, "callback", "a callback signer's kind");
    snprintf(want, sizeof want, "callback for RSA-2048 key %s", thumbprint);
    CHECK_STATUS(taap_signer_label(callback, &text), TAAP_OK, "label");
    check_string_and_free(text, want, "a callback signer's default label");
    CHECK(expected.calls == 0, "no signature before a token");

    /* A label holding a pkcs11: URI with its PIN is shown without it. */
    taap_signer *labelled = NULL;
    const char *uri = "pkcs11:token=taap;object=k?pin-value=1234&module-path=/m.so";
    CHECK_STATUS(taap_signer_from_callback(public_key, sign_from_vector, &expected, uri, &labelled), TAAP_OK,
                 "a labelled signer");
    CHECK_STATUS(taap_signer_label(labelled, &text), TAAP_OK, "label");
    CHECK(text != NULL && strstr(text, "1234") == NULL, "a label never shows a pin-value");
    check_string_and_free(text, "pkcs11:token=taap;object=k?pin-value=***&module-path=/m.so", "the masked label");

    taap_signer_free(labelled);
    taap_signer_free(callback);
    taap_signer_free(from_file);
    taap_public_key_free(signer_public);
    taap_signer_free(in_memory);
    taap_string_free(thumbprint);
    taap_public_key_free(public_key);
}

/* ---- one callback signer shared by threads ---- */

#define SHARING_THREADS 4
#define TOKENS_PER_THREAD 5

/* A context read by every thread and counted atomically: what taap.h asks of a shared one. */
struct shared_context {
    const struct expected *expected;
    atomic_uint calls;
};

static int32_t sign_shared(void *context, const uint8_t *digest, uint8_t *signature, size_t *signature_len) {
    struct shared_context *shared = context;
    atomic_fetch_add(&shared->calls, 1);
    if (memcmp(digest, shared->expected->digest, 32) != 0 || *signature_len != shared->expected->signature_len) {
        return 77;
    }
    memcpy(signature, shared->expected->signature, shared->expected->signature_len);
    return 0;
}

struct sharer {
    const taap_signer *signer;
    const struct docs_vector *docs;
    unsigned matched;
};

static void *build_shared(void *argument) {
    struct sharer *sharer = argument;
    for (unsigned i = 0; i < TOKENS_PER_THREAD; i++) {
        char *token = NULL;
        if (taap_pop_token_build_with_signer(sharer->signer, sharer->docs->ehts, sharer->docs->count,
                                             &sharer->docs->options, &token) == TAAP_OK &&
            strcmp(token, sharer->docs->token) == 0) {
            sharer->matched++;
        }
        taap_string_free(token);
    }
    return NULL;
}

static void check_threads(const char *tests_dir, const struct docs_vector *docs) {
    struct expected expected;
    taap_public_key *public_key = public_key_of(tests_dir, README_KEY, NULL);
    if (public_key == NULL || !expect_token(&expected, docs->token)) {
        taap_public_key_free(public_key);
        return;
    }
    struct shared_context shared = {.expected = &expected};
    atomic_init(&shared.calls, 0);
    taap_signer *signer = NULL;
    if (CHECK_STATUS(taap_signer_from_callback(public_key, sign_shared, &shared, "shared", &signer), TAAP_OK,
                     "a shared callback signer")) {
        pthread_t threads[SHARING_THREADS];
        struct sharer sharers[SHARING_THREADS];
        bool started[SHARING_THREADS];
        for (unsigned t = 0; t < SHARING_THREADS; t++) {
            sharers[t] = (struct sharer){signer, docs, 0};
            started[t] = pthread_create(&threads[t], NULL, build_shared, &sharers[t]) == 0;
            CHECK(started[t], "a thread starts");
        }
        unsigned matched = 0;
        for (unsigned t = 0; t < SHARING_THREADS; t++) {
            if (started[t]) {
                pthread_join(threads[t], NULL);
                matched += sharers[t].matched;
            }
        }
        CHECK(matched == SHARING_THREADS * TOKENS_PER_THREAD, "every thread's token is the vector");
        CHECK(atomic_load(&shared.calls) == SHARING_THREADS * TOKENS_PER_THREAD, "one call per token");
    }
    taap_signer_free(signer);
    taap_public_key_free(public_key);
}

/* ---- a pkcs11: key in SoftHSM2 ---- */

static void check_client_with(const taap_signer *signer, const char *what) {
    const char *gateway = getenv("TAAP_TEST_GATEWAY");
    const char *id = getenv("TAAP_TEST_CLIENT_ID"), *secret = getenv("TAAP_TEST_CLIENT_SECRET");
    if (gateway == NULL || id == NULL || secret == NULL) {
        CHECK(getenv("TAAP_REFUSE_SKIPS") == NULL, "the signer's client check needs a `taap serve`");
        return;
    }
    char server[512];
    snprintf(server, sizeof server, "%s/oauth2/v2/tokens", gateway);
    taap_client *client = NULL;
    char *token = NULL;
    if (CHECK_STATUS(taap_client_new_with_signer(signer, id, secret, server, "{\"max_retries\": 0}", &client), TAAP_OK,
                     what)) {
        CHECK_STATUS(taap_client_access_token(client, &token, NULL), TAAP_OK, what);
        CHECK(token != NULL && token[0] != '\0', "an access token");
    }
    taap_string_free(token);
    taap_client_free(client);
}

static void check_client_failures(const char *tests_dir) {
    const char *gateway = getenv("TAAP_TEST_GATEWAY");
    taap_public_key *public_key = public_key_of(tests_dir, README_KEY, NULL);
    struct expected expected;
    memset(&expected, 0, sizeof expected);
    expected.answer = ANSWER_FAIL;
    taap_signer *signer = callback_signer(public_key, &expected, "unplugged");
    taap_client *client = NULL;
    CHECK_STATUS(taap_client_new_with_signer(NULL, "id", "secret", "v2", NULL, &client), TAAP_NULL_ARGUMENT,
                 "a client with a NULL signer");
    CHECK_STRING(taap_last_error_message(), "signer is NULL", "named");
    if (gateway != NULL) {
        char server[512];
        snprintf(server, sizeof server, "%s/oauth2/v2/tokens", gateway);
        char *token = NULL;
        if (CHECK_STATUS(taap_client_new_with_signer(signer, "id", "secret", server, "{\"max_retries\": 0}", &client),
                         TAAP_OK, "a client with a callback signer")) {
            taap_signer_free(signer); /* the client keeps its own reference */
            signer = NULL;
            /* The digest differs from the vector's: the callback says so with 77. */
            CHECK_STATUS(taap_client_access_token(client, &token, NULL), TAAP_TRANSPORT, "a callback that fails");
            CHECK_STRING(taap_last_error_message(),
                         "transport error: the callback signer (unplugged) returned 77; no token was made with it",
                         "the client passes the callback's failure on");
            CHECK(token == NULL, "no access token");
        }
        taap_client_free(client);
    }
    taap_signer_free(signer);
    taap_public_key_free(public_key);
}

static void check_pkcs11(const char *tests_dir, const struct docs_vector *docs) {
    const char *uri = getenv("TAAP_TEST_PKCS11_URI"), *pin = getenv("TAAP_TEST_PKCS11_PIN");
    if (uri == NULL || pin == NULL) {
        /* Only scripts/test.sh makes the token (the ARM and ASan runs have none), and it sets
         * TAAP_TEST_REQUIRE_PKCS11 so that its runs cannot skip this. */
        printf("pkcs11 signer: not run (TAAP_TEST_PKCS11_URI and TAAP_TEST_PKCS11_PIN are not set)\n");
        CHECK(getenv("TAAP_TEST_REQUIRE_PKCS11") == NULL, "the SoftHSM2 token scripts/test.sh makes is named");
        return;
    }
    taap_signer *signer = NULL;
    if (!CHECK_STATUS(taap_signer_open(uri, (const uint8_t *)pin, strlen(pin), &signer), TAAP_OK, uri)) {
        return;
    }
    char *text = NULL;
    CHECK_STATUS(taap_signer_kind(signer, &text), TAAP_OK, "kind");
    check_string_and_free(text, "pkcs11", "a pkcs11 signer's kind");

    /* Every tokens.json vector of the key in the token, byte for byte. */
    json_t *root = load(tests_dir, "tokens.json");
    size_t index, built = 0;
    const json_t *vector;
    json_array_foreach(json_object_get(root, "cases"), index, vector) {
        if (strcmp(member(vector, "key"), README_KEY) != 0) {
            continue;
        }
        taap_ehts_entry entries[MAX_PAIRS];
        size_t count = pairs_of(json_object_get(vector, "ehts"), entries);
        taap_build_options options = pinned(vector);
        char *token = NULL;
        if (CHECK_STATUS(taap_pop_token_build_with_signer(signer, entries, count, &options, &token), TAAP_OK,
                         member(vector, "name"))) {
            CHECK_STRING(token, member(vector, "token"), member(vector, "name"));
            built++;
        }
        taap_string_free(token);
    }
    json_decref(root);
    CHECK(built >= 10, "the SoftHSM2 key signs at least 10 vectors");
    check_client_with(signer, "a client signing in SoftHSM2");
    taap_signer_free(signer);

    /* The PIN in the URI: the label shows it masked, never the PIN. */
    char with_pin[PATH_SIZE];
    snprintf(with_pin, sizeof with_pin, "%s%cpin-value=%s", uri, strchr(uri, '?') != NULL ? '&' : '?', pin);
    signer = NULL;
    if (CHECK_STATUS(taap_signer_open(with_pin, NULL, 0, &signer), TAAP_OK, "a URI holding its PIN")) {
        CHECK_STATUS(taap_signer_label(signer, &text), TAAP_OK, "label");
        CHECK(text != NULL && strstr(text, pin) == NULL, "a pkcs11 label never shows the PIN");
        CHECK(text != NULL && strstr(text, "pkcs11:") == text, "a pkcs11 label is its URI");
        taap_string_free(text);
        char *token = NULL;
        if (CHECK_STATUS(taap_pop_token_build_with_signer(signer, docs->ehts, docs->count, &docs->options, &token),
                         TAAP_OK, "the PIN from the URI")) {
            check_string_and_free(token, docs->token, "the PIN from the URI gives the vector");
        }
    }
    taap_signer_free(signer);

    /* A wrong PIN: refused, and the message does not show it. */
    signer = NULL;
    const char *wrong = "wrong-pin-31337";
    taap_status status = taap_signer_open(uri, (const uint8_t *)wrong, strlen(wrong), &signer);
    CHECK(status != TAAP_OK && signer == NULL, "a wrong PIN is refused");
    const char *message = taap_last_error_message();
    CHECK(message != NULL && strstr(message, wrong) == NULL, "the message does not show the PIN");
    taap_signer_free(signer);
}

void test_signer(const char *tests_dir) {
    struct docs_vector docs;
    run_token_vectors(tests_dir);
    run_request_vectors(tests_dir);
    run_policy_vectors(tests_dir);
    if (docs_vector(tests_dir, &docs)) {
        check_failures(tests_dir, &docs);
        check_kinds_and_labels(tests_dir, &docs);
        check_threads(tests_dir, &docs);
        check_pkcs11(tests_dir, &docs);
    }
    check_client_failures(tests_dir);
    json_decref(docs.root);
}

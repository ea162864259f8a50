/* Secret hygiene of the C API.
 *
 * 1. Every error kind is triggered with a private key, a password, a client secret and an
 *    access token of known values in play; taap_last_error_message() must name the kind's
 *    problem without any of them (nor a base64 line of the key). The gateway's log, when
 *    TAAP_TEST_GATEWAY_LOG names it, must not hold them either.
 * 2. Key buffers are wiped before they are freed. Built with TAAP_TEST_WRAP_FREE and linked
 *    statically with -Wl,--wrap=free,--wrap=realloc, every free() in the process (libtaap's
 *    Rust code and AWS-LC included) goes through __wrap_free, which reads the block while it
 *    is still allocated (malloc_usable_size bytes: defined behaviour, unlike reading it after
 *    free) and counts blocks that still hold key material. realloc becomes malloc + copy +
 *    free during a watch, so a buffer that grows cannot leave a stale copy unseen. */
#define _GNU_SOURCE /* malloc_usable_size, memmem */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PATH_SIZE 1024
#define URL_SIZE 512
#define MAX_MARKERS 8

static const char PASSWORD[] = "hygiene-password-7f3a9c1e";
static const char CLIENT_SECRET[] = "hygiene-client-secret-4b8d2e6f";
static const char ACCESS_TOKEN[] = "hygiene-access-token-9c7e5a3b1d";
static const char BEARER[] = "Bearer hygiene-access-token-9c7e5a3b1d";
static const int64_t IAT = 1767225600;

/* What must never show: each with its length (the DER chunks are binary). */
struct markers {
    const unsigned char *bytes[MAX_MARKERS];
    size_t len[MAX_MARKERS];
    size_t count;
};

static void add_marker(struct markers *markers, const void *bytes, size_t len) {
    if (markers->count < MAX_MARKERS) {
        markers->bytes[markers->count] = bytes;
        markers->len[markers->count] = len;
        markers->count++;
    }
}

static bool holds_marker(const struct markers *markers, const void *data, size_t len) {
    for (size_t i = 0; i < markers->count; i++) {
        if (memmem(data, len, markers->bytes[i], markers->len[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static char *read_key(const char *tests_dir, const char *relative, size_t *len) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/keys/%s", tests_dir, relative);
    char *data = read_file(path, len);
    CHECK(data != NULL, path);
    return data;
}

/* The base64 line in the middle of a PEM body: it encodes private exponent or prime bytes. */
static char *middle_line(const char *pem) {
    const char *lines[64];
    size_t count = 0;
    for (const char *line = pem; line != NULL && *line != '\0' && count < 64;) {
        if (strncmp(line, "-----", 5) != 0) {
            lines[count++] = line;
        }
        const char *end = strchr(line, '\n');
        line = end == NULL ? NULL : end + 1;
    }
    if (count == 0) {
        return NULL;
    }
    const char *middle = lines[count / 2];
    return strndup(middle, strcspn(middle, "\r\n"));
}

/* ---- 1. every error kind, messages checked ---- */

static void check_clean(taap_status got, taap_status want, const struct markers *secrets, const char *what) {
    CHECK_STATUS(got, want, what);
    const char *message = taap_last_error_message();
    CHECK(message != NULL && *message != '\0', what);
    if (message != NULL && holds_marker(secrets, message, strlen(message))) {
        CHECK(false, what);
        fprintf(stderr, "  a secret appears in: %s\n", message);
    }
}

static char *build(const taap_private_key *key, const taap_ehts_entry *ehts, size_t len, int64_t iat,
                   int64_t ttl) {
    taap_build_options options = {.ttl_secs = ttl, .iat = iat, .iat_is_set = true};
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_build(key, ehts, len, &options, &token), TAAP_OK, "build a token");
    return token;
}

static void token_kinds(const taap_private_key *key, const taap_public_key *public_key,
                        const taap_public_key *other_public_key, const struct markers *secrets) {
    const taap_ehts_entry signed_values[] = {{"Authorization", BEARER}, {"uri", "/orders"}, {"http-method", "GET"}};
    const taap_ehts_entry other_values[] = {{"Authorization", "Bearer hygiene-access-token-9c7e5a3b1dX"},
                                            {"uri", "/orders"},
                                            {"http-method", "GET"}};
    const taap_ehts_entry missing_values[] = {{"uri", "/orders"}, {"http-method", "GET"}};
    char *token = build(key, signed_values, 3, IAT, 120);
    taap_validate_options at = {.now = IAT + 5};

    const char *required[] = {"X-Never-Signed"};
    taap_validate_options requiring = {.now = IAT + 5, .required = required, .required_len = 1};
    check_clean(taap_pop_token_validate(token, public_key, signed_values, 3, &requiring), TAAP_INVALID_TOKEN,
                secrets, "InvalidToken: a required name is not signed");
    check_clean(taap_pop_token_validate("eyJhbGciOiJub25lIn0.e30.", public_key, signed_values, 3, &at),
                TAAP_INVALID_TOKEN, secrets, "InvalidToken: alg none");
    taap_validate_options late = {.now = IAT + 1000};
    check_clean(taap_pop_token_validate(token, public_key, signed_values, 3, &late), TAAP_TOKEN_EXPIRED, secrets,
                "TokenExpired");
    check_clean(taap_pop_token_validate(token, other_public_key, signed_values, 3, &at), TAAP_SIGNATURE_INVALID,
                secrets, "SignatureInvalid");
    check_clean(taap_pop_token_validate(token, public_key, other_values, 3, &at), TAAP_EDTS_MISMATCH, secrets,
                "EdtsMismatch");
    check_clean(taap_pop_token_validate(token, public_key, missing_values, 2, &at), TAAP_MISSING_EHTS_VALUE,
                secrets, "MissingEhtsValue");

    char *long_lived = build(key, signed_values, 3, IAT, 3600);
    taap_validate_options aged = {.now = IAT + 600};
    check_clean(taap_pop_token_validate(long_lived, public_key, signed_values, 3, &aged), TAAP_TOKEN_TOO_OLD,
                secrets, "TokenTooOld");

    taap_validate_options replay_options = {.now = IAT + 5, .replay_cache = 16};
    taap_validator *validator = NULL;
    CHECK_STATUS(taap_validator_new(&replay_options, &validator), TAAP_OK, "validator with a replay cache");
    CHECK_STATUS(taap_validator_validate(validator, token, public_key, signed_values, 3, NULL), TAAP_OK,
                 "first use");
    check_clean(taap_validator_validate(validator, token, public_key, signed_values, 3, NULL), TAAP_REPLAY,
                secrets, "Replay");
    taap_validator_free(validator);
    taap_string_free(long_lived);
    taap_string_free(token);
}

static void ehts_and_config_kinds(const taap_private_key *key, const struct markers *secrets) {
    char *token = NULL;
    const taap_ehts_entry blank_name[] = {{"Authorization", BEARER}, {"", ACCESS_TOKEN}};
    check_clean(taap_pop_token_build(key, blank_name, 2, NULL, &token), TAAP_INVALID_EHTS, secrets,
                "InvalidEhts: blank name");
    const taap_ehts_entry repeated[] = {{"Authorization", BEARER}, {"Authorization", ACCESS_TOKEN}};
    check_clean(taap_pop_token_build(key, repeated, 2, NULL, &token), TAAP_INVALID_EHTS, secrets,
                "InvalidEhts: repeated name");
    char url[URL_SIZE];
    snprintf(url, sizeof url, "https://exa mple.com/x?access_token=%s", ACCESS_TOKEN);
    const taap_ehts_entry headers[] = {{"Authorization", BEARER}};
    check_clean(taap_pop_token_for_request(key, "GET", url, headers, 1, NULL, 0, &token), TAAP_INVALID_EHTS,
                secrets, "InvalidEhts: a URL with a token in its query that does not parse");
    taap_build_options bad_ttl = {.ttl_secs = -5};
    check_clean(taap_pop_token_for_request_with(key, "GET", "/x", headers, 1, NULL, 0, &bad_ttl, &token),
                TAAP_CONFIG, secrets, "Config: negative ttl");
    taap_client *client = NULL;
    check_clean(taap_client_new(key, "hygiene-id", CLIENT_SECRET, "https://h/oauth2/v9/tokens", NULL, &client),
                TAAP_CONFIG, secrets, "Config: a token URL of no known flavour");
    CHECK(token == NULL && client == NULL, "nothing written on failure");
}

static void key_kinds(const char *tests_dir, const char *pem, const struct markers *secrets) {
    taap_private_key *key = NULL;
    /* The key cut after its middle line: base64 still decodes, the DER inside does not. */
    size_t keep = (size_t)(strstr(pem, (const char *)secrets->bytes[0]) - pem) + secrets->len[0] + 1;
    char *cut = malloc(keep + 64);
    memcpy(cut, pem, keep);
    strcpy(cut + keep, "-----END PRIVATE KEY-----\n");
    check_clean(taap_private_key_from_pem(cut, NULL, &key), TAAP_INVALID_KEY, secrets, "InvalidKey: cut key");
    explicit_bzero(cut, keep);
    free(cut);
    taap_public_key *public_key = NULL;
    check_clean(taap_public_key_from_pem(pem, &public_key), TAAP_INVALID_KEY, secrets,
                "InvalidKey: a private key where a public key belongs");
    char *encrypted = read_key(tests_dir, "openssl/pbes2-aes256-private.pem", NULL);
    check_clean(taap_private_key_from_pem(encrypted, PASSWORD, &key), TAAP_KEY_DECRYPT, secrets,
                "KeyDecrypt: wrong password");
    char *traditional = read_key(tests_dir, "openssl/traditional-aes256-private.pem", NULL);
    check_clean(taap_private_key_from_pem(traditional, PASSWORD, &key), TAAP_KEY_DECRYPT, secrets,
                "KeyDecrypt: wrong password, traditional PEM");
    CHECK(key == NULL && public_key == NULL, "nothing written on failure");
    free(traditional);
    free(encrypted);
}

static void client_kinds(const taap_private_key *key, const struct markers *secrets) {
    const char *gateway = getenv("TAAP_TEST_GATEWAY");
    const char *client_id = getenv("TAAP_TEST_CLIENT_ID");
    const char *once = "{\"max_retries\": 0, \"connect_timeout\": 2, \"timeout\": 5}";
    char server[URL_SIZE];
    taap_client *client = NULL;
    char *access_token = NULL;
    if (gateway != NULL && client_id != NULL) {
        snprintf(server, sizeof server, "%s/oauth2/v2/tokens", gateway);
        CHECK_STATUS(taap_client_new(key, client_id, CLIENT_SECRET, server, once, &client), TAAP_OK, "client");
        check_clean(taap_client_access_token(client, &access_token, NULL), TAAP_OAUTH, secrets,
                    "OAuth: the gateway refuses a wrong client secret");
        CHECK(taap_last_error_http_status() == 401, "OAuth refusal is a 401");
        taap_client_free(client);
        client = NULL;
    } else {
        CHECK(getenv("TAAP_REFUSE_SKIPS") == NULL, "hygiene's OAuth kind needs a `taap serve` (make test starts one)");
        printf("hygiene: OAuth kind not run: TAAP_TEST_GATEWAY and TAAP_TEST_CLIENT_ID are not set\n");
    }
    /* Port 9 (discard) on loopback: nothing listens there in a test environment. */
    CHECK_STATUS(taap_client_new(key, "hygiene-id", CLIENT_SECRET, "http://127.0.0.1:9/oauth2/v6/tokens", once,
                                 &client),
                 TAAP_OK, "client for a closed port");
    check_clean(taap_client_access_token(client, &access_token, NULL), TAAP_TRANSPORT, secrets,
                "Transport: connection refused");
    CHECK(access_token == NULL, "no token written on failure");
    taap_client_free(client);
}

static void gateway_log_is_clean(const struct markers *secrets) {
    const char *path = getenv("TAAP_TEST_GATEWAY_LOG");
    if (path == NULL) {
        return;
    }
    size_t len = 0;
    char *log = read_file(path, &len);
    CHECK(log != NULL, "read the gateway's log");
    if (log != NULL) {
        CHECK(!holds_marker(secrets, log, len), "the gateway's log holds none of the secrets");
        free(log);
    }
}

static void test_error_messages(const char *tests_dir) {
    char *pem = read_key(tests_dir, "openssl/pkcs8-private.pem", NULL);
    char *other_pem = read_key(tests_dir, "tmobile/readme-private-pkcs8.pem", NULL);
    char *line = pem == NULL ? NULL : middle_line(pem);
    if (pem == NULL || other_pem == NULL || line == NULL) {
        CHECK(false, "hygiene test keys");
        return;
    }
    struct markers secrets = {0};
    add_marker(&secrets, line, strlen(line));
    add_marker(&secrets, PASSWORD, strlen(PASSWORD));
    add_marker(&secrets, CLIENT_SECRET, strlen(CLIENT_SECRET));
    add_marker(&secrets, ACCESS_TOKEN, strlen(ACCESS_TOKEN));
    const char *real_secret = getenv("TAAP_TEST_CLIENT_SECRET");
    if (real_secret != NULL) {
        add_marker(&secrets, real_secret, strlen(real_secret));
    }

    taap_private_key *key = NULL;
    taap_private_key *other = NULL;
    taap_public_key *public_key = NULL;
    taap_public_key *other_public_key = NULL;
    CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, "load the hygiene key");
    CHECK_STATUS(taap_private_key_from_pem(other_pem, NULL, &other), TAAP_OK, "load another key");
    CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "public key");
    CHECK_STATUS(taap_private_key_public_key(other, &other_public_key), TAAP_OK, "other public key");
    if (key != NULL && public_key != NULL && other_public_key != NULL) {
        key_kinds(tests_dir, pem, &secrets);
        ehts_and_config_kinds(key, &secrets);
        token_kinds(key, public_key, other_public_key, &secrets);
        client_kinds(key, &secrets);
        gateway_log_is_clean(&secrets);
    }
    taap_public_key_free(other_public_key);
    taap_public_key_free(public_key);
    taap_private_key_free(other);
    taap_private_key_free(key);
    free(line);
    free(other_pem);
    free(pem);
}

/* ---- 2. freed key buffers ---- */

#ifdef TAAP_TEST_WRAP_FREE
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MAKE_MEM_DEFINED
#define VALGRIND_MAKE_MEM_DEFINED(block, size) ((void)(block), (void)(size))
#endif

void __real_free(void *block);
void *__real_realloc(void *block, size_t size);

static struct {
    bool on;
    struct markers markers;
    size_t stale_blocks;
    size_t largest_stale;
    const char *string;     /* a string whose wiping is checked when it is freed */
    size_t string_len;
    int string_state;       /* 0 not freed yet, 1 freed wiped, 2 freed with content */
} watch;

void __wrap_free(void *block) {
    if (watch.on && block != NULL) {
        size_t size = malloc_usable_size(block);
        /* Under memcheck, slack and never-written bytes are "undefined"; reading them here is
         * deliberate (the block is being freed), so they are declared defined first. */
        VALGRIND_MAKE_MEM_DEFINED(block, size);
        if (block == watch.string) {
            bool zero = true;
            for (size_t i = 0; i <= watch.string_len; i++) {
                zero = zero && ((const unsigned char *)block)[i] == 0;
            }
            watch.string_state = zero ? 1 : 2;
        }
        if (holds_marker(&watch.markers, block, size)) {
            watch.stale_blocks++;
            watch.largest_stale = size > watch.largest_stale ? size : watch.largest_stale;
        }
    }
    if (block != NULL) {
        /* Wiped once inspected (or not watched): memory handed out again must not carry a copy
         * the test itself freed into a block the code under watch frees later. */
        explicit_bzero(block, malloc_usable_size(block));
    }
    __real_free(block);
}

void *__wrap_realloc(void *block, size_t size) {
    if (!watch.on || block == NULL || size == 0) {
        return __real_realloc(block, size);
    }
    void *moved = malloc(size);
    if (moved != NULL) {
        size_t old = malloc_usable_size(block);
        memcpy(moved, block, old < size ? old : size);
        __wrap_free(block);
    }
    return moved;
}

static void start_watch(const struct markers *markers) {
    watch.markers = *markers;
    watch.stale_blocks = 0;
    watch.largest_stale = 0;
    watch.string = NULL;
    watch.on = true;
}

static void stop_watch(const char *what) {
    watch.on = false;
    CHECK(watch.stale_blocks == 0, what);
    if (watch.stale_blocks != 0) {
        fprintf(stderr, "  %zu freed blocks (largest %zu bytes) still held key material\n", watch.stale_blocks,
                watch.largest_stale);
    }
}

static void test_freed_buffers(const char *tests_dir) {
    size_t der_len = 0;
    char *pem = read_key(tests_dir, "openssl/pkcs8-private.pem", NULL);
    unsigned char *der = (unsigned char *)read_key(tests_dir, "openssl/pkcs8-private.der", &der_len);
    char *line = pem == NULL ? NULL : middle_line(pem);
    if (pem == NULL || der == NULL || line == NULL || der_len < 64) {
        CHECK(false, "wiping test keys");
        return;
    }
    unsigned char reversed[32];
    const unsigned char *chunk = der + der_len / 2;
    for (size_t i = 0; i < sizeof reversed; i++) {
        reversed[i] = chunk[sizeof reversed - 1 - i];
    }
    struct markers markers = {0};
    add_marker(&markers, line, strlen(line));
    add_marker(&markers, chunk, 32);
    add_marker(&markers, reversed, sizeof reversed);

    /* The watch must see an unwiped copy, or it proves nothing. */
    start_watch(&markers);
    char *volatile copy = strdup(line); /* volatile: the compiler may not elide the pair */
    free(copy);
    watch.on = false;
    CHECK(watch.stale_blocks == 1, "the wrapped free sees an unwiped copy of a marker");

    start_watch(&markers);
    taap_private_key *key = NULL;
    CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, "from_pem under watch");
    char *exported = NULL;
    CHECK_STATUS(taap_private_key_to_pem(key, &exported), TAAP_OK, "to_pem under watch");
    CHECK(exported != NULL && strstr(exported, line) != NULL, "to_pem gives the key back");
    const taap_ehts_entry ehts[] = {{"uri", "/a"}, {"http-method", "GET"}};
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_build(key, ehts, 2, NULL, &token), TAAP_OK, "build under watch");
    taap_string_free(token);
    watch.string = exported;
    watch.string_len = exported == NULL ? 0 : strlen(exported);
    taap_string_free(exported);
    CHECK(watch.string_state == 1, "taap_string_free wipes the exported PEM before freeing it");
    taap_private_key_free(key);
    key = NULL;
    CHECK_STATUS(taap_private_key_from_der(der, der_len, NULL, &key), TAAP_OK, "from_der under watch");
    taap_private_key_free(key);
    key = NULL;
    CHECK_STATUS(taap_private_key_from_pem_cached(pem, NULL, &key), TAAP_OK, "from_pem_cached under watch");
    taap_private_key_free(key);
    taap_private_key_cache_clear();
    stop_watch("no freed heap block (Rust or AWS-LC) holds key material after load, sign, export, free");

    free(line);
    free(der);
    free(pem);
}
#else
static void test_freed_buffers(const char *tests_dir) {
    (void)tests_dir;
    printf("hygiene: freed-buffer inspection not run (needs the static build with TAAP_TEST_WRAP_FREE)\n");
}
#endif

void test_hygiene(const char *tests_dir) {
    test_error_messages(tests_dir);
    test_freed_buffers(tests_dir);
}

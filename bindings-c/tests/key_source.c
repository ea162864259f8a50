/* taap_key_source and taap_pop_gate_check_with_source: a client's several keys for the gate (the
 * core's taap::validate::KeySource), as bindings-python/tests/test_middleware_keys.py checks them
 * in Python: a JWK set of two keys accepts a token of either and refuses a third key, a key file
 * is read again once it changed, a JWK set URL is fetched once and then served from its cache
 * (a small HTTP server on a loopback port, in a thread), and one that cannot be fetched makes
 * the gate answer 503 KeySourceUnavailable. The keys are three different RSA keys of tests/keys;
 * the tokens are fresh ones from taap_pop_token_for_request, since the gate reads the clock. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, nanosleep, utime, sockets, poll */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "check.h"

#define TARGET "/orders?page=2"
#define BODY "{\"sku\":\"TMO-5G\"}"
#define JSON_TYPE "[\"content-type\",\"application/json\"]"
#define CHALLENGE "[\"www-authenticate\",\"PoP realm=\\\"taap\\\"\"]"
/* The 401 answer for an error kind and message (the message as JSON string content). */
#define REFUSAL(kind, message)                                                                                    \
    "{\"status\":401,\"headers\":[" JSON_TYPE "," CHALLENGE "],\"body\":\"{\\\"error\\\":\\\"" kind               \
    "\\\",\\\"message\\\":\\\"" message "\\\"}\"}"
/* What the gate answers a token no key of the source signed. */
#define NOT_SIGNED                                                                                                \
    REFUSAL("SignatureInvalid", "PoP token signature invalid: the token was not signed by the private key "       \
                                "matching this public key")
/* Where the key files of a signing key live under tests/keys. */
static const char *const KEY_FILES[3] = {"tmobile/readme-private-pkcs8.pem", "tmobile/dotnet-private-pkcs8.pem",
                                          "openssl/pkcs8-private.pem"};

/* Three signers, each with its public key as a JWK. */
struct signers {
    taap_private_key *keys[3];
    char *jwks[3];
};

/* A fresh token for POST TARGET with BODY, signed by `key` (free it). */
static char *token_of(const taap_private_key *key) {
    char *token = NULL;
    CHECK_STATUS(taap_pop_token_for_request(key, "POST", "http://127.0.0.1" TARGET, NULL, 0, (const uint8_t *)BODY,
                                            strlen(BODY), &token),
                 TAAP_OK, "a fresh token for the request");
    return token;
}

/* The gate's answer (NULL: pass) to POST TARGET signed by `key`, checked against `source`;
 * "(status)" when the call itself failed. Free it with taap_string_free. */
static char *answer_of(const taap_pop_gate *gate, const taap_key_source *source, const taap_private_key *key) {
    char *token = token_of(key);
    const taap_ehts_entry headers[] = {{"Content-Type", "application/json"}, {"X-Authorization", token}};
    char *answer = NULL;
    taap_status s = taap_pop_gate_check_with_source(gate, source, "POST", TARGET, headers, 2, (const uint8_t *)BODY,
                                                    strlen(BODY), NULL, &answer);
    taap_string_free(token);
    if (!CHECK_STATUS(s, TAAP_OK, "taap_pop_gate_check_with_source")) {
        return NULL;
    }
    return answer;
}

/* Checks the answer to POST TARGET signed by `key` (`want` NULL: it passes). */
static void check_answer(const taap_pop_gate *gate, const taap_key_source *source, const taap_private_key *key,
                         const char *want, const char *what) {
    char *answer = answer_of(gate, source, key);
    CHECK_STRING(answer, want, what);
    taap_string_free(answer);
}

static void check_len(const taap_key_source *source, size_t want, const char *what) {
    size_t len = 0;
    if (CHECK_STATUS(taap_key_source_len(source, &len), TAAP_OK, what)) {
        CHECK(len == want, what);
    }
}

/* `{"keys":[jwk of first, jwk of second]}` (second < 0: one key), in `buffer`. */
static const char *jwk_set(const struct signers *signers, int first, int second, char *buffer, size_t size) {
    if (second < 0) {
        snprintf(buffer, size, "{\"keys\":[%s]}", signers->jwks[first]);
    } else {
        snprintf(buffer, size, "{\"keys\":[%s,%s]}", signers->jwks[first], signers->jwks[second]);
    }
    return buffer;
}

static void check_parsed_set(const taap_pop_gate *gate, const struct signers *signers) {
    char set[8192];
    jwk_set(signers, 0, 1, set, sizeof set);
    taap_key_source *source = NULL;
    if (!CHECK_STATUS(taap_key_source_parse((const uint8_t *)set, strlen(set), &source), TAAP_OK,
                      "a JWK set of two keys")) {
        return;
    }
    check_len(source, 2, "the set holds two keys");
    check_answer(gate, source, signers->keys[0], NULL, "a token of the set's first key passes");
    check_answer(gate, source, signers->keys[1], NULL, "a token of the set's second key passes");
    check_answer(gate, source, signers->keys[2], NOT_SIGNED, "a token of a third key is refused");
    bool waits = true;
    const taap_ehts_entry none[] = {{"Accept", "*/*"}};
    if (CHECK_STATUS(taap_pop_gate_waits(gate, source, none, 1, &waits), TAAP_OK, "waits, a fixed set")) {
        CHECK(!waits, "a fixed set never waits");
    }
    taap_key_source_free(source);

    /* One PEM public key is a set of one, as the core parses it. */
    taap_public_key *public_key = NULL;
    char *pem = NULL;
    if (CHECK_STATUS(taap_private_key_public_key(signers->keys[2], &public_key), TAAP_OK, "a public key") &&
        CHECK_STATUS(taap_public_key_to_pem(public_key, &pem), TAAP_OK, "its PEM") &&
        CHECK_STATUS(taap_key_source_parse((const uint8_t *)pem, strlen(pem), &source), TAAP_OK, "a PEM key")) {
        check_len(source, 1, "a PEM key is a set of one");
        check_answer(gate, source, signers->keys[2], NULL, "its token passes");
        check_answer(gate, source, signers->keys[0], NOT_SIGNED, "another key's is refused");
        taap_key_source_free(source);
    }
    taap_string_free(pem);
    taap_public_key_free(public_key);
}

/* Writes `text` to `path` whole; false when it cannot. */
static bool write_text(const char *path, const char *text) {
    FILE *file = fopen(path, "wb");
    if (file == NULL) {
        return false;
    }
    bool written = fwrite(text, 1, strlen(text), file) == strlen(text);
    return fclose(file) == 0 && written;
}

/* Sets the file's modification time `ahead` seconds past the clock, so that a check cannot miss
 * the change whatever the file system's time grain. */
static bool touch_ahead(const char *path, time_t ahead) {
    struct utimbuf times = {.actime = time(NULL) + ahead, .modtime = time(NULL) + ahead};
    return utime(path, &times) == 0;
}

/* Sleeps past the once-a-second look at the file. */
static void sleep_past_the_file_check(void) {
    struct timespec pause = {.tv_sec = 1, .tv_nsec = 100000000L};
    nanosleep(&pause, NULL);
}

static void check_key_file(const taap_pop_gate *gate, const struct signers *signers) {
    char dir[] = "/tmp/taap-c-key-source-XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL, "a temporary folder for the key file")) {
        return;
    }
    char path[sizeof dir + 32], set[8192];
    snprintf(path, sizeof path, "%s/client-keys.json", dir);
    taap_key_source *source = NULL;
    if (CHECK(write_text(path, jwk_set(signers, 0, -1, set, sizeof set)), "the key file is written") &&
        CHECK_STATUS(taap_key_source_from_file(path, &source), TAAP_OK, "a key file")) {
        check_len(source, 1, "the file holds one key");
        check_answer(gate, source, signers->keys[0], NULL, "the file's key passes");
        check_answer(gate, source, signers->keys[1], NOT_SIGNED, "a key not yet in the file is refused");

        CHECK(write_text(path, jwk_set(signers, 1, -1, set, sizeof set)) && touch_ahead(path, 5),
              "the key file is rewritten with the next key");
        sleep_past_the_file_check();
        check_answer(gate, source, signers->keys[1], NULL, "the rewritten file's key passes");
        check_answer(gate, source, signers->keys[0], NOT_SIGNED, "the key taken out of the file is refused");

        CHECK(write_text(path, "{\"keys\": [") && touch_ahead(path, 10), "the key file is half written");
        sleep_past_the_file_check();
        check_answer(gate, source, signers->keys[1], NULL, "a half-written file keeps the keys in force");
        check_len(source, 1, "still the one key");
    }
    taap_key_source_free(source);
    source = (taap_key_source *)&source; /* any non-NULL value: it must stay as it is */
    char missing[sizeof dir + 32];
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    CHECK_STATUS(taap_key_source_from_file(missing, &source), TAAP_CONFIG, "a file that does not exist");
    CHECK(source == (taap_key_source *)&source, "nothing written on failure");
    unlink(path);
    rmdir(dir);
}

/* A JWK set server on 127.0.0.1: answers every GET with `body` and Cache-Control max-age=300,
 * counting the fetches, until `stop` is set. */
struct jwks_server {
    int listener;
    unsigned short port;
    const char *body;
    atomic_int fetches;
    atomic_bool stop;
    pthread_t thread;
};

static void *serve_jwks(void *argument) {
    struct jwks_server *server = argument;
    while (!atomic_load(&server->stop)) {
        struct pollfd ready = {.fd = server->listener, .events = POLLIN};
        if (poll(&ready, 1, 50) <= 0) {
            continue;
        }
        int client = accept(server->listener, NULL, NULL);
        if (client < 0) {
            continue;
        }
        char request[4096];
        size_t got = 0;
        ssize_t n;
        while (got < sizeof request - 1 && (n = read(client, request + got, sizeof request - 1 - got)) > 0) {
            got += (size_t)n;
            request[got] = '\0';
            if (strstr(request, "\r\n\r\n") != NULL) {
                break;
            }
        }
        atomic_fetch_add(&server->fetches, 1);
        char head[256];
        int head_len = snprintf(head, sizeof head,
                                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=300\r\n"
                                "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                strlen(server->body));
        if (write(client, head, (size_t)head_len) == head_len) {
            ssize_t ignored = write(client, server->body, strlen(server->body));
            (void)ignored;
        }
        close(client);
    }
    return NULL;
}

/* A listening socket on a free loopback port, and its port; -1 when there is none. */
static int loopback_listener(unsigned short *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&address, &len) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

/* A token of `key` in headers, and whether the gate says its check may wait on the network. */
static bool waits_for(const taap_pop_gate *gate, const taap_key_source *source, const taap_private_key *key) {
    char *token = token_of(key);
    const taap_ehts_entry headers[] = {{"x-authorization", token}};
    bool waits = false;
    CHECK_STATUS(taap_pop_gate_waits(gate, source, headers, 1, &waits), TAAP_OK, "taap_pop_gate_waits");
    taap_string_free(token);
    return waits;
}

static void check_jwks_url(const taap_pop_gate *gate, const struct signers *signers) {
    char set[8192], url[64];
    struct jwks_server server = {.body = jwk_set(signers, 0, 1, set, sizeof set)};
    atomic_init(&server.fetches, 0);
    atomic_init(&server.stop, false);
    server.listener = loopback_listener(&server.port);
    if (!CHECK(server.listener >= 0, "a loopback port for the JWK set") ||
        !CHECK(pthread_create(&server.thread, NULL, serve_jwks, &server) == 0, "the JWK set server starts")) {
        if (server.listener >= 0) {
            close(server.listener);
        }
        return;
    }
    snprintf(url, sizeof url, "http://127.0.0.1:%u/jwks.json", (unsigned)server.port);
    taap_key_source *source = NULL;
    if (CHECK_STATUS(taap_key_source_from_jwks_url(url, &source), TAAP_OK, "a JWK set URL")) {
        CHECK(atomic_load(&server.fetches) == 0, "the set is not fetched before it is needed");
        CHECK(waits_for(gate, source, signers->keys[0]), "a check waits while nothing is cached");
        check_len(source, 2, "the fetched set holds two keys");
        CHECK(!waits_for(gate, source, signers->keys[0]), "a check does not wait once the set is cached");
        check_answer(gate, source, signers->keys[0], NULL, "a token of the set's first key passes");
        check_answer(gate, source, signers->keys[1], NULL, "a token of the set's second key passes");
        check_answer(gate, source, signers->keys[2], NOT_SIGNED, "a token of a third key is refused");
        CHECK(atomic_load(&server.fetches) == 1, "fetched once, then served from the cache (max-age=300)");
        atomic_store(&server.stop, true);
        pthread_join(server.thread, NULL);
        close(server.listener);
        check_answer(gate, source, signers->keys[1], NULL, "the cached copy serves after the server stopped");
    } else {
        atomic_store(&server.stop, true);
        pthread_join(server.thread, NULL);
        close(server.listener);
    }
    taap_key_source_free(source);
}

/* A JWK set URL on a loopback port nothing listens on: 503 KeySourceUnavailable (fail closed). */
static void check_jwks_down(const taap_pop_gate *gate, const struct signers *signers) {
    unsigned short port = 0;
    int probe = loopback_listener(&port);
    if (!CHECK(probe >= 0, "a free loopback port")) {
        return;
    }
    close(probe);
    char url[64], want[1024], message[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/jwks.json", (unsigned)port);
    snprintf(message, sizeof message,
             "key source unavailable: the JWK set at %s cannot be fetched (connection refused) and no usable copy "
             "is cached",
             url);
    snprintf(want, sizeof want,
             "{\"status\":503,\"headers\":[" JSON_TYPE ",[\"retry-after\",\"1\"]],\"body\":"
             "\"{\\\"error\\\":\\\"KeySourceUnavailable\\\",\\\"message\\\":\\\"%s\\\"}\"}",
             message);
    taap_key_source *source = NULL;
    if (!CHECK_STATUS(taap_key_source_from_jwks_url(url, &source), TAAP_OK, "a JWK set URL on a closed port")) {
        return;
    }
    CHECK(waits_for(gate, source, signers->keys[0]), "a check waits: only a fetch can answer");
    check_answer(gate, source, signers->keys[0], want, "the gate answers 503 KeySourceUnavailable");
    CHECK(!waits_for(gate, source, signers->keys[0]), "until the next attempt the failure is answered from memory");
    check_answer(gate, source, signers->keys[1], want, "every request is refused alike");
    size_t len = 42;
    CHECK_STATUS(taap_key_source_len(source, &len), TAAP_KEY_SOURCE_UNAVAILABLE, "its length cannot be known");
    CHECK_STRING(taap_last_error_message(), message, "the core's message");
    CHECK(len == 42, "nothing written on failure");
    taap_key_source_free(source);
}

static void check_bad_arguments(const taap_pop_gate *gate, const struct signers *signers) {
    taap_key_source *source = NULL, *kept = (taap_key_source *)&source;
    const char *set = "{\"keys\":[]}";
    CHECK_STATUS(taap_key_source_parse((const uint8_t *)set, strlen(set), NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STRING(taap_last_error_message(), "out is NULL", "the message names out");
    CHECK_STATUS(taap_key_source_parse(NULL, 3, &source), TAAP_NULL_ARGUMENT, "NULL data with a length");
    CHECK_STRING(taap_last_error_message(), "data (with data_len 3) is NULL", "the message names data");
    CHECK_STATUS(taap_key_source_from_file(NULL, &source), TAAP_NULL_ARGUMENT, "NULL path");
    CHECK_STRING(taap_last_error_message(), "path is NULL", "the message names path");
    CHECK_STATUS(taap_key_source_from_file("keys.json", NULL), TAAP_NULL_ARGUMENT, "NULL out (file)");
    CHECK_STATUS(taap_key_source_from_jwks_url(NULL, &source), TAAP_NULL_ARGUMENT, "NULL url");
    CHECK_STRING(taap_last_error_message(), "url is NULL", "the message names url");
    CHECK_STATUS(taap_key_source_from_jwks_url("http://127.0.0.1:1/jwks.json", NULL), TAAP_NULL_ARGUMENT,
                 "NULL out (url)");
    CHECK_STATUS(taap_key_source_from_jwks_url("http://127.0.0.1/\xff", &source), TAAP_INVALID_UTF8,
                 "a URL that is not UTF-8");
    CHECK_STATUS(taap_key_source_from_jwks_url("file:///etc/keys.json", &source), TAAP_CONFIG, "not http(s)");
    CHECK_STRING(taap_last_error_message(), "invalid configuration: the JWKS URL must be http:// or https:// with a host",
                 "the core's message");
    size_t len = 0;
    CHECK_STATUS(taap_key_source_len(NULL, &len), TAAP_NULL_ARGUMENT, "NULL source (len)");
    CHECK_STRING(taap_last_error_message(), "source is NULL", "the message names source");
    CHECK(source == NULL, "no source on failure");

    /* Bad key sets: typed statuses with the core's messages, and no source. */
    struct {
        const char *data;
        taap_status want;
        const char *message;
    } bad[] = {
        {"{\"keys\":[]}", TAAP_INVALID_KEY, "invalid key: a key set needs at least one key"},
        {"{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\"}]}", TAAP_INVALID_KEY,
         "invalid key: key 0 of the set: the JWK has no string member 'e'"},
        {"{\"keys\": [", TAAP_INVALID_KEY,
         "invalid key: the key set is not JSON: EOF while parsing a list at line 1 column 10"},
        /* JSON must be UTF-8 (the core would read it lossily); PEM and DER are bytes. */
        {" {\"keys\":[{\"kid\":\"\xff\"}]}", TAAP_INVALID_UTF8, "data is not valid UTF-8 (first bad byte at offset 18)"},
        {"", TAAP_INVALID_KEY, "invalid key: not a valid SubjectPublicKeyInfo (PUBLIC KEY) structure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        source = kept;
        CHECK_STATUS(taap_key_source_parse((const uint8_t *)bad[i].data, strlen(bad[i].data), &source), bad[i].want,
                     bad[i].data);
        CHECK_STRING(taap_last_error_message(), bad[i].message, bad[i].data);
        CHECK(source == kept, "nothing written on failure");
    }

    /* The gate's two functions with a source. */
    char one[8192];
    source = NULL;
    jwk_set(signers, 0, -1, one, sizeof one);
    if (!CHECK_STATUS(taap_key_source_parse((const uint8_t *)one, strlen(one), &source), TAAP_OK, "a set of one")) {
        return;
    }
    char *answer = (char *)"untouched";
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "GET", TARGET, NULL, 0, NULL, 0, NULL, NULL),
                 TAAP_NULL_ARGUMENT, "NULL out_answer");
    CHECK_STRING(taap_last_error_message(), "out_answer is NULL", "the message names out_answer");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, NULL, "GET", TARGET, NULL, 0, NULL, 0, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL source");
    CHECK_STRING(taap_last_error_message(), "source is NULL", "the message names source");
    CHECK_STATUS(taap_pop_gate_check_with_source(NULL, source, "GET", TARGET, NULL, 0, NULL, 0, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL gate");
    CHECK_STRING(taap_last_error_message(), "gate is NULL", "the message names gate");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, NULL, TARGET, NULL, 0, NULL, 0, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL method");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "GET", NULL, NULL, 0, NULL, 0, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL target");
    CHECK_STRING(taap_last_error_message(), "target is NULL", "the message names target");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "GET", TARGET, NULL, 2, NULL, 0, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL headers with a count");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "GET", TARGET, NULL, 0, NULL, 3, NULL, &answer),
                 TAAP_NULL_ARGUMENT, "NULL body with a length");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "G\xff", TARGET, NULL, 0, NULL, 0, NULL, &answer),
                 TAAP_INVALID_UTF8, "a method that is not UTF-8");
    CHECK_STATUS(taap_pop_gate_check_with_source(gate, source, "GET", TARGET, NULL, 0, NULL, 0, "raw", &answer),
                 TAAP_CONFIG, "an unknown uri form");
    CHECK_STRING(answer, "untouched", "nothing written on failure");

    bool waits = true;
    CHECK_STATUS(taap_pop_gate_waits(gate, source, NULL, 0, NULL), TAAP_NULL_ARGUMENT, "NULL out (waits)");
    CHECK_STRING(taap_last_error_message(), "out is NULL", "the message names out");
    CHECK_STATUS(taap_pop_gate_waits(NULL, source, NULL, 0, &waits), TAAP_NULL_ARGUMENT, "NULL gate (waits)");
    CHECK_STATUS(taap_pop_gate_waits(gate, source, NULL, 1, &waits), TAAP_NULL_ARGUMENT, "NULL headers with a count");
    const taap_ehts_entry unnamed[] = {{NULL, "x"}};
    CHECK_STATUS(taap_pop_gate_waits(gate, source, unnamed, 1, &waits), TAAP_NULL_ARGUMENT, "a NULL header name");
    CHECK_STRING(taap_last_error_message(), "headers[0].name is NULL", "the message names the entry");
    CHECK(waits, "nothing written on failure");
    /* NULL source: taap_pop_gate_check with one key, which waits only on a redis:// store. */
    if (CHECK_STATUS(taap_pop_gate_waits(gate, NULL, NULL, 0, &waits), TAAP_OK, "NULL source (one key)")) {
        CHECK(!waits, "one key and the memory store never wait");
    }
    taap_pop_gate *shared = NULL;
    if (CHECK_STATUS(taap_pop_gate_from_json("{\"replay_store\": \"redis://127.0.0.1:1\"}", &shared), TAAP_OK,
                     "a gate with a redis store") &&
        CHECK_STATUS(taap_pop_gate_waits(shared, NULL, NULL, 0, &waits), TAAP_OK, "waits, redis store")) {
        CHECK(waits, "a redis store always waits");
        waits = false;
        CHECK_STATUS(taap_pop_gate_waits(shared, source, NULL, 0, &waits), TAAP_OK, "waits, redis store and a set");
        CHECK(waits, "a redis store always waits, whatever the keys");
    }
    taap_pop_gate_free(shared);
    taap_key_source_free(source);
    taap_key_source_free(NULL);
}

void test_key_source(const char *tests_dir) {
    struct signers signers = {{NULL}, {NULL}};
    bool loaded = true;
    for (int i = 0; i < 3; i++) {
        char path[1024];
        taap_public_key *public_key = NULL;
        snprintf(path, sizeof path, "%s/keys/%s", tests_dir, KEY_FILES[i]);
        loaded = CHECK_STATUS(taap_private_key_from_file(path, NULL, &signers.keys[i]), TAAP_OK, path) &&
                 CHECK_STATUS(taap_private_key_public_key(signers.keys[i], &public_key), TAAP_OK, "public key") &&
                 CHECK_STATUS(taap_public_key_to_jwk(public_key, &signers.jwks[i]), TAAP_OK, "its JWK") && loaded;
        taap_public_key_free(public_key);
    }
    taap_pop_gate *gate = NULL;
    if (loaded && CHECK_STATUS(taap_pop_gate_from_json(NULL, &gate), TAAP_OK, "a gate")) {
        check_parsed_set(gate, &signers);
        check_key_file(gate, &signers);
        check_jwks_url(gate, &signers);
        check_jwks_down(gate, &signers);
        check_bad_arguments(gate, &signers);
    }
    taap_pop_gate_free(gate);
    for (int i = 0; i < 3; i++) {
        taap_string_free(signers.jwks[i]);
        taap_private_key_free(signers.keys[i]);
    }
}

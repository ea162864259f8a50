/* taap_client_* against a local TAAP gateway (`taap serve`): access tokens, signed API calls,
 * responses, OAuth refusals, transport failures, bad arguments, and one client shared by
 * threads. scripts/test.sh starts the gateway and passes its URL and the registered client. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define URL_SIZE 512
#define DEVICE "/iot-connectivity/v1/devices/8901260000000000019"
#define SHARING_THREADS 4
#define CALLS_PER_THREAD 3

struct gateway {
    const char *url;
    const char *client_id;
    const char *client_secret;
};

static void endpoint(char *out, const struct gateway *gateway, const char *path) {
    snprintf(out, URL_SIZE, "%s%s", gateway->url, path);
}

static taap_client *new_client(const struct gateway *gateway, const taap_private_key *key, const char *flavor,
                               const char *secret, const char *options) {
    char server[URL_SIZE];
    snprintf(server, sizeof server, "%s/oauth2/%s/tokens", gateway->url, flavor);
    taap_client *client = NULL;
    CHECK_STATUS(taap_client_new(key, gateway->client_id, secret, server, options, &client), TAAP_OK, server);
    return client;
}

static void test_bad_arguments(const struct gateway *gateway, const taap_private_key *key) {
    taap_client *client = (void *)0x5a5a5a5a;
    taap_client *const untouched = client;
    const char *v2 = "https://naas.t-mobile.com/oauth2/v2/tokens";
    CHECK_STATUS(taap_client_new(NULL, "id", "secret", "v2", NULL, &client), TAAP_NULL_ARGUMENT, "NULL key");
    CHECK_STATUS(taap_client_new(key, NULL, "secret", "v2", NULL, &client), TAAP_NULL_ARGUMENT, "NULL client id");
    CHECK_STATUS(taap_client_new(key, "id", NULL, "v2", NULL, &client), TAAP_NULL_ARGUMENT, "NULL secret");
    CHECK_STATUS(taap_client_new(key, "id", "secret", "v2", "{\"server\": \"v6\"}", &client), TAAP_CONFIG,
                 "the server as the argument and as the option");
    CHECK_STATUS(taap_client_new(key, "id", "secret", "v2", NULL, NULL), TAAP_NULL_ARGUMENT, "NULL out");
    CHECK_STATUS(taap_client_new(key, "id", "", v2, NULL, &client), TAAP_CONFIG, "empty secret");
    CHECK_STATUS(taap_client_new(key, "id", "secret", "ftp://h/oauth2/v2/tokens", NULL, &client), TAAP_CONFIG,
                 "ftp server");
    CHECK_STATUS(taap_client_new(key, "id", "secret", "https://h/tokens", NULL, &client), TAAP_CONFIG,
                 "a server that is neither v2 nor v6");
    CHECK_STATUS(taap_client_new(key, "caf\xc3\x28", "secret", v2, NULL, &client), TAAP_INVALID_UTF8,
                 "client id not UTF-8");
    CHECK_STATUS(taap_client_new(key, "id", "secret", v2, "{\"max_retries\": 11}", &client), TAAP_CONFIG, "11 retries");
    CHECK_STRING(taap_last_error_message(), "invalid configuration: option max_retries is 11; choose 0 to 10",
                 "the schema's message");
    CHECK_STATUS(taap_client_new(key, "id", "secret", v2, "{\"store_id\": \"caf\xc3\x28\"}", &client),
                 TAAP_INVALID_UTF8, "options not UTF-8");
    CHECK_STATUS(taap_client_new(key, "id", "secret", v2, "[1]", &client), TAAP_CONFIG, "options not an object");
    CHECK(client == untouched, "no client written on failure");

    CHECK(taap_response_status(NULL) == 0, "status of NULL is 0");
    size_t len = 99;
    CHECK(taap_response_body(NULL, &len) == NULL, "body of NULL is NULL");
    CHECK(taap_response_headers(NULL, &len) == NULL && len == 0, "headers of NULL are none");
    CHECK(taap_response_header(NULL, "content-type") == NULL, "header of NULL is NULL");
    taap_client_free(NULL);
    taap_response_free(NULL);

    client = new_client(gateway, key, "v2", gateway->client_secret, NULL);
    char *token = (void *)0x5a5a5a5a;
    taap_response *response = (void *)0x5a5a5a5a;
    char url[URL_SIZE];
    endpoint(url, gateway, DEVICE);
    CHECK_STATUS(taap_client_access_token(NULL, &token, NULL), TAAP_NULL_ARGUMENT, "access token of NULL");
    CHECK_STATUS(taap_client_access_token(client, NULL, NULL), TAAP_NULL_ARGUMENT, "NULL out token");
    CHECK_STATUS(taap_client_send(client, NULL, url, NULL, 0, NULL, 0, &response), TAAP_NULL_ARGUMENT, "NULL method");
    CHECK_STATUS(taap_client_send(client, "GET", url, NULL, 0, NULL, 0, NULL), TAAP_NULL_ARGUMENT, "NULL out");
    const taap_ehts_entry reserved[] = {{"Authorization", "Bearer mine"}};
    CHECK_STATUS(taap_client_send(client, "GET", url, reserved, 1, NULL, 0, &response), TAAP_CONFIG,
                 "a caller's Authorization header");
    const taap_ehts_entry latin1[] = {{"X-Name", "J\xfcrgen"}};
    CHECK_STATUS(taap_client_send(client, "GET", url, latin1, 1, NULL, 0, &response), TAAP_INVALID_UTF8,
                 "a header value not UTF-8");
    CHECK_STATUS(taap_client_send(client, "GET", "not a url", NULL, 0, NULL, 0, &response), TAAP_CONFIG,
                 "a relative URL");
    CHECK(token == (void *)0x5a5a5a5a && response == (void *)0x5a5a5a5a, "outputs untouched on failure");
    taap_client_free(client);
}

static void test_access_tokens(const struct gateway *gateway, const taap_private_key *key) {
    const char *v6_options = "{\"store_id\": \"store-1\", \"dealer_code\": \"dealer-1\"}";
    const char *flavors[] = {"v2", "v6"};
    for (size_t i = 0; i < 2; i++) {
        taap_client *client = new_client(gateway, key, flavors[i], gateway->client_secret, i ? v6_options : NULL);
        char *first = NULL, *cached = NULL, *refreshed = NULL;
        uint64_t expires_in = 0;
        if (CHECK_STATUS(taap_client_access_token(client, &first, &expires_in), TAAP_OK, flavors[i]) &&
            CHECK_STATUS(taap_client_access_token(client, &cached, NULL), TAAP_OK, "cached") &&
            CHECK_STATUS(taap_client_refresh_access_token(client, &refreshed, NULL), TAAP_OK, "refresh")) {
            CHECK(strlen(first) > 20, "an access token");
            CHECK(expires_in > 3000 && expires_in <= 3600, "the gateway's tokens live an hour");
            CHECK_STRING(cached, first, "the second call gets the cached token");
            CHECK(strcmp(refreshed, first) != 0, "a refresh gets a new token");
        }
        taap_string_free(first);
        taap_string_free(cached);
        taap_string_free(refreshed);
        taap_client_free(client);
    }
}

static void test_refusals(const struct gateway *gateway, const taap_private_key *key) {
    taap_client *client = new_client(gateway, key, "v2", "not-the-secret", NULL);
    char *token = NULL;
    CHECK_STATUS(taap_client_access_token(client, &token, NULL), TAAP_OAUTH, "a wrong secret");
    CHECK(taap_last_error_http_status() == 401, "the refusal's HTTP status");
    const char *message = taap_last_error_message();
    CHECK(message != NULL && strstr(message, "not-the-secret") == NULL, "the message does not show the secret");
    CHECK(token == NULL, "no token written on failure");
    taap_client_free(client);

    client = NULL;
    const char *once = "{\"max_retries\": 0, \"connect_timeout\": 2}";
    CHECK_STATUS(taap_client_new(key, "id", "secret", "http://127.0.0.1:1/oauth2/v2/tokens", once, &client),
                 TAAP_OK, "a client of a closed port");
    CHECK_STATUS(taap_client_access_token(client, &token, NULL), TAAP_TRANSPORT, "a closed port");
    CHECK(taap_last_error_http_status() == 0, "no HTTP status for a transport failure");
    taap_client_free(client);
}

static void test_calls(const struct gateway *gateway, const taap_private_key *key) {
    taap_client *client = new_client(gateway, key, "v2", gateway->client_secret, NULL);
    char url[URL_SIZE];
    endpoint(url, gateway, DEVICE);
    taap_response *response = NULL;
    if (CHECK_STATUS(taap_client_send(client, "GET", url, NULL, 0, NULL, 0, &response), TAAP_OK, "GET a device")) {
        size_t len = 0;
        const char *body = (const char *)taap_response_body(response, &len);
        CHECK(taap_response_status(response) == 200, "200 for a device");
        CHECK(strlen(body) == len, "the body is NUL-terminated");
        CHECK(strstr(body, "\"status\":\"ACTIVATED\"") != NULL, "the device record");
        CHECK_STRING(taap_response_header(response, "Content-Type"), "application/json", "header by any case");
        CHECK(taap_response_header(response, "X-Not-There") == NULL, "a missing header is NULL");
        size_t count = 0;
        const taap_ehts_entry *headers = taap_response_headers(response, &count);
        bool found = false;
        for (size_t i = 0; i < count; i++) {
            found = found || (strcmp(headers[i].name, "cache-control") == 0 && strcmp(headers[i].value, "no-store") == 0);
        }
        CHECK(found, "every header listed, names lower-case");
    }
    taap_response_free(response);

    endpoint(url, gateway, "/commerce/v1/orders");
    const char *order = "{\"orderId\": 100, \"product\": \"Mobile Phone\"}";
    const taap_ehts_entry headers[] = {{"Content-Type", "application/json"}, {"X-Request-Id", "c-test-1"}};
    response = NULL;
    if (CHECK_STATUS(taap_client_send(client, "post", url, headers, 2, (const uint8_t *)order, strlen(order), &response),
                     TAAP_OK, "POST an order")) {
        CHECK(taap_response_status(response) == 201, "201 for an order");
        CHECK(strstr((const char *)taap_response_body(response, NULL), "\"status\":\"RECEIVED\"") != NULL,
              "the order is received");
    }
    taap_response_free(response);

    endpoint(url, gateway, "/iot-connectivity/v1/devices/1200000000000000000");
    response = NULL;
    if (CHECK_STATUS(taap_client_send(client, "GET", url, NULL, 0, NULL, 0, &response), TAAP_OK,
                     "an HTTP error status is a response")) {
        CHECK(taap_response_status(response) == 404, "404 for an unknown device");
    }
    taap_response_free(response);
    taap_client_free(client);
}

struct caller {
    const taap_client *client;
    const char *url;
    unsigned ok;
};

static void *call_devices(void *argument) {
    struct caller *caller = argument;
    for (unsigned i = 0; i < CALLS_PER_THREAD; i++) {
        taap_response *response = NULL;
        if (taap_client_send(caller->client, "GET", caller->url, NULL, 0, NULL, 0, &response) == TAAP_OK &&
            taap_response_status(response) == 200) {
            caller->ok++;
        }
        taap_response_free(response);
    }
    return NULL;
}

/* One client shared by threads, its key freed by the caller right after creating it. */
static void test_shared_client(const struct gateway *gateway, const char *key_pem) {
    taap_private_key *key = NULL;
    if (!CHECK_STATUS(taap_private_key_from_pem(key_pem, NULL, &key), TAAP_OK, "load the key")) {
        return;
    }
    taap_client *client = new_client(gateway, key, "v2", gateway->client_secret, NULL);
    taap_private_key_free(key);
    char url[URL_SIZE];
    endpoint(url, gateway, DEVICE);
    pthread_t threads[SHARING_THREADS];
    struct caller callers[SHARING_THREADS];
    unsigned started = 0;
    for (unsigned t = 0; t < SHARING_THREADS; t++) {
        callers[t] = (struct caller){.client = client, .url = url};
        if (CHECK(pthread_create(&threads[t], NULL, call_devices, &callers[t]) == 0, "a thread starts")) {
            started++;
        }
    }
    for (unsigned t = 0; t < started; t++) {
        pthread_join(threads[t], NULL);
        CHECK(callers[t].ok == CALLS_PER_THREAD, "every call of a thread sharing the client succeeds");
    }
    taap_client_free(client);
}

void test_client(const char *tests_dir) {
    struct gateway gateway = {getenv("TAAP_TEST_GATEWAY"), getenv("TAAP_TEST_CLIENT_ID"),
                              getenv("TAAP_TEST_CLIENT_SECRET")};
    if (gateway.url == NULL || gateway.client_id == NULL || gateway.client_secret == NULL) {
        /* Under make test a suite that did not run is a failure, not a pass. */
        CHECK(getenv("TAAP_REFUSE_SKIPS") == NULL, "the client suite needs a `taap serve` (make test starts one)");
        printf("client suite not run: TAAP_TEST_GATEWAY, TAAP_TEST_CLIENT_ID and TAAP_TEST_CLIENT_SECRET "
               "name a running `taap serve`\n");
        return;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    char *pem = read_file(path, NULL);
    taap_private_key *key = NULL;
    if (CHECK(pem != NULL, path) && CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, path)) {
        test_bad_arguments(&gateway, key);
        test_access_tokens(&gateway, key);
        test_refusals(&gateway, key);
        test_calls(&gateway, key);
        test_shared_client(&gateway, pem);
    }
    taap_private_key_free(key);
    free(pem);
}

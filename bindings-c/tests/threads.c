/* Many threads share one private key, one public key and one validator with a replay cache:
 * every token must validate once and be refused as a replay after, and each thread's error
 * message must be its own. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

struct worker {
    const taap_private_key *key;
    const taap_public_key *public_key;
    const taap_validator *validator;
    unsigned index;
    unsigned tokens;
    /* Written by the worker, checked by the main thread once it has joined. */
    unsigned built, accepted, replays_refused, own_messages;
};

/* Builds, validates and replays `tokens` tokens over values unique to this thread. */
static void *work(void *argument) {
    struct worker *worker = argument;
    for (unsigned i = 0; i < worker->tokens; i++) {
        char uri[64];
        snprintf(uri, sizeof uri, "/threads/%u/tokens/%u", worker->index, i);
        const taap_ehts_entry ehts[] = {{"uri", uri}, {"http-method", "GET"}, {"body", ""}};
        char *token = NULL;
        if (taap_pop_token_build(worker->key, ehts, 3, NULL, &token) != TAAP_OK) {
            continue;
        }
        worker->built++;
        if (taap_validator_validate(worker->validator, token, worker->public_key, ehts, 3, NULL) == TAAP_OK) {
            worker->accepted++;
        }
        if (taap_validator_validate(worker->validator, token, worker->public_key, ehts, 3, NULL) == TAAP_REPLAY) {
            worker->replays_refused++;
        }
        taap_string_free(token);

        /* A failure names this thread's entry; no other thread's call may overwrite it. */
        char name[32], expected[64];
        snprintf(name, sizeof name, "bad;%u", worker->index);
        snprintf(expected, sizeof expected, "(\"bad;%u\")", worker->index);
        const taap_ehts_entry bad[] = {{name, "x"}};
        char *never = NULL;
        if (taap_pop_token_build(worker->key, bad, 1, NULL, &never) == TAAP_INVALID_EHTS) {
            const char *message = taap_last_error_message();
            if (message != NULL && strstr(message, expected) != NULL && never == NULL) {
                worker->own_messages++;
            }
        }
    }
    return NULL;
}

void test_threads(const char *tests_dir, unsigned threads, unsigned tokens_per_thread) {
    char path[1024];
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    taap_private_key *key = NULL;
    taap_public_key *public_key = NULL;
    taap_validator *validator = NULL;
    taap_validate_options options = {0};
    options.replay_cache = (size_t)threads * tokens_per_thread;
    if (!CHECK_STATUS(taap_private_key_from_file(path, NULL, &key), TAAP_OK, "load the shared key") ||
        !CHECK_STATUS(taap_private_key_public_key(key, &public_key), TAAP_OK, "its public key") ||
        !CHECK_STATUS(taap_validator_new(&options, &validator), TAAP_OK, "the shared validator")) {
        taap_public_key_free(public_key);
        taap_private_key_free(key);
        return;
    }
    struct worker *workers = calloc(threads, sizeof *workers);
    pthread_t *ids = calloc(threads, sizeof *ids);
    unsigned started = 0;
    for (unsigned t = 0; workers != NULL && ids != NULL && t < threads; t++) {
        workers[t] = (struct worker){.key = key, .public_key = public_key, .validator = validator, .index = t,
                                     .tokens = tokens_per_thread};
        if (CHECK(pthread_create(&ids[t], NULL, work, &workers[t]) == 0, "a thread starts")) {
            started++;
        }
    }
    for (unsigned t = 0; t < started; t++) {
        pthread_join(ids[t], NULL);
        char what[64];
        snprintf(what, sizeof what, "thread %u: every token built", t);
        CHECK(workers[t].built == tokens_per_thread, what);
        snprintf(what, sizeof what, "thread %u: every token accepted once", t);
        CHECK(workers[t].accepted == tokens_per_thread, what);
        snprintf(what, sizeof what, "thread %u: every replay refused", t);
        CHECK(workers[t].replays_refused == tokens_per_thread, what);
        snprintf(what, sizeof what, "thread %u: its error messages are its own", t);
        CHECK(workers[t].own_messages == tokens_per_thread, what);
    }
    CHECK(started == threads, "every thread ran");
    free(ids);
    free(workers);
    taap_validator_free(validator);
    taap_public_key_free(public_key);
    taap_private_key_free(key);
}

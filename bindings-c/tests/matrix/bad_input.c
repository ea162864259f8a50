/* The C column of the bad-input matrix (tests/bad-input/, docs/security-testing.md).
 *
 *   taap_bad_input TESTS_DIR OUTPUT.jsonl
 *
 * Runs every case of tests/bad-input/cases.json through the C API, each in a forked child
 * with a time limit (a crash or a hang is that cell's outcome, not the end of the column),
 * writes one JSON line per cell to OUTPUT.jsonl, and ends with "N passed, N failed": a cell
 * passes when it shows the outcome cases.json expects for the "c" column. */
#define _GNU_SOURCE /* memmem, mkstemp */
#include <ctype.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "taap.h"

#define CASE_TIMEOUT_SECS 60
#define OUTCOME_SIZE 256
#define PATH_SIZE 1024
#define NOT_C_STRING "n/a: C strings end at NUL"

struct bytes {
    unsigned char *data; /* NUL-terminated, so that C-string inputs can be passed as they are */
    size_t len;
};

static const char *tests_dir;
static json_t *signed_tokens;

static void fail(const char *what) {
    fprintf(stderr, "taap_bad_input: %s\n", what);
    exit(2);
}

static struct bytes make(const void *data, size_t len) {
    struct bytes made = {malloc(len + 1), len};
    if (made.data == NULL) fail("out of memory");
    if (len > 0) memcpy(made.data, data, len);
    made.data[len] = '\0';
    return made;
}

static struct bytes read_whole(const char *relative) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s", tests_dir, relative);
    FILE *file = fopen(path, "rb");
    if (file == NULL) fail(path);
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    struct bytes read = {malloc((size_t)size + 1), (size_t)size};
    if (read.data == NULL || fread(read.data, 1, (size_t)size, file) != (size_t)size) fail(path);
    read.data[size] = '\0';
    fclose(file);
    return read;
}

static void append(struct bytes *to, struct bytes more) {
    unsigned char *grown = realloc(to->data, to->len + more.len + 1);
    if (grown == NULL) fail("out of memory");
    memcpy(grown + to->len, more.data, more.len);
    to->data = grown;
    to->len += more.len;
    to->data[to->len] = '\0';
    free(more.data);
}

static struct bytes base64url(struct bytes raw) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    struct bytes encoded = {malloc(raw.len * 4 / 3 + 4), 0};
    if (encoded.data == NULL) fail("out of memory");
    for (size_t i = 0; i < raw.len; i += 3) {
        unsigned long group = (unsigned long)raw.data[i] << 16;
        if (i + 1 < raw.len) group |= (unsigned long)raw.data[i + 1] << 8;
        if (i + 2 < raw.len) group |= raw.data[i + 2];
        size_t chars = raw.len - i >= 3 ? 4 : raw.len - i + 1;
        for (size_t c = 0; c < chars; c++) encoded.data[encoded.len++] = (unsigned char)alphabet[(group >> (18 - 6 * c)) & 63];
    }
    encoded.data[encoded.len] = '\0';
    free(raw.data);
    return encoded;
}

static struct bytes signed_token(json_t *spec) {
    const char *name = json_string_value(json_object_get(spec, "signed"));
    const char *token = json_string_value(json_object_get(json_object_get(signed_tokens, "tokens"), name));
    if (token == NULL) fail("unknown signed token");
    struct bytes built = make(token, strlen(token));
    json_t *drop = json_object_get(spec, "drop"), *keep = json_object_get(spec, "keep"), *flip = json_object_get(spec, "flip");
    if (drop != NULL) built.len -= (size_t)json_integer_value(drop);
    if (keep != NULL) built.len = (size_t)json_integer_value(keep);
    if (flip != NULL) {
        json_int_t at = json_integer_value(flip);
        size_t index = at < 0 ? built.len - (size_t)(-at) : (size_t)at;
        built.data[index] = built.data[index] == 'A' ? 'B' : 'A';
    }
    built.data[built.len] = '\0';
    return built;
}

/* A case value as bytes (see the note in cases.json). */
static struct bytes build(json_t *value) {
    if (json_is_string(value)) return make(json_string_value(value), json_string_length(value));
    if (json_object_get(value, "signed") != NULL) return signed_token(value);
    struct bytes built = make("", 0);
    json_t *part;
    if ((part = json_object_get(value, "hex")) != NULL) {
        const char *hex = json_string_value(part);
        for (const char *at = hex; *at != '\0';) {
            if (*at == ' ') {
                at++;
                continue;
            }
            unsigned byte = 0;
            if (sscanf(at, "%2x", &byte) != 1) fail("bad hex");
            unsigned char one = (unsigned char)byte;
            append(&built, make(&one, 1));
            at += 2;
        }
    } else if ((part = json_object_get(value, "file")) != NULL) {
        free(built.data);
        built = read_whole(json_string_value(part));
    } else if ((part = json_object_get(value, "repeat")) != NULL) {
        struct bytes unit = build(part);
        size_t times = (size_t)json_integer_value(json_object_get(value, "times"));
        free(built.data);
        built = (struct bytes){malloc(unit.len * times + 1), unit.len * times};
        if (built.data == NULL) fail("out of memory");
        for (size_t i = 0; i < times; i++) memcpy(built.data + i * unit.len, unit.data, unit.len);
        built.data[built.len] = '\0';
        free(unit.data);
    } else if ((part = json_object_get(value, "concat")) != NULL) {
        size_t index;
        json_t *item;
        json_array_foreach(part, index, item) append(&built, build(item));
    } else if ((part = json_object_get(value, "b64url")) != NULL) {
        free(built.data);
        built = base64url(build(part));
    } else {
        fail("unknown value constructor");
    }
    json_t *keep = json_object_get(value, "keep");
    if (keep != NULL) {
        built.len = (size_t)json_integer_value(keep);
        built.data[built.len] = '\0';
    }
    return built;
}

static bool has_nul(struct bytes text) { return memchr(text.data, '\0', text.len) != NULL; }

/* `ok`, or the status as a kind name: TAAP_INVALID_KEY -> InvalidKey. */
static void status_outcome(taap_status status, char *out) {
    if (status == TAAP_OK) {
        strcpy(out, "ok");
        return;
    }
    const char *name = taap_status_name(status);
    if (name == NULL) {
        snprintf(out, OUTCOME_SIZE, "unknown status %d", (int)status);
        return;
    }
    if (status == TAAP_OAUTH) {
        strcpy(out, "OAuth");
        return;
    }
    size_t length = 0;
    bool upper = true;
    for (const char *at = name + strlen("TAAP_"); *at != '\0' && length + 1 < OUTCOME_SIZE; at++) {
        if (*at == '_') {
            upper = true;
            continue;
        }
        out[length++] = upper ? *at : (char)tolower((unsigned char)*at);
        upper = false;
    }
    out[length] = '\0';
}

/* ehts, values or headers as C entries, with the buffers they point into. */
struct entries {
    taap_ehts_entry *items;
    size_t count;
    struct bytes *owned; /* 2 per entry: name, value */
    bool expressible;    /* false when a name or value holds a NUL */
};

static struct entries make_entries(json_t *spec) {
    size_t n = spec == NULL ? 0
               : json_is_array(spec) ? json_array_size(spec)
                                     : (size_t)json_integer_value(json_object_get(spec, "entries"));
    struct entries made = {calloc(n + 1, sizeof(taap_ehts_entry)), n, calloc(2 * n + 1, sizeof(struct bytes)), true};
    if (made.items == NULL || made.owned == NULL) fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        struct bytes name, value;
        if (json_is_array(spec)) {
            name = build(json_array_get(json_array_get(spec, i), 0));
            value = build(json_array_get(json_array_get(spec, i), 1));
        } else {
            char generated[32];
            snprintf(generated, sizeof generated, "h%zu", i);
            name = make(generated, strlen(generated));
            value = make("v", 1);
        }
        made.expressible = made.expressible && !has_nul(name) && !has_nul(value);
        made.owned[2 * i] = name;
        made.owned[2 * i + 1] = value;
        made.items[i] = (taap_ehts_entry){(const char *)name.data, (const char *)value.data};
    }
    return made;
}

static void free_entries(struct entries *entries) {
    for (size_t i = 0; i < 2 * entries->count; i++) free(entries->owned[i].data);
    free(entries->owned);
    free(entries->items);
}

static taap_build_options build_options(json_t *test_case, struct bytes *jti) {
    json_t *ttl = json_object_get(test_case, "ttl"), *iat = json_object_get(test_case, "iat");
    json_t *jti_value = json_object_get(test_case, "jti");
    *jti = jti_value != NULL ? build(jti_value) : make("bad-input-jti", strlen("bad-input-jti"));
    return (taap_build_options){
        .ttl_secs = ttl != NULL ? json_integer_value(ttl) : 120,
        .iat = iat != NULL ? json_integer_value(iat) : json_integer_value(json_object_get(signed_tokens, "iat")),
        .iat_is_set = true,
        .jti = (const char *)jti->data,
    };
}

static taap_private_key *signing_key(void) {
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/keys/%s", tests_dir, json_string_value(json_object_get(signed_tokens, "key")));
    taap_private_key *key = NULL;
    if (taap_private_key_from_file(path, NULL, &key) != TAAP_OK) fail("the signing key does not load");
    return key;
}

static void write_temporary(struct bytes contents, char *path) {
    snprintf(path, PATH_SIZE, "/tmp/taap-c-bad-input-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, contents.data, contents.len) != (ssize_t)contents.len) fail("temporary key file");
    close(fd);
    free(contents.data);
}

/* The outcome of decode or validate; NOT_C_STRING when an input holds a NUL. */
static const char *token_case(json_t *test_case, bool validate, taap_status *status) {
    struct bytes token = build(json_object_get(test_case, "token"));
    json_t *values = json_object_get(test_case, "values");
    struct entries ehts = make_entries(values != NULL ? values : json_object_get(signed_tokens, "values"));
    const char *inexpressible = has_nul(token) || (validate && !ehts.expressible) ? NOT_C_STRING : NULL;
    if (inexpressible == NULL && !validate) {
        taap_pop_token *decoded = NULL;
        *status = taap_pop_token_decode((const char *)token.data, &decoded);
        const taap_claims *claims = taap_pop_token_claims(decoded);
        if (*status == TAAP_OK && (claims == NULL || claims->jti == NULL)) fail("decoded claims missing");
        taap_pop_token_free(decoded);
    } else if (inexpressible == NULL) {
        json_t *required = json_object_get(json_object_get(test_case, "options"), "required");
        const char *names[8];
        size_t required_len = required == NULL ? 0 : json_array_size(required);
        for (size_t i = 0; i < required_len && i < 8; i++) names[i] = json_string_value(json_array_get(required, i));
        taap_validate_options options = {
            .now = json_integer_value(json_object_get(signed_tokens, "iat")) + 5,
            .required = names,
            .required_len = required_len,
        };
        taap_private_key *key = signing_key();
        taap_public_key *public_key = NULL;
        if (taap_private_key_public_key(key, &public_key) != TAAP_OK) fail("public key");
        *status = taap_pop_token_validate((const char *)token.data, public_key, ehts.items, ehts.count, &options);
        taap_public_key_free(public_key);
        taap_private_key_free(key);
    }
    free_entries(&ehts);
    free(token.data);
    return inexpressible;
}

/* The outcome of build or for_request; NOT_C_STRING when an input holds a NUL. */
static const char *signing_case(json_t *test_case, bool is_build, taap_status *status) {
    struct bytes jti;
    taap_build_options options = build_options(test_case, &jti);
    struct entries ehts = make_entries(json_object_get(test_case, is_build ? "ehts" : "headers"));
    struct bytes method = make("", 0), url = make("", 0), body = make("", 0);
    if (!is_build) {
        free(method.data);
        free(url.data);
        method = build(json_object_get(test_case, "method"));
        url = build(json_object_get(test_case, "url"));
        json_t *body_spec = json_object_get(test_case, "body");
        if (body_spec != NULL) {
            free(body.data);
            body = build(body_spec);
        }
    }
    bool expressible = ehts.expressible && !has_nul(jti) && !has_nul(method) && !has_nul(url);
    if (expressible) {
        taap_private_key *key = signing_key();
        char *token = NULL;
        *status = is_build ? taap_pop_token_build(key, ehts.items, ehts.count, &options, &token)
                           : taap_pop_token_for_request_with(key, (const char *)method.data, (const char *)url.data,
                                                             ehts.items, ehts.count, body.data, body.len, &options,
                                                             &token);
        taap_string_free(token);
        taap_private_key_free(key);
    }
    free(body.data);
    free(url.data);
    free(method.data);
    free(jti.data);
    free_entries(&ehts);
    return expressible ? NULL : NOT_C_STRING;
}

/* What a signer_callback case's callback answers: its bytes, or a failure status. */
struct answer {
    struct bytes signature;
    bool fails;
};

static int32_t answer_callback(void *context, const uint8_t *digest, uint8_t *signature, size_t *signature_len) {
    (void)digest;
    const struct answer *answer = context;
    if (answer->fails) return 1; /* the device did not sign */
    if (answer->signature.len > *signature_len) return 1;
    if (answer->signature.len > 0) memcpy(signature, answer->signature.data, answer->signature.len);
    *signature_len = answer->signature.len;
    return 0;
}

/* The outcome of signer_uri (a spec, or a key file under tests/) or signer_callback, building a
 * token with ehts uri=/ through the signer. */
static const char *signer_case(json_t *test_case, bool is_uri, taap_status *status) {
    taap_signer *signer = NULL;
    struct answer answer = {{NULL, 0}, json_object_get(test_case, "throws") != NULL};
    if (is_uri) {
        json_t *key_file = json_object_get(test_case, "key_file");
        struct bytes spec = key_file != NULL ? make("", 0) : build(json_object_get(test_case, "spec"));
        char path[PATH_SIZE];
        if (key_file != NULL) snprintf(path, sizeof path, "%s/%s", tests_dir, json_string_value(key_file));
        if (key_file == NULL && has_nul(spec)) {
            free(spec.data);
            return NOT_C_STRING;
        }
        *status = taap_signer_open(key_file != NULL ? path : (const char *)spec.data, NULL, 0, &signer);
        free(spec.data);
    } else {
        json_t *answer_spec = json_object_get(test_case, "answer");
        answer.signature = answer_spec != NULL ? build(answer_spec) : make("", 0);
        taap_private_key *key = signing_key();
        taap_public_key *public_key = NULL;
        if (taap_private_key_public_key(key, &public_key) != TAAP_OK) fail("public key");
        *status = taap_signer_from_callback(public_key, answer_callback, &answer, NULL, &signer);
        taap_public_key_free(public_key);
        taap_private_key_free(key);
    }
    if (*status == TAAP_OK) {
        const taap_ehts_entry ehts[] = {{"uri", "/"}};
        char *token = NULL;
        *status = taap_pop_token_build_with_signer(signer, ehts, 1, NULL, &token);
        taap_string_free(token);
    }
    taap_signer_free(signer);
    free(answer.signature.data);
    return NULL;
}

/* The outcome of private_key or public_key, loaded from a temporary file. */
static const char *key_case(json_t *test_case, bool is_public, taap_status *status) {
    json_t *password_spec = json_object_get(test_case, "password");
    struct bytes password = password_spec != NULL && !json_is_null(password_spec) ? build(password_spec)
                                                                                 : (struct bytes){NULL, 0};
    if (password.data != NULL && has_nul(password)) {
        free(password.data);
        return NOT_C_STRING;
    }
    char path[PATH_SIZE];
    write_temporary(build(json_object_get(test_case, "key")), path);
    if (is_public) {
        taap_public_key *key = NULL;
        *status = taap_public_key_from_file(path, &key);
        taap_public_key_free(key);
    } else {
        taap_private_key *key = NULL;
        *status = taap_private_key_from_file(path, (const char *)password.data, &key);
        taap_private_key_free(key);
    }
    unlink(path);
    free(password.data);
    return NULL;
}

/* A request of a validate_request case through `validator`; NOT_C_STRING when an input holds
 * a NUL. */
static const char *one_request(taap_validator *validator, json_t *request, const taap_public_key *default_key,
                               taap_status *status) {
    struct bytes method = build(json_object_get(request, "method"));
    struct bytes target = build(json_object_get(request, "target"));
    json_t *body_spec = json_object_get(request, "body"), *key_spec = json_object_get(request, "key");
    struct bytes body = body_spec != NULL ? build(body_spec) : make("", 0);
    struct bytes pem = key_spec != NULL ? build(key_spec) : make("", 0);
    struct entries headers = make_entries(json_object_get(request, "headers"));
    bool expressible = headers.expressible && !has_nul(method) && !has_nul(target) && !has_nul(pem);
    if (expressible) {
        taap_public_key *own_key = NULL;
        if (key_spec != NULL && taap_public_key_from_pem((const char *)pem.data, &own_key) != TAAP_OK) {
            fail("a request's key does not load");
        }
        *status = taap_validator_validate_request(validator, own_key != NULL ? own_key : default_key,
                                                  (const char *)method.data, (const char *)target.data,
                                                  headers.items, headers.count, body.data, body.len, NULL);
        taap_public_key_free(own_key);
    }
    free_entries(&headers);
    free(pem.data);
    free(body.data);
    free(target.data);
    free(method.data);
    return expressible ? NULL : NOT_C_STRING;
}

/* The outcome of validate_request: its requests in order through one validator, as
 * core/tests/bad_input.rs runs them; every one before the last must pass. */
static const char *request_case(json_t *test_case, taap_status *status) {
    static const char *const required[] = {"uri", "http-method"};
    taap_validate_options options = {
        .now = json_integer_value(json_object_get(signed_tokens, "iat")) + 5,
        .required = required,
        .required_len = 2,
        .replay_cache = 1000,
    };
    taap_validator *validator = NULL;
    if (taap_validator_new(&options, &validator) != TAAP_OK) fail("the request validator does not build");
    taap_private_key *signing = signing_key();
    taap_public_key *default_key = NULL;
    if (taap_private_key_public_key(signing, &default_key) != TAAP_OK) fail("public key");
    json_t *requests = json_object_get(test_case, "requests");
    size_t count = json_array_size(requests);
    if (count == 0) fail("validate_request without requests");
    const char *inexpressible = NULL;
    for (size_t i = 0; i < count && inexpressible == NULL; i++) {
        inexpressible = one_request(validator, json_array_get(requests, i), default_key, status);
        /* A setup request that fails would make the last one's outcome meaningless. */
        if (inexpressible == NULL && i + 1 < count && *status != TAAP_OK) {
            char got[OUTCOME_SIZE], why[2 * OUTCOME_SIZE];
            status_outcome(*status, got);
            snprintf(why, sizeof why, "%s: request %zu must pass, got %s",
                     json_string_value(json_object_get(test_case, "id")), i, got);
            fail(why);
        }
    }
    taap_public_key_free(default_key);
    taap_private_key_free(signing);
    taap_validator_free(validator);
    return inexpressible;
}

/* Runs one case in this (child) process and writes its outcome; frees all it made, so that
 * LeakSanitizer can check every case on its own. */
static void run_case(json_t *test_case, char *out) {
    const char *op = json_string_value(json_object_get(test_case, "op"));
    taap_status status = TAAP_OK;
    const char *inexpressible;
    if (strcmp(op, "decode") == 0 || strcmp(op, "validate") == 0) {
        inexpressible = token_case(test_case, strcmp(op, "validate") == 0, &status);
    } else if (strcmp(op, "validate_request") == 0) {
        inexpressible = request_case(test_case, &status);
    } else if (strcmp(op, "build") == 0 || strcmp(op, "for_request") == 0) {
        inexpressible = signing_case(test_case, strcmp(op, "build") == 0, &status);
    } else if (strcmp(op, "signer_uri") == 0 || strcmp(op, "signer_callback") == 0) {
        inexpressible = signer_case(test_case, strcmp(op, "signer_uri") == 0, &status);
    } else {
        inexpressible = key_case(test_case, strcmp(op, "public_key") == 0, &status);
    }
    if (inexpressible != NULL) {
        strcpy(out, inexpressible);
    } else {
        status_outcome(status, out);
    }
}

/* Forks, runs the case in the child, and waits at most CASE_TIMEOUT_SECS. */
static void cell(json_t *test_case, char *outcome, long *millis) {
    int channel[2];
    if (pipe(channel) != 0) fail("pipe");
    struct timespec started, now;
    clock_gettime(CLOCK_MONOTONIC, &started);
    fflush(NULL); /* the child exits through exit(), which flushes: nothing may be buffered twice */
    pid_t child = fork();
    if (child < 0) fail("fork");
    if (child == 0) {
        close(channel[0]);
        char out[OUTCOME_SIZE] = "";
        run_case(test_case, out);
        if (write(channel[1], out, strlen(out)) < 0) exit(3);
        /* exit(), not _exit(): under LeakSanitizer each case is checked for leaks at exit. */
        exit(0);
    }
    close(channel[1]);
    int status = 0;
    bool finished = false;
    for (;;) {
        pid_t done = waitpid(child, &status, WNOHANG);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (done == child) {
            finished = true;
            break;
        }
        if (now.tv_sec - started.tv_sec > CASE_TIMEOUT_SECS) {
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            break;
        }
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    *millis = (now.tv_sec - started.tv_sec) * 1000 + (now.tv_nsec - started.tv_nsec) / 1000000;
    ssize_t got = read(channel[0], outcome, OUTCOME_SIZE - 1);
    close(channel[0]);
    outcome[got > 0 ? got : 0] = '\0';
    if (!finished) {
        strcpy(outcome, "hang");
    } else if (WIFSIGNALED(status)) {
        snprintf(outcome, OUTCOME_SIZE, "crash: signal %d", WTERMSIG(status));
    } else if (WEXITSTATUS(status) != 0 || got <= 0) {
        snprintf(outcome, OUTCOME_SIZE, "crash: exit %d", WEXITSTATUS(status));
    }
}

static bool meets(const char *outcome, const char *expected) {
    return strcmp(outcome, expected) == 0 || (strncmp(expected, "n/a", 3) == 0 && strncmp(outcome, "n/a", 3) == 0);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s TESTS_DIR OUTPUT.jsonl\n", argv[0]);
        return 2;
    }
    tests_dir = argv[1];
    char path[PATH_SIZE];
    json_error_t error;
    snprintf(path, sizeof path, "%s/bad-input/signed-tokens.json", tests_dir);
    signed_tokens = json_load_file(path, 0, &error);
    snprintf(path, sizeof path, "%s/bad-input/cases.json", tests_dir);
    json_t *document = json_load_file(path, JSON_ALLOW_NUL, &error);
    FILE *output = fopen(argv[2], "w");
    if (signed_tokens == NULL || document == NULL || output == NULL) fail(error.text[0] ? error.text : argv[2]);
    unsigned passed = 0, failed = 0;
    size_t index;
    json_t *test_case;
    json_array_foreach(json_object_get(document, "cases"), index, test_case) {
        const char *id = json_string_value(json_object_get(test_case, "id"));
        json_t *column = json_object_get(json_object_get(test_case, "columns"), "c");
        const char *expected = json_string_value(column != NULL ? column : json_object_get(test_case, "expect"));
        char outcome[OUTCOME_SIZE];
        long millis = 0;
        cell(test_case, outcome, &millis);
        bool ok = meets(outcome, expected);
        ok ? passed++ : failed++;
        if (!ok) printf("FAIL %s: got %s, expected %s\n", id, outcome, expected);
        json_t *row = json_pack("{s:s, s:s, s:s, s:s, s:I}", "id", id, "column", "c", "outcome", outcome, "expected",
                                expected, "ms", (json_int_t)millis);
        char *line = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(output, "%s\n", line);
        free(line);
        json_decref(row);
    }
    fclose(output);
    json_decref(document);
    json_decref(signed_tokens);
    printf("%u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}

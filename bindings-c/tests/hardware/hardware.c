/* Keys in hardware through taap_signer_open: every tokens.json vector made with the vector key
 * imported into a TPM 2.0 (swtpm, a `pkcs11:` URI) and into a local AWS KMS (moto, an
 * `aws-kms:` alias) is the vector's, byte for byte (taap_pop_token_build_with_signer).
 *
 *   taap_hardware TESTS_DIR
 *
 * The services are tests/hardware/run.py's, which names them in TAAP_HARDWARE (a JSON file);
 * scripts/test.sh runs this program under it. Without TAAP_HARDWARE it fails. Prints one line
 * per failed check and ends with "N passed, N failed"; exits non-zero on any failure. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"

#define MAX_PAIRS 128
#define MAX_SIGNERS 8
#define PATH_SIZE 1024

/* The signers opened so far, one per key in the TPM or in KMS. */
struct signers {
    const char *names[MAX_SIGNERS];
    taap_signer *signers[MAX_SIGNERS];
    size_t count;
};

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

static void check_string_and_free(char *got, const char *want, const char *what) {
    CHECK_STRING(got, want, what);
    taap_string_free(got);
}

/* The signer of `uri` (a `uri` of TAAP_HARDWARE's keys), opened once under
 * `name`; its kind checked when opened. NULL when it does not open. */
static taap_signer *signer_for(struct signers *opened, const char *name, const char *uri, const char *kind) {
    for (size_t i = 0; i < opened->count; i++) {
        if (strcmp(opened->names[i], name) == 0) {
            return opened->signers[i];
        }
    }
    taap_signer *signer = NULL;
    if (!CHECK(opened->count < MAX_SIGNERS, "at most MAX_SIGNERS keys") ||
        !CHECK_STATUS(taap_signer_open(uri, NULL, 0, &signer), TAAP_OK, name)) {
        return NULL;
    }
    char *text = NULL;
    CHECK_STATUS(taap_signer_kind(signer, &text), TAAP_OK, "kind");
    check_string_and_free(text, kind, name);
    opened->names[opened->count] = name;
    opened->signers[opened->count++] = signer;
    return signer;
}

static void free_signers(struct signers *opened) {
    for (size_t i = 0; i < opened->count; i++) {
        taap_signer_free(opened->signers[i]);
    }
    opened->count = 0;
}

/* The vector through `signer`: its token, byte for byte. */
static bool builds_the_vector(const taap_signer *signer, const json_t *vector) {
    taap_ehts_entry entries[MAX_PAIRS];
    size_t count = pairs_of(json_object_get(vector, "ehts"), entries);
    taap_build_options options = pinned(vector);
    char *token = NULL;
    bool same = false;
    if (CHECK_STATUS(taap_pop_token_build_with_signer(signer, entries, count, &options, &token), TAAP_OK,
                     member(vector, "name"))) {
        same = CHECK_STRING(token, member(vector, "token"), member(vector, "name"));
    }
    taap_string_free(token);
    return same;
}

/* Every vector of an RSA-2048 key through its copy in the TPM (the 4096-bit key is not there). */
static void check_tpm(const json_t *cases, const json_t *keys) {
    struct signers opened = {0};
    size_t index, built = 0;
    const json_t *vector;
    json_array_foreach(cases, index, vector) {
        const json_t *tpm = json_object_get(json_object_get(keys, member(vector, "key")), "tpm");
        if (json_is_null(tpm)) {
            CHECK_STRING(member(vector, "key"), "openssl/big-4096-private.pem", "the one key a TPM 2.0 does not hold");
            continue;
        }
        taap_signer *signer = signer_for(&opened, member(tpm, "object"), member(tpm, "uri"), "pkcs11");
        if (signer != NULL && builds_the_vector(signer, vector)) {
            built++;
        }
    }
    CHECK(opened.count == 4, "four RSA-2048 vector keys in the TPM");
    CHECK(built == json_array_size(cases) - 1, "every vector but the 4096-bit one made in the TPM");
    printf("TPM (swtpm): %zu vector tokens byte for byte through %zu keys\n", built, opened.count);
    free_signers(&opened);
}

/* Every vector through its key in KMS. */
static void check_kms(const json_t *cases, const json_t *keys) {
    struct signers opened = {0};
    size_t index, built = 0;
    const json_t *vector;
    json_array_foreach(cases, index, vector) {
        const json_t *kms = json_object_get(json_object_get(keys, member(vector, "key")), "kms");
        const char *uri = member(kms, "uri");
        size_t before = opened.count;
        taap_signer *signer = signer_for(&opened, member(kms, "alias"), uri, "aws-kms");
        if (signer != NULL && opened.count > before) {
            char *label = NULL, want[PATH_SIZE];
            snprintf(want, sizeof want, "%s (us-east-1)", uri);
            CHECK_STATUS(taap_signer_label(signer, &label), TAAP_OK, "label");
            check_string_and_free(label, want, "a KMS signer's label");
        }
        if (signer != NULL && builds_the_vector(signer, vector)) {
            built++;
        }
    }
    CHECK(opened.count == 5, "five vector keys in KMS");
    CHECK(built == json_array_size(cases), "every vector made through KMS");
    printf("KMS (moto): %zu vector tokens byte for byte through %zu keys\n", built, opened.count);
    free_signers(&opened);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s TESTS_DIR (under tests/hardware/run.py)\n", argv[0]);
        return 2;
    }
    const char *described = getenv("TAAP_HARDWARE");
    if (!CHECK(described != NULL && described[0] != '\0',
               "TAAP_HARDWARE is set: run this under the hardware fixture, "
               "`bash tests/hardware/run.sh -- bindings-c/build/taap_hardware tests` "
               "(bindings-c/scripts/test.sh does)")) {
        return check_summary();
    }
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/vectors/tokens.json", argv[1]);
    json_error_t error;
    json_t *vectors = json_load_file(path, 0, &error);
    json_t *hardware = json_load_file(described, 0, &error);
    if (CHECK(vectors != NULL, path) && CHECK(hardware != NULL, described)) {
        const json_t *cases = json_object_get(vectors, "cases"), *keys = json_object_get(hardware, "keys");
        check_tpm(cases, keys);
        check_kms(cases, keys);
    }
    json_decref(hardware);
    json_decref(vectors);
    return check_summary();
}

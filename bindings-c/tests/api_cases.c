/* The API behaviour suite, tests/api/cases.json (rendered from the core's settings schema), on
 * the C ABI: every client case through taap_client_new's options_json and every validator case
 * through taap_validator_from_json, each compared with the case's settings (numbers
 * numerically) or its exact status and message. C names options in snake_case, as the cases. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define MESSAGE_SIZE 4096

/* The status of an error kind's name ("Config" -> TAAP_CONFIG). */
static int status_of_kind(const char *kind) {
    for (int status = 1; status < 64; status++) {
        const char *name = taap_status_name(status);
        char expected[64];
        snprintf(expected, sizeof expected, "TAAP_%s", kind);
        for (char *c = expected; *c; c++) *c = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
        if (name != NULL && strcmp(name, expected) == 0) return status;
    }
    return TAAP_OK;
}

/* Replaces every `from` in `text` by `to`, in place (`text` holds MESSAGE_SIZE bytes). */
static void replace_all(char *text, const char *from, const char *to) {
    char out[MESSAGE_SIZE] = {0};
    const char *rest = text;
    const char *hit;
    while ((hit = strstr(rest, from)) != NULL) {
        strncat(out, rest, (size_t)(hit - rest));
        strncat(out, to, MESSAGE_SIZE - strlen(out) - 1);
        rest = hit + strlen(from);
    }
    strncat(out, rest, MESSAGE_SIZE - strlen(out) - 1);
    snprintf(text, MESSAGE_SIZE, "%s", out);
}

/* The case's message with `{name}` and `{<group> options}` filled with C's (snake_case) names. */
static void expected_message(const char *message, json_t *schema, char *out) {
    snprintf(out, MESSAGE_SIZE, "%s", message);
    const char *groups[] = {"client", "validator"};
    for (size_t g = 0; g < 2; g++) {
        char names[MESSAGE_SIZE] = {0}, marker[64];
        size_t index;
        json_t *setting;
        json_array_foreach(schema, index, setting) {
            if (strcmp(json_string_value(json_object_get(setting, "group")), groups[g]) != 0) continue;
            if (names[0]) strncat(names, ", ", sizeof names - strlen(names) - 1);
            strncat(names, json_string_value(json_object_get(setting, "name")), sizeof names - strlen(names) - 1);
        }
        snprintf(marker, sizeof marker, "{%s options}", groups[g]);
        replace_all(out, marker, names);
    }
    size_t index;
    json_t *setting;
    json_array_foreach(schema, index, setting) {
        char marker[128];
        const char *name = json_string_value(json_object_get(setting, "name"));
        snprintf(marker, sizeof marker, "{%s}", name);
        replace_all(out, marker, name);
    }
}

/* JSON equality where 10 and 10.0 are one number. */
static int same_json(json_t *left, json_t *right) {
    if (json_is_number(left) && json_is_number(right)) return json_number_value(left) == json_number_value(right);
    return json_equal(left, right);
}

/* Builds the case's object; the settings view as JSON text (free it) or NULL with the status. */
static char *run_case(const char *group, const char *options, const taap_private_key *key, taap_status *status) {
    char *settings = NULL;
    if (strcmp(group, "client") == 0) {
        taap_client *client = NULL;
        *status = taap_client_new(key, "id", "secret", NULL, options, &client);
        if (*status == TAAP_OK) CHECK_STATUS(taap_client_settings(client, &settings), TAAP_OK, "client settings");
        taap_client_free(client);
    } else {
        taap_validator *validator = NULL;
        *status = taap_validator_from_json(options, &validator);
        if (*status == TAAP_OK) CHECK_STATUS(taap_validator_settings(validator, &settings), TAAP_OK, "validator settings");
        taap_validator_free(validator);
    }
    return settings;
}

static void check_case(json_t *api_case, json_t *schema, const taap_private_key *key) {
    const char *name = json_string_value(json_object_get(api_case, "name"));
    char *options = json_dumps(json_object_get(api_case, "options"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    taap_status status;
    char *settings = run_case(json_string_value(json_object_get(api_case, "group")), options, key, &status);
    json_t *error = json_object_get(api_case, "error");
    if (error != NULL) {
        char message[MESSAGE_SIZE];
        expected_message(json_string_value(json_object_get(api_case, "message")), schema, message);
        CHECK_STATUS(status, status_of_kind(json_string_value(error)), name);
        CHECK_STRING(taap_last_error_message(), message, name);
    } else if (CHECK_STATUS(status, TAAP_OK, name)) {
        json_t *view = json_loads(settings, 0, NULL);
        const char *setting;
        json_t *expected;
        json_object_foreach(json_object_get(api_case, "settings"), setting, expected) {
            CHECK(same_json(json_object_get(view, setting), expected), name);
        }
        json_decref(view);
    }
    taap_string_free(settings);
    free(options);
}

void test_api_cases(const char *tests_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/api/cases.json", tests_dir);
    json_t *cases = json_load_file(path, 0, NULL);
    CHECK(cases != NULL, "tests/api/cases.json parses");
    char *schema_text = NULL;
    CHECK_STATUS(taap_settings_schema(&schema_text), TAAP_OK, "the settings schema");
    json_t *schema = json_loads(schema_text, 0, NULL);
    snprintf(path, sizeof path, "%s/keys/tmobile/readme-private-pkcs8.pem", tests_dir);
    size_t pem_len = 0;
    char *pem = read_file(path, &pem_len);
    taap_private_key *key = NULL;
    CHECK_STATUS(taap_private_key_from_pem(pem, NULL, &key), TAAP_OK, "the case key");
    size_t index, ran = 0;
    json_t *api_case;
    json_array_foreach(json_object_get(cases, "cases"), index, api_case) {
        check_case(api_case, schema, key);
        ran++;
    }
    CHECK(ran > 100, "the behaviour suite's cases ran");
    printf("api cases: %zu run\n", ran);
    taap_private_key_free(key);
    free(pem);
    taap_string_free(schema_text);
    json_decref(schema);
    json_decref(cases);
}

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long passed;
static unsigned long failed;

static void report_failure(const char *file, int line, const char *what, const char *detail) {
    const char *message = taap_last_error_message();
    fprintf(stderr, "FAIL %s:%d: %s: %s\n", file, line, what, detail);
    if (message != NULL) {
        fprintf(stderr, "     last error: %s\n", message);
    }
}

bool check_true(bool ok, const char *file, int line, const char *what) {
    if (ok) {
        passed++;
    } else {
        failed++;
        report_failure(file, line, what, "condition is false");
    }
    return ok;
}

bool check_status(taap_status got, taap_status want, const char *file, int line, const char *what) {
    if (got == want) {
        passed++;
        return true;
    }
    failed++;
    char detail[160];
    const char *got_name = taap_status_name(got);
    snprintf(detail, sizeof detail, "got %s (%d), want %s", got_name ? got_name : "?", (int)got,
             taap_status_name(want));
    report_failure(file, line, what, detail);
    return false;
}

bool check_string(const char *got, const char *want, const char *file, int line, const char *what) {
    bool equal = (got == NULL || want == NULL) ? got == want : strcmp(got, want) == 0;
    if (equal) {
        passed++;
        return true;
    }
    failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n     got:  %s\n     want: %s\n", file, line, what,
            got ? got : "(NULL)", want ? want : "(NULL)");
    return false;
}

int check_summary(void) {
    printf("%lu passed, %lu failed\n", passed, failed);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

char *read_file(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        return NULL;
    }
    char *data = NULL;
    long size = -1;
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 && fseek(file, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
    }
    if (data != NULL && fread(data, 1, (size_t)size, file) == (size_t)size) {
        data[size] = '\0';
        if (len != NULL) {
            *len = (size_t)size;
        }
    } else {
        free(data);
        data = NULL;
    }
    fclose(file);
    return data;
}

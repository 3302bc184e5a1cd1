/* Shared helpers of the C tests: CHECK counts failures instead of aborting,
 * so one run reports every broken expectation; main returns non-zero if any. */
#ifndef SENDLINT_TESTING_H
#define SENDLINT_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sendlint.h"

static int checks_passed = 0;
static int checks_failed = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            checks_passed++;                                                     \
        } else {                                                                 \
            checks_failed++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n",        \
                    __FILE__, __LINE__, #cond, sendlint_last_error());           \
        }                                                                        \
    } while (0)

/* A string literal as pointer and length. */
#define LIT(s) (s), (sizeof(s) - 1)

/* Whether the C string `haystack` contains `needle` (NULL contains nothing). */
static inline int contains(const char *haystack, const char *needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* The whole file at `path`, NUL-terminated (NULL if it cannot be read). */
static inline char *read_file(const char *path, size_t *len_out) {
    FILE *file = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (file == NULL) {
        return NULL;
    }
    if (fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) >= 0 &&
        fseek(file, 0, SEEK_SET) == 0) {
        data = (char *)malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, file) == (size_t)size) {
            data[size] = '\0';
            if (len_out != NULL) {
                *len_out = (size_t)size;
            }
        } else {
            free(data);
            data = NULL;
        }
    }
    fclose(file);
    return data;
}

static inline int finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
    return checks_failed == 0 ? 0 : 1;
}

#endif /* SENDLINT_TESTING_H */

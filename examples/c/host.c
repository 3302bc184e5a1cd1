/* A minimal host program for sendlint's C ABI: checks each line of standard
 * input (one message per line) and prints its verdict, risk and rules.
 * Copy it, then build and link it as the README shows:
 *
 *   cargo build --release -p sendlint-ffi
 *   export PKG_CONFIG_PATH="$PWD/target/release"
 *   cc -std=c99 host.c $(pkg-config --cflags --libs sendlint) -o host
 *
 * Usage: ./host [policy.toml] < messages.txt
 * Exit status: 0 if every message may be sent, 1 if any needs review or is
 * blocked, 2 on an error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sendlint.h>

static const char *const verdicts[] = {"allow", "review", "block"};

/* The whole file at `path`, or NULL (the policy is small). */
static char *slurp(const char *path, size_t *len) {
    FILE *file = fopen(path, "rb");
    char *data = NULL;
    if (file != NULL) {
        data = malloc(1 << 20);
        if (data != NULL) {
            *len = fread(data, 1, 1 << 20, file);
        }
        fclose(file);
    }
    return data;
}

int main(int argc, char **argv) {
    sendlint_engine *engine = NULL;
    char *policy = NULL;
    size_t policy_len = 0;
    char line[65536];
    int flagged = 0;

    if (argc > 1 && (policy = slurp(argv[1], &policy_len)) == NULL) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    /* NULL policy: the built-in one. */
    if (sendlint_engine_new(policy, policy_len, &engine) != SENDLINT_OK) {
        fprintf(stderr, "sendlint: %s\n", sendlint_last_error());
        free(policy);
        return 2;
    }
    free(policy);

    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t len = strcspn(line, "\r\n");
        sendlint_summary summary;
        if (len == 0) {
            continue;
        }
        if (sendlint_check_text(engine, line, len, &summary) != SENDLINT_OK) {
            /* Invalid UTF-8, a text over the policy's limit, ...: say why, go on. */
            printf("error  %s\n", sendlint_last_error());
            flagged = 1;
            continue;
        }
        printf("%-6s risk %3u ", summary.verdict <= 2 ? verdicts[summary.verdict] : "?",
               (unsigned)summary.risk);
        for (uint32_t bit = 0; bit < 64; bit++) {
            if (summary.rules & (UINT64_C(1) << bit)) {
                printf(" %s", sendlint_rule_name(bit));
            }
        }
        printf("  | %.*s\n", (int)(len > 60 ? 60 : len), line);
        flagged |= summary.verdict != SENDLINT_VERDICT_ALLOW;
    }
    sendlint_engine_free(engine); /* NULL-safe, like every *_free */
    return flagged;
}

/* One engine shared by 8 threads: every thread gets the same summaries as a
 * single thread did, its own sendlint_last_error(), and checks against a
 * history that a ninth thread records into meanwhile. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>

#include "testing.h"

#define THREADS 8
#define ROUNDS 40
#define RECORDS 60

static const char *const texts[] = {
    "@all Jetzt kostenlos erhalten: https://bit.ly/3xYz",
    "Guten Morgen aus der Backstube! Unsere \xc3\x96" "ffnungszeiten: Mo-Fr 6:30-18:30 Uhr.",
    "Anzeige: Unser neuer Lippenstift ist da - f\xc3\xbcr 19,90 \xe2\x82\xac statt 24,90 \xe2\x82\xac",
    "WINNER!! As a valued network customer you have been selected to receive a \xc2\xa3" "900 prize "
    "reward! To claim call 09061701461. Claim code KL341. Valid 12 hours only.",
    "Ok lar... Joking wif u oni...",
    "Ruf mich an: +49 170 1234567 oder schreib an anna.schmidt@example.com",
    "\xe5\x85\x8d\xe8\xb4\xb9\xe9\xa2\x86\xe5\x8f\x96\xe7\xa4\xbc\xe5\x93\x81\xef\xbc\x81"
    "\xe7\x82\xb9\xe5\x87\xbb https://t.cn/abc",
    "20 % Rabatt auf alles - jetzt bestellen!",
};
#define N_TEXTS (sizeof texts / sizeof texts[0])

static sendlint_engine *engine;
static sendlint_history *history;
static sendlint_summary expected[N_TEXTS];

struct worker {
    int index;
    int mismatches;
    int failures;
    int own_error;
};

/* Field by field: memcmp would read the struct's padding, which is undefined. */
static int same(const sendlint_summary *a, const sendlint_summary *b) {
    return a->risk == b->risk && a->verdict == b->verdict && a->n_findings == b->n_findings &&
           a->rules == b->rules;
}

static void *check_many(void *arg) {
    struct worker *worker = (struct worker *)arg;
    char bad[64];
    char message[256];
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < N_TEXTS; i++) {
            sendlint_summary summary;
            if (sendlint_check_text(engine, texts[i], strlen(texts[i]), &summary) != SENDLINT_OK) {
                worker->failures++;
            } else if (!same(&summary, &expected[i])) {
                worker->mismatches++;
            }
        }
        /* Against the history the recorder is filling. */
        snprintf(message, sizeof message,
                 "{\"text\": \"Frische Brezeln ab 6 Uhr, Runde %d\", \"account\": \"baeckerei\", "
                 "\"at\": \"2026-11-03T12:00:00Z\"}",
                 round);
        char *report = NULL;
        if (sendlint_check(engine, history, message, strlen(message), &report) != SENDLINT_OK ||
            !contains(report, "\"schema_version\":1")) {
            worker->failures++;
        }
        sendlint_string_free(report);
    }
    /* This thread's error is its own: invalid UTF-8 at an offset only it uses. */
    memset(bad, 'a', sizeof bad);
    bad[worker->index] = (char)0xff;
    sendlint_summary summary;
    if (sendlint_check_text(engine, bad, sizeof bad, &summary) == SENDLINT_INVALID_UTF8) {
        char want[64];
        snprintf(want, sizeof want, "offset %d", worker->index);
        worker->own_error = contains(sendlint_last_error(), want);
    }
    return NULL;
}

static void *record_many(void *arg) {
    int *failures = (int *)arg;
    char message[256];
    for (int i = 0; i < RECORDS; i++) {
        snprintf(message, sizeof message,
                 "{\"text\": \"Frische Brezeln ab 6 Uhr, Runde %d\", \"account\": \"baeckerei\", "
                 "\"recipients\": [\"+4917012345%03d\"], \"at\": \"2026-11-03T%02d:%02d:00Z\"}",
                 i, i, i / 60, i % 60);
        if (sendlint_engine_record(engine, history, message, strlen(message)) != SENDLINT_OK) {
            (*failures)++;
        }
    }
    return NULL;
}

int main(void) {
    pthread_t threads[THREADS], recorder;
    struct worker workers[THREADS];
    int record_failures = 0;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_history_new_with_key((const uint8_t *)LIT("0123456789abcdef-threads"), &history) ==
          SENDLINT_OK);
    for (size_t i = 0; i < N_TEXTS; i++) {
        CHECK(sendlint_check_text(engine, texts[i], strlen(texts[i]), &expected[i]) == SENDLINT_OK);
    }
    CHECK(expected[0].verdict == SENDLINT_VERDICT_BLOCK);
    CHECK(expected[1].verdict == SENDLINT_VERDICT_ALLOW);

    CHECK(pthread_create(&recorder, NULL, record_many, &record_failures) == 0);
    for (int t = 0; t < THREADS; t++) {
        workers[t].index = t + 1;
        workers[t].mismatches = workers[t].failures = workers[t].own_error = 0;
        CHECK(pthread_create(&threads[t], NULL, check_many, &workers[t]) == 0);
    }
    for (int t = 0; t < THREADS; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(workers[t].failures == 0);
        CHECK(workers[t].mismatches == 0);
        CHECK(workers[t].own_error);
    }
    CHECK(pthread_join(recorder, NULL) == 0);
    CHECK(record_failures == 0);
    CHECK(sendlint_history_len(history) == RECORDS);
    /* The main thread's last error is untouched by the workers' failures. */
    CHECK(strcmp(sendlint_last_error(), "") == 0);

    sendlint_history_free(history);
    sendlint_engine_free(engine);
    return finish("threads");
}

/* The C ABI end to end, from C99: happy paths, every error path, history
 * across calls and files, topics. Usage: check <repository root> <scratch dir> */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>

#include "testing.h"

static const char *root;
static const char *scratch;

/* `root` joined with `rel` (static buffer: one at a time). */
static const char *in_root(const char *rel) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return path;
}

static const char *in_scratch(const char *rel) {
    static char path[4096];
    snprintf(path, sizeof path, "%s/%s", scratch, rel);
    return path;
}

static void test_version_and_rule_bits(void) {
    const char *version = sendlint_version();
    CHECK(version != NULL && strlen(version) >= 5 && contains(version, "."));
    for (uint32_t bit = 0; bit < 16; bit++) {
        const char *name = sendlint_rule_name(bit);
        CHECK(name != NULL);
        if (name != NULL) {
            CHECK(sendlint_rule_bit(name, strlen(name)) == (int32_t)bit);
        }
    }
    CHECK(strcmp(sendlint_rule_name(0), "bait_word") == 0);
    CHECK(strcmp(sendlint_rule_name(7), "near_duplicate") == 0);
    CHECK(strcmp(sendlint_rule_name(14), "off_topic") == 0);
    CHECK(sendlint_rule_name(19) == NULL); /* bits 16-18 are the audience rules */
    CHECK(sendlint_rule_name(UINT32_MAX) == NULL);
    CHECK(sendlint_rule_bit(LIT("mass_mention")) == 2);
    CHECK((UINT64_C(1) << sendlint_rule_bit(LIT("mass_mention"))) == SENDLINT_RULE_MASS_MENTION);
    CHECK(sendlint_rule_bit(LIT("Mass_Mention")) == -1);
    CHECK(contains(sendlint_last_error(), "not a rule id"));
    CHECK(sendlint_rule_bit(NULL, 3) == -1);
    CHECK(sendlint_rule_bit(LIT("bait\xff")) == -1);
    CHECK(contains(sendlint_last_error(), "not UTF-8"));
}

static void test_check_text(void) {
    sendlint_engine *engine = NULL;
    sendlint_summary summary;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(engine != NULL);

    CHECK(sendlint_check_text(engine, LIT("@all Jetzt kostenlos erhalten: https://bit.ly/3xYz"),
                              &summary) == SENDLINT_OK);
    CHECK(summary.verdict == SENDLINT_VERDICT_BLOCK);
    CHECK(summary.risk >= 70);
    CHECK(summary.n_findings >= 2);
    CHECK((summary.rules & SENDLINT_RULE_MASS_MENTION) != 0);
    CHECK((summary.rules & SENDLINT_RULE_BAIT_WORD) != 0);
    CHECK((summary.rules & SENDLINT_RULE_NEAR_DUPLICATE) == 0);

    CHECK(sendlint_check_text(engine,
                              LIT("Guten Morgen aus der Backstube! Am Samstag haben wir von 7 bis "
                                  "14 Uhr ge\xc3\xb6" "ffnet."),
                              &summary) == SENDLINT_OK);
    CHECK(summary.verdict == SENDLINT_VERDICT_ALLOW);
    CHECK(summary.rules == 0 && summary.n_findings == 0);

    /* Text need not end with NUL: only `len` bytes are read. */
    const char bytes[] = {'F', 'R', 'E', 'E', ' ', 'g', 'i', 'f', 't', '!'};
    CHECK(sendlint_check_text(engine, bytes, sizeof bytes, &summary) == SENDLINT_OK);
    CHECK((summary.rules & SENDLINT_RULE_BAIT_WORD) != 0);

    /* Errors: the summary is zeroed, the status and message say why. */
    summary.risk = 99;
    CHECK(sendlint_check_text(engine, LIT("Gratis \xff\xfe Geschenk"), &summary) ==
          SENDLINT_INVALID_UTF8);
    CHECK(summary.risk == 0 && summary.rules == 0);
    CHECK(contains(sendlint_last_error(), "offset 7"));
    CHECK(sendlint_check_text(NULL, LIT("Hallo"), &summary) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "engine is NULL"));
    CHECK(sendlint_check_text(engine, NULL, 5, &summary) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "text is NULL"));
    CHECK(sendlint_check_text(engine, LIT("Hallo"), NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_check_text(engine, "Hallo", SIZE_MAX, &summary) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "larger than any object"));
    sendlint_engine_free(engine);
}

/* The SMS Spam Collection: every message checks, and spam is flagged far
 * more often than ham. */
static void test_sms_corpus(void) {
    size_t len = 0;
    char *data = read_file(in_root("data/sms_spam_collection.tsv"), &len);
    sendlint_engine *engine = NULL;
    long spam = 0, ham = 0, spam_flagged = 0, ham_flagged = 0, failed = 0;
    CHECK(data != NULL);
    if (data == NULL) {
        return;
    }
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    char *line = strchr(data, '\n') + 1; /* skip the header */
    while (line != NULL && *line != '\0') {
        char *end = strchr(line, '\n');
        char *tab = memchr(line, '\t', end != NULL ? (size_t)(end - line) : strlen(line));
        size_t line_len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (tab != NULL) {
            int is_spam = strncmp(line, "spam", 4) == 0;
            const char *text = tab + 1;
            size_t text_len = line_len - (size_t)(text - line);
            sendlint_summary summary;
            if (sendlint_check_text(engine, text, text_len, &summary) != SENDLINT_OK) {
                failed++;
            } else if (is_spam) {
                spam++;
                spam_flagged += summary.verdict != SENDLINT_VERDICT_ALLOW;
            } else {
                ham++;
                ham_flagged += summary.verdict != SENDLINT_VERDICT_ALLOW;
            }
        }
        line = end != NULL ? end + 1 : NULL;
    }
    CHECK(failed == 0);
    CHECK(spam + ham == 5574);
    CHECK(spam_flagged * ham > 4 * ham_flagged * spam); /* spam flagged 4x more often */
    printf("sms corpus: %ld/%ld spam and %ld/%ld ham flagged\n", spam_flagged, spam, ham_flagged,
           ham);
    sendlint_engine_free(engine);
    free(data);
}

static void test_policies(void) {
    sendlint_engine *engine = (sendlint_engine *)&engine; /* not NULL: must be reset */
    size_t len = 0;
    char *toml = read_file(in_root("examples/policy.toml"), &len);
    CHECK(toml != NULL);
    if (toml != NULL) {
        CHECK(sendlint_engine_new(toml, len, &engine) == SENDLINT_OK);
        CHECK(engine != NULL);
        sendlint_engine_free(engine);
        free(toml);
    }

    /* JSON: a stricter verdict makes a review a block. */
    const char json[] = "  {\"schema_version\": 1, \"verdict\": {\"review\": 10, \"block\": 20}}";
    sendlint_summary summary;
    CHECK(sendlint_engine_new(LIT(json), &engine) == SENDLINT_OK);
    CHECK(sendlint_check_text(engine, LIT("Claim your FREE gift now!"), &summary) == SENDLINT_OK);
    CHECK(summary.verdict == SENDLINT_VERDICT_BLOCK);
    sendlint_engine_free(engine);

    /* A JSON policy may start with a byte order mark. */
    CHECK(sendlint_engine_new(LIT("\xef\xbb\xbf{\"schema_version\": 1}"), &engine) == SENDLINT_OK);
    sendlint_engine_free(engine);

    /* A text longer than the policy allows. */
    CHECK(sendlint_engine_new(LIT("schema_version = 1\n[limits]\nmax_text_bytes = 16\n"),
                              &engine) == SENDLINT_OK);
    CHECK(sendlint_check_text(engine, LIT("Frische Brezeln ab 6 Uhr!"), &summary) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "max_text_bytes"));
    sendlint_engine_free(engine);

    /* Bad policies: out stays NULL, the message names line and column or key. */
    engine = (sendlint_engine *)&engine;
    CHECK(sendlint_engine_new(LIT("schema_version = 1\n[verdict]\nblock = \"hoch\"\n"), &engine) ==
          SENDLINT_INVALID_POLICY);
    CHECK(engine == NULL);
    CHECK(contains(sendlint_last_error(), "line 3"));
    CHECK(sendlint_engine_new(LIT("schema_version = 1\n[rules.mass_mention]\nmax_mentions = 0\n"),
                              &engine) == SENDLINT_INVALID_POLICY);
    CHECK(contains(sendlint_last_error(), "rules.mass_mention.max_mentions"));
    CHECK(sendlint_engine_new(LIT("{\"schema_version\": 1, \"verdikt\": {}}"), &engine) ==
          SENDLINT_INVALID_POLICY);
    CHECK(contains(sendlint_last_error(), "verdikt"));
    CHECK(sendlint_engine_new(LIT("schema_version = 1\n# Gr\xfc\xdf" "e\n"), &engine) ==
          SENDLINT_INVALID_UTF8);
    CHECK(engine == NULL);
    CHECK(sendlint_engine_new(NULL, 0, NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "out is NULL"));
}

static void test_full_check(void) {
    sendlint_engine *engine = NULL;
    char *report = (char *)&report;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);

    CHECK(sendlint_check(engine, NULL,
                         LIT("{\"id\": \"c07\", \"text\": \"@all Jetzt kostenlos erhalten: "
                             "https://bit.ly/3xYz\", \"account\": \"beauty-shop-sz\", "
                             "\"group\": \"muetter-austausch-berlin\", \"recipients\": null, "
                             "\"at\": \"2026-11-02T08:30:00Z\", \"kind\": \"ad\"}"),
                         &report) == SENDLINT_OK);
    CHECK(contains(report, "\"schema_version\":1"));
    CHECK(contains(report, "\"verdict\":\"block\""));
    CHECK(contains(report, "\"kind_source\":\"given\""));
    CHECK(contains(report, "\"rule\":\"mass_mention\""));
    sendlint_string_free(report);

    /* Broken JSON and wrong shapes: INVALID_JSON naming where; out stays NULL. */
    report = (char *)&report;
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"Hallo\""), &report) ==
          SENDLINT_INVALID_JSON);
    CHECK(report == NULL);
    CHECK(contains(sendlint_last_error(), "invalid message JSON at line 1"));
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"Hallo\", \"recipients\": [\"+49170\", 5]}"),
                         &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "recipients[1]"));
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"Hallo\", \"at\": \"gestern\"}"),
                         &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "field at"));
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"Hallo\", \"colour\": \"rot\"}"),
                         &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "colour"));
    CHECK(sendlint_check(engine, NULL, LIT("{\"account\": \"bakery\"}"), &report) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "missing field `text`"));
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"\xc3\x28\"}"), &report) ==
          SENDLINT_INVALID_UTF8);
    CHECK(contains(sendlint_last_error(), "message_json is not UTF-8"));
    CHECK(sendlint_check(engine, NULL, NULL, 10, &report) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_check(NULL, NULL, LIT("{\"text\": \"Hallo\"}"), &report) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_check(engine, NULL, LIT("{\"text\": \"Hallo\"}"), NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(report == NULL);
    sendlint_engine_free(engine);
}

#define KEY "0123456789abcdef-c-test-key-0001"
#define FIRST                                                                                  \
    "{\"text\": \"Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche! Abmelden mit STOP\", " \
    "\"account\": \"baeckerei-sonnenkorn\", \"group\": \"kiez-angebote-kreuzberg\", "          \
    "\"recipients\": [\"+4917012345678\", \"0170 9876543\"], \"at\": \"2026-11-02T09:00:00Z\"}"
#define AGAIN                                                                                  \
    "{\"text\": \"Anzeige: 20 % Rabatt auf alle Torten, nur diese Woche! Abmelden mit STOP\", " \
    "\"account\": \"baeckerei-sonnenkorn\", \"group\": \"kiez-angebote-kreuzberg\", "          \
    "\"recipients\": [\"+4917012345678\", \"0170 9876543\"], \"at\": \"2026-11-02T15:00:00Z\"}"

/* Whether checking AGAIN against `history` finds a near-duplicate. */
static int near_duplicate(const sendlint_engine *engine, const sendlint_history *history) {
    char *report = NULL;
    int found;
    CHECK(sendlint_check(engine, history, LIT(AGAIN), &report) == SENDLINT_OK);
    found = contains(report, "\"rule\":\"near_duplicate\"");
    sendlint_string_free(report);
    return found;
}

static void test_history(void) {
    sendlint_engine *engine = NULL;
    sendlint_history *history = NULL, *loaded = (sendlint_history *)&loaded;
    const char *file;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_history_new_with_key((const uint8_t *)KEY, strlen(KEY), &history) ==
          SENDLINT_OK);

    /* Across calls: the second send of the same text is a near-duplicate. */
    CHECK(!near_duplicate(engine, history));
    CHECK(sendlint_engine_record(engine, history, LIT(FIRST)) == SENDLINT_OK);
    CHECK(sendlint_history_len(history) == 1);
    CHECK(near_duplicate(engine, history));
    CHECK(!near_duplicate(engine, NULL));

    /* Saved and loaded with the key: the memory survives. */
    file = in_scratch("history.json");
    CHECK(sendlint_history_save(history, file, strlen(file)) == SENDLINT_OK);
    CHECK(sendlint_history_load(file, strlen(file), (const uint8_t *)KEY, strlen(KEY), &loaded) ==
          SENDLINT_OK);
    CHECK(sendlint_history_len(loaded) == 1);
    CHECK(near_duplicate(engine, loaded));
    sendlint_history_free(loaded);

    /* The key from SENDLINT_HISTORY_KEY when none is passed. */
    CHECK(setenv("SENDLINT_HISTORY_KEY", KEY, 1) == 0);
    loaded = NULL;
    CHECK(sendlint_history_load(file, strlen(file), NULL, 0, &loaded) == SENDLINT_OK);
    CHECK(near_duplicate(engine, loaded));
    sendlint_history_free(loaded);
    CHECK(unsetenv("SENDLINT_HISTORY_KEY") == 0);

    /* Without the key, or with another, the file is refused. */
    loaded = (sendlint_history *)&loaded;
    CHECK(sendlint_history_load(file, strlen(file), NULL, 0, &loaded) ==
          SENDLINT_INVALID_HISTORY);
    CHECK(loaded == NULL);
    CHECK(contains(sendlint_last_error(), "SENDLINT_HISTORY_KEY"));
    CHECK(sendlint_history_load(file, strlen(file), (const uint8_t *)LIT("another key, 32 bytes long...!!"),
                                &loaded) == SENDLINT_INVALID_HISTORY);
    CHECK(contains(sendlint_last_error(), "another recipient key"));
    CHECK(sendlint_history_load(file, strlen(file), (const uint8_t *)"", 0, &loaded) ==
          SENDLINT_INVALID_INPUT);

    /* Bad files: missing is I/O, garbage is an invalid history. */
    file = in_scratch("missing/history.json");
    CHECK(sendlint_history_load(file, strlen(file), NULL, 0, &loaded) == SENDLINT_IO);
    CHECK(contains(sendlint_last_error(), "cannot read history"));
    CHECK(sendlint_history_save(history, file, strlen(file)) == SENDLINT_IO);
    CHECK(contains(sendlint_last_error(), "cannot write history"));
    file = in_scratch("garbage.json");
    {
        FILE *garbage = fopen(file, "wb");
        CHECK(garbage != NULL);
        if (garbage != NULL) {
            fputs("{\"format\": \"sendlint-history\", \"version\": 2, \"accounts\": [", garbage);
            fclose(garbage);
        }
    }
    CHECK(sendlint_history_load(file, strlen(file), NULL, 0, &loaded) == SENDLINT_INVALID_HISTORY);
    CHECK(contains(sendlint_last_error(), "corrupt history"));
    CHECK(loaded == NULL);

    /* The contract's sendlint_record: the built-in policy. */
    CHECK(sendlint_record(history, LIT(AGAIN)) == SENDLINT_OK);
    CHECK(sendlint_history_len(history) == 2);
    /* A send in the future cannot have gone out. */
    CHECK(sendlint_record(history, LIT("{\"text\": \"Brezeln\", \"at\": \"2206-11-02T09:00:00Z\"}")) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "ahead of the system clock"));
    CHECK(sendlint_record(history, LIT("{\"text\": 5}")) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_history_len(history) == 2);
    /* User reports feed reported_content. */
    CHECK(sendlint_engine_record_report(engine, history, LIT(FIRST)) == SENDLINT_OK);

    /* NULLs. */
    CHECK(sendlint_record(NULL, LIT(FIRST)) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "history is NULL"));
    CHECK(sendlint_engine_record(NULL, history, LIT(FIRST)) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_history_new(NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_history_new_with_key(NULL, 16, &loaded) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_history_save(NULL, LIT("x.json")) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_history_load(NULL, 3, NULL, 0, &loaded) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_history_len(NULL) == 0);

    sendlint_history_free(history);
    history = NULL;
    CHECK(sendlint_history_new(&history) == SENDLINT_OK);
    CHECK(sendlint_history_len(history) == 0);
    sendlint_history_free(history);
    sendlint_engine_free(engine);
}

static void test_topic(void) {
    sendlint_engine *engine = NULL;
    sendlint_topic *topic = NULL, *again = (sendlint_topic *)&again;
    const char *texts[] = {
        "Wer kennt einen guten Kinderarzt in Kreuzberg?",
        "Suche gebrauchte Babykleidung Gr\xc3\xb6\xc3\x9f" "e 68",
        "Tipps gegen Koliken beim Baby?",
        "Verkaufe Kinderwagen f\xc3\xbcr Zwillinge, kaum benutzt",
    };
    size_t lens[4];
    char *json = NULL, *report = NULL;
    double fits = -1, again_fits = -1;
    for (int i = 0; i < 4; i++) {
        lens[i] = strlen(texts[i]);
    }
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_topic_from_texts(texts, lens, 4, &topic) == SENDLINT_OK);
    CHECK(sendlint_topic_relevance(topic, LIT("Verkaufe Babykleidung und Kinderwagen"), &fits) ==
          SENDLINT_OK);
    CHECK(fits > 0.6);

    CHECK(sendlint_check_with_topic(
              engine, NULL, topic,
              LIT("{\"text\": \"Neuer Lippenstift im Angebot, jetzt bestellen\", "
                  "\"group\": \"muetter-austausch-berlin\"}"),
              &report) == SENDLINT_OK);
    CHECK(contains(report, "\"rule\":\"off_topic\""));
    sendlint_string_free(report);

    /* To JSON and back: the same relevance. */
    CHECK(sendlint_topic_to_json(topic, &json) == SENDLINT_OK);
    CHECK(contains(json, "\"format\":\"sendlint-topic\""));
    CHECK(sendlint_topic_from_json(json, strlen(json), &again) == SENDLINT_OK);
    CHECK(sendlint_topic_relevance(again, LIT("Verkaufe Babykleidung und Kinderwagen"),
                                   &again_fits) == SENDLINT_OK);
    CHECK(again_fits == fits);
    sendlint_string_free(json);
    sendlint_topic_free(again);

    /* Errors. */
    again = (sendlint_topic *)&again;
    CHECK(sendlint_topic_from_json(LIT("{\"format\": \"sendlint-topic\", \"version\": 9, \"words\": {}}"),
                                   &again) == SENDLINT_INVALID_JSON);
    CHECK(again == NULL);
    CHECK(contains(sendlint_last_error(), "field version"));
    CHECK(sendlint_topic_from_json(LIT("[1, 2"), &again) == SENDLINT_INVALID_JSON);
    texts[1] = "Suche \xff Babykleidung";
    lens[1] = strlen(texts[1]);
    CHECK(sendlint_topic_from_texts(texts, lens, 4, &again) == SENDLINT_INVALID_UTF8);
    CHECK(contains(sendlint_last_error(), "texts[1]"));
    texts[1] = "Suche Babykleidung";
    lens[1] = strlen(texts[1]);
    texts[2] = NULL;
    CHECK(sendlint_topic_from_texts(texts, lens, 4, &again) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "texts[2] is NULL"));
    CHECK(sendlint_topic_from_texts(NULL, lens, 4, &again) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_topic_from_texts(texts, NULL, 4, &again) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_topic_to_json(NULL, &json) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_topic_relevance(topic, NULL, 1, &fits) == SENDLINT_INVALID_ARGUMENT);
    CHECK(again == NULL);
    sendlint_topic_free(topic);
    sendlint_engine_free(engine);
}

static void test_free_accepts_null(void) {
    sendlint_engine_free(NULL);
    sendlint_history_free(NULL);
    sendlint_topic_free(NULL);
    sendlint_string_free(NULL);
    CHECK(1);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <repository root> <scratch dir>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    scratch = argv[2];
    CHECK(strcmp(sendlint_last_error(), "") == 0);
    test_version_and_rule_bits();
    test_check_text();
    test_sms_corpus();
    test_policies();
    test_full_check();
    test_history();
    test_topic();
    test_free_accepts_null();
    return finish("check");
}

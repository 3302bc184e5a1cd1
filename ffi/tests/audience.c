/* Audiences through the C ABI, from C99: the realistic contact files of
 * core/testdata/audience, seed 003's selection (at a tenth of its size), checks
 * with an audience and a target, consent and opt-outs, save and load,
 * pseudonyms, and every error path. Usage: audience <repository root> <scratch dir> */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "testing.h"

static const char *root;
static const char *scratch;

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

/* The labels of the test files (core/tests/audience.rs). */
static const char LABELS[] =
    "[\"VIP\", \"Interesse-Make-up\", \"Kaufphase-Abgeschlossen\", "
    "\"Produktkategorie-Lippenstift\", \"Neukunde\"]";

/* How often `needle` occurs in `haystack`. */
static int count(const char *haystack, const char *needle) {
    int n = 0;
    const char *at = haystack;
    while (at != NULL && (at = strstr(at, needle)) != NULL) {
        n++;
        at += strlen(needle);
    }
    return n;
}

static sendlint_audience *new_audience(void) {
    sendlint_audience *audience = NULL;
    CHECK(sendlint_audience_new(LIT(LABELS), &audience) == SENDLINT_OK);
    CHECK(audience != NULL);
    return audience;
}

static void test_import_files(void) {
    sendlint_audience *audience = new_audience();
    char *report = (char *)&report;
    char *numbers = NULL;
    const char *path = in_root("core/testdata/audience/contacts_en.csv");

    /* Mixed formats: +852 9123 4567, (030) 1234567 with region DE, 0049-30-…,
     * a duplicate, an invalid number, a row without consent, an unknown label. */
    CHECK(sendlint_audience_import_csv(audience, path, strlen(path),
                                       LIT("{\"default_region\": \"DE\"}"), &report) == SENDLINT_OK);
    CHECK(contains(report, "\"rows\":42"));
    CHECK(contains(report, "\"accepted\":38"));
    CHECK(contains(report, "\"failed\":2"));
    CHECK(contains(report, "\"applied\":true"));
    CHECK(contains(report, "{\"row\":6,\"reason\":\"duplicate\""));
    CHECK(contains(report, "{\"row\":7,\"reason\":\"invalid_phone\""));
    CHECK(contains(report, "{\"row\":12,\"reason\":\"missing_consent\""));
    CHECK(contains(report, "{\"row\":4,\"reason\":\"unknown_label\""));
    CHECK(contains(report, "\"delimiter\":\",\""));
    sendlint_string_free(report);
    CHECK(sendlint_audience_len(audience) == 38);

    /* Every written form became E.164; the first row of a duplicate won. */
    CHECK(sendlint_audience_select(audience, LIT("VIP AND Interesse-Make-up"), &numbers) ==
          SENDLINT_OK);
    CHECK(contains(numbers, "\"+85291234567\""));
    sendlint_string_free(numbers);
    CHECK(sendlint_audience_select(audience, LIT("Kaufphase-Abgeschlossen AND NOT Interesse-Make-up"),
                                   &numbers) == SENDLINT_OK);
    CHECK(contains(numbers, "\"+49301234567\""));
    CHECK(!contains(numbers, "\"+85261234567\""));
    sendlint_string_free(numbers);

    /* The German file from bytes: BOM, semicolons, German headers and dates,
     * national numbers read with the audience's default region. */
    size_t len = 0;
    char *german = read_file(in_root("core/testdata/audience/kontakte_de.csv"), &len);
    CHECK(german != NULL);
    CHECK(sendlint_audience_set_default_region(audience, LIT("DE")) == SENDLINT_OK);
    CHECK(sendlint_audience_import_csv_bytes(audience, german, len, NULL, 0, &report) ==
          SENDLINT_OK);
    CHECK(contains(report, "\"delimiter\":\";\""));
    CHECK(contains(report, "\"rows\":26"));
    CHECK(contains(report, "{\"row\":5,\"reason\":\"duplicate\""));
    CHECK(contains(report, "did you mean \\\"VIP\\\""));
    sendlint_string_free(report);
    free(german);
    char *contact = NULL;
    CHECK(sendlint_audience_contact(audience, LIT("030 7654321"), &contact) == SENDLINT_OK);
    CHECK(contains(contact, "\"phone\":\"+49307654321\""));
    CHECK(contains(contact, "\"method\":\"in_store\""));
    sendlint_string_free(contact);
    sendlint_audience_free(audience);
}

static void test_import_errors(void) {
    sendlint_audience *audience = new_audience();
    char *report = (char *)&report;
    char *numbers = NULL;
    char *e164 = NULL;
    CHECK(sendlint_audience_add_contact(audience, LIT("+49 30 999999"), NULL, 0, 1767225600, &e164) ==
          SENDLINT_OK);
    CHECK(e164 != NULL && strcmp(e164, "+4930999999") == 0);
    sendlint_string_free(e164);

    /* National numbers without a region: 20 of 21 rows fail, the import stops,
     * the audience is unchanged, and the report still says which rows. */
    const char *broken = in_root("core/testdata/audience/broken.csv");
    CHECK(sendlint_audience_import_csv(audience, broken, strlen(broken), NULL, 0, &report) ==
          SENDLINT_IMPORT_STOPPED);
    CHECK(contains(sendlint_last_error(), "nothing was imported"));
    CHECK(contains(sendlint_last_error(), "20 of 21 rows failed"));
    CHECK(contains(report, "\"applied\":false"));
    CHECK(contains(report, "\"failed\":20"));
    CHECK(count(report, "\"reason\":\"invalid_phone\"") == 20);
    sendlint_string_free(report);
    CHECK(sendlint_audience_len(audience) == 1);
    CHECK(sendlint_audience_select(audience, LIT("VIP"), &numbers) == SENDLINT_OK);
    CHECK(numbers != NULL && strcmp(numbers, "[]") == 0);
    sendlint_string_free(numbers);

    /* A file that is not there: SENDLINT_IO naming it, no report. */
    const char *missing = in_root("core/testdata/audience/no_such_file.csv");
    report = (char *)&report;
    CHECK(sendlint_audience_import_csv(audience, missing, strlen(missing), NULL, 0, &report) ==
          SENDLINT_IO);
    CHECK(report == NULL);
    CHECK(contains(sendlint_last_error(), "no_such_file.csv"));
    /* A directory is no contact file either. */
    const char *folder = in_root("core/testdata/audience");
    CHECK(sendlint_audience_import_csv(audience, folder, strlen(folder), NULL, 0, &report) ==
          SENDLINT_IO);

    /* Content that cannot be imported at all: empty, no phone column, UTF-16. */
    report = (char *)&report;
    CHECK(sendlint_audience_import_csv_bytes(audience, "", 0, NULL, 0, &report) ==
          SENDLINT_INVALID_AUDIENCE);
    CHECK(report == NULL);
    CHECK(contains(sendlint_last_error(), "empty"));
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT("name,city\nAnna,Berlin\n"), NULL, 0,
                                             &report) == SENDLINT_INVALID_AUDIENCE);
    CHECK(contains(sendlint_last_error(), "phone"));
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT("\xff\xfep\0h\0o\0n\0e\0"), NULL, 0,
                                             &report) == SENDLINT_INVALID_AUDIENCE);

    /* Options: broken JSON, a wrong type (named), an unknown option. */
    const char csv[] = "phone,consent_at,consent_method\n+4930123456,2026-03-01,web_form\n";
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT(csv), LIT("{\"default_region\": "),
                                             &report) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT(csv), LIT("{\"default_region\": 49}"),
                                             &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field default_region)"));
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT(csv), LIT("{\"region\": \"DE\"}"),
                                             &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "region"));
    CHECK(sendlint_audience_import_csv_bytes(audience, LIT(csv), LIT("{\"default_region\": \"D\xff\"}"),
                                             &report) == SENDLINT_INVALID_UTF8);
    CHECK(report == NULL);
    CHECK(sendlint_audience_len(audience) == 1);
    /* NULLs. */
    CHECK(sendlint_audience_import_csv(NULL, broken, strlen(broken), NULL, 0, &report) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "audience is NULL"));
    CHECK(sendlint_audience_import_csv(audience, NULL, 3, NULL, 0, &report) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_import_csv(audience, broken, strlen(broken), NULL, 0, NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_import_csv_bytes(audience, NULL, 1, NULL, 0, &report) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_len(audience) == 1);
    sendlint_audience_free(audience);
}

/* Seed 003's worked example at a tenth of its size: 1,000 customers, 250
 * interested in make-up, 400 who bought recently, 120 in both, 80 of those
 * already bought a lipstick: 40 remain. */
static char *seed_003_csv(size_t *len_out) {
    size_t cap = 128 * 1024, len = 0;
    char *csv = (char *)malloc(cap);
    if (csv == NULL) {
        return NULL;
    }
    len += (size_t)snprintf(csv, cap, "phone,labels,consent_at,consent_method,consent_source\n");
    for (int i = 0; i < 1000; i++) {
        char labels[128] = "";
        if (i < 250) {
            strcat(labels, "Interesse-Make-up,");
        }
        if (i >= 130 && i < 530) {
            strcat(labels, "Kaufphase-Abgeschlossen,");
        }
        if (i >= 130 && i < 210) {
            strcat(labels, "Produktkategorie-Lippenstift,");
        }
        if (labels[0] != '\0') {
            labels[strlen(labels) - 1] = '\0';
        }
        len += (size_t)snprintf(csv + len, cap - len, "+49170%d,\"%s\",2026-01-01,web_form,checkout\n",
                                1000000 + i, labels);
    }
    *len_out = len;
    return csv;
}

static const char TARGET[] =
    "Interesse-Make-up AND Kaufphase-Abgeschlossen AND NOT Produktkategorie-Lippenstift";
static const char TEXT[] =
    "Anzeige: Neue Lippenstift-Farben \xe2\x80\x93 15 % Rabatt am Wochenende. Abmelden: STOP";

/* A message JSON with TEXT and the recipients of a JSON array (and `extra`,
 * a JSON fragment of more recipients, or ""). */
static char *message_to(const char *recipients_json, const char *extra) {
    size_t size = strlen(recipients_json) + strlen(extra) + strlen(TEXT) + 64;
    char *json = (char *)malloc(size);
    size_t body = strlen(recipients_json) - 1; /* without the closing ']' */
    if (json != NULL) {
        snprintf(json, size, "{\"text\": \"%s\", \"recipients\": %.*s%s%s]}", TEXT, (int)body,
                 recipients_json, extra[0] != '\0' && body > 1 ? ", " : "", extra);
    }
    return json;
}

static void test_seed_003_and_checks(void) {
    sendlint_audience *audience = new_audience();
    sendlint_engine *engine = NULL;
    char *report = NULL, *selected = NULL, *everyone = NULL, *german = NULL, *json = NULL;
    size_t len = 0;
    char *csv = seed_003_csv(&len);
    CHECK(csv != NULL);
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_audience_import_csv_bytes(audience, csv, len, NULL, 0, &report) == SENDLINT_OK);
    CHECK(contains(report, "\"accepted\":1000"));
    sendlint_string_free(report);
    free(csv);

    CHECK(sendlint_audience_select(audience, LIT(TARGET), &selected) == SENDLINT_OK);
    CHECK(count(selected, "\"+49170") == 40);
    CHECK(selected != NULL && strncmp(selected, "[\"+491701000210\"", 16) == 0);
    /* The seed's German wording selects the same. */
    CHECK(sendlint_audience_select(audience,
                                   LIT("Interesse-Make-up UND Kaufphase-Abgeschlossen UND NICHT "
                                       "Produktkategorie-Lippenstift"),
                                   &german) == SENDLINT_OK);
    CHECK(german != NULL && selected != NULL && strcmp(german, selected) == 0);
    sendlint_string_free(german);
    CHECK(sendlint_audience_select(audience, LIT("Interesse-Make-up OR NOT Interesse-Make-up"),
                                   &everyone) == SENDLINT_OK);
    CHECK(count(everyone, "\"+49170") == 1000);

    /* Sending to everyone instead of the target: untargeted (4 %). */
    json = message_to(everyone, "");
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT(TARGET), json,
                                       strlen(json), &report) == SENDLINT_OK);
    CHECK(contains(report, "\"rule\":\"untargeted\""));
    CHECK(contains(report, "\"recipients_remaining\":1000"));
    CHECK(!contains(report, "\"rule\":\"no_consent\""));
    sendlint_string_free(report);
    free(json);

    /* The targeted send, given as the selection or left to the target. */
    json = message_to(selected, "");
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT(TARGET), json,
                                       strlen(json), &report) == SENDLINT_OK);
    CHECK(!contains(report, "\"rule\":\"untargeted\""));
    CHECK(contains(report, "\"recipients_remaining\":40"));
    sendlint_string_free(report);
    free(json);
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT(TARGET),
                                       LIT("{\"text\": \"Neue Farben! Abmelden: STOP\"}"),
                                       &report) == SENDLINT_OK);
    CHECK(contains(report, "\"recipients_remaining\":40"));
    sendlint_string_free(report);

    /* Three opt out; two numbers come from a bought list. */
    CHECK(sendlint_audience_opt_out(audience, LIT("+491701000210"), 1775030400) == SENDLINT_OK);
    CHECK(sendlint_audience_opt_out(audience, LIT("+49 170 1000211"), 1775030400) == SENDLINT_OK);
    CHECK(sendlint_audience_opt_out(audience, LIT("+491701000212"), -1) == SENDLINT_OK);
    json = message_to(selected, "\"+49 170 9999999\", \"0170 9999998\"");
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT(TARGET), json,
                                       strlen(json), &report) == SENDLINT_OK);
    CHECK(contains(report, "\"rule\":\"opted_out\""));
    CHECK(contains(report, "\"rule\":\"no_consent\""));
    CHECK(contains(report, "\"recipients_remaining\":37"));
    CHECK(contains(report, "0170 9999998"));
    sendlint_string_free(report);
    /* The same without an audience: no audience rules, no remaining count;
     * and sendlint_check agrees. */
    char *plain = NULL;
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, NULL, NULL, 0, json, strlen(json),
                                       &report) == SENDLINT_OK);
    CHECK(sendlint_check(engine, NULL, json, strlen(json), &plain) == SENDLINT_OK);
    CHECK(!contains(report, "recipients_remaining") && !contains(report, "\"rule\":\"opted_out\""));
    CHECK(report != NULL && plain != NULL && strcmp(report, plain) == 0);
    sendlint_string_free(report);
    sendlint_string_free(plain);
    free(json);

    char *sendable = NULL;
    CHECK(sendlint_audience_select_sendable(audience, LIT(TARGET), &sendable) == SENDLINT_OK);
    CHECK(count(sendable, "\"+49170") == 37);
    CHECK(!contains(sendable, "+491701000211"));
    sendlint_string_free(sendable);
    char *contact = NULL;
    CHECK(sendlint_audience_contact(audience, LIT("+491701000211"), &contact) == SENDLINT_OK);
    CHECK(contains(contact, "\"opted_out_at\":\"2026-04-01T08:00:00Z\""));
    sendlint_string_free(contact);

    /* A target that names no label, or does not parse: the column. */
    report = (char *)&report;
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience,
                                       LIT("Interesse-Make-up AND Lipstick"),
                                       LIT("{\"text\": \"Hallo\"}"), &report) == SENDLINT_INVALID_INPUT);
    CHECK(report == NULL);
    CHECK(contains(sendlint_last_error(), "column 23"));
    CHECK(contains(sendlint_last_error(), "Lipstick"));
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT("VIP AND (Neukunde"),
                                       LIT("{\"text\": \"Hallo\"}"), &report) == SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "column"));
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT("VIP\xff"),
                                       LIT("{\"text\": \"Hallo\"}"), &report) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT(TARGET),
                                       LIT("{\"text\": \"Hallo\", \"recipients\": [5]}"),
                                       &report) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "recipients[0]"));
    CHECK(sendlint_check_with_audience(NULL, NULL, NULL, audience, LIT(TARGET),
                                       LIT("{\"text\": \"Hallo\"}"), &report) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, NULL, 0, NULL, 4, &report) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(report == NULL);

    sendlint_string_free(selected);
    sendlint_string_free(everyone);
    sendlint_engine_free(engine);
    sendlint_audience_free(audience);
}

static void test_contacts_and_consent(void) {
    sendlint_audience *audience = new_audience();
    sendlint_engine *engine = NULL;
    char *report = NULL, *e164 = (char *)&e164, *contact = NULL;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);

    CHECK(sendlint_audience_add_contact(audience, LIT("+852 9123 4567"), LIT("[\"VIP\"]"), -1,
                                        &e164) == SENDLINT_OK);
    CHECK(e164 != NULL && strcmp(e164, "+85291234567") == 0);
    sendlint_string_free(e164);
    /* No consent yet: the contact is excluded even though the target selects it. */
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT("VIP"),
                                       LIT("{\"text\": \"Neue Farben! Abmelden: STOP\"}"),
                                       &report) == SENDLINT_OK);
    CHECK(contains(report, "\"rule\":\"no_consent\""));
    CHECK(contains(report, "\"recipients_remaining\":0"));
    sendlint_string_free(report);

    CHECK(sendlint_audience_set_consent(audience, LIT("+852 9123 4567"),
                                        LIT("{\"at\": \"2026-03-14T10:00:00Z\", \"method\": "
                                            "\"web_form\", \"source\": \"checkout shop.example\", "
                                            "\"policy_version\": \"2026-01\"}")) == SENDLINT_OK);
    CHECK(sendlint_check_with_audience(engine, NULL, NULL, audience, LIT("VIP"),
                                       LIT("{\"text\": \"Neue Farben! Abmelden: STOP\"}"),
                                       &report) == SENDLINT_OK);
    CHECK(!contains(report, "\"rule\":\"no_consent\""));
    CHECK(contains(report, "\"recipients_remaining\":1"));
    sendlint_string_free(report);
    CHECK(sendlint_audience_contact(audience, LIT("+85291234567"), &contact) == SENDLINT_OK);
    CHECK(contains(contact, "\"method\":\"web_form\""));
    CHECK(contains(contact, "\"policy_version\":\"2026-01\""));
    CHECK(contains(contact, "\"opted_out_at\":null"));
    sendlint_string_free(contact);

    /* Errors: each names what is wrong; nothing changes. */
    e164 = (char *)&e164;
    CHECK(sendlint_audience_add_contact(audience, LIT("12"), NULL, 0, -1, &e164) ==
          SENDLINT_INVALID_INPUT);
    CHECK(e164 == NULL);
    CHECK(contains(sendlint_last_error(), "\"12\""));
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123456"), LIT("[\"Lipstick\"]"), -1,
                                        &e164) == SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "Lipstick"));
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123456"), LIT("[\"VIP\", 3]"), -1,
                                        &e164) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field [1])"));
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123456"), NULL, 0, INT64_MAX, &e164) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "at_unix"));
    CHECK(sendlint_audience_add_contact(audience, LIT("+49\xff"), NULL, 0, -1, &e164) ==
          SENDLINT_INVALID_UTF8);
    CHECK(sendlint_audience_add_contact(audience, NULL, 5, NULL, 0, -1, &e164) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123456"), NULL, 0, -1, NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_len(audience) == 1);

    CHECK(sendlint_audience_set_consent(audience, LIT("+85291234567"),
                                        LIT("{\"at\": \"2026-03-14T10:00:00Z\", \"method\": \"fax\"}")) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field method)"));
    CHECK(sendlint_audience_set_consent(audience, LIT("+85291234567"),
                                        LIT("{\"at\": \"gestern\", \"method\": \"chat\"}")) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field at)"));
    CHECK(sendlint_audience_set_consent(audience, LIT("+85291234567"), LIT("{\"at\": ")) ==
          SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_set_consent(audience, LIT("030 1234567"),
                                        LIT("{\"at\": \"2026-03-14T10:00:00Z\", \"method\": \"chat\"}")) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "country code"));
    CHECK(sendlint_audience_set_consent(NULL, LIT("+85291234567"), LIT("{}")) ==
          SENDLINT_INVALID_ARGUMENT);

    CHECK(sendlint_audience_opt_out(audience, LIT("not a number"), -1) == SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_opt_out(audience, LIT("+85291234567"), INT64_MAX) ==
          SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_opt_out(audience, LIT("+852\xc3"), -1) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_audience_opt_out(NULL, LIT("+85291234567"), -1) == SENDLINT_INVALID_ARGUMENT);

    contact = (char *)&contact;
    CHECK(sendlint_audience_contact(audience, LIT("+4930999999"), &contact) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contact == NULL);
    CHECK(contains(sendlint_last_error(), "no contact"));

    CHECK(sendlint_audience_set_default_region(audience, LIT("XX")) == SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_set_default_region(audience, LIT("HK")) == SENDLINT_OK);
    CHECK(sendlint_audience_contact(audience, LIT("9123 4567"), &contact) == SENDLINT_OK);
    CHECK(contains(contact, "+85291234567"));
    sendlint_string_free(contact);
    CHECK(sendlint_audience_set_default_region(audience, NULL, 0) == SENDLINT_OK);
    CHECK(sendlint_audience_contact(audience, LIT("9123 4567"), &contact) == SENDLINT_INVALID_INPUT);

    sendlint_engine_free(engine);
    sendlint_audience_free(audience);
}

static void test_save_and_load(void) {
    sendlint_audience *audience = new_audience();
    sendlint_audience *loaded = (sendlint_audience *)&loaded;
    char *report = NULL, *before = NULL, *after = NULL;
    const char *path = in_root("core/testdata/audience/contacts_en.csv");
    const char *file = in_scratch("audience.json");
    CHECK(sendlint_audience_import_csv(audience, path, strlen(path),
                                       LIT("{\"default_region\": \"DE\", \"threads\": 1}"),
                                       &report) == SENDLINT_OK);
    sendlint_string_free(report);
    CHECK(sendlint_audience_opt_out(audience, LIT("+85291234567"), 1775030400) == SENDLINT_OK);
    CHECK(sendlint_audience_save(audience, file, strlen(file)) == SENDLINT_OK);
    CHECK(sendlint_audience_load(file, strlen(file), &loaded) == SENDLINT_OK);
    CHECK(loaded != NULL);
    CHECK(sendlint_audience_len(loaded) == 38);
    CHECK(sendlint_audience_select_sendable(audience, LIT("VIP OR Interesse-Make-up"), &before) ==
          SENDLINT_OK);
    CHECK(sendlint_audience_select_sendable(loaded, LIT("VIP OR Interesse-Make-up"), &after) ==
          SENDLINT_OK);
    CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
    CHECK(!contains(after, "+85291234567"));
    sendlint_string_free(before);
    sendlint_string_free(after);
    sendlint_audience_free(loaded);

    /* Missing, corrupt, not writable. */
    const char *missing = in_scratch("no_such_audience.json");
    loaded = (sendlint_audience *)&loaded;
    CHECK(sendlint_audience_load(missing, strlen(missing), &loaded) == SENDLINT_IO);
    CHECK(loaded == NULL);
    CHECK(contains(sendlint_last_error(), "no_such_audience.json"));
    const char *corrupt = in_scratch("corrupt_audience.json");
    FILE *out = fopen(corrupt, "wb");
    CHECK(out != NULL);
    if (out != NULL) {
        fputs("{\"format\": \"something else\"}", out);
        fclose(out);
    }
    CHECK(sendlint_audience_load(corrupt, strlen(corrupt), &loaded) == SENDLINT_INVALID_AUDIENCE);
    CHECK(loaded == NULL);
    const char *nowhere = in_scratch("no/such/dir/audience.json");
    CHECK(sendlint_audience_save(audience, nowhere, strlen(nowhere)) == SENDLINT_IO);
    CHECK(sendlint_audience_save(NULL, file, strlen(file)) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_save(audience, NULL, 0) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_load(file, strlen(file), NULL) == SENDLINT_INVALID_ARGUMENT);
    sendlint_audience_free(audience);
}

static void test_pseudonyms(void) {
    static const uint8_t key[] = "a secret key of 32 random bytes!";
    static const uint8_t other[] = "another secret key, 32 bytes....";
    char *uid = NULL, *same = NULL, *different = NULL, *csv = NULL;
    CHECK(sendlint_pseudonymize(LIT("+85291234567"), key, sizeof key - 1, &uid) == SENDLINT_OK);
    CHECK(uid != NULL && strncmp(uid, "UID_", 4) == 0 && strlen(uid) == 36);
    CHECK(sendlint_pseudonymize(LIT(" +85291234567 "), key, sizeof key - 1, &same) == SENDLINT_OK);
    CHECK(uid != NULL && same != NULL && strcmp(uid, same) == 0);
    CHECK(sendlint_pseudonymize(LIT("+85291234567"), other, sizeof other - 1, &different) ==
          SENDLINT_OK);
    CHECK(uid != NULL && different != NULL && strcmp(uid, different) != 0);

    /* The export carries the same pseudonym and never the number. */
    sendlint_audience *audience = new_audience();
    char *e164 = NULL;
    CHECK(sendlint_audience_add_contact(audience, LIT("+852 9123 4567"), LIT("[\"VIP\"]"), -1,
                                        &e164) == SENDLINT_OK);
    sendlint_string_free(e164);
    CHECK(sendlint_audience_export_pseudonymized(audience, key, sizeof key - 1, &csv) == SENDLINT_OK);
    CHECK(contains(csv, "uid,labels,consent_at"));
    CHECK(uid != NULL && contains(csv, uid));
    CHECK(!contains(csv, "91234567"));
    sendlint_string_free(csv);

    /* Errors. */
    char *none = (char *)&none;
    CHECK(sendlint_pseudonymize(LIT("+85291234567"), key, 0, &none) == SENDLINT_INVALID_INPUT);
    CHECK(none == NULL);
    CHECK(contains(sendlint_last_error(), "key is empty"));
    CHECK(sendlint_pseudonymize(LIT("+85291234567"), NULL, 16, &none) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_pseudonymize(LIT("+852\xff"), key, sizeof key - 1, &none) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_pseudonymize(NULL, 3, key, sizeof key - 1, &none) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_pseudonymize(LIT("+85291234567"), key, sizeof key - 1, NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_export_pseudonymized(audience, key, 0, &none) == SENDLINT_INVALID_INPUT);
    CHECK(none == NULL);
    CHECK(sendlint_audience_export_pseudonymized(NULL, key, sizeof key - 1, &none) ==
          SENDLINT_INVALID_ARGUMENT);
    sendlint_string_free(uid);
    sendlint_string_free(same);
    sendlint_string_free(different);
    sendlint_audience_free(audience);
}

static void test_audience_errors(void) {
    sendlint_audience *audience = (sendlint_audience *)&audience;
    char *numbers = (char *)&numbers;
    /* Labels: broken JSON, not strings, repeated, not UTF-8, none. */
    CHECK(sendlint_audience_new(LIT("[\"VIP\","), &audience) == SENDLINT_INVALID_JSON);
    CHECK(audience == NULL);
    CHECK(contains(sendlint_last_error(), "line 1"));
    CHECK(sendlint_audience_new(LIT("[\"VIP\", 3]"), &audience) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field [1])"));
    CHECK(sendlint_audience_new(LIT("{\"labels\": []}"), &audience) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_new(LIT("[\"VIP\", \"VIP\"]"), &audience) == SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "\"VIP\""));
    CHECK(sendlint_audience_new(LIT("[\" VIP\"]"), &audience) == SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_new(LIT("[\"VIP\xff\"]"), &audience) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_audience_new(LIT("[]"), NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(audience == NULL);
    CHECK(sendlint_audience_new(NULL, 99, &audience) == SENDLINT_OK);
    CHECK(sendlint_audience_len(audience) == 0);

    /* Expressions: the column of what is wrong. */
    CHECK(sendlint_audience_select(audience, LIT("VIP"), &numbers) == SENDLINT_INVALID_INPUT);
    CHECK(numbers == NULL);
    CHECK(contains(sendlint_last_error(), "column 1"));
    sendlint_audience_free(audience);
    audience = new_audience();
    CHECK(sendlint_audience_select(audience, LIT("VIP AND Lippenstift"), &numbers) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "column 9"));
    CHECK(sendlint_audience_select(audience, LIT("VIP AND (Neukunde OR"), &numbers) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "column"));
    CHECK(sendlint_audience_select(audience, LIT(""), &numbers) == SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_select(audience, LIT("VIP \xff"), &numbers) == SENDLINT_INVALID_UTF8);
    CHECK(contains(sendlint_last_error(), "offset 4"));
    CHECK(sendlint_audience_select(audience, NULL, 0, &numbers) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_select(NULL, LIT("VIP"), &numbers) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_select(audience, LIT("VIP"), NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_select_sendable(audience, LIT("NOT"), &numbers) == SENDLINT_INVALID_INPUT);
    CHECK(numbers == NULL);
    /* Quoted names with spaces parse. */
    sendlint_audience *spaced = NULL;
    char *e164 = NULL;
    CHECK(sendlint_audience_new(LIT("[\"Neues Produkt testen\", \"VIP\"]"), &spaced) == SENDLINT_OK);
    CHECK(sendlint_audience_add_contact(spaced, LIT("+4930123456"), LIT("[\"Neues Produkt testen\"]"),
                                        -1, &e164) == SENDLINT_OK);
    sendlint_string_free(e164);
    CHECK(sendlint_audience_select(spaced, LIT("\"Neues Produkt testen\" AND NOT VIP"), &numbers) ==
          SENDLINT_OK);
    CHECK(numbers != NULL && strcmp(numbers, "[\"+4930123456\"]") == 0);
    sendlint_string_free(numbers);
    sendlint_audience_free(spaced);

    CHECK(sendlint_audience_len(NULL) == 0);
    sendlint_audience_free(NULL);
    sendlint_audience_free(audience);
}

/* Lifecycle rules, batch label changes, label health, retention. */
static void test_lifecycle_and_labels(void) {
    const int64_t t0 = 1767225600; /* 2026-01-01T00:00:00Z */
    const int64_t day = 86400;
    const int64_t now = (int64_t)time(NULL);
    sendlint_audience *audience = NULL;
    char *json = NULL, *numbers = NULL, *e164 = NULL;
    size_t dropped = 99;
    CHECK(sendlint_audience_new(LIT("[\"Neukunde\", \"VIP\", \"Bestellt\", \"Inaktiver Kunde\", "
                                    "\"Hohes Potenzial\"]"),
                                &audience) == SENDLINT_OK);
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123456"),
                                        LIT("[\"Neukunde\", \"Inaktiver Kunde\"]"), t0, &e164) ==
          SENDLINT_OK);
    sendlint_string_free(e164);
    CHECK(sendlint_audience_add_contact(audience, LIT("+4930123457"), LIT("[\"Bestellt\"]"), t0,
                                        &e164) == SENDLINT_OK);
    sendlint_string_free(e164);
    CHECK(sendlint_audience_record_interaction(audience, LIT("+4930123456"), LIT("purchased"), t0) ==
          SENDLINT_OK);

    /* A new customer stays one for 60 days after the first purchase. */
    CHECK(sendlint_audience_apply_lifecycle(audience, t0 + 30 * day, &json) == SENDLINT_OK);
    CHECK(!contains(json, "\"rule\":\"new_customer\""));
    CHECK(contains(json, "\"skipped\""));
    sendlint_string_free(json);
    CHECK(sendlint_audience_apply_lifecycle(audience, t0 + 61 * day, &json) == SENDLINT_OK);
    CHECK(contains(json, "\"rule\":\"new_customer\""));
    sendlint_string_free(json);
    CHECK(sendlint_audience_select(audience, LIT("Neukunde"), &numbers) == SENDLINT_OK);
    CHECK(numbers != NULL && strcmp(numbers, "[]") == 0);
    sendlint_string_free(numbers);

    /* Seed 003's batch action, logged. */
    CHECK(sendlint_audience_change_labels(audience, LIT("NOT Bestellt"), LIT("[\"Hohes Potenzial\"]"),
                                          LIT("[\"Inaktiver Kunde\"]"), LIT("weekly review"), t0,
                                          &json) == SENDLINT_OK);
    CHECK(contains(json, "\"contacts\":1"));
    CHECK(contains(json, "\"reason\":\"weekly review\""));
    CHECK(contains(json, "\"selection\":\"NOT Bestellt\""));
    sendlint_string_free(json);
    CHECK(sendlint_audience_select(audience, LIT("\"Hohes Potenzial\" AND NOT \"Inaktiver Kunde\""),
                                   &numbers) == SENDLINT_OK);
    CHECK(numbers != NULL && strcmp(numbers, "[\"+4930123456\"]") == 0);
    sendlint_string_free(numbers);

    /* Label health a month from now: labels no send targeted are unused;
     * each label holds half the contacts, more than 40 %. */
    CHECK(sendlint_audience_record_target(audience, LIT("VIP OR Bestellt"), now + 10 * day) ==
          SENDLINT_OK);
    CHECK(sendlint_audience_label_health(audience, now + 31 * day, &json) == SENDLINT_OK);
    CHECK(contains(json, "\"too_many\":false"));
    CHECK(contains(json, "{\"name\":\"Neukunde\""));
    CHECK(!contains(json, "{\"name\":\"VIP\""));
    CHECK(contains(json, "\"overloaded\":[{\"name\":\"Bestellt\""));
    sendlint_string_free(json);
    /* A policy that allows 90 % per label: nothing overloaded. */
    sendlint_engine *engine = NULL;
    CHECK(sendlint_engine_new(LIT("schema_version = 1\n[audience]\nlabel_max_share = 0.9\n"),
                              &engine) == SENDLINT_OK);
    CHECK(sendlint_audience_use_policy(audience, engine) == SENDLINT_OK);
    CHECK(sendlint_audience_label_health(audience, now + 31 * day, &json) == SENDLINT_OK);
    CHECK(contains(json, "\"overloaded\":[]"));
    sendlint_string_free(json);
    sendlint_engine_free(engine);

    /* Retention: the purchase is swept 90 days on. */
    CHECK(sendlint_audience_sweep(audience, t0 + 30 * day, &dropped) == SENDLINT_OK);
    CHECK(dropped == 0);
    CHECK(sendlint_audience_sweep(audience, t0 + 91 * day, &dropped) == SENDLINT_OK);
    CHECK(dropped == 1);

    /* Errors: nothing changes. */
    json = (char *)&json;
    CHECK(sendlint_audience_change_labels(audience, LIT("NOT Bestellt"), LIT("[\"Neu\"]"), NULL, 0,
                                          NULL, 0, -1, &json) == SENDLINT_INVALID_INPUT);
    CHECK(json == NULL);
    CHECK(contains(sendlint_last_error(), "Neu"));
    CHECK(sendlint_audience_change_labels(audience, LIT("NOT (Bestellt"), NULL, 0, NULL, 0, NULL, 0,
                                          -1, &json) == SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "column"));
    CHECK(sendlint_audience_change_labels(audience, LIT("VIP"), LIT("[\"VIP\""), NULL, 0, NULL, 0,
                                          -1, &json) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_change_labels(audience, LIT("VIP"), NULL, 0, NULL, 0, LIT("\xff"), -1,
                                          &json) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_audience_change_labels(audience, LIT("VIP"), NULL, 0, NULL, 0, NULL, 0, -1, NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_record_interaction(audience, LIT("+4930123456"), LIT("clicked"), -1) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "clicked"));
    CHECK(sendlint_audience_record_interaction(audience, LIT("+4930999999"), LIT("opened"), -1) ==
          SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "no contact"));
    CHECK(sendlint_audience_record_target(audience, LIT("Lippenstift"), -1) == SENDLINT_INVALID_INPUT);
    CHECK(sendlint_audience_apply_lifecycle(audience, INT64_MAX, &json) == SENDLINT_INVALID_INPUT);
    CHECK(json == NULL);
    CHECK(sendlint_audience_label_health(NULL, -1, &json) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_sweep(audience, -1, NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_use_policy(audience, NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_len(audience) == 2);
    sendlint_audience_free(audience);
}

/* One audience shared by threads: readers select and check while a writer
 * opts contacts out; the lock inside keeps every read whole. */
struct reader {
    sendlint_audience *audience;
    const sendlint_engine *engine;
    int failures;
};

static void *read_audience(void *arg) {
    struct reader *reader = (struct reader *)arg;
    int last = 1000;
    for (int round = 0; round < 20; round++) {
        char *numbers = NULL, *report = NULL;
        if (sendlint_audience_select_sendable(reader->audience, LIT("NOT Interesse-Make-up"),
                                              &numbers) != SENDLINT_OK) {
            reader->failures++;
            continue;
        }
        /* 750 sendable at first, 730 once all opt-outs are in; never more
         * than this thread saw before. */
        int n = count(numbers, "\"+49170");
        if (n < 730 || n > 750 || n > last) {
            reader->failures++;
        }
        last = n;
        sendlint_string_free(numbers);
        if (sendlint_check_with_audience(reader->engine, NULL, NULL, reader->audience, LIT(TARGET),
                                         LIT("{\"text\": \"Neue Farben! Abmelden: STOP\"}"),
                                         &report) != SENDLINT_OK ||
            !contains(report, "\"recipients_remaining\":40")) {
            reader->failures++;
        }
        sendlint_string_free(report);
    }
    return NULL;
}

static void *opt_out_twenty(void *arg) {
    sendlint_audience *audience = (sendlint_audience *)arg;
    for (int i = 600; i < 620; i++) {
        char phone[32];
        snprintf(phone, sizeof phone, "+49170%d", 1000000 + i);
        if (sendlint_audience_opt_out(audience, phone, strlen(phone), 1775030400) != SENDLINT_OK) {
            return audience;
        }
    }
    return NULL;
}

static void test_threads(void) {
    sendlint_audience *audience = new_audience();
    sendlint_engine *engine = NULL;
    char *report = NULL, *numbers = NULL;
    size_t len = 0;
    char *csv = seed_003_csv(&len);
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_audience_import_csv_bytes(audience, csv, len, NULL, 0, &report) == SENDLINT_OK);
    sendlint_string_free(report);
    free(csv);

    struct reader readers[4];
    pthread_t threads[5];
    for (int t = 0; t < 4; t++) {
        readers[t].audience = audience;
        readers[t].engine = engine;
        readers[t].failures = 0;
        CHECK(pthread_create(&threads[t], NULL, read_audience, &readers[t]) == 0);
    }
    CHECK(pthread_create(&threads[4], NULL, opt_out_twenty, audience) == 0);
    void *writer_failed = NULL;
    for (int t = 0; t < 4; t++) {
        CHECK(pthread_join(threads[t], NULL) == 0);
        CHECK(readers[t].failures == 0);
    }
    CHECK(pthread_join(threads[4], &writer_failed) == 0);
    CHECK(writer_failed == NULL);
    CHECK(sendlint_audience_select_sendable(audience, LIT("NOT Interesse-Make-up"), &numbers) ==
          SENDLINT_OK);
    CHECK(count(numbers, "\"+49170") == 730);
    sendlint_string_free(numbers);
    sendlint_engine_free(engine);
    sendlint_audience_free(audience);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <repository root> <scratch dir>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    scratch = argv[2];
    test_import_files();
    test_import_errors();
    test_seed_003_and_checks();
    test_contacts_and_consent();
    test_save_and_load();
    test_pseudonyms();
    test_audience_errors();
    test_lifecycle_and_labels();
    test_threads();
    return finish("audience");
}

/* Inbound messages through the C ABI, from C99: triage by the 15-5-1 rule,
 * opt-outs in several languages applied to an audience, reply-time health,
 * and every error path. Usage: inbound */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdlib.h>

#include "testing.h"

/* 2026-11-25T09:00:00Z. */
#define NOW 1795597200

static char *triage(const sendlint_engine *engine, const char *json) {
    char *out = NULL;
    CHECK(sendlint_triage(engine, json, strlen(json), &out) == SENDLINT_OK);
    return out;
}

static void test_triage(void) {
    sendlint_engine *engine = NULL;
    char *out;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);

    /* The carrier keyword alone: an opt-out that needs no reply. */
    out = triage(engine, "{\"text\": \"STOP\", \"at\": \"2026-11-25T09:00:00Z\", "
                         "\"sender\": \"+4917012345678\", \"account\": \"shop\"}");
    CHECK(contains(out, "\"opt_out\":{"));
    CHECK(contains(out, "\"whole_message\":true"));
    CHECK(contains(out, "\"priority\":\"other\""));
    CHECK(contains(out, "\"reply_within_minutes\":null"));
    CHECK(contains(out, "\"sender\":\"+4917012345678\""));
    CHECK(contains(out, "\"account\":\"shop\""));
    sendlint_string_free(out);

    /* German, inside a sentence. */
    out = triage(engine, "{\"text\": \"Abmelden bitte\", \"at\": \"2026-11-25T09:00:00Z\"}");
    CHECK(contains(out, "\"opt_out\":{"));
    CHECK(contains(out, "\"lang\":\"de\""));
    CHECK(contains(out, "\"at\":\"2026-11-25T09:00:00Z\""));
    sendlint_string_free(out);

    /* "STOP" inside a sentence is no opt-out keyword. */
    out = triage(engine, "{\"text\": \"Bitte STOP sagen, wenn die Brezeln fertig sind?\"}");
    CHECK(contains(out, "\"opt_out\":null"));
    sendlint_string_free(out);

    /* A complaint: reply within 1 minute, due a minute after it came in. */
    out = triage(engine, "{\"id\": \"in-9\", \"text\": \"Das Paket kam kaputt an, ich will mein "
                         "Geld zur\xc3\xbc" "ck!\", \"at\": \"2026-11-25T09:00:00Z\"}");
    CHECK(contains(out, "\"priority\":\"complaint\""));
    CHECK(contains(out, "\"reply_within_minutes\":1"));
    CHECK(contains(out, "\"reply_due\":\"2026-11-25T09:01:00Z\""));
    CHECK(contains(out, "\"cue\":\"complaint\""));
    sendlint_string_free(out);

    /* Urgent and question. */
    out = triage(engine, "{\"text\": \"Where is my order? I need it today, urgent!\", "
                         "\"at\": \"2026-11-25T09:00:00Z\"}");
    CHECK(contains(out, "\"priority\":\"urgent\""));
    CHECK(contains(out, "\"reply_due\":\"2026-11-25T09:05:00Z\""));
    sendlint_string_free(out);
    out = triage(engine, "{\"text\": \"Habt ihr den Pullover auch in Blau?\", "
                         "\"at\": \"2026-11-25T09:00:00Z\", \"sender\": null}");
    CHECK(contains(out, "\"priority\":\"question\""));
    CHECK(contains(out, "\"reply_within_minutes\":15"));
    sendlint_string_free(out);

    /* Other languages and evasions. */
    out = triage(engine, "{\"text\": \"\xe9\x80\x80\xe8\xae\xa2\"}"); /* 退订 */
    CHECK(contains(out, "\"opt_out\":{"));
    sendlint_string_free(out);
    out = triage(engine, "{\"text\": \"please U N S U B S C R I B E me\"}");
    CHECK(contains(out, "\"opt_out\":{"));
    sendlint_string_free(out);

    /* Errors: out NULL, the status and the message say what is wrong. */
    out = (char *)&out;
    CHECK(sendlint_triage(engine, LIT("{\"text\": \"STOP\""), &out) == SENDLINT_INVALID_JSON);
    CHECK(out == NULL);
    CHECK(contains(sendlint_last_error(), "inbound message JSON at line 1"));
    CHECK(sendlint_triage(engine, LIT("{\"text\": \"STOP\", \"at\": \"gestern\"}"), &out) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field at)"));
    CHECK(sendlint_triage(engine, LIT("{\"text\": \"STOP\", \"recipients\": []}"), &out) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "recipients"));
    CHECK(sendlint_triage(engine, LIT("{\"sender\": \"+4917012345678\"}"), &out) ==
          SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "text"));
    CHECK(sendlint_triage(engine, LIT("[\"STOP\"]"), &out) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_triage(engine, LIT("{\"text\": \"ST\xffOP\"}"), &out) == SENDLINT_INVALID_UTF8);
    CHECK(contains(sendlint_last_error(), "offset 12"));
    CHECK(sendlint_triage(NULL, LIT("{\"text\": \"STOP\"}"), &out) == SENDLINT_INVALID_ARGUMENT);
    CHECK(contains(sendlint_last_error(), "engine is NULL"));
    CHECK(sendlint_triage(engine, NULL, 4, &out) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_triage(engine, LIT("{\"text\": \"STOP\"}"), NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(out == NULL);
    sendlint_engine_free(engine);
}

/* Opt-outs found in inbound messages reach the audience in one more call. */
static void test_apply_triage(void) {
    sendlint_engine *engine = NULL;
    sendlint_audience *audience = NULL;
    char *stop, *question, *anonymous, *contact = NULL, *sendable = NULL, *e164 = NULL;
    int32_t applied = -1;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);
    CHECK(sendlint_audience_new(LIT("[\"VIP\"]"), &audience) == SENDLINT_OK);
    const char *consent = "{\"at\": \"2026-03-01T00:00:00Z\", \"method\": \"in_store\"}";
    CHECK(sendlint_audience_add_contact(audience, LIT("+4917012345678"), LIT("[\"VIP\"]"), -1,
                                        &e164) == SENDLINT_OK);
    sendlint_string_free(e164);
    CHECK(sendlint_audience_set_consent(audience, LIT("+4917012345678"), consent,
                                        strlen(consent)) == SENDLINT_OK);

    question = triage(engine, "{\"text\": \"Habt ihr das auch in Blau?\", "
                              "\"sender\": \"+4917012345678\"}");
    CHECK(sendlint_audience_apply_triage(audience, question, strlen(question), &applied) ==
          SENDLINT_OK);
    CHECK(applied == 0);
    CHECK(sendlint_audience_select_sendable(audience, LIT("VIP"), &sendable) == SENDLINT_OK);
    CHECK(contains(sendable, "+4917012345678"));
    sendlint_string_free(sendable);

    stop = triage(engine, "{\"text\": \"Abmelden bitte\", \"at\": \"2026-11-25T09:00:00Z\", "
                          "\"sender\": \"+49 170 1234 5678\"}");
    CHECK(sendlint_audience_apply_triage(audience, stop, strlen(stop), &applied) == SENDLINT_OK);
    CHECK(applied == 1);
    CHECK(sendlint_audience_contact(audience, LIT("+4917012345678"), &contact) == SENDLINT_OK);
    CHECK(contains(contact, "\"opted_out_at\":\"2026-11-25T09:00:00Z\""));
    sendlint_string_free(contact);
    CHECK(sendlint_audience_select_sendable(audience, LIT("VIP"), &sendable) == SENDLINT_OK);
    CHECK(sendable != NULL && strcmp(sendable, "[]") == 0);
    sendlint_string_free(sendable);

    /* An unknown sender who opts out is remembered as opted out. */
    char *stranger = triage(engine, "{\"text\": \"STOP\", \"sender\": \"+85291234567\"}");
    CHECK(sendlint_audience_apply_triage(audience, stranger, strlen(stranger), &applied) ==
          SENDLINT_OK);
    CHECK(applied == 1);
    CHECK(sendlint_audience_len(audience) == 2);
    sendlint_string_free(stranger);

    /* Errors: no sender to apply to, broken or foreign JSON, NULLs. */
    anonymous = triage(engine, "{\"text\": \"STOP\"}");
    applied = -1;
    CHECK(sendlint_audience_apply_triage(audience, anonymous, strlen(anonymous), &applied) ==
          SENDLINT_INVALID_INPUT);
    CHECK(applied == 0);
    CHECK(contains(sendlint_last_error(), "no sender"));
    CHECK(sendlint_audience_apply_triage(audience, LIT("{\"priority\": \"other\"}"), &applied) ==
          SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_apply_triage(audience, stop, strlen(stop) - 1, &applied) ==
          SENDLINT_INVALID_JSON);
    CHECK(sendlint_audience_apply_triage(audience, LIT("{\"x\xff\": 1}"), &applied) ==
          SENDLINT_INVALID_UTF8);
    CHECK(sendlint_audience_apply_triage(NULL, stop, strlen(stop), &applied) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_apply_triage(audience, stop, strlen(stop), NULL) ==
          SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_audience_len(audience) == 2);

    sendlint_string_free(stop);
    sendlint_string_free(question);
    sendlint_string_free(anonymous);
    sendlint_audience_free(audience);
    sendlint_engine_free(engine);
}

static void test_reply_health(void) {
    sendlint_engine *engine = NULL;
    char *out = NULL;
    CHECK(sendlint_engine_new(NULL, 0, &engine) == SENDLINT_OK);

    /* Answered within minutes: healthy, all on time. */
    const char quick[] =
        "[{\"received\": \"2026-11-24T09:00:00Z\", \"replied\": \"2026-11-24T09:00:40Z\", "
        "\"reply_due\": \"2026-11-24T09:01:00Z\"},"
        " {\"received\": \"2026-11-24T10:00:00Z\", \"replied\": \"2026-11-24T10:04:00Z\", "
        "\"reply_due\": \"2026-11-24T10:05:00Z\"}]";
    CHECK(sendlint_reply_health(engine, LIT(quick), NOW, &out) == SENDLINT_OK);
    CHECK(contains(out, "\"state\":\"healthy\""));
    CHECK(contains(out, "\"measured\":2"));
    CHECK(contains(out, "\"mean_response_seconds\":140.0"));
    CHECK(contains(out, "\"on_time_share\":1.0"));
    CHECK(contains(out, "\"priority_factor\":1.0"));
    CHECK(contains(out, "\"now\":\"2026-11-25T09:00:00Z\""));
    sendlint_string_free(out);

    /* A mean of 8 hours: push priority lowered by 30 %. */
    const char slow[] =
        "[{\"received\": \"2026-11-24T09:00:00Z\", \"replied\": \"2026-11-24T17:00:00Z\"},"
        " {\"received\": \"2026-11-23T09:00:00Z\", \"replied\": \"2026-11-23T17:00:00Z\"}]";
    CHECK(sendlint_reply_health(engine, LIT(slow), NOW, &out) == SENDLINT_OK);
    CHECK(contains(out, "\"state\":\"priority_lowered\""));
    CHECK(contains(out, "\"priority_factor\":0.7"));
    CHECK(contains(out, "\"on_time_share\":null"));
    sendlint_string_free(out);

    /* Never answered for two days: ads become low priority. */
    const char silent[] =
        "[{\"received\": \"2026-11-23T09:00:00Z\", \"replied\": null, "
        "\"reply_due\": \"2026-11-23T09:15:00Z\"}]";
    CHECK(sendlint_reply_health(engine, LIT(silent), NOW, &out) == SENDLINT_OK);
    CHECK(contains(out, "\"state\":\"ads_low_priority\""));
    CHECK(contains(out, "\"overdue\":1"));
    sendlint_string_free(out);

    /* Nothing yet, and the system clock. */
    CHECK(sendlint_reply_health(engine, LIT("[]"), -1, &out) == SENDLINT_OK);
    CHECK(contains(out, "\"measured\":0"));
    CHECK(contains(out, "\"mean_response_seconds\":null"));
    sendlint_string_free(out);

    /* Errors. */
    out = (char *)&out;
    CHECK(sendlint_reply_health(engine,
                                LIT("[{\"received\": \"2026-11-24T09:00:00Z\", "
                                    "\"replied\": \"2026-11-24T08:00:00Z\"}]"),
                                NOW, &out) == SENDLINT_INVALID_INPUT);
    CHECK(out == NULL);
    CHECK(contains(sendlint_last_error(), "exchange"));
    CHECK(sendlint_reply_health(engine,
                                LIT("[{\"received\": \"2026-11-24T09:00:00Z\"}, "
                                    "{\"received\": \"2026-11-24T09:00:00Z\", \"replied\": 7}]"),
                                NOW, &out) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "(field [1].replied)"));
    CHECK(sendlint_reply_health(engine,
                                LIT("[{\"received\": \"2026-11-24T09:00:00Z\", \"reply\": "
                                    "\"2026-11-24T09:01:00Z\"}]"),
                                NOW, &out) == SENDLINT_INVALID_JSON);
    CHECK(contains(sendlint_last_error(), "reply"));
    CHECK(sendlint_reply_health(engine, LIT("[{\"received\": "), NOW, &out) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_reply_health(engine, LIT("{}"), NOW, &out) == SENDLINT_INVALID_JSON);
    CHECK(sendlint_reply_health(engine, LIT("[\xff]"), NOW, &out) == SENDLINT_INVALID_UTF8);
    CHECK(sendlint_reply_health(engine, LIT("[]"), INT64_MAX, &out) == SENDLINT_INVALID_INPUT);
    CHECK(contains(sendlint_last_error(), "now_unix"));
    CHECK(sendlint_reply_health(NULL, LIT("[]"), NOW, &out) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_reply_health(engine, NULL, 2, NOW, &out) == SENDLINT_INVALID_ARGUMENT);
    CHECK(sendlint_reply_health(engine, LIT("[]"), NOW, NULL) == SENDLINT_INVALID_ARGUMENT);
    CHECK(out == NULL);
    sendlint_engine_free(engine);
}

int main(void) {
    test_triage();
    test_apply_triage();
    test_reply_health();
    return finish("inbound");
}

"""Inbound triage (15-5-1), opt-outs and reply health through the Python binding,
and the `sendlint inbound` command."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import sendlint
from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASES = tomllib.loads((ROOT / "core/testdata/inbound.toml").read_text("utf-8"))["case"]
ENGINE = sendlint.Engine()
AT = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_inbound_cases(case: dict) -> None:
    triage = ENGINE.triage(case["text"])
    assert triage.priority == case["priority"]
    assert triage.opt_out is case["opt_out"]
    if case["opt_out"] and "matched" in case:
        match = triage.opt_out_match
        assert match is not None and match["matched"] == case["matched"]
        start, end = match["span"]
        assert case["text"][start:end] == case["matched"]
    kinds = {cue["cue"] for cue in triage.cues}
    assert set(case.get("cues", [])) <= kinds
    for cue in triage.cues:
        start, end = cue["span"]
        assert case["text"][start:end] == cue["matched"]


def test_due_times_follow_15_5_1() -> None:
    complaint = ENGINE.triage("Das Paket kam kaputt an", at=AT)
    assert (complaint.priority, complaint.reply_within_minutes) == ("complaint", 1)
    assert complaint.reply_due == AT + timedelta(minutes=1)
    assert complaint.received == AT
    urgent = ENGINE.triage("URGENT pls call back", at="2026-11-25T09:00:00Z")
    assert urgent.reply_due == AT + timedelta(minutes=5)
    question = ENGINE.triage("Habt ihr das in Größe M?", at=AT)
    assert question.reply_due == AT + timedelta(minutes=15)
    thanks = ENGINE.triage("ok danke", at=AT)
    assert (thanks.priority, thanks.reply_within_minutes, thanks.reply_due) == ("other", None, None)


def test_classify_inbound_has_the_issue_names() -> None:
    inb = sendlint.classify_inbound("S T O P")
    assert inb.opt_out is True
    assert inb.priority == "other"
    assert inb.reply_within_minutes is None
    assert sendlint.classify_inbound("Don't stop the music").opt_out is False


def test_opt_out_carries_what_the_audience_needs() -> None:
    triage = ENGINE.triage("退订", at=AT, sender="+8613812345678", account="shop")
    assert triage.sender == "+8613812345678" and triage.account == "shop"
    match = triage.opt_out_match
    assert match is not None
    assert match["at"] == AT
    assert (match["phrase"], match["lang"], match["matched"]) == ("退订", "zh", "退订")
    assert match["span"] == (0, 2) and match["byte_span"] == (0, 6)
    data = triage.to_dict()
    assert data["opt_out"]["at"] == "2026-11-25T09:00:00Z"
    assert json.loads(triage.to_json()) == data


def test_policy_minutes_are_used() -> None:
    policy = json.loads(sendlint.Policy().to_json())
    policy["inbound"]["question_minutes"] = 30
    engine = sendlint.Engine(sendlint.Policy(json.dumps(policy)))
    assert engine.triage("Wann habt ihr offen?", at=AT).reply_due == AT + timedelta(minutes=30)
    policy["inbound"]["urgent_minutes"] = 60
    with pytest.raises(sendlint.PolicyError) as err:
        sendlint.Policy(json.dumps(policy))
    assert err.value.key == "inbound.urgent_minutes"


def test_bad_input_is_an_input_error() -> None:
    with pytest.raises(sendlint.InputError):
        ENGINE.triage("hi", at=datetime(2026, 1, 1))  # naive
    with pytest.raises(sendlint.InputError, match="exchange 0"):
        ENGINE.reply_health([(AT, AT - timedelta(hours=1))], now=AT)
    with pytest.raises(sendlint.InputError, match="exchange 1"):
        ENGINE.reply_health([(AT, None), (AT,)], now=AT)


def test_reply_health_edges() -> None:
    now = AT + timedelta(days=1)

    def health(hours: float) -> sendlint.ReplyHealth:
        return ENGINE.reply_health([(AT, AT + timedelta(hours=hours))], now=now)

    assert health(6).state == "healthy"
    assert health(6 + 1 / 3600).state == "priority_lowered"
    assert health(6 + 1 / 3600).priority_factor == 0.7
    assert health(24).state == "priority_lowered"
    # Replied after `now`: at `now` it was still unanswered (and without a due time, pending).
    late = health(24 + 1 / 3600)
    assert (late.state, late.pending, late.mean_response_seconds) == ("healthy", 1, None)
    later = ENGINE.reply_health(
        [(AT, AT + timedelta(hours=25))], now=AT + timedelta(days=2)
    )
    assert later.state == "ads_low_priority"
    assert later.mean_response_seconds == 25 * 3600


def test_reply_health_from_triage_exchanges() -> None:
    now = AT + timedelta(hours=2)
    complaint = ENGINE.triage("Beschwerde: falsche Ware geliefert", at=AT)
    question = ENGINE.triage("Habt ihr Größe M?", at=AT)
    exchanges = [
        complaint.exchange(AT + timedelta(seconds=40)),
        question.exchange("2026-11-25T09:30:00Z"),
    ]
    assert exchanges[0][2] == AT + timedelta(minutes=1)
    health = ENGINE.reply_health(exchanges, now=now)
    assert (health.measured, health.answered, health.overdue) == (2, 2, 0)
    assert health.on_time_share == 0.5
    assert health.mean_response_seconds == (40 + 30 * 60) / 2
    assert health.state == "healthy"
    assert health.now == now and health.window_start == now - timedelta(days=30)
    assert health.to_dict()["state"] == "healthy"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlint", *args], input=stdin, capture_output=True, cwd=ROOT
    )


INBOX = "\n".join(
    json.dumps(line, ensure_ascii=False)
    for line in [
        {"id": "m1", "text": "Ist die Größe zu groß?", "at": "2026-11-25T09:00:00Z"},
        {"id": "m2", "text": "STOP", "sender": "+4917012345678", "at": "2026-11-25T09:01:00Z"},
        {"id": "m3", "text": "ok danke"},
    ]
).encode()


def test_cli_inbound_json_lines() -> None:
    done = run("inbound", "-", stdin=INBOX)
    assert done.returncode == 1, done.stderr  # an opt-out is something to act on
    lines = [json.loads(l) for l in done.stdout.decode().splitlines()]
    assert [l["id"] for l in lines] == ["m1", "m2", "m3"]
    assert lines[0]["priority"] == "question"
    assert lines[0]["reply_due"] == "2026-11-25T09:15:00Z"
    assert lines[1]["opt_out"]["phrase"] == "STOP" and lines[1]["sender"] == "+4917012345678"
    assert lines[2]["priority"] == "other"


def test_cli_inbound_exit_codes_and_text() -> None:
    calm = b"Habt ihr offen?\nok danke\n"
    assert run("inbound", "--plain", "-", stdin=calm).returncode == 0
    assert run("inbound", "--plain", "--fail-on", "question", "-", stdin=calm).returncode == 1
    angry = b"Mein Paket ist kaputt\n"
    assert run("inbound", "--plain", "-", stdin=angry).returncode == 1
    assert run("inbound", "--plain", "--fail-on", "never", "-", stdin=angry).returncode == 0
    text = run("inbound", "--plain", "--format", "text", "-", stdin=angry + b"STOP\n")
    out = text.stdout.decode()
    assert "COMPLAINT  reply within 1 min" in out
    assert "OPT-OUT 'STOP'" in out
    assert "2 messages triaged: 1 complaint, 0 urgent, 0 question, 1 other; 1 opt-outs" in out


def test_cli_inbound_bad_line_is_named_and_exit_2() -> None:
    done = run("inbound", "-", stdin=b'{"text": "hi", "recipients": []}\n{"text": "STOP"}\n')
    assert done.returncode == 2
    assert "-:1: unknown field(s) recipients" in done.stderr.decode()
    assert len(done.stdout.decode().splitlines()) == 1


def test_an_inbound_opt_out_reaches_the_audience() -> None:
    aud = sendlint.Audience(labels=["VIP"])
    aud.add_contact("+4917012345678", ["VIP"], at="2026-01-01T00:00:00Z")
    aud.set_consent("+4917012345678", at="2026-01-01T00:00:00Z", method="web_form")
    question = ENGINE.triage("Habt ihr das auch in Blau?", sender="+4917012345678")
    assert aud.apply_triage(question) is False
    assert aud.select_sendable("VIP") == ["+4917012345678"]
    stop = ENGINE.triage("Abmelden bitte", sender="+49 170 1234 5678", at=AT)
    assert aud.apply_triage(stop) is True
    assert aud.select_sendable("VIP") == []
    assert aud.contact("+4917012345678")["opted_out_at"] == "2026-11-25T09:00:00Z"
    with pytest.raises(sendlint.SendlintError, match="no sender"):
        aud.apply_triage(ENGINE.triage("STOP"))


def test_cli_inbound_applies_opt_outs_to_an_audience_file(tmp_path) -> None:
    path = tmp_path / "audience.json"
    aud = sendlint.Audience(labels=["VIP"])
    aud.set_consent("+4917012345678", at="2026-01-01T00:00:00Z", method="chat")
    aud.add_contact("+4917012345678", ["VIP"], at="2026-01-01T00:00:00Z")
    aud.save(path)
    done = run("inbound", "--audience", str(path), "-", stdin=INBOX)
    assert done.returncode == 1, done.stderr
    contact = sendlint.Audience.load(path).contact("+4917012345678")
    assert contact["opted_out_at"] == "2026-11-25T09:01:00Z"

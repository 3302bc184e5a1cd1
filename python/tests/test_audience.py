"""Audiences from Python: imports, label expressions, consent, opt-outs and
checks of a send against an audience (the contract of issue 9)."""

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import sendlint
from conftest import ROOT

DATA = ROOT / "core" / "testdata" / "audience"
LABELS = [
    "VIP",
    "Interesse-Make-up",
    "Kaufphase-Abgeschlossen",
    "Produktkategorie-Lippenstift",
    "Neukunde",
]
TARGET = "Interesse-Make-up AND Kaufphase-Abgeschlossen AND NOT Produktkategorie-Lippenstift"


def test_import_report_names_rows_and_reasons() -> None:
    aud = sendlint.Audience(labels=LABELS)
    rep = aud.import_csv(DATA / "contacts_en.csv", default_region="DE")
    assert rep.accepted == 38 and rep.rows == 42 and rep.applied
    by_reason: dict[str, list[int]] = {}
    for row, reason, message in rep.rejected:
        by_reason.setdefault(reason, []).append(row)
        assert isinstance(message, str) and message
    assert by_reason == {
        "unknown_label": [4],
        "duplicate": [6, 14],
        "invalid_phone": [7],
        "missing_consent": [12],
    }
    assert rep.counts["duplicate"] == 2
    assert rep.delimiter == ","
    assert "38 of 42 rows accepted" in rep.summary()
    assert rep.to_dict()["issues"][0]["reason"] == "unknown_label"
    assert len(aud) == 38
    assert aud.labels_of("+852 9123 4567") == ["VIP", "Interesse-Make-up"]


def test_german_file_and_default_region_on_the_audience() -> None:
    aud = sendlint.Audience(labels=LABELS, default_region="DE")
    rep = aud.import_csv(str(DATA / "kontakte_de.csv"))
    assert rep.delimiter == ";"
    assert "semicolon-separated" in rep.format
    contact = aud.contact("030 7654321")
    assert contact is not None
    assert contact["phone"] == "+49307654321"
    assert contact["consent"]["method"] == "in_store"


def test_a_stopped_import_changes_nothing_and_carries_the_report() -> None:
    aud = sendlint.Audience(labels=LABELS)
    with pytest.raises(sendlint.ImportStoppedError) as caught:
        aud.import_csv(DATA / "broken.csv")
    report = caught.value.report
    assert report is not None and not report.applied
    assert {reason for _, reason, _ in report.rejected} == {"invalid_phone"}
    assert isinstance(caught.value, sendlint.AudienceError)
    assert len(aud) == 0
    with pytest.raises(sendlint.AudienceError) as missing:
        aud.import_csv(DATA / "no_such_file.csv")
    assert missing.value.path is not None


def seed_003() -> sendlint.Audience:
    aud = sendlint.Audience(labels=LABELS)
    added = "2026-01-01T00:00:00Z"
    for i in range(10_000):
        labels = []
        if i < 2_500:
            labels.append("Interesse-Make-up")
        if 1_300 <= i < 5_300:
            labels.append("Kaufphase-Abgeschlossen")
        if 1_300 <= i < 2_100:
            labels.append("Produktkategorie-Lippenstift")
        phone = f"+49170{1_000_000 + i}"
        aud.add_contact(phone, labels, at=added)
        aud.set_consent(phone, at=added, method="web_form", source="checkout", policy_version="v1")
    return aud


def test_seed_003_selection_and_a_checked_send() -> None:
    aud = seed_003()
    assert len(aud.select("Interesse-Make-up AND Kaufphase-Abgeschlossen")) == 1_200
    chosen = aud.select(TARGET)
    assert len(chosen) == 400 and chosen[0] == "+491701002100"
    engine = sendlint.Engine()
    text = "Anzeige: Neue Lippenstift-Farben – 15 % Rabatt. Abmelden: STOP"
    everyone = [f"+49170{1_000_000 + i}" for i in range(10_000)]
    blast = engine.check(text, recipients=everyone, audience=aud, target=TARGET)
    untargeted = [f for f in blast.findings if f.rule == "untargeted"]
    assert len(untargeted) == 1 and untargeted[0].evidence["share"] == 0.04
    aud.opt_out(chosen[0], at=datetime(2026, 4, 1, tzinfo=timezone.utc))
    aimed = engine.check(text, audience=aud, target=TARGET)
    assert [f.rule for f in aimed.findings if f.rule in {"opted_out", "untargeted"}] == ["opted_out"]
    assert aimed.recipients_remaining == 399
    assert aimed.to_dict()["recipients_remaining"] == 399
    assert engine.check(text).recipients_remaining is None


def test_expression_errors_carry_the_column() -> None:
    aud = sendlint.Audience(labels=["VIP", "Kaufphase - Abgeschlossen"])
    assert aud.select('VIP AND NOT "Kaufphase - Abgeschlossen"') == []
    with pytest.raises(sendlint.ExpressionError) as caught:
        aud.select("VIP AND (Neukunde OR")
    assert caught.value.column == 21
    assert isinstance(caught.value, sendlint.InputError)
    with pytest.raises(sendlint.ExpressionError) as unknown:
        sendlint.Engine().check("Hallo", audience=aud, target="VIP OR Lipstick")
    assert unknown.value.column == 8


def test_consent_opt_out_lifecycle_health_and_persistence(tmp_path: Path) -> None:
    aud = sendlint.Audience(labels=["Neukunde", "VIP"])
    aud.add_contact("+85291234567", ["Neukunde", "VIP"], at="2026-01-01T00:00:00Z")
    aud.set_consent("+85291234567", at="2026-01-01T00:00:00Z", method="chat")
    with pytest.raises(sendlint.InputError):
        aud.set_consent("+85291234567", at="2026-01-01T00:00:00Z", method="fax")
    aud.record_interaction("+85291234567", "purchased", at="2026-01-05T00:00:00Z")
    changed = aud.apply_lifecycle("2026-03-10T00:00:00Z")
    assert [c["rule"] for c in changed["changes"]] == ["new_customer"]
    assert aud.labels_of("+85291234567") == ["VIP"]
    health = aud.label_health("2026-12-01T00:00:00Z")
    assert health["too_many"] is False
    assert {"name": "VIP", "contacts": 1, "share": 1.0} in health["overloaded"]
    assert aud.change_labels("VIP", add=["Neukunde"], reason="test") == 1
    assert aud.change_log()[-1]["reason"] == "test"
    path = tmp_path / "audience.json"
    aud.save(path)
    loaded = sendlint.Audience.load(path)
    assert loaded.select("VIP AND Neukunde") == ["+85291234567"]
    assert sendlint.Audience.from_json(aud.to_json()).labels == ["Neukunde", "VIP"]
    path.write_text('{"format": "sendlint-audience", "version": 9}')
    with pytest.raises(sendlint.AudienceError, match="version 9"):
        sendlint.Audience.load(path)
    aud.opt_out("+852 9123 4567")
    contact = aud.contact("+85291234567")
    assert contact is not None and contact["opted_out_at"] is not None
    assert aud.select_sendable("VIP") == []
    assert aud.sweep("2026-12-01T00:00:00Z") == 1


def test_pseudonyms_are_keyed_and_exports_hold_no_numbers() -> None:
    uid = sendlint.pseudonymize("+85291234567", key=b"0123456789abcdef")
    assert uid.startswith("UID_") and len(uid) == 36
    assert uid != sendlint.pseudonymize("+85291234567", key=b"another key")
    with pytest.raises(sendlint.InputError):
        sendlint.pseudonymize("+85291234567", key=b"")
    aud = sendlint.Audience(labels=["VIP"])
    aud.add_contact("+85291234567", ["VIP"])
    export = aud.export_pseudonymized(b"0123456789abcdef")
    assert uid in export and "91234567" not in export


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlint", *args], capture_output=True, cwd=ROOT
    )


def test_cli_audience_import(tmp_path: Path) -> None:
    saved = tmp_path / "audience.json"
    done = cli(
        "audience", "import", str(DATA / "contacts_en.csv"),
        "--labels", ",".join(LABELS), "--region", "DE", "--save", str(saved),
    )
    assert done.returncode == 0, done.stderr
    assert "38 of 42 rows accepted" in done.stdout.decode()
    assert len(sendlint.Audience.load(saved)) == 38
    # Adding a second list to the saved audience, reported as JSON.
    done = cli(
        "audience", "import", str(DATA / "kontakte_de.csv"),
        "--region", "DE", "--save", str(saved), "--format", "json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["delimiter"] == ";"
    assert len(sendlint.Audience.load(saved)) > 38
    stopped = cli("audience", "import", str(DATA / "broken.csv"), "--labels", "VIP")
    assert stopped.returncode == 1
    assert "NOT imported" in stopped.stdout.decode()
    assert "import stopped" in stopped.stderr.decode()
    missing = cli("audience", "import", str(tmp_path / "none.csv"))
    assert missing.returncode == 2


TEXT = "Anzeige: Neue Lippenstift-Farben – 15 % Rabatt. Abmelden: STOP"


def test_check_many_with_an_audience_equals_one_check_at_a_time() -> None:
    aud = seed_003()
    chosen = aud.select(TARGET)
    aud.opt_out(chosen[0], at=datetime(2026, 4, 1, tzinfo=timezone.utc))
    everyone = [f"+49170{1_000_000 + i}" for i in range(10_000)]
    engine = sendlint.Engine()
    texts = [TEXT, TEXT, "Guten Morgen! Heute frische Brezeln.", TEXT]
    recipients = [chosen[:10] + ["+4917099999999"], None, everyone[:200], everyone]
    targets = [TARGET, TARGET, None, TARGET]
    batch = engine.check_many(
        texts, recipients=recipients, audience=aud, targets=targets, threads=2
    )
    one_by_one = [
        engine.check(text, recipients=r, audience=aud, target=t)
        for text, r, t in zip(texts, recipients, targets)
    ]
    assert [r.to_dict() for r in batch] == [r.to_dict() for r in one_by_one]
    assert [sorted(set(r.rules) & {"no_consent", "opted_out", "untargeted"}) for r in batch] == [
        ["no_consent", "opted_out"],
        ["opted_out"],
        [],
        ["opted_out", "untargeted"],
    ]
    assert [r.recipients_remaining for r in batch] == [9, 399, 200, 9_999]
    # One target for every row; no audience, no audience rules.
    same = engine.check_many([TEXT, TEXT], audience=aud, targets=TARGET)
    assert [r.recipients_remaining for r in same] == [399, 399]
    assert engine.check_many([TEXT])[0].recipients_remaining is None
    # A bad target is a bad row, named like any other.
    with pytest.raises(sendlint.InputError) as caught:
        engine.check_many([TEXT, TEXT], audience=aud, targets=[TARGET, "VIP OR"])
    assert caught.value.index == 1
    assert caught.value.reports is not None and caught.value.reports[1] is None


def test_cli_check_with_an_audience_and_a_target(tmp_path: Path) -> None:
    saved = tmp_path / "audience.json"
    seed_003().save(saved)
    everyone = [f"+49170{1_000_000 + i}" for i in range(10_000)]
    campaign = tmp_path / "campaign.jsonl"
    # Dated, so the two runs compared below report the same times: a line
    # without `at` is sent "now", and the runs may fall in different seconds.
    at = "2026-11-02T09:00:00Z"
    campaign.write_text(
        "\n".join(
            json.dumps(line, ensure_ascii=False)
            for line in [
                {"id": "aimed", "text": TEXT, "at": at},
                {"id": "blast", "text": TEXT, "recipients": everyone[:300], "at": at},
                {"id": "stranger", "text": TEXT, "recipients": ["+4917099999999"], "at": at},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    outputs = []
    for jobs in ([], ["--jobs", "2"]):
        done = cli("check", str(campaign), "--audience", str(saved), "--target", TARGET, *jobs)
        assert done.returncode == 1, done.stderr
        outputs.append(done.stdout)
        rows = {row["id"]: row for row in map(json.loads, done.stdout.splitlines())}
        audience_rules = {
            ident: [f["rule"] for f in row["findings"] if f["rule"] in {"no_consent", "untargeted"}]
            for ident, row in rows.items()
        }
        assert audience_rules == {"aimed": [], "blast": ["untargeted"], "stranger": ["no_consent"]}
        assert rows["aimed"]["recipients_remaining"] == 400
    assert outputs[0] == outputs[1]
    bad = cli("check", str(campaign), "--audience", str(saved), "--target", "VIP OR")
    assert bad.returncode == 2 and b"column" in bad.stderr, bad.stderr
    alone = cli("check", str(campaign), "--target", TARGET)
    assert alone.returncode == 2 and b"--target needs --audience" in alone.stderr

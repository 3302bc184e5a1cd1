"""History, topic and the context rules through Python, over several days."""

import json
import pickle
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

import sendlint

from conftest import ROOT

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
AD = "Anzeige: Adventskalender jetzt vorbestellen, 10 % Frühbucherrabatt im Laden"


def rules(report: sendlint.Report) -> set:
    return {f.rule for f in report.findings}


def test_multi_day_campaign() -> None:
    engine = sendlint.Engine()
    history = sendlint.History()
    people = ["+4917012345678", "+4917098765432"]
    # Day 1: the ad goes out.
    first = engine.check(AD, account="bakery", recipients=people, at=T0, history=history)
    assert not rules(first) & {"near_duplicate", "fatigue"}
    history.record(AD, account="bakery", recipients=people, at=T0)
    # A second before 48 h the same ad is a near-duplicate; exactly 48 h later it is not.
    almost = T0 + timedelta(hours=48) - timedelta(seconds=1)
    report = engine.check(AD, account="bakery", recipients=people, at=almost, history=history)
    assert "near_duplicate" in rules(report)
    finding = next(f for f in report.findings if f.rule == "near_duplicate")
    assert finding.evidence["earlier_at"] == "2026-11-02T08:00:00Z"
    at48 = T0 + timedelta(hours=48)
    assert "near_duplicate" not in rules(
        engine.check(AD, account="bakery", recipients=people, at=at48, history=history)
    )
    at49 = T0 + timedelta(hours=49)
    # Day 3: second exposure passes fatigue, day 5: the third fires it.
    history.record(AD, account="bakery", recipients=people, at=at49)
    at5 = T0 + timedelta(days=5)
    report = engine.check(AD, account="bakery", recipients=people, at=at5, history=history)
    assert "fatigue" in rules(report)
    assert len(history) == 2


def test_mass_mention_repeat_and_reports() -> None:
    engine = sendlint.Engine()
    history = sendlint.History()
    history.record("@alle Morgen geschlossen", account="b", group="kiez", at=T0)
    later = (T0 + timedelta(hours=3)).isoformat()
    report = engine.check("@all Kuchen fertig", account="b", group="kiez", at=later, history=history)
    assert {"mass_mention", "mass_mention_repeat"} <= rules(report)
    for _ in range(6):
        history.report("Sie haben gewonnen! Jetzt Preis abholen", at=T0)
    report = engine.check("Sie haben gewonnen! Jetzt Preis abholen", at=later, history=history)
    assert "reported_content" in rules(report)


def test_topic_relevance() -> None:
    topic = sendlint.Topic.from_texts(
        ["宝宝辅食怎么做比较好？", "推荐一款婴儿推车", "宝宝晚上睡觉总是哭怎么办"]
    )
    assert topic.relevance("宝宝辅食和婴儿推车推荐") > 0.5
    assert 0.0 <= topic.relevance("股票投资秘籍免费领取") < 0.3
    assert topic.keywords(3)
    report = sendlint.Engine().check("股票投资秘籍免费领取", topic=topic)
    assert "off_topic" in rules(report)


def test_save_load_pickle_and_errors(tmp_path) -> None:
    history = sendlint.History()
    history.record(AD, account="bakery", recipients=["+4917012345678"], at=T0)
    path = tmp_path / "history.json"
    history.save(path)
    assert "4917012345678" not in path.read_text()
    loaded = sendlint.History.load(path)
    assert loaded.to_json() == history.to_json()
    assert pickle.loads(pickle.dumps(history)).to_json() == history.to_json()
    path.write_text('{"format": "sendlint-history", "version": 1')
    with pytest.raises(sendlint.HistoryError, match="corrupt"):
        sendlint.History.load(path)
    assert caught_path(sendlint.History.load, path) == path


def caught_path(call, *args) -> object:
    with pytest.raises(sendlint.HistoryError) as caught:
        call(*args)
    return caught.value.path


def test_history_io_errors_are_history_errors(tmp_path) -> None:
    # They used to be PolicyError("cannot read ...") even for writes.
    missing = tmp_path / "missing.json"
    with pytest.raises(sendlint.HistoryError, match="read") as caught:
        sendlint.History.load(missing)
    assert caught.value.path == missing and caught.value.operation == "read"
    unwritable = tmp_path / "no-such-dir" / "history.json"
    with pytest.raises(sendlint.HistoryError, match="write") as caught:
        sendlint.History().save(unwritable)
    assert caught.value.path == unwritable and caught.value.operation == "write"
    with pytest.raises(sendlint.HistoryError, match="write"):
        sendlint.History().save(tmp_path)  # a directory


def test_recipient_key_stays_with_the_caller(tmp_path) -> None:
    engine = sendlint.Engine()
    key = b"a secret the gateway keeps, 32 b"
    people = ["+49 170 1234567", "+491701234567", "0049 170 1234567"]
    history = sendlint.History(key=key)
    for day in range(2):
        history.record(AD, account="bakery", recipients=people, at=T0 + timedelta(days=day))
    path = tmp_path / "history.json"
    history.save(path)
    saved = path.read_text("utf-8")
    assert key.decode() not in saved and "1701234567" not in saved
    assert history.key_fingerprint and history.key_fingerprint in saved
    # The same key reads it back and still knows the person (one person, three spellings).
    again = sendlint.History.load(path, key=key)
    report = engine.check(
        AD, account="bakery", recipients=["+491701234567"], at=T0 + timedelta(days=3), history=again
    )
    assert "fatigue" in rules(report)
    with pytest.raises(sendlint.HistoryError, match="key"):
        sendlint.History.load(path, key=b"another key entirely, 32 bytes!")
    with pytest.raises(sendlint.HistoryError, match="key"):
        sendlint.History(saved, key="wrong")


def test_topic_input_is_limited() -> None:
    with pytest.raises(sendlint.InputError, match="MiB|bytes"):
        sendlint.Topic.from_texts(["Kinderarzt in Berlin gesucht " * 1000] * 200)


def test_cli_replays_with_history_and_topic(tmp_path) -> None:
    history = tmp_path / "history.json"
    topic = tmp_path / "topic.txt"
    topic.write_text("Wer kennt einen guten Kinderarzt?\nSuche Babykleidung Größe 68\n", "utf-8")
    campaign = ROOT / "examples" / "campaign.jsonl"
    run = [sys.executable, "-m", "sendlint", "check", str(campaign), "--history", str(history)]
    done = subprocess.run(run + ["--topic", str(topic)], capture_output=True, cwd=ROOT)
    assert done.returncode == 1, done.stderr
    fired = {f["rule"] for line in done.stdout.decode().splitlines() for f in json.loads(line)["findings"]}
    assert {"near_duplicate", "mass_mention_repeat", "off_topic"} <= fired
    saved = sendlint.History.load(history)
    lines = sum(1 for l in campaign.read_text("utf-8").splitlines() if l.strip())
    assert len(saved) == lines
    # A second replay starts from the saved history: every message now repeats.
    again = subprocess.run(run, capture_output=True, cwd=ROOT)
    fired = {f["rule"] for line in again.stdout.decode().splitlines() for f in json.loads(line)["findings"]}
    assert "near_duplicate" in fired
    history.write_text("not json")
    broken = subprocess.run(run, capture_output=True, cwd=ROOT)
    assert broken.returncode == 2 and b"history" in broken.stderr

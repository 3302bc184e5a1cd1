import json
import pickle
import sys
import threading
from datetime import datetime, timezone

import pytest

import sendlint


@pytest.fixture(scope="module")
def engine() -> sendlint.Engine:
    return sendlint.Engine()


def test_report_fields_and_python_spans(engine: sendlint.Engine) -> None:
    text = "🎁 Jetzt ｋｏｓｔｅｎｌｏｓ erhalten! @alle"
    report = engine.check(text)
    assert report.verdict in {"review", "block"}
    assert 0 < report.risk <= 100
    assert report.kind == "useful"
    rules = [f.rule for f in report.findings]
    assert rules == ["bait_word", "mass_mention"]
    bait = report.findings[0]
    start, end = bait.span
    assert text[start:end] == "ｋｏｓｔｅｎｌｏｓ erhalten" == bait.matched
    assert bait.byte_span[0] == len(text[:start].encode())
    assert bait.evidence["category"] == "free-gift"
    assert bait.severity == "high" and bait.points == 35 and bait.advice
    assert "bait_word" in repr(report)


def test_to_dict_matches_to_json(engine: sendlint.Engine) -> None:
    report = engine.check("Sie haben gewonnen! https://bit.ly/x", kind="ad")
    as_dict = report.to_dict()
    assert as_dict == json.loads(report.to_json())
    assert as_dict["kind"] == "ad" and as_dict["kind_source"] == "given"
    assert {f["rule"] for f in as_dict["findings"]} == {
        "bait_word",
        "missing_ad_label",
        "risky_link",
    }


def test_context_arguments(engine: sendlint.Engine) -> None:
    at = datetime(2026, 11, 2, 9, 15, tzinfo=timezone.utc)
    report = engine.check(
        "Anzeige: 20 % Rabatt auf Torten",
        account="bakery",
        group="kiez",
        recipients=["+4917012345678"],
        at=at,
        kind="offer",
    )
    assert report.verdict == "allow"
    engine.check("hallo", at="2026-11-02T09:15:00Z")


def test_input_errors(engine: sendlint.Engine) -> None:
    with pytest.raises(sendlint.InputError, match="timezone-aware"):
        engine.check("hi", at=datetime(2026, 1, 1))
    with pytest.raises(sendlint.InputError, match="RFC 3339"):
        engine.check("hi", at="yesterday")
    with pytest.raises(sendlint.InputError, match="kind"):
        engine.check("hi", kind="spam")
    with pytest.raises(sendlint.InputError, match="limits.max_text_bytes"):
        engine.check("x" * 70_000)
    assert issubclass(sendlint.InputError, sendlint.SendlintError)
    assert issubclass(sendlint.SendlintError, ValueError)


def test_policy_errors_carry_location(tmp_path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("schema_version = 1\n\n[rules.mass_mention]\nmax_mention = 5\n")
    with pytest.raises(sendlint.PolicyError) as caught:
        sendlint.Engine(policy=str(path))
    assert caught.value.line == 4 and caught.value.column == 1
    assert str(path) in str(caught.value)
    with pytest.raises(sendlint.PolicyError, match="verdict.review"):
        sendlint.Policy.from_toml("schema_version = 1\n[verdict]\nreview = 90\nblock = 80\n")
    assert caught.value.path == path and caught.value.key is None


def test_policy_errors_are_typed_everywhere() -> None:
    # Raised from Python code, the structured attributes still exist (as None).
    err = sendlint.PolicyError("made up")
    assert (err.path, err.line, err.column, err.key) == (None, None, None, None)
    assert sendlint.HistoryError("made up").path is None
    with pytest.raises(sendlint.PolicyError) as caught:
        sendlint.Policy.from_toml("schema_version = 1\n[verdict]\nreview = 90\nblock = 80\n")
    assert caught.value.path is None and caught.value.line is None
    assert caught.value.key == "verdict.review"


def test_policy_io_errors_are_policy_errors_with_the_path(tmp_path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(sendlint.PolicyError, match="cannot read") as caught:
        sendlint.Engine(policy=missing)
    assert caught.value.path == missing
    with pytest.raises(sendlint.PolicyError, match="directory") as caught:
        sendlint.Policy.from_path(tmp_path)
    assert caught.value.path == tmp_path


def test_exceptions_pickle_with_their_attributes(tmp_path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("schema_version = 1\n[rules.mass_mention]\nmax_mention = 5\n")
    with pytest.raises(sendlint.PolicyError) as caught:
        sendlint.Policy.from_path(path)
    clone = pickle.loads(pickle.dumps(caught.value))
    assert type(clone) is sendlint.PolicyError
    assert (clone.path, clone.line, str(clone)) == (path, 3, str(caught.value))


def test_non_finite_policy_numbers_are_rejected() -> None:
    # `inf` silently disabled `fatigue` and made the policy impossible to unpickle.
    for value in ("inf", "nan", "-inf"):
        with pytest.raises(sendlint.PolicyError, match="mean_exposures"):
            sendlint.Policy.from_toml(
                f"schema_version = 1\n[rules.fatigue]\nmean_exposures = {value}\n"
            )


def test_policy_file_changes_behaviour(tmp_path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('schema_version = 1\n[rules.bait_word]\nenabled = false\n')
    engine = sendlint.Engine(policy=path)
    assert not engine.check("You have won a free gift").findings


def test_engine_and_policy_pickle() -> None:
    policy = sendlint.Policy.strict()
    engine = sendlint.Engine(policy)
    clone = pickle.loads(pickle.dumps(engine))
    assert clone.policy == policy
    report = clone.check("20 % Rabatt, jetzt bestellen! Anzeige")
    assert [f.rule for f in report.findings] == ["missing_opt_out"]
    assert pickle.loads(pickle.dumps(policy)) == policy


def test_check_many_and_threads(engine: sendlint.Engine) -> None:
    texts = ["free gift inside", "hello there", "@everyone meeting"] * 50
    reports = engine.check_many(texts)
    assert [r.text for r in reports] == texts
    single = [engine.check(t).to_json() for t in texts[:3]]
    assert [r.to_json() for r in reports[:3]] == single
    results: list = []

    def work() -> None:
        results.extend(r.verdict for r in engine.check_many(texts))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 * len(texts)


def test_surrogates_are_an_error_not_a_crash(engine: sendlint.Engine) -> None:
    with pytest.raises(UnicodeEncodeError):
        engine.check("bad \ud800 text")


def test_topic_from_texts_releases_the_gil() -> None:
    # A large corpus takes seconds to build; other Python threads must run
    # meanwhile. With a huge switch interval the builder never gives up the GIL
    # on its own, so the main thread only advances the counter while the build
    # runs if the build released the GIL itself.
    # About 3.6 MB: under the 4 MiB limit of Topic.from_texts.
    texts = [f"Wer kennt einen guten Kinderarzt in Bezirk {i}? Suche auch Babykleidung" for i in range(50_000)]
    ticks = [0]
    seen: list = []
    done = threading.Event()

    def build() -> None:
        try:
            before = ticks[0]
            sendlint.Topic.from_texts(texts)
            seen.append(ticks[0] - before)
        finally:
            done.set()  # also when building fails, or the loop below never ends

    interval = sys.getswitchinterval()
    sys.setswitchinterval(60.0)
    try:
        builder = threading.Thread(target=build)
        builder.start()
        while not done.is_set():
            ticks[0] += 1
            done.wait(0)  # gives the GIL to the builder between ticks
        builder.join()
    finally:
        sys.setswitchinterval(interval)
    assert seen and seen[0] > 0

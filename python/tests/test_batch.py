"""Batch checks: `Engine.check_many`, `Engine.check_frame`, `to_frame`,
notebook display and pickling, on the SMS Spam Collection and the example campaign."""

import json
import multiprocessing
import pickle
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import sendlint
from conftest import ROOT

CAMPAIGN = ROOT / "examples" / "campaign.jsonl"


def sms_texts() -> list[str]:
    lines = (ROOT / "data" / "sms_spam_collection.tsv").read_text("utf-8").splitlines()[1:]
    return [line.split("\t", 1)[1] for line in lines]


def campaign() -> list[dict[str, Any]]:
    return [json.loads(l) for l in CAMPAIGN.read_text("utf-8").splitlines() if l.strip()]


@pytest.fixture(scope="module")
def engine() -> sendlint.Engine:
    return sendlint.Engine()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return sms_texts()


def as_json(reports: list[Any]) -> list[Any]:
    return [None if r is None else r.to_json() for r in reports]


def test_check_many_equals_check_in_order(engine: sendlint.Engine, texts: list[str]) -> None:
    one_by_one = [engine.check(t).to_json() for t in texts]
    assert as_json(engine.check_many(texts)) == one_by_one
    assert as_json(engine.check_many(texts, threads=1)) == one_by_one
    assert as_json(engine.check_many(tuple(texts), threads=3)) == one_by_one
    reports = engine.check_many(texts[:50])
    assert [r.text for r in reports] == texts[:50]
    assert any(r.findings for r in engine.check_many(texts))


def test_per_message_keywords_one_value_or_one_per_text(engine: sendlint.Engine) -> None:
    rows = campaign()
    texts = [r["text"] for r in rows]
    accounts = [r.get("account") for r in rows]
    groups = [r.get("group") for r in rows]
    at = [r.get("at") for r in rows]
    kinds = [r.get("kind") for r in rows]
    expected = [
        engine.check(t, account=a, group=g, at=w, kind=k).to_json()
        for t, a, g, w, k in zip(texts, accounts, groups, at, kinds)
    ]
    got = engine.check_many(texts, accounts=accounts, groups=groups, at=at, kinds=kinds)
    assert as_json(got) == expected
    assert any(r.kind_source == "given" for r in got)
    # One value for all.
    got = engine.check_many(texts[:5], accounts="shop", kinds="ad", at=datetime.now(timezone.utc))
    assert all(r.kind == "ad" and r.kind_source == "given" for r in got)
    # Recipients: one list for all, or one list (or None) per text.
    people = ["+4917012345678", "+4917012345679"]
    one = engine.check_many(["Hallo", "Hi"], recipients=people)
    each = engine.check_many(["Hallo", "Hi"], recipients=[people, None])
    assert as_json(one)[0] == engine.check("Hallo", recipients=people).to_json()
    assert as_json(each)[1] == engine.check("Hi").to_json()


def test_length_mismatch_and_bad_arguments(engine: sendlint.Engine) -> None:
    with pytest.raises(sendlint.InputError, match="accounts has 2 items but there are 3 texts"):
        engine.check_many(["a", "b", "c"], accounts=["x", "y"])
    with pytest.raises(sendlint.InputError, match="not one str"):
        engine.check_many("one text")  # type: ignore[arg-type]
    with pytest.raises(sendlint.InputError, match="errors must be"):
        engine.check_many(["a"], errors="ignore")  # type: ignore[call-overload]
    with pytest.raises(sendlint.InputError, match="threads must be at least 1"):
        engine.check_many(["a"], threads=0)
    with pytest.raises(sendlint.InputError, match="kind"):
        engine.check_many(["a"], kinds="spam")


def test_bad_items_name_their_index_and_lose_nothing(engine: sendlint.Engine) -> None:
    texts: list[Any] = ["Gratis Geschenk!", 42, "x" * 70_000, None, "Hallo", "Moin"]
    kinds = ["ad", "ad", "ad", "ad", "spam", None]
    with pytest.raises(sendlint.InputError) as caught:
        engine.check_many(texts, kinds=kinds)
    err = caught.value
    assert str(err).startswith("texts[1]: is int, not a str")
    assert "and 3 more bad rows" in str(err)
    assert err.index == 1
    assert err.reports is not None
    assert [r is None for r in err.reports] == [False, True, True, True, True, False]
    assert err.reports[0].to_json() == engine.check("Gratis Geschenk!", kind="ad").to_json()
    skipped = engine.check_many(texts, kinds=kinds, errors="skip")
    assert as_json(skipped) == as_json(err.reports)
    with pytest.raises(sendlint.InputError, match=r"texts\[2\]: .*text is 70000 bytes"):
        engine.check_many(["ok", "ok", "x" * 70_000])
    with pytest.raises(sendlint.InputError, match=r"kinds\[0\]: .*spam"):
        engine.check_many(["Hallo"], kinds=["spam"])
    with pytest.raises(sendlint.InputError, match=r"at\[1\]: .*timezone-aware"):
        engine.check_many(["a", "b"], at=["2026-11-02T09:00:00Z", datetime(2026, 1, 1)])


def test_empty_input(engine: sendlint.Engine) -> None:
    assert engine.check_many([]) == []
    assert engine.check_many((), accounts=[], history=sendlint.History()) == []


def test_history_replays_in_order_as_the_cli_does(engine: sendlint.Engine, tmp_path) -> None:
    rows = campaign()
    done = subprocess.run(
        [sys.executable, "-m", "sendlint", "check", str(CAMPAIGN)],
        capture_output=True,
        cwd=ROOT,
    )
    cli = [json.loads(l) for l in done.stdout.decode().splitlines()]
    history = sendlint.History()
    reports = engine.check_many(
        [r["text"] for r in rows],
        accounts=[r.get("account") for r in rows],
        groups=[r.get("group") for r in rows],
        at=[r.get("at") for r in rows],
        kinds=[r.get("kind") for r in rows],
        recipients=[r.get("recipients") for r in rows],
        history=history,
    )
    assert len(history) == len(rows)
    for line, report in zip(cli, reports):
        del line["line"], line["id"]
        assert line == report.to_dict()
    # Context rules fired: the replay is not a batch of independent checks.
    independent = engine.check_many(
        [r["text"] for r in rows],
        accounts=[r.get("account") for r in rows],
        groups=[r.get("group") for r in rows],
        at=[r.get("at") for r in rows],
    )
    assert as_json(reports) != as_json(independent)


def test_parallel_replay_equals_the_replay_in_order(engine: sendlint.Engine) -> None:
    # Many accounts and groups, with @all repeats across accounts in one group
    # (mass_mention_repeat reads the group's sends of every account).
    rows = campaign() * 6
    texts = [r["text"] for r in rows]
    accounts = [f'{r.get("account")}-{i % 5}' for i, r in enumerate(rows)]
    # Five shards that share nothing, so the parallel replay has work to spread.
    groups = [f'{r.get("group")}-{i % 5}' for i, r in enumerate(rows)]
    start = datetime(2026, 11, 2, 6, 0, tzinfo=timezone.utc)
    at = [start + timedelta(minutes=7 * i) for i in range(len(rows))]
    serial, parallel = sendlint.History(), sendlint.History()
    one = engine.check_many(texts, accounts=accounts, groups=groups, at=at, history=serial, threads=1)
    many = engine.check_many(texts, accounts=accounts, groups=groups, at=at, history=parallel, threads=4)
    assert as_json(one) == as_json(many)
    assert {"mass_mention_repeat", "near_duplicate"} <= {rule for r in one for rule in r.rules}
    assert len(serial) == len(parallel) == len(rows)


def test_topic_is_used(engine: sendlint.Engine) -> None:
    topic = sendlint.Topic.from_keywords(["Kinderwagen", "Babykleidung", "Zwillinge"])
    texts = ["Verkaufe Kinderwagen für Zwillinge", "Neuer Lippenstift im Angebot, jetzt bestellen"]
    expected = [engine.check(t, topic=topic).to_json() for t in texts]
    assert as_json(engine.check_many(texts, topic=topic)) == expected


def test_python_threads_share_one_engine(engine: sendlint.Engine, texts: list[str]) -> None:
    expected = as_json(engine.check_many(texts[:800]))
    results: dict[int, list[Any]] = {}

    def work(n: int) -> None:
        results[n] = as_json(engine.check_many(texts[:800], threads=2))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and all(r == expected for r in results.values())


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        import os

        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_memory_does_not_grow_across_calls(engine: sendlint.Engine, texts: list[str]) -> None:
    texts = texts * 4
    for _ in range(3):  # warm up allocators, caches and the thread pool
        engine.check_many(texts)
    before = rss_bytes()
    for _ in range(10):
        reports = engine.check_many(texts)
        del reports
        engine.check_many(texts + [7], errors="skip", threads=1)
    # 20 calls of 22,296 reports each: keeping the reports, their texts or
    # the rows' problems would add hundreds of MB; allocator noise is far less.
    assert rss_bytes() - before < 40 << 20


def test_one_million_rows(engine: sendlint.Engine) -> None:
    texts = [f"Hallo {i % 97}" for i in range(1_000_000)]
    texts[654_321] = "Gratis Geschenk für dich!"
    reports = engine.check_many(texts)
    assert len(reports) == 1_000_000
    assert reports[654_321].rules == ["bait_word"]
    assert reports[999_999].text == texts[999_999] and reports[999_999].verdict == "allow"


def test_arrow_inputs(engine: sendlint.Engine) -> None:
    pa = pytest.importorskip("pyarrow")
    texts = sms_texts()[:300]
    expected = as_json(engine.check_many(texts))
    for array in (
        pa.array(texts),
        pa.array(texts, type=pa.large_string()),
        pa.array(texts, type=pa.string_view()),
        pa.chunked_array([texts[:100], texts[100:]]),
        pa.array(texts).dictionary_encode(),
    ):
        assert as_json(engine.check_many(array)) == expected, array.type
    # Nulls are bad rows; numbers are not texts.
    with pytest.raises(sendlint.InputError, match=r"texts\[1\]: is null"):
        engine.check_many(pa.array(["a", None, "b"]))
    assert engine.check_many(pa.array(["a", None]), errors="skip")[1] is None
    with pytest.raises(sendlint.InputError, match="Arrow array of Int64"):
        engine.check_many(pa.array([1, 2]))
    # Keyword columns as Arrow arrays, timestamps with a zone included.
    at = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
    times = pa.array([at, at + timedelta(hours=1)], type=pa.timestamp("us", tz="UTC"))
    got = engine.check_many(
        pa.array(["Anzeige: 20 % Rabatt", "Hallo"]),
        accounts=pa.array(["a", "b"]),
        at=times,
        kinds=pa.array(["offer", None]),
    )
    assert got[0].to_json() == engine.check("Anzeige: 20 % Rabatt", account="a", at=at, kind="offer").to_json()
    with pytest.raises(sendlint.InputError, match="naive timestamps"):
        engine.check_many(["a"], at=pa.array([datetime(2026, 1, 1)], type=pa.timestamp("s")))


def test_pandas_round_trip(engine: sendlint.Engine) -> None:
    pd = pytest.importorskip("pandas")
    rows = campaign()
    df = pd.DataFrame(rows)[["text", "account", "group", "at", "kind"]]
    df.index = pd.Index([f"m{i}" for i in range(len(df))][::-1])
    expected = engine.check_many(
        list(df["text"]), accounts=list(df["account"]), groups=list(df["group"]),
        at=list(df["at"]), kinds=[k if isinstance(k, str) else None for k in df["kind"]],
    )
    df["kind"] = df["kind"].where(df["kind"].notna(), None)
    out = engine.check_frame(df, account="account", group="group", at="at", kind="kind")
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["risk", "verdict", "kind", "rules", "n_findings"]
    assert out.index.equals(df.index)
    assert list(out["risk"]) == [r.risk for r in expected]
    assert list(out["verdict"]) == [r.verdict for r in expected]
    assert [list(r) for r in out["rules"]] == [r.rules for r in expected]
    assert list(out["n_findings"]) == [len(r.findings) for r in expected]
    # A Series of any dtype as check_many input.
    series = pd.Series(sms_texts()[:200], dtype="string[pyarrow]")
    assert as_json(engine.check_many(series)) == as_json(engine.check_many(list(series)))
    assert as_json(engine.check_many(series.astype(object))) == as_json(engine.check_many(list(series)))
    # Skipped rows are missing values, aligned.
    bad = pd.DataFrame({"text": ["Gratis!", 7, "Hallo"]}, index=[10, 20, 30])
    with pytest.raises(sendlint.InputError, match=r"texts\[1\]"):
        engine.check_frame(bad)
    skipped = engine.check_frame(bad, errors="skip")
    assert skipped["risk"].isna().tolist() == [False, True, False]
    assert list(skipped.index) == [10, 20, 30]
    with pytest.raises(sendlint.InputError, match='no column "body"'):
        engine.check_frame(bad, text="body")


def test_polars_round_trip(engine: sendlint.Engine) -> None:
    pl = pytest.importorskip("polars")
    texts = sms_texts()[:500]
    df = pl.DataFrame({"text": texts, "account": ["a", "b"] * 250})
    expected = engine.check_many(texts, accounts=["a", "b"] * 250)
    out = engine.check_frame(df, account="account")
    assert isinstance(out, pl.DataFrame) and out.height == 500
    assert out.columns == ["risk", "verdict", "kind", "rules", "n_findings"]
    assert out["risk"].to_list() == [r.risk for r in expected]
    assert out["rules"].to_list() == [r.rules for r in expected]
    assert as_json(engine.check_many(df["text"])) == as_json(engine.check_many(texts))
    assert as_json(engine.check_many(df["text"].cast(pl.Categorical))) == as_json(
        engine.check_many(texts)
    )
    big = pl.DataFrame({"text": ["Hallo"] * 999_999 + ["Gratis Geschenk für dich!"]})
    out = engine.check_frame(big)
    assert out.height == 1_000_000 and out["rules"][-1].to_list() == ["bait_word"]


def test_to_frame(engine: sendlint.Engine) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    reports = engine.check_many(["Gratis Geschenk!", 3, "Hallo"], errors="skip")  # type: ignore[call-overload]
    frame = sendlint.to_frame(reports)
    assert list(frame.columns) == ["text", "risk", "verdict", "kind", "kind_source", "rules", "n_findings"]
    assert frame["rules"][0] == ["bait_word"] and pd.isna(frame["risk"][1])
    assert sendlint.to_frame(reports, library="polars")["verdict"].to_list()[2] == "allow"
    assert isinstance(sendlint.to_frame([], library="polars"), pl.DataFrame)


def test_repr_html_marks_spans_and_escapes(engine: sendlint.Engine) -> None:
    text = "<script>alert(1)</script> Gratis Geschenk & mehr: https://bit.ly/x"
    report = engine.check(text)
    html = report._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; mehr" in html
    for finding in report.findings:
        assert finding.span is not None
        start, end = finding.span
        assert f">{text[start:end]}</mark>".replace("&", "&amp;") in html
    assert html.count("<tr>") == len(report.findings) + 1
    assert repr(report) == (
        f"Report(risk={report.risk}, verdict={report.verdict!r}, kind='useful', "
        "rules=['bait_word', 'risky_link'])"
    )
    bait = report.findings[0]
    assert repr(bait) == f"Finding(rule='bait_word', span={bait.span!r}, matched={bait.matched!r})"


def test_report_cues_and_kind_source(engine: sendlint.Engine) -> None:
    text = "20 % Rabatt auf alles – jetzt bestellen!"
    report = engine.check(text)
    assert report.kind == "ad" and report.kind_source == "classified"
    assert {c["cue"] for c in report.cues} >= {"discount", "call_to_action"}
    start, end = report.cues[0]["span"]
    assert text[start:end] == report.cues[0]["matched"]


def test_everything_pickles(engine: sendlint.Engine) -> None:
    report = engine.check("Gratis Geschenk! @alle https://bit.ly/x", kind="ad")
    clone = pickle.loads(pickle.dumps(report))
    assert clone.to_json() == report.to_json() and clone.text == report.text
    finding = pickle.loads(pickle.dumps(report.findings[0]))
    assert (finding.rule, finding.span, finding.evidence) == (
        report.findings[0].rule, report.findings[0].span, report.findings[0].evidence,
    )
    topic = sendlint.Topic.from_texts(["Wer hat Erfahrung mit Kinderwagen für Zwillinge?", "Suche Babykleidung"])
    topic_clone = pickle.loads(pickle.dumps(topic))
    for probe in ("Verkaufe Kinderwagen", "Neuer Lippenstift"):
        assert topic_clone.relevance(probe) == topic.relevance(probe)
    assert set(topic_clone.keywords(20)) == set(topic.keywords(20))
    engine_clone = pickle.loads(pickle.dumps(engine))
    assert engine_clone.check(report.text, kind="ad").to_json() == report.to_json()


def test_history_pickle_holds_no_key(engine: sendlint.Engine, monkeypatch) -> None:
    key = "a deployment's secret recipient key 0123456789"
    history = sendlint.History(key=key)
    engine.check_many(["Hallo", "Hallo"], recipients=["+4917012345678"], history=history)
    data = pickle.dumps(history)
    assert key.encode() not in data and b"4917012345678" not in data
    # An unpickled history takes its key from SENDLINT_HISTORY_KEY, as every
    # worker of a deployment has it; another key is refused, not mixed.
    monkeypatch.setenv("SENDLINT_HISTORY_KEY", key)
    clone = pickle.loads(data)
    assert clone.to_json() == history.to_json() and clone.key_fingerprint == history.key_fingerprint
    monkeypatch.setenv("SENDLINT_HISTORY_KEY", "some other key, 0123456789abcdef")
    with pytest.raises(sendlint.HistoryError, match="another recipient key"):
        pickle.loads(data)


def score_in_worker(args: tuple[sendlint.Engine, list[str]]) -> list[sendlint.Report]:
    engine, texts = args
    return engine.check_many(texts, threads=1)


def test_multiprocessing_workers_receive_engine_and_return_reports(engine: sendlint.Engine, texts: list[str]) -> None:
    context = multiprocessing.get_context("spawn")
    chunks = [texts[i : i + 500] for i in range(0, 2000, 500)]
    with context.Pool(2) as pool:
        results = pool.map(score_in_worker, [(engine, chunk) for chunk in chunks])
    assert [r.to_json() for chunk in results for r in chunk] == as_json(engine.check_many(texts[:2000]))


@pytest.mark.skipif(not hasattr(multiprocessing, "get_all_start_methods") or "fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_forked_workers_after_a_parallel_batch(engine: sendlint.Engine, texts: list[str]) -> None:
    # The parent's thread pool does not survive fork: the child must make its own.
    expected = as_json(engine.check_many(texts[:1000], threads=2))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map(score_in_worker_threads, [(engine, texts[:1000])] * 2)
    assert all([r.to_json() for r in result] == expected for result in results)


def score_in_worker_threads(args: tuple[sendlint.Engine, list[str]]) -> list[sendlint.Report]:
    engine, texts = args
    return engine.check_many(texts, threads=2)


def test_no_threads_start_at_import() -> None:
    code = "import threading, sendlint; sendlint.Engine(); print(threading.active_count())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "1"
    # Nor native ones: the process has one OS thread after import.
    code = (
        "import os, sendlint; sendlint.Engine().check('x');"
        "print(len(os.listdir('/proc/self/task')))"
    )
    if sys.platform.startswith("linux"):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "1"

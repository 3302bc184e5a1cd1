"""The `sendlint` command, run as a user would."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import sendlint
from conftest import ROOT

CAMPAIGN = ROOT / "examples" / "campaign.jsonl"


def run(
    *args: str, stdin: bytes = b"", env: "dict[str, str] | None" = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlint", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
    )


def test_campaign_json_lines() -> None:
    done = run("check", str(CAMPAIGN))
    assert done.returncode == 1, done.stderr
    lines = [json.loads(l) for l in done.stdout.decode().splitlines()]
    assert len(lines) == sum(1 for l in CAMPAIGN.read_text("utf-8").splitlines() if l.strip())
    by_id = {l["id"]: l for l in lines}
    assert by_id["c01"]["verdict"] == "allow"
    assert "mass_mention" in {f["rule"] for f in by_id["c08"]["findings"]}
    assert {"bait_word", "invalid_link"} <= {f["rule"] for f in by_id["c29"]["findings"]}
    assert by_id["c01"]["line"] == 1


def test_campaign_text_format_and_policy() -> None:
    done = run("check", str(CAMPAIGN), "--format", "text", "--policy", "examples/policy.toml")
    out = done.stdout.decode()
    assert "[[@alle]]" in out and "fix:" in out
    assert "messages checked" in out
    coloured = run("check", str(CAMPAIGN), "--format", "text", "--color", "always")
    assert "\x1b[" in coloured.stdout.decode()


def test_fail_on_and_exit_codes() -> None:
    clean = b'{"text": "Guten Morgen! Heute frische Brezeln."}\n'
    assert run("check", "-", stdin=clean).returncode == 0
    review = b'{"text": "20 % Rabatt auf alles"}\n'
    assert run("check", "-", stdin=review).returncode == 1
    assert run("check", "-", "--fail-on", "block", stdin=review).returncode == 0
    assert run("check", "-", "--plain", stdin=b"@all hello\n\n").returncode == 1


@pytest.mark.parametrize(
    "line, message",
    [
        (b"{not json}", "invalid JSON"),
        (b'{"txt": "x"}', "unknown field"),
        (b'{"recipients": ["a"]}', "'text' is missing"),
        (b'{"text": "x", "kind": "spam"}', "kind"),
        (b'{"text": "x", "at": "soon"}', "RFC 3339"),
        (b'{"text": "x", "recipients": "+491"}', "list of strings"),
        (b'["x"]', "JSON object"),
        (b'{"text": "caf\xe9"}', "not UTF-8"),
        # JSON escapes can spell lone surrogates, which cannot reach the engine.
        (b'{"text": "bad \\ud800 text"}', "'text' has a lone surrogate \\ud800 at character 5"),
        (b'{"text": "x", "id": "\\udfff"}', "'id' has a lone surrogate"),
        (b'{"text": "x", "account": "a\\ud83d"}', "'account' has a lone surrogate"),
        (b'{"text": "x", "recipients": ["\\udc00"]}', "'recipients' has a lone surrogate"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"text": ' + b"7" * 5_000 + b"}", "'text' is missing or not a string"),
        (b'{"text": "x", "id": ' + b"7" * 5_000 + b"}", "'id' must be a string"),
        (b'{"text": NaN}', "NaN is not a JSON value"),
    ],
)
def test_bad_lines_name_the_line_and_keep_going(line: bytes, message: str) -> None:
    stdin = b'{"text": "hello"}\n' + line + b'\n{"text": "hi again"}\n'
    done = run("check", "-", stdin=stdin)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [f"sendlint: -:2: " + done.stderr.decode()[14:].strip()]
    assert message in done.stderr.decode()
    assert len(done.stdout.decode().splitlines()) == 2


def test_bad_policy_and_missing_file() -> None:
    done = run("check", str(CAMPAIGN), "--policy", "nope.toml")
    assert done.returncode == 2 and "nope.toml" in done.stderr.decode()
    done = run("check", "missing.jsonl")
    assert done.returncode == 2 and "missing.jsonl" in done.stderr.decode()


def one_line(stderr: bytes) -> str:
    """The single `sendlint: ...` line of an I/O failure (no traceback)."""
    lines = stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sendlint: "), stderr.decode()
    return lines[0]


@pytest.fixture
def big(tmp_path: Path) -> Path:
    """A campaign long enough that the run is still going when a test interferes."""
    path = tmp_path / "big.jsonl"
    line = '{"text": "Jetzt 20 %% Rabatt auf alles, Angebot %d", "account": "shop%d"}\n'
    path.write_text("".join(line % (i, i % 50) for i in range(LINES)), "utf-8")
    return path


LINES = 20_000


def start(campaign: Path, history: Path) -> "subprocess.Popen[bytes]":
    """`sendlint check CAMPAIGN --history HISTORY` with its output on real pipes."""
    return subprocess.Popen(
        [sys.executable, "-m", "sendlint", "check", str(campaign), "--history", str(history)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


def loaded(path: Path) -> int:
    """Number of sends in a saved history (it must load)."""
    return len(sendlint.History.load(path))


def test_non_utf8_topic_is_one_clear_line(tmp_path: Path) -> None:
    topic = tmp_path / "topic.txt"
    topic.write_bytes(b"Kinderarzt gesucht\nBabykleidung \xff\xfe 68\n")
    done = run("check", str(CAMPAIGN), "--topic", str(topic))
    assert done.returncode == 2
    assert one_line(done.stderr) == f"sendlint: {topic}:2: not UTF-8 (byte 14 of the line)"
    assert done.stdout == b""
    done = run("check", str(CAMPAIGN), "--topic", str(tmp_path / "missing.txt"))
    assert done.returncode == 2
    assert one_line(done.stderr) == f"sendlint: cannot read {tmp_path / 'missing.txt'}: no such file or directory"


def test_closed_stdout_saves_the_history(big: Path, tmp_path: Path) -> None:
    # `sendlint check big.jsonl --history h.json | head -1`, with a real pipe.
    history = tmp_path / "history.json"
    with start(big, history) as child:
        assert child.stdout is not None and child.stderr is not None
        first = json.loads(child.stdout.readline())
        child.stdout.close()
        stderr = child.stderr.read()
        assert child.wait(timeout=300) == 2
    assert first["line"] == 1
    line = one_line(stderr)
    assert line.startswith("sendlint: cannot write output: the reader closed the pipe (stopped at line ")
    stopped = int(line.rsplit(" ", 1)[1].rstrip(")"))
    assert 1 <= loaded(history) == stopped < LINES


def test_full_disk_is_one_clear_line_and_saves_the_history(big: Path, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "sendlint", "check", str(big), "--history", str(history)],
            stdout=full,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
    assert done.returncode == 2
    assert "cannot write output: no space left on device" in one_line(done.stderr)
    assert loaded(history) >= 1


def test_closed_stdin_is_one_clear_line() -> None:
    done = subprocess.run(
        ["bash", "-c", f"exec '{sys.executable}' -m sendlint check - <&-"],
        capture_output=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert one_line(done.stderr) == "sendlint: cannot read standard input: it is closed"


def test_closed_stdout_before_start_is_one_clear_line() -> None:
    done = subprocess.run(
        ["bash", "-c", f"exec '{sys.executable}' -m sendlint check '{CAMPAIGN}' >&-"],
        capture_output=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert one_line(done.stderr) == "sendlint: cannot write output: standard output is closed"


def test_unreadable_input_is_one_clear_line(tmp_path: Path) -> None:
    done = run("check", str(tmp_path))  # a directory
    assert done.returncode == 2
    assert one_line(done.stderr).startswith(f"sendlint: cannot read {tmp_path}: is a directory")


def test_history_that_cannot_be_saved_is_one_clear_line(tmp_path: Path) -> None:
    history = tmp_path / "no-such-dir" / "history.json"
    done = run("check", str(CAMPAIGN), "--history", str(history))
    assert done.returncode == 2
    assert str(history) in one_line(done.stderr)
    assert len(done.stdout.splitlines()) > 1  # every message was still checked


@pytest.mark.parametrize(
    "sent, status, word",
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_ctrl_c_and_sigterm_stop_promptly_and_save_the_history(
    big: Path, tmp_path: Path, sent: int, status: int, word: str
) -> None:
    history = tmp_path / "history.json"
    with start(big, history) as child:
        assert child.stdout is not None
        first = child.stdout.readline()  # the run is under way
        child.send_signal(sent)
        rest, stderr = child.communicate(timeout=300)
    assert child.returncode == status
    assert json.loads(first)["line"] == 1
    line = one_line(stderr)
    assert line.startswith(f"sendlint: {word} at line ")
    stopped = int(line.rsplit(" ", 1)[1])
    # Stopped early, and the history holds what was checked before the signal.
    assert stopped < LINES
    assert stopped - 1 <= loaded(history) <= stopped
    assert len((first + rest).splitlines()) <= stopped


def test_history_without_a_key_warns_that_recipients_will_not_match(tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    keyless = {k: v for k, v in os.environ.items() if k != "SENDLINT_HISTORY_KEY"}
    done = run("check", str(CAMPAIGN), "--history", str(history), env=keyless)
    assert done.returncode == 1, done.stderr
    assert "SENDLINT_HISTORY_KEY is not set" in done.stderr.decode()
    keyed = run("check", str(CAMPAIGN), "--history", str(tmp_path / "keyed.json"))
    assert "SENDLINT_HISTORY_KEY" not in keyed.stderr.decode()


def test_topic_over_the_limit_is_one_line_naming_the_file(tmp_path: Path) -> None:
    topic = tmp_path / "topic.txt"
    topic.write_text("Kinderarzt in Berlin gesucht, wer kennt einen guten?\n" * 90_000, "utf-8")
    done = run("check", str(CAMPAIGN), "--topic", str(topic))
    assert done.returncode == 2
    assert str(topic) in one_line(done.stderr)

"""The command line's --jobs, progress bar and terminal safety."""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

CAMPAIGN = ROOT / "examples" / "campaign.jsonl"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlint", *args], input=stdin, capture_output=True, cwd=ROOT
    )


def sends(history_json: str) -> dict[str, list[str]]:
    """Each account's sends with group names resolved: the same for any order
    in which accounts and groups were first seen."""
    saved = json.loads(history_json)
    groups = saved["groups"]
    return {
        log["name"]: [
            json.dumps({**send, "group": None if send["group"] is None else groups[send["group"]]})
            for send in log["sends"]
        ]
        for log in saved["accounts"]
    }


def test_jobs_gives_the_same_output_and_history(tmp_path: Path) -> None:
    # The campaign, with bad lines mixed in, repeated so it spans several batches.
    lines = CAMPAIGN.read_text("utf-8").splitlines()
    bad = ['{"text": 5}', "not json", '{"text": "Hallo", "kind": "spam"}', ""]
    body = "\n".join((lines + bad) * 40) + "\n"
    campaign = tmp_path / "campaign.jsonl"
    campaign.write_text(body, "utf-8")
    results = {}
    for jobs in (None, "1", "2", "0"):
        history = tmp_path / f"history-{jobs}.json"
        extra = ["--jobs", jobs] if jobs else []
        done = run("check", str(campaign), "--history", str(history), *extra)
        results[jobs] = (done.returncode, done.stdout, done.stderr, sends(history.read_text()))
    status, stdout, stderr, accounts = results[None]
    assert status == 2 and stdout.count(b"\n") == len(lines) * 40
    assert stderr.count(b"\n") == 3 * 40
    for jobs in ("1", "2", "0"):
        assert results[jobs][:3] == (status, stdout, stderr), jobs
        assert results[jobs][3] == accounts


def test_jobs_rejects_a_bad_count() -> None:
    done = run("check", str(CAMPAIGN), "--jobs", "-1")
    assert done.returncode == 2 and b"--jobs" in done.stderr


def read_all(fd: int) -> bytes:
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return out
        if not chunk:
            return out
        out += chunk


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a pseudo-terminal")
def test_progress_bar_only_on_a_terminal_and_only_for_long_inputs(tmp_path: Path) -> None:
    long = tmp_path / "long.txt"
    long.write_text("".join(f"Hallo Nachbarn, Treffen um {i % 24} Uhr\n" for i in range(20_000)))
    short = tmp_path / "short.txt"
    short.write_text("Hallo\n" * 500)
    for path, expect_bar in ((long, True), (short, False)):
        master, slave = pty.openpty()
        child = subprocess.Popen(
            [sys.executable, "-m", "sendlint", "check", "--plain", "--fail-on", "never", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=slave,
            cwd=ROOT,
        )
        os.close(slave)
        stderr = read_all(master)
        os.close(master)
        assert child.wait(timeout=300) == 0
        assert (b"lines" in stderr and b"%" in stderr) == expect_bar, stderr[-200:]
        if expect_bar:
            assert stderr.endswith(b"\r\x1b[K")  # erased at the end
    # Not a terminal: nothing on stderr.
    done = run("check", "--plain", "--fail-on", "never", str(long))
    assert done.returncode == 0 and done.stderr == b""


def test_no_raw_control_characters_reach_the_terminal() -> None:
    evil = "Gratis\x1b]0;pwned\x07 Geschenk \x1b[2J\u202egnp.exe\x9b31m https://bit.ly/x"
    line = json.dumps({"id": "x\x1b[31m", "text": evil}, ensure_ascii=False).encode()
    done = run("check", "-", "--format", "text", "--color", "always", stdin=line + b"\n")
    out = done.stdout.decode()
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out and "\\x9b" in out
    # The only escape sequences are sendlint's own colours.
    for raw in ("\x07", "\x1b]", "\x1b[2J", "\u202e", "\x9b", "\x1b[31mx"):
        assert raw not in out
    assert "\x1b[1;" in out  # colour was asked for
    done = run("check", "-", stdin=line + b"\n")
    assert json.loads(done.stdout)["findings"][0]["matched"]  # still valid JSON
    assert "\u202e" not in done.stdout.decode() and "\x9b" not in done.stdout.decode()
    assert json.loads(done.stdout)["id"] == "x\x1b[31m"
    # Errors that quote the input are escaped too.
    done = run("check", "-", stdin=b'{"text": "hi", "\\u001b[2Jcolour": "red"}\n')
    assert done.returncode == 2 and b"\x1b" not in done.stderr and b"unknown field(s) \\x1b[2Jcolour" in done.stderr


def test_colour_only_on_a_terminal() -> None:
    done = run("check", str(CAMPAIGN), "--format", "text")
    assert b"\x1b[" not in done.stdout
    master, slave = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "sendlint", "check", str(CAMPAIGN), "--format", "text"],
        stdout=slave,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "NO_COLOR"},
    )
    os.close(slave)
    out = read_all(master)
    os.close(master)
    child.wait(timeout=300)
    assert b"\x1b[1;31m" in out or b"\x1b[1;33m" in out

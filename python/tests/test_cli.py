"""The `sendlint` command, run as a user would."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT

CAMPAIGN = ROOT / "examples" / "campaign.jsonl"


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sendlint", *args], input=stdin, capture_output=True, cwd=ROOT
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
    ],
)
def test_bad_lines_name_the_line_and_keep_going(line: bytes, message: str) -> None:
    stdin = b'{"text": "hello"}\n' + line + b'\n{"text": "hi again"}\n'
    done = run("check", "-", stdin=stdin)
    assert done.returncode == 2
    assert f"-:2: " in done.stderr.decode() and message in done.stderr.decode()
    assert len(done.stdout.decode().splitlines()) == 2


def test_bad_policy_and_missing_file() -> None:
    done = run("check", str(CAMPAIGN), "--policy", "nope.toml")
    assert done.returncode == 2 and "nope.toml" in done.stderr.decode()
    done = run("check", "missing.jsonl")
    assert done.returncode == 2 and "missing.jsonl" in done.stderr.decode()

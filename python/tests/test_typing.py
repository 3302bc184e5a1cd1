"""The stubs serve users: a script over the API passes `mypy --strict`, and
one that misuses it does not."""

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

HERE = Path(__file__).parent


def mypy(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
    )


def test_user_script_passes_mypy_strict() -> None:
    done = mypy(HERE / "typed_usage" / "user_script.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_misuse_is_caught(tmp_path: Path) -> None:
    script = tmp_path / "wrong.py"
    script.write_text(
        "import sendlint\n"
        "reports: list[sendlint.Report] = sendlint.Engine().check_many(['a'], errors='skip')\n"
        "sendlint.Engine().check_many(['a'], threads='all')\n"
        "risk: str = sendlint.Engine().check('a').risk\n"
    )
    done = mypy(script)
    assert done.returncode == 1
    assert done.stdout.count("error:") == 3, done.stdout

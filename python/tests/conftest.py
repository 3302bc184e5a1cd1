import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A recipient key for every history the tests make, and for the `sendlint`
# subprocesses, which inherit it: as a deployment keeps its key in the
# environment. Tests of the keyless case remove it from a child's environment.
os.environ["SENDLINT_HISTORY_KEY"] = "the test suite's key, not a secret"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT

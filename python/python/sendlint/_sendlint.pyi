import os
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Union, final

__all__ = [
    "Audience",
    "AudienceError",
    "Engine",
    "ExpressionError",
    "Finding",
    "History",
    "HistoryError",
    "ImportReport",
    "ImportStoppedError",
    "InputError",
    "Policy",
    "PolicyError",
    "Report",
    "SendlintError",
    "Topic",
    "__version__",
    "pseudonymize",
]

__version__: str

class SendlintError(ValueError):
    """Base class of every sendlint error."""

class PolicyError(SendlintError):
    """A policy could not be parsed or validated."""

    path: Optional[Path]
    """The policy file, or None for a policy given as a string."""
    line: Optional[int]
    """1-based line of the error, when the parser knows it."""
    column: Optional[int]
    """1-based column of the error, when the parser knows it."""
    key: Optional[str]
    """The key that is wrong, such as `rules.mass_mention.max_mentions`."""

class InputError(SendlintError):
    """A message cannot be checked."""

class HistoryError(SendlintError):
    """A history file cannot be read or written, or is corrupt, foreign or of an unsupported version."""

    path: Optional[Path]
    """The history file, or None for history JSON given as a string."""
    operation: Optional[str]
    """"read" or "write": what was being done when it failed."""

class AudienceError(SendlintError):
    """An audience file or contact import cannot be read or written, or is corrupt, foreign or of an unsupported version."""

    path: Optional[Path]
    """The file, or None for audience JSON given as a string."""
    operation: Optional[str]
    """"read" or "write": what was being done when it failed."""
    report: Optional[ImportReport]
    """For ImportStoppedError: which rows failed and why."""

class ImportStoppedError(AudienceError):
    """More than 10 % of an import batch's rows failed; nothing was imported."""

class ExpressionError(InputError):
    """A label expression does not parse or names an unknown label."""

    expression: Optional[str]
    """The expression as given."""
    column: Optional[int]
    """1-based character column of the problem."""

@final
class ImportReport:
    @property
    def accepted(self) -> int: ...
    @property
    def added(self) -> int: ...
    @property
    def rows(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def rejected(self) -> list[tuple[int, str, str]]:
        """(row_number, reason, message); reason in "duplicate", "invalid_phone",
        "unknown_label", "missing_consent", "invalid_consent", "invalid_encoding",
        "opted_out"."""
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def delimiter(self) -> str: ...
    @property
    def format(self) -> str: ...
    @property
    def applied(self) -> bool: ...
    def summary(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Audience:
    def __new__(
        cls,
        labels: Optional[list[str]] = None,
        *,
        default_region: Optional[str] = None,
        policy: Optional[Policy] = None,
    ) -> Audience: ...
    def import_csv(
        self, path: Union[str, os.PathLike[str]], default_region: Optional[str] = None
    ) -> ImportReport: ...
    def select(self, expression: str) -> list[str]: ...
    def select_sendable(self, expression: str) -> list[str]: ...
    def add_label(self, name: str, *, at: Union[datetime, str, None] = None) -> None: ...
    @property
    def labels(self) -> list[str]: ...
    def label_count(self, label: str) -> Optional[int]: ...
    def labels_of(self, phone: str) -> list[str]: ...
    def add_contact(
        self,
        phone: str,
        labels: Optional[list[str]] = None,
        *,
        at: Union[datetime, str, None] = None,
    ) -> str: ...
    def contact(self, phone: str) -> Optional[dict[str, Any]]: ...
    def set_consent(
        self,
        phone: str,
        *,
        at: Union[datetime, str],
        method: str,
        source: Optional[str] = None,
        policy_version: Optional[str] = None,
    ) -> None: ...
    def opt_out(self, phone: str, at: Union[datetime, str, None] = None) -> None: ...
    def record_interaction(
        self, phone: str, kind: str, *, at: Union[datetime, str, None] = None
    ) -> None: ...
    def record_target(
        self, expression: str, *, at: Union[datetime, str, None] = None
    ) -> None: ...
    def change_labels(
        self,
        expression: str,
        *,
        add: Optional[list[str]] = None,
        remove: Optional[list[str]] = None,
        reason: str = "",
        at: Union[datetime, str, None] = None,
    ) -> int: ...
    def change_log(self) -> list[dict[str, Any]]: ...
    def apply_lifecycle(self, now: Union[datetime, str, None] = None) -> dict[str, Any]: ...
    def label_health(self, now: Union[datetime, str, None] = None) -> dict[str, Any]: ...
    def sweep(self, now: Union[datetime, str, None] = None) -> int: ...
    def export_pseudonymized(self, key: Union[bytes, str]) -> str: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, os.PathLike[str]]) -> Audience: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> Audience: ...
    def __len__(self) -> int: ...

def pseudonymize(value: str, *, key: Union[bytes, str]) -> str:
    """`UID_…`: the keyed pseudonym (HMAC-SHA-256) of a value."""

@final
class History:
    def __new__(
        cls, json: Optional[str] = None, *, key: Union[bytes, str, None] = None
    ) -> History: ...
    @staticmethod
    def load(
        path: Union[str, os.PathLike[str]], *, key: Union[bytes, str, None] = None
    ) -> History: ...
    @property
    def key_fingerprint(self) -> Optional[str]: ...
    def save(self, path: Union[str, os.PathLike[str]]) -> None: ...
    def record(
        self,
        text: str,
        *,
        account: Optional[str] = None,
        group: Optional[str] = None,
        recipients: Optional[list[str]] = None,
        at: Union[datetime, str, None] = None,
        kind: Optional[str] = None,
        engine: Optional[Engine] = None,
    ) -> None: ...
    def report(
        self,
        text: str,
        *,
        at: Union[datetime, str, None] = None,
        engine: Optional[Engine] = None,
    ) -> None: ...
    def to_json(self) -> str: ...
    def __len__(self) -> int: ...
    def __reduce__(self) -> Any: ...

@final
class Topic:
    @staticmethod
    def from_texts(texts: list[str]) -> Topic: ...
    @staticmethod
    def from_keywords(keywords: list[str]) -> Topic: ...
    def relevance(self, text: str) -> float: ...
    def keywords(self, n: int = 10) -> list[str]: ...

@final
class Policy:
    def __new__(cls, json: Optional[str] = None) -> Policy: ...
    @staticmethod
    def strict() -> Policy: ...
    @staticmethod
    def from_toml(text: str) -> Policy: ...
    @staticmethod
    def from_path(path: Union[str, os.PathLike[str]]) -> Policy: ...
    def to_json(self) -> str: ...
    def __reduce__(self) -> Any: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Finding:
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def span(self) -> Optional[tuple[int, int]]: ...
    @property
    def byte_span(self) -> Optional[tuple[int, int]]: ...
    @property
    def matched(self) -> Optional[str]: ...
    @property
    def message(self) -> str: ...
    @property
    def evidence(self) -> dict[str, Any]: ...
    @property
    def advice(self) -> str: ...

@final
class Report:
    @property
    def risk(self) -> int: ...
    @property
    def verdict(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def recipients_remaining(self) -> Optional[int]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class Engine:
    def __new__(
        cls, policy: Union[Policy, str, os.PathLike[str], None] = None
    ) -> Engine: ...
    @property
    def policy(self) -> Policy: ...
    def check(
        self,
        text: str,
        *,
        account: Optional[str] = None,
        group: Optional[str] = None,
        recipients: Optional[list[str]] = None,
        at: Union[datetime, str, None] = None,
        kind: Optional[str] = None,
        dead_links: Optional[list[str]] = None,
        history: Optional[History] = None,
        topic: Optional[Topic] = None,
        audience: Optional[Audience] = None,
        target: Optional[str] = None,
    ) -> Report: ...
    def check_many(self, texts: list[str]) -> list[Report]: ...
    def __reduce__(self) -> Any: ...

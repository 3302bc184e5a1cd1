import os
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union, final

__all__ = [
    "Engine",
    "Finding",
    "History",
    "HistoryError",
    "InputError",
    "Policy",
    "PolicyError",
    "Report",
    "SendlintError",
    "Topic",
    "Triage",
    "ReplyHealth",
    "classify_inbound",
    "__version__",
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
    ) -> Report: ...
    def check_many(self, texts: list[str]) -> list[Report]: ...
    def triage(
        self,
        text: str,
        *,
        at: Union[datetime, str, None] = None,
        sender: Optional[str] = None,
        account: Optional[str] = None,
    ) -> Triage: ...
    def reply_health(
        self,
        exchanges: Iterable[Sequence[Union[datetime, str, None]]],
        *,
        now: Union[datetime, str, None] = None,
    ) -> ReplyHealth: ...
    def __reduce__(self) -> Any: ...

@final
class Triage:
    @property
    def priority(self) -> str:
        """"complaint", "urgent", "question" or "other"."""
    @property
    def reply_within_minutes(self) -> Optional[int]: ...
    @property
    def reply_due(self) -> Optional[datetime]: ...
    @property
    def received(self) -> datetime: ...
    @property
    def opt_out(self) -> bool: ...
    @property
    def opt_out_match(self) -> Optional[dict[str, Any]]: ...
    @property
    def cues(self) -> list[dict[str, Any]]: ...
    @property
    def sender(self) -> Optional[str]: ...
    @property
    def account(self) -> Optional[str]: ...
    def exchange(
        self, replied: Union[datetime, str, None] = None
    ) -> tuple[datetime, Optional[datetime], Optional[datetime]]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...

@final
class ReplyHealth:
    @property
    def state(self) -> str:
        """"healthy", "priority_lowered" or "ads_low_priority"."""
    @property
    def mean_response_seconds(self) -> Optional[float]: ...
    @property
    def priority_factor(self) -> float: ...
    @property
    def on_time_share(self) -> Optional[float]: ...
    @property
    def measured(self) -> int: ...
    @property
    def answered(self) -> int: ...
    @property
    def overdue(self) -> int: ...
    @property
    def pending(self) -> int: ...
    @property
    def now(self) -> datetime: ...
    @property
    def window_start(self) -> datetime: ...
    def to_dict(self) -> dict[str, Any]: ...

def classify_inbound(
    text: str,
    *,
    at: Union[datetime, str, None] = None,
    sender: Optional[str] = None,
    account: Optional[str] = None,
) -> Triage: ...

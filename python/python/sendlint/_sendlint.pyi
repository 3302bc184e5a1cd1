import os
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Literal, Optional, Protocol, Sequence, Union, final, overload

class _ArrowArrayExportable(Protocol):
    """An Arrow array (pyarrow, polars, arro3, nanoarrow ...): the Arrow PyCapsule interface."""

    def __arrow_c_array__(self, requested_schema: Any = None) -> tuple[Any, Any]: ...

class _ArrowStreamExportable(Protocol):
    """An Arrow stream or chunked array: the Arrow PyCapsule interface."""

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...

_Arrow = Union[_ArrowArrayExportable, _ArrowStreamExportable]
_Texts = Union[Iterable[Optional[str]], _Arrow]
_Strings = Union[str, Iterable[Optional[str]], _Arrow, None]
_Times = Union[datetime, str, Iterable[Union[datetime, str, None]], _Arrow, None]
_Recipients = Union[Sequence[str], Iterable[Optional[Sequence[str]]], None]

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
    "Triage",
    "ReplyHealth",
    "classify_inbound",
    "__version__",
    "_finding_from_json",
    "_report_from_json",
    "_topic_from_json",
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

    index: Optional[int]
    """For a batch: the first bad row (the message names it too)."""
    errors: Optional[list[tuple[int, str]]]
    """For a batch: every bad row's index and what is wrong with it."""
    reports: Optional[list[Optional[Report]]]
    """For `check_many`: every row's report, None for the bad rows."""

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
    def apply_triage(self, triage: Triage) -> bool:
        """Opts the triage's sender out when it asked to; whether it did."""
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
    def __reduce__(self) -> Any: ...

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
    def __reduce__(self) -> Any: ...

@final
class Report:
    @property
    def risk(self) -> int: ...
    @property
    def verdict(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def kind_source(self) -> str:
        """"given" when the caller gave the kind, "classified" from the text."""
    @property
    def cues(self) -> list[dict[str, Any]]:
        """What made it an offer or an ad: dicts with "cue", "matched", "span"."""
    @property
    def rules(self) -> list[str]:
        """The rule ids of the findings, in text order."""
    @property
    def text(self) -> str: ...
    @property
    def findings(self) -> list[Finding]: ...
    @property
    def recipients_remaining(self) -> Optional[int]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> Any: ...

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
    @overload
    def check_many(
        self,
        texts: _Texts,
        *,
        accounts: _Strings = None,
        groups: _Strings = None,
        at: _Times = None,
        kinds: _Strings = None,
        recipients: _Recipients = None,
        dead_links: _Recipients = None,
        history: Optional[History] = None,
        topic: Optional[Topic] = None,
        audience: Optional[Audience] = None,
        targets: _Strings = None,
        threads: Optional[int] = None,
        errors: Literal["raise"] = "raise",
    ) -> list[Report]: ...
    @overload
    def check_many(
        self,
        texts: _Texts,
        *,
        accounts: _Strings = None,
        groups: _Strings = None,
        at: _Times = None,
        kinds: _Strings = None,
        recipients: _Recipients = None,
        dead_links: _Recipients = None,
        history: Optional[History] = None,
        topic: Optional[Topic] = None,
        audience: Optional[Audience] = None,
        targets: _Strings = None,
        threads: Optional[int] = None,
        errors: Literal["skip"],
    ) -> list[Optional[Report]]: ...
    def check_frame(
        self,
        df: Any,
        text: str = "text",
        account: Optional[str] = None,
        group: Optional[str] = None,
        at: Optional[str] = None,
        kind: Optional[str] = None,
        *,
        history: Optional[History] = None,
        topic: Optional[Topic] = None,
        threads: Optional[int] = None,
        errors: Literal["raise", "skip"] = "raise",
    ) -> Any:
        """A pandas or polars frame aligned with `df`: risk, verdict, kind, rules, n_findings."""
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

# What pickles call to rebuild values (`__reduce__`); not for direct use.
def _report_from_json(json: str, text: str) -> Report: ...
def _finding_from_json(json: str) -> Finding: ...
def _topic_from_json(json: str) -> Topic: ...

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

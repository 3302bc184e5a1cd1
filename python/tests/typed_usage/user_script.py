"""A user's script over the sendlint API; `mypy --strict` must accept it as is."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from typing import Optional

import sendlint


def main() -> None:
    engine = sendlint.Engine(sendlint.Policy.strict())
    history = sendlint.History(key="0123456789abcdef0123456789abcdef")
    topic = sendlint.Topic.from_keywords(["Brezeln", "Backstube"])
    at = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)

    report: sendlint.Report = engine.check("Gratis Brezeln!", account="bakery", at=at, topic=topic)
    risk: int = report.risk
    source: str = report.kind_source
    cues = [cue["cue"] for cue in report.cues]
    rules: list[str] = report.rules
    html: str = report._repr_html_()
    for finding in report.findings:
        span: Optional[tuple[int, int]] = finding.span
        print(finding.rule, finding.severity, finding.points, span, finding.advice)

    reports: list[sendlint.Report] = engine.check_many(
        ["Frische Brezeln", "Anzeige: 20 % Rabatt"],
        accounts=["bakery", "bakery"],
        groups="kiez",
        at=[at, "2026-11-02T10:00:00Z"],
        kinds=[None, "offer"],
        recipients=["+4917012345678"],
        history=history,
        topic=topic,
        threads=2,
    )
    maybe: list[Optional[sendlint.Report]] = engine.check_many(["a", "b"], errors="skip")
    try:
        engine.check_many(["x" * 70_000])
    except sendlint.InputError as err:
        first: Optional[int] = err.index
        every: Optional[list[tuple[int, str]]] = err.errors
        print(first, every, err.reports)
    try:
        sendlint.Policy.from_toml("schema_version = 1\n[rules.mass_mention]\nmax_mention = 5\n")
    except sendlint.PolicyError as err:
        where: tuple[Optional[int], Optional[int], Optional[str]] = (err.line, err.column, err.key)
        print(where, err.path)

    clone: sendlint.Engine = pickle.loads(pickle.dumps(engine))
    frame = sendlint.to_frame(reports)
    print(risk, source, cues, rules, len(html), maybe, clone, frame, len(history))


if __name__ == "__main__":
    main()

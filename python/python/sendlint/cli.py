"""The `sendlint` command: check a campaign file, one message per line.

Reading, printing and exit codes live here; every decision about a message is
the engine's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import IO, Any, Optional, Sequence

from . import Engine, History, Policy, Report, SendlintError, Topic, __version__

EXIT_OK, EXIT_FLAGGED, EXIT_BAD_INPUT = 0, 1, 2
MESSAGE_FIELDS = {"id", "text", "account", "group", "recipients", "at", "kind", "dead_links"}
VERDICT_ORDER = {"allow": 0, "review": 1, "block": 2}
COLOURS = {"allow": "32", "review": "33", "block": "31"}


class BadLine(Exception):
    """A line of the input that cannot be checked."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        policy = Policy.from_path(args.policy) if args.policy else Policy()
        engine = Engine(policy)
        history = load_history(args.history)
        topic = load_topic(args.topic)
    except (SendlintError, OSError) as err:
        print(f"sendlint: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    status = check(engine, history, topic, args)
    if args.history:
        try:
            history.save(args.history)
        except SendlintError as err:
            print(f"sendlint: {err}", file=sys.stderr)
            return EXIT_BAD_INPUT
    return status


def load_history(path: Optional[str]) -> History:
    if path and os.path.exists(path):
        return History.load(path)
    return History()


def load_topic(path: Optional[str]) -> Optional[Topic]:
    if not path:
        return None
    with open(path, encoding="utf-8") as lines:
        return Topic.from_texts([line.strip() for line in lines if line.strip()])


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="sendlint", description="Score chat-marketing messages before they are sent."
    )
    top.add_argument("--version", action="version", version=f"sendlint {__version__}")
    commands = top.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="check messages from a JSON Lines file (or plain text with --plain)",
        description=(
            "Check one message per line. JSON Lines: an object with 'text' and optional "
            "'id', 'account', 'group', 'recipients', 'at' (RFC 3339), 'kind' "
            "(useful|offer|ad), 'dead_links'. Messages are replayed in order: each is "
            "checked against what was sent before it, then recorded. Exit status: 0 all "
            "allowed, 1 some message reached --fail-on, 2 bad input, policy or history."
        ),
    )
    check.add_argument("file", help="the campaign file, or - for standard input")
    check.add_argument("--plain", action="store_true", help="each line is a message's text")
    check.add_argument("--format", choices=["json", "text"], default="json")
    check.add_argument("--policy", help="policy file (TOML, or JSON when named *.json)")
    check.add_argument(
        "--history",
        help="history file to start from and save to (created when missing)",
    )
    check.add_argument(
        "--topic",
        help="the group's recent messages, one per line, for topic relevance (off_topic)",
    )
    check.add_argument(
        "--fail-on",
        choices=["review", "block", "never"],
        default="review",
        help="lowest verdict that makes the exit status 1 (default: review)",
    )
    check.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text format (auto: when writing to a terminal, unless NO_COLOR)",
    )
    return top


def check(
    engine: Engine, history: History, topic: Optional[Topic], args: argparse.Namespace
) -> int:
    out = sys.stdout
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and "NO_COLOR" not in os.environ
    )
    worst = -1
    bad_lines = 0
    counts = {"allow": 0, "review": 0, "block": 0}
    with open_input(args.file) as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                message = parse_line(raw, number, args.plain)
                if message is None:
                    continue
                text = message.pop("text")
                ident = message.pop("id", None)
                report = engine.check(text, **message, history=history, topic=topic)
                message.pop("dead_links", None)  # only matters for the check
                history.record(text, **message, engine=engine)
            except (BadLine, SendlintError) as err:
                print(f"sendlint: {args.file}:{number}: {err}", file=sys.stderr)
                bad_lines += 1
                continue
            counts[report.verdict] += 1
            worst = max(worst, VERDICT_ORDER[report.verdict])
            if args.format == "json":
                line = {"line": number, "id": ident, **report.to_dict()}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
            else:
                out.write(render(report, number, ident, colour))
    if args.format == "text":
        total = sum(counts.values())
        summary = ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER)
        out.write(f"{total} messages checked: {summary}")
        out.write(f", {bad_lines} bad lines\n" if bad_lines else "\n")
    if bad_lines:
        return EXIT_BAD_INPUT
    threshold = VERDICT_ORDER.get(args.fail_on, 3)
    return EXIT_FLAGGED if worst >= threshold else EXIT_OK


def open_input(name: str) -> IO[bytes]:
    if name == "-":
        return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    try:
        return open(name, "rb")
    except OSError as err:
        print(f"sendlint: cannot read {name}: {err.strerror}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None


def parse_line(raw: bytes, number: int, plain: bool) -> Optional[dict[str, Any]]:
    """The message of one input line, `None` for a blank line."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise BadLine(f"not UTF-8 (byte {err.start + 1} of the line)") from None
    line = line.rstrip("\r\n")
    if number == 1:
        line = line.lstrip("\ufeff")
    if not line.strip():
        return None
    if plain:
        return {"text": line}
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadLine(f"invalid JSON at column {err.colno}: {err.msg}") from None
    if not isinstance(value, dict):
        raise BadLine("expected a JSON object with a 'text' field")
    unknown = sorted(set(value) - MESSAGE_FIELDS)
    if unknown:
        raise BadLine(f"unknown field(s) {', '.join(unknown)}")
    if not isinstance(value.get("text"), str):
        raise BadLine("'text' is missing or not a string")
    for field in ("account", "group", "at", "kind", "id"):
        if value.get(field) is not None and not isinstance(value[field], str):
            raise BadLine(f"'{field}' must be a string")
    for field in ("recipients", "dead_links"):
        items = value.get(field)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, str) for i in items)
        ):
            raise BadLine(f"'{field}' must be a list of strings")
    return {k: v for k, v in value.items() if v is not None}


def render(report: Report, number: int, ident: Optional[str], colour: bool) -> str:
    """A readable block for one message, with matched text highlighted."""

    def paint(code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    label = ident or f"line {number}"
    verdict = paint("1;" + COLOURS[report.verdict], report.verdict.upper())
    lines = [f"{label}  {verdict}  risk {report.risk}  {report.kind}"]
    lines.append("  " + highlight(report, paint if colour else None))
    for finding in report.findings:
        where = f" {finding.matched!r}" if finding.matched else ""
        lines.append(
            f"  - {paint('1', finding.rule)} ({finding.severity}, {finding.points}){where}: "
            f"{finding.message}"
        )
        lines.append(f"      fix: {finding.advice}")
    return "\n".join(lines) + "\n\n"


def highlight(report: Report, paint: Any) -> str:
    """The text with every finding's span marked (ANSI reverse, or [[ ]] without colour)."""
    text = report.text
    spans = sorted(f.span for f in report.findings if f.span)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(text[at:start])
        part = text[start:end]
        out.append(paint("7;31", part) if paint else f"[[{part}]]")
        at = end
    out.append(text[at:])
    return "".join(out).replace("\n", "\n  ")




if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The `sendlint` command: check a campaign file, one message per line.

Reading, printing and exit codes live here; every decision about a message is
the engine's.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
import threading
from typing import IO, Any, Iterator, Optional, Sequence

from . import Engine, History, Policy, Report, SendlintError, Topic, Triage, __version__

EXIT_OK, EXIT_FLAGGED, EXIT_BAD_INPUT = 0, 1, 2
# 128 + the signal number, as shells report a process killed by it.
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
MESSAGE_FIELDS = {"id", "text", "account", "group", "recipients", "at", "kind", "dead_links"}
INBOUND_FIELDS = {"id", "text", "account", "sender", "at"}
# `sendlint inbound --fail-on`: the priorities at or above each threshold.
PRIORITY_ORDER = {"other": 0, "question": 1, "urgent": 2, "complaint": 3}
VERDICT_ORDER = {"allow": 0, "review": 1, "block": 2}
COLOURS = {"allow": "32", "review": "33", "block": "31"}


class BadLine(Exception):
    """A line of the input that cannot be checked."""


class Fatal(Exception):
    """An I/O failure that ends the run with exit status 2 and one line on stderr."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, `timeout`, a service manager): stops the run like Ctrl-C."""


class Interrupted(Exception):
    """Ctrl-C or SIGTERM during the run, with where it stopped."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def terminate(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    # Only where SIGTERM would kill us: a caller that ignores or handles it
    # keeps its choice, and gets the default back afterwards.
    handles_sigterm = threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    )
    if handles_sigterm:
        signal.signal(signal.SIGTERM, terminate)
    try:
        return run(args)
    except Terminated:
        # Before the history was loaded: nothing to save.
        error("terminated")
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        error("interrupted")
        return EXIT_INTERRUPTED
    finally:
        if handles_sigterm:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)


def run(args: argparse.Namespace) -> int:
    if args.command == "inbound":
        return run_inbound(args)
    try:
        policy = Policy.from_path(args.policy) if args.policy else Policy()
        engine = Engine(policy)
        history = load_history(args.history)
        topic = load_topic(args.topic)
        out = output(args.format)
    except (SendlintError, OSError, Fatal) as err:
        error(str(err))
        return EXIT_BAD_INPUT
    status = EXIT_BAD_INPUT
    try:
        status = check(engine, history, topic, args, out)
    except Fatal as err:
        error(str(err))
    except Interrupted as err:
        error(str(err))
        status = err.status
    finally:
        # Whatever stopped the run, what was replayed so far is kept.
        saved = save_history(history, args.history)
    return status if saved else EXIT_BAD_INPUT


def error(message: str) -> None:
    """One line on stderr; never raises (stderr itself may be gone)."""
    try:
        print(f"sendlint: {message}", file=sys.stderr, flush=True)
    except (OSError, ValueError, AttributeError):
        pass


def output(format: str) -> IO[str]:
    """Standard output for the reports: UTF-8 for JSON Lines, as the format requires."""
    out = sys.stdout
    if out is None:
        raise Fatal("cannot write output: standard output is closed")
    if format == "json" and isinstance(out, io.TextIOWrapper):
        out.reconfigure(encoding="utf-8")
    elif isinstance(out, io.TextIOWrapper):
        out.reconfigure(errors="replace")
    return out


def save_history(history: History, path: Optional[str]) -> bool:
    """Saves the history to `path` (if any) with Ctrl-C and SIGTERM held off
    (the save is quick and a second Ctrl-C must not lose it); whether it worked."""
    if not path:
        return True
    held = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        try:
            held[number] = signal.signal(number, signal.SIG_IGN)
        except ValueError:  # not the main thread: cannot hold signals off
            pass
    try:
        history.save(path)
        return True
    except (SendlintError, OSError) as err:
        error(str(err))
        return False
    finally:
        for number, previous in held.items():
            signal.signal(number, previous)


def load_history(path: Optional[str]) -> History:
    if path and not os.environ.get("SENDLINT_HISTORY_KEY"):
        # Without a key the recipients are keyed for this run only, and the saved
        # file would silently never recognise them again.
        error(
            f"warning: SENDLINT_HISTORY_KEY is not set: recipients in {path} are keyed "
            "for this run only, so fatigue and link_streak will not know them next time"
        )
    if path and os.path.exists(path):
        return History.load(path)
    return History()


def load_topic(path: Optional[str]) -> Optional[Topic]:
    if not path:
        return None
    texts = []
    try:
        with open(path, "rb") as lines:
            for number, raw in enumerate(lines, start=1):
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError as err:
                    where = f"{path}:{number}: not UTF-8 (byte {err.start + 1} of the line)"
                    raise Fatal(where) from None
                if number == 1:
                    line = line.lstrip("\ufeff")
                if line:
                    texts.append(line)
    except OSError as err:
        raise Fatal(f"cannot read {path}: {describe(err)}") from None
    try:
        return Topic.from_texts(texts)
    except SendlintError as err:
        raise Fatal(f"{path}: {err}") from None


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
            "checked against what was sent before it, then recorded. A bad line is "
            "reported as FILE:LINE on stderr and skipped. Exit status: 0 all allowed, "
            "1 some message reached --fail-on, 2 a bad line, policy, history or an I/O "
            "failure (such as a closed output pipe), 130 Ctrl-C, 143 SIGTERM. --history "
            "is saved whenever the run stops, with what was checked up to then."
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
    inbound = commands.add_parser(
        "inbound",
        help="triage inbound (customer) messages from a JSON Lines file (or plain text)",
        description=(
            "Triage one inbound message per line by the 15-5-1 rule (complaint 1 min, "
            "urgent 5 min, question 15 min, other: no reply needed) and find opt-outs "
            "(STOP, unsubscribe, abmelden, 退订, ...). JSON Lines: an object with 'text' "
            "and optional 'id', 'at' (RFC 3339, when it was received), 'sender' (phone "
            "number or contact id) and 'account'. A bad line is reported as FILE:LINE on "
            "stderr and skipped. Exit status: 0 nothing to act on, 1 some message is an "
            "opt-out or reached --fail-on, 2 a bad line, policy or an I/O failure, "
            "130 Ctrl-C, 143 SIGTERM."
        ),
    )
    inbound.add_argument("file", help="the messages, or - for standard input")
    inbound.add_argument("--plain", action="store_true", help="each line is a message's text")
    inbound.add_argument("--format", choices=["json", "text"], default="json")
    inbound.add_argument("--policy", help="policy file (TOML, or JSON when named *.json)")
    inbound.add_argument(
        "--fail-on",
        choices=["complaint", "urgent", "question", "never"],
        default="complaint",
        help=(
            "lowest priority that makes the exit status 1 (default: complaint); an "
            "opt-out always does, unless never"
        ),
    )
    return top


def run_inbound(args: argparse.Namespace) -> int:
    try:
        policy = Policy.from_path(args.policy) if args.policy else Policy()
        engine = Engine(policy)
        out = output(args.format)
    except (SendlintError, OSError, Fatal) as err:
        error(str(err))
        return EXIT_BAD_INPUT
    try:
        return triage_lines(engine, args, out)
    except Fatal as err:
        error(str(err))
        return EXIT_BAD_INPUT
    except Interrupted as err:
        error(str(err))
        return err.status


def triage_lines(engine: Engine, args: argparse.Namespace, out: IO[str]) -> int:
    counts = {priority: 0 for priority in PRIORITY_ORDER}
    opt_outs = bad_lines = 0
    worst = -1
    number = 0
    try:
        with open_input(args.file) as stream:
            for number, raw in read_lines(stream, args.file):
                try:
                    message = parse_line(raw, number, args.plain, INBOUND_FIELDS)
                    if message is None:
                        continue
                    ident = message.pop("id", None)
                    triage = engine.triage(message.pop("text"), **message)
                except (BadLine, SendlintError) as err:
                    error(f"{args.file}:{number}: {err}")
                    bad_lines += 1
                    continue
                counts[triage.priority] += 1
                opt_outs += triage.opt_out
                worst = max(worst, PRIORITY_ORDER[triage.priority])
                if args.format == "json":
                    line = {"line": number, "id": ident, **triage.to_dict()}
                    write(out, json.dumps(line, ensure_ascii=False) + "\n", number)
                else:
                    write(out, render_triage(triage, number, ident), number)
    except KeyboardInterrupt as err:
        if isinstance(err, Terminated):
            raise Interrupted(f"terminated at line {number}", EXIT_TERMINATED) from None
        raise Interrupted(f"interrupted at line {number}", EXIT_INTERRUPTED) from None
    if args.format == "text":
        total = sum(counts.values())
        summary = ", ".join(f"{counts[p]} {p}" for p in reversed(PRIORITY_ORDER))
        tail = f", {bad_lines} bad lines\n" if bad_lines else "\n"
        write(out, f"{total} messages triaged: {summary}; {opt_outs} opt-outs{tail}", None)
    write(out, "", None, flush=True)
    if bad_lines:
        return EXIT_BAD_INPUT
    if args.fail_on == "never":
        return EXIT_OK
    flagged = opt_outs > 0 or worst >= PRIORITY_ORDER[args.fail_on]
    return EXIT_FLAGGED if flagged else EXIT_OK


def render_triage(triage: Triage, number: int, ident: Optional[str]) -> str:
    """A readable block for one inbound message, cues marked with [[ ]]."""
    label = ident or f"line {number}"
    head = f"{label}  {triage.priority.upper()}"
    if triage.reply_within_minutes is not None and triage.reply_due is not None:
        due = triage.reply_due.isoformat().replace("+00:00", "Z")
        head += f"  reply within {triage.reply_within_minutes} min (by {due})"
    else:
        head += "  no reply needed"
    match = triage.opt_out_match
    if match is not None:
        head += f"  OPT-OUT {match['matched']!r}"
    lines = [head]
    for cue in triage.cues:
        lines.append(f"  - {cue['cue']} {cue['matched']!r} ({cue['lang'] or '-'}: {cue['phrase']})")
    return "\n".join(lines) + "\n\n"


def check(
    engine: Engine,
    history: History,
    topic: Optional[Topic],
    args: argparse.Namespace,
    out: IO[str],
) -> int:
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and "NO_COLOR" not in os.environ
    )
    worst = -1
    bad_lines = 0
    counts = {"allow": 0, "review": 0, "block": 0}
    number = 0
    try:
        with open_input(args.file) as stream:
            for number, raw in read_lines(stream, args.file):
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
                    error(f"{args.file}:{number}: {err}")
                    bad_lines += 1
                    continue
                counts[report.verdict] += 1
                worst = max(worst, VERDICT_ORDER[report.verdict])
                if args.format == "json":
                    line = {"line": number, "id": ident, **report.to_dict()}
                    write(out, json.dumps(line, ensure_ascii=False) + "\n", number)
                else:
                    write(out, render(report, number, ident, colour), number)
    except KeyboardInterrupt as err:
        # Lines before `number` are checked and recorded (`number` itself
        # may be); the caller saves the history.
        if isinstance(err, Terminated):
            raise Interrupted(f"terminated at line {number}", EXIT_TERMINATED) from None
        raise Interrupted(f"interrupted at line {number}", EXIT_INTERRUPTED) from None
    if args.format == "text":
        total = sum(counts.values())
        summary = ", ".join(f"{counts[v]} {v}" for v in VERDICT_ORDER)
        tail = f", {bad_lines} bad lines\n" if bad_lines else "\n"
        write(out, f"{total} messages checked: {summary}{tail}", None)
    write(out, "", None, flush=True)
    if bad_lines:
        return EXIT_BAD_INPUT
    threshold = VERDICT_ORDER.get(args.fail_on, 3)
    return EXIT_FLAGGED if worst >= threshold else EXIT_OK


def write(out: IO[str], text: str, number: Optional[int], flush: bool = False) -> None:
    """Writes to standard output; a closed pipe or a full disk is `Fatal`."""
    try:
        out.write(text)
        if flush:
            out.flush()
    except OSError as err:
        # Python would try to flush the same buffer again at exit and print a
        # second error: point standard output at /dev/null first.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        except (OSError, ValueError):
            pass
        where = f" (stopped at line {number})" if number else ""
        reason = "the reader closed the pipe" if isinstance(err, BrokenPipeError) else describe(err)
        raise Fatal(f"cannot write output: {reason}{where}") from None


def describe(err: OSError) -> str:
    """`strerror` in lower case, as the core's messages are."""
    return (err.strerror or str(err)).lower()


def read_lines(stream: IO[bytes], name: str) -> Iterator[tuple[int, bytes]]:
    """Numbered lines; a read failure (a directory, an I/O error) is `Fatal`."""
    number = 0
    while True:
        try:
            raw = stream.readline()
        except OSError as err:
            raise Fatal(f"cannot read {name}: {describe(err)} (after line {number})") from None
        if not raw:
            return
        number += 1
        yield number, raw


def open_input(name: str) -> IO[bytes]:
    if name == "-":
        try:
            return os.fdopen(os.dup(sys.stdin.fileno()), "rb")
        except (OSError, AttributeError, ValueError):
            # `sys.stdin` is None when descriptor 0 was closed (`<&-`).
            raise Fatal("cannot read standard input: it is closed") from None
    try:
        return open(name, "rb")
    except OSError as err:
        raise Fatal(f"cannot read {name}: {describe(err)}") from None


def parse_line(
    raw: bytes, number: int, plain: bool, fields: set[str] = MESSAGE_FIELDS
) -> Optional[dict[str, Any]]:
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
        # No message field is a number: keep numbers unconverted, so a
        # 5,000-digit one is not an error of Python's int limits.
        value = json.loads(line, parse_int=Number, parse_float=Number, parse_constant=not_json)
    except json.JSONDecodeError as err:
        raise BadLine(f"invalid JSON at column {err.colno}: {err.msg}") from None
    except RecursionError:
        raise BadLine("invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise BadLine("expected a JSON object with a 'text' field")
    unknown = sorted(set(value) - fields)
    if unknown:
        raise BadLine(f"unknown field(s) {', '.join(unknown)}")
    if not isinstance(value.get("text"), str):
        raise BadLine("'text' is missing or not a string")
    for field in ("text", "account", "group", "at", "kind", "id", "sender"):
        if value.get(field) is not None:
            if not isinstance(value[field], str):
                raise BadLine(f"'{field}' must be a string")
            check_unicode(field, value[field])
    for field in ("recipients", "dead_links"):
        items = value.get(field)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, str) for i in items)
        ):
            raise BadLine(f"'{field}' must be a list of strings")
        for item in items or ():
            check_unicode(field, item)
    return {k: v for k, v in value.items() if v is not None}


class Number:
    """A JSON number, kept as its text (see `parse_line`)."""

    def __init__(self, text: str) -> None:
        self.text = text


def not_json(name: str) -> None:
    raise BadLine(f"invalid JSON: {name} is not a JSON value")


def check_unicode(field: str, text: str) -> None:
    """JSON's \\ud800 escapes can spell lone surrogates, which are not text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        code = ord(text[err.start])
        raise BadLine(
            f"'{field}' has a lone surrogate \\u{code:04x} at character {err.start + 1}"
        ) from None


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

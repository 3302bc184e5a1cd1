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
import stat
import sys
import threading
import time
from typing import IO, Any, Iterator, Optional, Sequence

from . import (
    Audience,
    Engine,
    History,
    ImportStoppedError,
    InputError,
    Policy,
    Report,
    SendlintError,
    Topic,
    Triage,
    __version__,
)

EXIT_OK, EXIT_FLAGGED, EXIT_BAD_INPUT = 0, 1, 2
# 128 + the signal number, as shells report a process killed by it.
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM
MESSAGE_FIELDS = {"id", "text", "account", "group", "recipients", "at", "kind", "dead_links"}
INBOUND_FIELDS = {"id", "text", "account", "sender", "at"}
# `sendlint inbound --fail-on`: the priorities at or above each threshold.
PRIORITY_ORDER = {"other": 0, "question": 1, "urgent": 2, "complaint": 3}
VERDICT_ORDER = {"allow": 0, "review": 1, "block": 2}
COLOURS = {"allow": "32", "review": "33", "block": "31"}
# Lines per `check_many` call with --jobs: large enough to keep every core
# busy, small enough that a stop leaves little checked but unprinted.
BATCH_LINES = 1024
# The progress bar appears once this many lines were read from a regular file
# (shorter runs finish before a bar would help).
PROGRESS_AFTER_LINES = 2000
# C0 and C1 control characters (but newline and tab) and the bidirectional
# controls that can reorder or hide what a terminal shows ("Trojan Source").
UNSAFE = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]}
UNSAFE.update({c: f"\\u{c:04x}" for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]})
del UNSAFE[ord("\n")], UNSAFE[ord("\t")]
# The same in JSON: escaped as \uXXXX, which is the same JSON string.
UNSAFE_JSON = {c: f"\\u{c:04x}" for c in UNSAFE if c >= 0x7F}


class BadLine(Exception):
    """A line of the input that cannot be checked."""


class Fatal(Exception):
    """A failure (I/O, or options that cannot work together) that ends the run
    with exit status 2 and one line on stderr."""


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
    if args.command == "audience":
        return audience_import(args)
    if args.command == "inbound":
        return run_inbound(args)
    try:
        policy = Policy.from_path(args.policy) if args.policy else Policy()
        engine = Engine(policy)
        history = load_history(args.history)
        topic = load_topic(args.topic)
        audience = load_audience(args.audience, args.target)
        out = output(args.format)
    except (SendlintError, OSError, Fatal) as err:
        error(str(err))
        return EXIT_BAD_INPUT
    status = EXIT_BAD_INPUT
    try:
        status = check(engine, history, topic, args, out, audience)
    except Fatal as err:
        error(str(err))
    except Interrupted as err:
        error(str(err))
        status = err.status
    finally:
        # Whatever stopped the run, what was replayed so far is kept.
        saved = save_history(history, args.history)
    return status if saved else EXIT_BAD_INPUT


def audience_import(args: argparse.Namespace) -> int:
    """`sendlint audience import FILE`: import contacts, print the report, save.

    Exit status: 0 imported, 1 stopped (more than 10 % of a batch failed; nothing
    imported, nothing saved), 2 an unreadable file, audience or option.
    """
    labels = [name.strip() for name in (args.labels or "").split(",") if name.strip()]
    try:
        policy = Policy.from_path(args.policy) if args.policy else None
        if args.save and os.path.exists(args.save):
            audience = Audience.load(args.save)
            for name in labels:
                if name not in audience.labels:
                    audience.add_label(name)
        else:
            audience = Audience(labels, default_region=args.region, policy=policy)
        report = audience.import_csv(args.file, default_region=args.region)
    except ImportStoppedError as err:
        if err.report is not None:
            print_import(err.report, args.format)
        error(str(err))
        return EXIT_FLAGGED
    except (SendlintError, OSError) as err:
        error(str(err))
        return EXIT_BAD_INPUT
    print_import(report, args.format)
    if args.save:
        try:
            audience.save(args.save)
        except (SendlintError, OSError) as err:
            error(str(err))
            return EXIT_BAD_INPUT
    return EXIT_OK


def print_import(report: Any, format: str) -> None:
    if format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
    else:
        print(report.summary(), end="", flush=True)


def error(message: str) -> None:
    """One line on stderr; never raises (stderr itself may be gone)."""
    try:
        erase_progress()
        print(f"sendlint: {safe(message)}", file=sys.stderr, flush=True)
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


def load_audience(path: Optional[str], target: Optional[str]) -> Optional[Audience]:
    """The audience of `check --audience`; a bad `--target` fails here, once,
    not on every line."""
    if path is None:
        if target is not None:
            raise Fatal("--target needs --audience (the contacts the target selects from)")
        return None
    audience = Audience.load(path)
    if target is not None:
        audience.select(target)  # raises ExpressionError naming the column
    return audience


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
        "--audience",
        help=(
            "audience file (from 'sendlint audience import --save'): recipients without "
            "consent or opted out are named (no_consent, opted_out); a message without "
            "recipients goes to the target's contacts"
        ),
    )
    check.add_argument(
        "--target",
        metavar="EXPR",
        help="label expression the campaign targets (untargeted), e.g. 'VIP AND NOT Neukunde'",
    )
    check.add_argument(
        "--fail-on",
        choices=["review", "block", "never"],
        default="review",
        help="lowest verdict that makes the exit status 1 (default: review)",
    )
    check.add_argument(
        "--jobs",
        type=jobs,
        metavar="N",
        help=(
            "check in batches of %d lines on N threads (0: every core); messages that "
            "share no account and no group are checked in parallel, with the same "
            "results. A stopped run may have checked and recorded up to one batch "
            "more than it printed" % BATCH_LINES
        ),
    )
    check.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        help="colour the text format (auto: when writing to a terminal, unless NO_COLOR)",
    )
    audience = commands.add_parser(
        "audience", help="manage an audience of contacts (import a contact list)"
    )
    audience_commands = audience.add_subparsers(dest="audience_command", required=True)
    imports = audience_commands.add_parser(
        "import",
        help="import a CSV/TXT contact list and report every rejected row",
        description=(
            "Import contacts from a UTF-8 CSV or TXT file with a header row naming the "
            "phone column (phone, phone_number, Telefonnummer), optionally labels "
            "(labels, Label-Name) and consent (consent_at, consent_method, "
            "consent_source). Prints the per-row report. Exit status: 0 imported, "
            "1 stopped because more than 10 %% of a batch's rows failed (nothing is "
            "imported or saved), 2 an unreadable file, audience or option."
        ),
    )
    imports.add_argument("file", help="the contact list")
    imports.add_argument("--labels", help="comma-separated label names the audience has")
    imports.add_argument("--region", help="ISO country code national numbers are read in (DE)")
    imports.add_argument(
        "--save", help="audience file to add to and save (created when missing)"
    )
    imports.add_argument("--policy", help="policy file with [audience] settings")
    imports.add_argument("--format", choices=["text", "json"], default="text")
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
        "--audience",
        help=(
            "audience file (from 'sendlint audience import --save'): each opt-out with a "
            "'sender' opts that contact out, and the file is saved at the end"
        ),
    )
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
        audience = Audience.load(args.audience) if args.audience else None
        out = output(args.format)
    except (SendlintError, OSError, Fatal) as err:
        error(str(err))
        return EXIT_BAD_INPUT
    try:
        return triage_lines(engine, args, out, audience)
    except Fatal as err:
        error(str(err))
        return EXIT_BAD_INPUT
    except Interrupted as err:
        error(str(err))
        return err.status
    finally:
        # Opt-outs already applied are kept even when the run stops early.
        if audience is not None:
            try:
                audience.save(args.audience)
            except SendlintError as err:
                error(str(err))


def triage_lines(
    engine: Engine, args: argparse.Namespace, out: IO[str], audience: Optional[Audience] = None
) -> int:
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
                    if audience is not None and triage.opt_out and triage.sender is not None:
                        audience.apply_triage(triage)
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
    audience: Optional[Audience] = None,
) -> int:
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and "NO_COLOR" not in os.environ
    )
    run = Run(args, out, colour, audience)
    number = 0
    try:
        with open_input(args.file) as stream:
            progress = Progress.start(stream)
            try:
                lines = read_lines(stream, args.file, progress)
                if args.jobs is None:
                    for number, raw in lines:
                        run.one(engine, history, topic, number, raw)
                else:
                    batch: list[tuple[int, bytes]] = []
                    for line in lines:
                        batch.append(line)
                        if len(batch) == BATCH_LINES:
                            # Every line of the batch may be recorded from here on.
                            number = batch[-1][0]
                            run.many(engine, history, topic, batch)
                            batch = []
                    if batch:
                        number = batch[-1][0]
                        run.many(engine, history, topic, batch)
            finally:
                if progress:
                    progress.finish()
    except KeyboardInterrupt as err:
        # Lines before `number` are checked and recorded (`number` itself
        # may be); the caller saves the history.
        if isinstance(err, Terminated):
            raise Interrupted(f"terminated at line {number}", EXIT_TERMINATED) from None
        raise Interrupted(f"interrupted at line {number}", EXIT_INTERRUPTED) from None
    return run.finish()


class Run:
    """What a `check` run has printed and counted so far."""

    def __init__(
        self,
        args: argparse.Namespace,
        out: IO[str],
        colour: bool,
        audience: Optional[Audience] = None,
    ) -> None:
        self.args, self.out, self.colour = args, out, colour
        self.audience, self.target = audience, args.target
        self.worst = -1
        self.bad_lines = 0
        self.counts = {"allow": 0, "review": 0, "block": 0}

    def one(
        self,
        engine: Engine,
        history: History,
        topic: Optional[Topic],
        number: int,
        raw: bytes,
    ) -> None:
        """Checks, records and prints one line."""
        try:
            message = parse_line(raw, number, self.args.plain)
            if message is None:
                return
            text = message.pop("text")
            ident = message.pop("id", None)
            report = engine.check(
                text,
                **message,
                history=history,
                topic=topic,
                audience=self.audience,
                target=self.target,
            )
            message.pop("dead_links", None)  # only matters for the check
            history.record(text, **message, engine=engine)
        except (BadLine, SendlintError) as err:
            self.bad(number, str(err))
            return
        self.emit(number, ident, report)

    def many(
        self,
        engine: Engine,
        history: History,
        topic: Optional[Topic],
        lines: list[tuple[int, bytes]],
    ) -> None:
        """Checks and records a batch of lines with `check_many` (in order, as
        `one` would), then prints them in order."""
        parsed: list[tuple[int, Optional[str], dict[str, Any]]] = []
        problems: dict[int, str] = {}
        for number, raw in lines:
            try:
                message = parse_line(raw, number, self.args.plain)
            except BadLine as err:
                problems[number] = str(err)
                continue
            if message is not None:
                parsed.append((number, message.pop("id", None), message))
        reports: list[Optional[Report]]
        try:
            reports = list(
                engine.check_many(
                    [m["text"] for _, _, m in parsed],
                    accounts=[m.get("account") for _, _, m in parsed],
                    groups=[m.get("group") for _, _, m in parsed],
                    at=[m.get("at") for _, _, m in parsed],
                    kinds=[m.get("kind") for _, _, m in parsed],
                    recipients=[m.get("recipients") for _, _, m in parsed],
                    dead_links=[m.get("dead_links") for _, _, m in parsed],
                    history=history,
                    topic=topic,
                    audience=self.audience,
                    targets=self.target,
                    threads=self.args.jobs or None,
                )
            )
        except InputError as err:
            if err.reports is None or err.errors is None:
                raise
            reports = err.reports
            for index, what in err.errors:
                # "texts[3]: ..." names the batch's row; the line number says it here.
                problems[parsed[index][0]] = what.split("]: ", 1)[-1]
        by_line = {number: (ident, report) for (number, ident, _), report in zip(parsed, reports)}
        for number, _ in lines:
            if number in problems:
                self.bad(number, problems[number])
            elif number in by_line:
                ident, report = by_line[number]
                if report is not None:
                    self.emit(number, ident, report)

    def bad(self, number: int, what: str) -> None:
        error(f"{self.args.file}:{number}: {what}")
        self.bad_lines += 1

    def emit(self, number: int, ident: Optional[str], report: Report) -> None:
        self.counts[report.verdict] += 1
        self.worst = max(self.worst, VERDICT_ORDER[report.verdict])
        if self.args.format == "json":
            line = {"line": number, "id": ident, **report.to_dict()}
            text = json.dumps(line, ensure_ascii=False).translate(UNSAFE_JSON)
            write(self.out, text + "\n", number)
        else:
            write(self.out, render(report, number, ident, self.colour), number)

    def finish(self) -> int:
        """The summary (text format), the flush and the exit status."""
        if self.args.format == "text":
            total = sum(self.counts.values())
            summary = ", ".join(f"{self.counts[v]} {v}" for v in VERDICT_ORDER)
            tail = f", {self.bad_lines} bad lines\n" if self.bad_lines else "\n"
            write(self.out, f"{total} messages checked: {summary}{tail}", None)
        write(self.out, "", None, flush=True)
        if self.bad_lines:
            return EXIT_BAD_INPUT
        threshold = VERDICT_ORDER.get(self.args.fail_on, 3)
        return EXIT_FLAGGED if self.worst >= threshold else EXIT_OK


class Progress:
    """A progress bar on stderr for a long run over a regular file: only when
    stderr is a terminal, redrawn at most ten times a second, erased at the end."""

    shown = False

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self.stream, self.size = stream, size
        self.drawn_at = 0.0

    @staticmethod
    def start(stream: IO[bytes]) -> Optional["Progress"]:
        try:
            if not (sys.stderr is not None and sys.stderr.isatty()):
                return None
            info = os.fstat(stream.fileno())
        except (OSError, ValueError, AttributeError):
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size == 0:
            return None
        return Progress(stream, info.st_size)

    def update(self, number: int) -> None:
        if number < PROGRESS_AFTER_LINES or number % 64:
            return
        now = time.monotonic()
        if now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        try:
            share = min(1.0, self.stream.tell() / self.size)
        except (OSError, ValueError):
            return
        filled = int(share * 30)
        bar = "#" * filled + "." * (30 - filled)
        self.draw(f"[{bar}] {share:4.0%}  {number:,} lines")

    def draw(self, text: str) -> None:
        try:
            sys.stderr.write(f"\r{text}\x1b[K")
            sys.stderr.flush()
            Progress.shown = True
        except (OSError, ValueError):
            pass

    def finish(self) -> None:
        erase_progress()


def erase_progress() -> None:
    """Clears the progress bar's line (before an error line, and at the end)."""
    if Progress.shown:
        Progress.shown = False
        try:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
        except (OSError, ValueError, AttributeError):
            pass


def jobs(text: str) -> int:
    """`--jobs N`: a whole number, 0 for every core."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of threads: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (every core) or more")
    return value


def safe(text: str) -> str:
    """Text for a terminal: control characters (but newline and tab) and
    bidirectional controls escaped, so message text cannot move the cursor,
    recolour, retitle or reorder the terminal."""
    return text.translate(UNSAFE)


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


def read_lines(
    stream: IO[bytes], name: str, progress: Optional[Progress] = None
) -> Iterator[tuple[int, bytes]]:
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
        if progress:
            progress.update(number)
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

    label = safe(ident or f"line {number}")
    verdict = paint("1;" + COLOURS[report.verdict], report.verdict.upper())
    lines = [f"{label}  {verdict}  risk {report.risk}  {report.kind}"]
    lines.append("  " + highlight(report, paint if colour else None))
    for finding in report.findings:
        where = f" {safe(repr(finding.matched))}" if finding.matched else ""
        lines.append(
            f"  - {paint('1', finding.rule)} ({finding.severity}, {finding.points}){where}: "
            f"{safe(finding.message)}"
        )
        lines.append(f"      fix: {safe(finding.advice)}")
    return "\n".join(lines) + "\n\n"


def highlight(report: Report, paint: Any) -> str:
    """The text with every finding's span marked (ANSI reverse, or [[ ]] without
    colour); control characters of the text are escaped (see `safe`)."""
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
        out.append(safe(text[at:start]))
        part = safe(text[start:end])
        out.append(paint("7;31", part) if paint else f"[[{part}]]")
        at = end
    out.append(safe(text[at:]))
    return "".join(out).replace("\n", "\n  ")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""sendlint's batch API against the pipeline a data scientist would write instead.

    target/venv/bin/pip install pyahocorasick simhash scikit-learn
    target/venv/bin/python benches/python/bench_pipeline.py [--repeat 3]

Both run, side by side in one process, over the UCI SMS Spam Collection
(data/sms_spam_collection.tsv, 5,574 messages), and the best of `--repeat` runs
is reported:

* the hand-written pipeline, per message in order: a keyword scan with
  pyahocorasick over sendlint's own bait lexicons (core/lexicons/bait, every
  language), a 64-bit SimHash with the `simhash` package, and the highest
  cosine similarity of its scikit-learn HashingVectorizer row to every
  previous message (the near-duplicate check, vectorised in blocks of 512 rows
  as a careful notebook would do it);
* `Engine.check_many` without a history (every text rule: bait words, links,
  PII, mentions, ad labels, kind) on 1 thread and on every core;
* `Engine.check_many` with a History (the same plus every context rule, the
  near-duplicate check against all earlier sends included), replayed in order.

The pipeline does less than sendlint (no normalisation of look-alike letters,
no links, no PII, no scoring), so the comparison flatters it.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any, Callable

import sendlint

ROOT = Path(__file__).resolve().parents[2]


def load_texts() -> list[str]:
    lines = (ROOT / "data" / "sms_spam_collection.tsv").read_text("utf-8").splitlines()[1:]
    return [line.split("\t", 1)[1] for line in lines]


def bait_phrases() -> list[str]:
    phrases = []
    for path in sorted((ROOT / "core" / "lexicons" / "bait").rglob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                phrases.append(line.lower())
    return phrases


def pipeline(texts: list[str], phrases: list[str]) -> list[tuple[list[str], int, float]]:
    """What a data scientist writes: keywords, SimHash, cosine to earlier messages."""
    import ahocorasick
    import numpy as np
    from simhash import Simhash
    from sklearn.feature_extraction.text import HashingVectorizer

    automaton = ahocorasick.Automaton()
    for phrase in phrases:
        automaton.add_word(phrase, phrase)
    automaton.make_automaton()
    vectors = HashingVectorizer(n_features=2**18, alternate_sign=False, norm="l2").transform(texts)
    # Cosine to every earlier message, a block of rows at a time (the rows are
    # L2-normalised, so the dot product is the cosine).
    closest = np.zeros(len(texts))
    for start in range(0, len(texts), 512):
        end = min(start + 512, len(texts))
        block = (vectors[start:end] @ vectors[:end].T).toarray()
        earlier = np.arange(end)[None, :] < np.arange(start, end)[:, None]
        closest[start:end] = np.where(earlier, block, 0.0).max(axis=1)
    results = []
    for i, text in enumerate(texts):
        hits = [phrase for _, phrase in automaton.iter(text.lower())]
        fingerprint = Simhash(text).value
        results.append((hits, fingerprint, float(closest[i])))
    return results


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, float]:
    """Best wall time and best CPU time (all threads of the process) of `repeat` runs.

    CPU time does not depend on what else the machine runs; wall time does."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = load_texts()
    phrases = bait_phrases()
    engine = sendlint.Engine()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    engine.check_many(texts)  # warm: lexicons, allocator

    rows = []
    rows.append(("pipeline: pyahocorasick + simhash + HashingVectorizer cosine", best_of(args.repeat, lambda: pipeline(texts, phrases))))
    rows.append(("check_many, no history, threads=1", best_of(args.repeat, lambda: engine.check_many(texts, threads=1))))
    rows.append((f"check_many, no history, threads={cores} (all)", best_of(args.repeat, lambda: engine.check_many(texts))))
    rows.append(("check_many, with History (replay in order)", best_of(args.repeat, lambda: engine.check_many(texts, history=sendlint.History()))))

    base, base_cpu = rows[0][1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{len(texts)} messages (data/sms_spam_collection.tsv), {len(phrases)} bait phrases, "
        f"{cores} cores, load average {load:.1f}, best of {args.repeat}"
    )
    print(f"{'':64} {'wall s':>8} {'msg/s':>10} {'vs pipeline':>12} {'CPU s':>8} {'CPU vs pipeline':>16}")
    for name, (wall, cpu) in rows:
        print(
            f"{name:64} {wall:8.4f} {len(texts) / wall:10,.0f} {base / wall:11.1f}x "
            f"{cpu:8.4f} {base_cpu / cpu:15.1f}x"
        )
    one, many = rows[1][1][0], rows[2][1][0]
    print(f"wall-time scaling 1 -> {cores} threads: {one / many:.2f}x")


if __name__ == "__main__":
    main()

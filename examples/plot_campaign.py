"""Score a CSV campaign export and plot its risk by rule and by day.

    pip install "sendlint[pandas]" matplotlib
    python examples/plot_campaign.py examples/campaign.csv risk.png

The CSV has a `text` column and, optionally, `account`, `group`, `at` (RFC 3339)
and `kind` (useful, offer or ad); empty cells mean "not given". The messages are
replayed in file order with a History, as `sendlint check` does, so the context
rules (repeats, daily volume, @all in the same group) count too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files; no display needed
import matplotlib.pyplot as plt
import pandas as pd

import sendlint

VERDICT_COLOURS = {"allow": "#4c9a2a", "review": "#e0a100", "block": "#c0392b"}


def score(path: Path) -> pd.DataFrame:
    """The campaign with its scores: risk, verdict, kind, rules, n_findings."""
    campaign = pd.read_csv(path, dtype=str, keep_default_na=False)
    campaign = campaign.replace({"": None})
    optional = {c: c if c in campaign.columns else None for c in ("account", "group", "at", "kind")}
    scores = sendlint.Engine().check_frame(
        campaign, text="text", **optional, history=sendlint.History()
    )
    return campaign.join(scores.rename(columns={"kind": "kind_checked"}))


def plot(scored: pd.DataFrame, out: Path) -> None:
    """Two panels: each rule's findings and the mean risk of the messages it
    flags; and per day, the messages by verdict with the day's mean risk."""
    figure, (by_rule, by_day) = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)

    flagged = scored.explode("rules").dropna(subset=["rules"])
    rules = flagged.groupby("rules")["risk"].agg(["count", "mean"]).sort_values("count")
    bars = by_rule.barh(rules.index, rules["count"], color="#5b7db1")
    by_rule.bar_label(bars, labels=[f"mean risk {m:.0f}" for m in rules["mean"]], padding=3)
    by_rule.set_xlabel("messages flagged")
    by_rule.set_title("Findings by rule")
    by_rule.set_xlim(0, rules["count"].max() * 1.6 if len(rules) else 1)

    days = pd.to_datetime(scored["at"], utc=True).dt.strftime("%Y-%m-%d")
    verdicts = pd.crosstab(days, scored["verdict"]).reindex(columns=list(VERDICT_COLOURS), fill_value=0)
    bottom = None
    for verdict, colour in VERDICT_COLOURS.items():
        by_day.bar(verdicts.index, verdicts[verdict], bottom=bottom, color=colour, label=verdict)
        bottom = verdicts[verdict] if bottom is None else bottom + verdicts[verdict]
    by_day.set_ylabel("messages")
    by_day.set_ylim(0, verdicts.sum(axis=1).max() * 1.35)  # room for the legend
    by_day.set_title("Messages and mean risk by day")
    risk = by_day.twinx()
    risk.plot(verdicts.index, scored.groupby(days)["risk"].mean(), color="black", marker="o", label="mean risk")
    risk.set_ylim(0, 100)
    risk.set_ylabel("mean risk (0–100)")
    handles = by_day.get_legend_handles_labels()[0] + risk.get_legend_handles_labels()[0]
    by_day.legend(handles=handles, loc="upper center", ncol=4, frameon=False)
    figure.suptitle(f"sendlint: {len(scored)} messages, {int((scored['verdict'] != 'allow').sum())} need a look")
    figure.savefig(out, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, nargs="?", default=Path(__file__).with_name("campaign.csv"))
    parser.add_argument("png", type=Path, nargs="?", default=Path("campaign-risk.png"))
    args = parser.parse_args()
    scored = score(args.csv)
    plot(scored, args.png)
    print(f"{len(scored)} messages scored; plot written to {args.png}")


if __name__ == "__main__":
    main()

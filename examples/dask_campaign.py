"""Score a large campaign with Dask: partitioned by account, one History per shard.

    pip install "sendlint[pandas]" "dask[distributed]"
    python examples/dask_campaign.py examples/campaign.jsonl scores.jsonl --workers 2

Each partition holds every message of its accounts, in send order, and replays
them with its own `History` (check, then record), as `sendlint check` does for
the whole file. Workers receive the `Engine` by pickling; no state is shared.

Where sharding by account is exact, and where it is not
-------------------------------------------------------
Every context rule reads only the sends of the message's own account
(near_duplicate, duplicate_share, daily_volume, content_mix, fatigue,
link_streak), except one: `mass_mention_repeat` reads the sends of the message's
*group* from every account. When two accounts in different shards both send @all
to one group within the window, the second is not flagged. If that matters,
shard by connected component of (account, group) instead: `components()` below
computes it, and `--exact` uses it. (On one machine, `Engine.check_many(...,
history=...)` does exactly this itself, in parallel.) `reported_content` reads
user reports, which a replay does not change: load the same reports into every
shard's History. Recipient keys: a History keyed by `SENDLINT_HISTORY_KEY` on
every worker matches recipients across runs; the key never travels in a pickle.

The same on Spark
-----------------
Spark's grouped Arrow UDFs give one account (or component) per call::

    import pyarrow as pa, sendlint

    engine = sendlint.Engine()          # pickled to the executors once

    def score(table: pa.Table) -> pa.Table:
        table = table.sort_by("row")    # send order within the account
        history = sendlint.History()    # keyed by SENDLINT_HISTORY_KEY on the executor
        reports = engine.check_many(
            table["text"], accounts=table["account"], groups=table["group"],
            at=table["at"], kinds=table["kind"], history=history, threads=1,
        )
        return pa.table({
            "row": table["row"],
            "risk": [r.risk for r in reports],
            "verdict": [r.verdict for r in reports],
            "rules": [r.rules for r in reports],
        })

    scores = df.groupBy("account").applyInArrow(
        score, "row long, risk int, verdict string, rules array<string>")

`check_many` reads the Arrow columns in place (the PyCapsule interface). Group by
a component column instead of `account` for exact `mass_mention_repeat`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Optional

import pandas as pd

import sendlint

COLUMNS = ("id", "text", "account", "group", "at", "kind")


def read_campaign(path: Path) -> pd.DataFrame:
    """A JSON Lines campaign (as `sendlint check` reads it) with a `row` column
    giving the send order."""
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines if line.strip()]
    campaign = pd.DataFrame(
        {column: [row.get(column) for row in rows] for column in COLUMNS}, dtype=object
    )
    campaign.insert(0, "row", range(len(campaign)))
    return campaign


def components(campaign: pd.DataFrame) -> pd.Series:
    """For each message, a shard key such that messages sharing an account or a
    group share the key: sharding by it is exact for every rule."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for account, group in zip(campaign["account"], campaign["group"]):
        if group is not None:
            a, b = root(f"a:{account}"), root(f"g:{group}")
            if a != b:
                parent[max(a, b)] = min(a, b)
    return pd.Series([root(f"a:{a}") for a in campaign["account"]], index=campaign.index)


def score_shard(shard: pd.DataFrame, engine: sendlint.Engine) -> pd.DataFrame:
    """Replays one shard in send order with its own History."""
    shard = shard.sort_values("row")
    history = sendlint.History()
    scores = engine.check_frame(
        shard, account="account", group="group", at="at", kind="kind", history=history, threads=1
    )
    return pd.concat([shard[["row", "id"]], scores], axis=1)


def score(
    campaign: pd.DataFrame, engine: sendlint.Engine, partitions: int, exact: bool = False
) -> pd.DataFrame:
    """The campaign's scores, in send order, computed by the current Dask client."""
    import dask.dataframe as dd

    campaign = campaign.assign(
        shard=components(campaign) if exact else campaign["account"].fillna("").astype(str)
    )
    frame = dd.from_pandas(campaign, npartitions=partitions).shuffle("shard", npartitions=partitions)
    meta = pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "id": pd.Series(dtype=object),
            "risk": pd.Series(dtype="int64"),
            "verdict": pd.Series(dtype=object),
            "kind": pd.Series(dtype=object),
            "rules": pd.Series(dtype=object),
            "n_findings": pd.Series(dtype="int64"),
        }
    )
    scores = frame.map_partitions(score_shard, engine, meta=meta).compute()
    return scores.sort_values("row").reset_index(drop=True)


def main(argv: Optional[list[str]] = None) -> None:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("campaign", type=Path)
    parser.add_argument("out", type=Path, help="scores as JSON Lines, in send order")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--exact", action="store_true", help="shard by (account, group) component")
    args = parser.parse_args(argv)
    with LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        with Client(cluster):
            scores = score(read_campaign(args.campaign), sendlint.Engine(), args.partitions, args.exact)
    scores.to_json(args.out, orient="records", lines=True, force_ascii=False)
    flagged = int((scores["verdict"] != "allow").sum())
    print(f"{len(scores)} messages scored, {flagged} flagged; written to {args.out}")


if __name__ == "__main__":
    main()

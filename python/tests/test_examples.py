"""The worked examples under examples/: Dask scale-out and the matplotlib plot."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import sendlint
from conftest import ROOT

sys.path.insert(0, str(ROOT / "examples"))


def replay_in_order(campaign: Any) -> list[sendlint.Report]:
    return sendlint.Engine().check_many(
        list(campaign["text"]),
        accounts=list(campaign["account"]),
        groups=list(campaign["group"]),
        at=list(campaign["at"]),
        kinds=list(campaign["kind"]),
        history=sendlint.History(),
        threads=1,
    )


@pytest.fixture(scope="module")
def client() -> Any:
    pytest.importorskip("pandas")
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


def test_dask_by_account_matches_the_replay_in_order(client: Any, tmp_path: Path) -> None:
    import pandas as pd

    import dask_campaign

    # The example campaign, sent by four branches of each shop over a week.
    rows = [json.loads(l) for l in (ROOT / "examples" / "campaign.jsonl").read_text("utf-8").splitlines()]
    start = datetime(2026, 11, 2, 6, 0, tzinfo=timezone.utc)
    lines = []
    for i in range(4 * len(rows)):
        row = dict(rows[i % len(rows)], id=f"m{i}")
        row["account"] = f'{row.get("account")}-{i % 4}'
        row["group"] = f'{row.get("group")}-{i % 4}'
        row["at"] = (start + timedelta(minutes=37 * i)).isoformat()
        row.pop("recipients", None)
        lines.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "campaign.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    campaign = dask_campaign.read_campaign(path)
    expected = replay_in_order(campaign)
    for exact in (False, True):
        scores = dask_campaign.score(campaign, sendlint.Engine(), partitions=3, exact=exact)
        assert list(scores["id"]) == [f"m{i}" for i in range(len(lines))]
        assert list(scores["risk"]) == [r.risk for r in expected]
        assert [list(r) for r in scores["rules"]] == [r.rules for r in expected]
    assert any("near_duplicate" in r.rules for r in expected)


def test_dask_by_account_misses_at_all_repeats_across_accounts(client: Any) -> None:
    import pandas as pd

    import dask_campaign

    # Two accounts notify the same group with @all an hour apart.
    campaign = pd.DataFrame(
        {
            "id": ["a", "b"],
            "text": ["@all Treffen heute um 18 Uhr im Hof", "@all Flohmarkt am Samstag im Hof"],
            "account": ["hausverwaltung", "mieterbeirat"],
            "group": ["haus-12", "haus-12"],
            "at": ["2026-11-02T09:00:00Z", "2026-11-02T10:00:00Z"],
            "kind": [None, None],
        }
    ).astype(object)
    campaign.insert(0, "row", range(2))
    expected = replay_in_order(campaign)
    assert "mass_mention_repeat" in expected[1].rules
    by_account = dask_campaign.score(campaign, sendlint.Engine(), partitions=2)
    exact = dask_campaign.score(campaign, sendlint.Engine(), partitions=2, exact=True)
    assert list(exact["rules"][1]) == expected[1].rules
    assert "mass_mention_repeat" not in list(by_account["rules"][1])


def test_dask_example_runs_as_a_script(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    out = tmp_path / "scores.jsonl"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "dask_campaign.py"), str(ROOT / "examples" / "campaign.jsonl"), str(out), "--workers", "1", "--partitions", "2"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    scores = [json.loads(l) for l in out.read_text("utf-8").splitlines()]
    assert [s["id"] for s in scores][:3] == ["c01", "c02", "c03"] and len(scores) == 30


def test_plot_campaign_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    import plot_campaign

    scored = plot_campaign.score(ROOT / "examples" / "campaign.csv")
    assert len(scored) == 30 and {"risk", "verdict", "rules"} <= set(scored.columns)
    assert scored["rules"].map(len).sum() > 0
    png = tmp_path / "risk.png"
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "plot_campaign.py"), str(ROOT / "examples" / "campaign.csv"), str(png)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000

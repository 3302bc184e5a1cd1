"""Frames of results: `Engine.check_frame`'s output and `to_frame(reports)`.

pandas and polars are optional (`pip install sendlint[pandas]` or
`sendlint[polars]`): they are imported only when a frame is asked for.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from ._sendlint import Report

COLUMNS = ("risk", "verdict", "kind", "rules", "n_findings")


def library_of(df: Any) -> str:
    """`"pandas"` or `"polars"`: the library a frame (or Series) comes from."""
    root = type(df).__module__.split(".")[0]
    if root not in ("pandas", "polars"):
        raise TypeError(
            f"expected a pandas or polars DataFrame, not {type(df).__module__}.{type(df).__name__}"
        )
    return root


def assemble(df: Any, columns: Any) -> Any:
    """The result frame of `Engine.check_frame`, of `df`'s library and aligned
    with it. `columns` is an Arrow table (for polars, read through the Arrow
    PyCapsule interface) or a dict of one list per column (for pandas, which
    needs pyarrow to read Arrow); None marks a skipped row."""
    if library_of(df) == "polars":
        import polars as pl

        return pl.DataFrame(columns)
    import pandas as pd

    skipped = any(r is None for r in columns["risk"])
    # Nullable integers only when a row was skipped, so the common case keeps
    # plain numpy dtypes.
    number = "Int64" if skipped else "int64"
    return pd.DataFrame(
        {
            "risk": pd.Series(columns["risk"], index=df.index, dtype=number),
            "verdict": pd.Series(columns["verdict"], index=df.index, dtype=object),
            "kind": pd.Series(columns["kind"], index=df.index, dtype=object),
            "rules": pd.Series(columns["rules"], index=df.index, dtype=object),
            "n_findings": pd.Series(columns["n_findings"], index=df.index, dtype=number),
        },
        index=df.index,
    )


def to_frame(reports: Iterable[Optional[Report]], library: str = "pandas") -> Any:
    """A frame of reports for exploration: one row per report (`None`, as
    `errors="skip"` returns for a bad row, stays an empty row), with columns
    `text`, `risk`, `verdict`, `kind`, `kind_source`, `rules` and `n_findings`."""
    if library not in ("pandas", "polars"):
        raise ValueError(f'library must be "pandas" or "polars", not {library!r}')
    names = ("text", "risk", "verdict", "kind", "kind_source", "rules", "n_findings")
    data: dict[str, list[Any]] = {name: [] for name in names}
    for report in reports:
        if report is None:
            for values in data.values():
                values.append(None)
            continue
        rules = report.rules
        data["text"].append(report.text)
        data["risk"].append(report.risk)
        data["verdict"].append(report.verdict)
        data["kind"].append(report.kind)
        data["kind_source"].append(report.kind_source)
        data["rules"].append(rules)
        data["n_findings"].append(len(rules))
    if library == "polars":
        import polars as pl

        return pl.DataFrame(
            data,
            schema={
                "text": pl.String,
                "risk": pl.UInt8,
                "verdict": pl.String,
                "kind": pl.String,
                "kind_source": pl.String,
                "rules": pl.List(pl.String),
                "n_findings": pl.UInt32,
            },
        )
    import pandas as pd

    frame = pd.DataFrame(data, columns=list(names))
    if any(r is None for r in data["risk"]):
        frame = frame.astype({"risk": "Int64", "n_findings": "Int64"})
    return frame

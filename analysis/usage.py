"""Usage metrics of the rolled-out system (active users, DAU/MAU, approvals…) per department.

The metrics are department aggregates exported from the system's admin console, not survey answers,
so no anonymity threshold applies to them. This module knows what each known metric means and so how
it adds up: counts are summed, shares and hours are averaged weighted by the figure they are a share
of. `roll_up` brings a table given per store up to any department level; unknown (custom) metrics
cannot be added up safely, so they are only shown where they were given.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

COUNT, SHARE, HOURS = "count", "share", "hours"


@dataclass(frozen=True)
class MetricSpec:
    key: str
    kind: str
    weight: str | None = None


METRICS = {
    spec.key: spec
    for spec in (
        MetricSpec("headcount", COUNT),
        MetricSpec("active_users", COUNT),
        MetricSpec("dau_mau", SHARE, "active_users"),
        MetricSpec("approvals", COUNT),
        MetricSpec("approval_hours", HOURS, "approvals"),
        MetricSpec("checkin_rate", SHARE, "headcount"),
    )
}
ADOPTION = "adoption"  # active users ÷ headcount, derived


def depth(path: str) -> int:
    return path.count("/") + 1


def ancestor(path: str, level: int) -> str:
    return "/".join(path.split("/")[:level])


def with_headcount(usage: pd.DataFrame, directory_headcount: dict[str, int]) -> pd.DataFrame:
    """Adds the people directory's headcount for departments whose file gave none."""
    given = set(usage.loc[usage["metric"] == "headcount", "department"])
    extra = [
        {"department": d, "metric": "headcount", "value": float(directory_headcount[d])}
        for d in sorted(set(usage["department"]) - given)
        if directory_headcount.get(d)
    ]
    if not extra:
        return usage
    return pd.concat([usage, pd.DataFrame(extra)], ignore_index=True)


def combine(values: dict[str, pd.Series], metric: str) -> float | None:
    """One figure from several departments' figures of `metric` (`values` maps metric → per-department Series)."""
    series = values.get(metric)
    if series is None or series.dropna().empty:
        return None
    series = series.dropna()
    spec = METRICS.get(metric)
    if spec is None:
        return None
    if spec.kind == COUNT:
        return float(series.sum())
    weights = values.get(spec.weight) if spec.weight else None
    if weights is not None:
        weights = weights.reindex(series.index)
        if weights.notna().all() and weights.sum() > 0:
            return float((series * weights).sum() / weights.sum())
    return float(series.mean())


def roll_up(usage: pd.DataFrame, level: int) -> pd.DataFrame:
    """One row per department at `level`, one column per metric.

    A department's own row is used as given; otherwise its figures are combined from the shallowest
    level below it at which the metric was given, so nothing is counted twice.
    """
    usage = usage.dropna(subset=["value"])
    if usage.empty:
        return pd.DataFrame()
    usage = usage.assign(depth=usage["department"].map(depth))
    usage = usage[usage["depth"] >= level]
    usage = usage.assign(target=usage["department"].map(lambda path: ancestor(path, level)))
    table: dict[str, dict[str, float]] = {}
    for target, rows in usage.groupby("target", sort=True):
        figures = table.setdefault(str(target), {})  # department paths and metric keys are strings
        for metric_key, metric_rows in rows.groupby("metric", sort=True):
            metric = str(metric_key)
            shallowest = metric_rows[metric_rows["depth"] == metric_rows["depth"].min()]
            if shallowest["depth"].iloc[0] == level:
                figures[metric] = float(shallowest["value"].iloc[0])
                continue
            value = combine(_by_metric(rows[rows["department"].isin(shallowest["department"])]), metric)
            if value is not None:
                figures[metric] = value
    frame = pd.DataFrame.from_dict(table, orient="index")
    frame.index.name = "department"
    return add_adoption(frame)


def _by_metric(rows: pd.DataFrame) -> dict[str, pd.Series]:
    return {str(metric): part.set_index("department")["value"] for metric, part in rows.groupby("metric")}


def add_adoption(frame: pd.DataFrame) -> pd.DataFrame:
    if "active_users" in frame.columns and "headcount" in frame.columns:
        headcount = frame["headcount"].where(frame["headcount"] > 0)
        frame[ADOPTION] = (frame["active_users"] / headcount).clip(upper=1.0)
    return frame


def organisation_totals(table: pd.DataFrame) -> dict[str, float | None]:
    """The whole organisation from the departments of one level (known metrics only)."""
    if table.empty:
        return {}
    values = {metric: table[metric] for metric in table.columns}
    totals = {metric: combine(values, metric) for metric in table.columns if metric in METRICS}
    active_users, headcount = totals.get("active_users"), totals.get("headcount")
    if active_users is not None and headcount:
        totals[ADOPTION] = min(1.0, active_users / headcount)
    return totals

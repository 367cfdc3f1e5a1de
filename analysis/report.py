"""The quarterly system-health report (系统健康度报告): one function, `assemble`, turns plain data into
the report's figures.

The app layer gathers the inputs: usage metrics as stored, survey figures exactly as the results
pages release them (so a department hidden there is hidden here), the quarter's themes and the
suggestions with their events. Nothing here sees a respondent. What it adds on top of released
figures goes through `analysis.privacy`: the rank correlation across departments only when every
department in it is released, theme figures only at k_text. The result is plain JSON-ready data, so
a published report can be frozen as it is.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeAlias

import pandas as pd
from scipy.stats import permutation_test, spearmanr

from analysis.privacy import BELOW_K, Release, release_across_groups
from analysis.text.release import theme_release
from analysis.usage import ADOPTION, organisation_totals, roll_up, with_headcount
from surveys.scoring import (
    ADKAR_ORDER,
    family_members,
    main_barrier,
    member_key,
    readiness_index,
    resistance_index,
)

TOP_THEMES = 5
MIN_DEPARTMENTS_FOR_CORRELATION = 3
EXACT_UP_TO = 7  # departments: up to 7! orderings the p-value is exact, beyond it the t approximation holds
SIGNIFICANCE_LEVEL = 0.05
DECISIONS = ("adopted", "declined", "merged")
SECTIONS = ("summary", "kpis", "departments", "themes", "suggestions", "changes", "attention")
USAGE_COLUMNS = ("headcount", "active_users", ADOPTION, "dau_mau", "approvals", "approval_hours", "checkin_rate")
LOWER_IS_BETTER = {"approval_hours", "resistance"}
# The report is JSON-ready data (it is frozen as JSON when published): objects whose values are numbers,
# text, booleans, None, lists and further objects, depending on the key.
Json: TypeAlias = dict[str, Any]


@dataclass
class ReleasedGroup:
    """A group's figures exactly as the results pages release them (flat score keys: sus, enps, adkar_…)."""

    suppressed: bool
    n: int | None
    reason: str | None = None
    scores: dict[str, float | None] = field(default_factory=dict)
    barrier_points: dict[str, int] | None = None

    def release(self) -> Release:
        return Release(self.suppressed, self.n, self.reason)


@dataclass
class SurveyRelease:
    """One campaign's released overall figures and its departments at the report's level."""

    k: int
    overall: ReleasedGroup
    departments: dict[str, ReleasedGroup] = field(default_factory=dict)


@dataclass
class ThemeSummary:
    label: str
    respondents: int
    negative_respondents: int = 0
    recurring_quarters: list[str] = field(default_factory=list)
    previous_respondents: int | None = None
    quote: str | None = None


@dataclass
class SuggestionRecord:
    """A suggestion's creation day and its status events (status, day), oldest first."""

    created_on: date
    events: list[tuple[str, date]] = field(default_factory=list)


@dataclass
class ReportInputs:
    quarter: str
    previous_quarter: str
    level: int
    quarter_start: date
    quarter_end: date
    previous_start: date
    k_text: int
    usage: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["quarter", "department", "metric", "value"])
    )
    headcount: dict[str, int] = field(default_factory=dict)
    satisfaction: SurveyRelease | None = None
    satisfaction_previous: SurveyRelease | None = None
    readiness: SurveyRelease | None = None
    readiness_previous: SurveyRelease | None = None
    themes: list[ThemeSummary] = field(default_factory=list)
    suggestions: list[SuggestionRecord] = field(default_factory=list)


def assemble(inputs: ReportInputs) -> Json:
    """The report's data: headline KPIs, departments, themes, the suggestion funnel, departments needing attention."""
    usage_now = _usage_table(inputs, inputs.quarter, inputs.level)
    _usage_table(inputs, inputs.previous_quarter, inputs.level)
    funnel = suggestion_funnel(inputs.suggestions, inputs.quarter_start, inputs.quarter_end)
    funnel_before = suggestion_funnel(inputs.suggestions, inputs.previous_start, inputs.quarter_start)
    departments = department_rows(inputs, usage_now)
    return {
        "quarter": inputs.quarter,
        "previous_quarter": inputs.previous_quarter,
        "level": inputs.level,
        "k": inputs.satisfaction.k if inputs.satisfaction else (inputs.readiness.k if inputs.readiness else None),
        "k_text": inputs.k_text,
        "kpis": headline_kpis(inputs, funnel, funnel_before),
        "departments": {
            "rows": departments,
            "usage_metrics": [m for m in USAGE_COLUMNS if m in usage_now.columns],
            "custom_metrics": sorted(m for m in usage_now.columns if m not in USAGE_COLUMNS),
            "correlation": rank_correlation(departments, inputs.satisfaction),
        },
        "themes": top_themes(inputs.themes, inputs.k_text),
        "suggestions": funnel,
        "attention": needing_attention(departments, inputs.readiness),
        "profile": {
            "satisfaction": _profile(inputs.satisfaction, "modules"),
            "readiness": _profile(inputs.readiness, "adkar"),
        },
    }


def _profile(release: SurveyRelease | None, family: str) -> Json | None:
    """Released overall means of one family of scales (module satisfaction, ADKAR elements)."""
    if release is None or release.overall.suppressed:
        return None
    members = family_members(release.overall.scores or {}, family)
    return {member: _plain(value) for member, value in members.items() if value is not None} or None


def _usage_table(inputs: ReportInputs, quarter: str, level: int) -> pd.DataFrame:
    usage = inputs.usage
    if usage.empty:
        return pd.DataFrame()
    rows = usage.loc[usage["quarter"] == quarter, ["department", "metric", "value"]]
    if rows.empty:
        return pd.DataFrame()
    return roll_up(with_headcount(rows, inputs.headcount), level)


def _survey_figures(release: SurveyRelease | None) -> dict[str, float | None]:
    """The overall figures a release shows (none when there is no release or it is suppressed)."""
    if release is None or release.overall.suppressed:
        return {}
    scores = release.overall.scores or {}
    figures = {
        "sus": scores.get("sus"),
        "enps": scores.get("enps"),
        "readiness": readiness_index(scores),
        "resistance": resistance_index(scores),
    }
    return figures


def _kpi(
    key: str,
    value: object,
    previous: object,
    source: str,
    group: ReleasedGroup | None = None,
    k: int | None = None,
) -> Json:
    kpi: Json = {
        "key": key,
        "value": _plain(value),
        "previous": _plain(previous),
        "change": None,
        "source": source,
        "suppressed": False,
        "reason": None,
        "k": k,
        "lower_is_better": key in LOWER_IS_BETTER,
    }
    if group is not None and group.suppressed:
        kpi.update(value=None, suppressed=True, reason=group.reason or BELOW_K)
    if kpi["value"] is not None and kpi["previous"] is not None:
        kpi["change"] = round(
            kpi["value"] - kpi["previous"], 4 if key in ("adoption", "dau_mau", "checkin_rate") else 2
        )
    return kpi


def headline_kpis(inputs: ReportInputs, funnel: Json, funnel_before: Json) -> list[Json]:
    """The figures on the first page, each with the previous quarter's and the change."""
    usage_now = organisation_totals(_usage_table(inputs, inputs.quarter, 1))
    usage_before = organisation_totals(_usage_table(inputs, inputs.previous_quarter, 1))
    kpis = [
        _kpi(metric, usage_now.get(metric), usage_before.get(metric), "usage")
        for metric in ("active_users", ADOPTION, "dau_mau", "approval_hours", "checkin_rate")
        if usage_now.get(metric) is not None
    ]
    for release, release_before, keys in (
        (inputs.satisfaction, inputs.satisfaction_previous, ("sus", "enps")),
        (inputs.readiness, inputs.readiness_previous, ("readiness", "resistance")),
    ):
        if release is None:
            continue
        now, group = _survey_figures(release), release.overall
        before = _survey_figures(release_before)
        for key in keys:
            if group.suppressed or now.get(key) is not None:
                kpis.append(_kpi(key, now.get(key), before.get(key), "survey", group, release.k))
    for key in ("received", "adopted", "implemented"):
        kpis.append(_kpi(f"suggestions_{key}", funnel[key], funnel_before[key], "suggestions"))
    return kpis


def department_rows(inputs: ReportInputs, usage: pd.DataFrame) -> list[Json]:
    """Departments at the report's level: usage figures next to released satisfaction and readiness."""
    names = set(usage.index) if not usage.empty else set()
    for release in (inputs.satisfaction, inputs.readiness):
        if release is not None:
            names |= set(release.departments)
    rows = []
    for name in sorted(names):
        usage_row = usage.loc[name].dropna().to_dict() if name in usage.index else {}
        rows.append(
            {
                "department": name,
                "usage": {metric: _plain(value) for metric, value in usage_row.items()},
                "satisfaction": _released_department(inputs.satisfaction, name, ("sus", "enps")),
                "readiness": _released_department(inputs.readiness, name, ()),
            }
        )
    return rows


def _released_department(release: SurveyRelease | None, name: str, keys: tuple[str, ...]) -> Json | None:
    if release is None:
        return None
    group = release.departments.get(name)
    if group is None:
        return {"suppressed": True, "n": None, "reason": BELOW_K, "k": release.k, "missing": True}
    if group.suppressed:
        return {"suppressed": True, "n": None, "reason": group.reason or BELOW_K, "k": release.k}
    figures: Json = {"suppressed": False, "n": group.n, "k": release.k}
    for key in keys:
        figures[key] = _plain(group.scores.get(key))
    if not keys:
        figures["index"] = readiness_index(group.scores)
        figures["resistance"] = resistance_index(group.scores)
        figures["barrier"] = main_barrier(group.barrier_points)
        figures["adkar"] = {element: _plain(group.scores.get(member_key("adkar", element))) for element in ADKAR_ORDER}
    return figures


def adoption_metric(rows: list[Json]) -> str | None:
    """Adoption is active users ÷ headcount; DAU/MAU stands in when no department has both."""
    for metric in (ADOPTION, "dau_mau"):
        if any(row["usage"].get(metric) is not None for row in rows):
            return metric
    return None


def rank_correlation(rows: list[Json], satisfaction: SurveyRelease | None) -> Json:
    """Spearman's ρ between adoption and SUS across departments, released only when every department in it is."""
    metric = adoption_metric(rows)
    result: Json = {
        "shown": False,
        "metric": metric,
        "rho": None,
        "p_value": None,
        "n": 0,
        "reason": None,
        "blocked": [],
        "k": satisfaction.k if satisfaction else None,
        "significant": False,
    }
    result["reason"] = _missing_input(metric, satisfaction)
    if metric is None or satisfaction is None:
        return result
    included = [row for row in rows if row["usage"].get(metric) is not None]
    groups = {row["department"]: _decision(row["satisfaction"]) for row in included}
    decision, blocked = release_across_groups(groups, satisfaction.k)
    result["n"] = len(included)
    if decision.suppressed:
        result.update(reason=decision.reason, blocked=blocked)
        return result
    pairs = [(row["usage"][metric], row["satisfaction"].get("sus")) for row in included]
    if len(pairs) < MIN_DEPARTMENTS_FOR_CORRELATION or any(sus is None for _, sus in pairs):
        result["reason"] = "too_few"
        return result
    x, y = zip(*pairs)
    if len(set(x)) < 2 or len(set(y)) < 2:
        result["reason"] = "constant"
        return result
    rho, p_value = spearman(x, y)
    result.update(
        shown=True,
        rho=round(float(rho), 2),
        p_value=round(float(p_value), 3),
        significant=bool(p_value < SIGNIFICANCE_LEVEL),
    )
    return result


def spearman(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Spearman's ρ and its two-sided p-value: exact over every ordering for few departments (where the
    t approximation is far off, e.g. p = 0 for a perfect ρ over four), scipy's approximation beyond."""
    rho = spearmanr(x, y).statistic
    if len(x) > EXACT_UP_TO:
        return rho, spearmanr(x, y).pvalue
    exact = permutation_test(
        (list(x),),
        lambda ordered: spearmanr(ordered, y).statistic,
        permutation_type="pairings",
        alternative="two-sided",
        n_resamples=math.inf,
    )
    return rho, float(exact.pvalue)


def _missing_input(metric: str | None, release: SurveyRelease | None) -> str | None:
    """Why a figure across departments cannot be computed: no usage metrics, or no survey this quarter."""
    if metric is None:
        return "no_usage"
    return "no_survey" if release is None else None


def _decision(figures: Json | None) -> Release:
    if figures is None or figures["suppressed"]:
        return Release(True, None, (figures or {}).get("reason", BELOW_K))
    return Release.shown(figures["n"])


def top_themes(themes: list[ThemeSummary], k_text: int) -> Json:
    """The largest recurring complaints (already ranked); a theme, its quote and its change need k_text
    (`analysis.text.release`); the others are only counted."""
    released = [(t, theme_release(t.respondents, k_text)) for t in themes]
    released = [(t, release) for t, release in released if release.shown]
    items = []
    for theme, release in released[:TOP_THEMES]:
        previous = theme.previous_respondents
        change: int | None = None
        if previous is not None and theme_release(previous, k_text).shown:
            change = theme.respondents - previous
        comparable = change is not None
        if previous is None:
            trend = "new" if len(theme.recurring_quarters) <= 1 else "recurring"
        elif change is None:  # not comparable
            trend = "recurring"
        else:
            trend = "up" if change > 0 else ("down" if change < 0 else "flat")
        items.append(
            {
                "label": theme.label,
                "respondents": theme.respondents,
                "negative_respondents": theme.negative_respondents if release.polarity else None,
                "quarters": sorted(theme.recurring_quarters),
                "previous_respondents": previous if comparable else None,
                "change": change,
                "trend": trend,
                "quote": theme.quote if release.quotes else None,
            }
        )
    return {"k_text": k_text, "items": items, "withheld": len(themes) - len(released), "total": len(themes)}


def suggestion_funnel(suggestions: list[SuggestionRecord], start: date, end: date) -> Json:
    """Suggestions received in [start, end) and how far they have come: adopted, implemented, days to decision."""
    cohort = [s for s in suggestions if start <= s.created_on < end]
    reached = [{status for status, _ in s.events} for s in cohort]
    days = []
    for suggestion in cohort:
        decided = next((day for status, day in suggestion.events if status in DECISIONS), None)
        if decided is not None:
            days.append((decided - suggestion.created_on).days)
    received = len(cohort)
    adopted = sum("adopted" in statuses for statuses in reached)
    implemented = sum("implemented" in statuses for statuses in reached)
    return {
        "received": received,
        "adopted": adopted,
        "implemented": implemented,
        "declined": sum("declined" in statuses for statuses in reached),
        "merged": sum("merged" in statuses for statuses in reached),
        "decided": len(days),
        "pending": received - len(days),
        "adoption_rate": round(adopted / received, 4) if received else None,
        "implementation_rate": round(implemented / adopted, 4) if adopted else None,
        "median_days_to_decision": _plain(statistics.median(days)) if days else None,
        "mean_days_to_decision": round(statistics.fmean(days), 1) if days else None,
    }


def needing_attention(rows: list[Json], readiness: SurveyRelease | None) -> Json:
    """Departments with adoption below the departments' median and readiness below the organisation's."""
    metric = adoption_metric(rows)
    result: Json = {
        "rows": [],
        "metric": metric,
        "median_adoption": None,
        "organisation_readiness": None,
        "not_assessed": [],
        "reason": None,
    }
    result["reason"] = _missing_input(metric, readiness)
    if metric is None or readiness is None:
        return result
    overall = _survey_figures(readiness)
    if overall.get("readiness") is None:
        result["reason"] = "overall_hidden"
        return result
    adoption = [row["usage"][metric] for row in rows if row["usage"].get(metric) is not None]
    median = statistics.median(adoption)
    result.update(median_adoption=_plain(median), organisation_readiness=overall["readiness"])
    for row in rows:
        value = row["usage"].get(metric)
        if value is None:
            continue
        figures = row["readiness"]
        if figures is None or figures["suppressed"] or figures.get("index") is None:
            result["not_assessed"].append(row["department"])
            continue
        if value < median and figures["index"] < overall["readiness"]:
            result["rows"].append(
                {
                    "department": row["department"],
                    "adoption": value,
                    "readiness": figures["index"],
                    "barrier": figures["barrier"],
                    "adkar": figures["adkar"],
                    "n": figures["n"],
                }
            )
    result["rows"].sort(key=lambda row: (row["readiness"], row["adoption"]))
    return result


def _plain(value: object) -> object:
    """numpy scalars and NaN → JSON-ready Python values."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

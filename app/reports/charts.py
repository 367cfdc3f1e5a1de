"""Data for the report's server-side SVG charts (drawn by the macros in reports/_charts.html)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.i18n import current_language
from app.reports.labels import ADKAR_LABELS


def department_points(data: dict) -> list[dict]:
    """Departments whose adoption and SUS are both released: x is adoption (0–1), y is SUS."""
    metric = data["departments"]["correlation"]["metric"]
    points = []
    for row in data["departments"]["rows"]:
        satisfaction = row["satisfaction"]
        x = row["usage"].get(metric) if metric else None
        if x is None or not satisfaction or satisfaction["suppressed"] or satisfaction.get("sus") is None:
            continue
        points.append({"x": x, "y": satisfaction["sus"], "label": row["department"].split("/")[-1], "data": True})
    points.sort(key=lambda point: point["x"])
    for index, point in enumerate(points):
        point["below"] = index % 2 == 1  # neighbours' labels alternate above and below their dots
    return points


def theme_bars(data: dict) -> list[dict]:
    return [
        {
            "label": item["label"],
            "value": item["respondents"],
            "display": _("%(n)s 人", n=item["respondents"]),
            "css": "bar-negative",
            "data": True,  # a theme's name is the users' words
        }
        for item in data["themes"]["items"]
    ]


def funnel_bars(data: dict) -> list[dict]:
    funnel = data["suggestions"]
    return [
        {"label": _("收到"), "value": funnel["received"], "display": f"{funnel['received']:,}", "css": ""},
        {"label": _("采纳"), "value": funnel["adopted"], "display": f"{funnel['adopted']:,}", "css": "bar-good"},
        {
            "label": _("已实施"),
            "value": funnel["implemented"],
            "display": f"{funnel['implemented']:,}",
            "css": "bar-good",
        },
    ]


def adkar_bars(row: dict) -> list[dict]:
    """A department's five ADKAR means, its barrier element marked."""
    return [
        {
            "label": str(ADKAR_LABELS[element]),
            "value": score,
            "display": f"{score:.2f}",
            "css": "bar-barrier" if element == row["barrier"] else "",
        }
        for element, score in row["adkar"].items()
        if score is not None
    ]


def profile_bars(data: dict, family: str) -> list[dict]:
    """Released overall means of module satisfaction ("satisfaction") or ADKAR elements ("readiness")."""
    profile = (data.get("profile") or {}).get(family) or {}
    titles = data.get("module_titles") or {}
    language = current_language()
    bars = []
    for key, score in profile.items():
        label = str(ADKAR_LABELS[key]) if family == "readiness" else (titles.get(key) or {}).get(language, key)
        bars.append(
            {"label": label, "value": score, "display": f"{score:.2f}", "css": "bar-negative" if score < 3 else ""}
        )
    return bars


def module_names(data: dict) -> dict[str, str]:
    """Module key → its title in the reader's language, from the titles frozen with the report."""
    language = current_language()
    return {key: titles.get(language, key) for key, titles in (data.get("module_titles") or {}).items()}


def changes(data: dict) -> list[dict]:
    """The quarter's implemented changes (你说，我们做), each with its moment back as a datetime."""
    return [{**change, "at": datetime.fromisoformat(change["implemented_at"])} for change in data.get("changes") or []]

"""Builders for report tests: a quarter with both surveys by department, usage metrics, a theme run, suggestions."""

from datetime import datetime

from app.extensions import db
from app.models import Suggestion, SuggestionEvent, Theme, ThemeRun, UsageMetric
from tests.web.respond_helpers import add_people, make_campaign
from tests.web.results_helpers import add_responses, readiness, satisfaction

EAST, SOUTH, NORTH = "总部/华东区/杭州门店", "总部/华南区/深圳门店", "总部/华北区/北京门店"


def survey(instrument, specs, quarter="2026Q4"):
    campaign, _ = make_campaign(instrument=instrument, people=0, quarter=quarter)
    add_responses(campaign, specs)
    return campaign


def usage(quarter, figures):
    """figures: {department path: {metric: value}}"""
    for department, metrics in figures.items():
        for metric, value in metrics.items():
            db.session.add(UsageMetric(quarter=quarter, department_path=department, metric=metric, value=value))
    db.session.commit()


def theme_run(quarter, themes):
    """themes: list of (label, respondents, quote)."""
    run = ThemeRun(campaign_ids=[], quarter=quarter, status="succeeded", params={"k_text": 10})
    db.session.add(run)
    db.session.flush()
    for rank, (label, respondents, quote) in enumerate(themes):
        db.session.add(
            Theme(
                run_id=run.id,
                label=label,
                respondents=respondents,
                negative_respondents=respondents,
                size=respondents,
                representatives=[quote],
                rank=rank,
                lineage=f"l{rank}",
                recurring_quarters=[quarter],
            )
        )
    db.session.commit()
    return run


def suggestion(title, created, steps=()):
    """steps: (status, datetime) after submission."""
    item = Suggestion(title=title, status=steps[-1][0] if steps else "submitted", created_at=created)
    db.session.add(item)
    db.session.flush()
    db.session.add(SuggestionEvent(suggestion_id=item.id, to_status="submitted", created_at=created))
    previous = "submitted"
    for status, at in steps:
        db.session.add(SuggestionEvent(suggestion_id=item.id, from_status=previous, to_status=status, created_at=at))
        previous = status
    db.session.commit()
    return item


def quarter_with_everything():
    """2026Q4: East 12 and South 9 satisfied respondents, North 2 (hidden, and South with it); usage per store."""
    for start, department in enumerate((EAST, SOUTH, NORTH)):
        add_people(20, department=department, start=100 * start + 1)
    survey(
        "quarterly-satisfaction",
        [
            (12, "employee", EAST, "第一批", satisfaction(5, 9)),
            (9, "employee", SOUTH, "第二批", satisfaction(3, 7)),
            (2, "employee", NORTH, "第三批", satisfaction(1, 0)),
        ],
    )
    survey(
        "change-readiness",
        [
            (12, "employee", EAST, "第一批", readiness(4)),
            (9, "employee", SOUTH, "第二批", readiness(3)),
            (6, "employee", NORTH, "第三批", readiness(2)),
        ],
    )
    usage(
        "2026Q4",
        {
            EAST: {"headcount": 20, "active_users": 18},
            SOUTH: {"headcount": 20, "active_users": 12},
            NORTH: {"headcount": 10, "active_users": 4},
        },
    )
    theme_run("2026Q4", [("审批太慢", 14, "审批要等三天"), ("打卡定位不准", 4, "定位老是偏")])
    suggestion(
        "审批改为一级",
        datetime(2026, 10, 5),
        [("under_review", datetime(2026, 10, 6)), ("adopted", datetime(2026, 10, 9))],
    )

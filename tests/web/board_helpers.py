"""Builders for the committee's monthly account: published suggestions whose history happened at given times."""

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from analysis.months import Month
from app.committee.service import create_suggestion
from app.committee.workflow import Decision, transition
from app.demo_comments import demo_comment
from app.extensions import db
from app.models import Campaign, StaffUser, SuggestionTheme, ThemeRun
from app.staff import create_staff_user
from app.themes.runs import create_run, execute_run
from tests.web.results_helpers import add_responses, campaign_with, satisfaction

NOTES = {
    "declined": "与考勤制度冲突，暂不采纳",
    "adopted": "下季度上线",
    "implemented": "已上线 WiFi 打卡",
    "merged": None,
}


def committee_member() -> StaffUser:
    member = db.session.execute(select(StaffUser).where(StaffUser.role == "committee")).scalars().first()
    if member is None:
        member = create_staff_user(db.session, "board-committee@example.com", "committee", "board password 123")
        db.session.commit()
    return member


def suggestion_at(title: str, history: list[tuple[str, datetime]], published=True, module="attendance", notes=None):
    """A suggestion received at history[0]'s time ('submitted'), then moved through the other statuses at
    theirs (under_review is implied before adopted and declined)."""
    member = committee_member()
    if module not in (None, "other") and db.session.execute(select(Campaign.id).limit(1)).first() is None:
        campaign_with([])  # a satisfaction survey in use, whose modules a suggestion may name
    notes = {**NOTES, **(notes or {})}
    suggestion = create_suggestion(db.session, title, "说明", module, member.id)
    received_at = history[0][1]
    suggestion.created_at = received_at
    suggestion.events[0].created_at = received_at
    for status, at in history[1:]:
        if status in ("adopted", "declined", "merged") and suggestion.status == "submitted":
            transition(db.session, suggestion, Decision("under_review"), member.id).created_at = at
        decision = Decision(status, notes.get(status), member.id, "2027Q1")
        transition(db.session, suggestion, decision, member.id).created_at = at
    suggestion.published = published
    db.session.commit()
    return suggestion


def local(month: Month, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A stored moment (naive UTC) for a local time in Shanghai (UTC+8) on `day` of `month`."""
    start, _ = month.bounds("Asia/Shanghai")
    return start + timedelta(days=day - 1, hours=hour, minutes=minute)


def a_busy_month(month: Month):
    """Received 3, adopted 1, implemented 1, declined 1 in `month` (and one unpublished, not counted)."""
    suggestion_at("开放手机端批量审批", [("submitted", local(month, 2)), ("adopted", local(month, 9))])
    suggestion_at(
        "取消日报",
        [("submitted", local(month, 3)), ("declined", local(month, 12))],
        notes={"declined": "日报是经营复盘的要求，暂不取消"},
    )
    suggestion_at("消息免打扰", [("submitted", local(month, 4))], module="message")
    earlier = month.previous
    suggestion_at(
        "WiFi 打卡",
        [
            ("submitted", local(earlier, 5)),
            ("adopted", local(earlier, 8)),
            ("in_progress", local(earlier, 20)),
            ("implemented", local(month, 15)),
        ],
    )
    suggestion_at("还没公开的建议", [("submitted", local(month, 6))], published=False)


EAST = "总部/华东区/杭州门店"
FIXED_IN_OCTOBER = [
    ("submitted", datetime(2026, 9, 28, 2)),
    ("adopted", datetime(2026, 9, 30, 2)),
    ("in_progress", datetime(2026, 10, 8, 2)),
    ("implemented", datetime(2026, 10, 20, 2)),
]


def surveyed_quarter(quarter, opens, attendance, weights, n=200, seed=1, enps_follows=False):
    """A satisfaction campaign of `n` respondents rating attendance around `attendance`, commenting on the
    themes of `weights`, and its theme run; with `enps_follows` their recommendation follows their attendance
    rating (attendance then drives eNPS), otherwise everyone gives 7."""
    rng = random.Random(seed)
    campaign = campaign_with([], quarter=quarter, opens_at=opens)
    for _ in range(n):
        answers = satisfaction(3, enps=7, text=demo_comment(rng, 1.0, theme_weights=weights))
        answers["mod_attendance"] = float(min(5, max(1, round(rng.gauss(attendance, 0.7)))))
        if enps_follows:  # every module rated (driver analysis needs complete answers), the others at random
            answers.update(
                {f"mod_{m}": float(rng.randint(1, 5)) for m in ("approval", "log", "drive", "message", "training")}
            )
            answers["enps"] = float(min(10, max(0, round(2 * answers["mod_attendance"] + rng.gauss(0, 1)))))
        add_responses(campaign, [(1, "employee", EAST, "第一批", answers)])
    run = create_run(db.session, [campaign.id])
    execute_run(run.id)
    return campaign, db.session.get(ThemeRun, run.id)


def about_attendance(theme) -> bool:
    return not theme.is_other and any("打卡" in quote or "定位" in quote for quote in theme.representatives)


def fixed_between_quarters_data(enps_follows=False):
    """Attendance complaints in 2026Q3, a change implemented in October, fewer complaints and better ratings
    in 2026Q4 (whose survey opened in November). The change is linked to the largest attendance theme of
    2026Q3 that recurs in 2026Q4 with at least k_text people."""
    q3 = surveyed_quarter(
        "2026Q3", datetime(2026, 9, 15, 1), 2.4, {"attendance": 6, "approval": 4}, enps_follows=enps_follows
    )
    q4 = surveyed_quarter(
        "2026Q4", datetime(2026, 11, 16, 1), 4.0, {"attendance": 2, "approval": 8}, seed=2, enps_follows=enps_follows
    )
    run3, run4 = q3[1], q4[1]
    after = {t.lineage: t for t in run4.themes if t.merged_into_id is None and t.respondents >= 10}
    theme3 = max((t for t in run3.themes if about_attendance(t) and t.lineage in after), key=lambda t: t.respondents)
    suggestion = suggestion_at("WiFi 打卡", FIXED_IN_OCTOBER, module="attendance")
    db.session.add(SuggestionTheme(suggestion_id=suggestion.id, theme_id=theme3.id))
    db.session.commit()
    return suggestion, theme3, after[theme3.lineage]

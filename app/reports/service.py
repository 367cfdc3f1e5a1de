"""Gathering a quarter's report data for `analysis.report.assemble`, and the report's life cycle.

Survey figures come from `app.results.service.results` and `overall`, the functions behind the results
pages, with the same release plan, time rule and snapshots: a department hidden there is hidden here.
A draft is assembled on every view; publishing freezes the assembled data, the commentary and who
published it in `quarter_reports.snapshot`, and the published report is rendered from that alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from analysis.months import Month
from analysis.quarters import Quarter, is_quarter
from analysis.report import (
    SECTIONS,
    ReleasedGroup,
    ReportInputs,
    SuggestionRecord,
    SurveyRelease,
    ThemeSummary,
    assemble,
)
from app.instruments import instrument_for
from app.metrics.service import directory_headcount, usage_frame
from app.models import (
    Campaign,
    Department,
    QuarterReport,
    Response,
    StaffUser,
    Suggestion,
    SuggestionEvent,
    Theme,
    ThemeRun,
    UsageMetric,
)
from app.models.types import utcnow
from app.results.service import overall, results
from app.themes.released import run_k_text, shown_theme, visible_themes
from surveys.scoring import HEADLINE_KEYS, family_of, family_scales, flat_scores, nest_scores, score_key
from surveys.versions import changed_scales

SATISFACTION, READINESS = "satisfaction", "readiness"  # the kinds of instrument the report reads
INDEX_OF_FAMILY = {"adkar": "readiness", "resistance": "resistance"}  # headline figures made of a family
DEFAULT_LEVEL = 2
COMMENTARY_MAX = 5000


class ReportError(ValueError):
    pass


def department_levels(session) -> int:
    return session.execute(select(func.max(Department.depth))).scalar_one() or 1


def report_row(session, quarter: str) -> QuarterReport | None:
    return session.execute(select(QuarterReport).where(QuarterReport.quarter == quarter)).scalar_one_or_none()


def level_of(session, row: QuarterReport | None) -> int:
    deepest = department_levels(session)
    chosen = row.department_level if row is not None and row.department_level else DEFAULT_LEVEL
    return max(1, min(chosen, deepest))


def report_campaign(session, quarter: str, kind: str) -> Campaign | None:
    """The quarter's campaign of an instrument of `kind` (satisfaction or readiness: a built-in or the
    company's own); with several, the one most people answered (then the newest)."""
    answered = func.count(Response.id)
    rows = session.execute(
        select(Campaign, answered)
        .outerjoin(Response, Response.campaign_id == Campaign.id)
        .where(Campaign.quarter == quarter)
        .group_by(Campaign.id)
        .order_by(answered.desc(), Campaign.id.desc())
    ).all()
    return next((c for c, _ in rows if instrument_for(c.instrument_version).kind == kind), None)


def items_changed(campaign: Campaign | None, before: Campaign | None) -> set[str]:
    """Headline figures (sus, enps, readiness, resistance) whose scales' items changed since last quarter's
    campaign: their change is marked 题目有变化，趋势仅供参考."""
    if campaign is None or before is None:
        return set()
    keys: set[str] = set()
    for code in changed_scales(instrument_for(before.instrument_version), instrument_for(campaign.instrument_version)):
        key = score_key(code)
        family = family_of(key)
        headline = key if key in HEADLINE_KEYS else (INDEX_OF_FAMILY.get(family) if family is not None else None)
        if headline is not None:
            keys.add(headline)
    return keys


def _released(group: dict) -> ReleasedGroup:
    n = group.get("n")
    return ReleasedGroup(
        suppressed=bool(group["suppressed"]),
        n=n if isinstance(n, int) else None,
        reason=group.get("reason"),
        scores=flat_scores(group.get("scores")),
        barrier_points=group.get("barrier_points"),
    )


def survey_release(session, campaign: Campaign | None, level: int | None) -> SurveyRelease | None:
    """A campaign's figures as the results pages release them: overall, and departments at `level`."""
    if campaign is None:
        return None
    if level is None:
        group = overall(session, campaign)
        return SurveyRelease(campaign.min_group, _released({**group, "scores": nest_scores(group["scores"])}))
    view = results(session, campaign, by="department", level=level)
    departments = {segment["key"]: _released(segment) for segment in view["segments"]}
    return SurveyRelease(campaign.min_group, _released(view["overall"]), departments)


def theme_summaries(session, quarter: str) -> tuple[list[ThemeSummary], ThemeRun | None]:
    """The latest succeeded theme run of the quarter, its themes ranked, each with last quarter's size."""
    run = session.execute(
        select(ThemeRun)
        .where(ThemeRun.status == "succeeded", ThemeRun.quarter == quarter)
        .order_by(ThemeRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if run is None:
        return [], None
    previous = {}
    if run.previous_run_id:
        previous = {
            t.lineage: t.respondents
            for t in session.execute(
                select(Theme).where(Theme.run_id == run.previous_run_id, Theme.merged_into_id.is_(None))
            ).scalars()
        }
    k_text = run_k_text(session, run)
    summaries = [
        ThemeSummary(
            label=item.label,
            respondents=t.respondents,
            negative_respondents=t.negative_respondents,
            recurring_quarters=list(t.recurring_quarters or []),
            previous_respondents=previous.get(t.lineage),
            quote=(t.representatives or [None])[0] if item.release.quotes else None,
        )
        for t, item in ((t, shown_theme(t, k_text)) for t in visible_themes(run))
        if not t.is_other and not t.is_noise
    ]
    return summaries, run


def suggestion_records(session) -> list[SuggestionRecord]:
    events: dict[int, list] = {}
    for suggestion_id, status, at in session.execute(
        select(SuggestionEvent.suggestion_id, SuggestionEvent.to_status, SuggestionEvent.created_at).order_by(
            SuggestionEvent.created_at, SuggestionEvent.id
        )
    ):
        events.setdefault(suggestion_id, []).append((status, at.date()))
    return [
        SuggestionRecord(created.date(), events.get(suggestion_id, []))
        for suggestion_id, created in session.execute(select(Suggestion.id, Suggestion.created_at))
    ]


def build(session, quarter: str, level: int) -> dict:
    """The draft report of `quarter` at department `level`: assembled data plus where it came from."""
    this = Quarter.parse(quarter, exact=True)
    before = str(this.previous)
    start, end = this.dates()
    previous_start, _ = this.previous.dates()
    campaigns = {kind: report_campaign(session, quarter, kind) for kind in (SATISFACTION, READINESS)}
    previous_campaigns = {kind: report_campaign(session, before, kind) for kind in (SATISFACTION, READINESS)}
    themes, run = theme_summaries(session, quarter)
    k_text = run_k_text(session, run) if run else current_app.config["ANONYMITY_MIN_GROUP_TEXT"]
    inputs = ReportInputs(
        quarter=quarter,
        previous_quarter=before,
        level=level,
        quarter_start=start,
        quarter_end=end,
        previous_start=previous_start,
        usage=usage_frame(session, [quarter, before]),
        headcount=directory_headcount(session),
        satisfaction=survey_release(session, campaigns[SATISFACTION], level),
        satisfaction_previous=survey_release(session, previous_campaigns[SATISFACTION], None),
        readiness=survey_release(session, campaigns[READINESS], level),
        readiness_previous=survey_release(session, previous_campaigns[READINESS], None),
        themes=themes,
        k_text=k_text,
        suggestions=suggestion_records(session),
    )
    data = assemble(inputs)
    data["module_titles"] = module_titles(campaigns[SATISFACTION])
    data["items_changed"] = sorted(
        set().union(*(items_changed(campaigns[kind], previous_campaigns[kind]) for kind in (SATISFACTION, READINESS)))
    )
    data["changes"] = implemented_changes(session, this)
    data["sources"] = {
        "satisfaction": _campaign_source(campaigns[SATISFACTION], inputs.satisfaction),
        "readiness": _campaign_source(campaigns[READINESS], inputs.readiness),
        "theme_run": {"id": run.id, "comments": run.n_comments} if run else None,
        "usage_departments": session.execute(
            select(func.count(func.distinct(UsageMetric.department_path))).where(UsageMetric.quarter == quarter)
        ).scalar_one(),
    }
    return data


def implemented_changes(session, quarter: Quarter) -> list[dict]:
    """你说，我们做: the published suggestions implemented in `quarter` (in the company's time zone), with what
    was changed and the effect measured from released figures (`app.committee.effect`), JSON-ready so a
    published report keeps them as they were."""
    from app.committee.accounts import month_account
    from app.committee.effect import measured_effect
    from app.i18n import company_timezone

    timezone, k = company_timezone(), current_app.config["ANONYMITY_MIN_GROUP"]
    changes = []
    for month in Month.of_quarter(quarter):
        for entry in month_account(session, month, timezone, k).implemented:
            effect = measured_effect(session, entry.suggestion)
            changes.append(
                {
                    "title": entry.suggestion.title,
                    "note": entry.note,
                    "implemented_at": entry.at.isoformat(),
                    "module": entry.suggestion.module,
                    "respondents": entry.respondents,
                    "effect": effect.to_dict() if effect is not None else None,
                }
            )
    return changes


def module_titles(campaign: Campaign | None) -> dict:
    """Module names in both languages, kept in the data so a frozen report keeps its labels."""
    if campaign is None:
        return {}
    definition = instrument_for(campaign.instrument_version)
    return {member: dict(scale.title) for member, scale in family_scales(definition, "modules")}


def _campaign_source(campaign: Campaign | None, release: SurveyRelease | None) -> dict | None:
    if campaign is None:
        return None
    return {
        "id": campaign.id,
        "title": campaign.title,
        "k": campaign.min_group,
        "n": release.overall.n if release and not release.overall.suppressed else None,
    }


@dataclass
class ReportView:
    """What the page and the workbook show: frozen when published, assembled now otherwise."""

    quarter: str
    data: dict
    commentary: dict
    organisation: str
    published: bool
    published_at: datetime | None = None
    published_by: str | None = None


def view(session, quarter: str) -> ReportView:
    row = report_row(session, quarter)
    if row is not None and row.snapshot:
        snapshot = row.snapshot
        return ReportView(
            quarter,
            snapshot["data"],
            snapshot.get("commentary", {}),
            snapshot["organisation"],
            True,
            datetime.fromisoformat(snapshot["published_at"]),
            snapshot.get("published_by"),
        )
    return ReportView(
        quarter,
        build(session, quarter, level_of(session, row)),
        dict(row.commentary or {}) if row else {},
        current_app.config["ORGANISATION_NAME"],
        False,
    )


def save_commentary(session, quarter: str, commentary: dict, level: int, user_id: int) -> QuarterReport:
    """Store the PMO's commentary and the department level of a draft; a published report is frozen."""
    row = report_row(session, quarter)
    if row is not None and row.snapshot:
        raise ReportError("报告已发布，不能再修改")
    if row is None:
        row = QuarterReport(quarter=quarter, commentary={})
        session.add(row)
    row.commentary = {key: (commentary.get(key) or "").strip()[:COMMENTARY_MAX] for key in SECTIONS}
    row.department_level = level
    row.updated_at = utcnow()
    session.flush()
    return row


def publish(session, quarter: str, user: StaffUser) -> QuarterReport:
    """Freeze the quarter's report as it is now: data, commentary, organisation, who and when."""
    row = report_row(session, quarter)
    if row is not None and row.snapshot:
        raise ReportError("报告已发布，不能再次发布")
    current = view(session, quarter)
    if row is None:
        row = QuarterReport(quarter=quarter, commentary={})
        session.add(row)
    now = utcnow()
    row.snapshot = {
        "data": current.data,
        "commentary": current.commentary,
        "organisation": current.organisation,
        "published_at": now.isoformat(),
        "published_by": user.name or user.email,
    }
    row.published_at, row.published_by_id = now, user.id
    session.flush()
    return row


def quarters(session) -> list[str]:
    """Every quarter that has a campaign, usage metrics or a report, newest first."""
    found = set(session.execute(select(Campaign.quarter)).scalars())
    found |= set(session.execute(select(UsageMetric.quarter)).scalars())
    found |= set(session.execute(select(QuarterReport.quarter)).scalars())
    return sorted((q for q in found if is_quarter(q)), reverse=True)

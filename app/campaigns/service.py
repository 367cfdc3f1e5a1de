"""Campaign rules in one place: creating, opening and closing, the audience, invitations, rates.

Views and CLI commands call these functions; they never re-decide a rule themselves.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from analysis.ordering import naturally_sorted
from analysis.quarters import Quarter, QuarterError
from app.campaigns.links import derive_token, invitation_url, token_hash
from app.models import AuditLog, Campaign, Department, Invitation, Person, Response
from app.models.types import utcnow

MODES = ("anonymous", "confidential")
MIN_GROUP_FLOOR = 3


class CampaignError(ValueError):
    """A rule was broken; the message is for the user, in the reader's language (Chinese outside a request)."""


def new_token() -> str:
    """A random token of 192 bits, URL-safe: the open (kiosk) link, and placeholders."""
    return secrets.token_urlsafe(24)


@dataclass(kw_only=True)
class CampaignPlan:
    """What a manager may still change before a campaign opens (a repeating campaign's successor, say). By
    default everyone is asked (an empty list: all departments, roles or waves), from now on, with no end."""

    title: str = ""
    departments: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    waves: list[str] = field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    def audience(self) -> dict[str, list[str]]:
        """The audience as a campaign stores it: each list sorted and without repeats."""
        return {
            "departments": sorted(set(self.departments)),
            "roles": sorted(set(self.roles)),
            "waves": naturally_sorted(self.waves),
        }


@dataclass(kw_only=True)
class CampaignSpec(CampaignPlan):
    """A new campaign: its plan, and what is fixed when it is created (instrument, quarter, anonymity)."""

    instrument_version_id: int
    quarter: Quarter | str
    mode: str = "anonymous"
    min_group: int = 5
    min_group_text: int = 10
    open_link: bool = False
    draft: bool = False
    repeat_lead_days: int | None = None  # repeat every quarter, creating the next one this many days before it


def text_threshold(min_group: int, configured: int) -> int:
    """k_text of a new campaign: the configured comment threshold, never below the campaign's k."""
    return max(configured, min_group)


def create_campaign(session, spec: CampaignSpec, created_by_id: int | None = None) -> tuple[Campaign, str | None]:
    """Create a campaign (the page, the CLI, the demo), with its audit row; returns it and, if an open (kiosk)
    link was asked for, its plain token (shown once: see `open_link_url`)."""
    try:
        quarter = str(Quarter.parse(spec.quarter))
    except QuarterError as exc:
        raise CampaignError(str(exc)) from exc
    if spec.mode not in MODES:
        raise CampaignError(_("未知模式“%(mode)s”，可用：%(modes)s", mode=spec.mode, modes=", ".join(MODES)))
    _check_thresholds(spec.min_group, spec.min_group_text)
    now = utcnow()
    opens_at = spec.opens_at
    if opens_at is None and not spec.draft:
        opens_at = now
    _check_dates(opens_at, spec.closes_at)
    _check_audience(session, spec.departments, spec.roles)
    if spec.repeat_lead_days is not None:
        check_lead_days(spec.repeat_lead_days)
    campaign = Campaign(
        instrument_version_id=spec.instrument_version_id,
        quarter=quarter,
        title=(spec.title or "").strip()[:200] or f"{quarter} 问卷",
        audience=spec.audience(),
        status="draft" if spec.draft else "open",
        mode=spec.mode,
        opens_at=opens_at,
        closes_at=spec.closes_at,
        min_group=spec.min_group,
        min_group_text=spec.min_group_text,
        created_by_id=created_by_id,
        repeats_quarterly=spec.repeat_lead_days is not None,
        repeat_lead_days=spec.repeat_lead_days or DEFAULT_LEAD_DAYS,
    )
    plain_open_token = None
    if spec.open_link:
        plain_open_token = new_token()
        campaign.open_link_hash = token_hash(plain_open_token)
    session.add(campaign)
    session.flush()
    _audit(session, created_by_id, "campaign.create", campaign, {"title": campaign.title})
    return campaign, plain_open_token


def _audit(session, actor_id: int | None, action: str, campaign: Campaign, detail: dict) -> None:
    session.add(
        AuditLog(actor_id=actor_id, action=action, target_type="campaign", target_id=str(campaign.id), detail=detail)
    )


def _check_thresholds(min_group: int, min_group_text: int) -> None:
    if min_group < MIN_GROUP_FLOOR or min_group_text < MIN_GROUP_FLOOR:
        raise CampaignError(_("匿名门槛不能低于 %(k)s 人", k=MIN_GROUP_FLOOR))
    if min_group_text < min_group:
        raise CampaignError(_("评论的匿名门槛不能低于数据的匿名门槛"))


def _check_audience(session, departments: list[str], roles: list[str]) -> None:
    from app.models import ROLES

    unknown_roles = [r for r in roles if r not in ROLES]
    if unknown_roles:
        raise CampaignError(_("未知角色：%(roles)s", roles=_("、").join(unknown_roles)))
    if departments:
        known = set(session.execute(select(Department.path).where(Department.path.in_(departments))).scalars())
        missing = [d for d in departments if d not in known]
        if missing:
            raise CampaignError(_("未找到部门：%(departments)s", departments=_("、").join(missing)))


MAX_LEAD_DAYS, DEFAULT_LEAD_DAYS = 60, 14


def check_lead_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LEAD_DAYS:
        raise CampaignError(f"提前天数需在 1 到 {MAX_LEAD_DAYS} 天之间")


def set_repeat(session, campaign: Campaign, repeats: bool, lead_days: int, actor_id: int | None = None) -> None:
    """Turn repeating every quarter on or off (`app.campaigns.repeat` creates the successors)."""
    check_lead_days(lead_days)
    campaign.repeats_quarterly, campaign.repeat_lead_days = repeats, lead_days
    _audit(session, actor_id, "campaign.repeat_settings", campaign, {"repeats": repeats, "lead_days": lead_days})
    session.flush()


def _check_dates(opens_at: datetime | None, closes_at: datetime | None) -> None:
    if closes_at is not None and opens_at is not None and closes_at <= opens_at:
        raise CampaignError(_("结束时间必须晚于开始时间"))


def change_plan(session, campaign: Campaign, plan: CampaignPlan, actor_id: int | None = None) -> None:
    """Title, audience and dates of a campaign that has not opened; the audience only before invitations."""
    if availability(campaign) != "not_open" or has_responses(session, campaign):
        raise CampaignError(_("活动已经开始，不能再修改标题、调查对象和时间"))
    audience = plan.audience()
    invited = session.execute(select(Invitation.id).where(Invitation.campaign_id == campaign.id).limit(1)).first()
    if audience != (campaign.audience or {}) and invited:
        raise CampaignError(_("已发放邀请，不能再修改调查对象"))
    _check_audience(session, plan.departments, plan.roles)
    _check_dates(plan.opens_at, plan.closes_at)
    campaign.title = (plan.title or "").strip()[:200] or campaign.title
    campaign.audience, campaign.opens_at, campaign.closes_at = audience, plan.opens_at, plan.closes_at
    detail = {"title": campaign.title, "opens_at": plan.opens_at and plan.opens_at.isoformat()}
    _audit(session, actor_id, "campaign.change", campaign, detail)
    session.flush()


def has_responses(session, campaign: Campaign) -> bool:
    return session.execute(select(Response.id).where(Response.campaign_id == campaign.id).limit(1)).first() is not None


def change_settings(
    session,
    campaign: Campaign,
    mode: str | None = None,
    min_group: int | None = None,
    min_group_text: int | None = None,
) -> None:
    """Anonymity settings: the mode is fixed at the first response; thresholds may only rise then."""
    answered = has_responses(session, campaign)
    if mode is not None and mode != campaign.mode:
        if answered:
            raise CampaignError(_("已有人提交问卷，不能再修改匿名模式"))
        if mode not in MODES:
            raise CampaignError(_("未知模式“%(mode)s”", mode=mode))
        campaign.mode = mode
    new_k = campaign.min_group if min_group is None else min_group
    new_k_text = campaign.min_group_text if min_group_text is None else min_group_text
    _check_thresholds(new_k, new_k_text)
    if answered and (new_k < campaign.min_group or new_k_text < campaign.min_group_text):
        raise CampaignError(_("已有人提交问卷，匿名门槛只能提高，不能降低"))
    campaign.min_group, campaign.min_group_text = new_k, new_k_text


STATUS_TRANSITIONS: dict[str, set[str]] = {
    "draft": {"open", "closed"},
    "open": {"open", "closed"},  # open → open: a campaign scheduled for later opens now
    "closed": set(),  # final
}
STATUS_NAMES = {"draft": _l("草稿"), "open": _l("进行中"), "closed": _l("已结束")}
REFUSALS = {("closed", "open"): _l("活动已结束，不能重新开启"), ("closed", "closed"): _l("活动已经结束")}


def change_status(session, campaign: Campaign, to: str, actor_id: int | None = None, now: datetime | None = None):
    """The one way a campaign's status changes (page, CLI, demo), by STATUS_TRANSITIONS, with an audit row.

    Opening moves a scheduled opening to `now` and drops a closing time already past; closing moves a later
    closing time to `now`. Scheduled opening and closing otherwise stay as `availability()` reads them.
    """
    if to not in STATUS_TRANSITIONS:
        raise CampaignError(_("未知状态“%(status)s”", status=to))
    from_status = campaign.status
    if to not in STATUS_TRANSITIONS[from_status]:
        refusal = REFUSALS.get((from_status, to))
        raise CampaignError(
            str(refusal) if refusal else _("不能从“%(a)s”变为“%(b)s”", a=STATUS_NAMES[from_status], b=STATUS_NAMES[to])
        )
    now = now or utcnow()
    campaign.status = to
    if to == "open":
        if campaign.opens_at is None or campaign.opens_at > now:
            campaign.opens_at = now
        if campaign.closes_at is not None and campaign.closes_at <= now:
            campaign.closes_at = None
    elif campaign.closes_at is None or campaign.closes_at > now:
        campaign.closes_at = now
    _audit(
        session,
        actor_id,
        "campaign.open" if to == "open" else "campaign.close",
        campaign,
        {"from": from_status, "to": to},
    )
    session.flush()


AVAILABILITY = ("open", "not_open", "closed")


def availability(campaign: Campaign, now: datetime | None = None) -> str:
    """'open', 'not_open' (draft or scheduled) or 'closed' at `now`."""
    now = now or utcnow()
    if campaign.status == "closed" or (campaign.closes_at is not None and now >= campaign.closes_at):
        return "closed"
    if campaign.status == "draft" or (campaign.opens_at is not None and now < campaign.opens_at):
        return "not_open"
    return "open"


def audience_query(campaign: Campaign):
    """Active people matching the audience: departments include their sub-departments."""
    audience = campaign.audience or {}
    query = select(Person).join(Person.department).where(Person.active.is_(True))
    departments = audience.get("departments") or []
    if departments:
        query = query.where(
            or_(*[or_(Department.path == path, Department.path.like(path + "/%")) for path in departments])
        )
    if audience.get("roles"):
        query = query.where(Person.role.in_(audience["roles"]))
    if audience.get("waves"):
        query = query.where(Person.wave.in_(audience["waves"]))
    return query


def issue_invitations(
    session, campaign: Campaign, reissue_pending: bool = False, actor_id: int | None = None
) -> list[tuple[Person, str]]:
    """Create missing invitations (and, on request, new links for pending ones), with an audit row;
    returns their links.

    Links are derived (app.campaigns.links), so an existing invitation's link can always be printed
    again with `invitation_links`; only `reissue_pending` ("重新生成") changes, and so cancels, links.
    Completed invitations are never reissued.
    """
    if campaign.status == "closed":
        raise CampaignError(_("活动已结束，不能再发放邀请"))
    existing = {
        inv.person_id: inv
        for inv in session.execute(select(Invitation).where(Invitation.campaign_id == campaign.id)).scalars()
    }
    changed: list[tuple[Person, Invitation]] = []
    for person in session.execute(audience_query(campaign).order_by(Department.path, Person.employee_id)).scalars():
        invitation = existing.get(person.id)
        if invitation is None:
            # A random placeholder hash until the id exists; no token hashes to it.
            invitation = Invitation(
                campaign_id=campaign.id, person_id=person.id, token_hash=token_hash(new_token()), status="pending"
            )
            session.add(invitation)
        elif not (reissue_pending and invitation.status == "pending"):
            continue
        else:
            invitation.token_generation = (invitation.token_generation or 0) + 1
        changed.append((person, invitation))
    session.flush()
    issued = []
    for person, invitation in changed:
        if invitation.token_generation is None:
            invitation.token_generation = 0
        issued.append((person, set_derived_link(invitation)))
    session.flush()
    detail = {"count": len(issued), "reissue_pending": True} if reissue_pending else {"count": len(issued)}
    _audit(session, actor_id, "invitations.issue", campaign, detail)
    return issued


def set_derived_link(invitation: Invitation) -> str:
    """Store the hash of the invitation's derived link for its generation; returns the link's token."""
    if invitation.token_generation is None:
        raise ValueError("a derived link needs the invitation's token generation (0 for its first link)")
    token = derive_token(current_app.config["SECRET_KEY"], invitation.id, invitation.token_generation)
    invitation.token_hash = token_hash(token)
    return token


def invitation_token(invitation: Invitation) -> str | None:
    """The invitation's link token, derived again; None for a legacy invitation whose token was random."""
    if invitation.token_generation is None:
        return None
    return derive_token(current_app.config["SECRET_KEY"], invitation.id, invitation.token_generation)


def invitation_links(
    session,
    campaign: Campaign,
    department: str | None = None,
    employee_id: str | None = None,
    pending_only: bool = True,
) -> tuple[list[tuple[Person, str]], int]:
    """Links of existing invitations (of one department with its sub-departments, or one person), in
    directory order, without changing any; returns them and how many legacy links cannot be derived."""
    query = (
        select(Person, Invitation)
        .join(Invitation, Invitation.person_id == Person.id)
        .join(Department, Person.department_id == Department.id)
        .where(Invitation.campaign_id == campaign.id)
        .order_by(Department.path, Person.employee_id)
    )
    if pending_only:
        query = query.where(Invitation.status == "pending")
    if department:
        query = query.where(or_(Department.path == department, Department.path.like(department + "/%")))
    if employee_id:
        query = query.where(Person.employee_id == employee_id)
    links, legacy = [], 0
    for person, invitation in session.execute(query).all():
        token = invitation_token(invitation)
        if token is None:
            legacy += 1
        else:
            links.append((person, token))
    return links, legacy


def printable_links(
    session, campaign: Campaign, department: str | None = None, employee_id: str | None = None, actor_id=None
) -> tuple[list[tuple[Person, str]], int]:
    """Everyone's link in one department (with its sub-departments) or of one person, for a reprinted
    sheet: missing invitations are created, no link changes. Answered people are included, so a sheet
    never tells who answered. Returns the links and how many legacy links cannot be printed."""
    issue_invitations(session, campaign, actor_id=actor_id)
    links, legacy = invitation_links(session, campaign, department, employee_id, pending_only=False)
    _audit(session, actor_id, "invitations.print", campaign, {"count": len(links), "department": department})
    return links, legacy


def open_link_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + "/o/" + token


INVITATION_COLUMNS = ("employee_id", "name", "department", "url")


def invitation_rows(issued: list[tuple[Person, str]], base_url: str) -> list[list[str]]:
    """The invitation links as spreadsheet rows (INVITATION_COLUMNS), formulas neutralised: the page's CSV
    download and `flask invitations export` both write these."""
    from app.spreadsheets import safe_cell

    return [
        [
            safe_cell(v)
            for v in (person.employee_id, person.name, person.department.path, invitation_url(base_url, token))
        ]
        for person, token in issued
    ]


@dataclass
class RateRow:
    key: str
    invited: int
    completed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None


def response_rates(session, campaign: Campaign, department_level: int = 2) -> dict:
    """Invited and completed counts overall, by department (at `department_level`) and by role.

    These come from invitations, not responses, and reveal no answers, so they need no suppression.
    """
    completed = func.sum(case((Invitation.status == "completed", 1), else_=0))
    rows = session.execute(
        select(Department.path, Person.role, func.count(Invitation.id), completed)
        .join(Person, Invitation.person_id == Person.id)
        .join(Department, Person.department_id == Department.id)
        .where(Invitation.campaign_id == campaign.id)
        .group_by(Department.path, Person.role)
    ).all()
    by_department: dict[str, RateRow] = {}
    by_role: dict[str, RateRow] = {}
    overall = RateRow("overall", 0, 0)
    for path, role, invited, done in rows:
        done = int(done or 0)
        key = "/".join(path.split("/")[:department_level])
        for table, table_key in ((by_department, key), (by_role, role)):
            row = table.setdefault(table_key, RateRow(table_key, 0, 0))
            row.invited += invited
            row.completed += done
        overall.invited += invited
        overall.completed += done
    open_link_responses = session.execute(
        select(func.count(Response.id)).where(Response.campaign_id == campaign.id, Response.via_open_link.is_(True))
    ).scalar_one()
    return {
        "overall": overall,
        "by_department": sorted(by_department.values(), key=lambda r: r.key),
        "by_role": sorted(by_role.values(), key=lambda r: r.key),
        "open_link_responses": open_link_responses,
    }


def campaign_dict(campaign: Campaign, rates: dict | None = None) -> dict:
    """A campaign as JSON (the API and the CLI); with `rates` (response_rates) its counts too."""
    data = {
        "id": campaign.id,
        "title": campaign.title,
        "quarter": campaign.quarter,
        "instrument": campaign.instrument_version.instrument.slug,
        "instrument_version": campaign.instrument_version.version,
        "status": campaign.status,
        "mode": campaign.mode,
        "audience": campaign.audience,
        "opens_at": campaign.opens_at.isoformat() if campaign.opens_at else None,
        "closes_at": campaign.closes_at.isoformat() if campaign.closes_at else None,
        "min_group": campaign.min_group,
        "min_group_text": campaign.min_group_text,
        "repeats_quarterly": campaign.repeats_quarterly,
        "repeated_from": campaign.repeated_from_id,
    }
    if rates is not None:
        overall = rates["overall"]
        data.update(
            invited=overall.invited,
            completed=overall.completed,
            response_rate=overall.rate,
            open_link_responses=rates["open_link_responses"],
        )
    return data

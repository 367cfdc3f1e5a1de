"""Campaigns that repeat every quarter.

`repeat_lead_days` before the next quarter starts, a repeating campaign gets its successor: the same audience
rules, anonymity settings and delivery settings, the instrument's latest version, the next quarter, opening
when that quarter starts (in the company's timezone) and closing after as long as the campaign ran. It is a
draft the manager is told about (a notice) and can change until it opens by itself; the successor repeats too.
`schedule()` does both steps; it runs as the periodic task `campaign_schedule` (RQ's scheduler in production,
the in-process scheduler otherwise) and as `flask campaigns schedule` for cron. Each successor is created
once (a unique reference to the campaign it repeats), however many processes run the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from analysis.quarters import Quarter
from app.campaigns.service import CampaignError, CampaignSpec, change_status, create_campaign
from app.extensions import db
from app.instruments import latest_version
from app.models import AuditLog, Campaign
from app.models.types import utcnow
from app.notices import notify_about
from app.scheduler import every

SCHEDULE_EVERY = 600  # seconds: a successor opens at most this late after its time
# The delivery settings (issue 12) a successor keeps: automatic reminders after N days, at most M times.
DELIVERY_SETTINGS = ("remind_after_days", "remind_max")


@dataclass
class Scheduled:
    """What one run did: successors created and campaigns opened, by id."""

    created: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"created": self.created, "opened": self.opened}


def next_start(campaign: Campaign, timezone: str) -> datetime:
    """When the campaign's next quarter starts (naive UTC)."""
    return Quarter.parse(campaign.quarter, exact=True).next.bounds(timezone)[0]


def creation_time(campaign: Campaign, timezone: str) -> datetime:
    """When the successor of a repeating campaign is created: its lead time before the next quarter."""
    return next_start(campaign, timezone) - timedelta(days=campaign.repeat_lead_days)


def successor_of(session, campaign: Campaign) -> Campaign | None:
    return session.execute(select(Campaign).where(Campaign.repeated_from_id == campaign.id)).scalar_one_or_none()


def due_for_repeat(session, now: datetime, timezone: str) -> list[Campaign]:
    """Repeating campaigns without a successor whose successor's creation time has come."""
    has_successor = select(Campaign.repeated_from_id).where(Campaign.repeated_from_id.is_not(None))
    candidates = session.execute(
        select(Campaign).where(Campaign.repeats_quarterly.is_(True), Campaign.id.not_in(has_successor))
    ).scalars()
    return [c for c in candidates if creation_time(c, timezone) <= now]


def _title(campaign: Campaign, quarter: Quarter) -> str:
    """The title with its quarter replaced (2026Q4 → 2027Q1, 2026年第四季度 → 2027年第一季度)."""
    before = Quarter.parse(campaign.quarter, exact=True)
    title = campaign.title
    for old, new in ((str(before), str(quarter)), (before.label("zh"), quarter.label("zh"))):
        title = title.replace(old, new)
    return title


def create_successor(session, campaign: Campaign, timezone: str) -> Campaign:
    """The next quarter's campaign of a repeating campaign, with its audit row and the manager's notice."""
    quarter = Quarter.parse(campaign.quarter, exact=True).next
    opens_at = next_start(campaign, timezone)
    duration = campaign.closes_at - campaign.opens_at if campaign.opens_at and campaign.closes_at else None
    audience = campaign.audience or {}
    spec = CampaignSpec(
        instrument_version_id=latest_version(session, campaign.instrument_version.instrument.slug).id,
        quarter=quarter,
        title=_title(campaign, quarter),
        departments=list(audience.get("departments") or []),
        roles=list(audience.get("roles") or []),
        waves=list(audience.get("waves") or []),
        opens_at=opens_at,
        closes_at=opens_at + duration if duration else None,
        mode=campaign.mode,
        min_group=campaign.min_group,
        min_group_text=campaign.min_group_text,
        draft=True,
    )
    successor, _ = create_campaign(session, spec, created_by_id=campaign.created_by_id)
    successor.repeated_from_id = campaign.id
    successor.repeats_quarterly, successor.repeat_lead_days = True, campaign.repeat_lead_days
    successor.opens_by_itself = True
    copy_delivery_settings(campaign, successor)
    session.add(
        AuditLog(
            action="campaign.repeat",
            target_type="campaign",
            target_id=str(successor.id),
            detail={"repeats": campaign.id, "quarter": str(quarter), "opens_at": opens_at.isoformat()},
        )
    )
    session.flush()
    notify_about(session, "campaign_repeated", successor, campaign.created_by_id)
    return successor


def copy_delivery_settings(source: Campaign, target: Campaign) -> None:
    """The delivery settings of issue 12 (DELIVERY_SETTINGS) carry over to the next quarter's campaign."""
    for name in DELIVERY_SETTINGS:
        setattr(target, name, getattr(source, name))


def due_to_open(session, now: datetime) -> list[Campaign]:
    return list(
        session.execute(
            select(Campaign).where(
                Campaign.status == "draft",
                Campaign.opens_by_itself.is_(True),
                Campaign.opens_at.is_not(None),
                Campaign.opens_at <= now,
            )
        ).scalars()
    )


def schedule(session, now: datetime | None = None, timezone: str | None = None) -> Scheduled:
    """Create the successors that are due, then open the successors whose time has come; each one commits
    on its own, so one that cannot be made does not hold back the others."""
    now = now or utcnow()
    timezone = timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    done = Scheduled()
    for campaign in due_for_repeat(session, now, timezone):
        try:
            successor = create_successor(session, campaign, timezone)
            session.commit()
        except IntegrityError:  # another process created it at the same moment
            session.rollback()
        except CampaignError as exc:  # its audience no longer exists, say: the next run tries again
            session.rollback()
            current_app.logger.warning("campaign %s cannot repeat: %s", campaign.id, exc)
        else:
            done.created.append(successor.id)
    for campaign in due_to_open(session, now):
        change_status(session, campaign, "open", now=now)
        notify_about(session, "campaign_opened", campaign, campaign.created_by_id)
        session.commit()
        done.opened.append(campaign.id)
    return done


def run_schedule() -> dict:
    """The periodic job `campaign_schedule`."""
    return schedule(db.session).to_dict()


every(SCHEDULE_EVERY, "campaign_schedule")

"""The committee's monthly digest (你说，我们做) to every active person in the directory, once per person and month.

Each person's digest of a month is one `Delivery` row without a campaign (purpose 'digest-2026-11'), unique
per person and month whatever the channel: a send claims the rows not yet sent (pending, failed or skipped)
and sends on its channel, so re-running sends nothing new, two schedulers acting at once send each message
once, and a person a first channel could not reach (no DingTalk id) can still get it by e-mail. The
scheduler sends the month's digest by itself on the day and at the local time the committee set (default the
3rd, 09:30), never in quiet hours, on the schedule's channels in order; the committee previews and edits the
introduction until the month's sending starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Literal, overload
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Executable, func, select

from analysis.months import Month
from app.committee.accounts import month_account
from app.delivery import CHANNELS, channel_for
from app.delivery.channel import Channel, ChannelError, Message
from app.delivery.content import DigestContent, compose_digest, public_url
from app.delivery.service import (
    EXPLICIT_CLAIMABLE,
    Counts,
    Dispatch,
    Prepared,
    deliver,
    in_quiet_hours,
)
from app.extensions import db
from app.models import AuditLog, Delivery, Department, Digest, DigestSchedule, Person
from app.models.types import utcnow
from app.scheduler import every

DIGEST_PREFIX = "digest-"
DIGEST_DUE_EVERY = 600  # seconds between looks of the periodic task: the digest goes at most this late
DEFAULT_DAY, DEFAULT_TIME, DEFAULT_CHANNELS = 3, "09:30", "dingtalk,email"
INTRODUCTION_MAX = 1000
CHANNEL_ORDERS = ("dingtalk,email", "email,dingtalk", "dingtalk", "email")


class DigestError(ValueError):
    """Something the committee or an operator asked for that cannot be done; the message says why."""


def digest_purpose(month: Month) -> str:
    return f"{DIGEST_PREFIX}{month}"


def _timezone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


# --- the schedule and the month's introduction ----------------------------------------------------------
def schedule_of(session) -> DigestSchedule:
    """The committee's schedule (row 1), or the defaults when it has never been set."""
    return session.get(DigestSchedule, 1) or DigestSchedule(
        id=1, day=DEFAULT_DAY, send_at=DEFAULT_TIME, channels=DEFAULT_CHANNELS, enabled=True
    )


def parse_send_at(text: str) -> time:
    try:
        parsed = time.fromisoformat((text or "").strip())
    except ValueError:
        raise DigestError(_("发送时间格式应为“09:30”，收到“%(text)s”", text=text)) from None
    return parsed.replace(second=0, microsecond=0)


def save_schedule(
    session, day: int, send_at: str, channels: str, enabled: bool, actor_id: int | None
) -> DigestSchedule:
    """Set when the digest goes out by itself: a day every month has (1–28), a time outside quiet hours."""
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise DigestError(_("发送日应在每月 1 到 28 日之间（每个月都有这一天）"))
    at = parse_send_at(send_at)
    if channels not in CHANNEL_ORDERS:
        raise DigestError(_("未知的渠道顺序“%(channels)s”", channels=channels))
    probe = datetime.combine(datetime(2026, 1, 1), at).replace(tzinfo=ZoneInfo(_timezone()))
    if in_quiet_hours(probe.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)):
        raise DigestError(
            _(
                "%(time)s 在免打扰时段（%(quiet)s）内，请选择其他时间",
                time=f"{at:%H:%M}",
                quiet=current_app.config.get("QUIET_HOURS"),
            )
        )
    schedule = session.get(DigestSchedule, 1) or DigestSchedule(id=1)
    schedule.day, schedule.send_at, schedule.channels, schedule.enabled = day, f"{at:%H:%M}", channels, enabled
    schedule.updated_by_id = actor_id
    session.add(schedule)
    session.add(
        AuditLog(
            actor_id=actor_id,
            action="digest.schedule",
            target_type="digest_schedule",
            target_id="1",
            detail={"day": day, "send_at": schedule.send_at, "channels": channels, "enabled": enabled},
        )
    )
    session.flush()
    return schedule


def due_at(schedule: DigestSchedule, month: Month) -> datetime:
    """When `month`'s digest goes out by itself (naive UTC): the schedule's day and time of the next month."""
    following = month.next
    at = parse_send_at(schedule.send_at)
    local = datetime(following.year, following.number, schedule.day, at.hour, at.minute, tzinfo=ZoneInfo(_timezone()))
    return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def due_month(schedule: DigestSchedule, now: datetime) -> Month | None:
    """The month whose digest is due at `now`: last month's, once this month's day and time have come."""
    month = Month.of(now, _timezone()).previous
    return month if now >= due_at(schedule, month) else None


def digest_of(session, month: Month) -> Digest | None:
    return session.get(Digest, str(month))


def _digest_row(session, month: Month) -> Digest:
    """The month's row, created if missing (two schedulers may create it at once: the second one waits)."""
    dialect = session.get_bind().dialect.name
    statement: Executable
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        statement = postgresql_insert(Digest).values(month=str(month)).on_conflict_do_nothing(index_elements=["month"])
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(Digest).values(month=str(month)).on_conflict_do_nothing(index_elements=["month"])
    session.execute(statement)
    session.commit()
    return session.get(Digest, str(month))


def save_introduction(session, month: Month, text: str, actor_id: int | None) -> Digest:
    """The committee's introduction to a month's digest; it cannot change once the month's sending started."""
    digest = digest_of(session, month) or Digest(month=str(month))
    if digest.started_at is not None:
        raise DigestError(_("这个月的公示已开始发送，引言不能再修改"))
    cleaned = (text or "").strip()
    if len(cleaned) > INTRODUCTION_MAX:
        raise DigestError(_("引言最多 %(max)s 字，当前 %(n)s 字", max=INTRODUCTION_MAX, n=len(cleaned)))
    digest.introduction = cleaned or None
    digest.edited_by_id, digest.edited_at = actor_id, utcnow()
    session.add(digest)
    session.add(AuditLog(actor_id=actor_id, action="digest.introduction", target_type="digest", target_id=str(month)))
    session.flush()
    return digest


# --- what it says -----------------------------------------------------------------------------------------
def digest_content(session, month: Month) -> DigestContent:
    account = month_account(session, month, _timezone(), current_app.config["ANONYMITY_MIN_GROUP"])
    counts = account.counts
    digest = digest_of(session, month)
    return DigestContent(
        month=month,
        received=counts.received,
        adopted=tuple(entry.suggestion.title for entry in account.adopted),
        implemented=tuple((entry.suggestion.title, entry.note) for entry in account.implemented),
        declined=counts.declined,
        introduction=digest.introduction if digest is not None else None,
        month_url=public_url("board.month_page", month=str(month)),
        suggest_url=public_url("board.suggest"),
    )


def preview(session, month: Month) -> dict[str, Message]:
    """The message as readers of each language would get it (the greeting holds a placeholder name)."""
    content = digest_content(session, month)
    messages = {}
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            reader = Person(name=_("（姓名）"), language=language)
        messages[language] = compose_digest(content, reader)
    return messages


# --- sending ------------------------------------------------------------------------------------------------
class DigestDispatch(Dispatch):
    """The month's digest: one row per person and month, claimed on whichever channel sends it."""

    conflict_columns = ["person_id", "purpose"]
    conflict_where = Delivery.campaign_id.is_(None)

    def __init__(self, content: DigestContent):
        self.content = content
        self.purpose = digest_purpose(content.month)

    def scope(self, channel: str) -> list:
        return [Delivery.campaign_id.is_(None), Delivery.purpose == self.purpose]

    def new_row(self, person_id: int, purpose: str, channel: str) -> dict:
        return dict(campaign_id=None, person_id=person_id, channel=channel, purpose=purpose)

    def claim_values(self, channel: str) -> dict:
        return {"channel": channel}

    def prepare(self, session, channel: Channel, owned: list[int]) -> list[Prepared]:
        rows = session.execute(
            select(Delivery.id, Delivery.attempts, Person)
            .join(Person, Delivery.person_id == Person.id)
            .where(Delivery.id.in_(owned))
        ).all()
        order = {delivery_id: position for position, delivery_id in enumerate(owned)}
        prepared = []
        for delivery_id, attempts, person in sorted(rows, key=lambda r: order[r[0]]):
            item = Prepared(delivery_id, attempts, address=channel.address(person))
            if item.address:
                item.message = compose_digest(self.content, person)
            else:
                item.skipped = channel.missing_address
            prepared.append(item)
        return prepared


@dataclass
class DigestPlan:
    """What a dry run would send: to whom (in the order a send goes), skipping whom and why, and the message
    in each language."""

    month: Month
    channel: str
    recipients: list[dict] = field(default_factory=list)
    messages: dict[str, Message] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "sent": sum(1 for r in self.recipients if not r["skipped"]),
            "failed": 0,
            "skipped": sum(1 for r in self.recipients if r["skipped"]),
            "month": str(self.month),
            "channel": self.channel,
            "recipients": self.recipients,
            "messages": {
                language: {
                    "subject": m.subject,
                    "lines": list(m.lines),
                    "notice": list(m.notice),
                    "action": m.action,
                    "url": m.url,
                }
                for language, m in self.messages.items()
            },
        }


def check_month(month: Month, now: datetime) -> None:
    if month >= Month.of(now, _timezone()):
        raise DigestError(_("%(month)s 还没有结束：月度公示在月末之后发送，以免同一个月发两次", month=str(month)))


def _check_channel(name: str) -> str:
    if name not in CHANNELS:
        raise DigestError(_("未知渠道“%(name)s”，可用：%(known)s", name=name, known="、".join(CHANNELS)))
    return name


def _unsent_people(session, month: Month):
    """Active people of the directory who have not been sent this month's digest on any channel."""
    sent = select(Delivery.person_id).where(
        Delivery.campaign_id.is_(None), Delivery.purpose == digest_purpose(month), Delivery.status == "sent"
    )
    return (
        select(Person)
        .join(Department, Person.department_id == Department.id)
        .where(Person.active.is_(True), Person.id.not_in(sent))
        .order_by(Department.path, Person.employee_id)
    )


@overload
def send_digest(
    session, month: Month, channel_name: str, dry_run: Literal[False] = False, now: datetime | None = None
) -> Counts: ...
@overload
def send_digest(
    session, month: Month, channel_name: str, dry_run: bool, now: datetime | None = None
) -> Counts | DigestPlan: ...
def send_digest(
    session, month: Month, channel_name: str, dry_run: bool = False, now: datetime | None = None
) -> Counts | DigestPlan:
    """Send `month`'s digest on a channel to every active person who has not had it (on any channel).
    With `dry_run`, nothing is written and the channel is not contacted: the plan says who would get what."""
    now = now or utcnow()
    check_month(month, now)
    channel = channel_for(_check_channel(channel_name), current_app.config)
    content = digest_content(session, month)
    people = session.execute(_unsent_people(session, month)).scalars().all()
    if dry_run:
        return _plan(month, channel, content, people)
    digest = _digest_row(session, month)
    if digest.started_at is None:
        digest.started_at = now
        session.commit()
    targets = [(person.id, digest_purpose(month)) for person in people]
    return deliver(session, DigestDispatch(content), channel, targets, EXPLICIT_CLAIMABLE, now, None)


def _plan(month: Month, channel: Channel, content: DigestContent, people: list[Person]) -> DigestPlan:
    plan = DigestPlan(month, channel.name)
    for person in people:
        address = channel.address(person)
        message = compose_digest(content, person)
        plan.messages.setdefault(message.language, message)
        plan.recipients.append(
            {
                "employee_id": person.employee_id,
                "name": person.name,
                "department": person.department.path,
                "address": address,
                "language": message.language,
                "subject": message.subject,
                "skipped": None if address else channel.missing_address,
            }
        )
    return plan


def status_counts(session, month: Month) -> dict[str, int]:
    """The month's digest rows by status, as stored (pending, sending, sent, failed, skipped)."""
    rows = session.execute(
        select(Delivery.status, func.count(Delivery.id))
        .where(Delivery.campaign_id.is_(None), Delivery.purpose == digest_purpose(month))
        .group_by(Delivery.status)
    ).all()
    return {"pending": 0, "sending": 0, "sent": 0, "failed": 0, "skipped": 0} | dict(rows)


def delivered_count(session, month: Month) -> dict[str, int]:
    """The month's digest rows as the committee's page counts them (on their way counts as pending)."""
    counts = status_counts(session, month)
    counts["pending"] += counts.pop("sending")
    return counts


# --- by itself ----------------------------------------------------------------------------------------------
def digest_due(now: datetime | None = None, session=None) -> Counts:
    """The periodic task: once the schedule's day and time have come (outside quiet hours), send last month's
    digest on the schedule's channels in order — people one channel could not reach (no address, not
    configured, a failure) get it on the next — then leave the month alone. While a server that cannot be
    reached leaves some pending, the month stays open and the next look retries them. Returns the month's
    rows by status after the round (with the last error while some are pending)."""
    session = session or db.session
    now = now or utcnow()
    schedule = schedule_of(session)
    month = due_month(schedule, now) if schedule.enabled else None
    if month is None or in_quiet_hours(now):
        return Counts()
    digest = digest_of(session, month)
    if digest is not None and digest.finished_at is not None:
        return Counts()
    errors = []
    for channel_name in schedule.channels.split(","):
        try:
            errors.append(send_digest(session, month, channel_name, now=now).error)
        except ChannelError as exc:
            errors.append(str(exc))
    rows = status_counts(session, month)
    total = Counts(sent=rows["sent"], failed=rows["failed"], skipped=rows["skipped"], pending=rows["pending"])
    if total.pending:
        total.error = next((error for error in reversed(errors) if error), None)
        return total
    if rows["sending"]:  # another scheduler's messages on their way: it finishes the month
        return total
    digest = _digest_row(session, month)
    digest.finished_at = now
    session.commit()
    return total


def run_digest_due() -> dict:
    """The periodic task (DIGEST_DUE_EVERY seconds, app.scheduler) behind the monthly digest."""
    from app.jobs import JobFailed

    counts = digest_due()
    if counts.error:
        raise JobFailed(f"{counts.describe()}。{counts.error}")
    return counts.to_dict()


def next_digest(session, now: datetime | None = None) -> tuple[Month, datetime]:
    """The month whose digest goes next and when it is due: last month's until it has gone, then this month's."""
    now = now or utcnow()
    month = Month.of(now, _timezone()).previous
    digest = digest_of(session, month)
    if digest is not None and digest.finished_at is not None:
        month = month.next
    return month, due_at(schedule_of(session), month)


every(DIGEST_DUE_EVERY, "digest_due")  # on RQ (`rq worker --with-scheduler`) or this process's scheduler

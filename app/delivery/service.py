"""Who gets which message, each sent once, and the delivery log.

Every message is a `Delivery` row keyed by (campaign, person, channel, purpose), where purpose is
'invitation' or 'reminder-N' (the monthly digest's rows, keyed by person and month, are the other
`Dispatch`: `app.delivery.digest`). A row is inserted if missing (INSERT … ON CONFLICT DO NOTHING) and then
claimed by a conditional UPDATE just before its message goes out, so two workers, managers or
schedulers acting at once send one message, not two. A server that cannot be reached leaves the row
pending for the next retry (`remind_due`); nothing is lost. A person who answers while a batch runs is
dropped from it silently: the log never tells whether anyone answered, and no row references a response.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, delete, func, or_, select, update

from app.campaigns.links import invitation_url
from app.campaigns.service import CampaignError, audience_query, availability, invitation_token, issue_invitations
from app.context import current_app_object
from app.delivery import CHANNELS, channel_for
from app.delivery.channel import Channel, ChannelError, Message, Outcome, Send
from app.delivery.content import compose, estimated_minutes
from app.extensions import db
from app.models import Campaign, Delivery, Department, Invitation, Person
from app.models.types import utcnow
from app.scheduler import every

INVITATION = "invitation"
REMINDER_PREFIX = "reminder-"
EXPLICIT_CLAIMABLE = ("pending", "failed", "skipped")  # an explicit send tries failed and skipped again
RETRY_CLAIMABLE = ("pending",)
CHUNK = 500
CLAIM_CHUNK = 25  # rows claimed, sent and recorded together; a killed worker re-sends at most these
LEGACY_LINK = "升级前生成的链接无法再次发送，请先重新生成链接"
REMIND_DUE_EVERY = 600  # seconds between runs of the periodic task: due reminders wait at most this long

Progress = Callable[[int, int], None]


@dataclass
class Counts:
    """What a send did: sent, failed, skipped, and pending (left for a retry because of `error`)."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    error: str | None = None
    by_campaign: dict[int, dict] = field(default_factory=dict)

    def add(self, other: Counts) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.skipped += other.skipped
        self.pending += other.pending
        self.error = self.error or other.error

    def describe(self) -> str:
        return f"已发送 {self.sent}，失败 {self.failed}，跳过 {self.skipped}，待重试 {self.pending}"

    def to_dict(self) -> dict:
        data: dict[str, int | str] = {
            "sent": self.sent,
            "failed": self.failed,
            "skipped": self.skipped,
            "pending": self.pending,
        }
        if self.error:
            data["error"] = self.error
        return data


def reminder_purpose(number: int) -> str:
    return f"{REMINDER_PREFIX}{number}"


def check_channel(name: str) -> str:
    if name not in CHANNELS:
        raise CampaignError(_("未知渠道“%(name)s”，可用：%(channels)s", name=name, channels=", ".join(CHANNELS)))
    return name


MAX_REMIND_AFTER_DAYS = 60
MAX_REMINDERS = 10


def set_reminders(campaign: Campaign, after_days: int | None, max_reminders: int) -> None:
    """Automatic reminders of a campaign: after `after_days` without an answer, at most `max_reminders`
    times (None or 0 days, or 0 times: none)."""
    if after_days is not None and not 1 <= after_days <= MAX_REMIND_AFTER_DAYS:
        raise CampaignError(_("提醒间隔需在 1 到 %(n)s 天之间", n=MAX_REMIND_AFTER_DAYS))
    if not 0 <= max_reminders <= MAX_REMINDERS:
        raise CampaignError(_("提醒次数需在 0 到 %(n)s 次之间", n=MAX_REMINDERS))
    campaign.remind_after_days, campaign.remind_max = after_days or None, max_reminders


# --- entry points -------------------------------------------------------------------------------------
def send_invitations(
    session,
    campaign: Campaign,
    channel_name: str,
    dry_run: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Counts:
    """Invite every person of the audience with a pending invitation who has not been sent one on this
    channel yet (missing invitations are created first). Running it again sends nothing new."""
    channel = channel_for(check_channel(channel_name), current_app.config)
    now = now or utcnow()
    if availability(campaign, now) == "closed":
        raise CampaignError(_("活动已结束，不能再发送邀请"))
    if dry_run:
        return _dry_run_invitations(session, campaign, channel)
    issue_invitations(session, campaign)
    session.commit()
    already_sent = select(Delivery.person_id).where(
        Delivery.campaign_id == campaign.id,
        Delivery.channel == channel.name,
        Delivery.purpose == INVITATION,
        Delivery.status == "sent",
    )
    people = session.execute(_pending_people(campaign).where(Invitation.person_id.not_in(already_sent))).scalars()
    targets = [(person_id, INVITATION) for person_id in people]
    return deliver(session, CampaignDispatch(campaign), channel, targets, EXPLICIT_CLAIMABLE, now, progress)


def send_reminders(
    session,
    campaign: Campaign,
    channel_name: str,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Counts:
    """Remind every pending invitation on this channel, except people messaged on it in the last
    REMINDER_MIN_HOURS (a second click, or a second manager, sends nothing more)."""
    channel = channel_for(check_channel(channel_name), current_app.config)
    now = now or utcnow()
    if availability(campaign, now) != "open":
        raise CampaignError(_("活动未在进行中，不能发送提醒"))
    gap = timedelta(hours=float(current_app.config.get("REMINDER_MIN_HOURS", 12)))
    history = _reminder_history(session, campaign, channel.name)
    targets, too_soon = [], 0
    for person_id in session.execute(_pending_people(campaign)).scalars():
        last_sent, number, number_sent = history.get(person_id, (None, 0, True))
        if last_sent is not None and now - last_sent < gap:
            too_soon += 1
            continue
        targets.append((person_id, reminder_purpose(number + 1 if number_sent else number)))
    counts = deliver(session, CampaignDispatch(campaign), channel, targets, EXPLICIT_CLAIMABLE, now, progress)
    counts.skipped += too_soon
    return counts


def remind_due(now: datetime | None = None, session=None) -> Counts:
    """The periodic task: outside quiet hours, retry pending deliveries and send the automatic reminders
    that are due (after `remind_after_days` without an answer, at most `remind_max`, until close)."""
    session = session or db.session
    now = now or utcnow()
    total = Counts()
    if in_quiet_hours(now):
        return total
    campaigns = session.execute(select(Campaign).where(Campaign.status == "open")).scalars().all()
    for campaign in campaigns:
        if availability(campaign, now) != "open":
            continue
        counts = Counts()
        for channel_name in CHANNELS:
            try:
                counts.add(_retry_pending(session, campaign, channel_name, now))
                if campaign.remind_after_days and campaign.remind_max:
                    counts.add(_automatic_reminders(session, campaign, channel_name, now))
            except ChannelError as exc:
                counts.error = counts.error or str(exc)
        if counts.sent or counts.failed or counts.skipped or counts.pending or counts.error:
            total.by_campaign[campaign.id] = counts.to_dict()
        total.add(counts)
    return total


def run_delivery(campaign_id: int, channel_name: str, purpose: str) -> dict:
    """The background job behind "发送邀请" and "提醒未作答的人": the page shows its progress and counts."""
    from app.jobs import JobFailed, report_progress

    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise JobFailed("问卷活动已不存在")

    def progress(done: int, total: int) -> None:
        report_progress("sending", done * 100 // max(total, 1))

    try:
        if purpose == INVITATION:
            counts = send_invitations(db.session, campaign, channel_name, progress=progress)
        else:
            counts = send_reminders(db.session, campaign, channel_name, progress=progress)
    except CampaignError as exc:
        raise JobFailed(str(exc)) from exc
    if counts.error:
        raise JobFailed(f"{counts.describe()}。{counts.error}。未送达的 {counts.pending} 人会稍后自动重试。")
    return counts.to_dict()


def run_remind_due() -> dict:
    """The periodic task (REMIND_DUE_EVERY seconds, app.scheduler): retries and automatic reminders."""
    from app.jobs import JobFailed

    counts = remind_due()
    if counts.error:
        raise JobFailed(f"{counts.describe()}。{counts.error}")
    return {**counts.to_dict(), "campaigns": {str(k): v for k, v in counts.by_campaign.items()}}


def in_quiet_hours(now: datetime) -> bool:
    """Whether `now` (naive UTC) falls in QUIET_HOURS ("21:00-08:00") in BABEL_DEFAULT_TIMEZONE."""
    spec = (current_app.config.get("QUIET_HOURS") or "").strip()
    if not spec:
        return False
    start_text, _dash, end_text = spec.partition("-")
    start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


# --- planning -------------------------------------------------------------------------------------------
def _pending_people(campaign: Campaign):
    return select(Invitation.person_id).where(Invitation.campaign_id == campaign.id, Invitation.status == "pending")


def _reminder_history(session, campaign: Campaign, channel: str) -> dict[int, tuple[datetime | None, int, bool]]:
    """Per person on a channel: when a message last went out, the highest reminder number, and whether
    that reminder was sent (otherwise the same reminder is tried again, not the next one)."""
    rows = session.execute(
        select(Delivery.person_id, Delivery.purpose, Delivery.status, Delivery.sent_at).where(
            Delivery.campaign_id == campaign.id, Delivery.channel == channel
        )
    ).all()
    history: dict[int, tuple[datetime | None, int, bool]] = {}
    for person_id, purpose, status, sent_at in rows:
        last_sent, number, number_sent = history.get(person_id, (None, 0, True))
        if status == "sent" and sent_at is not None and (last_sent is None or sent_at > last_sent):
            last_sent = sent_at
        if purpose.startswith(REMINDER_PREFIX):
            n = int(purpose.removeprefix(REMINDER_PREFIX))
            if n > number:
                number, number_sent = n, status == "sent"
        history[person_id] = (last_sent, number, number_sent)
    return history


def _automatic_reminders(session, campaign: Campaign, channel_name: str, now: datetime) -> Counts:
    """Reminders due on a channel: to pending people who were sent the invitation on it, whose last
    message there is `remind_after_days` old, and who have had fewer than `remind_max` reminders."""
    if campaign.remind_after_days is None:  # no automatic reminders for this campaign
        return Counts()
    invited_here = select(Delivery.person_id).where(
        Delivery.campaign_id == campaign.id,
        Delivery.channel == channel_name,
        Delivery.purpose == INVITATION,
        Delivery.status == "sent",
    )
    people = session.execute(_pending_people(campaign).where(Invitation.person_id.in_(invited_here))).scalars().all()
    if not people:
        return Counts()
    gap = timedelta(days=campaign.remind_after_days)
    history = _reminder_history(session, campaign, channel_name)
    targets = []
    for person_id in people:
        last_sent, number, number_sent = history.get(person_id, (None, 0, True))
        if number_sent and number >= campaign.remind_max:
            continue
        if last_sent is not None and now - last_sent < gap:
            continue
        targets.append((person_id, reminder_purpose(number + 1 if number_sent else number)))
    if not targets:
        return Counts()
    channel = channel_for(channel_name, current_app.config)
    return deliver(session, CampaignDispatch(campaign), channel, targets, RETRY_CLAIMABLE, now, None)


def _retry_pending(session, campaign: Campaign, channel_name: str, now: datetime) -> Counts:
    """Deliveries left pending by an unreachable server (or an interrupted batch) whose retry time came."""
    stale = now - timedelta(seconds=float(current_app.config.get("DELIVERY_CLAIM_SECONDS", 300)))
    rows = session.execute(
        select(Delivery.person_id, Delivery.purpose).where(
            Delivery.campaign_id == campaign.id,
            Delivery.channel == channel_name,
            or_(
                and_(
                    Delivery.status == "pending",
                    or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                ),
                and_(Delivery.status == "sending", Delivery.claimed_at < stale),
            ),
        )
    ).all()
    if not rows:
        return Counts()
    channel = channel_for(channel_name, current_app.config)
    targets = [(p, purpose) for p, purpose in rows]
    return deliver(session, CampaignDispatch(campaign), channel, targets, RETRY_CLAIMABLE, now, None)


def _dry_run_invitations(session, campaign: Campaign, channel: Channel) -> Counts:
    """What a send would do, without writing anything or contacting the channel."""
    sent_here = set(
        session.execute(
            select(Delivery.person_id).where(
                Delivery.campaign_id == campaign.id,
                Delivery.channel == channel.name,
                Delivery.purpose == INVITATION,
                Delivery.status == "sent",
            )
        ).scalars()
    )
    statuses = select(Invitation.person_id, Invitation.status).where(Invitation.campaign_id == campaign.id)
    invitations = dict(session.execute(statuses).all())
    counts = Counts()
    for person in session.execute(audience_query(campaign)).scalars():
        if invitations.get(person.id, "pending") != "pending" or person.id in sent_here:
            continue
        if channel.address(person):
            counts.sent += 1
        else:
            counts.skipped += 1
    return counts


# --- sending ---------------------------------------------------------------------------------------------
@dataclass
class Prepared:
    delivery_id: int
    attempts: int
    address: str | None = None
    message: Message | None = None
    skipped: str | None = None


class Dispatch(ABC):
    """One kind of message to people: which delivery rows are its own, what a claim also checks, and what
    each person is told. A campaign's invitations and reminders are one (`CampaignDispatch`), the monthly
    digest another (`app.delivery.digest.DigestDispatch`); `deliver` claims, sends and records for both."""

    conflict_columns: ClassVar[list[str]]  # the unique index a new row may collide with
    conflict_where: ClassVar[Any] = None

    @abstractmethod
    def scope(self, channel: str) -> list:
        """WHERE conditions of the rows a send on `channel` may claim."""

    @abstractmethod
    def new_row(self, person_id: int, purpose: str, channel: str) -> dict:
        """Column values identifying a new row (the rest is filled in by `_ensure_rows`)."""

    @abstractmethod
    def prepare(self, session, channel: Channel, owned: list[int]) -> list[Prepared]:
        """The messages of claimed rows (in the order of `owned`); the transaction ends afterwards."""

    def stopped(self) -> bool:
        """Whether the rest of a batch must not go out (a campaign that closed meanwhile)."""
        return False

    def claim_conditions(self) -> list:
        return []

    def claim_values(self, channel: str) -> dict:
        return {}

    def after_claim(self, session, ids: list[int]) -> None:
        """Clean up the chunk's rows that were not claimed because they are no longer wanted."""
        return None


class CampaignDispatch(Dispatch):
    """A campaign's invitations and reminders: rows per campaign, person, channel and purpose; a person who
    answered is dropped unseen, and a campaign that closes stops the batch."""

    conflict_columns = ["campaign_id", "person_id", "channel", "purpose"]

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self.campaign_id = campaign.id

    def scope(self, channel: str) -> list:
        return [Delivery.campaign_id == self.campaign_id, Delivery.channel == channel]

    def new_row(self, person_id: int, purpose: str, channel: str) -> dict:
        return dict(campaign_id=self.campaign_id, person_id=person_id, channel=channel, purpose=purpose)

    def stopped(self) -> bool:
        return availability(self.campaign) == "closed"

    def _answered(self):
        return select(Invitation.person_id).where(
            Invitation.campaign_id == self.campaign_id, Invitation.status != "pending"
        )

    def claim_conditions(self) -> list:
        return [Delivery.person_id.not_in(self._answered())]

    def after_claim(self, session, ids: list[int]) -> None:
        session.execute(
            delete(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == "pending", Delivery.person_id.in_(self._answered()))
            .execution_options(synchronize_session=False)
        )

    def prepare(self, session, channel: Channel, owned: list[int]) -> list[Prepared]:
        base_url = current_app.config["PUBLIC_BASE_URL"]
        minutes = estimated_minutes(self.campaign)
        rows = session.execute(
            select(Delivery.id, Delivery.attempts, Delivery.purpose, Person, Invitation)
            .join(Person, Delivery.person_id == Person.id)
            .join(Invitation, and_(Invitation.person_id == Person.id, Invitation.campaign_id == Delivery.campaign_id))
            .where(Delivery.id.in_(owned))
        ).all()
        order = {delivery_id: position for position, delivery_id in enumerate(owned)}
        prepared = []
        for delivery_id, attempts, purpose, person, invitation in sorted(rows, key=lambda r: order[r[0]]):
            item = Prepared(delivery_id, attempts)
            token = invitation_token(invitation)
            item.address = channel.address(person)
            if not item.address:
                item.skipped = channel.missing_address
            elif token is None:
                item.skipped = LEGACY_LINK
            else:
                url = invitation_url(base_url, token)
                item.message = compose(self.campaign, person, url, reminder=purpose != INVITATION, minutes=minutes)
            prepared.append(item)
        return prepared


def _ensure_rows(session, dispatch: Dispatch, channel: str, targets: list[tuple[int, str]], now: datetime) -> None:
    """Insert the delivery rows that do not exist yet; an existing row (another worker's) is left alone."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for start in range(0, len(targets), CHUNK):
        values = [
            dict(
                **dispatch.new_row(person_id, purpose, channel),
                status="pending",
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            for person_id, purpose in targets[start : start + CHUNK]
        ]
        session.execute(
            insert(Delivery)
            .values(values)
            .on_conflict_do_nothing(index_elements=dispatch.conflict_columns, index_where=dispatch.conflict_where)
        )
    session.commit()


def _claim_chunk(
    session, dispatch: Dispatch, channel: str, ids: list[int], claimable: Iterable[str], claim: str, now: datetime
) -> set[int]:
    """Claim the chunk's rows that are still to be sent (and that the dispatch still wants: a campaign's
    invitation still pending), in one conditional UPDATE; another worker's claim or a sent row is left
    alone. Returns the ids now ours."""
    stale = now - timedelta(seconds=float(current_app.config.get("DELIVERY_CLAIM_SECONDS", 300)))
    claimable = tuple(claimable)
    session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            or_(Delivery.status.in_(claimable), and_(Delivery.status == "sending", Delivery.claimed_at < stale)),
            *dispatch.claim_conditions(),
        )
        .values(
            status="sending",
            claim=claim,
            claimed_at=now,
            attempts=Delivery.attempts + 1,
            updated_at=now,
            **dispatch.claim_values(channel),
        )
        .execution_options(synchronize_session=False)
    )
    dispatch.after_claim(session, ids)
    owned = set(session.execute(select(Delivery.id).where(Delivery.id.in_(ids), Delivery.claim == claim)).scalars())
    session.commit()
    return owned


def _record_all(session, claim: str, outcomes: list[tuple[int, int, Outcome]], now: datetime) -> None:
    """Write the chunk's outcomes in one transaction: sent, failed or skipped, or pending for a retry."""
    retry_minutes = float(current_app.config.get("DELIVERY_RETRY_MINUTES", 5))
    for delivery_id, attempts, outcome in outcomes:
        values: dict = {"claim": None, "updated_at": now, "error": (outcome.detail or "")[:1000] or None}
        if outcome.status == "sent":
            values.update(status="sent", sent_at=now, error=None, next_attempt_at=None)
        elif outcome.status == "retry":
            delay = timedelta(minutes=retry_minutes * min(2 ** max(attempts - 1, 0), 48))
            values.update(status="pending", next_attempt_at=now + delay)
        else:
            values.update(status=outcome.status, next_attempt_at=None)
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.claim == claim)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def _release(session, claim: str, error: str | None = None) -> None:
    """Claimed rows that were not sent (the channel stopped): back to pending, to be retried."""
    values: dict = {"status": "pending", "claim": None, "attempts": Delivery.attempts - 1}
    if error:
        values["error"] = error[:1000]
    session.execute(
        update(Delivery)
        .where(Delivery.claim == claim, Delivery.status == "sending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _start(pool: ThreadPoolExecutor, send: Send, item: Prepared) -> Future[Outcome] | Outcome:
    """The item's message on its way, or the outcome of skipping it: `prepare` gives each item a message to
    an address or the reason it is skipped."""
    if item.message is not None and item.address is not None:
        return pool.submit(send, item.address, item.message)
    if item.skipped is None:
        raise ValueError(f"delivery {item.delivery_id} was prepared with neither a message nor a reason to skip it")
    return Outcome.skipped(item.skipped)


def _with_app(app) -> None:
    """Each sending thread works inside the app (templates, settings); it never touches the database."""
    app.app_context().push()


def deliver(
    session,
    dispatch: Dispatch,
    channel: Channel,
    targets: list[tuple[int, str]],
    claimable: Iterable[str],
    now: datetime,
    progress: Progress | None,
) -> Counts:
    """Send `targets` ((person id, purpose) pairs) of a dispatch on a channel: rows made if missing, then
    claimed, sent and recorded CLAIM_CHUNK at a time by DELIVERY_CONCURRENCY threads; each row once."""
    counts = Counts()
    if not targets:
        return counts
    _ensure_rows(session, dispatch, channel.name, targets, now)
    wanted = set(targets)
    ids = [
        row.id
        for row in session.execute(
            select(Delivery.id, Delivery.person_id, Delivery.purpose)
            .join(Person, Delivery.person_id == Person.id)
            .join(Department, Person.department_id == Department.id)
            .where(*dispatch.scope(channel.name))
            .order_by(Department.path, Person.employee_id, Delivery.purpose)
        ).all()
        if (row.person_id, row.purpose) in wanted
    ]
    claim = str(uuid.uuid4())
    app = current_app_object()
    workers = max(1, int(current_app.config.get("DELIVERY_CONCURRENCY", 4)))
    try:
        with (
            channel.batch() as send,
            ThreadPoolExecutor(workers, thread_name_prefix="delivery", initializer=_with_app, initargs=(app,)) as pool,
        ):
            for start in range(0, len(ids), CLAIM_CHUNK):
                if progress is not None:
                    progress(start, len(ids))
                chunk = ids[start : start + CLAIM_CHUNK]
                if dispatch.stopped():
                    break
                owned = _claim_chunk(session, dispatch, channel.name, chunk, claimable, claim, now)
                prepared = dispatch.prepare(session, channel, [i for i in chunk if i in owned])
                session.commit()  # no transaction (and on SQLite no lock) is held while messages are on their way
                sending = [(item, _start(pool, send, item)) for item in prepared]
                outcomes = []
                for item, started in sending:
                    outcome = started if isinstance(started, Outcome) else started.result()
                    outcomes.append((item.delivery_id, item.attempts, outcome))
                    _count(counts, outcome)
                    if outcome.channel_down:
                        counts.error = counts.error or outcome.detail
                _record_all(session, claim, outcomes, now)
                if counts.error:
                    break
    except ChannelError as exc:
        session.rollback()
        counts.error = str(exc)
        _release(session, claim, str(exc))
    else:
        _release(session, claim)
    if progress is not None:
        progress(len(ids), len(ids))
    if counts.error:
        purposes = {purpose for _person, purpose in targets}
        counts.pending = session.execute(
            select(func.count(Delivery.id)).where(
                *dispatch.scope(channel.name), Delivery.purpose.in_(purposes), Delivery.status == "pending"
            )
        ).scalar_one()
    return counts


def _count(counts: Counts, outcome: Outcome) -> None:
    if outcome.status == "sent":
        counts.sent += 1
    elif outcome.status == "failed":
        counts.failed += 1
    elif outcome.status == "skipped":
        counts.skipped += 1
    else:
        counts.pending += 1


# --- the delivery log ------------------------------------------------------------------------------------
@dataclass
class LogRow:
    channel: str
    purpose: str  # 'invitation' or 'reminder'
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0
    last_at: datetime | None = None


def delivery_log(session, campaign: Campaign) -> dict:
    """Counts per channel and kind, and the invitations that need attention (failed or skipped, by name,
    so an address can be fixed). Reminder problems are counted only: a list of reminded people would
    tell who had not answered."""
    kind = case((Delivery.purpose == INVITATION, INVITATION), else_="reminder")
    rows = session.execute(
        select(Delivery.channel, kind, Delivery.status, func.count(Delivery.id), func.max(Delivery.updated_at))
        .where(Delivery.campaign_id == campaign.id)
        .group_by(Delivery.channel, kind, Delivery.status)
    ).all()
    table: dict[tuple[str, str], LogRow] = {}
    for channel, purpose, status, count, last_at in rows:
        row = table.setdefault((channel, purpose), LogRow(channel, purpose))
        attribute = "pending" if status == "sending" else status
        setattr(row, attribute, getattr(row, attribute) + count)
        if last_at is not None and (row.last_at is None or last_at > row.last_at):
            row.last_at = last_at
    attention = session.execute(
        select(Delivery, Person)
        .join(Person, Delivery.person_id == Person.id)
        .join(Department, Person.department_id == Department.id)
        .where(
            Delivery.campaign_id == campaign.id,
            Delivery.purpose == INVITATION,
            Delivery.status.in_(("failed", "skipped")),
        )
        .order_by(Department.path, Person.employee_id)
        .limit(500)
    ).all()
    pending_error = session.execute(
        select(Delivery.error)
        .where(Delivery.campaign_id == campaign.id, Delivery.status == "pending", Delivery.error.is_not(None))
        .order_by(Delivery.updated_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return {
        "rows": sorted(table.values(), key=lambda r: (r.channel, r.purpose != INVITATION)),
        "attention": attention,
        "pending_error": pending_error,
    }


every(REMIND_DUE_EVERY, "remind_due")  # on RQ (`rq worker --with-scheduler`) or this process's scheduler

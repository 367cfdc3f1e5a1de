"""A campaign's release state: its release steps, and what each group shows in each channel.

One pass for everything derived from answers. A read (a page, the API, an export, the report, a theme run)
first asks `release_state`: if enough responses wait (`analysis.release.step_size`), or the campaign has
closed with some waiting, a new step is cut; a step not yet planned is planned once, over the ledger of
everything released before (`analysis.release.plan_step`), and its decisions are stored in `releases`.
Every output then reads the step each group was last released at — nothing in a view decides a release.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from analysis.disclosure import BELOW_K, ReleaseLedger
from analysis.release import (
    EXPORT_PREFIX,
    FIGURES,
    OVERALL,
    RECORDS,
    STALE,
    Decision,
    coarsen_at_rest,
    group_n,
    plan_step,
    replay,
    step_size,
)
from analysis.release import Release as ReleaseRecord
from app.campaigns.service import availability
from app.models import Campaign, Department, Invitation, Person, Release, Response
from app.sqlite import write_transaction

_audiences: OrderedDict = OrderedDict()
_audience_lock = Lock()
AUDIENCE_CACHE = 32
_states: OrderedDict = OrderedDict()
_state_lock = Lock()
STATE_CACHE = 16


@dataclass
class ReleaseState:
    """The decisions of the campaign's current step, with what a page needs to say about the next one."""

    campaign_id: int
    step: int
    step_size: int
    pending: int
    closed: bool
    k: int
    k_text: int
    cell_counts: dict
    decisions: dict = field(default_factory=dict)
    released_steps: dict = field(default_factory=dict)

    def decision(self, channel: str, key: str) -> Decision:
        found = self.decisions.get((channel, key))
        return found or Decision(key, channel, None, BELOW_K, None)

    def figures(self, key: str = OVERALL) -> Decision:
        return self.decision(FIGURES, key)

    def records(self, key: str = OVERALL) -> Decision:
        return self.decision(RECORDS, key)

    def was_released(self, channel: str, key: str, step: int) -> bool:
        return step in self.released_steps.get((channel, key), ())

    @property
    def next_step_in(self) -> int | None:
        """How many more answers until the next update (None once the campaign has closed)."""
        return None if self.closed else max(self.step_size - self.pending, 1)

    def history(self) -> list[ReleaseRecord]:
        return [
            ReleaseRecord(channel, key, step) for (channel, key), steps in self.released_steps.items() for step in steps
        ]

    def ledger(self, labels: dict | None = None) -> ReleaseLedger:
        """Everything released so far, replayed (export releases need their rows' labels): for a release
        that is not one of the standard groups."""
        return replay(self.cell_counts, self.history(), self.k, self.k_text, labels)


def clear_cache() -> None:
    with _audience_lock:
        _audiences.clear()
    with _state_lock:
        _states.clear()


def invited_count(session, campaign: Campaign) -> int:
    return session.execute(select(func.count(Invitation.id)).where(Invitation.campaign_id == campaign.id)).scalar_one()


def audience(session, campaign: Campaign) -> dict:
    """Invited people per (department path, role, wave), cached while the number of invitations is unchanged."""
    key = (campaign.id, invited_count(session, campaign))
    with _audience_lock:
        if key in _audiences:
            return _audiences[key]
    rows = session.execute(
        select(Department.path, Person.role, Person.wave, func.count(Invitation.id))
        .join(Person, Invitation.person_id == Person.id)
        .join(Department, Person.department_id == Department.id)
        .where(Invitation.campaign_id == campaign.id)
        .group_by(Department.path, Person.role, Person.wave)
    ).all()
    counts = {(path, role, wave): int(n) for path, role, wave, n in rows}
    with _audience_lock:
        _audiences[key] = counts
        while len(_audiences) > AUDIENCE_CACHE:
            _audiences.popitem(last=False)
    return counts


def stored_segment(session, campaign: Campaign, person: Person) -> tuple:
    """The segment a response of `person` keeps at rest (`analysis.release.coarsen_at_rest`)."""
    return coarsen_at_rest(
        person.department.path, person.role, person.wave, audience(session, campaign), campaign.min_group
    )


def cell_counts(session, campaign: Campaign) -> dict:
    rows = session.execute(
        select(Response.department_path, Response.role, Response.wave, Response.release_step, func.count(Response.id))
        .where(Response.campaign_id == campaign.id, Response.release_step.is_not(None))
        .group_by(Response.department_path, Response.role, Response.wave, Response.release_step)
    ).all()
    return {((path, role, wave), step): int(n) for path, role, wave, step, n in rows}


def response_total(session, campaign_id: int) -> int:
    """All of the campaign's responses (an index-only count); those in no step yet are this minus the cells."""
    return session.execute(select(func.count(Response.id)).where(Response.campaign_id == campaign_id)).scalar_one()


def current_step_size(session, campaign: Campaign) -> int:
    return step_size(invited_count(session, campaign), campaign.min_group)


def _step_is_due(pending: int, size: int, closed: bool) -> bool:
    return bool(pending) and (closed or pending >= size)


def _cut(session, campaign: Campaign) -> bool:
    """Cut the next release step: every waiting response joins it (one worker wins; the rest see it)."""
    campaign_id, step = campaign.id, campaign.release_step or 0
    session.commit()
    with write_transaction(session):
        claimed = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.release_step == step)
            .values(release_step=step + 1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            session.execute(
                update(Response)
                .where(Response.campaign_id == campaign_id, Response.release_step.is_(None))
                .values(release_step=step + 1)
                .execution_options(synchronize_session=False)
            )
    session.refresh(campaign)
    return True


def _stored(session, campaign_id: int) -> list[Release]:
    return list(session.execute(select(Release).where(Release.campaign_id == campaign_id)).scalars())


def _plan(session, campaign: Campaign, step: int, counts: dict, rows: list[Release]) -> None:
    history = [ReleaseRecord(r.channel, r.group_key, r.step) for r in rows if r.released]
    plan = plan_step(counts, history, step, campaign.min_group, campaign.min_group_text)
    campaign_id = campaign.id
    new = {(r.channel, r.key) for r in plan.new_releases}
    session.commit()
    try:
        with write_transaction(session):
            for (channel, key), decision in plan.decisions.items():
                released = (channel, key) in new
                if not released and decision.shown_step == step:
                    continue  # released at this step before (a replanned step keeps its rows)
                session.add(
                    Release(
                        campaign_id=campaign_id,
                        channel=channel,
                        group_key=key,
                        step=step,
                        released=released,
                        reason=None if released else (decision.reason or STALE),
                    )
                )
    except IntegrityError:  # another worker planned this step at the same moment
        session.rollback()


def release_state(session, campaign: Campaign) -> ReleaseState:
    """The campaign's current step, planned and stored: what every group shows in each channel.

    A step is cut here when enough responses wait (or the campaign has closed with some). The decisions and
    the cells are cached per (campaign, step, number of stored releases), so a warm read costs four
    index-only counts; the responses waiting are all responses minus those in the cells."""
    closed = availability(campaign) == "closed"
    size = current_step_size(session, campaign)
    for _ in range(2):
        step = campaign.release_step or 0
        decisions, released_steps, counts = _cached(session, campaign, step)
        pending = response_total(session, campaign.id) - sum(counts.values())
        if not _step_is_due(pending, size, closed):
            break
        _cut(session, campaign)
    return ReleaseState(
        campaign_id=campaign.id,
        step=step,
        step_size=size,
        pending=pending,
        closed=closed,
        k=campaign.min_group,
        k_text=campaign.min_group_text,
        cell_counts=counts,
        decisions=decisions,
        released_steps=released_steps,
    )


def _cached(session, campaign: Campaign, step: int) -> tuple[dict, dict, dict]:
    key = (campaign.id, step, release_count(session, campaign.id), campaign.min_group, campaign.min_group_text)
    with _state_lock:
        cached = _states.get(key)
    if cached is not None:
        return cached
    counts = cell_counts(session, campaign) if step else {}
    rows = _stored(session, campaign.id) if step else []
    if step and not any(r.step == step for r in rows):
        _plan(session, campaign, step, counts, rows)
        rows = _stored(session, campaign.id)
        key = key[:2] + (len(rows),) + key[3:]
    cached = _decisions(step, counts, rows)
    with _state_lock:
        _states[key] = cached
        while len(_states) > STATE_CACHE:
            _states.popitem(last=False)
    return cached


def release_count(session, campaign_id: int) -> int:
    return session.execute(select(func.count(Release.id)).where(Release.campaign_id == campaign_id)).scalar_one()


def _decisions(step: int, counts: dict, rows: list[Release]) -> tuple[dict, dict, dict]:
    released_steps: dict = {}
    for row in rows:
        if row.released and row.step <= step:
            released_steps.setdefault((row.channel, row.group_key), set()).add(row.step)
    decisions = {}
    for row in rows:
        if row.step != step or row.group_key.startswith(EXPORT_PREFIX):
            continue
        key = (row.channel, row.group_key)
        if row.released:
            decisions[key] = Decision(row.group_key, row.channel, step, None, group_n(counts, row.group_key, step))
        else:
            before = max((s for s in released_steps.get(key, ()) if s < step), default=None)
            n = group_n(counts, row.group_key, before) if before is not None else None
            reason = STALE if before is not None else row.reason
            decisions[key] = Decision(row.group_key, row.channel, before, reason, n)
    return decisions, released_steps, counts


__all__ = ["ReleaseState", "release_state", "stored_segment"]
